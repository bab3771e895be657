"""A process that writes to a coprod store, for tests/test_store_under_load.py. Imports coprod_widgets.store only.

Two ways to run it (``sys.executable tests/store_writer.py ...``)::

    load URL LOG --writer N --saves 500 --sites 2,3,4,5 --go FILE
        Open the store, write "ready" to LOG, wait until FILE exists, then make the saves: adds of partners and
        activities at every site, and updates of this writer's own records. After each save returns (committed)
        one JSON line goes to LOG, flushed: {"op", "kind", "id", "token", "ms"}. Exits 1 with the traceback on stderr
        at the first save that fails: a save under contention must not fail.

    forks URL --sites 2,3,4,5
        Import once, then read commands on stdin, so that 50 writers killed with SIGKILL cost 50 forks, not 50
        interpreters. "fork K" forks writer K, which opens the store, says "K ready PID" and saves until killed
        (at most CHILD_LIMIT_S): groups of three records in one add_many, and updates. Before each save it says
        "K begin N"; after the save returns, "K add N kind:id,..." or "K update N kind:id". "reap PID" waits for
        that child and says "reaped PID STATUS": everything the child said comes before it on stdout.

A token written into each record ("w3-s17", "k12-g4") lets the test find exactly what each save committed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

from coprod_widgets.store import Store

WHO = "store_writer"
GO_TIMEOUT_S = 120.0
#: A forked writer that nobody kills stops by itself after this long.
CHILD_LIMIT_S = 20.0
#: One save in this many is an update of a record the writer added before.
UPDATE_EVERY = 4
#: The field an update writes its token into, per kind (the adding token stays in display_name / title).
UPDATED_FIELD = {"partner": "organisation", "activity": "access_adjustments"}


def partner(site_id: int, token: str) -> dict:
    return {"site_id": site_id, "display_name": token, "role_group": "carer", "joined": "2015-03-01"}


def activity(site_id: int, token: str) -> dict:
    return {"site_id": site_id, "date": "2015-04-01", "title": token, "stage": "design", "ladder_step": 5}


def load(url: str, log_path: Path, writer: int, saves: int, sites: list[int], go: Path) -> None:
    rng = random.Random(writer)
    store = Store.open(url)
    mine: list[tuple[str, int]] = []
    with log_path.open("a", encoding="utf-8") as log:
        log.write("ready\n")
        log.flush()
        waited = time.monotonic()
        while not go.exists():
            if time.monotonic() - waited > GO_TIMEOUT_S:
                raise SystemExit(f"writer {writer}: no go signal after {GO_TIMEOUT_S} s")
            time.sleep(0.005)
        for number in range(1, saves + 1):
            token = f"w{writer}-s{number}"
            began = time.perf_counter()
            if mine and number % UPDATE_EVERY == 0:
                kind, record_id = rng.choice(mine)
                store.update(kind, record_id, {UPDATED_FIELD[kind]: token}, who=WHO)
                line = {"op": "update", "kind": kind, "id": record_id, "token": token}
            else:
                kind = rng.choice(["partner", "activity"])
                site_id = sites[number % len(sites)]
                made = store.add(kind, partner(site_id, token) if kind == "partner" else activity(site_id, token), WHO)
                mine.append((kind, made.id))
                line = {"op": "add", "kind": kind, "id": made.id, "token": token}
            line["ms"] = round(1000 * (time.perf_counter() - began), 1)  # waiting for the write lock included
            log.write(json.dumps(line) + "\n")
            log.flush()
    store.close()


def say(text: str) -> None:
    """One whole line on stdout in one write(2): lines from several processes on one pipe never interleave."""
    data = (text + "\n").encode()
    while data:
        data = data[os.write(1, data) :]


def forked_writer(url: str, number: int, sites: list[int]) -> None:
    """Save until killed: each group is three records in one transaction, so half a group would show."""
    rng = random.Random(number)
    store = Store.open(url)
    say(f"{number} ready {os.getpid()}")
    partners: list[int] = []
    stop = time.monotonic() + CHILD_LIMIT_S
    group = 0
    while time.monotonic() < stop:
        group += 1
        token = f"k{number}-g{group}"
        say(f"{number} begin {group}")
        if partners and group % 3 == 0:
            partner_id = rng.choice(partners)
            store.update("partner", partner_id, {"organisation": token}, who=WHO)
            say(f"{number} update {group} partner:{partner_id}")
            continue
        site_id = rng.choice(sites)
        made = store.add_many(
            [
                ("partner", partner(site_id, f"{token}-p")),
                ("activity", activity(site_id, f"{token}-a")),
                ("activity", activity(site_id, f"{token}-b")),
            ],
            who=WHO,
        )
        partners.append(made[0].id)
        say(f"{number} add {group} " + ",".join(f"{record.kind}:{record.id}" for record in made))


def forks(url: str, sites: list[int]) -> None:
    if "postgresql" in url:
        import psycopg  # noqa: F401  (imported once here rather than in every child)
    children: set[int] = set()
    try:
        for command in sys.stdin:
            verb, _, argument = command.strip().partition(" ")
            if verb == "fork":
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        forked_writer(url, int(argument), sites)
                    except BaseException:
                        traceback.print_exc()
                        sys.stderr.flush()
                        code = 1
                    os._exit(code)  # never run the parent's clean-up in the child
                children.add(pid)
                say(f"forked {argument} {pid}")
            elif verb == "reap":
                pid = int(argument)
                _, status = os.waitpid(pid, 0)
                children.discard(pid)
                say(f"reaped {pid} {status}")
            else:
                raise SystemExit(f"unknown command {command!r}")
    finally:
        for pid in children:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["load", "forks"])
    parser.add_argument("url")
    parser.add_argument("log", nargs="?", type=Path)
    parser.add_argument("--writer", type=int, default=0)
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--sites", required=True)
    parser.add_argument("--go", type=Path)
    args = parser.parse_args()
    sites = [int(site) for site in args.sites.split(",")]
    if args.mode == "load":
        load(args.url, args.log, args.writer, args.saves, sites, args.go)
    else:
        forks(args.url, sites)


if __name__ == "__main__":
    main()
