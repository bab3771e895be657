"""Indicators for the learning points: known answers on a tiny hand-built programme, edge cases, and the demo.

The tiny programme is stored for real (so frames have exactly the types ``Store.frame`` gives) and has three
sites: Alpha (six partners, every kind of record, a few problems planted on purpose), Solo (one partner) and
Empty (no records at all). Edge cases with missing dates edit copies of its frames.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from coprod_widgets.evaluation import indicators as ind
from coprod_widgets.evaluation.data import ProgrammeData, load_programme
from coprod_widgets.evaluation.indicators.evidence import mentions
from coprod_widgets.questions.instruments import SELF_ASSESSMENT, install
from coprod_widgets.store import Store

WHO = "indicator tests"
T = pd.Timestamp
NAT = pd.NaT

# Columns every function promises, in order (the contract with charts and workbooks).
COLUMNS = {
    "framing_summary": [
        "site_id",
        "site",
        "first_framing_date",
        "lived_experience_in_first",
        "first_lived_framing_version",
        "revisions",
        "versions",
    ],
    "framing_participants": [
        "site_id",
        "version",
        "date",
        "partner_id",
        "display_name",
        "role_group",
        "lived_experience",
    ],
    "attendance_by_group_month": [
        "site_id",
        "site",
        "month",
        "role_group",
        "activities",
        "expected",
        "attended",
        "contributed",
        "rate",
    ],
    "dropouts": ["site_id", "site", "level", "role_group", "partner_id", "display_name", "last_attended", "missed"],
    "representation": ["site_id", "site", "role_group", "partners", "current", "share"],
    "contribution_share": ["site_id", "site", "role_group", "attended", "contributed", "share"],
    "non_negotiable_status": [
        "site_id",
        "site",
        "non_negotiable_id",
        "statement",
        "date_declared",
        "declared_after_start",
        "days_after_start",
        "partners_current",
        "accepted",
        "queried",
        "not_accepted",
        "no_response",
        "accepted_by_all",
    ],
    "idea_fates": ["site_id", "site", "fate", "ideas"],
    "facilitation_by_group": ["site_id", "site", "role_group", "facilitations", "share"],
    "leadership_concentration": [
        "site_id",
        "site",
        "groups_leading",
        "staff_only",
        "top_group",
        "top_share",
        "concentrated",
    ],
    "first_change": ["site_id", "site", "change_type", "first_observed", "months_from_start", "order"],
    "behaviour_first": ["site_id", "site", "order_ok", "sequence"],
    "milestones_vs_actual": [
        "site_id",
        "site",
        "milestone",
        "change_kind",
        "expected_date",
        "first_actual",
        "met",
        "days_late",
    ],
    "evidence_plan_timing": ["site_id", "site", "first_agreed", "days_to_plan", "late", "items"],
    "indicators_with_evidence": ["site_id", "site", "indicator", "data_source", "has_evidence"],
    "ladder_by_stage": ["site_id", "site", "stage", "activities", "median_step", "max_step"],
    "self_assessment_by_role": ["site_id", "site", "wave", "role_class", "learning_point", "mean_score", "responses"],
    "staff_lived_gap": ["site_id", "site", "wave", "learning_point", "staff_mean", "lived_mean", "gap", "flagged"],
    "overview_status": ["site_id", "site", "learning_point", "status", "rule", "evidence"],
}


def call(name: str, data: ProgrammeData) -> pd.DataFrame:
    """Each indicator called as the workbooks call it."""
    s = data.sites
    args = {
        "framing_summary": (s, data["partner"], data["problem_framing"]),
        "framing_participants": (data["partner"], data["problem_framing"]),
        "attendance_by_group_month": (s, data["partner"], data["activity"], data["attendance"]),
        "dropouts": (s, data["partner"], data["activity"], data["attendance"]),
        "representation": (s, data["partner"]),
        "contribution_share": (s, data["attendance"], data["partner"]),
        "non_negotiable_status": (s, data["partner"], data["non_negotiable"], data["acceptance"]),
        "idea_fates": (s, data["starting_idea"]),
        "facilitation_by_group": (s, data["partner"], data["activity"]),
        "leadership_concentration": (s, data["partner"], data["activity"]),
        "first_change": (s, data["outcome"]),
        "behaviour_first": (s, data["outcome"]),
        "milestones_vs_actual": (s, data["expectation"], data["outcome"]),
        "evidence_plan_timing": (s, data["evidence_plan"]),
        "indicators_with_evidence": (s, data["evidence_plan"], data["outcome"]),
        "ladder_by_stage": (s, data["activity"]),
        "self_assessment_by_role": (s, data["self_assessment"]),
        "staff_lived_gap": (s, data["self_assessment"]),
        "overview_status": (data,),
    }[name]
    return getattr(ind, name)(*args)


# ---- the tiny programme ------------------------------------------------------------------------

PARTNERS = [  # name, role group, joined, left
    ("Cleo", "clinician", "2015-01-05", None),
    ("Mo", "manager", "2015-01-05", None),
    ("Lin", "lived_experience", "2015-02-01", None),
    ("Lou", "lived_experience", "2015-02-01", None),
    ("Cal", "carer", "2015-02-01", None),
    ("Vi", "voluntary_sector", "2015-01-05", "2015-03-15"),
]
ACTIVITIES = [  # key, date, stage, ladder step, facilitators, {attendee: contributed}
    ("a1", "2015-01-10", "problem_identification", 3, ["Cleo"], {"Cleo": True, "Mo": False, "Vi": True}),
    (
        "a2",
        "2015-02-10",
        "problem_identification",
        4,
        ["Cleo", "Lin"],
        {"Cleo": True, "Lin": True, "Lou": False, "Cal": True, "Mo": False},
    ),
    (
        "a3",
        "2015-02-20",
        "design",
        5,
        ["Mo", "Cleo"],
        {"Mo": True, "Lin": False, "Cal": False, "Vi": False, "Cleo": False},
    ),
    ("a4", "2015-03-10", "design", 5, ["Cleo"], {"Cleo": True, "Lin": True, "Mo": False}),
    ("a5", "2015-03-20", "delivery", 6, ["Cleo"], {"Cleo": True, "Lin": False, "Mo": True}),
    ("a6", "2015-04-10", "delivery", 6, ["Cleo"], {"Cleo": False, "Lin": True, "Mo": False}),
]
SOLO_ACTIVITIES = [
    ("s1", "2015-03-05", "problem_identification", 4, ["Sol"], {"Sol": True}),
    ("s2", "2015-04-06", "design", 5, ["Sol"], {}),
    ("s3", "2015-05-05", "design", 6, [], {}),
    ("s4", "2015-06-05", "design", 7, [], {}),
]


def build_tiny(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}

    def add(kind: str, **values) -> int:
        return store.add(kind, values, WHO).id

    programme = add("programme", name="Tiny programme")
    for name, issue, start in (
        ("Alpha", "Heart failure follow-up", "2015-01-05"),
        ("Solo", "Breathlessness at home", "2015-03-02"),
        ("Empty", "Foot care", "2015-06-01"),
    ):
        ids[name] = add("site", programme_id=programme, name=name, service_issue=issue, start_date=start)
    alpha, solo = ids["Alpha"], ids["Solo"]
    for name, group, joined, left in PARTNERS:
        ids[name] = add("partner", site_id=alpha, display_name=name, role_group=group, joined=joined, left=left)
    ids["Sol"] = add("partner", site_id=solo, display_name="Sol", role_group="lived_experience", joined="2015-03-02")
    for site, plan in ((alpha, ACTIVITIES), (solo, SOLO_ACTIVITIES)):
        for key, date, stage, step, leads, came in plan:
            ids[key] = add(
                "activity",
                site_id=site,
                date=date,
                title=key,
                stage=stage,
                ladder_step=step,
                facilitator_ids=[ids[n] for n in leads],
            )
            for name, spoke in came.items():
                add("attendance", site_id=site, activity_id=ids[key], partner_id=ids[name], contributed=spoke)

    for version, date, names in (
        (1, "2015-01-06", ["Cleo", "Mo"]),
        (2, "2015-02-15", ["Cleo", "Lin", "Cal"]),
        (3, "2015-03-01", ["Lou"]),
    ):
        add(
            "problem_framing",
            site_id=alpha,
            statement=f"Version {version}",
            date=date,
            partner_ids=[ids[n] for n in names],
        )
    add(
        "problem_framing",
        site_id=solo,
        statement="Frightened when breathless",
        date="2015-03-03",
        partner_ids=[ids["Sol"]],
    )

    ids["nn1"] = add(
        "non_negotiable",
        site_id=alpha,
        statement="The budget is fixed",
        declared_by_id=ids["Mo"],
        date_declared="2015-01-05",
    )
    for name, response, date in (
        ("Cleo", "accepted", "2015-01-06"),
        ("Mo", "accepted", "2015-01-06"),
        ("Lin", "accepted", "2015-02-02"),
        ("Lou", "queried", "2015-02-02"),
        ("Vi", "accepted", "2015-01-07"),
    ):  # Cal never answered; Vi has left
        add(
            "acceptance",
            site_id=alpha,
            non_negotiable_id=ids["nn1"],
            partner_id=ids[name],
            response=response,
            date=date,
        )
    ids["nn2"] = add(
        "non_negotiable",
        site_id=alpha,
        statement="No new posts",
        declared_by_id=ids["Cleo"],
        date_declared="2015-02-20",
    )
    for name in ("Cleo", "Mo", "Lin", "Lou", "Cal"):
        add(
            "acceptance",
            site_id=alpha,
            non_negotiable_id=ids["nn2"],
            partner_id=ids[name],
            response="not_accepted" if name == "Lin" else "accepted",
            date="2015-02-21",
        )
    ids["nn_solo"] = add(
        "non_negotiable", site_id=solo, statement="Guidance", declared_by_id=ids["Sol"], date_declared="2015-03-02"
    )
    add(
        "acceptance",
        site_id=solo,
        non_negotiable_id=ids["nn_solo"],
        partner_id=ids["Sol"],
        response="accepted",
        date="2015-03-02",
    )

    add(
        "starting_idea",
        site_id=alpha,
        idea="Phone clinic",
        partner_id=ids["Cleo"],
        fate="still_contested",
        date="2015-01-06",
    )
    add("starting_idea", site_id=alpha, idea="Text reminders", partner_id=ids["Lin"], fate="set_aside")
    add(
        "starting_idea",
        site_id=solo,
        idea="A plan on the fridge",
        partner_id=ids["Sol"],
        fate="adopted_after_exploration",
        date="2015-03-05",
    )

    for milestone, date, kind in (
        ("Staff listen", "2015-02-01", "behaviour_culture"),
        ("New letter", "2015-03-01", "process"),
        ("Drop-in", "2015-09-01", "service"),
    ):
        add("expectation", site_id=alpha, milestone=milestone, expected_date=date, change_kind=kind)
    add(
        "outcome",
        site_id=alpha,
        description="Staff ask first",
        change_type="behaviour_culture",
        who_changed="Staff",
        intended=True,
        date_observed="2015-02-15",
        evidence_source="Observation notes",
    )
    add(
        "outcome",
        site_id=alpha,
        description="Letter rewritten",
        change_type="process",
        who_changed="Clinic",
        intended=True,
        date_observed="2015-06-10",
        evidence_source="Copy of the letter",
    )
    add(
        "outcome",
        site_id=solo,
        description="A support line",
        change_type="service",
        who_changed="Service",
        intended=True,
        date_observed="2015-04-01",
    )
    for question, indicator, source, date in (
        ("Do staff listen?", "Observation score", "Observation notes", "2015-03-10"),
        ("Is the letter clearer?", "Letter readability", "Patient survey", "2015-03-20"),
    ):
        add(
            "evidence_plan",
            site_id=alpha,
            question=question,
            indicator=indicator,
            data_source=source,
            collected_by="Cleo",
            date_agreed=date,
        )

    # Self-assessments are answers to the shared instrument, stored as coprod site add stores it.
    installed = {added.question_set.name: added.question_set.id for added in install(store, who=WHO)}
    ids["self_assessment"] = installed[SELF_ASSESSMENT.name]
    for role, scores in (
        ("clinician", {"lp1": 4, "lp2": 5, "lp3": 3}),
        ("manager", {"lp1": 5, "lp2": 4}),
        ("lived_experience", {"lp1": 3, "lp2": 4}),
        ("carer", {"lp1": 4}),
        ("voluntary_sector", {"lp1": 2}),
    ):
        answers = {"respondent_role": role, "wave": 1, "ladder_step": "4"}
        answers.update({lp: str(score) for lp, score in scores.items()})  # choices are stored as their names
        add(
            "question_response",
            site_id=alpha,
            question_set_id=ids["self_assessment"],
            partner_id=None,
            date="2015-04-15",
            answers=answers,
        )
    return ids


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[ProgrammeData, dict[str, int]]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('tiny') / 'tiny.db'}")
    ids = build_tiny(store)
    data = load_programme(store)
    store.close()
    return data, ids


@pytest.fixture(scope="module")
def empty_programme(tmp_path_factory) -> ProgrammeData:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.db'}")
    data = load_programme(store)
    store.close()
    return data


def with_frame(data: ProgrammeData, kind: str, frame: pd.DataFrame) -> ProgrammeData:
    return ProgrammeData(data.sites, {**data.frames, kind: frame}, data.filters)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """Rows as plain tuples, missing values as None, for exact comparison."""

    def plain(value):
        if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
            return None
        if isinstance(value, float):
            return round(value, 4)
        return value.item() if hasattr(value, "item") and not isinstance(value, pd.Timestamp) else value

    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


def site(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame[frame["site"] == name].reset_index(drop=True)


# ---- the contract: columns and types, with data and without --------------------------------------


@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns_in_order_with_records_and_when_there_are_none(name, tiny, empty_programme):
    data, _ = tiny
    full, empty = call(name, data), call(name, empty_programme)
    assert list(full.columns) == COLUMNS[name]
    assert list(empty.columns) == COLUMNS[name] and empty.empty
    assert dict(empty.dtypes.astype(str)) == dict(full.dtypes.astype(str)), "types do not depend on the data"
    assert list(full.index) == list(range(len(full)))
    if "site" in full.columns:
        assert str(full["site"].dtype) == "str" and set(full["site"]) <= {"Alpha", "Solo", "Empty"}


def test_public_names_are_all_exported():
    for name in COLUMNS:
        assert callable(getattr(ind, name)) and name in ind.__all__
    assert ind.STATUS_ORDER == ["on track", "watch", "concern", "not enough records"]
    assert list(ind.LEARNING_POINTS) == [f"LP{n}" for n in range(1, 9)]


def test_inputs_are_not_changed(tiny):
    data, _ = tiny
    before = {kind: frame.copy() for kind, frame in data.frames.items()}
    for name in COLUMNS:
        call(name, data)
    for kind, frame in data.frames.items():
        pd.testing.assert_frame_equal(frame, before[kind])


# ---- LP1 framing ---------------------------------------------------------------------------------


def test_framing_summary(tiny):
    out = ind.framing_summary(tiny[0].sites, tiny[0]["partner"], tiny[0]["problem_framing"])
    assert rows(
        out,
        "site",
        "first_framing_date",
        "lived_experience_in_first",
        "first_lived_framing_version",
        "revisions",
        "versions",
    ) == [
        ("Alpha", T("2015-01-06"), False, 2, 2, 3),
        ("Solo", T("2015-03-03"), True, 1, 0, 1),
        ("Empty", None, False, None, 0, 0),
    ]


def test_framing_participants(tiny):
    data, ids = tiny
    out = ind.framing_participants(data["partner"], data["problem_framing"])
    assert rows(out, "version", "display_name", "role_group", "lived_experience") == [
        (1, "Cleo", "clinician", False),
        (1, "Mo", "manager", False),
        (2, "Cleo", "clinician", False),
        (2, "Lin", "lived_experience", True),
        (2, "Cal", "carer", True),
        (3, "Lou", "lived_experience", True),
        (1, "Sol", "lived_experience", True),
    ]
    assert set(out["site_id"]) == {ids["Alpha"], ids["Solo"]}


def test_framing_with_a_missing_date_and_partners_filtered_out(tiny):
    data, _ = tiny
    framings = data["problem_framing"].copy()
    framings.loc[framings["version"] == 1, "date"] = NAT
    staff = data["partner"][data["partner"]["role_group"].isin(["clinician", "manager"])]
    out = ind.framing_summary(data.sites, staff, framings)
    assert rows(
        site(out, "Alpha"), "first_framing_date", "lived_experience_in_first", "first_lived_framing_version"
    ) == [(None, False, None)]
    assert rows(site(out, "Solo"), "lived_experience_in_first") == [(False,)]
    assert set(ind.framing_participants(staff, framings)["display_name"]) == {"Cleo", "Mo"}


# ---- LP2 involvement -----------------------------------------------------------------------------


def test_attendance_by_group_month(tiny):
    data, _ = tiny
    out = ind.attendance_by_group_month(data.sites, data["partner"], data["activity"], data["attendance"])
    assert rows(
        site(out, "Alpha"), "month", "role_group", "activities", "expected", "attended", "contributed", "rate"
    ) == [
        (T("2015-01-01"), "clinician", 1, 1, 1, 1, 1.0),
        (T("2015-01-01"), "manager", 1, 1, 1, 0, 1.0),
        (T("2015-01-01"), "voluntary_sector", 1, 1, 1, 1, 1.0),
        (T("2015-02-01"), "lived_experience", 2, 4, 3, 1, 0.75),
        (T("2015-02-01"), "carer", 2, 2, 2, 1, 1.0),
        (T("2015-02-01"), "clinician", 2, 2, 2, 1, 1.0),
        (T("2015-02-01"), "manager", 2, 2, 2, 1, 1.0),
        (T("2015-02-01"), "voluntary_sector", 2, 2, 1, 0, 0.5),
        (T("2015-03-01"), "lived_experience", 2, 4, 2, 1, 0.5),
        (T("2015-03-01"), "carer", 2, 2, 0, 0, 0.0),
        (T("2015-03-01"), "clinician", 2, 2, 2, 2, 1.0),
        (T("2015-03-01"), "manager", 2, 2, 2, 1, 1.0),
        (T("2015-03-01"), "voluntary_sector", 2, 1, 0, 0, 0.0),  # left on 15 March, between the two
        (T("2015-04-01"), "lived_experience", 1, 2, 1, 1, 0.5),
        (T("2015-04-01"), "carer", 1, 1, 0, 0, 0.0),
        (T("2015-04-01"), "clinician", 1, 1, 1, 0, 1.0),
        (T("2015-04-01"), "manager", 1, 1, 1, 0, 1.0),
    ]
    assert rows(site(out, "Solo"), "month", "expected", "attended", "rate") == [
        (T("2015-03-01"), 1, 1, 1.0),
        (T("2015-04-01"), 1, 0, 0.0),
        (T("2015-05-01"), 1, 0, 0.0),
        (T("2015-06-01"), 1, 0, 0.0),
    ]
    assert site(out, "Empty").empty


def test_dropouts_of_partners_and_of_a_whole_group(tiny):
    data, _ = tiny
    out = ind.dropouts(data.sites, data["partner"], data["activity"], data["attendance"])
    assert rows(out, "site", "level", "role_group", "display_name", "last_attended", "missed") == [
        ("Alpha", "group", "carer", "", T("2015-02-20"), 3),
        ("Alpha", "partner", "lived_experience", "Lou", T("2015-02-10"), 4),
        ("Alpha", "partner", "carer", "Cal", T("2015-02-20"), 3),
        ("Solo", "group", "lived_experience", "", T("2015-03-05"), 3),  # a site with one partner
        ("Solo", "partner", "lived_experience", "Sol", T("2015-03-05"), 3),
    ]
    assert out["partner_id"].isna().tolist() == [True, False, False, True, False]


def test_dropouts_depend_on_n(tiny):
    data, _ = tiny
    args = (data.sites, data["partner"], data["activity"], data["attendance"])
    assert rows(ind.dropouts(*args, n=4), "site", "level", "display_name") == [("Alpha", "partner", "Lou")]
    assert ind.dropouts(*args, n=5).empty, "too few activities at Solo; Lou came to one of Alpha's last five"
    with pytest.raises(ValueError, match="at least 1"):
        ind.dropouts(*args, n=0)


def test_undated_activities_and_joining_dates(tiny):
    data, ids = tiny
    activities = data["activity"].copy()
    activities.loc[activities["id"] == ids["a6"], "date"] = NAT  # Lin's last attendance can no longer be placed
    partners = data["partner"].copy()
    partners.loc[partners["id"] == ids["Cal"], "joined"] = NAT  # taken as there from the start
    out = ind.attendance_by_group_month(data.sites, partners, activities, data["attendance"])
    assert T("2015-04-01") not in set(site(out, "Alpha")["month"])
    jan = site(out, "Alpha")
    assert rows(
        jan[(jan["month"] == T("2015-01-01")) & (jan["role_group"] == "carer")], "expected", "attended", "rate"
    ) == [(1, 0, 0.0)]
    gone = ind.dropouts(data.sites, partners, activities, data["attendance"])
    assert rows(site(gone, "Alpha"), "level", "display_name", "missed") == [("partner", "Lou", 3)]  # Cal missed 2


def test_representation(tiny):
    data, _ = tiny
    out = ind.representation(data.sites, data["partner"])
    assert len(out) == 3 * 7
    assert rows(site(out, "Alpha"), "role_group", "partners", "current", "share") == [
        ("lived_experience", 2, 2, 0.4),
        ("carer", 1, 1, 0.2),
        ("clinician", 1, 1, 0.2),
        ("manager", 1, 1, 0.2),
        ("commissioner", 0, 0, 0.0),
        ("voluntary_sector", 1, 0, 0.0),
        ("other", 0, 0, 0.0),
    ]
    assert rows(site(out, "Solo"), "role_group", "partners", "share")[0] == ("lived_experience", 1, 1.0)
    assert site(out, "Empty")["partners"].sum() == 0 and site(out, "Empty")["share"].isna().all()


def test_contribution_share(tiny):
    data, _ = tiny
    out = ind.contribution_share(data.sites, data["attendance"], data["partner"])
    assert rows(out, "site", "role_group", "attended", "contributed", "share") == [
        ("Alpha", "lived_experience", 6, 3, 0.5),
        ("Alpha", "carer", 2, 1, 0.5),
        ("Alpha", "clinician", 6, 4, 0.6667),
        ("Alpha", "manager", 6, 2, 0.3333),
        ("Alpha", "voluntary_sector", 2, 1, 0.5),
        ("Solo", "lived_experience", 1, 1, 1.0),
    ]


# ---- LP3 answers ---------------------------------------------------------------------------------


def test_non_negotiable_status(tiny):
    data, _ = tiny
    out = ind.non_negotiable_status(data.sites, data["partner"], data["non_negotiable"], data["acceptance"])
    assert rows(
        out,
        "site",
        "statement",
        "date_declared",
        "declared_after_start",
        "days_after_start",
        "partners_current",
        "accepted",
        "queried",
        "not_accepted",
        "no_response",
        "accepted_by_all",
    ) == [
        ("Alpha", "The budget is fixed", T("2015-01-05"), False, 0, 5, 3, 1, 0, 1, False),
        ("Alpha", "No new posts", T("2015-02-20"), True, 46, 5, 4, 0, 1, 0, False),
        ("Solo", "Guidance", T("2015-03-02"), False, 0, 1, 1, 0, 0, 0, True),
    ]


def test_non_negotiable_with_no_date_declared(tiny):
    data, _ = tiny
    rules = data["non_negotiable"].copy()
    rules["date_declared"] = NAT
    out = ind.non_negotiable_status(data.sites, data["partner"], rules, data["acceptance"])
    assert not out["declared_after_start"].any() and out["days_after_start"].isna().all()


def test_idea_fates_list_every_fate_for_every_site(tiny):
    data, _ = tiny
    out = ind.idea_fates(data.sites, data["starting_idea"])
    assert rows(out, "site", "fate", "ideas") == [
        ("Alpha", "set_aside", 1),
        ("Alpha", "adopted_after_exploration", 0),
        ("Alpha", "still_contested", 1),
        ("Solo", "set_aside", 0),
        ("Solo", "adopted_after_exploration", 1),
        ("Solo", "still_contested", 0),
        ("Empty", "set_aside", 0),
        ("Empty", "adopted_after_exploration", 0),
        ("Empty", "still_contested", 0),
    ]


# ---- LP4 leadership ------------------------------------------------------------------------------


def test_facilitation_by_group(tiny):
    data, _ = tiny
    out = ind.facilitation_by_group(data.sites, data["partner"], data["activity"])
    assert rows(out, "site", "role_group", "facilitations", "share") == [
        ("Alpha", "lived_experience", 1, 0.125),
        ("Alpha", "carer", 0, 0.0),
        ("Alpha", "clinician", 6, 0.75),
        ("Alpha", "manager", 1, 0.125),
        ("Alpha", "voluntary_sector", 0, 0.0),
        ("Solo", "lived_experience", 2, 1.0),
    ]


def test_leadership_concentration(tiny):
    data, ids = tiny
    out = ind.leadership_concentration(data.sites, data["partner"], data["activity"])
    assert rows(out, "site", "groups_leading", "staff_only", "top_group", "top_share", "concentrated") == [
        ("Alpha", 3, False, "clinician", 0.75, True),  # exactly 75% counts
        ("Solo", 1, False, "lived_experience", 1.0, True),  # one partner, one group
        ("Empty", 0, False, "", None, False),
    ]
    staff_led = data["activity"].assign(
        facilitator_ids=data["activity"]["facilitator_ids"].map(
            lambda leads: [i for i in leads if i in (ids["Cleo"], ids["Mo"])]
        )
    )
    out = ind.leadership_concentration(data.sites, data["partner"], staff_led)
    assert rows(site(out, "Alpha"), "staff_only", "concentrated") == [(True, True)]
    assert rows(site(out, "Solo"), "groups_leading", "top_group") == [(0, "")]


# ---- LP5 and LP6 change --------------------------------------------------------------------------


def test_first_change_lists_every_kind_for_every_site(tiny):
    data, _ = tiny
    out = ind.first_change(data.sites, data["outcome"])
    assert rows(out, "site", "change_type", "first_observed", "months_from_start", "order") == [
        ("Alpha", "behaviour_culture", T("2015-02-15"), round(41 / (365.25 / 12), 4), 1),
        ("Alpha", "process", T("2015-06-10"), round(156 / (365.25 / 12), 4), 2),
        ("Alpha", "service", None, None, None),
        ("Solo", "behaviour_culture", None, None, None),
        ("Solo", "process", None, None, None),
        ("Solo", "service", T("2015-04-01"), round(30 / (365.25 / 12), 4), 1),
        ("Empty", "behaviour_culture", None, None, None),
        ("Empty", "process", None, None, None),
        ("Empty", "service", None, None, None),
    ]


def test_behaviour_first(tiny):
    data, _ = tiny
    out = ind.behaviour_first(data.sites, data["outcome"])
    assert rows(out, "site", "order_ok", "sequence") == [
        ("Alpha", True, "behaviour_culture > process"),
        ("Solo", True, "service"),
        ("Empty", True, ""),
    ]
    outcomes = data["outcome"].copy()
    outcomes.loc[outcomes["change_type"] == "process", "date_observed"] = T("2015-02-01")  # process now first
    assert rows(site(ind.behaviour_first(data.sites, outcomes), "Alpha"), "order_ok", "sequence") == [
        (False, "process > behaviour_culture")
    ]
    outcomes.loc[outcomes["change_type"] == "process", "date_observed"] = T("2015-02-15")  # same day
    assert rows(site(ind.behaviour_first(data.sites, outcomes), "Alpha"), "order_ok", "sequence") == [
        (True, "behaviour_culture = process")
    ]
    outcomes.loc[outcomes["change_type"] == "behaviour_culture", "date_observed"] = NAT  # undated: left out
    first = site(ind.first_change(data.sites, outcomes), "Alpha")
    assert rows(first, "change_type", "order") == [("behaviour_culture", None), ("process", 1), ("service", None)]


def test_milestones_vs_actual(tiny):
    data, _ = tiny
    out = ind.milestones_vs_actual(data.sites, data["expectation"], data["outcome"])
    assert rows(out, "site", "milestone", "change_kind", "expected_date", "first_actual", "met", "days_late") == [
        ("Alpha", "Staff listen", "behaviour_culture", T("2015-02-01"), T("2015-02-15"), True, 14.0),
        ("Alpha", "New letter", "process", T("2015-03-01"), T("2015-06-10"), True, 101.0),
        ("Alpha", "Drop-in", "service", T("2015-09-01"), None, False, None),
    ]
    hopes = data["expectation"].copy()
    hopes["expected_date"] = NAT
    out = ind.milestones_vs_actual(data.sites, hopes, data["outcome"])
    assert out["days_late"].isna().all() and out["met"].tolist() == [True, True, False]


# ---- LP7 evidence --------------------------------------------------------------------------------


def test_evidence_plan_timing(tiny):
    data, _ = tiny
    out = ind.evidence_plan_timing(data.sites, data["evidence_plan"])
    assert rows(out, "site", "first_agreed", "days_to_plan", "late", "items") == [
        ("Alpha", T("2015-03-10"), 64, True, 2),
        ("Solo", None, None, True, 0),
        ("Empty", None, None, True, 0),
    ]
    plan = data["evidence_plan"].copy()
    plan["date_agreed"] = T("2015-03-02")  # exactly eight weeks after the start
    assert rows(site(ind.evidence_plan_timing(data.sites, plan), "Alpha"), "days_to_plan", "late") == [(56, False)]
    plan["date_agreed"] = NAT
    assert rows(
        site(ind.evidence_plan_timing(data.sites, plan), "Alpha"), "first_agreed", "days_to_plan", "late", "items"
    ) == [(None, None, False, 2)]


def test_indicators_with_evidence(tiny):
    data, _ = tiny
    out = ind.indicators_with_evidence(data.sites, data["evidence_plan"], data["outcome"])
    assert rows(out, "site", "indicator", "data_source", "has_evidence") == [
        ("Alpha", "Observation score", "Observation notes", True),
        ("Alpha", "Letter readability", "Patient survey", False),  # "Copy of the letter" names neither
    ]


@pytest.mark.parametrize(
    ("evidence", "source", "indicator", "expected"),
    [
        ("Observation notes from four clinics", "Observation notes", "Score", True),
        ("Clinic activity data", "Questionnaire at the support group and clinic", "Foot checks", True),
        ("Audit of ward letters", "Referral system", "Referral waits", False),
        ("Counted from the DNA rate report", "Booking system", "DNA rate", True),  # the whole indicator is named
        ("Data from the team", "Ambulance data", "Call-outs", False),  # 'data' is too common to count
        ("Nurses' reflective logs", "Nurse logs", "x", True),  # plurals and possessives
        ("", "Anything", "Anything", False),
        (None, "Anything", "Anything", False),
    ],
)
def test_mentions_rule(evidence, source, indicator, expected):
    assert mentions(evidence, source, indicator) is expected


# ---- the Ladder and self-assessments -------------------------------------------------------------


def test_ladder_by_stage(tiny):
    data, _ = tiny
    out = ind.ladder_by_stage(data.sites, data["activity"])
    assert rows(out, "site", "stage", "activities", "median_step", "max_step") == [
        ("Alpha", "problem_identification", 2, 3.5, 4),
        ("Alpha", "design", 2, 5.0, 5),
        ("Alpha", "delivery", 2, 6.0, 6),
        ("Solo", "problem_identification", 1, 4.0, 4),
        ("Solo", "design", 3, 6.0, 7),
    ]


def test_self_assessment_by_role(tiny):
    data, _ = tiny
    out = ind.self_assessment_by_role(data.sites, data["self_assessment"])
    assert rows(out, "site", "wave", "role_class", "learning_point", "mean_score", "responses") == [
        ("Alpha", 1, "staff", "LP1", 4.5, 2),
        ("Alpha", 1, "staff", "LP2", 4.5, 2),
        ("Alpha", 1, "staff", "LP3", 3.0, 1),
        ("Alpha", 1, "lived experience", "LP1", 3.5, 2),
        ("Alpha", 1, "lived experience", "LP2", 4.0, 1),
        ("Alpha", 1, "other", "LP1", 2.0, 1),
    ]


def test_staff_lived_gap(tiny):
    data, _ = tiny
    out = ind.staff_lived_gap(data.sites, data["self_assessment"])
    assert rows(out, "site", "wave", "learning_point", "staff_mean", "lived_mean", "gap", "flagged") == [
        ("Alpha", 1, "LP1", 4.5, 3.5, 1.0, True),  # a whole point apart is flagged
        ("Alpha", 1, "LP2", 4.5, 4.0, 0.5, False),
        ("Alpha", 1, "LP3", 3.0, None, None, False),  # only staff answered
    ]


def test_a_gap_of_one_is_flagged_despite_rounding_error(tiny):
    data, _ = tiny
    base = data["self_assessment"].iloc[[0]]
    scores = [("clinician", 4)] * 9 + [("manager", 5)] + [("carer", 3)] * 9 + [("lived_experience", 4)]
    answers = pd.concat(
        [base.assign(respondent_role=role, lp1=score, id=i) for i, (role, score) in enumerate(scores)],
        ignore_index=True,
    )
    out = ind.staff_lived_gap(data.sites, answers)
    lp1 = out[out["learning_point"] == "LP1"]
    assert 4.1 - 3.1 < 1 and lp1["gap"].iloc[0] < 1, "means of 4.1 and 3.1 differ by a hair under 1 in floats"
    assert lp1["flagged"].tolist() == [True]


# ---- overview ------------------------------------------------------------------------------------

NE = "not enough records"
#: Where records are missing the status says so: the Empty site is "not enough records" throughout, never a
#: verdict; Solo has no milestones (LP5) and no evidence plan (LP7); LP8 is never judged yet.
TINY_STATUS = {
    "Alpha": ["watch", "concern", "concern", "watch", "watch", "on track", "watch", NE],
    "Solo": ["on track", "concern", "on track", "watch", NE, "concern", NE, NE],
    "Empty": [NE] * 8,
}


def test_overview_status_on_the_tiny_programme(tiny):
    data, _ = tiny
    out = ind.overview_status(data)
    assert len(out) == 3 * 8
    assert {name: site(out, name)["status"].tolist() for name in TINY_STATUS} == TINY_STATUS
    assert site(out, "Alpha")["learning_point"].tolist() == [f"LP{n}" for n in range(1, 9)]
    for row in out.itertuples():
        assert row.rule.startswith(f"{row.status}:"), row
        assert row.evidence, row
    alpha = site(out, "Alpha").set_index("learning_point")
    assert "version 2 on 2015-02-15" in alpha.loc["LP1", "evidence"]
    assert "carer group" in alpha.loc["LP2", "evidence"] and "Lou" not in alpha.loc["LP2", "evidence"]
    assert "'No new posts'" in alpha.loc["LP3", "evidence"]
    assert "101 days late" in alpha.loc["LP5", "evidence"]
    assert "64 days after the start" in alpha.loc["LP7", "evidence"]
    assert alpha.loc["LP8", "rule"].startswith("not enough records: no questions are asked at this site yet")
    empty = site(out, "Empty").set_index("learning_point")["rule"]
    assert "no problem framing is recorded" in empty["LP1"] and "no evidence plan is recorded" in empty["LP7"]


def test_overview_judged_as_of_a_given_date(tiny):
    data, _ = tiny
    later = ind.overview_status(data, today="2015-09-15").set_index(["site", "learning_point"])["status"]
    assert later["Alpha", "LP5"] == "concern", "the drop-in was expected by 1 September and has not happened"
    early = ind.overview_status(data, today="2015-06-20").set_index(["site", "learning_point"])["status"]
    assert early["Empty", "LP6"] == NE and early["Empty", "LP7"] == NE, "missing records are not 'on track'"
    rules = ind.overview_status(data, today="2015-06-20").set_index(["site", "learning_point"])["rule"]
    assert "not due until eight weeks" in rules["Empty", "LP7"] and "within the first 6 months" in rules["Empty", "LP6"]
    as_of = ind.as_of_dates(data)
    assert as_of.iloc[0] == T("2015-06-10") and as_of.iloc[1] == T("2015-06-05")


def test_overview_when_watch_not_concern(tiny):
    data, ids = tiny
    accepted = data["acceptance"].assign(response=data["acceptance"]["response"].replace("not_accepted", "queried"))
    status = ind.overview_status(with_frame(data, "acceptance", accepted)).set_index(["site", "learning_point"])
    assert status.loc[("Alpha", "LP3"), "status"] == "watch"
    assert (
        "queried" in status.loc[("Alpha", "LP3"), "rule"] and "after the start" in status.loc[("Alpha", "LP3"), "rule"]
    )
    outcomes = data["outcome"].copy()
    outcomes.loc[outcomes["change_type"] == "behaviour_culture", "change_type"] = "service"
    status = ind.overview_status(with_frame(data, "outcome", outcomes)).set_index(["site", "learning_point"])
    assert status.loc[("Alpha", "LP6"), "status"] == "concern"


def test_overview_with_filtered_data(tiny):
    data, _ = tiny
    carers = data["partner"][data["partner"]["role_group"] == "carer"]
    filtered = with_frame(data, "partner", carers)
    out = ind.overview_status(filtered)
    assert len(out) == 24 and set(out["status"]) <= set(ind.STATUS_ORDER)


def test_overview_on_an_empty_programme(empty_programme):
    out = ind.overview_status(empty_programme)
    assert out.empty and list(out.columns) == COLUMNS["overview_status"]


# ---- the demo programme --------------------------------------------------------------------------

DEMO_CONCERNS = {
    ("Wendlebury", "LP4"): "concern",
    ("Wendlebury", "LP1"): "watch",
    ("Wendlebury", "LP3"): "watch",
    ("Saltmere", "LP2"): "concern",
    ("Brackenford", "LP3"): "watch",
    ("Oxborough", "LP7"): "watch",
    ("Stourham", "LP3"): "concern",
}


@pytest.fixture(scope="module")
def demo(demo_db_url) -> ProgrammeData:
    store = Store.open(demo_db_url, create=False)
    data = load_programme(store)
    store.close()
    return data


def test_demo_the_drifting_carers_of_saltmere_and_no_other_group(demo):
    out = ind.dropouts(demo.sites, demo["partner"], demo["activity"], demo["attendance"])
    assert rows(out[out["level"] == "group"], "site", "role_group") == [("Saltmere", "carer")]
    assert set(out["site"]) == {"Saltmere"} and set(out["role_group"]) == {"carer"}
    by_month = ind.attendance_by_group_month(demo.sites, demo["partner"], demo["activity"], demo["attendance"])
    carers = by_month[(by_month["site"] == "Saltmere") & (by_month["role_group"] == "carer")]
    assert carers["rate"].iloc[:3].min() > 0 and (carers["rate"].iloc[-3:] == 0).all()


def test_demo_non_negotiables_late_at_brackenford_not_accepted_at_stourham(demo):
    out = ind.non_negotiable_status(demo.sites, demo["partner"], demo["non_negotiable"], demo["acceptance"])
    assert out.loc[out["declared_after_start"], "site"].tolist() == ["Brackenford"]
    assert out.loc[out["days_after_start"] > 0, "days_after_start"].tolist() == [125]
    assert out.loc[out["not_accepted"] > 0, "site"].tolist() == ["Stourham"]
    assert out.loc[~out["accepted_by_all"], "site"].tolist() == ["Stourham"]


def test_demo_evidence_plan_late_only_at_oxborough(demo):
    out = ind.evidence_plan_timing(demo.sites, demo["evidence_plan"])
    assert out.loc[out["late"], "site"].tolist() == ["Oxborough"]
    assert out.loc[out["late"], "days_to_plan"].iloc[0] > 150


def test_demo_behaviour_change_comes_first_everywhere(demo):
    out = ind.behaviour_first(demo.sites, demo["outcome"])
    assert out["order_ok"].all() and out["sequence"].str.startswith("behaviour_culture").all()
    first = ind.first_change(demo.sites, demo["outcome"])
    no_service = first[(first["change_type"] == "service") & first["first_observed"].isna()]
    assert set(no_service["site"]) == {"Wendlebury", "Saltmere"}


def test_demo_problem_framed_by_staff_first_only_at_wendlebury(demo):
    out = ind.framing_summary(demo.sites, demo["partner"], demo["problem_framing"])
    assert rows(out[~out["lived_experience_in_first"]], "site", "first_lived_framing_version") == [("Wendlebury", 2)]
    lead = ind.leadership_concentration(demo.sites, demo["partner"], demo["activity"])
    assert lead.loc[lead["staff_only"], "site"].tolist() == ["Wendlebury"]
    assert lead.loc[lead["concentrated"], "site"].tolist() == ["Wendlebury"]


def test_demo_staff_lived_gap_where_the_sites_were_built_for_it(demo):
    out = ind.staff_lived_gap(demo.sites, demo["self_assessment"])
    flagged = out[out["flagged"]].groupby(["site", "wave"]).size().unstack(fill_value=0)
    wide = set(flagged[(flagged >= 3).all(axis=1)].index)
    assert wide == {"Wendlebury", "Saltmere", "Stourham"}
    built = out[out["site"].isin(wide) & out["flagged"]]
    assert (built["gap"] > 0).all(), "where the sites were built for it, staff see more co-production"


def test_demo_overview_flags_exactly_the_demo_patterns(demo):
    out = ind.overview_status(demo)
    assert len(out) == 6 * 8
    flagged = {(r.site, r.learning_point): r.status for r in out.itertuples() if r.status != "on track"}
    no_questions = {(site, "LP8"): NE for site in ("Wendlebury", "Fenmarsh", "Stourham")}
    assert flagged == {**DEMO_CONCERNS, **no_questions}, "the other three ask their own questions, answered"
    for r in out.itertuples():
        assert r.rule.split(":")[0] == r.status and r.evidence
    rules = out.set_index(["site", "learning_point"])["rule"]
    assert "lived experience" in rules["Wendlebury", "LP1"]
    assert "whole partner group" in rules["Saltmere", "LP2"]
    assert "after the start" in rules["Brackenford", "LP3"]
    assert "not accepted" in rules["Stourham", "LP3"]
    assert "only staff" in rules["Wendlebury", "LP4"]
    assert "more than 56 days" in rules["Oxborough", "LP7"]
    assert ind.as_of_dates(demo).notna().all()


def test_a_window_without_records_is_never_a_verdict(demo_db_url):
    """The evaluator's 2030 window: no records in it, so no learning point is on track, watch or concern."""
    store = Store.open(demo_db_url, create=False)
    empty = ind.overview_status(load_programme(store, start="2030-01-01"))
    assert set(empty["status"]) == {NE}
    assert len(ind.worth_a_look(empty)) == len(empty), "every one is listed in Where to look"
    store.close()


