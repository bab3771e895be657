"""What every chart shares: limits, colours and shapes, and small helpers for data, text and titles."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ...choices import ChangeType, LadderStep, RoleGroup, Stage
from ...rules import LP_CODES

#: The most rows any chart passes to Altair (Altair refuses more than 5,000 by default).
MAX_ROWS = 5000
#: Okabe-Ito: distinguishable with the common forms of colour blindness.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
LPS = LP_CODES
STATUSES = ["on track", "watch", "concern", "not enough records"]
#: Green, yellow, vermilion (Okabe-Ito), and a pale grey for what cannot be judged; every cell also says it in words.
STATUS_COLOURS = ["#009E73", "#F0E442", "#D55E00", "#DDDDDD"]
#: The words in a cell, on two lines where the status is long.
STATUS_CELL_TEXT = {"not enough records": "not enough\nrecords"}
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


def _title(text: str, how_to_read: list[str], empty: bool, nothing: str, note: str | None = None) -> alt.TitleParams:
    lines = [f"Nothing to show yet: {nothing}"] if empty else [*how_to_read, *([note] if note else [])]
    return alt.TitleParams(
        text, subtitle=lines, anchor="start", fontSize=16, subtitleFontSize=13, subtitleColor="#333333", offset=12
    )


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
    return alt.InlineData(
        values=[{key: _plain(value) for key, value in row.items()} for row in frame.to_dict(orient="records")]
    )


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
    return alt.Y(
        "site:N",
        title="Site",
        sort=sites,
        scale=alt.Scale(paddingInner=0, paddingOuter=0),
        axis=alt.Axis(grid=True, tickBand="extent", gridColor="#999999", **AXIS),
    )


def _finish(chart, title: alt.TitleParams, description: str):
    return chart.properties(title=title, description=description)
