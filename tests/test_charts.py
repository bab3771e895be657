"""Chart builders (as Vega-Lite specs) and offline rendering (SVG in HTML, no network).

Input frames are built by hand with the columns each indicator gives; one browser test opens a saved
page of charts from file:// with every other request aborted.
"""

from __future__ import annotations

import base64
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from coprod_widgets.evaluation import charts, render, scale
from coprod_widgets.evaluation.data import ProgrammeData, load_programme
from coprod_widgets.surveys import likert as survey_likert

SITES = {1: "Saltmere", 2: "Fen <b>wick</b> & Co"}
LPS = [f"LP{n}" for n in range(1, 9)]
CHANGE_CODES = ["behaviour_culture", "process", "service"]
STAGE_CODES = ["problem_identification", "design", "delivery", "evaluation"]


# ---- input frames with the indicator contracts ------------------------------------------------


def status_frame(sites: dict[int, str] = SITES) -> pd.DataFrame:
    rows = [
        {
            "site_id": sid,
            "site": name,
            "learning_point": lp,
            "status": charts.STATUSES[(sid + i) % 3],
            "rule": f"rule for {lp} <script>alert(1)</script>",
            "evidence": 'first framed on 2015-01-19; "quoted"',
        }
        for sid, name in sites.items()
        for i, lp in enumerate(LPS)
    ]
    return pd.DataFrame(rows, columns=["site_id", "site", "learning_point", "status", "rule", "evidence"])


def by_month_frame(
    sites: dict[int, str] = SITES, months: int = 6, groups=("lived_experience", "carer", "clinician")
) -> pd.DataFrame:
    rows = []
    for sid, name in sites.items():
        for m, month in enumerate(pd.date_range("2015-03-01", periods=months, freq="MS")):
            for g, group in enumerate(groups):
                expected, attended = 4, (m + g + sid) % 5
                rows.append(
                    {
                        "site_id": sid,
                        "site": name,
                        "month": month,
                        "role_group": group,
                        "activities": 2,
                        "expected": expected,
                        "attended": attended,
                        "contributed": min(attended, 2),
                        "rate": np.nan if (m, g) == (2, 2) else attended / 4 / 1.25,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["site_id", "site", "month", "role_group", "activities", "expected", "attended", "contributed", "rate"],
    )


def dropouts_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "site_id": 1,
                "site": "Saltmere",
                "level": "group",
                "role_group": "carer",
                "partner_id": None,
                "display_name": "",
                "last_attended": pd.Timestamp("2015-05-20"),
                "missed": 4,
            },
            {
                "site_id": 1,
                "site": "Saltmere",
                "level": "partner",
                "role_group": "carer",
                "partner_id": 7,
                "display_name": "Jan",
                "last_attended": pd.Timestamp("2015-05-20"),
                "missed": 4,
            },
            {
                "site_id": 1,
                "site": "Saltmere",
                "level": "partner",
                "role_group": "carer",
                "partner_id": 8,
                "display_name": "Pat",
                "last_attended": pd.Timestamp("2015-05-20"),
                "missed": 4,
            },
            {
                "site_id": 2,
                "site": SITES[2],
                "level": "partner",
                "role_group": "clinician",
                "partner_id": 9,
                "display_name": "Kit",
                "last_attended": pd.NaT,
                "missed": 6,
            },
        ]
    )
    frame["partner_id"] = frame["partner_id"].astype("Int64")
    return frame


def events_frame() -> pd.DataFrame:
    rows = [
        (1, "2015-03-05", "Problem framing", "", "Version 1: foot checks are late"),
        (1, "2015-03-09", "Non-negotiable", "", "No new money"),
        (1, "2015-04-01", "Evidence plan", "", "Waiting time for a foot check"),
        (1, "2015-06-01", "Outcome", "behaviour_culture", "Clinicians ask what matters " + "x" * 200),
        (2, "2015-09-01", "Outcome", "process", "New referral route"),
        (2, "2016-01-10", "Outcome", "service", "A new clinic"),
    ]
    return pd.DataFrame(
        [
            {
                "site_id": sid,
                "site": SITES[sid],
                "date": pd.Timestamp(day),
                "event": event,
                "change_type": change,
                "detail": detail,
            }
            for sid, day, event, change, detail in rows
        ]
    )


