"""A site's question set as plain data: what :mod:`.xlsform` reads from an XLSForm, and what is stored as JSON.

Only the standard library and :mod:`.expressions` are imported here, on purpose: the site app loads stored forms
from JSON when a page opens, and must not wait for pyxform, pandas, openpyxl or ipywidgets to load. Reading
spreadsheets lives in :mod:`coprod_widgets.questions.xlsform`.

The dataclasses are frozen and never mutated after they are built. Their ``dict`` fields are left out of the
hash, so questions and forms can still go in sets or be dictionary keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .expressions import Context, Expression, parse, truthy

SUPPORTED_TYPES = (
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "note",
    "range",
    "acknowledge",
    "calculate",
    "group",
    "repeat",
)
DEFAULT_LANGUAGE = "default"  # the key for a label written without ::language
CONTAINER_TYPES = ("group", "repeat")
NO_ANSWER_TYPES = ("group", "repeat", "note")
SELECT_TYPES = ("select_one", "select_multiple")
RANGE_DEFAULTS = {"start": 1.0, "end": 10.0, "step": 1.0}  # as ODK Collect
#: In a choice_filter a bare name is a column of the choice being tested (``region=${region}``). Expressions
#: only know ``${name}``, so bare names are rewritten to ``${__choice__.region}`` before parsing.
CHOICE_COLUMN_PREFIX = "__choice__."
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})
_CHOICE_FILTER_TOKEN = re.compile(
    r"""'[^']*'|"[^"]*"|\$\{[^}]*\}|\d+(?:\.\d*)?|\.\d+|(?P<name>[^\W\d][\w.-]*)(?P<call>\s*\()?"""
)


def _text_in(texts: Mapping[str, str], language: str, fallback: str) -> str:
    """The text in ``language``, else in ``fallback``, else in any language: a missing translation still shows."""
    for key in (language, fallback):
        if texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")


