"""Survey exports from the five tools read into one shape: tests as data, one case per tool and file type.

The files are written by tests/survey_exports.py in each tool's layout; every case holds Zoë (everything
answered), Łukasz, an entirely empty row, one unreadable row and a partial response.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from dataclasses import dataclass

import pytest

from coprod_widgets.surveys.layouts import parse_when
from coprod_widgets.surveys.read import TOOLS, ExportUnreadable, RowProblem, read_export
from tests.survey_exports import (
    FREE_TEXT,
    LUKASZ,
    LUKASZ_EMAIL,
    MONDAY,
    TUESDAY,
    WRITERS,
    ZOE,
    ZOE_EMAIL,
    write_csv,
)

UTC = datetime.UTC
THURSDAY = datetime.datetime(2024, 3, 7, 9, 0)
HELP = "Which kinds of help did you use?"
WENT_WELL = "What went well, and what could be better?"


@dataclass(frozen=True)
class Case:
    tool: str
    kind: str
    questions: list[str]
    ids: list[str | None]
    submitted: list[datetime.datetime | None]
    multiple: tuple[str, list[str]]  # Zoë's select-multiple: question, chosen options
    free: str  # the question Zoë answers with FREE_TEXT
    identifiers: dict[str, str]  # Zoë's
    problem: RowProblem
    partial_answers: dict[str, str | list[str]]
    partial_complete: bool | None
    id_column: str | None
    submitted_column: str

    def __str__(self) -> str:
        return f"{self.tool}-{self.kind}"


def kobo(kind: str, problem: str) -> Case:
    return Case(
        "kobo",
        kind,
        ["feedback/rating", "feedback/comments", "help/kinds"],
        ["uuid-zoe", "uuid-lukasz", "uuid-partial"],
        [MONDAY, TUESDAY, THURSDAY],
        ("help/kinds", ["leaflets", "phone_call"]),
        "feedback/comments",
        {"about/full_name": ZOE, "about/email": ZOE_EMAIL},
        RowProblem(5, problem),
        {"feedback/rating": "2"},
        None,
        "_uuid",
        "_submission_time",
    )


def redcap(kind: str, names: dict[str, str]) -> Case:
    return Case(
        "redcap",
        kind,
        [names["help"], names["comments"], names["rating"]],
        ["1", "2", "3"],
        [MONDAY, TUESDAY, None],
        (names["help"], ["1", "2"] if kind == "raw" else ["Leaflets", "Phone call"]),
        names["comments"],
        {names["name"]: ZOE, names["email"]: ZOE_EMAIL},
        RowProblem(5, "it has 13 cells where the header has 11"),
        {names["rating"]: "2"},
        False,
        names["record_id"],
        names["timestamp"],
    )


def surveymonkey(kind: str, problem: str) -> Case:
    return Case(
        "surveymonkey",
        kind,
        [HELP, WENT_WELL, "How would you rate it?"],
        ["11801", "11802", "11803"],
        [MONDAY, TUESDAY, None],
        (HELP, ["Leaflets", "Phone call"]),
        WENT_WELL,
        {"IP Address": "198.51.100.7", "Email Address": ZOE_EMAIL, "First Name": "Zoë", "Last Name": "Ní Bhriain"},
        RowProblem(6, problem),
        {HELP: ["Leaflets"]},
        False,
        "Respondent ID",
        "End Date",
    )


RAW = {"help": "help", "comments": "comments", "rating": "rating", "name": "name", "email": "email"}
LABELS = {"help": HELP, "comments": "Comments", "rating": "Rating", "name": "Name", "email": "Email"}
CASES = [
    kobo("csv", "it has 3 cells where the header has 20"),
    kobo("xlsx", "it has a value in column T, beyond the header's 19 columns"),
    redcap("raw", {**RAW, "record_id": "record_id", "timestamp": "feedback_timestamp"}),
    redcap("labels", {**LABELS, "record_id": "Record ID", "timestamp": "Survey Timestamp"}),
    Case(
        "msforms",
        "xlsx",
        [HELP, WENT_WELL, "Rating"],
        ["1", "2", "3"],
        [MONDAY, TUESDAY, THURSDAY],
        (HELP, ["Leaflets", "Phone call"]),
        WENT_WELL,
        {"Email": ZOE_EMAIL, "Name": ZOE},
        RowProblem(5, "it has a value in column J, beyond the header's 9 columns"),
        {"Rating": "2"},
        None,
        "Id",
        "Completion time",
    ),
    Case(
        "googleforms",
        "csv",
        ["How did you hear about us?", WENT_WELL, "Rating"],
        [None, None, None],
        [MONDAY.replace(tzinfo=UTC), TUESDAY.replace(tzinfo=UTC), THURSDAY],
        ("How did you hear about us?", ["Leaflets", "Website"]),
        WENT_WELL,
        {"Email address": ZOE_EMAIL, "Your name": ZOE},
        RowProblem(5, "it has 7 cells where the header has 6"),
        {"How did you hear about us?": ["Leaflets", "Talking to staff"], "Rating": "2"},
        None,
        None,
        "Timestamp",
    ),
    surveymonkey("csv", "it has 3 cells where the header has 16"),
    surveymonkey("xlsx", "it has a value in column Q, beyond the header's 16 columns"),
]
each_case = pytest.mark.parametrize("case", CASES, ids=str)


def export_for(case: Case, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    return path, read_export(path)


@each_case
def test_detects_the_tool_and_its_columns(case, tmp_path):
    path, export = export_for(case, tmp_path)
    assert (export.tool, export.file_name) == (case.tool, path.name)
    assert export.questions == case.questions
    assert (export.id_column, export.submitted_column) == (case.id_column, case.submitted_column)
    assert set(case.identifiers) <= set(export.identifier_columns)


@each_case
def test_reads_every_readable_row_with_its_id_and_time(case, tmp_path):
    _, export = export_for(case, tmp_path)
    assert [r.response_id for r in export.responses] == case.ids
    assert [r.submitted for r in export.responses] == case.submitted


@each_case
def test_keeps_answers_exactly_and_lists_select_multiple(case, tmp_path):
    _, export = export_for(case, tmp_path)
    zoe, lukasz, partial = export.responses
    question, chosen = case.multiple
    assert zoe.answers[question] == chosen
    assert zoe.answers[case.free] == FREE_TEXT
    assert lukasz.answers[case.free] == "Fine"
    assert partial.answers == case.partial_answers
    assert all(value not in ("", 0, []) for r in export.responses for value in r.answers.values())


@each_case
def test_partial_response_is_marked_where_the_tool_says_so(case, tmp_path):
    _, export = export_for(case, tmp_path)
    assert export.responses[2].complete is case.partial_complete
    assert export.responses[0].complete in (True, None)


@each_case
def test_identifiers_are_kept_apart_from_answers(case, tmp_path):
    _, export = export_for(case, tmp_path)
    assert export.responses[0].identifiers == case.identifiers
    people = {ZOE, ZOE_EMAIL, LUKASZ, LUKASZ_EMAIL, "Zoë", "Ní Bhriain", "Łukasz", "Nowak"}
    for response in export.responses:
        assert not set(response.answers) & set(export.identifier_columns)
        for value in response.answers.values():
            assert not ({value} if isinstance(value, str) else set(value)) & people


@each_case
def test_an_unreadable_row_is_reported_and_the_rest_read(case, tmp_path):
    _, export = export_for(case, tmp_path)
    assert export.problems == [case.problem]
    assert case.problem.row_number not in [r.row_number for r in export.responses]
    assert len(export.responses) == 3


@each_case
def test_checksum_is_of_the_file_bytes(case, tmp_path):
    path, export = export_for(case, tmp_path)
    assert export.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_row_numbers_count_spreadsheet_rows_not_lines(tmp_path):
    """Zoë's free text spans two lines of the CSV but one row of a spreadsheet; the empty row 3 is skipped."""
    export = read_export(WRITERS["googleforms"](tmp_path, "csv"))
    assert [r.row_number for r in export.responses] == [2, 4, 6]


