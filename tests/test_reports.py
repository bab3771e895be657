"""Report content, in process: GRIPP2 gaps, escaping, no names, and requests checked before the slow part."""

from __future__ import annotations

import pytest

from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.questions.instruments import INSTRUMENTS, instrument_of
from coprod_widgets.reports import ReportError
from coprod_widgets.reports import pdf as report_pdf
from coprod_widgets.reports.gripp2 import gripp2_html, gripp2_items
from coprod_widgets.reports.pages import ProgrammeReport, SiteReport
from coprod_widgets.reports.parts import reason
from coprod_widgets.reports.run import check_request
from coprod_widgets.store import Store

WHO = "test"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Store:
    from coprod_widgets.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'demo.db'}"
    store = Store.open(url)
    build_demo(store)
    yield store
    store.close()


def _items(store: Store):
    programme = store.records("programme")
    return {item.title: item for item in gripp2_items(load_programme(store), programme[0].description)}


# ---- GRIPP2 -----------------------------------------------------------------------------------------


def test_gripp2_on_the_demo_fills_every_item_without_gaps(demo):
    items = _items(demo)
    assert list(items) == ["Aim", "Methods", "Results", "Outcomes", "Reflections"]
    assert not [title for title, item in items.items() if item.has_gap]
    assert any("23 outcomes" in finding for finding in items["Outcomes"].findings)
    assert any("57 partners" in finding for finding in items["Methods"].findings)


GAPS_BY_MISSING_RECORDS = [  # (records emptied, GRIPP2 item that must show a gap, words in the gap)
    (["outcome"], "Outcomes", "No outcomes are recorded"),
    (["decision"], "Results", "No decisions are recorded"),
    (["self_assessment"], "Reflections", "No self-assessments"),  # an instrument: its answers are removed
    (["reflection_4pi"], "Reflections", "No 4Pi reflections are recorded"),
    (["attendance"], "Methods", "No attendance"),
    (["evidence_plan"], "Outcomes", "No evidence plan"),
]


def _remove(store: Store, kind: str) -> None:
    """Delete every record of a type, or every answer to a shared instrument (the question responses of its set)."""
    by_key = {instrument.key: instrument for instrument in INSTRUMENTS}
    if kind not in by_key:
        for record in store.records(kind):
            store.delete(kind, record.id, WHO)
        return
    sets = {qs.id for qs in store.records("question_set") if instrument_of(qs) is by_key[kind]}
    assert sets, f"the demo stores the {kind} instrument"
    answers = [r for r in store.records("question_response") if r.question_set_id in sets]
    assert answers, f"the demo answers the {kind} instrument"
    for record in answers:
        store.delete("question_response", record.id, WHO)


@pytest.mark.parametrize(("kinds", "title", "words"), GAPS_BY_MISSING_RECORDS, ids=lambda v: str(v))
def test_gripp2_lists_a_gap_when_its_source_records_are_missing(tmp_path, kinds, title, words):
    from coprod_widgets.demo import build_demo

    store = Store.open(f"sqlite:///{tmp_path / 'gaps.db'}")
    build_demo(store)
    for kind in kinds:
        _remove(store, kind)
    items = _items(store)
    assert any(words in gap for gap in items[title].gaps), items[title].gaps
    others = [other for other, item in items.items() if item.has_gap and other != title]
    assert not others, f"only {title} should have a gap, not {others}"
    html = gripp2_html(list(items.values()))
    assert f"{items[title].number}. {title}" in html and "Gap: 1 missing part" in html
    store.close()


def test_programme_report_on_a_store_without_outcomes_shows_the_gap(small_programme, store):
    report = ProgrammeReport(store, "sqlite:///test.db")
    html = report.gripp2().data
    assert "<strong>Gap:</strong> No outcomes are recorded" in html
    assert "Gap: " in html and "Filled from the records" in html  # the checklist says which, in words
    # the instruments are stored but nobody has answered them: both are named as gaps, by their answers
    assert "<strong>Gap:</strong> No self-assessments are recorded" in html
    assert "<strong>Gap:</strong> No 4Pi reflections are recorded" in html
    assert "Self-assessment answers, 4Pi involvement reflection answers" in html


