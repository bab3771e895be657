"""Issue 10 on PostgreSQL: migrations (the 0.1.0 store upgraded there too), and erasure down to the table files.

Uses a throwaway cluster (tests/postgres.py); the ``store`` fixture is a PostgreSQL store, so the erasure
tests written for SQLite run here unchanged, besides the checks only PostgreSQL needs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from coprod_widgets import access, audit
from coprod_widgets.backup import backup, read_manifest
from coprod_widgets.cli import main
from coprod_widgets.restore import _load
from coprod_widgets.schema_version import BASELINE, HEAD
from coprod_widgets.store import Store, engine_for
from coprod_widgets.upgrade import migrate
from tests import test_erasure
from tests.postgres import create_database
from tests.test_erasure import her, needles  # noqa: F401 - her is a fixture the tests below use
from tests.test_migrations import schema_differences
from tests.test_store_postgres import store  # noqa: F401 - the PostgreSQL store fixture

pytestmark = pytest.mark.postgres
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "store-0.1.0.json").read_text(encoding="utf-8"))


def test_migrations_from_nothing_give_the_tables_a_new_store_gets(postgres_url):
    url = create_database(postgres_url, "migrated")
    engine = engine_for(url)
    with engine.begin() as conn:
        migrate(conn)
    engine.dispose()
    assert schema_differences(url) == []


def test_the_0_1_0_store_upgrades_on_postgresql_too(postgres_url, tmp_path):
    """The fixture's rows, put into PostgreSQL tables at the baseline (as 0.1.0 would have), then upgraded."""
    copy = tmp_path / "store-0.1.0.db"
    shutil.copy(FIXTURES / "store-0.1.0.db", copy)
    at_baseline = backup(engine_for(f"sqlite:///{copy}"), tmp_path / "baseline.coprod-backup")
    assert at_baseline.revision == BASELINE
    url = create_database(postgres_url, "from_0_1_0")
    engine = engine_for(url)
    with engine.begin() as conn:
        migrate(conn, BASELINE)
        _load(conn, at_baseline.path, read_manifest(at_baseline.path)["tables"])
        conn.execute(text("DROP TABLE alembic_version"))  # 0.1.0 never stamped its stores
    engine.dispose()

    result = CliRunner().invoke(main, ["--db", url, "upgrade", "--backup-to", str(tmp_path / "pg.coprod-backup")])
    assert result.exit_code == 0, result.output
    upgraded = Store.open(url)
    try:
        assert upgraded.schema_state().revision == HEAD
        with upgraded.engine.connect() as conn:
            verdict = audit.verify(conn)
        moved = EXPECTED["rows"]["self_assessment"]  # each moved with two lines; + the two instruments' lines
        assert verdict.ok and verdict.lines == EXPECTED["rows"]["history"] + 2 * moved + 2
        assert len(upgraded.records("question_response")) == moved
        names = {site.id: site.name for site in upgraded.sites()}
        for site_name, code in EXPECTED["access_codes"].items():
            assert names[access.site_for_code(upgraded.access_hashes(), code)] == site_name
        assert len(upgraded.records("attendance")) == EXPECTED["rows"]["attendance"]
        added = upgraded.add("programme", {"name": "After the move"}, who="test")
        assert added.id == EXPECTED["rows"]["programme"] + 1, "the id counters start after the loaded rows"
    finally:
        upgraded.close()


def _table_files(conn) -> list[Path]:
    data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
    oid = conn.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()")).scalar_one()
    return [path for path in (data / "base" / str(oid)).iterdir() if path.is_file()]


def _wal_files(conn) -> list[Path]:
    data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
    return [path for path in (data / "pg_wal").iterdir() if path.is_file()]


def test_after_erasure_the_name_is_in_no_table_file(store, her):  # noqa: F811
    def search() -> tuple[int, int, int]:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))  # every page on disk, as a thief with the disk would see it
            files, wal = _table_files(conn), _wal_files(conn)
        data = [path.read_bytes() for path in files]
        found = sum(chunk.count(needle) for chunk in data for needle in needles())
        in_wal = sum(path.read_bytes().count(needle) for path in wal for needle in needles())
        return found, sum(len(chunk) for chunk in data), in_wal

    assert search()[0] > 0, "the test must see the name before the erasure"
    test_erasure.erase(store)
    found, searched, in_wal = search()
    print(
        f"\nPostgreSQL after the erasure: searched {searched} bytes of the database's table files: {found} found; "
        f"the write-ahead log (pg_wal) still holds {in_wal} (it is recycled later; see the README)"
    )
    assert found == 0


# The behaviour tests written for SQLite, on PostgreSQL.
test_counts_and_learning_point_checks_stay_the_same = test_erasure.test_counts_and_learning_point_checks_stay_the_same
test_the_partner_keeps_their_number_under_the_export_pseudonym = (
    test_erasure.test_the_partner_keeps_their_number_under_the_export_pseudonym
)
test_history_is_rewritten_in_one_logged_step_that_verifies = (
    test_erasure.test_history_is_rewritten_in_one_logged_step_that_verifies
)
test_other_people_keep_their_names = test_erasure.test_other_people_keep_their_names
test_exports_and_reports_made_afterwards_do_not_name_her = (
    test_erasure.test_exports_and_reports_made_afterwards_do_not_name_her
)