def test_the_tool_can_be_named_when_detection_would_be_wrong(tmp_path):
    path = WRITERS["googleforms"](tmp_path, "csv")
    export = read_export(path, tool="unknown")
    assert export.tool == "unknown"
    assert export.questions[0] == "Timestamp" and "Email address" not in export.questions
    assert (export.id_column, export.submitted_column) == (None, None)
    assert export.identifier_columns == ["Email address", "Your name"]  # never kept as answers, whatever the tool
    assert not any(person in str(row.answers) for row in export.responses for person in (ZOE, ZOE_EMAIL))


def test_an_unrecognised_csv_reads_every_column_as_a_question(tmp_path):
    rows = [["Site", "Score", "Comment"], ["North", "3", "Tabs\tand, commas"], ["South", "4", ""]]
    path = tmp_path / "notes.tsv"
    path.write_text("\n".join("\t".join(f'"{c}"' for c in row) for row in rows), encoding="utf-8")
    export = read_export(path)
    assert (export.tool, export.questions) == ("unknown", ["Site", "Score", "Comment"])
    assert [r.answers for r in export.responses] == [
        {"Site": "North", "Score": "3", "Comment": "Tabs\tand, commas"},
        {"Site": "South", "Score": "4"},
    ]
    assert {r.response_id for r in export.responses} == {None}
    assert {r.submitted for r in export.responses} == {None}


