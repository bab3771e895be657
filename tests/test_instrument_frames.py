"""The shared instruments' answers as wide tables (evaluation/instrument_frames.py), on a real store.

The small programme (tests/conftest.py) stores both instruments; answers are added here as the site app stores
them: choices as their names ("4", "dont_know"), whole numbers as numbers, text as text.
"""

from __future__ import annotations

import pandas as pd
import pytest

from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.instrument_frames import RESPONSE_COLUMNS, instrument_frame
from coprod_widgets.questions.instruments import INSTRUMENTS, REFLECTION_4PI, SELF_ASSESSMENT
from coprod_widgets.questions.library import add_form
from coprod_widgets.questions.xlsform import read_xlsform_text

WHO = "instrument frame tests"
LPS = [f"lp{n}" for n in range(1, 9)]
STANDARDS = ["principles", "purpose", "presence", "process", "impact"]
RESPONSE_TYPES = {
    "id": "int64",
    "site_id": "int64",
    "partner_id": "Int64",
    "date": "datetime64[s]",
    "question_set_id": "int64",
    "version": "int64",
}
#: Every column of each instrument's frame, in order, with its type: the contract the analysis relies on.
TYPES = {
    SELF_ASSESSMENT.key: {
        **RESPONSE_TYPES,
        "respondent_role": "object",
        "wave": "Int64",
        "ladder_step": "Int64",
        **dict.fromkeys(LPS, "Int64"),
        "comment": "object",
    },
    REFLECTION_4PI.key: {
        **RESPONSE_TYPES,
        "respondent_role": "object",
        **{name: "object" for standard in STANDARDS for name in (standard, f"{standard}_notes")},
    },
}
BY_KEY = {instrument.key: instrument for instrument in INSTRUMENTS}


def answer(store, refs, key: str, answers: dict, date: str = "2015-04-15", site: str = "site", partner=None):
    """Store one set of answers to an instrument (``key``) or to North's own set ("question_set")."""
    data = {"site_id": refs[site], "question_set_id": refs[key], "partner_id": partner, "date": date}
    return store.add("question_response", {**data, "answers": answers}, who=WHO)


def self_assessment(role: str = "carer", wave: int = 1, **scores) -> dict:
    return {"respondent_role": role, "wave": wave, "ladder_step": "4", **scores}


def reflection(role: str = "carer", **ratings) -> dict:
    return {"respondent_role": role, **dict.fromkeys(STANDARDS, "3"), **ratings}


def frame(store, key: str) -> pd.DataFrame:
    return instrument_frame(store.frame("question_response"), store.frame("question_set"), BY_KEY[key])


# ---- columns and types ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(TYPES))
def test_columns_and_types_with_answers_and_without(store, small_programme, key):
    empty = frame(store, key)  # the instrument is stored, nobody has answered it
    assert empty.empty and dict(empty.dtypes.astype(str)) == TYPES[key]
    answer(store, small_programme, key, self_assessment(lp1="3") if key == "self_assessment" else reflection())
    full = frame(store, key)
    assert len(full) == 1 and list(full.columns) == list(TYPES[key])
    assert dict(full.dtypes.astype(str)) == TYPES[key]
    assert full.loc[0, "question_set_id"] == small_programme[key] and full.loc[0, "version"] == 1
    assert full.loc[0, "date"] == pd.Timestamp("2015-04-15") and full.loc[0, "partner_id"] is pd.NA


def test_load_programme_gives_both_instruments_wide(store, small_programme):
    answer(store, small_programme, "self_assessment", self_assessment(lp2="5"))
    answer(store, small_programme, "reflection_4pi", reflection())
    data = load_programme(store)
    for key, types in TYPES.items():
        assert dict(data[key].dtypes.astype(str)) == types and len(data[key]) == 1


# ---- values: numbers from choice names, blanks never a score, text never missing -------------------

