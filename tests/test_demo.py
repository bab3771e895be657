"""The fictional demo programme: valid, deterministic, and showing each pattern the workbook looks for.

Every check reads the stored records back, so it tests what an evaluator would actually see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean

import pytest

from coprod_widgets import access
from coprod_widgets.demo import DEMO_PROGRAMME_NAME, build_demo
from coprod_widgets.records import RECORD_TYPES, SITE_RECORD_TYPES
from coprod_widgets.store import Store

STAFF = {"clinician", "manager", "commissioner"}
LIVED = {"lived_experience", "carer"}
STAGES = ["problem_identification", "design", "delivery", "evaluation"]
CHANGE_ORDER = ["behaviour_culture", "process", "service"]


class Demo:
    """The built demo, with each site's records to hand."""

    def __init__(self, store: Store, codes: dict[str, str]):
        self.store, self.codes = store, codes
        self.sites = store.sites()
        self.by_site = {site.name: store.all_records(site_id=site.id) for site in self.sites}

    def of(self, site_name: str, kind: str) -> list:
        return self.by_site[site_name][kind]

    def partners(self, site_name: str) -> dict:
        return {p.id: p for p in self.of(site_name, "partner")}

    def activities(self, site_name: str) -> list:
        return sorted(self.of(site_name, "activity"), key=lambda a: (a.date, a.id))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    codes = build_demo(store)
    yield Demo(store, codes)
    store.close()


def _present(partner, day: dt.date) -> bool:
    return partner.joined <= day and (partner.left is None or partner.left > day)


# ---- the programme as a whole ------------------------------------------------------------------


def test_one_fictional_programme_that_says_so(demo):
    (programme,) = demo.store.records("programme")
    assert programme.fictional is True
    assert programme.name == DEMO_PROGRAMME_NAME and "fictional" in programme.name.lower()
    assert "fictional" in programme.description.lower()


def test_six_sites_each_with_a_different_issue_starting_early_to_mid_2015(demo):
    assert len(demo.sites) == 6
    assert len({site.service_issue for site in demo.sites}) == 6
    assert len({site.name for site in demo.sites}) == 6
    assert all(dt.date(2015, 1, 1) <= site.start_date <= dt.date(2015, 6, 30) for site in demo.sites)


def test_access_codes_are_distinct_and_open_the_right_site(demo):
    assert set(demo.codes) == {site.name for site in demo.sites}
    assert len(set(demo.codes.values())) == 6
    hashes = demo.store.access_hashes()
    assert len(hashes) == 6
    for site in demo.sites:
        assert access.site_for_code(hashes, demo.codes[site.name]) == site.id
    assert access.site_for_code(hashes, "not-a-real-code-at-all") is None


def test_every_record_has_an_insert_history_line(demo):
    inserted = {(c.record_type, c.record_id) for c in demo.store.history() if c.action == "insert"}
    records = [(kind, r.id) for kind in RECORD_TYPES for r in demo.store.records(kind)]
    assert set(records) <= inserted
    assert len(demo.store.history()) >= len(records)
    assert all(c.who == "coprod demo" for c in demo.store.history())


def test_organisations_are_labelled_fictional(demo):
    for partner in demo.store.records("partner"):
        assert partner.organisation == "" or partner.organisation.endswith("(fictional)")


def test_build_is_deterministic_apart_from_access_codes(demo, tmp_path):
    again = Store.open(f"sqlite:///{tmp_path / 'again.db'}")
    codes = build_demo(again)
    assert set(codes) == set(demo.codes)
    for kind in ("programme", "site", *SITE_RECORD_TYPES):
        first = demo.store.frame(kind).drop(columns="id")
        second = again.frame(kind).drop(columns="id")
        assert first.equals(second), kind
    again.close()


# ---- a year of activity ------------------------------------------------------------------------


def test_about_a_year_of_activity_at_one_to_three_a_month(demo):
    for site in demo.sites:
        activities = demo.activities(site.name)
        assert 12 <= len(activities) <= 36
        assert activities[0].date - site.start_date < dt.timedelta(days=31)
        assert dt.timedelta(days=300) < activities[-1].date - site.start_date < dt.timedelta(days=366)
        per_month = defaultdict(int)
        for activity in activities:
            months = (activity.date.year - site.start_date.year) * 12 + activity.date.month - site.start_date.month
            per_month[months - (activity.date.day < site.start_date.day)] += 1
        assert sorted(per_month) == list(range(12)), site.name
        assert all(1 <= count <= 3 for count in per_month.values()), site.name
        assert all(activity.date.weekday() < 5 for activity in activities)


def test_stages_move_forward_and_ladder_steps_are_in_range(demo):
    for site in demo.sites:
        activities = demo.activities(site.name)
        order = [STAGES.index(a.stage.value) for a in activities]
        assert order == sorted(order) and order[0] == 0 and order[-1] == 3, site.name
        assert all(1 <= a.ladder_step <= 7 for a in activities)
        assert all(a.facilitator_ids for a in activities)


