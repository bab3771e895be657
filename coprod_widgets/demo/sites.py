"""The six fictional demo sites, written as plain facts that :mod:`coprod_widgets.demo` turns into records.

Every place, organisation and person here is invented. Days are counted from the site's start date.
Each site carries a few of the patterns the workbook is built to show (see the table in ``demo.py``),
so that evaluators, tests and screenshots have something true to the learning points to look at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

LE, CARER, CLIN, MGR, COMM, VOL, OTHER = (
    "lived_experience",
    "carer",
    "clinician",
    "manager",
    "commissioner",
    "voluntary_sector",
    "other",
)
BEHAVIOUR, PROCESS, SERVICE = "behaviour_culture", "process", "service"
SET_ASIDE, ADOPTED, CONTESTED = "set_aside", "adopted_after_exploration", "still_contested"


class P(NamedTuple):
    """A partner: shown as "Key (label)"; joined and left are days after the start."""

    key: str
    role: str
    label: str
    joined: int = 0
    left: int | None = None
    connections: str = ""


class Framing(NamedTuple):
    """A version of the problem. ``who`` is "staff" (staff present only) or "present" (everyone present)."""

    day: int
    statement: str
    how: str
    who: str = "present"


class NonNeg(NamedTuple):
    """A non-negotiable; ``responses`` names partners who did not simply accept it."""

    day: int
    statement: str
    reason: str
    declared_by: str
    responses: dict[str, str] = {}


class Idea(NamedTuple):
    partner: str
    idea: str
    fate: str
    day: int


class Expect(NamedTuple):
    milestone: str
    month: int
    kind: str


class Evidence(NamedTuple):
    day: int
    question: str
    indicator: str
    source: str
    collected_by: str


class Out(NamedTuple):
    day: int
    description: str
    change_type: str
    who_changed: str
    intended: bool = True
    evidence: str = ""
    substantiated: bool = False
    direction: str = "positive"


class Decision(NamedTuple):
    day: int
    what: str
    options: str = ""
    feedback: str = ""
    feedback_after: int | None = None
    why_no_change: str = ""


@dataclass(frozen=True)
class SiteSpec:
    """Everything that makes one site's story different from the others (learning point 8)."""

    name: str
    service_issue: str
    topic: str
    start: dt.date
    orgs: dict[str, str]
    partners: tuple[P, ...]
    facilitators: tuple[str, ...]
    stages: tuple[int, int, int]  # months from which design, delivery and evaluation begin
    ladder: tuple[int, int]  # ladder step of the first and the last activity
    framings: tuple[Framing, ...]
    non_negotiables: tuple[NonNeg, ...]
    ideas: tuple[Idea, ...]
    expectations: tuple[Expect, ...]
    evidence: tuple[Evidence, ...]
    outcomes: tuple[Out, ...]
    decisions: tuple[Decision, ...]
    le_scores: tuple[int, ...]  # lp1..lp8 as people with lived experience score them
    staff_gap: tuple[int, ...]  # how much higher staff score each learning point
    ladder_view: tuple[int, int]  # ladder step as lived experience and staff see it
    drift: tuple[str, int] | None = None  # a role group that stops coming from this month on


def _orgs(town: str, staff: str, voluntary: str, other: str = "") -> dict[str, str]:
    fictional = " (fictional)"
    return {
        CLIN: staff + fictional,
        MGR: staff + fictional,
        COMM: f"{town} CCG{fictional}",
        VOL: voluntary + fictional,
        OTHER: (other or f"{town} District Council") + fictional,
    }


SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        name="Wendlebury",
        service_issue="Follow-up after a hospital stay for heart failure",
        topic="heart failure follow-up",
        start=dt.date(2015, 1, 19),
        orgs=_orgs("Wendlebury", "Wendlebury Hospitals NHS Trust", "Wendlebury Heart Support Group"),
        partners=(
            P("Helen", CLIN, "heart failure nurse"),
            P("Rajesh", CLIN, "cardiologist"),
            P("Mark", MGR, "service manager"),
            P("Susan", COMM, "commissioner", 14),
            P("Gordon", LE, "lives with heart failure", 63, connections="Chairs the heart support group"),
            P("Maureen", LE, "lives with heart failure", 63, 240),
            P("Ken", CARER, "carer", 70),
            P("Tina", VOL, "support group coordinator", 63),
            P("Dawn", LE, "lives with heart failure", 200),
        ),
        facilitators=("Helen", "Mark", "Rajesh"),
        stages=(3, 7, 10),
        ladder=(3, 5),
        framings=(
            Framing(
                0,
                "Too many people are readmitted within 30 days because they miss follow-up clinic appointments.",
                "Readmission audit by the cardiology team",
                who="staff",
            ),
            Framing(
                84,
                "People leave hospital unsure what follow-up is for or whom to call, so the clinic "
                "appointment does not feel like it matters.",
                "Revisited with patients and carers at a listening event",
            ),
        ),
        non_negotiables=(
            NonNeg(
                0,
                "Follow-up stays within this year's cardiology clinic budget.",
                "The budget is fixed for the financial year.",
                "Mark",
            ),
        ),
        ideas=(
            Idea("Helen", "A nurse-led telephone follow-up clinic", CONTESTED, 0),
            Idea("Rajesh", "Text-message appointment reminders", SET_ASIDE, 10),
            Idea("Gordon", "A named-contact card given to everyone on discharge", ADOPTED, 70),
        ),
        expectations=(
            Expect("Clinic staff and patients review the follow-up letter together", 4, BEHAVIOUR),
            Expect("A rewritten follow-up letter in use", 8, PROCESS),
            Expect("Fewer missed follow-up appointments", 15, SERVICE),
        ),
        evidence=(
            Evidence(
                35,
                "Do people understand why follow-up matters?",
                "Share of patients who can say why they are seeing the nurse",
                "Short questionnaire at clinic",
                "Helen (heart failure nurse)",
            ),
            Evidence(
                120,
                "Are fewer appointments missed?",
                "Did-not-attend rate at the heart failure clinic",
                "Clinic booking system",
                "Mark (service manager)",
            ),
        ),
        outcomes=(
            Out(
                150,
                "Nurses began asking patients what they understood about follow-up before explaining it.",
                BEHAVIOUR,
                "Heart failure nurses",
                evidence="Nurses' reflective logs",
                substantiated=True,
            ),
            Out(
                270,
                "Follow-up letter rewritten with patients and carers.",
                PROCESS,
                "Cardiology outpatient team",
                evidence="Copy of the new letter",
                substantiated=True,
            ),
            Out(
                300,
                "Two patients from the group joined the trust's patient experience committee.",
                BEHAVIOUR,
                "Patients in the group",
                intended=False,
            ),
        ),
        decisions=(
            Decision(
                90,
                "Pause design work and revisit the problem with patients and carers.",
                "Carry on designing the telephone clinic; pause and revisit",
                "Explained at the listening event and by letter to all partners",
                10,
            ),
            Decision(180, "Keep the telephone clinic idea on hold.", "Pilot it; hold it"),
            Decision(
                250,
                "No extra clinic sessions this year.",
                "Extra evening sessions; none",
                "Told at the steering meeting",
                14,
                why_no_change="The clinic budget is fixed.",
            ),
        ),
        le_scores=(2, 3, 2, 2, 3, 3, 2, 3),
        staff_gap=(2, 1, 2, 2, 1, 0, 2, 0),
        ladder_view=(3, 5),
    ),
    SiteSpec(
        name="Fenmarsh",
        service_issue="Diabetes foot care: finding foot problems before they become serious",
        topic="diabetes foot care",
        start=dt.date(2015, 2, 2),
        orgs=_orgs("Fenmarsh", "Fenmarsh Community Health", "Fenmarsh Diabetes Support Group"),
        partners=(
            P("Alex", LE, "lives with type 2 diabetes", connections="Runs a peer walking group"),
            P("Bev", LE, "lives with type 1 diabetes", connections="Member of the diabetes support group"),
            P("Sam", CARER, "carer"),
            P("Priya", CLIN, "podiatrist"),
            P("Tom", CLIN, "practice nurse", 30, 210),
            P("Joanne", MGR, "podiatry manager"),
            P("Neil", COMM, "commissioner"),
            P("Ruth", VOL, "support group coordinator"),
            P("Femi", OTHER, "community hub manager", 120),
            P("Lily", CLIN, "practice nurse", 220),
        ),
        facilitators=("Alex", "Ruth", "Priya", "Bev"),
        stages=(2, 5, 10),
        ladder=(5, 7),
        framings=(
            Framing(
                7,
                "People with diabetes find out about foot problems late, and the annual check feels rushed.",
                "Story-sharing session with people with diabetes, carers and podiatrists",
            ),
        ),
        non_negotiables=(
            NonNeg(0, "Care of high-risk feet follows national clinical guidance.", "Patient safety.", "Priya"),
        ),
        ideas=(
            Idea("Priya", "More podiatry sessions at the hospital", SET_ASIDE, 7),
            Idea("Alex", "A peer foot-check buddy scheme", ADOPTED, 20),
            Idea("Neil", "An online booking system", SET_ASIDE, 30),
        ),
        expectations=(
            Expect("Staff and partners agree what a good foot check feels like", 3, BEHAVIOUR),
            Expect("Annual review letter carries a foot-check reminder written with partners", 6, PROCESS),
            Expect("A community drop-in foot clinic running", 12, SERVICE),
        ),
        evidence=(
            Evidence(
                21,
                "Do people check their feet between reviews?",
                "People reporting a weekly foot check",
                "Questionnaire at the support group and clinic",
                "Ruth (support group coordinator)",
            ),
            Evidence(
                60,
                "Are foot problems caught earlier?",
                "Referrals with early-stage ulcers",
                "Podiatry records",
                "Joanne (podiatry manager)",
            ),
        ),
        outcomes=(
            Out(
                75,
                "Podiatrists began asking people what they notice at home before examining their feet.",
                BEHAVIOUR,
                "Podiatry team",
                evidence="Observation notes from four clinics",
                substantiated=True,
            ),
            Out(
                170,
                "Foot-check reminder added to the annual review letter.",
                PROCESS,
                "GP practices",
                evidence="Copy of the letter; practice survey",
                substantiated=True,
            ),
            Out(
                200,
                "Support group members began checking each other's feet at the walking group.",
                BEHAVIOUR,
                "Support group members",
                intended=False,
                evidence="Coordinator's notes",
            ),
            Out(
                300,
                "Saturday drop-in foot clinic at the community hub.",
                SERVICE,
                "Podiatry service",
                evidence="Clinic activity data",
                substantiated=True,
            ),
        ),
        decisions=(
            Decision(
                40,
                "Meet at the community hub, not the hospital.",
                "Hospital seminar room; hub; online",
                "Announced in the support group newsletter",
                5,
            ),
            Decision(
                150,
                "No new podiatry post this year.",
                "New post; reshape existing sessions",
                "The commissioner explained the budget at the next meeting",
                21,
                "No recurrent funding in this year's budget.",
            ),
            Decision(250, "Run the drop-in clinic on Saturdays for six months.", "Weekday evenings; Saturdays"),
        ),
        le_scores=(4, 4, 4, 4, 3, 4, 4, 4),
        staff_gap=(0, 0, 1, 0, 0, 0, 0, 0),
        ladder_view=(6, 6),
    ),
    SiteSpec(
        name="Saltmere",
        service_issue="COPD: living with breathlessness at home",
        topic="breathlessness",
        start=dt.date(2015, 3, 2),
        orgs=_orgs("Saltmere", "Saltmere and District NHS Trust", "Saltmere Breathe Easy Group"),
        partners=(
            P("Doreen", LE, "lives with COPD", connections="Member of the Breathe Easy group"),
            P("Frank", LE, "lives with COPD"),
            P("Jan", CARER, "carer", connections="Cares for her husband"),
            P("Pat", CARER, "carer", 14),
            P("Michelle", CLIN, "respiratory nurse"),
            P("Dev", CLIN, "physiotherapist"),
            P("Karen", MGR, "community services manager"),
            P("Owen", COMM, "commissioner", 30, 200),
            P("Hazel", VOL, "Breathe Easy volunteer"),
        ),
        facilitators=("Michelle", "Doreen", "Hazel", "Jan", "Dev"),
        stages=(2, 6, 10),
        ladder=(4, 6),
        framings=(
            Framing(
                10,
                "People get frightened when breathless at home and call an ambulance because they do "
                "not know what else to do.",
                "Kitchen-table conversations at the Breathe Easy group",
            ),
        ),
        non_negotiables=(
            NonNeg(
                0,
                "Pulmonary rehabilitation stays hospital-based this year.",
                "The equipment and staffing contract runs to March 2016.",
                "Karen",
            ),
        ),
        ideas=(
            Idea("Dev", "A breathlessness app", SET_ASIDE, 14),
            Idea("Doreen", "A breathlessness plan kept on the fridge", ADOPTED, 20),
            Idea("Jan", "Evening meetings so that working carers can come", SET_ASIDE, 30),
        ),
        expectations=(
            Expect("Nurses ask about breathlessness at home at every visit", 3, BEHAVIOUR),
            Expect("A plain-English breathlessness plan in use", 7, PROCESS),
            Expect("A breathlessness support line", 14, SERVICE),
        ),
        evidence=(
            Evidence(
                42,
                "Do people feel more confident managing breathlessness?",
                "Confidence score out of 10",
                "Short questionnaire before and after",
                "Hazel (Breathe Easy volunteer)",
            ),
            Evidence(
                120,
                "Are there fewer emergency calls?",
                "Ambulance call-outs for breathlessness",
                "Ambulance service data via the commissioner",
                "Owen (commissioner)",
            ),
        ),
        outcomes=(
            Out(
                60,
                "Respiratory nurses began asking about breathlessness at home, not only about inhalers.",
                BEHAVIOUR,
                "Respiratory nurses",
                evidence="Nurses' reflective logs",
                substantiated=True,
            ),
            Out(
                200,
                "Breathlessness plan rewritten in plain English with partners.",
                PROCESS,
                "Community respiratory team",
                evidence="Copy of the plan",
                substantiated=True,
            ),
            Out(
                240,
                "Carers said their suggestions were not taken up and stopped coming to meetings.",
                BEHAVIOUR,
                "Carers",
                intended=False,
                direction="negative",
            ),
            Out(
                290,
                "Physiotherapists began running sessions together with Breathe Easy volunteers.",
                BEHAVIOUR,
                "Physiotherapists",
                evidence="Session plans",
                substantiated=True,
            ),
        ),
        decisions=(
            Decision(
                30,
                "Meet on weekday mornings.",
                "Mornings; evenings",
                why_no_change="Clinical staff cannot be released in the evening.",
            ),
            Decision(
                190, "Print the plan in large type.", "Standard print; large print", "Shown at the next meeting", 7
            ),
            Decision(
                260,
                "Pause the support line idea until there is a budget holder.",
                why_no_change="The commissioner left and no one holds the budget.",
            ),
        ),
        le_scores=(3, 2, 2, 2, 3, 3, 3, 4),
        staff_gap=(1, 2, 2, 2, 0, 0, 1, 0),
        ladder_view=(4, 5),
        drift=(CARER, 7),
    ),
    SiteSpec(
        name="Brackenford",
        service_issue="Parkinson's medicines on time during a hospital stay",
        topic="Parkinson's medicines",
        start=dt.date(2015, 4, 13),
        orgs=_orgs("Brackenford", "Brackenford General Hospital", "Brackenford Parkinson's Support Branch"),
        partners=(
            P("Eileen", LE, "lives with Parkinson's", connections="Secretary of the local support branch"),
            P("Tony", LE, "lives with Parkinson's"),
            P("Margaret", CARER, "carer"),
            P("Ian", CLIN, "ward pharmacist"),
            P("Grace", CLIN, "Parkinson's nurse specialist"),
            P("Paul", MGR, "ward manager", 0, 180),
            P("Sunita", MGR, "ward manager", 170),
            P("Chris", COMM, "commissioner"),
            P("Linda", VOL, "branch volunteer", 45),
        ),
        facilitators=("Grace", "Eileen", "Ian", "Margaret"),
        stages=(1, 5, 9),
        ladder=(5, 6),
        framings=(
            Framing(
                0,
                "People with Parkinson's miss doses in hospital because ward routines do not fit their medicine times.",
                "Carers' stories of hospital stays, shared at the first meeting",
            ),
        ),
        non_negotiables=(
            NonNeg(
                0, "Medicines are given in line with the hospital's medicines policy.", "Legal and safety duty.", "Ian"
            ),
            NonNeg(
                125,
                "No changes to the pharmacy dispensing system until electronic prescribing goes live.",
                "A trust board decision taken after the project began.",
                "Paul",
            ),
        ),
        ideas=(
            Idea("Margaret", "Let patients keep and take their own medicines", ADOPTED, 10),
            Idea("Ian", "Automatic dose reminders from the pharmacy system", SET_ASIDE, 20),
            Idea("Grace", "A Parkinson's champion on every ward", ADOPTED, 40),
        ),
        expectations=(
            Expect("Ward staff ask patients when their doses are due", 2, BEHAVIOUR),
            Expect("A self-administration procedure agreed", 6, PROCESS),
            Expect("A medicines champion on every medical ward", 12, SERVICE),
        ),
        evidence=(
            Evidence(
                28,
                "Are doses given on time?",
                "Doses given within 30 minutes of the prescribed time",
                "Drug chart audit",
                "Ian (ward pharmacist)",
            ),
            Evidence(
                50,
                "How do patients and carers experience medicines on the ward?",
                "Stories collected on discharge",
                "Volunteer interviews",
                "Linda (branch volunteer)",
            ),
        ),
        outcomes=(
            Out(
                50,
                "Ward staff began asking patients and carers when doses are due.",
                BEHAVIOUR,
                "Ward nurses",
                evidence="Drug chart audit and ward observations",
                substantiated=True,
            ),
            Out(
                150,
                "Self-administration of Parkinson's medicines allowed on two wards.",
                PROCESS,
                "Ward teams",
                evidence="Revised ward procedure",
                substantiated=True,
            ),
            Out(
                180,
                "Nurses on the two wards reported extra paperwork for self-administration checks.",
                PROCESS,
                "Ward nurses",
                intended=False,
                evidence="Ward manager's report",
                direction="negative",
            ),
            Out(
                270,
                "A Parkinson's medicines champion on each medical ward.",
                SERVICE,
                "Nursing directorate",
                evidence="Champion rota",
                substantiated=True,
            ),
        ),
        decisions=(
            Decision(
                30,
                "Start with two wards.",
                "One ward; two wards; the whole hospital",
                "Reported in the branch newsletter",
                14,
            ),
            Decision(
                130,
                "Drop the automatic reminder idea.",
                "Build reminders; drop them",
                "Explained at the next meeting, with an apology that this was not said at the start",
                8,
                "The dispensing system is frozen until electronic prescribing arrives.",
            ),
            Decision(220, "Recruit champions from volunteers on each ward.", "Volunteers; paid staff"),
        ),
        le_scores=(4, 4, 3, 4, 3, 4, 3, 4),
        staff_gap=(0, 0, 1, 0, 0, 0, 1, 0),
        ladder_view=(5, 6),
    ),
    SiteSpec(
        name="Oxborough",
        service_issue="Stroke: the first weeks back home after hospital",
        topic="returning home after a stroke",
        start=dt.date(2015, 5, 11),
        orgs=_orgs(
            "Oxborough",
            "Oxborough Hospital NHS Trust",
            "Oxborough Stroke Club",
            "Oxborough County Council adult social care",
        ),
        partners=(
            P("Ray", LE, "stroke survivor", connections="Volunteer at the stroke club"),
            P("Nadia", LE, "stroke survivor"),
            P("Joyce", CARER, "carer"),
            P("Simon", CARER, "carer", 60),
            P("Aisha", CLIN, "stroke physiotherapist"),
            P("Gareth", CLIN, "occupational therapist", 0, 150),
            P("Claire", MGR, "community stroke team lead"),
            P("Heather", COMM, "commissioner"),
            P("Dennis", VOL, "stroke club organiser"),
            P("Lorna", OTHER, "social worker", 90),
        ),
        facilitators=("Claire", "Ray", "Dennis", "Nadia", "Aisha"),
        stages=(2, 6, 10),
        ladder=(4, 6),
        framings=(
            Framing(
                5,
                "People go home after a stroke without knowing what support comes next.",
                "Stories from stroke club members",
            ),
            Framing(
                150,
                "The gap is the first six weeks at home, when therapy ends and people feel on their own.",
                "Revisited after carers described the first weeks at home",
            ),
        ),
        non_negotiables=(
            NonNeg(
                0,
                "Early supported discharge criteria stay as they are.",
                "They are set by national stroke guidance.",
                "Claire",
            ),
        ),
        ideas=(
            Idea("Claire", "A discharge information pack", ADOPTED, 5),
            Idea("Joyce", "A phone call from a fellow stroke survivor after discharge", ADOPTED, 30),
            Idea("Heather", "Fewer therapy visits to pay for volunteers", SET_ASIDE, 40),
        ),
        expectations=(
            Expect("Therapists ask carers what worries them before discharge", 3, BEHAVIOUR),
            Expect("Discharge checklist says whom to call in the first six weeks", 8, PROCESS),
            Expect("A peer phone call for everyone discharged home", 12, SERVICE),
        ),
        evidence=(
            Evidence(
                185,
                "Do people feel supported in the first six weeks at home?",
                "People who say they knew whom to call",
                "Phone survey at six weeks",
                "Dennis (stroke club organiser)",
            ),
            Evidence(
                200,
                "How many people get a peer call?",
                "Peer calls made within a week of discharge",
                "Stroke club call log",
                "Dennis (stroke club organiser)",
            ),
        ),
        outcomes=(
            Out(
                90,
                "Therapists began asking carers what worries them before discharge.",
                BEHAVIOUR,
                "Stroke therapy team",
                evidence="Discharge meeting notes",
            ),
            Out(
                210,
                "Discharge checklist now says whom to call in the first six weeks.",
                PROCESS,
                "Stroke ward",
                evidence="Copy of the checklist",
                substantiated=True,
            ),
            Out(
                240,
                "Stroke club gained twelve members referred by therapists.",
                BEHAVIOUR,
                "Therapists",
                intended=False,
                evidence="Club register",
                substantiated=True,
            ),
            Out(
                320,
                "A peer phone call from a stroke survivor within a week of discharge.",
                SERVICE,
                "Stroke club and community stroke team",
                evidence="Stroke club call log",
                substantiated=True,
            ),
        ),
        decisions=(
            Decision(
                60,
                "Focus on the first six weeks after discharge.",
                feedback="Shared at the stroke club",
                feedback_after=7,
            ),
            Decision(
                180,
                "Agree an evidence plan now, before the pilot starts.",
                "Rely on stories only; add a phone survey",
                "Plan sent to all partners by email and post",
                10,
            ),
            Decision(
                280,
                "Volunteers, not paid staff, make the peer calls.",
                "Paid peer workers; volunteers",
                why_no_change="There is no budget for paid peer workers.",
            ),
        ),
        le_scores=(4, 3, 4, 4, 3, 4, 2, 4),
        staff_gap=(0, 1, 0, 0, 0, 0, 0, 0),
        ladder_view=(5, 5),
    ),
    SiteSpec(
        name="Stourham",
        service_issue="Persistent pain: more than medicines and clinic waits",
        topic="living with persistent pain",
        start=dt.date(2015, 6, 1),
        orgs=_orgs("Stourham", "Stourham Pain Management Service", "Stourham Pain Peer Support"),
        partners=(
            P("Jo", LE, "lives with persistent pain", connections="Runs an online peer support group"),
            P("Marcus", LE, "lives with persistent pain"),
            P("Yvonne", LE, "lives with persistent pain", 0, 200),
            P("Colin", CARER, "carer"),
            P("Anita", CLIN, "pain consultant"),
            P("Ben", CLIN, "psychologist"),
            P("Rachel", MGR, "pain service manager"),
            P("Graham", COMM, "commissioner"),
            P("Sue", VOL, "peer support coordinator", 30),
            P("Adam", CLIN, "GP", 100),
        ),
        facilitators=("Sue", "Jo", "Ben", "Rachel"),
        stages=(2, 5, 9),
        ladder=(4, 6),
        framings=(
            Framing(
                7,
                "Many people with persistent pain feel their only options are stronger medicines and "
                "a long wait for clinic.",
                "Listening events in two GP surgeries",
            ),
        ),
        non_negotiables=(
            NonNeg(
                0,
                "Opioid prescribing follows national safer-prescribing guidance.",
                "Patient safety.",
                "Anita",
                {"Marcus": "not_accepted", "Jo": "queried"},
            ),
        ),
        ideas=(
            Idea("Anita", "A medicines review clinic", ADOPTED, 10),
            Idea("Marcus", "Self-referral to the pain clinic", CONTESTED, 10),
            Idea("Graham", "Replace clinic sessions with an online course", SET_ASIDE, 20),
        ),
        expectations=(
            Expect("Clinicians talk about living well with pain, not only medicines", 3, BEHAVIOUR),
            Expect("Referral letters include peer support details", 6, PROCESS),
            Expect("A peer-led self-management course running", 12, SERVICE),
        ),
        evidence=(
            Evidence(
                49,
                "Do people feel able to manage pain day to day?",
                "Pain self-efficacy score",
                "Questionnaire before and after the course",
                "Ben (psychologist)",
            ),
            Evidence(
                90,
                "Does the wait for clinic change?",
                "Weeks from referral to first appointment",
                "Referral system",
                "Rachel (pain service manager)",
            ),
        ),
        outcomes=(
            Out(
                80,
                "Clinicians began talking about living well with pain, not only about medicines.",
                BEHAVIOUR,
                "Pain clinic staff",
                evidence="Audit of clinic letters",
                substantiated=True,
            ),
            Out(
                160,
                "Referral letters now include peer support details.",
                PROCESS,
                "Pain service",
                evidence="Referral template",
                substantiated=True,
            ),
            Out(
                230,
                "Some partners felt the prescribing rule closed down discussion; one left.",
                BEHAVIOUR,
                "Partners with lived experience",
                intended=False,
                direction="negative",
            ),
            Out(
                300,
                "A monthly peer-led pain self-management course.",
                SERVICE,
                "Pain service and peer support",
                evidence="Course attendance register",
                substantiated=True,
            ),
        ),
        decisions=(
            Decision(
                20,
                "Individual prescriptions are not discussed in group meetings.",
                feedback="Explained by the consultant at the next meeting",
                feedback_after=7,
            ),
            Decision(
                120,
                "No self-referral this year.",
                "Self-referral; GP referral only",
                "Letter to all partners",
                10,
                "Referral rules are fixed in the contract until April 2016.",
            ),
            Decision(250, "Peer supporters run the course with a psychologist.", "Clinician-led; peer-led"),
        ),
        le_scores=(3, 3, 2, 3, 2, 3, 3, 4),
        staff_gap=(2, 0, 2, 1, 2, 0, 1, 0),
        ladder_view=(4, 5),
    ),
)
