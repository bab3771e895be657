"""The store on a real PostgreSQL server: the same behaviours as on SQLite, run by the same test code.

One throwaway cluster serves the module (tests/postgres.py). Here the ``store`` fixture is a PostgreSQL
store whose tables are made anew for each test; pytest gives this override to conftest's ``small_programme``
too, so the fixture data is built by the same code as on SQLite. The store tests of test_store.py and test_records.py,
and the demo tests of test_demo.py, are collected again below and so run against PostgreSQL; the tests
after them cover what those do not (references kept in JSON lists, the demo's counts against SQLite's).

Without PostgreSQL's server programs these tests fail, saying to run tools/ensure-postgres: never skipped.
"""

from __future__ import annotations

import inspect

import pytest

from coprod_widgets.demo import build_demo
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.store import Store
from tests import test_demo, test_records, test_store
from tests.postgres import create_database, empty_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(postgres_url) -> Store:
    """A PostgreSQL store on an emptied database: its tables made anew (overrides conftest's SQLite store)."""
    empty_database(postgres_url)
    opened = Store.open(postgres_url)
    assert opened.engine.dialect.name == "postgresql" and opened.is_empty()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def demo(postgres_url) -> test_demo.Demo:
    """The demo programme built on PostgreSQL, in a database of its own that the per-test resets leave alone."""
    url = create_database(postgres_url, "demo")
    opened = Store.open(url)
    codes = build_demo(opened)
    yield test_demo.Demo(opened, codes)
    opened.close()


# ---- the SQLite tests, run here on PostgreSQL ----------------------------------------------------

REUSED = {
    test_store: [
        "test_round_trip_survives_reopening",
        "test_history_keeps_insert_update_and_delete",
        "test_every_insert_in_the_fixture_has_a_history_line",
        "test_history_table_is_append_only_in_use",
        "test_invalid_update_changes_nothing",
        "test_add_many_is_all_or_nothing",
        "test_a_partner_in_use_cannot_be_deleted",
        "test_problem_framing_versions_count_up_per_site",
        "test_a_site_scope_sees_and_changes_only_its_own_site",
        "test_frames_have_one_column_per_field_and_labels_on_request",
        "test_access_code_hash_is_stored_but_never_read_back",
    ],
    test_records: [
        "test_valid_record_is_saved_as_given",  # every case in tests/cases/valid_records.yaml
        "test_invalid_record_names_the_field_and_saves_nothing",  # every case in invalid_records.yaml
    ],
    test_demo: [name for name in dir(test_demo) if name.startswith("test_")],
}
#: Tests of a store that are about SQLite itself, and so are not run here.
SQLITE_ONLY = {
    "test_sqlite_store_uses_wal_and_a_busy_timeout": "SQLite PRAGMAs",
    "test_default_store_is_created_under_data": "the default store is a SQLite file under data/",
    "test_two_connections_can_write_one_after_another": "SQLite's file lock and busy timeout",
}
STORE_FIXTURES = {"store", "small_programme", "demo"}

for _module, _names in REUSED.items():
    for _name in _names:
        globals()[_name] = getattr(_module, _name)  # collected by pytest as a test of this module


def test_every_store_test_runs_here_or_is_about_sqlite():
    """A new test of the store in those modules must be added to REUSED or, with a reason, to SQLITE_ONLY."""
    for module in REUSED:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and STORE_FIXTURES & set(inspect.signature(function).parameters):
                assert name in REUSED[module] or name in SQLITE_ONLY, f"{module.__name__}.{name}"


# ---- what the SQLite tests do not cover ----------------------------------------------------------


def test_store_is_postgresql_and_the_fixture_is_the_same(store, small_programme):
    assert store.engine.dialect.name == "postgresql"
    assert {p.display_name for p in store.records("partner")} == {"Rosa", "Dev", "Lee", "Sam", "Kit"}
    assert [f.partner_ids for f in store.records("problem_framing")] == [[small_programme["partner_staff"]]]


def test_a_partner_named_only_in_a_json_list_cannot_be_deleted(store, small_programme):
    """Partners named in partner_ids or facilitator_ids (JSON lists, no foreign key) still count as in use."""
    site = small_programme["site"]
    kim = store.add(
        "partner", {"site_id": site, "display_name": "Kim", "role_group": "carer", "joined": "2015-03-01"}, "x"
    )
    framing = store.add(
        "problem_framing", {"site_id": site, "statement": "Revised", "date": "2015-05-01", "partner_ids": [kim.id]}, "x"
    )
    activity = store.add(
        "activity",
        {
            "site_id": site,
            "date": "2015-05-02",
            "title": "Walk-through",
            "stage": "design",
            "ladder_step": 4,
            "facilitator_ids": [small_programme["partner_staff"], kim.id],
        },
        "x",
    )
    with pytest.raises(RecordInvalid) as refused:
        store.delete("partner", kim.id, who="x")
    message = str(refused.value)
    assert "1 problem framing" in message and "1 activity" in message and "mark the partner as left" in message
    store.update("problem_framing", framing.id, {"partner_ids": [small_programme["partner_staff"]]}, "x")
    store.update("activity", activity.id, {"facilitator_ids": [small_programme["partner_staff"]]}, "x")
    store.delete("partner", kim.id, who="x")
    assert store.get("partner", kim.id) is None
    assert [c.action for c in store.history("partner", kim.id)] == ["insert", "delete"]


def test_the_demo_matches_the_sqlite_build(demo, demo_db_url):
    """Same records of every kind, same history length, same access-code count as the SQLite demo."""
    sqlite = Store.open(demo_db_url, create=False)
    try:
        for kind in RECORD_TYPES:
            assert len(demo.store.records(kind)) == len(sqlite.records(kind)), kind
        assert len(demo.store.history()) == len(sqlite.history())
        assert len(demo.store.access_hashes()) == len(sqlite.access_hashes()) == 6
        assert [s.name for s in demo.store.sites()] == [s.name for s in sqlite.sites()]
    finally:
        sqlite.close()


def test_a_record_number_too_big_for_postgresql_is_simply_not_found(store, small_programme):
    """PostgreSQL's integers hold 32 bits (SQLite's 64): a bigger number names no record, as on SQLite."""
    huge = 2**40
    assert store.get("partner", huge) is None
    with pytest.raises(RecordInvalid) as refused:
        store.update("partner", huge, {"display_name": "X"}, who="x")
    assert "There is no partner number" in str(refused.value)
    with pytest.raises(RecordInvalid) as refused:
        store.add(
            "problem_framing",
            {"site_id": small_programme["site"], "statement": "S", "date": "2015-05-01", "partner_ids": [huge]},
            who="x",
        )
    assert refused.value.for_field("partner_ids")


def test_a_long_name_for_who_made_a_change_is_kept(store, small_programme):
    """history.who is unbounded text, as on SQLite; PostgreSQL refused a VARCHAR(200) overflow."""
    who = "Rosa, on behalf of the patients' forum steering group " * 5
    store.update("partner", small_programme["partner_lived"], {"organisation": "Forum"}, who=who)
    assert store.history("partner", small_programme["partner_lived"])[-1].who == who.strip()