def test_gripp2_reflections_read_the_4pi_on_the_demo(demo):
    reflections = _items(demo)["Reflections"]
    found = " ".join(reflections.findings)
    assert "48 4Pi reflections answered at 6 of 6 sites" in found
    assert "Mean 4Pi ratings" in found and "principles " in found
    assert "rated a 4Pi standard 1 or more apart" in found and "Saltmere (" in found
    assert "102 self-assessments answered" in found


def test_gripp2_on_an_empty_store_names_a_gap_for_every_item(store):
    items = gripp2_items(load_programme(store), "")
    assert all(item.has_gap for item in items)


# ---- escaping and privacy -----------------------------------------------------------------------------


MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_recorded_text_with_markup_is_escaped_in_every_part(small_programme, store):
    refs = small_programme
    store.update("site", refs["site"], {"service_issue": MARKUP}, WHO)
    store.add(
        "outcome",
        {
            "site_id": refs["site"],
            "description": MARKUP,
            "change_type": "process",
            "who_changed": MARKUP,
            "intended": True,
            "date_observed": "2015-05-01",
        },
        WHO,
    )
    report = SiteReport(store, "sqlite:///test.db", "North")
    html = "\n".join(
        part.data
        for part in (
            report.title(),
            report.at_a_glance(),
            report.outcomes(),
            report.learning_point("lp8"),
            report.next_steps(),
        )
    )
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_reports_name_no_partners(demo):
    report = ProgrammeReport(demo, "sqlite:///demo.db")
    html = "\n".join(report.learning_point(lp).data for lp in ("lp1", "lp2", "lp3", "lp4", "lp6"))
    names = {partner.display_name for partner in demo.records("partner")}
    shown = sorted(name for name in names if name in html)
    assert not shown, f"partner names in the report: {shown}"


def test_site_report_covers_the_site_only(demo):
    report = SiteReport.open("Saltmere", demo.url)
    html = report.problem().data + report.outcomes().data + report.learning_point("lp3").data
    others = [site.name for site in demo.sites() if site.name != "Saltmere" and site.name in html]
    assert "Saltmere" in html and not others


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("watch: an idea is still contested", "an idea is still contested"),
        ("concern: only staff facilitated", "only staff facilitated"),
        ("informational: not recorded yet", "not recorded yet"),
        ("Version 2: revised", "Version 2: revised"),
    ],
)
def test_reason_drops_only_the_status_word(rule, expected):
    assert reason(rule) == expected


# ---- requests checked before the notebook runs ------------------------------------------------------


def test_check_request_finds_the_site_whatever_its_case(demo, tmp_path):
    request = check_request(tmp_path / "r.html", "saltmere", demo.url)
    assert request.site == "Saltmere" and request.out == tmp_path / "r.html"


BAD_REQUESTS = [  # (out relative to tmp_path, site, words in the message)
    ("r.html", "Atlantis", "There is no site called 'Atlantis'. The sites are: Wendlebury"),
    ("r.txt", None, "ending in .html"),
    ("missing/r.html", None, "does not exist"),
    ("folder.html", None, "is a folder"),
]


@pytest.mark.parametrize(("out", "site", "words"), BAD_REQUESTS, ids=[case[2] for case in BAD_REQUESTS])
def test_bad_requests_are_refused_with_a_plain_message(demo, tmp_path, out, site, words):
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(ReportError, match=words.replace(".", r"\.").replace("(", r"\(")):
        check_request(tmp_path / out, site, demo.url)


def test_a_pdf_without_chromium_says_how_to_get_one(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("COPROD_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert report_pdf.find_chromium() is None
    with pytest.raises(ReportError, match="apt-get install chromium"):
        check_request(tmp_path / "r.html", None, demo.url, pdf=True)
