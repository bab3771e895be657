"""The site app in a real Chromium against a real ``coprod serve``: the flows site teams depend on.

One server and one browser for the module; the network is blocked apart from the test server.
"""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from coprod_widgets import access
from coprod_widgets.questions.instruments import SELF_ASSESSMENT, instrument_of
from coprod_widgets.siteapp.sections import SECTIONS
from coprod_widgets.store import Store
from tests.browser import block_the_network
from tests.servers import running_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
CODE = "acorn bliss crumb jolly quote"
SITE_NAME = "Riverside <i>Team</i>"
SCRIPT_NAME = '<script>window.__xss = "script"</script>'
IMG_NAME = "<img src=x onerror=\"window.__xss = 'img'\">"
FORMULA = '=HYPERLINK("http://example.invalid","click me")'
WAIT = 60_000


@pytest.fixture(scope="module")
def site_store(tmp_path_factory) -> tuple[str, dict]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'site.db'}"
    store = Store.open(url)
    who = "browser test"
    programme = store.add("programme", {"name": "Browser programme"}, who)
    site = store.add(
        "site",
        {"programme_id": programme.id, "name": SITE_NAME, "service_issue": "Foot care", "start_date": "2015-01-05"},
        who,
    )
    other = store.add(
        "site",
        {"programme_id": programme.id, "name": "Hillview", "service_issue": "Breathing", "start_date": "2015-01-05"},
        who,
    )
    store.set_access_hash(site.id, access.hash_code(CODE), who)
    store.set_access_hash(other.id, access.hash_code("amber clamp dwarf lunar ozone"), who)
    store.add(
        "partner", {"site_id": site.id, "display_name": "Dev", "role_group": "clinician", "joined": "2015-01-05"}, who
    )
    store.add(
        "partner",
        {"site_id": other.id, "display_name": "Secret Sam", "role_group": "manager", "joined": "2015-01-05"},
        who,
    )
    store.close()
    return url, {"site": site.id, "other": other.id}


@pytest.fixture(scope="module")
def server(site_store, tmp_path_factory) -> str:
    home = tmp_path_factory.mktemp("home")
    (home / "workbooks" / "site").mkdir(parents=True)
    shutil.copy(WORKBOOKS / "site" / "site_app.ipynb", home / "workbooks" / "site" / "site_app.ipynb")
    with running_server(site_store[0], home=home) as base_url:
        yield base_url


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    block_the_network(context, server)
    opened = context.new_page()
    opened.dialogs = []
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    context.close()


def open_app(page, server):
    page.goto(server)
    code = page.get_by_label("Site access code")
    expect(code).to_be_visible(timeout=WAIT)
    return code


def sign_in(page, server):
    code = open_app(page, server)
    code.fill(CODE)
    code.press("Enter")
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=WAIT)


def go_to(page, title: str) -> None:
    page.get_by_label("Go to section").select_option(label=title)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=WAIT)


def save(page, button: str) -> None:
    """Click a form's save button and wait for that form to report a new save (not an old one)."""
    form = page.locator(".coprod-form", has=page.get_by_role("button", name=button))
    status = form.locator(".coprod-status")
    before = status.inner_text()
    page.get_by_role("button", name=button).click()
    expect(status).not_to_have_text(before, timeout=WAIT)
    expect(status).to_contain_text("Saved:", timeout=WAIT)


def add_partner(page, name: str, role: str, joined: str) -> None:
    page.get_by_label("Name or pseudonym").fill(name)
    page.get_by_label("Role group").select_option(label=role)
    page.get_by_label("Date joined").fill(joined)
    page.get_by_role("button", name="Save partner").click()
    expect(page.get_by_text(f"{name} ({role}); joined {joined}", exact=True)).to_be_visible(timeout=WAIT)


def health(page, point: str):
    return page.locator(".coprod-health .widget-label", has_text=f"{point} - ").first


