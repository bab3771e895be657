"""The programme at a glance: a status for each learning point at each site, with the rule behind it.

Every status comes from one plainly worded rule over the indicators in this package, so a reader
can check it against the records. Silence is never a verdict: where the records a rule needs are
missing, the status is "not enough records" and the rule says what is missing. Rules that depend on
time (LP5, LP6, LP7) judge each site *as of* a date: ``today`` when given, else the end of the date
window chosen (never later than today), else the latest date recorded at that site (see
:func:`as_of_dates`), so a programme whose recording has ended is judged as it stood then.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ...choices import LEARNING_POINTS as _LEARNING_POINTS
from ...choices import ChangeType, RoleGroup
from ..data import ProgrammeData
from ._common import DATE, BySite, day, instrument_set_ids, prepare, rows_by_site, shape, site_table
from .answers import idea_fates, non_negotiable_status
from .change import first_change, milestones_vs_actual
from .evidence import PLAN_DUE_DAYS, evidence_plan_timing, indicators_with_evidence
from .framing import framing_summary
from .leadership import CONCENTRATED_SHARE, leadership_concentration

NOT_ENOUGH = "not enough records"
STATUS_ORDER = ["on track", "watch", "concern", NOT_ENOUGH]
#: The order "Where to look" lists them in: the worst first, then what cannot be judged.
LOOK_ORDER = ["concern", "watch", NOT_ENOUGH]
#: 'LP1'..'LP8' -> what the learning point says.
LEARNING_POINTS = {code.upper(): label for code, label in _LEARNING_POINTS.items()}
OVERVIEW_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "learning_point": "str",
    "status": "str",
    "rule": "str",
    "evidence": "str",
}
#: Milestones reached (or still missing) this many days after the date expected are a watch.
MILESTONE_GRACE_DAYS = 90
#: Months after the start by which some outcome is expected.
OUTCOMES_DUE_MONTHS = 6
#: The dated fields that place a site's records in time, for :func:`as_of_dates`.
DATED = {
    "partner": ("joined", "left"),
    "activity": ("date",),
    "problem_framing": ("date",),
    "non_negotiable": ("date_declared",),
    "acceptance": ("date",),
    "starting_idea": ("date",),
    "evidence_plan": ("date_agreed",),
    "outcome": ("date_observed",),
    "decision": ("date", "feedback_date"),
    "self_assessment": ("date",),
    "question_response": ("date",),
}


def as_of_dates(data: ProgrammeData, today=None) -> pd.Series:
    """The date each site is judged at, indexed by site id.

    ``today`` for every site when given; otherwise the end of the window the data was filtered to
    (today at the latest); otherwise the latest date recorded at the site (expected milestone dates
    excluded, as they look ahead), or today's date for a site with no dated records.
    """
    table = site_table(data.sites)
    if today is None and data.filters.get("end") is not None:
        today = min(pd.Timestamp(data.filters["end"]), pd.Timestamp(dt.date.today()))
    if today is not None:
        return pd.Series(pd.Timestamp(today), index=table["site_id"], dtype=DATE)
    dates = []
    for kind, columns in DATED.items():
        frame = prepare(data[kind], ints=("site_id",), dates=columns)
        dates += [frame[["site_id", column]].set_axis(["site_id", "date"], axis=1) for column in columns]
    found = pd.concat(dates, ignore_index=True).astype({"date": DATE}).groupby("site_id")["date"].max()
    latest = found.reindex(table["site_id"]).astype(DATE)
    return latest.fillna(pd.Timestamp(dt.date.today())).astype(DATE)


def _group(code) -> str:
    try:
        return RoleGroup(code).label.lower()
    except ValueError:
        return str(code)


def _change(code) -> str:
    try:
        return ChangeType(code).label.lower()
    except ValueError:
        return str(code)


def _n(count, noun: str) -> str:
    """'1 partner', '2 partners'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _short(text, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1].rstrip()}…'"


