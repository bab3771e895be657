"""Charts for many sites: how many sites have each status, and how a figure is spread across the sites.

Both draw one row per learning point or category whatever the number of sites, so they stay the same
size at 600 sites as at 13.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import LEARNING_POINTS
from ._common import (
    AXIS,
    LEGEND,
    LPS,
    STATUS_COLOURS,
    STATUSES,
    _data,
    _finish,
    _num,
    _rows,
    _sentences,
    _text,
    _title,
)

#: Column headings of the status grid: the status in words, so colour is never the only signal.
STATUS_HEADINGS = {
    "on track": "On track",
    "watch": "Watch",
    "concern": "Concern",
    "not enough records": "Too few records",
}


def status_distribution_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Learning points (rows) by status (columns); each cell gives how many sites have that status.

    ``counts`` as :func:`coprod_widgets.evaluation.scale.status_counts` gives it. Rows given to Altair: 32.
    """
    frame = pd.DataFrame(
        {
            "learning_point": _text(counts["learning_point"]),
            "status": _text(counts["status"]),
            "sites": pd.to_numeric(counts["sites"], errors="coerce").fillna(0).astype(int),
            "total": pd.to_numeric(counts["total"], errors="coerce").fillna(0).astype(int),
        }
    )
    frame["heading"] = frame["status"].map(STATUS_HEADINGS).fillna(frame["status"]).astype(object)
    frame["meaning"] = frame["learning_point"].str.lower().map(LEARNING_POINTS).fillna("").astype(object)
    frame["cell"] = frame["sites"].map(lambda n: f"{n} site" if n == 1 else f"{n} sites").astype(object)
    frame["shade"] = (frame["sites"] / frame["total"].where(frame["total"] > 0)).fillna(0).round(3)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(f"{r.learning_point} ({r.meaning}): {r.sites} of {r.total} sites {r.status}"),
    )
    empty = int(frame["total"].max() if len(frame) else 0) == 0
    frame = frame.head(0) if empty else frame  # no zeros drawn as if they were counts
    headings = [STATUS_HEADINGS[s] for s in STATUSES]
    base = alt.Chart(_data(frame)).encode(
        x=alt.X(
            "heading:N",
            title="Status",
            scale=alt.Scale(domain=headings),
            axis=alt.Axis(orient="top", labelAngle=0, **AXIS),
        ),
        y=alt.Y("learning_point:N", title="Learning point", scale=alt.Scale(domain=LPS), axis=alt.Axis(**AXIS)),
        tooltip=[
            alt.Tooltip("learning_point:N", title="Learning point"),
            alt.Tooltip("meaning:N", title="What it means"),
            alt.Tooltip("heading:N", title="Status"),
            alt.Tooltip("sites:Q", title="Sites"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            title="Status",
            scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS),
            legend=alt.Legend(**LEGEND),
        ),
        opacity=alt.Opacity("shade:Q", scale=alt.Scale(domain=[0, 1], range=[0.15, 1]), legend=None),
        description="tip:N",
    )
    words = base.mark_text(fontSize=12, color="black", aria=False).encode(text="cell:N")
    title = _title(
        "How many sites have each status",
        [
            "Each row is a learning point and each column a status; each cell counts the sites with it.",
            "The stronger the colour, the larger the share of sites. The sites that need a look are listed below.",
        ],
        empty,
        "no learning-point statuses for the sites and dates chosen.",
    )
    description = (
        "Grid of counts: for each of the eight learning points, how many sites are on track, on watch, a concern, "
        "or have too few records to judge. Each cell gives the count in words."
    )
    chart = alt.layer(cells, words).properties(width=alt.Step(120), height=alt.Step(34))
    return _finish(chart, title, description)


def _extent(row, unit: str) -> str:
    if not row.sites:
        return "no site has one yet"
    median = f"{_num(row.median)} {unit}".strip()
    if row.low == row.high:
        return f"{median} at every site with one"
    middle = f"middle half of sites {_num(row.q1)} to {_num(row.q3)}"
    return f"median {median}; {middle}; range {_num(row.low)} to {_num(row.high)}"


def spread_chart(
    spread: pd.DataFrame,
    title: str,
    category_title: str,
    value_title: str,
    unit: str,
    how_to_read: list[str],
    nothing: str,
    domain: tuple[float, float] | None = None,
) -> alt.LayerChart:
    """One row per category: a line from the lowest site to the highest, a box over the middle half of the
    sites, a tick at the median, and at the right how many sites have a figure and how many have none.

    ``spread`` as :func:`coprod_widgets.evaluation.scale.spread` gives it; ``domain`` fixes the axis (a rating
    scale's ends), which otherwise starts at 0. Rows given to Altair: one per category.
    """
    frame = spread.copy()
    frame["category"] = _text(frame["category"])
    for column in ("low", "q1", "median", "q3", "high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float).round(2)
    frame["count"] = _rows(
        frame,
        lambda r: f"{r.sites} of {r.sites + r.none} sites" + (f" ({r.none} none yet)" if r.none else ""),
    )
    frame["tip"] = _rows(frame, lambda r: _sentences(f"{r.category}: {_extent(r, unit)}", f"{r.count}"))
    categories = list(frame["category"])
    empty = int(frame["sites"].sum()) == 0
    frame = frame.head(0) if empty else frame
    y = alt.Y("category:N", title=category_title, sort=categories, axis=alt.Axis(**AXIS))
    x_scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=True, nice=True)
    data = _data(frame)
    tooltip = [
        alt.Tooltip("category:N", title=category_title),
        alt.Tooltip("median:Q", title="Median", format=".1f"),
        alt.Tooltip("q1:Q", title="Lower quartile", format=".1f"),
        alt.Tooltip("q3:Q", title="Upper quartile", format=".1f"),
        alt.Tooltip("low:Q", title="Lowest", format=".1f"),
        alt.Tooltip("high:Q", title="Highest", format=".1f"),
        alt.Tooltip("count:N", title="Sites"),
    ]
    line = (
        alt.Chart(data)
        .mark_rule(color="#555555", strokeWidth=1.5, aria=False)
        .encode(x=alt.X("low:Q", title=value_title, scale=x_scale, axis=alt.Axis(**AXIS)), x2="high:Q", y=y)
    )
    box = (
        alt.Chart(data)
        .mark_bar(color="#56B4E9", stroke="#0072B2", strokeWidth=1, size=18)
        .encode(x="q1:Q", x2="q3:Q", y=y, description="tip:N", tooltip=tooltip)
    )
    median = alt.Chart(data).mark_tick(color="black", thickness=3, size=24, aria=False).encode(x="median:Q", y=y)
    counts = (
        alt.Chart(data)
        .mark_text(align="left", dx=8, fontSize=12, color="black", aria=False)
        .encode(y=y, x=alt.value(500), text="count:N")
    )
    chart_title = _title(
        title,
        [
            *how_to_read,
            "Line: lowest to highest site. Box: the middle half of the sites. Black tick: the median site.",
        ],
        empty,
        nothing,
    )
    description = (
        f"For each {category_title.lower()}, how {value_title.lower()} is spread across the sites: lowest, "
        "middle half and highest, with the median marked, and how many sites have none yet."
    )
    chart = alt.layer(line, box, median, counts).properties(width=480, height=alt.Step(40))
    return _finish(chart, chart_title, description)
