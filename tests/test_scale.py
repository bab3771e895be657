"""Programme views at many sites: counts, spreads and the sites that need a look, instead of a panel per site."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from coprod_widgets.demo.synth import build_synthetic
from coprod_widgets.evaluation import scale, sections
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.render import SectionView
from coprod_widgets.evaluation.tables import paged_table_html
from coprod_widgets.reports.pages import ProgrammeReport
from coprod_widgets.store import Store

LPS = [f"LP{n}" for n in range(1, 9)]


def _status(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(site, learning point, status) rows, each with a rule naming its status."""
    return pd.DataFrame(
        [
            {"site": s, "learning_point": lp, "status": st, "rule": f"{st}: rule {lp}", "evidence": ""}
            for s, lp, st in rows
        ]
    )


def _every_lp(site: str, odd: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    odd = odd or {}
    return [(site, lp, odd.get(lp, "on track")) for lp in LPS]


STATUS = _status(
    _every_lp("Ashby")
    + _every_lp("Brent", {"LP2": "watch"})
    + _every_lp("Crane", {"LP2": "concern", "LP7": "not enough records"})
    + _every_lp("Dale", {"LP1": "watch", "LP2": "watch"})
    + _every_lp("Eden", {"LP8": "not enough records"})
)


def test_status_counts_count_every_status_at_every_learning_point_zeros_included():
    counts = scale.status_counts(STATUS)
    assert len(counts) == 8 * 4
    assert set(counts["total"]) == {5}
    lp2 = counts[counts["learning_point"] == "LP2"].set_index("status")["sites"].to_dict()
    assert lp2 == {"on track": 2, "watch": 2, "concern": 1, "not enough records": 0}
    assert counts.groupby("learning_point")["sites"].sum().eq(5).all()


def test_sites_needing_a_look_come_worst_first_with_every_status_in_words():
    look = scale.sites_needing_a_look(STATUS)
    assert list(look["site"]) == ["Crane", "Dale", "Brent", "Eden"]  # Ashby is on track everywhere
    crane = look.iloc[0]
    assert (crane["concerns"], crane["watches"], crane["not_enough"]) == (1, 0, 1)
    assert crane["LP2"] == "concern" and crane["LP7"] == "not enough records" and crane["LP1"] == "on track"


def test_no_site_needs_a_look_when_every_one_is_on_track():
    assert scale.sites_needing_a_look(_status(_every_lp("Ashby"))).empty
    assert scale.sites_needing_a_look(STATUS.iloc[0:0]).empty


@pytest.mark.parametrize(
    ("lp", "expected"),
    [
        (None, [("LP1", "watch", 1), ("LP2", "concern", 1), ("LP2", "watch", 2), ("LP7", "not enough records", 1)]),
        ("lp2", [("LP2", "concern", 1), ("LP2", "watch", 2)]),
        ("LP4", []),
    ],
)
def test_reasons_count_the_sites_each_rule_applies_to(lp, expected):
    found = scale.reasons(STATUS, lp)
    if lp is None:
        found = found[found["learning_point"] != "LP8"]
    assert list(found[["learning_point", "status", "sites"]].itertuples(index=False, name=None)) == expected


def test_focus_sites_and_keep_sites_follow_the_worst_first_order_and_the_limit():
    assert scale.focus_sites(STATUS, "lp2") == ["Crane", "Brent", "Dale"]
    frame = pd.DataFrame({"site": ["Ashby", "Brent", "Dale", "Crane", "Brent"], "n": [1, 2, 3, 4, 5]})
    kept = scale.keep_sites(frame, ["Crane", "Brent", "Dale"], limit=2)
    assert list(kept["site"]) == ["Crane", "Brent", "Brent"]
    assert list(kept["n"]) == [4, 2, 5]


def test_spread_gives_quartiles_and_counts_the_sites_with_none():
    frame = pd.DataFrame(
        {
            "site": ["A", "B", "C", "D", "E", "A"],
            "kind": ["x", "x", "x", "x", "x", "y"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, None],
        }
    )
    spread = scale.spread(frame, "kind", "value", ["x", "y", "z"], sites=6).set_index("category")
    assert spread.loc["x", ["sites", "none", "low", "q1", "median", "q3", "high"]].tolist() == [5, 1, 1, 2, 3, 4, 5]
    assert spread.loc["y", "sites"] == 0 and spread.loc["y", "none"] == 6 and pd.isna(spread.loc["y", "median"])
    assert spread.loc["z", "none"] == 6


def test_a_paged_table_keeps_every_row_in_folded_pages():
    frame = pd.DataFrame({"site": [f"<b>Site {n:03d}</b>" for n in range(120)]})
    html = paged_table_html(frame, "Sites", {"site": "Site"}, page=50)
    assert html.count("<details") == 2
    assert "Rows 51 to 100 of 120" in html and "Rows 101 to 120 of 120" in html
    assert html.count("<tr>") == 120 + 3  # every row, and a heading row per page
    assert "<b>" not in html and "&lt;b&gt;Site 119&lt;/b&gt;" in html
    assert "<details" not in paged_table_html(frame.head(50), "Sites", {"site": "Site"}, page=50)


# ---- a programme with more sites than panels ------------------------------------------------------------------


@pytest.fixture(scope="module")
def programmes(tmp_path_factory) -> dict[int, str]:
    """Synthetic programmes of 12 sites (one panel each still) and of 14 and 40 (distributions)."""
    urls = {}
    for sites in (scale.PANEL_SITES, 14, 40):
        url = f"sqlite:///{tmp_path_factory.mktemp('scale') / f'{sites}.db'}"
        store = Store.open(url)
        build_synthetic(store, sites=sites, seed=5)
        store.close()
        urls[sites] = url
    return urls


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.S)


