"""The history's seals: a change made behind coprod's back is found and named; coprod's own changes verify.

Tampering is done as someone with the ``sqlite3`` shell would: straight SQL on the file, no coprod code.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from coprod_widgets import audit
from coprod_widgets.cli import main
from coprod_widgets.store import Store


@pytest.fixture
def sealed(tmp_path, small_programme) -> tuple[str, str]:
    """A store with a few dozen history lines (small_programme) and its file path."""
    path = tmp_path / "test.db"
    return f"sqlite:///{path}", str(path)


def verdict_of(url: str) -> audit.Verdict:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            return audit.verify(conn)
    finally:
        store.close()


def _forge_line_after(raw: sqlite3.Connection, line_id: int, new_id: int) -> None:
    """Add a line with a correct seal chained to ``line_id``: what a tamperer who knows the algorithm writes."""
    prev = raw.execute("SELECT seal FROM history WHERE id = ?", (line_id,)).fetchone()[0]
    store_line = {
        "at": dt.datetime(2015, 5, 1),
        "who": "nobody",
        "action": "update",
        "record_type": "site",
        "record_id": 1,
        "site_id": 1,
        "old": None,
        "new": {"name": "x"},
    }
    raw.execute(
        "INSERT INTO history (id, at, who, action, record_type, record_id, site_id, old, new, prev_seal, seal) "
        "VALUES (?, '2015-05-01 00:00:00.000000', 'nobody', 'update', 'site', 1, 1, NULL, '{\"name\": \"x\"}', ?, ?)",
        (new_id, prev, audit.seal(prev, store_line)),
    )


def _shift_up_from(raw: sqlite3.Connection, line_id: int) -> None:
    for (each,) in raw.execute("SELECT id FROM history WHERE id >= ? ORDER BY id DESC", (line_id,)).fetchall():
        raw.execute("UPDATE history SET id = id + 1 WHERE id = ?", (each,))


# (what was done, SQL or a function of the raw connection, words the verdict must contain, the line it names)
TAMPERING = [
    ("who changed", "UPDATE history SET who = 'someone else' WHERE id = 5", "line 5 was changed", 5),
    (
        "value changed",
        "UPDATE history SET new = json_set(new, '$.display_name', 'Ros') WHERE id = 4",
        "line 4 was changed",
        4,
    ),
    ("time changed", "UPDATE history SET at = '2001-01-01 00:00:00.000000' WHERE id = 3", "line 3 was changed", 3),
    ("seal blanked", "UPDATE history SET seal = '' WHERE id = 6", "line 6 has no seal", 6),
    ("middle removed", "DELETE FROM history WHERE id = 5", "removed", 6),
    ("first removed", "DELETE FROM history WHERE id = 1", "removed before line 2", 2),
    (
        "last removed",
        "DELETE FROM history WHERE id = (SELECT MAX(id) FROM history)",
        "last 1 history line(s) were removed",
        None,
    ),
    ("head removed", "DELETE FROM setting WHERE name = 'history_head'", "missing", None),
    (
        "forged line added at the end",
        lambda raw: _forge_line_after(raw, _last(raw), _last(raw) + 1),
        "was added behind coprod's back",
        "last+1",
    ),
    (
        "forged line slipped in",
        lambda raw: (_shift_up_from(raw, 5), _forge_line_after(raw, 4, 5)),
        "line 5 was inserted",
        5,
    ),
    (
        "unsealed line added",
        "INSERT INTO history (at, who, action, record_type, record_id, prev_seal, seal) "
        "VALUES ('2015-05-01 00:00:00', 'x', 'insert', 'site', 1, '', '')",
        "has no seal",
        "last+1",
    ),
]


def _last(raw: sqlite3.Connection) -> int:
    return raw.execute("SELECT MAX(id) FROM history").fetchone()[0]


@pytest.mark.parametrize(("change", "words", "line"), [case[1:] for case in TAMPERING], ids=[c[0] for c in TAMPERING])
def test_tampering_is_found_and_the_first_bad_line_named(sealed, change, words, line):
    url, path = sealed
    assert verdict_of(url).ok
    with sqlite3.connect(path) as raw:
        last = _last(raw)
        change(raw) if callable(change) else raw.execute(change)
    verdict = verdict_of(url)
    assert not verdict.ok
    assert words in verdict.problem
    if line == "last+1":
        line = last + 1
    if line is not None:
        assert verdict.first_bad_id == line and f"line {line}" in verdict.problem


def test_coprod_verify_says_what_was_tampered_with_and_fails(sealed):
    url, path = sealed
    ok = CliRunner().invoke(main, ["--db", url, "verify"])
    assert ok.exit_code == 0, ok.output
    assert "every seal matches" in ok.output and "integrity check: ok" in ok.output
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE history SET who = 'someone else' WHERE id = 2")
    result = CliRunner().invoke(main, ["--db", url, "verify"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: The history was tampered with: history line 2 was changed after it was written: its seal no "
        "longer matches what it says."
    )


def test_the_head_it_prints_changes_with_every_save(store, small_programme):
    with store.engine.connect() as conn:
        before = audit.verify(conn).head
    store.update("site", small_programme["site"], {"service_issue": "Foot care and more"}, who="test")
    with store.engine.connect() as conn:
        after = audit.verify(conn)
    assert after.ok and after.lines == before.lines + 1 and after.head.seal != before.seal


def test_a_failed_save_leaves_no_line_and_the_chain_intact(store, small_programme):
    from coprod_widgets.problems import RecordInvalid

    lines = len(store.history())
    with pytest.raises(RecordInvalid):
        store.add_many(
            [
                (
                    "partner",
                    {
                        "site_id": small_programme["site"],
                        "display_name": "Ok",
                        "role_group": "carer",
                        "joined": "2015-03-01",
                    },
                ),
                ("partner", {"site_id": small_programme["site"], "display_name": ""}),
            ],
            who="test",
        )
    assert len(store.history()) == lines
    with store.engine.connect() as conn:
        assert audit.verify(conn).ok


# ---- coprod history ------------------------------------------------------------------------------------


def test_history_lists_changes_oldest_first_with_what_changed(store, small_programme):
    url = store.url
    store.update("partner", small_programme["partner_lived"], {"organisation": "Carers' group"}, who="a site team")
    record = f"partner:{small_programme['partner_lived']}"
    result = CliRunner().invoke(main, ["--db", url, "history", "--record", record])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "test fixture  added partner" in lines[0] and "at North" in lines[0]
    assert "a site team  changed partner" in lines[1] and 'organisation: (empty) -> "Carers\' group"' in lines[1]
    assert lines[-1] == "2 change(s)."


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--site", "south"], lambda line: "at South" in line),
        (["--since", "01/01/2000"], lambda line: True),
        (["--since", "2999-01-01"], None),
    ],
    ids=["one site", "since a day-first date", "since the future"],
)
def test_history_filters(store, small_programme, options, expected):
    result = CliRunner().invoke(main, ["--db", store.url, "history", *options])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    if expected is None:
        assert lines == ["0 change(s)."]
    else:
        assert len(lines) > 1 and all(expected(line) for line in lines[:-1])


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--record", "partner"], "TYPE:NUMBER"),
        (["--record", "person:3"], "TYPE:NUMBER"),
        (["--since", "last week"], "--since must be a date"),
        (["--site", "Nowhere"], "no site called 'Nowhere'"),
    ],
)
def test_history_explains_bad_options_in_one_line(store, small_programme, options, words):
    result = CliRunner().invoke(main, ["--db", store.url, "history", *options])
    assert result.exit_code == 1 and words in result.output and len(result.output.strip().splitlines()) == 1