def test_site_team_records_their_work_and_finds_it_again(page, server, site_store):
    url, ids = site_store
    code = open_app(page, server)
    code.fill("wrong words entirely here")
    code.press("Enter")
    expect(page.get_by_text("That code was not recognised", exact=False)).to_be_visible(timeout=WAIT)
    body = page.locator("body").inner_text()
    assert "Riverside" not in body and "Hillview" not in body and "Site health" not in body

    code.fill(CODE)
    page.get_by_role("button", name="Open my site").click()
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=WAIT)
    expect(health(page, "LP1")).to_contain_text("Not enough records yet")

    add_partner(page, "Rosa", "Person with lived experience", "2015-02-01")
    add_partner(page, SCRIPT_NAME, "Carer", "2015-02-01")
    add_partner(page, IMG_NAME, "Carer", "2015-02-01")
    assert "Secret Sam" not in page.locator("body").inner_text()

    go_to(page, "The problem")
    page.get_by_label("Problem statement").fill("Foot checks are booked without asking people")
    page.get_by_label("Dev (Clinician)", exact=True).check()
    page.get_by_label("Date (day/month/year)", exact=True).fill("2015-01-20")
    save(page, "Save problem framing")
    expect(health(page, "LP1")).to_contain_text("without anyone with lived experience")
    page.get_by_label("Problem statement").fill("People wait months and travel far for a foot check")
    page.get_by_label("Rosa (Person with lived experience)", exact=True).check()
    page.get_by_label("Date (day/month/year)", exact=True).fill("2015-03-01")
    save(page, "Save problem framing")
    expect(health(page, "LP1")).to_contain_text("Looks fine")
    expect(page.get_by_text("Version 1 (2015-01-20)", exact=False)).to_be_visible()
    expect(page.get_by_text("Version 2 (2015-03-01)", exact=False)).to_be_visible()

    go_to(page, "Activities and attendance")
    page.get_by_label("Date (day/month/year)", exact=True).fill("2015-03-10")
    page.get_by_label("What happened").fill(FORMULA)
    page.get_by_label("Stage").select_option(label="Design")
    page.get_by_label("Ladder of Co-production step").select_option(label="6 - Co-design")
    page.get_by_label("Rosa (Person with lived experience)", exact=True).check()
    page.get_by_label("Rosa (Person with lived experience) attended", exact=True).check()
    page.get_by_label("Rosa (Person with lived experience) contributed", exact=True).check()
    page.get_by_label("Dev (Clinician) attended", exact=True).check()
    save(page, "Save activity")
    expect(page.get_by_text(f"2015-03-10: {FORMULA}", exact=False)).to_be_visible()

    go_to(page, "Non-negotiables")
    page.get_by_label("Non-negotiable", exact=True).fill("The budget stays the same this year")
    page.get_by_label("Declared by").select_option(label="Dev (Clinician)")
    page.get_by_label("Date declared").fill("2015-01-05")
    save(page, "Save non-negotiable")
    for partner in ("Rosa (Person with lived experience)", "Dev (Clinician)"):
        page.get_by_label("Which non-negotiable").select_option(index=1)
        page.get_by_label("Partner", exact=True).select_option(label=partner)
        page.get_by_label("Response", exact=True).select_option(label="Accepted")
        page.get_by_label("Date of response").fill("2015-02-02")
        save(page, "Save acceptance")
    expect(health(page, "LP3")).to_contain_text("not yet accepted by every current partner")

    go_to(page, "Evidence plan and outcomes")
    page.get_by_label("What changed").fill("Staff now ask people before booking")
    page.get_by_label("Type of change").select_option(label="Behaviour or culture")
    page.get_by_label("Who changed").fill("Clinic staff")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Date observed").fill("2015-04-01")
    save(page, "Save outcome")

    assert page.dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0

    page.reload()
    sign_in(page, server)
    expect(page.get_by_text(f"{IMG_NAME} (Carer); joined 2015-02-01", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(f"{SCRIPT_NAME} (Carer); joined 2015-02-01", exact=True)).to_be_visible()
    go_to(page, "The problem")
    expect(page.get_by_text("Version 2 (2015-03-01)", exact=False)).to_be_visible()
    go_to(page, "Activities and attendance")
    expect(page.get_by_text(FORMULA, exact=False)).to_be_visible()
    go_to(page, "Non-negotiables")
    expect(page.locator(".coprod-summary", has_text="The budget stays the same this year")).to_be_visible()
    go_to(page, "Evidence plan and outcomes")
    expect(page.get_by_text("Staff now ask people before booking", exact=False)).to_be_visible()
    assert page.dialogs == [] and page.evaluate("window.__xss") is None

    # The team takes its own report away: a real download, of this site's report only, with text escaped.
    page.get_by_role("button", name="Download our site report").click()
    link = page.get_by_role("link", name=re.compile("Save the report"))
    expect(link).to_be_visible(timeout=180_000)
    with page.expect_download() as downloading:
        link.click()
    saved = Path(downloading.value.path()).read_text(encoding="utf-8")
    assert downloading.value.suggested_filename.endswith(".html")
    assert f"{escape(SITE_NAME)}: co-production report" in saved and SITE_NAME not in saved, "the name, escaped"
    assert "Secret Sam" not in saved and "Hillview" not in saved and SCRIPT_NAME not in saved
    assert page.dialogs == [] and page.evaluate("window.__xss") is None

    store = Store.open(url)
    try:
        partners = {p.display_name: p for p in store.records("partner", site_id=ids["site"])}
        assert set(partners) == {"Dev", "Rosa", SCRIPT_NAME, IMG_NAME}
        framings = store.records("problem_framing", site_id=ids["site"])
        assert [f.version for f in framings] == [1, 2]
        assert framings[1].partner_ids == [partners["Rosa"].id]
        (activity,) = store.records("activity", site_id=ids["site"])
        assert activity.title == FORMULA and activity.facilitator_ids == [partners["Rosa"].id]
        attendance = {r.partner_id: r.contributed for r in store.records("attendance", activity_id=activity.id)}
        assert attendance == {partners["Rosa"].id: True, partners["Dev"].id: False}
        assert len(store.records("acceptance", site_id=ids["site"])) == 2
        assert len(store.records("outcome", site_id=ids["site"])) == 1
        assert [p.display_name for p in store.records("partner", site_id=ids["other"])] == ["Secret Sam"]
        assert all(
            c.who == f"site team: {SITE_NAME}"
            for c in store.history(site_id=ids["site"])
            if c.record_type != "site" and c.who != "browser test"
        )
    finally:
        store.close()


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_access_page_and_every_section_pass_axe(page, server):
    open_app(page, server)
    assert serious_violations(page) == []
    code = page.get_by_label("Site access code")
    code.fill(CODE)
    code.press("Enter")
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=WAIT)
    for spec in SECTIONS:
        go_to(page, spec.title)
        assert serious_violations(page) == [], spec.title


