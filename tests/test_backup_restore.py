"""Backups and restores on real databases: nothing lost on the way, and nothing touched when a file is wrong.

A backup is the one thing that must work on the worst day, so every check here reads the stores back
whole (records of every type, history lines with their seals, access codes, settings) rather than
trusting the summaries. The SQLite stores are temporary files; the PostgreSQL tests (marked
``postgres``) share one throwaway cluster (tests/postgres.py) with a new database each.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Callable
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.engine import make_url

from coprod_widgets import access, audit, throttle
from coprod_widgets.backup import BackupProblem, _manifest_checksum, backup, read_manifest
from coprod_widgets.cli import main
from coprod_widgets.erasure import erase_partner
from coprod_widgets.exports.deidentify import PSEUDONYM_KEY_SETTING
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.restore import restore
from coprod_widgets.schema import access_attempt, setting
from coprod_widgets.schema_version import BASELINE, HEAD
from coprod_widgets.store import SQLITE_BUSY_TIMEOUT_MS, Store, engine_for
from coprod_widgets.upgrade import record_counts, upgrade_store
from tests.postgres import create_database

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "store-0.1.0.db"
EXPECTED = json.loads((FIXTURES / "store-0.1.0.json").read_text(encoding="utf-8"))
KNOWN_CODE = "amber-otter-quilt-meadow-drum"
WHO = "backup test"
#: The history line the tampering test rewrites behind coprod's back.
TAMPERED_LINE = 10

postgres = pytest.mark.postgres


# ---- helpers -------------------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_sqlite(url: str, to: Path) -> str:
    """A consistent copy of a SQLite store (its WAL included), made with SQLite's own backup API."""
    source, target = sqlite3.connect(make_url(url).database), sqlite3.connect(to)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return sqlite_url(to)