#: (answers given, {column: value in the frame}); pd.NA where nothing was given.
SELF_ASSESSMENT_CASES = [
    pytest.param(
        self_assessment(lp1="3", lp8="5"),
        {"wave": 1, "ladder_step": 4, "lp1": 3, "lp8": 5, "lp2": pd.NA, "comment": ""},
        id="choices are read as the numbers they name",
    ),
    pytest.param(
        self_assessment(wave=2, lp1="1", lp2="", lp3=None),
        {"wave": 2, "lp1": 1, "lp2": pd.NA, "lp3": pd.NA, "lp4": pd.NA},
        id="a blank or missing score is NA, not 0",
    ),
    pytest.param(
        self_assessment(lp4="2", comment="Meetings moved to the library."),
        {"lp4": 2, "comment": "Meetings moved to the library."},
        id="written text is kept",
    ),
]


@pytest.mark.parametrize(("given", "expected"), SELF_ASSESSMENT_CASES)
def test_self_assessment_values(store, small_programme, given, expected):
    answer(store, small_programme, "self_assessment", given)
    row = frame(store, "self_assessment").iloc[0]
    for column, value in expected.items():
        if value is pd.NA:
            assert row[column] is pd.NA, f"{column}: {row[column]!r}"
        else:
            assert row[column] == value, f"{column}: {row[column]!r}"


def test_a_blank_score_never_counts_as_zero_in_a_mean(store, small_programme):
    answer(store, small_programme, "self_assessment", self_assessment(lp1="4", lp2="2"))
    answer(store, small_programme, "self_assessment", self_assessment(lp1="2", lp2=""))
    answers = frame(store, "self_assessment")
    assert answers["lp1"].mean() == 3 and answers["lp2"].mean() == 2, "the blank lp2 is left out, not scored 0"
    assert answers["lp2"].isna().tolist() == [False, True] and answers["lp3"].isna().all()
    assert (answers[LPS].fillna(-1) != 0).all().all()


#: (ratings given, {column: value in the frame}): ratings stay the choice names, "dont_know" included.
REFLECTION_CASES = [
    pytest.param(reflection(principles="5", impact="1"), {"principles": "5", "impact": "1"}, id="ratings as names"),
    pytest.param(reflection(purpose="dont_know"), {"purpose": "dont_know"}, id="don't know kept as it was said"),
    pytest.param(reflection(), {f"{s}_notes": "" for s in STANDARDS}, id="notes left blank are empty text"),
    pytest.param(
        reflection(process_notes="Travel is paid now."),
        {"process_notes": "Travel is paid now.", "impact_notes": ""},
        id="notes given are kept",
    ),
]


@pytest.mark.parametrize(("given", "expected"), REFLECTION_CASES)
def test_reflection_values(store, small_programme, given, expected):
    answer(store, small_programme, "reflection_4pi", given)
    row = frame(store, "reflection_4pi").iloc[0]
    assert {column: row[column] for column in expected} == expected
    assert row["respondent_role"] == "carer"


# ---- versions, and which answers are included ---------------------------------------------------


def _second_version(store) -> int:
    """The 4Pi reflection with one more question (a whole number), stored as its next version."""
    text = REFLECTION_4PI.path.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if "impact_notes" in row)
    extra = "|        | integer | meetings | How many meetings did you come to? |  |  |  |"
    form = read_xlsform_text(text.replace(line, f"{line}\n{extra}"))
    added = add_form(store, form, name=REFLECTION_4PI.name, source="4pi-v2.md", site_id=None, who=WHO)
    assert added.new and added.question_set.version == 2
    return added.question_set.id


def test_answers_to_two_versions_both_appear_with_their_version(store, small_programme):
    answer(store, small_programme, "reflection_4pi", reflection(principles="2"), date="2015-05-01")
    refs = {**small_programme, "v2": _second_version(store)}
    answer(store, refs, "v2", {**reflection(principles="4"), "meetings": 3}, date="2015-06-01")
    answers = frame(store, "reflection_4pi")
    assert answers["version"].tolist() == [1, 2]
    assert answers["question_set_id"].tolist() == [small_programme["reflection_4pi"], refs["v2"]]
    assert answers["principles"].tolist() == ["2", "4"]
    assert list(answers.columns)[-1] == "meetings" and str(answers["meetings"].dtype) == "Int64"
    assert answers["meetings"].tolist()[1] == 3 and answers["meetings"].iloc[0] is pd.NA, "v1 never asked it"


