"""The evaluator overview in Voilà, in Chromium, with every request outside the test server blocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import block_the_network, launch
from tests.conftest import EVALUATOR_TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.server]
ROOT = Path(__file__).resolve().parent.parent


def test_overview_workbook_draws_its_charts_offline(evaluator_server):
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_the_network(context, evaluator_server)
        context.on("requestfailed", lambda request: blocked.append((request.resource_type, request.url)))
        page = context.new_page()
        try:
            url = f"{evaluator_server}voila/render/evaluator_overview.ipynb?token={EVALUATOR_TOKEN}"
            page.goto(url, wait_until="commit", timeout=180_000)
            charts = page.locator("figure.coprod-chart")
            expect(charts.first).to_be_visible(timeout=180_000)
            expect(page.get_by_text("Where to look", exact=False).first).to_be_visible(timeout=60_000)
            expect(charts).to_have_count(8, timeout=120_000)  # LP2's survey answers by role group and by site
            marks = page.locator("figure.coprod-chart svg .role-mark path, figure.coprod-chart svg .role-mark rect")
            assert marks.count() > 50
            heatmap = charts.first
            assert "Saltmere" in heatmap.inner_text() or "Saltmere" in heatmap.inner_html()
            assert "There was an error when executing cell" not in page.content()
            # Voilà's own template asks a CDN for an icon font stylesheet; nothing the charts need is remote.
            needed = [(kind, url) for kind, url in blocked if kind != "stylesheet" or "fontawesome" not in url]
            assert not needed, needed

            page.get_by_label("Site", exact=True).select_option(label="Saltmere")
            page.get_by_role("button", name="Apply filters").click()
            # the heading says so (the filter panel's own line says it too, so name the heading)
            expect(page.locator(".coprod-heading")).to_contain_text("Showing Saltmere", timeout=60_000)
            grid = page.locator("table.coprod-table", has_text="Status of each learning point").first
            expect(grid).not_to_contain_text("Fenmarsh", timeout=60_000)
            expect(grid).to_contain_text("Saltmere")
        finally:
            browser.close()


def test_share_panel_makes_a_report_and_an_export_from_voila(demo_db_url, tmp_path):
    """The deep dive's Share buttons, clicked in Chromium: files land in <COPROD_HOME>/data/shared."""
    import shutil

    from tests.servers import running_server

    home = tmp_path / "home"
    shutil.copytree(ROOT / "workbooks" / "evaluator", home / "workbooks" / "evaluator")
    with running_server(demo_db_url, home=home, token=EVALUATOR_TOKEN) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_the_network(context, base_url)
        page = context.new_page()
        try:
            url = f"{base_url}voila/render/site_deep_dive.ipynb?token={EVALUATOR_TOKEN}"
            page.goto(url, wait_until="commit", timeout=180_000)
            status = page.locator(".coprod-share-status")
            expect(page.get_by_role("button", name="Export the data")).to_be_visible(timeout=180_000)
            page.set_viewport_size({"width": 760, "height": 900})  # a laptop's JupyterLab with its side panel
            cut = page.evaluate("""() => [...document.querySelectorAll('button, .widget-checkbox label')]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())""")
            assert cut == [], f"controls whose words are cut off: {cut}"
            page.set_viewport_size({"width": 1200, "height": 900})
            page.get_by_label("Export as").select_option(label="Excel workbook (.xlsx)")
            page.get_by_role("button", name="Export the data").click()
            expect(status).to_contain_text("Wrote 1 file(s)", timeout=60_000)
            page.get_by_label("Report on").select_option(label="Fenmarsh")
            page.get_by_role("button", name="Make the report").click()
            # Not just "Wrote": the export's message is still there until the click reaches the kernel.
            expect(status).to_contain_text("fenmarsh-report-", timeout=180_000)
        finally:
            browser.close()
    shared = home / "data" / "shared"
    assert len(list(shared.glob("export-*.xlsx"))) == 1
    (report,) = shared.glob("fenmarsh-report-*.html")
    assert "Fenmarsh: co-production report" in report.read_text(encoding="utf-8")
