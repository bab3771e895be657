"""Answers to a question set: what a saved set of answers holds, and the checks every save passes.

Answers are one JSON object per response: a question's name maps to its answer, wherever the question sits
in groups (XLSForm names are unique across a form); a repeat's name maps to a list of such objects, one
per time it was filled in. Stored values are JSON: text and single choices as strings, several choices as
a list of choice names, whole numbers and decimals as numbers, dates as ``YYYY-MM-DD``, an acknowledgement
as ``"OK"``. A question left unanswered is left out.

The same checks run in the site app (so people see them as they type) and in the store (so no path can save
answers the form forbids): types, choices, ranges, ``required``, ``constraint`` and ``relevant``. Before
saving, :func:`complete` clears answers to questions that no longer apply and works out calculations, as
ODK Collect does.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..problems import FieldProblem
from .expressions import Context, ExpressionError, parse, truthy
from .form import FormDefinition, Question, offered_choices

#: Field names of answer problems: ``answers.NAME``, or ``answers.REPEAT.2.NAME`` inside a repeat.
FIELD_PREFIX = "answers"
MAX_TEXT = 4000
MAX_REPEATS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTAINERS = ("group", "repeat")


def answer_problems(questions: Any, answers: Mapping[str, Any], today: dt.date | None = None) -> Iterator[FieldProblem]:
    """Every problem with ``answers`` to a stored question set (a QuestionSet record), one per question."""
    form = FormDefinition.from_json(questions.definition)
    yield from check_answers(form, answers, today=today)


def check_answers(
    form: FormDefinition, answers: Mapping[str, Any], today: dt.date | None = None
) -> Iterator[FieldProblem]:
    """Problems with ``answers`` to ``form``: unknown names first, then each question in form order."""
    if not isinstance(answers, Mapping):
        yield FieldProblem(FIELD_PREFIX, "Answers: expected each question's name with its answer.")
        return
    known = _names(form.questions)
    for name in answers:
        if name not in known:
            yield FieldProblem(
                f"{FIELD_PREFIX}.{name}", f"Answers: {name!r} is not a question in {form.title!r}. Leave it out."
            )
    yield from _check_level(form, form.questions, answers, dict(answers), today, prefix=FIELD_PREFIX)


def complete(form: FormDefinition, answers: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The answers as they should be saved: irrelevant ones cleared, calculations worked out, blanks left out."""
    return _complete_level(form, form.questions, dict(answers), dict(answers), today)


def is_relevant(question: Question, values: Mapping[str, Any], today: dt.date | None = None) -> bool:
    """Whether the question applies, given the answers so far (its ``relevant`` expression; none: always)."""
    if not question.relevant:
        return True
    return truthy(_evaluate(question.relevant, values, None, today))


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def calculate(question: Question, values: Mapping[str, Any], today: dt.date | None = None) -> Any:
    """A calculate question's value from the answers so far; "" when it cannot be worked out."""
    try:
        value = _evaluate(question.calculation, values, None, today)
    except ExpressionError:
        return ""
    return _json_value(value)


def _names(questions: tuple[Question, ...]) -> set[str]:
    """Names an answers object may hold at the top level: questions in groups, and repeats themselves."""
    names: set[str] = set()
    for question in questions:
        if question.type == "group":
            names |= _names(question.children)
        elif question.type != "note":
            names.add(question.name)
    return names


def _check_level(
    form: FormDefinition,
    questions: tuple[Question, ...],
    answers: Mapping[str, Any],
    values: dict[str, Any],
    today: dt.date | None,
    prefix: str,
) -> Iterator[FieldProblem]:
    for question in questions:
        field = f"{prefix}.{question.name}"
        applies = is_relevant(question, values, today)
        if question.type == "group":
            if applies:
                yield from _check_level(form, question.children, answers, values, today, prefix)
            else:
                yield from _not_applicable(form, question.children, answers, prefix)
            continue
        value = answers.get(question.name)
        if question.type == "note" or is_blank(value):
            if question.type not in ("note", "calculate") and applies and _required(question, values, today):
                yield FieldProblem(field, _required_message(form, question))
            continue
        if not applies:
            yield FieldProblem(
                field, f"{_label(form, question)}: this question does not apply to the answers given. Clear it."
            )
            continue
        if question.type == "repeat":
            yield from _check_repeat(form, question, value, values, today, field)
            continue
        problem = _type_problem(form, question, value, values, today)
        if problem:
            yield FieldProblem(field, f"{_label(form, question)}: {problem}")
        elif question.constraint and not _meets_constraint(question, value, values, today):
            yield FieldProblem(field, _constraint_message(form, question))


def _check_repeat(form, question: Question, value: Any, values, today, field: str) -> Iterator[FieldProblem]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        yield FieldProblem(field, f"{_label(form, question)}: expected a list, one entry each time it is filled in.")
        return
    if len(value) > MAX_REPEATS:
        yield FieldProblem(field, f"{_label(form, question)}: at most {MAX_REPEATS} entries; split them up.")
        return
    allowed = _names(question.children)
    for number, item in enumerate(value, start=1):
        where = f"{field}.{number}"
        for name in item:
            if name not in allowed:
                yield FieldProblem(f"{where}.{name}", f"{_label(form, question)} {number}: {name!r} is not asked here.")
        yield from _check_level(form, question.children, item, {**values, **item}, today, where)


