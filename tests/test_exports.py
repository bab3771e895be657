"""``coprod_widgets.exports``: round trips, the data dictionary, de-identification, formula text, one site, errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pytest

from coprod_widgets.exports import ExportError, export_store, read_export
from coprod_widgets.exports.answers import FIELDS as ANSWER_FIELDS
from coprod_widgets.exports.answers import VALUE as ANSWER_VALUE
from coprod_widgets.exports.cells import (
    EXCEL_CELL_LIMIT,
    from_xlsx_text,
    is_too_long_note,
    neutralise,
    to_xlsx_text,
    unneutralise,
)
from coprod_widgets.exports.columns import COUNT, DROPDOWN, FIELD_TYPES, YES_NO
from coprod_widgets.exports.counts import COUNT_TABLES
from coprod_widgets.exports.deidentify import (
    FREE_TEXT,
    KEPT_TEXT,
    NAME_FIELDS,
    PSEUDONYM_KEY_SETTING,
    Pseudonyms,
    holds_text,
    is_free_text,
)
from coprod_widgets.exports.dictionary import HEADINGS
from coprod_widgets.exports.surveys import SURVEY_ANSWERS, SURVEY_COUNTS, answer_columns
from coprod_widgets.records import RECORD_TYPES, validate
from coprod_widgets.store import Store
from tests.casefiles import load_cases

CELL_CASES = load_cases("export_cells.yaml")
PSEUDONYM = re.compile(r"^P-[0-9A-HJKMNP-TV-Z]{8}$")
DATA_TABLES = [*RECORD_TYPES, "answers", SURVEY_ANSWERS, *COUNT_TABLES, SURVEY_COUNTS]
#: The columns of the tables whose dictionary also has a row per question asked.
QUESTION_TABLES = {
    "answers": (*ANSWER_FIELDS, ANSWER_VALUE),
    SURVEY_ANSWERS: tuple(column.field for column in answer_columns(deidentify=False)),
}
FORMS = [("csv", False), ("csv", True), ("xlsx", False), ("xlsx", True)]
FORM_IDS = ["csv", "csv-labels", "xlsx", "xlsx-labels"]


@pytest.fixture(scope="module")
def demo(demo_db_url) -> Store:
    opened = Store.open(demo_db_url)
    yield opened
    opened.close()


def out_for(tmp_path: Path, file_format: str, name: str = "export") -> Path:
    return tmp_path / (f"{name}.xlsx" if file_format == "xlsx" else name)


def tables_in(path: Path) -> dict[str, list[list[object]]]:
    """Every table exactly as written (nothing un-neutralised): CSV files by stem, or sheets by title."""
    if path.is_dir():
        tables = {}
        for file in sorted(path.glob("*.csv")):
            with file.open(newline="", encoding="utf-8") as handle:
                tables[file.stem] = list(csv.reader(handle))
        return tables
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def every_text(path: Path) -> list[str]:
    """Every cell and every line of every file of an export, as text."""
    texts = [str(cell) for table in tables_in(path).values() for row in table for cell in row if cell is not None]
    if path.is_dir():
        texts += [file.read_text(encoding="utf-8") for file in path.glob("*.txt")]
    return texts


def dictionary_of(path: Path) -> list[dict[str, object]]:
    tables = tables_in(path)
    heading, *rows = tables["data_dictionary" if path.is_dir() else "data dictionary"]
    return [dict(zip(heading, row, strict=True)) for row in rows]


def as_dicts(table: list[list[object]]) -> list[dict[str, object]]:
    heading, *rows = table
    return [dict(zip(heading, row, strict=True)) for row in rows]


def is_question_row(row: dict[str, object]) -> bool:
    """A dictionary row about one question of a question set or a survey (not about a column)."""
    columns = QUESTION_TABLES.get(str(row["Form Name"]))
    return columns is not None and row["Variable / Field Name"] not in columns


# ---- formula neutralising ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CELL_CASES, ids=[repr(case["value"]) for case in CELL_CASES])
def test_neutralise(case):
    assert neutralise(case["value"]) == case["written"]
    assert unneutralise(case["written"]) == case["value"]


@pytest.mark.parametrize("value", [None, 0, -2, 3.5, True, dt.date(2015, 3, 1)])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) is value and unneutralise(value) is value


@pytest.mark.parametrize("value", ["a\r\nb", "\rA", "_x000D_", "x_x0041_y", "_x005F_", "plain", "tab\there"])
def test_xlsx_text_escapes_round_trip(value):
    escaped = to_xlsx_text(value)
    assert "\r" not in escaped and from_xlsx_text(escaped) == value


# ---- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize(("file_format", "labels"), FORMS, ids=FORM_IDS)
def test_round_trip_gives_back_every_record(demo, tmp_path, file_format, labels):
    result = export_store(demo, out_for(tmp_path, file_format), format=file_format, labels=labels)
    back = read_export(result.path)
    assert set(back) == set(RECORD_TYPES)
    for kind in RECORD_TYPES:
        stored = [record.model_dump() for record in demo.records(kind)]
        assert stored, f"the demo should have {kind} records"
        assert [validate(kind, row).model_dump() for row in back[kind]] == stored, kind
        assert result.rows[kind] == len(stored)


def test_what_is_written_where(demo, tmp_path):
    folder = export_store(demo, tmp_path / "csv")
    expected = {f"{name}.csv" for name in [*DATA_TABLES, "data_dictionary"]} | {"README.txt"}
    assert {file.name for file in folder.files} == expected == {file.name for file in (tmp_path / "csv").iterdir()}
    assert folder.path == tmp_path / "csv" and set(folder.rows) == set(DATA_TABLES)

    to_folder = export_store(demo, tmp_path / "wb", format="xlsx")
    assert to_folder.path == to_folder.files[0] == tmp_path / "wb" / "coprod-export.xlsx"
    named = export_store(demo, tmp_path / "Named.XLSX", format="xlsx")
    assert named.files == [tmp_path / "Named.XLSX"] and sorted(tmp_path.iterdir()) == sorted(
        [tmp_path / "csv", tmp_path / "wb", tmp_path / "Named.XLSX"]
    ), "no temporary files are left behind"
    sheets = openpyxl.load_workbook(named.path, read_only=True).sheetnames
    assert sheets == ["about", "data dictionary", *DATA_TABLES]


def test_raw_cells_lists_dates_and_no_access_codes(demo, tmp_path):
    folder = export_store(demo, tmp_path / "csv").path
    activities = as_dicts(tables_in(folder)["activity"])
    several = next(row for row in activities if ";" in row["facilitator_ids"])
    stored = demo.get("activity", int(several["id"]))
    assert several["facilitator_ids"] == ";".join(str(number) for number in stored.facilitator_ids)
    assert several["date"] == stored.date.isoformat()
    assert {row["intended"] for row in as_dicts(tables_in(folder)["outcome"])} <= {"1", "0"}
    hashes = [code_hash for _site, code_hash in demo.access_hashes()]
    assert hashes and not any(code_hash in text for text in every_text(folder) for code_hash in hashes)
    assert not any("access_code" in text for text in every_text(folder))

    workbook = openpyxl.load_workbook(export_store(demo, tmp_path / "x.xlsx", format="xlsx").path)
    sheet = workbook["partner"]
    joined = list(next(sheet.iter_cols(min_col=7, max_col=7, min_row=2)))
    assert sheet.cell(1, 7).value == "joined" and all(cell.is_date for cell in joined)
    assert isinstance(sheet.cell(2, 1).value, int)


def test_labels_use_titles_and_plain_english(demo, tmp_path):
    tables = tables_in(export_store(demo, tmp_path / "csv", labels=True).path)
    partner = as_dicts(tables["partner"])
    assert list(partner[0]) == [info.title for info in RECORD_TYPES["partner"].model_fields.values()]
    assert {row["Role group"] for row in partner} >= {"Person with lived experience", "Clinician"}
    assert {row["Intended"] for row in as_dicts(tables["outcome"])} <= {"Yes", "No"}
    assert {row["Ladder of Co-production step"] for row in as_dicts(tables["activity"])} >= {"5 - Engagement"}
    assert as_dicts(tables["counts_partners"])[0]["Site name"] == demo.sites()[0].name


# ---- the data dictionary and the about notes -----------------------------------------------------

DICTIONARY_FORMS = [(*form, False) for form in FORMS] + [("csv", False, True), ("xlsx", True, True)]


@pytest.mark.parametrize(
    ("file_format", "labels", "deidentify"), DICTIONARY_FORMS, ids=[*FORM_IDS, "csv-deidentified", "xlsx-deidentified"]
)
def test_dictionary_describes_every_column_and_nothing_else(demo, tmp_path, file_format, labels, deidentify):
    out = out_for(tmp_path, file_format)
    path = export_store(demo, out, format=file_format, labels=labels, deidentify=deidentify).path
    tables = tables_in(path)
    written = {(name, heading) for name in DATA_TABLES for heading in tables[name][0]}
    every_row = dictionary_of(path)
    rows = [row for row in every_row if not is_question_row(row)]
    questions = [row for row in every_row if is_question_row(row)]
    described = [(row["Form Name"], row["Column Heading"]) for row in rows]
    assert len(described) == len(set(described)) and set(described) == written
    assert list(rows[0]) == list(HEADINGS)
    # the demo's own sets ask 13 questions; the self-assessment asks 12 and the 4Pi reflection 11; each of the
    # six sites' surveys maps 3
    assert len(questions) == 13 + 12 + 11 + 6 * 3 and every_row[-len(questions) :] == questions, "questions last"
    headings = {(row["Form Name"], row["Column Heading"]) for row in questions}
    answer, value = ("Answer", "Answer") if labels else ("answer", "value")
    assert headings == {("answers", value), (SURVEY_ANSWERS, answer)}, "where each question's answers are"
    for row in rows:
        assert row["Variable / Field Name"] and row["Field Label"], row
        assert row["Field Type"] in FIELD_TYPES, row
        if row["Field Type"] in (DROPDOWN, YES_NO):
            assert " | " in row["Choices, Calculations, OR Slider Labels"], row
        if row["Form Name"] in RECORD_TYPES:
            info = RECORD_TYPES[row["Form Name"]].model_fields[row["Variable / Field Name"]]
            assert (row["Required Field?"] == "y") == info.is_required(), row
            assert row["Column Heading"] == (info.title if labels else row["Variable / Field Name"])
    notes = {(row["Form Name"], row["Variable / Field Name"]): row["Field Note"] for row in rows}
    assert "links to the id column of partner" in notes[("attendance", "partner_id")]
    assert ("free text" in notes.get(("activity", "title"), "free text")) and notes[("counts_outcomes", "outcomes")]
    if deidentify:
        assert "<5" in notes[("counts_partners", "partners")]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_about_says_where_when_and_how(demo, tmp_path, file_format):
    result = export_store(demo, out_for(tmp_path, file_format), format=file_format, deidentify=True, site="Saltmere")
    if file_format == "csv":
        text = (result.path / "README.txt").read_text(encoding="utf-8")
    else:
        text = "\n".join(f"{item}: {details}" for item, details in tables_in(result.path)["about"][1:] if item)
    from coprod_widgets import __version__

    assert f"coprod version: {__version__}" in text
    assert f"From: SQLite file {demo.url.removeprefix('sqlite:///')}" in text
    assert re.search(r"Generated: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", text)
    assert "site Saltmere; min count 5" in text and "deidentify" in text
    assert f"partner{'.csv' if file_format == 'csv' else ''}: {result.rows['partner']} row(s)" in text
    assert "not anonymisation" in text and "Dates" in text


# ---- de-identification ---------------------------------------------------------------------------


def partner_names(store: Store) -> list[str]:
    names = [partner.display_name for partner in store.records("partner")]
    return names + [name.split()[0] for name in names]


@pytest.mark.parametrize(("file_format", "labels"), FORMS, ids=FORM_IDS)
def test_deidentified_export_names_nobody_and_has_no_free_text(demo, tmp_path, file_format, labels):
    path = export_store(demo, out_for(tmp_path, file_format), format=file_format, labels=labels, deidentify=True).path
    texts = every_text(path)
    for name in partner_names(demo):
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        assert not any(pattern.search(text) for text in texts), f"{name!r} appears in the de-identified export"
    fields = {(row["Form Name"], row["Variable / Field Name"]) for row in dictionary_of(path)}
    dropped = {(kind, field) for kind, names in FREE_TEXT.items() for field in names}
    assert not fields & dropped
    assert {("site", "name"), ("site", "service_issue"), ("programme", "name")} <= fields
    written = written_answers(demo)
    assert written and not any(answer in text for text in texts for answer in written), "no written answers"
    answers = as_dicts(tables_in(path)["answers"])
    type_heading = "Question type" if labels else "type"
    assert len(answers) == OWN_CHOSEN_ANSWERS + shared_answers(demo, written=False)
    assert "text" not in {row[type_heading] for row in answers}


def test_pseudonyms_are_stable_joinable_and_not_record_numbers(demo, tmp_path):
    first = as_dicts(tables_in(export_store(demo, tmp_path / "one", deidentify=True).path)["partner"])
    again = tables_in(export_store(demo, tmp_path / "two", deidentify=True, labels=True).path)
    assert [row["id"] for row in first] == [row["Record number"] for row in as_dicts(again["partner"])]
    pseudonyms = {row["id"] for row in first}
    assert len(pseudonyms) == len(first) == len(demo.records("partner"))
    assert all(PSEUDONYM.match(p) for p in pseudonyms) and all(row["display_name"] == row["id"] for row in first)
    numbers = {str(record.id) for kind in RECORD_TYPES for record in demo.records(kind)}
    assert not pseudonyms & numbers

    tables = tables_in(tmp_path / "one")
    pseudonym = Pseudonyms(demo.secret(PSEUDONYM_KEY_SETTING))
    stored = {record.id: record for record in demo.records("attendance")}
    attendance = as_dicts(tables["attendance"])
    assert {row["partner_id"] for row in attendance} <= pseudonyms
    assert all(row["partner_id"] == pseudonym(stored[int(row["id"])].partner_id) for row in attendance)
    by_pseudonym = {pseudonym(record.id): record for record in demo.records("partner")}
    assert all(by_pseudonym[row["id"]].joined.isoformat() == row["joined"] for row in first)
    for kind, field in [
        ("activity", "facilitator_ids"),
        ("problem_framing", "partner_ids"),
        ("non_negotiable", "declared_by_id"),
        ("acceptance", "partner_id"),
        ("starting_idea", "partner_id"),
        ("question_response", "partner_id"),
    ]:
        referred = {item for row in as_dicts(tables[kind]) for item in row[field].split(";") if item}
        assert referred and referred <= pseudonyms, (kind, field)

    other = Store.open(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        assert Pseudonyms(other.secret(PSEUDONYM_KEY_SETTING))(1) != pseudonym(1), "another store, other pseudonyms"
    finally:
        other.close()


def test_keep_text_keeps_free_text_but_not_names(demo, tmp_path):
    tables = tables_in(export_store(demo, tmp_path / "csv", deidentify=True, keep_text=True).path)
    activity = as_dicts(tables["activity"])
    assert [row["title"] for row in activity] == [record.title for record in demo.records("activity")]
    assert set(as_dicts(tables["outcome"])[0]) >= set(FREE_TEXT["outcome"])
    assert all(PSEUDONYM.match(row["display_name"]) for row in as_dicts(tables["partner"]))


def test_names_and_e_mails_from_survey_exports_never_leave_in_a_de_identified_export(store, small_programme, tmp_path):
    refs = small_programme
    store.add(
        "survey_response",
        {"site_id": refs["site"], "survey_id": refs["survey"], "import_id": refs["survey_import"],
         "response_key": "R_1", "answers": {"I was listened to": "Agree"},
         "identifiers": {"Email": "zoe@example.org", "Name": "Zoë Ní Bhriain"}},
        "test",
    )  # fmt: skip
    full = as_dicts(tables_in(export_store(store, tmp_path / "full").path)["survey_response"])
    assert "zoe@example.org" in full[0]["identifiers"], "a full export has everything"
    for keep_text in (False, True):
        folder = export_store(store, tmp_path / f"deid-{keep_text}", deidentify=True, keep_text=keep_text).path
        text = "".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
        assert "zoe@example.org" not in text and "Zoë" not in text
        row = as_dicts(tables_in(folder)["survey_response"])[0]
        assert "identifiers" not in row and ("answers" in row) == keep_text


@pytest.mark.parametrize("min_count", [1, 5, 10])
def test_small_counts_are_hidden_and_no_totals(demo, tmp_path, min_count):
    exact = tables_in(export_store(demo, tmp_path / "exact").path)
    hidden = tables_in(export_store(demo, tmp_path / "hidden", deidentify=True, min_count=min_count).path)
    site_ids = {str(site.id) for site in demo.sites()}
    shown_as_hidden = 0
    for name in COUNT_TABLES:
        assert len(exact[name]) == len(hidden[name])
        counts = [
            row["Variable / Field Name"]
            for row in dictionary_of(tmp_path / "hidden")
            if row["Form Name"] == name and row["Field Type"] == COUNT
        ]
        for true_row, shown_row in zip(as_dicts(exact[name]), as_dicts(hidden[name]), strict=True):
            assert shown_row["site_id"] in site_ids, "no totals rows"
            for field in counts:
                true = int(true_row[field])
                assert true >= 1
                if true < min_count:
                    assert shown_row[field] == f"<{min_count}"
                    shown_as_hidden += 1
                else:
                    assert int(shown_row[field]) == true >= min_count
    assert (shown_as_hidden > 0) == (min_count > 1)


def test_deidentified_export_reads_back_with_pseudonyms(demo, tmp_path):
    back = read_export(export_store(demo, tmp_path / "x.xlsx", format="xlsx", deidentify=True, labels=True).path)
    assert all(PSEUDONYM.match(row["partner_id"]) for row in back["attendance"])
    assert all(
        row["role_group"]
        in {"lived_experience", "carer", "clinician", "manager", "commissioner", "voluntary_sector", "other"}
        for row in back["partner"]
    )
    assert "title" not in back["activity"][0]


def test_free_text_list_is_the_one_decision():
    for kind, cls in RECORD_TYPES.items():
        for field, info in cls.model_fields.items():
            if not holds_text(info.annotation):  # dict: a set of answers; a list of text: a transcript's paragraphs
                assert not is_free_text(kind, field)
                continue
            places = [field in group.get(kind, ()) for group in (KEPT_TEXT, NAME_FIELDS, FREE_TEXT)]
            assert places.count(True) == 1, f"{kind}.{field} must be in exactly one list in deidentify.py"
            assert is_free_text(kind, field) == (field in FREE_TEXT.get(kind, ()))


# ---- answers to the sites' own questions ---------------------------------------------------------------


def written_answers(store: Store) -> set[str]:
    """Every written (text) answer in the store: Saltmere's "what helped", Oxborough's "one change", and the
    comments on the shared self-assessment."""
    names = {"what_helped", "one_change", "comment"}
    return {value for r in store.records("question_response") for name, value in r.answers.items() if name in names}


#: The demo's answers to its sites' own question sets (Saltmere, Brackenford, Oxborough), and those of them
#: that are not written text (kept by a de-identified export).
OWN_ANSWERS, OWN_CHOSEN_ANSWERS = 76, 65


def shared_answers(store: Store, written: bool = True) -> int:
    """How many answers the store holds to the shared instruments; without written ones unless ``written``."""
    from coprod_widgets.questions.instruments import is_instrument

    shared = {s.id for s in store.records("question_set") if is_instrument(s)}
    return sum(
        1
        for response in store.records("question_response")
        if response.question_set_id in shared
        for name in response.answers
        if written or not (name == "comment" or name.endswith("_notes"))
    )


def answers_as_written(store: Store, labels: bool) -> list[list[str]]:
    """answers_frame's rows as a CSV export writes them: the export and the evaluators' frame agree."""
    from coprod_widgets.evaluation import indicators as ind
    from coprod_widgets.evaluation.data import load_programme

    data = load_programme(store)
    frame = ind.answers_frame(data["question_set"], data["question_response"], data.sites, labels=labels)
    frame = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"), version=frame["version"].astype(str))
    return [[str(cell) for cell in row] for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("labels", [False, True], ids=["codes", "labels"])
def test_answers_table_holds_one_row_per_answer(demo, tmp_path, labels):
    path = export_store(demo, tmp_path / "csv", labels=labels).path
    heading, *rows = tables_in(path)["answers"]
    titles = ["Site", "Site name", "Set of answers", "Answered by", "Date answered", "Question set name", "Version"]
    titles += ["Question", "Question label", "Question type", "Answer"]
    assert heading == (titles if labels else [*ANSWER_FIELDS, ANSWER_VALUE])
    assert len(rows) == OWN_ANSWERS + shared_answers(demo) and rows == answers_as_written(demo, labels)
    own = [row for row in rows if row[5] not in ("Self-assessment", "4Pi involvement reflection")]
    assert len(own) == OWN_ANSWERS and len({row[2] for row in own}) == 18
    assert {row[1] for row in own} == {"Saltmere", "Brackenford", "Oxborough"}
    assert {row[1] for row in rows} == {site.name for site in demo.sites()}, "every site answers the instruments"
    values = {row[-1] for row in rows}
    if labels:
        assert {"Medicine not stocked on the ward", "First week", "Yes"} <= values and "not_stocked" not in values
        assert any(";" in value and "Waiting for the drug round" in value for value in values)
    else:
        assert {"not_stocked", "w1", "yes"} <= values and "Medicine not stocked on the ward" not in values
    assert written_answers(demo) <= values, "a full export keeps what people wrote"


def test_dictionary_says_what_each_question_asked(demo, tmp_path):
    rows = [row for row in dictionary_of(export_store(demo, tmp_path / "csv").path) if is_question_row(row)]
    shared = [row for row in rows if "(every site)" in row["Field Note"]]
    assert [row["Variable / Field Name"] for row in shared][:4] == [
        "respondent_role",
        "principles",
        "principles_notes",
        "purpose",
    ]
    by_name = {row["Variable / Field Name"]: row for row in rows if row not in shared}
    assert list(by_name)[:5] == ["met_on", "came", "tried_breathing", "confidence", "what_helped"]
    late = by_name["late_reasons"]
    assert late["Field Label"] == "Why were doses late?" and late["Field Type"] == "select_multiple"
    assert late["Choices, Calculations, OR Slider Labels"] == (
        "drug_round = Waiting for the drug round; not_stocked = Medicine not stocked on the ward; "
        "nil_by_mouth = Nil by mouth, no alternative given; other = Another reason"
    )
    assert "'Ward visit: medicines on time', version 1 (Brackenford's own)" in late["Field Note"]
    assert by_name["week_home"]["Field Label"] == "Which week home is this?", "the form's default language"
    assert by_name["week_home"]["Required Field?"] == "y" and by_name["what_helped"]["Identifier?"] == "y"
    assert (by_name["confidence"]["Text Validation Min"], by_name["confidence"]["Text Validation Max"]) == ("1", "10")
    assert (
        by_name["on_time_share"]["Field Type"] == "calculate"
        and "worked out as" in by_name["on_time_share"]["Field Note"]
    )


def test_keep_text_keeps_written_answers(demo, tmp_path):
    tables = tables_in(export_store(demo, tmp_path / "csv", deidentify=True, keep_text=True).path)
    answers = as_dicts(tables["answers"])
    assert len(answers) == OWN_ANSWERS + shared_answers(demo) and written_answers(demo) <= {
        row["value"] for row in answers
    }


def test_respondents_are_partner_numbers_or_pseudonyms(store, small_programme, tmp_path):
    answered = {
        "site_id": small_programme["site"],
        "question_set_id": small_programme["question_set"],
        "partner_id": small_programme["partner_lived"],
        "date": "2015-04-01",
        "answers": {"visits": 3},
    }
    store.add("question_response", answered, who="test")
    full = as_dicts(tables_in(export_store(store, tmp_path / "full").path)["answers"])
    assert [(row["respondent"], row["question"], row["value"]) for row in full] == [
        (str(small_programme["partner_lived"]), "visits", "3")
    ]
    shown = as_dicts(tables_in(export_store(store, tmp_path / "de", deidentify=True).path)["answers"])
    pseudonym = Pseudonyms(store.secret(PSEUDONYM_KEY_SETTING))(small_programme["partner_lived"])
    assert [row["respondent"] for row in shown] == [pseudonym] and "Rosa" not in str(shown)


def test_one_site_keeps_the_programme_sets_it_answers(store, small_programme, tmp_path):
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    form = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | integer | met | Times met? |\n")
    common = add_form(store, form, name="Core", source="core.md", site_id=None, who="test").question_set
    answered = {"site_id": small_programme["site"], "question_set_id": common.id, "date": "2015-04-01"}
    store.add("question_response", {**answered, "answers": {"met": 2}}, who="test")
    path = export_store(store, tmp_path / "north", site="North").path
    shared = {"Self-assessment", "4Pi involvement reflection"}
    assert {row["name"] for row in read_export(path)["question_set"]} == {"Core", "Seeded visits", *shared}
    answers = as_dicts(tables_in(path)["answers"])
    assert [(row["form"], row["label"], row["value"]) for row in answers] == [("Core", "Times met?", "2")]


LONG_LABEL = "A question worded at great length, as some forms are. " * 6


@pytest.fixture
def long_store(store, small_programme) -> Store:
    """A question set whose questions, as JSON, are longer than an Excel cell can hold; with one set of answers."""
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    lines = "".join(f"|  | integer | q{n} | {LONG_LABEL}{n} |\n" for n in range(120))
    form = read_xlsform_text("| survey |\n|  | type | name | label |\n" + lines)
    added = add_form(store, form, name="Long", source="long.md", site_id=small_programme["site"], who="test")
    answered = {"site_id": small_programme["site"], "question_set_id": added.question_set.id, "date": "2015-04-01"}
    store.add("question_response", {**answered, "answers": {"q0": 1, "q119": 2}}, who="test")
    return store


def test_a_cell_too_long_for_excel_is_a_note_in_the_xlsx_and_whole_in_the_csv(long_store, tmp_path):
    (stored,) = [s for s in long_store.records("question_set") if s.name == "Long"]
    whole = json.dumps(stored.definition, ensure_ascii=False, sort_keys=True)
    assert len(whole) > EXCEL_CELL_LIMIT

    workbook = export_store(long_store, tmp_path / "x.xlsx", format="xlsx").path
    cells = [cell for table in tables_in(workbook).values() for row in table for cell in row]
    assert max(len(cell) for cell in cells if isinstance(cell, str)) <= EXCEL_CELL_LIMIT
    sets = as_dicts(tables_in(workbook)["question_set"])
    note = next(row["definition"] for row in sets if row["name"] == "Long")
    assert is_too_long_note(note)
    assert f"{len(whole):,} characters" in note and "CSV export" in note and "in the store" in note
    back = {row["name"]: row for row in read_export(workbook)["question_set"]}
    assert back["Long"]["definition"] is None, "read_export says the value is not in this file"
    assert back["Seeded visits"]["definition"] == long_store.get("question_set", back["Seeded visits"]["id"]).definition
    answers = as_dicts(tables_in(workbook)["answers"])
    assert [(row["question"], row["value"]) for row in answers] == [("q0", "1"), ("q119", "2")]

    folder = export_store(long_store, tmp_path / "csv").path
    back = {row["name"]: row for row in read_export(folder)["question_set"]}
    assert back["Long"]["definition"] == stored.definition, "the CSV export has it whole"


# ---- formula-like text typed by people ---------------------------------------------------------------

FORMULA_TEXT = [case["value"] for case in CELL_CASES if case["value"] and case["value"].strip() == case["value"]]
FORMULA_TEXT += ["line one\r\nline two", "_x000D_ literally"]


@pytest.fixture
def formula_store(store, small_programme) -> Store:
    for number, text in enumerate(FORMULA_TEXT):
        data = {
            "site_id": small_programme["site"],
            "display_name": f"Typed {number}",
            "role_group": "other",
            "organisation": text,
            "connections": text,
            "joined": "2015-03-01",
        }
        store.add("partner", data, who="test")
    store.update("activity", small_programme["activity"], {"title": "=1+1"}, who="test")
    return store


@pytest.mark.parametrize(("file_format", "labels"), FORMS, ids=FORM_IDS)
def test_formula_text_is_neutralised_and_round_trips(formula_store, tmp_path, file_format, labels):
    path = export_store(formula_store, out_for(tmp_path, file_format), format=file_format, labels=labels).path
    heading = "Organisation" if labels else "organisation"
    written = [row[heading] for row in as_dicts(tables_in(path)["partner"])]
    expected = [neutralise(text) for text in FORMULA_TEXT]
    if file_format == "xlsx":
        expected = [to_xlsx_text(text) for text in expected]
        workbook = openpyxl.load_workbook(path)
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a cell was stored as a formula"
        typed = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith("'")]
        assert typed and all(cell.data_type == "s" for cell in typed)
    assert written[-len(FORMULA_TEXT) :] == expected
    back = {row["display_name"]: row for row in read_export(path)["partner"]}
    for number, text in enumerate(FORMULA_TEXT):
        assert back[f"Typed {number}"]["organisation"] == back[f"Typed {number}"]["connections"] == text
    assert read_export(path)["activity"][0]["title"] == "=1+1"


# ---- one site ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_site_limits_the_export_to_one_site(demo, tmp_path, file_format):
    chosen = demo.site_named("Fenmarsh")
    path = export_store(demo, out_for(tmp_path, file_format), format=file_format, site="  fenmarsh ").path
    back = read_export(path)
    assert [row["name"] for row in back["site"]] == ["Fenmarsh"] and len(back["programme"]) == 1
    for kind in RECORD_TYPES:
        if "site_id" in RECORD_TYPES[kind].model_fields:
            stored = [r.model_dump() for r in demo.records(kind) if r.site_id == chosen.id or kind == "question_set"]
            if kind == "question_set":  # the programme's sets (the shared instruments) are the site's too
                stored = [r for r in stored if r["site_id"] in (None, chosen.id)]
            assert [validate(kind, row).model_dump() for row in back[kind]] == stored, kind
    texts = every_text(path)
    others = [site.name for site in demo.sites() if site.id != chosen.id]
    others += [p.display_name for p in demo.records("partner") if p.site_id != chosen.id]
    assert not [name for name in others if any(name in text for text in texts)]
    assert all(str(row[0]) == str(chosen.id) for name in COUNT_TABLES for row in tables_in(path)[name][1:])


# ---- refusals: one plain message, nothing written -----------------------------------------------------

REFUSALS = [
    # (id, out (relative to tmp_path, or absolute), options, words in the message)
    ("unknown site", "out", {"site": "Nowhere"}, "no site called 'Nowhere'. The sites are: North, South"),
    ("min count 0", "out", {"deidentify": True, "min_count": 0}, "min_count must be a whole number"),
    ("min count negative", "out", {"deidentify": True, "min_count": -1}, "min_count must be"),
    ("min count not a number", "out", {"deidentify": True, "min_count": "5"}, "min_count must be"),
    ("min count a bool", "out", {"deidentify": True, "min_count": True}, "min_count must be"),
    ("keep text alone", "out", {"keep_text": True}, "add deidentify"),
    ("unknown format", "out", {"format": "pdf"}, "format must be csv or xlsx, not 'pdf'"),
    ("csv into a file", "a-file.txt", {}, "is a file, not a folder"),
    ("folder under a file", "a-file.txt/sub", {}, "is a file, so the folder"),
    ("xlsx into a file as folder", "a-file.txt", {"format": "xlsx"}, "is a file, not a folder"),
    ("csv named .xlsx", "out.xlsx", {}, "ends in .xlsx but the format is csv"),
    ("xlsx name is a folder", "a-folder.xlsx", {"format": "xlsx"}, "is a folder"),
    ("cannot be written", "/proc/coprod-export-test", {}, "Cannot write the export"),
]


@pytest.mark.parametrize(("out", "options", "expected"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refusals_say_why_and_write_nothing(store, small_programme, tmp_path, out, options, expected):
    (tmp_path / "a-file.txt").write_text("not a folder")
    (tmp_path / "a-folder.xlsx").mkdir()
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ExportError) as raised:
        export_store(store, tmp_path / out, **options)
    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert sorted(tmp_path.rglob("*")) == before


def test_command_line_wording_names_the_option():
    problem = ExportError("{min_count} must be 1 or more; {keep_text} needs {deidentify}.")
    assert str(problem) == "min_count must be 1 or more; keep_text needs deidentify."
    assert problem.for_command_line() == "--min-count must be 1 or more; --keep-text needs --deidentify."


class Stop(Exception):
    pass


def stop_at(step: int):
    def progress(_name, done, _total):
        if done == step:
            raise Stop

    return progress


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_failed_export_leaves_what_was_there(demo, tmp_path, file_format):
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    openpyxl_files = list(ALL_TEMP_FILES)
    new = out_for(tmp_path, file_format, "new")
    with pytest.raises(Stop):
        export_store(demo, new, format=file_format, progress=stop_at(5))
    assert list(tmp_path.iterdir()) == []

    old = export_store(demo, out_for(tmp_path, file_format, "old"), format=file_format, site="Saltmere")
    before = {file: file.read_bytes() for file in old.files}
    with pytest.raises(Stop):
        export_store(demo, old.path, format=file_format, progress=stop_at(14))
    assert {file: file.read_bytes() for file in sorted(tmp_path.rglob("*")) if file.is_file()} == before
    assert openpyxl_files == ALL_TEMP_FILES, "openpyxl's temporary files are removed too"


#: (id, format, out, folder made beforehand or None, folders the export makes): every file written is 0600.
PRIVATE_CASES = [
    ("csv new folders", "csv", "a/b/june", None, ["a", "a/b", "a/b/june"]),
    ("csv existing folder", "csv", "june", "june", []),
    ("xlsx new folders", "xlsx", "a/b/june.xlsx", None, ["a", "a/b"]),
    ("xlsx existing folder", "xlsx", "shared", "shared", []),
]


@pytest.fixture
def everyday_umask():
    """The umask most accounts have, which on its own would leave files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize(
    ("out", "file_format", "relative", "existing", "made"), PRIVATE_CASES, ids=[case[0] for case in PRIVATE_CASES]
)
def test_export_files_are_for_their_owner_only(
    everyday_umask, store, small_programme, tmp_path, out, file_format, relative, existing, made
):
    if existing:
        (tmp_path / existing).mkdir(mode=0o755)
    result = export_store(store, tmp_path / relative, format=file_format)
    assert result.files
    modes = {file.name: oct(file.stat().st_mode & 0o777) for file in result.files}
    assert modes == dict.fromkeys(modes, "0o600"), "an export names partners, as a report does"
    folders = {folder: oct((tmp_path / folder).stat().st_mode & 0o777) for folder in made}
    assert folders == dict.fromkeys(made, "0o700")
    if existing:
        assert (tmp_path / existing).stat().st_mode & 0o777 == 0o755, "a folder already there keeps its mode"


