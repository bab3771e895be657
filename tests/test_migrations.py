"""Schema versions: migrations build exactly today's tables, and a store at the wrong version is refused.

The 0.1.0 fixture's upgrade is in test_store_0_1_0.py; PostgreSQL runs in test_migrations_postgres.py.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from coprod_widgets import schema_version, settings
from coprod_widgets.cli import main
from coprod_widgets.schema import metadata
from coprod_widgets.schema_version import HEAD, REVISIONS, StoreOutOfDate, StoreTooNew
from coprod_widgets.store import Store, engine_for
from coprod_widgets.upgrade import MIGRATIONS, _config, migrate, upgrade_store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store-0.1.0.db"


def schema_differences(url: str) -> list:
    """What Alembic would change to make the database match today's schema.py (nothing, when they agree)."""
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()


def migrated_from_empty(url: str, target: str = HEAD) -> None:
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            migrate(conn, target)
    finally:
        engine.dispose()


def test_the_list_of_revisions_is_alembics_own_order():
    with engine_for("sqlite://").connect() as conn:
        scripts = ScriptDirectory.from_config(_config(conn))
    walked = [script.revision for script in scripts.walk_revisions(base="base", head="heads")]
    assert tuple(reversed(walked)) == REVISIONS
    assert scripts.get_heads() == [HEAD]
    assert all((MIGRATIONS / "versions" / f"{name}.py").is_file() for name in REVISIONS)


def test_migrations_from_nothing_give_the_tables_a_new_store_gets(tmp_path):
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrated_from_empty(migrated)
    assert schema_differences(migrated) == []
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    Store.open(fresh).close()
    assert schema_differences(fresh) == []
    assert Store.open(migrated).schema_state().revision == HEAD


def test_every_migration_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store.open(url)
    store.add("programme", {"name": "Kept"}, who="test")
    store.close()
    from alembic import command

    engine = engine_for(url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), schema_version.BASELINE)
    with engine.begin() as conn:
        command.upgrade(_config(conn), HEAD)
    engine.dispose()
    assert schema_differences(url) == []
    assert [p.name for p in Store.open(url).records("programme")] == ["Kept"]


def _future(url: str) -> None:
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(schema_version.version_table.update().values(version_num="0099_from_the_future"))
    engine.dispose()


@pytest.fixture
def old_store_url(tmp_path) -> str:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def future_store_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    Store.open(url).close()
    _future(url)
    return url


def test_a_store_from_a_newer_coprod_is_refused_and_left_alone(future_store_url):
    with pytest.raises(StoreTooNew, match="newer coprod"):
        Store.open(future_store_url)
    result = CliRunner().invoke(main, ["--db", future_store_url, "upgrade"])
    assert result.exit_code == 1 and "newer coprod" in result.output
    engine = engine_for(future_store_url)
    with engine.connect() as conn:
        assert schema_version.read_state(conn).revision == "0099_from_the_future"
    engine.dispose()


REFUSING_COMMANDS = [
    ["site", "list"],
    ["export", "--out", "{tmp}/export"],
    ["report", "--programme", "--out", "{tmp}/report"],
    ["serve", "--port", "1"],
    ["history"],
    ["verify"],
    ["partner", "erase", "Anyone", "--site", "Anywhere", "--reason", "asked", "--yes"],
]


@pytest.mark.parametrize("command", REFUSING_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("which", ["old", "future"])
def test_commands_refuse_a_store_at_another_version_in_one_line(
    command, which, old_store_url, future_store_url, tmp_path
):
    url = old_store_url if which == "old" else future_store_url
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = CliRunner().invoke(main, ["--db", url, *args])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    expected = "coprod upgrade" if which == "old" else "newer coprod"
    assert expected in lines[0]
    assert not (tmp_path / "export").exists() and not (tmp_path / "report").exists()


def _dump(path: str) -> list[str]:
    with sqlite3.connect(path) as raw:
        return list(raw.iterdump())


def test_a_migration_that_fails_leaves_the_store_as_it_was(old_store_url, tmp_path):
    """The sealing migration fails at its last step (the table SQLite's batch mode needs is taken): all undone."""
    from sqlalchemy.exc import OperationalError

    path = old_store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE _alembic_tmp_history (id INTEGER)")
    before = _dump(path)
    with pytest.raises(OperationalError, match="already exists"):
        upgrade_store(old_store_url, backup_to=tmp_path / "before.coprod-backup")
    with pytest.raises(StoreOutOfDate):
        Store.open(old_store_url)
    assert _dump(path) == before
    assert (tmp_path / "before.coprod-backup").is_file(), "the backup is taken before anything changes"


def test_an_empty_database_is_made_new_by_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(main, ["--db", url, "upgrade"])
    assert result.exit_code == 0 and "empty" in result.output
    assert Store.open(url).schema_state().revision == HEAD


def test_a_workbook_on_an_old_store_shows_one_line_naming_coprod_upgrade(old_store_url, tmp_path):
    """In JupyterLab (and Voilà) the refusal is the whole message, not a traceback through SQLAlchemy."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(settings.evaluator_workbooks_dir() / "welcome.ipynb", as_version=4)
    env = {**os.environ, settings.DB_URL_VARIABLE: old_store_url}
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}})
    with pytest.raises(CellExecutionError):
        client.execute(env=env)
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert len(errors) == 1
    assert len(errors[0].traceback) == 1 and "coprod upgrade" in errors[0].traceback[0], errors[0].traceback
