"""Each site's dated events in one band: framings, non-negotiables, evidence plans, outcomes."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import ChangeType
from ._common import (
    AXIS,
    EVENTS,
    LEGEND,
    TIMELINE_COLOURS,
    TIMELINE_KINDS,
    TIMELINE_SHAPES,
    _cap,
    _data,
    _day,
    _finish,
    _labels,
    _rows,
    _sentences,
    _short,
    _site_axis,
    _text,
    _title,
)


def timeline_events(data) -> pd.DataFrame:
    """Dated events of a :class:`~coprod_widgets.evaluation.data.ProgrammeData`, one row per record:
    problem framings, non-negotiables, evidence-plan items and outcomes. Undated records are left out.

    Columns: site_id, site, date, event, change_type (code; '' except for outcomes), detail (<= 80 characters).
    """
    framing = data["problem_framing"]
    sources = [  # (record type, date column, detail, event, change type column)
        (
            "problem_framing",
            "date",
            "Version " + _text(framing["version"]) + ": " + _text(framing["statement"]),
            EVENTS[0],
            None,
        ),
        ("non_negotiable", "date_declared", "statement", EVENTS[1], None),
        ("evidence_plan", "date_agreed", "indicator", EVENTS[2], None),
        ("outcome", "date_observed", "description", EVENTS[3], "change_type"),
    ]
    parts = []
    for kind, date, detail, event, change in sources:
        frame = data[kind]
        parts.append(
            pd.DataFrame(
                {
                    "site_id": frame["site_id"],
                    "date": pd.to_datetime(frame[date]),
                    "event": event,
                    "change_type": _text(frame[change]) if change else "",
                    "detail": _text(frame[detail] if isinstance(detail, str) else detail),
                },
                index=frame.index,
                columns=["site_id", "date", "event", "change_type", "detail"],
            )
        )
    events = pd.concat([part for part in parts if not part.empty] or parts[:1], ignore_index=True)
    events = events.dropna(subset=["date"])
    events["site"] = events["site_id"].map(data.site_names())
    events["detail"] = _short(events["detail"], 80)
    events = events.sort_values(["site", "date"], kind="stable").reset_index(drop=True)
    return events[["site_id", "site", "date", "event", "change_type", "detail"]]


def timeline_chart(events: pd.DataFrame) -> alt.Chart:
    """Each site's dated events in one band: framings, non-negotiables, evidence plans, outcomes.

    Rows given to Altair: one per dated event record (bounded by the records), at most MAX_ROWS, earliest first.
    """
    change = _labels(events["change_type"], ChangeType)
    frame = (
        pd.DataFrame(
            {
                "site": _text(events["site"]),
                "date": pd.to_datetime(events["date"]),
                "event": _text(events["event"]),
                "change": change,
                "detail": _short(events["detail"], 80),
            }
        )
        .dropna(subset=["date"])
        .sort_values("date", kind="stable")
    )
    frame["kind"] = frame["event"].where(frame["event"] != "Outcome", "Outcome: " + frame["change"]).astype(object)
    frame, note = _cap(frame)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}, {_day(r.date)}: {r.event}" + (f" ({r.change.lower()} change)" if r.change else ""), r.detail
        ),
    )
    sites = sorted(frame["site"].unique())
    kinds = alt.Scale(domain=TIMELINE_KINDS, range=TIMELINE_SHAPES)
    points = alt.Chart(_data(frame)).mark_point(filled=True, size=110, opacity=0.9, stroke="black", strokeWidth=0.5)
    chart = points.encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%b %Y", **AXIS), scale=alt.Scale(padding=12)),
        y=_site_axis(sites),
        yOffset=alt.YOffset("kind:N", scale=alt.Scale(domain=TIMELINE_KINDS, paddingOuter=0.8)),
        shape=alt.Shape("kind:N", title="What happened", scale=kinds, legend=alt.Legend(**LEGEND)),
        color=alt.Color(
            "kind:N", title="What happened", scale=alt.Scale(domain=TIMELINE_KINDS, range=TIMELINE_COLOURS)
        ),
        description="tip:N",
        tooltip=[
            alt.Tooltip("site:N", title="Site"),
            alt.Tooltip("date:T", title="Date", format="%d %B %Y"),
            alt.Tooltip("event:N", title="What happened"),
            alt.Tooltip("change:N", title="Kind of change"),
            alt.Tooltip("detail:N", title="Detail"),
        ],
    ).properties(width=640, height=66 * max(1, len(sites)))
    title = _title(
        "What happened when, site by site",
        [
            "Each band is a site; each mark is one record, placed at its date and shaped by what it was.",
            "Triangles are outcomes, coloured and pointed by the kind of change. Hover over a mark for the detail.",
        ],
        frame.empty,
        "no dated problem framings, non-negotiables, evidence plans or outcomes.",
        note,
    )
    description = (
        "Timeline, one band per site, of problem framings, non-negotiables, evidence-plan items and "
        "outcomes by date; outcomes are split into behaviour or culture, process and service change."
    )
    return _finish(chart, title, description)
