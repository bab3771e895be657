"""A site's own questions in the site app, without a browser: set widget values, click, look in the store."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import ipywidgets as widgets
import pytest

from coprod_widgets.questions.form import FormDefinition
from coprod_widgets.questions.library import add_form
from coprod_widgets.questions.xlsform import read_xlsform_text
from coprod_widgets.siteapp.question_inputs import QuestionInput
from coprod_widgets.siteapp.questionnaire import QuestionnaireForm
from coprod_widgets.siteapp.questions_section import NO_INSTRUMENTS, NO_QUESTION_SETS
from coprod_widgets.siteapp.workspace import Workspace

EN, CY = "English (en)", "Welsh (cy)"
TODAY = dt.date(2015, 9, 1)


def sheet(name: str, rows: list[dict[str, str]]) -> str:
    """One sheet as a markdown XLSForm table; columns in the order they first appear."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    lines = [f"| {name} |", "| | " + " | ".join(columns) + " |"]
    lines += ["| | " + " | ".join(row.get(column, "") for column in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def labelled(english: str, welsh: str | None = None) -> dict[str, str]:
    return {f"label::{EN}": english, f"label::{CY}": welsh or f"{english} (Cymraeg)"}


PEER_SURVEY = [
    {"type": "text", "name": "first_name", **labelled("Your first name", "Eich enw cyntaf")}
    | {f"hint::{EN}": "As you like to be called", f"hint::{CY}": "Fel yr hoffech gael eich galw"}
    | {"required": "yes", f"required_message::{EN}": "Tell us your first name"}
    | {f"required_message::{CY}": "Dywedwch eich enw cyntaf"},
    {"type": "integer", "name": "people", **labelled("How many people came?"), "default": "5"}
    | {"constraint": ". >= 0 and . <= 500", f"constraint_message::{EN}": "Between 0 and 500 people"},
    {"type": "decimal", "name": "hours", **labelled("How many hours did it last?")},
    {"type": "date", "name": "met_on", **labelled("When did you meet?")},
    {"type": "select_one yes_no", "name": "met", **labelled("Did you meet in person?", "Wnaethoch chi gyfarfod?")},
    {"type": "begin group", "name": "meeting", **labelled("About the meeting"), "relevant": "${met} = 'yes'"},
    {"type": "select_multiple topic", "name": "topics", **labelled("Topics discussed")},
    {"type": "range", "name": "rating", **labelled("How useful was it?"), "parameters": "start=1 end=5 step=1"},
    {"type": "text", "name": "why", **labelled("What would make it more useful?"), "relevant": "${rating} < 3"},
    {"type": "end group"},
    {"type": "select_one region", "name": "region", **labelled("Region", "Rhanbarth")},
    {"type": "select_one town", "name": "town", **labelled("Town", "Tref"), "choice_filter": "region=${region}"},
    {"type": "begin repeat", "name": "actions", **labelled("Actions agreed", "Camau a gytunwyd")},
    {"type": "text", "name": "action", **labelled("Action")},
    {"type": "text", "name": "owner", **labelled("Who will do it")},
    {"type": "end repeat"},
    {"type": "acknowledge", "name": "consent", **labelled("I agree to share these answers")},
    {"type": "note", "name": "thanks", **labelled("Thank you for your answers", "Diolch am eich atebion")},
    {"type": "calculate", "name": "per_hour", **labelled("People per hour"), "calculation": "${people} div ${hours}"},
    {"type": "calculate", "name": "twice", "calculation": "${people} * 2"},
    {"type": "text", "name": "site_code", **labelled("Site code"), "read_only": "yes", "default": "N1"},
]
PEER_CHOICES = [
    {"list_name": "yes_no", "name": "yes", **labelled("Yes", "Ie")},
    {"list_name": "yes_no", "name": "no", **labelled("No", "Na")},
    {"list_name": "topic", "name": "access", **labelled("Getting there")},
    {"list_name": "topic", "name": "waiting", **labelled("Waiting times")},
    {"list_name": "region", "name": "north", **labelled("North", "Gogledd")},
    {"list_name": "region", "name": "south", **labelled("South", "De")},
    {"list_name": "town", "name": "bangor", **labelled("Bangor", "Bangor"), "region": "north"},
    {"list_name": "town", "name": "cardiff", **labelled("Cardiff", "Caerdydd"), "region": "south"},
]
PEER_FORM = sheet("survey", PEER_SURVEY) + sheet("choices", PEER_CHOICES) + sheet("settings", [{"form_title": "Peer"}])

#: A full, valid set of answers as a person gives them, and what the store keeps.
TYPED = {
    "first_name": "Ann",
    "people": "12",
    "hours": "4",
    "met_on": dt.date(2015, 6, 1),
    "met": "yes",
    "topics": ["access", "waiting"],
    "rating": 2,
    "why": "More time to talk",  # answered while it applies ...
    "region": "south",
    "town": "cardiff",
    "consent": True,
}
STORED = {
    "first_name": "Ann",
    "people": 12,
    "hours": 4.0,
    "met_on": "2015-06-01",
    "met": "yes",
    "topics": ["access", "waiting"],
    "rating": 4,  # ... then rating 4 makes "why" not apply, so it is left out
    "region": "south",
    "town": "cardiff",
    "actions": [{"action": "Phone the GP surgery", "owner": "Rosa"}],
    "consent": "OK",
    "per_hour": 3,
    "twice": 24,
    "site_code": "N1",
}

#: Skip logic: answers given one after another, then which questions and groups are hidden.
SKIP_CASES = [
    ([], {"meeting", "topics", "rating", "why"}),
    ([("met", "yes")], {"why"}),
    ([("met", "yes"), ("rating", 2)], set()),
    ([("met", "yes"), ("rating", 2), ("why", "Too short"), ("rating", 5)], {"why"}),
    ([("met", "yes"), ("rating", 2), ("met", "no")], {"meeting", "topics", "rating", "why"}),
    ([("met", "no"), ("met", "yes")], {"why"}),
]
SKIPPABLE = ("meeting", "why", "topics", "rating", "first_name", "town")


# ---------------------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def peer_form() -> FormDefinition:
    return read_xlsform_text(PEER_FORM)


@pytest.fixture
def peer_set(store, small_programme, peer_form):
    return add_form(
        store, peer_form, name="Peer support", source="peer.md", site_id=small_programme["site"], who="test"
    ).question_set


@pytest.fixture
def workspace(store, small_programme, peer_set):
    opened = Workspace(store.for_site(small_programme["site"]), today=TODAY)
    opened.open_section("questions")
    yield opened
    widgets.Widget.close_all()


@pytest.fixture
def form(workspace) -> QuestionnaireForm:
    return workspace.questions.form_for(workspace.questions.chosen)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def answer(field: QuestionInput, value) -> None:
    """Give an answer the way a person does: type into a box, pick from a list, tick boxes."""
    if field.kind == "select_multiple":
        for box in field.input.children[1].children:
            box.value = box.choice_name in value
    elif isinstance(field.input, widgets.Text):
        field.input.value = str(value)
    else:
        field.input.value = value


def fill(form: QuestionnaireForm, values: dict) -> None:
    for name, value in values.items():
        answer(form.questions.inputs[name], value)


def hidden(form: QuestionnaireForm, name: str) -> bool:
    level = form.questions
    block = level.groups.get(name) or level.inputs[name]
    groups = [g for g in level.groups.values() if any(c is block.widget for c in walk(g.widget))]
    return any(part.widget.layout.display == "none" for part in [block, *groups])


def message(form: QuestionnaireForm, name: str) -> str:
    return form.questions.inputs[name].message.value


def responses(store) -> int:
    return len(store.records("question_response"))


def fill_valid(form: QuestionnaireForm) -> None:
    fill(form, TYPED)
    fill(form, {"rating": 4})
    entry = form.questions.repeats["actions"].entries[0]
    answer(entry.inputs["action"], "Phone the GP surgery")
    answer(entry.inputs["owner"], "Rosa")


# ---------------------------------------------------------------------------------------------------------
# The form


@pytest.mark.parametrize(("given", "hidden_now"), SKIP_CASES, ids=lambda case: str(case))
def test_skip_logic_hides_and_shows_questions_and_groups(form, given, hidden_now):
    for name, value in given:
        answer(form.questions.inputs[name], value)
    assert {name for name in SKIPPABLE if hidden(form, name)} == hidden_now


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        ("people", "900", "Between 0 and 500 people"),
        ("people", "-1", "Between 0 and 500 people"),
        ("people", "twelve", "enter a whole number"),
        ("people", "2.5", "enter a whole number"),
        ("hours", "two", "enter a number"),
        ("hours", "nan", "enter a number"),
    ],
)
def test_a_bad_answer_is_explained_as_it_is_typed_and_the_message_goes_when_corrected(form, name, typed, says):
    answer(form.questions.inputs[name], typed)
    assert says in message(form, name)
    assert form.questions.inputs[name].message.layout.display is None
    answer(form.questions.inputs[name], "12")
    assert message(form, name) == "" and form.questions.inputs[name].message.layout.display == "none"


