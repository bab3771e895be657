"""The site app without a browser: set widget values, click Save, look in the store."""

from __future__ import annotations

import datetime as dt
import html
import os
import subprocess
import sys

import ipywidgets as widgets
import pytest

from coprod_widgets import access, throttle
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.siteapp import SiteApp, gate
from coprod_widgets.siteapp.sections import SECTIONS
from tests.casefiles import fill, load_cases

FORM_PROBLEMS = load_cases("site_form_problems.yaml")
NORTH_CODE, SOUTH_CODE = "acorn-bliss-crumb-jolly-quote", "amber-clamp-dwarf-lunar-ozone"


@pytest.fixture
def coded(store, small_programme):
    store.set_access_code(small_programme["site"], NORTH_CODE, who="test")
    store.set_access_code(small_programme["other_site"], SOUTH_CODE, who="test")
    return small_programme


@pytest.fixture
def workspace(store, coded):
    app = SiteApp(store)
    app.gate.code.value = NORTH_CODE
    assert app.workspace is not None, app.gate.message.value
    for spec in SECTIONS:
        app.workspace.open_section(spec.key)
    yield app.workspace
    widgets.Widget.close_all()


def walk(widget):
    """Every widget on screen under ``widget``."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def counts(store) -> dict[str, int]:
    return {kind: len(store.records(kind)) for kind in RECORD_TYPES}


def test_wrong_code_shows_a_message_and_reveals_nothing(store, coded):
    app = SiteApp(store)
    app.gate.code.value = "acorn bliss crumb jolly quota"
    assert app.workspace is None
    assert "not recognised" in app.gate.message.value
    assert "North" not in app.gate.message.value and "South" not in app.gate.message.value


def test_right_code_opens_only_that_site(store, coded):
    app = SiteApp(store)
    app.gate.code.value = "  Amber Clamp dwarf LUNAR ozone "  # case and spacing forgiven
    assert app.workspace.scope.site_id == coded["other_site"]
    assert "South" in app.workspace.header.value and "North" not in app.workspace.header.value
    assert {r.site_id for rows in app.workspace.records.values() for r in rows} <= {coded["other_site"]}


def _count_scrypt(monkeypatch) -> list[int]:
    import hashlib

    calls, real = [0], hashlib.scrypt

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def test_each_attempt_costs_one_key_derivation(store, coded, monkeypatch):
    calls = _count_scrypt(monkeypatch)
    app = SiteApp(store)
    app.gate.code.value = "acorn bliss crumb jolly quota"
    assert app.workspace is None and calls == [1]
    app.gate.code.value = SOUTH_CODE
    assert app.workspace.scope.site_id == coded["other_site"] and calls == [2]


def test_a_code_given_before_lookups_opens_its_site_and_is_fast_from_then_on(store, small_programme, monkeypatch):
    """A site as coprod 0.1 left it (its hash only): the gate checks it the old way once, then by its lookup."""
    store.set_access_hash(small_programme["site"], access.hash_code(NORTH_CODE), who="coprod 0.1")
    store.set_access_code(small_programme["other_site"], SOUTH_CODE, who="test")
    calls = _count_scrypt(monkeypatch)
    app = SiteApp(store)
    app.gate.code.value = "  Acorn Bliss crumb JOLLY quote "
    assert app.workspace.scope.site_id == small_programme["site"]
    assert calls == [2], "the lookup, then the one site without a lookup"
    assert store.sites_without_access_lookup() == []
    assert store.history("site", small_programme["site"])[-1].new == {"access_code": "lookup added"}
    again = SiteApp(store)
    again.gate.code.value = NORTH_CODE
    assert again.workspace.scope.site_id == small_programme["site"] and calls == [3]


def test_wrong_codes_are_slowed_down_even_after_a_reload(store, coded):
    app = SiteApp(store)
    for word in ["one", "two", "three", "four", "five"][: throttle.FREE_ATTEMPTS]:
        app.gate.code.value = f"wrong code {word}"
    app.gate.code.value = NORTH_CODE
    assert app.workspace is None and "Please wait" in app.gate.message.value
    reloaded = SiteApp(store)
    reloaded.gate.code.value = NORTH_CODE
    assert reloaded.workspace is None and "Please wait" in reloaded.gate.message.value
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=throttle.MAX_WAIT_S + 1)
    assert throttle.check(store, now=later).allowed


def test_first_page_imports_neither_pandas_nor_altair():
    probe = (
        "import sys; from coprod_widgets.siteapp import SiteApp; from coprod_widgets.store import Store\n"
        "import tempfile, os; d = tempfile.mkdtemp(); SiteApp(Store.open(f'sqlite:///{d}/x.db'))\n"
        "print('pandas' in sys.modules, 'altair' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


HEAVY = ("sqlalchemy", "pydantic", "pandas", "altair")
#: Draws the first page with no store given, as the notebook does, then tries a code.
FIRST_PAGE_PROBE = f"""
import sys, time
from coprod_widgets.siteapp import SiteApp, gate
app = SiteApp(warm_up_after=WARM)
print(*[name in sys.modules for name in {HEAVY!r}])
if WARM is not None:
    deadline = time.monotonic() + 30
    while app._store is None and time.monotonic() < deadline:
        time.sleep(0.05)
    print(app._store is not None, "coprod_widgets.siteapp.workspace" in sys.modules)
