"""Answers to the sites' own questions (learning point 8), one row per answer, and what each question asked.

A set of answers is stored as one JSON object (the conventions are in :mod:`coprod_widgets.questions.answers`);
one row per answer is easier to filter, count and join. The same rows make the export's ``answers`` table and
the evaluators' :func:`coprod_widgets.evaluation.indicators.site_questions.answers_frame`, so they cannot
disagree. Pure Python, like the rest of this package: the site app and ``coprod export`` never load pandas.

A question inside a repeat is written ``repeat_name[2]/question`` (the second time the repeat was filled in);
groups do not appear in names, as XLSForm names are unique across a form. Notes, groups and repeats hold no
answer and have no rows; calculations do. Unanswered questions have no row either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..questions.answers import is_blank
from ..questions.form import FormDefinition, Question
from .columns import ANSWERS, DATE, INTEGER, PSEUDONYM, PSEUDONYM_NOTE, RECORD_NUMBER, TEXT, Column, Table
from .deidentify import is_free_text_answer
from .dictionary import HEADINGS

#: Several choices in one cell: ``"drug_round; other"``.
MULTIPLE_SEPARATOR = "; "
_INDEX = re.compile(r"\[\d+\]")
FIELDS = ("site_id", "site", "response_id", "respondent", "date", "form", "version", "question", "label", "type")
VALUE = "value"


@dataclass(frozen=True)
class Answer:
    """One answer: the question's name (with the repeat's number inside a repeat), label, type and the value."""

    question: str
    label: str
    type: str
    value: str


def answers_in(
    form: FormDefinition | Mapping[str, Any] | None, answers: Mapping[str, Any], *, labels: bool = True
) -> list[Answer]:
    """The answers of one set, in form order; choices as their labels (``labels``) or their names.

    ``form`` is the question set's form, or its definition as stored. Labels are in the form's default
    language. Without a form (a set not at hand) every answer is still listed, by its name and with an empty
    type, rather than silently left out.
    """
    if form is not None and not isinstance(form, FormDefinition):
        form = FormDefinition.from_json(form) if form else None
    return list(_level(form, form.questions if form else (), answers, "", labels))


def _level(form, questions, answers: Mapping[str, Any], prefix: str, labels: bool) -> Iterator[Answer]:
    seen: set[str] = set()
    for question in _flat(questions):
        seen.add(question.name)
        value = answers.get(question.name)
        if is_blank(value):
            continue
        if question.type == "repeat":
            for number, item in enumerate(value if isinstance(value, list) else [], start=1):
                if isinstance(item, Mapping):
                    yield from _level(form, question.children, item, f"{prefix}{question.name}[{number}]/", labels)
            continue
        yield Answer(
            f"{prefix}{question.name}", label_of(form, question), question.type, _text(form, question, value, labels)
        )
    for name, value in answers.items():  # a name the form does not have: shown, not lost
        if name not in seen and not is_blank(value):
            yield Answer(f"{prefix}{name}", name, "", _plain(value))


def _flat(questions: tuple[Question, ...]) -> Iterator[Question]:
    """The questions of one level: groups opened, notes left out (their names hold nothing)."""
    for question in questions:
        if question.type == "group":
            yield from _flat(question.children)
        elif question.type != "note":
            yield question


def label_of(form: FormDefinition | None, question: Question) -> str:
    if form is None:
        return question.name
    return question.label(form.default_language, form.default_language).strip() or question.name


def _text(form: FormDefinition | None, question: Question, value: Any, labels: bool) -> str:
    if form is not None and question.type in ("select_one", "select_multiple"):
        names = {choice.name: choice for choice in form.choices.get(question.list_name or "", ())}

        def shown(code: Any) -> str:
            choice = names.get(str(code))
            if labels and choice is not None:
                return choice.label(form.default_language, form.default_language)
            return str(code)

        if isinstance(value, list):
            return MULTIPLE_SEPARATOR.join(shown(code) for code in value)
        return shown(value)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 10**15 else repr(value)
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return MULTIPLE_SEPARATOR.join(_plain(item) for item in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def question_name(question: str) -> str:
    """The name without repeat numbers (``visits[2]/reason`` -> ``visits/reason``): the same in every version."""
    return _INDEX.sub("", question)


def questions_of(definition: Mapping[str, Any]) -> list[tuple[str, Question]]:
    """Every question that holds an answer, in form order, named as answers are (``repeat/question`` in a repeat)."""
    form = FormDefinition.from_json(definition)

    def walk(questions, prefix: str) -> Iterator[tuple[str, Question]]:
        for question in _flat(questions):
            if question.type == "repeat":
                yield from walk(question.children, f"{prefix}{question.name}/")
            else:
                yield f"{prefix}{question.name}", question

    return list(walk(form.questions, ""))


def choices_text(form: FormDefinition, question: Question) -> str:
    """A select's choices as ``code = label; code = label``; empty for other questions."""
    if question.type not in ("select_one", "select_multiple"):
        return ""
    choices = form.choices.get(question.list_name or "", ())
    return "; ".join(f"{c.name} = {c.label(form.default_language, form.default_language)}" for c in choices)


# ---- the export's answers table --------------------------------------------------------------------------------


