"""The site app without a browser: set widget values, click Save, look in the store."""

from __future__ import annotations

import datetime as dt
import html
import subprocess
import sys

import ipywidgets as widgets
import pytest

from coprod_widgets import access, throttle
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.siteapp import SiteApp
from coprod_widgets.siteapp.sections import SECTIONS
from tests.casefiles import fill, load_cases

FORM_PROBLEMS = load_cases("site_form_problems.yaml")
NORTH_CODE, SOUTH_CODE = "acorn-bliss-crumb-jolly-quote", "amber-clamp-dwarf-lunar-ozone"


@pytest.fixture
def coded(store, small_programme):
    store.set_access_hash(small_programme["site"], access.hash_code(NORTH_CODE), who="test")
    store.set_access_hash(small_programme["other_site"], access.hash_code(SOUTH_CODE), who="test")
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
        "self_assessment": {
            "partner_id": refs["partner_lived"],
            "wave": 1,
            "date": dt.date(2015, 9, 1),
            "ladder_step": 5,
            "lp1": 2,
            "lp2": 4,
            "comment": "Asked late",
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
    assert store.get("self_assessment", forms["self_assessment"].editing or saved.id) is not None
    assessment = store.records("self_assessment")[-1]
    assert assessment.respondent_role == "lived_experience", "role follows the chosen partner"


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
    """Records are read once; opening a section reads nothing more, except "Our own questions": one query."""
    from sqlalchemy import event

    from coprod_widgets.records import SITE_RECORD_TYPES
    from coprod_widgets.siteapp.workspace import Workspace

    statements: list[str] = []
    # BEGIN is the read transaction itself (one snapshot for the whole read), not a query.
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *args: None if args[2].startswith("BEGIN") else statements.append(args[2]),
    )
    scope = store.for_site(coded["site"])
    statements.clear()
    workspace = Workspace(scope)
    assert len(statements) == len(SITE_RECORD_TYPES), "one query per record type, in one read"
    added = {}
    for spec in SECTIONS:
        statements.clear()
        workspace.open_section(spec.key)
        added[spec.key] = len(statements)
    # The list of question sets a site answers is not one of its records: it is read when "Our own
    # questions" first opens, in one query however many sites there are (evaluators add sets rarely,
    # so the section keeps what it read). Every other section reuses what the workspace read.
    assert added == {spec.key: int(spec.key == "questions") for spec in SECTIONS}
    statements.clear()
    for spec in SECTIONS:
        workspace.open_section(spec.key)
    assert statements == [], "a section opened again is not built again"


def test_a_site_with_no_records_is_never_told_it_looks_fine(store, coded):
    """Silence is not a verdict: every check says its records are missing, and what to record."""
    from coprod_widgets.health import site_health

    site = store.get("site", coded["other_site"])
    empty = {kind: [] for kind in store.all_records(site.id)}
    lines = site_health(site, empty, today=dt.date(2015, 9, 1))
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