app.gate.code.value = "wrong code of five words"
print(repr(app.gate.message.value))
"""


def _first_page(env: dict[str, str], warm: float | None) -> list[str]:
    probe = FIRST_PAGE_PROBE.replace("WARM", repr(warm))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_code_box_is_drawn_before_the_store_is_opened(tmp_path):
    env = {**os.environ, "COPROD_DB_URL": f"sqlite:///{tmp_path / 'site.db'}"}
    lines = _first_page(env, warm=None)
    assert lines[0].split() == ["False"] * len(HEAVY), f"imported before the first page: {lines[0]}"
    assert lines[1] == repr(gate.WRONG_CODE)


def test_the_store_is_opened_in_the_background_once_the_page_is_drawn(tmp_path):
    env = {**os.environ, "COPROD_DB_URL": f"sqlite:///{tmp_path / 'site.db'}"}
    lines = _first_page(env, warm=0.05)
    assert lines[1].split() == ["True", "True"]  # the store is open and the workspace's modules are imported
    assert lines[2] == repr(gate.WRONG_CODE)


def test_a_store_that_cannot_be_opened_is_said_in_words_not_a_traceback(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    env = {**os.environ, "COPROD_DB_URL": f"sqlite:///{blocker / 'site.db'}"}
    lines = _first_page(env, warm=0.05)
    assert lines[1].split() == ["False", "False"]
    assert lines[2] == repr(gate.CANNOT_OPEN)


def test_every_form_saves_through_the_store(store, coded, workspace):
    refs = coded
    forms = workspace.forms
    entries = {
        "partner": {
            "display_name": "Priya",
            "role_group": "carer",
            "organisation": "Carers' café",
            "joined": dt.date(2015, 3, 10),
        },
        "problem_framing": {
            "statement": "People wait months for a foot check",
            "how_identified": "Listening event",
            "partner_ids": [refs["partner_lived"], refs["partner_staff"]],
            "date": dt.date(2015, 4, 1),
        },
        "non_negotiable": {
            "statement": "The clinic stays in town",
            "reason": "Lease",
            "date_declared": dt.date(2015, 3, 1),
            "declared_by_id": refs["partner_staff"],
        },
        "acceptance": {
            "non_negotiable_id": refs["non_negotiable"],
            "partner_id": refs["partner_staff"],
            "response": "queried",
            "date": dt.date(2015, 3, 3),
        },
        "starting_idea": {
            "idea": "A text reminder service",
            "partner_id": refs["partner_staff"],
            "fate": "still_contested",
            "date": dt.date(2015, 3, 2),
        },
        "expectation": {
            "milestone": "Staff ask before booking",
            "expected_date": dt.date(2015, 9, 1),
            "change_kind": "behaviour_culture",
        },
        "evidence_plan": {
            "question": "Do people feel heard?",
            "indicator": "Survey item 3",
            "data_source": "Partner survey",
            "collected_by": "Evaluation lead",
            "date_agreed": dt.date(2015, 4, 2),
        },
        "outcome": {
            "description": "Letters rewritten with patients",
            "change_type": "process",
            "who_changed": "Clinic admin",
            "intended": True,
            "direction": "positive",
            "date_observed": dt.date(2015, 7, 1),
            "evidence_source": "New letters",
            "substantiated": True,
        },
        "decision": {
            "date": dt.date(2015, 6, 1),
            "what": "Pilot an evening clinic",
            "feedback": "At July meeting",
            "feedback_date": dt.date(2015, 7, 2),
        },
    }
    for kind, values in entries.items():
        before = len(store.records(kind))
        forms[kind].data = values
        saved = forms[kind].save()
        assert saved is not None, f"{kind}: {forms[kind].status.value}"
        assert len(store.records(kind)) == before + 1
        stored = store.get(kind, saved.id)
        for field, value in values.items():
            got = getattr(stored, field)
            assert (sorted(got) if isinstance(got, list) else got) == value, (kind, field)
        assert stored.site_id == refs["site"]
        assert store.history(kind, saved.id)[0].who == "site team: North"
        assert forms[kind].status.value.startswith("Saved")


def assessment_form(workspace):
    """The Self-assessment section's form for the shared self-assessment, as a site team opens it."""
    workspace.chooser.value = "self_assessment"
    section = workspace.self_assessment
    assert workspace.body.children == (workspace.sections["self_assessment"],)
    assert [label for label, _ in section.picker.options] == ["Self-assessment", "4Pi involvement reflection"]
    section.picker.value = section.picker.options[0][1]
    return section, section.form_for(section.chosen)