def answer_columns(*, deidentify: bool, keep_text: bool) -> list[Column]:
    respondent = (
        Column(
            ANSWERS,
            "respondent",
            "Answered by",
            PSEUDONYM,
            note="the partner's pseudonym; empty when not one partner's answers. " + PSEUDONYM_NOTE,
        )
        if deidentify
        else Column(
            ANSWERS,
            "respondent",
            "Answered by",
            RECORD_NUMBER,
            note="links to the id column of partner; empty when the answers are not one partner's",
        )
    )
    left_out = " Written answers are left out of this de-identified export." if deidentify and not keep_text else ""
    return [
        Column(ANSWERS, "site_id", "Site", RECORD_NUMBER, required=True, note="links to the id column of site"),
        Column(ANSWERS, "site", "Site name", TEXT, required=True),
        Column(
            ANSWERS,
            "response_id",
            "Set of answers",
            RECORD_NUMBER,
            required=True,
            note="links to the id column of question_response; every answer given together has the same number",
        ),
        respondent,
        Column(ANSWERS, "date", "Date answered", DATE, required=True, note="YYYY-MM-DD"),
        Column(ANSWERS, "form", "Question set name", TEXT, required=True, note="the name column of question_set"),
        Column(ANSWERS, "version", "Version", INTEGER, required=True, note="the version of the question set answered"),
        Column(
            ANSWERS,
            "question",
            "Question",
            TEXT,
            required=True,
            note="the question's name in the form; inside a repeat repeat_name[2]/question (the second entry). "
            "The rows of this data dictionary with this table and the question's name say what it asked",
        ),
        Column(ANSWERS, "label", "Question label", TEXT, required=True, note="in the form's default language"),
        Column(ANSWERS, "type", "Question type", TEXT, required=True, note="the XLSForm type: integer, select_one..."),
        Column(
            ANSWERS,
            VALUE,
            "Answer",
            TEXT,
            required=True,
            note="as given, as text: several choices separated by '; ', choices as their names (codes) or, with "
            "labels, their labels; dates YYYY-MM-DD. Written answers may name people." + left_out,
            identifier=not deidentify or keep_text,
        ),
    ]


def answers_table(
    records: Mapping[str, list],
    *,
    labels: bool,
    pseudonym: Callable[[int], str] | None,
    keep_text: bool,
) -> Table:
    """One row per answer in ``records['question_response']``, with the sites' names and the sets' definitions."""
    deidentify = pseudonym is not None
    sites = {site.id: site.name for site in records["site"]}
    sets = {question_set.id: question_set for question_set in records["question_set"]}
    forms = {set_id: FormDefinition.from_json(question_set.definition) for set_id, question_set in sets.items()}
    rows = []
    responses = sorted(records["question_response"], key=lambda r: (r.site_id, r.date, r.id))
    for response in responses:
        question_set = sets.get(response.question_set_id)
        respondent = response.partner_id
        if deidentify and respondent is not None:
            respondent = pseudonym(respondent)
        form = question_set.name if question_set else f"question set {response.question_set_id}"
        version = question_set.version if question_set else None
        start = [
            response.site_id,
            sites.get(response.site_id, ""),
            response.id,
            respondent,
            response.date,
            form,
            version,
        ]
        for answer in answers_in(forms.get(response.question_set_id), response.answers, labels=labels):
            if deidentify and not keep_text and is_free_text_answer(answer.type, answer.value):
                continue
            rows.append([*start, answer.question, answer.label, answer.type, answer.value])
    return Table(ANSWERS, answer_columns(deidentify=deidentify, keep_text=keep_text), rows)


def question_dictionary_rows(
    question_sets: list, sites: Mapping[int, str], *, labels: bool, deidentify: bool, keep_text: bool
) -> list[list[object]]:
    """One data-dictionary row per question of each question set version, laid out as :data:`HEADINGS`."""
    heading = "Answer" if labels else VALUE
    rows = []
    for question_set in sorted(question_sets, key=lambda q: (q.site_id or 0, q.name.casefold(), q.version)):
        form = FormDefinition.from_json(question_set.definition)
        whose = "every site" if question_set.site_id is None else f"{sites.get(question_set.site_id, 'a site')}'s own"
        for name, question in questions_of(question_set.definition):
            note = (
                f"question of {question_set.name!r}, version {question_set.version} ({whose}): its answers are the "
                f"answers rows with this form, version and question, in the {heading} column"
            )
            if "/" in name:
                repeat, _, inner = name.rpartition("/")
                note += f"; asked in a repeat, written {repeat}[1]/{inner}, {repeat}[2]/{inner}..."
            if question.required and question.required != "true()":
                note += f"; required when {question.required}"
            if question.relevant:
                note += f"; asked when {question.relevant}"
            if question.calculation:
                note += f"; worked out as {question.calculation}"
            free = is_free_text_answer(question.type, "")
            if free and deidentify and not keep_text:
                note += "; written answers are left out of this de-identified export"
            bounds = ("", "")
            if question.type == "range":
                start, end = question.parameters.get("start", 1.0), question.parameters.get("end", 10.0)
                bounds = (_plain(start), _plain(end))
            row = {
                HEADINGS[0]: name,
                HEADINGS[1]: ANSWERS,
                HEADINGS[2]: heading,
                HEADINGS[3]: question.type,
                HEADINGS[4]: label_of(form, question),
                HEADINGS[5]: choices_text(form, question),
                HEADINGS[6]: "",
                HEADINGS[7]: bounds[0],
                HEADINGS[8]: bounds[1],
                HEADINGS[9]: "y" if free else "",
                HEADINGS[10]: "y" if question.required == "true()" else "",
                HEADINGS[11]: note,
            }
            rows.append([row[key] for key in HEADINGS])
    return rows
