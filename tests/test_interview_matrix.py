"""Matrices of coded passages: counts worked out by hand, silence said in words, excerpts one click away."""

from __future__ import annotations

import re
from dataclasses import replace

import ipywidgets as widgets
import pytest

from coprod_widgets.interviews import coding
from coprod_widgets.interviews.excerpts import SEVERAL_GROUPS, excerpts
from coprod_widgets.interviews.importing import import_transcript
from coprod_widgets.interviews.matrix import (
    CODED,
    NO_TRANSCRIPTS,
    NOT_CODED,
    code_matrix,
    matrix_html,
    store_matrix,
    transcript_counts,
)
from coprod_widgets.interviews.matrix_view import MatrixView

WHO = "test"
FIRST, SECOND = "Coder Alma Quist", "Coder Bruno Vey"
MARKUP = "<script>alert(1)</script>"
CARER_TEXT = [
    "Interviewer: How did it start?",
    f"Person 1: We were asked after the problem was settled. {MARKUP} & more.",
    "Person 1: I stopped coming when the meetings moved to the afternoon.",
    "Person 1: The bus does not run after four, so getting there was hard.",
]
WORKSHOP_TEXT = ["Facilitator: Who is missing from the room today?", "Several: The GPs stopped coming."]


def _transcript(store, folder, site: str, name: str, paragraphs: list[str], role: str, title: str | None = None):
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return import_transcript(store, path, site, role_group=role, interviewed="2015-06-01", who=WHO, title=title).record


@pytest.fixture
def coded(store, tmp_path):
    """North (sites named with markup stay escaped): a carer's interview and a workshop, coded by two coders;
    South: a clinician's interview not coded; East: no transcripts. A team code ``lp2-transport`` under LP2.

    By hand, North's passages: carer p2 (lp2 by both coders, lp1 by the first), carer p3 (lp2-stopped-coming),
    carer p4 (lp2-transport), workshop p2 characters 10-27 (lp2-stopped-coming).
    """
    programme = store.add("programme", {"name": "P"}, WHO)
    for name in ("North <b>", "South", "East"):
        values = {"programme_id": programme.id, "name": name, "service_issue": "Care", "start_date": "2015-01-01"}
        store.add("site", values, WHO)
    carer = _transcript(store, tmp_path, "North <b>", "carer.txt", CARER_TEXT, "carer", "Carer <i>one</i>")
    workshop = _transcript(store, tmp_path, "North <b>", "workshop.txt", WORKSHOP_TEXT, "workshop")
    _transcript(store, tmp_path, "South", "nurse.txt", ["Person 2: Nothing coded here yet."], "clinician")
    coding.add_code(store, "lp2-transport", "Transport", parent="lp2", who=WHO)
    coding.code_passage(store, carer.id, 2, ["lp2", "lp1"], FIRST)
    coding.code_passage(store, carer.id, 2, ["lp2"], SECOND)
    coding.code_passage(store, carer.id, 3, ["lp2-stopped-coming"], FIRST)
    coding.code_passage(store, carer.id, 4, ["lp2-transport"], SECOND)
    coding.code_passage(store, workshop.id, 2, ["lp2-stopped-coming"], SECOND, start_char=10, end_char=27)
    return store


NORTH = "North <b>"
# (by, roll_up, row, code, passages): worked out by hand from the fixture's docstring.
COUNTS = [
    ("site", True, NORTH, "lp2", 4),  # p2 (two coders, once), p3 and p4 rolled up, the workshop's range
    ("site", True, NORTH, "lp1", 1),
    ("site", True, NORTH, "lp3", 0),
    ("site", False, NORTH, "lp2", 1),  # p2 only: both coders' excerpts are one passage
    ("site", False, NORTH, "lp2-stopped-coming", 2),
    ("site", False, NORTH, "lp2-transport", 1),
    ("role", True, "Carer", "lp2", 3),
    ("role", True, "Carer", "lp1", 1),
    ("role", True, SEVERAL_GROUPS, "lp2", 1),
    ("role", False, SEVERAL_GROUPS, "lp2-stopped-coming", 1),
    ("role", False, SEVERAL_GROUPS, "lp2", 0),
]


@pytest.mark.parametrize(("by", "roll_up", "row", "code", "passages"), COUNTS)
def test_counts_are_distinct_passages_with_sub_codes_rolled_up(coded, by, roll_up, row, code, passages):
    assert store_matrix(coded, by=by, roll_up=roll_up).row(row).count(code) == passages


