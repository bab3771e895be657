"""What each part of the evaluator workbooks shows: indicator tables, charts and the records behind.

Each section is a function of :class:`ProgrammeData` returning things to display, so the same
sections serve the workbooks (redrawn when filters change) and, later, the reports.
"""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import HTML

from ..choices import ChangeType
from ..rules import LP_CODES
from . import charts, many_sites, scale
from . import indicators as ind
from .data import ProgrammeData
from .indicators._common import instrument_set_ids
from .indicators.reflection import MIN_RATED
from .indicators.reflection import STANDARDS as REFLECTION_STANDARDS
from .interview_evidence import transcripts as transcripts
from .interview_evidence import with_interview_evidence
from .survey_evidence import surveys as surveys
from .survey_evidence import with_survey_evidence
from .tables import note, paged_table, table

LEARNING_POINTS_UPPER = LP_CODES
#: What an empty "where to look" means: every rule judged, and every one on track (not that nothing was recorded).
ALL_ON_TRACK = "none: every learning point is on track by the rules, with enough records to judge each"


def _args(data: ProgrammeData, *kinds: str) -> list[pd.DataFrame]:
    return [data.sites, *(data[kind] for kind in kinds)]


def focus(data: ProgrammeData, lp: str, frame: pd.DataFrame, caption: str) -> tuple[pd.DataFrame, str]:
    """A per-site evidence table as it is, or, with many sites, only the sites that need a look at ``lp``."""
    if not scale.many_sites(data):
        return frame, caption
    sites = scale.focus_sites(ind.overview_status(data), lp)
    if not sites:  # none needs a look: show some sites rather than an empty table that reads as "no records"
        names = sorted(data.sites["name"])
        shown = min(len(names), scale.FOCUS_SITES)
        return scale.keep_sites(frame, names), (
            f"{caption}: every site is on track at {lp.upper()}, with enough records to judge; the first {shown} "
            f"of {len(names)} sites by name (every site's figures are in its site report)"
        )
    shown = min(len(sites), scale.FOCUS_SITES)
    return scale.keep_sites(frame, sites), (
        f"{caption}: the {shown} of {len(data.sites)} sites that need a look at {lp.upper()} first"
        + (f" (of {len(sites)})" if len(sites) > shown else "")
        + "; every site's figures are in its site report"
    )


def overview(data: ProgrammeData) -> list:
    if scale.many_sites(data):
        return many_sites.overview(data)
    status = ind.overview_status(data)
    grid = status.pivot(index="site", columns="learning_point", values="status").reset_index()
    columns = {"site": "Site", **{lp: lp for lp in LEARNING_POINTS_UPPER if lp in grid.columns}}
    return [charts.overview_heatmap(status), table(grid, "Status of each learning point at each site", columns)]


def overview_rules(data: ProgrammeData) -> list:
    if scale.many_sites(data):
        return many_sites.overview_rules(data)
    status = ind.overview_status(data)
    look = ind.worth_a_look(status)
    counts = status["status"].value_counts()
    summary = ", ".join(f"{int(counts.get(name, 0))} {name}" for name in ind.LOOK_ORDER)
    columns = {
        "site": "Site",
        "learning_point": "Learning point",
        "status": "Status",
        "rule": "Why",
        "evidence": "Evidence",
    }
    return [
        table(
            look,
            f"Where to look: every concern, watch and learning point without enough records to judge "
            f"({summary}), with the rule that produced it",
            columns,
            limit=200,
            empty=ALL_ON_TRACK,
        )
    ]


def timeline(data: ProgrammeData) -> list:
    if scale.many_sites(data):
        return many_sites.timeline(data)
    return [charts.timeline_chart(charts.timeline_events(data))]


@with_interview_evidence("lp1")
@with_survey_evidence("lp1")
def lp1(data: ProgrammeData) -> list:
    summary = ind.framing_summary(data.sites, data["partner"], data["problem_framing"])
    people = ind.framing_participants(data["partner"], data["problem_framing"])
    names = data.site_names()
    people = people.assign(site=people["site_id"].map(names))
    return [
        table(
            *focus(data, "lp1", summary, "Problem framing by site"),
            {
                "site": "Site",
                "first_framing_date": "First framed",
                "lived_experience_in_first": "Lived experience in first version",
                "first_lived_framing_version": "First version with lived experience",
                "revisions": "Revisions",
            },
        ),
        table(
            *focus(data, "lp1", people, "Who took part in each version (the records behind)"),
            {
                "site": "Site",
                "version": "Version",
                "date": "Date",
                "display_name": "Partner",
                "role_group": "Role group",
                "lived_experience": "Lived experience",
            },
        ),
    ]


