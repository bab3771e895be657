"""Site health: plain-English warnings a site team can act on, from the site's own records.

Pure functions over the records of one site (as :meth:`SiteScope.all_records` returns them), so
they run in the site app without pandas and are tested on small hand-built lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .choices import AcceptanceResponse, RoleGroup
from .records import Record, Site
from .rules import EVIDENCE_PLAN_DUE, RECENT_ACTIVITIES, STAFF_GROUPS


@dataclass(frozen=True)
class HealthLine:
    """One check. ``ok`` is True, False, or None when the records it needs are missing (never a verdict from
    silence); it is always said in words too (``status``), never by colour alone."""

    learning_point: str
    ok: bool | None
    what_it_means: str
    what_to_do: str = ""

    @property
    def status(self) -> str:
        return {True: "Looks fine", False: "Worth a look", None: "Not enough records yet"}[self.ok]


def _lived(partner) -> bool:
    return RoleGroup(partner.role_group).is_lived_experience


def _names(partners) -> str:
    names = sorted(p.display_name for p in partners)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def problem_framing_check(records: dict[str, list[Record]]) -> HealthLine:
    """LP1: was the problem framed with people with lived experience, or only for them?"""
    framings = sorted(records["problem_framing"], key=lambda f: f.version or 0)
    if not framings:
        return HealthLine(
            "LP1",
            None,
            "No problem statement is recorded yet, so who framed the problem cannot be seen.",
            "Write the problem statement together, with people who use the service in the room.",
        )
    partners = {p.id: p for p in records["partner"]}
    with_lived = [f for f in framings if any(_lived(partners[i]) for i in f.partner_ids if i in partners)]
    if not with_lived:
        return HealthLine(
            "LP1",
            False,
            "Every version of the problem statement was written without anyone with lived experience.",
            "Go back to the problem with people who use the service and carers, and revise it together.",
        )
    if with_lived[0] is not framings[0]:
        return HealthLine(
            "LP1",
            True,
            f"The first version was framed before anyone with lived experience took part; "
            f"version {with_lived[0].version} was revised with them.",
            "Keep revisiting the problem as new partners join.",
        )
    return HealthLine("LP1", True, "People with lived experience helped frame the problem from the first version.")


def attendance_check(records: dict[str, list[Record]]) -> HealthLine:
    """LP2: partners or whole partner groups missing from the most recent activities."""
    activities = sorted(records["activity"], key=lambda a: (a.date, a.id))[-RECENT_ACTIVITIES:]
    if len(activities) < RECENT_ACTIVITIES:
        return HealthLine(
            "LP2",
            None,
            f"Fewer than {RECENT_ACTIVITIES} activities are recorded, so it is too early to see who is drifting away.",
            "Record each activity and who came to it.",
        )
    attended = {(row.activity_id, row.partner_id) for row in records["attendance"]}
    first = activities[0].date
    expected = [p for p in records["partner"] if p.left is None and p.joined <= first]
    absent = [p for p in expected if not any((a.id, p.id) in attended for a in activities)]
    groups = {RoleGroup(p.role_group) for p in expected}
    absent_groups = sorted(
        (g for g in groups if all(p in absent for p in expected if p.role_group == g)), key=lambda g: g.label
    )
    if absent_groups:
        names = ", ".join(g.label.lower() for g in absent_groups)
        return HealthLine(
            "LP2",
            False,
            f"No one from these groups came to the last {RECENT_ACTIVITIES} activities: {names}.",
            "Ask them what would help them take part (time, place, format, support) and whether "
            "they still want to be involved.",
        )
    if absent:
        return HealthLine(
            "LP2",
            False,
            f"Missed the last {RECENT_ACTIVITIES} activities: {_names(absent)}.",
            "Check in with them; if they have stepped back, mark them as left.",
        )
    return HealthLine(
        "LP2", True, f"Every current partner came to at least one of the last {RECENT_ACTIVITIES} activities."
    )


def non_negotiable_check(site: Site, records: dict[str, list[Record]]) -> HealthLine:
    """LP3: non-negotiables declared late, or not accepted by every current partner."""
    declared = records["non_negotiable"]
    if not declared:
        return HealthLine(
            "LP3",
            None,
            "No non-negotiables are recorded, so whether everyone accepted them cannot be seen.",
            "If anything genuinely cannot change, declare it now, before work goes further.",
        )
    late = [n for n in declared if n.date_declared > site.start_date]
    current = [p for p in records["partner"] if p.left is None]
    accepted = {
        (a.non_negotiable_id, a.partner_id) for a in records["acceptance"] if a.response == AcceptanceResponse.ACCEPTED
    }
    unaccepted = [n for n in declared if any((n.id, p.id) not in accepted for p in current)]
    problems = []
    if late:
        problems.append(f"{len(late)} declared after the work started")
    if unaccepted:
        problems.append(f"{len(unaccepted)} not yet accepted by every current partner")
    if problems:
        return HealthLine(
            "LP3",
            False,
            f"Non-negotiables: {' and '.join(problems)}.",
            "Talk them through with everyone and record each partner's response; anything that is "
            "not a genuine non-negotiable should be open for discussion.",
        )
    return HealthLine(
        "LP3", True, "Non-negotiables were declared at the start and every current partner accepted them."
    )


def leadership_check(records: dict[str, list[Record]]) -> HealthLine:
    """LP4: is facilitation shared, or does it all sit in one sector?"""
    partners = {p.id: p for p in records["partner"]}
    leaders = [partners[i] for a in records["activity"] for i in a.facilitator_ids if i in partners]
    if not leaders:
        return HealthLine(
            "LP4", None, "No one is recorded as facilitating an activity yet.", "Record who facilitated each activity."
        )
    groups = {RoleGroup(p.role_group) for p in leaders}
    if groups <= STAFF_GROUPS or len(groups) == 1:
        names = ", ".join(sorted(g.label.lower() for g in groups))
        advice = (
            "Invite partners with lived experience or from the voluntary sector to lead or co-lead."
            if groups <= STAFF_GROUPS
            else "Share facilitation with partners from other groups too, so leadership can come from anywhere."
        )
        return HealthLine("LP4", False, f"Every activity has been facilitated by the same sector ({names}).", advice)
    return HealthLine("LP4", True, "Facilitation is shared across partner groups.")


def evidence_plan_check(site: Site, records: dict[str, list[Record]], today: dt.date) -> HealthLine:
    """LP7: an evidence plan agreed within eight weeks of the start."""
    items = records["evidence_plan"]
    if not items:
        due = site.start_date + EVIDENCE_PLAN_DUE
        when = "it was due" if today > due else "aim to agree one"
        return HealthLine(
            "LP7",
            None,
            f"No evidence plan is recorded ({when} by {due.isoformat()}, eight weeks after the start).",
            "Agree what you will measure, where the data come from and who collects them, and record it.",
        )
    first = min(item.date_agreed for item in items)
    days = (first - site.start_date).days
    if first - site.start_date > EVIDENCE_PLAN_DUE:
        return HealthLine(
            "LP7",
            False,
            f"The evidence plan was agreed {days} days after the start, later than eight weeks.",
            "Check that the early changes are still being captured.",
        )
    return HealthLine("LP7", True, f"The evidence plan was agreed {max(days, 0)} days after the start.")


def own_questions_check(site: Site, records: dict[str, list[Record]], question_sets: Iterable[Any]) -> HealthLine:
    """LP8: does the site ask its own questions beside the shared ones, and are they being answered?

    ``question_sets``: every version of the sets the site answers (the programme's and its own).
    """
    sets = list(question_sets)
    own = {qs.id for qs in sets if qs.site_id == site.id}
    names = sorted({qs.name for qs in sets if qs.site_id == site.id}, key=str.casefold)
    answered_own = sum(1 for r in records["question_response"] if r.question_set_id in own)
    answered_any = len(records["question_response"])
    if not own and not answered_any:
        return HealthLine(
            "LP8",
            None,
            "No questions have been answered here yet, so whether the work is shaped to this place cannot be seen.",
            "Agree with partners the questions that matter at your site; the evaluator can add them for you.",
        )
    if not own:
        return HealthLine(
            "LP8",
            False,
            "Only the questions every site answers are in use here: nothing asks what matters at this site.",
            "Agree with partners the questions that matter here, and ask the evaluator to add them.",
        )
    listed = ", ".join(names)
    if not answered_own:
        return HealthLine(
            "LP8",
            False,
            f"Your site's own questions ({listed}) have no answers yet.",
            "Answer them in the section Our own questions, with partners.",
        )
    sets_word = "set" if len(names) == 1 else "sets"
    return HealthLine(
        "LP8",
        True,
        f"Your site asks its own questions ({len(names)} {sets_word}: {listed}), answered "
        f"{answered_own} time{'' if answered_own == 1 else 's'}.",
    )


def site_health(
    site: Site, records: dict[str, list[Record]], today: dt.date | None = None, question_sets: Iterable[Any] = ()
) -> list[HealthLine]:
    """Every check; ``question_sets`` (every version of the sets the site answers) for the LP8 line."""
    today = today or dt.date.today()
    return [
        problem_framing_check(records),
        attendance_check(records),
        non_negotiable_check(site, records),
        leadership_check(records),
        evidence_plan_check(site, records, today),
        own_questions_check(site, records, question_sets),
    ]
