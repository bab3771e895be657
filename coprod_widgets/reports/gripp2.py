"""The GRIPP2 short form (aim, methods, results, outcomes, reflections), filled in from the records.

GRIPP2 is the checklist journals and funders use for reporting patient and public involvement.
Each item here states what the records show and lists a *gap* wherever the records that would
answer it are missing, so that a report never passes silence off as an answer. An item's sources are record
types or shared instruments (the self-assessment, the 4Pi reflection), whose answers are question responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import pandas as pd

from ..choices import LEARNING_POINTS, AcceptanceResponse, ChangeType, IdeaFate, RoleGroup, Stage
from ..evaluation import indicators as ind
from ..evaluation.data import ProgrammeData
from ..evaluation.indicators.ladder import GAP_FLAG
from ..evaluation.indicators.reflection import MIN_RATED, STANDARDS
from ..evaluation.tables import table_html
from ..questions.instruments import INSTRUMENTS, REFLECTION_4PI, SELF_ASSESSMENT
from ..records import RECORD_TYPES
from ..surveys import results as survey_results
from ..surveys.answers import scale_name, suppressed_cells
from ..surveys.importing import TOOL_NAMES

#: The shared instruments an item can draw on, beside the record types.
INSTRUMENT_NAMES = {instrument.key: instrument.name for instrument in INSTRUMENTS}


@dataclass
class Gripp2Item:
    number: int
    title: str
    prompt: str
    sources: list[str]
    findings: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def has_gap(self) -> bool:
        return bool(self.gaps)


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _day(when: pd.Timestamp) -> str:
    return f"{when.day} {when:%B %Y}"


def _breakdown(codes: pd.Series, choices) -> str:
    counts = codes.value_counts()
    return "; ".join(f"{m.label.lower()}: {counts[m.value]}" for m in choices if m.value in counts.index)


def _aim(data: ProgrammeData, description: str) -> Gripp2Item:
    item = Gripp2Item(
        1, "Aim", "Report the aim of involving people who use services, carers and the public.", ["programme", "site"]
    )
    if description.strip():
        item.findings.append(f"The programme record describes it as: {description.strip()}")
    else:
        item.gaps.append("No aim is recorded for the programme: add a description to the programme record.")
    if data.sites.empty:
        item.gaps.append("No sites are recorded, so no site's aim can be reported.")
    for site in data.sites.itertuples(index=False):
        item.findings.append(f"{site.name} set out to change: {site.service_issue}")
    return item


def _methods(data: ProgrammeData) -> Gripp2Item:
    item = Gripp2Item(
        2,
        "Methods",
        "Describe how people who use services, carers and the public were involved.",
        ["partner", "activity", "attendance", "survey_response"],
    )
    partners, activities, attendance = data["partner"], data["activity"], data["attendance"]
    if partners.empty:
        item.gaps.append("No partners are recorded: the partner register is empty.")
    else:
        item.findings.append(
            f"{_n(len(partners), 'partner')} across {_n(data.sites.shape[0], 'site')}: "
            f"{_breakdown(partners['role_group'], RoleGroup)}."
        )
    if activities.empty:
        item.gaps.append("No activities are recorded, so how partners worked together cannot be described.")
    else:
        steps = pd.to_numeric(activities["ladder_step"], errors="coerce").dropna()
        median = f" The median step on the Ladder of Co-production was {steps.median():g} of 7." if len(steps) else ""
        item.findings.append(
            f"{_n(len(activities), 'activity', 'activities')} by stage: "
            f"{_breakdown(activities['stage'], Stage)}.{median}"
        )
    if attendance.empty:
        item.gaps.append("No attendance is recorded, so who took part in the activities is unknown.")
    else:
        contributed = int(attendance["contributed"].fillna(False).astype(bool).sum())
        item.findings.append(f"{_n(len(attendance), 'attendance')} recorded, {contributed} with a contribution noted.")
    _survey_methods(data, item)
    return item


def _survey_methods(data: ProgrammeData, item: Gripp2Item) -> None:
    """Which surveys were run, with what, answered by whom (role groups under the threshold not counted)."""
    summary = survey_results.surveys_summary(data)
    responses = data["survey_response"]
    if responses.empty:  # said, not a gap: a programme need not run surveys to describe how people took part
        item.findings.append(
            "No survey responses are imported: if partners or the people the services reach were surveyed, import "
            "the exports (coprod import-survey) so that their answers count here."
        )
        return
    tools = sorted({TOOL_NAMES.get(tool, tool) for tool in summary["tool"]})
    dates = pd.to_datetime(responses["submitted"], errors="coerce").dropna()
    when = f", submitted from {_day(dates.min())} to {_day(dates.max())}" if len(dates) else ""
    mapped = sorted({lp for lps in summary["learning_points"] for lp in lps.split(", ") if lp})
    item.findings.append(
        f"{_n(len(summary), 'survey')} at {_n(summary['site'].nunique(), 'site')} ({', '.join(tools)}): "
        f"{_n(len(responses), 'response')}{when}; questions mapped to "
        + (", ".join(mapped) if mapped else "no learning point yet")
        + "."
    )
    limit = survey_results.threshold(survey_results.survey_answers(data))
    roles = responses["respondent_role"].fillna("").value_counts()
    groups = [(member.label.lower(), int(roles[member.value])) for member in RoleGroup if member.value in roles.index]
    groups += [("role not given", int(roles[""]))] if "" in roles.index else []
    hidden = suppressed_cells([count for _, count in groups], len(responses), limit)
    said = [f"{name}: {'not given' if secret else count}" for (name, count), secret in zip(groups, hidden, strict=True)]
    item.findings.append(
        f"Who answered the surveys: {'; '.join(said)}. Survey counts under {limit}, and any that would give one "
        "away, are not given, so that no one can be picked out."
    )


def _results(data: ProgrammeData) -> Gripp2Item:
    item = Gripp2Item(
        3,
        "Results",
        "Report what involvement changed in the work itself, positive and negative.",
        ["problem_framing", "starting_idea", "non_negotiable", "acceptance", "decision", "survey_response"],
    )
    summary = ind.framing_summary(data.sites, data["partner"], data["problem_framing"])
    framed = summary[summary["versions"] > 0]
    if framed.empty:
        item.gaps.append("No problem framings are recorded, so whether partners shaped the problem is unknown.")
    else:
        first = int(framed["lived_experience_in_first"].sum())
        revised = int((~framed["lived_experience_in_first"] & framed["first_lived_framing_version"].notna()).sum())
        item.findings.append(
            f"{_n(len(framed), 'site')} framed the problem; at {first} people with lived experience "
            f"shaped the first version, and {revised} revised it once they joined."
        )
    ideas = data["starting_idea"]
    if not ideas.empty:
        item.findings.append(f"Ideas partners arrived with: {_breakdown(ideas['fate'], IdeaFate)}.")
    responses = data["acceptance"]
    if not responses.empty:
        item.findings.append(f"Responses to non-negotiables: {_breakdown(responses['response'], AcceptanceResponse)}.")
    decisions = data["decision"]
    if decisions.empty:
        item.gaps.append("No decisions are recorded, so what partners changed in the work cannot be shown.")
    else:
        fed_back = int((decisions["feedback"].fillna("").str.strip() != "").sum())
        item.findings.append(f"{_n(len(decisions), 'decision')} recorded; partners were told the result of {fed_back}.")
    _survey_results(data, item)
    return item


def _survey_results(data: ProgrammeData, item: Gripp2Item) -> None:
    """What the survey answers say at each learning point: the share in the upper half of each scale."""
    answers = survey_results.survey_answers(data)
    for lp in LEARNING_POINTS:
        for found in survey_results.upper_share(answers, lp):
            scale = scale_name(list(found["scale"]))
            asked = (
                f"{lp.upper()} ({_n(found['questions'], 'survey question')}, {_n(found['answers'], 'answer')} "
                f"on a scale from {scale})"
            )
            if found["upper"] is None:
                item.findings.append(
                    f"Survey answers on {asked}: too few in a group to give a share without picking someone out."
                )
            else:
                share = 100 * found["upper"] / found["answers"]
                item.findings.append(f"Survey answers on {asked}: {share:.0f}% in the upper half of the scale.")


def _outcomes(data: ProgrammeData) -> Gripp2Item:
    item = Gripp2Item(
        4,
        "Outcomes",
        "Say how far involvement influenced the outcomes of the work, including unintended and negative effects.",
        ["outcome", "evidence_plan"],
    )
    outcomes = data["outcome"]
    if outcomes.empty:
        item.gaps.append("No outcomes are recorded: the influence of involvement on outcomes cannot be reported.")
        return item
    negative = int((outcomes["direction"] == "negative").sum())
    unintended = int((~outcomes["intended"].fillna(True).astype(bool)).sum())
    substantiated = int(outcomes["substantiated"].fillna(False).astype(bool).sum())
    item.findings.append(
        f"{_n(len(outcomes), 'outcome')}: {_breakdown(outcomes['change_type'], ChangeType)}; "
        f"{negative} negative, {unintended} unintended, {substantiated} substantiated."
    )
    order = ind.behaviour_first(data.sites, outcomes)
    known = order[order["sequence"] != ""] if "sequence" in order else order
    if not known.empty:
        item.findings.append(
            f"Behaviour or culture changed first at {int(known['order_ok'].sum())} of "
            f"{_n(len(known), 'site')} with outcomes."
        )
    if substantiated == 0:
        item.gaps.append("None of the outcomes is substantiated yet: record the evidence source for each.")
    if data["evidence_plan"].empty:
        item.gaps.append("No evidence plan is recorded, so outcomes cannot be checked against planned indicators.")
    return item


def _reflections(data: ProgrammeData) -> Gripp2Item:
    item = Gripp2Item(
        5,
        "Reflections",
        "Reflect critically on what went well and what did not, so that others can learn.",
        [SELF_ASSESSMENT.key, REFLECTION_4PI.key],
    )
    status = ind.overview_status(data)
    if not status.empty:
        counts = status["status"].value_counts()
        item.findings.append(
            "Across the learning points at every site: "
            + ", ".join(f"{counts.get(name, 0)} {name}" for name in ind.STATUS_ORDER)
            + "."
        )
        for row in status[status["status"] == "concern"].itertuples(index=False):
            item.findings.append(f"Concern at {row.site}, {row.learning_point}: {row.rule.removeprefix('concern: ')}.")
    gap = ind.staff_lived_gap(data.sites, data["self_assessment"])
    if data["self_assessment"].empty:
        item.gaps.append(
            "No self-assessments are recorded: partners' own view of how far the work was co-produced is missing."
        )
    else:
        flagged = int(gap["flagged"].sum())
        item.findings.append(
            f"{_n(len(data['self_assessment']), 'self-assessment')} answered; staff and people "
            f"with lived experience rated a learning point 1 or more apart {_n(flagged, 'time')}."
        )
    _reflection_4pi(data, item)
    item.findings.append(
        "The records cannot say what the team learned in its own words: add the team's written "
        "reflections beside this section."
    )
    return item


def _reflection_4pi(data: ProgrammeData, item: Gripp2Item) -> None:
    """What the 4Pi involvement reflections say, or a gap when none were answered (their notes are never quoted)."""
    answers = data[REFLECTION_4PI.key]
    if answers.empty:
        item.gaps.append(
            "No 4Pi reflections are recorded: partners' own view of their involvement (principles, purpose, "
            "presence, process, impact) is missing."
        )
        return
    by_site = ind.reflection_by_site(data.sites, answers)
    answered = by_site.loc[by_site["answers"] > 0, "site"].unique()
    read = by_site[by_site["rated"] >= MIN_RATED]
    rest = len(by_site) - len(read)
    item.findings.append(
        f"{_n(len(answers), '4Pi reflection')} answered at {len(answered)} of {_n(data.sites.shape[0], 'site')}; "
        f"of the five standards at each site, {len(read)} of {len(by_site)} had {MIN_RATED} or more ratings, "
        "enough to read" + (f", and {rest} had too few or none." if rest else ".")
    )
    if not read.empty:
        means = read.groupby("standard", sort=False)["mean_rating"].agg(["min", "max"])
        spans = [
            f"{STANDARDS[code].lower()} {low:.1f}" + ("" if f"{low:.1f}" == f"{high:.1f}" else f" to {high:.1f}")
            for code, low, high in zip(means.index, means["min"], means["max"], strict=True)
        ]
        item.findings.append(
            "Mean 4Pi ratings, from 1 (not yet) to 5 (fully), lowest site to highest: " + "; ".join(spans) + "."
        )
    apart = read[read["gap"].abs().round(9) >= GAP_FLAG]
    if not apart.empty:
        places = "; ".join(
            f"{site} ({', '.join(STANDARDS[code].lower() for code in rows['standard'])})"
            for site, rows in apart.groupby("site", sort=False)
        )
        item.findings.append(
            f"Staff and people with lived experience rated a 4Pi standard 1 or more apart at "
            f"{_n(apart['site'].nunique(), 'site')}: {places}."
        )


def gripp2_items(data: ProgrammeData, description: str = "") -> list[Gripp2Item]:
    """The five short-form items; ``description`` is the programme record's description (its aim)."""
    return [_aim(data, description), _methods(data), _results(data), _outcomes(data), _reflections(data)]


