"""Survey exports imported into the store: every tool's file, repeats skipped, names and e-mails left out unless
asked for, nothing kept from an import that fails; and ``coprod import-survey`` run for real."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coprod_widgets.surveys.importing import (
    UNREADABLE_TEXT_LIMIT,
    ImportRefused,
    content_key,
    import_survey,
    response_keys,
    unreadable_text,
)
from coprod_widgets.surveys.mapping import MappingInvalid, QuestionMapping, SurveyMapping, mapping_from_yaml
from coprod_widgets.surveys.read import ExportUnreadable, RowProblem, read_export
from coprod_widgets.surveys.suggest import CHOOSE
from tests.survey_exports import LUKASZ, LUKASZ_EMAIL, WRITERS, ZOE, ZOE_EMAIL, write_csv
from tests.test_survey_read import CASES

WHO = "survey import test"
PEOPLE = (ZOE, ZOE_EMAIL, LUKASZ, LUKASZ_EMAIL, "Zoë", "Ní Bhriain", "Łukasz", "Nowak")
RATING = {
    "kobo": "feedback/rating",
    "redcap-raw": "rating",
    "redcap-labels": "Rating",
    "msforms": "Rating",
    "googleforms": "Rating",
    "surveymonkey": "How would you rate it?",
}
SURVEY_KINDS = ("survey", "survey_import", "survey_response")
each_case = pytest.mark.parametrize("case", CASES, ids=str)


def mapping_for(case, name: str = "Spring survey", learning_point: str = "lp2") -> SurveyMapping:
    rating = RATING.get(str(case), RATING.get(case.tool))
    scores = {str(n): n for n in range(1, 6)}
    return SurveyMapping(survey=name, tool=case.tool, questions=(QuestionMapping(rating, learning_point, "", scores),))


@pytest.fixture
def site(store):
    programme = store.add("programme", {"name": "Survey programme"}, WHO)
    values = {"programme_id": programme.id, "name": "Saltmere", "service_issue": "Falls", "start_date": "2015-01-01"}
    return store.add("site", values, WHO)


def responses(store):
    return store.records("survey_response")


def held(store) -> dict[str, int]:
    """How many survey records of each kind, and history lines, the store holds."""
    return {kind: len(store.records(kind)) for kind in SURVEY_KINDS} | {"history": len(store.history())}


def later_export(case, path: Path, folder: Path) -> Path:
    """The same export with one more response after the others: Łukasz's row with a new id and new free text."""
    export = read_export(path)
    second = export.responses[1].row_number
    new_id = 77
    if path.suffix == ".xlsx":
        workbook = load_workbook(path)
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        extra = rows[second - 1]
        header = rows[0]
        sheet.append(_changed(extra, header, export.id_column, case.free, new_id))
        target = folder / f"later{path.suffix}"
        workbook.save(target)
        return target
    delimiter = ";" if case.tool == "kobo" else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    rows.append(_changed(rows[second - 1], rows[0], export.id_column, case.free, str(new_id)))
    return write_csv(folder / "later.csv", rows, delimiter=delimiter)


def _changed(row: list, header: list, id_column: str | None, free: str, new_id) -> list:
    row = list(row)
    if id_column:
        row[header.index(id_column)] = new_id
    row[header.index(free)] = "Better since the spring"
    return row


# ---- each tool's export --------------------------------------------------------------------------------------


