"""The survey import workbook driven in Python: upload, what was found, the preview, the mapping, the import.

Files are set on the FileUpload as ipywidgets 8 holds them (a tuple of dicts, the bytes as a memoryview) and
buttons are clicked with ``Button.click()``; what is stored is read back from a temporary store.
"""

from __future__ import annotations

import base64
import datetime
import re
import stat
from html import escape
from pathlib import Path

import ipywidgets as widgets
import pytest

from coprod_widgets.surveys.import_steps import (
    NOT_ANALYSED,
    checked_mapping,
    layout_summary,
    mapping_from_choices,
    preview_html,
    safe_file_name,
    uploaded_copy,
)
from coprod_widgets.surveys.importing import TOOL_NAMES
from coprod_widgets.surveys.mapping import MappingInvalid, mapping_from_yaml
from coprod_widgets.surveys.read import ExportRow, RowProblem, SurveyExport, read_export
from coprod_widgets.surveys.suggest import CHOOSE
from coprod_widgets.surveys.wizard import SurveyImportPanel
from tests.survey_exports import FREE_TEXT, LUKASZ, LUKASZ_EMAIL, WRITERS, ZOE, ZOE_EMAIL, write_csv
from tests.test_survey_read import CASES

WHO = "survey wizard test"
PEOPLE = (ZOE, ZOE_EMAIL, LUKASZ, LUKASZ_EMAIL, "Zoë", "Ní Bhriain", "Łukasz", "Nowak", "198.51.100.7")
LISTENED, ATTENDED, ROLE, WELL = "I was listened to", "How often did you come?", "Which best describes you?", "Notes"
HEADER = ["Timestamp", "Email address", "Your name", ROLE, LISTENED, ATTENDED, WELL]
#: A Google Forms export whose answers are on known scales: three responses, one unreadable row.
PARTNERS = [
    HEADER,
    ["2024/03/05 10:15:32 am GMT", ZOE_EMAIL, ZOE, "Carer", "Strongly agree", "Often", FREE_TEXT],
    ["2024/03/06 2:05:00 pm GMT", LUKASZ_EMAIL, LUKASZ, "Nurse", "Disagree", "Sometimes", "<b>Fine</b>"],
    ["2024/03/07 9:00:00 am GMT", "", "", "Carer", "Don't know", "Always", ""],
    ["2024/03/07 9:30:00 am GMT", "", "", "Carer", "Agree", "Always", "", "beyond"],
]
each_case = pytest.mark.parametrize("case", CASES, ids=str)


@pytest.fixture(autouse=True)
def _close_widgets():
    yield
    widgets.Widget.close_all()


@pytest.fixture
def partners_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "spring_partners.csv", PARTNERS)


def upload(control: widgets.FileUpload, path: Path, name: str | None = None) -> None:
    """Choose a file as the browser hands it over."""
    data = path.read_bytes()
    entry = {
        "name": name or path.name,
        "type": "",
        "size": len(data),
        "content": memoryview(data),
        "last_modified": datetime.datetime.now(datetime.UTC),
    }
    control.value = (entry,)


def text(html: str) -> str:
    """What a reader sees: tags dropped, entities kept as written."""
    return re.sub(r"<[^>]+>", " ", html)


def held(store) -> dict[str, int]:
    return {kind: len(store.records(kind)) for kind in ("survey", "survey_import", "survey_response")} | {
        "history": len(store.history())
    }


def chosen(panel: SurveyImportPanel, **points: str) -> None:
    """Choose learning points by question (the dropdown's label), as a person does on the page."""
    by_label = {row.choice.description: row.choice for row in panel.rows}
    for question, point in points.items():
        by_label[question].value = point


def panel_with(store, path: Path, site: str | None = "North", **points: str) -> SurveyImportPanel:
    panel = SurveyImportPanel(store, who=WHO)
    upload(panel.file, path)
    if site:
        panel.site.value = site
    chosen(panel, **points)
    return panel


# ---- pure helpers, cases as data -----------------------------------------------------------------------------

