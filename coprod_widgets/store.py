"""The store: every record in one SQL database, every change one transaction with history.

Evaluators use it from JupyterLab::

    from coprod_widgets import Store
    store = Store.open()                       # COPROD_DB_URL, else data/coprod.db
    store.sites()                              # list of Site records
    store.frame("partner")                     # all sites, as a pandas DataFrame
    store.frame("activity", site_id=3)         # one site
    p = store.add("partner", {...}, who="evaluator")
    store.update("partner", p.id, {"left": "2015-09-01"}, who="evaluator")
    store.delete("partner", p.id, who="evaluator")
    store.history("partner", p.id)             # every change, oldest first

Site teams get ``store.for_site(site_id)``, which can read and write that site only.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, create_engine, event, func, insert, select, text
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from . import audit, schema_version
from .problems import FieldProblem, RecordInvalid
from .records import RECORD_TYPES, SITE_RECORD_TYPES, Record, Site, record_type, validate
from .schema import ACCESS_COLUMNS, TABLES, history, metadata, setting
from .settings import database_url

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy timeout is the only queue
    fcntl = None

if TYPE_CHECKING:
    from .scope import SiteScope

SQLITE_BUSY_TIMEOUT_MS = 10_000
#: What an Integer column holds on PostgreSQL (SQLite's hold 64 bits). A whole number outside it can name no
#: stored record, and sent in a query it makes PostgreSQL fail ("integer out of range") instead of finding nothing.
INTEGER_RANGE = range(-(2**31), 2**31)
#: The PostgreSQL advisory lock every coprod write takes first, so that history lines chain one after another.
WRITE_LOCK_KEY = 0x636F70726F64  # "coprod"


def _out_of_range(value: object) -> bool:
    """A value no column can hold: a whole number beyond 64 bits, or text with a NUL (PostgreSQL refuses it)."""
    return (isinstance(value, int) and value not in INTEGER_RANGE) or (isinstance(value, str) and "\x00" in value)


def _names_no_record(record_id: object) -> bool:
    """Whether a value cannot be a record number: not a whole number (a list, text, a flag), or out of range."""
    return not isinstance(record_id, int) or isinstance(record_id, bool) or _out_of_range(record_id)


@dataclass(frozen=True)
class Change:
    """One line of history: who did what to which record, with the values before and after."""

    id: int
    at: dt.datetime
    who: str
    action: str
    record_type: str
    record_id: int
    site_id: int | None
    old: dict | None
    new: dict | None
    prev_seal: str = ""
    seal: str = ""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writes take SQLite's write lock at BEGIN, so what a write reads first (the last history seal, a check
    that a name is free) cannot change before it commits. Reads begin a plain transaction: one snapshot."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("coprod_write") else "BEGIN")


class _WriterQueue:
    """Makes SQLite's writers wait their turn in the kernel, not in SQLite's busy loop.

    SQLite lets a waiting writer retry on its own, with sleeps; under load one writer can lose every
    retry for the whole busy timeout and fail with "database is locked" while others keep winning.
    A lock on a file beside the store (flock, released by the kernel even when a process is killed)
    puts writers in line first. Threads of one process queue on a plain lock before that, since one
    process's descriptors would not block each other.
    """

    def __init__(self, database: Path):
        self.database = database
        self.path = database.with_name(database.name + ".write-lock")
        self._threads = threading.Lock()

    def _open(self) -> int | None:
        """The lock file, made with the store's own permissions (whoever may write the store may queue)."""
        try:
            mode = self.database.stat().st_mode & 0o666
        except OSError:
            mode = 0o600
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, mode)
        except OSError:  # a folder we may not write in: SQLite's busy timeout still applies
            return None
        with suppress(OSError):  # follow the store's mode, whatever the umask; only the owner can
            os.fchmod(descriptor, mode)
        return descriptor

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            descriptor = self._open()
            if descriptor is None:
                yield
                return
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)  # and with it the lock


def _writer_queue(engine: Engine) -> _WriterQueue | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or fcntl is None:
        return None
    return _WriterQueue(Path(database).expanduser().resolve())