@with_interview_evidence("lp2")
@with_survey_evidence("lp2")
def lp2(data: ProgrammeData, n: int = 3) -> list:
    args = _args(data, "partner", "activity", "attendance")
    gone = data.dropouts(n)
    if scale.many_sites(data):
        chart = many_sites.attendance(data, n=n)
    else:
        chart = [charts.attendance_chart(ind.attendance_by_group_month(*args), gone)]
    return [
        *chart,
        table(
            *focus(data, "lp2", gone, f"Drop-outs: absent from the last {n} activities while still a partner"),
            {
                "site": "Site",
                "level": "Partner or group",
                "role_group": "Role group",
                "display_name": "Partner",
                "last_attended": "Last attended",
                "missed": "Activities missed",
            },
        ),
        table(
            *focus(data, "lp2", ind.representation(data.sites, data["partner"]), "Who is on the register"),
            {"site": "Site", "role_group": "Role group", "partners": "Ever", "current": "Now", "share": "Share now"},
        ),
        table(
            *focus(
                data,
                "lp2",
                ind.contribution_share(data.sites, data["attendance"], data["partner"]),
                "Who contributes when they attend",
            ),
            {
                "site": "Site",
                "role_group": "Role group",
                "attended": "Attendances",
                "contributed": "Contributed",
                "share": "Share",
            },
        ),
    ]


@with_interview_evidence("lp3")
@with_survey_evidence("lp3")
def lp3(data: ProgrammeData) -> list:
    status = ind.non_negotiable_status(data.sites, data["partner"], data["non_negotiable"], data["acceptance"])
    return [
        table(
            *focus(data, "lp3", status, "Non-negotiables: when declared and who accepted them"),
            {
                "site": "Site",
                "statement": "Non-negotiable",
                "date_declared": "Declared",
                "days_after_start": "Days after start",
                "accepted": "Accepted",
                "queried": "Queried",
                "not_accepted": "Not accepted",
                "no_response": "No response",
                "accepted_by_all": "Accepted by all",
            },
        ),
        table(
            *focus(
                data,
                "lp3",
                ind.idea_fates(data.sites, data["starting_idea"]),
                "What became of the ideas partners arrived with",
            ),
            {"site": "Site", "fate": "Fate", "ideas": "Ideas"},
        ),
    ]


@with_interview_evidence("lp4")
@with_survey_evidence("lp4")
def lp4(data: ProgrammeData) -> list:
    args = _args(data, "partner", "activity")
    return [
        table(
            *focus(data, "lp4", ind.leadership_concentration(*args), "Is leadership shared?"),
            {
                "site": "Site",
                "groups_leading": "Groups leading",
                "top_group": "Most facilitation",
                "top_share": "Its share",
                "staff_only": "Staff only",
                "concentrated": "Concentrated",
            },
        ),
        table(
            *focus(data, "lp4", ind.facilitation_by_group(*args), "Facilitation by partner group"),
            {"site": "Site", "role_group": "Role group", "facilitations": "Activities facilitated", "share": "Share"},
        ),
    ]


@with_interview_evidence("lp5")
@with_survey_evidence("lp5")
def lp5(data: ProgrammeData) -> list:
    frame = ind.milestones_vs_actual(data.sites, data["expectation"], data["outcome"])
    return [
        table(
            *focus(data, "lp5", frame, "Expected milestones against the first change of that kind"),
            {
                "site": "Site",
                "milestone": "Milestone",
                "change_kind": "Kind of change",
                "expected_date": "Expected by",
                "first_actual": "First seen",
                "met": "Met",
                "days_late": "Days late",
            },
        )
    ]


def _change_labels(sequence: str) -> str:
    """'behaviour_culture > process' as people say it: 'Behaviour or culture > Process'."""
    return re.sub(r"[a-z_]+", lambda found: ChangeType.label_of(found.group()), sequence)