def first_change_frame() -> pd.DataFrame:
    rows = []
    for sid, name in SITES.items():
        for i, code in enumerate(CHANGE_CODES):
            never = sid == 2 and code == "service"
            months = np.nan if never else float(3 + 4 * (i if sid == 1 else 2 - i))
            rows.append(
                {
                    "site_id": sid,
                    "site": name,
                    "change_type": code,
                    "first_observed": pd.NaT
                    if never
                    else pd.Timestamp("2015-03-01") + pd.DateOffset(months=int(months)),
                    "months_from_start": months,
                    "order": pd.NA if never else i + 1,
                }
            )
    frame = pd.DataFrame(rows)
    frame["order"] = frame["order"].astype("Int64")
    return frame


def ladder_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "site_id": sid,
                "site": name,
                "stage": stage,
                "activities": 2 + i,
                "median_step": 3 + i / 2,
                "max_step": min(7, 4 + i),
            }
            for sid, name in SITES.items()
            for i, stage in enumerate(STAGE_CODES)
        ]
    )


def gap_frame(sites: dict[int, str] = SITES, waves: int = 2) -> pd.DataFrame:
    rows = []
    for sid, name in sites.items():
        for wave in range(1, waves + 1):
            for i, lp in enumerate(LPS):
                staff = 2.0 + i % 3
                lived = np.nan if lp == "LP8" else staff - (1.5 if (i + wave) % 4 == 0 else 0.25)
                rows.append(
                    {
                        "site_id": sid,
                        "site": name,
                        "wave": wave,
                        "learning_point": lp,
                        "staff_mean": staff,
                        "lived_mean": lived,
                        "gap": staff - lived,
                        "flagged": bool(abs(staff - lived) >= 1) if not np.isnan(lived) else False,
                    }
                )
    return pd.DataFrame(rows)


def reflection_frame(sites: dict[int, str] = SITES) -> pd.DataFrame:
    """reflection_by_site's columns: a site's standards read, one too thin to read, and a site with none."""
    rows = []
    for sid, name in sites.items():
        for i, standard in enumerate(["principles", "purpose", "presence", "process", "impact"]):
            none = sid % 2 == 0 and i == 4  # the second site's impact: stands in for a site with no reflection
            rated = 0 if none else (2 if i == 3 else 5)
            staff = np.nan if rated < 3 else 3.0 + i % 2
            lived = np.nan if rated < 3 else (staff - 1.5 if i == 0 else staff - 0.5)
            rows.append(
                {
                    "site_id": sid,
                    "site": name,
                    "standard": standard,
                    "answers": rated + (0 if none else 1),
                    "rated": rated,
                    "dont_know": 0 if none else 1,
                    "mean_rating": np.nan if none else 2.0 + i / 2,
                    "staff_mean": staff,
                    "lived_mean": lived,
                    "gap": staff - lived,
                    "notes": i % 2,
                    "reading": "no 4Pi reflection answered yet" if none else f"mean for {standard} <b>x</b>",
                }
            )
    return pd.DataFrame(rows)


def spread_frame() -> pd.DataFrame:
    """Months to a first milestone at 9 sites, one with <b>markup</b> in its kind, one kind with none."""
    rows = [{"site": f"Site {n}", "kind": "First <b>framing</b>", "months": n / 2} for n in range(8)]
    rows.append({"site": "Site 8", "kind": "First outcome", "months": None})
    return pd.DataFrame(rows)


def spread_of(frame: pd.DataFrame):
    spread = scale.spread(frame, "kind", "months", ["First <b>framing</b>", "First outcome"], sites=9)
    return charts.spread_chart(
        spread, "When milestones came", "Milestone", "Months after the start", "months", ["Each row."], "nothing yet."
    )


AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def likert_bars() -> pd.DataFrame:
    """Two questions at one site: one with every count shown, one with a count under 5 (and a second) hidden."""
    answers = pd.DataFrame(
        [
            {"question": "I was <b>listened</b> to", "answer": a}
            for a, n in zip(AGREE, [5, 6, 0, 9, 12], strict=True)
            for _ in range(n)
        ]
        + [
            {"question": "The problem was agreed", "answer": a}
            for a, n in zip(AGREE, [0, 2, 7, 8, 6], strict=True)
            for _ in range(n)
        ]
    )
    counts = survey_likert.likert_counts(answers, AGREE, by=["question"])
    return survey_likert.diverging(counts, AGREE).rename(columns={"question": "row"})


