"""Site question sets read from XLSForm: what coprod honours, what it refuses (naming the row), and the stored form."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook

from coprod_widgets.questions.form import (
    DEFAULT_LANGUAGE,
    SUPPORTED_TYPES,
    Choice,
    FormDefinition,
    Question,
    choice_filter_source,
    offered_choices,
)
from coprod_widgets.questions.xlsform import FormRefused, read_xlsform, read_xlsform_text

EN, CY = "English (en)", "Welsh (cy)"


def sheet(name: str, rows: list[dict[str, str]]) -> str:
    """One sheet as a markdown XLSForm table (pyxform's md format); columns in the order they first appear."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    lines = [f"| {name} |", "| | " + " | ".join(columns) + " |"]
    lines += ["| | " + " | ".join(row.get(column, "") for column in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def labelled(english: str, welsh: str) -> dict[str, str]:
    return {"label::English (en)": english, "label::Welsh (cy)": welsh}


# Every supported type and column. Spreadsheet rows are counted as in a spreadsheet: the header is row 1.
FULL_SURVEY = [
    {"type": "start", "name": "started"},  # row 2
    {"type": "text", "name": "who", **labelled("Who took part?", "Pwy gymerodd ran?")}  # row 3
    | {"hint::English (en)": "Their role", "hint::Welsh (cy)": "Eu rôl", "appearance": "multiline"}
    | {"required": "yes", "required_message::English (en)": "Say who took part"},
    {"type": "integer", "name": "people", **labelled("How many?", "Faint?"), "required": "true()"}  # row 4
    | {"constraint": ". >= 0", "constraint_message::English (en)": "Zero or more"}
    | {"constraint_message::Welsh (cy)": "Dim neu fwy", "default": "1"},
    {"type": "decimal", "name": "hours", **labelled("Hours", "Oriau")},  # row 5
    {"type": "date", "name": "held_on", **labelled("Date", "Dyddiad")},  # row 6
    {"type": "select_one region", "name": "region", **labelled("Region", "Rhanbarth")},  # row 7
    {"type": "select_one town", "name": "town", **labelled("Town", "Tref"), "choice_filter": "region=${region}"},
    {"type": "begin group", "name": "details", **labelled("Details", "Manylion"), "relevant": "${people} > 0"},
    {"type": "select_multiple topic", "name": "topics", **labelled("Topics", "Pynciau")},  # row 10
    {"type": "range", "name": "rating", **labelled("Rating", "Sgôr"), "parameters": "start=0 end=5 step=0.5"},
    {"type": "end group"},  # row 12
    {"type": "begin_repeat", "name": "sessions", **labelled("Sessions", "Sesiynau")},  # row 13
    {"type": "text", "name": "topic_note", **labelled("Note", "Nodyn")},  # row 14
    {"type": "end_repeat"},  # row 15
    {"type": "note", "name": "thanks", **labelled("Thank you", "Diolch"), "read_only": "yes"},  # row 16
    {"type": "acknowledge", "name": "agreed", **labelled("I agree", "Cytuno")},  # row 17
    {"type": "calculate", "name": "per_hour", "calculation": "${people} div ${hours}"},  # row 18
    {"type": "range", "name": "plain", **labelled("Default range", "Amrediad")},  # row 19
    {"type": "today", "name": "today"},  # row 20
]
FULL_CHOICES = [
    {"list_name": "region", "name": "north", **labelled("North", "Gogledd"), "region": ""},
    {"list_name": "region", "name": "south", **labelled("South", "De")},
    {"list_name": "town", "name": "bangor", **labelled("Bangor", "Bangor"), "region": "north"},
    {"list_name": "town", "name": "cardiff", **labelled("Cardiff", "Caerdydd"), "region": "south"},
    {"list_name": "topic", "name": "health", **labelled("Health", "Iechyd")},
    {"list_name": "topic", "name": "care", **labelled("Care", "Gofal")},
]
FULL_SETTINGS = [{"form_title": "Workshop feedback", "form_id": "workshop_1", "version": "2025-01-01"}]
FULL_FORM = sheet("survey", FULL_SURVEY) + sheet("choices", FULL_CHOICES) + sheet("settings", FULL_SETTINGS)

EXPECTED_PATHS = {
    "who": "text",
    "people": "integer",
    "hours": "decimal",
    "held_on": "date",
    "region": "select_one",
    "town": "select_one",
    "details": "group",
    "details/topics": "select_multiple",
    "details/rating": "range",
    "sessions": "repeat",
    "sessions/topic_note": "text",
    "thanks": "note",
    "agreed": "acknowledge",
    "per_hour": "calculate",
    "plain": "range",
}


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return read_xlsform_text(FULL_FORM)


def md(text: str) -> FormDefinition:
    return read_xlsform_text(textwrap.dedent(text))


def refusal(text: str) -> FormRefused:
    with pytest.raises(FormRefused) as refused:
        md(text)
    return refused.value


# ---------------------------------------------------------------------------------------------------------
# What a supported form becomes


def test_every_supported_type_is_read_with_its_path(form):
    assert {path: question.type for path, question in form.walk()} == EXPECTED_PATHS
    assert {question.type for _, question in form.walk()} == set(SUPPORTED_TYPES)


def test_answerable_leaves_out_groups_repeats_and_notes(form):
    answerable = [path for path, _ in form.answerable()]
    assert "details" not in answerable and "sessions" not in answerable and "thanks" not in answerable
    assert "per_hour" in answerable and "agreed" in answerable and "sessions/topic_note" in answerable
    assert answerable == [path for path in EXPECTED_PATHS if EXPECTED_PATHS[path] not in ("group", "repeat", "note")]


def test_settings_give_title_id_and_version(form):
    assert (form.title, form.form_id, form.form_version) == ("Workshop feedback", "workshop_1", "2025-01-01")


def test_rows_are_spreadsheet_rows(form):
    rows = {path: question.row for path, question in form.walk()}
    assert rows["who"] == 3 and rows["details"] == 9 and rows["details/rating"] == 11 and rows["plain"] == 19


def test_labels_and_hints_in_each_language(form):
    who = form.question("who")
    assert form.languages == (EN, CY)
    assert form.default_language == EN  # no default_language setting and no unmarked text: the first language
    assert who.labels == {EN: "Who took part?", CY: "Pwy gymerodd ran?"}
    assert who.hints == {EN: "Their role", CY: "Eu rôl"}
    assert who.label(CY) == "Pwy gymerodd ran?"
    assert who.label("French (fr)", fallback=EN) == "Who took part?"
    assert who.hint("French (fr)") == "Their role"  # no default text: any language rather than nothing
    assert form.question("per_hour").label(EN) == "per_hour"  # no label at all: the name


def test_required_and_its_message(form):
    who, people, hours = form.question("who"), form.question("people"), form.question("hours")
    assert (who.required, people.required, hours.required) == ("true()", "true()", "")
    assert who.required_messages == {EN: "Say who took part"}


def test_constraint_with_messages_default_and_read_only(form):
    people = form.question("people")
    assert people.constraint == ". >= 0"
    assert people.constraint_messages == {EN: "Zero or more", CY: "Dim neu fwy"}
    assert people.default == "1"
    assert form.question("thanks").read_only is True and people.read_only is False


def test_group_keeps_its_relevant_and_children(form):
    details = form.question("details")
    assert details.relevant == "${people} > 0"
    assert [child.name for child in details.children] == ["topics", "rating"]


def test_range_parameters_and_odk_defaults(form):
    assert form.question("details/rating").parameters == {"start": 0.0, "end": 5.0, "step": 0.5}
    assert form.question("plain").parameters == {"start": 1.0, "end": 10.0, "step": 1.0}
    assert form.question("who").parameters == {}


def test_calculate_keeps_its_calculation(form):
    assert form.question("per_hour").calculation == "${people} div ${hours}"


def test_selects_keep_their_list_and_choices_keep_sheet_order_and_columns(form):
    assert form.question("details/topics").list_name == "topic"
    assert [choice.name for choice in form.choices["town"]] == ["bangor", "cardiff"]
    assert form.choices["town"][1] == Choice("cardiff", {EN: "Cardiff", CY: "Caerdydd"}, {"region": "south"})
    assert form.choices["region"][0].filters == {}


def test_choice_filter_offers_the_matching_choices(form):
    town = form.question("town")
    assert town.choice_filter == "region=${region}"
    offered = offered_choices(form, town, {"region": "south"})
    assert [choice.name for choice in offered] == ["cardiff"]
    assert len(offered_choices(form, form.question("region"), {})) == 2  # no filter: every choice


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        ("region=${region}", "${__choice__.region}=${region}"),
        ("size != 'big' and not(${small})", "${__choice__.size} != 'big' and not(${small})"),
        ("selected(${picked}, name)", "selected(${picked}, ${__choice__.name})"),
        ("cost < 2.5 or cost div 2 > ${budget}", "${__choice__.cost} < 2.5 or ${__choice__.cost} div 2 > ${budget}"),
    ],
)
def test_choice_filter_bare_names_are_choice_columns(written, rewritten):
    assert choice_filter_source(written) == rewritten


def test_choice_filter_can_use_the_choice_name():
    form = md("""
        | survey |
        |        | type                  | name   | label  | choice_filter             |
        |        | select_multiple topic | topics | Topics |                           |
        |        | select_one topic      | main   | Main   | selected(${topics}, name) |
        | choices |
        |         | list_name | name   | label  |
        |         | topic     | health | Health |
        |         | topic     | care   | Care   |
        |         | topic     | money  | Money  |
    """)
    offered = offered_choices(form, form.question("main"), {"topics": "money health"})
    assert [choice.name for choice in offered] == ["health", "money"]


def test_metadata_rows_are_left_out_and_listed(form):
    names = {question.name for _, question in form.walk()}
    assert "started" not in names and "today" not in names
    assert form.ignored[:2] == (
        "survey sheet, row 2: 'start' (a metadata field) is not collected by coprod and was left out.",
        "survey sheet, row 20: 'today' (a metadata field) is not collected by coprod and was left out.",
    )


def test_ignored_columns_are_noted_once(form):
    assert form.ignored[2:] == ("the appearance column is ignored: questions are shown in coprod's own layout.",)


@pytest.mark.parametrize(
    ("column", "value", "note"),
    [
        ("guidance_hint", "More help", "the guidance_hint column is ignored"),
        ("autoplay", "audio", "the autoplay column is ignored"),
        ("instance::odk:tag", "x", "the instance::odk:tag column is ignored"),
        ("bind::odk:length", "3", "the bind::odk:length column is ignored"),
        ("notes", "for us", "the notes column is ignored: it is not a column coprod uses"),
    ],
)
def test_other_columns_are_ignored_with_a_note(column, value, note):
    form = md(f"""
        | survey |
        |        | type | name | label | {column} |
        |        | text | a    | A     | {value}  |
        |        | text | b    | B     | {value}  |
    """)
    assert len(form.ignored) == 1 and form.ignored[0].startswith(note), form.ignored  # once, not once a row


def test_bind_required_relevant_and_constraint_are_honoured():
    form = md("""
        | survey |
        |        | type    | name | label | bind::required | bind::relevant | bind::constraint |
        |        | integer | a    | A     | yes            |                | . > 1            |
        |        | text    | b    | B     |                | ${a} > 2       |                  |
    """)
    assert (form.question("a").required, form.question("a").constraint) == ("true()", ". > 1")
    assert form.question("b").relevant == "${a} > 2" and form.ignored == ()


@pytest.mark.parametrize(
    ("written", "stored"),
    [("yes", "true()"), ("Yes", "true()"), ("true", "true()"), ("TRUE", "true()"), ("true()", "true()")]
    + [("no", ""), ("false", ""), ("false()", ""), ("", ""), ("${a} = 'x'", "${a} = 'x'")],
)
def test_required_values(written, stored):
    form = md(f"""
        | survey |
        |        | type | name | label | required  |
        |        | text | a    | A     |           |
        |        | text | b    | B     | {written} |
    """)
    assert form.question("b").required == stored


def test_untranslated_form_uses_the_default_language():
    form = md("""
        | survey |
        |        | type | name | label   | hint |
        |        | text | a    | A label | Help |
    """)
    question = form.question("a")
    assert form.languages == (DEFAULT_LANGUAGE,) and form.default_language == DEFAULT_LANGUAGE
    assert question.labels == {DEFAULT_LANGUAGE: "A label"} and question.hint("Welsh (cy)") == "Help"
    assert form.title == form.form_id == "form"  # no settings sheet: the name given stands in for the file's


def test_default_language_setting_and_unmarked_text():
    form = md("""
        | survey |
        |        | type | name | label  | label::Welsh (cy) |
        |        | text | a    | Hello  | Helo              |
        | settings |
        |          | default_language |
        |          | English (en)     |
    """)
    assert form.default_language == EN and form.languages == (EN, CY)
    assert form.question("a").labels == {EN: "Hello", CY: "Helo"}


def test_mixed_unmarked_and_translated_text_keeps_default():
    form = md("""
        | survey |
        |        | type | name | label | label::Welsh (cy) |
        |        | text | a    | Hello | Helo              |
    """)
    assert form.languages == (DEFAULT_LANGUAGE, CY) and form.default_language == DEFAULT_LANGUAGE


def test_a_note_without_a_name_is_kept():
    form = md("""
        | survey |
        |        | type | name | label   |
        |        | note |      | Welcome |
        |        | text | a    | A       |
    """)
    note = form.questions[0]
    assert (note.type, note.row, note.label(DEFAULT_LANGUAGE)) == ("note", 2, "Welcome")


def test_other_select_spellings_are_accepted():
    form = md("""
        | survey |
        |        | type                    | name | label |
        |        | select one l            | a    | A     |
        |        | select all that apply l | b    | B     |
        | choices |
        |         | list name | name | label |
        |         | l         | x    | X     |
    """)
    assert [question.type for question in form.questions] == ["select_one", "select_multiple"]


# ---------------------------------------------------------------------------------------------------------
# The stored form


def test_json_round_trip_is_exact(form):
    data = form.to_json()
    assert FormDefinition.from_json(data) == form
    assert FormDefinition.from_json(json.loads(json.dumps(data))) == form
    assert list(data) == ["title", "form_id", "form_version", "languages", "default_language", "questions"] + [
        "choices",
        "ignored",
    ]


def test_json_holds_only_plain_types(form):
    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(key, str) and plain(item) for key, item in value.items())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return value is None or isinstance(value, str | int | float | bool)

    assert plain(form.to_json())
    assert json.loads(json.dumps(form.to_json())) == form.to_json()