def test_a_required_question_left_empty_is_said_on_save_and_nothing_is_stored(store, form):
    fill(form, {"people": "7", "met": "no"})
    assert message(form, "first_name") == "", "not nagged before Save"
    before = responses(store)
    assert form.save() is None
    assert "Tell us your first name" in message(form, "first_name")
    assert form.status.value.startswith("Not saved: 1 problem")
    assert responses(store) == before
    assert form.questions.inputs["people"].input.value == "7", "typed answers are kept"
    form.date.value = ""
    fill(form, {"first_name": "Ann"})
    assert form.save() is None
    assert "Date answered is required" in form.messages["date"].value and message(form, "first_name") == ""
    assert responses(store) == before


def test_a_new_form_shows_defaults_today_and_every_kind_of_input(workspace, form, peer_set):
    inputs = form.questions.inputs
    assert form.date.value == "01/09/2015" and form.date.description == "Date answered (day/month/year)"
    assert form.data["date"] == TODAY
    assert form.partner.description == "Answered by (optional)"
    assert [label for label, _ in form.partner.options][:2] == ["Not recorded", "Dev (Clinician)"]
    assert form.language_picker.options == ((EN, EN), (CY, CY)) and form.language_picker.value == EN
    assert inputs["first_name"].input.description == "Your first name (required)"
    assert inputs["first_name"].hint.value == "As you like to be called"
    assert inputs["people"].input.value == "5" and inputs["site_code"].input.value == "N1"
    assert inputs["site_code"].input.disabled
    assert isinstance(inputs["met_on"].input, widgets.Text), "typed, as every date in the site app"
    assert inputs["met_on"].input.description == "When did you meet? (day/month/year)"
    assert inputs["met_on"].input.placeholder == "31/03/2015"
    assert inputs["met"].input.options[0] == ("Not answered", None)
    assert [value for _, value in inputs["rating"].input.options] == [None, 1, 2, 3, 4, 5]
    assert [box.description for box in inputs["topics"].input.children[1].children] == [
        "Getting there",
        "Waiting times",
    ]
    assert inputs["topics"].title.value == "Topics discussed"
    assert inputs["thanks"].input.value == "Thank you for your answers"
    assert isinstance(inputs["consent"].input, widgets.Checkbox)
    assert inputs["per_hour"].widget.layout.display is None and inputs["twice"].widget.layout.display == "none"
    answer(inputs["hours"], "2.5")
    assert inputs["per_hour"].input.value == "People per hour: 2"
    assert len(form.questions.repeats["actions"].entries) == 1
    assert form.question_set.id == peer_set.id