def test_a_row_counts_each_passage_once_whatever_its_codes(coded):
    matrix = store_matrix(coded)
    assert matrix.row(NORTH).passages == 4  # p2 carries lp1 and lp2, by two coders: one passage
    assert matrix.totals["lp2"] == 4 and matrix.totals["lp1"] == 1 and matrix.totals["lp5"] == 0


def test_each_cell_holds_the_excerpts_behind_it(coded):
    cell = store_matrix(coded, roll_up=False).cell(NORTH, "lp2")
    assert sorted(e.coder for e in cell.excerpts) == sorted([FIRST, SECOND])
    [passage] = cell.passages()
    assert passage.coders == 2 and passage.codes == ("lp2",) and MARKUP in passage.excerpt.text


def test_rows_not_coded_or_without_transcripts_are_said_not_zeroed(coded):
    matrix = store_matrix(coded)
    assert [row.label for row in matrix.rows] == [NORTH, "South", "East"]  # the store's order, every site
    south, east = matrix.row("South"), matrix.row("East")
    assert (south.state, south.transcripts, south.cells) == (NOT_CODED, 1, {})
    assert (east.state, east.transcripts, east.cells) == (NO_TRANSCRIPTS, 0, {})
    assert south.says() == "Not coded yet: 1 transcript held, no passage coded."
    assert east.says() == "No transcripts imported yet."
    assert (
        matrix.summary() == "3 sites: 1 with coded passages, 1 with transcripts not coded yet, 1 with no transcripts."
    )
    roles = store_matrix(coded, by="role")
    assert [row.label for row in roles.rows] == ["Carer", "Clinician", SEVERAL_GROUPS]
    assert roles.row("Clinician").state == NOT_CODED


def test_without_transcript_counts_only_rows_with_excerpts_appear(coded):
    book = coding.codebook(coded)
    matrix = code_matrix(excerpts(coded), book, by="site")
    assert [row.label for row in matrix.rows] == [NORTH] and matrix.row(NORTH).transcripts == 2
    given = code_matrix(excerpts(coded), book, rows=["East"], transcripts={NORTH: 2, "West": 1})
    assert [(row.label, row.state) for row in given.rows] == [
        ("East", NO_TRANSCRIPTS), (NORTH, CODED), ("West", NOT_CODED)
    ]  # fmt: skip


def test_a_code_no_longer_in_the_codebook_gets_a_column_of_its_own(coded):
    found = excerpts(coded)
    found.append(replace(found[0], code="retired-code", coding_id=99))
    matrix = code_matrix(found, coding.codebook(coded))
    column = matrix.columns[-1]
    assert (column.key, column.known, matrix.row(NORTH).count("retired-code")) == ("retired-code", False, 1)
    assert [c.key for c in matrix.columns[:8]] == [f"lp{n}" for n in range(1, 9)]


def test_rows_must_be_sites_or_role_groups(coded):
    with pytest.raises(ValueError, match="by must be 'site'"):
        code_matrix([], coding.codebook(coded), by="coder")
    with pytest.raises(ValueError, match="by must be 'site'"):
        transcript_counts([], {}, by="coder")


def test_an_empty_store_says_so(store):
    assert "No sites yet, and no transcripts" in matrix_html(store_matrix(store))


# ---- the static page ---------------------------------------------------------------------------------------


def test_every_count_links_to_its_passages_on_the_same_page(coded):
    html = matrix_html(store_matrix(coded))
    targets = re.findall(r'<a href="#([^"]+)" aria-label="([^"]+)">(\d+)</a>', html)
    assert sorted((label, count) for _, label, count in targets) == [
        ("1 excerpt coded lp1 at North &lt;b&gt;", "1"),
        ("4 excerpts coded lp2 at North &lt;b&gt;", "4"),
    ]
    for target, _label, count in targets:
        section = re.search(rf'<section id="{target}" class="coprod-cell">(.*?)</section>', html, re.S)
        assert section, target
        assert section.group(1).count("<li>") == int(count)
    assert 'href="#matrix-site-lp"' in html and 'id="matrix-site-lp"' in html  # and back again
    assert "<script" not in html.lower()


