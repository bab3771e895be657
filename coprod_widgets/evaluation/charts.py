"""Altair charts for the evaluator workbooks and reports: one builder per chart.

Every builder takes an indicator frame (already aggregated by ``indicators``), keeps only the
columns it draws, and gives Altair at most :data:`MAX_ROWS` rows, so a chart never grows with the
number of raw records (each builder's docstring gives its bound). Each chart has a title, a
subtitle that says how to read it, tooltips, an accessible ``description``, and one plain-English
sentence per mark (the ``description`` channel, read by screen readers and shown on hover by the
offline renderer). Colours are Okabe-Ito (safe with colour blindness); statuses are also written
in each cell and kinds of event and change also differ by shape, so colour is never the only
signal. An empty frame gives an empty chart whose subtitle says there is nothing to show yet.

Display them with :func:`coprod_widgets.evaluation.render.enable_offline_charts` (no network).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..choices import LEARNING_POINTS, ChangeType, LadderStep, RoleGroup, Stage

#: The most rows any chart passes to Altair (Altair refuses more than 5,000 by default).
MAX_ROWS = 5000
#: Okabe-Ito: distinguishable with the common forms of colour blindness.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
LPS = [key.upper() for key in LEARNING_POINTS]
STATUSES = ["on track", "watch", "concern"]
STATUS_COLOURS = ["#009E73", "#F0E442", "#D55E00"]
GROUPS = [member.label for member in RoleGroup]
GROUP_COLOURS = dict(zip(GROUPS, OKABE_ITO, strict=False))
CHANGES = [member.label for member in ChangeType]
CHANGE_SHAPES = ["triangle-up", "triangle-right", "triangle-down"]
CHANGE_COLOURS = ["#009E73", "#0072B2", "#D55E00"]
STAGES = [member.label for member in Stage]
STEP_NAMES = {step.value: step.label.split(" - ", 1)[1] for step in LadderStep}
EVENTS = ["Problem framing", "Non-negotiable", "Evidence plan", "Outcome"]
TIMELINE_KINDS = [*EVENTS[:3], *(f"Outcome: {change}" for change in CHANGES)]
TIMELINE_SHAPES = ["circle", "square", "diamond", *CHANGE_SHAPES]
TIMELINE_COLOURS = ["#56B4E9", "#E69F00", "#CC79A7", *CHANGE_COLOURS]
DROPOUT_LEVELS = {"group": "A whole group stopped coming", "partner": "One partner stopped coming"}
AXIS = {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 220}
LEGEND = {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260, "orient": "bottom", "direction": "vertical"}
HEADER = {"labelFontSize": 13, "labelFontWeight": "bold"}


# ---- helpers -------------------------------------------------------------------------------


def _title(text: str, how_to_read: list[str], empty: bool, nothing: str, note: str | None = None) -> alt.TitleParams:
    lines = [f"Nothing to show yet: {nothing}"] if empty else [*how_to_read, *([note] if note else [])]
    return alt.TitleParams(text, subtitle=lines, anchor="start", fontSize=16, subtitleFontSize=13,
                           subtitleColor="#333333", offset=12)


def _cap(frame: pd.DataFrame, limit: int = MAX_ROWS) -> tuple[pd.DataFrame, str | None]:
    """At most ``limit`` rows, with a note for the subtitle when some were left out."""
    if len(frame) <= limit:
        return frame, None
    return frame.head(limit), f"Showing the first {limit:,} of {len(frame):,} rows."


def _plain(value):
    """One cell as JSON: dates as local ISO strings (Vega reads them as local dates, not UTC), numpy
    numbers as Python numbers, and every kind of missing value (None, NaN, NaT, pd.NA) as null."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def _data(frame: pd.DataFrame) -> alt.InlineData:
    """The frame's rows as inline values, converted here rather than by Altair so that the JSON is the same
    whatever pandas does with missing values in object columns."""
    return alt.InlineData(values=[{key: _plain(value) for key, value in row.items()}
                                  for row in frame.to_dict(orient="records")])


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).astype(object)


def _short(values: pd.Series, limit: int = 80) -> pd.Series:
    text = _text(values).str.replace(r"\s+", " ", regex=True).str.strip()
    return text.where(text.str.len() <= limit, text.str.slice(0, limit - 1).str.rstrip() + "…").astype(object)


