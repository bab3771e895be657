"""De-identification: which text leaves a de-identified export, and stable pseudonyms for partners.

The lists below are the one place where the decision is written down. A text field that is in none
of them (one added to the model later) counts as free text and is dropped until someone decides
otherwise: failing safe matters more here than keeping a column.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import types
from collections.abc import Callable
from typing import Union, get_args, get_origin

from ..records import RECORD_TYPES
from ..schema import _plain_type

#: Text that describes the programme or a site rather than a person: kept in de-identified exports.
KEPT_TEXT: dict[str, tuple[str, ...]] = {
    "programme": ("name",),
    "site": ("name", "service_issue"),
    "question_set": ("name", "source", "checksum", "definition"),
    "survey": ("name", "tool", "mapping"),
    "survey_import": ("checksum", "mapping"),
    "transcript": ("checksum", "file_format"),
    "interview_code": ("key", "name", "definition", "example", "parent", "guid"),
    "coding": ("codes",),
    "code_memo": ("code_key",),
}

#: Partners' names: replaced by the partner's pseudonym.
NAME_FIELDS: dict[str, tuple[str, ...]] = {"partner": ("display_name",)}

#: Free text: dropped from de-identified exports unless ``keep_text``. Anyone may have typed a name,
#: an organisation or a story that identifies someone into these.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "programme": ("description",),
    "partner": ("organisation", "connections"),
    "activity": ("title", "access_adjustments", "partners_got_back"),
    "problem_framing": ("statement", "how_identified"),
    "non_negotiable": ("statement", "reason"),
    "starting_idea": ("idea",),
    "expectation": ("milestone",),
    "evidence_plan": ("question", "indicator", "data_source", "collected_by"),
    "outcome": ("description", "who_changed", "evidence_source"),
    "decision": ("what", "options_considered", "feedback", "why_no_change"),
    "question_response": ("answers",),
    "survey_import": ("file_name", "unreadable_rows"),
    "survey_response": ("response_key", "answers", "identifiers"),
    "transcript": ("title", "file_name", "paragraphs"),
    "coding": ("coder", "memo"),
    "code_memo": ("text", "written_by"),
}

#: Names and e-mail addresses from survey exports: never in a de-identified export, even with ``keep_text``.
NEVER_DEIDENTIFIED: dict[str, tuple[str, ...]] = {"survey_response": ("identifiers",)}

#: Answers to a site's own questions that are not free text, by XLSForm type: kept in de-identified exports.
#: Every other type (text, and any added later) counts as written text and is left out unless ``keep_text``;
#: a calculation only when it worked out a number (one that joins answers together could repeat written text).
KEPT_ANSWER_TYPES = ("integer", "decimal", "range", "date", "select_one", "select_multiple", "acknowledge")

#: The setting (see ``Store.secret``) holding this store's pseudonym key.
PSEUDONYM_KEY_SETTING = "export_pseudonym_key"
PSEUDONYM_PREFIX = "P-"
#: Crockford's base 32: digits and capitals without I, L, O and U, so pseudonyms read aloud cleanly.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PSEUDONYM_LENGTH = 8  # 40 bits: a clash among a programme's partners is vanishingly unlikely, and checked


def holds_text(annotation) -> bool:
    """Whether a field can hold text someone wrote: text, a set of answers (dict), or a list of anything but
    record numbers (a transcript's paragraphs, a coding's code keys)."""
    plain = _plain_type(annotation)
    if plain is list:
        return get_args(_bare(annotation)) != (int,)
    return plain in (str, dict)


def _bare(annotation):
    """``X | None`` without the None, so a list's item type can be read."""
    if get_origin(annotation) in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(annotation) if arg is not type(None)]
        return inner
    return annotation


def is_free_text(kind: str, field: str) -> bool:
    """Whether a field is free text: any text field that is neither kept (KEPT_TEXT) nor a name (NAME_FIELDS)."""
    info = RECORD_TYPES[kind].model_fields.get(field)
    if info is None or not holds_text(info.annotation):
        return False
    return field not in KEPT_TEXT.get(kind, ()) and field not in NAME_FIELDS.get(kind, ())


def is_free_text_answer(question_type: str, value: str) -> bool:
    """Whether an answer (as text) is free text: any type not in KEPT_ANSWER_TYPES, bar numeric calculations."""
    if question_type in KEPT_ANSWER_TYPES:
        return False
    if question_type == "calculate":
        try:
            return not math.isfinite(float(value))
        except ValueError:
            return True
    return True


def partner_fields(kind: str) -> tuple[str, ...]:
    """The fields of a record type that hold partner record numbers (a partner's own ``id`` included)."""
    cls = RECORD_TYPES[kind]
    own = ("id",) if kind == "partner" else ()
    return own + tuple(field for field, target in cls.references.items() if target == "partner")


class Pseudonyms:
    """Partner record number to pseudonym: HMAC-SHA256 keyed with a random secret kept in the store.

    Stable for a store (the key is made once and kept), different between stores, and not
    reversible without the key. Every pseudonym handed out is remembered so that a clash is caught.
    """

    def __init__(self, key: str):
        self._key = key.encode("utf-8")
        self._given: dict[str, int] = {}

    def __call__(self, partner_id: int) -> str:
        digest = hmac.new(self._key, str(partner_id).encode("ascii"), hashlib.sha256).digest()
        number = int.from_bytes(digest, "big") >> (256 - 5 * _PSEUDONYM_LENGTH)
        letters = (_ALPHABET[(number >> (5 * place)) & 31] for place in reversed(range(_PSEUDONYM_LENGTH)))
        pseudonym = PSEUDONYM_PREFIX + "".join(letters)
        if self._given.setdefault(pseudonym, partner_id) != partner_id:
            raise RuntimeError("Two partners were given the same pseudonym; please report this.")
        return pseudonym


def pseudonymise(kind: str, values: dict, pseudonym: Callable[[int], str]) -> dict:
    """A record's values with every partner reference (and a partner's name) replaced by a pseudonym."""
    out = dict(values)
    for field in partner_fields(kind):
        value = out[field]
        if isinstance(value, list):
            out[field] = [pseudonym(item) for item in value]
        elif value is not None:
            out[field] = pseudonym(value)
    for field in NAME_FIELDS.get(kind, ()):
        out[field] = out["id"]
    return out