def test_attendance_is_by_partners_taking_part_with_mixed_contribution(demo):
    contributed = set()
    for site in demo.sites:
        partners = demo.partners(site.name)
        activities = {a.id: a for a in demo.of(site.name, "activity")}
        for row in demo.of(site.name, "attendance"):
            assert _present(partners[row.partner_id], activities[row.activity_id].date)
            contributed.add(row.contributed)
        attended = {(row.activity_id, row.partner_id) for row in demo.of(site.name, "attendance")}
        for activity in activities.values():
            assert all((activity.id, f) in attended for f in activity.facilitator_ids)
    assert contributed == {True, False}


def test_partners_join_late_and_leave(demo):
    for site in demo.sites:
        partners = demo.of(site.name, "partner")
        groups = {p.role_group.value for p in partners}
        assert len(groups) >= 5 and groups & STAFF and groups & LIVED
    partners = demo.store.records("partner")
    starts = {site.id: site.start_date for site in demo.sites}
    assert any(p.joined > starts[p.site_id] for p in partners)
    assert any(p.left is not None for p in partners)


# ---- the patterns ------------------------------------------------------------------------------


def _drifting_groups(demo, site_name: str) -> set[str]:
    """Role groups that came early on, miss each of the last three activities, and are not marked as left."""
    partners = demo.partners(site_name)
    activities = demo.activities(site_name)
    came = defaultdict(set)
    for row in demo.of(site_name, "attendance"):
        came[row.activity_id].add(partners[row.partner_id].role_group.value)
    drifting = set()
    for group in {p.role_group.value for p in partners.values() if p.left is None}:
        early = any(group in came[a.id] for a in activities[:3])
        late = any(group in came[a.id] for a in activities[-3:])
        if early and not late:
            drifting.add(group)
    return drifting


def test_1_one_group_drifts_away_at_exactly_one_site(demo):
    drifting = {site.name: _drifting_groups(demo, site.name) for site in demo.sites}
    assert {name: groups for name, groups in drifting.items() if groups} == {"Saltmere": {"carer"}}
    partners = demo.partners("Saltmere")
    carers = [p for p in partners.values() if p.role_group.value == "carer"]
    assert carers and all(p.left is None for p in carers)


def test_2_one_site_framed_the_problem_before_lived_experience_joined(demo):
    staff_first = []
    for site in demo.sites:
        partners = demo.partners(site.name)
        framings = sorted(demo.of(site.name, "problem_framing"), key=lambda f: f.version)
        assert [f.version for f in framings] == list(range(1, len(framings) + 1))
        first_groups = {partners[i].role_group.value for i in framings[0].partner_ids}
        if "lived_experience" in first_groups:
            continue
        staff_first.append(site.name)
        assert first_groups <= STAFF
        lived_joined = min(p.joined for p in partners.values() if p.role_group.value == "lived_experience")
        assert framings[0].date < lived_joined
        revisions = [
            f for f in framings[1:] if any(partners[i].role_group.value == "lived_experience" for i in f.partner_ids)
        ]
        assert revisions and revisions[0].date > framings[0].date
    assert staff_first == ["Wendlebury"]


def test_3_non_negotiables_late_or_not_accepted_at_one_site_each(demo):
    late, disputed, sound = [], [], []
    for site in demo.sites:
        partners = demo.partners(site.name)
        answers = defaultdict(dict)
        for row in demo.of(site.name, "acceptance"):
            answers[row.non_negotiable_id][row.partner_id] = row.response.value
        for rule in demo.of(site.name, "non_negotiable"):
            if rule.date_declared - site.start_date >= dt.timedelta(days=90):
                late.append(site.name)
            elif set(answers[rule.id].values()) != {"accepted"}:
                disputed.append(site.name)
                assert set(answers[rule.id].values()) & {"queried", "not_accepted"}
            else:
                sound.append(rule)
                assert rule.date_declared <= site.start_date
                taking_part = {p.id for p in partners.values() if p.left is None or p.left > rule.date_declared}
                assert set(answers[rule.id]) == taking_part
    assert late == ["Brackenford"] and disputed == ["Stourham"]
    assert len(sound) >= 5


def test_4_starting_ideas_set_aside_adopted_and_contested(demo):
    fates = defaultdict(set)
    for idea in demo.store.records("starting_idea"):
        fates[idea.fate.value].add(idea.site_id)
    assert set(fates) == {"set_aside", "adopted_after_exploration", "still_contested"}
    assert len(fates["set_aside"]) >= 3 and len(fates["adopted_after_exploration"]) >= 3


def test_5_exactly_one_site_agrees_its_evidence_plan_late(demo):
    late = {}
    for site in demo.sites:
        first = min(item.date_agreed for item in demo.of(site.name, "evidence_plan"))
        if first - site.start_date > dt.timedelta(weeks=8):
            late[site.name] = (first - site.start_date).days
    assert list(late) == ["Oxborough"] and late["Oxborough"] > 150


