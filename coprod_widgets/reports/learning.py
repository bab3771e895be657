"""What a report says about each learning point: the question it asks, the evidence, what to try next.

The evidence reuses the evaluator workbooks' sections, except where those name partners: reports
go to boards and commissioners, so partners are counted by role group instead.
"""

from __future__ import annotations

import pandas as pd

from ..choices import ChangeType, RoleGroup
from ..evaluation import charts, many_sites, scale, sections
from ..evaluation import indicators as ind
from ..evaluation.data import ProgrammeData
from ..evaluation.interview_evidence import with_interview_evidence
from ..evaluation.survey_evidence import with_survey_evidence
from ..evaluation.tables import note, paged_table, table

#: The question each learning point puts to a site's records, in plain words.
QUESTIONS = {
    "lp1": "Did people who use the service, carers and staff decide together what the problem was, before anyone "
    "settled on a solution?",
    "lp2": "Did every group of partners keep taking part, and did they contribute when they came?",
    "lp3": "Were the things that could not change said at the start and accepted, and were partners' own ideas "
    "explored rather than decided in advance?",
    "lp4": "Was leadership shared, with activities facilitated by more than one group, not only by staff?",
    "lp5": "Were milestones set with enough time for change to happen, and were they reached?",
    "lp6": "Did changes in how people behave and work together come before changes to processes and services?",
    "lp7": "Was a plan for evidencing outcomes agreed early, and is there evidence for each indicator?",
    "lp8": "Each site is different: what did it choose to work on, and how?",
}
#: What a site might try when a learning point is on watch or a concern.
NEXT_STEPS = {
    "lp1": "Revisit the problem statement with partners who have lived experience, and record who took part in "
    "each version.",
    "lp2": "Ask the partners or groups who stopped coming what would make taking part easier (times, places, "
    "travel, support, payment).",
    "lp3": "Say what cannot change as early as possible, check that every partner has responded, and talk "
    "through ideas that are still contested.",
    "lp4": "Share facilitation: invite partners from other groups to lead or co-lead the next activities.",
    "lp5": "Check the milestones with partners, move any that are not realistic, and record why.",
    "lp6": "Look for early changes in how people work together, and record them as behaviour or culture outcomes.",
    "lp7": "Agree the evidence plan with partners now and name a data source for every indicator.",
    "lp8": "Write down what is particular about the site, so that others do not copy what will not fit.",
}


def _role_counts(role_groups) -> str:
    """'2 people with lived experience, 1 clinician' style summary of role-group codes."""
    counts = pd.Series(list(role_groups), dtype="object").value_counts()
    parts = []
    for group in RoleGroup:
        if group.value in counts.index:
            parts.append(f"{counts[group.value]} × {group.label.lower()}")
    return ", ".join(parts)


def framing_history(data: ProgrammeData, lp: str | None = None) -> list:
    """Every version of each site's problem statement, with who shaped it counted by role group.

    With ``lp`` and many sites, only the sites that need a look at that learning point.
    """
    people = ind.framing_participants(data["partner"], data["problem_framing"])
    groups = people.groupby(["site_id", "version"])["role_group"].agg(_role_counts)
    framings = data["problem_framing"].sort_values(["site_id", "version"])
    framings = framings.assign(
        site=framings["site_id"].map(data.site_names()),
        who=[
            groups.get((site, version), "")
            for site, version in zip(framings["site_id"], framings["version"], strict=True)
        ],
    )
    caption = "The problem statement, version by version"
    if lp is not None:
        framings, caption = sections.focus(data, lp, framings, caption)
    return [
        table(
            framings,
            caption,
            {
                "site": "Site",
                "version": "Version",
                "date": "Date",
                "statement": "Problem statement",
                "how_identified": "How it was identified",
                "who": "Who took part (by role group)",
            },
            limit=200,
        )
    ]