def test_judgement_dates_follow_the_window(demo_db_url):
    store = Store.open(demo_db_url, create=False)
    windowed = ind.overview_status(load_programme(store, end="2015-07-31"))
    store.close()
    lp5 = windowed[windowed["learning_point"] == "LP5"]["evidence"]
    assert lp5.str.contains("2015-07-31").any() and not lp5.str.contains("2015-09-16").any()
    assert (
        ind.as_of_dates(load_programme(Store.open(demo_db_url, create=False), end="2015-07-31")) == T("2015-07-31")
    ).all()


def test_where_to_look_lists_concerns_then_watches_then_missing_records(tiny):
    data, _ = tiny
    look = ind.worth_a_look(ind.overview_status(data))
    order = look["status"].tolist()
    assert order == sorted(order, key=["concern", "watch", NE].index) and "on track" not in order


def test_the_health_panel_and_the_indicators_judge_by_the_same_thresholds():
    """Defined once in coprod_widgets.rules: a site team and its evaluator cannot be told different things."""
    from coprod_widgets import health, rules
    from coprod_widgets.evaluation.indicators import _common, evidence

    assert health.EVIDENCE_PLAN_DUE is rules.EVIDENCE_PLAN_DUE
    assert evidence.PLAN_DUE_DAYS == rules.EVIDENCE_PLAN_DUE_DAYS
    assert health.STAFF_GROUPS is rules.STAFF_GROUPS
    assert {group.value for group in rules.STAFF_GROUPS} == _common.STAFF
    assert _common.LP_CODES is rules.LP_CODES and health.RECENT_ACTIVITIES == rules.RECENT_ACTIVITIES


