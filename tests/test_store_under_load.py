"""The store under load and faults, with real processes: nothing lost, nothing doubled, no half-saved change.

tests/store_writer.py does the writing, in processes of its own (one SQLite file or PostgreSQL database,
several processes: the way the site app's kernels and an evaluator's notebook share a store). Three proofs:

- eight writers making 500 saves each at once: every committed save is there once, with the last value
  written, each with its history line, and the history's seals verify;
- a writer killed with SIGKILL at a random moment, 50 times: the store opens, what it reported committed is
  there, and nothing is half-saved (a record without its history line, a line without its record, part of
  an ``add_many``);
- a backup taken while the eight write restores into a fresh store that verifies and is whole.

Figures are printed for ``pytest -s``. These take a minute or more each, and are part of ``make test``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text

from coprod_widgets import audit
from coprod_widgets.backup import backup
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.restore import restore
from coprod_widgets.schema import TABLES, history
from coprod_widgets.store import Store
from tests.postgres import create_database

pytestmark = pytest.mark.long

WRITER = Path(__file__).with_name("store_writer.py")
WHO = "load test"
WRITERS, SAVES, SITES = 8, 500, 4
KILLS = 50
KILL_DELAY_S = (0.05, 0.6)
#: Generous bounds, so that a stuck writer fails the test instead of hanging it.
READY_TIMEOUT_S = 120.0
LOAD_TIMEOUT_S = 240.0
LINE_TIMEOUT_S = 30.0
#: The updated field and the one holding the adding token, per kind (as in store_writer.py).
UPDATED_FIELD = {"partner": "organisation", "activity": "access_adjustments"}
TOKEN_FIELD = {"partner": "display_name", "activity": "title"}


# ---- what every proof checks -----------------------------------------------------------------------


def new_store(url: str) -> tuple[Store, list[int]]:
    """A store with one programme and its sites: 1 + SITES history lines before any writer starts."""
    store = Store.open(url)
    programme = store.add("programme", {"name": "Under load"}, WHO)
    site = {"programme_id": programme.id, "service_issue": "Waiting times", "start_date": "2015-03-01"}
    return store, [store.add("site", {**site, "name": f"Site {n}"}, WHO).id for n in range(1, SITES + 1)]


@contextlib.contextmanager
def one_snapshot(store: Store) -> Iterator[Connection]:
    """A read that sees one moment (PostgreSQL's default would take a new snapshot per statement)."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def count_records(conn: Connection) -> int:
    return sum(conn.execute(select(func.count()).select_from(TABLES[kind])).scalar_one() for kind in RECORD_TYPES)


@dataclass
class Whole:
    """What :func:`whole` found: no problems means every record and history line belong together."""

    problems: list[str]
    records: int
    lines: int
    rows: dict[tuple[str, int], dict]
    actions: dict[tuple[str, int], Counter]


def whole(store: Store) -> Whole:
    """Read the store at one moment: the seals verify, every record has one insert line and is what its newest
    line says, every line's record is there unless its newest line deleted it, and SQLite's file is sound."""
    problems: list[str] = []
    with one_snapshot(store) as conn:
        verdict = audit.verify(conn)
        if not verdict.ok:
            problems.append(f"audit.verify: {verdict.problem}")
        if conn.dialect.name == "sqlite":
            integrity = conn.execute(text("PRAGMA integrity_check")).scalars().all()
            if integrity != ["ok"]:
                problems.append(f"PRAGMA integrity_check: {integrity[:5]}")
        rows = {
            (kind, record.id): record.model_dump(mode="json")
            for kind in RECORD_TYPES
            for record in store.records(kind, conn=conn)
        }
        newest: dict[tuple[str, int], dict] = {}
        actions: dict[tuple[str, int], Counter] = defaultdict(Counter)
        for line in conn.execute(select(history).order_by(history.c.id)).mappings():
            key = (line["record_type"], line["record_id"])
            newest[key] = dict(line)
            actions[key][line["action"]] += 1
    for key, row in rows.items():
        if actions[key]["insert"] != 1:
            problems.append(f"{key} has {actions[key]['insert']} insert lines in the history")
        elif newest[key]["new"] != row:
            problems.append(f"{key} is not what its newest history line (id {newest[key]['id']}) says")
    for key, line in newest.items():
        if key not in rows and line["action"] != "delete":
            problems.append(f"history line {line['id']} ({line['action']}) names {key}, which is not in the store")
    return Whole(problems, len(rows), verdict.lines, rows, actions)


def assert_whole(found: Whole, what: str) -> None:
    shown = "\n".join(found.problems[:20])
    assert not found.problems, f"{what}: {len(found.problems)} problem(s), the first:\n{shown}"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


# ---- 1 and 3: eight writers at once, and a backup taken meanwhile ----------------------------------


@dataclass
class BackupDuring:
    path: Path
    rows: dict[str, int]
    records_before: int
    records_after: int
    lines_before: int
    lines_after: int
    writers_running: int


@dataclass
class LoadRun:
    logs: list[list[dict]]
    seconds: float
    taken: BackupDuring


def run_writers(url: str, folder: Path, sites: list[int], store: Store) -> LoadRun:
    """Start WRITERS processes, let them go at once, take a backup once a third of the saves are in."""
    go = folder / "go"
    logs = [folder / f"writer{n}.log" for n in range(WRITERS)]
    errors = [folder / f"writer{n}.err" for n in range(WRITERS)]
    processes: list[subprocess.Popen] = []

    def failure(what: str) -> str:
        said = "".join(
            f"\n--- writer {n} (exit {p.poll()}):\n{errors[n].read_text()[-3000:]}" for n, p in enumerate(processes)
        )
        return f"{what}{said}"

    def logged() -> int:
        return sum(max(0, log.read_text().count("\n") - 1) for log in logs if log.exists())

    try:
        for n in range(WRITERS):
            with errors[n].open("w") as err:
                command = [sys.executable, str(WRITER), "load", url, str(logs[n]), "--writer", str(n)]
                command += ["--saves", str(SAVES), "--sites", ",".join(map(str, sites)), "--go", str(go)]
                processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err))

        def ready() -> bool:
            assert all(p.poll() is None for p in processes), failure("a writer stopped before it began")
            return all(log.exists() and log.read_text().startswith("ready") for log in logs)

        wait_until(ready, READY_TIMEOUT_S, "the writers to open the store")
        started = time.monotonic()
        go.touch()

        def a_third_in() -> bool:
            assert all(p.poll() in (None, 0) for p in processes), failure("a writer failed")
            return logged() >= WRITERS * SAVES // 3

        wait_until(a_third_in, LOAD_TIMEOUT_S, "a third of the saves")
        with one_snapshot(store) as conn:
            records_before, lines_before = count_records(conn), audit.read_head(conn).lines
        summary = backup(store.engine, folder / "during.coprod-backup")
        with one_snapshot(store) as conn:
            records_after, lines_after = count_records(conn), audit.read_head(conn).lines
        running = sum(p.poll() is None for p in processes)
        taken = BackupDuring(
            summary.path, summary.rows, records_before, records_after, lines_before, lines_after, running
        )
        for process in processes:
            left = max(1.0, LOAD_TIMEOUT_S - (time.monotonic() - started))
            try:
                process.wait(timeout=left)
            except subprocess.TimeoutExpired:
                raise AssertionError(failure(f"a writer was still saving after {LOAD_TIMEOUT_S:.0f} s")) from None
        seconds = time.monotonic() - started
        assert all(p.returncode == 0 for p in processes), failure("a writer failed")
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    parsed = [[json.loads(line) for line in log.read_text().splitlines()[1:]] for log in logs]
    return LoadRun(parsed, seconds, taken)


