"""Synthetic sites for ``coprod synth``: the demo's six sites as templates, each copy varied by a seeded generator.

A synthetic site keeps its template's story (so every pattern the demo shows turns up in any programme of six
sites or more) and varies the rest: a new invented name and start date, partners renamed ``P1``, ``P2``... by
role (never a person's name), some dropped, others added, some leaving; late or disputed non-negotiables,
evidence plans early, late or missing, outcomes missing or out of order, decisions with and without
feedback, scores moved up or down, and some kinds of records left out. :func:`vary` is pure: the same
template, number and generator state give the same site.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from ..choices import RoleGroup
from .questions import SITE_QUESTIONS
from .sites import CARER, CLIN, COMM, CONTESTED, LE, MGR, OTHER, SET_ASIDE, SITES, VOL, Decision, NonNeg, P, SiteSpec

STAFF = (CLIN, MGR, COMM)
#: Invented pieces of place names; a site's name is one of each and its number, so names never repeat.
FIRST = (
    "Quill", "Wrenn", "Tarrow", "Mabble", "Pellin", "Yarrow", "Dunnock", "Corrow", "Brindle", "Kessel",
    "Lundle", "Marrow", "Orrin", "Paskett", "Sallow", "Teasel", "Umber", "Vellin", "Hobble", "Fennick",
)  # fmt: skip
LAST = ("mere", "combe", "thorpe", "ley", "stow", "wick", "den", "well", "by", "holt", "marsh", "field")
#: Roles of partners added to a template's register, weighted as the demo's registers are.
EXTRA_ROLES = (LE, LE, LE, CARER, CARER, CLIN, CLIN, MGR, VOL, OTHER)
EXTRA_SIZES = (0, 0, 1, 2, 2, 3, 4, 6, 9)
LATE_RULES = (
    ("No new posts until the service review reports.", "A board decision taken after the project began."),
    ("The venue budget is capped for the rest of the year.", "Savings agreed by the trust after the start."),
    ("Patient records stay on the current system.", "A national procurement decision announced mid-year."),
)
FEEDBACK = (
    "Told at the next meeting",
    "Summary sent to all partners by email and post",
    "Explained in the partners' newsletter",
)


@dataclass(frozen=True)
class SynthSite:
    """A varied copy of a demo site, and which of its records to leave out."""

    spec: SiteSpec
    template: str  # the demo site it is a copy of
    drifter: str | None = None  # a partner who stops coming from ``drift_day`` without being marked as left
    drift_day: int = 0
    self_assessed: bool = True  # whether the self-assessment waves are recorded
    reflected: bool = True  # whether the 4Pi reflections are recorded
    own_questions: bool = False  # whether it adds its template's question set of its own
    answered: int = 0  # how many sets of answers to it


def site_names(count: int, seed: int) -> list[str]:
    """``count`` invented, distinct names in a seeded order, each ending in its number: "Quillmere 007"."""
    stems = [first + last for first in FIRST for last in LAST]
    random.Random(f"coprod synth names {seed}").shuffle(stems)
    width = max(3, len(str(count)))
    return [f"{stems[n % len(stems)]} {n + 1:0{width}d}" for n in range(count)]


def synthetic_sites(count: int, seed: int) -> list[SynthSite]:
    """The programme's sites: the demo's six in turn as templates, each varied by its own seeded generator."""
    return [
        vary(SITES[n % len(SITES)], name, random.Random(f"coprod synth {seed} {n}"))
        for n, name in enumerate(site_names(count, seed))
    ]


def vary(template: SiteSpec, name: str, rng: random.Random) -> SynthSite:
    """A copy of ``template`` called ``name``, varied by ``rng`` (see the module's docstring)."""
    stem = name.rsplit(" ", 1)[0]
    partners, rename = _partners(template, rng)
    spec = replace(
        template,
        name=name,
        start=_start(template.start, rng),
        orgs={role: org.replace(template.name, stem) for role, org in template.orgs.items()},
        partners=partners,
        facilitators=_facilitators(template, rename, rng),
        ladder=_ladder(template.ladder, rng),
        framings=_framings(template, rng),
        non_negotiables=_non_negotiables(template, partners, rename, rng),
        ideas=_ideas(template, rename, rng),
        expectations=_expectations(template, rng),
        evidence=_evidence(template, rename, rng),
        outcomes=_outcomes(template, rng),
        decisions=tuple(_decision(choice, rng) for choice in template.decisions),
        le_scores=tuple(_clamp(score + rng.choice((-1, 0, 0, 1)), 1, 5) for score in template.le_scores),
        staff_gap=tuple(_clamp(gap + rng.choice((-1, 0, 0, 1)), 0, 3) for gap in template.staff_gap),
        ladder_view=tuple(_clamp(step + rng.choice((-1, 0, 1)), 1, 7) for step in template.ladder_view),
        drift=template.drift or _group_drift(partners, rng),
    )
    drifter = _drifter(spec, rng)
    own = template.name in SITE_QUESTIONS and rng.random() < 0.75
    return SynthSite(
        spec=spec,
        template=template.name,
        drifter=drifter,
        drift_day=rng.randint(200, 300) if drifter else 0,
        self_assessed=rng.random() >= 0.08,
        reflected=rng.random() >= 0.15,
        own_questions=own,
        answered=rng.choice((0, 1, 3, 6, 6, 6)) if own else 0,
    )


def _start(start: dt.date, rng: random.Random) -> dt.date:
    """Up to six weeks earlier or thirteen months later, on a day every month has (the demo counts in months)."""
    moved = start + dt.timedelta(days=rng.randint(-45, 400))
    return moved.replace(day=min(moved.day, 28))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _needed(template: SiteSpec) -> set[str]:
    """Partners the template's story names (facilitators, those who declared, responded, had ideas, collect data)."""
    keys = set(template.facilitators)
    keys |= {rule.declared_by for rule in template.non_negotiables}
    keys |= {key for rule in template.non_negotiables for key in rule.responses}
    keys |= {idea.partner for idea in template.ideas}
    keys |= {item.collected_by.split(" (")[0] for item in template.evidence}
    return keys


def _partners(template: SiteSpec, rng: random.Random) -> tuple[tuple[P, ...], dict[str, str]]:
    """The register: the template's partners less a few staff it does not need, plus some added; some leave.

    Partners are called by number and role ("P3 (ward pharmacist)"); returns them and old key -> new key.
    """
    needed = _needed(template)
    kept: list[P] = []
    for p in template.partners:
        if p.key not in needed and p.role in STAFF and rng.random() < 0.25:
            continue  # a smaller register
        if p.key not in needed and p.left is None and rng.random() < 0.12:
            p = p._replace(left=rng.randint(max(p.joined + 30, 90), 330))  # left, and said so
        kept.append(p)
    for _ in range(rng.choice(EXTRA_SIZES)):
        role = rng.choice(EXTRA_ROLES)
        joined = rng.choice((0, 0, rng.randint(14, 240)))
        left = rng.randint(joined + 30, 340) if rng.random() < 0.2 else None
        kept.append(P("new", role, RoleGroup(role).label, joined, left))
    rename = {p.key: f"P{n}" for n, p in enumerate(kept, 1) if p.key != "new"}
    numbered = tuple(p._replace(key=f"P{n}") for n, p in enumerate(kept, 1))
    return numbered, rename


def _facilitators(template: SiteSpec, rename: dict[str, str], rng: random.Random) -> tuple[str, ...]:
    """The template's, renamed; now and then only its people with lived experience lead (one group leads all)."""
    lived = tuple(rename[p.key] for p in template.partners if p.key in template.facilitators and p.role == LE)
    if lived and rng.random() < 0.08:
        return lived
    return tuple(rename[key] for key in template.facilitators)


def _framings(template: SiteSpec, rng: random.Random) -> tuple:
    """A problem first framed by staff alone is now and then never revised with anyone else."""
    if template.framings[0].who == "staff" and rng.random() < 0.25:
        return template.framings[:1]
    return template.framings


def _ladder(ladder: tuple[int, int], rng: random.Random) -> tuple[int, int]:
    first = _clamp(ladder[0] + rng.choice((-1, 0, 0, 1)), 1, 7)
    return first, _clamp(ladder[1] + rng.choice((-1, 0, 0, 1)), first, 7)


def _non_negotiables(template: SiteSpec, partners, rename: dict[str, str], rng: random.Random) -> tuple:
    """The template's, renamed; sometimes one declared late, queried or not accepted, or none at all."""
    if rng.random() < 0.06:
        return ()
    rules = [
        rule._replace(declared_by=rename[rule.declared_by], responses={rename[k]: v for k, v in rule.responses.items()})
        for rule in template.non_negotiables
    ]
    staff = [p.key for p in partners if p.role in STAFF and p.joined == 0]
    if staff and rng.random() < 0.12:
        statement, reason = rng.choice(LATE_RULES)
        rules.append(NonNeg(rng.randint(60, 200), statement, reason, rng.choice(staff)))
    lived = [p.key for p in partners if p.role in (LE, CARER) and p.left is None]
    if rules and lived and rng.random() < 0.2:
        response = rng.choice(("not_accepted", "queried", "queried"))
        first = rules[0]
        rules[0] = first._replace(responses={**first.responses, rng.choice(lived): response})
    return tuple(rules)


def _ideas(template: SiteSpec, rename: dict[str, str], rng: random.Random) -> tuple:
    ideas = [idea._replace(partner=rename[idea.partner]) for idea in template.ideas]
    if rng.random() < 0.1 and all(idea.fate != CONTESTED for idea in ideas):
        ideas = [idea._replace(fate=CONTESTED) if idea.fate == SET_ASIDE else idea for idea in ideas]
    return tuple(ideas)


def _expectations(template: SiteSpec, rng: random.Random) -> tuple:
    """The milestones, a month earlier or later; sometimes none, or one expected far too soon."""
    chance = rng.random()
    if chance < 0.05:
        return ()
    hopes = [hope._replace(month=max(1, hope.month + rng.choice((-1, 0, 0, 1)))) for hope in template.expectations]
    if chance < 0.15 and len(hopes) > 1:
        hopes[1] = hopes[1]._replace(month=1)  # the process change, reached months later than expected
    return tuple(hopes)


def _evidence(template: SiteSpec, rename: dict[str, str], rng: random.Random) -> tuple:
    """The plan, renamed: as the template has it (give or take a week), agreed late, or missing."""
    chance = rng.random()
    if chance < 0.12:
        return ()
    first = min(item.day for item in template.evidence)
    shift = max(0, rng.randint(70, 220) - first) if chance < 0.3 else 0
    items = []
    for item in template.evidence:
        key, role = item.collected_by.split(" (", 1)
        day = max(0, item.day + shift + rng.randint(-7, 7))
        items.append(item._replace(day=day, collected_by=f"{rename[key]} ({role}"))
    return tuple(items)


def _outcomes(template: SiteSpec, rng: random.Random) -> tuple:
    """The outcomes, a little earlier or later; sometimes none, none of the service changes, or a service or
    process change first."""
    chance = rng.random()
    if chance < 0.06:
        return ()
    outcomes = [out._replace(day=max(1, out.day + rng.randint(-15, 15))) for out in template.outcomes]
    if chance < 0.16:
        return tuple(out for out in outcomes if out.change_type != "service")
    first = "service" if chance < 0.21 else "process" if chance < 0.27 else None
    moving = [out for out in outcomes if out.change_type == first][:1]
    if moving:  # a service (or process) change recorded before any change in behaviour
        earliest = min(out.day for out in outcomes)
        moved = moving[0]._replace(day=max(1, earliest - rng.randint(10, 40)))
        outcomes = [moved if out is moving[0] else out for out in outcomes]
    return tuple(outcomes)


def _decision(choice: Decision, rng: random.Random) -> Decision:
    """Feedback sometimes not given where the template gives it, and sometimes given where it does not."""
    if choice.feedback and rng.random() < 0.2:
        return choice._replace(feedback="", feedback_after=None)
    if not choice.feedback and rng.random() < 0.25:
        return choice._replace(feedback=rng.choice(FEEDBACK), feedback_after=rng.randint(3, 28))
    return choice


def _group_drift(partners: tuple[P, ...], rng: random.Random) -> tuple[str, int] | None:
    """Now and then a whole group (carers, or people with lived experience) stops coming, unmarked."""
    if rng.random() >= 0.07:
        return None
    role = rng.choice((CARER, LE))
    return (role, rng.randint(6, 9)) if any(p.role == role for p in partners) else None


def _drifter(spec: SiteSpec, rng: random.Random) -> str | None:
    """Now and then one person with lived experience, not a facilitator, stops coming without leaving."""
    if rng.random() >= 0.15:
        return None
    lived = [p for p in spec.partners if p.role in (LE, CARER) and p.left is None and p.key not in spec.facilitators]
    groups = {role: sum(1 for p in spec.partners if p.role == role) for role in (LE, CARER)}
    choices = [p.key for p in lived if groups[p.role] >= 2]
    return rng.choice(choices) if choices else None