def _labels(values: pd.Series, choices) -> pd.Series:
    def label(code: str) -> str:
        try:
            return choices(code).label
        except ValueError:
            return code

    return _text(values).map(label).astype(object)


def _day(value) -> str:
    return "never" if pd.isna(value) else f"{pd.Timestamp(value).day} {pd.Timestamp(value):%B %Y}"


def _num(value, places: int = 1) -> str:
    """A number as people write it: 3, 3.5, 2.25 (no trailing zeros); 'none' when missing."""
    if pd.isna(value):
        return "none"
    text = f"{float(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _count(value, one: str, many: str) -> str:
    return f"{_num(value, 0)} {one if not pd.isna(value) and float(value) == 1 else many}"


def _sentences(*parts: str) -> str:
    return " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts if p)


def _rows(frame: pd.DataFrame, build) -> pd.Series:
    """One plain-English sentence per row: what a screen reader reads and hovering shows."""
    return pd.Series([build(row) for row in frame.itertuples(index=False)], index=frame.index, dtype=object)


def _site_axis(sites: list[str]) -> alt.Y:
    """Sites as bands with a grid line between bands, so marks spread within a band are seen to belong to it."""
    return alt.Y("site:N", title="Site", sort=sites, scale=alt.Scale(paddingInner=0, paddingOuter=0),
                 axis=alt.Axis(grid=True, tickBand="extent", gridColor="#999999", **AXIS))


def _finish(chart, title: alt.TitleParams, description: str):
    return chart.properties(title=title, description=description)


# ---- 1. overview ---------------------------------------------------------------------------


def overview_heatmap(status: pd.DataFrame) -> alt.LayerChart:
    """Sites (rows) by learning points (columns); each cell coloured and labelled with its status.

    Rows given to Altair: one per site and learning point (sites x 8), at most MAX_ROWS.
    """
    frame = pd.DataFrame({
        "site": _text(status["site"]), "learning_point": _text(status["learning_point"]),
        "status": _text(status["status"]), "rule": _short(status["rule"], 200),
        "evidence": _short(status["evidence"], 200),
    }).sort_values(["site", "learning_point"], kind="stable")
    frame["meaning"] = frame["learning_point"].str.lower().map(LEARNING_POINTS).fillna("").astype(object)
    frame, note = _cap(frame)
    frame["tip"] = _rows(frame, lambda r: _sentences(
        f"{r.site}, {r.learning_point} ({r.meaning}): {r.status}", f"Why: {r.rule}" if r.rule else "",
        f"Evidence: {r.evidence}" if r.evidence else ""))
    tooltip = [alt.Tooltip("site:N", title="Site"), alt.Tooltip("learning_point:N", title="Learning point"),
               alt.Tooltip("meaning:N", title="What it means"), alt.Tooltip("status:N", title="Status"),
               alt.Tooltip("rule:N", title="Rule"), alt.Tooltip("evidence:N", title="Evidence")]
    base = alt.Chart(_data(frame)).encode(
        x=alt.X("learning_point:N", title="Learning point", scale=alt.Scale(domain=LPS),
                axis=alt.Axis(orient="top", labelAngle=0, **AXIS)),
        y=alt.Y("site:N", title="Site", sort=sorted(frame["site"].unique()), axis=alt.Axis(**AXIS)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS),
                        legend=alt.Legend(**LEGEND)),
        description="tip:N")
    words = base.mark_text(fontSize=12, color="black", aria=False).encode(text="status:N")
    title = _title(
        "Learning points at a glance",
        ["Each row is a site and each column a learning point (LP1 to LP8).",
         "Each cell says 'on track', 'watch' or 'concern'; hover over a cell for the rule and the evidence."],
        frame.empty, "no learning-point statuses for the sites and dates chosen.", note)
    description = ("Grid of the status of the eight learning points at each site. Each cell is labelled on "
                   "track, watch or concern, and coloured green, yellow or red to match.")
    chart = alt.layer(cells, words).properties(width=alt.Step(76), height=alt.Step(34))
    return _finish(chart, title, description)


# ---- 2. attendance -------------------------------------------------------------------------