def _report_parts(url: str) -> dict[str, str]:
    report = ProgrammeReport.open(url, generated="2026-12-03T10:00:00+00:00")
    parts = {"title": report.title(), "overview": report.overview(), "timeline": report.timeline()}
    parts |= {lp: report.learning_point(lp) for lp in (f"lp{n}" for n in range(1, 9))}
    parts |= {"ladder": report.ladder(), "gripp2": report.gripp2()}
    report.store.close()
    return {name: part.data for name, part in parts.items()}


def test_up_to_the_panel_limit_each_site_keeps_its_panel(programmes):
    store = Store.open(programmes[scale.PANEL_SITES])
    data = load_programme(store)
    names = list(data.sites["name"])
    store.close()
    heatmap = SectionView(sections.overview(data)).html(embed="svg")
    assert all(name in "".join(_svgs(heatmap)) for name in names)


def test_with_more_sites_no_chart_draws_a_panel_per_site_and_every_site_is_still_listed(programmes):
    store = Store.open(programmes[40])
    names = list(load_programme(store).sites["name"])
    store.close()
    parts = _report_parts(programmes[40])
    pictures = "".join(svg for html in parts.values() for svg in _svgs(html))
    assert pictures, "the report still has charts"
    assert not [name for name in names if name in pictures], "a chart names a site"
    assert all(name in parts["lp8"] for name in names), "the sites are listed under learning point 8"
    assert "How many sites have each status" in parts["overview"]
    assert "The sites that need a look, worst first" in parts["overview"]
    assert "40 sites" in parts["title"] and names[0] not in parts["title"]


def test_the_report_grows_by_little_per_site(programmes):
    sizes = {sites: sum(len(html) for html in _report_parts(programmes[sites]).values()) for sites in (14, 40)}
    per_site = (sizes[40] - sizes[14]) / (40 - 14)
    assert per_site < 4000, f"{per_site:.0f} bytes more per site"


def test_evidence_tables_list_the_sites_that_need_a_look_first(programmes):
    store = Store.open(programmes[40])
    data = load_programme(store)
    store.close()
    look = scale.focus_sites(sections.ind.overview_status(data), "lp7")
    html = SectionView(sections.lp7(data)).html(embed="svg")
    listed = [name for name in data.sites["name"] if f"<td>{name}</td>" in html]
    assert set(listed) == set(look[: scale.FOCUS_SITES])
    assert "sites that need a look at LP7 first" in html


@pytest.mark.parametrize("sites", [scale.PANEL_SITES, 40])
def test_the_programme_report_names_no_partner_whatever_the_number_of_sites(programmes, sites):
    store = Store.open(programmes[sites])
    names = {partner.display_name for partner in store.records("partner")}
    as_evaluators_see_it = sections.ind.overview_status(load_programme(store))
    store.close()
    named = as_evaluators_see_it[as_evaluators_see_it["evidence"].str.contains(r"P\d+ \(", regex=True)]
    html = "\n".join(_report_parts(programmes[sites]).values())
    assert not sorted(name for name in names if name in html)
    if sites == 40:
        assert not named.empty, "some evidence names a partner in the workbooks"
        assert "a partner (" in html, "the report still describes the drop-outs"


def test_when_no_site_needs_a_look_the_evidence_tables_still_show_sites(programmes):
    store = Store.open(programmes[14])
    data = load_programme(store)
    store.close()
    status = sections.ind.overview_status(data)  # kept on the data; made all "on track" below
    data.cache[("overview_status", None, 3, True)] = status.assign(status="on track")
    html = SectionView(sections.lp4(data)).html(embed="svg")
    assert "every site is on track at LP4" in html and "nothing recorded yet" not in html
    assert sorted(data.sites["name"])[0] in html


def test_with_more_sites_survey_answers_spread_across_the_sites_and_the_table_keeps_those_that_need_a_look(
    programmes,
):
    store = Store.open(programmes[40])
    data = load_programme(store)
    store.close()
    html = SectionView(sections.lp1(data)).html(embed="svg")
    assert "LP1 survey answers across the sites" in html
    assert re.search(r"LP1 survey answers at the \d+ of 40 sites that need a look at LP1 first", html)
    assert not [name for name in data.sites["name"] if name in "".join(_svgs(html))]