def test_a_valid_set_of_answers_is_stored_in_the_conventions_and_the_form_starts_again(
    store, small_programme, workspace, form, peer_set
):
    fill_valid(form)
    form.partner.value = small_programme["partner_lived"]
    saved = form.save()
    assert saved is not None, form.status.value
    stored = store.get("question_response", saved.id)
    assert stored.question_set_id == peer_set.id and stored.site_id == small_programme["site"]
    assert stored.answers == STORED
    assert stored.partner_id == small_programme["partner_lived"] and stored.date == TODAY
    assert form.status.value == f"Saved: answers {saved.id}."
    assert form.questions.inputs["first_name"].input.value == "" and form.questions.inputs["people"].input.value == "5"
    assert form.partner.value is None and form.date.value == "01/09/2015"
    assert len(form.questions.repeats["actions"].entries) == 1
    (row,) = workspace.questions.listing.items.children
    summary, button = row.children
    assert summary.value == "2015-09-01: answered by Rosa; version 1; 13 questions answered"
    assert button.description == f"Edit answers {saved.id}"
    assert [r.id for r in workspace.records["question_response"]] == [saved.id], "the workspace read again"
    assert workspace.health.lines.children, "the health panel is still shown"


def test_repeat_entries_are_added_and_removed_and_saved_as_a_list(store, form):
    repeat = form.questions.repeats["actions"]
    answer(repeat.entries[0].inputs["action"], "First")
    repeat.add_button.click()
    repeat.add_button.click()
    answer(repeat.entries[1].inputs["action"], "Second")
    answer(repeat.entries[2].inputs["action"], "Third")
    assert repeat.add_button.description == "Add another: Actions agreed"
    remove_first = repeat.rows.children[0].children[-1]
    assert remove_first.description == "Remove entry 1"
    remove_first.click()
    assert [row.children[-1].description for row in repeat.rows.children] == ["Remove entry 1", "Remove entry 2"]
    assert form.answers["actions"] == [{"action": "Second"}, {"action": "Third"}]
    fill(form, {"first_name": "Ann"})
    saved = form.save()
    assert store.get("question_response", saved.id).answers["actions"] == [{"action": "Second"}, {"action": "Third"}]


