"""How a survey's columns map to the learning points: saved as a small YAML file, so the next export of the
same survey imports with one command.

A mapping names, for each question kept, the learning point it is evidence for (and, optionally, the
indicator), and how its answer texts score (``Strongly agree: 5``). It may name the column that says
who answered and how its answers map to coprod's role groups. Questions it does not name are kept with the
raw responses but not analysed. Every problem in a mapping file is reported at once, each naming its place
in the file and what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..choices import LEARNING_POINTS, RoleGroup

#: Answer scales met in health and care surveys, lowest first; :func:`scale_for` finds one in a question's answers.
LIKERT_SCALES: dict[str, tuple[str, ...]] = {
    "agreement": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    "agreement (4 points)": ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    "frequency": ("Never", "Rarely", "Sometimes", "Often", "Always"),
    "quality": ("Very poor", "Poor", "Fair", "Good", "Very good"),
    "satisfaction": ("Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied"),
}
#: Answers that are not on the scale and never scored (they are counted, not averaged).
NOT_SCORED = ("don't know", "dont know", "not sure", "prefer not to say", "not applicable", "n/a")
ROLE_CODES = tuple(member.value for member in RoleGroup)
SUPPRESS_BELOW = 5


class MappingInvalid(ValueError):
    """A mapping that cannot be used; ``problems`` lists each (where, what to do), and nothing was imported."""

    def __init__(self, problems: list[str], source: str = "the mapping"):
        self.problems = problems
        super().__init__(f"{source} cannot be used: " + "; ".join(problems))


def answer_key(text: str) -> str:
    """Answers compare without case, extra spaces or curly apostrophes: 'Strongly  Agree' is 'strongly agree'."""
    return " ".join(str(text).replace("\u2019", "'").split()).casefold()


@dataclass(frozen=True)
class QuestionMapping:
    """One question kept for analysis: its column, the learning point it speaks to, and its scores."""

    question: str
    learning_point: str
    indicator: str = ""
    scores: dict[str, int] = field(default_factory=dict)

    def score(self, answer) -> int | None:
        """The score of one answer; None for an answer off the scale (don't know, free text) or none."""
        if answer is None or isinstance(answer, list):
            return None
        return {answer_key(text): value for text, value in self.scores.items()}.get(answer_key(answer))


@dataclass(frozen=True)
class SurveyMapping:
    """A survey's mapping: its name, the tool it came from, who answered, and the questions kept."""

    survey: str
    tool: str = "unknown"
    role_column: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    questions: tuple[QuestionMapping, ...] = ()
    suppress_below: int = SUPPRESS_BELOW

    def role_of(self, answer) -> str | None:
        """The role group code an answer in the role column stands for, or None when it names none."""
        if answer is None:
            return None
        return {answer_key(text): code for text, code in self.roles.items()}.get(answer_key(answer))

    def question(self, name: str) -> QuestionMapping | None:
        return next((q for q in self.questions if q.question == name), None)

    def as_dict(self) -> dict:
        """Plain data in the order people read it: what :func:`mapping_from_dict` reads back."""
        out: dict = {"survey": self.survey, "tool": self.tool}
        if self.role_column:
            out["role_column"] = self.role_column
            out["roles"] = dict(self.roles)
        if self.suppress_below != SUPPRESS_BELOW:
            out["suppress_below"] = self.suppress_below
        out["questions"] = [
            {
                "question": q.question,
                "learning_point": q.learning_point,
                **({"indicator": q.indicator} if q.indicator else {}),
                **({"scores": dict(q.scores)} if q.scores else {}),
            }
            for q in self.questions
        ]
        return out


def _text(value, where: str, problems: list[str], required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}: it is missing; write it as text")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(f"{where}: write it as text, not {type(value).__name__}")
        return ""
    return str(value).strip()


def _scores(value, where: str, problems: list[str]) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: write each answer and its score on a line of its own, such as 'Agree: 4'")
        return {}
    scores: dict[str, int] = {}
    for answer, score in value.items():
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            problems.append(f"{where} {answer!r}: the score must be a whole number from 0 to 100, not {score!r}")
            continue
        key = answer_key(answer)
        if key in {answer_key(known) for known in scores}:
            problems.append(f"{where} {answer!r}: this answer is scored twice; keep one line for it")
            continue
        scores[str(answer)] = score
    return scores


def _question(entry, where: str, problems: list[str], seen: set[str]) -> QuestionMapping | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: write the question's column, learning point and scores under it")
        return None
    unknown = sorted(set(entry) - {"question", "learning_point", "indicator", "scores"})
    if unknown:
        problems.append(f"{where}: {', '.join(map(str, unknown))} is not something a question can have")
    name = _text(entry.get("question"), f"{where} question", problems)
    if name and name in seen:
        problems.append(f"{where} question {name!r}: it is mapped twice; keep one entry for it")
    seen.add(name)
    written = _text(entry.get("learning_point"), f"{where} learning_point", problems)
    lp = written.lower().replace(" ", "")  # 'LP 2' is lp2
    if lp and lp not in LEARNING_POINTS:
        problems.append(f"{where} learning_point {written!r}: not a learning point; write one of lp1 to lp8")
    indicator = _text(entry.get("indicator"), f"{where} indicator", problems, required=False)
    scores = _scores(entry.get("scores"), f"{where} scores", problems)
    return QuestionMapping(name, lp, indicator, scores)


def mapping_from_dict(data, source: str = "the mapping") -> SurveyMapping:
    """Check a mapping read from YAML (or built in a workbook); every problem is reported at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise MappingInvalid(["it should start with 'survey:' and list its questions under 'questions:'"], source)
    unknown = sorted(set(data) - {"survey", "tool", "role_column", "roles", "questions", "suppress_below"})
    if unknown:
        problems.append(f"{', '.join(map(str, unknown))}: not part of a mapping; remove it or check the spelling")
    survey = _text(data.get("survey"), "survey", problems)
    tool = _text(data.get("tool"), "tool", problems, required=False) or "unknown"
    role_column = _text(data.get("role_column"), "role_column", problems, required=False) or None
    roles: dict[str, str] = {}
    raw_roles = data.get("roles") or {}
    if not isinstance(raw_roles, dict):
        problems.append("roles: write each answer and its role group on a line of its own, such as 'Carer: carer'")
        raw_roles = {}
    for answer, code in raw_roles.items():
        if code not in ROLE_CODES:
            problems.append(f"roles {answer!r}: {code!r} is not a role group; write one of {', '.join(ROLE_CODES)}")
        else:
            roles[str(answer)] = code
    if roles and not role_column:
        problems.append("role_column: roles are given but not the column they are read from; name it")
    suppress = data.get("suppress_below", SUPPRESS_BELOW)
    if isinstance(suppress, bool) or not isinstance(suppress, int) or not 1 <= suppress <= 100:
        problems.append(f"suppress_below: a whole number from 1 to 100 (default {SUPPRESS_BELOW}), not {suppress!r}")
        suppress = SUPPRESS_BELOW
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        problems.append("questions: list at least one question, each with its column and learning point")
        entries = []
    seen: set[str] = set()
    questions = [_question(entry, f"questions {n}", problems, seen) for n, entry in enumerate(entries, start=1)]
    if problems:
        raise MappingInvalid(problems, source)
    return SurveyMapping(survey, tool, role_column, roles, tuple(q for q in questions if q), suppress)


def mapping_to_yaml(mapping: SurveyMapping) -> str:
    import yaml

    header = (
        "# How a survey's questions map to the learning points (coprod import-survey --mapping FILE).\n"
        "# Each question: its column as the export names it, the learning point (lp1 to lp8), and the score of\n"
        "# each answer. Answers not listed (don't know, free text) are counted, never scored.\n"
    )
    return header + yaml.safe_dump(mapping.as_dict(), sort_keys=False, allow_unicode=True, width=110)


def mapping_from_yaml(text: str, source: str = "the mapping") -> SurveyMapping:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise MappingInvalid(
            [f"{where}: it is not valid YAML ({getattr(problem, 'problem', problem)})"], source
        ) from None
    return mapping_from_dict(data, source)


def scale_for(answers: list[str]) -> tuple[str, dict[str, int]] | None:
    """The known scale every given answer belongs to (off-scale answers such as "Don't know" allowed), and its
    scores from 1; None when the answers fit no scale, or when none of them is on one."""
    given = {answer_key(a) for a in answers if isinstance(a, str) and a.strip()} - set(NOT_SCORED)
    if not given:
        return None
    for name, labels in LIKERT_SCALES.items():
        keys = [answer_key(label) for label in labels]
        if given <= set(keys):
            return name, {label: place for place, label in enumerate(labels, start=1)}
    return None