SAFE_NAMES = [
    ("survey.csv", "survey.csv"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\Spring survey (2).xlsx", "Spring survey (2).xlsx"),
    (".hidden.csv", "hidden.csv"),
    ("a<b>|c.csv", "a_b_c.csv"),
    ("Zoë's answers.csv", "Zoë_s answers.csv"),
    ("", "survey-export"),
    ("..", "survey-export"),
    ("x" * 300 + ".csv", "x" * 116 + ".csv"),
]


@pytest.mark.parametrize(("given", "expected"), SAFE_NAMES)
def test_the_uploaded_name_is_kept_but_made_safe(given, expected):
    assert safe_file_name(given) == expected


def test_the_uploaded_copy_is_private_under_its_own_name_and_removed():
    with uploaded_copy("../Spring survey.csv", b"a,b\n1,2\n") as path:
        assert path.name == "Spring survey.csv" and path.read_bytes() == b"a,b\n1,2\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        folder = path.parent
    assert not folder.exists()
    with pytest.raises(RuntimeError), uploaded_copy("x.csv", b"a,b\n") as path:
        folder = path.parent
        raise RuntimeError("the read failed")
    assert not folder.exists()


def export_of(questions: list[str], answers: list[dict], tool: str = "googleforms", **more) -> SurveyExport:
    rows = [ExportRow(n, None, None, a, {}, None) for n, a in enumerate(answers, start=2)]
    values = {"identifier_columns": [], "problems": [], "id_column": None, "submitted_column": None} | more
    return SurveyExport(tool, "x.csv", "0" * 64, questions, rows, **values)


#: (questions, answers, text that must be in the preview, text that must not)
PREVIEWS = [
    (["<b>Q</b>"], [{"<b>Q</b>": "<img src=x onerror=alert(1)>"}], ["&lt;img src=x", "&lt;b&gt;Q&lt;/b&gt;"], ["<img"]),
    (["Q"], [{"Q": ["A & B", "<i>C</i>"]}], ["A &amp; B; &lt;i&gt;C&lt;/i&gt;"], ["<i>"]),
    (["Q", "Email", "Your name"], [{"Q": "yes", "Email": ZOE_EMAIL, "Your name": ZOE}], ["yes"], [ZOE, ZOE_EMAIL]),
    (["Q"], [{"Q": f"answer {n}"} for n in range(8)], ["The first 5 of 8 responses", "answer 4<"], ["answer 5"]),
    (["Q"], [], ["nothing to preview"], ["<table"]),
]


@pytest.mark.parametrize(("questions", "answers", "shown", "not_shown"), PREVIEWS)
def test_the_preview_escapes_every_value_and_shows_no_names(questions, answers, shown, not_shown):
    html = preview_html(export_of(questions, answers, tool="unknown"))
    assert all(part in html for part in shown), html
    assert not [part for part in not_shown if part in html], html


#: (export's extra fields, keep names ticked, words that must be said)
SUMMARIES = [
    ({}, False, ["is an export from Google Forms: 1 response read, 1 question found", "No columns of names"]),
    (
        {"identifier_columns": ["Email address"]},
        False,
        ["1 column (“Email address”)", "not stored unless Keep names and e-mail addresses is ticked"],
    ),
    ({"identifier_columns": ["Email address"]}, True, ["will be stored with the responses, because Keep names"]),
    (
        {"tool": "unknown", "questions": ["Q", "Score"], "identifier_columns": ["E-mail"]},
        False,
        ["is not laid out like", "each of its 2 columns is read as a question (columns of names", "(“E-mail”)"],
    ),
    ({"problems": [RowProblem(7, "it has <3> cells")]}, False, ["Row 7: it has &lt;3&gt; cells.", "1 row could not"]),
]


@pytest.mark.parametrize(("extra", "keep", "said"), SUMMARIES)
def test_the_summary_says_what_was_found_in_words(extra, keep, said):
    tool = extra.pop("tool", "googleforms")
    questions = extra.pop("questions", ["Q"])
    html = layout_summary(export_of(questions, [{"Q": "yes"}], tool=tool, **extra), keep_identifiers=keep)
    assert all(part in html for part in said), html


SCORES = {"Disagree": 1, "Agree": 2}
BASE = {
    "survey": "Draft name",
    "tool": "googleforms",
    "role_column": ROLE,
    "roles": {"Carer": "carer"},
    "questions": [{"question": LISTENED, "learning_point": CHOOSE, "scores": SCORES, "indicator": "heard"}],
}
#: (choices, the mapping they make)
MAPPINGS = [
    (
        {"survey": " Spring ", "role_column": ROLE, "roles": {"Carer": "carer"}, "learning_points": {LISTENED: "lp2"}},
        {
            "survey": "Spring",
            "tool": "googleforms",
            "role_column": ROLE,
            "roles": {"Carer": "carer"},
            "questions": [{"question": LISTENED, "learning_point": "lp2", "indicator": "heard", "scores": SCORES}],
        },
    ),
    (
        {"survey": "S", "role_column": None, "learning_points": {LISTENED: NOT_ANALYSED, WELL: "lp8"}},
        {"survey": "S", "tool": "googleforms", "questions": [{"question": WELL, "learning_point": "lp8"}]},
    ),
    (
        {"survey": "S", "tool": "unknown", "learning_points": {WELL: "lp1", LISTENED: "lp3"}},
        {
            "survey": "S",
            "tool": "unknown",
            "questions": [
                {"question": WELL, "learning_point": "lp1"},
                {"question": LISTENED, "learning_point": "lp3", "indicator": "heard", "scores": SCORES},
            ],
        },
    ),
]


@pytest.mark.parametrize(("choices", "expected"), MAPPINGS)
def test_choices_make_a_mapping_the_command_reads(choices, expected):
    made = mapping_from_choices(BASE, choices)
    assert made == expected
    assert checked_mapping(BASE, choices).as_dict() == expected


#: (choices, each problem said, in order)
REFUSED = [
    (
        {"survey": "  ", "learning_points": {LISTENED: CHOOSE, WELL: NOT_ANALYSED}},
        ["Survey name: type the survey's name", f"Question “{LISTENED}”: choose the learning point"],
    ),
    (
        {"survey": "S", "learning_points": {LISTENED: NOT_ANALYSED, WELL: NOT_ANALYSED}},
        ["Learning points: every question is Not analysed"],
    ),
    (
        {"survey": "S", "role_column": ROLE, "roles": {"Carer": "aunt"}, "learning_points": {LISTENED: "lp9"}},
        ["Who answered 'Carer': 'aunt' is not a role group", f"Question “{LISTENED}” learning point 'lp9'"],
    ),
]


@pytest.mark.parametrize(("choices", "said"), REFUSED)
def test_an_unfinished_mapping_is_refused_naming_each_box(choices, said):
    with pytest.raises(MappingInvalid) as refused:
        checked_mapping(BASE, choices)
    assert len(refused.value.problems) == len(said)
    for problem, start in zip(refused.value.problems, said, strict=True):
        assert problem.startswith(start), problem


# ---- the panel: each tool's file -----------------------------------------------------------------------------


@each_case
def test_each_tools_file_shows_its_layout_and_a_preview_without_names(case, store, small_programme, tmp_path):
    path = WRITERS[case.tool](tmp_path, case.kind)
    panel = panel_with(store, path)
    export = read_export(path)
    found = panel.found.value
    assert panel.after_file.layout.display is None and panel.file_status.value == ""
    assert f"is an export from {TOOL_NAMES[case.tool]}: 3 responses read, 3 questions found" in found
    assert panel.tool.options[0] == (f"Detected: {TOOL_NAMES[case.tool]}", "")
    assert f"Row {case.problem.row_number}: {escape(case.problem.reason)}." in found
    assert all(escape(f"“{column}”") in found for column in case.identifiers)
    preview = panel.preview.value
    assert escape(FREE_TEXT) in preview and "<script" not in preview
    assert all(escape(q) in preview for q in export.questions)
    assert not [person for person in PEOPLE if person in preview or person in found]
    assert panel.survey.value == export.file_name.split(".")[0].replace("_", " ").capitalize()


@each_case
def test_each_tools_file_imports_through_the_panel(case, store, small_programme, tmp_path):
    """The fixtures' ratings are numbers, on no known scale: mapped from the other questions, counted."""
    path = WRITERS[case.tool](tmp_path, case.kind)
    panel = panel_with(store, path)
    assert panel.scored.children == (panel.none_scored,) and panel.others.layout.display == "none"
    panel.show_others.value = True
    assert panel.others.layout.display is None
    chosen(panel, **{case.free: "lp7"})
    panel.import_button.click()
    assert panel.status.value.startswith('<div role="status"><p>Imported: '), panel.status.value
    assert "3 responses read, 3 new, 0 already imported" in panel.status.value
    [record] = store.records("survey_import", file_name=path.name)
    assert (record.responses_added, record.rows_read) == (3, 3)
    assert [r.identifiers for r in store.records("survey_response", import_id=record.id)] == [{}, {}, {}]


# ---- the panel: the mapping and the import -------------------------------------------------------------------


def test_the_draft_fills_the_map_step(store, small_programme, partners_csv):
    panel = panel_with(store, partners_csv, site=None)
    assert [(row.question, row.choice.value) for row in panel.rows] == [
        (LISTENED, CHOOSE),
        (ATTENDED, CHOOSE),
        (ROLE, NOT_ANALYSED),
        (WELL, NOT_ANALYSED),
    ]
    assert (panel.survey.value, panel.role.value) == ("Spring partners", ROLE)
    assert "“Carer” as Carer; “Nurse” as Clinician" in panel.role_note.value
    assert "Strongly disagree = 1" in panel.scored.children[0].children[1].value
    assert not panel.show_others.value and panel.others.layout.display == "none"
    panel.site.value = "North"
    assert panel.survey.options == ("Partners' survey",)


def test_an_unfinished_mapping_is_refused_and_nothing_is_saved(store, small_programme, partners_csv):
    before = held(store)
    panel = panel_with(store, partners_csv, site=None)
    panel.survey.value = ""
    panel.import_button.click()
    status = panel.status.value
    assert status.startswith('<div role="status"><p>Not imported: nothing was saved.')
    for said in ("Site: choose the site", "Survey name: type", f"Question “{LISTENED}”", f"Question “{ATTENDED}”"):
        assert escape(said) in status, said
    panel.save_button.click()
    assert "Not ready to save" in panel.mapping_status.value and "download=" not in panel.mapping_status.value
    assert held(store) == before


def test_an_import_stores_the_responses_and_importing_again_adds_none(store, small_programme, partners_csv):
    panel = panel_with(store, partners_csv, **{LISTENED: "lp2", ATTENDED: NOT_ANALYSED})
    panel.import_button.click()
    status = text(panel.status.value)
    assert (
        "Imported: “Spring partners” (Google Forms) for North: 3 responses read, 3 new, 0 already imported." in status
    )
    assert "Row 5 could not be read: it has 8 cells where the header has 7." in status
    assert "Names and e-mail addresses in the file were not kept." in status
    [survey] = store.records("survey", name="Spring partners")
    assert survey.mapping["questions"] == [
        {"question": LISTENED, "learning_point": "lp2", "scores": read_mapping_scores(survey.mapping)}
    ]
    assert survey.mapping["roles"] == {"Carer": "carer", "Nurse": "clinician"}
    stored = store.records("survey_response", survey_id=survey.id)
    assert [r.respondent_role for r in stored] == ["carer", "clinician", "carer"]
    assert [r.identifiers for r in stored] == [{}, {}, {}]
    assert store.records("survey_import", survey_id=survey.id)[0].file_name == "spring_partners.csv"

    panel.import_button.click()
    assert "3 responses read, 0 new, 3 already imported." in text(panel.status.value)
    assert len(store.records("survey_response", survey_id=survey.id)) == 3
    assert "Spring partners" in panel.survey.options


def read_mapping_scores(mapping: dict) -> dict:
    scores = mapping["questions"][0]["scores"]
    assert list(scores) == ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    return scores


def test_names_are_kept_only_when_ticked(store, small_programme, partners_csv):
    panel = panel_with(store, partners_csv, **{LISTENED: "lp2", ATTENDED: "lp5"})
    panel.keep.value = True
    assert "will be stored with the responses" in panel.found.value
    panel.import_button.click()
    assert "Names and e-mail addresses were kept with the responses." in panel.status.value
    first = store.records("survey_response", survey_id=store.records("survey", name="Spring partners")[0].id)[0]
    assert first.identifiers == {"Email address": ZOE_EMAIL, "Your name": ZOE}


def test_a_saved_mapping_loads_into_the_next_import(store, small_programme, partners_csv, tmp_path):
    first = panel_with(store, partners_csv, **{LISTENED: "lp4", ATTENDED: NOT_ANALYSED, WELL: "lp8"})
    first.survey.value = "Partners' spring survey"
    first.role.value = ""
    first.save_button.click()
    link = first.mapping_status.value
    assert 'download="partners-spring-survey.mapping.yaml"' in link and link.startswith('<div role="status">')
    saved = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link)[1]).decode("utf-8")
    assert mapping_from_yaml(saved) == first.mapping
    (tmp_path / "saved.yaml").write_text(saved, encoding="utf-8")

    second = panel_with(store, partners_csv, site="South")
    upload(second.mapping_file, tmp_path / "saved.yaml")
    assert "Loaded: saved.yaml maps 2 questions of “Partners&#x27; spring survey”" in second.mapping_status.value
    assert second.survey.value == "Partners' spring survey" and second.role.value == ""
    assert {row.question: row.choice.value for row in second.rows} == {
        LISTENED: "lp4",
        ATTENDED: NOT_ANALYSED,
        ROLE: NOT_ANALYSED,
        WELL: "lp8",
    }
    assert second.show_others.value
    second.import_button.click()
    assert "Imported: " in second.status.value
    [survey] = store.records("survey", site_id=small_programme["other_site"])
    assert survey.mapping == mapping_from_yaml(saved).as_dict()