def focused_label(page) -> str:
    """The accessible label of the focused element: its <label>, or a button's own text."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        if (!el) return '';
        if (el.labels && el.labels.length) return el.labels[0].innerText.trim();
        return (el.innerText || el.value || '').trim();
    }"""
    )


def tab_to(page, label: str, limit: int = 80) -> None:
    for _ in range(limit):
        if focused_label(page) == label:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {label!r} with the keyboard; last focus: {focused_label(page)!r}")


def test_a_partner_can_be_added_with_the_keyboard_alone(page, server, site_store):
    open_app(page, server)
    tab_to(page, "Site access code")
    page.keyboard.type(CODE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=WAIT)
    tab_to(page, "Name or pseudonym")
    page.keyboard.type("Kofi")
    tab_to(page, "Role group")
    page.keyboard.press("v")  # a closed <select> jumps to the first option starting with the letter typed
    page.keyboard.press("Shift+Tab")
    assert focused_label(page) == "Name or pseudonym", "Shift+Tab goes back one field"
    tab_to(page, "Date joined (day/month/year)")
    page.keyboard.type("1/3/2015")
    tab_to(page, "Save partner")
    page.keyboard.press("Space")
    expect(page.get_by_text("Kofi (Voluntary sector); joined 2015-03-01", exact=True)).to_be_visible(timeout=WAIT)
    store = Store.open(site_store[0])
    try:
        assert any(p.display_name == "Kofi" for p in store.records("partner", site_id=site_store[1]["site"]))
    finally:
        store.close()


def test_readable_at_200_percent_zoom_with_large_text(browser, server):
    """A 640px-wide window at scale 2 is how a 1280px screen looks at 200% zoom."""
    context = browser.new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2)
    block_the_network(context, server)
    page = context.new_page()
    try:
        code = open_app(page, server)
        code.fill(CODE)
        code.press("Enter")
        expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=WAIT)
        for spec in SECTIONS:
            go_to(page, spec.title)
            overflow = page.evaluate(
                "() => [...document.querySelectorAll('.coprod-app *')]"
                ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent)"
                ".map(e => e.className || e.tagName).slice(0, 5)"
            )
            assert overflow == [], f"{spec.title}: content wider than the window: {overflow}"
            smallest = page.evaluate(
                "() => Math.min(...[...document.querySelectorAll("
                "'.coprod-app label, .coprod-app input, .coprod-app select, .coprod-app textarea,"
                " .coprod-app button, .coprod-app .widget-label')]"
                ".filter(e => e.offsetParent).map(e => parseFloat(getComputedStyle(e).fontSize)))"
            )
            assert smallest >= 16, f"{spec.title}: text as small as {smallest}px"
    finally:
        context.close()


