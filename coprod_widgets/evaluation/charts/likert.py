"""Diverging stacked bars for Likert answers: disagreement to the left of zero, agreement to the right.

Counts too small to show (see :mod:`coprod_widgets.surveys.likert`) have no bar and their rows say so, so a
row that stops short of 100% is never read as everyone having answered.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._common import AXIS, LEGEND, MAX_ROWS, _cap, _data, _finish, _num, _rows, _sentences, _short, _text, _title

#: Okabe-Ito vermilion and orange for the lower answers, grey for the middle, sky blue and blue for the upper.
DIVERGING = {
    2: ["#D55E00", "#0072B2"],
    3: ["#D55E00", "#BBBBBB", "#0072B2"],
    4: ["#D55E00", "#E69F00", "#56B4E9", "#0072B2"],
    5: ["#D55E00", "#E69F00", "#BBBBBB", "#56B4E9", "#0072B2"],
    6: ["#D55E00", "#E69F00", "#F0E442", "#CCE5F5", "#56B4E9", "#0072B2"],
    7: ["#D55E00", "#E69F00", "#F0E442", "#BBBBBB", "#CCE5F5", "#56B4E9", "#0072B2"],
}
HIDDEN_NOTE = "some counts under {n} hidden"
#: A bar this wide (share of answers) or wider has its percentage written on it.
WORDS_FROM = 0.08
TICKS = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]


def likert_chart(bars: pd.DataFrame, levels: list[str], title: str, row_title: str, threshold: int = 5):
    """One bar per ``row`` (an item, or an item at a site or in a role group), split by answer.

    ``bars`` is :func:`coprod_widgets.surveys.likert.diverging` output with a ``row`` column naming each bar.
    Rows given to Altair: one per bar and answer level, at most MAX_ROWS.
    """
    frame = pd.DataFrame(
        {
            "row": _short(bars["row"], 90),
            "answer": _text(bars["answer"]),
            "level": pd.to_numeric(bars["level"], errors="coerce"),
            "count": pd.to_numeric(bars["count"], errors="coerce").astype(float),
            "share": pd.to_numeric(bars["share"], errors="coerce").astype(float),
            "suppressed": bars["suppressed"].astype(bool),
            "total": pd.to_numeric(bars["total"], errors="coerce"),
            "start": pd.to_numeric(bars["start"], errors="coerce").astype(float).round(4),
            "end": pd.to_numeric(bars["end"], errors="coerce").astype(float).round(4),
        }
    )
    hidden_rows = set(frame.loc[frame["suppressed"], "row"])
    frame["label"] = frame["row"].map(
        lambda row: f"{row} ({HIDDEN_NOTE.format(n=threshold)})" if row in hidden_rows else row
    )
    rows = list(dict.fromkeys(frame["label"]))
    frame = frame[~frame["suppressed"] & (frame["share"] > 0)]
    frame, note = _cap(frame, MAX_ROWS)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.row}: {_num(r.count, 0)} of {_num(r.total, 0)} answered '{r.answer}' ({_num(100 * r.share, 0)}%)"
        ),
    )
    frame["middle"] = (frame["start"] + frame["end"]) / 2
    frame["percent"] = frame["share"].map(lambda share: f"{100 * share:.0f}%" if share >= WORDS_FROM else "")
    colours = DIVERGING.get(len(levels), DIVERGING[5][: len(levels)])
    y = alt.Y("label:N", title=None, sort=rows, axis=alt.Axis(**{**AXIS, "labelLimit": 420}))
    data = _data(frame)
    chart = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "start:Q",
                title="Share of answers: lower answers to the left of 0, higher to the right",
                scale=alt.Scale(domain=[-1, 1]),
                axis=alt.Axis(values=TICKS, labelExpr="round(abs(datum.value) * 100) + '%'", **AXIS),
            ),
            x2="end:Q",
            y=y,
            color=alt.Color(
                "answer:N",
                title="Answer",
                scale=alt.Scale(domain=list(levels), range=colours),
                sort=list(levels),
                legend=alt.Legend(**LEGEND),
            ),
            description="tip:N",
            tooltip=[
                alt.Tooltip("row:N", title=row_title),
                alt.Tooltip("answer:N", title="Answer"),
                alt.Tooltip("count:Q", title="Answers", format=".0f"),
                alt.Tooltip("total:Q", title="Answered on the scale", format=".0f"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
    )
    on_dark = alt.condition(f"datum.level == {len(levels)}", alt.value("white"), alt.value("black"))  # dark blue
    words = (
        alt.Chart(data).mark_text(fontSize=11, aria=False).encode(x="middle:Q", y=y, text="percent:N", color=on_dark)
    )
    chart_title = _title(
        title,
        [
            "Each bar splits the answers to one question from the lowest answer (left) to the highest (right), "
            "centred on 0; the answers run in the legend's order.",
            f"Counts under {threshold} are not shown, so that no one can be picked out; such rows say so.",
        ],
        frame.empty,
        "no answers on a scale for the surveys, sites and dates chosen.",
        note,
    )
    description = (
        "Diverging stacked bar chart of answers on a scale: for each question, the share of each answer, lower "
        "answers to the left of zero and higher ones to the right."
    )
    layered = alt.layer(chart, words).properties(width=460, height=alt.Step(26))
    return _finish(layered, chart_title, description)