def _dict(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


@dataclass(frozen=True)
class Choice:
    """One row of the choices sheet. ``filters`` holds its other columns, which a ``choice_filter`` compares."""

    name: str
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    filters: dict[str, str] = field(default_factory=dict, hash=False)

    def label(self, language: str, fallback: str = DEFAULT_LANGUAGE) -> str:
        return _text_in(self.labels, language, fallback) or self.name

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "labels": dict(self.labels), "filters": dict(self.filters)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Choice:
        return cls(name=data["name"], labels=_dict(data.get("labels")), filters=_dict(data.get("filters")))


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet; a group or repeat holds the rows between its begin and end in ``children``.

    Expressions (``required``, ``constraint``, ``relevant``, ``calculation``, ``choice_filter``) are kept as the
    text written in the sheet, already checked to parse; ``""`` means none. ``row`` is the spreadsheet row
    (the header is row 1), so messages can send people back to the right line.
    """

    name: str
    type: str
    row: int
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    hints: dict[str, str] = field(default_factory=dict, hash=False)
    list_name: str | None = None
    required: str = ""
    required_messages: dict[str, str] = field(default_factory=dict, hash=False)
    constraint: str = ""
    constraint_messages: dict[str, str] = field(default_factory=dict, hash=False)
    relevant: str = ""
    calculation: str = ""
    default: str = ""
    read_only: bool = False
    choice_filter: str = ""
    parameters: dict[str, float] = field(default_factory=dict, hash=False)
    children: tuple[Question, ...] = ()

    def label(self, language: str, fallback: str = DEFAULT_LANGUAGE) -> str:
        """The label in ``language``; a question without any label is shown by its name rather than blank."""
        return _text_in(self.labels, language, fallback) or self.name

    def hint(self, language: str, fallback: str = DEFAULT_LANGUAGE) -> str:
        return _text_in(self.hints, language, fallback)

    @property
    def holds_answer(self) -> bool:
        return self.type not in NO_ANSWER_TYPES

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "row": self.row,
            "labels": dict(self.labels),
            "hints": dict(self.hints),
            "list_name": self.list_name,
            "required": self.required,
            "required_messages": dict(self.required_messages),
            "constraint": self.constraint,
            "constraint_messages": dict(self.constraint_messages),
            "relevant": self.relevant,
            "calculation": self.calculation,
            "default": self.default,
            "read_only": self.read_only,
            "choice_filter": self.choice_filter,
            "parameters": {key: float(value) for key, value in self.parameters.items()},
            "children": [child.to_json() for child in self.children],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            name=data["name"],
            type=data["type"],
            row=int(data["row"]),
            labels=_dict(data.get("labels")),
            hints=_dict(data.get("hints")),
            list_name=data.get("list_name"),
            required=data.get("required", ""),
            required_messages=_dict(data.get("required_messages")),
            constraint=data.get("constraint", ""),
            constraint_messages=_dict(data.get("constraint_messages")),
            relevant=data.get("relevant", ""),
            calculation=data.get("calculation", ""),
            default=data.get("default", ""),
            read_only=bool(data.get("read_only", False)),
            choice_filter=data.get("choice_filter", ""),
            parameters={key: float(value) for key, value in _dict(data.get("parameters")).items()},
            children=tuple(cls.from_json(child) for child in data.get("children", ())),
        )


def _walk(questions: tuple[Question, ...], prefix: str) -> Iterator[tuple[str, Question]]:
    for question in questions:
        path = f"{prefix}{question.name}"
        yield path, question
        yield from _walk(question.children, f"{path}/")


@dataclass(frozen=True)
class FormDefinition:
    """A whole question set: its questions in sheet order, its choice lists, and its languages."""

    title: str
    form_id: str
    form_version: str
    languages: tuple[str, ...]
    default_language: str
    questions: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict, hash=False)
    ignored: tuple[str, ...] = ()

    def walk(self) -> Iterator[tuple[str, Question]]:
        """Every question depth first with its path: ``name`` at the top, ``group/name`` inside a group."""
        return _walk(self.questions, "")

    def answerable(self) -> Iterator[tuple[str, Question]]:
        """The questions that hold an answer: no groups, repeats or notes (calculate and acknowledge do)."""
        return ((path, question) for path, question in self.walk() if question.holds_answer)

    def question(self, path: str) -> Question:
        for candidate, question in self.walk():
            if candidate == path:
                return question
        raise KeyError(f"There is no question {path!r} in the form {self.title!r}.")

    def to_json(self) -> dict[str, Any]:
        """Only str, int, float, bool, None, list and dict, in a fixed key order, so stored copies compare."""
        return {
            "title": self.title,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "languages": list(self.languages),
            "default_language": self.default_language,
            "questions": [question.to_json() for question in self.questions],
            "choices": {
                list_name: [choice.to_json() for choice in choices] for list_name, choices in self.choices.items()
            },
            "ignored": list(self.ignored),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormDefinition:
        """The exact inverse of :meth:`to_json`: ``from_json(form.to_json()) == form``."""
        return cls(
            title=data["title"],
            form_id=data["form_id"],
            form_version=data.get("form_version", ""),
            languages=tuple(data.get("languages", (DEFAULT_LANGUAGE,))),
            default_language=data.get("default_language", DEFAULT_LANGUAGE),
            questions=tuple(Question.from_json(question) for question in data["questions"]),
            choices={
                list_name: tuple(Choice.from_json(choice) for choice in choices)
                for list_name, choices in _dict(data.get("choices")).items()
            },
            ignored=tuple(data.get("ignored", ())),
        )


# ---------------------------------------------------------------------------------------------------------
# choice_filter: which choices of a select to offer, given the answers so far


def choice_filter_source(text: str) -> str:
    """The choice_filter with each bare name (a choice column) written as ``${__choice__.name}`` for parse()."""

    def rewrite(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None or match.group("call") or name in _WORD_OPERATORS:
            return match.group()
        return f"${{{CHOICE_COLUMN_PREFIX}{name}}}"

    return _CHOICE_FILTER_TOKEN.sub(rewrite, text)


def choice_filter_expression(text: str) -> Expression:
    """The parsed choice_filter; raises ExpressionError as parse() does."""
    return parse(choice_filter_source(text))


def choice_columns(expression: Expression) -> frozenset[str]:
    """The choice columns a rewritten choice_filter compares (its bare names)."""
    prefix = CHOICE_COLUMN_PREFIX
    return frozenset(name.removeprefix(prefix) for name in expression.references() if name.startswith(prefix))


def question_references(expression: Expression) -> frozenset[str]:
    """The questions (``${name}``) an expression uses, leaving out a choice_filter's choice columns."""
    return frozenset(name for name in expression.references() if not name.startswith(CHOICE_COLUMN_PREFIX))


def offered_choices(
    form: FormDefinition, question: Question, values: Mapping[str, Any], today: dt.date | None = None
) -> tuple[Choice, ...]:
    """The choices of a select that pass its choice_filter for these answers (all of them without a filter).

    In the filter ``name`` is the choice's name and any other bare name one of its columns (``filters``).
    """
    choices = form.choices.get(question.list_name or "", ())
    if not question.choice_filter:
        return choices
    expression = choice_filter_expression(question.choice_filter)
    return tuple(choice for choice in choices if truthy(expression.evaluate(_choice_context(choice, values, today))))


def _choice_context(choice: Choice, values: Mapping[str, Any], today: dt.date | None) -> Context:
    columns = {"name": choice.name, **choice.filters}
    return Context(
        values={**values, **{f"{CHOICE_COLUMN_PREFIX}{key}": value for key, value in columns.items()}}, today=today
    )
