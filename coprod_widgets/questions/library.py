"""The question sets a store holds: adding a form as a new version, and finding what a site may answer.

A set belongs to one site or to the whole programme (the common core every site answers). Adding a form
whose questions are unchanged adds nothing; a changed form becomes the next version, and earlier versions
stay, because answers keep the version they were given under.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from ..records import QuestionSet
from ..schema import TABLES
from .form import FormDefinition

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class Added:
    """What adding a form did: the version now current, and whether it is new."""

    question_set: QuestionSet
    new: bool
    previous: QuestionSet | None


def checksum(definition: dict) -> str:
    """SHA-256 of the questions as stored, independent of key order: unchanged questions, same checksum."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def readable_definition(definition: dict) -> str | None:
    """What stops a stored definition from loading as a form (None: it loads), so no site app meets a broken one."""
    try:
        form = FormDefinition.from_json(definition)
    except Exception as exc:  # anything from_json cannot read is simply not a form, whatever the reason
        return f"not a form coprod wrote ({type(exc).__name__}: {str(exc)[:80]})"
    if not any(True for _ in form.answerable()):
        return "the form has no questions to answer"
    return None


def add_form(
    store: Store,
    form: FormDefinition,
    *,
    name: str,
    source: str,
    site_id: int | None,
    who: str,
    conn: Connection | None = None,
) -> Added:
    """Store ``form`` as the next version of ``name`` (for ``site_id``, or the programme), unless unchanged.

    ``conn``: a write transaction already open (``store.writing()``), to add the set with other changes.
    """
    if conn is None:
        with store.writing() as conn:
            return add_form(store, form, name=name, source=source, site_id=site_id, who=who, conn=conn)
    definition = form.to_json()
    digest = checksum(definition)
    previous = _latest(conn, site_id, name)
    if previous is not None and previous.checksum == digest:
        return Added(previous, new=False, previous=previous)
    version = 1 if previous is None else previous.version + 1
    record = store.add(
        "question_set",
        {
            "site_id": site_id,
            "name": name,
            "version": version,
            "source": source,
            "checksum": digest,
            "definition": definition,
            "added": dt.date.today(),
        },
        who=who,
        conn=conn,
    )
    return Added(record, new=True, previous=previous)


def question_sets(store: Store, site_id: int | None = None, every_version: bool = False) -> list[QuestionSet]:
    """The sets ``site_id`` answers (the programme's and its own; None: every set), newest version of each.

    Ordered programme's first, then by name; ``every_version`` keeps older versions too, oldest first.
    """
    table = TABLES["question_set"]
    query = select(table)
    if site_id is not None:
        query = query.where((table.c.site_id.is_(None)) | (table.c.site_id == site_id))
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.id)).all()
    found = [_record(row) for row in rows]
    if not every_version:
        newest: dict[tuple[int | None, str], QuestionSet] = {}
        for item in found:
            key = (item.site_id, item.name.casefold())
            if key not in newest or newest[key].version < item.version:
                newest[key] = item
        found = list(newest.values())
    found.sort(key=lambda q: (q.site_id is not None, q.site_id or 0, q.name.casefold(), q.version))
    return found


def form_of(question_set: QuestionSet) -> FormDefinition:
    return FormDefinition.from_json(question_set.definition)


def _record(row) -> QuestionSet:
    return QuestionSet.model_validate(dict(row._mapping))


def _latest(conn: Connection, site_id: int | None, name: str) -> QuestionSet | None:
    table = TABLES["question_set"]
    where = table.c.site_id.is_(None) if site_id is None else table.c.site_id == site_id
    rows = conn.execute(select(table).where(where).order_by(table.c.version.desc())).all()
    for row in rows:
        if row.name.casefold() == name.strip().casefold():
            return _record(row)
    return None
