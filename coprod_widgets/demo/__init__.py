"""A fictional demonstration programme: six sites, a year of co-production each.

Built only through the store's public ``add``, so every record is validated and has history.
The facts of each site live in :mod:`coprod_widgets.demo.sites`; this module turns them into records,
filling in the routine detail (activities, attendance, acceptances, surveys, interviews) from a seeded random
generator, so two builds give the same data apart from the access codes.

Which site shows which pattern (tests and evaluator examples rely on these):

============  ==========================================================================
Wendlebury    problem first framed by staff alone, revised once patients joined (LP1);
              facilitation by staff only (LP4); a staff idea still contested (LP3);
              staff rate the learning points well above patients and carers; no service change yet
Fenmarsh      the steady site: shared leadership, evidence plan in week three, service change by month ten
Saltmere      carers drift away from month seven without being marked as left (LP2);
              a negative outcome; no service change yet
Brackenford   a non-negotiable declared four months after the start (LP3)
Oxborough     evidence plan agreed six months in (LP7); the problem revisited at month five
Stourham      a non-negotiable not accepted by everyone; an idea still contested (LP3)
============  ==========================================================================
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from .. import access
from ..questions.instruments import INSTRUMENTS, REFLECTION_4PI, SELF_ASSESSMENT, install
from ..records import Record
from ..store import Store
from .interviews import add_interviews, add_team_code
from .questions import demo_question_sets
from .sites import CARER, LE, SITES, P, SiteSpec
from .surveys import add_survey

DEMO_PROGRAMME_NAME = "Long-term conditions co-production programme (fictional demonstration)"
DEMO_DESCRIPTION = (
    "FICTIONAL DATA for demonstration and training. Six invented sites in the style of an East of England "
    "programme (2015-16), each co-producing a change to a service for people with long-term conditions. "
    "Every place, organisation, person and number here is made up."
)
STAFF = ("clinician", "manager", "commissioner")
#: How far what each site's interviewee says leans towards things going well, by learning point (else 0.85),
#: following the site's story in the table above.
INTERVIEW_LEANS = {
    "Wendlebury": {"lp1": 0.2, "lp4": 0.1},
    "Saltmere": {"lp2": 0.1},
    "Brackenford": {"lp3": 0.1},
    "Oxborough": {"lp1": 0.5, "lp7": 0.1},
    "Stourham": {"lp3": 0.3},
}
STAGE_NAMES = ("problem_identification", "design", "delivery", "evaluation")
TITLES = {
    "problem_identification": (
        "Listening event: {topic}",
        "Walking through today's {topic} pathway together",
        "Story-sharing session",
        "What the figures say about {topic}",
    ),
    "design": (
        "Design workshop: {topic}",
        "Testing draft ideas with people who use the service",
        "Prototype review",
        "Options session with the commissioner",
    ),
    "delivery": (
        "Pilot check-in",
        "Training session co-delivered with partners",
        "Launch planning",
        "Reviewing the first weeks of the pilot",
    ),
    "evaluation": (
        "Evaluation workshop: what changed?",
        "Collecting change stories",
        "Reflecting on the year together",
        "Sharing results with the board",
    ),
}
ADJUSTMENTS = (
    "Large-print papers",
    "Hearing loop in the room",
    "Step-free venue near a bus stop",
    "Travel paid in advance",
    "Late-morning start to fit around medicines",
    "Papers sent a week ahead in easy read",
    "Replacement care paid for",
    "",
)
GOT_BACK = (
    "Notes within a week",
    "Payment for time and travel",
    "Lunch and travel costs",
    "A summary of what changed because of their ideas",
    "Certificate of co-facilitation training",
    "",
)
Add = Callable[[str, dict], Record]


def build_demo(store: Store, who: str = "coprod demo") -> dict[str, str]:
    """Build the fictional demo programme; return {site name: access code}.

    The whole programme is one transaction: a failure leaves nothing half-built behind.
    The codes are random on every build: only their hashes are stored.
    """
    codes: dict[str, str] = {}
    with store.writing() as conn:
        programme = store.add(
            "programme",
            {"name": DEMO_PROGRAMME_NAME, "description": DEMO_DESCRIPTION, "fictional": True},
            who,
            conn=conn,
        )
        shared = {added.question_set.name: added.question_set.id for added in install(store, who, conn=conn)}
        instruments = {item.key: shared[item.name] for item in INSTRUMENTS}
        add_team_code(lambda kind, data: store.add(kind, data, who, conn=conn), _day_of(SITES[0].start))
        for spec in SITES:
            add = lambda kind, data: store.add(kind, data, who, conn=conn)  # noqa: E731 - one site's writer
            site = _build_site(add, programme.id, spec, instruments)
            code = access.new_code()
            store.set_access_code(site.id, code, who, conn=conn)
            codes[site.name] = code
    return codes


def _build_site(add: Add, programme_id: int, spec: SiteSpec, instruments: dict[str, int]) -> Record:
    """One site's records, in an order that lets later records point at earlier ones.

    ``instruments``: the shared instruments' question set ids, by key (self_assessment, reflection_4pi).
    """
    rng = random.Random(f"coprod demo {spec.name}")
    site = add(
        "site",
        {
            "programme_id": programme_id,
            "name": spec.name,
            "service_issue": spec.service_issue,
            "start_date": spec.start,
        },
    )
    people = {p.key: add("partner", _partner(site.id, spec, p)) for p in spec.partners}
    specs = {p.key: p for p in spec.partners}
    on = _day_of(spec.start)

    def present(key: str, day: int) -> bool:
        p = specs[key]
        drifted = spec.drift is not None and p.role == spec.drift[0] and day >= _month_day(spec, spec.drift[1])
        return p.joined <= day and (p.left is None or p.left > day) and not drifted

    for day, title, stage, step, facilitators in _activity_plan(spec, rng, present):
        activity = add(
            "activity",
            {
                "site_id": site.id,
                "date": on(day),
                "title": title,
                "stage": stage,
                "ladder_step": step,
                "facilitator_ids": [people[k].id for k in facilitators],
                "access_adjustments": rng.choice(ADJUSTMENTS),
                "partners_got_back": rng.choice(GOT_BACK),
            },
        )
        for key, contributed in _attendees(spec, rng, present, day, facilitators):
            add(
                "attendance",
                {
                    "site_id": site.id,
                    "activity_id": activity.id,
                    "partner_id": people[key].id,
                    "contributed": contributed,
                },
            )
    for framing in spec.framings:
        who = [k for k in specs if present(k, framing.day) and (framing.who == "present" or specs[k].role in STAFF)]
        add(
            "problem_framing",
            {
                "site_id": site.id,
                "statement": framing.statement,
                "how_identified": framing.how,
                "partner_ids": [people[k].id for k in who],
                "date": on(framing.day),
            },
        )
    for rule in spec.non_negotiables:
        declared = add(
            "non_negotiable",
            {
                "site_id": site.id,
                "statement": rule.statement,
                "reason": rule.reason,
                "declared_by_id": people[rule.declared_by].id,
                "date_declared": on(rule.day),
            },
        )
        for key, p in specs.items():
            if p.left is None or p.left > rule.day:
                add(
                    "acceptance",
                    {
                        "site_id": site.id,
                        "non_negotiable_id": declared.id,
                        "partner_id": people[key].id,
                        "response": rule.responses.get(key, "accepted"),
                        "date": on(max(rule.day, p.joined) + rng.randint(0, 10)),
                    },
                )
    for idea in spec.ideas:
        add(
            "starting_idea",
            {
                "site_id": site.id,
                "idea": idea.idea,
                "partner_id": people[idea.partner].id,
                "fate": idea.fate,
                "date": on(idea.day),
            },
        )
    for hope in spec.expectations:
        add(
            "expectation",
            {
                "site_id": site.id,
                "milestone": hope.milestone,
                "expected_date": on(_month_day(spec, hope.month)),
                "change_kind": hope.kind,
            },
        )
    for item in spec.evidence:
        add(
            "evidence_plan",
            {
                "site_id": site.id,
                "question": item.question,
                "indicator": item.indicator,
                "data_source": item.source,
                "collected_by": item.collected_by,
                "date_agreed": on(item.day),
            },
        )
    for out in spec.outcomes:
        add(
            "outcome",
            {
                "site_id": site.id,
                "description": out.description,
                "change_type": out.change_type,
                "who_changed": out.who_changed,
                "intended": out.intended,
                "direction": out.direction,
                "date_observed": on(out.day),
                "evidence_source": out.evidence,
                "substantiated": out.substantiated,
            },
        )
    for choice in spec.decisions:
        told = choice.feedback_after
        add(
            "decision",
            {
                "site_id": site.id,
                "date": on(choice.day),
                "what": choice.what,
                "options_considered": choice.options,
                "feedback": choice.feedback,
                "feedback_date": None if told is None else on(choice.day + told),
                "why_no_change": choice.why_no_change,
            },
        )
    answered = (
        (SELF_ASSESSMENT, _self_assessments(spec, rng, present)),
        (REFLECTION_4PI, _reflections(spec, rng, present)),
    )
    for instrument, given in answered:  # each generator is used up in turn, so the draws keep their order
        for key, day, answers in given:
            response = {"site_id": site.id, "partner_id": people[key].id, "date": day, "answers": answers}
            add("question_response", {**response, "question_set_id": instruments[instrument.key]})
    _add_site_questions(add, site, spec)
    leans = {
        "lp1": 0.75 if spec.framings and spec.framings[0].who == "present" else 0.35,
        "lp2": 0.4 if spec.drift is not None else 0.75,
    }
    add_survey(add, site.id, random.Random(f"coprod demo survey {spec.name}"), on, leans, answered_on=240,
               responses=12 + len(spec.partners))  # fmt: skip
    add_interviews(add, site.id, random.Random(f"coprod demo interviews {spec.name}"), on,
                   INTERVIEW_LEANS.get(spec.name, {}), interviewed_on=300)  # fmt: skip
    return site


def _add_site_questions(add: Add, site: Record, spec: SiteSpec) -> None:
    """The site's own question set and its answers, for the sites that added one (not every site does)."""
    found = demo_question_sets(spec.name, spec.start)
    if found is None:
        return
    values, given = found
    question_set = add("question_set", {**values, "site_id": site.id})
    for item in given:  # answered without a name: the least that serves
        add("question_response", {"site_id": site.id, "question_set_id": question_set.id, **item})


