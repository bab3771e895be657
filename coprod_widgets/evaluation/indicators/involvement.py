"""LP2, everyone stays actively involved: attendance by partner group, drop-outs and representation.

A partner is *current* at an activity when they had joined on or before its date and had not left
before it (attendance on the day someone leaves is allowed, as in the domain model). A partner with
no date joined is taken to have been there from the start. Activities with no date cannot be placed
in time and are left out of the attendance and drop-out indicators.
"""

from __future__ import annotations

from bisect import bisect_left

import pandas as pd

from ._common import DATE, ROLE_GROUPS, BySite, add_site, only_sites, order_of, prepare, shape, site_table

BY_MONTH_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "month": DATE,
    "role_group": "str",
    "activities": "int64",
    "expected": "int64",
    "attended": "int64",
    "contributed": "int64",
    "rate": "float64",
}
DROPOUT_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "level": "str",
    "role_group": "str",
    "partner_id": "Int64",
    "display_name": "str",
    "last_attended": DATE,
    "missed": "int64",
}
REPRESENTATION_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "role_group": "str",
    "partners": "int64",
    "current": "int64",
    "share": "float64",
}
CONTRIBUTION_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "role_group": "str",
    "attended": "int64",
    "contributed": "int64",
    "share": "float64",
}


def _partners(partners: pd.DataFrame) -> pd.DataFrame:
    return prepare(partners, ints=("id", "site_id"), texts=("display_name", "role_group"), dates=("joined", "left"))


def _activities(activities: pd.DataFrame) -> pd.DataFrame:
    """Dated activities in the order they happened."""
    activities = prepare(activities, ints=("id", "site_id"), dates=("date",))
    activities = activities.dropna(subset=["date"])
    return activities.sort_values(["site_id", "date", "id"], kind="stable").reset_index(drop=True)


def _attendance(attendance: pd.DataFrame) -> pd.DataFrame:
    return prepare(attendance, ints=("activity_id", "partner_id", "site_id"), bools=("contributed",))


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sort with role groups in their usual order (lived experience first) rather than alphabetically."""
    frame = frame.assign(_role=order_of(frame["role_group"], ROLE_GROUPS))
    by = ["_role" if column == "role_group" else column for column in by]
    return frame.sort_values(by, kind="stable").drop(columns="_role")


def attendance_by_group_month(
    sites: pd.DataFrame, partners: pd.DataFrame, activities: pd.DataFrame, attendance: pd.DataFrame
) -> pd.DataFrame:
    """Monthly attendance of each partner group, against the partners of that group who were current.

    ``expected`` counts partner-activity slots: each activity that month times each partner of
    the group current on its date. ``rate`` is attended / expected (NaN when nothing was expected).
    A row is kept when something was expected or someone attended.

    Returns
    -------
    DataFrame with columns site_id, site, month (first of the month), role_group, activities,
    expected, attended, contributed, rate.
    """
    table = site_table(sites)
    acts = only_sites(_activities(activities), table)
    acts["month"] = acts["date"].dt.to_period("M").dt.to_timestamp().astype(DATE)
    people = _partners(partners)
    keys = ["site_id", "month", "role_group"]

    slots = acts[["id", "site_id", "date", "month"]].merge(
        people[["id", "site_id", "role_group", "joined", "left"]], on="site_id", suffixes=("", "_partner")
    )
    current = (slots["joined"].isna() | (slots["joined"] <= slots["date"])) & (
        slots["left"].isna() | (slots["left"] >= slots["date"])
    )
    expected = slots[current].groupby(keys).size().rename("expected")

    came = _attendance(attendance).merge(
        acts[["id", "site_id", "month"]], left_on=["activity_id", "site_id"], right_on=["id", "site_id"]
    )
    came = came.merge(people[["id", "role_group"]].rename(columns={"id": "partner_id"}), on="partner_id")
    attended = came.groupby(keys).agg(attended=("partner_id", "size"), contributed=("contributed", "sum"))

    out = pd.concat([expected, attended], axis=1).fillna(0).reset_index()
    if out.empty:
        return shape(out, BY_MONTH_COLUMNS)
    out = out.rename(columns={"level_0": "site_id", "level_1": "month", "level_2": "role_group"})
    per_month = acts.groupby(["site_id", "month"]).size().rename("activities")
    out = out.merge(per_month.reset_index(), on=["site_id", "month"], how="left")
    out["rate"] = out["attended"] / out["expected"].where(out["expected"] > 0)
    out = _sorted(add_site(out, table), ["site_id", "month", "role_group"])
    return shape(out, BY_MONTH_COLUMNS)


def dropouts(
    sites: pd.DataFrame, partners: pd.DataFrame, activities: pd.DataFrame, attendance: pd.DataFrame, n: int = 3
) -> pd.DataFrame:
    """Partners, and whole partner groups, who have stopped coming without being marked as left.

    A partner drops out when they missed each of their site's last ``n`` dated activities, have no
    date left, and had joined by the first of those activities. A group drops out when every such
    partner of that group did. Sites with fewer than ``n`` dated activities have no drop-outs yet.
    This is the check the site app makes (:func:`coprod_widgets.health.attendance_check`).

    Returns
    -------
    DataFrame with columns site_id, site, level ('group' rows first, then 'partner'), role_group,
    partner_id (NA for groups), display_name ('' for groups), last_attended (NaT if never),
    missed (consecutive most recent activities missed; for a group, by every one of its partners).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}.")
    table = site_table(sites)
    acts = only_sites(_activities(activities), table)
    people = only_sites(_partners(partners), table)
    came = _attendance(attendance)
    attended = set(zip(came["activity_id"], came["partner_id"], strict=True))
    by_site = BySite(people[people["left"].isna()])
    rows = []
    for site_id, site_acts in acts.groupby("site_id", sort=True):
        if len(site_acts) < n:
            continue
        first = site_acts["date"].iloc[-n]
        members = by_site[site_id]
        members = members[members["joined"].isna() | (members["joined"] <= first)]
        dates, ids = list(site_acts["date"]), list(site_acts["id"])  # in date order
        found: dict[str, list[dict]] = {}
        for member in members.itertuples(index=False):
            since = 0 if pd.isna(member.joined) else bisect_left(dates, member.joined)
            present = [(activity, member.id) in attended for activity in ids[since:]]
            came_on = [when for when, here in zip(dates[since:], present, strict=True) if here]
            found.setdefault(member.role_group, []).append(
                {
                    "site_id": site_id,
                    "level": "partner",
                    "role_group": member.role_group,
                    "partner_id": member.id,
                    "display_name": member.display_name,
                    "last_attended": max(came_on, default=pd.NaT),
                    "missed": next((i for i, here in enumerate(reversed(present)) if here), len(present)),
                }
            )
        for group, partners_of in found.items():
            gone = [row for row in partners_of if row["missed"] >= n]
            rows.extend(gone)
            if len(gone) == len(partners_of):
                last = [row["last_attended"] for row in gone if pd.notna(row["last_attended"])]
                rows.append(
                    {
                        "site_id": site_id,
                        "level": "group",
                        "role_group": group,
                        "partner_id": pd.NA,
                        "display_name": "",
                        "last_attended": max(last, default=pd.NaT),
                        "missed": min(row["missed"] for row in gone),
                    }
                )
    out = pd.DataFrame(
        rows, columns=["site_id", "level", "role_group", "partner_id", "display_name", "last_attended", "missed"]
    )
    out = out.assign(_level=out["level"].map({"group": 0, "partner": 1}))
    out = _sorted(add_site(out, table), ["site_id", "_level", "role_group", "display_name"])
    return shape(out, DROPOUT_COLUMNS)