def _lp1(summary: pd.Series, framings: pd.DataFrame):
    if summary["versions"] == 0:
        return (
            NOT_ENOUGH,
            "not enough records: no problem framing is recorded, so who framed it cannot be seen",
            "no problem framing recorded",
        )
    first = f"first framed on {day(summary['first_framing_date'])}; {_n(summary['versions'], 'version')}"
    if pd.isna(summary["first_lived_framing_version"]):
        return (
            "concern",
            "concern: first problem framing had no one with lived experience and was never revised with them",
            f"{first}, none with a person with lived experience or a carer",
        )
    if not summary["lived_experience_in_first"]:
        version = summary["first_lived_framing_version"]
        when = framings.loc[framings["version"] == version, "date"]
        return (
            "watch",
            "watch: the problem was first framed without anyone with lived experience, and revised with them later",
            f"{first}; revised with lived experience in version {version} on "
            f"{day(when.iloc[0] if len(when) else pd.NaT)}",
        )
    return "on track", "on track: people with lived experience helped frame the problem from the first version", first


def _lp2(gone: list, activities: int, n: int, named: bool = True):
    """``gone``: the site's rows of :func:`dropouts`."""
    if activities < n:
        return (
            NOT_ENOUGH,
            f"not enough records: fewer than {n} dated activities are recorded, too few to see who is drifting away",
            f"{activities} dated activities",
        )
    people = [row for row in gone if row.level == "partner"]
    groups = [row for row in gone if row.level == "group"]
    if groups:
        parts = []
        for g in groups:
            members = _n(sum(1 for p in people if p.role_group == g.role_group), "current partner")
            parts.append(
                f"{_group(g.role_group)} group: none of its {members} came to the last {g.missed} "
                f"activities, last came {day(g.last_attended)}"
            )
        return (
            "concern",
            f"concern: a whole partner group was absent from the last {n} activities without being marked as left",
            "; ".join(parts),
        )
    if people:
        parts = [
            f"{p.display_name if named else 'a partner'} ({_group(p.role_group)}) missed the last {p.missed}, "
            f"last came {day(p.last_attended)}"
            for p in people
        ]
        return (
            "watch",
            f"watch: a partner was absent from the last {n} activities without being marked as left",
            "; ".join(parts),
        )
    return (
        "on track",
        f"on track: every current partner came to at least one of the last {n} activities",
        f"{activities} dated activities, no drop-outs",
    )


def _lp3(rules: list, contested: int):
    """``rules``: the site's rows of :func:`non_negotiable_status`."""
    refused = [r for r in rules if r.not_accepted > 0]
    if refused:
        parts = [
            f"{_short(r.statement)}: {r.not_accepted} not accepted, {r.queried} queried, {r.accepted} accepted "
            f"of {r.partners_current} current partners"
            for r in refused
        ]
        return "concern", "concern: a non-negotiable is not accepted by every current partner", "; ".join(parts)
    reasons, parts = [], []
    for r in rules:
        if r.declared_after_start:
            reasons.append("a non-negotiable was declared after the start")
            parts.append(f"{_short(r.statement)} declared {r.days_after_start} days after the start")
        if r.queried:
            reasons.append("a non-negotiable was queried")
            parts.append(f"{_short(r.statement)}: {r.queried} of {r.partners_current} current partners queried it")
        if r.no_response:
            reasons.append("some current partners have not responded to a non-negotiable")
            parts.append(f"{_short(r.statement)}: {r.no_response} of {r.partners_current} have not responded")
    if contested:
        reasons.append("an idea a partner arrived with is still contested")
        parts.append(f"{_n(contested, 'starting idea')} still contested")
    if reasons:
        return "watch", "watch: " + "; ".join(dict.fromkeys(reasons)), "; ".join(parts)
    if not rules:
        return (
            NOT_ENOUGH,
            "not enough records: no non-negotiables are recorded, so their acceptance cannot be checked",
            "0 non-negotiables",
        )
    return (
        "on track",
        "on track: non-negotiables were declared at the start and accepted by every current partner",
        f"{_n(len(rules), 'non-negotiable')}, each accepted by every current partner",
    )


def _lp4(lead: pd.Series):
    share = "" if pd.isna(lead["top_share"]) else f"{lead['top_share']:.0%}"
    evidence = (
        f"{_n(lead['groups_leading'], 'partner group')} facilitated; most by {_group(lead['top_group'])} ({share})"
    )
    if lead["staff_only"]:
        return "concern", "concern: only staff (clinicians, managers, commissioners) facilitated activities", evidence
    if lead["concentrated"]:
        return (
            "watch",
            f"watch: one partner group facilitated {CONCENTRATED_SHARE:.0%} or more of the activities",
            evidence,
        )
    if lead["groups_leading"] == 0:
        return (
            NOT_ENOUGH,
            "not enough records: no one is recorded as facilitating an activity",
            "no facilitators recorded",
        )
    return "on track", "on track: facilitation is shared across partner groups", evidence