@pytest.mark.parametrize("typed", ["31/03/2015", "31.03.2015", " 31-3-2015 ", "2015-03-31"])
def test_dates_are_typed_as_everywhere_in_the_site_app_and_kept_as_year_month_day(store, form, typed):
    fill_valid(form)
    answer(form.questions.inputs["met_on"], typed)
    form.date.value = typed
    assert form.questions.inputs["met_on"].value == "2015-03-31" and message(form, "met_on") == ""
    assert form.data["date"] == dt.date(2015, 3, 31)
    saved = form.save()
    assert saved is not None, form.status.value
    stored = store.get("question_response", saved.id)
    assert stored.answers["met_on"] == "2015-03-31" and stored.date == dt.date(2015, 3, 31)
    form.edit(stored)
    assert form.questions.inputs["met_on"].input.value == "31/03/2015" and form.date.value == "31/03/2015"


def test_a_date_that_is_not_one_is_explained_in_day_month_year(store, form):
    met_on = form.questions.inputs["met_on"]
    answer(met_on, "31/02/2015")
    assert message(form, "met_on") == "Problem: When did you meet?: enter a real date as day/month/year, " + (
        "like 31/03/2015 (or 2015-03-31)."
    )
    answer(met_on, "28/02/2015")
    assert message(form, "met_on") == "" and met_on.value == "2015-02-28"
    fill_valid(form)
    form.date.value = "32/13/2015"
    before = responses(store)
    assert form.save() is None
    assert "Date answered must be a real date, written as day/month/year" in form.messages["date"].value
    assert responses(store) == before and form.date.value == "32/13/2015", "what was typed is kept"