def test_question_by_path(form):
    assert form.question("details/rating").name == "rating"
    with pytest.raises(KeyError, match="no question 'rating'"):
        form.question("rating")


def test_questions_and_forms_can_be_hashed(form):
    assert len({form, FormDefinition.from_json(form.to_json())}) == 1
    assert Question.from_json(form.question("who").to_json()) in {form.question("who")}


def test_importing_the_form_model_loads_nothing_heavy():
    heavy = ("pyxform", "pandas", "openpyxl", "ipywidgets")
    code = f"import sys, coprod_widgets.questions.form; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------------------
# Refusals: each names the row and what is wrong

CHOICES = """
| choices |
|         | list_name | name  | label | region |
|         | colours   | red   | Red   | north  |
|         | colours   | blue  | Blue  | south  |
"""

# (case id, rows after the first question (row 2), the row at fault, words the problem must contain)
REFUSALS = [
    ("geopoint", [{"type": "geopoint"}], 3, ["'geopoint'", "a location"]),
    ("geotrace", [{"type": "geotrace"}], 3, ["'geotrace'", "a line on a map"]),
    ("geoshape", [{"type": "geoshape"}], 3, ["'geoshape'", "an area on a map"]),
    ("image", [{"type": "image"}], 3, ["'image'", "a photo"]),
    ("audio", [{"type": "audio"}], 3, ["'audio'", "a sound recording"]),
    ("video", [{"type": "video"}], 3, ["'video'", "a video"]),
    ("file", [{"type": "file"}], 3, ["'file'", "a file upload"]),
    ("barcode", [{"type": "barcode"}], 3, ["'barcode'", "a barcode scan"]),
    ("background-audio", [{"type": "background-audio"}], 3, ["'background-audio'", "sound recording"]),
    ("time", [{"type": "time"}], 3, ["'time'", "a time of day"]),
    ("datetime", [{"type": "datetime"}], 3, ["'datetime'", "a date and time"]),
    ("rank", [{"type": "rank colours"}], 3, ["'rank colours'", "putting choices in order"]),
    ("from-file", [{"type": "select_one_from_file towns.csv"}], 3, ["select_one_from_file", "separate file"]),
    ("multiple-from-file", [{"type": "select_multiple_from_file t.xml"}], 3, ["select_multiple_from_file"]),
    ("external", [{"type": "select_one_external colours"}], 3, ["'select_one_external colours'", "external"]),
    ("trigger-type", [{"type": "trigger"}], 3, ["'trigger'", "use acknowledge"]),
    ("hidden", [{"type": "hidden"}], 3, ["'hidden'", "use calculate"]),
    ("xml-external", [{"type": "xml-external"}], 3, ["'xml-external'", "external data file"]),
    ("csv-external", [{"type": "csv-external"}], 3, ["'csv-external'", "external data file"]),
    ("start-geopoint", [{"type": "start-geopoint"}], 3, ["'start-geopoint'", "location"]),
    ("unknown-type", [{"type": "txet"}], 3, ["'txet'", "not a type coprod knows", "Supported types: text"]),
    ("or_other", [{"type": "select_one colours or_other"}], 3, ["or_other", "add an 'other' choice"]),
    ("missing-list", [{"type": "select_one colors"}], 3, ["'colors' is not on the choices sheet"]),
    ("from-answers", [{"type": "select_one ${first}"}], 3, ["another question's answers"]),
    (
        "repeat_count",
        [{"type": "begin repeat", "repeat_count": "3"}, {"type": "text"}, {"type": "end repeat"}],
        3,
        ["repeat_count column", "not supported"],
    ),
    (
        "count",
        [{"type": "begin repeat", "count": "${first}"}, {"type": "text"}, {"type": "end repeat"}],
        3,
        ["count column", "not supported"],
    ),
    ("trigger-column", [{"type": "text", "trigger": "${first}"}], 3, ["trigger column", "not supported"]),
    ("media::image", [{"type": "text", "media::image": "a.png"}], 3, ["media::image column", "pictures"]),
    ("image-column", [{"type": "text", "image": "a.png"}], 3, ["image column", "pictures"]),
    ("media::audio", [{"type": "text", "media::audio": "a.mp3"}], 3, ["media::audio column"]),
    ("audio-column", [{"type": "text", "audio": "a.mp3"}], 3, ["audio column", "sound"]),
    ("media::video", [{"type": "text", "media::video": "a.mp4"}], 3, ["media::video column"]),
    ("video-column", [{"type": "text", "video": "a.mp4"}], 3, ["video column", "video"]),
    ("body", [{"type": "text", "body::accuracyThreshold": "5"}], 3, ["body::accuracyThreshold column"]),
    ("disabled", [{"type": "text", "disabled": "yes"}], 3, ["disabled column"]),
    ("parameters-on-text", [{"type": "text", "parameters": "rows=3"}], 3, ["parameters column", "only used on range"]),
    ("range-extra", [{"type": "range", "parameters": "start=1 end=9 tick_interval=2"}], 3, ["not tick_interval"]),
    ("range-backwards", [{"type": "range", "parameters": "start=5 end=1"}], 3, ["ends at 1", "start 5"]),
    ("range-empty", [{"type": "range", "parameters": "start=3 end=3"}], 3, ["not above its start 3"]),
    ("range-step-zero", [{"type": "range", "parameters": "start=1 end=5 step=0"}], 3, ["step 0 must be above 0"]),
    ("range-step-wide", [{"type": "range", "parameters": "start=1 end=5 step=9"}], 3, ["no bigger than the range"]),
    ("range-not-number", [{"type": "range", "parameters": "start=a end=5"}], 3, ["must be numbers"]),
    ("calculation-on-text", [{"type": "text", "calculation": "1 + 1"}], 3, ["calculation column", "type 'text'"]),
    ("calculate-without", [{"type": "calculate", "label": ""}], 3, ["has no calculation"]),
    ("read_only-expression", [{"type": "text", "read_only": "${first} = 'a'"}], 3, ["read_only must be yes or no"]),
    ("dynamic-default", [{"type": "date", "default": "today()"}], 3, ["default column", "today()"]),
    ("syntax", [{"type": "text", "relevant": "${first} = = 'a'"}], 3, ["relevant column", "Unexpected '='"]),
    ("unknown-function", [{"type": "integer", "constraint": "between(., 1, 5)"}], 3, ["constraint column", "between"]),
    ("arguments", [{"type": "calculate", "calculation": "round()"}], 3, ["calculation column", "round()"]),
    ("required-expression", [{"type": "text", "required": "maybe"}], 3, ["required column", "'maybe'"]),
    ("unknown-reference", [{"type": "text", "relevant": "${frist} = 'a'"}], 3, ["${frist} is not a question"]),
    (
        "metadata-reference",
        [{"type": "start"}, {"type": "text", "relevant": "${q3} != ''"}],
        4,
        ["${q3} is a metadata field"],
    ),
    (
        "filter-column",
        [{"type": "select_one colours", "choice_filter": "regoin=${first}"}],
        3,
        ["'regoin' is not a column of the choices sheet"],
    ),
    (
        "filter-reference",
        [{"type": "select_one colours", "choice_filter": "region=${nowhere}"}],
        3,
        ["choice_filter column", "${nowhere}"],
    ),
    (
        "filter-syntax",
        [{"type": "select_one colours", "choice_filter": "region = = ${first}"}],
        3,
        ["choice_filter column", "Unexpected '=' in: region = = ${first}"],
    ),
    (
        "duplicate-name",
        [{"type": "begin group"}, {"type": "text", "name": "first"}, {"type": "end group"}],
        4,
        ["the name 'first' is already used on row 2"],
    ),
]


