"""Database tables, derived from the domain model so the two cannot drift apart.

One table per record type (named by its ``kind``), plus an append-only, sealed ``history`` table and a small
``setting`` table of named values the store keeps for itself (such as the key behind export pseudonyms).
Lists of partner ids, and a question set's questions and answers, are JSON columns, which SQLite and
PostgreSQL both support.

A change here is a change to every store already in use: it needs a migration in
``coprod_widgets/migrations/versions`` (and its name in ``schema_version.REVISIONS``), or old stores
meet tables they cannot hold. ``tests/test_migrations.py`` fails until both agree.
"""

from __future__ import annotations

import datetime as dt
import types
from enum import Enum, IntEnum
from typing import Union, get_args, get_origin

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from .records import RECORD_TYPES, Record

metadata = MetaData()


def _plain_type(annotation):
    """Strip ``X | None`` and ``Annotated[...]`` down to the underlying Python type."""
    if hasattr(annotation, "__metadata__"):
        return _plain_type(annotation.__origin__)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _plain_type(inner)
    if origin in (list, dict):
        return origin
    return annotation


def _column_type(annotation):
    python_type = _plain_type(annotation)
    if python_type in (list, dict):
        return JSON()
    if isinstance(python_type, type):
        if issubclass(python_type, IntEnum) or python_type is int:
            return Integer()
        if issubclass(python_type, Enum):
            return String(40)
        if python_type is bool:
            return Boolean()
        if python_type is dt.date:
            return Date()
    return Text()


def _foreign_key(cls: type[Record], field: str) -> ForeignKey | None:
    if field == "site_id":
        return ForeignKey("site.id")
    if field == "programme_id":
        return ForeignKey("programme.id")
    if field == "question_set_id":
        return ForeignKey("question_set.id")
    target = cls.references.get(field)
    if target and not field.endswith("_ids"):
        return ForeignKey(f"{target}.id")
    return None


def _table_for(cls: type[Record]) -> Table:
    columns = [Column("id", Integer, primary_key=True, autoincrement=True)]
    for name, info in cls.model_fields.items():
        if name == "id":
            continue
        key = _foreign_key(cls, name)
        nullable = not info.is_required() and info.default is None
        args = [name, _column_type(info.annotation)] + ([key] if key is not None else [])
        columns.append(Column(*args, nullable=nullable))
    if cls.kind == "site":  # see coprod_widgets.access: never read into records, never exported
        columns.append(Column("access_code_hash", String(200), nullable=True))
        columns.append(Column("access_lookup", String(64), nullable=True))
    table = Table(cls.kind, metadata, *columns)
    if cls.kind == "site":
        Index("ux_site_access_lookup", table.c.access_lookup, unique=True)
    if "site_id" in cls.model_fields:
        Index(f"ix_{cls.kind}_site", table.c.site_id)
    if cls.kind == "problem_framing":
        Index("ux_problem_framing_version", table.c.site_id, table.c.version, unique=True)
    if cls.kind == "question_response":
        Index("ix_question_response_set", table.c.question_set_id)
    if cls.kind == "survey_response":  # a response id once per survey: a later export adds only what is new
        Index("ux_survey_response_key", table.c.survey_id, table.c.response_key, unique=True)
    if cls.kind == "interview_code":  # a key names one code for good: coded passages point at it
        Index("ux_interview_code_key", table.c.key, unique=True)
    if cls.kind == "coding":  # a transcript's passages, in order, for the coding workbook
        Index("ix_coding_transcript", table.c.transcript_id, table.c.paragraph)
    return table


TABLES: dict[str, Table] = {kind: _table_for(cls) for kind, cls in RECORD_TYPES.items()}
#: The site table's columns that hold what is derived from its access code: no record field, never text to edit.
ACCESS_COLUMNS = ("access_code_hash", "access_lookup")

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", Text, nullable=False),  # not String(200): PostgreSQL would refuse a longer name, SQLite keeps it
    Column("action", String(10), nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("site_id", Integer, nullable=True),
    Column("old", JSON, nullable=True),
    Column("new", JSON, nullable=True),
    # The seal of the line before, and this line's own (coprod_widgets.audit): a chain that shows tampering.
    Column("prev_seal", String(64), nullable=False),
    Column("seal", String(64), nullable=False),
    Index("ix_history_record", "record_type", "record_id"),
    Index("ix_history_site", "site_id"),
)

# Access-code attempts, kept in the database so that reloading the page does not reset the slow-down.
access_attempt = Table(
    "access_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_access_attempt_at", "at"),
)

# Named values the store makes once and keeps (Store.secret), e.g. the key that makes export pseudonyms.
setting = Table(
    "setting",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
