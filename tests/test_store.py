"""The store: round trips, one transaction per save, history for every change, site isolation."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest
from sqlalchemy import text

from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.store import Store


def test_sqlite_store_uses_wal_and_a_busy_timeout(store):
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_default_store_is_created_under_data(tmp_path, monkeypatch):
    monkeypatch.delenv("COPROD_DB_URL", raising=False)
    monkeypatch.setenv("COPROD_HOME", str(tmp_path))
    opened = Store.open()
    assert (tmp_path / "data" / "coprod.db").exists()
    assert opened.is_empty()
    opened.close()


def test_round_trip_survives_reopening(tmp_path, small_programme, store):
    again = Store.open(store.engine.url.render_as_string(hide_password=False))
    for kind in RECORD_TYPES:
        assert again.records(kind) == store.records(kind)
    again.close()


def test_history_keeps_insert_update_and_delete(store, small_programme):
    site = small_programme["site"]
    idea = store.add(
        "starting_idea",
        {
            "site_id": site,
            "idea": "A new app",
            "partner_id": small_programme["partner_staff"],
            "fate": "still_contested",
        },
        who="Dev",
    )
    store.update("starting_idea", idea.id, {"fate": "set_aside"}, who="Rosa")
    store.delete("starting_idea", idea.id, who="Evaluator")
    lines = store.history("starting_idea", idea.id)
    assert [(c.action, c.who) for c in lines] == [("insert", "Dev"), ("update", "Rosa"), ("delete", "Evaluator")]
    assert lines[0].old is None and lines[0].new["fate"] == "still_contested"
    assert lines[1].old["fate"] == "still_contested" and lines[1].new["fate"] == "set_aside"
    assert lines[2].old["fate"] == "set_aside" and lines[2].new is None
    assert all(c.site_id == site for c in lines)
    assert store.get("starting_idea", idea.id) is None


def test_every_insert_in_the_fixture_has_a_history_line(store, small_programme):
    inserted = {(c.record_type, c.record_id) for c in store.history() if c.action == "insert"}
    for kind in RECORD_TYPES:
        for record in store.records(kind):
            assert (kind, record.id) in inserted


def test_history_table_is_append_only_in_use(store, small_programme):
    before = store.history()
    store.update("partner", small_programme["partner_lived"], {"organisation": "Patients' forum"}, who="Rosa")
    after = store.history()
    assert after[: len(before)] == before and len(after) == len(before) + 1


def test_invalid_update_changes_nothing(store, small_programme):
    partner_id = small_programme["partner_lived"]
    before = store.get("partner", partner_id)
    with pytest.raises(RecordInvalid) as refused:
        store.update("partner", partner_id, {"left": "2014-01-01", "display_name": "Rosa B"}, who="x")
    assert refused.value.for_field("left")
    assert store.get("partner", partner_id) == before
    assert len(store.history("partner", partner_id)) == 1


def test_add_many_is_all_or_nothing(store, small_programme):
    site = small_programme["site"]
    good = {"site_id": site, "display_name": "Kim", "role_group": "carer", "joined": "2015-03-01"}
    bad = {"site_id": site, "display_name": "", "role_group": "carer", "joined": "2015-03-01"}
    count = len(store.records("partner"))
    with pytest.raises(RecordInvalid):
        store.add_many([("partner", good), ("partner", bad)], who="x")
    assert len(store.records("partner")) == count


def test_a_partner_in_use_cannot_be_deleted(store, small_programme):
    with pytest.raises(RecordInvalid) as refused:
        store.delete("partner", small_programme["partner_lived"], who="x")
    assert "mark the partner as left" in str(refused.value)


def test_problem_framing_versions_count_up_per_site(store, small_programme):
    site, other = small_programme["site"], small_programme["other_site"]
    second = store.add(
        "problem_framing",
        {
            "site_id": site,
            "statement": "Revised",
            "date": "2015-05-01",
            "partner_ids": [small_programme["partner_lived"]],
        },
        who="x",
    )
    first_elsewhere = store.add(
        "problem_framing",
        {
            "site_id": other,
            "statement": "Breathless",
            "date": "2015-05-01",
            "partner_ids": [small_programme["partner_other_site"]],
        },
        who="x",
    )
    assert (second.version, first_elsewhere.version) == (2, 1)


def test_a_site_scope_sees_and_changes_only_its_own_site(store, small_programme):
    north = store.for_site(small_programme["site"])
    other_partner = small_programme["partner_other_site"]
    assert {p.site_id for p in north.records("partner")} == {small_programme["site"]}
    assert north.get("partner", other_partner) is None
    with pytest.raises(RecordInvalid):
        north.update("partner", other_partner, {"display_name": "Hacked"}, who="x")
    with pytest.raises(RecordInvalid):
        north.delete("partner", other_partner)
    with pytest.raises(RecordInvalid):
        north.add(
            "partner",
            {
                "site_id": small_programme["other_site"],
                "display_name": "Sneaky",
                "role_group": "carer",
                "joined": "2015-03-01",
            },
        )
    with pytest.raises(RecordInvalid):
        north.update("partner", small_programme["partner_lived"], {"site_id": small_programme["other_site"]})
    with pytest.raises(RecordInvalid):
        north.add("site", {"programme_id": 1, "name": "X", "service_issue": "Y", "start_date": "2015-01-01"})
    assert store.get("partner", other_partner).display_name == "Sam"
    assert {c.site_id for c in north.history()} == {small_programme["site"]}
    assert north.all_records()["partner"] == north.records("partner")


def test_frames_have_one_column_per_field_and_labels_on_request(store, small_programme):
    frame = store.frame("partner", site_id=small_programme["site"], labels=True)
    assert list(frame.columns) == list(RECORD_TYPES["partner"].model_fields)
    assert "Person with lived experience" in set(frame.role_group)
    assert str(frame.joined.dtype).startswith("datetime64")
    assert store.frame("outcome").empty


def test_access_code_hash_is_stored_but_never_read_back(store, small_programme):
    store.set_access_hash(small_programme["site"], "scrypt$1$1$1$c2FsdA==$aGFzaA==", who="cli")
    assert "access_code_hash" not in store.frame("site").columns
    assert (small_programme["site"], "scrypt$1$1$1$c2FsdA==$aGFzaA==") in store.access_hashes()
    assert store.history("site", small_programme["site"])[-1].new == {"access_code": "changed"}


def test_two_connections_can_write_one_after_another(tmp_path):
    """WAL plus a busy timeout: a second writer waits instead of failing with 'database is locked'."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Store.open(url), Store.open(url)
    held = sqlite3.connect(tmp_path / "shared.db", timeout=1, check_same_thread=False)
    held.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, held.commit).start()
    second.add("programme", {"name": "Waited"}, who="x")
    assert [p.name for p in first.records("programme")] == ["Waited"]
    held.close()


