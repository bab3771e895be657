"""The store coprod 0.1.0 made (``tests/fixtures/store-0.1.0.db``) still opens with everything in it.

The fixture was written by 0.1.0's own code before any schema change (see ``build_store_0_1_0.py``),
and is never rebuilt. Every test works on a copy: the committed file is never opened for writing.
Since issue 10 every check runs after ``coprod upgrade`` migrated that copy: nothing may be lost.
"""

from __future__ import annotations

import hashlib
import json
import shutil
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


def test_every_table_holds_what_0_1_0_wrote(old_store, upgraded):
    with old_store.engine.connect() as conn:
        rows = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
            if name in EXPECTED["rows"]
        }
    assert rows == {**EXPECTED["rows"], "setting": EXPECTED["rows"]["setting"] + 1}  # + the history head
    print(
        f"\nUpgrade of the 0.1.0 fixture: {sum(EXPECTED['rows'].values())} rows before, "
        f"{sum(rows.values())} after (the one more is the history head)"
    )


def test_every_row_is_unchanged_by_the_upgrade(upgraded):
    before, after = upgraded["before"], upgraded["after"]
    for name, rows in before.items():
        if name == "history":
            continue
        assert after[name][: len(rows)] == rows, name
    sealed = [
        {key: value for key, value in line.items() if key not in ("prev_seal", "seal")} for line in after["history"]
    ]
    assert sealed == before["history"]
    assert all(line["seal"] and line["prev_seal"] for line in after["history"])


def test_the_upgrade_took_a_backup_first_that_restores(upgraded, tmp_path):
    (backup,) = upgraded["folder"].glob("store-0.1.0.db.before-upgrade-from-0001_baseline-*.coprod-backup")
    assert backup.stat().st_mode & 0o777 == 0o600
    assert str(backup) in " ".join(upgraded["output"].split())
    restore(backup, f"sqlite:///{tmp_path / 'restored.db'}")
    assert _rows(f"sqlite:///{tmp_path / 'restored.db'}")["partner"] == upgraded["before"]["partner"]


def test_the_upgraded_history_verifies_and_takes_new_lines(old_store):
    with old_store.engine.connect() as conn:
        assert audit.verify(conn).lines == EXPECTED["rows"]["history"]
    programme = old_store.records("programme")[0]
    old_store.update("programme", programme.id, {"description": "After the upgrade"}, who="test")
    with old_store.engine.connect() as conn:
        verdict = audit.verify(conn)
    assert verdict.ok and verdict.lines == EXPECTED["rows"]["history"] + 1


def test_upgrading_again_changes_nothing(upgraded):
    result = CliRunner().invoke(main, ["--db", upgraded["url"], "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_every_access_code_still_opens_its_own_site(old_store):
    hashes = old_store.access_hashes()
    names = {site.id: site.name for site in old_store.sites()}
    for site_name, code in EXPECTED["access_codes"].items():
        assert names[access.site_for_code(hashes, code)] == site_name
    assert access.site_for_code(hashes, "not-a-code-at-all-here") is None


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
    """The tables added since 0.1.0 arrive empty, and work beside the old records."""
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    form = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | integer | visits | How many visits? |\n")
    site = old_store.sites()[0]
    added = add_form(old_store, form, name="Visits", source="visits.md", site_id=site.id, who="test")
    scope = old_store.for_site(site.id)
    saved = scope.add(
        "question_response", {"question_set_id": added.question_set.id, "date": "2015-09-01", "answers": {"visits": 3}}
    )
    assert [q.name for q in scope.question_sets()] == ["Visits"]
    assert old_store.get("question_response", saved.id).answers == {"visits": 3}
    with old_store.engine.connect() as conn:
        assert audit.verify(conn).ok