#: Finds what sticks out past the window's right (or left) edge, named so a failure says where to look.
TOO_WIDE = """() => {
    const width = window.innerWidth;
    const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
        ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
        + (e.innerText ? ' "' + e.innerText.trim().slice(0, 30) + '"' : '');
    const offenders = [...document.querySelectorAll('body *')]
        .filter(e => e.offsetParent || getComputedStyle(e).position === 'fixed')
        .filter(e => { const box = e.getBoundingClientRect();
                       return box.width > 0 && (box.right > width + 1 || box.left < -1); })
        .map(e => `${name(e)} (${Math.round(e.getBoundingClientRect().width)}px)`);
    return {page: document.documentElement.scrollWidth, width, offenders};
}"""


@pytest.fixture(scope="module")
def demo_programme(tmp_path_factory) -> tuple[str, str, dict[str, str]]:
    """A server over a fresh demo programme, whose codes are kept: (base URL, store URL, {site name: code})."""
    from coprod_widgets.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    store = Store.open(url)
    try:
        codes = build_demo(store)
    finally:
        store.close()
    with running_server(url) as base_url:
        yield base_url, url, codes


@pytest.fixture(scope="module")
def demo_site(demo_programme) -> tuple[str, str, str]:
    """(base URL, the demo's first site's name, its code)."""
    base_url, _url, codes = demo_programme
    name, code = next(iter(codes.items()))
    return base_url, name, code


def test_every_section_of_a_demo_site_fits_a_phone(browser, demo_site):
    """A 390px-wide phone: nothing wider than the screen, so nobody has to scroll sideways to reach a field."""
    server, name, demo_code = demo_site
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    block_the_network(context, server)
    page = context.new_page()
    try:
        code = open_app(page, server)
        code.fill(demo_code)
        code.press("Enter")
        expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=WAIT)
        wide = {}
        for spec in SECTIONS:
            go_to(page, spec.title)
            found = page.evaluate(TOO_WIDE)
            if found["page"] > found["width"] or found["offenders"]:
                wide[spec.title] = found
        assert wide == {}, "wider than a phone's screen: " + "; ".join(
            f"{title}: page {found['page']}px, {len(found['offenders'])} elements: {found['offenders'][:8]}"
            for title, found in wide.items()
        )
    finally:
        context.close()


QUESTIONS_SITE = "Saltmere"  # the demo gives it its own question set, "Breathlessness group check-in"
QUESTION_SET = "Breathlessness group check-in (your site's own)"
ANSWERER = "Jan"  # a carer at Saltmere, still taking part
SCORE_2 = "Learning point 2: everyone stays actively involved, not just present."
SCORE_8 = "Learning point 8: the work fits this place and these people, not a template."


def question(page, label: str):
    """A question's block: its input, hint and problem message."""
    return page.locator(".coprod-field", has=page.get_by_label(label))


def answer(page, label: str, text: str) -> None:
    """Type an answer and leave the box, which is when a text box sends it to the kernel."""
    box = page.get_by_label(label)
    box.fill(text)
    box.press("Tab")