# ---- writers take turns ------------------------------------------------------------------------------


def test_a_new_sqlite_store_and_its_journal_are_readable_by_their_owner_only(tmp_path):
    """The store names partners: made 0600 whatever the umask, and SQLite's -wal and -shm follow it."""
    before = os.umask(0o022)  # the usual umask, under which files are made readable by everyone
    path = tmp_path / "private" / "coprod.db"
    try:
        store = Store.open(f"sqlite:///{path}")
    finally:
        os.umask(before)
    store.add("programme", {"name": "Private"}, who="test")
    with store.engine.connect() as conn:  # a reader keeps the -wal and -shm files in place
        conn.exec_driver_sql("SELECT 1").all()
        found = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    store.close()
    assert found["coprod.db"] == 0o600
    assert all(mode == 0o600 for name, mode in found.items() if name.startswith("coprod.db-")), found


def test_an_existing_store_keeps_its_permissions(tmp_path):
    path = tmp_path / "shared.db"
    Store.open(f"sqlite:///{path}").close()
    path.chmod(0o640)
    Store.open(f"sqlite:///{path}").close()
    assert path.stat().st_mode & 0o777 == 0o640


def test_sqlite_writers_queue_on_a_lock_file_with_the_stores_permissions(tmp_path):
    """The queue file is as private, or as shared, as the store: an evaluator who may write the store may queue."""
    path = tmp_path / "shared.db"
    Store.open(f"sqlite:///{path}").close()
    path.chmod(0o660)
    store = Store.open(f"sqlite:///{path}")
    store.add("programme", {"name": "Queued"}, who="test")
    store.close()
    lock = tmp_path / "shared.db.write-lock"
    assert lock.is_file() and lock.stat().st_mode & 0o777 == 0o660


def test_threads_of_one_process_take_turns_too(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    store = Store.open(f"sqlite:///{tmp_path / 'threads.db'}")
    programme = store.add("programme", {"name": "Threads"}, who="test")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda n: store.update("programme", programme.id, {"description": f"turn {n}"}, who="t"), range(80)
            )
        )
    from coprod_widgets import audit

    with store.engine.connect() as conn:
        verdict = audit.verify(conn)
    assert verdict.ok and verdict.lines == 81
    store.close()