def representation(sites: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Who is on each site's partner register, for every role group (zero rows show who is missing).

    ``partners`` counts everyone ever registered; ``current`` those with no date left; ``share`` is
    the group's share of the site's current partners (NaN when the site has none).

    Returns
    -------
    DataFrame with columns site_id, site, role_group, partners, current, share.
    """
    table = site_table(sites)
    people = only_sites(_partners(partners), table)
    people["is_current"] = people["left"].isna()
    counts = people.groupby(["site_id", "role_group"]).agg(partners=("id", "size"), current=("is_current", "sum"))
    grid = pd.MultiIndex.from_product([table["site_id"], ROLE_GROUPS], names=["site_id", "role_group"])
    out = counts.reindex(grid, fill_value=0).reset_index()
    totals = out.groupby("site_id")["current"].transform("sum")
    out["share"] = out["current"] / totals.where(totals > 0)
    return shape(add_site(out, table), REPRESENTATION_COLUMNS)


def contribution_share(sites: pd.DataFrame, attendance: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """How often each group spoke up when they came: ``share`` is contributed / attended.

    One row per role group on the site's register (NaN share when the group never attended).
    Attendance by partners not in ``partners`` is left out.

    Returns
    -------
    DataFrame with columns site_id, site, role_group, attended, contributed, share.
    """
    table = site_table(sites)
    people = only_sites(_partners(partners), table)
    came = _attendance(attendance).merge(
        people[["id", "site_id", "role_group"]].rename(columns={"id": "partner_id"}), on=["partner_id", "site_id"]
    )
    counts = came.groupby(["site_id", "role_group"]).agg(
        attended=("partner_id", "size"), contributed=("contributed", "sum")
    )
    groups = people[["site_id", "role_group"]].drop_duplicates()
    out = groups.merge(counts.reset_index(), on=["site_id", "role_group"], how="left")
    out[["attended", "contributed"]] = out[["attended", "contributed"]].fillna(0)
    out["share"] = out["contributed"] / out["attended"].where(out["attended"] > 0)
    out = _sorted(add_site(out, table), ["site_id", "role_group"])
    return shape(out, CONTRIBUTION_COLUMNS)