@each_case
def test_every_readable_response_is_imported_with_its_id_time_and_answers(case, store, site, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    result = import_survey(store, path, "saltmere", mapping_for(case), WHO)
    assert (result.tool, result.rows_read, result.added, result.repeated) == (case.tool, 3, 3, 0)
    assert result.problems == [case.problem] and not result.needs_mapping
    [survey] = store.records("survey")
    assert (survey.id, survey.site_id, survey.name, survey.tool) == (
        result.survey_id,
        site.id,
        "Spring survey",
        case.tool,
    )
    assert survey.mapping == mapping_for(case).as_dict()
    [record] = store.records("survey_import")
    assert (record.id, record.file_name, record.rows_read) == (result.import_id, path.name, 3)
    assert (record.responses_added, record.responses_repeated) == (3, 0)
    assert record.unreadable_rows == f"row {case.problem.row_number}: {case.problem.reason}"
    assert record.checksum == read_export(path).sha256
    stored = responses(store)
    expected_keys = [i for i in case.ids if i] or [content_key(r) for r in read_export(path).responses]
    assert [r.response_key for r in stored] == expected_keys
    assert [r.answers for r in stored] == [r.answers for r in read_export(path).responses]
    assert [r.submitted for r in stored] == [t.date() if t else None for t in case.submitted]
    assert stored[2].complete is case.partial_complete
    assert {r.import_id for r in stored} == {record.id}


@each_case
def test_names_and_emails_are_left_out_unless_asked_for(case, store, site, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    import_survey(store, path, "Saltmere", mapping_for(case), WHO)
    stored = json.dumps([r.model_dump(mode="json") for r in responses(store)], ensure_ascii=False)
    assert [r.identifiers for r in responses(store)] == [{}, {}, {}]
    assert not [person for person in PEOPLE if person in stored]

    import_survey(store, path, "Saltmere", mapping_for(case, "Kept"), WHO, keep_identifiers=True)
    kept = store.records("survey_response", survey_id=store.records("survey", name="Kept")[0].id)
    assert kept[0].identifiers == case.identifiers


@each_case
def test_importing_the_same_file_again_adds_nothing(case, store, site, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    import_survey(store, path, "Saltmere", mapping_for(case), WHO)
    again = import_survey(store, path, "Saltmere", mapping_for(case), WHO)
    assert (again.rows_read, again.added, again.repeated) == (3, 0, 3)
    assert len(responses(store)) == 3 and len(store.records("survey")) == 1
    assert [i.responses_repeated for i in store.records("survey_import")] == [0, 3]


@each_case
def test_a_later_export_adds_only_the_new_response(case, store, site, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    import_survey(store, path, "Saltmere", mapping_for(case), WHO)
    later = import_survey(store, later_export(case, path, tmp_path), "Saltmere", mapping_for(case), WHO)
    assert (later.rows_read, later.added, later.repeated) == (4, 1, 3)
    newest = responses(store)[-1]
    assert newest.import_id == later.import_id
    assert newest.answers[case.free] == "Better since the spring"


# ---- keys, repeats and roles ---------------------------------------------------------------------------------

KOBO_HEADER = ["_uuid", "_submission_time", "about/role", "views/listened", "about/email"]


def kobo_file(folder: Path, rows: list[list[str]], name: str = "partners.csv") -> Path:
    return write_csv(folder / name, [KOBO_HEADER, *rows], delimiter=";")


LISTENED = SurveyMapping(
    survey="Partners",
    tool="kobo",
    role_column="about/role",
    roles={"Carer": "carer", "Nurse": "clinician"},
    questions=(QuestionMapping("views/listened", "lp2", scores={"Disagree": 1, "Agree": 2}),),
)


def test_roles_come_from_the_mapped_column(store, site, tmp_path):
    rows = [
        ["u1", "2024-03-05T10:00:00", "carer", "Agree", ""],
        ["u2", "2024-03-05T11:00:00", "Nurse", "Disagree", ""],
        ["u3", "2024-03-05T12:00:00", "Someone else", "Agree", ""],
        ["u4", "2024-03-05T13:00:00", "", "Agree", ""],
    ]
    import_survey(store, kobo_file(tmp_path, rows), "Saltmere", LISTENED, WHO)
    assert [r.respondent_role for r in responses(store)] == ["carer", "clinician", None, None]


def test_a_response_id_repeated_in_one_file_is_kept_once(store, site, tmp_path):
    rows = [
        ["u1", "2024-03-05T10:00:00", "Carer", "Agree", ""],
        ["u1", "2024-03-05T10:00:00", "Carer", "Disagree", ""],
        ["u2", "2024-03-05T11:00:00", "Nurse", "Agree", ""],
    ]
    result = import_survey(store, kobo_file(tmp_path, rows), "Saltmere", LISTENED, WHO)
    assert (result.added, result.repeated) == (2, 1)
    assert [(r.response_key, r.answers["views/listened"]) for r in responses(store)] == [
        ("u1", "Agree"),
        ("u2", "Agree"),
    ]


def test_without_an_id_the_key_is_the_time_and_answers_and_identical_rows_without_a_time_are_each_kept(tmp_path):
    google = [
        ["Timestamp", "Rating", "Comments"],
        ["2024/03/05 10:15:32 am GMT", "4", "Fine"],
        ["2024/03/05 10:15:32 am GMT", "4", "Fine"],  # sent twice in the same second: one response
        ["2024/03/05 10:15:33 am GMT", "4", "Fine"],
    ]
    keys = response_keys(read_export(write_csv(tmp_path / "form.csv", google)).responses)
    assert keys[0] == keys[1] != keys[2] and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    plain = [["Site", "Score"], ["North", "3"], ["North", "3"], ["South", "3"]]
    keys = response_keys(read_export(write_csv(tmp_path / "plain.csv", plain)).responses)
    assert keys[1] == f"{keys[0]}-2" and len(set(keys)) == 3


def test_identical_rows_without_a_time_are_kept_and_match_again_in_a_later_file(store, site, tmp_path):
    mapping = SurveyMapping(survey="Paper forms", questions=(QuestionMapping("Score", "lp3"),))
    first = write_csv(tmp_path / "paper.csv", [["Site", "Score"], ["North", "3"], ["North", "3"]])
    assert import_survey(store, first, "Saltmere", mapping, WHO).added == 2
    later = write_csv(tmp_path / "paper2.csv", [["Site", "Score"], ["North", "3"], ["North", "3"], ["North", "3"]])
    result = import_survey(store, later, "Saltmere", mapping, WHO)
    assert (result.added, result.repeated) == (1, 2)


def test_a_changed_mapping_replaces_the_surveys_and_each_import_keeps_its_own(store, site, tmp_path):
    case = CASES[0]
    path = WRITERS[case.tool](tmp_path, case.kind)
    import_survey(store, path, "Saltmere", mapping_for(case), WHO)
    changed = mapping_for(case, name="spring SURVEY", learning_point="lp4")
    import_survey(store, path, "Saltmere", changed, WHO)
    [survey] = store.records("survey")
    assert survey.name == "Spring survey" and survey.mapping == changed.as_dict()
    assert [i.mapping["questions"][0]["learning_point"] for i in store.records("survey_import")] == ["lp2", "lp4"]


def test_the_list_of_unreadable_rows_fits_the_import_record():
    problems = [RowProblem(n, "it has 3 cells where the header has 20") for n in range(2, 1002)]
    text = unreadable_text(problems)
    assert len(text) <= UNREADABLE_TEXT_LIMIT + 40
    assert text.startswith("row 2: it has 3 cells") and re.search(r"\nand \d+ more rows$", text)


# ---- nothing stored ------------------------------------------------------------------------------------------


def test_without_a_mapping_nothing_is_stored_and_a_draft_comes_back(store, site, tmp_path):
    before = held(store)
    rows = [["u1", "2024-03-05T10:00:00", "Carer", "Agree", ""], ["u2", "2024-03-05T11:00:00", "Nurse", "Disagree", ""]]
    result = import_survey(store, kobo_file(tmp_path, rows), "Saltmere", None, WHO)
    assert result.needs_mapping and (result.tool, result.rows_read, result.added) == ("kobo", 2, 0)
    assert result.draft["role_column"] == "about/role"
    assert [q["learning_point"] for q in result.draft["questions"]] == [CHOOSE]
    assert held(store) == before


def _bad_mapping(case, path):
    renamed = SurveyMapping(survey="S", tool=case.tool, questions=(QuestionMapping("no such column", "lp1"),))
    return path, renamed


def _unreadable(case, path):
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n")
    return path, mapping_for(case)


def _no_site(case, path):
    return path, mapping_for(case)


REFUSALS = [
    ("a mapped column the file does not have", _bad_mapping, "Saltmere", MappingInvalid, "no such column"),
    ("an unreadable file", _unreadable, "Saltmere", ExportUnreadable, "not a CSV or XLSX file"),
    ("no such site", _no_site, "Nowhere", ImportRefused, "no site called 'Nowhere'"),
]


@pytest.mark.parametrize(
    ("prepare", "site_name", "error", "says"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_refused_import_stores_nothing(store, site, tmp_path, prepare, site_name, error, says):
    case = CASES[0]
    path, mapping = prepare(case, WRITERS[case.tool](tmp_path, case.kind))
    before = held(store)
    with pytest.raises(error, match=re.escape(says)):
        import_survey(store, path, site_name, mapping, WHO)
    assert held(store) == before


def test_one_refused_response_undoes_the_whole_import(store, site, tmp_path):
    good = [["u1", "2024-03-05T10:00:00", "Carer", "Agree", ""]]
    import_survey(store, kobo_file(tmp_path, good), "Saltmere", LISTENED, WHO)
    before, survey = held(store), store.records("survey")[0]
    rows = [*good, ["u2", "2024-03-05T11:00:00", "Nurse", "Agree", ""], ["x" * 201, "2024-03-05T12:00:00", "", "", ""]]
    changed = SurveyMapping(survey="Partners", tool="kobo", questions=(QuestionMapping("views/listened", "lp5"),))
    with pytest.raises(ImportRefused, match=r"^Row 4 of later\.csv could not be kept: .*Nothing was imported\.$"):
        import_survey(store, kobo_file(tmp_path, rows, "later.csv"), "Saltmere", changed, WHO)
    assert held(store) == before
    assert store.records("survey")[0].mapping == survey.mapping


# ---- the command line, run for real --------------------------------------------------------------------------


def run(home: Path, db: str, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("COPROD_DB_URL", "COPROD_DEBUG")}
    env["COPROD_HOME"] = str(home)
    command = [sys.executable, "-m", "coprod_widgets.cli", "--db", db, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.stderr == ""
    return result.stdout


@pytest.fixture
def cli(store, site, tmp_path):
    """A store with the site Saltmere, and ``coprod --db STORE args...`` run against it."""
    home = tmp_path / "home"
    home.mkdir()
    return lambda *args: run(home, store.url, *map(str, args))


def no_people(*texts: str) -> None:
    for text in texts:
        assert not [person for person in PEOPLE if person in text], text


def test_cli_drafts_a_mapping_then_imports_with_it(cli, store, tmp_path):
    rows = [
        ["u1", "2024-03-05T10:00:00", "Carer", "Agree", ZOE_EMAIL],
        ["u2", "2024-03-05T11:00:00", "Nurse", "Strongly disagree", LUKASZ_EMAIL],
        ["u3", "2024-03-05T12:00:00"],
    ]
    path = kobo_file(tmp_path, rows)
    first = cli("import-survey", path, "--site", "saltmere")
    out = ok(first)
    draft = path.with_name("partners.csv.mapping.yaml")
    assert "KoboToolbox: 2 responses read" in out and "Row 4 could not be read: it has 2 cells" in out
    assert str(draft) in out and "--mapping" in out and "Nothing was imported" in out
    assert held(store)["survey_response"] == 0
    text = draft.read_text(encoding="utf-8")
    no_people(out, text)
    with pytest.raises(MappingInvalid, match="choose lp1 to lp8"):
        mapping_from_yaml(text)
    draft.write_text(text.replace(CHOOSE, "lp2").replace("survey: Partners", "survey: Spring survey"), "utf-8")

    out = ok(cli("import-survey", path, "--site", "Saltmere", "--mapping", draft))
    assert out.splitlines()[:2] == [
        "Imported 'Spring survey' (KoboToolbox) for Saltmere: 2 responses read, 2 new, 0 already imported.",
        "Row 4 could not be read: it has 2 cells where the header has 5.",
    ]
    assert "were not kept (--keep-identifiers keeps them)" in out
    assert [r.respondent_role for r in responses(store)] == ["carer", "clinician"]
    assert [r.identifiers for r in responses(store)] == [{}, {}]
    assert "2 responses read, 0 new, 2 already imported" in ok(
        cli("import-survey", path, "--site", "Saltmere", "--mapping", draft)
    )
    no_people(out)


def test_cli_keeps_identifiers_when_asked_and_saves_the_mapping_it_used(cli, store, tmp_path):
    case = CASES[0]
    path = WRITERS[case.tool](tmp_path, case.kind)
    mapping_file = tmp_path / "spring.yaml"
    mapping_file.write_text(
        "survey: Spring survey\nquestions:\n  - {question: feedback/rating, learning_point: LP 2}\n"
    )
    saved = tmp_path / "saved.yaml"
    args = ("--site", "Saltmere", "--mapping", mapping_file, "--save-mapping", saved, "--keep-identifiers")
    out = ok(cli("import-survey", path, *args))
    assert "3 responses read, 3 new" in out and "Row 5 could not be read" in out and "not kept" not in out
    no_people(out)
    assert mapping_from_yaml(saved.read_text(encoding="utf-8")) == mapping_from_yaml(mapping_file.read_text())
    assert responses(store)[0].identifiers == case.identifiers


BAD_INPUTS = [
    ("missing file", ["{folder}/nowhere.csv", "--site", "Saltmere"], "There is no file"),
    ("unreadable file", ["{folder}/report.pdf", "--site", "Saltmere"], "report.pdf is not a CSV or XLSX file"),
    ("unknown site", ["{export}", "--site", "Nowhere", "--mapping", "{mapping}"], "no site called 'Nowhere'"),
    ("unknown tool", ["{export}", "--site", "Saltmere", "--tool", "qualtrics"], "no survey tool 'qualtrics'"),
    ("missing mapping", ["{export}", "--site", "Saltmere", "--mapping", "{folder}/no.yaml"], "no mapping file"),
    (
        "mapping with problems",
        ["{export}", "--site", "Saltmere", "--mapping", "{bad}"],
        "bad.yaml cannot be used: survey: it is missing; write it as text; questions 1 learning_point 'lp9'",
    ),
    (
        "mapping naming a column the file lacks",
        ["{export}", "--site", "Saltmere", "--mapping", "{elsewhere}"],
        "elsewhere.yaml cannot be used: questions 1 question 'Rating': kobo.csv has no such question",
    ),
]


@pytest.mark.parametrize(("args", "says"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_cli_bad_input_gives_one_line_and_stores_nothing(cli, store, tmp_path, args, says):
    places = {"folder": tmp_path, "export": WRITERS["kobo"](tmp_path, "csv")}
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n")
    for name, text in {
        "mapping": "survey: S\nquestions:\n  - {question: feedback/rating, learning_point: lp1}\n",
        "bad": "questions:\n  - {question: feedback/rating, learning_point: lp9}\n",
        "elsewhere": "survey: S\nquestions:\n  - {question: Rating, learning_point: lp1}\n",
    }.items():
        places[name] = tmp_path / f"{name}.yaml"
        places[name].write_text(text, encoding="utf-8")
    before = held(store)
    result = cli("import-survey", *[arg.format(**places) for arg in args])
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert says in lines[0]
    no_people(result.stderr)
    assert held(store) == before
    assert not (tmp_path / "kobo.csv.mapping.yaml").exists()


def test_going_back_before_0006_is_refused_while_a_survey_is_held_and_drops_the_tables_when_none(
    store, small_programme
):
    from alembic import command
    from sqlalchemy import inspect

    from coprod_widgets.schema_version import HEAD
    from coprod_widgets.upgrade import _config

    store.delete("transcript", small_programme["transcript"], who="test")  # 0007 would refuse first
    with pytest.raises(RuntimeError, match="1 survey"), store.engine.begin() as conn:  # rolled back
        command.downgrade(_config(conn), "0005_access_lookup")
    assert store.schema_state().revision == HEAD
    store.delete("survey_import", small_programme["survey_import"], who="test")
    store.delete("survey", small_programme["survey"], who="test")
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), "0005_access_lookup")
    tables = set(inspect(store.engine).get_table_names())
    assert not tables & {"survey", "survey_import", "survey_response"} and "question_set" in tables
