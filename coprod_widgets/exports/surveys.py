"""Survey results in the export: one row per answer to a mapped question, counts per answer, and what each asked.

Every response is read through its survey's mapping with :func:`coprod_widgets.surveys.answers.mapped_answers`,
the same reading the evaluators' workbooks and the reports make, so the export counts the same answers they do.

``survey_answers`` has one row per answer. A de-identified export writes it with its columns and no rows: row
by row, anyone could count the small groups that ``counts_survey`` hides. ``counts_survey`` counts each answer
on a question's scale (and the answers off it together) per site, survey, question and respondent role group;
in a de-identified export a small count is hidden, with one more wherever it could be worked out from the
rest of its group (:func:`coprod_widgets.surveys.answers.suppressed_cells`, the reports' rule), and there are
no totals. Pure Python, like the rest of this package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from ..choices import LEARNING_POINTS, RoleGroup
from ..records import SurveyResponse
from ..surveys.answers import mapped_answers, scale_levels, stored_mapping, suppressed_cells
from ..surveys.mapping import QuestionMapping, SurveyMapping
from .columns import (
    COUNT,
    DATE,
    DROPDOWN,
    HIDDEN_COUNT,
    INTEGER,
    RECORD_NUMBER,
    SURVEY_ANSWERS,
    TEXT,
    Column,
    Table,
    model_column,
)
from .dictionary import HEADINGS

SURVEY_COUNTS = "counts_survey"
#: What counts_survey writes in the answer column of the row counting every answer not on the scale.
OFF_SCALE = "Not on the scale"
#: How a hidden count is written. Not "<N": a count hidden so that a small one cannot be worked out is often N
#: or more, and marking it apart from the small one would say which is which (and, with the total, their values).
HIDDEN = HIDDEN_COUNT
LEARNING_POINT_CHOICES = tuple(
    (code, f"Learning point {number}: {text}") for number, (code, text) in enumerate(LEARNING_POINTS.items(), 1)
)
_LP_LABELS = dict(LEARNING_POINT_CHOICES)
_ROLE_ORDER = {member: place for place, member in enumerate(RoleGroup)}


def _mapped_surveys(surveys: list) -> list[tuple[object, SurveyMapping]]:
    """The surveys whose mapping reads, by site, name and number: the order of every table here."""
    found = [(survey, stored_mapping(survey.mapping)) for survey in surveys]
    found = [(survey, mapping) for survey, mapping in found if mapping is not None]
    return sorted(found, key=lambda pair: (pair[0].site_id, pair[0].name.casefold(), pair[0].id))


def _threshold(mapping: SurveyMapping, suppress_below: int | None) -> int | None:
    """The export's threshold, or the survey's own where its mapping asks for a higher one (as the reports do)."""
    return max(suppress_below, mapping.suppress_below) if suppress_below else None


def _place_columns(table: str, site_note: str = "links to the id column of site") -> list[Column]:
    return [
        Column(table, "site_id", "Site", RECORD_NUMBER, required=True, note=site_note),
        Column(table, "site", "Site name", TEXT, required=True),
        Column(table, "survey_id", "Survey", RECORD_NUMBER, required=True, note="links to the id column of survey"),
        Column(table, "survey", "Survey name", TEXT, required=True, note="the name column of survey"),
    ]


def _role_column(table: str) -> Column:
    role = model_column(SurveyResponse, "respondent_role", table=table)
    return replace(role, note="as the survey's role question and its mapping give it; empty when they give none")


def _question_columns(table: str) -> list[Column]:
    return [
        Column(
            table,
            "learning_point",
            "Learning point",
            DROPDOWN,
            choices=LEARNING_POINT_CHOICES,
            required=True,
            note="the learning point the survey's mapping says the question is evidence for",
        ),
        Column(
            table, "indicator", "Indicator", TEXT, note="as the survey's mapping names it; empty when it names none"
        ),
        Column(
            table,
            "question",
            "Question",
            TEXT,
            required=True,
            note="the question's column in the survey tool's export. The data dictionary's rows with this name "
            f"and table {SURVEY_ANSWERS} give its learning point and its scale",
        ),
    ]


def answer_columns(*, deidentify: bool) -> list[Column]:
    """The columns of ``survey_answers``; a de-identified export says on its first column why it has no rows."""
    site_note = "links to the id column of site"
    if deidentify:
        site_note += (
            f". This de-identified export writes no rows in {SURVEY_ANSWERS}: one row per answer would let anyone "
            f"count the small groups that {SURVEY_COUNTS} hides. The answers are counted in {SURVEY_COUNTS}"
        )
    return [
        *_place_columns(SURVEY_ANSWERS, site_note),
        Column(
            SURVEY_ANSWERS,
            "response_id",
            "Survey response",
            RECORD_NUMBER,
            required=True,
            note="links to the id column of survey_response; every answer in one response has the same number",
        ),
        Column(SURVEY_ANSWERS, "submitted", "Date submitted", DATE, note="YYYY-MM-DD; empty when the tool gave none"),
        _role_column(SURVEY_ANSWERS),
        *_question_columns(SURVEY_ANSWERS),
        Column(
            SURVEY_ANSWERS,
            "answer",
            "Answer",
            TEXT,
            required=True,
            note="as given in the survey's export, several choices separated by '; '. Answers off the scale are "
            "as typed and may name people",
            identifier=not deidentify,
        ),
        Column(
            SURVEY_ANSWERS,
            "score",
            "Score",
            INTEGER,
            note="the answer's score on the question's scale (the data dictionary's row for the question lists it); "
            "empty for an answer off the scale, such as Don't know",
        ),
    ]


def _responses_by_survey(responses: list) -> dict[int, list]:
    by_survey: dict[int, list] = defaultdict(list)
    for response in responses:
        by_survey[response.survey_id].append(response)
    return by_survey


def survey_answers_table(records: Mapping[str, list], *, labels: bool, deidentify: bool) -> Table:
    """One row per stored response per mapped question answered, by site, survey, response and mapping order.

    No rows when ``deidentify`` (see the module's note); the columns are still written, so the files keep
    their shape.
    """
    columns = answer_columns(deidentify=deidentify)
    if deidentify:
        return Table(SURVEY_ANSWERS, columns, [])
    sites = {site.id: site.name for site in records["site"]}
    responses = _responses_by_survey(records["survey_response"])
    rows = []
    for survey, mapping in _mapped_surveys(records["survey"]):
        for response in sorted(responses[survey.id], key=lambda r: r.id):
            start = [survey.site_id, sites.get(survey.site_id, ""), survey.id, survey.name, response.id]
            start += [response.submitted, response.respondent_role]
            for given in mapped_answers(mapping, response.answers):
                rows.append(
                    [
                        *start,
                        _point(given.learning_point, labels),
                        given.indicator,
                        given.question,
                        given.answer,
                        given.score,
                    ]
                )
    return Table(SURVEY_ANSWERS, columns, rows)


def count_columns(suppress_below: int | None) -> list[Column]:
    """The columns of ``counts_survey``; the count's note says how small counts are hidden."""
    hidden = ""
    if suppress_below:
        hidden = (
            f"; counts from 1 to {suppress_below - 1} are written {HIDDEN}, and so is one more count of the same "
            f"site, survey, question and role group wherever a hidden count could otherwise be worked out (it may "
            f"be {suppress_below} or more: both are written alike, so neither can be told). A group of fewer than "
            f"{suppress_below} answers is hidden whole, and its answers on the scale together when fewer than "
            f"{suppress_below} are on it, as the reports hide them. A survey whose mapping sets a higher threshold "
            "is hidden below that one. There are no totals"
        )
    return [
        *_place_columns(SURVEY_COUNTS),
        *_question_columns(SURVEY_COUNTS),
        _role_column(SURVEY_COUNTS),
        Column(
            SURVEY_COUNTS,
            "answer",
            "Answer",
            TEXT,
            required=True,
            note=f"an answer on the question's scale, lowest first, as its mapping writes it; {OFF_SCALE!r} counts "
            "every other answer together (Don't know and the like, or every answer to a question with no scale)",
        ),
        Column(SURVEY_COUNTS, "score", "Score", INTEGER, note=f"the answer's score; empty for {OFF_SCALE!r}"),
        Column(
            SURVEY_COUNTS,
            "answers",
            "Answers",
            COUNT,
            required=True,
            note="number of answers (every answer on the scale is listed, 0 included)" + hidden,
        ),
    ]


def survey_counts_table(records: Mapping[str, list], *, labels: bool, suppress_below: int | None) -> Table:
    """Answers counted per site, survey, question, role group and answer; ``suppress_below`` hides small counts."""
    sites = {site.id: site.name for site in records["site"]}
    responses = _responses_by_survey(records["survey_response"])
    rows = []
    for survey, mapping in _mapped_surveys(records["survey"]):
        scores: dict[tuple[str, RoleGroup | None], list[int | None]] = defaultdict(list)
        for response in responses[survey.id]:
            for given in mapped_answers(mapping, response.answers):
                scores[(given.question, response.respondent_role)].append(given.score)
        threshold = _threshold(mapping, suppress_below)
        start = [survey.site_id, sites.get(survey.site_id, ""), survey.id, survey.name]
        for question in mapping.questions:
            levels = _levels(question)
            on_scale = {score for score, _text in levels}
            roles = sorted({role for name, role in scores if name == question.question}, key=_role_order)
            point = _point(question.learning_point, labels)
            for role in roles:
                given = scores[(question.question, role)]
                cells = [sum(score == level for score in given) for level, _text in levels]
                cells.append(sum(score not in on_scale for score in given))
                shown = _shown(cells, threshold)
                described = [(text, level) for level, text in levels] + [(OFF_SCALE, None)]
                for (text, level), count in zip(described, shown, strict=True):
                    rows.append([*start, point, question.indicator, question.question, role, text, level, count])
    return Table(SURVEY_COUNTS, count_columns(suppress_below), rows)


def _point(code: str, labels: bool) -> str:
    """A learning point as written: its code, or with labels "Learning point 2: ..." (as the dictionary lists)."""
    return _LP_LABELS.get(code, code) if labels else code


def _levels(question: QuestionMapping) -> list[tuple[int, str]]:
    """(score, answer) for each level of the question's scale, lowest first."""
    return [(question.scores[text], text) for text in scale_levels(question)]


def _shown(cells: list[int], threshold: int | None) -> list[int | str]:
    """The counts as written: the scale's levels, then the answers off it, hidden where they must be.

    The levels are first hidden as the reports hide them (which looks at the answers on the scale only); then
    the whole group, answers off the scale included, since survey_response's rows say how many answered.
    """
    if not threshold:
        return list(cells)
    on_scale = cells[:-1]
    as_reported = suppressed_cells(on_scale, sum(on_scale), threshold) if on_scale else []
    hidden = suppressed_cells(cells, sum(cells), threshold, hidden=[*as_reported, False])
    return [HIDDEN if secret else count for count, secret in zip(cells, hidden, strict=True)]


def _role_order(role: RoleGroup | None) -> int:
    return len(_ROLE_ORDER) if role is None else _ROLE_ORDER[role]


def scale_text(question: QuestionMapping) -> str:
    """A question's scores as ``Strongly disagree = 1; ...; Strongly agree = 5``, lowest first; empty with none."""
    ordered = sorted(question.scores.items(), key=lambda item: item[1])
    return "; ".join(f"{text} = {score}" for text, score in ordered)


def survey_dictionary_rows(
    surveys: list, sites: Mapping[int, str], *, labels: bool, deidentify: bool, suppress_below: int
) -> list[list[object]]:
    """One data-dictionary row per mapped question of each survey, laid out as :data:`HEADINGS`."""
    heading = "Answer" if labels else "answer"
    rows = []
    for survey, mapping in _mapped_surveys(surveys):
        whose = sites.get(survey.site_id, "a site")
        for question in mapping.questions:
            point = f"{question.learning_point} ({LEARNING_POINTS.get(question.learning_point, '')})"
            note = f"question of the survey {survey.name!r} at {whose} ({survey.tool}), evidence for {point}"
            if question.indicator:
                note += f", indicator {question.indicator!r}"
            note += (
                f": its answers are the {SURVEY_ANSWERS} rows with this survey and question, in the {heading} "
                f"column, and are counted in {SURVEY_COUNTS}"
            )
            note += "; scored as listed, answers off the scale have no score" if question.scores else "; no scale"
            if deidentify:
                threshold = _threshold(mapping, suppress_below)
                note += (
                    f". This de-identified export leaves out {SURVEY_ANSWERS}' rows and hides counts from 1 to "
                    f"{threshold - 1} in {SURVEY_COUNTS}"
                )
            row = {
                HEADINGS[0]: question.question,
                HEADINGS[1]: SURVEY_ANSWERS,
                HEADINGS[2]: heading,
                HEADINGS[3]: TEXT,
                HEADINGS[4]: question.question,
                HEADINGS[5]: scale_text(question),
                HEADINGS[6]: "",
                HEADINGS[7]: "",
                HEADINGS[8]: "",
                HEADINGS[9]: "" if question.scores or deidentify else "y",
                HEADINGS[10]: "",
                HEADINGS[11]: note,
            }
            rows.append([row[key] for key in HEADINGS])
    return rows
