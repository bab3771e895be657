"""The 4Pi involvement reflection: each standard at each site, its mean rating written in the cell."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..indicators.ladder import GAP_FLAG
from ..indicators.reflection import MIN_RATED, NO_REFLECTION, STANDARD_MEANINGS, STANDARDS
from ._common import AXIS, LEGEND, _cap, _data, _finish, _num, _rows, _sentences, _short, _text, _title

#: A single-hue ramp (near white to Okabe-Ito's sky blue), read by lightness; black text stays legible on all of it.
RATING_RAMP = ["#F2F8FC", "#56B4E9"]
#: Cells whose mean is not read (too few ratings, or no reflection): pale grey, and they say why in words.
UNREAD_COLOUR = "#DDDDDD"


def _cell(row) -> str:
    """The words in a cell: the mean (and a gap of 1 or more), or why there is none."""
    if row.judged:
        mean = f"{row.mean_rating:.1f}"
        return f"{mean} (gap {abs(row.gap):.1f})" if row.flagged else mean
    return "none yet" if row.reading == NO_REFLECTION else f"{_num(row.rated, 0)} rated"


def reflection_chart(reflection: pd.DataFrame) -> alt.LayerChart:
    """Sites (rows) by 4Pi standards (columns); each cell shaded by the mean rating and labelled with it.

    Rows given to Altair: one per site and standard (sites x 5), at most MAX_ROWS.
    """
    gap = pd.to_numeric(reflection["gap"], errors="coerce").astype(float)
    frame = pd.DataFrame(
        {
            "site": _text(reflection["site"]),
            "standard": _text(reflection["standard"]).map(lambda code: STANDARDS.get(code, code)).astype(object),
            "meaning": _text(reflection["standard"]).map(lambda code: STANDARD_MEANINGS.get(code, "")).astype(object),
            "rated": pd.to_numeric(reflection["rated"], errors="coerce"),
            "dont_know": pd.to_numeric(reflection["dont_know"], errors="coerce"),
            "mean_rating": pd.to_numeric(reflection["mean_rating"], errors="coerce").astype(float).round(2),
            "gap": gap.round(2),
            "notes": pd.to_numeric(reflection["notes"], errors="coerce"),
            "reading": _short(reflection["reading"], 240),
        }
    ).sort_values("site", kind="stable")
    frame["judged"] = (frame["rated"] >= MIN_RATED) & frame["mean_rating"].notna()
    frame["flagged"] = (gap.reindex(frame.index).abs().round(9) >= GAP_FLAG).fillna(False).astype(bool)
    frame, note = _cap(frame)
    frame["cell"] = _rows(frame, _cell)
    frame["tip"] = _rows(
        frame,
        lambda r: _sentences(
            f"{r.site}, {r.standard} ({r.meaning}): {r.reading}",
            f"{_num(r.notes, 0)} written notes, not shown" if r.notes else "",
        ),
    )
    tooltip = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("standard:N", title="4Pi standard"),
        alt.Tooltip("meaning:N", title="What it asks"),
        alt.Tooltip("reading:N", title="What the answers say"),
        alt.Tooltip("rated:Q", title="Rated 1 to 5"),
        alt.Tooltip("dont_know:Q", title="Don't know"),
        alt.Tooltip("notes:Q", title="Written notes (not shown)"),
    ]
    base = alt.Chart(_data(frame)).encode(
        x=alt.X(
            "standard:N",
            title="4Pi standard",
            scale=alt.Scale(domain=list(STANDARDS.values())),
            axis=alt.Axis(orient="top", labelAngle=0, **AXIS),
        ),
        y=alt.Y("site:N", title="Site", sort=sorted(frame["site"].unique()), axis=alt.Axis(**AXIS)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.condition(
            "datum.judged",
            alt.Color(
                "mean_rating:Q",
                title="Mean rating (1 = not yet, 5 = fully)",
                scale=alt.Scale(domain=[1, 5], range=RATING_RAMP, nice=False),
                legend=alt.Legend(**{**LEGEND, "direction": "horizontal", "titleLimit": 320}),
            ),
            alt.value(UNREAD_COLOUR),
        ),
        description="tip:N",
    )
    words = base.mark_text(fontSize=12, color="black", aria=False).encode(text="cell:N")
    title = _title(
        "How partners rate the 4Pi involvement standards",
        [
            "Each row is a site and each column a 4Pi standard; each cell gives the mean rating, from 1 (not yet) to "
            "5 (fully), darker for higher.",
            f"'gap' marks staff and people with lived experience 1 point or more apart; grey cells have fewer than "
            f"{MIN_RATED} ratings ('N rated') or no reflection ('none yet'). Don't know is counted, not scored.",
        ],
        frame.empty,
        "no sites for the filters chosen.",
        note,
    )
    description = (
        "Grid of the mean 4Pi involvement rating (principles, purpose, presence, process, impact) at each site. "
        "Each cell is labelled with its mean, with any staff and lived-experience gap of one point or more, or with "
        "how few ratings it has."
    )
    chart = alt.layer(cells, words).properties(width=alt.Step(110), height=alt.Step(38))
    return _finish(chart, title, description)
