"""LP4, leadership is facilitative and can come from anywhere: who facilitated the activities.

A *facilitation* is one partner facilitating one activity, so an activity led by two people counts
twice and the shares of a site's groups add up to 1. Staff are clinicians, managers and
commissioners. Facilitators missing from ``partners`` (for example left out by a partner-group
filter) are not counted. The concern mirrors :func:`coprod_widgets.health.leadership_check`.
"""

from __future__ import annotations

import pandas as pd

from ._common import ROLE_GROUPS, STAFF, add_site, only_sites, order_of, prepare, shape, site_table

#: One group holding at least this share of the facilitations counts as concentrated leadership.
CONCENTRATED_SHARE = 0.75
BY_GROUP_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "role_group": "str",
    "facilitations": "int64",
    "share": "float64",
}
CONCENTRATION_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "groups_leading": "int64",
    "staff_only": "bool",
    "top_group": "str",
    "top_share": "float64",
    "concentrated": "bool",
}


def _facilitations(sites: pd.DataFrame, partners: pd.DataFrame, activities: pd.DataFrame):
    """(site table, partners of those sites, one row per activity and facilitator with their role group)."""
    table = site_table(sites)
    acts = only_sites(prepare(activities, ints=("id", "site_id"), lists=("facilitator_ids",)), table)
    people = only_sites(prepare(partners, ints=("id", "site_id"), texts=("role_group",)), table)
    led = acts[["id", "site_id", "facilitator_ids"]].explode("facilitator_ids").dropna(subset=["facilitator_ids"])
    led = led.rename(columns={"id": "activity_id", "facilitator_ids": "partner_id"})
    led["partner_id"] = pd.to_numeric(led["partner_id"]).astype("int64")
    led = led.merge(
        people[["id", "site_id", "role_group"]].rename(columns={"id": "partner_id"}), on=["partner_id", "site_id"]
    )
    return table, people, led


def facilitation_by_group(sites: pd.DataFrame, partners: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Facilitations by each role group on the site's register, and the group's share of the site's total.

    Groups on the register that never facilitated are listed with 0 (share 0, or NaN when no one
    at the site facilitated).

    Returns
    -------
    DataFrame with columns site_id, site, role_group, facilitations, share.
    """
    table, people, led = _facilitations(sites, partners, activities)
    counts = led.groupby(["site_id", "role_group"]).size().rename("facilitations").reset_index()
    groups = pd.concat([people[["site_id", "role_group"]], counts[["site_id", "role_group"]]]).drop_duplicates()
    out = groups.merge(counts, on=["site_id", "role_group"], how="left")
    out["facilitations"] = out["facilitations"].fillna(0)
    totals = out.groupby("site_id")["facilitations"].transform("sum")
    out["share"] = out["facilitations"] / totals.where(totals > 0)
    out = out.assign(_role=order_of(out["role_group"], ROLE_GROUPS)).sort_values(["site_id", "_role"], kind="stable")
    return shape(add_site(out, table), BY_GROUP_COLUMNS)


def leadership_concentration(sites: pd.DataFrame, partners: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """One row per site: how many groups lead, whether only staff do, and the leading group's share.

    ``concentrated`` is True when one group holds at least 75% of the facilitations or only staff
    facilitate. A site where no one is recorded as facilitating has 0 groups, no top group ('')
    and a NaN share, and is not flagged.

    Returns
    -------
    DataFrame with columns site_id, site, groups_leading, staff_only, top_group, top_share, concentrated.
    """
    by_group = facilitation_by_group(sites, partners, activities)
    leading = by_group[by_group["facilitations"] > 0]
    rows = []
    table = site_table(sites)
    for site_id, site in zip(table["site_id"], table["site"], strict=True):
        own = leading[leading["site_id"] == site_id]
        groups = set(own["role_group"])
        top = own.sort_values("facilitations", ascending=False, kind="stable").head(1)
        top_share = float(top["share"].iloc[0]) if len(top) else float("nan")
        staff_only = bool(groups) and groups <= STAFF
        rows.append(
            {
                "site_id": site_id,
                "site": site,
                "groups_leading": len(groups),
                "staff_only": staff_only,
                "top_group": top["role_group"].iloc[0] if len(top) else "",
                "top_share": top_share,
                "concentrated": staff_only or (bool(groups) and top_share >= CONCENTRATED_SHARE),
            }
        )
    return shape(pd.DataFrame(rows, columns=list(CONCENTRATION_COLUMNS)), CONCENTRATION_COLUMNS)
