"""The domain model accepts what it should and refuses the rest with plain-English messages."""

from __future__ import annotations

import pytest

from coprod_widgets.choices import ChangeType, LadderStep, RoleGroup
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES, validate
from tests.casefiles import fill, load_cases

VALID = load_cases("valid_records.yaml")
INVALID = load_cases("invalid_records.yaml")


def case_id(case: dict) -> str:
    return f"{case['kind']}-{case.get('field', 'ok')}"


@pytest.mark.parametrize("case", VALID, ids=case_id)
def test_valid_record_is_saved_as_given(case, store, small_programme):
    saved = store.add(case["kind"], fill(case["data"], small_programme), who="tester")
    assert saved.id is not None
    for field, value in case.get("expect", {}).items():
        assert getattr(saved, field) == value
    assert store.get(case["kind"], saved.id) == saved


@pytest.mark.parametrize("case", INVALID, ids=case_id)
def test_invalid_record_names_the_field_and_saves_nothing(case, store, small_programme):
    history_before = len(store.history())
    counts_before = {kind: len(store.records(kind)) for kind in RECORD_TYPES}
    with pytest.raises(RecordInvalid) as refused:
        store.add(case["kind"], fill(case["data"], small_programme), who="tester")
    messages = refused.value.for_field(case["field"])
    assert messages, f"no message for {case['field']}: {refused.value.problems}"
    for words in case["says"]:
        assert words.lower() in messages[0].lower(), messages[0]
    assert "pydantic" not in str(refused.value) and "Input should" not in str(refused.value)
    assert len(store.history()) == history_before
    assert {kind: len(store.records(kind)) for kind in RECORD_TYPES} == counts_before


def test_every_problem_is_reported_at_once():
    with pytest.raises(RecordInvalid) as refused:
        validate("activity", {"site_id": 1, "date": "soon", "title": "", "stage": "x", "ladder_step": 0})
    assert {p.field for p in refused.value.problems} == {"date", "title", "stage", "ladder_step"}


def test_choices_have_stable_codes_and_plain_labels():
    assert RoleGroup("lived_experience").label == "Person with lived experience"
    assert [member.value for member in ChangeType] == ["behaviour_culture", "process", "service"]
    assert LadderStep(7).label == "7 - Co-production"
    assert ("Carer", "carer") in RoleGroup.options()


def test_every_field_has_a_plain_label():
    for cls in RECORD_TYPES.values():
        for name, info in cls.model_fields.items():
            assert info.title, f"{cls.kind}.{name} has no label"


def test_a_refused_value_is_repeated_only_in_part():
    """A pasted page in a number field is named, not echoed whole: the message stays readable."""
    with pytest.raises(RecordInvalid) as refused:
        validate(
            "activity",
            {
                "site_id": 1,
                "date": "2015-09-01",
                "title": "Workshop",
                "stage": "design",
                "ladder_step": "9" * 5000 + "x",
            },
        )
    (problem,) = [problem for problem in refused.value.problems if problem.field == "ladder_step"]
    assert "whole number" in problem.message
    assert len(problem.message) < 250 and "…" in problem.message