def _day_of(start: dt.date) -> Callable[[int], dt.date]:
    return lambda day: start + dt.timedelta(days=day)


def _month_day(spec: SiteSpec, month: int) -> int:
    """Days from the start to the same day of the month ``month`` months later."""
    year, index = divmod(spec.start.month - 1 + month, 12)
    return (spec.start.replace(year=spec.start.year + year, month=index + 1) - spec.start).days


def _partner(site_id: int, spec: SiteSpec, p: P) -> dict:
    on = _day_of(spec.start)
    return {
        "site_id": site_id,
        "display_name": f"{p.key} ({p.label})",
        "role_group": p.role,
        "organisation": spec.orgs.get(p.role, ""),
        "connections": p.connections,
        "joined": on(p.joined),
        "left": None if p.left is None else on(p.left),
    }


def _activity_plan(spec: SiteSpec, rng: random.Random, present: Callable[[str, int], bool]):
    """One to three meetings a month for twelve months, on weekdays, moving through the stages in order.

    The ladder step climbs from the site's first to its last value; one or two facilitators are
    drawn from the site's facilitator pool among those still taking part.
    """
    used: dict[str, int] = {}
    for month in range(12):
        stage = STAGE_NAMES[sum(month >= boundary for boundary in spec.stages)]
        step = spec.ladder[0] + round((spec.ladder[1] - spec.ladder[0]) * month / 11)
        first, last = _month_day(spec, month), _month_day(spec, month + 1) - 1
        for day in sorted(rng.sample(range(first, last - 2), rng.choice((1, 2, 2, 3)))):
            while (spec.start + dt.timedelta(days=day)).weekday() >= 5:
                day += 1
            titles = TITLES[stage]
            title = titles[used.get(stage, 0) % len(titles)].format(topic=spec.topic)
            used[stage] = used.get(stage, 0) + 1
            pool = [key for key in spec.facilitators if present(key, day)]
            yield day, title, stage, step, rng.sample(pool, min(len(pool), rng.choice((1, 2))))