# ---- LP8: questions of the site's own, or the common core alone -----------------------------------


def _lp8_rows(store) -> dict[str, tuple[str, str]]:
    from coprod_widgets.evaluation.data import load_programme

    out = ind.overview_status(load_programme(store), today=dt.date.today())  # the sets were added today
    return {r.site: (r.status, r.rule) for r in out.itertuples() if r.learning_point == "LP8"}


def test_lp8_says_which_sites_adapted_the_approach_and_never_defaults_to_on_track(store, small_programme):
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    north, south = small_programme["site"], small_programme["other_site"]
    rows = _lp8_rows(store)  # North has a set of its own with no answers; South has nothing
    assert rows["North"] == (NE, rows["North"][1]) and "no answers to them" in rows["North"][1]
    assert rows["South"][0] == NE and "no questions are asked" in rows["South"][1]

    answer = {"question_set_id": small_programme["question_set"], "date": "2025-06-01", "answers": {"visits": 2}}
    store.for_site(north).add("question_response", answer)
    form = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | text | best | What went well? |\n")
    core = add_form(store, form, name="Common core", source="core.md", site_id=None, who="t").question_set
    core_answer = {"question_set_id": core.id, "date": "2025-06-02", "answers": {"best": "Meeting"}}
    store.for_site(south).add("question_response", core_answer)
    rows = _lp8_rows(store)
    assert rows["North"][0] == "on track" and "questions of its own that are being answered" in rows["North"][1]
    assert rows["South"] == ("watch", "watch: the site runs the common core alone, with no questions of its own")