def survey_table(rows: list[dict[str, str]]) -> str:
    """A survey sheet: a first text question on row 2, then ``rows`` (named q3, q4, ... unless named)."""
    rows = [{"type": "text", "name": "first", "label": "First"}, *rows]
    for number, row in enumerate(rows, start=2):
        if not row["type"].startswith("end"):
            row.setdefault("name", f"q{number}")
            row.setdefault("label", f"Question {number}")
    return sheet("survey", rows) + CHOICES


@pytest.mark.parametrize(("rows", "row", "words"), [case[1:] for case in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refused_with_the_row_and_what_is_wrong(rows, row, words):
    refused = refusal(survey_table([dict(each) for each in rows]))
    assert refused.problems[0].startswith(f"survey sheet, row {row}"), refused.problems
    for word in words:
        assert word in refused.problems[0], refused.problems[0]
    assert len(refused.problems) == 1, refused.problems


def test_begin_loop_is_refused():
    refused = refusal(survey_table([{"type": "begin loop over colours"}, {"type": "text"}, {"type": "end loop"}]))
    assert refused.problems[0].startswith("survey sheet, row 3: the type 'begin loop over colours' is not supported")
    assert "use begin repeat" in refused.problems[0]


def test_two_problems_are_both_reported():
    refused = refusal(
        survey_table([{"type": "geopoint"}, {"type": "text"}, {"type": "integer", "relevant": "${gone} > 1"}])
    )
    assert [problem.split(":")[0] for problem in refused.problems] == [
        "survey sheet, row 3",
        "survey sheet, row 5, relevant column",
    ]
    lines = str(refused).splitlines()
    assert lines[0] == "This form cannot be used until 2 problems are fixed:" and lines[1:] == refused.problems


def test_choices_sheet_media_is_refused():
    refused = refusal("""
        | survey |
        |        | type       | name | label |
        |        | select_one l | a  | A     |
        | choices |
        |         | list_name | name | label | image |
        |         | l         | x    | X     |       |
        |         | l         | y    | Y     | y.png |
    """)
    assert refused.problems == [
        "choices sheet, row 3, image column: this column is not supported: coprod does not show pictures, sound or "
        "video. Delete the column and say it in the label."
    ]


def test_entities_sheet_is_refused():
    refused = refusal("""
        | survey |
        |        | type | name | label |
        |        | text | a    | A     |
        | entities |
        |          | list_name | label |
        |          | people    | ${a}  |
    """)
    assert refused.problems[0].startswith("entities sheet:")


def test_pyxform_problems_are_refusals_naming_the_row():
    refused = refusal("""
        | survey |
        |        | type        | name | label |
        |        | text        | a    | A     |
        |        | begin group | g    | G     |
        |        | text        | b    | B     |
    """)
    assert refused.problems == [
        "survey sheet, row 3: Unmatched 'begin_group'. No matching 'end_group' was found for the name 'g'."
    ]


def test_duplicate_choices_are_refused_by_pyxform():
    refused = refusal("""
        | survey |
        |        | type         | name | label |
        |        | select_one l | a    | A     |
        | choices |
        |         | list_name | name | label |
        |         | l         | x    | X     |
        |         | l         | x    | Y     |
    """)
    assert refused.problems[0].startswith("choices sheet, row 3: the 'name' value is invalid")
    assert "must be unique" in refused.problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "| survey |\n| | type | name | label |\n| | start | start | |\n",
        "| survey |\n| | type | name | label |\n| | note | hello | Hello |\n",
    ],
    ids=["only-metadata", "only-a-note"],
)
def test_a_form_with_no_questions_is_refused(text):
    assert "there are no questions to answer" in refusal(text).problems[0]