def test_progress_is_called_once_per_record_type(store, small_programme, tmp_path):
    calls = []
    export_store(store, tmp_path / "x.xlsx", format="xlsx", progress=lambda *call: calls.append(call))
    assert calls == [(kind, done, len(RECORD_TYPES)) for done, kind in enumerate(RECORD_TYPES, start=1)]


@pytest.mark.parametrize("what", ["empty folder", "not a workbook", "label changed"])
def test_read_export_refuses_what_it_cannot_read(store, small_programme, tmp_path, what):
    if what == "empty folder":
        path = tmp_path
    elif what == "not a workbook":
        path = tmp_path / "notes.txt"
        path.write_text("hello")
    else:
        path = export_store(store, tmp_path / "csv", labels=True).path
        text = (path / "partner.csv").read_text(encoding="utf-8").replace("Person with lived experience", "Patient")
        (path / "partner.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ExportError) as raised:
        read_export(path)
    if what == "label changed":
        assert "partner.csv, row 2: Role group: 'Patient' is not one of the allowed values" in str(raised.value)


# ---- the store's secret, and staying light ------------------------------------------------------------


def test_secret_is_made_once_and_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    stores = [Store.open(url) for _ in range(6)]
    try:
        barrier, found = threading.Barrier(len(stores)), []

        def ask(store):
            barrier.wait()
            found.append(store.secret("key"))

        threads = [threading.Thread(target=ask, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(found)) == 1 and len(found[0]) == 64
        assert stores[0].secret("key") == found[0] != stores[0].secret("another")
    finally:
        for store in stores:
            store.close()


@pytest.mark.postgres
def test_secret_on_postgresql():
    from tests.postgres import temporary_postgres

    with temporary_postgres() as url:
        stores = [Store.open(url) for _ in range(4)]
        try:
            found = []
            threads = [threading.Thread(target=lambda s=s: found.append(s.secret("key"))) for s in stores]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(found) == 4 and len(set(found)) == 1 and stores[1].secret("key") == found[0]
        finally:
            for store in stores:
                store.close()


def test_importing_the_package_does_not_import_exports_or_pandas():
    code = (
        "import sys, coprod_widgets; print('coprod_widgets.exports' in sys.modules, 'pandas' in sys.modules); "
        "import coprod_widgets.exports; print('pandas' in sys.modules, 'openpyxl' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "False", "False"]
