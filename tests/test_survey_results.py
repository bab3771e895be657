"""Survey answers as evidence: read through the mapping, counted per learning point, small counts hidden everywhere."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from coprod_widgets.evaluation import sections
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.render import SectionView
from coprod_widgets.evaluation.survey_evidence import NO_SURVEYS, survey_evidence
from coprod_widgets.reports.gripp2 import gripp2_items
from coprod_widgets.surveys import results
from coprod_widgets.surveys.mapping import LIKERT_SCALES

WHO = "test"
AGREE = list(LIKERT_SCALES["agreement"])
OFTEN = list(LIKERT_SCALES["frequency"])
MAPPING = {
    "survey": "Views <b>survey</b>",
    "tool": "kobo",
    "role_column": "who",
    "roles": {"Carer": "carer", "Staff": "clinician"},
    "questions": [
        {"question": "agreed", "learning_point": "lp1", "scores": {a: n for n, a in enumerate(AGREE, 1)}},
        {"question": "heard", "learning_point": "lp1", "scores": {a: n for n, a in enumerate(AGREE, 1)}},
        {"question": "asked", "learning_point": "lp1", "scores": {a: n for n, a in enumerate(OFTEN, 1)}},
        {"question": "<i>led</i>", "learning_point": "lp4", "scores": {a: n for n, a in enumerate(AGREE, 1)}},
    ],
}


def _add_survey(store, site_id: int, rows: list[tuple[str | None, dict]], mapping=MAPPING) -> int:
    survey = store.add(
        "survey", {"site_id": site_id, "name": mapping["survey"], "tool": mapping["tool"], "mapping": mapping,
                   "added": "2016-01-10"}, WHO)  # fmt: skip
    done = store.add(
        "survey_import",
        {"site_id": site_id, "survey_id": survey.id, "file_name": "views.csv", "checksum": "1" * 64,
         "imported": "2016-01-10", "rows_read": len(rows), "responses_added": len(rows), "responses_repeated": 0,
         "unreadable_rows": "row 7: too many cells\nrow 9: too many cells\nand 3 more rows", "mapping": mapping},
        WHO,
    )  # fmt: skip
    with store.bulk(WHO) as batch:
        for number, (role, answers) in enumerate(rows):
            batch.add(
                "survey_response",
                {"site_id": site_id, "survey_id": survey.id, "import_id": done.id, "response_key": f"r{number}",
                 "submitted": "2016-01-05", "respondent_role": role, "complete": True, "answers": answers},
            )  # fmt: skip
    return survey.id


def _sites(store) -> tuple[int, int]:
    programme = store.add("programme", {"name": "P"}, WHO)
    ids = []
    for name in ("North", "South"):
        values = {"programme_id": programme.id, "name": name, "service_issue": "Care", "start_date": "2015-03-01"}
        ids.append(store.add("site", values, WHO).id)
    return ids[0], ids[1]


def _rows(role: str | None, count: int, **answers) -> list[tuple[str | None, dict]]:
    return [(role, dict(answers)) for _ in range(count)]


@pytest.fixture
def surveyed(store):
    """North: 12 carers and 9 staff, answers chosen so that some counts are small; South: 6 staff."""
    north, south = _sites(store)
    rows = (
        _rows("carer", 10, agreed="Agree", heard="strongly  AGREE", asked="Often", note="Ann said <script>x</script>")
        + _rows("carer", 2, agreed="Disagree", heard="Don't know", asked="Never")
        + _rows("clinician", 6, agreed="Strongly agree", heard="Agree", asked="Always", **{"<i>led</i>": "Agree"})
        + _rows("clinician", 3, agreed="Neither agree nor disagree", heard="Agree", asked="Rarely")
    )
    _add_survey(store, north, rows)
    _add_survey(store, south, _rows("clinician", 6, agreed="Agree", heard="Agree", asked=["Often", "Always"]))
    return store


def test_answers_are_read_through_the_mapping_onto_each_question_scale(surveyed):
    answers = results.survey_answers(load_programme(surveyed))
    assert set(answers["question"]) == {"agreed", "heard", "asked", "<i>led</i>"}  # "note" is not mapped
    heard = answers[(answers["question"] == "heard") & (answers["site"] == "North")]
    assert heard["answer"].value_counts().to_dict() == {"Strongly agree": 10, "Agree": 9, "Don't know": 2}
    assert heard.loc[heard["answer"] == "Don't know", "level"].isna().all()
    assert heard.loc[heard["answer"] == "Strongly agree", "level"].eq(5).all()
    several = answers[(answers["question"] == "asked") & (answers["site"] == "South")]
    assert set(several["answer"]) == {"Often; Always"} and several["level"].isna().all()
    assert set(answers["role"]) == {"Carer", "Clinician"}


def test_a_learning_point_counts_its_questions_together_only_on_one_scale(surveyed):
    answers = results.survey_answers(load_programme(surveyed))
    items = [(levels[-1], name) for levels, name, _ in results.item_rows(answers, "lp1")]
    assert items == [
        ("Strongly agree", "All 2 LP1 questions answered Strongly disagree to Strongly agree"),
        ("Strongly agree", "agreed"),
        ("Strongly agree", "heard"),
        ("Always", "asked"),
    ]


def _cells(counts: pd.DataFrame, item: str, group: str) -> dict[str, object]:
    rows = counts[(counts["item"] == item) & (counts["group"] == group)]
    return dict(zip(rows["answer"], rows["count"], strict=True))


def test_small_counts_are_hidden_with_one_more_when_the_total_would_give_it_away(surveyed):
    data = load_programme(surveyed, sites=["North"])
    [(agree, counts), (_often, _)] = results.counts_for(results.survey_answers(data), "lp1", by="role")
    carers = _cells(counts, "agreed", "Carer")  # 10 agree, 2 disagree: the 2 is hidden, and so is the 10
    assert pd.isna(carers["Disagree"]) and pd.isna(carers["Agree"])
    staff = _cells(counts, "agreed", "Clinician")  # 6 strongly agree, 3 neither
    assert pd.isna(staff["Neither agree nor disagree"]) and pd.isna(staff["Strongly agree"])
    # everyone's 10 agree less staff's 0 would give the carers' 10 away, so staff's 0 is hidden too
    everyone = _cells(counts, "agreed", results.EVERYONE)
    assert everyone["Agree"] == 10 and pd.isna(staff["Agree"])
    assert list(dict.fromkeys(counts["group"]))[0] == results.EVERYONE
    table = results.counts_table(counts, agree, "hidden")
    row = table[(table["item"] == "agreed") & (table["group"] == "Carer")].iloc[0]
    assert (row["Disagree"], row["Agree"], row["total"]) == ("hidden", "hidden", 12)


def test_a_group_smaller_than_the_threshold_shows_its_total_only(store):
    north, _ = _sites(store)
    _add_survey(store, north, _rows("carer", 4, agreed="Agree") + _rows("clinician", 8, agreed="Agree"))
    [(_, counts)] = results.counts_for(results.survey_answers(load_programme(store)), "lp1", by="role")
    carers = counts[(counts["item"] == "agreed") & (counts["group"] == "Carer")]
    assert carers["suppressed"].all() and carers["total"].eq(4).all()


@pytest.mark.parametrize(
    ("upper", "lower", "shown"),
    [(10, 10, 10), (10, 0, 10), (0, 10, 0), (3, 10, None), (10, 3, None), (2, 2, None)],
)
def test_upper_share_is_given_only_when_neither_part_is_small(store, upper, lower, shown):
    north, _ = _sites(store)
    _add_survey(store, north, _rows("carer", upper, agreed="Agree") + _rows("carer", lower, agreed="Disagree"))
    [found] = results.upper_share(results.survey_answers(load_programme(store)), "lp1")
    assert found["upper"] == shown and found["answers"] == upper + lower


def _text(parts: list) -> str:
    html = SectionView(parts).html(embed="svg")
    return re.sub(r"\s+", " ", re.sub(r"<svg.*?</svg>", " ", html, flags=re.S))


def test_each_learning_point_section_ends_with_its_survey_evidence_or_says_there_is_none(surveyed):
    data = load_programme(surveyed)
    lp1 = _text(sections.lp1(data))
    assert "LP1 survey answers by role group (Strongly disagree to Strongly agree)" in lp1
    assert "LP1 survey answers by role group (Never to Always)" in lp1
    assert "LP1 survey answers at each site" in lp1
    assert "<script>" not in lp1 and "Ann said" not in lp1  # free text is never shown
    assert "Views &lt;b&gt;survey&lt;/b&gt;" in lp1
    lp4 = _text(sections.lp4(data))
    assert "&lt;i&gt;led&lt;/i&gt;" in lp4 and "<i>led</i>" not in lp4
    assert "no survey question is mapped to LP3" in _text(sections.lp3(data))


def test_no_survey_responses_is_said_not_left_blank(store):
    _sites(store)
    data = load_programme(store)
    assert survey_evidence(data, "lp1")[0].data == f"<p>{NO_SURVEYS}</p>"
    assert NO_SURVEYS in _text(sections.surveys(data))


def test_a_role_group_filter_keeps_only_those_respondents(surveyed):
    data = load_programme(surveyed, groups=["carer"])
    assert set(data["survey_response"]["respondent_role"]) == {"carer"}
    assert set(results.survey_answers(data)["role"]) == {"Carer"}


def test_the_surveys_list_says_tool_responses_mapping_and_unreadable_rows(surveyed):
    summary = results.surveys_summary(load_programme(surveyed))
    north = summary[summary["site"] == "North"].iloc[0]
    assert north["tool"] == "KoboToolbox" and north["responses"] == 21 and north["questions"] == 4
    assert north["learning_points"] == "LP1, LP4" and north["unreadable"] == 5


def test_gripp2_says_which_surveys_and_what_they_found_without_small_counts(surveyed):
    methods, results_item = gripp2_items(load_programme(surveyed))[1:3]
    said = " ".join(methods.findings)
    assert "2 surveys at 2 sites (KoboToolbox): 27 responses" in said
    assert "carer: 12; clinician: 15" in said
    lp1 = [line for line in results_item.findings if line.startswith("Survey answers on LP1")]
    assert len(lp1) == 2 and any("% in the upper half of the scale" in line for line in lp1)


def test_gripp2_says_when_no_survey_was_imported(store):
    _sites(store)
    methods = gripp2_items(load_programme(store))[1]
    assert any("No survey responses are imported" in line for line in methods.findings)


def test_gripp2_does_not_count_a_small_role_group(store):
    north, _ = _sites(store)
    _add_survey(store, north, _rows("carer", 3, agreed="Agree") + _rows("clinician", 8, agreed="Agree"))
    said = " ".join(gripp2_items(load_programme(store))[1].findings)
    assert "11 responses" in said
    assert "carer: not given; clinician: not given" in said  # 3 carers of 11: the 8 staff would give them away


def _single_unknowns(counts: pd.DataFrame, partitioned: bool) -> list[tuple]:
    """The sums on show (a row to its total, the groups to everyone's, the questions to all of them together)
    with exactly one hidden figure: each would give that figure away."""
    hidden = {(r.item, r.group, r.answer): r.suppressed for r in counts.itertuples(index=False)}
    for r in counts.drop_duplicates(["item", "group"]).itertuples(index=False):
        hidden[(r.item, r.group, "off")] = pd.isna(r.off_scale)
    items, groups = list(dict.fromkeys(counts["item"])), list(dict.fromkeys(counts["group"]))
    answers = [*dict.fromkeys(counts["answer"])]
    sums = [[(i, g, a) for a in answers] for i in items for g in groups]
    for a in [*answers, "off"]:
        if partitioned:
            sums += [[(i, g, a) for g in groups] for i in items]
        if items[0].startswith("All "):
            sums += [[(i, g, a) for i in items] for g in groups]
    return [cells for cells in sums if sum(hidden[cell] for cell in cells) == 1]


@pytest.mark.parametrize(("site", "by"), [("North", "role"), (None, "role"), (None, "site")])
def test_no_hidden_count_can_be_worked_out_from_the_figures_beside_it(surveyed, site, by):
    data = load_programme(surveyed, sites=[site] if site else None)
    found = results.counts_for(results.survey_answers(data), "lp1", by=by)
    assert any(counts["suppressed"].any() for _, counts in found)
    for _levels, counts in found:
        assert _single_unknowns(counts, partitioned=True) == []