def test_the_page_escapes_every_text_and_names_no_coder(coded):
    html = matrix_html(store_matrix(coded, by="role", roll_up=False), caption="Caption <u>x</u>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "North &lt;b&gt;" in html and "North <b>" not in html  # the site, beside each passage listed by role
    assert "carer &lt;i&gt;one&lt;/i&gt;" in html.lower() and "Caption &lt;u&gt;x&lt;/u&gt;" in html
    assert FIRST not in html and SECOND not in html and "by 2 coders" in html
    assert "characters 10 to 27" in html


def test_rows_without_coding_are_in_words(coded):
    html = matrix_html(store_matrix(coded))
    assert "<em>Not coded yet: 1 transcript held, no passage coded.</em>" in html
    assert "<em>No transcripts imported yet.</em>" in html
    south = re.search(r'<th scope="row">South</th>(.*?)</tr>', html).group(1)
    assert "<td>0</td>" not in south.split("</td>", 1)[1]  # no zeros after the transcripts column


def test_a_long_cell_lists_some_passages_and_says_how_many_more(coded):
    html = matrix_html(store_matrix(coded), per_cell=3)
    section = re.search(r'<section id="matrix-site-lp-r0-lp2" class="coprod-cell">(.*?)</section>', html, re.S)
    assert section.group(1).count("<blockquote") == 3
    assert "and 1 more, not listed here" in section.group(1)


def test_two_matrices_on_one_page_have_their_own_anchors(coded):
    ids = re.findall(r'id="([^"]+)"', matrix_html(store_matrix(coded)) + matrix_html(store_matrix(coded, by="role")))
    assert len(ids) == len(set(ids))


# ---- the live panel ----------------------------------------------------------------------------------------


@pytest.fixture
def many_sites(coded):
    programme = coded.records("programme")[0]
    for number in range(57):
        values = {"programme_id": programme.id, "name": f"Site {number:02d}", "service_issue": "Care",
                  "start_date": "2015-01-01"}  # fmt: skip
        coded.add("site", values, WHO)
    return coded


def _rows(view: MatrixView) -> list[str]:
    return [line.children[0].value for line in view.grid.children[1:]]


def test_the_panel_pages_its_rows(many_sites):
    view = MatrixView(many_sites)
    assert len(view.grid.children) == 26 and _rows(view)[:3] == ["North &lt;b&gt;", "South", "East"]
    assert view.where.value == "<p>Sites 1 to 25 of 60</p>" and view.previous.disabled and not view.next.disabled
    view.next.click()
    assert view.where.value == "<p>Sites 26 to 50 of 60</p>" and _rows(view)[0] == "Site 22"
    view.next.click()
    assert view.where.value == "<p>Sites 51 to 60 of 60</p>" and len(_rows(view)) == 10 and view.next.disabled
    view.previous.click()
    assert view.where.value == "<p>Sites 26 to 50 of 60</p>"
    view.by.value = "role"
    assert view.page == 0 and _rows(view) == ["Carer", "Clinician", SEVERAL_GROUPS]
    widgets.Widget.close_all()


def test_a_count_is_a_button_that_shows_its_passages(coded):
    view = MatrixView(coded)
    north = view.grid.children[1].children
    buttons = [child for child in north if isinstance(child, widgets.Button)]
    assert [(b.description, b.tooltip) for b in buttons] == [
        ("1", "1 excerpt coded lp1 at North <b>"),
        ("4", "4 excerpts coded lp2 at North <b>"),
    ]
    buttons[1].click()
    assert view.chosen == (NORTH, "lp2") and view.detail.value.count("<li>") == 4
    assert "&lt;script&gt;" in view.detail.value and "<script>" not in view.detail.value
    assert "North &lt;b&gt;" in view.detail.value and FIRST not in view.detail.value
    south = view.grid.children[2].children
    assert not any(isinstance(child, widgets.Button) for child in south)
    assert south[-1].value == "<em>Not coded yet: 1 transcript held, no passage coded.</em>"
    view.roll_up.value = False
    assert view.detail.value.startswith("<p><em>Click a count")
    headings = [child.value for child in view.grid.children[0].children]
    assert (
        '<strong title="Transport">lp2-transport</strong>' in headings and len(headings) == 2 + 13
    )  # 12 shipped codes and the team's
    widgets.Widget.close_all()


def test_the_panel_reads_the_store_again_on_reload(coded):
    view = MatrixView(coded)
    south = coded.records("transcript")[-1]
    coding.code_passage(coded, south.id, 1, ["lp4"], FIRST)
    assert view.matrix.row("South").state == NOT_CODED  # worked out once per choice
    view.reload()
    assert view.matrix.row("South").count("lp4") == 1
    assert any(isinstance(child, widgets.Button) for child in view.grid.children[2].children)
    widgets.Widget.close_all()


def test_the_panel_takes_excerpts_with_their_codebook(coded):
    with pytest.raises(ValueError, match="Give the codebook"):
        MatrixView(excerpts(coded))
    view = MatrixView(excerpts(coded), book=coding.codebook(coded), rows=["East"])
    assert _rows(view) == ["East", "North &lt;b&gt;"]
    widgets.Widget.close_all()
