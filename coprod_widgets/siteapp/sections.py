"""What the site app asks, section by section: one per learning point, each with its reason.

A section is data (title, reason, forms, how to summarise a saved record); the workspace turns
it into widgets. Summaries are plain text and shown through text widgets, never as HTML.
The two sections without forms here, "Our own questions" and "Self-assessment", answer question
sets (see :mod:`.questions_section`): the site's own, and the shared instruments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..choices import LadderStep
from ..records import Record

#: How many saved records a list shows at first, and how many more each "Show more" adds.
PAGE = 10


@dataclass(frozen=True)
class FormSpec:
    kind: str
    fields: list[str]
    title: str | None = None


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    reason: str
    forms: list[FormSpec]
    listed: list[str] = field(default_factory=list)


def _label(value) -> str:
    return getattr(value, "label", str(value))


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


#: A one-line, plain-text summary of a saved record. ``names`` maps partner id -> display name.
Summary = Callable[[Record, dict[int, str]], str]

SUMMARIES: dict[str, Summary] = {
    "partner": lambda r, names: (
        f"{r.display_name} ({_label(r.role_group)}{', ' + r.organisation if r.organisation else ''}); "
        f"joined {r.joined}" + (f"; left {r.left}" if r.left else "")
    ),
    "activity": lambda r, names: (
        f"{r.date}: {r.title} ({_label(r.stage)}; ladder step {_label(LadderStep(r.ladder_step))})"
    ),
    "problem_framing": lambda r, names: (
        f"Version {r.version} ({r.date}): {r.statement} Taken part: "
        + (", ".join(names.get(i, f"partner {i}") for i in r.partner_ids) or "nobody recorded")
    ),
    "non_negotiable": lambda r, names: (
        f"{r.date_declared}: {r.statement} (declared by {names.get(r.declared_by_id, 'unknown')})"
    ),
    "acceptance": lambda r, names: (
        f"{r.date}: {names.get(r.partner_id, 'unknown')} - {_label(r.response)} (non-negotiable {r.non_negotiable_id})"
    ),
    "starting_idea": lambda r, names: f"{r.idea} ({names.get(r.partner_id, 'unknown')}): {_label(r.fate)}",
    "expectation": lambda r, names: f"By {r.expected_date}: {r.milestone} ({_label(r.change_kind)})",
    "evidence_plan": lambda r, names: (
        f"Agreed {r.date_agreed}: {r.question} Indicator: {r.indicator}. Source: {r.data_source} ({r.collected_by})"
    ),
    "outcome": lambda r, names: (
        f"{r.date_observed}: {r.description} ({_label(r.change_type)}; {_label(r.direction).lower()}; "
        f"intended: {_yes_no(r.intended)}; substantiated: {_yes_no(r.substantiated)})"
    ),
    "decision": lambda r, names: (
        f"{r.date}: {r.what} "
        + (f"Feedback on {r.feedback_date}: {r.feedback}" if r.feedback else "No feedback recorded yet.")
    ),
}


SECTIONS: list[SectionSpec] = [
    SectionSpec(
        "partners",
        "Partners",
        "Everyone taking part, so you can see whether all voices stay involved (learning point 2).",
        [FormSpec("partner", ["display_name", "role_group", "organisation", "connections", "joined", "left"])],
        ["partner"],
    ),
    SectionSpec(
        "activities",
        "Activities and attendance",
        "What you did together and who came and spoke, to see who is involved and who leads (points 2 and 4).",
        [
            FormSpec(
                "activity",
                ["date", "title", "stage", "ladder_step", "facilitator_ids", "access_adjustments", "partners_got_back"],
            )
        ],
        ["activity"],
    ),
    SectionSpec(
        "problem",
        "The problem",
        "The problem as you framed it together, and each time you revisited it (learning point 1).",
        [
            FormSpec(
                "problem_framing",
                ["statement", "how_identified", "partner_ids", "date"],
                title="Write or revise the problem statement",
            )
        ],
        ["problem_framing"],
    ),
    SectionSpec(
        "non_negotiables",
        "Non-negotiables",
        "Anything that cannot change, said at the start and accepted by everyone (learning point 3).",
        [
            FormSpec(
                "non_negotiable",
                ["statement", "reason", "declared_by_id", "date_declared"],
                title="Declare a non-negotiable",
            ),
            FormSpec(
                "acceptance",
                ["non_negotiable_id", "partner_id", "response", "date"],
                title="Record a partner's response",
            ),
        ],
        ["non_negotiable", "acceptance"],
    ),
    SectionSpec(
        "ideas",
        "Starting ideas",
        "Solutions people arrived with, and what became of them once you explored together (learning point 3).",
        [FormSpec("starting_idea", ["idea", "partner_id", "fate", "date"])],
        ["starting_idea"],
    ),
    SectionSpec(
        "expectations",
        "Expectations and milestones",
        "What you expect to change and when, so progress is judged fairly: change takes time (learning point 5).",
        [FormSpec("expectation", ["milestone", "expected_date", "change_kind"], title="Add a milestone")],
        ["expectation"],
    ),
    SectionSpec(
        "evidence",
        "Evidence plan and outcomes",
        "How you will show what changed, planned early, and the changes you see (learning points 6 and 7).",
        [
            FormSpec(
                "evidence_plan",
                ["question", "indicator", "data_source", "collected_by", "date_agreed"],
                title="Add to the evidence plan",
            ),
            FormSpec(
                "outcome",
                [
                    "description",
                    "change_type",
                    "who_changed",
                    "intended",
                    "direction",
                    "date_observed",
                    "evidence_source",
                    "substantiated",
                ],
                title="Record an outcome",
            ),
        ],
        ["evidence_plan", "outcome"],
    ),
    SectionSpec(
        "decisions",
        "Decisions and feedback",
        "What was decided and what partners were told, so everyone sees where their ideas went.",
        [
            FormSpec(
                "decision",
                ["date", "what", "options_considered", "feedback", "feedback_date", "why_no_change"],
                title="Record a decision",
            )
        ],
        ["decision"],
    ),
    SectionSpec(
        "questions",
        "Our own questions",
        "Questions your site (or the whole programme) chose to ask, beyond the records above. "
        "Each set is answered as often as you need (learning point 8).",
        [],
    ),
    SectionSpec(
        "self_assessment",
        "Self-assessment",
        "How the work looks to each partner. The self-assessment asks where the work is on the Ladder of "
        "Co-production and scores each learning point from 1 (not at all) to 5 (fully). The 4Pi involvement "
        "reflection asks how far involvement meets five standards: principles, purpose, presence, process and "
        "impact. Every site answers the same questions, again from time to time, so change shows over time. "
        "The evaluators will see these answers.",
        [],
    ),
]