def test_rows_are_oldest_first(store, small_programme):
    for date, score in (("2015-09-01", "5"), ("2015-03-01", "1"), ("2015-06-01", "3")):
        answer(store, small_programme, "self_assessment", self_assessment(lp1=score), date=date)
    answers = frame(store, "self_assessment")
    assert answers["date"].is_monotonic_increasing and answers["lp1"].tolist() == [1, 3, 5]


def test_other_question_sets_answers_are_not_included(store, small_programme):
    refs = small_programme
    answer(store, refs, "question_set", {"visits": 2})  # North's own set
    core = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | text | best | What went well? |\n")
    refs = {
        **refs,
        "core": add_form(store, core, name="Common core", source="c.md", site_id=None, who=WHO).question_set.id,
    }
    answer(store, refs, "core", {"best": "The walk-in clinic"})
    answer(store, refs, "self_assessment", self_assessment(lp1="4"))
    answer(store, refs, "reflection_4pi", reflection())
    sets, responses = store.frame("question_set"), store.frame("question_response")
    assert len(responses) == 4
    for key, set_id in (("self_assessment", refs["self_assessment"]), ("reflection_4pi", refs["reflection_4pi"])):
        answers = instrument_frame(responses, sets, BY_KEY[key])
        assert answers["question_set_id"].tolist() == [set_id], key
        assert "visits" not in answers.columns and "best" not in answers.columns


def test_a_sites_own_set_is_never_an_instrument(store, small_programme):
    refs = small_programme
    answer(store, refs, "self_assessment", self_assessment(lp1="4"))
    sets, responses = store.frame("question_set"), store.frame("question_response")
    own = sets["id"] == refs["self_assessment"]
    moved = sets.assign(site_id=sets["site_id"].where(~own, refs["site"]))  # as if North had stored it as its own
    assert instrument_frame(responses, moved, SELF_ASSESSMENT).empty


def test_an_empty_store_gives_empty_frames_with_the_response_columns(store):
    data = load_programme(store)
    for instrument in INSTRUMENTS:
        answers = data[instrument.key]
        assert answers.empty and list(answers.columns)[: len(RESPONSE_COLUMNS)] == list(RESPONSE_COLUMNS)
        assert dict(answers.dtypes.astype(str)) == {
            column: kind for column, kind in TYPES[instrument.key].items() if column in answers.columns
        }


def test_a_store_with_the_instruments_and_no_answers_gives_every_column(store, small_programme):
    data = load_programme(store)
    for key, types in TYPES.items():
        assert data[key].empty and list(data[key].columns) == list(types)


# ---- filters in load_programme ------------------------------------------------------------------


def test_the_group_filter_keeps_only_those_respondents(store, small_programme):
    refs = small_programme
    for role, partner in (
        ("carer", refs["partner_late"]),
        ("clinician", refs["partner_staff"]),
        ("lived_experience", None),
        ("carer", None),
    ):
        answer(store, refs, "self_assessment", self_assessment(role=role, lp1="3"), partner=partner)
        answer(store, refs, "reflection_4pi", reflection(role=role), partner=partner)
    for key in TYPES:
        everyone = load_programme(store)[key]
        assert sorted(everyone["respondent_role"]) == ["carer", "carer", "clinician", "lived_experience"]
        carers = load_programme(store, groups=["carer"])[key]
        assert carers["respondent_role"].tolist() == ["carer", "carer"], key
        assert carers["partner_id"].tolist() == [refs["partner_late"], pd.NA]
        both = load_programme(store, groups=["carer", "clinician"])[key]
        assert set(both["respondent_role"]) == {"carer", "clinician"} and len(both) == 3
        assert load_programme(store, groups=["commissioner"])[key].empty


def test_site_and_date_filters_apply_to_the_answers(store, small_programme):
    refs = small_programme
    answer(store, refs, "self_assessment", self_assessment(lp1="2"), date="2015-04-01")
    answer(store, refs, "self_assessment", self_assessment(lp1="4"), date="2015-08-01")
    answer(store, refs, "self_assessment", self_assessment(role="manager", lp1="5"), site="other_site")
    assert load_programme(store, sites=["North"])["self_assessment"]["lp1"].tolist() == [2, 4]
    assert load_programme(store, sites=["South"])["self_assessment"]["respondent_role"].tolist() == ["manager"]
    assert load_programme(store, start="2015-06-01")["self_assessment"]["lp1"].tolist() == [4]
