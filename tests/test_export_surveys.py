"""Survey results in ``coprod export``: survey_answers, counts_survey and the survey questions in the dictionary."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from coprod_widgets.exports import export_store, read_export
from coprod_widgets.exports.dictionary import columns_by_heading
from coprod_widgets.exports.surveys import HIDDEN, OFF_SCALE, SURVEY_ANSWERS, SURVEY_COUNTS, answer_columns
from coprod_widgets.records import validate
from coprod_widgets.store import Store
from coprod_widgets.surveys.answers import suppressed_cells
from coprod_widgets.surveys.mapping import LIKERT_SCALES, answer_key
from tests.test_exports import as_dicts, dictionary_of, out_for, tables_in

AGREE = list(LIKERT_SCALES["agreement"])
LISTENED, MEETINGS, ANYTHING_ELSE, WHO = "I was listened to", "Which meetings did you attend?", "Anything else?", "Who?"
MAPPING = {
    "survey": "Carers' survey",
    "tool": "kobo",
    "role_column": WHO,
    "roles": {"Carer": "carer", "Nurse": "clinician"},
    "questions": [
        {
            "question": LISTENED,
            "learning_point": "lp2",
            "indicator": "Partners feel heard",
            "scores": {text: score for score, text in enumerate(AGREE, start=1)},
        },
        {"question": MEETINGS, "learning_point": "lp4"},  # no scale: every answer is off it
    ],
}
SCALE = "Strongly disagree = 1; Disagree = 2; Neither agree nor disagree = 3; Agree = 4; Strongly agree = 5"
#: Planted in one response's identifiers, and in its answer to a question the mapping does not keep.
IDENTIFIERS = {"Name": "Zoë Ní Bhriain", "Email": "zoe@example.org"}
UNMAPPED = "Ask Łukasz Nowak, lukasz@example.net"
PLANTED = ["Zoë", "Ní Bhriain", "zoe@example.org", "Łukasz", "Nowak", "lukasz@example.net"]
EVERY_LEVEL = {*AGREE, OFF_SCALE}

#: (id, role group, answers to LISTENED and how many gave each, the answers a de-identified export hides).
#: The rule: counts from 1 to 4 hidden; one more where a lone hidden one could be worked out from the group's
#: total (survey_response's rows give it); the scale hidden whole when fewer than 5 answered on it; a group of
#: fewer than 5 hidden whole.
COUNT_CASES = [
    (
        "one small count hides the next smallest too",
        "carer",
        {"Disagree": 7, "Agree": 6, "Strongly agree": 2},
        {"Agree", "Strongly agree"},
    ),
    (
        "a small count off the scale hides the smallest on it",
        "voluntary_sector",
        {"Agree": 8, "Strongly agree": 6, "Don't know": 2},
        {"Strongly agree", OFF_SCALE},
    ),
    (
        "a lone small count on the scale is hidden with another, as the reports hide it, and a small one off it",
        "clinician",
        {"Agree": 9, "Disagree": 1, "Don't know": 3},
        {"Disagree", "Agree", OFF_SCALE},
    ),
    (
        "fewer than 5 on the scale: the scale hidden as the reports hide it, the answers off it shown",
        "lived_experience",
        {"Agree": 3, "Don't know": 6},
        set(AGREE),
    ),
    ("a group under the threshold is hidden whole", "manager", {"Agree": 3, "Disagree": 1}, EVERY_LEVEL),
    ("nothing small, any case or spacing: all shown", None, {"Agree": 5, "strongly  agree": 6}, set()),
]
#: How many carers also said which meetings they went to (a select-multiple, off any scale).
MEETING_ANSWERS = 3


def level_of(answer: str) -> str:
    """The level of the scale an answer counts under (however it is written), or OFF_SCALE."""
    return {answer_key(text): text for text in AGREE}.get(answer_key(answer), OFF_SCALE)


@pytest.fixture
def survey_store(store, small_programme) -> Store:
    """North's "Carers' survey" answered as COUNT_CASES say; South's own survey, stricter (suppress below 10)."""
    who = "test"
    north = small_programme["site"]
    survey = store.add(
        "survey", {"site_id": north, "name": "Carers' survey", "tool": "kobo", "mapping": MAPPING,
                   "added": "2015-09-10"}, who,
    )  # fmt: skip
    done = _import(store, north, survey.id, MAPPING)
    number = 0
    for _id, role, given, _hidden in COUNT_CASES:
        for answer, times in given.items():
            for _ in range(times):
                number += 1
                answers = {LISTENED: answer, WHO: "Carer", ANYTHING_ELSE: UNMAPPED if number == 1 else "No"}
                if role == "carer" and number <= MEETING_ANSWERS:
                    answers[MEETINGS] = ["Planning", "Review"]
                store.add(
                    "survey_response",
                    {"site_id": north, "survey_id": survey.id, "import_id": done, "response_key": f"R{number}",
                     "submitted": "2015-09-12", "respondent_role": role, "answers": answers,
                     "identifiers": IDENTIFIERS if number == 1 else {}},
                    who,
                )  # fmt: skip
    store.add(  # answered nothing the mapping keeps: no rows
        "survey_response",
        {"site_id": north, "survey_id": survey.id, "import_id": done, "response_key": "R-blank",
         "answers": {LISTENED: "  ", ANYTHING_ELSE: "Nothing"}},
        who,
    )  # fmt: skip
    south = small_programme["other_site"]
    strict = {**MAPPING, "survey": "South survey", "suppress_below": 10}
    other = store.add(
        "survey", {"site_id": south, "name": "South survey", "tool": "kobo", "mapping": strict,
                   "added": "2015-09-10"}, who,
    )  # fmt: skip
    done = _import(store, south, other.id, strict)
    for number in range(7):
        store.add(
            "survey_response",
            {"site_id": south, "survey_id": other.id, "import_id": done, "response_key": f"S{number}",
             "respondent_role": "manager", "answers": {LISTENED: "Agree"}},
            who,
        )  # fmt: skip
    return store


