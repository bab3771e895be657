"""Many new records in one transaction, fast: the store's bulk write path (``coprod synth`` uses it).

Every record goes through the same :func:`~coprod_widgets.records.validate` as :meth:`Store.add`, with a
lookup that answers cross-record rules from the records already in the batch and, only for tables that
held rows before it began, from the database. Each record gets the sealed history line ``Store.add``
would give it, in the order the records were added; rows go in with executemany, table by table in
dependency order, and the history head is advanced once at the end. Ids are handed out as records are
added, after the largest in each table (on PostgreSQL, or after the last its sequence gave, if later; the
sequence is moved on past them), so a record can point at one added before it in the same batch::

    with store.bulk(who="importer") as batch:
        partner = batch.add("partner", {...})
        batch.add("attendance", {"partner_id": partner.id, ...})

The batch is one savepoint inside the writing transaction: a refused record (the same
:class:`~coprod_widgets.problems.RecordInvalid`, with the same message, as ``Store.add`` raises) leaves
nothing of the batch behind. While a batch is open nothing else may write through its connection
(``store.add`` on the same connection would seal its history line out of order).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from . import audit
from .problems import FieldProblem, RecordInvalid
from .records import RECORD_TYPES, Record, validate
from .schema import TABLES, history, metadata
from .store import Store, _column_values, _Lookup, _names_no_record, _site_of, _snapshot

#: Rows kept in memory before they are written (records and history lines together).
FLUSH_ROWS = 20_000
#: Kinds other records point at: kept in memory for the lookup while the batch is open.
REFERENCED = {"programme", "site", "question_set"} | {
    target for cls in RECORD_TYPES.values() for target in cls.references.values()
}
#: Tables in the order their rows can be inserted (a row's references before it).
INSERT_ORDER = [table.name for table in metadata.sorted_tables]


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _table(name: str) -> Table:
    return history if name == "history" else TABLES[name]


class _Ids:
    """Hands out new ids per table; on PostgreSQL, moves each table's sequence past the last one used."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        if table not in self.last:
            self.last[table] = self._largest(table)
        self.last[table] += 1
        return self.last[table]

    def _largest(self, table: str) -> int:
        largest = self.conn.execute(select(func.max(_table(table).c.id))).scalar_one() or 0
        if self.postgres:  # ids taken by transactions that rolled back are not handed out again
            query = "SELECT pg_sequence_last_value(pg_get_serial_sequence(:t, 'id')::regclass)"
            largest = max(largest, self.conn.execute(text(query), {"t": table}).scalar_one() or 0)
        return largest

    def finish(self) -> None:
        if not self.postgres:
            return  # SQLite's next rowid is the largest plus one: nothing to move on
        for table, last in self.last.items():
            self.conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"), {"t": table, "n": last})