def _lp5(rows: list, as_of: pd.Timestamp):
    """``rows``: the site's rows of :func:`milestones_vs_actual`."""
    if not rows:
        return (
            NOT_ENOUGH,
            "not enough records: no expected milestones are recorded, so progress cannot be set against them",
            f"0 milestones, judged as of {day(as_of)}",
        )
    seen = [bool(m.met) and pd.notna(m.first_actual) and m.first_actual <= as_of for m in rows]
    due = [pd.notna(m.expected_date) and m.expected_date <= as_of for m in rows]
    service = [m for m, s, d in zip(rows, seen, due, strict=True) if d and not s and m.change_kind == "service"]
    if service:
        parts = [f"{_short(m.milestone)} expected by {day(m.expected_date)}" for m in service]
        return (
            "concern",
            "concern: the date expected for a service change has passed with no service change recorded",
            "; ".join(parts) + f"; none seen by {day(as_of)}",
        )

    def late(m, s: bool) -> bool:
        if s:
            return pd.notna(m.days_late) and m.days_late > MILESTONE_GRACE_DAYS
        return pd.notna(m.expected_date) and (as_of - m.expected_date).days > MILESTONE_GRACE_DAYS

    missed = [m for m, s in zip(rows, seen, strict=True) if late(m, s)]
    if missed:
        parts = [
            f"{_short(m.milestone)} expected by {day(m.expected_date)}, "
            + (f"reached {m.days_late:.0f} days late" if m.met else "not reached")
            for m in missed
        ]
        return (
            "watch",
            f"watch: an expected milestone was missed by more than {MILESTONE_GRACE_DAYS} days",
            "; ".join(parts),
        )
    reached = sum(1 for s, d in zip(seen, due, strict=True) if s and d)
    return (
        "on track",
        f"on track: every milestone due so far was reached within {MILESTONE_GRACE_DAYS} days of the date expected",
        f"{sum(due)} of {_n(len(rows), 'milestone')} due by {day(as_of)}, {reached} reached",
    )


def _lp6(seen: pd.DataFrame, start, as_of: pd.Timestamp):
    """``seen``: the kinds of change seen at the site, in the order they were first seen (see :func:`_seen_changes`)."""
    dates = dict(zip(seen["change_type"], seen["first_observed"], strict=True))
    evidence = ", then ".join(f"{_change(kind)} on {day(when)}" for kind, when in dates.items())
    behaviour, service = dates.get("behaviour_culture"), dates.get("service")
    if service is not None and (behaviour is None or service < behaviour):
        return "concern", "concern: a service change was recorded before any behaviour or culture change", evidence
    if not dates:
        late = pd.notna(start) and as_of > start + pd.DateOffset(months=OUTCOMES_DUE_MONTHS)
        when = (
            f"more than {OUTCOMES_DUE_MONTHS} months after the start, when some are expected"
            if late
            else f"within the first {OUTCOMES_DUE_MONTHS} months"
        )
        return (
            NOT_ENOUGH,
            f"not enough records: no outcomes are recorded ({when}), so the order of change cannot be seen",
            f"started {day(start)}, judged as of {day(as_of)}",
        )
    if behaviour is None or behaviour > min(dates.values()):
        return "watch", "watch: the first change recorded was not a behaviour or culture change", evidence
    return "on track", "on track: behaviour or culture change came first", evidence


