"""Backups: one file holding every table, its schema version and checksums, restorable into any database.

A backup is a zip archive:

- ``manifest.json``: what made it (coprod version, schema revision, source database), each table's
  columns, row count and SHA-256, the history's newest seal, and a checksum over all of that;
- ``tables/<name>.jsonl``: one JSON array per row, in the manifest's column order.

Rows are written as plain values (dates as ISO text), not as one database's file, so a backup of a
laptop's SQLite store restores into a server's PostgreSQL. The copy is consistent while the app is in
use: SQLite's online backup API first takes a snapshot of the file; on PostgreSQL every table is read
in one repeatable-read transaction. The file names partners, so it is readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import make_url

from . import __version__, audit, schema_version

FORMAT = "coprod-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INSERT_BATCH = 500


class BackupProblem(Exception):
    """A backup cannot be made, read or restored; the message says why in one line."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str
    rows: dict[str, int]
    checksum: str
    size: int
    history_head: str

    @property
    def records(self) -> int:
        return sum(count for name, count in self.rows.items() if name not in ("history", "access_attempt", "setting"))


# ---- values in and out ---------------------------------------------------------------------------


def _kind(column_type: sqltypes.TypeEngine) -> str:
    for kind, types in (
        ("json", (sqltypes.JSON,)),
        ("datetime", (sqltypes.DateTime,)),
        ("date", (sqltypes.Date,)),
        ("boolean", (sqltypes.Boolean,)),
        ("integer", (sqltypes.Integer,)),
    ):
        if isinstance(column_type, types):
            return kind
    return "text"