def _import(store: Store, site_id: int, survey_id: int, mapping: dict) -> int:
    return store.add(
        "survey_import",
        {"site_id": site_id, "survey_id": survey_id, "file_name": "survey.csv", "checksum": f"{survey_id:064x}",
         "imported": "2015-09-10", "rows_read": 1, "responses_added": 1, "responses_repeated": 0,
         "mapping": mapping},
        "test",
    ).id  # fmt: skip


def carers_rows(path: Path, table: str) -> list[dict[str, object]]:
    return [row for row in as_dicts(tables_in(path)[table]) if row["survey"] == "Carers' survey"]


# ---- survey_answers ---------------------------------------------------------------------------------------


def test_one_row_per_answered_mapped_question(survey_store, tmp_path):
    path = export_store(survey_store, tmp_path / "csv").path
    rows = carers_rows(path, SURVEY_ANSWERS)
    answered = sum(sum(given.values()) for _id, _role, given, _hidden in COUNT_CASES)
    assert len(rows) == answered + MEETING_ANSWERS, "one per answer; the blank response has none"
    assert {row["question"] for row in rows} == {LISTENED, MEETINGS}, "unmapped questions are left out"
    assert not [text for row in rows for text in PLANTED if text in str(row)]
    listened = [row for row in rows if row["question"] == LISTENED]
    assert {row["learning_point"] for row in listened} == {"lp2"}
    assert {row["indicator"] for row in listened} == {"Partners feel heard"}
    for row in listened:
        level = level_of(row["answer"])
        assert row["score"] == ("" if level == OFF_SCALE else str(AGREE.index(level) + 1)), row
    assert {row["answer"] for row in listened if not row["score"]} == {"Don't know"}
    assert "strongly  agree" in {row["answer"] for row in listened}, "the answer as given, scored on the scale"
    meetings = [row for row in rows if row["question"] == MEETINGS]
    assert [(row["answer"], row["score"], row["respondent_role"]) for row in meetings] == [
        ("Planning; Review", "", "carer")
    ] * MEETING_ANSWERS
    order = [(int(row["response_id"]), row["question"] == MEETINGS) for row in rows]
    assert order == sorted(order), "by response, then in the mapping's order"


