"""The status heatmap: every site against every learning point."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import LEARNING_POINTS
from ._common import (
    AXIS,
    LEGEND,
    LPS,
    STATUS_CELL_TEXT,
    STATUS_COLOURS,
    STATUSES,
    _cap,
    _data,
    _finish,
    _rows,
    _sentences,
    _short,
    _text,
    _title,
)


def overview_heatmap(status: pd.DataFrame) -> alt.LayerChart:
    """Sites (rows) by learning points (columns); each cell coloured and labelled with its status.

    Rows given to Altair: one per site and learning point (sites x 8), at most MAX_ROWS.
    """
    frame = pd.DataFrame(
        {
            "site": _text(status["site"]),
            "learning_point": _text(status["learning_point"]),
            "status": _text(status["status"]),
            "rule": _short(status["rule"], 200),
            "evidence": _short(status["evidence"], 200),
        }
    ).sort_values(["site", "learning_point"], kind="stable")
    frame["meaning"] = frame["learning_point"].str.lower().map(LEARNING_POINTS).fillna("").astype(object)
    frame["cell"] = frame["status"].map(lambda status: STATUS_CELL_TEXT.get(status, status)).astype(object)
    frame, note = _cap(frame)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}, {r.learning_point} ({r.meaning}): {r.status}",
            f"Why: {r.rule}" if r.rule else "",
            f"Evidence: {r.evidence}" if r.evidence else "",
        ),
    )
    tooltip = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("learning_point:N", title="Learning point"),
        alt.Tooltip("meaning:N", title="What it means"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("rule:N", title="Rule"),
        alt.Tooltip("evidence:N", title="Evidence"),
    ]
    base = alt.Chart(_data(frame)).encode(
        x=alt.X(
            "learning_point:N",
            title="Learning point",
            scale=alt.Scale(domain=LPS),
            axis=alt.Axis(orient="top", labelAngle=0, **AXIS),
        ),
        y=alt.Y("site:N", title="Site", sort=sorted(frame["site"].unique()), axis=alt.Axis(**AXIS)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            title="Status",
            scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS),
            legend=alt.Legend(**LEGEND),
        ),
        description="tip:N",
    )
    words = base.mark_text(fontSize=12, color="black", aria=False, lineBreak="\n").encode(text="cell:N")
    title = _title(
        "Learning points at a glance",
        [
            "Each row is a site and each column a learning point (LP1 to LP8).",
            "Each cell says 'on track', 'watch', 'concern' or 'not enough records' (too few records to judge);",
            "hover over a cell for the rule and the evidence.",
        ],
        frame.empty,
        "no learning-point statuses for the sites and dates chosen.",
        note,
    )
    description = (
        "Grid of the status of the eight learning points at each site. Each cell is labelled on "
        "track, watch, concern or not enough records, and coloured green, yellow, red or grey to match."
    )
    chart = alt.layer(cells, words).properties(width=alt.Step(84), height=alt.Step(38))
    return _finish(chart, title, description)