def test_a_problem_inside_a_repeat_is_shown_in_its_entry(store, workspace, small_programme, peer_form):
    form_text = PEER_FORM.replace("| | text | owner |", "| | integer | owner |")
    numbered = read_xlsform_text(form_text)
    qs = add_form(store, numbered, name="Numbered", source="n.md", site_id=small_programme["site"], who="t")
    form = QuestionnaireForm(workspace.scope, qs.question_set, workspace.choices, today=TODAY)
    repeat = form.questions.repeats["actions"]
    repeat.add_button.click()
    answer(repeat.entries[1].inputs["owner"], "Rosa")
    assert "enter a whole number" in repeat.entries[1].inputs["owner"].message.value
    fill(form, {"first_name": "Ann"})
    assert form.save() is None
    assert "enter a whole number" in repeat.entries[1].inputs["owner"].message.value


def test_switching_language_relabels_everything_and_keeps_the_answers(form):
    fill(form, {"met": "yes", "region": "south", "town": "cardiff", "people": "900"})
    form.save()  # refused: shows the required message in English
    assert "Tell us your first name" in message(form, "first_name")
    before = form.answers
    form.language_picker.value = CY
    inputs = form.questions.inputs
    assert inputs["first_name"].input.description == "Eich enw cyntaf (required)"
    assert inputs["first_name"].hint.value == "Fel yr hoffech gael eich galw"
    assert ("Caerdydd", "cardiff") in inputs["town"].input.options and inputs["town"].input.value == "cardiff"
    assert inputs["met"].input.options[1:] == (("Ie", "yes"), ("Na", "no"))
    assert inputs["thanks"].input.value == "Diolch am eich atebion"
    assert form.questions.groups["meeting"].title.value == "<h4>About the meeting (Cymraeg)</h4>"
    assert form.questions.repeats["actions"].add_button.description == "Add another: Camau a gytunwyd"
    assert "Dywedwch eich enw cyntaf" in message(form, "first_name")
    assert form.answers == before
    form.language_picker.value = EN
    assert inputs["town"].input.options[1:] == (("Cardiff", "cardiff"),) and form.answers == before


def test_a_choice_filter_narrows_the_options(form):
    town = form.questions.inputs["town"]
    assert [name for _, name in town.input.options] == [None], "no town until a region is chosen"
    fill(form, {"region": "north"})
    assert [name for _, name in town.input.options] == [None, "bangor"]
    fill(form, {"town": "bangor", "first_name": "Ann"})
    assert town.input.value == "bangor", "a chosen option still offered is kept"
    fill(form, {"region": "south"})
    assert [name for _, name in town.input.options] == [None, "cardiff"] and town.input.value is None


# ---------------------------------------------------------------------------------------------------------
# The section


def test_the_section_sits_before_self_assessment_and_says_why():
    from coprod_widgets.siteapp.sections import SECTIONS

    keys = [spec.key for spec in SECTIONS]
    assert keys.index("questions") == keys.index("self_assessment") - 1
    spec = SECTIONS[keys.index("questions")]
    assert spec.title == "Our own questions" and "as often as you need" in spec.reason
    assessment = SECTIONS[keys.index("self_assessment")]
    assert assessment.title == "Self-assessment" and assessment.forms == [] and assessment.listed == []
    for words in ("Ladder of Co-production", "learning point", "4Pi", "principles, purpose, presence, process and"):
        assert words in assessment.reason, words
    assert "evaluators will see" in assessment.reason


