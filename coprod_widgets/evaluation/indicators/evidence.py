"""LP7, outcomes are evidenced and planned early: when the evidence plan was agreed, and which
indicators have evidence behind them.

A plan is due within eight weeks (56 days) of the site's start, as in
:func:`coprod_widgets.health.evidence_plan_check`.
"""

from __future__ import annotations

import re

import pandas as pd

from ...rules import EVIDENCE_PLAN_DUE_DAYS
from ._common import DATE, add_site, lookup, only_sites, prepare, shape, site_table

#: Days after the start by which the evidence plan should be agreed.
PLAN_DUE_DAYS = EVIDENCE_PLAN_DUE_DAYS
TIMING_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "first_agreed": DATE,
    "days_to_plan": "Int64",
    "late": "bool",
    "items": "int64",
}
EVIDENCE_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "indicator": "str",
    "data_source": "str",
    "has_evidence": "bool",
}
#: Words too common to show that an evidence source is the planned one.
COMMON_WORDS = frozenset(
    {
        "about",
        "after",
        "also",
        "and",
        "before",
        "between",
        "by",
        "copy",
        "data",
        "each",
        "every",
        "from",
        "have",
        "into",
        "more",
        "number",
        "of",
        "on",
        "or",
        "over",
        "people",
        "per",
        "record",
        "records",
        "short",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "those",
        "through",
        "under",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "with",
        "within",
        "without",
    }
)


def evidence_plan_timing(sites: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """When each site first agreed an item of its evidence plan, counted in days from its start.

    ``late`` is True when there is no plan or it was agreed more than 56 days after the start.
    Items without a date do not set ``first_agreed``; a plan whose items are all undated cannot be
    shown to be late (``days_to_plan`` NA, ``late`` False).

    Returns
    -------
    DataFrame with columns site_id, site, first_agreed, days_to_plan (Int64), late, items.
    """
    table = site_table(sites)
    items = only_sites(prepare(plan, ints=("id", "site_id"), dates=("date_agreed",)), table)
    out = table.copy()
    out["first_agreed"] = lookup(out["site_id"], items.groupby("site_id")["date_agreed"].min())
    out["items"] = lookup(out["site_id"], items.groupby("site_id").size()).fillna(0).astype("int64")
    days = (pd.to_datetime(out["first_agreed"]) - out["start_date"]).dt.days
    out["days_to_plan"] = days.astype("Int64")
    out["late"] = (out["items"] == 0) | (days > PLAN_DUE_DAYS)
    return shape(out, TIMING_COLUMNS)


def words(text) -> set[str]:
    """Lower-case words of three or more letters, less common words, with a plural 's' dropped."""
    if not isinstance(text, str):
        return set()
    found = (word.removesuffix("'s").removesuffix("'") for word in re.findall(r"[a-z][a-z'-]*", text.lower()))
    return {
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in found
        if len(w) >= 3 and w not in COMMON_WORDS
    }


def mentions(evidence_source, data_source, indicator) -> bool:
    """True when an outcome's evidence source names a planned data source or indicator.

    The rule: the evidence source contains the whole data source or the whole indicator (ignoring
    case), or shares at least one meaningful word with the data source (see :func:`words`).
    Only the data source is matched word by word: indicators are often long phrases whose common
    words ("call", "people") would match almost anything.
    """
    if not isinstance(evidence_source, str) or not evidence_source.strip():
        return False
    text = evidence_source.casefold()
    for phrase in (data_source, indicator):
        if isinstance(phrase, str) and phrase.strip() and phrase.strip().casefold() in text:
            return True
    return bool(words(evidence_source) & words(data_source))


def indicators_with_evidence(sites: pd.DataFrame, plan: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each planned indicator, and whether any outcome at its site cites evidence from it.

    ``has_evidence`` is True when at least one outcome at the site has an evidence source that
    :func:`mentions` the item's data source or indicator.

    Returns
    -------
    DataFrame with columns site_id, site, indicator, data_source, has_evidence (one row per plan item).
    """
    table = site_table(sites)
    items = only_sites(
        prepare(plan, ints=("id", "site_id"), texts=("indicator", "data_source"), dates=("date_agreed",)), table
    )
    found = only_sites(prepare(outcomes, ints=("id", "site_id"), texts=("evidence_source",)), table)
    sources = found.groupby("site_id")["evidence_source"].agg(list).to_dict()
    items["has_evidence"] = [
        any(mentions(source, data_source, indicator) for source in sources.get(site_id, []))
        for site_id, data_source, indicator in zip(
            items["site_id"], items["data_source"], items["indicator"], strict=True
        )
    ]
    items = items.sort_values(["site_id", "date_agreed", "id"], na_position="last", kind="stable")
    return shape(add_site(items, table), EVIDENCE_COLUMNS)