@with_interview_evidence("lp6")
@with_survey_evidence("lp6")
def lp6(data: ProgrammeData) -> list:
    first = ind.first_change(data.sites, data["outcome"])
    order = ind.behaviour_first(data.sites, data["outcome"])
    order = order.assign(sequence=order["sequence"].map(_change_labels))
    chart = many_sites.change_order(data) if scale.many_sites(data) else [charts.change_progression_chart(first)]
    return [
        *chart,
        table(
            *focus(data, "lp6", order, "Did behaviour change come first?"),
            {"site": "Site", "order_ok": "Behaviour first", "sequence": "Order seen"},
        ),
        table(
            *focus(
                data,
                "lp6",
                data["outcome"].assign(site=data["outcome"]["site_id"].map(data.site_names())),
                "Outcomes (the records behind)",
            ),
            {
                "site": "Site",
                "date_observed": "Observed",
                "change_type": "Type",
                "description": "What changed",
                "intended": "Intended",
                "direction": "Direction",
                "substantiated": "Substantiated",
            },
        ),
    ]


@with_interview_evidence("lp7")
@with_survey_evidence("lp7")
def lp7(data: ProgrammeData) -> list:
    return [
        table(
            *focus(
                data,
                "lp7",
                ind.evidence_plan_timing(data.sites, data["evidence_plan"]),
                "When the evidence plan was agreed",
            ),
            {
                "site": "Site",
                "first_agreed": "First agreed",
                "days_to_plan": "Days after start",
                "late": "Late",
                "items": "Items",
            },
        ),
        table(
            *focus(
                data,
                "lp7",
                ind.indicators_with_evidence(data.sites, data["evidence_plan"], data["outcome"]),
                "Indicators with and without evidence",
            ),
            {"site": "Site", "indicator": "Indicator", "data_source": "Data source", "has_evidence": "Has evidence"},
        ),
    ]


@with_interview_evidence("lp8")
@with_survey_evidence("lp8")
def lp8(data: ProgrammeData) -> list:
    return [
        note(
            "Each site chose its own service issue and its own way of working. Sites can also ask evaluation "
            "questions of their own, beside the ones every site answers: see the questions each site asked."
        ),
        paged_table(
            data.sites,
            "Sites and the issues they chose",
            {"name": "Site", "service_issue": "Service issue", "start_date": "Started"},
            page=scale.PAGE_ROWS,
        ),
    ]


#: Question types in words, for readers who do not know XLSForm.
QUESTION_KINDS = {
    "text": "written",
    "integer": "whole number",
    "decimal": "number",
    "range": "scale",
    "date": "date",
    "select_one": "one choice",
    "select_multiple": "several choices",
    "acknowledge": "acknowledgement",
    "calculate": "worked out",
}
NO_QUESTIONS = (
    "No site shown here has asked questions of its own yet, and there are no questions for every site. When a site "
    "adds a question set (coprod questions add), this part lists it with a summary of its answers."
)


INSTRUMENTS_ELSEWHERE = (
    "Not listed here: the self-assessment and the 4Pi involvement reflection, which every site answers. Their "
    "answers are summed up on their own (with the Ladder of Co-production, and beside learning point 2)."
)


def site_questions(data: ProgrammeData) -> list:
    """LP8: the question sets each site answers, then a line per question of each set summing up the answers.

    The shared instruments are left out: they are not a site's choice, and are read in :func:`ladder` and
    :func:`reflection_4pi`.
    """
    empty = pd.DataFrame()
    sets = data.frames.get("question_set", empty)
    responses = data.frames.get("question_response", empty)
    shared = instrument_set_ids(sets)
    if shared:
        sets = sets[~sets["id"].isin(shared)]
        if "question_set_id" in responses.columns:
            responses = responses[~responses["question_set_id"].isin(shared)]
    asked = ind.questions_asked(sets, responses, data.sites)
    if asked.empty or (asked["whose"] == "no question sets").all():
        return [note(NO_QUESTIONS)]
    summary = ind.answer_summary(ind.answers_frame(sets, responses, data.sites))
    summary = summary.assign(kind=summary["type"].map(lambda code: QUESTION_KINDS.get(code, code)))
    parts = [
        table(
            *focus(data, "lp8", asked, "The questions each site asks: every site's sets and its own"),
            {
                "site": "Site",
                "form": "Question set",
                "whose": "Whose",
                "first_added": "First added",
                "version": "Newest version",
                "versions": "Versions",
                "questions": "Questions",
                "answer_sets": "Sets of answers",
                "latest_answer": "Latest answer",
            },
            limit=200,
        )
    ]
    if summary.empty:
        parts.append(note("No answers have been given to these questions in the period shown."))
    for form, rows in summary.groupby("form", sort=False):
        parts.append(
            table(
                *focus(
                    data,
                    "lp8",
                    rows,
                    f"{form}: the answers, question by question (written answers are counted, not quoted)",
                ),
                {"site": "Site", "label": "Question", "kind": "Kind", "answers": "Answers", "summary": "Summary"},
            )
        )
    return [*parts, note(INSTRUMENTS_ELSEWHERE)] if shared else parts