def test_self_assessment_offers_the_shared_instruments_and_own_questions_do_not(store, small_programme, workspace):
    from coprod_widgets.questions.instruments import SELF_ASSESSMENT, shipped_form

    own = [label for label, _ in workspace.questions.picker.options]
    assert own == ["Peer support (your site's own)", "Seeded visits (your site's own)"], "no instrument here"
    # A new version of the self-assessment, as coprod upgrade stores it when coprod ships a changed file.
    changed = SELF_ASSESSMENT.path.read_text(encoding="utf-8").replace("Survey wave", "Which round is this?")
    newer = add_form(
        store,
        read_xlsform_text(changed),
        name=SELF_ASSESSMENT.name,
        source=SELF_ASSESSMENT.source,
        site_id=None,
        who="t",
    ).question_set
    assert newer.version == 2 and shipped_form(SELF_ASSESSMENT).form_id == newer.definition["form_id"]
    widgets.Widget.close_all()
    later = Workspace(store.for_site(small_programme["site"]), today=TODAY)
    later.open_section("self_assessment")
    section = later.self_assessment
    assert section.picker.description == "What to answer"
    assert section.picker.options == (
        ("Self-assessment", newer.id),
        ("4Pi involvement reflection", small_programme["reflection_4pi"]),
    ), "the newest version of each, the self-assessment first"
    assert section.chosen.id == newer.id
    form = section.form_for(section.chosen)
    assert form.questions.inputs["wave"].input.description == "Which round is this? (required)"
    section.picker.value = small_programme["reflection_4pi"]
    reflection = section.form_for(section.chosen)
    assert section.form_slot.children == (reflection.widget,)
    assert reflection.questions.inputs["impact"].input.description.startswith("Impact:")
    later.open_section("questions")
    own = [label for label, _ in later.questions.picker.options]
    assert not any("Self-assessment" in label or "4Pi" in label for label in own)


def test_a_store_without_the_instruments_says_how_to_add_them(store):
    programme = store.add("programme", {"name": "Old programme"}, "t")
    site = store.add(
        "site",
        {"programme_id": programme.id, "name": "East", "service_issue": "Feet", "start_date": "2015-03-01"},
        "t",
    )
    opened = Workspace(store.for_site(site.id), today=TODAY)
    opened.open_section("self_assessment")
    shown = list(walk(opened.sections["self_assessment"]))
    assert any(isinstance(w, widgets.Label) and w.value == NO_INSTRUMENTS for w in shown)
    assert NO_INSTRUMENTS == (
        "The shared self-assessment is not in this store yet: the evaluator adds it with the command: coprod upgrade."
    )
    assert not any(isinstance(w, widgets.Dropdown | widgets.Button) for w in shown), "no empty form"
    widgets.Widget.close_all()


ROLE_FORM = (
    sheet(
        "survey",
        [
            {"type": "select_one group", "name": "respondent_role", "label": "Your role group"},
            {"type": "text", "name": "note", "label": "Anything else"},
        ],
    )
    + sheet(
        "choices",
        [
            {"list_name": "group", "name": "carer", "label": "Carer"},
            {"list_name": "group", "name": "clinician", "label": "Clinician"},
        ],
    )
    + sheet("settings", [{"form_title": "Roles"}])
)


def test_choosing_who_answered_fills_in_their_role_group_in_any_form_that_asks(store, small_programme, workspace):
    """Generic: a site's own form with a select_one respondent_role, not only the instruments."""
    added = add_form(
        store, read_xlsform_text(ROLE_FORM), name="Roles", source="r.md", site_id=small_programme["site"], who="t"
    ).question_set
    form = QuestionnaireForm(
        workspace.scope, added, workspace.choices, today=TODAY, partner_role=workspace.partner_role
    )
    role = form.questions.inputs["respondent_role"]
    form.partner.value = small_programme["partner_late"]  # Lee, a carer
    assert role.value == "carer" and role.input.value == "carer"
    form.partner.value = small_programme["partner_lived"]  # Rosa: lived experience is not offered here
    assert role.value == "carer", "a role group the question does not offer is not forced on it"
    form.partner.value = None
    assert role.value == "carer", "Not recorded leaves the answer as it is"
    form.partner.value = small_programme["partner_staff"]  # Dev, a clinician
    assert role.value == "clinician"
    answer(role, "carer")
    saved = form.save()
    assert saved is not None, form.status.value
    assert store.get("question_response", saved.id).answers["respondent_role"] == "carer", "no registered check"
    form.edit(store.get("question_response", saved.id))
    assert form.partner.value == small_programme["partner_staff"] and role.value == "carer", "saved answers kept"
    form.reset()
    assert role.value is None
    without = QuestionnaireForm(workspace.scope, added, workspace.choices, today=TODAY)
    without.partner.value = small_programme["partner_late"]
    assert without.questions.inputs["respondent_role"].value is None, "nothing to look roles up in"


