"""The store coprod 0.1.0 made (``tests/fixtures/store-0.1.0.db``) still opens with everything in it.

The fixture was written by 0.1.0's own code before any schema change (see ``build_store_0_1_0.py``),
and is never rebuilt. Every test works on a copy: the committed file is never opened for writing.
Since issue 10 every check runs after ``coprod upgrade`` migrated that copy: nothing may be lost.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, func, select

from coprod_widgets import access, audit
from coprod_widgets.cli import main
from coprod_widgets.restore import restore
from coprod_widgets.schema import metadata
from coprod_widgets.schema_version import StoreOutOfDate
from coprod_widgets.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "store-0.1.0.db"
EXPECTED = json.loads((FIXTURES / "store-0.1.0.json").read_text(encoding="utf-8"))
#: The committed bytes, so that a test (or a person) that changes the fixture is caught.
FIXTURE_SHA256 = "3e9dddf44331746161daaa142edb0ceb2392d876758f4c7c9cd98d555c2f4935"


def _rows(url: str) -> dict[str, list[dict]]:
    """Every row of every table, read without the store (so it works before and after the upgrade)."""
    engine = create_engine(url)
    reflected = MetaData()
    try:
        with engine.connect() as conn:
            reflected.reflect(conn)
            return {
                name: [dict(row._mapping) for row in conn.execute(select(table).order_by(*table.primary_key))]
                for name, table in reflected.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> dict:
    """A copy of the fixture, read whole, then upgraded with  coprod upgrade  and read again."""
    folder = tmp_path_factory.mktemp("upgrade")
    copy = folder / "store-0.1.0.db"
    shutil.copy(FIXTURE, copy)
    url = f"sqlite:///{copy}"
    before = _rows(url)
    result = CliRunner().invoke(main, ["--db", url, "upgrade"])
    assert result.exit_code == 0, result.output
    return {"url": url, "folder": folder, "before": before, "after": _rows(url), "output": result.output}


@pytest.fixture
def old_store(upgraded) -> Store:
    store = Store.open(upgraded["url"])
    yield store
    store.close()


def test_before_the_upgrade_it_is_refused_with_one_line_naming_coprod_upgrade(tmp_path):
    copy = tmp_path / "store-0.1.0.db"
    shutil.copy(FIXTURE, copy)
    before = _rows(f"sqlite:///{copy}")
    with pytest.raises(StoreOutOfDate, match="coprod upgrade"):
        Store.open(f"sqlite:///{copy}")
    assert _rows(f"sqlite:///{copy}") == before, "refusing must change nothing (no table made, no row written)"


#: What the upgrade adds: the history head (0002); the self-assessment instrument, each self-assessment's
#: move as a removal and an insertion in the history (0004); the 4Pi reflection, stored after the migrations.
MOVED = EXPECTED["rows"]["self_assessment"]
ADDED = {
    "setting": 1,
    "question_set": 2,
    "question_response": MOVED,
    "history": 1 + 2 * MOVED + 1,
    "self_assessment": -MOVED,
}


def test_every_table_holds_what_0_1_0_wrote(old_store, upgraded):
    with old_store.engine.connect() as conn:
        rows = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }
    expected = {name: EXPECTED["rows"].get(name, 0) + ADDED.get(name, 0) for name in {*EXPECTED["rows"], *rows}}
    assert rows == {name: count for name, count in expected.items() if name != "self_assessment"}
    assert "self_assessment" not in upgraded["after"]
    print(
        f"\nUpgrade of the 0.1.0 fixture: {sum(EXPECTED['rows'].values())} rows before, {sum(rows.values())} after "
        f"({MOVED} self-assessments moved into answers, with two history lines each)"
    )


#: Columns the upgrade adds to tables 0.1.0 had, all empty after it (0005: sites' access-code lookups).
ADDED_COLUMNS = {"site": {"access_lookup"}}


def test_every_row_is_unchanged_by_the_upgrade(upgraded):
    before, after = upgraded["before"], upgraded["after"]
    for name, rows in before.items():
        if name in ("history", "self_assessment"):
            continue
        added = ADDED_COLUMNS.get(name, set())
        assert all(row[column] is None for row in after[name] for column in added), name
        kept = [{key: value for key, value in row.items() if key not in added} for row in after[name]]
        assert kept[: len(rows)] == rows, name
    sealed = [
        {key: value for key, value in line.items() if key not in ("prev_seal", "seal")} for line in after["history"]
    ]
    assert sealed[: len(before["history"])] == before["history"]
    assert all(line["seal"] and line["prev_seal"] for line in after["history"])


def test_every_self_assessment_is_kept_value_for_value_as_answers(upgraded):
    """Each old row is one set of answers to the shared self-assessment: no value lost, none changed."""
    before, after = upgraded["before"], upgraded["after"]
    (instrument,) = [s for s in after["question_set"] if s["definition"]["form_id"] == "coprod_self_assessment"]
    responses = [r for r in after["question_response"] if r["question_set_id"] == instrument["id"]]
    assert len(responses) == len(before["self_assessment"]) == MOVED
    for old, new in zip(before["self_assessment"], responses, strict=True):
        assert (new["site_id"], new["partner_id"], new["date"]) == (old["site_id"], old["partner_id"], old["date"])
        answers = new["answers"]
        assert answers["respondent_role"] == old["respondent_role"] and answers["wave"] == old["wave"]
        assert int(answers["ladder_step"]) == old["ladder_step"]
        for n in range(1, 9):
            score = answers.get(f"lp{n}")
            assert (None if score is None else int(score)) == old[f"lp{n}"], (old["id"], n)
        assert answers.get("comment", "") == old["comment"]
        assert set(answers) <= {"respondent_role", "wave", "ladder_step", "comment", *(f"lp{n}" for n in range(1, 9))}


def test_each_move_is_in_the_history(upgraded):
    before, after = upgraded["before"], upgraded["after"]
    added = after["history"][len(before["history"]) :]
    moves = [line for line in added if line["who"].startswith("coprod upgrade (self-assessments moved")]
    removed = {line["record_id"]: line["old"] for line in moves if line["action"] == "delete"}
    inserted = [line["new"] for line in moves if line["record_type"] == "question_response"]
    assert set(removed) == {row["id"] for row in before["self_assessment"]}
    assert removed[before["self_assessment"][0]["id"]]["lp1"] == before["self_assessment"][0]["lp1"]
    assert len(inserted) == MOVED and all(line["answers"]["wave"] in (1, 2) for line in inserted)


def test_the_analysis_reads_the_moved_self_assessments(old_store, upgraded):
    from coprod_widgets.evaluation import indicators as ind
    from coprod_widgets.evaluation.data import load_programme

    data = load_programme(old_store)
    frame = data["self_assessment"]
    assert len(frame) == MOVED
    old_means = {}
    for row in upgraded["before"]["self_assessment"]:
        old_means.setdefault(row["site_id"], []).append(row["ladder_step"])
    assert frame.groupby("site_id")["ladder_step"].mean().round(6).to_dict() == {
        site: round(sum(steps) / len(steps), 6) for site, steps in old_means.items()
    }
    assert not ind.staff_lived_gap(data.sites, frame).empty


def test_the_upgrade_took_a_backup_first_that_restores(upgraded, tmp_path):
    (backup,) = upgraded["folder"].glob("store-0.1.0.db.before-upgrade-from-0001_baseline-*.coprod-backup")
    assert backup.stat().st_mode & 0o777 == 0o600
    assert str(backup) in " ".join(upgraded["output"].split())
    restore(backup, f"sqlite:///{tmp_path / 'restored.db'}")
    assert _rows(f"sqlite:///{tmp_path / 'restored.db'}")["partner"] == upgraded["before"]["partner"]


def test_the_upgraded_history_verifies_and_takes_new_lines(old_store):
    lines = EXPECTED["rows"]["history"] + ADDED["history"]
    with old_store.engine.connect() as conn:
        assert audit.verify(conn).lines == lines
    programme = old_store.records("programme")[0]
    old_store.update("programme", programme.id, {"description": "After the upgrade"}, who="test")
    with old_store.engine.connect() as conn:
        verdict = audit.verify(conn)
    assert verdict.ok and verdict.lines == lines + 1


def test_upgrading_again_changes_nothing(upgraded):
    result = CliRunner().invoke(main, ["--db", upgraded["url"], "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_every_access_code_still_opens_its_own_site(old_store, tmp_path):
    hashes = old_store.access_hashes()
    names = {site.id: site.name for site in old_store.sites()}
    for site_name, code in EXPECTED["access_codes"].items():
        assert names[access.site_for_code(hashes, code)] == site_name
    assert access.site_for_code(hashes, "not-a-code-at-all-here") is None
    # As the site app checks them (on a copy: the first use of each old code stores its lookup).
    with sqlite3.connect(old_store.engine.url.database) as source, sqlite3.connect(tmp_path / "copy.db") as copy:
        source.backup(copy)
    store = Store.open(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        assert sorted(store.sites_without_access_lookup()) == sorted(names), "no site has a lookup yet"
        for site_name, code in EXPECTED["access_codes"].items():
            assert names[store.site_for_code(code)] == site_name
        assert store.sites_without_access_lookup() == [] and store.site_for_code("not-a-code-at-all-here") is None
        for site_name, code in EXPECTED["access_codes"].items():
            assert names[store.site_for_code(code)] == site_name, "and again, by its lookup"
    finally:
        store.close()


def test_history_keeps_the_edits_and_the_deletion(old_store):
    partner = next(p for p in old_store.records("partner") if p.display_name == "Zoë Ní Bhriain")
    lines = old_store.history("partner", partner.id)
    assert [line.who for line in lines] == ["site team", "site team"]
    assert partner.organisation == "Carers' forum"
    assert [line.action for line in old_store.history() if line.action == "delete"]


def test_the_fixture_is_untouched():
    digest = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert digest == FIXTURE_SHA256, "tests/fixtures/store-0.1.0.db changed: restore it from git"


def test_the_upgraded_store_takes_question_sets_and_answers(old_store):
    """The tables added since 0.1.0 hold the shared instruments, and a site's own questions work beside them."""
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    form = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | integer | visits | How many visits? |\n")
    site = old_store.sites()[0]
    added = add_form(old_store, form, name="Visits", source="visits.md", site_id=site.id, who="test")
    scope = old_store.for_site(site.id)
    saved = scope.add(
        "question_response", {"question_set_id": added.question_set.id, "date": "2015-09-01", "answers": {"visits": 3}}
    )
    assert [q.name for q in scope.question_sets()] == ["4Pi involvement reflection", "Self-assessment", "Visits"]
    assert old_store.get("question_response", saved.id).answers == {"visits": 3}
    with old_store.engine.connect() as conn:
        assert audit.verify(conn).ok