def test_labels_write_learning_points_and_role_groups_as_words(survey_store, tmp_path):
    path = export_store(survey_store, tmp_path / "csv", labels=True).path
    rows = as_dicts(tables_in(path)[SURVEY_ANSWERS])
    assert list(rows[0])[:4] == ["Site", "Site name", "Survey", "Survey name"]
    first = rows[0]
    assert first["Learning point"] == "Learning point 2: Everyone stays actively involved"
    assert first["Respondent's role group"] == "Carer" and first["Score"] == "2"


# ---- counts_survey ----------------------------------------------------------------------------------------


def counts_of(path: Path, survey: str = "Carers' survey", question: str = LISTENED) -> dict[tuple, str]:
    rows = [row for row in as_dicts(tables_in(path)[SURVEY_COUNTS]) if row["survey"] == survey]
    return {(row["respondent_role"], row["answer"]): row["answers"] for row in rows if row["question"] == question}


def test_full_export_counts_every_answer_zeros_included(survey_store, tmp_path):
    counts = counts_of(export_store(survey_store, tmp_path / "csv").path)
    expected = {}
    for _id, role, given, _hidden in COUNT_CASES:
        tally = Counter(level_of(answer) for answer in given for _ in range(given[answer]))
        expected.update({(role or "", level): str(tally[level]) for level in [*AGREE, OFF_SCALE]})
    assert counts == expected
    meetings = counts_of(tmp_path / "csv", question=MEETINGS)
    assert meetings == {("carer", OFF_SCALE): str(MEETING_ANSWERS)}, "a question with no scale: one count"
    rows = as_dicts(tables_in(tmp_path / "csv")[SURVEY_COUNTS])
    roles = [
        row["respondent_role"] for row in rows if row["survey"] == "Carers' survey" and row["question"] == LISTENED
    ]
    order = ["lived_experience", "carer", "clinician", "manager", "voluntary_sector", ""]
    assert sorted(roles, key=order.index) == roles, "role groups in their list's order, none given last"
    assert [row["answer"] for row in rows[:6]] == [*AGREE, OFF_SCALE], "lowest first, the answers off the scale last"


@pytest.mark.parametrize(
    ("role", "given", "hidden"), [case[1:] for case in COUNT_CASES], ids=[case[0] for case in COUNT_CASES]
)
def test_small_counts_are_hidden_and_cannot_be_worked_out(survey_store, tmp_path, role, given, hidden):
    counts = counts_of(export_store(survey_store, tmp_path / "csv", deidentify=True).path)
    tally = Counter(level_of(answer) for answer in given for _ in range(given[answer]))
    mine = {level: written for (group, level), written in counts.items() if group == (role or "")}
    assert set(mine) == EVERY_LEVEL, "every answer on the scale and the answers off it; no totals"
    assert {level for level, written in mine.items() if written == HIDDEN} == hidden
    assert all(written == str(tally[level]) for level, written in mine.items() if written != HIDDEN)
    assert len(hidden) != 1, "never one hidden count alone: the group's total would give it away"


def test_no_totals_and_the_about_file_counts_what_is_hidden(survey_store, tmp_path):
    path = export_store(survey_store, tmp_path / "csv", deidentify=True).path
    rows = as_dicts(tables_in(path)[SURVEY_COUNTS])
    assert {row["answer"] for row in rows} <= EVERY_LEVEL and all(row["site_id"] for row in rows)
    hidden = sum(row["answers"] == HIDDEN for row in rows)
    readme = " ".join((path / "README.txt").read_text(encoding="utf-8").split())  # unwrapped
    assert f"{SURVEY_COUNTS}.csv: {len(rows)} row(s), {hidden} count(s) hidden" in readme
    assert f"{SURVEY_ANSWERS}.csv: 0 row(s)" in readme
    assert "survey_answers.csv has its columns and no rows" in readme
    assert "count the small groups" in readme