def _dropout_points(dropouts: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """One point per site, group, level and last-attended date, placed on that group's line (``placed``;
    a partner who never attended sits at the site's first month)."""
    columns = ["site", "group", "level", "placed", "when", "people", "missed", "rate"]
    if dropouts.empty:
        return pd.DataFrame(columns=columns)
    gone = pd.DataFrame({
        "site": _text(dropouts["site"]), "group": _labels(dropouts["role_group"], RoleGroup),
        "level": _text(dropouts["level"]).map(lambda level: DROPOUT_LEVELS.get(level, level)),
        "when": pd.to_datetime(dropouts["last_attended"]), "name": _text(dropouts["display_name"]),
        "missed": pd.to_numeric(dropouts["missed"], errors="coerce"),
    })
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
    points = gone.groupby(["site", "group", "level", "placed"], dropna=False).agg(
        when=("when", "max"), people=("name", lambda names: people(names.dropna())),
        missed=("missed", "max")).reset_index()
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
    rates = pd.DataFrame({
        "site": _text(by_month["site"]), "month": pd.to_datetime(by_month["month"]),
        "group": _labels(by_month["role_group"], RoleGroup),
        "rate": pd.to_numeric(by_month["rate"], errors="coerce").astype(float),
        **{c: pd.to_numeric(by_month[c], errors="coerce") for c in ("attended", "expected", "activities",
                                                                      "contributed")},
    }).dropna(subset=["rate"])
    rates["tip"] = _rows(rates, lambda r: _sentences(
        f"{r.site}, {r.group}, {r.month:%B %Y}: {r.rate:.0%} attended",
        f"{_count(r.attended, 'attendance', 'attendances')} out of {_num(r.expected, 0)} expected at "
        f"{_count(r.activities, 'activity', 'activities')}; {_num(r.contributed, 0)} contributed"))
    points = _dropout_points(dropouts, rates)
    points["tip"] = _rows(points, lambda r: _sentences(
        f"{r.site}: {r.level.lower()} ({r.group}): {r.people}",
        f"Last attended: {_day(r.when)}; {_count(r.missed, 'activity', 'activities')} missed since"))
    points = points.drop(columns="when").rename(columns={"placed": "when"})
    frame = pd.concat([rates.rename(columns={"month": "when"}).assign(kind="rate"), points.assign(kind="dropout")],
                      ignore_index=True)
    frame, note = _cap(frame)
    frame = pd.DataFrame({
        "kind": _text(frame["kind"]), "site": _text(frame["site"]), "group": _text(frame["group"]),
        "when": pd.to_datetime(frame["when"]), "rate": frame["rate"].astype(float),
        **{c: pd.to_numeric(frame[c], errors="coerce") for c in ("attended", "expected", "activities",
                                                                   "contributed", "missed")},
        "level": _text(frame["level"]), "people": _text(frame["people"]), "tip": _text(frame["tip"]),
    })
    x = alt.X("when:T", title="Month", axis=alt.Axis(format="%b %Y", **AXIS))
    y = alt.Y("rate:Q", title="Share of partners who attended", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%", **AXIS))
    shown = [g for g in GROUPS if g in set(frame["group"])] or GROUPS  # each group keeps its colour everywhere
    colour = alt.Color("group:N", title="Partner group", legend=alt.Legend(**LEGEND),
                       scale=alt.Scale(domain=shown, range=[GROUP_COLOURS[g] for g in shown]))
    rate_tips = [alt.Tooltip("site:N", title="Site"), alt.Tooltip("group:N", title="Partner group"),
                 alt.Tooltip("when:T", title="Month", format="%B %Y"),
                 alt.Tooltip("rate:Q", title="Attendance rate", format=".0%"),
                 alt.Tooltip("attended:Q", title="Attendances"), alt.Tooltip("expected:Q", title="Expected"),
                 alt.Tooltip("activities:Q", title="Activities"), alt.Tooltip("contributed:Q", title="Contributed")]
    rated = alt.Chart().transform_filter("datum.kind == 'rate'")
    line = rated.mark_line(strokeWidth=2, aria=False).encode(x=x, y=y, color=colour, detail="group:N")
    dots = rated.mark_point(filled=True, size=40).encode(x=x, y=y, color=colour, tooltip=rate_tips,
                                                         description="tip:N")
    levels = alt.Scale(domain=list(DROPOUT_LEVELS.values()), range=["triangle-down", "cross"])
    drops = alt.Chart().transform_filter("datum.kind == 'dropout'").mark_point(
        filled=True, color="black", stroke="white", strokeWidth=1, opacity=1).encode(
        x=x, y=y, description="tip:N",
        shape=alt.Shape("level:N", title="Drop-out", scale=levels, legend=alt.Legend(**LEGEND)),
        size=alt.Size("level:N", title="Drop-out", legend=alt.Legend(**LEGEND),
                      scale=alt.Scale(domain=list(DROPOUT_LEVELS.values()), range=[360, 140])),
        tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("level:N", title="Drop-out"),
                 alt.Tooltip("group:N", title="Partner group"), alt.Tooltip("people:N", title="Who"),
                 alt.Tooltip("when:T", title="Last attended", format="%d %B %Y"),
                 alt.Tooltip("missed:Q", title="Activities missed since")],
    )
    chart = alt.layer(line, dots, drops, data=_data(frame)).properties(width=320, height=160).facet(
        facet=alt.Facet("site:N", title=None, header=alt.Header(**HEADER)), columns=2)
    title = _title(
        "Who keeps coming: attendance by partner group",
        ["One panel per site. Each line is a partner group: the share of its partners who came to that month's "
         "activities.",
         "Black triangles mark a whole group that has stopped coming; black crosses mark one partner who has."],
        frame.empty, "no activities with attendance for the sites and dates chosen.", note)
    description = ("Line charts, one per site, of the monthly attendance rate of each partner group, with "
                   "drop-outs marked at the date each partner or group last attended.")
    return _finish(chart, title, description)


# ---- 3. timeline ---------------------------------------------------------------------------


def timeline_events(data) -> pd.DataFrame:
    """Dated events of a :class:`~coprod_widgets.evaluation.data.ProgrammeData`, one row per record:
    problem framings, non-negotiables, evidence-plan items and outcomes. Undated records are left out.

    Columns: site_id, site, date, event, change_type (code; '' except for outcomes), detail (<= 80 characters).
    """
    framing = data["problem_framing"]
    sources = [  # (record type, date column, detail, event, change type column)
        ("problem_framing", "date", "Version " + _text(framing["version"]) + ": " + _text(framing["statement"]),
         EVENTS[0], None),
        ("non_negotiable", "date_declared", "statement", EVENTS[1], None),
        ("evidence_plan", "date_agreed", "indicator", EVENTS[2], None),
        ("outcome", "date_observed", "description", EVENTS[3], "change_type"),
    ]
    parts = []
    for kind, date, detail, event, change in sources:
        frame = data[kind]
        parts.append(pd.DataFrame({
            "site_id": frame["site_id"], "date": pd.to_datetime(frame[date]), "event": event,
            "change_type": _text(frame[change]) if change else "",
            "detail": _text(frame[detail] if isinstance(detail, str) else detail),
        }, index=frame.index, columns=["site_id", "date", "event", "change_type", "detail"]))
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
    frame = pd.DataFrame({
        "site": _text(events["site"]), "date": pd.to_datetime(events["date"]), "event": _text(events["event"]),
        "change": change, "detail": _short(events["detail"], 80),
    }).dropna(subset=["date"]).sort_values("date", kind="stable")
    frame["kind"] = frame["event"].where(frame["event"] != "Outcome", "Outcome: " + frame["change"]).astype(object)
    frame, note = _cap(frame)
    frame["tip"] = _rows(frame, lambda r: _sentences(
        f"{r.site}, {_day(r.date)}: {r.event}" + (f" ({r.change.lower()} change)" if r.change else ""), r.detail))
    sites = sorted(frame["site"].unique())
    kinds = alt.Scale(domain=TIMELINE_KINDS, range=TIMELINE_SHAPES)
    points = alt.Chart(_data(frame)).mark_point(filled=True, size=110, opacity=0.9, stroke="black", strokeWidth=0.5)
    chart = points.encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%b %Y", **AXIS), scale=alt.Scale(padding=12)),
        y=_site_axis(sites),
        yOffset=alt.YOffset("kind:N", scale=alt.Scale(domain=TIMELINE_KINDS, paddingOuter=0.8)),
        shape=alt.Shape("kind:N", title="What happened", scale=kinds, legend=alt.Legend(**LEGEND)),
        color=alt.Color("kind:N", title="What happened", scale=alt.Scale(domain=TIMELINE_KINDS,
                                                                          range=TIMELINE_COLOURS)),
        description="tip:N",
        tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("date:T", title="Date", format="%d %B %Y"),
                 alt.Tooltip("event:N", title="What happened"), alt.Tooltip("change:N", title="Kind of change"),
                 alt.Tooltip("detail:N", title="Detail")],
    ).properties(width=640, height=66 * max(1, len(sites)))
    title = _title(
        "What happened when, site by site",
        ["Each band is a site; each mark is one record, placed at its date and shaped by what it was.",
         "Triangles are outcomes, coloured and pointed by the kind of change. Hover over a mark for the detail."],
        frame.empty, "no dated problem framings, non-negotiables, evidence plans or outcomes.", note)
    description = ("Timeline, one band per site, of problem framings, non-negotiables, evidence-plan items and "
                   "outcomes by date; outcomes are split into behaviour or culture, process and service change.")
    return _finish(chart, title, description)


