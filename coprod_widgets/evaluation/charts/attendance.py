"""Attendance by partner group and month, with drop-outs marked."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ...choices import RoleGroup
from ._common import (
    AXIS,
    DROPOUT_LEVELS,
    GROUP_COLOURS,
    GROUPS,
    HEADER,
    LEGEND,
    _cap,
    _count,
    _data,
    _day,
    _finish,
    _labels,
    _num,
    _rows,
    _sentences,
    _text,
    _title,
)


def _dropout_points(dropouts: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """One point per site, group, level and last-attended date, placed on that group's line (``placed``;
    a partner who never attended sits at the site's first month)."""
    columns = ["site", "group", "level", "placed", "when", "people", "missed", "rate"]
    if dropouts.empty:
        return pd.DataFrame(columns=columns)
    gone = pd.DataFrame(
        {
            "site": _text(dropouts["site"]),
            "group": _labels(dropouts["role_group"], RoleGroup),
            "level": _text(dropouts["level"]).map(lambda level: DROPOUT_LEVELS.get(level, level)),
            "when": pd.to_datetime(dropouts["last_attended"]),
            "name": _text(dropouts["display_name"]),
            "missed": pd.to_numeric(dropouts["missed"], errors="coerce"),
        }
    )
    first = rates.groupby("site")["month"].min().to_dict()
    gone["placed"] = gone["when"].fillna(pd.to_datetime(gone["site"].map(lambda site: first.get(site, pd.NaT))))

    def people(names: pd.Series) -> str:
        """Up to five names; unnamed partners (as in reports, which name no one) are counted instead."""
        named = [name for name in names if name]
        if not named:
            return "the whole group" if len(names) == 0 else _count(len(names), "partner", "partners")
        more = f" and {len(named) - 5} more" if len(named) > 5 else ""
        return ", ".join(named[:5]) + more

    gone.loc[gone["level"] == DROPOUT_LEVELS["group"], "name"] = None  # a group row stands for its partners
    points = (
        gone.groupby(["site", "group", "level", "placed"], dropna=False)
        .agg(when=("when", "max"), people=("name", lambda names: people(names.dropna())), missed=("missed", "max"))
        .reset_index()
    )
    month = points["placed"].dt.to_period("M").dt.to_timestamp()
    rate = rates.drop_duplicates(["site", "group", "month"]).set_index(["site", "group", "month"])["rate"]
    points["rate"] = rate.reindex(pd.MultiIndex.from_arrays([points["site"], points["group"], month])).to_numpy()
    points["rate"] = points["rate"].fillna(0.0)
    return points[columns]


