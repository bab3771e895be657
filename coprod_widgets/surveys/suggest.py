"""A first mapping for a survey seen for the first time: scales recognised, the role column guessed.

It is a draft for a person to finish: the learning point of each question cannot be guessed, so each is
written as ``choose lp1 to lp8`` and the mapping is refused until every one is chosen.
"""

from __future__ import annotations

from ..choices import RoleGroup
from .mapping import answer_key, scale_for

CHOOSE = "choose lp1 to lp8"
#: Words in answers that name a role group, beyond the groups' own names.
ROLE_WORDS = {
    "patient": "lived_experience",
    "service user": "lived_experience",
    "person who uses the service": "lived_experience",
    "person with lived experience": "lived_experience",
    "lived experience": "lived_experience",
    "expert by experience": "lived_experience",
    "carer": "carer",
    "family carer": "carer",
    "staff": "clinician",
    "nurse": "clinician",
    "doctor": "clinician",
    "gp": "clinician",
    "therapist": "clinician",
    "pharmacist": "clinician",
    "clinician": "clinician",
    "manager": "manager",
    "commissioner": "commissioner",
    "volunteer": "voluntary_sector",
    "voluntary sector": "voluntary_sector",
    "charity": "voluntary_sector",
    "other": "other",
}
#: A column is taken for the role column when this share of its answers name a role group.
ROLE_SHARE = 0.8


def _role_words() -> dict[str, str]:
    words = {answer_key(member.label): member.value for member in RoleGroup}
    words |= {answer_key(member.value.replace("_", " ")): member.value for member in RoleGroup}
    return words | {answer_key(word): code for word, code in ROLE_WORDS.items()}


def _answers(export, question: str) -> list[str]:
    return [row.answers[question] for row in export.responses if isinstance(row.answers.get(question), str)]


def guess_roles(export) -> tuple[str | None, dict[str, str]]:
    """The column that says who answered, and each of its answers' role group; (None, {}) when none fits."""
    words = _role_words()
    for question in export.questions:
        answers = _answers(export, question)
        if not answers:
            continue
        named = [a for a in answers if answer_key(a) in words]
        if len(named) / len(answers) >= ROLE_SHARE:
            return question, {a: words[answer_key(a)] for a in dict.fromkeys(named)}
    return None, {}


def suggest(export, survey: str) -> dict:
    """A draft mapping (plain data) for ``export``: every question on a known scale, with its scores."""
    role_column, roles = guess_roles(export)
    questions = []
    for question in export.questions:
        if question == role_column:
            continue
        found = scale_for(_answers(export, question))
        if found is not None:
            _name, scores = found
            questions.append({"question": question, "learning_point": CHOOSE, "scores": scores})
    draft: dict = {"survey": survey, "tool": export.tool}
    if role_column:
        draft |= {"role_column": role_column, "roles": roles}
    draft["questions"] = questions
    return draft


def draft_yaml(draft: dict) -> str:
    """The draft as YAML, with a note on what is left to do."""
    import yaml

    note = (
        "# A DRAFT: for each question below, replace 'choose lp1 to lp8' with the learning point it is evidence\n"
        "# for, check the scores, remove questions not to analyse, then import again with --mapping this file.\n"
    )
    return note + yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=110)
