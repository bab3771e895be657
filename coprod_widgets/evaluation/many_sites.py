"""The cross-site sections when there are more sites than a panel each can show (see :mod:`.scale`).

Each function here stands in for the section of the same name in :mod:`.sections` once there are more
than :data:`~.scale.PANEL_SITES` sites: the same question, answered with counts and spreads across the
sites, then the sites that need a look. Nothing here names a partner.
"""

from __future__ import annotations

import pandas as pd

from ..choices import ChangeType, RoleGroup, Stage
from ..rules import LP_CODES
from . import indicators as ind
from . import scale
from .charts.distribution import spread_chart, status_distribution_chart
from .charts.timeline import timeline_events
from .data import ProgrammeData
from .indicators._common import DAYS_PER_MONTH
from .indicators.reflection import MIN_RATED
from .indicators.reflection import STANDARDS as REFLECTION_STANDARDS
from .tables import note, paged_table, table

LOOK_COLUMNS = {
    "site": "Site",
    "concerns": "Concerns",
    "watches": "Watches",
    "not_enough": "Not enough records",
    **{lp: lp for lp in LP_CODES},
}
REASON_COLUMNS = {"learning_point": "Learning point", "status": "Status", "rule": "Why", "sites": "Sites"}
SPREAD_COLUMNS = {
    "category": "",
    "sites": "Sites with one",
    "none": "Sites with none yet",
    "low": "Lowest",
    "q1": "Lower quartile",
    "median": "Median",
    "q3": "Upper quartile",
    "high": "Highest",
}
EVERY_SITE = "Each site's own chart is in its site report (coprod report --site) and in the site deep dive."


def _spread_table(spread: pd.DataFrame, caption: str, category: str) -> object:
    shown = spread.copy()
    for column in ("low", "q1", "median", "q3", "high"):
        shown[column] = pd.to_numeric(shown[column], errors="coerce").round(1)
    return table(shown, caption, {**SPREAD_COLUMNS, "category": category})


def overview(data: ProgrammeData) -> list:
    status = ind.overview_status(data)
    look = scale.sites_needing_a_look(status)
    sites = len(data.sites)
    return [
        status_distribution_chart(scale.status_counts(status)),
        paged_table(
            look,
            f"The sites that need a look, worst first: {len(look)} of {sites} sites have a concern, a watch or a "
            "learning point with too few records to judge",
            LOOK_COLUMNS,
            page=scale.PAGE_ROWS,
            empty="none: every learning point is on track at every site, with enough records to judge each",
        ),
    ]


def overview_rules(data: ProgrammeData) -> list:
    status = ind.overview_status(data)
    return [
        table(
            scale.reasons(status),
            "Why sites need a look: each rule that gave a concern, a watch or too few records, and how many "
            "sites it applies to",
            REASON_COLUMNS,
            limit=200,
            empty="none: every learning point is on track at every site, with enough records to judge each",
        )
    ]


def learning_point(status: pd.DataFrame, lp: str) -> list:
    """One learning point across many sites: the status counts, the reasons, then the sites that need a look."""
    rows = status[status["learning_point"] == lp.upper()]
    counts = rows["status"].value_counts()
    summary = ", ".join(f"{int(counts.get(name, 0))} {name}" for name in ind.STATUS_ORDER)
    look = ind.worth_a_look(rows)
    return [
        note(f"{lp.upper()} across {len(rows)} sites: {summary}."),
        table(scale.reasons(status, lp), f"Why sites need a look at {lp.upper()}", REASON_COLUMNS, limit=200),
        paged_table(
            look,
            f"The sites that need a look at {lp.upper()}, worst first",
            {"site": "Site", "status": "Status", "rule": "Why", "evidence": "Evidence"},
            page=scale.PAGE_ROWS,
            empty="none: every site is on track here, with enough records to judge",
        ),
    ]


def timeline(data: ProgrammeData) -> list:
    """When each milestone was first reached, in months after each site's start, spread across the sites."""
    events = timeline_events(data)
    events = events.assign(
        category=events["event"].where(
            events["event"] != "Outcome",
            "First " + events["change_type"].map(lambda code: ChangeType.label_of(code).lower()) + " change",
        )
    )
    starts = dict(zip(data.sites["name"], pd.to_datetime(data.sites["start_date"]), strict=True))
    first = events.groupby(["site", "category"], as_index=False)["date"].min()
    first["months"] = (first["date"] - first["site"].map(starts)).dt.days / DAYS_PER_MONTH
    first["category"] = first["category"].replace(
        {"Problem framing": "First problem framing", "Non-negotiable": "First non-negotiable",
         "Evidence plan": "First evidence plan item"}
    )  # fmt: skip
    categories = [
        "First problem framing",
        "First non-negotiable",
        "First evidence plan item",
        *(f"First {member.label.lower()} change" for member in ChangeType),
    ]
    spread = scale.spread(first, "category", "months", categories, len(data.sites))
    return [
        spread_chart(
            spread,
            "How long after the start each milestone came",
            "Milestone",
            "Months after the site started",
            "months",
            ["Each row is a milestone; the spread is of months from each site's start to its first such record."],
            "no dated problem framings, non-negotiables, evidence plans or outcomes for the sites chosen.",
        ),
        _spread_table(spread, "Months from each site's start to its first record of each kind", "Milestone"),
        note(EVERY_SITE),
    ]