def _encode(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return audit._utc_text(value)
    if kind == "date":
        return value.isoformat()
    return value


def _decode(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


def _line(values: list) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _manifest_checksum(manifest: dict) -> str:
    body = {key: value for key, value in manifest.items() if key != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


# ---- making a backup -----------------------------------------------------------------------------


def _describe(url) -> str:
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {Path(parsed.database).name}" if parsed.database else "SQLite in memory"
    return f"PostgreSQL database {parsed.database} on {parsed.host or 'localhost'}"


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection that sees the store as it was at one moment, whatever is written meanwhile."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="coprod-backup-") as folder:
            copy = Path(folder) / "snapshot.db"
            raw = engine.raw_connection()
            try:
                import sqlite3

                target = sqlite3.connect(copy)
                try:
                    raw.driver_connection.backup(target)  # SQLite's online backup API: a consistent copy
                finally:
                    target.close()
            finally:
                raw.close()
            snapshot_engine = create_engine(f"sqlite:///{copy}")
            try:
                with snapshot_engine.connect() as conn:
                    yield conn
            finally:
                snapshot_engine.dispose()
    else:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn


def _private_temp(beside: Path) -> tuple[int, Path]:
    beside.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{beside.name}.", suffix=".partial", dir=beside.parent)
    os.chmod(name, 0o600)
    return handle, Path(name)


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write a backup of the store behind ``engine`` to ``path`` (replaced only once the file is complete)."""
    path = Path(path).expanduser()
    handle, partial = _private_temp(path)
    try:
        with os.fdopen(handle, "wb") as raw_file, zipfile.ZipFile(raw_file, "w", zipfile.ZIP_DEFLATED) as archive:
            with _snapshot(engine) as conn:
                state = schema_version.read_state(conn)
                if state.empty:
                    raise BackupProblem("There is nothing to back up: the database has no coprod tables.")
                if not state.known:
                    raise BackupProblem(
                        f"The store was made by a newer coprod (tables at {state.effective}): back it up with that one."
                    )
                manifest = _write_tables(conn, archive, state.effective)
                manifest["source"] = _describe(engine.url)
            manifest["checksum"] = _manifest_checksum(manifest)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rows = {name: table["rows"] for name, table in manifest["tables"].items()}
    return BackupSummary(
        path, manifest["schema_revision"], rows, manifest["checksum"], path.stat().st_size, manifest["history_head"]
    )


def _write_tables(conn: Connection, archive: zipfile.ZipFile, revision: str) -> dict:
    reflected = MetaData()
    reflected.reflect(conn)
    tables: dict[str, dict] = {}
    for table in reflected.sorted_tables:
        if table.name == schema_version.version_table.name:
            continue
        columns = [(column.name, _kind(column.type)) for column in table.columns]
        digest, count = hashlib.sha256(), 0
        order = list(table.primary_key.columns) or list(table.columns)
        with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
            try:
                for row in conn.execute(select(table).order_by(*order)).yield_per(INSERT_BATCH):
                    line = _line([_encode(kind, value) for (_, kind), value in zip(columns, row, strict=True)])
                    out.write(line)
                    digest.update(line)
                    count += 1
            except ValueError as exc:  # a value the database holds but cannot hand back (say, JSON cut short)
                raise BackupProblem(
                    f"The {table.name} table has a value that cannot be read (after row {count}): {exc}. "
                    "Run  coprod verify, and repair it from an earlier backup."
                ) from None
        tables[table.name] = {"columns": columns, "rows": count, "sha256": digest.hexdigest()}
    head = audit.read_head(conn) if "setting" in reflected.tables and "seal" in reflected.tables["history"].c else None
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "coprod_version": __version__,
        "schema_revision": revision,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": tables,
        "history_head": head.text() if head else "",
    }


# ---- a folder of dated backups, the oldest let go -----------------------------------------------------

DATED_PREFIX = "coprod-"
DATED_SUFFIX = ".coprod-backup"


def dated_name(now: dt.datetime | None = None) -> str:
    return f"{DATED_PREFIX}{(now or dt.datetime.now()).strftime('%Y-%m-%d-%H%M%S')}{DATED_SUFFIX}"


def backup_into(
    engine: Engine, folder: Path, keep: int, now: dt.datetime | None = None
) -> tuple[BackupSummary, list[Path]]:
    """A dated backup in ``folder`` (made private if new), then only the ``keep`` newest dated backups stay.

    Letting old backups go is also how an erasure reaches them: with 14 kept, a name erased today is in
    no backup made by this command 14 runs from now. Files in the folder that this command did not name
    are never touched.
    """
    if keep < 1:
        raise BackupProblem("--keep must be 1 or more: the newest backup is always kept.")
    folder = Path(folder).expanduser()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    summary = backup(engine, folder / dated_name(now))
    dated = sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.name.startswith(DATED_PREFIX) and path.name.endswith(DATED_SUFFIX)
    )
    let_go = [path for path in dated[:-keep] if path != summary.path]
    for path in let_go:
        path.unlink()
    return summary, let_go


# ---- reading one back ----------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """Open a backup and check it whole (format, version, every checksum); return its manifest."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise BackupProblem(f"There is no backup file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except KeyError:
                raise BackupProblem(f"{path} is a zip file but not a coprod backup (it has no {MANIFEST}).") from None
            except ValueError:  # not JSON, or not UTF-8
                raise BackupProblem(f"{path} is damaged: its {MANIFEST} cannot be read.") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupProblem(f"{path} is not a coprod backup (its manifest is for something else).")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupProblem(
                    f"{path} is a coprod backup in format {manifest.get('format_version')}, which this coprod "
                    f"cannot read (it reads format {FORMAT_VERSION})."
                )
            if manifest.get("checksum") != _manifest_checksum(manifest):
                raise BackupProblem(f"{path} is damaged or was edited: its manifest does not match its checksum.")
            for name, table in manifest["tables"].items():
                digest = hashlib.sha256()
                try:
                    with archive.open(f"tables/{name}.jsonl") as lines:
                        for chunk in iter(lambda: lines.read(1 << 20), b""):
                            digest.update(chunk)
                except KeyError:
                    raise BackupProblem(f"{path} is incomplete: the table {name} is missing.") from None
                if digest.hexdigest() != table["sha256"]:
                    raise BackupProblem(
                        f"{path} is damaged or was edited: the table {name} does not match its checksum."
                    )
    except zipfile.BadZipFile:
        raise BackupProblem(f"{path} is not a coprod backup (it is not a complete zip file).") from None
    revision = manifest["schema_revision"]
    if revision not in schema_version.REVISIONS:
        raise BackupProblem(
            f"{path} was made by a newer coprod (tables at {revision}); restore it with that coprod or a newer one."
        )
    return manifest


def read_rows(path: Path, name: str, columns: list[list[str]]) -> Iterator[dict]:
    kinds = [kind for _, kind in columns]
    names = [column for column, _ in columns]
    with zipfile.ZipFile(Path(path).expanduser()) as archive, archive.open(f"tables/{name}.jsonl") as lines:
        for line in lines:
            values = json.loads(line)
            yield {column: _decode(kind, value) for column, kind, value in zip(names, kinds, values, strict=True)}


def count_rows(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After rows were loaded with their own ids, PostgreSQL's counters must start after the largest."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        if "id" in table.c and isinstance(table.c.id.type, sqltypes.Integer):
            largest = f"COALESCE((SELECT MAX(id) FROM {quote(table.name)}), 0) + 1"
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), {largest}, false)"), {"table": table.name}
            )