BUILDERS = {
    "overview_heatmap": lambda: charts.overview_heatmap(status_frame()),
    "attendance_chart": lambda: charts.attendance_chart(by_month_frame(), dropouts_frame()),
    "timeline_chart": lambda: charts.timeline_chart(events_frame()),
    "change_progression_chart": lambda: charts.change_progression_chart(first_change_frame()),
    "ladder_chart": lambda: charts.ladder_chart(ladder_frame()),
    "self_assessment_gap_chart": lambda: charts.self_assessment_gap_chart(gap_frame()),
    "reflection_chart": lambda: charts.reflection_chart(reflection_frame()),
    "status_distribution_chart": lambda: charts.status_distribution_chart(scale.status_counts(status_frame())),
    "spread_chart": lambda: spread_of(spread_frame()),
    "likert_chart": lambda: charts.likert_chart(likert_bars(), AGREE, "Partners' views", "Question"),
}
EMPTY_BUILDERS = {
    "overview_heatmap": lambda: charts.overview_heatmap(status_frame().head(0)),
    "attendance_chart": lambda: charts.attendance_chart(by_month_frame().head(0), dropouts_frame().head(0)),
    "timeline_chart": lambda: charts.timeline_chart(events_frame().head(0)),
    "change_progression_chart": lambda: charts.change_progression_chart(first_change_frame().head(0)),
    "ladder_chart": lambda: charts.ladder_chart(ladder_frame().head(0)),
    "self_assessment_gap_chart": lambda: charts.self_assessment_gap_chart(gap_frame().head(0)),
    "reflection_chart": lambda: charts.reflection_chart(reflection_frame().head(0)),
    "status_distribution_chart": lambda: charts.status_distribution_chart(scale.status_counts(status_frame().head(0))),
    "spread_chart": lambda: spread_of(spread_frame().head(0)),
    "likert_chart": lambda: charts.likert_chart(likert_bars().head(0), AGREE, "Partners' views", "Question"),
}


# ---- spec helpers ------------------------------------------------------------------------------