def choose(form, name: str, value) -> None:
    """Answer one question as a person does: pick from its list, or type into its box."""
    field = form.questions.inputs[name].input
    field.value = str(value) if isinstance(field, widgets.Text) else value


def test_a_self_assessment_is_answered_in_the_shared_instrument(store, coded, workspace):
    section, form = assessment_form(workspace)
    assert form.question_set.id == coded["self_assessment"]
    form.partner.value = coded["partner_lived"]
    assert form.questions.inputs["respondent_role"].value == "lived_experience", "role follows the chosen partner"
    choose(form, "wave", 1)
    choose(form, "ladder_step", "5")
    choose(form, "lp2", "4")
    choose(form, "comment", "Asked late")
    form.date.value = "01/09/2015"
    saved = form.save()
    assert saved is not None, form.status.value
    stored = store.get("question_response", saved.id)
    assert stored.question_set_id == coded["self_assessment"] and stored.site_id == coded["site"]
    assert stored.partner_id == coded["partner_lived"] and stored.date == dt.date(2015, 9, 1)
    assert stored.answers == {
        "respondent_role": "lived_experience",
        "wave": 1,
        "ladder_step": "5",
        "lp2": "4",
        "comment": "Asked late",
    }
    assert store.history("question_response", saved.id)[0].who == "site team: North"
    assert form.status.value == f"Saved: answers {saved.id}."
    (row,) = section.listing.items.children
    assert row.children[0].value == "2015-09-01: answered by Rosa; version 1; 5 questions answered"
    assert row.children[1].description == f"Edit answers {saved.id}"
    (empty,) = workspace.questions.listing.items.children
    assert empty.value == "No answers saved yet for this question set.", "not listed with the site's own questions"


def test_a_self_assessment_without_a_score_is_refused_under_learning_point_8(store, coded, workspace):
    _section, form = assessment_form(workspace)
    form.partner.value = coded["partner_staff"]
    choose(form, "wave", 2)
    choose(form, "ladder_step", "3")
    before = len(store.records("question_response"))
    assert form.save() is None
    assert "Learning point 8" in form.questions.inputs["lp8"].message.value
    assert "answer at least one of the eight" in form.questions.inputs["lp8"].message.value
    assert form.status.value.startswith("Not saved: 1 problem")
    assert len(store.records("question_response")) == before
    assert form.questions.inputs["wave"].input.value == "2", "typed answers are kept"
    choose(form, "lp8", "3")
    assert form.save() is not None, form.status.value
    assert form.questions.inputs["lp8"].message.value == ""


