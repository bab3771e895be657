"""Shared helpers: role groups, input preparation and output shaping.

Indicator functions accept frames exactly as :meth:`Store.frame` gives them, including the empty
frames of an empty store (object columns). :func:`prepare` gives the columns they use the types
they need; :func:`shape` makes every output have its documented columns, in order, with stable
types, even when it has no rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import rules
from ...choices import LEARNING_POINTS as _LEARNING_POINTS
from ...choices import ChangeType, IdeaFate, RoleGroup, Stage
from ...questions.instruments import is_instrument
from ...rules import STAFF_GROUPS

STAFF = frozenset(group.value for group in STAFF_GROUPS)
LIVED = frozenset({"lived_experience", "carer"})
ROLE_GROUPS = [member.value for member in RoleGroup]
CHANGE_TYPES = [member.value for member in ChangeType]
IDEA_FATES = [member.value for member in IdeaFate]
STAGES = [member.value for member in Stage]
LP_CODES = rules.LP_CODES
LP_COLUMNS = list(_LEARNING_POINTS)  # lp1..lp8, the self-assessment score columns
DATE = "datetime64[s]"
DAYS_PER_MONTH = 365.25 / 12


def role_class(role_group) -> str:
    """'staff', 'lived experience' or 'other' (voluntary sector, other, unknown)."""
    if role_group in STAFF:
        return "staff"
    if role_group in LIVED:
        return "lived experience"
    return "other"


def instrument_set_ids(question_sets: pd.DataFrame) -> set[int]:
    """The ids of the question sets that are versions of a shared instrument (the self-assessment, the 4Pi
    reflection): their answers are analysed on their own, not with the questions a site chose to ask (LP8)."""
    ids = set()
    for row in question_sets.to_dict("records"):
        site = row.get("site_id")
        row = {**row, "site_id": None if site is None or pd.isna(site) else int(site)}
        if row["site_id"] is None and is_instrument(row):
            ids.add(int(row["id"]))
    return ids


def order_of(values: pd.Series, order: list) -> pd.Series:
    """Position of each value in ``order`` (unknown values last), for sorting by a code list."""
    rank = {value: i for i, value in enumerate(order)}
    return values.map(lambda value: rank.get(value, len(order))).astype("int64")


def prepare(frame: pd.DataFrame, ints=(), nullable_ints=(), dates=(), texts=(), bools=(), lists=()) -> pd.DataFrame:
    """A copy of ``frame`` with the named columns typed; missing columns are added empty.

    Ids of an empty store come as object columns, which pandas will not merge with int64 ones.
    """
    frame = frame.copy()
    n = len(frame)
    for column in (*ints, *nullable_ints, *dates, *texts, *bools, *lists):
        if column not in frame.columns:
            frame[column] = pd.Series([None] * n, index=frame.index, dtype=object)
    for column in ints:
        frame[column] = pd.to_numeric(frame[column]).astype("int64")
    for column in nullable_ints:
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).astype(DATE)
    for column in texts:
        frame[column] = frame[column].astype("str")
    for column in bools:
        frame[column] = frame[column].fillna(False).astype(bool)
    for column in lists:
        frame[column] = frame[column].map(
            lambda value: list(value) if isinstance(value, (list, tuple, set, np.ndarray)) else []
        )
    return frame


def site_table(sites: pd.DataFrame) -> pd.DataFrame:
    """The sites as ``site_id, site, start_date``, in id order."""
    sites = prepare(sites, ints=("id",), texts=("name",), dates=("start_date",))
    table = pd.DataFrame({"site_id": sites["id"], "site": sites["name"], "start_date": sites["start_date"]})
    return table.sort_values("site_id", kind="stable").reset_index(drop=True)


def only_sites(frame: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` belonging to the sites in ``table``."""
    return frame[frame["site_id"].isin(set(table["site_id"]))].reset_index(drop=True)


def lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values[key]`` for each key (missing where absent), aligned with ``keys``.

    Used instead of ``keys.map(values)``, which fails in pandas 3 when ``values`` holds dates and is empty.
    """
    return values.reindex(keys.to_numpy()).set_axis(keys.index)


class BySite:
    """A frame's rows split by site once, so that a loop over sites costs one pass, not one per site."""

    def __init__(self, frame: pd.DataFrame, column: str = "site_id"):
        self._empty = frame.iloc[0:0]
        self._parts = {key: part for key, part in frame.groupby(column, sort=False)} if len(frame) else {}

    def __getitem__(self, site_id) -> pd.DataFrame:
        return self._parts.get(site_id, self._empty)


def rows_by_site(frame: pd.DataFrame, column: str = "site_id") -> dict:
    """A frame's rows as named tuples, listed by site in one pass (``.get(site_id, [])`` for a site with none)."""
    found: dict = {}
    for row in frame.itertuples(index=False):
        found.setdefault(getattr(row, column), []).append(row)
    return found


def add_site(frame: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Put the site name beside ``site_id``."""
    names = dict(zip(table["site_id"], table["site"], strict=True))
    return frame.assign(site=frame["site_id"].map(names))


def shape(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    """``frame`` with exactly the ``schema`` columns, in order, typed; a fresh 0..n-1 index."""
    frame = frame.reset_index(drop=True)
    out = {}
    for column, dtype in schema.items():
        values = frame[column] if column in frame.columns else pd.Series([None] * len(frame), dtype=object)
        if dtype == DATE:
            values = pd.to_datetime(values).astype(DATE)
        elif dtype == "bool":
            values = values.astype(object).where(values.notna(), False).astype(bool)
        elif dtype in ("int64", "Int64", "float64"):
            values = pd.to_numeric(values).astype(dtype)
        else:
            values = values.astype(dtype)
        out[column] = values.reset_index(drop=True)
    return pd.DataFrame(out, columns=list(schema))


def day(value) -> str:
    """A date as 2015-04-14, or 'no date' when missing."""
    return "no date" if pd.isna(value) else pd.Timestamp(value).date().isoformat()
