"""Reports made for real (papermill, nbconvert, the ``coprod`` command) and opened in Chromium offline.

The programme report is made through the Python API on the demo store; the site report through
``coprod report --site ... --pdf`` on a demo store where a site team typed markup into their records.
Each file is opened from disk with every request that is not ``file:`` blocked.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from coprod_widgets import __version__
from coprod_widgets.reports import render_report
from coprod_widgets.store import Store
from tests.browser import launch
from tests.test_cli import ok, run

pytestmark = pytest.mark.browser

SITE = "Wendlebury"
SCRIPT_TEXT = '<script>window.injected = 1; alert("framing")</script>'
IMAGE_TEXT = '<img src=x onerror="window.injected = 2"> <b>bold claim</b>'
#: Charts each report draws, and the sections they sit in.
#: The demo's partners' survey speaks to LP1, LP2 and LP4: a chart by role group, and in the programme report by site.
PROGRAMME_CHARTS = {"overview": 1, "timeline": 1, "lp1": 2, "lp2": 3, "lp4": 2, "lp6": 1, "ladder": 2}
SITE_CHARTS = {"timeline": 1, "lp1": 1, "lp2": 2, "lp4": 1, "lp6": 1, "outcomes": 1, "ladder": 2}


@pytest.fixture(scope="module")
def programme_report(demo_db_url, tmp_path_factory):
    seen = []
    out = tmp_path_factory.mktemp("programme") / "programme.html"
    made = render_report(out, url=demo_db_url, progress=lambda step, done, total: seen.append((step, done, total)))
    return made, seen


@pytest.fixture(scope="module")
def marked_up_store(tmp_path_factory) -> str:
    """The demo programme, with markup typed into one site's problem framing and outcome."""
    from coprod_widgets.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('markup') / 'demo.db'}"
    store = Store.open(url)
    build_demo(store)
    site = next(s for s in store.sites() if s.name == SITE)
    partners = [p.id for p in store.for_site(site.id).records("partner")][:3]
    store.add(
        "problem_framing",
        {
            "site_id": site.id,
            "statement": SCRIPT_TEXT,
            "how_identified": IMAGE_TEXT,
            "partner_ids": partners,
            "date": "2015-12-01",
        },
        "test",
    )
    store.add(
        "outcome",
        {
            "site_id": site.id,
            "description": IMAGE_TEXT,
            "change_type": "service",
            "who_changed": SCRIPT_TEXT,
            "intended": False,
            "date_observed": "2015-12-02",
        },
        "test",
    )
    store.close()
    return url