def coprod(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def succeeded(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def one_error_line(result) -> str:
    """The CLI refused: exit 1 and a single ``Error:`` line, no traceback."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error:"), result.output
    return lines[0]


def _plain(value):
    """Values as both databases hand them back alike: moments as naive UTC text (SQLite drops the zone)."""
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value).isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def contents(url: str) -> dict:
    """Everything a store holds, read through the store: what a restore must bring back exactly."""
    store = Store.open(url, create=False)
    try:
        with store.engine.connect() as conn:
            settings = {row.name: row.value for row in conn.execute(select(setting))}
            attempts = [dict(row._mapping) for row in conn.execute(select(access_attempt).order_by("id"))]
            rows = record_counts(conn)
        return _plain(
            {
                "records": {kind: [record.model_dump() for record in store.records(kind)] for kind in RECORD_TYPES},
                "history": [dataclasses.asdict(line) for line in store.history()],
                "access_hashes": sorted(store.access_hashes()),
                "settings": settings,
                "access_attempts": attempts,
                "rows": rows,
            }
        )
    finally:
        store.close()


def verdict(url: str) -> audit.Verdict:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return audit.verify(conn)
    finally:
        engine.dispose()


def largest_ids(before: dict) -> dict[str, int]:
    return {kind: max((record["id"] for record in records), default=0) for kind, records in before["records"].items()}


def add_partner(store: Store, site_id: int, name: str, **extra):
    data = {"site_id": site_id, "display_name": name, "role_group": "carer", "joined": "2016-01-04", **extra}
    return store.add("partner", data, WHO)


def sqlite_run(path: Path, statement: str, *parameters) -> None:
    """A change made behind coprod's back, with the sqlite3 module."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(statement, parameters)
    finally:
        conn.close()


# ---- the stores backed up ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source(demo_db_url, tmp_path_factory) -> dict:
    """A copy of the demo programme plus what a store gathers in use: a code reset, non-ASCII text over
    two lines, a deletion, an erasure (history rewritten and resealed), code attempts, the pseudonym key."""
    folder = tmp_path_factory.mktemp("source")
    url = copy_sqlite(demo_db_url, folder / "source.db")
    store = Store.open(url)
    try:
        site = store.sites()[0]
        store.set_access_hash(site.id, access.hash_code(KNOWN_CODE), WHO)
        add_partner(store, site.id, "Zoë Ní Bhriain", organisation="Carers' forum\nsecond line ✓ — ‘quoted’")
        gone = add_partner(store, site.id, "Temporary Entry")
        store.delete("partner", gone.id, WHO)
        add_partner(store, site.id, "Pat Forgettable")
        erase_partner(store, site.name, "Pat Forgettable", "asked by email", WHO)
        throttle.record(store, succeeded=False)
        throttle.record(store, succeeded=True)
        store.secret(PSEUDONYM_KEY_SETTING)
    finally:
        store.close()
    return {"url": url, "folder": folder, "site": site.id, "contents": contents(url)}


@pytest.fixture(scope="module")
def backup_file(source) -> Path:
    engine = engine_for(source["url"])
    try:
        return backup(engine, source["folder"] / "source.coprod-backup").path
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def tampered_backup(source) -> Path:
    """A backup of a store whose history line was rewritten with the sqlite3 module before the backup was
    taken: every checksum in the file is right, only the history's seals tell."""
    path = source["folder"] / "tampered.db"
    url = copy_sqlite(source["url"], path)
    sqlite_run(path, "UPDATE history SET who = ? WHERE id = ?", "someone else entirely", TAMPERED_LINE)
    engine = engine_for(url)
    try:
        return backup(engine, source["folder"] / "tampered.coprod-backup").path
    finally:
        engine.dispose()


@pytest.fixture
def target(store, small_programme) -> str:
    """A SQLite store that already holds records (conftest's small programme)."""
    return store.url


# ---- 1. round trip SQLite -> SQLite --------------------------------------------------------------


def test_round_trip_keeps_every_record_history_line_code_and_setting(source, backup_file, tmp_path):
    """The restored store is the same store: same ids, same seals, same codes; and it keeps working."""
    url = sqlite_url(tmp_path / "restored.db")
    summary = restore(backup_file, url)
    assert not summary.replaced_data and summary.revision == HEAD
    restored = contents(url)
    assert restored == source["contents"]
    assert summary.history_head == read_manifest(backup_file)["history_head"] == verdict(url).head.text()

    largest = largest_ids(restored)
    store = Store.open(url)
    try:
        assert access.site_for_code(store.access_hashes(), KNOWN_CODE) == source["site"]
        added = add_partner(store, source["site"], "After the restore")
        assert added.id > largest["partner"]
        assert store.history()[-1].id > restored["history"][-1]["id"]
    finally:
        store.close()
    checked = verdict(url)
    assert checked.ok and checked.lines == len(restored["history"]) + 1, checked.problem


# ---- 3. refusals ---------------------------------------------------------------------------------


def rewrite_zip(good: Path, bad: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy the backup entry by entry through ``change`` (None leaves an entry out)."""
    with zipfile.ZipFile(good) as original, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = change(info.filename, original.read(info))
            if data is not None:
                out.writestr(info.filename, data)


def flip_a_letter(data: bytes) -> bytes:
    """One byte changed inside a string, so the line is still valid JSON and only the checksum can tell."""
    start = data.index(b'"') + 1
    at = next(i for i in range(start, len(data)) if chr(data[i]).isalpha())
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]


def reseal_manifest(edit: Callable[[dict], None], reseal: bool) -> Callable[[bytes], bytes]:
    """The manifest edited, its checksum recomputed or (as a careless editor would) left as it was."""

    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        edit(manifest)
        if reseal:
            manifest["checksum"] = _manifest_checksum(manifest)
        return json.dumps(manifest).encode()

    return change


def in_zip(entry: str, change: Callable[[bytes], bytes | None]) -> Callable[[Path, Path], None]:
    """A bad file made from the good one by changing one entry (None leaves it out)."""
    return lambda good, bad: rewrite_zip(good, bad, lambda name, data: change(data) if name == entry else data)


def _set(**values) -> Callable[[dict], None]:
    return lambda manifest: manifest.update(values)


def _one_more_partner(manifest: dict) -> None:
    manifest["tables"]["partner"]["rows"] += 1


def _cut_short(good: Path, bad: Path) -> None:
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


MANIFEST, PARTNERS = "manifest.json", "tables/partner.jsonl"

#: (case, how the bad file is made from a good backup, words the one-line refusal must hold)
BAD_FILES = [
    ("missing", lambda good, bad: None, ["no backup file"]),
    ("not a zip", lambda good, bad: bad.write_text("id,name\n1,Rosa\n"), ["not a coprod backup", "zip"]),
    ("cut short", _cut_short, ["not a complete zip"]),
    ("zip without manifest", in_zip(MANIFEST, lambda data: None), ["not a coprod backup", "no manifest.json"]),
    ("damaged table", in_zip(PARTNERS, flip_a_letter), ["damaged", "partner", "checksum"]),
    ("table left out", in_zip(PARTNERS, lambda data: None), ["incomplete", "partner", "missing"]),
    ("manifest not JSON", in_zip(MANIFEST, lambda data: data[: len(data) // 2]), ["manifest"]),
    (
        "edited manifest",
        in_zip(MANIFEST, reseal_manifest(_one_more_partner, reseal=False)),
        ["manifest", "edited", "checksum"],
    ),
    # The checksum is recomputed, so it is the version check that must refuse these.
    (
        "newer coprod",
        in_zip(MANIFEST, reseal_manifest(_set(schema_revision="0099_from_the_future"), reseal=True)),
        ["newer coprod", "0099_from_the_future"],
    ),
    (
        "newer format",
        in_zip(MANIFEST, reseal_manifest(_set(format_version=2), reseal=True)),
        ["format 2", "cannot read"],
    ),
    (
        "something else's manifest",
        in_zip(MANIFEST, reseal_manifest(_set(format="another-tool"), reseal=True)),
        ["not a coprod backup", "something else"],
    ),
]


@pytest.mark.parametrize(("make", "words"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_in_one_line_and_the_target_is_untouched(make, words, backup_file, target, tmp_path):
    """Even with --force: the file is checked whole before the target is touched."""
    bad = tmp_path / "bad.coprod-backup"
    make(backup_file, bad)
    before = contents(target)
    message = one_error_line(coprod("--db", target, "restore", bad, "--force"))
    for word in words:
        assert word in message, message
    assert contents(target) == before


def test_a_directory_is_not_a_backup(target, tmp_path):
    with pytest.raises(BackupProblem, match="no backup file"):
        restore(tmp_path, target, force=True)


def test_a_store_with_records_is_replaced_only_with_force(source, backup_file, target):
    before = contents(target)
    message = one_error_line(coprod("--db", target, "restore", backup_file))
    assert "already holds records" in message and "--force" in message
    assert contents(target) == before

    output = succeeded(coprod("--db", target, "restore", backup_file, "--force"))
    assert "previous records were replaced" in output and "every seal" in output
    assert contents(target) == source["contents"]


# ---- 4. backups of the store coprod 0.1.0 made ---------------------------------------------------


@pytest.fixture(scope="module")
def old_backups(tmp_path_factory) -> dict:
    """The 0.1.0 fixture's backups: the one ``upgrade_store`` writes beside it and one ``backup()`` of an
    un-upgraded copy (both at the baseline), and one of the upgraded store (at the newest revision)."""
    folder = tmp_path_factory.mktemp("old")
    untouched = folder / "untouched.db"
    shutil.copy(FIXTURE, untouched)
    engine = engine_for(sqlite_url(untouched))
    try:
        direct = backup(engine, folder / "direct.coprod-backup").path
    finally:
        engine.dispose()
    upgraded = folder / "store-0.1.0.db"
    shutil.copy(FIXTURE, upgraded)
    result = upgrade_store(sqlite_url(upgraded))
    engine = engine_for(sqlite_url(upgraded))
    try:
        after = backup(engine, folder / "after.coprod-backup").path
    finally:
        engine.dispose()
    return {
        "paths": {
            "upgrade's own backup": result.backup.path,
            "backup of an un-upgraded copy": direct,
            "backup after the upgrade": after,
        },
        "upgraded": contents(sqlite_url(upgraded)),
    }


#: What upgrading a 0.1.0 store adds, row for row (see test_store_0_1_0.py): the history head; the two shared
#: instruments; each self-assessment moved into the answers, with a removal and an insertion in the history.
MOVED = EXPECTED["rows"]["self_assessment"]
UPGRADED_ROWS = {
    **{name: count for name, count in EXPECTED["rows"].items() if name != "self_assessment"},
    "setting": EXPECTED["rows"]["setting"] + 1,
    "question_set": 2,
    "question_response": MOVED,
    "history": EXPECTED["rows"]["history"] + 1 + 2 * MOVED + 1,
    **{table: 0 for table in ("survey", "survey_import", "survey_response")},  # tables 0.1.0 did not have
    **{table: 0 for table in ("transcript", "interview_code", "coding", "code_memo")},
}

OLD_BACKUPS = [
    ("upgrade's own backup", BASELINE),
    ("backup of an un-upgraded copy", BASELINE),
    ("backup after the upgrade", HEAD),
]


def _same_but_when(store_contents: dict) -> dict:
    """A store's contents without what differs between two upgrades of the same store: when the upgrade ran."""
    found = copy.deepcopy(store_contents)
    for line in found["history"][EXPECTED["rows"]["history"] :]:
        for key in ("at", "seal", "prev_seal"):
            line.pop(key, None)
    found["settings"].pop(audit.HEAD_SETTING, None)
    return found


@pytest.mark.parametrize(("which", "revision"), OLD_BACKUPS, ids=[which for which, _ in OLD_BACKUPS])
def test_a_backup_of_the_0_1_0_store_restores_at_the_newest_revision(which, revision, old_backups, tmp_path):
    """A baseline backup is migrated during the restore, to what upgrading the store in place gives."""
    path = old_backups["paths"][which]
    assert read_manifest(path)["schema_revision"] == revision
    url = sqlite_url(tmp_path / "restored.db")
    summary = restore(path, url)
    assert summary.revision == revision
    restored = contents(url)  # Store.open refuses a store not at the newest revision
    assert restored["rows"] == UPGRADED_ROWS
    if revision == HEAD:
        assert restored == old_backups["upgraded"]
    else:  # migrated twice, at two moments: the same records and lines, stamped at different times
        assert _same_but_when(restored) == _same_but_when(old_backups["upgraded"])
    checked = verdict(url)
    assert checked.ok and checked.lines == UPGRADED_ROWS["history"], checked.problem


def test_the_restored_0_1_0_codes_still_open_their_sites(old_backups, tmp_path):
    url = sqlite_url(tmp_path / "restored.db")
    restore(old_backups["paths"]["upgrade's own backup"], url)
    store = Store.open(url)
    try:
        hashes, names = store.access_hashes(), {site.id: site.name for site in store.sites()}
        site_name, code = next(iter(EXPECTED["access_codes"].items()))
        assert names[access.site_for_code(hashes, code)] == site_name
    finally:
        store.close()


# ---- 5. the file, and failures half way ----------------------------------------------------------


def test_the_backup_file_is_readable_by_its_owner_only(source, tmp_path):
    """It names partners; a file it replaces was world-readable, the backup is not."""
    path = tmp_path / "out.coprod-backup"
    path.write_text("an older backup")
    path.chmod(0o644)
    succeeded(coprod("--db", source["url"], "backup", path))
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_manifest(path)["tables"]["partner"]["rows"] == len(source["contents"]["records"]["partner"])


def _empty_database(folder: Path) -> str:
    sqlite3.connect(folder / "empty.db").close()
    return sqlite_url(folder / "empty.db")


def _newer_store(source_url: str, folder: Path) -> str:
    url = copy_sqlite(source_url, folder / "newer.db")
    sqlite_run(folder / "newer.db", "UPDATE alembic_version SET version_num = '0099_from_the_future'")
    return url


def _unreadable_history(source_url: str, folder: Path) -> str:
    """A history value that is not JSON: reading fails with the archive half written."""
    url = copy_sqlite(source_url, folder / "garbled.db")
    sqlite_run(folder / "garbled.db", "UPDATE history SET new = '{not json' WHERE id = 20")
    return url


#: (case, the store that cannot be backed up, words the refusal must hold)
FAILED_BACKUPS = [
    ("empty database", lambda url, folder: _empty_database(folder), ["nothing to back up"]),
    ("newer store", _newer_store, ["newer coprod", "0099_from_the_future"]),
    ("fails half way", _unreadable_history, []),
]


@pytest.mark.parametrize(("make", "words"), [case[1:] for case in FAILED_BACKUPS], ids=[c[0] for c in FAILED_BACKUPS])
def test_a_failed_backup_leaves_no_partial_file_and_the_old_one_intact(make, words, source, tmp_path):
    """Written to a temporary file and renamed only when complete: the backup from last week survives."""
    url = make(source["url"], tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    path = folder / "store.coprod-backup"
    path.write_bytes(b"last week's backup")
    message = one_error_line(coprod("--db", url, "backup", path))
    for word in words:
        assert word in message, message
    assert [entry.name for entry in folder.iterdir()] == [path.name]
    assert path.read_bytes() == b"last week's backup"


def test_a_restore_that_fails_half_way_leaves_the_target_as_it_was(tampered_backup, target):
    """The file is sound but its history was tampered with: found only after loading, and all rolled back."""
    assert read_manifest(tampered_backup)  # every checksum matches: the file is as it was written
    before = contents(target)
    message = one_error_line(coprod("--db", target, "restore", tampered_backup, "--force"))
    assert "history does not verify" in message and f"line {TAMPERED_LINE}" in message, message
    assert "nothing was restored" in message
    assert contents(target) == before
    assert verdict(target).ok


# ---- 6. a store in use ---------------------------------------------------------------------------


def test_backup_works_while_another_connection_reads_and_writes(source, tmp_path):
    """The site app holds transactions open; a backup neither waits for them nor sees uncommitted rows."""
    path = tmp_path / "busy.db"
    url = copy_sqlite(source["url"], path)
    reader = sqlite3.connect(path, isolation_level=None)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM history").fetchone()
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO setting (name, value) VALUES ('uncommitted', 'not in the backup')")
        started = time.monotonic()
        engine = engine_for(url)
        try:
            saved = backup(engine, tmp_path / "busy.coprod-backup")
        finally:
            engine.dispose()
        assert time.monotonic() - started < SQLITE_BUSY_TIMEOUT_MS / 2000, "it waited for the other connections"
    finally:
        writer.rollback()
        reader.rollback()
        writer.close()
        reader.close()
    restored = sqlite_url(tmp_path / "restored.db")
    restore(saved.path, restored)
    assert contents(restored) == source["contents"]


def test_restore_works_while_another_connection_reads_the_target(backup_file, source, target):
    """A reader keeps its snapshot of the old store; the restore does not fail for it."""
    reader = sqlite3.connect(make_url(target).database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        partners = reader.execute("SELECT count(*) FROM partner").fetchone()
        succeeded(coprod("--db", target, "restore", backup_file, "--force"))
        assert reader.execute("SELECT count(*) FROM partner").fetchone() == partners
    finally:
        reader.rollback()
        reader.close()
    assert contents(target) == source["contents"]


# ---- 2. moving house: SQLite -> PostgreSQL -> SQLite ---------------------------------------------


_databases = count(1)


@pytest.fixture
def pg_database(postgres_url) -> str:
    """A new, empty database in the module's cluster."""
    return create_database(postgres_url, f"restored_{next(_databases)}")


@postgres
def test_moving_house_from_sqlite_to_postgresql_and_back(source, pg_database, tmp_path):
    """The documented move: coprod backup FILE, then coprod restore FILE --db postgresql+psycopg://..."""
    moving = tmp_path / "moving.coprod-backup"
    succeeded(coprod("--db", source["url"], "backup", moving))
    output = succeeded(coprod("restore", moving, "--db", pg_database))
    assert "Restored" in output and "every seal" in output
    moved = contents(pg_database)
    assert moved == source["contents"]

    largest = largest_ids(moved)
    store = Store.open(pg_database)
    try:
        assert store.engine.dialect.name == "postgresql"
        assert access.site_for_code(store.access_hashes(), KNOWN_CODE) == source["site"]
        added = add_partner(store, source["site"], "First on the server")  # would clash if sequences were not reset
        assert added.id == largest["partner"] + 1
        programme = store.add("programme", {"name": "Second programme"}, WHO)
        assert programme.id == largest["programme"] + 1
        assert store.history()[-1].id == moved["history"][-1]["id"] + 2
        throttle.record(store, succeeded=False)
    finally:
        store.close()
    output = succeeded(coprod("--db", pg_database, "verify"))
    assert "every seal matches" in output and f"{len(moved['history']) + 2} line(s)" in output

    back_file, back = tmp_path / "back.coprod-backup", sqlite_url(tmp_path / "back.db")
    succeeded(coprod("--db", pg_database, "backup", back_file))
    succeeded(coprod("restore", back_file, "--db", back))
    assert contents(back) == contents(pg_database)
    assert len(contents(back)["access_attempts"]) == len(moved["access_attempts"]) + 1
    succeeded(coprod("--db", back, "verify"))


@postgres
def test_a_baseline_backup_is_migrated_while_restoring_into_postgresql(old_backups, pg_database):
    summary = restore(old_backups["paths"]["upgrade's own backup"], pg_database)
    assert summary.revision == BASELINE
    assert _same_but_when(contents(pg_database)) == _same_but_when(old_backups["upgraded"])
    succeeded(coprod("--db", pg_database, "verify"))


@postgres
def test_a_failed_restore_leaves_postgresql_as_it_was(backup_file, tampered_backup, pg_database):
    restore(backup_file, pg_database)
    before = contents(pg_database)
    message = one_error_line(coprod("restore", tampered_backup, "--db", pg_database, "--force"))
    assert "history does not verify" in message, message
    assert contents(pg_database) == before
    message = one_error_line(coprod("restore", backup_file, "--db", pg_database))
    assert "already holds records" in message
    assert contents(pg_database) == before


# ---- a folder of dated backups (the nightly timer coprod deploy writes) ------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "either FILE or --into"),
        (["{tmp}/x.coprod-backup", "--into", "{tmp}/folder"], "either FILE or --into"),
        (["{tmp}/x.coprod-backup", "--keep", "3"], "--keep is for --into"),
        (["--into", "{tmp}/folder", "--keep", "0"], "--keep must be 1 or more"),
    ],
)
def test_backup_says_where_to_write_in_one_line(store, tmp_path, args, words):
    result = coprod("--db", store.url, "backup", *(arg.replace("{tmp}", str(tmp_path)) for arg in args))
    assert result.exit_code == 1 and words in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "folder").exists() or not any((tmp_path / "folder").iterdir())


def test_dated_backups_keep_the_newest_n(store, small_programme, tmp_path):
    import datetime as dt_module

    from coprod_widgets.backup import backup_into

    nights = [dt_module.datetime(2026, 11, day, 2, 30) for day in range(1, 6)]
    for night in nights:
        summary, let_go = backup_into(store.engine, tmp_path / "nightly", keep=3, now=night)
    assert [path.name for path in sorted((tmp_path / "nightly").iterdir())] == [
        "coprod-2026-11-03-023000.coprod-backup",
        "coprod-2026-11-04-023000.coprod-backup",
        "coprod-2026-11-05-023000.coprod-backup",
    ]
    assert [path.name for path in let_go] == ["coprod-2026-11-02-023000.coprod-backup"]
    assert read_manifest(summary.path)["tables"]["partner"]["rows"] == 5