def test_a_self_assessment_for_a_partner_in_another_role_group_is_refused(store, coded, workspace):
    _section, form = assessment_form(workspace)
    form.partner.value = coded["partner_late"]  # Lee, a carer
    assert form.questions.inputs["respondent_role"].value == "carer"
    choose(form, "respondent_role", "clinician")
    choose(form, "wave", 1)
    choose(form, "ladder_step", "4")
    choose(form, "lp1", "2")
    before, history = counts(store), len(store.history())
    assert form.save() is None
    shown = form.questions.inputs["respondent_role"].message.value
    assert shown == "Problem: Your role group: Lee is registered as carer. Choose that role group or another partner."
    assert form.status.value.startswith("Not saved")
    assert counts(store) == before and len(store.history()) == history
    assert form.questions.inputs["respondent_role"].value == "clinician", "the answer given is kept"


def test_activity_saves_with_attendance_in_one_go(store, coded, workspace):
    form = workspace.forms["activity"]
    form.data = {
        "date": dt.date(2015, 5, 20),
        "title": "Design workshop",
        "stage": "design",
        "ladder_step": 6,
        "facilitator_ids": [coded["partner_lived"]],
        "access_adjustments": "Hearing loop",
    }
    form.attendance = {coded["partner_lived"]: True, coded["partner_staff"]: False, coded["partner_late"]: True}
    activity = form.save()
    assert activity is not None, form.status.value
    rows = {r.partner_id: r.contributed for r in store.records("attendance", activity_id=activity.id)}
    assert rows == {coded["partner_lived"]: True, coded["partner_staff"]: False, coded["partner_late"]: True}

    workspace.lists["activity"].items.children[0].children[1].click()  # newest first: this activity
    assert form.editing.id == activity.id and form.attendance == rows
    form.attendance = {coded["partner_lived"]: True}
    form.inputs["title"].value = "Design workshop (revised)"
    assert form.save() is not None
    assert {r.partner_id for r in store.records("attendance", activity_id=activity.id)} == {coded["partner_lived"]}
    assert store.get("activity", activity.id).title == "Design workshop (revised)"
    assert [c.action for c in store.history("activity", activity.id)] == ["insert", "update"]


def test_attendance_refused_as_a_whole_when_one_row_is_wrong(store, coded, workspace):
    form = workspace.forms["activity"]
    before = counts(store)
    form.data = {"date": dt.date(2015, 4, 1), "title": "Early meeting", "stage": "design", "ladder_step": 4}
    form.attendance = {coded["partner_lived"]: True, coded["partner_late"]: False}  # Lee joined in May
    assert form.save() is None
    assert "Lee joined on 2015-05-01" in form.status.value
    assert counts(store) == before
    assert form.inputs["title"].value == "Early meeting"


@pytest.mark.parametrize("case", FORM_PROBLEMS, ids=lambda c: f"{c['form']}-{c['field']}")
def test_form_problem_is_shown_under_the_field_and_nothing_saved(store, coded, workspace, case):
    form = workspace.forms[case["form"]]
    before, history = counts(store), len(store.history())
    values = fill(case["values"], coded)
    form.data = values
    assert form.save() is None
    shown = form.inputs[case["field"]].message.value
    for words in case["says"]:
        assert words.lower() in shown.lower(), shown
    assert form.status.value.startswith("Not saved")
    assert counts(store) == before and len(store.history()) == history
    for field, value in values.items():
        if isinstance(value, str):
            assert form.inputs[field].value == value, "typed text is kept"


def test_editing_goes_through_validation_and_history(store, coded, workspace):
    form = workspace.forms["partner"]
    rosa = store.get("partner", coded["partner_lived"])
    form.edit(rosa)
    form.inputs["left"].value = dt.date(2015, 2, 1)
    assert form.save() is None and "before the date joined" in form.inputs["left"].message.value
    assert store.get("partner", rosa.id).left is None
    form.inputs["left"].value = dt.date(2015, 8, 1)
    assert form.save() is not None
    assert store.get("partner", rosa.id).left == dt.date(2015, 8, 1)
    assert store.history("partner", rosa.id)[-1].action == "update"


def test_a_site_session_cannot_touch_another_site(store, coded, workspace):
    before = counts(store)
    form = workspace.forms["starting_idea"]
    form.data = {"idea": "Sneak in", "fate": "set_aside"}
    form.inputs["partner_id"].input.options = [("Sam", coded["partner_other_site"])]
    form.inputs["partner_id"].value = coded["partner_other_site"]
    assert form.save() is None
    assert "not one of this site's records" in form.inputs["partner_id"].message.value
    with pytest.raises(RecordInvalid):
        workspace.scope.update("partner", coded["partner_other_site"], {"display_name": "Hacked"})
    assert workspace.scope.get("partner", coded["partner_other_site"]) is None
    assert counts(store) == before