def test_a_site_answers_its_own_questions_and_the_self_assessment_with_checks(browser, demo_programme):
    server, url, codes = demo_programme
    store = Store.open(url)
    try:
        site = next(s for s in store.records("site") if s.name == QUESTIONS_SITE)
        jan = next(p for p in store.records("partner", site_id=site.id) if p.display_name.startswith(ANSWERER))
        answered_before = {r.id for r in store.records("question_response", site_id=site.id)}
    finally:
        store.close()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    block_the_network(context, server)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        code = open_app(page, server)
        code.fill(codes[QUESTIONS_SITE])
        code.press("Enter")
        expect(page.get_by_role("heading", name=QUESTIONS_SITE)).to_be_visible(timeout=WAIT)
        go_to(page, "Our own questions")
        page.get_by_label("Question set").select_option(label=QUESTION_SET)
        came = "How many people came? (required)"
        tried = "Did anyone try a new breathing exercise at home?"
        expect(page.get_by_label(came)).to_be_visible(timeout=WAIT)

        # Skip logic: the follow-up questions apply only when someone came.
        expect(page.get_by_label(tried)).to_be_hidden()
        answer(page, came, "3")
        expect(page.get_by_label(tried)).to_be_visible(timeout=WAIT)
        answer(page, came, "0")
        expect(page.get_by_label(tried)).to_be_hidden(timeout=WAIT)

        # A constraint's own message, as soon as the answer is given, gone once it is put right.
        problem = question(page, came).locator(".coprod-problem")
        answer(page, came, "75")
        expect(problem).to_contain_text("Enter a number from 0 to 60.", timeout=WAIT)
        expect(problem).to_be_visible()
        answer(page, came, "4")
        expect(problem).to_be_hidden(timeout=WAIT)
        expect(page.get_by_label(tried)).to_be_visible(timeout=WAIT)

        # Dates are typed day/month/year, as everywhere else in the site app.
        answer(page, "When did the group meet? (day/month/year) (required)", "31/03/2015")
        page.get_by_label(tried).select_option(label="Yes")
        page.get_by_label("How confident do people feel on a bad day?").select_option(label="4")
        answer(page, "What helped most?", "Pacing the stairs together")
        answer(page, "Date answered (day/month/year)", "31/03/2015")
        assert serious_violations(page) == []

        save(page, "Save answers")
        summary = "2015-03-31: answered by not recorded; version 1; 5 questions answered"
        row = page.locator(".coprod-list .widget-hbox", has_text=summary)
        expect(row).to_be_visible(timeout=WAIT)
        expect(page.get_by_label(came)).to_have_value("", timeout=WAIT)
        expect(page.get_by_label(tried)).to_be_hidden()

        # The saved answers come back into the form to be changed.
        row.get_by_role("button", name=re.compile(r"Edit answers \d+")).click()
        expect(page.get_by_label(came)).to_have_value("4", timeout=WAIT)
        expect(page.get_by_label("When did the group meet?")).to_have_value("31/03/2015")
        expect(page.get_by_label("What helped most?")).to_have_value("Pacing the stairs together")
        expect(page.get_by_label("Date answered (day/month/year)")).to_have_value("31/03/2015")
        assert serious_violations(page) == []
        page.get_by_role("button", name="Cancel editing").click()
        expect(page.get_by_label(came)).to_have_value("", timeout=WAIT)
        assert "Self-assessment" not in page.get_by_label("Question set").inner_text(), "the instruments are elsewhere"

        # The shared self-assessment, in its own section: choosing who answered fills in their role group.
        go_to(page, "Self-assessment")
        expect(page.get_by_label("What to answer").locator("option:checked")).to_have_text("Self-assessment")
        carer = page.get_by_label("Your role group (required)").locator("option:checked", has_text="Carer")
        expect(carer).to_have_count(0, timeout=WAIT)
        page.get_by_label("Answered by (optional)").select_option(label=f"{jan.display_name} (Carer)")
        expect(carer).to_have_count(1, timeout=WAIT)
        answer(page, "Survey wave (required)", "3")
        ladder = "Where is the work now on the Ladder of Co-production? (required)"
        page.get_by_label(ladder).select_option(label="5 - Engagement")
        answer(page, "Date answered (day/month/year)", "01/06/2016")  # after the demo's own answers: listed first

        # No learning point scored: said under the last one, and nothing saved.
        status = page.locator(".coprod-form .coprod-status")
        page.get_by_role("button", name="Save answers").click()
        expect(status).to_contain_text("Not saved: 1 problem", timeout=WAIT)
        problem = question(page, SCORE_8).locator(".coprod-problem")
        expect(problem).to_contain_text("Learning point 8", timeout=WAIT)
        expect(problem).to_contain_text("answer at least one of the eight")
        assert serious_violations(page) == []

        page.get_by_label(SCORE_2).select_option(label="4")
        save(page, "Save answers")
        summary = f"2016-06-01: answered by {jan.display_name}; version 1; 4 questions answered"
        expect(page.locator(".coprod-list .widget-hbox", has_text=summary)).to_be_visible(timeout=WAIT)
        expect(carer).to_have_count(0, timeout=WAIT)
        assert serious_violations(page) == []
    finally:
        context.close()

    store = Store.open(url)
    try:
        new = [r for r in store.records("question_response", site_id=site.id) if r.id not in answered_before]
        (saved,) = [r for r in new if str(r.date) == "2015-03-31"]
        assert saved.answers == {
            "met_on": "2015-03-31",
            "came": 4,
            "tried_breathing": "yes",
            "confidence": 4,
            "what_helped": "Pacing the stairs together",
        }
        assert saved.partner_id is None
        (assessment,) = [r for r in new if str(r.date) == "2016-06-01"]
        instrument = store.get("question_set", assessment.question_set_id)
        assert instrument_of(instrument) == SELF_ASSESSMENT
        assert assessment.partner_id == jan.id
        assert assessment.answers == {"respondent_role": "carer", "wave": 3, "ladder_step": "5", "lp2": "4"}
        assert len(new) == 2, "the refused save stored nothing"
    finally:
        store.close()
