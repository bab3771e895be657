"""The Ladder of Co-production by stage, and the gap between staff and lived-experience ratings."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import Stage
from ._common import (
    AXIS,
    HEADER,
    LEGEND,
    LPS,
    STAGES,
    STEP_NAMES,
    _cap,
    _count,
    _data,
    _finish,
    _labels,
    _num,
    _rows,
    _sentences,
    _text,
    _title,
)


def ladder_chart(ladder: pd.DataFrame) -> alt.FacetChart:
    """Median and highest Ladder step of each site's activities at each stage, one panel per site.

    Rows given to Altair: one per site and stage (sites x 4), at most MAX_ROWS.
    """
    frame = pd.DataFrame(
        {
            "site": _text(ladder["site"]),
            "stage": _labels(ladder["stage"], Stage),
            "activities": pd.to_numeric(ladder["activities"], errors="coerce"),
            "median_step": pd.to_numeric(ladder["median_step"], errors="coerce").astype(float),
            "max_step": pd.to_numeric(ladder["max_step"], errors="coerce").astype(float),
        }
    ).sort_values("site", kind="stable")
    frame, note = _cap(frame)

    def step(value) -> str:
        return _num(value) + (f" ({STEP_NAMES[int(value)].lower()})" if value in STEP_NAMES else "")

    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}, {r.stage.lower()}: median step {step(r.median_step)}, highest step {step(r.max_step)}, "
            f"over {_count(r.activities, 'activity', 'activities')}"
        ),
    )
    x = alt.X("stage:N", title="Stage", scale=alt.Scale(domain=STAGES), axis=alt.Axis(labelAngle=-30, **AXIS))
    labels = ["", *(f"{value} {name}" for value, name in STEP_NAMES.items())]
    y_axis = alt.Axis(values=list(STEP_NAMES), labelExpr=f"{labels}[datum.value]", **AXIS)
    y_title, y_scale = "Ladder of Co-production step", alt.Scale(domain=[1, 7], nice=False)
    tips = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("activities:Q", title="Activities"),
        alt.Tooltip("median_step:Q", title="Median step"),
        alt.Tooltip("max_step:Q", title="Highest step"),
    ]
    span = (
        alt.Chart()
        .mark_rule(color="#999999", strokeWidth=2, aria=False)
        .encode(x=x, y=alt.Y("median_step:Q", title=y_title, scale=y_scale, axis=y_axis), y2="max_step:Q")
    )
    which = ["Median step", "Highest step reached"]
    marks = (
        alt.Chart()
        .transform_fold(["median_step", "max_step"], as_=["measure", "step"])
        .transform_calculate(measure=f"datum.measure == 'median_step' ? '{which[0]}' : '{which[1]}'")
        .mark_point(filled=True, size=120, opacity=1)
        .encode(
            x=x,
            y=alt.Y("step:Q", title=y_title, scale=y_scale, axis=y_axis),
            shape=alt.Shape(
                "measure:N",
                title="Step",
                scale=alt.Scale(domain=which, range=["circle", "triangle-up"]),
                legend=alt.Legend(**LEGEND),
            ),
            color=alt.Color("measure:N", title="Step", scale=alt.Scale(domain=which, range=["#0072B2", "#E69F00"])),
            description="tip:N",
            tooltip=tips,
        )
    )
    chart = (
        alt.layer(span, marks, data=_data(frame))
        .properties(width=220, height=210)
        .facet(facet=alt.Facet("site:N", title=None, header=alt.Header(**HEADER)), columns=3)
    )
    title = _title(
        "How far up the Ladder of Co-production, stage by stage",
        [
            "One panel per site. Steps run from 1 (coercion) to 7 (co-production).",
            "The circle is the median step of the site's activities at that stage; the triangle is the highest step "
            "reached.",
        ],
        frame.empty,
        "no activities with a Ladder step for the sites and dates chosen.",
        note,
    )
    description = (
        "Dot charts, one per site, of the median and highest Ladder of Co-production step of its "
        "activities at each stage: problem identification, design, delivery and evaluation."
    )
    return _finish(chart, title, description)


def self_assessment_gap_chart(gap: pd.DataFrame) -> alt.FacetChart:
    """Staff and lived-experience mean scores per learning point, a panel per site and wave, gaps flagged.

    Rows given to Altair: one per site, wave and learning point (sites x waves x 8), at most MAX_ROWS.
    """
    frame = pd.DataFrame(
        {
            "site": _text(gap["site"]),
            "wave": pd.to_numeric(gap["wave"], errors="coerce"),
            "learning_point": _text(gap["learning_point"]),
            **{
                c: pd.to_numeric(gap[c], errors="coerce").astype(float).round(2)
                for c in ("staff_mean", "lived_mean", "gap")
            },
            "flagged": gap["flagged"].astype(object).where(gap["flagged"].notna(), False).astype(bool),
        }
    ).sort_values(["site", "wave", "learning_point"], kind="stable")
    frame, note = _cap(frame)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}, wave {_num(r.wave, 0)}, {r.learning_point}: staff mean {_num(r.staff_mean, 2)}, "
            f"lived-experience mean {_num(r.lived_mean, 2)}",
            f"A gap of {_num(abs(r.gap), 2)}, 1 point or more" if r.flagged else "",
        ),
    )
    y = alt.Y("learning_point:N", title="Learning point", scale=alt.Scale(domain=LPS), axis=alt.Axis(**AXIS))
    x_scale = alt.Scale(domain=[1, 5], nice=False)
    tips = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("wave:Q", title="Wave"),
        alt.Tooltip("learning_point:N", title="Learning point"),
        alt.Tooltip("staff_mean:Q", title="Staff mean"),
        alt.Tooltip("lived_mean:Q", title="Lived-experience mean"),
        alt.Tooltip("gap:Q", title="Gap"),
        alt.Tooltip("flagged:N", title="Gap of 1 or more"),
    ]
    both = "isValid(datum.staff_mean) && isValid(datum.lived_mean)"
    link = (
        alt.Chart()
        .transform_filter(both)
        .mark_rule(aria=False)
        .encode(
            x=alt.X("staff_mean:Q", scale=x_scale),
            x2="lived_mean:Q",
            y=y,
            tooltip=tips,
            color=alt.condition("datum.flagged", alt.value("#D55E00"), alt.value("#AAAAAA")),
            strokeWidth=alt.condition("datum.flagged", alt.value(4), alt.value(1.5)),
        )
    )
    who = ["Staff", "People with lived experience"]
    dots = (
        alt.Chart()
        .transform_fold(["staff_mean", "lived_mean"], as_=["who", "score"])
        .transform_calculate(who=f"datum.who == 'staff_mean' ? '{who[0]}' : '{who[1]}'")
        .transform_filter("isValid(datum.score)")
        .mark_point(filled=True, size=90, opacity=1)
        .encode(
            x=alt.X("score:Q", title="Mean score (1 = not at all, 5 = fully)", scale=x_scale, axis=alt.Axis(**AXIS)),
            y=y,
            shape=alt.Shape(
                "who:N",
                title="Who answered",
                scale=alt.Scale(domain=who, range=["circle", "square"]),
                legend=alt.Legend(**LEGEND),
            ),
            color=alt.Color("who:N", title="Who answered", scale=alt.Scale(domain=who, range=["#0072B2", "#E69F00"])),
            description="tip:N",
            tooltip=tips,
        )
    )
    flags = (
        alt.Chart()
        .transform_filter(f"datum.flagged && {both}")
        .transform_calculate(
            right="max(datum.staff_mean, datum.lived_mean)", label="'gap ' + format(abs(datum.gap), '.1f')"
        )
        .mark_text(align="left", dx=9, fontSize=11, fontWeight="bold", color="#000000", aria=False)
        .encode(x=alt.X("right:Q", scale=x_scale), y=y, text="label:N")
    )
    chart = (
        alt.layer(link, dots, flags, data=_data(frame))
        .properties(width=260, height=alt.Step(20))
        .facet(
            row=alt.Row("site:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", **HEADER)),
            column=alt.Column(
                "wave:O", title=None, header=alt.Header(labelExpr="'Wave ' + datum.value", labelFontSize=13)
            ),
        )
    )
    title = _title(
        "Do staff and people with lived experience see it the same way?",
        [
            "Each line joins the staff mean score (circle) and the lived-experience mean score (square) for one "
            "learning point, by site (rows) and survey wave (columns).",
            "Thick red lines, labelled 'gap', differ by 1 point or more.",
        ],
        frame.empty,
        "no self-assessments from both staff and people with lived experience.",
        note,
    )
    description = (
        "Paired dot charts of the mean self-assessment score of staff and of people with lived "
        "experience for each learning point, per site and survey wave, with gaps of one point or "
        "more drawn thick and labelled."
    )
    return _finish(chart, title, description)
