"""The Ladder of Co-production and the self-assessments: how far up the ladder each stage got, and
whether staff and people with lived experience rate the learning points alike.

Role classes: staff = clinician, manager, commissioner; lived experience = lived_experience,
carer; other = voluntary_sector, other. A gap of a whole point or more between the staff and the
lived-experience mean is flagged: the two see the work differently.
"""

from __future__ import annotations

import pandas as pd

from ._common import (
    LP_CODES,
    LP_COLUMNS,
    STAGES,
    add_site,
    only_sites,
    order_of,
    prepare,
    role_class,
    shape,
    site_table,
)

ROLE_CLASSES = ["staff", "lived experience", "other"]
#: Staff and lived-experience means this far apart or more are flagged.
GAP_FLAG = 1.0
STAGE_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "stage": "str",
    "activities": "int64",
    "median_step": "float64",
    "max_step": "int64",
}
ROLE_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "wave": "int64",
    "role_class": "str",
    "learning_point": "str",
    "mean_score": "float64",
    "responses": "int64",
}
GAP_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "wave": "int64",
    "learning_point": "str",
    "staff_mean": "float64",
    "lived_mean": "float64",
    "gap": "float64",
    "flagged": "bool",
}


def ladder_by_stage(sites: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Ladder steps of each site's activities at each stage (stages with no activities are left out).

    Returns
    -------
    DataFrame with columns site_id, site, stage (in the usual order), activities, median_step, max_step.
    """
    table = site_table(sites)
    acts = only_sites(
        prepare(activities, ints=("id", "site_id"), nullable_ints=("ladder_step",), texts=("stage",)), table
    )
    acts = acts.dropna(subset=["ladder_step"])
    acts["ladder_step"] = acts["ladder_step"].astype("float64")
    out = (
        acts.groupby(["site_id", "stage"])
        .agg(activities=("id", "size"), median_step=("ladder_step", "median"), max_step=("ladder_step", "max"))
        .reset_index()
    )
    out = out.assign(_stage=order_of(out["stage"], STAGES)).sort_values(["site_id", "_stage"], kind="stable")
    return shape(add_site(out, table), STAGE_COLUMNS)


def self_assessment_by_role(sites: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """Mean self-assessment score per site, survey wave, role class and learning point.

    ``assessments``: the shared self-assessment's answers, wide, as ``load_programme`` gives them
    (``data["self_assessment"]``: respondent_role, wave, lp1..lp8 as Int64). Unanswered learning points
    (NA, never 0) are left out of the mean; ``responses`` counts the answers.
    Combinations with no answers have no row.

    Returns
    -------
    DataFrame with columns site_id, site, wave, role_class, learning_point ('LP1'..'LP8'),
    mean_score, responses.
    """
    table = site_table(sites)
    rows = only_sites(
        prepare(assessments, ints=("id", "site_id"), nullable_ints=("wave",), texts=("respondent_role",)), table
    )
    rows = rows.dropna(subset=["wave"])
    for column in LP_COLUMNS:
        if column not in rows.columns:
            rows[column] = float("nan")
    rows["role_class"] = rows["respondent_role"].map(role_class)
    long = rows.melt(
        id_vars=["site_id", "wave", "role_class"], value_vars=LP_COLUMNS, var_name="learning_point", value_name="score"
    )
    long["score"] = pd.to_numeric(long["score"], errors="coerce").astype("float64")
    long = long.dropna(subset=["score"])
    long["learning_point"] = long["learning_point"].str.upper()
    out = (
        long.groupby(["site_id", "wave", "role_class", "learning_point"])
        .agg(mean_score=("score", "mean"), responses=("score", "size"))
        .reset_index()
    )
    out = out.assign(_class=order_of(out["role_class"], ROLE_CLASSES), _lp=order_of(out["learning_point"], LP_CODES))
    out = out.sort_values(["site_id", "wave", "_class", "_lp"], kind="stable")
    return shape(add_site(out, table), ROLE_COLUMNS)


def staff_lived_gap(sites: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """Staff mean minus lived-experience mean for each site, wave and learning point.

    A row is kept when either side answered; ``gap`` is NaN (and not flagged) when one side did
    not. ``flagged`` is abs(gap) >= 1 (compared after rounding to 9 decimals, so 11/3 - 8/3 counts).

    Returns
    -------
    DataFrame with columns site_id, site, wave, learning_point, staff_mean, lived_mean, gap, flagged.
    """
    by_role = self_assessment_by_role(sites, assessments)
    by_role = by_role[by_role["role_class"].isin(["staff", "lived experience"])]
    if by_role.empty:
        return shape(by_role, GAP_COLUMNS)
    keys = ["site_id", "site", "wave", "learning_point"]
    out = by_role.pivot_table(
        index=keys, columns="role_class", values="mean_score", aggfunc="first", observed=True
    ).reset_index()
    out = out.rename(columns={"staff": "staff_mean", "lived experience": "lived_mean"})
    for column in ("staff_mean", "lived_mean"):
        if column not in out.columns:
            out[column] = float("nan")
    out["gap"] = out["staff_mean"] - out["lived_mean"]
    out["flagged"] = out["gap"].abs().round(9) >= GAP_FLAG
    out = out.assign(_lp=order_of(out["learning_point"], LP_CODES)).sort_values(
        ["site_id", "wave", "_lp"], kind="stable"
    )
    return shape(out, GAP_COLUMNS)
