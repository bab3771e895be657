"""The store coprod 0.1.0 made (``tests/fixtures/store-0.1.0.db``) still opens with everything in it.

The fixture was written by 0.1.0's own code before any schema change (see ``build_store_0_1_0.py``),
and is never rebuilt. Every test works on a copy: the committed file is never opened for writing.
When migrations arrive (issue 10), the same checks run after ``coprod upgrade``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coprod_widgets import access
from coprod_widgets.schema import metadata
from coprod_widgets.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "store-0.1.0.db"
EXPECTED = json.loads((FIXTURES / "store-0.1.0.json").read_text(encoding="utf-8"))
#: The committed bytes, so that a test (or a person) that changes the fixture is caught.
FIXTURE_SHA256 = "3e9dddf44331746161daaa142edb0ceb2392d876758f4c7c9cd98d555c2f4935"


@pytest.fixture
def old_store(tmp_path) -> Store:
    copy = tmp_path / "store-0.1.0.db"
    shutil.copy(FIXTURE, copy)
    store = Store.open(f"sqlite:///{copy}", create=False)
    yield store
    store.close()


def test_every_table_holds_what_0_1_0_wrote(old_store):
    with old_store.engine.connect() as conn:
        rows = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items() if name in EXPECTED["rows"]}
    assert rows == EXPECTED["rows"]


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


def test_the_fixture_is_untouched():
    digest = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert digest == FIXTURE_SHA256, "tests/fixtures/store-0.1.0.db changed: restore it from git"