def attendance(data: ProgrammeData, n: int = 3) -> list:
    """LP2 across many sites: each partner group's attendance rate at each site, spread; drop-outs counted."""
    args = [data.sites, data["partner"], data["activity"], data["attendance"]]
    by_month, gone = ind.attendance_by_group_month(*args), data.dropouts(n)
    per_site = by_month.groupby(["site", "role_group"], as_index=False)[["attended", "expected"]].sum()
    per_site["rate"] = 100 * per_site["attended"] / per_site["expected"].where(per_site["expected"] > 0)
    per_site["group"] = per_site["role_group"].map(RoleGroup.label_of)
    groups = [member.label for member in RoleGroup]
    spread = scale.spread(per_site, "group", "rate", groups, len(data.sites))
    groups_gone = gone[gone["level"] == "group"].groupby("role_group")["site"].nunique()
    partners_gone = gone[gone["level"] == "partner"].groupby("role_group")
    stopped = pd.DataFrame(
        {
            "role_group": [member.value for member in RoleGroup],
            "group_sites": [int(groups_gone.get(member.value, 0)) for member in RoleGroup],
            "partner_sites": [
                int(partners_gone["site"].nunique().get(member.value, 0)) if len(gone) else 0 for member in RoleGroup
            ],
            "partners": [int(partners_gone.size().get(member.value, 0)) if len(gone) else 0 for member in RoleGroup],
        }
    )
    return [
        spread_chart(
            spread,
            "How often each partner group comes, across the sites",
            "Partner group",
            "Attendance (per cent of the activities they could have come to)",
            "per cent",
            [
                "Each row is a partner group; the spread is of its attendance rate at each site, over all its "
                "activities."
            ],
            "no activities with attendance for the sites chosen.",
        ),
        _spread_table(spread, "Attendance rate of each partner group at each site, in per cent", "Partner group"),
        table(
            stopped,
            f"Who has stopped coming (absent from their site's last {n} activities while still a partner), across "
            f"{len(data.sites)} sites",
            {
                "role_group": "Role group",
                "group_sites": "Sites where the whole group stopped",
                "partner_sites": "Sites where partners stopped",
                "partners": "Partners who stopped",
            },
        ),
        note(EVERY_SITE),
    ]


def change_order(data: ProgrammeData) -> list:
    """LP6 across many sites: months from the start to the first change of each kind, spread."""
    first = ind.first_change(data.sites, data["outcome"])
    first = first.assign(change=first["change_type"].map(ChangeType.label_of))
    spread = scale.spread(first, "change", "months_from_start", [m.label for m in ChangeType], len(data.sites))
    return [
        spread_chart(
            spread,
            "Which kind of change came first, across the sites",
            "Kind of change",
            "Months from the start to the first change of this kind",
            "months",
            ["Each row is a kind of change; behaviour or culture change is expected first, service change last."],
            "no outcomes with a date for the sites chosen.",
        ),
        _spread_table(spread, "Months from each site's start to its first change of each kind", "Kind of change"),
    ]


def ladder(data: ProgrammeData) -> list:
    """The Ladder across many sites: each site's median step at each stage, spread; the staff/lived gap, spread."""
    steps = ind.ladder_by_stage(data.sites, data["activity"])
    steps = steps.assign(stage_label=steps["stage"].map(Stage.label_of))
    stages = scale.spread(steps, "stage_label", "median_step", [m.label for m in Stage], len(data.sites))
    gap = ind.staff_lived_gap(data.sites, data["self_assessment"])
    latest = gap.dropna(subset=["gap"])
    latest = latest[latest["wave"] == latest.groupby("site")["wave"].transform("max")]
    gaps = scale.spread(latest, "learning_point", "gap", list(LP_CODES), len(data.sites))
    flagged = latest[latest["flagged"]].groupby("learning_point")["site"].nunique()
    gaps = gaps.assign(flagged=gaps["category"].map(flagged).fillna(0).astype(int))
    return [
        spread_chart(
            stages,
            "How far up the Ladder of Co-production, across the sites",
            "Stage",
            "Median Ladder step of the site's activities (1 coercion to 7 co-production)",
            "",
            ["Each row is a stage of the work; the spread is of each site's median step at that stage."],
            "no activities with a Ladder step for the sites chosen.",
            domain=(1, 7),
        ),
        _spread_table(stages, "Each site's median Ladder step at each stage", "Stage"),
        spread_chart(
            gaps,
            "Do staff and people with lived experience agree, across the sites",
            "Learning point",
            "Staff mean minus lived-experience mean (latest wave)",
            "points",
            [
                "Each row is a learning point; the spread is of the gap at each site in its latest self-assessment.",
                "Above 0: staff rated the work higher than people with lived experience and carers did.",
            ],
            "no self-assessments answered by both staff and people with lived experience for the sites chosen.",
        ),
        table(
            gaps,
            "Staff minus lived-experience ratings at each site's latest wave (a gap of 1 or more is flagged)",
            {**SPREAD_COLUMNS, "category": "Learning point", "flagged": "Sites with a gap of 1 or more"},
        ),
        note(EVERY_SITE),
    ]


def reflection_4pi(data: ProgrammeData) -> list:
    """The 4Pi standards across many sites: each site's mean rating, spread, where three or more rated it."""
    by_site = ind.reflection_by_site(data.sites, data["reflection_4pi"])
    rated = by_site[by_site["rated"] >= MIN_RATED]
    rated = rated.assign(standard_label=rated["standard"].map(REFLECTION_STANDARDS))
    spread = scale.spread(rated, "standard_label", "mean_rating", list(REFLECTION_STANDARDS.values()), len(data.sites))
    return [
        spread_chart(
            spread,
            "The 4Pi standards across the sites",
            "4Pi standard",
            "Mean rating at the site (1 to 5)",
            "",
            [f"Each row is a standard; the spread is of each site's mean rating, where {MIN_RATED} or more rated it."],
            "no 4Pi reflection with enough ratings for the sites chosen.",
            domain=(1, 5),
        ),
        _spread_table(
            spread, f"Each site's mean 4Pi rating (sites with fewer than {MIN_RATED} ratings count as none)", "Standard"
        ),
    ]