def test_health_panel_updates_after_each_save(store, coded, workspace):
    def lines():
        return [row.children[0].value for row in workspace.health.lines.children]

    assert any(line.startswith("LP7 - Not enough records yet: No evidence plan is recorded") for line in lines())
    plan = workspace.forms["evidence_plan"]
    plan.data = {
        "question": "Are checks on time?",
        "indicator": "Days waited",
        "data_source": "Clinic system",
        "collected_by": "Audit team",
        "date_agreed": dt.date(2015, 3, 20),
    }
    assert plan.save() is not None
    assert any(line.startswith("LP7 - Looks fine") for line in lines())
    assert any(line.startswith("LP1 - Worth a look") for line in lines()), "framed by staff only"
    framing = workspace.forms["problem_framing"]
    framing.data = {
        "statement": "Checks are late and far away",
        "partner_ids": [coded["partner_lived"]],
        "date": dt.date(2015, 5, 2),
    }
    assert framing.save() is not None
    assert any(line.startswith("LP1 - Looks fine") for line in lines())


def test_user_text_is_never_put_into_html_unescaped(store, coded, workspace):
    nasty = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    form = workspace.forms["partner"]
    form.data = {"display_name": nasty, "role_group": "carer", "joined": dt.date(2015, 3, 2)}
    assert form.save() is not None
    shown = [w for root in [workspace.widget, *workspace.sections.values()] for w in walk(root)]
    html_values = [w.value for w in shown if isinstance(w, widgets.HTML)]
    assert not any("<script>alert" in value or "<img src=x" in value for value in html_values)
    labels = [w.value for w in shown if isinstance(w, widgets.Label)]
    assert any(nasty in value for value in labels), "shown as plain text"
    assert not any(getattr(w, "description_allow_html", False) for w in shown)
    assert html.escape(nasty) not in "".join(labels), "labels are text, not double-escaped"


def test_workspace_reads_the_site_once_and_sections_add_no_queries(store, coded):
    """Records are read once, with the question sets the site answers (one query: every version, for the
    health panel's LP8 line and both sections that answer them); opening a section reads nothing more."""
    from sqlalchemy import event

    from coprod_widgets.records import SITE_RECORD_TYPES
    from coprod_widgets.siteapp.workspace import Workspace

    scope = store.for_site(coded["site"])
    # Answers to the site's own set and to both instruments, so each section has answers to list.
    assessment = {"respondent_role": "lived_experience", "wave": 1, "ladder_step": "4", "lp1": "3"}
    reflection = {"respondent_role": "carer"} | dict.fromkeys(
        ("principles", "purpose", "presence", "process", "impact"), "3"
    )
    for set_id, partner, answers in [
        (coded["question_set"], None, {"visits": 3}),
        (coded["self_assessment"], coded["partner_lived"], assessment),
        (coded["reflection_4pi"], None, reflection),
    ]:
        scope.add(
            "question_response",
            {"question_set_id": set_id, "partner_id": partner, "date": dt.date(2015, 9, 1), "answers": answers},
        )
    statements: list[str] = []
    # BEGIN is the read transaction itself (one snapshot for the whole read), not a query.
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *args: None if args[2].startswith("BEGIN") else statements.append(args[2]),
    )
    keys = [spec.key for spec in SECTIONS]
    for order in (keys, keys[::-1]):
        statements.clear()
        workspace = Workspace(scope)
        assert len(statements) == len(SITE_RECORD_TYPES) + 1, "one query per record type, and the sets"
        assert "FROM question_set" in statements[-1]
        added, read = {}, []
        for key in order:
            statements.clear()
            workspace.open_section(key)
            added[key] = len(statements)
            read += statements
        # The question sets are not the site's records: evaluators add them rarely, so the workspace keeps
        # what it read at the start, and both sections that answer them reuse it.
        assert added == dict.fromkeys(order, 0) and read == [], order
        own = [row.children[0].value for row in workspace.questions.listing.items.children]
        assert own == ["2015-09-01: answered by not recorded; version 1; 1 question answered"]
        assessments = workspace.self_assessment
        assert [row.children[0].value for row in assessments.listing.items.children] == [
            "2015-09-01: answered by Rosa; version 1; 4 questions answered"
        ]
        assessments.picker.value = coded["reflection_4pi"]
        assert [row.children[0].value for row in assessments.listing.items.children] == [
            "2015-09-01: answered by not recorded; version 1; 6 questions answered"
        ]
        statements.clear()
        for key in order:
            workspace.open_section(key)
        assert statements == [], "a section opened again is not built again"
        workspace.refresh()
        assert len(statements) == len(SITE_RECORD_TYPES), "a save reads the site's records again, not the sets"
        widgets.Widget.close_all()


