"""The demo's survey evidence: each site ran a short partners' survey in Google Forms and imported it.

The answers lean with the site's story (a site whose staff framed the problem alone hears less agreement
that the problem was agreed together), so the survey tells the same story as the records, not a random one.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable

from ..surveys.mapping import LIKERT_SCALES

AGREE = list(LIKERT_SCALES["agreement"])
#: The survey's questions as Google Forms names them, and the learning point each speaks to.
QUESTIONS = {
    "We agreed together what the problem was": "lp1",
    "I was listened to when I spoke": "lp2",
    "People like me led parts of the work": "lp4",
}
ROLE_QUESTION = "Which best describes you?"
ROLES = {
    "Person who uses the service": "lived_experience",
    "Carer": "carer",
    "Staff": "clinician",
    "Manager": "manager",
}
SURVEY_NAME = "Partners' survey"


def survey_mapping() -> dict:
    return {
        "survey": SURVEY_NAME,
        "tool": "googleforms",
        "role_column": ROLE_QUESTION,
        "roles": dict(ROLES),
        "questions": [
            {"question": question, "learning_point": lp, "scores": {label: n for n, label in enumerate(AGREE, 1)}}
            for question, lp in QUESTIONS.items()
        ],
    }


def _answer(rng: random.Random, lean: float) -> str:
    """An answer on the agreement scale, leaning towards agreement by ``lean`` (0 to 1)."""
    return AGREE[min(4, max(0, round(rng.gauss(1 + 3 * lean, 1.0))))]


def add_survey(add: Callable, site_id: int, rng: random.Random, day: Callable[[int], str], leans: dict[str, float],
               answered_on: int, responses: int) -> None:  # fmt: skip
    """One survey at the site, one import of ``responses`` responses, as coprod import-survey stores them.

    ``leans``: how far each learning point's question leans towards agreement at this site (0 to 1).
    """
    mapping = survey_mapping()
    survey = add("survey", {"site_id": site_id, "name": SURVEY_NAME, "tool": "googleforms", "mapping": mapping,
                            "added": day(answered_on + 14)})  # fmt: skip
    rows = []
    for number in range(responses):
        role = rng.choice(list(ROLES))
        answers = {ROLE_QUESTION: role}
        for question, lp in QUESTIONS.items():
            answers[question] = _answer(rng, leans.get(lp, 0.6)) if rng.random() > 0.08 else "Don't know"
        submitted = day(answered_on + rng.randint(0, 13))
        key = hashlib.sha256(json.dumps([submitted, number, answers], sort_keys=True, default=str).encode()).hexdigest()
        rows.append((key, submitted, ROLES[role], answers))
    checksum = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    done = add(
        "survey_import",
        {"site_id": site_id, "survey_id": survey.id, "file_name": "partners-survey.csv", "checksum": checksum,
         "imported": day(answered_on + 14), "rows_read": responses, "responses_added": responses,
         "responses_repeated": 0, "mapping": mapping},
    )  # fmt: skip
    for key, submitted, role, answers in rows:
        add(
            "survey_response",
            {"site_id": site_id, "survey_id": survey.id, "import_id": done.id, "response_key": key,
             "submitted": submitted, "respondent_role": role, "complete": True, "answers": answers},
        )  # fmt: skip