def _not_applicable(form, questions: tuple[Question, ...], answers: Mapping[str, Any], prefix: str):
    for question in questions:
        if question.type == "group":
            yield from _not_applicable(form, question.children, answers, prefix)
        elif not is_blank(answers.get(question.name)) and question.type != "note":
            yield FieldProblem(
                f"{prefix}.{question.name}",
                f"{_label(form, question)}: this question does not apply to the answers given. Clear it.",
            )


def _complete_level(form, questions, answers: dict[str, Any], values: dict[str, Any], today) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for question in questions:
        applies = is_relevant(question, values, today)
        if question.type == "group":
            if applies:
                kept.update(_complete_level(form, question.children, answers, values, today))
            continue
        if not applies or question.type == "note":
            values.pop(question.name, None)
            continue
        if question.type == "calculate":
            value = calculate(question, values, today)
            values[question.name] = value
        elif question.type == "repeat":
            items = answers.get(question.name) or []
            value = [
                _complete_level(form, question.children, dict(item), {**values, **item}, today)
                for item in items
                if isinstance(item, Mapping)
            ]
        else:
            value = answers.get(question.name)
        if not is_blank(value):
            kept[question.name] = value
    return kept


def _type_problem(form: FormDefinition, question: Question, value: Any, values, today) -> str | None:
    """What is wrong with the value for this type of question, in words; None when it is fine."""
    kind = question.type
    if kind in ("text", "calculate"):
        if kind == "calculate" and isinstance(value, int | float) and not isinstance(value, bool):
            return None
        if not isinstance(value, str):
            return "expected text."
        if len(value) > MAX_TEXT:
            return f"at most {MAX_TEXT} characters; shorten it."
        if _CONTROL.search(value):
            return "remove the control characters from the text."
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "enter a whole number."
        return None if abs(value) < 10**15 else "the number is too large."
    if kind in ("decimal", "range"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return "enter a number."
        if abs(value) >= 10**15:
            return "the number is too large."
        return _range_problem(question, value) if kind == "range" else None
    if kind == "date":
        return _date_problem(value)
    if kind == "select_one":
        if not isinstance(value, str):
            return "choose one of the options."
        offered = _choice_names(form, question, values, today)
        return None if value in offered else f"{_cut(value)!r} is not one of the options; choose one of them."
    if kind == "select_multiple":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return "choose from the options."
        unknown = [item for item in value if item not in _choice_names(form, question, values, today)]
        if unknown:
            return f"{_cut(unknown[0])!r} is not one of the options; choose from them."
        return "each option once." if len(set(value)) != len(value) else None
    if kind == "acknowledge":
        return None if value == "OK" else "tick it to acknowledge, or leave it blank."
    return f"a {kind} question takes no answer."


def _range_problem(question: Question, value: float) -> str | None:
    start = question.parameters.get("start", 1.0)
    end = question.parameters.get("end", 10.0)
    step = question.parameters.get("step", 1.0)
    if not start <= value <= end:
        return f"choose a value from {_number(start)} to {_number(end)}."
    steps = (value - start) / step
    if abs(steps - round(steps)) > 1e-9:
        return f"choose a value in steps of {_number(step)} from {_number(start)}."
    return None


def _date_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "enter a date as YYYY-MM-DD."
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date; enter it as YYYY-MM-DD."
    return None if len(value) == 10 else "enter a date as YYYY-MM-DD."


def _choice_names(form: FormDefinition, question: Question, values: Mapping[str, Any], today) -> set[str]:
    """The choices on offer given the other answers (a choice_filter narrows them)."""
    if question.choice_filter:
        return {choice.name for choice in offered_choices(form, question, values, today)}
    return {choice.name for choice in form.choices.get(question.list_name or "", ())}


def _required(question: Question, values, today) -> bool:
    return bool(question.required) and truthy(_evaluate(question.required, values, None, today))


def _meets_constraint(question: Question, value: Any, values, today) -> bool:
    try:
        return truthy(_evaluate(question.constraint, values, value, today))
    except ExpressionError:
        return False


def _evaluate(expression: str, values: Mapping[str, Any], current: Any, today: dt.date | None) -> Any:
    return parse(expression).evaluate(Context(values=values, current=current, today=today))


def _label(form: FormDefinition, question: Question) -> str:
    """The question's name for a message: a label's lead-in ("Purpose: we know why...") if it has a short one."""
    label = question.label(form.default_language, form.default_language).strip()
    lead, colon, _rest = label.partition(": ")
    if colon and 0 < len(lead) <= 40:
        label = lead
    return label.rstrip(" .:") or question.name


def _message(form: FormDefinition, messages: Mapping[str, str]) -> str:
    return messages.get(form.default_language) or next(iter(messages.values()), "")


def _required_message(form: FormDefinition, question: Question) -> str:
    custom = _message(form, question.required_messages)
    return f"{_label(form, question)}: {custom or 'this question needs an answer.'}"


def _constraint_message(form: FormDefinition, question: Question) -> str:
    custom = _message(form, question.constraint_messages)
    return f"{_label(form, question)}: {custom or 'the answer is not allowed here; check it.'}"


def _cut(text: str, most: int = 60) -> str:
    """A refused answer repeated in a message, cut short: a pasted page stays out of the message."""
    return text if len(text) <= most else text[:most] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _json_value(value: Any) -> Any:
    """A calculation's result as JSON keeps it: dates as text, NaN as blank, whole floats as whole numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return int(value) if value.is_integer() and abs(value) < 10**15 else value
    return value