# ---------------------------------------------------------------------------------------------------------
# Each reader: .xlsx, .csv, .md files and text


def write_xlsx(path: Path, sheets: dict[str, list[list[str | None]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_file(tmp_path):
    path = write_xlsx(
        tmp_path / "visit log.xlsx",
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["text", "who", "Who came?", "yes"],
                [None, None, None, None],  # a blank spreadsheet row still counts
                ["select_one yn", "again", "Come again?", None],
                ["integer", "count", "How many?", None],
            ],
            "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
        },
    )
    form = read_xlsform(path)
    assert (form.title, form.form_id) == ("visit log", "visit log")  # no settings sheet: the file's name
    assert [(q.name, q.row) for q in form.questions] == [("who", 2), ("again", 4), ("count", 5)]
    assert form.question("who").required == "true()" and len(form.choices["yn"]) == 2


def test_xlsx_refusal_names_the_spreadsheet_row(tmp_path):
    path = write_xlsx(
        tmp_path / "form.xlsx",
        {"survey": [["type", "name", "label"], ["text", "a", "A"], [None, None, None], ["geopoint", "here", "Here"]]},
    )
    with pytest.raises(FormRefused) as refused:
        read_xlsform(path)
    assert refused.value.problems[0].startswith("survey sheet, row 4: the type 'geopoint' is not supported")


CSV_ROWS = [
    ["survey", "", "", ""],
    ["", "type", "name", "label"],
    ["", "text", "who", "Who came?"],
    ["", "select_multiple colour", "colours", "Colours"],
    ["choices", "", "", ""],
    ["", "list_name", "name", "label"],
    ["", "colour", "red", "Red"],
    ["", "colour", "blue", "Blue"],
    ["settings", "", "", ""],
    ["", "form_title", "form_id", ""],
    ["", "Colours", "colours_v1", ""],
]


def test_csv_file_and_csv_text(tmp_path):
    path = tmp_path / "colours.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(CSV_ROWS)
    form = read_xlsform(path)
    assert (form.title, form.form_id) == ("Colours", "colours_v1")
    assert [(q.name, q.type, q.row) for q in form.questions] == [
        ("who", "text", 2),
        ("colours", "select_multiple", 3),
    ]
    assert read_xlsform_text(path.read_text(encoding="utf-8"), file_type="csv") == form


def test_md_file(tmp_path):
    path = tmp_path / "workshop.md"
    path.write_text(FULL_FORM, encoding="utf-8")
    assert read_xlsform(path) == read_xlsform_text(FULL_FORM)


@pytest.mark.parametrize("name", ["form.ods", "form.json", "form"])
def test_unsupported_file_types_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    with pytest.raises(FormRefused, match=r"\.xlsx, \.xls, \.csv, \.md"):
        read_xlsform(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(FormRefused, match="There is no file"):
        read_xlsform(tmp_path / "nowhere.xlsx")


def test_text_must_be_markdown_or_csv():
    with pytest.raises(FormRefused, match="markdown"):
        read_xlsform_text("x", file_type="xlsx")


def test_a_broken_xlsx_file_is_refused(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(FormRefused, match="could not be read as an XLSForm"):
        read_xlsform(path)


def test_a_label_naming_a_left_out_metadata_field_is_refused_by_pyxform():
    refused = refusal("""
        | survey |
        |        | type  | name  | label           |
        |        | start | begun |                 |
        |        | text  | a     | Since ${begun}? |
    """)
    assert refused.problems[0].startswith("survey sheet, row 3: the 'label' value is invalid")
    assert "'begun'" in refused.problems[0]


@pytest.mark.parametrize("text", ["just some words", "| settings |\n| | form_id |\n| | x |\n| survey |\n"])
def test_text_that_is_not_a_form_is_refused(text):
    with pytest.raises(FormRefused, match="could not be read as an XLSForm"):
        read_xlsform_text(text)
