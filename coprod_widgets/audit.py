"""The history's seals: each line carries a hash chained to the line before it.

A change made behind coprod's back (an edited, inserted or deleted line, say with the ``sqlite3``
shell) breaks the chain at that line, and :func:`verify` names it. The store also keeps the newest
line's seal and the number of lines (the ``history_head`` setting), so lines cut from the end show too.

What the chain cannot do: someone who can write to the database and recomputes every seal after
their edit leaves a chain that verifies. Keep the head ``coprod verify`` prints (backups record it
too) somewhere else, and compare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, func, select

from .schema import history, setting

#: The seal a first line chains to.
GENESIS = "0" * 64
HEAD_SETTING = "history_head"


def _utc_text(at: dt.datetime) -> str:
    """One spelling of a moment, however the database hands it back (SQLite drops the zone: it was UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def content(line: Mapping) -> bytes:
    """The sealed part of a history line, in one canonical byte form (key order and spacing fixed)."""
    sealed = {
        "at": _utc_text(line["at"]),
        "who": line["who"],
        "action": line["action"],
        "record_type": line["record_type"],
        "record_id": line["record_id"],
        "site_id": line["site_id"],
        "old": line["old"],
        "new": line["new"],
    }
    return json.dumps(sealed, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal(prev_seal: str, line: Mapping) -> str:
    return hashlib.sha256(prev_seal.encode("ascii") + b"\n" + content(line)).hexdigest()


@dataclass(frozen=True)
class Head:
    """The newest line's id and seal, and how many lines there are."""

    lines: int
    last_id: int | None
    seal: str

    def text(self) -> str:
        return f"{self.lines}:{self.last_id or 0}:{self.seal}"

    @classmethod
    def parse(cls, text: str) -> Head | None:
        try:
            lines, last_id, sealed = text.split(":")
            return cls(int(lines), int(last_id) or None, sealed)
        except (ValueError, AttributeError):
            return None


EMPTY_HEAD = Head(0, None, GENESIS)


def last_seal(conn: Connection, table: Table = history) -> str:
    found = conn.execute(select(table.c.seal).order_by(table.c.id.desc()).limit(1)).scalar_one_or_none()
    return found or GENESIS


def append(conn: Connection, line: Mapping, table: Table = history) -> int:
    """Seal ``line`` to the newest one, insert it and move the head on; return its id (the caller holds the
    write lock). ``table``: the history table as a migration sees it, when it is not today's."""
    prev_seal = last_seal(conn, table)
    line_seal = seal(prev_seal, line)
    line_id = conn.execute(table.insert().values(**line, prev_seal=prev_seal, seal=line_seal)).inserted_primary_key[0]
    advance_head(conn, line_id, line_seal)
    return line_id


def read_head(conn: Connection) -> Head | None:
    text = conn.execute(select(setting.c.value).where(setting.c.name == HEAD_SETTING)).scalar_one_or_none()
    return None if text is None else Head.parse(text)


def write_head(conn: Connection, head: Head) -> None:
    """Record the newest line; the caller holds the store's write lock, so no one else writes it meanwhile."""
    done = conn.execute(setting.update().where(setting.c.name == HEAD_SETTING).values(value=head.text()))
    if done.rowcount == 0:
        conn.execute(setting.insert().values(name=HEAD_SETTING, value=head.text()))


def advance_head(conn: Connection, line_id: int, line_seal: str) -> None:
    head = read_head(conn)
    lines = head.lines + 1 if head is not None else conn.execute(select(func.count()).select_from(history)).scalar_one()
    write_head(conn, Head(lines, line_id, line_seal))


def reseal(conn: Connection, from_id: int | None = None, table: Table = history) -> int:
    """Seal every line from ``from_id`` on again (all lines if None); return how many seals changed.

    Used by the migration that brought in seals (which passes the history ``table`` as it was then),
    and by an erasure, which logs that it did so.
    """
    prev = GENESIS
    if from_id is not None:
        before = select(table.c.seal).where(table.c.id < from_id).order_by(table.c.id.desc()).limit(1)
        prev = conn.execute(before).scalar_one_or_none() or GENESIS
    query = select(table).order_by(table.c.id)
    if from_id is not None:
        query = query.where(table.c.id >= from_id)
    rewritten = 0
    for row in [dict(row._mapping) for row in conn.execute(query)]:
        new_seal = seal(prev, row)
        if row["seal"] != new_seal or row["prev_seal"] != prev:
            conn.execute(table.update().where(table.c.id == row["id"]).values(prev_seal=prev, seal=new_seal))
            rewritten += 1
        prev = new_seal
    total = conn.execute(select(func.count()).select_from(table)).scalar_one()
    last_id = conn.execute(select(func.max(table.c.id))).scalar_one()
    write_head(conn, Head(total, last_id, prev))
    return rewritten


# ---- checking ------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What :func:`verify` found: ``problem`` is None when every seal matches."""

    lines: int = 0
    head: Head = EMPTY_HEAD
    problem: str | None = None
    first_bad_id: int | None = None
    erasures: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check_lines(rows: Iterable[Mapping], verdict: Verdict) -> str:
    """Walk the lines in order; stop at the first that breaks the chain. Returns the last good seal."""
    prev, previous_id = GENESIS, None
    seen: dict[str, int | None] = {GENESIS: None}
    for row in rows:
        verdict.lines += 1
        line_id = row["id"]
        if row["action"] == "erase":
            verdict.erasures.append(line_id)
        self_consistent = bool(row["seal"]) and row["seal"] == seal(row["prev_seal"] or "", row)
        if not row["seal"]:
            verdict.problem = (
                f"history line {line_id} has no seal: it was added, or its seal removed, behind coprod's back."
            )
        elif not self_consistent:
            verdict.problem = (
                f"history line {line_id} was changed after it was written: its seal no longer matches what it says."
            )
        elif row["prev_seal"] != prev:
            if row["prev_seal"] in seen:
                after = seen[row["prev_seal"]]
                where = f"after line {after}" if after is not None else "at the start"
                verdict.problem = (
                    f"history line {previous_id} was inserted behind coprod's back: line {line_id} follows "
                    f"the line {where}."
                )
                verdict.first_bad_id = previous_id
                return prev
            before = f"line {previous_id}" if previous_id is not None else "the start"
            verdict.problem = (
                f"history lines were removed, or line {previous_id} was rewritten, between {before} and "
                f"line {line_id}: line {line_id} follows a line that is not there."
                if previous_id is not None
                else f"history lines were removed before line {line_id}, the first line left."
            )
        if verdict.problem:
            verdict.first_bad_id = verdict.first_bad_id or line_id
            return prev
        prev, previous_id = row["seal"], line_id
        seen[prev] = line_id
    return prev


def verify(conn: Connection) -> Verdict:
    """Recompute the chain, oldest line first, and compare the end with the recorded head."""
    verdict = Verdict()
    rows = (row._mapping for row in conn.execute(select(history).order_by(history.c.id)))
    last = _check_lines(rows, verdict)
    if verdict.problem:
        return verdict
    last_id = conn.execute(select(func.max(history.c.id))).scalar_one()
    verdict.head = Head(verdict.lines, last_id, last)
    recorded = read_head(conn)
    if recorded is None:
        if verdict.lines:
            verdict.problem = "the store's record of its newest history line is missing (it was deleted or garbled)."
    elif recorded.seal != last or recorded.lines != verdict.lines:
        missing = recorded.lines - verdict.lines
        if missing > 0:
            verdict.problem = (
                f"the last {missing} history line(s) were removed: the store recorded {recorded.lines} lines, "
                f"ending with line {recorded.last_id}, and {verdict.lines} are left."
            )
            verdict.first_bad_id = recorded.last_id
        elif missing < 0:
            extra = conn.execute(
                select(func.min(history.c.id)).where(history.c.id > (recorded.last_id or 0))
            ).scalar_one()
            verdict.problem = (
                f"history line {extra} was added behind coprod's back: the store's record of its newest line "
                f"ends at line {recorded.last_id}."
            )
            verdict.first_bad_id = extra
        else:
            verdict.problem = (
                f"history line {last_id} is not the newest line the store recorded (line {recorded.last_id}): "
                "lines were rewritten or replaced behind coprod's back."
            )
            verdict.first_bad_id = last_id
    return verdict