@pytest.fixture(scope="module")
def site_report(marked_up_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    home = folder / "home"
    home.mkdir()
    result = run(
        home,
        "report",
        "--site",
        SITE.lower(),
        "--out",
        str(folder / "site.html"),
        "--pdf",
        db=marked_up_store,
        timeout=300,
    )
    return folder / "site.html", ok(result)


def _open_offline(path: Path):
    """(page text, figures [(section id, mark count)], blocked URLs, dialogs, window.injected, axe's serious
    and critical violations) of a file."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context()
        blocked, dialogs = [], []

        def only_files(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_files)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.resolve().as_uri(), wait_until="load")
        figures = page.eval_on_selector_all(
            "figure.coprod-chart",
            """figures => figures.map(f => [
            f.closest('section') ? f.closest('section').id : '',
            f.querySelectorAll('svg [role="graphics-symbol"]').length])""",
        )
        violations = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        found = (page.inner_text("body"), figures, blocked, dialogs, page.evaluate("window.injected || 0"), violations)
        browser.close()
    return found


def _meta(html: str) -> dict[str, str]:
    """The page's ``<meta name=... content=...>`` pairs, whatever order nbconvert wrote the attributes in."""
    found = {}

    class Metas(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and "name" in attrs:
                found[attrs["name"]] = attrs.get("content", "")

    Metas().feed(html)
    return found


def _charts_by_section(figures) -> dict[str, int]:
    counts: dict[str, int] = {}
    for section_id, _marks in figures:
        counts[section_id] = counts.get(section_id, 0) + 1
    return counts


def test_programme_report_opens_offline_with_every_chart_drawn(programme_report):
    made, _ = programme_report
    text, figures, blocked, dialogs, injected, violations = _open_offline(made.html)
    assert blocked == [] and dialogs == [] and injected == 0 and violations == []
    assert _charts_by_section(figures) == PROGRAMME_CHARTS
    empty = [section_id for section_id, marks in figures if marks == 0]
    assert not empty, f"charts with no marks in {empty}"
    assert sum(marks for _, marks in figures) > 200
    for heading in (
        "The programme at a glance",
        "Learning point 8: It is different everywhere",
        "GRIPP2 short form",
        "1. Aim",
        "5. Reflections",
    ):
        assert heading in text


def test_programme_report_has_no_code_scripts_or_widgets_and_says_where_it_came_from(programme_report, demo_db_url):
    made, seen = programme_report
    html = made.html.read_text(encoding="utf-8")
    for sign_of_code in (
        "ProgrammeReport",
        "learning_point(",
        "import ",
        "jp-InputArea",
        "jp-CodeCell",
        "In&nbsp;[",
        "<script",
        "application/vnd.jupyter.widget",
        "https://",
        "http://cdn",
    ):
        assert sign_of_code not in html, sign_of_code
    meta = _meta(html)
    assert meta["generator"] == f"coprod {__version__}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", meta["coprod-generated"])
    assert meta["coprod-store"] == f"SQLite file {demo_db_url.removeprefix('sqlite:///')}"
    store_path = demo_db_url.removeprefix("sqlite:///")
    assert f"from SQLite file {store_path} by coprod {__version__}" in html
    assert made.size == made.html.stat().st_size and made.size < 2_000_000
    assert seen[-1][0] == "Writing the HTML file" and seen[-2][1] == seen[-2][2]  # every cell reported, then writing


def test_site_report_opens_offline_and_shows_typed_markup_as_text(site_report):
    path, output = site_report
    assert f"Wrote {path}" in output and "Printed" in output
    text, figures, blocked, dialogs, injected, violations = _open_offline(path)
    assert blocked == [] and dialogs == [] and injected == 0 and violations == []
    assert _charts_by_section(figures) == SITE_CHARTS
    assert all(marks > 0 for _, marks in figures)
    assert SCRIPT_TEXT in text and IMAGE_TEXT in text  # shown as the characters typed
    assert f"{SITE}: co-production report" in text
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html and "<b>bold claim</b>" not in html


def test_site_report_pdf_has_pages_and_the_site_name_as_text(site_report):
    path, _ = site_report
    reader = PdfReader(path.with_suffix(".pdf"))
    assert len(reader.pages) >= 1
    first = reader.pages[0].extract_text()
    assert f"{SITE}: co-production report" in first
    assert "Generated on" in first


BAD_REPORTS = [  # (arguments, words in the error)
    (["--site", "Atlantis", "--out", "{tmp}/r.html"], "There is no site called 'Atlantis'"),
    (["--programme", "--out", "{tmp}/no/such/folder/r.html"], "does not exist"),
    (["--programme", "--out", "{tmp}/r.pdf"], "ending in .html"),
    (["--programme", "--out", "{tmp}/notes.txt/r.html"], "is a file, not a folder"),
    (["--out", "{tmp}/r.html"], "Choose what to report"),
    (["--programme", "--site", SITE, "--out", "{tmp}/r.html"], "Choose what to report"),
]


@pytest.mark.parametrize(("arguments", "words"), BAD_REPORTS, ids=[case[1] for case in BAD_REPORTS])
def test_bad_report_arguments_give_one_line_and_a_non_zero_exit(demo_db_url, tmp_path, arguments, words):
    (tmp_path / "home").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run(tmp_path / "home", "report", *[a.format(tmp=tmp_path) for a in arguments], db=demo_db_url)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and words in lines[0], result.stderr
    assert not list(tmp_path.glob("*.html"))