#: (saved mapping's text, words said): each refused whole, the page left as it was
BAD_MAPPINGS = [
    ("survey: S\nquestions:\n  - question: Not in this file\n    learning_point: lp2\n", "“Not in this file”"),
    ("survey: S\nquestions:\n  - question: I was listened to\n    learning_point: lp9\n", "not a learning point"),
    ("survey: [unclosed\n", "it is not valid YAML"),
]


@pytest.mark.parametrize(("saved", "said"), BAD_MAPPINGS)
def test_a_mapping_that_does_not_fit_is_not_loaded(store, small_programme, partners_csv, tmp_path, saved, said):
    panel = panel_with(store, partners_csv, **{LISTENED: "lp1"})
    (tmp_path / "other.yaml").write_text(saved, encoding="utf-8")
    upload(panel.mapping_file, tmp_path / "other.yaml")
    assert panel.mapping_status.value.startswith('<div role="status"><p>Not loaded: ')
    assert escape(said) in panel.mapping_status.value
    assert (panel.survey.value, panel.rows[0].choice.value) == ("Spring partners", "lp1")


def test_a_file_that_cannot_be_read_says_why_and_shows_nothing_else(store, small_programme, tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 not a survey")
    panel = SurveyImportPanel(store, who=WHO)
    upload(panel.file, tmp_path / "report.pdf")
    assert "Not read: report.pdf is not a CSV or XLSX file." in panel.file_status.value
    assert panel.after_file.layout.display == "none"
    panel.import_button.click()
    assert "Survey export: choose the file first" in panel.status.value


def test_choosing_the_tool_reads_the_file_again_keeping_the_choices(store, small_programme, tmp_path):
    path = WRITERS["googleforms"](tmp_path, "csv")
    panel = panel_with(store, path, Rating="lp2")
    panel.survey.value = "Kept name"
    panel.tool.value = "unknown"
    assert "is not laid out like an export from any tool coprod knows" in panel.found.value
    assert "Names and e-mail addresses: 2 columns (“Email address”, “Your name”)" in text(panel.found.value)
    assert not [person for person in PEOPLE if person in panel.preview.value]
    assert panel.tool.options[0][0] == "Detected: Google Forms"
    assert {row.question: row.choice.value for row in panel.rows}["Rating"] == "lp2"
    assert panel.survey.value == "Kept name"
    panel.tool.value = ""
    assert "is an export from Google Forms" in panel.found.value


def test_with_no_sites_the_page_says_so_and_imports_nothing(store, partners_csv):
    panel = panel_with(store, partners_csv, site=None, **{LISTENED: "lp1"})
    assert panel.site.options == (("Choose the site that ran the survey", ""),)
    notes = [w.value for w in panel.after_file.children if isinstance(w, widgets.HTML)]
    assert any("There are no sites yet" in note for note in notes)
    panel.import_button.click()
    assert "Site: choose the site that ran the survey" in panel.status.value
    assert store.records("survey_response") == []


def test_every_input_has_a_label_in_words(store, small_programme, partners_csv):
    panel = panel_with(store, partners_csv)
    panel.show_others.value = True

    def inputs(widget):
        if isinstance(widget, widgets.Box):
            for child in widget.children:
                yield from inputs(child)
        elif isinstance(widget, (widgets.ValueWidget, widgets.Button)) and not isinstance(widget, widgets.HTML):
            yield widget

    found = list(inputs(panel.widget))
    assert len(found) >= 12
    assert all(control.description.strip() for control in found), [c for c in found if not c.description.strip()]
    assert not [c for c in found if getattr(c, "description_allow_html", False)]