def prove_load(url: str, folder: Path, backend: str, restore_urls: list[str]) -> None:
    store, sites = new_store(url)
    setup_lines = 1 + len(sites)
    try:
        run = run_writers(url, folder, sites, store)
        assert [len(log) for log in run.logs] == [SAVES] * WRITERS, "every writer logs each save it committed"
        added = {line["token"]: (line["kind"], line["id"]) for log in run.logs for line in log if line["op"] == "add"}
        updated: dict[tuple[str, int], list[str]] = defaultdict(list)
        for log in run.logs:
            for line in log:
                if line["op"] == "update":
                    updated[(line["kind"], line["id"])].append(line["token"])
        total = WRITERS * SAVES
        assert len(added) + sum(map(len, updated.values())) == total

        found = whole(store)
        assert_whole(found, f"{backend} after the writers")
        holding: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (kind, record_id), row in found.rows.items():
            if kind in TOKEN_FIELD and re.fullmatch(r"w\d+-s\d+", row[TOKEN_FIELD[kind]]):
                holding[row[TOKEN_FIELD[kind]]].append((kind, record_id))
        lost = [token for token, key in added.items() if key not in holding.get(token, [])]
        duplicated = [token for token, keys in holding.items() if len(keys) > 1 or token not in added]
        stale = [key for key, tokens in updated.items() if found.rows[key][UPDATED_FIELD[key[0]]] != tokens[-1]]
        rate = total / run.seconds
        waits = sorted(line["ms"] for log in run.logs for line in log)
        print(
            f"\n[{backend}] {WRITERS} writers x {SAVES} saves = {total} saves ({len(added)} inserts, "
            f"{total - len(added)} updates) in {run.seconds:.1f} s, {rate:.0f} saves/s; lost {len(lost)}, "
            f"duplicated {len(duplicated)}, stale updates {len(stale)}; history {found.lines} lines; one save took "
            f"{waits[len(waits) // 2]:.0f} ms (median), {waits[len(waits) * 99 // 100]:.0f} ms (99th centile), "
            f"{waits[-1]:.0f} ms at most"
        )
        assert (lost, duplicated, stale) == ([], [], []), "every committed save is there once, with its last value"
        for token, key in added.items():
            assert found.actions[key] == Counter(insert=1, update=len(updated.get(key, []))), (token, key)
        assert found.lines == setup_lines + total, "one history line per save, nothing more"

        prove_backup_restores(run.taken, backend, restore_urls)
    finally:
        store.close()