def test_6_culture_changes_first_and_service_change_is_not_everywhere(demo):
    reached_service = []
    for site in demo.sites:
        firsts = {}
        for outcome in sorted(demo.of(site.name, "outcome"), key=lambda o: o.date_observed):
            firsts.setdefault(outcome.change_type.value, outcome.date_observed)
        seen = [kind for kind in CHANGE_ORDER if kind in firsts]
        assert seen == CHANGE_ORDER[: len(seen)], site.name
        assert [firsts[kind] for kind in seen] == sorted(firsts[kind] for kind in seen)
        assert len(set(firsts.values())) == len(firsts)
        if "service" in firsts:
            reached_service.append(site.name)
    assert 3 <= len(reached_service) < 6
    outcomes = demo.store.records("outcome")
    assert {o.intended for o in outcomes} == {True, False}
    assert {o.substantiated for o in outcomes} == {True, False}
    assert any(o.direction.value == "negative" for o in outcomes)
    assert all(o.evidence_source for o in outcomes if o.substantiated)


def test_7_decisions_with_and_without_feedback(demo):
    decisions = demo.store.records("decision")
    told = [d for d in decisions if d.feedback]
    assert told and all(d.feedback_date is not None and d.feedback_date >= d.date for d in told)
    untold = [d for d in decisions if not d.feedback]
    assert untold and all(d.feedback_date is None for d in untold)
    assert any(d.why_no_change for d in decisions)
    assert any(d.why_no_change and not d.feedback for d in decisions)


def _self_assessments(demo, site_name: str) -> list:
    """The site's answers to the shared self-assessment, as (response, answers with numbers as numbers)."""
    from coprod_widgets.questions.instruments import SELF_ASSESSMENT, instrument_of

    sets = {qs.id: qs for qs in demo.store.records("question_set")}
    rows = []
    for response in demo.of(site_name, "question_response"):
        if instrument_of(sets[response.question_set_id]) is SELF_ASSESSMENT:
            numbers = {k: int(v) for k, v in response.answers.items() if k not in ("respondent_role", "comment")}
            rows.append((response, {**response.answers, **numbers}))
    return rows


def _score_gaps(demo, site_name: str, wave: int) -> dict[str, float]:
    rows = [a for _, a in _self_assessments(demo, site_name) if a["wave"] == wave]
    staff = [a for a in rows if a["respondent_role"] in STAFF]
    lived = [a for a in rows if a["respondent_role"] in LIVED]
    assert staff and lived, (site_name, wave)
    return {f"lp{n}": mean(a[f"lp{n}"] for a in staff) - mean(a[f"lp{n}"] for a in lived) for n in range(1, 9)}


def test_8_two_survey_waves_where_staff_score_higher_at_some_sites(demo):
    disagreeing = set()
    for site in demo.sites:
        rows = _self_assessments(demo, site.name)
        partners = demo.partners(site.name)
        assert {a["wave"] for _, a in rows} == {1, 2}
        for response, answers in rows:
            partner = partners[response.partner_id]
            assert answers["respondent_role"] == partner.role_group.value and _present(partner, response.date)
            assert all(1 <= answers[f"lp{n}"] <= 5 for n in range(1, 9)) and 1 <= answers["ladder_step"] <= 7
        if all(sum(gap >= 1 for gap in _score_gaps(demo, site.name, wave).values()) >= 3 for wave in (1, 2)):
            disagreeing.add(site.name)
    assert {"Wendlebury", "Saltmere", "Stourham"} <= disagreeing
    assert "Fenmarsh" not in disagreeing


def test_8_a_4pi_reflection_twice_a_year_by_people_taking_part(demo):
    from coprod_widgets.questions.instruments import REFLECTION_4PI, instrument_of

    sets = {qs.id: qs for qs in demo.store.records("question_set")}
    for site in demo.sites:
        partners = demo.partners(site.name)
        rows = [
            r
            for r in demo.of(site.name, "question_response")
            if instrument_of(sets[r.question_set_id]) is REFLECTION_4PI
        ]
        assert len(rows) >= 3, site.name
        for response in rows:
            partner = partners[response.partner_id]
            assert response.answers["respondent_role"] == partner.role_group.value and _present(partner, response.date)
            ratings = [response.answers[s] for s in ("principles", "purpose", "presence", "process", "impact")]
            assert set(ratings) <= {"1", "2", "3", "4", "5", "dont_know"}


def test_9_facilitation_by_one_sector_at_one_site_shared_elsewhere(demo):
    staff_only = []
    for site in demo.sites:
        partners = demo.partners(site.name)
        groups = {partners[i].role_group.value for a in demo.of(site.name, "activity") for i in a.facilitator_ids}
        if groups <= STAFF:
            staff_only.append(site.name)
        else:
            assert groups & LIVED and len(groups) >= 3, site.name
    assert staff_only == ["Wendlebury"]


def test_10_expectations_of_each_kind_of_change(demo):
    for site in demo.sites:
        hopes = sorted(demo.of(site.name, "expectation"), key=lambda e: e.expected_date)
        assert [h.change_kind.value for h in hopes] == CHANGE_ORDER, site.name
        assert all(h.expected_date > site.start_date for h in hopes)
