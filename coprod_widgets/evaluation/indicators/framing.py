"""LP1, the problem is identified together: who shaped each version of the problem framing.

A framing fixed before anyone with lived experience took part is the pattern to find; revising it
once they joined is the remedy. "Lived experience" means the role groups ``lived_experience``
and ``carer`` (people who use services and carers), as in :mod:`coprod_widgets.health`.
"""

from __future__ import annotations

import pandas as pd

from ._common import DATE, LIVED, add_site, lookup, only_sites, prepare, shape, site_table

PARTICIPANT_COLUMNS = {
    "site_id": "int64",
    "version": "Int64",
    "date": DATE,
    "partner_id": "int64",
    "display_name": "str",
    "role_group": "str",
    "lived_experience": "bool",
}
SUMMARY_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "first_framing_date": DATE,
    "lived_experience_in_first": "bool",
    "first_lived_framing_version": "Int64",
    "revisions": "int64",
    "versions": "int64",
}


def _framings(framings: pd.DataFrame) -> pd.DataFrame:
    """Framings in version order within each site (undated or unnumbered ones last)."""
    framings = prepare(
        framings, ints=("id", "site_id"), nullable_ints=("version",), dates=("date",), lists=("partner_ids",)
    )
    return framings.sort_values(["site_id", "version", "date", "id"], na_position="last", kind="stable")


def _partners(partners: pd.DataFrame) -> pd.DataFrame:
    return prepare(partners, ints=("id", "site_id"), texts=("display_name", "role_group"))


def framing_participants(partners: pd.DataFrame, framings: pd.DataFrame) -> pd.DataFrame:
    """One row per partner who took part in each version of the problem framing.

    Partners missing from ``partners`` (for example left out by a partner-group filter) are left out.

    Returns
    -------
    DataFrame with columns site_id, version, date, partner_id, display_name, role_group,
    lived_experience (role group is lived_experience or carer).
    """
    rows = _framings(framings)[["site_id", "version", "date", "partner_ids"]].explode("partner_ids")
    rows = rows.dropna(subset=["partner_ids"]).rename(columns={"partner_ids": "partner_id"})
    rows["partner_id"] = pd.to_numeric(rows["partner_id"]).astype("int64")
    people = _partners(partners)[["id", "site_id", "display_name", "role_group"]].rename(columns={"id": "partner_id"})
    rows = rows.merge(people, on=["partner_id", "site_id"], how="inner")
    rows["lived_experience"] = rows["role_group"].isin(LIVED)
    rows = rows.sort_values(["site_id", "version", "date", "partner_id"], na_position="last", kind="stable")
    return shape(rows, PARTICIPANT_COLUMNS)


def framing_summary(sites: pd.DataFrame, partners: pd.DataFrame, framings: pd.DataFrame) -> pd.DataFrame:
    """One row per site: was lived experience there from the first version, and was the problem revisited?

    Versions are ordered by their number (then date). A site with no framings has no first date,
    ``lived_experience_in_first`` False, no first lived version and 0 versions and revisions.

    Returns
    -------
    DataFrame with columns site_id, site, first_framing_date, lived_experience_in_first,
    first_lived_framing_version (Int64, NA when no version included lived experience),
    revisions (versions - 1, 0 when none), versions.
    """
    table = site_table(sites)
    people = _partners(partners)
    lived_ids = set(people.loc[people["role_group"].isin(LIVED), "id"])
    rows = only_sites(_framings(framings), table)
    rows["lived"] = rows["partner_ids"].map(lambda ids: any(i in lived_ids for i in ids)).astype(bool)
    first = rows.drop_duplicates("site_id", keep="first").set_index("site_id")
    first_lived = rows[rows["lived"]].drop_duplicates("site_id", keep="first").set_index("site_id")["version"]
    versions = rows.groupby("site_id").size()

    out = table[["site_id"]].copy()
    out["first_framing_date"] = lookup(out["site_id"], first["date"])
    out["lived_experience_in_first"] = lookup(out["site_id"], first["lived"]).astype(object).fillna(False).astype(bool)
    out["first_lived_framing_version"] = lookup(out["site_id"], first_lived).astype("Int64")
    out["versions"] = lookup(out["site_id"], versions).fillna(0).astype("int64")
    out["revisions"] = (out["versions"] - 1).clip(lower=0)
    return shape(add_site(out, table), SUMMARY_COLUMNS)