def prove_backup_restores(taken: BackupDuring, backend: str, restore_urls: list[str]) -> None:
    """The backup holds the store as it was at one moment between the counts taken before and after it."""
    backed_up = sum(count for name, count in taken.rows.items() if name in RECORD_TYPES)
    print(
        f"[{backend}] backup during the writes ({taken.writers_running} of {WRITERS} writers still running): "
        f"{backed_up} records and {taken.rows['history']} history lines; the store held "
        f"{taken.records_before}-{taken.records_after} records and {taken.lines_before}-{taken.lines_after} lines"
    )
    assert taken.writers_running > 0, "the backup was taken while writers were saving"
    assert taken.records_before <= backed_up <= taken.records_after
    assert taken.lines_before <= taken.rows["history"] <= taken.lines_after
    for url in restore_urls:
        restore(taken.path, url)
        restored = Store.open(url)
        try:
            found = whole(restored)
            assert_whole(found, f"{backend} backup restored into {restored.engine.dialect.name}")
            assert (found.records, found.lines) == (backed_up, taken.rows["history"])
        finally:
            restored.close()


def test_eight_sqlite_writers_lose_nothing_and_a_backup_meanwhile_restores(tmp_path):
    """SQLite's BEGIN IMMEDIATE and busy timeout make eight processes take turns, none failing or losing a save."""
    prove_load(f"sqlite:///{tmp_path / 'load.db'}", tmp_path, "SQLite", [f"sqlite:///{tmp_path / 'restored.db'}"])


@pytest.mark.postgres
def test_eight_postgresql_writers_lose_nothing_and_a_backup_meanwhile_restores(tmp_path, postgres_url):
    """The advisory lock makes eight processes take turns on PostgreSQL; the backup restores there and to SQLite."""
    url = create_database(postgres_url, "load")
    restore_urls = [create_database(postgres_url, "restored"), f"sqlite:///{tmp_path / 'restored.db'}"]
    prove_load(url, tmp_path, "PostgreSQL", restore_urls)


# ---- 2: writers killed with SIGKILL -----------------------------------------------------------------


