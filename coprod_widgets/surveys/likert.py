"""Likert answers counted for diverging bars, with small counts suppressed wherever they are shown.

A count from 1 to ``threshold - 1`` could point at a person in a small group, so it is never shown: it is
suppressed, and so is a second count in the same row when one suppressed count could otherwise be worked
out from the row's total. Groups with fewer answers than the threshold are suppressed whole. Zero is
shown (nobody gave that answer is not a person), and the total is kept so readers see how many answered.
"""

from __future__ import annotations

import pandas as pd

from .answers import suppressed_cells
from .mapping import SUPPRESS_BELOW

COUNT_COLUMNS = ["answer", "level", "count", "share", "suppressed"]


def likert_counts(
    answers: pd.DataFrame, levels: list[str], by: list[str], threshold: int = SUPPRESS_BELOW, keep_raw: bool = False
) -> pd.DataFrame:
    """Counts of each answer level per group, suppressed as the module says.

    ``answers`` has one row per answer with the columns in ``by`` and ``answer`` (one of ``levels``, lowest
    first; other answers, such as "Don't know", are left out of the levels but counted in ``off_scale``).

    Returns one row per group and level: the ``by`` columns, answer, level (1 = lowest), count (NA where
    suppressed), share of the group's answers on the scale (NA where suppressed), suppressed, total (answers
    on the scale in the group), off_scale (other answers in the group; NA when fewer than ``threshold``).
    With ``keep_raw``, also raw and raw_off: the counts before suppression, for a caller that suppresses
    further (:func:`~.results.counts_for`) and drops them before anything is shown.
    """
    keys = {answer.casefold(): place for place, answer in enumerate(levels)}
    places = answers["answer"].map(lambda a: keys.get(str(a).casefold(), -1))
    grouped = answers[by].assign(_place=places.to_numpy())
    # one row per group, a column per level (-1: off the scale): counted at once, not group by group
    table = grouped.groupby([*by, "_place"], sort=True, dropna=False).size().unstack("_place", fill_value=0)
    rows = []
    for group, counted in zip(table.index, table.to_numpy(), strict=True):
        group = group if isinstance(group, tuple) else (group,)
        per_place = dict(zip(table.columns, (int(n) for n in counted), strict=True))
        cells = [per_place.get(place, 0) for place in range(len(levels))]
        total, off = sum(cells), per_place.get(-1, 0)
        hidden = suppressed_cells(cells, total, threshold)
        for place, (level, count) in enumerate(zip(levels, cells, strict=True), start=1):
            shown = not hidden[place - 1]
            rows.append(
                {
                    **dict(zip(by, group, strict=True)),
                    "answer": level,
                    "level": place,
                    "count": count if shown else pd.NA,
                    "share": (count / total if total else float("nan")) if shown else pd.NA,
                    "suppressed": not shown,
                    "total": total,
                    "off_scale": off if off == 0 or off >= threshold else pd.NA,
                    **({"raw": count, "raw_off": off} if keep_raw else {}),
                }
            )
    columns = [*by, *COUNT_COLUMNS, "total", "off_scale", *(["raw", "raw_off"] if keep_raw else [])]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"count": "Int64", "share": "Float64", "suppressed": bool, "off_scale": "Int64"})


def diverging(counts: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    """Where each level's bar starts and ends, as shares of the group's answers: levels below the middle to the
    left of 0, above it to the right, the middle level (on odd scales) split across 0. Suppressed cells have no
    bar (their share is not known), so a row with suppressed cells does not reach 100%, and says so."""
    middle = (len(levels) + 1) / 2
    out = []
    group_columns = [c for c in counts.columns if c not in (*COUNT_COLUMNS, "total", "off_scale")]
    for _group, part in counts.groupby(group_columns, sort=False, dropna=False):
        part = part.sort_values("level")
        share = part["share"].astype("Float64").fillna(0).astype(float)
        below = part["level"] < middle
        centre = part["level"] == middle
        left = -(share[below].sum() + share[centre].sum() / 2)
        position = left
        for (_, row), width in zip(part.iterrows(), share, strict=True):
            out.append({**row.to_dict(), "start": position, "end": position + width})
            position += width
    return pd.DataFrame(out, columns=[*counts.columns, "start", "end"])
