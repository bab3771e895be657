"""The programme's records as pandas DataFrames, filtered by site, date range and partner group.

Evaluators start here::

    from coprod_widgets.evaluation.data import load_programme
    data = load_programme(store, sites=["Saltmere"], start="2015-06-01", groups=["carer"])
    data["activity"]          # one DataFrame per record type, as Store.frame gives it
    data["question_set"]      # the question sets those sites answer (every version), beside their answers
    data["self_assessment"]   # the shared self-assessment's answers, wide (also "reflection_4pi")
    data.sites                # the sites kept, with their start dates
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..questions.instruments import INSTRUMENTS
from ..records import SITE_RECORD_TYPES
from ..store import Store
from .instrument_frames import instrument_frame

#: Record types a date filter leaves to follow others: partners the activities they attend, a transcript's
#: coded passages the transcript (the date that matters is the interview's, not the day it was coded).
FOLLOWERS = ("partner", "coding")
#: Record types whose rows are about one partner, for partner-group filters.
BY_PARTNER = {"partner": "id", "attendance": "partner_id", "acceptance": "partner_id", "starting_idea": "partner_id"}


@dataclass
class ProgrammeData:
    """Frames for every site-level record type, the question sets, and ``sites``; ``filters`` says what was applied."""

    sites: pd.DataFrame
    frames: dict[str, pd.DataFrame]
    filters: dict = field(default_factory=dict)
    #: False for reports, which go to boards and the public: the statuses' evidence then says "a partner (carer)".
    partner_names: bool = True
    #: Figures worked out from these frames, kept for the next caller (the frames are not changed after loading).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.frames[kind]

    def memo(self, key: tuple, compute):
        """``compute()`` the first time ``key`` is asked for, then what it gave (a report asks several times)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def dropouts(self, n: int = 3) -> pd.DataFrame:
        """:func:`~coprod_widgets.evaluation.indicators.dropouts` of these frames, worked out once per ``n``."""
        from .indicators import dropouts

        frames = self.frames
        return self.memo(
            ("dropouts", n),
            lambda: dropouts(self.sites, frames["partner"], frames["activity"], frames["attendance"], n=n),
        ).copy()

    def site_names(self) -> dict[int, str]:
        return dict(zip(self.sites["id"], self.sites["name"], strict=True))


def _as_timestamp(value) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    return pd.Timestamp(value if not isinstance(value, dt.datetime) else value.date())


def _following_transcripts(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The coded passages of the transcripts still kept."""
    codings = frames["coding"]
    return codings[codings["transcript_id"].isin(set(frames["transcript"]["id"]))].reset_index(drop=True)


def load_programme(
    store: Store,
    sites: list[str | int] | None = None,
    start=None,
    end=None,
    groups: list[str] | None = None,
) -> ProgrammeData:
    """Read every record once and apply the filters.

    Parameters
    ----------
    sites : site names or ids to keep (all when None).
    start, end : keep dated records on or between these dates (inclusive); partners and
        attendance follow the activities they belong to.
    groups : role-group codes (``"carer"``, ``"clinician"``...) to keep among partners and the
        records about them (attendance, acceptances, starting ideas, self-assessments, survey
        responses by the respondent's role, and interview transcripts by the interviewee's role).
    """
    site_frame = store.frame("site")
    if sites:
        wanted = {str(s).casefold() for s in sites}
        keep = site_frame["name"].str.casefold().isin(wanted) | site_frame["id"].astype(str).isin(wanted)
        site_frame = site_frame[keep]
    site_ids = set(site_frame["id"])
    frames = {kind: store.frame(kind) for kind in SITE_RECORD_TYPES}
    frames = {kind: frame[frame["site_id"].isin(site_ids)].reset_index(drop=True) for kind, frame in frames.items()}

    low, high = _as_timestamp(start), _as_timestamp(end)
    if low is not None or high is not None:
        for kind, cls in SITE_RECORD_TYPES.items():
            column = cls.dated_by
            if column is None or kind in FOLLOWERS:  # these follow the records they belong to
                continue
            frame = frames[kind]
            keep = frame[column].isna()  # undated records cannot be said to fall outside the range
            inside = pd.Series(True, index=frame.index)
            if low is not None:
                inside &= frame[column] >= low
            if high is not None:
                inside &= frame[column] <= high
            frames[kind] = frame[keep | inside].reset_index(drop=True)
        activity_ids = set(frames["activity"]["id"])
        frames["attendance"] = frames["attendance"][frames["attendance"]["activity_id"].isin(activity_ids)]
        frames["coding"] = _following_transcripts(frames)

    if groups:
        codes = set(groups)
        partners = frames["partner"]
        frames["partner"] = partners[partners["role_group"].isin(codes)].reset_index(drop=True)
        kept = set(frames["partner"]["id"])
        for kind, column in BY_PARTNER.items():
            if kind != "partner":
                frames[kind] = frames[kind][frames[kind][column].isin(kept)].reset_index(drop=True)
        # survey respondents by the role group they gave; those who gave none cannot be said to be in the groups
        responses = frames["survey_response"]
        frames["survey_response"] = responses[responses["respondent_role"].isin(codes)].reset_index(drop=True)
        # interviews by the interviewee's role group; a workshop of several groups cannot be said to be in them
        transcripts = frames["transcript"]
        frames["transcript"] = transcripts[transcripts["role_group"].isin(codes)].reset_index(drop=True)
        frames["coding"] = _following_transcripts(frames)

    # The team's own interview codes (programme-wide), so a sub-code they added counts under its learning point.
    frames["interview_code"] = store.frame("interview_code")
    # The question sets these sites answer: the programme's own (site_id empty) and each kept site's.
    sets = store.frame("question_set")
    frames["question_set"] = sets[sets["site_id"].isna() | sets["site_id"].isin(site_ids)].reset_index(drop=True)
    # The shared instruments' answers, wide (kept to these sites and dates, as their answers are).
    for instrument in INSTRUMENTS:
        frame = instrument_frame(frames["question_response"], frames["question_set"], instrument)
        if groups:
            frame = frame[frame["respondent_role"].isin(set(groups))].reset_index(drop=True)
        frames[instrument.key] = frame

    filters = {"sites": sites, "start": start, "end": end, "groups": groups}
    return ProgrammeData(site_frame.reset_index(drop=True), frames, filters)