# ---- 4. change progression -----------------------------------------------------------------


def change_progression_chart(first_change: pd.DataFrame) -> alt.LayerChart:
    """Months from the start to the first change of each kind, per site, joined behaviour -> process -> service.

    Rows given to Altair: at most one per site and change type (sites x 3), at most MAX_ROWS.
    """
    frame = pd.DataFrame({
        "site": _text(first_change["site"]), "change": _labels(first_change["change_type"], ChangeType),
        "rank": _text(first_change["change_type"]).map({m.value: i for i, m in enumerate(ChangeType)}),
        "months": pd.to_numeric(first_change["months_from_start"], errors="coerce").astype(float).round(1),
        "first": pd.to_datetime(first_change["first_observed"]),
        "order": pd.to_numeric(first_change["order"], errors="coerce").astype(float),
    }).dropna(subset=["months", "rank"]).sort_values(["site", "rank"], kind="stable")
    frame, note = _cap(frame)
    ordinal = {1: "first", 2: "second", 3: "third"}
    frame["tip"] = _rows(frame, lambda r: _sentences(
        f"{r.site}: first {r.change.lower()} change {_num(r.months)} months after the start ({_day(r.first)})",
        f"The {ordinal[int(r.order)]} kind of change seen at this site" if r.order in ordinal else ""))
    sites = sorted(frame["site"].unique())
    encode = {
        "x": alt.X("months:Q", title="Months since the site started", axis=alt.Axis(**AXIS),
                   scale=alt.Scale(zero=True)),
        "y": _site_axis(sites),
        "yOffset": alt.YOffset("change:N", scale=alt.Scale(domain=CHANGES, paddingOuter=0.8)),
    }
    data = _data(frame)
    path = alt.Chart(data).mark_line(color="#777777", strokeWidth=1.5, aria=False).encode(
        **encode, detail="site:N", order=alt.Order("rank:Q"))
    marks = alt.Chart(data).mark_point(filled=True, size=150, opacity=1, stroke="black", strokeWidth=0.5).encode(
        **encode,
        shape=alt.Shape("change:N", title="Kind of change", scale=alt.Scale(domain=CHANGES, range=CHANGE_SHAPES),
                        legend=alt.Legend(**LEGEND)),
        color=alt.Color("change:N", title="Kind of change", scale=alt.Scale(domain=CHANGES, range=CHANGE_COLOURS)),
        description="tip:N",
        tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("change:N", title="Kind of change"),
                 alt.Tooltip("first:T", title="First seen", format="%d %B %Y"),
                 alt.Tooltip("months:Q", title="Months since start", format=".1f"),
                 alt.Tooltip("order:Q", title="Order seen at this site")],
    )
    title = _title(
        "Which kind of change came first",
        ["For each site: months from the start to the first behaviour or culture change (up), process change "
         "(right) and service change (down).",
         "The grey line joins them in that order; where it runs to the left, a later kind of change came first. "
         "Kinds not seen yet are left out."],
        frame.empty, "no outcomes with a date for the sites chosen.", note)
    description = ("Dot chart, one band per site, of the months from the site's start to its first behaviour or "
                   "culture change, first process change and first service change, joined in that order.")
    chart = alt.layer(path, marks).properties(width=560, height=54 * max(1, len(sites)))
    return _finish(chart, title, description)


