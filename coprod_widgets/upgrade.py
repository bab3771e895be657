"""Bringing a store's tables up to this coprod's version, with Alembic, after a backup.

``coprod upgrade`` calls :func:`upgrade_store`. Each migration lives in ``migrations/versions``; a new one
also goes at the end of ``schema_version.REVISIONS`` (tests/test_migrations.py checks the two agree and
that migrating an empty database gives exactly the tables a new store gets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, MetaData, func, select
from sqlalchemy.engine import make_url

from . import schema_version, settings
from .backup import BackupSummary, backup
from .schema import TABLES
from .schema_version import BASELINE, HEAD, SchemaState
from .store import Store, engine_for

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(conn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def migrate(conn: Connection, target: str = HEAD) -> None:
    """Run the migrations up to ``target`` on ``conn``, inside the caller's transaction.

    An empty database is built from the baseline up; a 0.1.0 store (tables, no version) is first marked
    as being at the baseline, which is what it is.
    """
    from alembic import command

    state = schema_version.read_state(conn)
    if not state.known:
        schema_version.refuse_unless_current(state, "being migrated")
    config = _config(conn)
    if not state.empty and state.revision is None:
        command.stamp(config, BASELINE)
    command.upgrade(config, target)


def record_counts(conn: Connection) -> dict[str, int]:
    """Rows in every table the database holds (except Alembic's own), to compare before and after."""
    reflected = MetaData()
    reflected.reflect(conn)
    return {
        name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in sorted(reflected.tables.items())
        if name != schema_version.version_table.name
    }


#: Tables a migration empties into another, with every row (0004: self-assessments became answers).
MOVED_TABLES = {"self_assessment": "question_response"}


def lost_rows(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Tables with fewer rows after than before; a moved table's rows must all have arrived in its new one."""
    arrived = {
        target: after.get(target, 0) - before.get(target, 0) - before.get(moved, 0)
        for moved, target in MOVED_TABLES.items()
        if moved in before and moved not in after
    }
    lost = {}
    for name, count in before.items():
        if name in MOVED_TABLES and name not in after:
            target = MOVED_TABLES[name]
            if arrived[target] < 0:
                lost[name] = (count, count + arrived[target])
        elif after.get(name, 0) < count:
            lost[name] = (count, after.get(name, 0))
    return lost


class UpgradeLostRows(RuntimeError):
    """A migration went wrong: the rows counted after it are fewer than before."""


@dataclass(frozen=True)
class UpgradeResult:
    before: SchemaState
    after: str
    backup: BackupSummary | None
    rows_before: dict[str, int]
    rows_after: dict[str, int]
    #: Shared instruments stored by this upgrade ("'Self-assessment' version 2"): new, or changed in this coprod.
    instruments: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.backup is not None


def backup_path_beside(url: str, revision: str, now: dt.datetime | None = None) -> Path:
    """Where ``coprod upgrade`` puts its backup: next to a SQLite file, else in the data folder's backups."""
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d-%H%M%S")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        store_file = Path(parsed.database).expanduser().resolve()
        return store_file.with_name(f"{store_file.name}.before-upgrade-from-{revision}-{stamp}.coprod-backup")
    name = parsed.database or "store"
    return settings.data_dir() / "backups" / f"{name}.before-upgrade-from-{revision}-{stamp}.coprod-backup"


def install_instruments(store: Store, conn: Connection) -> tuple[str, ...]:
    """Store the shared instruments this coprod ships, where a programme exists: what was new or changed."""
    if not conn.execute(select(func.count()).select_from(TABLES["programme"])).scalar_one():
        return ()
    from .questions.instruments import install

    added = install(store, who="coprod upgrade", conn=conn)
    return tuple(f"{a.question_set.name!r} version {a.question_set.version}" for a in added if a.new)


def upgrade_store(url: str, backup_to: Path | None = None) -> UpgradeResult:
    """Back the store up, then migrate it to this coprod's tables in one transaction.

    Nothing is changed when it is already current; a newer store is refused. The backup is made
    before any change, so a failed migration (which rolls back anyway) still leaves a copy.
    """
    store = Store(engine_for(url))
    try:
        with store.engine.connect() as conn:
            state = schema_version.read_state(conn)
            rows_before = {} if state.empty else record_counts(conn)
        if state.empty:
            store.create()
            return UpgradeResult(state, HEAD, None, {}, {})
        if not state.known:
            schema_version.refuse_unless_current(state, store.url)
        if state.current:
            with store.writing() as conn:
                added = install_instruments(store, conn)
            return UpgradeResult(state, HEAD, None, rows_before, rows_before, added)
        saved = backup(store.engine, backup_to or backup_path_beside(url, state.effective))
        with store.writing() as conn:
            migrate(conn)
            rows_after = record_counts(conn)
            lost = lost_rows(rows_before, rows_after)
            if lost:  # raising here rolls the whole migration back
                listed = ", ".join(f"{name} {before} -> {after}" for name, (before, after) in lost.items())
                raise UpgradeLostRows(f"The upgrade would have lost rows ({listed}); nothing was changed.")
            added = install_instruments(store, conn)
        return UpgradeResult(state, HEAD, saved, rows_before, rows_after, added)
    finally:
        store.close()