class Batch:
    """New records written together; see the module's docstring. Use through :func:`bulk`."""

    def __init__(self, store: Store, conn: Connection, who: str):
        if not who or not who.strip():  # as Store._log says it, before anything is read
            raise RecordInvalid([FieldProblem("who", "Who is making this change: give a name or role.")])
        self.store, self.conn, self.who = store, conn, who.strip()
        self.count = 0
        self._database = _Lookup(store, conn)
        self._ids = _Ids(conn)
        self._rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._pending = 0
        self._kept: dict[str, dict[int, Record]] = defaultdict(dict)
        self._added: dict[str, int] = defaultdict(int)  # records of each kind added so far
        self._indexes: dict[tuple[str, tuple[str, ...]], dict[tuple, set[int]]] = {}
        self._names: dict[str, dict[str, set[int]]] = {}
        self._stored: dict[str, bool] = {}  # whether the database may hold rows of a kind the batch cannot see
        self._versions: dict[int, int] = {}  # problem framing versions per site
        self._head = audit.read_head(conn)
        self._seal = audit.last_seal(conn)
        self._lines = 0
        self._last_line: int | None = None

    # ---- the lookup validation asks -------------------------------------------------------------

    def _in_database(self, kind: str) -> bool:
        if kind not in self._stored:
            table = TABLES[kind]
            self._stored[kind] = self.conn.execute(select(table.c.id).limit(1)).first() is not None
        return self._stored[kind]

    def get(self, kind: str, record_id: int) -> Record | None:
        if kind not in REFERENCED:
            if self._rows.get(kind):
                self.flush()  # a record of a kind not kept may still be waiting to be written
            return self._database.get(kind, record_id)
        if _names_no_record(record_id):
            return None
        found = self._kept[kind].get(record_id)
        if found is None and self._in_database(kind):
            found = self._database.get(kind, record_id)
            if found is not None:  # no one else writes while the batch is open: ask once
                self._kept[kind][record_id] = found
        return found

    def _seen(self, kind: str) -> None:
        """Before a new index of ``kind`` starts, the batch's rows of it are written: the database answers for them."""
        if self._added[kind]:
            self.flush()
            self._stored[kind] = True

    def exists(self, kind: str, exclude_id: int | None = None, **equals: object) -> bool:
        keys = tuple(sorted(equals))
        index = self._indexes.get((kind, keys))
        if index is None:
            self._seen(kind)
            index = self._indexes[(kind, keys)] = {}
        ids = index.get(tuple(_plain(equals[key]) for key in keys), set())
        if ids - {exclude_id}:
            return True
        return self._in_database(kind) and self._database.exists(kind, exclude_id=exclude_id, **equals)

    def exists_named(self, kind: str, name: str, exclude_id: int | None = None) -> bool:
        names = self._names.get(kind)
        if names is None:
            self._seen(kind)
            names = self._names[kind] = {}
        if names.get(name.strip().lower(), set()) - {exclude_id}:
            return True
        return self._in_database(kind) and self._database.exists_named(kind, name, exclude_id=exclude_id)

    # ---- adding ---------------------------------------------------------------------------------

    def _prepare(self, record: Record) -> Record:
        """The values the store fills in itself, as ``Store._prepare_new`` does (a framing's next version)."""
        if record.kind != "problem_framing":
            return record
        site_id = record.site_id
        if site_id not in self._versions:
            latest = 0
            if self._in_database("problem_framing"):
                table = TABLES["problem_framing"]
                query = select(func.max(table.c.version)).where(table.c.site_id == site_id)
                latest = self.conn.execute(query).scalar_one() or 0
            self._versions[site_id] = latest
        if record.version is None:
            record = record.model_copy(update={"version": self._versions[site_id] + 1})
        self._versions[site_id] = max(self._versions[site_id], record.version)
        return record

    def add(self, kind: str, data: dict | Record) -> Record:
        """Validate one record as :meth:`Store.add` does; return it with the id it will have."""
        values = data.model_dump() if isinstance(data, Record) else dict(data)
        values.pop("id", None)
        record = self._prepare(validate(kind, values, self))
        kind = record.kind
        record.id = self._ids.next(kind)  # a record validate made for this batch alone: no copy needed
        self._remember(record)
        self._rows[kind].append({"id": record.id, **_column_values(record)})
        line = {
            "at": dt.datetime.now(dt.UTC),
            "who": self.who,
            "action": "insert",
            "record_type": kind,
            "record_id": record.id,
            "site_id": _site_of(record),
            "old": None,
            "new": _snapshot(record),
        }
        line_seal = audit.seal(self._seal, line)
        line_id = self._ids.next("history")
        self._rows["history"].append({"id": line_id, **line, "prev_seal": self._seal, "seal": line_seal})
        self._seal, self._last_line, self._lines = line_seal, line_id, self._lines + 1
        self.count += 1
        self._pending += 2
        if self._pending >= FLUSH_ROWS:
            self.flush()
        return record

    def _remember(self, record: Record) -> None:
        kind = record.kind
        self._added[kind] += 1
        if kind in REFERENCED:
            self._kept[kind][record.id] = record
        for (indexed, keys), index in self._indexes.items():
            if indexed == kind:
                index.setdefault(tuple(_plain(getattr(record, key)) for key in keys), set()).add(record.id)
        if kind in self._names:
            self._names[kind].setdefault(record.name.strip().lower(), set()).add(record.id)

    # ---- writing --------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the rows waiting, each table's with one executemany, references first."""
        for name in INSERT_ORDER:
            rows = self._rows.pop(name, None)
            if rows:
                self.conn.execute(insert(_table(name)), rows)
        self._pending = 0

    def finish(self) -> None:
        """Write what is left and record the newest history line, as adding one at a time would have."""
        self.flush()
        self._ids.finish()
        if not self._lines:
            return
        if self._head is None:  # as audit.advance_head: count the lines when no head is recorded
            lines = self.conn.execute(select(func.count()).select_from(history)).scalar_one()
        else:
            lines = self._head.lines + self._lines
        audit.write_head(self.conn, audit.Head(lines, self._last_line, self._seal))


@contextmanager
def bulk(store: Store, who: str, conn: Connection | None = None) -> Iterator[Batch]:
    """A :class:`Batch` whose records are written when the block ends; nothing of it is if the block fails."""
    if conn is None:
        with store.writing() as conn, bulk(store, who, conn) as batch:
            yield batch
        return
    with conn.begin_nested():
        batch = Batch(store, conn, who)
        yield batch
        batch.finish()


def add_bulk(store: Store, items: Iterable[tuple[str, dict]], who: str, conn: Connection | None = None) -> list[Record]:
    """Add ``(kind, values)`` records in one transaction: all are saved, or none is (see :func:`bulk`)."""
    with bulk(store, who, conn) as batch:
        return [batch.add(kind, data) for kind, data in items]