# ---- 5. Ladder of Co-production ------------------------------------------------------------


def ladder_chart(ladder: pd.DataFrame) -> alt.FacetChart:
    """Median and highest Ladder step of each site's activities at each stage, one panel per site.

    Rows given to Altair: one per site and stage (sites x 4), at most MAX_ROWS.
    """
    frame = pd.DataFrame({
        "site": _text(ladder["site"]), "stage": _labels(ladder["stage"], Stage),
        "activities": pd.to_numeric(ladder["activities"], errors="coerce"),
        "median_step": pd.to_numeric(ladder["median_step"], errors="coerce").astype(float),
        "max_step": pd.to_numeric(ladder["max_step"], errors="coerce").astype(float),
    }).sort_values("site", kind="stable")
    frame, note = _cap(frame)

    def step(value) -> str:
        return _num(value) + (f" ({STEP_NAMES[int(value)].lower()})" if value in STEP_NAMES else "")

    frame["tip"] = _rows(frame, lambda r: _sentences(
        f"{r.site}, {r.stage.lower()}: median step {step(r.median_step)}, highest step {step(r.max_step)}, "
        f"over {_count(r.activities, 'activity', 'activities')}"))
    x = alt.X("stage:N", title="Stage", scale=alt.Scale(domain=STAGES), axis=alt.Axis(labelAngle=-30, **AXIS))
    labels = ["", *(f"{value} {name}" for value, name in STEP_NAMES.items())]
    y_axis = alt.Axis(values=list(STEP_NAMES), labelExpr=f"{labels}[datum.value]", **AXIS)
    y_title, y_scale = "Ladder of Co-production step", alt.Scale(domain=[1, 7], nice=False)
    tips = [alt.Tooltip("site:N", title="Site"), alt.Tooltip("stage:N", title="Stage"),
            alt.Tooltip("activities:Q", title="Activities"), alt.Tooltip("median_step:Q", title="Median step"),
            alt.Tooltip("max_step:Q", title="Highest step")]
    span = alt.Chart().mark_rule(color="#999999", strokeWidth=2, aria=False).encode(
        x=x, y=alt.Y("median_step:Q", title=y_title, scale=y_scale, axis=y_axis), y2="max_step:Q")
    which = ["Median step", "Highest step reached"]
    marks = alt.Chart().transform_fold(["median_step", "max_step"], as_=["measure", "step"]).transform_calculate(
        measure=f"datum.measure == 'median_step' ? '{which[0]}' : '{which[1]}'").mark_point(
        filled=True, size=120, opacity=1).encode(
        x=x, y=alt.Y("step:Q", title=y_title, scale=y_scale, axis=y_axis),
        shape=alt.Shape("measure:N", title="Step", scale=alt.Scale(domain=which, range=["circle", "triangle-up"]),
                        legend=alt.Legend(**LEGEND)),
        color=alt.Color("measure:N", title="Step", scale=alt.Scale(domain=which, range=["#0072B2", "#E69F00"])),
        description="tip:N", tooltip=tips,
    )
    chart = alt.layer(span, marks, data=_data(frame)).properties(width=220, height=210).facet(
        facet=alt.Facet("site:N", title=None, header=alt.Header(**HEADER)), columns=3)
    title = _title(
        "How far up the Ladder of Co-production, stage by stage",
        ["One panel per site. Steps run from 1 (coercion) to 7 (co-production).",
         "The circle is the median step of the site's activities at that stage; the triangle is the highest step "
         "reached."],
        frame.empty, "no activities with a Ladder step for the sites and dates chosen.", note)
    description = ("Dot charts, one per site, of the median and highest Ladder of Co-production step of its "
                   "activities at each stage: problem identification, design, delivery and evaluation.")
    return _finish(chart, title, description)


