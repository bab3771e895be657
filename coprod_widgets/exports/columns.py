"""One exported column: what it holds, how its cells are written, and how they are read back.

The same :class:`Column` feeds the data files, the data dictionary and :func:`read_export`, and a
column can be rebuilt from its dictionary row, so a file read back is decoded exactly as it was written.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import Enum, IntEnum

from ..choices import LEARNING_POINTS
from ..problems import _bounds
from ..records import RECORD_TYPES, Record
from ..schema import _plain_type
from .deidentify import NAME_FIELDS, NEVER_DEIDENTIFIED, is_free_text, partner_fields

# Field types, as the data dictionary names them.
TEXT, NOTES, INTEGER, DATE, YES_NO, DROPDOWN = "text", "notes", "integer", "date", "yes/no", "dropdown"
RECORD_NUMBER, RECORD_NUMBERS = "record number", "list of record numbers"
PSEUDONYM, PSEUDONYMS = "pseudonymous id", "list of pseudonymous ids"
COUNT = "count"
#: The table of answers to the sites' own questions, one row per answer (derived: read_export skips it).
ANSWERS = "answers"
SURVEY_ANSWERS = "survey_answers"
#: How a count hidden by complementary suppression is written (a small one may be written "<5").
HIDDEN_COUNT = "hidden"
#: A question set's questions, or a set of answers: one JSON object per cell (the tidy answers table is easier).
JSON_TEXT = "JSON"
FIELD_TYPES = (
    TEXT,
    NOTES,
    INTEGER,
    DATE,
    YES_NO,
    DROPDOWN,
    RECORD_NUMBER,
    RECORD_NUMBERS,
    PSEUDONYM,
    PSEUDONYMS,
    COUNT,
    JSON_TEXT,
)

LIST_SEPARATOR = ";"
YES_NO_CHOICES = (("1", "Yes"), ("0", "No"))
#: Text up to this many characters is one line ("text"); longer allowances are "notes".
SHORT_TEXT = 200


@dataclass(frozen=True)
class Column:
    """One column of one exported table (a record type or a table of counts)."""

    table: str
    field: str
    title: str
    type: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    note: str = ""
    minimum: int | None = None
    maximum: int | None = None
    identifier: bool = False

    def heading(self, labels: bool) -> str:
        return self.title if labels else self.field

    def cell(self, value: object, *, labels: bool, dates_as_text: bool) -> object:
        """What to write for a stored value: codes or labels, ``3;5;9`` for lists, ``None`` for an empty cell."""
        if value is None or (isinstance(value, str | list) and not value):
            return None
        if self.type == JSON_TEXT and not value:
            return "{}"
        if self.type in (RECORD_NUMBERS, PSEUDONYMS):
            return LIST_SEPARATOR.join(str(item) for item in value)
        if self.type == YES_NO:
            return ("Yes" if value else "No") if labels else int(bool(value))
        if isinstance(value, Enum):
            return value.label if labels else value.value
        if self.type == DATE and dates_as_text:
            return value.isoformat()
        if self.type == JSON_TEXT:
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return value

    def value(self, cell: object) -> object:
        """The stored value for a cell read back (already un-neutralised): the inverse of :meth:`cell`."""
        if cell is None or cell == "":
            return "" if self.type in (TEXT, NOTES) else [] if self.type in (RECORD_NUMBERS, PSEUDONYMS) else None
        if self.type in (RECORD_NUMBERS, PSEUDONYMS):
            parts = [part.strip() for part in str(cell).split(LIST_SEPARATOR)]
            return [_whole(part, self.title) for part in parts] if self.type == RECORD_NUMBERS else parts
        if self.type == YES_NO:
            return self._code(cell) == "1"
        if self.type == DROPDOWN:
            code = self._code(cell)
            return int(code) if all(c.isdigit() for c, _label in self.choices) else code
        if self.type == DATE:
            return _date(cell, self.title)
        if self.type in (INTEGER, RECORD_NUMBER):
            return _whole(cell, self.title)
        if self.type == COUNT:
            hidden = isinstance(cell, str) and (cell.startswith("<") or cell == HIDDEN_COUNT)
            return cell if hidden else _whole(cell, self.title)
        if self.type == JSON_TEXT:
            return _json(cell, self.title)
        return str(cell)

    def _code(self, cell: object) -> str:
        text = ("1" if cell else "0") if isinstance(cell, bool) else str(cell).strip()
        for code, label in self.choices:
            if text in (code, label) or text.casefold() == label.casefold():
                return code
        allowed = " | ".join(f"{code}, {label}" for code, label in self.choices)
        raise ValueError(f"{self.title}: {cell!r} is not one of the allowed values ({allowed})")


@dataclass
class Table:
    """One exported table: its columns and its rows of stored (not yet written) values."""

    name: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)


def _whole(cell: object, title: str) -> int:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    try:
        return int(cell)
    except (TypeError, ValueError):
        raise ValueError(f"{title}: {cell!r} is not a whole number") from None


def _json(cell: object, title: str) -> dict | list:
    """A set of answers ({...}) or a list ([...], a transcript's paragraphs); the record checks which it wants."""
    try:
        value = json.loads(str(cell))
    except ValueError:
        raise ValueError(f"{title}: {str(cell)[:60]!r} is not a JSON object") from None
    if not isinstance(value, dict | list):
        raise ValueError(f"{title}: expected a JSON object, {{...}}, or a list, [...]")
    return value


def _date(cell: object, title: str) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    try:
        return dt.date.fromisoformat(str(cell).strip())
    except ValueError:
        raise ValueError(f"{title}: {cell!r} is not a date written as YYYY-MM-DD") from None


def choices_of(enum: type[Enum]) -> tuple[tuple[str, str], ...]:
    return tuple((str(member.value), member.label) for member in enum)


def _max_length(info) -> int | None:
    return next((meta.max_length for meta in info.metadata if getattr(meta, "max_length", None)), None)


def model_column(cls: type[Record], name: str, *, table: str | None = None, deidentify: bool = False) -> Column:
    """The column for one field of a record type, described from the pydantic model."""
    info = cls.model_fields[name]
    python_type = _plain_type(info.annotation)
    base = {"table": table or cls.kind, "field": name, "title": info.title or name, "required": info.is_required()}
    target = "site" if name == "site_id" else "programme" if name == "programme_id" else cls.references.get(name)
    pseudonymous = deidentify and name in partner_fields(cls.kind)
    if name == "id":
        if pseudonymous:
            return Column(**base, type=PSEUDONYM, note=PSEUDONYM_NOTE)
        return Column(**base, type=RECORD_NUMBER, note="the record's number in the store; other records link to it")
    if target:
        link = f"links to the id column of {target}"
        if python_type is list:
            kind, items = (PSEUDONYMS, "pseudonyms") if pseudonymous else (RECORD_NUMBERS, "record numbers")
            return Column(**base, type=kind, note=f"{items} separated by ';', each {link}")
        return Column(**base, type=PSEUDONYM if pseudonymous else RECORD_NUMBER, note=link)
    if isinstance(python_type, type) and issubclass(python_type, Enum):
        note = "the Ladder of Co-production, 1 (lowest) to 7" if issubclass(python_type, IntEnum) else ""
        return Column(**base, type=DROPDOWN, choices=choices_of(python_type), note=note)
    if python_type in (dict, list):  # a set of answers, a transcript's paragraphs, a coding's code keys
        if is_free_text(cls.kind, name):
            what = "answers as typed" if python_type is dict else "text as written"
            return Column(**base, type=JSON_TEXT, note=f"{what}, as JSON: may name people", identifier=True)
        return Column(**base, type=JSON_TEXT, note="as JSON")
    if python_type is bool:
        return Column(**base, type=YES_NO, choices=YES_NO_CHOICES)
    if python_type is dt.date:
        return Column(**base, type=DATE, note="YYYY-MM-DD")
    if python_type is int:
        low, high = _bounds(cls, name)
        note = f"{LEARNING_POINTS[name]}: 1 = not at all, 5 = fully" if name in LEARNING_POINTS else ""
        return Column(**base, type=INTEGER, minimum=low, maximum=high, note=note)
    if name in NAME_FIELDS.get(cls.kind, ()):
        if deidentify:
            return Column(**base, type=PSEUDONYM, note="the partner's pseudonym (the same as id); " + PSEUDONYM_NOTE)
        return Column(**base, type=TEXT, note="names a person", identifier=True)
    short = (_max_length(info) or SHORT_TEXT + 1) <= SHORT_TEXT
    if is_free_text(cls.kind, name):
        return Column(**base, type=TEXT if short else NOTES, note="free text: may name people", identifier=True)
    return Column(**base, type=TEXT if short else NOTES)


PSEUDONYM_NOTE = (
    "pseudonym in place of the partner's record number: the same partner has the same pseudonym in every "
    "de-identified export of this store; it cannot be turned back into the partner without the store"
)


def record_columns(kind: str, *, deidentify: bool, keep_text: bool) -> list[Column]:
    """The exported columns of one record type: every field, less free text when de-identifying."""
    cls = RECORD_TYPES[kind]
    dropped = deidentify and not keep_text
    never = NEVER_DEIDENTIFIED.get(kind, ()) if deidentify else ()
    return [
        model_column(cls, name, deidentify=deidentify)
        for name in cls.model_fields
        if not (dropped and is_free_text(kind, name)) and name not in never
    ]