class Forks:
    """tests/store_writer.py in ``forks`` mode: one interpreter that forks a writer on request."""

    def __init__(self, url: str, sites: list[int], folder: Path):
        self.err = folder / "forks.err"
        with self.err.open("w") as err:
            command = [sys.executable, str(WRITER), "forks", url, "--sites", ",".join(map(str, sites))]
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def until(self, prefix: str) -> list[str]:
        """Lines up to and including the first that starts with ``prefix``."""
        seen: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                raise AssertionError(f"no {prefix!r} within {LINE_TIMEOUT_S:.0f} s; stderr:\n{self.stderr()}") from None
            if line is None:
                raise AssertionError(f"the writer process ended before {prefix!r}; stderr:\n{self.stderr()}")
            seen.append(line)
            if line.startswith(prefix):
                return seen

    def stderr(self) -> str:
        return self.err.read_text()[-3000:]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def prove_kills(url: str, folder: Path, backend: str) -> None:
    store, sites = new_store(url)
    store.close()
    rng = random.Random(20150301)
    forks = Forks(url, sites, folder)
    started = time.monotonic()
    landed = Counter()
    to_ready: list[float] = []
    reported_saves = kills_after_saves = 0
    try:
        for k in range(1, KILLS + 1):
            asked = time.monotonic()
            forks.send(f"fork {k}")
            pid = int(forks.until(f"{k} ready ")[-1].split()[-1])
            to_ready.append(time.monotonic() - asked)
            time.sleep(rng.uniform(*KILL_DELAY_S))
            os.kill(pid, signal.SIGKILL)
            forks.send(f"reap {pid}")
            said = forks.until(f"reaped {pid} ")
            status = int(said[-1].split()[-1])
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"writer {k} ended by itself (status {status}) before it was killed; stderr:\n{forks.stderr()}"
            )
            reported = [line.split() for line in said if re.match(rf"{k} (add|update) ", line)]
            reported_saves += len(reported)
            kills_after_saves += bool(reported)
            last = next((line.split() for line in reversed(said) if line.startswith(f"{k} ")), None)
            in_flight = int(last[2]) if last and last[1] == "begin" else None

            opened = Store.open(url)  # after each kill: the store opens, and is whole
            try:
                found = whole(opened)
            finally:
                opened.close()
            assert_whole(found, f"{backend} after kill {k}")
            groups: dict[str, set[str]] = defaultdict(set)
            for (kind, _), row in found.rows.items():
                match = kind in TOKEN_FIELD and re.fullmatch(r"(k\d+-g\d+)-([pab])", row[TOKEN_FIELD[kind]])
                if match:
                    groups[match[1]].add(match[2])
            halves = {token: parts for token, parts in groups.items() if parts != {"p", "a", "b"}}
            assert not halves, f"part of an add_many group was saved: {halves}"
            organisation: dict[int, str] = {}
            for _, verb, group, saved in reported:
                if verb == "add":
                    for pair, part in zip(saved.split(","), "pab", strict=True):
                        kind, record_id = pair.split(":")
                        row = found.rows.get((kind, int(record_id)))
                        assert row is not None, f"kill {k}: reported {kind} {record_id} is missing"
                        assert row[TOKEN_FIELD[kind]] == f"k{k}-g{group}-{part}"
                else:
                    organisation[int(saved.split(":")[1])] = f"k{k}-g{group}"
            for partner_id, token in organisation.items():  # the last reported update, or a later unreported one
                assert found.rows[("partner", partner_id)]["organisation"] in (token, f"k{k}-g{in_flight}")
            if in_flight is None:
                landed["between saves"] += 1
            elif f"k{k}-g{in_flight}" in groups or any(
                row.get("organisation") == f"k{k}-g{in_flight}" for row in found.rows.values()
            ):
                landed["in its commit or before its report (kept)"] += 1
            else:
                landed["mid-save (rolled back)"] += 1
    finally:
        forks.close()
    seconds = time.monotonic() - started
    final = found
    ready_ms = 1000 * sum(to_ready) / len(to_ready)
    print(
        f"\n[{backend}] {KILLS} SIGKILLs survived in {seconds:.1f} s ({reported_saves} reported saves, "
        f"{kills_after_saves} of the writers reported some; store at "
        f"{final.records} records, {final.lines} history lines); kills landed: {dict(landed)}; fork to ready "
        f"{ready_ms:.0f} ms on average"
    )
    assert sum(landed.values()) == KILLS
    assert kills_after_saves >= KILLS // 2, "each killed writer's lock was freed: the next writers could save"
    assert landed["mid-save (rolled back)"] + landed["in its commit or before its report (kept)"] >= KILLS // 5, (
        "some kills land while a save is under way"
    )


def test_a_sqlite_writer_killed_50_times_leaves_no_half_saved_change(tmp_path):
    """SIGKILL mid-transaction: SQLite's WAL keeps committed saves and drops the rest whole on the next open."""
    prove_kills(f"sqlite:///{tmp_path / 'kills.db'}", tmp_path, "SQLite")


@pytest.mark.postgres
def test_a_postgresql_writer_killed_50_times_leaves_no_half_saved_change(tmp_path, postgres_url):
    """SIGKILL drops the client's connection: PostgreSQL rolls back its transaction and frees the write lock."""
    prove_kills(create_database(postgres_url, "kills"), tmp_path, "PostgreSQL")