def test_a_site_with_no_records_is_never_told_it_looks_fine(store, coded):
    """Silence is not a verdict: every check says its records are missing, and what to record."""
    from coprod_widgets.health import site_health

    site = store.get("site", coded["other_site"])
    empty = {kind: [] for kind in store.all_records(site.id)}
    lines = site_health(site, empty, today=dt.date(2015, 9, 1))
    assert [line.learning_point for line in lines] == ["LP1", "LP2", "LP3", "LP4", "LP7", "LP8"]
    assert [line.status for line in lines] == ["Not enough records yet"] * len(lines)
    assert all(line.what_to_do for line in lines)


def test_a_site_team_takes_its_own_report_away(store, coded, workspace):
    """'Download our site report' makes this site's report and hands it over as a link that saves it;
    the other site's records are not in it."""
    import base64
    import re

    store.add(
        "partner",
        {
            "site_id": coded["other_site"],
            "display_name": "Quentin Elsewhere",
            "role_group": "carer",
            "joined": "2015-03-01",
        },
        who="test",
    )
    takeaway = workspace.takeaway
    assert takeaway.button.description == "Download our site report" and takeaway.pdf.description
    assert takeaway.make(), takeaway.status.value
    assert "is ready" in takeaway.status.value
    ((filename, encoded),) = re.findall(
        r'download="([^"]+)" href="data:text/html;base64,([^"]+)"', takeaway.links.value
    )
    assert filename.startswith("north-report-") and filename.endswith(".html")
    html = base64.b64decode(encoded).decode("utf-8")
    assert "North: co-production report" in html
    assert "South" not in html and "Quentin" not in html and "Rosa" not in html, "no other site, no partner names"


def _response(set_id: int, answers: dict) -> dict:
    return {"question_set_id": set_id, "date": dt.date(2015, 9, 1), "answers": answers}


SELF_ASSESSED = {"respondent_role": "carer", "wave": 1, "ladder_step": "4", "lp1": "3"}

#: (what the site has: its own set?, answers to it, answers to the shared self-assessment) -> LP8 status, words.
OWN_QUESTIONS_CASES = [
    pytest.param(False, 0, 0, "Not enough records yet", "No questions have been answered", id="nothing"),
    pytest.param(False, 0, 1, "Worth a look", "Only the questions every site answers", id="shared-only"),
    pytest.param(True, 0, 1, "Worth a look", "own questions (Seeded visits) have no answers", id="own-unanswered"),
    pytest.param(True, 2, 0, "Looks fine", "1 set: Seeded visits), answered 2 times", id="own-answered"),
]


@pytest.mark.parametrize(("own", "own_answers", "shared_answers", "status", "words"), OWN_QUESTIONS_CASES)
def test_the_health_panel_says_whether_the_site_asks_its_own_questions(
    store, coded, own, own_answers, shared_answers, status, words
):
    from coprod_widgets.siteapp.workspace import Workspace

    site = coded["site"] if own else coded["other_site"]
    scope = store.for_site(site)
    for _ in range(own_answers):
        scope.add("question_response", _response(coded["question_set"], {"visits": 2}))
    for _ in range(shared_answers):
        scope.add("question_response", _response(coded["self_assessment"], SELF_ASSESSED))
    workspace = Workspace(scope, today=dt.date(2015, 9, 1))
    (line,) = [line for line in workspace.health.shown if line.learning_point == "LP8"]
    assert line.status == status and words in line.what_it_means, line
    widgets.Widget.close_all()
