"""The ``coprod`` command, run for real in a subprocess, each test with its own temporary store."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from coprod_widgets import access
from coprod_widgets.cli import main
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.store import Store

CODE = r"[a-z]+(?:-[a-z]+){4}"


def run(home: Path, *args: str, db: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``coprod [--db db] args...`` with COPROD_HOME=home and no COPROD_DB_URL inherited."""
    env = {key: value for key, value in os.environ.items() if key not in ("COPROD_DB_URL", "COPROD_DEBUG")}
    env["COPROD_HOME"] = str(home)
    command = [sys.executable, "-m", "coprod_widgets.cli", *(["--db", db] if db else []), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture
def home(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'coprod.db'}"


def _open(db: str) -> Store:
    return Store.open(db)


# ---- help -----------------------------------------------------------------------------------------

COMMANDS = [
    [],
    ["init"],
    ["synth"],
    ["demo"],
    ["site"],
    ["site", "add"],
    ["site", "list"],
    ["site", "reset-code"],
    ["serve"],
    ["export"],
    ["report"],
    ["deploy"],
    ["upgrade"],
    ["backup"],
    ["restore"],
    ["verify"],
    ["history"],
    ["partner"],
    ["partner", "erase"],
    ["questions"],
    ["questions", "add"],
    ["questions", "list"],
    ["import-survey"],
    ["import-transcript"],
    ["interviews"],
    ["interviews", "export-codebook"],
    ["interviews", "import-codebook"],
    ["interviews", "export-project"],
    ["interviews", "export-excerpts"],
    ["interviews", "agreement"],
    ["interviews", "list"],
    ["interviews", "withdraw"],
]


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    found = [list(prefix)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _all_commands(command, (*prefix, name))
        else:
            found.append([*prefix, name])
    return found


def test_help_list_covers_every_command():
    assert sorted(_all_commands(main)) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "coprod")
def test_help(home, command):
    out = ok(run(home, *command, "--help"))
    assert out.startswith("Usage: coprod")
    description = out.split("\n\n")[1].strip()
    assert len(description) > 20, out


# ---- init and demo --------------------------------------------------------------------------------


def test_init_creates_the_store_and_says_where(home, db, tmp_path):
    out = ok(run(home, "init", db=db))
    path = tmp_path / "store" / "coprod.db"
    assert path.exists()
    assert str(path) in out
    assert "already existed" in ok(run(home, "init", db=db))


def test_init_default_store_is_in_the_data_folder(home):
    out = ok(run(home, "init"))
    assert (home / "data" / "coprod.db").exists()
    assert str(home / "data" / "coprod.db") in out


def _codes(out: str) -> dict[str, str]:
    return dict(re.findall(rf"^  (\S.*?)\s+({CODE})$", out, flags=re.MULTILINE))


def test_demo_refuses_a_full_store_unless_forced(home, db):
    first = ok(run(home, "demo", db=db))
    assert "fictional" in first
    codes = _codes(first)
    store = _open(db)
    try:
        sites = {site.name: site.id for site in store.sites()}
        assert set(codes) == set(sites)
        hashes = store.access_hashes()
        for name, code in codes.items():
            assert access.site_for_code(hashes, code) == sites[name]
    finally:
        store.close()
    assert not (home / "data" / "demo-access-codes.txt").exists(), "codes are written only for the default store"

    again = run(home, "demo", db=db)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr

    left_alone = ok(run(home, "demo", "--if-empty", db=db))
    assert "leaving it as it is" in left_alone and not _codes(left_alone)

    forced = ok(run(home, "demo", "--force", db=db))
    assert "Deleting everything" in forced
    new_codes = _codes(forced)
    assert set(new_codes) == set(codes) and not set(new_codes.values()) & set(codes.values())
    store = _open(db)
    try:
        assert len(store.records("programme")) == 1
        hashes = store.access_hashes()
        assert all(access.site_for_code(hashes, code) is None for code in codes.values()), "old codes must not work"
        assert store.history()[0].who == "coprod demo", "history starts again after --force"
    finally:
        store.close()


def test_demo_on_default_store_writes_codes_file(home):
    out = ok(run(home, "demo"))
    codes_file = home / "data" / "demo-access-codes.txt"
    assert str(codes_file) in out
    listed = dict(line.split(": ") for line in codes_file.read_text().splitlines() if not line.startswith("#"))
    assert listed == _codes(out)
    assert codes_file.stat().st_mode & 0o077 == 0


# ---- sites ----------------------------------------------------------------------------------------


def _add(home, db, name="North Herts", *extra):
    return run(home, "site", "add", name, "--issue", "Diabetes foot care", "--start", "2015-06-01", *extra, db=db)


def test_site_add_prints_a_working_code_and_stores_only_its_hash(home, db, tmp_path):
    out = ok(_add(home, db))
    ((name, code),) = re.findall(rf"^Access code for (.+): ({CODE})$", out, flags=re.MULTILINE)
    assert name == "North Herts"
    assert "will not be shown again" in out
    store = _open(db)
    try:
        site = store.site_named("North Herts")
        assert site.service_issue == "Diabetes foot care" and site.start_date.isoformat() == "2015-06-01"
        assert [p.name for p in store.records("programme")] == ["Programme"]
        assert access.site_for_code(store.access_hashes(), code) == site.id
        assert store.site_for_code(code) == site.id and store.sites_without_access_lookup() == []
    finally:
        store.close()
    stored = b"".join(path.read_bytes() for path in (tmp_path / "store").iterdir())
    assert stored, "the store files should exist"
    assert code.encode() not in stored
    assert access.normalise(code).replace("-", "").encode() not in stored


def test_site_add_into_a_named_programme(home, db):
    ok(_add(home, db, "North", "--programme", "East of England"))
    ok(_add(home, db, "South"))  # the only programme is used
    store = _open(db)
    try:
        (programme,) = store.records("programme")
        assert programme.name == "East of England"
        assert {site.programme_id for site in store.sites()} == {programme.id}
    finally:
        store.close()


def test_site_list_shows_names_and_no_hash(home, db):
    ok(_add(home, db, "North Herts"))
    ok(_add(home, db, "South Essex"))
    out = ok(run(home, "site", "list", db=db))
    assert "North Herts" in out and "South Essex" in out and "Diabetes foot care" in out
    assert "scrypt" not in out and "$" not in out
    store = _open(db)
    try:
        assert all(code_hash not in out for _site, code_hash in store.access_hashes())
    finally:
        store.close()


def test_site_list_when_empty(home, db):
    assert "No sites yet" in ok(run(home, "site", "list", db=db))


def test_reset_code_replaces_the_old_code(home, db):
    old = re.search(rf"Access code for .+: ({CODE})", ok(_add(home, db))).group(1)
    out = ok(run(home, "site", "reset-code", "north herts", db=db))
    new = re.search(rf"Access code for North Herts: ({CODE})", out).group(1)
    store = _open(db)
    try:
        site_id = store.site_named("North Herts").id
        assert access.site_for_code(store.access_hashes(), new) == site_id
        assert access.site_for_code(store.access_hashes(), old) is None
        assert store.site_for_code(new) == site_id and store.site_for_code(old) is None
    finally:
        store.close()


def test_reset_code_old_check_gives_every_old_site_a_new_code_in_a_private_file(home, db, tmp_path):
    kept = re.search(rf"Access code for .+: ({CODE})", ok(_add(home, db, "North Herts"))).group(1)
    for name in ("South Essex", "West Kent"):
        ok(_add(home, db, name))
    old = {name: access.new_code() for name in ("South Essex", "West Kent")}
    store = _open(db)
    try:
        for name, code in old.items():
            store.set_access_hash(store.site_named(name).id, access.hash_code(code), who="coprod 0.1")
        lines_before = len(store.history("site"))
    finally:
        store.close()
    out = ok(run(home, "site", "reset-code", "--old-check", db=db))
    assert "New access codes set for 2 sites that still used the old check" in out
    codes_file = tmp_path / "store" / "coprod.db-new-access-codes.txt"
    assert str(codes_file) in out and not re.search(CODE, out), "the codes go to the file, not the screen"
    assert codes_file.stat().st_mode & 0o777 == 0o600
    new = dict(re.findall(rf"^(.+): ({CODE})$", codes_file.read_text(), flags=re.M))
    assert sorted(new) == ["South Essex", "West Kent"]
    store = _open(db)
    try:
        assert store.sites_without_access_lookup() == []
        for name, code in new.items():
            site_id = store.site_named(name).id
            assert store.site_for_code(code) == site_id and store.site_for_code(old[name]) is None
        assert store.site_for_code(kept) == store.site_named("North Herts").id, (
            "a site on the fast check keeps its code"
        )
        assert len(store.history("site")) == lines_before + 2, "one line of history per new code"
    finally:
        store.close()
    assert "nothing to do" in ok(run(home, "site", "reset-code", "--old-check", db=db))


def test_reset_code_makes_a_site_from_before_lookups_fast_and_the_list_says_which_are_not(home, db):
    ok(_add(home, db, "North Herts"))
    ok(_add(home, db, "South Essex"))
    old = access.new_code()
    store = _open(db)
    try:
        site_id = store.site_named("South Essex").id
        store.set_access_hash(site_id, access.hash_code(old), who="coprod 0.1")  # the hash only, as 0.1 left it
    finally:
        store.close()
    listed = ok(run(home, "site", "list", db=db))
    assert re.search(r"South Essex .* set \(old check\)", listed) and "North Herts" in listed
    assert "1 site still uses the old, slower code check" in listed and "coprod site reset-code" in listed
    out = ok(run(home, "site", "reset-code", "South Essex", db=db))
    new = re.search(rf"Access code for South Essex: ({CODE})", out).group(1)
    listed = ok(run(home, "site", "list", db=db))
    assert "old check" not in listed and "slower" not in listed
    store = _open(db)
    try:
        assert store.sites_without_access_lookup() == []
        assert store.site_for_code(new) == site_id and store.site_for_code(old) is None
    finally:
        store.close()


# ---- export ---------------------------------------------------------------------------------------


def test_export_writes_one_csv_per_record_type(home, db, tmp_path):
    from coprod_widgets.exports.counts import COUNT_TABLES
    from coprod_widgets.exports.surveys import SURVEY_ANSWERS, SURVEY_COUNTS

    ok(run(home, "demo", db=db))
    out_dir = tmp_path / "export" / "nested"
    ok(run(home, "export", "--out", str(out_dir), db=db))
    derived = ["answers", SURVEY_ANSWERS, *COUNT_TABLES, SURVEY_COUNTS, "data_dictionary"]
    expected = [f"{name}.csv" for name in [*RECORD_TYPES, *derived]] + ["README.txt"]
    assert sorted(path.name for path in out_dir.iterdir()) == sorted(expected)
    store = _open(db)
    try:
        for kind in RECORD_TYPES:
            with (out_dir / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            assert len(rows) == len(store.records(kind)), kind
            assert len(rows) > 0, f"the demo should have {kind} records"
        hashes = [code_hash for _site, code_hash in store.access_hashes()]
    finally:
        store.close()
    exported = "".join(path.read_text(encoding="utf-8") for path in out_dir.iterdir())
    assert "access_code" not in exported and "scrypt$" not in exported
    assert not any(code_hash in exported for code_hash in hashes)


# ---- bad input: one plain line on stderr, no traceback, non-zero exit ------------------------------

BAD_INPUTS = [
    # (id, setup commands, the command, words expected in the message)
    ("bad date", [], ["site", "add", "North", "--issue", "x", "--start", "2015-13-45"], "31/03/2015"),
    ("date not a date", [], ["site", "add", "North", "--issue", "x", "--start", "next week"], "Start date"),
    ("empty name", [], ["site", "add", "  ", "--issue", "x", "--start", "2015-01-01"], "Site name"),
    ("empty issue", [], ["site", "add", "North", "--issue", "", "--start", "2015-01-01"], "Service issue"),
    (
        "duplicate site",
        [["site", "add", "North", "--issue", "x", "--start", "2015-01-01"]],
        ["site", "add", "North", "--issue", "y", "--start", "2015-01-01"],
        "already exists",
    ),
    (
        "unknown programme",
        [["site", "add", "North", "--issue", "x", "--start", "2015-01-01", "--programme", "A"]],
        ["site", "add", "South", "--issue", "x", "--start", "2015-01-01", "--programme", "B"],
        "no programme called 'B'",
    ),
    ("unknown site for reset-code", [], ["site", "reset-code", "Nowhere"], "no site called 'Nowhere'"),
    ("reset-code with no site", [], ["site", "reset-code"], "Name one site, or give --old-check"),
    ("reset-code of a site and --old-check", [], ["site", "reset-code", "North", "--old-check"], "(not both)"),
    ("--codes without --old-check", [], ["site", "reset-code", "North", "--codes", "x.txt"], "goes with --old-check"),
    ("token without evaluator", [], ["serve", "--token", "abc"], "add --evaluator"),
    (
        "export to a file",
        [],
        ["export", "--out", "{file}"],
        "is a file",
    ),
    ("unknown database dialect", [], ["--db", "nosuchdialect://x", "init"], "Could not open the database"),
    ("unparseable database URL", [], ["--db", "not a url", "site", "list"], "Could not open the database"),
    ("missing database driver", [], ["--db", "postgresql://u:secret@localhost/x", "init"], "Could not open"),
]


@pytest.mark.parametrize(("setup", "command", "expected"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_gives_one_plain_line(home, db, tmp_path, setup, command, expected):
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder")
    for step in setup:
        ok(run(home, *step, db=db))
    result = run(home, *[part.format(file=a_file) for part in command], db=db)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "secret" not in result.stderr, "passwords in database URLs must not be printed"


def test_refused_site_leaves_nothing_behind(home, db):
    run(home, "site", "add", "North", "--issue", "x", "--start", "not a date", db=db)
    store = _open(db)
    try:
        assert store.records("programme") == [] and store.sites() == [] and store.history() == []
    finally:
        store.close()


def test_demo_if_empty_builds_an_empty_store(home, db):
    assert len(_codes(ok(run(home, "demo", "--if-empty", db=db)))) == 6


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "{url}", "site", "list"],
        ["site", "list", "--db", "{url}"],
        ["site", "--db={url}", "list"],
        ["history", "--db", "{url}", "--site", "North"],
    ],
    ids=["before", "after", "between, with =", "among the command's own options"],
)
def test_db_is_taken_before_or_after_the_command(store, small_programme, args):
    """The README says every command takes --db: it does, wherever it is written."""
    result = CliRunner().invoke(main, [arg.replace("{url}", store.url) for arg in args])
    assert result.exit_code == 0, result.output
    assert "North" in result.output


def test_restore_keeps_its_own_db_option(store, small_programme, tmp_path):
    """``coprod restore FILE --db URL`` restores into URL: that --db is restore's own, not the store's."""
    backup_file = tmp_path / "b.coprod-backup"
    assert CliRunner().invoke(main, ["--db", store.url, "backup", str(backup_file)]).exit_code == 0
    target = f"sqlite:///{tmp_path / 'target.db'}"
    result = CliRunner().invoke(main, ["restore", str(backup_file), "--db", target])
    assert result.exit_code == 0, result.output
    assert "target.db" in result.output
