"""The survey import workbook in Voilà, in Chromium, every request outside the test server blocked: a file
chosen through the browser's own file chooser, checked, mapped by label, imported from the keyboard."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from coprod_widgets.settings import sqlite_path
from coprod_widgets.store import Store
from tests.browser import block_the_network, launch
from tests.conftest import EVALUATOR_TOKEN
from tests.servers import running_server
from tests.survey_exports import write_csv
from tests.test_site_app_browser import focused_label, serious_violations, tab_to
from tests.test_survey_wizard import ATTENDED, LISTENED, PARTNERS, PEOPLE

pytestmark = [pytest.mark.browser, pytest.mark.server]
WAIT = 60_000


def choose_export(page, base_url: str, export) -> None:
    """Open the workbook in Voilà and choose ``export`` as a person does: ipywidgets' file input is not in the
    page, so the button opens the browser's file chooser."""
    page.goto(f"{base_url}voila/render/survey_import.ipynb?token={EVALUATOR_TOKEN}", wait_until="commit")
    choose = page.get_by_role("button", name="Choose the export file")
    expect(choose).to_be_visible(timeout=180_000)
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        choose.click()
    chooser.value.set_files(str(export))


def test_an_export_is_chosen_checked_mapped_and_imported_in_voila(demo_db_url, tmp_path):
    copy = tmp_path / "coprod.db"  # the session's demo store stays as every other test expects it
    shutil.copy(sqlite_path(demo_db_url), copy)
    url = f"sqlite:///{copy}"
    export = write_csv(tmp_path / "spring_partners.csv", PARTNERS)
    blocked: list[tuple[str, str]] = []
    with running_server(url, token=EVALUATOR_TOKEN) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_the_network(context, base_url)
        context.on("requestfailed", lambda request: blocked.append((request.resource_type, request.url)))
        page = context.new_page()
        try:
            choose_export(page, base_url, export)

            expect(page.get_by_text("spring_partners.csv is an export from Google Forms")).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("Row 5: it has 8 cells where the header has 7.")).to_be_visible()
            preview = page.locator(".coprod-preview table")
            expect(preview).to_contain_text("Strongly agree")
            expect(preview).to_contain_text("<b>Fine</b>")  # markup in an answer is text, not markup
            expect(preview.locator("b, script")).to_have_count(0)
            assert not [person for person in PEOPLE if person in page.content()]
            assert serious_violations(page) == []

            page.get_by_label("Site", exact=True).select_option(label="Saltmere")
            page.get_by_label(LISTENED, exact=True).select_option(label="LP2: Everyone stays actively involved")
            page.get_by_label(ATTENDED, exact=True).select_option(label="Not analysed")
            expect(page.get_by_label("Survey name")).to_have_value("Spring partners")
            tab_to(page, "Import the responses")
            page.keyboard.press("Enter")
            status = page.locator(".coprod-import-status")
            expect(status).to_contain_text("Imported: “Spring partners” (Google Forms) for Saltmere", timeout=WAIT)
            expect(status).to_contain_text("3 responses read, 3 new, 0 already imported.")
            with page.expect_download(timeout=WAIT) as download:
                page.get_by_role("link", name="Save spring-partners.mapping.yaml").click()
            saved = download.value.path().read_text(encoding="utf-8")
            assert "learning_point: lp2" in saved

            page.get_by_role("button", name="Import the responses").click()
            expect(status).to_contain_text("3 responses read, 0 new, 3 already imported.", timeout=WAIT)
            assert focused_label(page) == "Import the responses"
            assert "There was an error when executing cell" not in page.content()
            # Voilà's template asks a CDN for an icon font; nothing the page needs is remote.
            needed = [(kind, url) for kind, url in blocked if "fontawesome" not in url]
            assert not needed, needed
        finally:
            browser.close()

    store = Store.open(url)
    try:
        saltmere = store.site_named("Saltmere")
        [survey] = store.records("survey", saltmere.id, name="Spring partners")
        stored = store.records("survey_response", survey_id=survey.id)
        [record] = store.records("survey_import", survey_id=survey.id, responses_added=3)
    finally:
        store.close()
    assert [r.respondent_role for r in stored] == ["carer", "clinician", "carer"]
    assert [r.identifiers for r in stored] == [{}, {}, {}]
    assert record.file_name == "spring_partners.csv"
    assert [q["learning_point"] for q in survey.mapping["questions"]] == ["lp2"]


def test_an_export_larger_than_a_site_page_may_send_still_reaches_the_evaluator_page(demo_db_url, tmp_path):
    """The site app's pages may send 4 MB; an evaluator's survey export is often more, and must not vanish."""
    rows = [["Timestamp", "Email address", "Your name", LISTENED, "Comments"]]
    rows += [[f"2024/03/05 {n // 3600 % 12 + 1}:{n // 60 % 60:02}:{n % 60:02} am GMT", "", "", "Agree",
              f"Response {n}: " + "much to say, " * 8] for n in range(40_000)]  # fmt: skip
    export = write_csv(tmp_path / "big_survey.csv", rows)
    assert export.stat().st_size > 5 * 1024 * 1024
    with running_server(demo_db_url, token=EVALUATOR_TOKEN) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_the_network(context, base_url)
        page = context.new_page()
        try:
            choose_export(page, base_url, export)
            expect(page.get_by_text("big_survey.csv is an export from Google Forms")).to_be_visible(timeout=180_000)
            expect(page.get_by_text("40000 responses read", exact=False)).to_be_visible()
        finally:
            browser.close()