def test_separator_is_not_fooled_by_commas_in_quoted_answers(tmp_path):
    answer = "one, two, three, four, five, six"
    rows = [["_uuid", "_submission_time", "q/a"], ["u1", "2024-03-05T10:15:32", answer], ["u2", "", answer]]
    export = read_export(write_csv(tmp_path / "commas.csv", rows, delimiter=";"))
    assert export.tool == "kobo"
    assert [r.answers for r in export.responses] == [{"q/a": answer}] * 2


def test_surveymonkey_matrix_rows_become_their_own_questions(tmp_path):
    first = ["Respondent ID", "Collector ID", "End Date", "How much do you agree?", ""]
    rows = [first, ["", "", "", "Staff listened", "I was heard"], ["1", "2", "", "Agree", "Disagree"]]
    export = read_export(write_csv(tmp_path / "matrix.csv", rows))
    assert export.responses[0].answers == {
        "How much do you agree? - Staff listened": "Agree",
        "How much do you agree? - I was heard": "Disagree",
    }


UNREADABLE = {
    "empty.csv": b"",
    "blank.csv": b"\r\n\r\n  \r\n",
    "picture.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "prose.txt": b"Dear evaluator\nplease find the results attached\n",
    "report.pdf": b"%PDF-1.7\n1 0 obj\n",
}


@pytest.mark.parametrize("name", [*UNREADABLE, "archive.xlsx"])
def test_an_unreadable_file_says_why_in_one_line_naming_it(name, tmp_path):
    path = tmp_path / name
    if name == "archive.xlsx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
    else:
        path.write_bytes(UNREADABLE[name])
    with pytest.raises(ExportUnreadable) as raised:
        read_export(path)
    message = str(raised.value)
    assert name in message and "\n" not in message


def test_an_unknown_tool_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="kobo"):
        read_export(WRITERS["kobo"](tmp_path, "csv"), tool="qualtrics")
    assert "qualtrics" not in TOOLS


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2024-03-05T10:15:32", True, MONDAY),
        ("2024-03-05T10:15:32.000+01:00", True, MONDAY.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=1)))),
        ("2024/03/05 10:15:32 am GMT", True, MONDAY.replace(tzinfo=UTC)),
        ("2024/03/06 2:05:00 pm GMT+1", True, TUESDAY.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=1)))),
        ("05/03/2024 10:15:32", True, MONDAY),
        ("3/5/2024 10:15:32 AM", False, MONDAY),
        ("06/03/24 14:05", True, TUESDAY),
        ("[not completed]", True, None),
        ("", True, None),
    ],
)
def test_submitted_times_in_each_tools_format(text, day_first, expected):
    assert parse_when(text, day_first) == expected
