"""Turning validation failures into plain-English messages that name the field and say what to do.

Every entry point (forms, CLI, Python API, imports) reports problems through
:class:`RecordInvalid`, so people see the same wording wherever they type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, get_args

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field. ``field`` is the attribute name; ``message`` is for people."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class RecordInvalid(ValueError):
    """A record was refused; nothing was saved. ``problems`` lists each field at fault."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))

    def for_field(self, field: str) -> list[str]:
        return [p.message for p in self.problems if p.field == field]


def with_article(noun: str) -> str:
    """ "an outcome", "a partner": the article by the first letter, which is right for every record's noun."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def field_label(model: type[BaseModel], field: str) -> str:
    info = model.model_fields.get(field)
    if info is not None and info.title:
        return info.title
    return field.replace("_", " ").capitalize()


def _enum_of(model: type[BaseModel], field: str) -> type[Enum] | None:
    info = model.model_fields.get(field)
    if info is None:
        return None
    for candidate in (info.annotation, *get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


def _bounds(model: type[BaseModel], field: str) -> tuple[object, object]:
    low = high = None
    info = model.model_fields.get(field)
    if info is None:
        return low, high
    nested = [m for arg in get_args(info.annotation) for m in getattr(arg, "__metadata__", ())]
    flat = [inner for m in [*info.metadata, *nested] for inner in getattr(m, "metadata", [m])]
    for meta in flat:
        low = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else low
        high = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else high
    return low, high


def _choice_message(label: str, enum: type[Enum], given: object) -> str:
    if issubclass(enum, IntEnum):
        values = [member.value for member in enum]
        return (
            f"{label} must be a whole number from {min(values)} to {max(values)}; "
            f"you entered {given!r}. Choose one of the steps listed."
        )
    names = ", ".join(getattr(member, "label", member.value) for member in enum)
    return f"{label} must be one of: {names}. Choose one from the list."


#: How much of a refused value a message repeats: enough to recognise it, not a pasted page.
SHOWN_INPUT = 60


class _Shown:
    """A refused value as a message shows it: its repr, cut short with an ellipsis when long."""

    def __init__(self, value):
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= SHOWN_INPUT else text[: SHOWN_INPUT - 1] + "…"


def _message(model: type[BaseModel], error: dict) -> tuple[str, str]:
    loc = error.get("loc") or ("",)
    field = str(loc[0])
    label = field_label(model, field)
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if given is not None:
        given = _Shown(given)
    if kind == "missing" or (given is None and kind not in {"extra_forbidden"}):
        return field, f"{label} is required: please fill it in."
    if kind == "string_too_short":
        return field, f"{label} is empty: please type it in."
    if kind == "string_too_long":
        return field, f"{label} is too long: keep it under {ctx.get('max_length')} characters."
    if kind == "enum":
        enum = _enum_of(model, field)
        if enum is not None:
            return field, _choice_message(label, enum, given)
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        low, high = _bounds(model, field)
        if low is not None and high is not None:
            return field, f"{label} must be from {low} to {high}; you entered {given!r}."
        if low is not None:
            return field, f"{label} must be {low} or more; you entered {given!r}."
        return field, f"{label} must be {high} or less; you entered {given!r}."
    if kind.startswith("int_") or kind in {"int_from_float", "finite_number"}:
        return field, f"{label} must be a whole number, like 3; you entered {given!r}."
    if kind.startswith("date") or kind.startswith("datetime"):
        return field, (
            f"{label} must be a real date, written as day/month/year like 31/03/2015 (or 2015-03-31); "
            f"you entered {given!r}."
        )
    if kind.startswith("bool"):
        return field, f"{label} must be yes or no; you entered {given!r}."
    if kind.startswith("list") or kind.startswith("iterable"):
        return field, f"{label} must be a list; choose the entries from the list offered."
    if kind.startswith("dict") or kind.startswith("mapping"):
        return field, f'{label} must be names with their values, like {{"visits": 3}}; you entered {given!r}.'
    if kind == "extra_forbidden":
        noun = with_article(getattr(model, "noun", "record").lower())
        return field, f"'{field}' is not something {noun} records: remove it."
    if kind == "string_pattern_mismatch":
        return field, f"{label} contains a hidden control character (often from copying and pasting): retype it."
    if kind.startswith("string"):
        return field, f"{label} must be text; you entered {given!r}."
    return field, f"{label}: {error.get('msg', 'this value was not accepted')}."


def translate(model: type[BaseModel], exc: ValidationError) -> RecordInvalid:
    """One plain-English problem per pydantic error, the first per field only (one fix at a time)."""
    problems: dict[str, FieldProblem] = {}
    for error in exc.errors(include_url=False):
        field, message = _message(model, error)
        problems.setdefault(field, FieldProblem(field, message))
    return RecordInvalid(list(problems.values()))
