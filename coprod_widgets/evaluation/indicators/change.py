"""LP5 and LP6: realistic expectations, and change that starts with culture and behaviour.

Co-production tends to change behaviour and culture first, then processes, then services
(:class:`~coprod_widgets.choices.ChangeType` lists them in that order). Every outcome counts,
intended or not, positive or negative: a change is a change. Outcomes with no date are left out.
Months are calendar-average months (365.25 / 12 days).
"""

from __future__ import annotations

import pandas as pd

from ._common import CHANGE_TYPES, DATE, DAYS_PER_MONTH, add_site, only_sites, order_of, prepare, shape, site_table

FIRST_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "change_type": "str",
    "first_observed": DATE,
    "months_from_start": "float64",
    "order": "Int64",
}
ORDER_COLUMNS = {"site_id": "int64", "site": "str", "order_ok": "bool", "sequence": "str"}
MILESTONE_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "milestone": "str",
    "change_kind": "str",
    "expected_date": DATE,
    "first_actual": DATE,
    "met": "bool",
    "days_late": "float64",
}


def _firsts(table: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    """Date of the first outcome of each change type, indexed by (site_id, change_type)."""
    rows = only_sites(
        prepare(outcomes, ints=("id", "site_id"), texts=("change_type",), dates=("date_observed",)), table
    )
    rows = rows.dropna(subset=["date_observed"])
    return rows.groupby(["site_id", "change_type"])["date_observed"].min()


def first_change(sites: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """When each kind of change was first seen at each site, every change type listed for every site.

    ``order`` ranks the kinds seen by their first date within the site (1 = first; kinds first
    seen on the same day share a rank); kinds never seen have NaT, NaN months and NA order.

    Returns
    -------
    DataFrame with columns site_id, site, change_type, first_observed, months_from_start, order.
    """
    table = site_table(sites)
    grid = pd.MultiIndex.from_product([table["site_id"], CHANGE_TYPES], names=["site_id", "change_type"])
    out = _firsts(table, outcomes).reindex(grid).rename("first_observed").reset_index()
    out = out.merge(table[["site_id", "start_date"]], on="site_id", how="left")
    out["months_from_start"] = (out["first_observed"] - out["start_date"]).dt.days / DAYS_PER_MONTH
    out["order"] = out.groupby("site_id")["first_observed"].rank(method="min")
    return shape(add_site(out, table), FIRST_COLUMNS)


def behaviour_first(sites: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Did the kinds of change appear in the expected order (behaviour/culture, then process, then service)?

    ``order_ok`` compares the first dates of the kinds that have been seen: it is True when they
    do not decrease along behaviour_culture -> process -> service (so a site with none, or one kind,
    is True). ``sequence`` lists the kinds seen in the order they first appeared, joined by ' > ',
    or ' = ' for kinds first seen on the same day; '' when none.

    Returns
    -------
    DataFrame with columns site_id, site, order_ok, sequence.
    """
    first = first_change(sites, outcomes).dropna(subset=["first_observed"])
    first = first.assign(_kind=order_of(first["change_type"], CHANGE_TYPES))
    rows = []
    for site_id, site in zip(*(site_table(sites)[c] for c in ("site_id", "site")), strict=True):
        own = first[first["site_id"] == site_id].sort_values(["first_observed", "_kind"], kind="stable")
        by_kind = own.sort_values("_kind", kind="stable")["first_observed"]
        sequence = ""
        for i, (kind, when) in enumerate(zip(own["change_type"], own["first_observed"], strict=True)):
            if i:
                sequence += " = " if when == own["first_observed"].iloc[i - 1] else " > "
            sequence += kind
        rows.append(
            {"site_id": site_id, "site": site, "order_ok": bool(by_kind.is_monotonic_increasing), "sequence": sequence}
        )
    return shape(pd.DataFrame(rows, columns=list(ORDER_COLUMNS)), ORDER_COLUMNS)


def milestones_vs_actual(sites: pd.DataFrame, expectations: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each expected milestone against the first outcome of the kind of change it expected.

    ``met`` is True when a change of that kind has been seen at all; ``days_late`` is first seen
    minus expected (negative = early), NaN when not met or the expected date is missing.

    Returns
    -------
    DataFrame with columns site_id, site, milestone, change_kind, expected_date, first_actual, met, days_late.
    """
    table = site_table(sites)
    hopes = only_sites(
        prepare(expectations, ints=("id", "site_id"), texts=("milestone", "change_kind"), dates=("expected_date",)),
        table,
    )
    firsts = _firsts(table, outcomes).rename("first_actual").reset_index()
    out = hopes.merge(firsts, left_on=["site_id", "change_kind"], right_on=["site_id", "change_type"], how="left")
    out["met"] = out["first_actual"].notna()
    out["days_late"] = (out["first_actual"] - out["expected_date"]).dt.days.astype("float64")
    out = out.sort_values(["site_id", "expected_date", "id"], na_position="last", kind="stable")
    return shape(add_site(out, table), MILESTONE_COLUMNS)


BY_TYPE_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "change_type": "str",
    "outcomes": "int64",
    "positive": "int64",
    "negative": "int64",
    "intended": "int64",
    "substantiated": "int64",
}


def outcomes_by_type(sites: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """How many outcomes of each type of change each site recorded, dated or not, and of what sort.

    Only types a site recorded are listed, in :data:`CHANGE_TYPES` order within each site.

    Returns
    -------
    DataFrame with columns site_id, site, change_type, outcomes, positive, negative, intended, substantiated.
    """
    table = site_table(sites)
    rows = only_sites(
        prepare(
            outcomes, ints=("id", "site_id"), texts=("change_type", "direction"), bools=("intended", "substantiated")
        ),
        table,
    )
    rows = rows.assign(positive=rows["direction"] == "positive", negative=rows["direction"] == "negative")
    out = (
        rows.groupby(["site_id", "change_type"])
        .agg(
            outcomes=("id", "size"),
            positive=("positive", "sum"),
            negative=("negative", "sum"),
            intended=("intended", "sum"),
            substantiated=("substantiated", "sum"),
        )
        .reset_index()
    )
    out = out.assign(_order=order_of(out["change_type"], CHANGE_TYPES)).sort_values(["site_id", "_order"])
    return shape(add_site(out, table), BY_TYPE_COLUMNS)
