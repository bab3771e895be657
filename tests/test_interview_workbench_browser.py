"""The interview coding workbook in Voilà, in Chromium, every request outside the test server blocked: a coder
names themself, chooses a transcript and a paragraph, ticks a code from the keyboard and saves it."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from coprod_widgets.interviews import coding
from coprod_widgets.interviews.importing import import_transcript
from coprod_widgets.settings import sqlite_path
from coprod_widgets.store import Store
from tests.browser import block_the_network, launch
from tests.conftest import EVALUATOR_TOKEN
from tests.servers import running_server
from tests.test_site_app_browser import focused_label, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]
WAIT = 60_000
SITE = "Saltmere"
TRANSCRIPT = (
    "Interviewer: How did the group start?\n\n"
    "Maisie Fenwick: The meetings moved to the afternoon, so I stopped coming. <script>alert(1)</script>\n\n"
    "Interviewer: What would have helped?\n"
)


def with_transcript(demo_db_url: str, tmp_path) -> tuple[str, int, int]:
    """A copy of the demo store (the session's stays as every other test expects it) holding one transcript."""
    copy = tmp_path / "coprod.db"
    shutil.copy(sqlite_path(demo_db_url), copy)
    url = f"sqlite:///{copy}"
    source = tmp_path / "carer interview.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    store = Store.open(url)
    try:
        result = import_transcript(
            store, source, SITE, role_group="carer", interviewed="2015-06-02", who="browser test",
            names={"Maisie Fenwick": "Person 1"},
        )  # fmt: skip
        held = len(store.records("transcript"))
    finally:
        store.close()
    return url, result.record.id, held


def test_a_passage_is_coded_from_the_keyboard_in_voila(demo_db_url, tmp_path):
    url, transcript_id, held = with_transcript(demo_db_url, tmp_path)
    blocked: list[tuple[str, str]] = []
    with running_server(url, token=EVALUATOR_TOKEN) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_the_network(context, base_url)
        context.on("requestfailed", lambda request: blocked.append((request.resource_type, request.url)))
        page = context.new_page()
        try:
            page.goto(f"{base_url}voila/render/interview_coding.ipynb?token={EVALUATOR_TOKEN}", wait_until="commit")
            coder = page.get_by_label("Your name (as coder)")
            expect(coder).to_be_visible(timeout=180_000)
            expect(page.get_by_text(f"The store holds {held} transcripts, coded so far by")).to_be_visible()
            coder.click()
            page.keyboard.type("AB")
            page.get_by_label("Transcript", exact=True).select_option(label="Saltmere \u2014 Carer interview, Carer")
            paragraphs = page.get_by_label("Paragraph", exact=True)
            expect(paragraphs).to_be_visible(timeout=WAIT)
            paragraphs.select_option(label="2. Person 1: The meetings moved to the afternoon,\u2026")
            shown = page.locator(".coprod-paragraph")
            expect(shown).to_contain_text("so I stopped coming. <script>alert(1)</script>", timeout=WAIT)
            expect(shown.locator("script")).to_have_count(0)
            assert "Maisie Fenwick" not in page.content()

            stopped = page.get_by_label("Stopped coming", exact=True)
            stopped.focus()
            page.keyboard.press("Space")
            expect(stopped).to_be_checked()
            assert focused_label(page) == "Stopped coming"
            page.get_by_label("Quote in reports").check()
            page.get_by_role("button", name="Save the codes").click()
            status = page.locator(".coprod-interview-status", has_text="Saved:")
            expect(status).to_contain_text(
                "Saved: paragraph 2 of \u201cCarer interview\u201d coded by AB with Stopped coming.", timeout=WAIT
            )
            expect(
                page.get_by_text("AB (you), whole paragraph: Stopped coming. May be quoted in reports.")
            ).to_be_visible()
            expect(page.get_by_label("First coder").locator("option", has_text="AB")).to_have_count(1)
            assert serious_violations(page) == []
            assert "There was an error when executing cell" not in page.content()
            # Voilà's template asks a CDN for an icon font; nothing the page needs is remote.
            needed = [(kind, url) for kind, url in blocked if "fontawesome" not in url]
            assert not needed, needed
        finally:
            browser.close()

    store = Store.open(url)
    try:
        [saved] = coding.codings(store, transcript_id=transcript_id)
    finally:
        store.close()
    assert (saved.paragraph, saved.codes, saved.coder, saved.quote) == (2, ["lp2-stopped-coming"], "AB", True)
    assert saved.start_char is None and saved.end_char is None