def _private_new_file(database: Path) -> None:
    """A new SQLite store is made readable and writable by its owner only (0600): it names partners.

    SQLite gives its -wal and -shm files the database file's permissions. An existing file keeps its own
    (a deployment may share it with a group on purpose: see the README's deployment section).
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        _private_new_file(Path(parsed.database).expanduser())
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _column_values(record: Record) -> dict[str, Any]:
    values = record.model_dump(exclude={"id"})
    return {key: (value.value if isinstance(value, Enum) else value) for key, value in values.items()}


def _snapshot(record: Record) -> dict[str, Any]:
    return record.model_dump(mode="json")


class _Lookup:
    """Answers cross-record rules from inside the writing transaction."""

    def __init__(self, store: Store, conn: Connection):
        self.store, self.conn = store, conn

    def get(self, kind: str, record_id: int) -> Record | None:
        return self.store._get(self.conn, kind, record_id)

    def exists(self, kind: str, exclude_id: int | None = None, **equals: object) -> bool:
        if any(_out_of_range(value) for value in equals.values()):
            return False
        table = TABLES[kind]
        query = select(func.count()).select_from(table)
        for column, value in equals.items():
            query = query.where(table.c[column] == (value.value if isinstance(value, Enum) else value))
        if exclude_id is not None:
            query = query.where(table.c.id != exclude_id)
        return self.conn.execute(query).scalar_one() > 0

    def exists_named(self, kind: str, name: str, exclude_id: int | None = None) -> bool:
        """Whether a record of ``kind`` has this name, ignoring case and surrounding spaces."""
        table = TABLES[kind]
        query = select(func.count()).select_from(table).where(func.lower(table.c.name) == name.strip().lower())
        if exclude_id is not None:
            query = query.where(table.c.id != exclude_id)
        return self.conn.execute(query).scalar_one() > 0


class Store:
    """A coprod database. Open with :meth:`open`; all writes validate, then commit with history."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._write_engine = engine.execution_options(coprod_write=True)
        self._writer_queue = _writer_queue(engine)

    @classmethod
    def open(cls, url: str | None = None, create: bool = True, check: bool = True) -> Store:
        """Open the store at ``url`` (default: ``COPROD_DB_URL`` or ``data/coprod.db``).

        An empty database gets the tables (unless ``create`` is False). A store whose tables are older or
        newer than this coprod's is refused with :class:`~coprod_widgets.schema_version.StoreVersionProblem`,
        whose one-line message names ``coprod upgrade``; ``check=False`` is for the upgrade itself.
        """
        store = cls(engine_for(url or database_url()))
        try:
            state = store.schema_state()
            if create and state.empty:
                store.create()
            elif check:
                schema_version.refuse_unless_current(state, store.url)
        except BaseException:
            store.close()
            raise
        return store

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def schema_state(self) -> schema_version.SchemaState:
        with self.engine.connect() as conn:
            return schema_version.read_state(conn)

    def create(self) -> None:
        """Make the current tables in an empty database, marked as the newest schema version."""
        with self.writing() as conn:
            metadata.create_all(conn)
            schema_version.stamp_head(conn)
            audit.write_head(conn, audit.EMPTY_HEAD)

    def wipe(self) -> None:
        """Drop every table, history and version included, and make empty ones (coprod demo --force)."""
        with self.writing() as conn:
            metadata.drop_all(conn)
            schema_version.version_table.drop(conn, checkfirst=True)
        self.create()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, with the store's write lock: writers take turns, readers never wait.

        Every change to records goes through here, so that the history's seals chain in commit order.
        """
        queue = self._writer_queue
        with queue.turn() if queue else nullcontext(), self._write_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def is_empty(self) -> bool:
        """No records and no history: nothing would be lost by filling it."""
        with self.engine.connect() as conn:
            for table in (TABLES["programme"], TABLES["site"], history):
                if conn.execute(select(func.count()).select_from(table)).scalar_one():
                    return False
            return True

    # ---- reading -------------------------------------------------------------------------

    @staticmethod
    def _result_to_records(kind: str, result) -> list[Record]:
        """Every row of ``result`` as a record; the column names are read once, not once per row."""
        cls = record_type(kind)
        kept = [(place, name) for place, name in enumerate(result.keys()) if name not in ACCESS_COLUMNS]
        return [cls.model_validate({name: row[place] for place, name in kept}) for row in result]

    def _get(self, conn: Connection, kind: str, record_id: int) -> Record | None:
        table = TABLES[record_type(kind).kind]
        if _names_no_record(record_id):
            return None
        found = self._result_to_records(kind, conn.execute(select(table).where(table.c.id == record_id)))
        return found[0] if found else None

    def get(self, kind: str, record_id: int) -> Record | None:
        with self.engine.connect() as conn:
            return self._get(conn, kind, record_id)

    def records(
        self, kind: str, site_id: int | None = None, conn: Connection | None = None, **equals: object
    ) -> list[Record]:
        """Records of one kind, oldest first; ``site_id`` limits them to one site."""
        if conn is None:
            with self.engine.connect() as conn:
                return self.records(kind, site_id, conn=conn, **equals)
        cls = record_type(kind)
        table = TABLES[cls.kind]
        query = select(table).order_by(table.c.id)
        if site_id is not None:
            query = query.where(table.c.site_id == site_id)
        for column, value in equals.items():
            if column not in table.c or column in ACCESS_COLUMNS:
                message = f"{cls.noun} records have no field {column!r} to filter by."
                raise RecordInvalid([FieldProblem(column, message)])
            if isinstance(table.c[column].type, Integer) and _names_no_record(value):
                return []  # no whole number in range: nothing can match (and the database need not be asked)
            query = query.where(table.c[column] == (value.value if isinstance(value, Enum) else value))
        return self._result_to_records(kind, conn.execute(query))

    def all_records(self, site_id: int | None = None) -> dict[str, list[Record]]:
        """Every site-level record type in one connection, for pages that show everything at once."""
        out: dict[str, list[Record]] = {}
        with self.engine.connect() as conn:
            for kind in SITE_RECORD_TYPES:
                table = TABLES[kind]
                query = select(table).order_by(table.c.id)
                if site_id is not None:
                    query = query.where(table.c.site_id == site_id)
                out[kind] = self._result_to_records(kind, conn.execute(query))
        return out

    def sites(self) -> list[Site]:
        return self.records("site")

    def site_named(self, name: str) -> Site | None:
        """The site called ``name``, in any case and with spaces around it ignored (the one way coprod finds one)."""
        return site_by_name(self.sites(), name)

    def frame(self, kind: str, site_id: int | None = None, labels: bool = False):
        """Records of one kind as a pandas DataFrame (pandas is imported only here)."""
        from .frames import records_frame

        return records_frame(record_type(kind), self.records(kind, site_id=site_id), labels=labels)

    def history(
        self,
        kind: str | None = None,
        record_id: int | None = None,
        site_id: int | None = None,
        since: dt.datetime | None = None,
    ) -> list[Change]:
        """Lines of history, oldest first, optionally for one record type, record, site or from a moment on."""
        query = select(history).order_by(history.c.id)
        if kind is not None:
            query = query.where(history.c.record_type == kind)
        if record_id is not None:
            if _names_no_record(record_id):
                return []
            query = query.where(history.c.record_id == record_id)
        if site_id is not None:
            query = query.where(history.c.site_id == site_id)
        if since is not None:
            query = query.where(history.c.at >= since)
        with self.engine.connect() as conn:
            return [Change(**row._mapping) for row in conn.execute(query)]

    # ---- writing -------------------------------------------------------------------------

    @staticmethod
    def _log(conn: Connection, who: str, action: str, kind: str, record_id: int, site_id, old, new) -> int:
        """Append one sealed history line (the caller holds the write lock); return its id."""
        if not who or not who.strip():
            raise RecordInvalid([FieldProblem("who", "Who is making this change: give a name or role.")])
        line = {
            "at": dt.datetime.now(dt.UTC),
            "who": who.strip(),
            "action": action,
            "record_type": kind,
            "record_id": record_id,
            "site_id": site_id,
            "old": old,
            "new": new,
        }
        return audit.append(conn, line)

    def _prepare_new(self, conn: Connection, record: Record) -> Record:
        """Fill values the store owns, such as the next version number of a problem framing."""
        if record.kind == "problem_framing" and record.version is None:
            table = TABLES["problem_framing"]
            latest = conn.execute(
                select(func.max(table.c.version)).where(table.c.site_id == record.site_id)
            ).scalar_one()
            record = record.model_copy(update={"version": (latest or 0) + 1})
        return record

    def add(self, kind: str, data: dict | Record, who: str, conn: Connection | None = None) -> Record:
        """Validate and insert one record, with its history line, in one transaction."""
        if conn is None:
            with self.writing() as conn:
                return self.add(kind, data, who, conn=conn)
        values = data.model_dump() if isinstance(data, Record) else dict(data)
        values.pop("id", None)
        record = self._prepare_new(conn, validate(kind, values, _Lookup(self, conn)))
        table = TABLES[record.kind]
        new_id = conn.execute(insert(table).values(**_column_values(record))).inserted_primary_key[0]
        record = record.model_copy(update={"id": new_id})
        self._log(conn, who, "insert", record.kind, new_id, _site_of(record), None, _snapshot(record))
        return record

    def add_many(self, items: Iterable[tuple[str, dict]], who: str) -> list[Record]:
        """Several records in one transaction: all are saved, or none is."""
        with self.writing() as conn:
            return [self.add(kind, data, who, conn=conn) for kind, data in items]

    def bulk(self, who: str, conn: Connection | None = None):
        """A batch of new records, validated as :meth:`add` does and written together, fast (``coprod synth``).

        ``with store.bulk(who) as batch: batch.add(kind, values)``: each ``add`` returns the record with its
        id, so later records can point at it; the rows and their history lines are written when the block
        ends, and none of them if it fails. See :mod:`coprod_widgets.bulk`.
        """
        from .bulk import bulk

        return bulk(self, who, conn)

    def add_bulk(self, items: Iterable[tuple[str, dict]], who: str, conn: Connection | None = None) -> list[Record]:
        """Like :meth:`add_many` (all are saved, or none is), for many records: see :meth:`bulk`."""
        from .bulk import add_bulk

        return add_bulk(self, items, who, conn)

    def update(self, kind: str, record_id: int, changes: dict, who: str, conn: Connection | None = None) -> Record:
        """Apply ``changes`` to one record after validating the result as a whole."""
        if conn is None:
            with self.writing() as conn:
                return self.update(kind, record_id, changes, who, conn=conn)
        old = self._get(conn, kind, record_id)
        if old is None:
            raise _missing(kind, record_id)
        merged = {**old.model_dump(), **changes, "id": record_id}
        if "site_id" in changes and changes["site_id"] != getattr(old, "site_id", None):
            raise RecordInvalid([FieldProblem("site_id", "Site: a record cannot be moved to another site.")])
        record = validate(kind, merged, _Lookup(self, conn))
        table = TABLES[record.kind]
        conn.execute(sql_update(table).where(table.c.id == record_id).values(**_column_values(record)))
        self._log(conn, who, "update", record.kind, record_id, _site_of(record), _snapshot(old), _snapshot(record))
        return record

    def delete(self, kind: str, record_id: int, who: str, conn: Connection | None = None) -> None:
        """Delete one record, refusing while other records still point at it."""
        if conn is None:
            with self.writing() as conn:
                return self.delete(kind, record_id, who, conn=conn)
        old = self._get(conn, kind, record_id)
        if old is None:
            raise _missing(kind, record_id)
        users = self._referrers(conn, old)
        if users:
            listed = ", ".join(f"{count} {name}" for name, count in users.items())
            advice = "mark the partner as left instead" if old.kind == "partner" else "delete or change those first"
            message = f"This {old.noun.lower()} is still named in {listed}, so it cannot be deleted: {advice}."
            raise RecordInvalid([FieldProblem("id", message)])
        table = TABLES[old.kind]
        conn.execute(sql_delete(table).where(table.c.id == record_id))
        self._log(conn, who, "delete", old.kind, record_id, _site_of(old), _snapshot(old), None)

    def _referrers(self, conn: Connection, target: Record) -> dict[str, int]:
        """How many records of each type point at ``target``."""
        found: dict[str, int] = {}
        for kind, cls in RECORD_TYPES.items():
            table = TABLES[kind]
            links = {field for field, to in cls.references.items() if to == target.kind}
            if target.kind == "site" and "site_id" in cls.model_fields:
                links.add("site_id")
            if target.kind == "programme" and "programme_id" in cls.model_fields:
                links.add("programme_id")
            count = 0
            for field in links:
                if field.endswith("_ids"):
                    rows = conn.execute(select(table.c[field]).where(table.c.site_id == target.site_id))
                    count += sum(1 for (ids,) in rows if ids and target.id in ids)
                else:
                    query = select(func.count()).select_from(table).where(table.c[field] == target.id)
                    count += conn.execute(query).scalar_one()
            if count:
                found[cls.noun.lower()] = count
        return found

    # ---- access codes --------------------------------------------------------------------

    def set_access_code(self, site_id: int, code: str, who: str, conn: Connection | None = None) -> None:
        """Give a site the access code ``code``: its hash and its lookup are stored (see coprod_widgets.access)."""
        from . import access

        if conn is None:  # the key derivations before the write, not while other writers wait
            code_hash, lookup = access.issue(code, self.access_salt())
            return self.set_access_hash(site_id, code_hash, who, lookup=lookup)
        code_hash, lookup = access.issue(code, self.access_salt(conn))
        self.set_access_hash(site_id, code_hash, who, conn=conn, lookup=lookup)

    def set_access_hash(
        self, site_id: int, code_hash: str, who: str, conn: Connection | None = None, lookup: str | None = None
    ) -> None:
        """Store a site's access-code hash and lookup; history records that it changed, never either.

        Without ``lookup`` the site has only the hash, as coprod 0.1 left it (its old lookup, if any, goes,
        so an old code cannot open it): :meth:`site_for_code` then checks it the old, slower way.
        """
        if conn is None:
            with self.writing() as conn:
                return self.set_access_hash(site_id, code_hash, who, conn=conn, lookup=lookup)
        table = TABLES["site"]
        if self._get(conn, "site", site_id) is None:
            raise _missing("site", site_id)
        if lookup is not None:
            taken = select(table.c.id).where(table.c.access_lookup == lookup, table.c.id != site_id)
            if conn.execute(taken).first() is not None:
                message = "Another site already has this access code: issue a new one."
                raise RecordInvalid([FieldProblem("access_code", message)])
        changes = {"access_code_hash": code_hash, "access_lookup": lookup}
        conn.execute(sql_update(table).where(table.c.id == site_id).values(**changes))
        self._log(conn, who, "update", "site", site_id, site_id, None, {"access_code": "changed"})

    def access_hashes(self) -> list[tuple[int, str]]:
        table = TABLES["site"]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.access_code_hash).where(table.c.access_code_hash.is_not(None))
            )
            return [(row.id, row.access_code_hash) for row in rows]

    def access_salt(self, conn: Connection | None = None) -> str:
        """The store's one salt for access-code lookups, made the first time it is needed.

        ``conn``: a write transaction to read (or make) it in; without one it comes from :meth:`secret`.
        """
        from .access import LOOKUP_SALT_SETTING

        if conn is None:
            return self.secret(LOOKUP_SALT_SETTING)
        query = select(setting.c.value).where(setting.c.name == LOOKUP_SALT_SETTING)
        found = conn.execute(query).scalar()
        if found is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(setting).values(name=LOOKUP_SALT_SETTING, value=secrets.token_hex(32)))
            except IntegrityError:  # made by another process meanwhile: read theirs below
                pass
            found = conn.execute(query).scalar_one()
        return found

    def site_for_code(self, code: str, who: str = "site app") -> int | None:
        """The site whose access code this is, or None: one key derivation, then the site found by its lookup
        in one indexed query (after reading the salt), however many sites there are.

        Sites given their code before lookups existed (coprod 0.1) are checked by their hashes, every one
        of them, but only when no lookup matches; the first time such a site's code is used its lookup is
        stored (history: "lookup added", never the code or hash), so each pays the slow check once.
        """
        import hmac

        from . import access
        from .access import LOOKUP_SALT_SETTING

        table = TABLES["site"]
        with self.engine.connect() as conn:
            salt = conn.execute(select(setting.c.value).where(setting.c.name == LOOKUP_SALT_SETTING)).scalar()
        digest = access.lookup(code, salt if salt is not None else self.access_salt())
        legacy = table.c.access_lookup.is_(None) & table.c.access_code_hash.is_not(None)
        query = select(table.c.id, table.c.access_lookup, table.c.access_code_hash)
        with self.engine.connect() as conn:
            rows = conn.execute(query.where((table.c.access_lookup == digest) | legacy)).all()
        for row in rows:
            if row.access_lookup is not None and hmac.compare_digest(row.access_lookup, digest):
                return row.id
        hashes = [(row.id, row.access_code_hash) for row in rows if row.access_lookup is None]
        site_id = access.site_for_code(hashes, code) if hashes else None
        if site_id is not None:
            self._add_access_lookup(site_id, dict(hashes)[site_id], digest, who)
        return site_id

    def _add_access_lookup(self, site_id: int, code_hash: str, lookup: str, who: str) -> None:
        """Store the lookup of a site's code from before lookups, unless its code changed meanwhile."""
        table = TABLES["site"]
        unchanged = (table.c.id == site_id, table.c.access_lookup.is_(None), table.c.access_code_hash == code_hash)
        with suppress(IntegrityError), self.writing() as conn:  # the lookup taken: the site still opens
            if conn.execute(sql_update(table).where(*unchanged).values(access_lookup=lookup)).rowcount == 1:
                self._log(conn, who, "update", "site", site_id, site_id, None, {"access_code": "lookup added"})

    def sites_without_access_lookup(self) -> list[int]:
        """Sites with a code from before lookups: checked the old, slower way until their code is next used."""
        table = TABLES["site"]
        legacy = table.c.access_lookup.is_(None) & table.c.access_code_hash.is_not(None)
        with self.engine.connect() as conn:
            return list(conn.execute(select(table.c.id).where(legacy).order_by(table.c.id)).scalars())

    # ---- values the store keeps for itself -------------------------------------------------

    def secret(self, name: str) -> str:
        """A random value made the first time ``name`` is asked for, then kept in the store for good.

        Used as the key behind export pseudonyms, so they are stable for this store and cannot be
        remade without it. Two processes asking at once get the same value: the insert does nothing
        when the name is already there, and the value is read back in the same transaction.
        """
        candidate = secrets.token_hex(32)
        with self.engine.begin() as conn:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                from importlib import import_module

                dialect_insert = import_module(f"sqlalchemy.dialects.{dialect}").insert
                statement = dialect_insert(setting).values(name=name, value=candidate)
                conn.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
            elif conn.execute(select(setting.c.name).where(setting.c.name == name)).first() is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(setting).values(name=name, value=candidate))
                except IntegrityError:  # another process made it first: read theirs below
                    pass
            return conn.execute(select(setting.c.value).where(setting.c.name == name)).scalar_one()

    def for_site(self, site_id: int) -> SiteScope:
        from .scope import SiteScope

        return SiteScope(self, site_id)


def site_by_name(sites: Iterable[Site], name: str) -> Site | None:
    """From sites already read (one snapshot), the one called ``name``, as :meth:`Store.site_named` finds it."""
    wanted = str(name).strip().casefold()
    return next((site for site in sites if site.name.casefold() == wanted), None)


def _site_of(record: Record) -> int | None:
    return record.id if record.kind == "site" else getattr(record, "site_id", None)


def _missing(kind: str, record_id: int) -> RecordInvalid:
    noun = record_type(kind).noun
    return RecordInvalid(
        [FieldProblem("id", f"There is no {noun.lower()} number {record_id}: it may have been deleted.")]
    )