def test_editing_old_answers_uses_the_version_they_were_given_under(
    store, small_programme, peer_form, peer_set, workspace
):
    form = workspace.questions.form_for(workspace.questions.chosen)
    fill_valid(form)
    first = form.save()
    changed = PEER_FORM.replace("Your first name", "Your name")
    second = add_form(
        store,
        read_xlsform_text(changed),
        name="Peer support",
        source="peer.md",
        site_id=small_programme["site"],
        who="t",
    ).question_set
    assert second.version == 2
    widgets.Widget.close_all()
    later = Workspace(store.for_site(small_programme["site"]), today=TODAY)
    later.open_section("questions")
    section = later.questions
    offered = [option for option in section.picker.options if option[0].startswith("Peer support")]
    assert offered == [("Peer support (your site's own)", second.id)], "only the newest version is offered"
    current = section.form_for(section.chosen)
    assert current.questions.inputs["first_name"].input.description == "Your name (required)"
    (row,) = section.listing.items.children
    assert "version 1" in row.children[0].value
    row.children[1].click()
    (shown,) = section.form_slot.children
    old = section.forms[peer_set.id]
    assert shown is old.widget and old.editing.id == first.id
    assert old.questions.inputs["first_name"].input.description == "Your first name (required)"
    assert old.answers["first_name"] == "Ann"
    answer(old.questions.inputs["first_name"], "Annie")
    assert old.save() is not None
    kept = store.get("question_response", first.id)
    assert kept.question_set_id == peer_set.id and kept.answers["first_name"] == "Annie"
    assert [change.action for change in store.history("question_response", first.id)] == ["insert", "update"]
    assert section.form_slot.children == (current.widget,), "new answers go to the newest version"
    assert current.status.value == f"Saved: answers {first.id} updated."


def test_saved_answers_are_listed_newest_first_ten_at_a_time_and_editing_can_be_cancelled(
    store, small_programme, peer_set, workspace
):
    for day in range(1, 13):
        workspace.scope.add(
            "question_response",
            {"question_set_id": peer_set.id, "date": dt.date(2015, 6, day), "answers": {"first_name": f"P{day}"}},
        )
    workspace.refresh()
    listing = workspace.questions.listing
    rows = listing.items.children
    assert len(rows) == 10 and rows[0].children[0].value.startswith("2015-06-12: answered by not recorded")
    assert rows[0].children[0].value.endswith("version 1; 1 question answered")
    assert listing.more.layout.display is None
    listing.more.click()
    assert len(listing.items.children) == 12 and listing.more.layout.display == "none"
    listing.items.children[-1].children[1].click()
    form = workspace.questions.form_for(peer_set)
    assert form.editing is not None and form.answers["first_name"] == "P1"
    assert form.save_button.description == "Save changes"
    form.cancel_button.click()
    assert form.editing is None and form.questions.inputs["first_name"].input.value == ""
    assert workspace.questions.form_slot.children == (form.widget,)


def test_a_site_sees_the_programme_sets_and_its_own_never_another_sites(store, small_programme, peer_form, workspace):
    south = add_form(
        store, peer_form, name="South only", source="s.md", site_id=small_programme["other_site"], who="t"
    ).question_set
    core = add_form(store, peer_form, name="Core", source="c.md", site_id=None, who="t").question_set
    widgets.Widget.close_all()
    north = Workspace(store.for_site(small_programme["site"]), today=TODAY)
    north.open_section("questions")
    labels = [label for label, _ in north.questions.picker.options]
    assert labels[:2] == ["Core (for every site)", "Peer support (your site's own)"], "the programme's first"
    assert not any("Self-assessment" in label or "4Pi" in label for label in labels), "instruments are elsewhere"
    assert not any(label.startswith("South only") for label in labels)
    assert north.scope.question_set(south.id) is None and north.scope.question_set(core.id) == core
    assert north.questions.version(south.id) is None
    smuggled = QuestionnaireForm(north.scope, south, north.choices, today=TODAY)
    fill(smuggled, {"first_name": "Ann"})
    before = responses(store)
    assert smuggled.save() is None
    assert "not one this site can answer" in smuggled.status.value
    assert responses(store) == before