def _attendees(spec: SiteSpec, rng: random.Random, present, day: int, facilitators: list[str]):
    """Who came and whether they spoke up. Facilitators always come and contribute; every role group
    still taking part sends at least one person, so only the site's drifting group ever goes missing."""
    came = {key: True for key in facilitators}
    by_group: dict[str, list[str]] = {}
    for p in spec.partners:
        if present(p.key, day):
            by_group.setdefault(p.role, []).append(p.key)
            if p.key not in came and rng.random() < 0.75:
                came[p.key] = rng.random() < (0.6 if p.role in (LE, CARER) else 0.85)
    for members in by_group.values():
        if not any(key in came for key in members):
            came[rng.choice(members)] = rng.random() < 0.7
    return [(p.key, came[p.key]) for p in spec.partners if p.key in came]


def _self_assessments(spec: SiteSpec, rng: random.Random, present):
    """Two survey waves (months five and eleven) answered by everyone still taking part.

    Staff add the site's ``staff_gap`` to what people with lived experience score, so sites where
    staff see more co-production than patients and carers do show up in the comparison. Yields
    (partner key, date, answers to the shared self-assessment).
    """
    for wave, month in ((1, 5), (2, 11)):
        day = _month_day(spec, month)
        for p in spec.partners:
            if not present(p.key, day):
                continue
            is_staff, is_lived = p.role in STAFF, p.role in (LE, CARER)
            gap = [g if is_staff else (0 if is_lived else g // 2) for g in spec.staff_gap]
            settled = [1 if wave == 2 and n in (4, 5) else 0 for n in range(8)]  # expectations grow more realistic
            scores = {
                f"lp{n + 1}": str(_clamp(spec.le_scores[n] + gap[n] + settled[n] + rng.choice((-1, 0, 0, 0, 1)), 5))
                for n in range(8)
            }
            view = spec.ladder_view[1] if is_staff else spec.ladder_view[0]
            unheard = is_lived and wave == 1 and max(spec.staff_gap) >= 2
            answers = {
                "respondent_role": p.role,
                "wave": wave,
                "ladder_step": str(_clamp(view + rng.choice((-1, 0, 0, 1)), 7)),
                **scores,
            }
            if unheard:
                answers["comment"] = "It still feels as if staff set the agenda and we react to it."
            yield p.key, spec.start + dt.timedelta(days=day + rng.randint(0, 13)), answers


#: Which learning points' scores a 4Pi standard follows in the demo (its people answer consistently).
REFLECTION_FOLLOWS = {"principles": 2, "purpose": 6, "presence": 1, "process": 3, "impact": 5}


def _reflections(spec: SiteSpec, rng: random.Random, present):
    """A 4Pi reflection at months six and twelve, by about half of those taking part; some say Don't know."""
    for month in (6, 12):
        day = _month_day(spec, month)
        for p in spec.partners:
            if not present(p.key, day) or rng.random() < 0.5:
                continue
            lift = max(spec.staff_gap) if p.role in STAFF else 0
            answers = {"respondent_role": p.role}
            for standard, lp in REFLECTION_FOLLOWS.items():
                rating = _clamp(spec.le_scores[lp] + lift + rng.choice((-1, 0, 0, 1)), 5)
                answers[standard] = "dont_know" if rng.random() < 0.08 else str(rating)
            yield p.key, spec.start + dt.timedelta(days=day + rng.randint(0, 13)), answers


def _clamp(value: int, high: int) -> int:
    return max(1, min(high, value))