def attendance_chart(by_month: pd.DataFrame, dropouts: pd.DataFrame) -> alt.FacetChart:
    """Attendance rate by month for each partner group, one panel per site, drop-outs marked.

    Rows given to Altair: one per site, month and group with a rate (sites x months x 7 groups), plus one per
    drop-out point (at most one per site, group, level and date); at most MAX_ROWS in all.
    """
    rates = pd.DataFrame(
        {
            "site": _text(by_month["site"]),
            "month": pd.to_datetime(by_month["month"]),
            "group": _labels(by_month["role_group"], RoleGroup),
            "rate": pd.to_numeric(by_month["rate"], errors="coerce").astype(float),
            **{
                c: pd.to_numeric(by_month[c], errors="coerce")
                for c in ("attended", "expected", "activities", "contributed")
            },
        }
    ).dropna(subset=["rate"])
    rates["tip"] = _rows(
        rates,
        lambda r: _sentences(
            f"{r.site}, {r.group}, {r.month:%B %Y}: {r.rate:.0%} attended",
            f"{_count(r.attended, 'attendance', 'attendances')} out of {_num(r.expected, 0)} expected at "
            f"{_count(r.activities, 'activity', 'activities')}; {_num(r.contributed, 0)} contributed",
        ),
    )
    points = _dropout_points(dropouts, rates)
    points["tip"] = _rows(
        points,
        lambda r: _sentences(
            f"{r.site}: {r.level.lower()} ({r.group}): {r.people}",
            f"Last attended: {_day(r.when)}; {_count(r.missed, 'activity', 'activities')} missed since",
        ),
    )
    points = points.drop(columns="when").rename(columns={"placed": "when"})
    frame = pd.concat(
        [rates.rename(columns={"month": "when"}).assign(kind="rate"), points.assign(kind="dropout")], ignore_index=True
    )
    frame, note = _cap(frame)
    frame = pd.DataFrame(
        {
            "kind": _text(frame["kind"]),
            "site": _text(frame["site"]),
            "group": _text(frame["group"]),
            "when": pd.to_datetime(frame["when"]),
            "rate": frame["rate"].astype(float),
            **{
                c: pd.to_numeric(frame[c], errors="coerce")
                for c in ("attended", "expected", "activities", "contributed", "missed")
            },
            "level": _text(frame["level"]),
            "people": _text(frame["people"]),
            "tip": _text(frame["tip"]),
        }
    )
    x = alt.X("when:T", title="Month", axis=alt.Axis(format="%b %Y", **AXIS))
    y = alt.Y(
        "rate:Q",
        title="Share of partners who attended",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", **AXIS),
    )
    shown = [g for g in GROUPS if g in set(frame["group"])] or GROUPS  # each group keeps its colour everywhere
    colour = alt.Color(
        "group:N",
        title="Partner group",
        legend=alt.Legend(**LEGEND),
        scale=alt.Scale(domain=shown, range=[GROUP_COLOURS[g] for g in shown]),
    )
    rate_tips = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("group:N", title="Partner group"),
        alt.Tooltip("when:T", title="Month", format="%B %Y"),
        alt.Tooltip("rate:Q", title="Attendance rate", format=".0%"),
        alt.Tooltip("attended:Q", title="Attendances"),
        alt.Tooltip("expected:Q", title="Expected"),
        alt.Tooltip("activities:Q", title="Activities"),
        alt.Tooltip("contributed:Q", title="Contributed"),
    ]
    rated = alt.Chart().transform_filter("datum.kind == 'rate'")
    line = rated.mark_line(strokeWidth=2, aria=False).encode(x=x, y=y, color=colour, detail="group:N")
    dots = rated.mark_point(filled=True, size=40).encode(x=x, y=y, color=colour, tooltip=rate_tips, description="tip:N")
    levels = alt.Scale(domain=list(DROPOUT_LEVELS.values()), range=["triangle-down", "cross"])
    drops = (
        alt.Chart()
        .transform_filter("datum.kind == 'dropout'")
        .mark_point(filled=True, color="black", stroke="white", strokeWidth=1, opacity=1)
        .encode(
            x=x,
            y=y,
            description="tip:N",
            shape=alt.Shape("level:N", title="Drop-out", scale=levels, legend=alt.Legend(**LEGEND)),
            size=alt.Size(
                "level:N",
                title="Drop-out",
                legend=alt.Legend(**LEGEND),
                scale=alt.Scale(domain=list(DROPOUT_LEVELS.values()), range=[360, 140]),
            ),
            tooltip=[
                alt.Tooltip("site:N", title="Site"),
                alt.Tooltip("level:N", title="Drop-out"),
                alt.Tooltip("group:N", title="Partner group"),
                alt.Tooltip("people:N", title="Who"),
                alt.Tooltip("when:T", title="Last attended", format="%d %B %Y"),
                alt.Tooltip("missed:Q", title="Activities missed since"),
            ],
        )
    )
    chart = (
        alt.layer(line, dots, drops, data=_data(frame))
        .properties(width=320, height=160)
        .facet(facet=alt.Facet("site:N", title=None, header=alt.Header(**HEADER)), columns=2)
    )
    title = _title(
        "Who keeps coming: attendance by partner group",
        [
            "One panel per site. Each line is a partner group: the share of its partners who came to that month's "
            "activities.",
            "Black triangles mark a whole group that has stopped coming; black crosses mark one partner who has.",
        ],
        frame.empty,
        "no activities with attendance for the sites and dates chosen.",
        note,
    )
    description = (
        "Line charts, one per site, of the monthly attendance rate of each partner group, with "
        "drop-outs marked at the date each partner or group last attended."
    )
    return _finish(chart, title, description)