def _source(kind: str) -> str:
    """A record type's noun, or a shared instrument's answers ('Self-assessment answers')."""
    if kind in RECORD_TYPES:
        return RECORD_TYPES[kind].noun
    return f"{INSTRUMENT_NAMES[kind]} answers"


def gripp2_html(items: list[Gripp2Item]) -> str:
    """A checklist table (gaps named in words, not colour), then each item with its findings and gaps."""
    checklist = pd.DataFrame(
        [
            {
                "item": f"{item.number}. {item.title}",
                "state": f"Gap: {_n(len(item.gaps), 'missing part')}" if item.has_gap else "Filled from the records",
                "sources": ", ".join(_source(kind) for kind in item.sources),
            }
            for item in items
        ]
    )
    parts = [
        table_html(
            checklist,
            "GRIPP2 short form: what the records can fill in",
            {"item": "Item", "state": "State", "sources": "Records used"},
        )
    ]
    entries = []
    for item in items:
        findings = "".join(f"<li>{escape(text)}</li>" for text in item.findings)
        gaps = "".join(f'<p class="coprod-gap"><strong>Gap:</strong> {escape(text)}</p>' for text in item.gaps)
        entries.append(
            f'<dt id="gripp2-{item.number}">{item.number}. {escape(item.title)}</dt>'
            f'<dd><p class="coprod-prompt">{escape(item.prompt)}</p>'
            f"{'<ul>' + findings + '</ul>' if findings else ''}{gaps}</dd>"
        )
    parts.append(f'<dl class="coprod-gripp">{"".join(entries)}</dl>')
    return "\n".join(parts)