def test_a_site_without_question_sets_is_told_so_in_a_sentence(store, small_programme, peer_set):
    south = Workspace(store.for_site(small_programme["other_site"]), today=TODAY)
    south.open_section("questions")
    shown = list(walk(south.sections["questions"]))
    assert any(isinstance(w, widgets.Label) and w.value == NO_QUESTION_SETS for w in shown)
    assert "coprod questions add" in NO_QUESTION_SETS
    assert not any(isinstance(w, widgets.Dropdown | widgets.Button) for w in shown), "no empty form"
    widgets.Widget.close_all()


def test_text_from_a_form_is_never_html(store, small_programme, workspace):
    nasty = "<b>x</b><script>alert(1)</script>"
    survey = [
        {"type": "begin group", "name": "g", "label": nasty},
        {"type": "text", "name": "t", "label": nasty, "hint": nasty},
        {"type": "select_one c", "name": "s", "label": nasty},
        {"type": "note", "name": "n", "label": nasty},
        {"type": "end group"},
        {"type": "begin repeat", "name": "r", "label": nasty},
        {"type": "text", "name": "rt", "label": "Entry text"},
        {"type": "end repeat"},
    ]
    text = sheet("survey", survey) + sheet("choices", [{"list_name": "c", "name": "a", "label": nasty}])
    added = add_form(
        store, read_xlsform_text(text), name="Nasty", source="x.md", site_id=small_programme["site"], who="t"
    )
    form = QuestionnaireForm(workspace.scope, added.question_set, workspace.choices, today=TODAY)
    answer(form.questions.inputs["t"], nasty)
    shown = list(walk(form.widget))
    html_values = [w.value for w in shown if isinstance(w, widgets.HTML)]
    assert not any("<script>" in value or "<b>x" in value for value in html_values)
    assert any("&lt;script&gt;" in value for value in html_values), "group and repeat headings are escaped"
    plain = [w.value for w in shown if isinstance(w, widgets.Label)] + [getattr(w, "description", "") for w in shown]
    assert any(nasty in value for value in plain), "shown as plain text"
    assert not any(getattr(w, "description_allow_html", False) for w in shown)
    assert form.save() is not None


def test_the_questionnaire_loads_neither_pandas_altair_nor_pyxform():
    probe = (
        "import sys, coprod_widgets.siteapp.questionnaire, coprod_widgets.siteapp.workspace\n"
        "print(*(name in sys.modules for name in ('pandas', 'altair', 'pyxform')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


PIPING = """
| survey |
|  | type | name | label | hint |
|  | integer | children | How many children live with you? |  |
|  | note | said | You said ${children} children. | Change the number above if ${children} is wrong. |
|  | text | names | The names of the ${children} children (optional) |  |
"""


def test_a_label_shows_the_answer_it_points_at_as_it_changes():
    from coprod_widgets.siteapp.question_inputs import Level

    form_definition = read_xlsform_text(PIPING, name="piping")
    level = Level(form_definition, form_definition.questions, "default", lambda field: None)
    level.refresh({})
    said, names = level.inputs["said"], level.inputs["names"]
    assert said.input.value == "You said … children." and names.input.description.startswith("The names of the …")
    answer(level.inputs["children"], "3")
    level.refresh({})
    assert said.input.value == "You said 3 children."
    assert said.hint.value == "Change the number above if 3 is wrong."
    assert names.input.description == "The names of the 3 children (optional)"