NO_REFLECTIONS = (
    "No 4Pi involvement reflection has been answered at the sites and dates shown, so how partners see their "
    "involvement (principles, purpose, presence, process, impact) cannot be read yet. Partners answer it in the "
    "site app's Self-assessment section."
)


def reflection_4pi(data: ProgrammeData) -> list:
    """LP2 in partners' own words: the 4Pi standards at each site, rated 1 to 5; says so when none were answered."""
    answers = data["reflection_4pi"]
    if answers.empty:
        return [note(NO_REFLECTIONS)]
    if scale.many_sites(data):
        return many_sites.reflection_4pi(data)
    by_site = ind.reflection_by_site(data.sites, answers)
    means = ["mean_rating", "staff_mean", "lived_mean"]
    shown = by_site.assign(standard=by_site["standard"].map(REFLECTION_STANDARDS))
    shown[means] = shown[means].where(shown["rated"] >= MIN_RATED).round(1)  # too few ratings: no mean shown
    return [
        charts.reflection_chart(by_site),
        table(
            shown,
            f"The 4Pi standards at each site, from {len(answers)} reflections (means need {MIN_RATED} ratings or "
            "more; written notes are counted, never quoted)",
            {
                "site": "Site",
                "standard": "Standard",
                "answers": "Answers",
                "rated": "Rated 1-5",
                "dont_know": "Don't know",
                "mean_rating": "Mean",
                "staff_mean": "Staff",
                "lived_mean": "Lived experience",
                "notes": "Notes",
                "reading": "What it says",
            },
            limit=200,
        ),
    ]


def ladder(data: ProgrammeData) -> list:
    if scale.many_sites(data):
        return many_sites.ladder(data)
    steps = ind.ladder_by_stage(data.sites, data["activity"])
    gap = ind.staff_lived_gap(data.sites, data["self_assessment"])
    return [
        charts.ladder_chart(steps),
        charts.self_assessment_gap_chart(gap),
        table(
            gap[gap["flagged"]],
            "Learning points where staff and lived-experience ratings differ by 1 or more",
            {
                "site": "Site",
                "wave": "Wave",
                "learning_point": "Learning point",
                "staff_mean": "Staff",
                "lived_mean": "Lived experience",
                "gap": "Gap",
            },
        ),
    ]


def site_story(data: ProgrammeData) -> list:
    """The deep dive's opening: the problem's history, the non-negotiables, and what to look at next."""
    names = data.site_names()
    framings = data["problem_framing"].sort_values(["site_id", "version"])
    partners = dict(zip(data["partner"]["id"], data["partner"]["display_name"], strict=True))
    framings = framings.assign(
        site=framings["site_id"].map(names),
        people=framings["partner_ids"].map(lambda ids: [partners.get(i, i) for i in ids]),
    )
    next_steps = ind.worth_a_look(ind.overview_status(data))
    return [
        HTML("<h3>The problem, version by version</h3>"),
        table(
            framings,
            "Problem framings",
            {
                "site": "Site",
                "version": "Version",
                "date": "Date",
                "statement": "Statement",
                "how_identified": "How identified",
                "people": "Who took part",
            },
        ),
        HTML("<h3>What to look at next</h3>"),
        table(
            next_steps,
            "Concerns, watches, and what has too few records to judge",
            {
                "site": "Site",
                "learning_point": "Learning point",
                "status": "Status",
                "rule": "Why",
                "evidence": "Evidence",
            },
            empty=ALL_ON_TRACK,
        ),
    ]
