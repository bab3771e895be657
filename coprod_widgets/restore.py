"""Restoring a backup into any database URL: the same store on the same laptop, or a move to PostgreSQL.

The backup is checked whole before anything is touched. The restore is one transaction: it drops the
target's coprod tables (only with ``force`` when they hold data), rebuilds them at the backup's schema
version, loads every row with its own id, migrates to this coprod's version and checks the counts and
the history's seals. Anything wrong rolls it all back and the target is as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, Table, insert

from . import audit, schema_version
from .backup import INSERT_BATCH, BackupProblem, count_rows, read_manifest, read_rows, reset_sequences
from .schema import metadata
from .store import Store, engine_for
from .upgrade import install_instruments, migrate


@dataclass(frozen=True)
class RestoreSummary:
    revision: str
    rows: dict[str, int]
    replaced_data: bool
    history_lines: int
    history_head: str


def _coprod_tables(conn, extra: set[str]) -> MetaData:
    """The target's tables that are coprod's (by name): the only ones a restore may drop."""
    present = MetaData()
    ours = set(metadata.tables) | extra | {schema_version.version_table.name}
    present.reflect(conn, only=lambda name, _meta: name in ours)
    return present


def _holds_data(conn, tables: MetaData) -> bool:
    return any(
        count_rows(conn, table) for name, table in tables.tables.items() if name != schema_version.version_table.name
    )


def restore(path: Path, url: str, force: bool = False) -> RestoreSummary:
    manifest = read_manifest(path)
    revision = manifest["schema_revision"]
    backed_up = manifest["tables"]
    store = Store(engine_for(url))
    try:
        with store.writing() as conn:
            existing = _coprod_tables(conn, set(backed_up))
            replaced = _holds_data(conn, existing)
            if replaced and not force:
                raise BackupProblem(
                    f"The store at {store.url} already holds records: restoring would replace them all. "
                    "Add --force if that is what you want (back it up first)."
                )
            existing.drop_all(conn)
            if revision == schema_version.HEAD:
                metadata.create_all(conn)
                schema_version.stamp_head(conn)
            else:
                migrate(conn, target=revision)
            _load(conn, path, backed_up)
            if revision != schema_version.HEAD:  # brought up to date as  coprod upgrade  would
                migrate(conn)
                install_instruments(store, conn)
            verdict = audit.verify(conn)
            if not verdict.ok:
                raise BackupProblem(f"The restored history does not verify ({verdict.problem}); nothing was restored.")
        return RestoreSummary(
            revision,
            {name: table["rows"] for name, table in backed_up.items()},
            replaced,
            verdict.lines,
            verdict.head.text(),
        )
    finally:
        store.close()


def _load(conn, path: Path, backed_up: dict) -> None:
    target = MetaData()
    target.reflect(conn)
    missing = set(backed_up) - set(target.tables)
    if missing:
        raise BackupProblem(f"The backup has tables its schema version does not: {', '.join(sorted(missing))}.")
    loaded: list[Table] = []
    for table in target.sorted_tables:
        if table.name not in backed_up:
            continue
        columns = backed_up[table.name]["columns"]
        if [name for name, _ in columns] != [column.name for column in table.columns]:
            raise BackupProblem(f"The backup's {table.name} table does not have the columns its schema version has.")
        conn.execute(table.delete())  # e.g. the history head a new store starts with
        batch: list[dict] = []
        for row in read_rows(path, table.name, columns):
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
        expected = backed_up[table.name]["rows"]
        if count_rows(conn, table) != expected:
            raise BackupProblem(f"The {table.name} table did not load whole; nothing was restored.")
        loaded.append(table)
    reset_sequences(conn, loaded)
