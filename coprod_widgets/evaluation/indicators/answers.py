"""LP3, no pre-defined answers: non-negotiables declared up front and accepted by all; ideas set aside.

Genuine non-negotiables should be declared at the start (on or before the site's start date) and
accepted by every current partner (no date left), as :func:`coprod_widgets.health.non_negotiable_check`
asks. The ideas partners arrived with should be explored, then adopted or set aside; an idea still
contested is a pre-set answer that has not yet been let go.
"""

from __future__ import annotations

import pandas as pd

from ._common import DATE, IDEA_FATES, add_site, lookup, only_sites, prepare, shape, site_table

STATUS_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "non_negotiable_id": "int64",
    "statement": "str",
    "date_declared": DATE,
    "declared_after_start": "bool",
    "days_after_start": "Int64",
    "partners_current": "int64",
    "accepted": "int64",
    "queried": "int64",
    "not_accepted": "int64",
    "no_response": "int64",
    "accepted_by_all": "bool",
}
FATE_COLUMNS = {"site_id": "int64", "site": "str", "fate": "str", "ideas": "int64"}
RESPONSES = ("accepted", "queried", "not_accepted")


def non_negotiable_status(
    sites: pd.DataFrame, partners: pd.DataFrame, non_negotiables: pd.DataFrame, acceptances: pd.DataFrame
) -> pd.DataFrame:
    """Each non-negotiable: how long after the start it was declared and how current partners responded.

    Responses are counted among the site's current partners only, so accepted + queried +
    not_accepted + no_response = partners_current (a partner's latest response counts).
    ``declared_after_start`` is False and ``days_after_start`` NA when either date is missing.
    ``accepted_by_all`` is True when every current partner accepted (also when there are none).

    Returns
    -------
    DataFrame with columns site_id, site, non_negotiable_id, statement, date_declared,
    declared_after_start, days_after_start (Int64), partners_current, accepted, queried,
    not_accepted, no_response, accepted_by_all.
    """
    table = site_table(sites)
    rules = only_sites(
        prepare(non_negotiables, ints=("id", "site_id"), texts=("statement",), dates=("date_declared",)), table
    )
    rules = rules.merge(table[["site_id", "start_date"]], on="site_id", how="left")
    people = only_sites(prepare(partners, ints=("id", "site_id"), dates=("left",)), table)
    current = people[people["left"].isna()][["id", "site_id"]].rename(columns={"id": "partner_id"})
    answers = prepare(acceptances, ints=("id", "non_negotiable_id", "partner_id"), texts=("response",), dates=("date",))
    answers = answers.sort_values(["date", "id"], na_position="first", kind="stable")
    answers = answers.drop_duplicates(["non_negotiable_id", "partner_id"], keep="last")

    pairs = rules[["id", "site_id"]].rename(columns={"id": "non_negotiable_id"}).merge(current, on="site_id")
    pairs = pairs.merge(
        answers[["non_negotiable_id", "partner_id", "response"]], on=["non_negotiable_id", "partner_id"], how="left"
    )
    pairs["response"] = pairs["response"].where(pairs["response"].isin(RESPONSES), "no_response")
    counts = pd.crosstab(pairs["non_negotiable_id"], pairs["response"]) if len(pairs) else pd.DataFrame()
    counts = counts.reindex(columns=[*RESPONSES, "no_response"], fill_value=0)

    out = rules.rename(columns={"id": "non_negotiable_id"})
    for column in counts.columns:
        out[column] = lookup(out["non_negotiable_id"], counts[column]).fillna(0).astype("int64")
    out["partners_current"] = lookup(out["site_id"], current.groupby("site_id").size()).fillna(0).astype("int64")
    days = (out["date_declared"] - out["start_date"]).dt.days
    out["days_after_start"] = days.astype("Int64")
    out["declared_after_start"] = (days > 0).fillna(False).astype(bool)
    out["accepted_by_all"] = out["accepted"] == out["partners_current"]
    out = out.sort_values(["site_id", "date_declared", "non_negotiable_id"], na_position="last", kind="stable")
    return shape(add_site(out, table), STATUS_COLUMNS)


def idea_fates(sites: pd.DataFrame, ideas: pd.DataFrame) -> pd.DataFrame:
    """How many of the ideas partners arrived with were set aside, adopted after exploration or are still
    contested, with every fate listed for every site (zero counts included).

    Returns
    -------
    DataFrame with columns site_id, site, fate, ideas.
    """
    table = site_table(sites)
    rows = only_sites(prepare(ideas, ints=("id", "site_id"), texts=("fate",)), table)
    counts = rows.groupby(["site_id", "fate"]).size()
    grid = pd.MultiIndex.from_product([table["site_id"], IDEA_FATES], names=["site_id", "fate"])
    out = counts.reindex(grid, fill_value=0).rename("ideas").reset_index()
    return shape(add_site(out, table), FATE_COLUMNS)
