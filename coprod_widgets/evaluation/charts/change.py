"""The order in which kinds of change first appeared at each site."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import ChangeType
from ._common import (
    AXIS,
    CHANGE_COLOURS,
    CHANGE_SHAPES,
    CHANGES,
    LEGEND,
    _cap,
    _data,
    _day,
    _finish,
    _labels,
    _num,
    _rows,
    _sentences,
    _site_axis,
    _text,
    _title,
)


def change_progression_chart(first_change: pd.DataFrame) -> alt.LayerChart:
    """Months from the start to the first change of each kind, per site, joined behaviour -> process -> service.

    Rows given to Altair: at most one per site and change type (sites x 3), at most MAX_ROWS.
    """
    frame = (
        pd.DataFrame(
            {
                "site": _text(first_change["site"]),
                "change": _labels(first_change["change_type"], ChangeType),
                "rank": _text(first_change["change_type"]).map({m.value: i for i, m in enumerate(ChangeType)}),
                "months": pd.to_numeric(first_change["months_from_start"], errors="coerce").astype(float).round(1),
                "first": pd.to_datetime(first_change["first_observed"]),
                "order": pd.to_numeric(first_change["order"], errors="coerce").astype(float),
            }
        )
        .dropna(subset=["months", "rank"])
        .sort_values(["site", "rank"], kind="stable")
    )
    frame, note = _cap(frame)
    ordinal = {1: "first", 2: "second", 3: "third"}
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}: first {r.change.lower()} change {_num(r.months)} months after the start ({_day(r.first)})",
            f"The {ordinal[int(r.order)]} kind of change seen at this site" if r.order in ordinal else "",
        ),
    )
    sites = sorted(frame["site"].unique())
    encode = {
        "x": alt.X(
            "months:Q", title="Months since the site started", axis=alt.Axis(**AXIS), scale=alt.Scale(zero=True)
        ),
        "y": _site_axis(sites),
        "yOffset": alt.YOffset("change:N", scale=alt.Scale(domain=CHANGES, paddingOuter=0.8)),
    }
    data = _data(frame)
    path = (
        alt.Chart(data)
        .mark_line(color="#777777", strokeWidth=1.5, aria=False)
        .encode(**encode, detail="site:N", order=alt.Order("rank:Q"))
    )
    marks = (
        alt.Chart(data)
        .mark_point(filled=True, size=150, opacity=1, stroke="black", strokeWidth=0.5)
        .encode(
            **encode,
            shape=alt.Shape(
                "change:N",
                title="Kind of change",
                scale=alt.Scale(domain=CHANGES, range=CHANGE_SHAPES),
                legend=alt.Legend(**LEGEND),
            ),
            color=alt.Color("change:N", title="Kind of change", scale=alt.Scale(domain=CHANGES, range=CHANGE_COLOURS)),
            description="tip:N",
            tooltip=[
                alt.Tooltip("site:N", title="Site"),
                alt.Tooltip("change:N", title="Kind of change"),
                alt.Tooltip("first:T", title="First seen", format="%d %B %Y"),
                alt.Tooltip("months:Q", title="Months since start", format=".1f"),
                alt.Tooltip("order:Q", title="Order seen at this site"),
            ],
        )
    )
    title = _title(
        "Which kind of change came first",
        [
            "For each site: months from the start to the first behaviour or culture change (up), process change "
            "(right) and service change (down).",
            "The grey line joins them in that order; where it runs to the left, a later kind of change came first. "
            "Kinds not seen yet are left out.",
        ],
        frame.empty,
        "no outcomes with a date for the sites chosen.",
        note,
    )
    description = (
        "Dot chart, one band per site, of the months from the site's start to its first behaviour or "
        "culture change, first process change and first service change, joined in that order."
    )
    chart = alt.layer(path, marks).properties(width=560, height=54 * max(1, len(sites)))
    return _finish(chart, title, description)