def test_a_survey_s_own_higher_threshold_is_kept(survey_store, tmp_path):
    path = export_store(survey_store, tmp_path / "csv", deidentify=True).path
    south = counts_of(path, survey="South survey")
    assert south[("manager", "Agree")] == HIDDEN, "7 answers, under the survey's own threshold of 10"
    full = counts_of(export_store(survey_store, tmp_path / "full").path, survey="South survey")
    assert full[("manager", "Agree")] == "7"


#: (cells, total, threshold, already hidden, hidden): the rule the reports and counts_survey share.
SUPPRESSION = [
    ([7, 6, 2], 15, 5, None, [False, True, True]),
    ([9, 1, 3], 13, 5, None, [False, True, True]),
    ([3, 1], 4, 5, None, [True, True]),
    ([0, 6], 6, 5, None, [False, False]),
    ([3, 6], 9, 5, [True, False], [True, True]),
    ([0, 0, 9], 9, 5, [True, True, False], [True, True, False]),
]


@pytest.mark.parametrize(("cells", "total", "threshold", "already", "hidden"), SUPPRESSION)
def test_suppressed_cells(cells, total, threshold, already, hidden):
    assert suppressed_cells(cells, total, threshold, hidden=already) == hidden


# ---- de-identified exports --------------------------------------------------------------------------------


def every_file_text(path: Path) -> str:
    """Every file of an export as text: each CSV and README, or every part of the workbook's zip."""
    if path.is_dir():
        return "".join(file.read_text(encoding="utf-8") for file in sorted(path.iterdir()))
    with zipfile.ZipFile(path) as workbook:
        return "".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("labels", [False, True], ids=["codes", "labels"])
def test_a_de_identified_export_has_no_survey_rows_and_names_nobody(survey_store, tmp_path, file_format, labels):
    full = export_store(survey_store, out_for(tmp_path, file_format, "full"), format=file_format, labels=labels)
    assert all(text in every_file_text(full.path) for text in PLANTED), "planted where a full export has them"
    path = export_store(
        survey_store, out_for(tmp_path, file_format), format=file_format, labels=labels, deidentify=True
    ).path
    text = every_file_text(path)
    assert not [planted for planted in PLANTED if planted in text]
    heading, *rows = tables_in(path)[SURVEY_ANSWERS]
    assert rows == [] and len(heading) == 12, "the columns, no rows"
    survey = "Survey name" if labels else "survey"
    assert [row for row in as_dicts(tables_in(path)[SURVEY_COUNTS]) if row[survey] == "Carers' survey"]
    back = read_export(path)
    assert len(back["survey_response"]) == len(survey_store.records("survey_response"))


def test_keep_text_keeps_no_survey_rows_nor_identifiers(survey_store, tmp_path):
    path = export_store(survey_store, tmp_path / "csv", deidentify=True, keep_text=True).path
    assert len(tables_in(path)[SURVEY_ANSWERS]) == 1
    text = every_file_text(path)
    assert UNMAPPED in text, "kept text keeps survey_response's answers"
    assert not [planted for planted in IDENTIFIERS.values() if planted in text]


# ---- the data dictionary ----------------------------------------------------------------------------------


def is_question_row(row: dict[str, object], columns: list[str]) -> bool:
    """A row about one survey question (its answers are in the answer column), not about a column."""
    return row["Form Name"] == SURVEY_ANSWERS and row["Variable / Field Name"] not in columns


