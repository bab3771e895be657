"""Interview evidence under each learning point, in the reports and the workbooks: quoted with the site and role
group (never a name), escaped, and silence said in words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coprod_widgets.evaluation import interview_evidence as ie
from coprod_widgets.evaluation import sections
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.render import SectionView
from coprod_widgets.evaluation.survey_evidence import NO_SURVEYS
from coprod_widgets.interviews import coding
from coprod_widgets.interviews.importing import import_transcript
from coprod_widgets.reports.pages import ProgrammeReport, SiteReport

WHO = "test"
FIRST, SECOND = "Coder Alma Quist", "Coder Bruno Vey"
SPEAKER = "Ann Smith"
LISTENED = f"{SPEAKER}: For once they listened to what carers said about the clinic <b>times</b> & the buses."
STOPPED = "Person 2: I stopped coming because the meetings moved to the afternoon, when I collect my grandson."
NURSE = "Nurse: We had decided on the new booking system long before the first workshop with patients."


def _import(store, folder, site: str, name: str, paragraphs: list[str], role: str):
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    record = import_transcript(
        store, path, site, role_group=role, interviewed="2015-06-01", who=WHO, names={SPEAKER: "Person 1"}
    ).record
    return record.id


@pytest.fixture
def interviewed(store, tmp_path):
    """North: a carer coded to LP2 by two coders (the same passage), and LP2's sub-code; South: a clinician
    coded to LP1; a workshop at South coded to nothing."""
    programme = store.add("programme", {"name": "P"}, WHO)
    for name in ("North", "South"):
        values = {"programme_id": programme.id, "name": name, "service_issue": "Care", "start_date": "2015-01-01"}
        store.add("site", values, WHO)
    carer = _import(store, tmp_path, "North", "carer.txt", ["Interviewer: How was it?", LISTENED, STOPPED], "carer")
    nurse = _import(store, tmp_path, "South", "nurse.txt", [NURSE], "clinician")
    _import(store, tmp_path, "South", "workshop.txt", ["Everyone: Hello."], "workshop")
    coding.code_passage(store, carer, 2, ["lp2"], FIRST, quote=True, memo=f"{FIRST} thinks this is key")
    coding.code_passage(store, carer, 2, ["lp2"], SECOND)
    coding.code_passage(store, carer, 3, ["lp2-stopped-coming"], SECOND)
    coding.code_passage(store, nurse, 1, ["lp1"], FIRST, quote=True)
    coding.code_passage(store, carer, 3, ["lp8"], FIRST)  # not marked to quote
    return store


def _text(parts: list) -> str:
    return re.sub(r"\s+", " ", SectionView(parts).html(embed="svg"))


def _quotes(html: str) -> list[tuple[str, str]]:
    found = re.findall(r"<blockquote><p>(.*?)</p></blockquote><figcaption>(.*?)</figcaption>", html)
    return [(text, source) for text, source in found]


def _never_named(html: str) -> None:
    for name in (FIRST, SECOND, SPEAKER, "thinks this is key"):
        assert name not in html, name


def test_the_programme_report_quotes_the_strongest_with_site_and_role_group(interviewed):
    html = ProgrammeReport(interviewed, "sqlite:///test.db").learning_point("lp2").data
    assert "<h3>Interview evidence</h3>" in html
    assert "Interviews: 2 passages coded to LP2 or the codes under it, in 1 of 3 transcripts, at 1 of the 2 sites" in (
        re.sub(r"\s+", " ", html)
    )
    quotes = _quotes(html)
    assert quotes[0] == (  # marked to quote, and coded by both coders: first
        "Person 1: For once they listened to what carers said about the clinic &lt;b&gt;times&lt;/b&gt; &amp; the "
        "buses.",
        "North, Carer",
    )
    assert len(quotes) == 1  # the passage under lp2-stopped-coming is not marked to quote: never quoted
    assert "<b>times</b>" not in html
    _never_named(html)


def test_a_site_report_gives_the_role_group_only(interviewed):
    html = SiteReport(interviewed, "sqlite:///test.db", "South").learning_point("lp1").data
    assert _quotes(html) == [(NURSE, "Clinician")]
    assert "South, Clinician" not in html and "at 1 of the" not in html
    _never_named(html)


def test_a_learning_point_with_nothing_marked_to_quote_says_so_and_quotes_nothing(interviewed):
    html = re.sub(r"\s+", " ", ProgrammeReport(interviewed, "sqlite:///test.db").learning_point("lp8").data)
    assert "Interviews: 1 passage coded to LP8" in html
    assert ie.NONE_MARKED in html and "<blockquote>" not in html and "stopped coming" not in html


def test_a_learning_point_with_nothing_coded_says_so(interviewed):
    html = re.sub(r"\s+", " ", ProgrammeReport(interviewed, "sqlite:///test.db").learning_point("lp5").data)
    assert "Interviews: 3 transcripts from 2 sites, but none is coded to LP5 yet" in html
    assert "no interview evidence for this learning point" in html and "<blockquote>" not in html


def test_transcripts_with_nothing_coded_at_all_say_so(interviewed):
    html = _text(
        ie.interview_evidence(load_programme(interviewed, sites=["South"], groups=["lived_experience"]), "lp1")
    )
    assert ie.NO_TRANSCRIPTS in html  # a role-group filter keeps only that group's transcripts: none here
    data = load_programme(interviewed)
    data.frames["coding"] = data["coding"].iloc[0:0]
    assert "3 transcripts from 2 sites, but nothing in them is coded yet" in _text(ie.interview_evidence(data, "lp1"))


def test_no_transcripts_is_said_not_left_blank(store):
    store.add("programme", {"name": "P"}, WHO)
    report = ProgrammeReport(store, "sqlite:///test.db")
    for lp in ("lp1", "lp2", "lp3", "lp8"):
        html = re.sub(r"\s+", " ", report.learning_point(lp).data)
        assert f"<h3>Interview evidence</h3> <p>{ie.NO_TRANSCRIPTS}</p>" in html, lp
    data = load_programme(store)
    for section in (ie.transcripts, ie.matrix_by_site, ie.matrix_by_role, ie.strongest_excerpts):
        assert _text(section(data)).count(ie.NO_TRANSCRIPTS) == 1, section.__name__


def test_sub_codes_are_counted_under_their_learning_point(interviewed):
    html = _text(ie.interview_evidence(load_programme(interviewed), "lp2"))
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td></tr>", html)
    assert rows == [
        ("LP2 itself", "1", "1"),
        ("Stopped coming (under LP2)", "1", "1"),
        ("What helped people take part (under LP2)", "0", "0"),
    ]


def test_the_team_own_codes_roll_up_when_the_data_holds_them(interviewed):
    coding.add_code(interviewed, "lp2-transport", "Transport <i>&</i> buses", parent="lp2", who=WHO)
    carer = interviewed.records("transcript")[0]
    coding.code_passage(interviewed, carer.id, 1, ["lp2-transport"], FIRST)
    data = load_programme(interviewed)
    data.frames.setdefault("interview_code", interviewed.frame("interview_code"))
    html = _text(ie.interview_evidence(data, "lp2"))
    assert "Interviews: 3 passages coded to LP2" in html
    assert "<td>Transport &lt;i&gt;&amp;&lt;/i&gt; buses (under LP2)</td><td>1</td>" in html


def test_the_workbook_sections_end_with_interview_evidence(interviewed):
    data = load_programme(interviewed)
    for section in (sections.lp1, sections.lp3, sections.lp8):
        html = _text(section(data))
        assert html.rindex("<h3>Interview evidence</h3>") > html.rindex(NO_SURVEYS), section.__name__
    assert "South, Clinician" in _text(sections.lp1(data))


def test_excerpts_are_worked_out_once_per_report(interviewed):
    report = ProgrammeReport(interviewed, "sqlite:///test.db")
    report.learning_point("lp1")
    first = ie.interview_excerpts(report.data)
    report.learning_point("lp2")
    assert ie.interview_excerpts(report.data) is first and len(first) == 5


def test_the_analysis_sections_show_matrices_and_quotes(interviewed):
    data = load_programme(interviewed)
    site = _text(ie.matrix_by_site(data))
    assert 'aria-label="2 excerpts coded lp2 at North"' in site
    assert "<em>Not coded yet: 1 transcript held, no passage coded.</em>" not in site  # South has one coded
    role = _text(ie.matrix_by_role(data))
    assert "<em>Not coded yet: 1 transcript held, no passage coded.</em>" in role  # the workshop
    held = _text(ie.transcripts(data))
    assert re.search(r"<td>South</td><td>2</td><td>Clinician, Several role groups</td>.*?<td>1</td><td>1</td>", held)
    quotes = _text(ie.strongest_excerpts(data))
    assert quotes.count("<h3>") == 8 and "North, Carer" in quotes
    _never_named(site + role + held + quotes + _text(ie.matrix_by_code(data)))


def test_the_analysis_workbook_exported_keeps_its_counts_and_links(interviewed, tmp_path):
    """``jupyter nbconvert --execute --to html``: the matrices are plain HTML, so the page needs no kernel, no
    script and no network for a count to lead to its passages."""
    notebook = Path(__file__).resolve().parent.parent / "workbooks" / "evaluator" / "interview_analysis.ipynb"
    jupyter = Path(sys.executable).parent / "jupyter"
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--execute", "--to", "html", str(notebook), "--output-dir", str(tmp_path)],
        env={**os.environ, "COPROD_DB_URL": interviewed.url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "interview_analysis.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="#(matrix-[a-z]+-[a-z]+-r\d+-[^"]+)"', html))  # nbconvert reorders attributes
    assert len(links) >= 6 and all(f'id="{target}"' in html for target in links)
    assert "North, Carer" in html and "Not coded yet: 1 transcript held, no passage coded." in html
    assert "Traceback" not in html
    _never_named(html)


def test_the_reports_interviews_section_gives_counts_and_no_passage(interviewed):
    report = ProgrammeReport(interviewed, "sqlite:///test.db")
    html = re.sub(r"\s+", " ", report.interviews().data)
    assert "The interviews behind the interview evidence" in html and 'href="#interviews"' in report.contents().data
    assert "The transcripts held" in html and "Carer" in html and "Clinician" in html
    assert "<blockquote" not in html and "stopped coming" not in html.lower() and "<a href" not in html
    _never_named(html)
    site_html = SiteReport(interviewed, "sqlite:///test.db", "North").interviews().data
    assert "Nurse:" not in site_html and "South" not in site_html