# ---- 6. self-assessment gap ----------------------------------------------------------------


def self_assessment_gap_chart(gap: pd.DataFrame) -> alt.FacetChart:
    """Staff and lived-experience mean scores per learning point, a panel per site and wave, gaps flagged.

    Rows given to Altair: one per site, wave and learning point (sites x waves x 8), at most MAX_ROWS.
    """
    frame = pd.DataFrame({
        "site": _text(gap["site"]), "wave": pd.to_numeric(gap["wave"], errors="coerce"),
        "learning_point": _text(gap["learning_point"]),
        **{c: pd.to_numeric(gap[c], errors="coerce").astype(float).round(2) for c in
           ("staff_mean", "lived_mean", "gap")},
        "flagged": gap["flagged"].astype(object).where(gap["flagged"].notna(), False).astype(bool),
    }).sort_values(["site", "wave", "learning_point"], kind="stable")
    frame, note = _cap(frame)
    frame["tip"] = _rows(frame, lambda r: _sentences(
        f"{r.site}, wave {_num(r.wave, 0)}, {r.learning_point}: staff mean {_num(r.staff_mean, 2)}, "
        f"lived-experience mean {_num(r.lived_mean, 2)}",
        f"A gap of {_num(abs(r.gap), 2)}, 1 point or more" if r.flagged else ""))
    y = alt.Y("learning_point:N", title="Learning point", scale=alt.Scale(domain=LPS), axis=alt.Axis(**AXIS))
    x_scale = alt.Scale(domain=[1, 5], nice=False)
    tips = [alt.Tooltip("site:N", title="Site"), alt.Tooltip("wave:Q", title="Wave"),
            alt.Tooltip("learning_point:N", title="Learning point"), alt.Tooltip("staff_mean:Q", title="Staff mean"),
            alt.Tooltip("lived_mean:Q", title="Lived-experience mean"), alt.Tooltip("gap:Q", title="Gap"),
            alt.Tooltip("flagged:N", title="Gap of 1 or more")]
    both = "isValid(datum.staff_mean) && isValid(datum.lived_mean)"
    link = alt.Chart().transform_filter(both).mark_rule(aria=False).encode(
        x=alt.X("staff_mean:Q", scale=x_scale), x2="lived_mean:Q", y=y, tooltip=tips,
        color=alt.condition("datum.flagged", alt.value("#D55E00"), alt.value("#AAAAAA")),
        strokeWidth=alt.condition("datum.flagged", alt.value(4), alt.value(1.5)),
    )
    who = ["Staff", "People with lived experience"]
    dots = alt.Chart().transform_fold(["staff_mean", "lived_mean"], as_=["who", "score"]).transform_calculate(
        who=f"datum.who == 'staff_mean' ? '{who[0]}' : '{who[1]}'").transform_filter("isValid(datum.score)").mark_point(
        filled=True, size=90, opacity=1).encode(
        x=alt.X("score:Q", title="Mean score (1 = not at all, 5 = fully)", scale=x_scale, axis=alt.Axis(**AXIS)),
        y=y,
        shape=alt.Shape("who:N", title="Who answered", scale=alt.Scale(domain=who, range=["circle", "square"]),
                        legend=alt.Legend(**LEGEND)),
        color=alt.Color("who:N", title="Who answered", scale=alt.Scale(domain=who, range=["#0072B2", "#E69F00"])),
        description="tip:N", tooltip=tips,
    )
    flags = alt.Chart().transform_filter(f"datum.flagged && {both}").transform_calculate(
        right="max(datum.staff_mean, datum.lived_mean)", label="'gap ' + format(abs(datum.gap), '.1f')").mark_text(
        align="left", dx=9, fontSize=11, fontWeight="bold", color="#000000", aria=False).encode(
        x=alt.X("right:Q", scale=x_scale), y=y, text="label:N")
    chart = alt.layer(link, dots, flags, data=_data(frame)).properties(width=260, height=alt.Step(20)).facet(
        row=alt.Row("site:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", **HEADER)),
        column=alt.Column("wave:O", title=None, header=alt.Header(labelExpr="'Wave ' + datum.value",
                                                                  labelFontSize=13)))
    title = _title(
        "Do staff and people with lived experience see it the same way?",
        ["Each line joins the staff mean score (circle) and the lived-experience mean score (square) for one "
         "learning point, by site (rows) and survey wave (columns).",
         "Thick red lines, labelled 'gap', differ by 1 point or more."],
        frame.empty, "no self-assessments from both staff and people with lived experience.", note)
    description = ("Paired dot charts of the mean self-assessment score of staff and of people with lived "
                   "experience for each learning point, per site and survey wave, with gaps of one point or "
                   "more drawn thick and labelled.")
    return _finish(chart, title, description)
