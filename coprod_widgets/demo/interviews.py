"""The demo's interview evidence: two invented interviews at each site, coded by two evaluators who mostly agree.

Every word is made up and no one is named: speakers are "Interviewer" and "Person 1". What each interviewee
says leans with the site's story, as the survey does (a site whose carers drifted away hears about it), so
the matrices and quotes tell the same story as the records. The second coder agrees with the first on most
paragraphs and differs on a few, so the two-coder view has something to discuss.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

#: The two evaluators who coded the demo (initials, as coding teams usually sign).
CODERS = ("RK", "TM")
#: The team's own code the demo adds under LP2, with a memo, to show the codebook growing.
TEAM_CODE = {
    "key": "lp2-getting-there",
    "name": "Getting there",
    "definition": "Travel, timing or cost made it harder to take part. Use it for what helped as well.",
    "example": '"The bus from the village stops at four, so the evening meetings were out for me."',
    "parent": "lp2",
}
TEAM_MEMO = "Agreed at the coding meeting: parking and the cost of taxis count here too."

#: What interviewees say for each learning point, when it went well and when it did not (invented).
SAYINGS: dict[str, tuple[str, str]] = {
    "lp1": (
        "We sat down together at the start and worked out what the real problem was. It was not what the "
        "hospital had written down; it was how hard it was to get a straight answer on the phone.",
        "By the time I was asked to join, the problem had been decided. We spent the first meetings being "
        "told what it was rather than saying what we saw.",
    ),
    "lp2": (
        "People kept coming because their time was used well. Every meeting ended with something we had "
        "changed, so it felt worth the journey.",
        "After the meetings moved to the afternoon the carers stopped coming, and nobody asked them why. The "
        "room was mostly staff by the end.",
    ),
    "lp3": (
        "The manager told us early on that the budget could not grow. It was disappointing, but knowing it "
        "meant we did not waste months on ideas that were never going to happen.",
        "We only found out about the money rule after we had spent weeks on a plan that needed new staff. "
        "That knocked the trust out of the group for a while.",
    ),
    "lp4": (
        "Two of us with the condition ran the design workshops. The staff said afterwards they heard things "
        "they had never heard in a clinic.",
        "Staff chaired every meeting. We were asked for our views, but we were never the ones holding the pen.",
    ),
    "lp6": (
        "They wrote to us after each decision to say what had been taken up and why some ideas had not.",
        "I never heard what happened to the suggestions we made. They went into a report and that was it.",
    ),
    "lp7": (
        "We agreed in the first month how we would know if it had worked, and who would count what.",
        "Nobody planned how to measure the change until months in, so we could not say what difference it made.",
    ),
}
OPENING = "Interviewer: Thank you for talking to me. How did you first get involved?"
CLOSING = "Interviewer: Is there anything else you would like to add?"
TRAVEL = (
    "Person 1: The bus from the village stops running at four, so I could only come to the morning "
    "sessions. They moved two of them for me, which made all the difference."
)


def _paragraphs(rng: random.Random, leans: dict[str, float]) -> list[tuple[str, str | None]]:
    """The interview's paragraphs, each with the learning point it speaks to (None for the interviewer)."""
    said: list[tuple[str, str | None]] = [(OPENING, None)]
    for lp, (well, badly) in SAYINGS.items():
        said.append((f"Interviewer: Can I ask about {_topic(lp)}?", None))
        said.append((f"Person 1: {well if rng.random() < leans.get(lp, 0.85) else badly}", lp))
    said.append((TRAVEL, "lp2-getting-there"))
    said.append((CLOSING, None))
    return said


def _topic(lp: str) -> str:
    return {
        "lp1": "how the problem was chosen",
        "lp2": "who kept taking part",
        "lp3": "what could not change",
        "lp4": "who led the work",
        "lp6": "hearing back after decisions",
        "lp7": "how you measured the change",
    }[lp]


def add_team_code(add: Callable, day: Callable[[int], object]) -> None:
    """The programme's own code and a memo on it (programme-wide: added once, not per site)."""
    add("interview_code", {**TEAM_CODE, "added": day(200)})
    add("code_memo", {"code_key": TEAM_CODE["key"], "text": TEAM_MEMO, "written_by": CODERS[0], "written": day(330)})


def add_interviews(add: Callable, site_id: int, rng: random.Random, day: Callable[[int], object],
                   leans: dict[str, float], interviewed_on: int) -> None:  # fmt: skip
    """Two interviews at the site (a person with lived experience and a clinician), coded by both coders."""
    for number, role in enumerate(("lived_experience", "clinician"), start=1):
        said = _paragraphs(rng, leans if role == "lived_experience" else {k: v + 0.2 for k, v in leans.items()})
        text = "\n\n".join(paragraph for paragraph, _lp in said)
        transcript = add(
            "transcript",
            {"site_id": site_id, "title": f"Interview {number}", "file_name": f"interview-{number}.docx",
             "checksum": hashlib.sha256(f"{site_id} {number} {text}".encode()).hexdigest(), "file_format": "docx",
             "role_group": role, "interviewed": day(interviewed_on + 7 * number),
             "imported": day(interviewed_on + 7 * number + 3), "names_replaced": rng.randint(1, 4),
             "paragraphs": [["paragraph", paragraph] for paragraph, _lp in said]},
        )  # fmt: skip
        quoted = rng.choice([n for n, (_text, lp) in enumerate(said, start=1) if lp and lp.startswith("lp")])
        for paragraph, (_text, lp) in enumerate(said, start=1):
            if lp is None:
                continue
            for coder in CODERS:
                codes = _codes_of(rng, lp, second=coder == CODERS[1])
                if codes:
                    add(
                        "coding",
                        {"site_id": site_id, "transcript_id": transcript.id, "paragraph": paragraph, "codes": codes,
                         "coder": coder, "coded": day(interviewed_on + 30), "quote": paragraph == quoted and coder
                         == CODERS[0]},
                    )  # fmt: skip


def _codes_of(rng: random.Random, lp: str, second: bool) -> list[str]:
    """The first coder applies the paragraph's own code; the second mostly does, sometimes adds or misses one."""
    if not second:
        return [lp]
    draw = rng.random()
    if draw < 0.1:
        return []  # missed
    if draw < 0.2:
        return [lp, "lp5" if lp != "lp5" else "lp8"]  # saw more in it
    return [lp]
