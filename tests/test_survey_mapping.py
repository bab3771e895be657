"""Survey mappings (YAML round trip, every problem named), the first draft for a new survey, and Likert counts
with small numbers suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from coprod_widgets.surveys import likert
from coprod_widgets.surveys.mapping import (
    LIKERT_SCALES,
    MappingInvalid,
    QuestionMapping,
    SurveyMapping,
    mapping_from_dict,
    mapping_from_yaml,
    mapping_to_yaml,
    scale_for,
)
from coprod_widgets.surveys.read import read_export
from coprod_widgets.surveys.suggest import CHOOSE, draft_yaml, guess_roles, suggest
from tests import survey_exports

AGREE = {label: n for n, label in enumerate(LIKERT_SCALES["agreement"], start=1)}
MAPPING = SurveyMapping(
    survey="Partners' survey, spring",
    tool="kobo",
    role_column="about_you/role",
    roles={"Carer": "carer", "Nurse": "clinician", "Zoë's group: people who use the service": "lived_experience"},
    questions=(
        QuestionMapping("views/listened", "lp2", "partners feel listened to", AGREE),
        QuestionMapping("views/problem_agreed", "lp1", scores=AGREE),
        QuestionMapping("views/comments", "lp8"),
    ),
)


def test_a_mapping_round_trips_through_yaml():
    text = mapping_to_yaml(MAPPING)
    assert text.startswith("# How a survey's questions map")
    assert mapping_from_yaml(text) == MAPPING


def test_scores_and_roles_match_answers_whatever_their_case_and_spacing():
    listened = MAPPING.question("views/listened")
    assert listened.score("  strongly   AGREE ") == 5
    assert listened.score("Don't know") is None and listened.score(None) is None and listened.score(["Agree"]) is None
    assert MAPPING.role_of("carer") == "carer" and MAPPING.role_of("Someone else") is None


BAD_MAPPINGS = [
    ("not a mapping at all", "- just\n- a list\n", ["it should start with 'survey:'"]),
    ("no survey and no questions", "tool: kobo\n", ["survey: it is missing", "questions: list at least one"]),
    (
        "a learning point that does not exist, and a score that is not a number",
        "survey: S\nquestions:\n  - question: q1\n    learning_point: lp9\n    scores: {Agree: high}\n",
        ["questions 1 learning_point 'lp9': not a learning point", "questions 1 scores 'Agree': the score must be"],
    ),
    (
        "a question mapped twice, an answer scored twice",
        "survey: S\nquestions:\n  - {question: q1, learning_point: lp1, scores: {Agree: 4, ' agree': 3}}\n"
        "  - {question: q1, learning_point: lp2}\n",
        ["' agree': this answer is scored twice", "questions 2 question 'q1': it is mapped twice"],
    ),
    (
        "a role group that does not exist, and roles with no column",
        "survey: S\nroles: {Nurse: doctor}\nquestions: [{question: q, learning_point: lp1}]\n",
        ["roles 'Nurse': 'doctor' is not a role group"],
    ),
    (
        "roles with no column",
        "survey: S\nroles: {Nurse: clinician}\nquestions: [{question: q, learning_point: lp1}]\n",
        ["role_column: roles are given but not the column"],
    ),
    (
        "an unknown key and a bad threshold",
        "survey: S\nsupress: 3\nsuppress_below: 0\nquestions: [{question: q, learning_point: lp1, colour: red}]\n",
        ["supress: not part of a mapping", "suppress_below: a whole number", "questions 1: colour is not"],
    ),
    ("not YAML", "survey: [unclosed\n", ["line 2: it is not valid YAML"]),
    ("a learning point left to choose", f"survey: S\nquestions: [{{question: q, learning_point: {CHOOSE}}}]\n", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BAD_MAPPINGS], ids=[c[0] for c in BAD_MAPPINGS])
def test_a_bad_mapping_names_every_problem_at_once(text, expected):
    with pytest.raises(MappingInvalid) as refused:
        mapping_from_yaml(text, source="spring.yaml")
    message = str(refused.value)
    assert message.startswith("spring.yaml cannot be used: ")
    for part in expected:
        assert part in message, message
    assert len(refused.value.problems) >= max(1, len(expected))


@pytest.mark.parametrize(
    ("answers", "scale"),
    [
        (["Agree", "strongly agree", "Don't know", "Neither agree nor disagree"], "agreement"),
        (["Never", "Always", "sometimes"], "frequency"),
        (["Very good", "Fair"], "quality"),
        (["Yes", "No"], None),
        (["Don't know", "N/A"], None),
        ([], None),
    ],
)
def test_scale_for_recognises_common_scales_and_nothing_else(answers, scale):
    found = scale_for(answers)
    assert (found[0] if found else None) == scale
    if found:
        assert list(found[1].values()) == list(range(1, len(found[1]) + 1))


@dataclass
class Row:
    answers: dict


@dataclass
class Export:
    questions: list[str]
    responses: list[Row] = field(default_factory=list)
    tool: str = "googleforms"


EXPORT = Export(
    ["Which best describes you?", "I was listened to", "Anything else?", "Visits"],
    [
        Row({"Which best describes you?": "Carer", "I was listened to": "Agree", "Anything else?": "Lovely, thanks"}),
        Row({"Which best describes you?": "Patient", "I was listened to": "Strongly agree", "Visits": ["A", "B"]}),
        Row({"Which best describes you?": "Nurse", "I was listened to": "Don't know"}),
        Row({"Which best describes you?": "service user", "I was listened to": "Disagree"}),
    ],
)


def test_the_role_column_is_guessed_from_its_answers():
    column, roles = guess_roles(EXPORT)
    assert column == "Which best describes you?"
    assert roles == {
        "Carer": "carer",
        "Patient": "lived_experience",
        "Nurse": "clinician",
        "service user": "lived_experience",
    }


def test_a_draft_mapping_scores_the_scaled_questions_and_waits_for_learning_points():
    draft = suggest(EXPORT, "Spring survey")
    assert [q["question"] for q in draft["questions"]] == ["I was listened to"]
    assert draft["questions"][0]["scores"]["Strongly agree"] == 5
    with pytest.raises(MappingInvalid, match="choose lp1 to lp8"):
        mapping_from_dict(draft)
    draft["questions"][0]["learning_point"] = "lp2"
    assert mapping_from_dict(draft).role_of("patient") == "lived_experience"


# ---- Likert counts --------------------------------------------------------------------------------------

LEVELS = list(LIKERT_SCALES["agreement"])


def _answers(counts: dict[str, int], group: str = "North") -> pd.DataFrame:
    return pd.DataFrame([{"site": group, "answer": answer} for answer, n in counts.items() for _ in range(n)])


SUPPRESSION = [
    ("every count large enough", {"Agree": 6, "Strongly agree": 5, "Disagree": 0}, set(), 11),
    (
        "one small count hides the next smallest too, so it cannot be worked out from the total",
        {"Agree": 6, "Strongly agree": 2, "Disagree": 7},
        {"Strongly agree", "Agree"},
        15,
    ),
    (
        "two small counts: each hidden, nothing more",
        {"Agree": 9, "Disagree": 1, "Strongly agree": 3},
        {"Disagree", "Strongly agree"},
        13,
    ),
    ("a group under the threshold is hidden whole", {"Agree": 3, "Disagree": 1}, set(LEVELS), 4),
]


@pytest.mark.parametrize(("counts", "hidden", "total"), [c[1:] for c in SUPPRESSION], ids=[c[0] for c in SUPPRESSION])
def test_small_counts_are_suppressed_and_cannot_be_worked_out(counts, hidden, total):
    found = likert.likert_counts(_answers(counts), LEVELS, by=["site"]).set_index("answer")
    assert set(found.index[found["suppressed"]]) == hidden
    assert (found["total"] == total).all()
    for answer in LEVELS:
        if answer in hidden:
            assert pd.isna(found.loc[answer, "count"]) and pd.isna(found.loc[answer, "share"])
        else:
            assert found.loc[answer, "count"] == counts.get(answer, 0)
    shown = found["count"].dropna()
    if len(hidden) and len(hidden) < len(LEVELS):
        assert total - shown.sum() >= 2 * 1, "the hidden counts are at least two cells' worth"


def test_off_scale_answers_are_counted_apart_and_suppressed_when_few():
    answers = pd.concat([_answers({"Agree": 8}), _answers({"Don't know": 2})])
    found = likert.likert_counts(answers, LEVELS, by=["site"])
    assert (found["total"] == 8).all() and found["off_scale"].isna().all()
    answers = pd.concat([_answers({"Agree": 8}), _answers({"Don't know": 6})])
    assert (likert.likert_counts(answers, LEVELS, by=["site"])["off_scale"] == 6).all()


def test_diverging_bars_centre_the_middle_answer_on_zero():
    counts = likert.likert_counts(
        _answers({"Strongly disagree": 5, "Neither agree nor disagree": 10, "Agree": 5}), LEVELS, by=["site"]
    )
    bars = likert.diverging(counts, LEVELS).set_index("answer")
    assert bars.loc["Strongly disagree", "start"] == pytest.approx(-0.5)
    assert bars.loc["Neither agree nor disagree", "start"] == pytest.approx(-0.25)
    assert bars.loc["Neither agree nor disagree", "end"] == pytest.approx(0.25)
    assert bars.loc["Strongly agree", "end"] == pytest.approx(0.5)


@pytest.mark.parametrize("tool", sorted(survey_exports.WRITERS))
def test_a_draft_for_a_real_export_carries_no_one_s_name_or_e_mail(tmp_path, tool):
    kind = {"kobo": "csv", "redcap": "raw", "msforms": "xlsx", "googleforms": "csv", "surveymonkey": "csv"}[tool]
    export = read_export(survey_exports.WRITERS[tool](tmp_path, kind))
    text = draft_yaml(suggest(export, "Spring survey"))
    assert text.startswith("# A DRAFT") and f"tool: {export.tool}" in text
    for person in ("Zoë", "Ní Bhriain", "Łukasz", "Nowak", "@"):
        assert person not in text