def _lp7(timing: pd.Series, evidenced: pd.DataFrame, as_of: pd.Timestamp):
    if timing["items"] == 0:
        due = pd.notna(timing["start_date"]) and (as_of - timing["start_date"]).days > PLAN_DUE_DAYS
        when = "it was due eight weeks after the start" if due else "it is not due until eight weeks after the start"
        return (
            NOT_ENOUGH,
            f"not enough records: no evidence plan is recorded ({when})",
            f"started {day(timing['start_date'])}; no evidence plan recorded as of {day(as_of)}",
        )
    evidence = (
        f"first agreed on {day(timing['first_agreed'])}, {timing['days_to_plan']} days after the start; "
        f"{int(evidenced['has_evidence'].sum())} of {_n(len(evidenced), 'indicator')} with evidence"
    )
    if timing["late"]:
        return "watch", f"watch: the evidence plan was agreed more than {PLAN_DUE_DAYS} days after the start", evidence
    return "on track", f"on track: the evidence plan was agreed within {PLAN_DUE_DAYS} days of the start", evidence


def _names(sets: pd.DataFrame) -> str:
    names = list(dict.fromkeys(sets.sort_values("added")["name"]))
    shown = ", ".join(_short(name, 40) for name in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _lp8(own: pd.DataFrame, core: pd.DataFrame, here: pd.DataFrame, issue: str, as_of: pd.Timestamp):
    """Did the site adapt the approach (questions of its own, being answered), or run the common core alone?

    ``own``: the site's own question sets; ``core``: the programme's; ``here``: the answers given at the site.
    """
    own = own[own["added"].isna() | (own["added"] <= as_of)]
    core_ids = {i for i, added in zip(core["id"], core["added"], strict=True) if pd.isna(added) or added <= as_of}
    own_ids = set(own["id"])
    own_dates = [when for set_id, when in zip(here["question_set_id"], here["date"], strict=True) if set_id in own_ids]
    own_dates_known = [when for when in own_dates if pd.notna(when)]
    core_answers = sum(1 for set_id in here["question_set_id"] if set_id in core_ids)
    issue_note = f"its own issue: {_short(issue, 80)}"
    if not own.empty:
        added = f"{_names(own)}, first added {day(own['added'].min())}"
        if not own_dates:
            return (
                NOT_ENOUGH,
                "not enough records: the site added questions of its own but no answers to them are recorded",
                f"{added}; no answers as of {day(as_of)}; {issue_note}",
            )
        return (
            "on track",
            "on track: the site adapted the approach, with questions of its own that are being answered",
            f"{added}; {_n(len(own_dates), 'set')} of answers, the latest {day(max(own_dates_known, default=pd.NaT))}; "
            f"{issue_note}",
        )
    if core_answers:
        return (
            "watch",
            "watch: the site runs the common core alone, with no questions of its own",
            f"{_n(core_answers, 'set')} of answers to the programme's questions only; {issue_note}",
        )
    return (
        NOT_ENOUGH,
        "not enough records: no questions are asked at this site yet, neither its own nor the programme's",
        f"no question set answered as of {day(as_of)}; {issue_note}",
    )


def overview_status(data: ProgrammeData, today=None, dropout_n: int = 3) -> pd.DataFrame:
    """One row per site and learning point: 'on track', 'watch', 'concern' or 'not enough records', the rule
    and the figures. A rule whose records are missing says 'not enough records' and what is missing.

    LP1 concern when no version of the problem included lived experience, watch when a later one did.
    LP2 concern when a whole partner group dropped out (:func:`dropouts`), watch when a partner did.
    LP3 concern when a current partner did not accept a non-negotiable; watch when one was declared
    after the start, queried or not answered by everyone, or a starting idea is still contested.
    LP4 concern when only staff facilitated, watch when one group did 75% or more.
    LP5 concern when an expected service change is due with none seen; watch when a milestone is
    reached, or still missing, more than 90 days after its date, or none is recorded.
    LP6 concern when a service change came before any behaviour or culture change; watch when the
    first change was not behaviour or culture, or when there is no outcome six months after the start.
    LP7 concern when no evidence plan was agreed and eight weeks have passed; watch when agreed late.
    LP8 on track when the site asks questions of its own (a question set of its own) and answers are being
    recorded; watch when it answers only the programme's common questions; not enough records when its own
    questions have no answers, or no questions are asked there at all. The shared instruments (the
    self-assessment and the 4Pi reflection) do not count here: every site answers them whatever it chose.

    Parameters
    ----------
    data : the programme as :func:`~coprod_widgets.evaluation.data.load_programme` gives it.
    today : the date to judge every site at; default: each site's latest recorded date.
    dropout_n : how many of the most recent activities a partner must miss to count as dropped out.

    Returns
    -------
    DataFrame with columns site_id, site, learning_point ('LP1'..'LP8'), status, rule, evidence.
    Worked out once per ``data`` and arguments (a report and a workbook ask for it several times).
    """
    key = ("overview_status", None if today is None else pd.Timestamp(today), dropout_n, data.partner_names)
    return data.memo(key, lambda: _overview_status(data, today, dropout_n)).copy()


def _overview_status(data: ProgrammeData, today, dropout_n: int) -> pd.DataFrame:
    table = site_table(data.sites)
    as_of = as_of_dates(data, today)
    issues = dict(zip(prepare(data.sites, ints=("id",))["id"], data.sites["service_issue"], strict=True))
    framing = framing_summary(data.sites, data["partner"], data["problem_framing"]).set_index("site_id")
    framings = prepare(data["problem_framing"], ints=("site_id",), nullable_ints=("version",), dates=("date",))
    gone = data.dropouts(dropout_n)
    dated = prepare(data["activity"], ints=("site_id",), dates=("date",)).dropna(subset=["date"])
    rules = non_negotiable_status(data.sites, data["partner"], data["non_negotiable"], data["acceptance"])
    fates = idea_fates(data.sites, data["starting_idea"])
    contested = fates[fates["fate"] == "still_contested"].set_index("site_id")["ideas"]
    lead = leadership_concentration(data.sites, data["partner"], data["activity"]).set_index("site_id")
    milestones = milestones_vs_actual(data.sites, data["expectation"], data["outcome"])
    first = first_change(data.sites, data["outcome"])
    timing = evidence_plan_timing(data.sites, data["evidence_plan"]).merge(table[["site_id", "start_date"]])
    timing = timing.set_index("site_id")
    evidenced = indicators_with_evidence(data.sites, data["evidence_plan"], data["outcome"])
    question_sets = prepare(
        data["question_set"], ints=("id",), nullable_ints=("site_id",), dates=("added",), texts=("name",)
    )
    question_sets = question_sets[~question_sets["id"].isin(instrument_set_ids(data["question_set"]))]
    responses = prepare(data["question_response"], ints=("site_id", "question_set_id"), dates=("date",))

    first = first.dropna(subset=["first_observed"]).sort_values(["site_id", "first_observed", "order"], kind="stable")
    framings, first, evidenced, responses = (BySite(frame) for frame in (framings, first, evidenced, responses))
    gone, rules, milestones = (rows_by_site(frame) for frame in (gone, rules, milestones))
    activities = dated["site_id"].value_counts()
    own_sets = BySite(question_sets.dropna(subset=["site_id"]))
    core_sets = question_sets[question_sets["site_id"].isna()]

    rows = []
    for site_id, site, start in zip(table["site_id"], table["site"], table["start_date"], strict=True):
        when = as_of[site_id]
        results = [
            _lp1(framing.loc[site_id], framings[site_id]),
            _lp2(gone.get(site_id, []), int(activities.get(site_id, 0)), dropout_n, data.partner_names),
            _lp3(rules.get(site_id, []), int(contested.get(site_id, 0))),
            _lp4(lead.loc[site_id]),
            _lp5(milestones.get(site_id, []), when),
            _lp6(first[site_id], start, when),
            _lp7(timing.loc[site_id], evidenced[site_id], when),
            _lp8(own_sets[site_id], core_sets, responses[site_id], issues.get(site_id, ""), when),
        ]
        for code, (status, rule, evidence) in zip(LEARNING_POINTS, results, strict=True):
            rows.append(
                {
                    "site_id": site_id,
                    "site": site,
                    "learning_point": code,
                    "status": status,
                    "rule": rule,
                    "evidence": evidence,
                }
            )
    return shape(pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS)), OVERVIEW_COLUMNS)


def worth_a_look(status: pd.DataFrame) -> pd.DataFrame:
    """The rows that are not on track, concerns first, then watches, then what has too few records to judge."""
    rank = {name: place for place, name in enumerate(LOOK_ORDER)}
    rows = status[status["status"] != "on track"]
    return (
        rows.assign(_rank=rows["status"].map(rank))
        .sort_values(["_rank", "site", "learning_point"], kind="stable")
        .drop(columns="_rank")
    )