def data_rows(spec: dict) -> list[dict]:
    """Every inline data row of a spec (Altair puts them in ``datasets``)."""
    rows = [row for values in spec.get("datasets", {}).values() for row in values]

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict) and "values" in node["data"]:
                rows.extend(node["data"]["values"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return rows


def encodings(spec: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("encoding"), dict):
                found.append(node["encoding"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def channel(spec: dict, name: str) -> list[dict]:
    return [enc[name] for enc in encodings(spec) if name in enc]


def marks(spec: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "mark" in node:
                found.append(node["mark"] if isinstance(node["mark"], dict) else {"type": node["mark"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


@pytest.fixture
def restore_renderer():
    before = alt.renderers.active
    yield
    alt.renderers.enable(before)


# ---- every builder -------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_has_title_subtitle_description_tooltips(name):
    spec = BUILDERS[name]().to_dict()
    assert spec["title"]["text"]
    assert spec["title"]["subtitle"] and all(line for line in spec["title"]["subtitle"])
    assert not spec["title"]["subtitle"][0].startswith("Nothing to show yet")
    assert len(spec["description"]) > 40
    assert channel(spec, "tooltip"), "marks need tooltips"
    assert channel(spec, "description"), "marks need a sentence each for screen readers and hover"
    for tip in [t for tips in channel(spec, "tooltip") for t in (tips if isinstance(tips, list) else [tips])]:
        assert tip.get("title"), f"tooltip field {tip.get('field')} needs a plain-English title"


@pytest.mark.parametrize("name", BUILDERS)
def test_data_rows_serialise_cleanly(name):
    rows = data_rows(BUILDERS[name]().to_dict())
    assert rows
    for row in rows:
        for key, value in row.items():
            assert not (isinstance(value, float) and np.isnan(value)), f"NaN in {key}"
            assert value != "NaT" and value != "nan"
            assert not isinstance(value, pd.Timestamp)
            if key in ("when", "date", "first") and value is not None:
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", value), value


@pytest.mark.parametrize("name", EMPTY_BUILDERS)
def test_empty_frames_give_an_empty_chart_that_says_so(name):
    chart = EMPTY_BUILDERS[name]()
    spec = chart.to_dict()
    assert data_rows(spec) == []
    assert spec["title"]["subtitle"][0].startswith("Nothing to show yet: ")
    svg = render.spec_svg(spec)  # compiles and draws
    assert svg.startswith("<svg") and "Nothing to show yet" in svg


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_pass_only_small_aggregated_frames(name):
    """The raw frames above are small; the specs carry at most a row per aggregated input row (plus drop-outs)."""
    spec = BUILDERS[name]().to_dict()
    assert len(data_rows(spec)) <= 100


# ---- chart by chart ------------------------------------------------------------------------


def test_overview_heatmap_status_colours_are_fixed_and_written_in_each_cell():
    spec = charts.overview_heatmap(status_frame()).to_dict()
    colour = channel(spec, "color")[0]
    assert colour["field"] == "status"
    assert colour["scale"]["domain"] == ["on track", "watch", "concern", "not enough records"]
    assert len(set(colour["scale"]["range"])) == 4
    text = [m for m in marks(spec) if m["type"] == "text"]
    assert text and channel(spec, "text")[0]["field"] == "cell", "every cell says its status in words"
    assert {row["cell"] for row in data_rows(spec)} <= {"on track", "watch", "concern", "not enough\nrecords"}
    assert channel(spec, "x")[0]["scale"]["domain"] == LPS
    tips = {t["field"] for t in channel(spec, "tooltip")[0]}
    assert {"rule", "evidence", "status", "site", "learning_point"} <= tips
    assert len(data_rows(spec)) == len(SITES) * 8
    # the colour is the same whatever the data: a site that is all 'concern' still gets the concern colour
    only_concern = status_frame().assign(status="concern")
    assert channel(charts.overview_heatmap(only_concern).to_dict(), "color")[0]["scale"] == colour["scale"]


def test_attendance_chart_lines_by_group_with_plain_labels_and_dropout_shapes():
    by_month, gone = by_month_frame(), dropouts_frame()
    spec = charts.attendance_chart(by_month, gone).to_dict()
    rows = data_rows(spec)
    rates = [r for r in rows if r["kind"] == "rate"]
    drops = [r for r in rows if r["kind"] == "dropout"]
    assert len(rates) == by_month["rate"].notna().sum()
    assert {r["group"] for r in rates} == {"Person with lived experience", "Carer", "Clinician"}
    # the two carers and their group share a date: one group point, one partner point naming both
    assert len(drops) == 3
    partner = next(r for r in drops if r["site"] == "Saltmere" and r["level"].startswith("One partner"))
    assert partner["people"] == "Jan, Pat"
    never = next(r for r in drops if r["site"] == SITES[2])
    assert never["when"] == "2015-03-01T00:00:00" and "Last attended: never" in never["tip"]
    shape = next(s for s in channel(spec, "shape") if s["field"] == "level")
    assert shape["scale"]["range"] == ["triangle-down", "cross"]
    size = next(s for s in channel(spec, "size") if s["field"] == "level")
    assert size["scale"]["range"][0] > size["scale"]["range"][1], "group drop-outs are drawn larger"
    assert spec["facet"]["field"] == "site"
    colour = channel(spec, "color")[0]
    assert colour["scale"]["domain"] == ["Person with lived experience", "Carer", "Clinician"]


def test_timeline_chart_shapes_by_event_and_colours_outcomes_by_change():
    spec = charts.timeline_chart(events_frame()).to_dict()
    rows = data_rows(spec)
    assert len(rows) == len(events_frame())
    assert {r["kind"] for r in rows} == {
        "Problem framing",
        "Non-negotiable",
        "Evidence plan",
        "Outcome: Behaviour or culture",
        "Outcome: Process",
        "Outcome: Service",
    }
    assert max(len(r["detail"]) for r in rows) <= 80
    shape, colour = channel(spec, "shape")[0], channel(spec, "color")[0]
    assert shape["scale"]["domain"] == charts.TIMELINE_KINDS == colour["scale"]["domain"]
    assert len(set(shape["scale"]["range"])) == len(charts.TIMELINE_KINDS)


def test_timeline_events_from_a_store(store, small_programme):
    data = load_programme(store)
    events = charts.timeline_events(data)
    assert list(events.columns) == ["site_id", "site", "date", "event", "change_type", "detail"]
    assert set(events["event"]) == {"Problem framing", "Non-negotiable"}
    framing = events[events["event"] == "Problem framing"].iloc[0]
    assert framing["site"] == "North" and framing["detail"] == "Version 1: Foot checks are late"
    assert framing["date"] == pd.Timestamp("2015-03-02") and framing["change_type"] == ""
    assert charts.timeline_chart(events).to_dict()["title"]["text"]


def test_timeline_events_with_nothing_recorded():
    frames = {
        kind: pd.DataFrame(columns=columns)
        for kind, columns in {
            "problem_framing": ["site_id", "version", "statement", "date"],
            "non_negotiable": ["site_id", "statement", "date_declared"],
            "evidence_plan": ["site_id", "indicator", "date_agreed"],
            "outcome": ["site_id", "description", "change_type", "date_observed"],
        }.items()
    }
    data = ProgrammeData(pd.DataFrame({"id": [1], "name": ["North"]}), frames)
    events = charts.timeline_events(data)
    assert events.empty and list(events.columns) == ["site_id", "site", "date", "event", "change_type", "detail"]
    assert charts.timeline_chart(events).to_dict()["title"]["subtitle"][0].startswith("Nothing to show yet")


def test_timeline_events_truncates_detail_and_drops_undated():
    frames = {
        "problem_framing": pd.DataFrame(
            {"site_id": [1], "version": [1], "statement": ["word " * 40], "date": pd.to_datetime(["2015-03-01"])}
        ),
        "non_negotiable": pd.DataFrame({"site_id": [1], "statement": ["x"], "date_declared": [pd.NaT]}),
        "evidence_plan": pd.DataFrame(
            {"site_id": [1], "indicator": ["y"], "date_agreed": pd.to_datetime(["2015-04-01"])}
        ),
        "outcome": pd.DataFrame(
            {
                "site_id": [1],
                "description": ["z"],
                "change_type": ["process"],
                "date_observed": pd.to_datetime(["2015-05-01"]),
            }
        ),
    }
    events = charts.timeline_events(ProgrammeData(pd.DataFrame({"id": [1], "name": ["North"]}), frames))
    assert list(events["event"]) == ["Problem framing", "Evidence plan", "Outcome"]
    assert len(events["detail"].iloc[0]) == 80 and events["detail"].iloc[0].endswith("…")
    assert list(events["change_type"]) == ["", "", "process"]


def test_change_progression_joins_kinds_in_order_and_omits_never_reached():
    spec = charts.change_progression_chart(first_change_frame()).to_dict()
    rows = data_rows(spec)
    assert len(rows) == 5  # the second site never reached a service change
    assert not [r for r in rows if r["site"] == SITES[2] and r["change"] == "Service"]
    line = next(m for m in marks(spec) if m["type"] == "line")
    assert line["aria"] is False
    order = channel(spec, "order")[0]
    assert order["field"] == "rank"
    assert [r["rank"] for r in rows if r["site"] == "Saltmere"] == [0, 1, 2]
    shape = channel(spec, "shape")[0]
    assert shape["scale"]["domain"] == ["Behaviour or culture", "Process", "Service"]


def test_ladder_chart_steps_labelled_one_to_seven_and_stages_in_order():
    spec = charts.ladder_chart(ladder_frame()).to_dict()
    y = next(y for y in channel(spec, "y") if y.get("axis"))
    assert y["scale"]["domain"] == [1, 7] and y["axis"]["values"] == list(range(1, 8))
    assert "1 Coercion" in y["axis"]["labelExpr"] and "7 Co-production" in y["axis"]["labelExpr"]
    x = channel(spec, "x")[0]
    assert x["scale"]["domain"] == ["Problem identification", "Design", "Delivery", "Evaluation"]
    assert len(data_rows(spec)) == len(ladder_frame())
    assert spec["facet"]["field"] == "site"


def test_gap_chart_pairs_staff_and_lived_faceted_by_site_and_wave_with_flags():
    spec = charts.self_assessment_gap_chart(gap_frame()).to_dict()
    assert spec["facet"]["row"]["field"] == "site" and spec["facet"]["column"]["field"] == "wave"
    rows = data_rows(spec)
    assert len(rows) == len(gap_frame())
    rule = next(m for m in marks(spec) if m["type"] == "rule")
    assert rule
    assert any(r["flagged"] for r in rows) and any(not r["flagged"] for r in rows)
    flagged = next(r for r in rows if r["flagged"])
    assert "1 point or more" in flagged["tip"]
    missing = next(r for r in rows if r["learning_point"] == "LP8")
    assert missing["lived_mean"] is None and missing["gap"] is None
    shape = next(s for s in channel(spec, "shape") if s["field"] == "who")
    assert shape["scale"]["range"] == ["circle", "square"]


def test_reflection_chart_writes_each_mean_in_its_cell_and_greys_what_is_not_read():
    spec = charts.reflection_chart(reflection_frame()).to_dict()
    rows = data_rows(spec)
    assert len(rows) == len(reflection_frame()) == len(SITES) * 5
    assert channel(spec, "text")[0]["field"] == "cell", "the mean is written, not only shaded"
    cells = {(r["site"], r["standard"]): r["cell"] for r in rows}
    assert cells["Saltmere", "Principles"] == "2.0 (gap 1.5)" and cells["Saltmere", "Purpose"] == "2.5"
    assert cells["Saltmere", "Process"] == "2 rated" and cells[SITES[2], "Impact"] == "none yet"
    colour = channel(spec, "color")[0]
    assert colour["condition"]["test"] == "datum.judged" and colour["condition"]["scale"]["domain"] == [1, 5]
    assert colour["value"] == "#DDDDDD", "too few ratings: pale grey, and the cell says why"
    assert [r["judged"] for r in rows if r["standard"] == "Process"] == [False, False]
    x = channel(spec, "x")[0]
    assert x["scale"]["domain"] == ["Principles", "Purpose", "Presence", "Process", "Impact"]
    tips = {t["field"] for t in channel(spec, "tooltip")[0]}
    assert {"site", "standard", "reading", "rated", "dont_know", "notes"} <= tips
    thin = next(r for r in rows if r["site"] == "Saltmere" and r["standard"] == "Purpose")
    assert thin["tip"].startswith("Saltmere, Purpose (") and "1 written notes, not shown" in thin["tip"]
    html = render.chart_html(charts.reflection_chart(reflection_frame()), embed="svg")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


# ---- bounded size --------------------------------------------------------------------------


def aggregate_attendance(raw: pd.DataFrame) -> pd.DataFrame:
    """A small stand-in for the indicator: raw attendance rows -> one row per site, month and group."""
    raw = raw.assign(month=raw["date"].dt.to_period("M").dt.to_timestamp())
    out = raw.groupby(["site_id", "site", "month", "role_group"], as_index=False).agg(
        activities=("activity_id", "nunique"),
        expected=("expected", "sum"),
        attended=("attended", "sum"),
        contributed=("contributed", "sum"),
    )
    out["rate"] = out["attended"] / out["expected"]
    return out


def test_attendance_spec_does_not_grow_with_raw_rows():
    rng = np.random.default_rng(1)
    n = 200_000
    raw = pd.DataFrame(
        {
            "site_id": rng.integers(1, 7, n),
            "date": pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D"),
            "role_group": rng.choice(["carer", "clinician", "manager", "lived_experience"], n),
            "activity_id": rng.integers(1, 400, n),
            "expected": 1,
            "attended": rng.integers(0, 2, n),
            "contributed": rng.integers(0, 2, n),
        }
    )
    raw["site"] = "Site " + raw["site_id"].astype(str)
    by_month = aggregate_attendance(raw)
    spec = charts.attendance_chart(by_month, dropouts_frame().head(0)).to_dict()
    assert len(data_rows(spec)) == len(by_month) <= 6 * 18 * 4


@pytest.mark.parametrize(
    "name, build, rows",
    [
        ("timeline", lambda n: charts.timeline_chart(pd.concat([events_frame()] * n, ignore_index=True)), 6),
        ("overview", lambda n: charts.overview_heatmap(status_frame({i: f"Site {i}" for i in range(n)})), 8),
        ("gap", lambda n: charts.self_assessment_gap_chart(gap_frame({i: f"Site {i}" for i in range(n)}, 1)), 8),
        ("reflection", lambda n: charts.reflection_chart(reflection_frame({i: f"Site {i}" for i in range(n)})), 5),
        (
            "attendance",
            lambda n: charts.attendance_chart(
                by_month_frame({i: f"S{i}" for i in range(n)}, 24, ("carer",)), dropouts_frame()
            ),
            24,
        ),
    ],
)
def test_huge_indicator_frames_are_capped_below_altairs_limit(name, build, rows):
    chart = build(2000)  # 12,000 to 48,000 input rows
    spec = chart.to_dict()  # no MaxRowsError
    assert len(data_rows(spec)) == charts.MAX_ROWS
    assert any(line.startswith(f"Showing the first {charts.MAX_ROWS:,} of") for line in spec["title"]["subtitle"])


# ---- offline rendering ---------------------------------------------------------------------


def urls(text: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", text))


@pytest.mark.parametrize("embed", render.EMBEDS)
def test_chart_html_fetches_nothing(embed):
    html = render.chart_html(BUILDERS["overview_heatmap"](), embed=embed)
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "cdn" not in html.lower() and "<link" not in html and "@import" not in html
    inside = [html]
    for data in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html):
        inside.append(base64.b64decode(data).decode("utf-8"))
    for text in inside:
        assert urls(text) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls(text)
    assert ("<script>" in html) == (embed == "auto")
    assert ("<img " in html) == (embed != "svg")


def test_chart_html_is_a_figure_with_an_escaped_caption_and_mark_titles():
    html = render.chart_html(BUILDERS["overview_heatmap"](), embed="svg")
    assert html.startswith('<figure class="coprod-chart"') and html.endswith("</figure>")
    caption = re.search(r"<figcaption[^>]*>(.*)</figcaption>", html).group(1)
    assert caption.startswith("Learning points at a glance Each row is a site")
    assert "<b>" not in html and "<script>alert" not in html and "&lt;b&gt;" in html
    titles = re.findall(r"<title>(.*?)</title>", html)
    assert len(titles) == len(SITES) * 8  # one per cell; the words on the cells are not read twice
    assert titles[0].startswith("Fen &lt;b&gt;wick&lt;/b&gt; &amp; Co, LP1 (The problem is identified together)")
    assert 'aria-label="Grid of the status' in html


def test_auto_embed_carries_the_same_svg_as_an_image():
    chart = BUILDERS["timeline_chart"]()
    auto, svg = render.chart_html(chart, embed="auto"), render.spec_svg(chart.to_dict())
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', auto).group(1)
    assert base64.b64decode(data).decode("utf-8") == svg
    assert 'alt="What happened when, site by site Timeline, one band per site' in auto


def test_svg_geometry_is_rounded_and_ids_are_made_unique():
    svg = render.spec_svg(BUILDERS["attendance_chart"]().to_dict())
    assert not re.search(r'(?<![\w-])(?:transform|d)="[^"]*\d\.\d{3}', svg)
    made = render._unique_ids('<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/>', "p")
    assert made == '<clipPath id="p-clip1"/><g clip-path="url(#p-clip1)"/><use href="#p-clip1"/>'


def test_tooltip_titles_survive_awkward_text():
    raw = (
        '<svg><path role="graphics-symbol" aria-label="a &gt; b; &quot;c&quot;" d="M0,0"/>'
        '<text role="graphics-symbol" aria-label="x">x</text><path aria-hidden="true" d="M1,1"/></svg>'
    )
    assert render._with_tooltips(raw) == (
        '<svg><path role="graphics-symbol" d="M0,0"><title>a &gt; b; &quot;c&quot;</title></path>'
        '<text role="graphics-symbol"><title>x</title>x</text><path aria-hidden="true" d="M1,1"/></svg>'
    )


def test_renderer_is_enabled_idempotently_and_displays_html(restore_renderer):
    render.enable_offline_charts()
    render.enable_offline_charts()
    assert alt.renderers.active == "coprod"
    assert list(alt.renderers.names()).count("coprod") == 1
    bundle = BUILDERS["ladder_chart"]()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(bundle) == {"text/html"}
    assert bundle["text/html"].startswith('<figure class="coprod-chart"') and "<img " in bundle["text/html"]
    render.enable_offline_charts(embed="svg")
    bundle = BUILDERS["ladder_chart"]()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "<img " not in bundle["text/html"] and "<svg " in bundle["text/html"]
    with pytest.raises(ValueError, match="embed must be one of"):
        render.enable_offline_charts(embed="png")


def test_save_offline_writes_a_standalone_page(tmp_path):
    path = render.save_offline(
        [BUILDERS["overview_heatmap"](), BUILDERS["ladder_chart"]()], tmp_path / "c.html", title="Two <charts>"
    )
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert page.count('<figure class="coprod-chart"') == 2 and "<script" not in page
    assert "<title>Two &lt;charts&gt;</title>" in page


def test_demo_programme_charts_stay_small(demo_db_url):
    """The six-site demo end to end: indicator frames in, bounded specs and SVGs out."""
    from coprod_widgets.evaluation import indicators as ind
    from coprod_widgets.store import Store

    store = Store.open(demo_db_url)
    try:
        data = load_programme(store)
    finally:
        store.close()
    args = [data.sites, data["partner"], data["activity"], data["attendance"]]
    built = [
        charts.overview_heatmap(ind.overview_status(data)),
        charts.attendance_chart(ind.attendance_by_group_month(*args), ind.dropouts(*args, n=3)),
        charts.timeline_chart(charts.timeline_events(data)),
        charts.change_progression_chart(ind.first_change(data.sites, data["outcome"])),
        charts.ladder_chart(ind.ladder_by_stage(data.sites, data["activity"])),
        charts.self_assessment_gap_chart(ind.staff_lived_gap(data.sites, data["self_assessment"])),
        charts.reflection_chart(ind.reflection_by_site(data.sites, data["reflection_4pi"])),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert 0 < len(data_rows(spec)) < 1000
        assert len(render.chart_html(chart)) < 400_000


# ---- a real browser, no network ------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("embed", ["svg", "auto"])
def test_saved_page_draws_its_charts_with_the_network_blocked(tmp_path, embed):
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    path = render.save_offline(
        [BUILDERS["overview_heatmap"](), BUILDERS["timeline_chart"]()], tmp_path / "charts.html", embed=embed
    )
    asked = []

    def only_files(route):
        asked.append(route.request.url)
        return route.continue_() if route.request.url.startswith("file://") else route.abort()

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context()
            context.route("**/*", only_files)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(path.as_uri())
            figures = page.locator("figure.coprod-chart")
            assert figures.count() == 2
            for index in range(2):
                svg = figures.nth(index).locator("svg")
                assert svg.count() == 1, "the inline SVG is in the page (upgraded from the image in auto mode)"
                box = svg.bounding_box()
                assert box["width"] > 300 and box["height"] > 100
            assert page.locator("figure.coprod-chart svg .mark-rect.role-mark path").count() == len(SITES) * 8
            assert page.locator("figure.coprod-chart svg .mark-symbol.role-mark path").count() == len(events_frame())
            first_cell = page.locator("figure.coprod-chart svg .mark-rect.role-mark path title").first.text_content()
            assert first_cell.startswith("Fen <b>wick</b> & Co, LP1")
            # pointing at the word on a cell reaches the cell and its title (the browser's tooltip)
            box = page.locator("figure.coprod-chart svg .mark-rect.role-mark path").first.bounding_box()
            hit = page.evaluate(
                "([x, y]) => { const e = document.elementFromPoint(x, y); "
                "return e.tagName + ': ' + (e.querySelector('title') || {}).textContent; }",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
            )
            assert hit.startswith("path: Fen <b>wick</b> & Co, LP1")
            assert errors == []
            assert [url for url in asked if not url.startswith("file://")] == []
        finally:
            browser.close()


def test_likert_bars_diverge_from_zero_and_hidden_counts_are_said_not_drawn():
    spec = charts.likert_chart(likert_bars(), AGREE, "Partners' views", "Question").to_dict()
    rows = data_rows(spec)
    agreed = [r for r in rows if r["row"] == "The problem was agreed"]
    assert {r["answer"] for r in agreed} == {"Neither agree nor disagree", "Agree"}, "2, then the next smallest, hidden"
    assert all(r["label"].endswith("(some counts under 5 hidden)") for r in agreed)
    listened = {r["answer"]: r for r in rows if r["row"].startswith("I was")}
    assert listened["Strongly disagree"]["start"] == pytest.approx(-11 / 32, abs=1e-3)
    assert listened["Strongly agree"]["end"] == pytest.approx(21 / 32, abs=1e-3)
    svg = render.spec_svg(spec)
    assert "&lt;b&gt;listened" in svg and "<b>listened" not in svg
