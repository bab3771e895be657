"""Programme views that stay readable at hundreds of sites: counts, spreads and the sites that need a look.

Up to :data:`PANEL_SITES` sites, the programme views draw one panel or row per site. Above that, a
panel per site can no longer be read (and makes a report grow by tens of kilobytes per site), so
they show instead how the sites are spread, then the sites that need a look, worst first. Each
site's own panels stay in its site report and in the site deep dive.
"""

from __future__ import annotations

import pandas as pd

from .data import ProgrammeData
from .indicators.overview import LEARNING_POINTS, LOOK_ORDER, NOT_ENOUGH, STATUS_ORDER

#: The most sites a programme view draws one panel (or row) for.
PANEL_SITES = 12
#: Rows on one page of a long table.
PAGE_ROWS = 50
#: The most sites a learning point's evidence tables list when there are many (those that need a look first).
FOCUS_SITES = 25
#: Status words a table shows (never colour alone).
STATUS_WORDS = {"on track": "on track", "watch": "watch", "concern": "concern", NOT_ENOUGH: "not enough records"}


def many_sites(data: ProgrammeData) -> bool:
    """True when a programme view should show distributions rather than a panel per site."""
    return len(data.sites) > PANEL_SITES


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """How many sites have each status at each learning point (zeros included), from ``overview_status``.

    Returns columns learning_point, status, sites, total (sites judged at that learning point).
    """
    counts = status.groupby(["learning_point", "status"]).size()
    index = pd.MultiIndex.from_product([list(LEARNING_POINTS), STATUS_ORDER], names=["learning_point", "status"])
    frame = counts.reindex(index, fill_value=0).rename("sites").reset_index()
    totals = status.groupby("learning_point").size()
    frame["total"] = frame["learning_point"].map(totals).fillna(0).astype(int)
    frame["sites"] = frame["sites"].astype(int)
    return frame


def sites_needing_a_look(status: pd.DataFrame) -> pd.DataFrame:
    """One row per site with anything not on track, worst first: concerns, then watches, then too few records.

    Returns columns site, concerns, watches, not_enough, then LP1..LP8 holding each status in words.
    """
    columns = ["site", "concerns", "watches", "not_enough", *LEARNING_POINTS]
    if status.empty:
        return pd.DataFrame(columns=columns)
    grid = status.pivot_table(index="site", columns="learning_point", values="status", aggfunc="first")
    grid = grid.reindex(columns=list(LEARNING_POINTS)).map(
        lambda s: STATUS_WORDS.get(s, s) if isinstance(s, str) else ""
    )
    tally = pd.crosstab(status["site"], status["status"]).reindex(columns=STATUS_ORDER, fill_value=0)
    frame = pd.DataFrame(
        {"concerns": tally["concern"], "watches": tally["watch"], "not_enough": tally[NOT_ENOUGH]}
    ).join(grid)
    frame = frame[frame[["concerns", "watches", "not_enough"]].sum(axis=1) > 0]
    frame = frame.reset_index().rename(columns={"index": "site"})
    frame = frame.sort_values(
        ["concerns", "watches", "not_enough", "site"], ascending=[False, False, False, True], kind="stable"
    )
    return frame[columns].reset_index(drop=True)


def reasons(status: pd.DataFrame, learning_point: str | None = None) -> pd.DataFrame:
    """Each rule that put a site on concern, watch or not enough records, and how many sites it applies to.

    Returns columns learning_point, status, rule, sites; by learning point, worst status first, most sites first.
    """
    rows = status[status["status"] != "on track"]
    if learning_point is not None:
        rows = rows[rows["learning_point"] == learning_point.upper()]
    if rows.empty:
        return pd.DataFrame(columns=["learning_point", "status", "rule", "sites"])
    frame = rows.groupby(["learning_point", "status", "rule"]).size().rename("sites").reset_index()
    frame["_rank"] = frame["status"].map({name: place for place, name in enumerate(LOOK_ORDER)})
    frame = frame.sort_values(["learning_point", "_rank", "sites", "rule"], ascending=[True, True, False, True])
    return frame.drop(columns="_rank").reset_index(drop=True)


def focus_sites(status: pd.DataFrame, learning_point: str) -> list[str]:
    """The sites that need a look at one learning point, worst first (concern, watch, too few records)."""
    rank = {name: place for place, name in enumerate(LOOK_ORDER)}
    rows = status[(status["learning_point"] == learning_point.upper()) & (status["status"] != "on track")]
    rows = rows.assign(_rank=rows["status"].map(rank)).sort_values(["_rank", "site"], kind="stable")
    return list(rows["site"])


def keep_sites(frame: pd.DataFrame, sites: list[str], limit: int = FOCUS_SITES, column: str = "site") -> pd.DataFrame:
    """The rows of the first ``limit`` of ``sites``, in that order (rows within a site keep theirs)."""
    order = {name: place for place, name in enumerate(sites[:limit])}
    kept = frame[frame[column].isin(order)]
    return kept.assign(_order=kept[column].map(order)).sort_values("_order", kind="stable").drop(columns="_order")


def spread(
    frame: pd.DataFrame, by: str, value: str, categories: list[str], sites: int, column: str = "site"
) -> pd.DataFrame:
    """How one figure per site is spread across the sites, for each category.

    ``frame`` has one row per site and category (``column``, ``by``, ``value``); a missing value means the
    site has none. ``sites`` is how many sites are shown, so that those with none are counted too.

    Returns columns category, sites (with a value), none (sites without), low, q1, median, q3, high.
    """
    values = frame.dropna(subset=[value])
    rows = []
    for category in categories:
        found = pd.to_numeric(values.loc[values[by] == category, value], errors="coerce").dropna()
        counted = int(values.loc[values[by] == category, column].nunique())
        quantiles = found.quantile([0, 0.25, 0.5, 0.75, 1]).tolist() if len(found) else [float("nan")] * 5
        rows.append(
            {"category": category, "sites": counted, "none": max(sites - counted, 0)}
            | dict(zip(["low", "q1", "median", "q3", "high"], quantiles, strict=True))
        )
    return pd.DataFrame(rows, columns=["category", "sites", "none", "low", "q1", "median", "q3", "high"])