@with_interview_evidence("lp1")
@with_survey_evidence("lp1")
def _lp1(data: ProgrammeData) -> list:
    summary = ind.framing_summary(data.sites, data["partner"], data["problem_framing"])
    return [
        table(
            *sections.focus(data, "lp1", summary, "Problem framing by site"),
            {
                "site": "Site",
                "first_framing_date": "First framed",
                "lived_experience_in_first": "Lived experience in first version",
                "first_lived_framing_version": "First version with lived experience",
                "revisions": "Revisions",
            },
        ),
        *framing_history(data, lp="lp1"),
    ]


@with_interview_evidence("lp2")
@with_survey_evidence("lp2")
def _lp2(data: ProgrammeData, n: int = 3) -> list:
    args = [data.sites, data["partner"], data["activity"], data["attendance"]]
    gone = data.dropouts(n)
    unnamed = gone.assign(display_name="")
    stopped = (
        gone.groupby(["site", "level", "role_group"], sort=False)
        .size()
        .rename("count")
        .reset_index()
        .assign(level=lambda f: f["level"].map({"group": "Whole group", "partner": "Partners"}))
    )
    if scale.many_sites(data):
        chart = many_sites.attendance(data, n=n)
    else:
        chart = [charts.attendance_chart(ind.attendance_by_group_month(*args), unnamed)]
    return [
        *chart,
        table(
            *sections.focus(
                data,
                "lp2",
                stopped,
                f"Who has stopped coming: absent from the last {n} activities while still a partner",
            ),
            {"site": "Site", "level": "Whole group or partners", "role_group": "Role group", "count": "How many"},
            empty="no one: every current partner came to at least one of them",
        ),
        table(
            *sections.focus(data, "lp2", ind.representation(data.sites, data["partner"]), "Who is on the register"),
            {"site": "Site", "role_group": "Role group", "partners": "Ever", "current": "Now", "share": "Share now"},
        ),
        table(
            *sections.focus(
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


@with_interview_evidence("lp8")
@with_survey_evidence("lp8")
def _lp8(data: ProgrammeData) -> list:
    return [
        note(
            "Each site chose its own service issue and its own way of working. A site that adds questions of its "
            "own (coprod questions add) and answers them has adapted the approach; one that answers only the "
            "programme's questions runs the common core alone; the status above says which."
        ),
        paged_table(
            data.sites,
            "The sites and the issues they chose",
            {"name": "Site", "service_issue": "Service issue", "start_date": "Started"},
            page=scale.PAGE_ROWS,
        ),
        *sections.site_questions(data),
    ]


#: Each learning point's evidence in a report; parts are charts, tables and notes.
EVIDENCE = {
    "lp1": _lp1,
    "lp2": _lp2,
    "lp3": sections.lp3,
    "lp4": sections.lp4,
    "lp5": sections.lp5,
    "lp6": sections.lp6,
    "lp7": sections.lp7,
    "lp8": _lp8,
}


def outcomes_by_type(data: ProgrammeData) -> list:
    """Outcomes grouped by type of change (behaviour or culture, process, service), counted and listed."""
    outcomes = data["outcome"]
    counts = ind.outcomes_by_type(data.sites, outcomes)
    order = {member.value: n for n, member in enumerate(ChangeType)}
    listed = outcomes.assign(
        site=outcomes["site_id"].map(data.site_names()), _order=outcomes["change_type"].map(order)
    ).sort_values(["_order", "date_observed"])
    return [
        charts.change_progression_chart(ind.first_change(data.sites, outcomes)),
        table(
            counts,
            "Outcomes by type of change",
            {
                "site": "Site",
                "change_type": "Type of change",
                "outcomes": "Outcomes",
                "positive": "Positive",
                "negative": "Negative",
                "intended": "Intended",
                "substantiated": "Substantiated",
            },
        ),
        table(
            listed,
            "Every outcome, by type of change",
            {
                "change_type": "Type of change",
                "site": "Site",
                "date_observed": "Observed",
                "description": "What changed",
                "who_changed": "Who changed",
                "intended": "Intended",
                "direction": "Direction",
                "substantiated": "Substantiated",
            },
            limit=200,
        ),
    ]