def question_rows(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """The dictionary's rows about survey questions, by (question, survey named in the note)."""
    rows = {}
    for row in dictionary_of(path):
        if row["Form Name"] == SURVEY_ANSWERS and row["Variable / Field Name"] in (LISTENED, MEETINGS):
            survey = re.search(r"the survey (\"[^\"]+\"|'[^']+')", str(row["Field Note"])).group(1)[1:-1]
            rows[(row["Variable / Field Name"], survey)] = row
    return rows


@pytest.mark.parametrize("deidentify", [False, True], ids=["full", "de-identified"])
def test_dictionary_has_a_row_per_mapped_question_with_its_scale(survey_store, tmp_path, deidentify):
    path = export_store(survey_store, tmp_path / "csv", deidentify=deidentify).path
    rows = question_rows(path)
    carers, south, fixture = "Carers' survey", "South survey", "Partners' survey"
    assert set(rows) == {(LISTENED, carers), (MEETINGS, carers), (LISTENED, south), (MEETINGS, south)} | {
        ("I was listened to", fixture)
    }
    listened = rows[(LISTENED, carers)]
    assert listened["Choices, Calculations, OR Slider Labels"] == SCALE
    assert listened["Column Heading"] == "answer" and listened["Field Type"] == "text"
    note = str(listened["Field Note"])
    assert "at North (kobo)" in note and "lp2 (Everyone stays actively involved)" in note
    assert "'Partners feel heard'" in note and "counts_survey" in note
    meetings = rows[(MEETINGS, carers)]
    assert meetings["Choices, Calculations, OR Slider Labels"] == "" and "no scale" in str(meetings["Field Note"])
    assert meetings["Identifier?"] == ("" if deidentify else "y"), "answers with no scale may be anything typed"
    assert ("leaves out survey_answers' rows and hides counts from 1 to 4" in note) == deidentify
    if deidentify:
        assert "from 1 to 9" in str(rows[(LISTENED, south)]["Field Note"]), "the survey's own threshold"
        site_note = next(
            row["Field Note"]
            for row in dictionary_of(path)
            if (row["Form Name"], row["Variable / Field Name"]) == (SURVEY_ANSWERS, "site_id")
        )
        assert "writes no rows in survey_answers" in site_note and "counts_survey" in site_note


# ---- one site, and reading back ---------------------------------------------------------------------------


@pytest.mark.parametrize(("site", "surveys"), [("North", {"Carers' survey"}), ("south", {"South survey"})])
def test_one_site_has_only_its_surveys(survey_store, tmp_path, site, surveys):
    path = export_store(survey_store, tmp_path / "csv", site=site).path
    (chosen,) = read_export(path)["site"]
    for table in (SURVEY_ANSWERS, SURVEY_COUNTS):
        rows = as_dicts(tables_in(path)[table])
        assert rows and {row["site_id"] for row in rows} == {str(chosen["id"])}, table
        assert {row["survey"] for row in rows} <= surveys | {"Partners' survey"}
    assert {survey for _question, survey in question_rows(path)} <= surveys | {"Partners' survey"}
    assert {survey for _question, survey in question_rows(path)} & surveys


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("labels", [False, True], ids=["codes", "labels"])
def test_round_trip_and_the_survey_tables_decode(survey_store, tmp_path, file_format, labels):
    path = export_store(survey_store, out_for(tmp_path, file_format), format=file_format, labels=labels).path
    back = read_export(path)
    for kind in ("survey", "survey_import", "survey_response"):
        stored = [record.model_dump() for record in survey_store.records(kind)]
        assert [validate(kind, row).model_dump() for row in back[kind]] == stored, kind
    columns = [column.field for column in answer_columns(deidentify=False)]
    about_columns = [row for row in dictionary_of(path) if not is_question_row(row, columns)]
    described = columns_by_heading(about_columns)
    decoded = {}
    for table in (SURVEY_ANSWERS, SURVEY_COUNTS):
        heading, *rows = tables_in(path)[table]
        columns = [described[table][name] for name in heading]
        decoded[table] = [
            {column.field: column.value(cell) for column, cell in zip(columns, row, strict=True)} for row in rows
        ]
    first = decoded[SURVEY_ANSWERS][0]
    assert (first["learning_point"], first["respondent_role"], first["score"]) == ("lp2", "carer", 2)
    carers = [row for row in decoded[SURVEY_COUNTS] if row["survey"] == "Carers' survey"]
    assert sum(row["answers"] for row in carers if row["question"] == LISTENED) == sum(
        sum(given.values()) for _id, _role, given, _hidden in COUNT_CASES
    )
