"""LP8 indicators: the questions each site asked, one row per answer, and a line per question.

A small store is built for real (so frames have exactly the types ``Store.frame`` gives): North answers its
own "Visits check" (two versions: a group, a repeat, one and several choices with labels, a calculation, a
note) and South the programme's "Core". Expected rows are kept as data below; the demo is checked last.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from coprod_widgets.evaluation import indicators as ind
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.indicators.site_questions import (
    ANSWER_COLUMNS,
    ASKED_COLUMNS,
    SUMMARY_COLUMNS,
    summarise,
)
from coprod_widgets.questions.answers import complete
from coprod_widgets.questions.library import checksum
from coprod_widgets.questions.xlsform import read_xlsform_text
from coprod_widgets.store import Store

WHO = "site questions tests"
T = pd.Timestamp

VISITS = """
| survey |
|  | type | name | label | calculation |
|  | note | intro | Thanks for filling this in | |
|  | integer | people | How many came? | |
STAFF
|  | select_one mood | mood | How did it feel? | |
|  | select_multiple topics | topics | What came up? | |
|  | begin group | more | More | |
|  | text | story | Anything else? | |
|  | end group | | | |
|  | begin repeat | visits | Visits | |
|  | date | visit_on | When? | |
|  | select_one kind | kind | What kind? | |
|  | end repeat | | | |
|  | calculate | double | Twice the people | ${people} * 2 |
| choices |
|  | list_name | name | label |
|  | mood | good | Good, mostly |
|  | mood | bad | Not good |
|  | topics | food | Food and drink |
|  | topics | stairs | Stairs |
|  | kind | home | At home |
|  | kind | ward | On the ward |
"""
CORE = """
| survey |
|  | type | name | label |
|  | select_one yesno | ok | All OK? |
| choices |
|  | list_name | name | label |
|  | yesno | yes | Yes |
|  | yesno | no | No |
"""
#: (key, site, whose, name, version, form, added)
SETS = [
    ("visits1", "North", "own", "Visits check", 1, VISITS.replace("STAFF\n", ""), "2015-03-01"),
    (
        "visits2",
        "North",
        "own",
        "Visits check",
        2,
        VISITS.replace("STAFF", "|  | integer | staff | How many staff? | |"),
        "2015-04-20",
    ),
    ("core", None, "every site", "Core", 1, CORE, "2015-02-01"),
]
#: (key, site, set, partner, date, answers)
RESPONSES = [
    (
        "r1",
        "North",
        "visits1",
        "Rosa",
        "2015-04-01",
        {
            "people": 4,
            "mood": "good",
            "topics": ["food", "stairs"],
            "story": "Rosa said it helped",
            "visits": [{"visit_on": "2015-03-20", "kind": "home"}, {"visit_on": "2015-03-27", "kind": "ward"}],
        },
    ),
    ("r2", "North", "visits2", None, "2015-05-01", {"people": 6, "staff": 2, "mood": "bad", "topics": ["stairs"]}),
    ("r3", "South", "core", None, "2015-04-15", {"ok": "yes"}),
]
#: answers_frame's rows: (response, question, label, type, value with labels, value with codes)
ANSWERS = [
    ("r1", "people", "How many came?", "integer", "4", "4"),
    ("r1", "mood", "How did it feel?", "select_one", "Good, mostly", "good"),
    ("r1", "topics", "What came up?", "select_multiple", "Food and drink; Stairs", "food; stairs"),
    ("r1", "story", "Anything else?", "text", "Rosa said it helped", "Rosa said it helped"),
    ("r1", "visits[1]/visit_on", "When?", "date", "2015-03-20", "2015-03-20"),
    ("r1", "visits[1]/kind", "What kind?", "select_one", "At home", "home"),
    ("r1", "visits[2]/visit_on", "When?", "date", "2015-03-27", "2015-03-27"),
    ("r1", "visits[2]/kind", "What kind?", "select_one", "On the ward", "ward"),
    ("r1", "double", "Twice the people", "calculate", "8", "8"),
    ("r2", "people", "How many came?", "integer", "6", "6"),
    ("r2", "staff", "How many staff?", "integer", "2", "2"),
    ("r2", "mood", "How did it feel?", "select_one", "Not good", "bad"),
    ("r2", "topics", "What came up?", "select_multiple", "Stairs", "stairs"),
    ("r2", "double", "Twice the people", "calculate", "12", "12"),
    ("r3", "ok", "All OK?", "select_one", "Yes", "yes"),
]
#: answer_summary: (site, form, question, label, type, answers, summary), in its order
SUMMARY = [
    ("South", "Core", "ok", "All OK?", "select_one", 1, "Yes 1"),
    ("North", "Visits check", "people", "How many came?", "integer", 2, "mean 5.0, from 4 to 6 (n=2)"),
    ("North", "Visits check", "mood", "How did it feel?", "select_one", 2, "Good, mostly 1; Not good 1"),
    ("North", "Visits check", "topics", "What came up?", "select_multiple", 2, "Stairs 2, Food and drink 1"),
    ("North", "Visits check", "story", "Anything else?", "text", 1, "1 written answer"),
    ("North", "Visits check", "visits/visit_on", "When?", "date", 2, "from 2015-03-20 to 2015-03-27"),
    ("North", "Visits check", "visits/kind", "What kind?", "select_one", 2, "At home 1, On the ward 1"),
    ("North", "Visits check", "double", "Twice the people", "calculate", 2, "mean 10.0, from 8 to 12 (n=2)"),
    ("North", "Visits check", "staff", "How many staff?", "integer", 1, "mean 2.0, from 2 to 2 (n=1)"),
]
#: questions_asked: (site, form, whose, first added, version, versions, questions, answer sets, latest answer)
ASKED = [
    ("North", "Core", "every site", T("2015-02-01"), 1, "1", 1, 0, pd.NaT),
    ("North", "Visits check", "this site's own", T("2015-03-01"), 2, "1, 2", 8, 2, T("2015-05-01")),
    ("South", "Core", "every site", T("2015-02-01"), 1, "1", 1, 1, T("2015-04-15")),
    ("Quiet", "Core", "every site", T("2015-02-01"), 1, "1", 1, 0, pd.NaT),
]
#: summarise(type, values) -> the line; written answers are never quoted
SUMMARISE_CASES = [
    ("range", ["1", "5", "3", "4"], "mean 3.2, from 1 to 5 (n=4)"),
    ("decimal", ["1.5", "2.25"], "mean 1.9, from 1.5 to 2.25 (n=2)"),
    ("select_one", ["Yes", "No", "Yes", "Yes", "No", "Yes"], "Yes 4, No 2"),
    ("select_multiple", ["a; b", "b", "c; b"], "b 3, a 1, c 1"),
    ("acknowledge", ["OK", "OK"], "OK 2"),
    ("date", ["2015-12-06", "2015-07-09", "2015-09-01"], "from 2015-07-09 to 2015-12-06"),
    ("date", ["2015-07-09"], "on 2015-07-09"),
    ("text", ["Ann said no", "call Bob", "x", "y", "z", "w"], "6 written answers"),
    ("calculate", ["8", "12"], "mean 10.0, from 8 to 12 (n=2)"),
    ("calculate", ["Ann: 4", "12"], "2 written answers"),
    ("", ["something"], "1 written answer"),
]


def add_set(store: Store, site_id: int | None, name: str, version: int, text: str, added: str) -> int:
    form = read_xlsform_text(text, name=name)
    definition = form.to_json()
    values = {
        "site_id": site_id,
        "name": name,
        "version": version,
        "source": f"{name}.md",
        "checksum": checksum(definition),
        "definition": definition,
        "added": added,
    }
    return store.add("question_set", values, WHO).id


def build(store: Store) -> dict[str, int]:
    programme = store.add("programme", {"name": "Questions"}, WHO).id
    ids: dict[str, int] = {}
    for name in ("North", "South", "Quiet"):
        site = {"programme_id": programme, "name": name, "service_issue": "Care", "start_date": "2015-01-05"}
        ids[name] = store.add("site", site, WHO).id
    partner = {"site_id": ids["North"], "display_name": "Rosa", "role_group": "carer", "joined": "2015-01-05"}
    ids["Rosa"] = store.add("partner", partner, WHO).id
    forms = {}
    for key, site, _whose, name, version, text, added in SETS:
        ids[key] = add_set(store, ids[site] if site else None, name, version, text, added)
        forms[key] = read_xlsform_text(text, name=name)
    for key, site, chosen, partner_name, date, answers in RESPONSES:
        values = {
            "site_id": ids[site],
            "question_set_id": ids[chosen],
            "partner_id": ids[partner_name] if partner_name else None,
            "date": date,
            "answers": complete(forms[chosen], answers, today=dt.date.fromisoformat(date)),
        }
        ids[key] = store.add("question_response", values, WHO).id
    return ids


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('questions') / 'questions.db'}")
    ids = build(store)
    data = load_programme(store)
    empty = {"sets": store.frame("question_set").iloc[0:0], "responses": store.frame("question_response").iloc[0:0]}
    store.close()
    return data, ids, empty


@pytest.fixture(scope="module")
def nothing(tmp_path_factory):
    """An empty store's frames: object columns, no rows."""
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('nothing') / 'nothing.db'}")
    data = load_programme(store)
    store.close()
    return data


def args(data, sets=None, responses=None):
    return (
        data["question_set"] if sets is None else sets,
        data["question_response"] if responses is None else responses,
        data.sites,
    )


def plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, pd.Timestamp) else value


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


# ---- the contract: columns and types, with data and without --------------------------------------------------

CONTRACTS = [
    ("answers_frame", ANSWER_COLUMNS),
    ("questions_asked", ASKED_COLUMNS),
    ("answer_summary", SUMMARY_COLUMNS),
]


def call(name: str, data, **frames) -> pd.DataFrame:
    if name == "answer_summary":
        return ind.answer_summary(ind.answers_frame(*args(data, **frames)))
    return getattr(ind, name)(*args(data, **frames))


@pytest.mark.parametrize(("name", "schema"), CONTRACTS, ids=[case[0] for case in CONTRACTS])
def test_columns_and_types_do_not_depend_on_the_data(name, schema, built, nothing):
    data, _ids, empty = built
    full = call(name, data)
    assert list(full.columns) == list(schema) and len(full) and list(full.index) == list(range(len(full)))
    for other in (
        call(name, nothing),  # an empty store
        call(name, data, **empty),  # no question sets at all
        call(name, data, responses=empty["responses"]),  # sets, but no answers
    ):
        assert list(other.columns) == list(schema)
        assert dict(other.dtypes.astype(str)) == dict(full.dtypes.astype(str))
    assert name in ind.__all__


def test_inputs_are_not_changed(built):
    data, _ids, _empty = built
    before = {kind: data[kind].copy() for kind in ("question_set", "question_response")}
    for name, _schema in CONTRACTS:
        call(name, data)
    for kind, frame in before.items():
        pd.testing.assert_frame_equal(data[kind], frame)


# ---- answers_frame -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("labels", [True, False], ids=["labels", "codes"])
def test_answers_frame_one_row_per_answer(built, labels):
    data, ids, _empty = built
    frame = ind.answers_frame(*args(data), labels=labels)
    expected = [
        (ids[key], question, label, kind, shown if labels else code)
        for key, question, label, kind, shown, code in ANSWERS
    ]
    assert rows(frame, "response_id", "question", "label", "type", "value") == expected


def test_answers_frame_says_where_when_and_who_but_never_a_name(built):
    data, ids, _empty = built
    frame = ind.answers_frame(*args(data))
    first = frame.iloc[0]
    assert (first["site_id"], first["site"], first["form"], first["version"]) == (
        ids["North"],
        "North",
        "Visits check",
        1,
    )
    assert first["date"] == T("2015-04-01") and first["respondent"] == str(ids["Rosa"])
    by_response = frame.groupby("response_id")["respondent"].first()
    assert by_response[ids["r2"]] == "" and by_response[ids["r3"]] == ""
    assert not frame["respondent"].str.contains("Rosa").any()
    assert set(frame[frame["response_id"] == ids["r2"]]["version"]) == {2}
    assert "intro" not in set(frame["question"]) and "more" not in set(frame["question"]), "no notes or groups"


def test_answers_frame_keeps_only_the_sites_given(built):
    data, ids, _empty = built
    south = data.sites[data.sites["name"] == "South"]
    frame = ind.answers_frame(data["question_set"], data["question_response"], south)
    assert rows(frame, "site", "question", "value") == [("South", "ok", "Yes")]


def test_answers_to_a_set_not_given_are_listed_not_lost(built):
    data, ids, _empty = built
    only_core = data["question_set"][data["question_set"]["name"] == "Core"]
    frame = ind.answers_frame(only_core, data["question_response"], data.sites)
    north = frame[frame["site"] == "North"]
    assert len(north) == 11 and set(north["form"]) == {
        f"question set {ids['visits1']}",
        f"question set {ids['visits2']}",
    }
    assert north["version"].isna().all() and set(north["type"]) == {""} and set(north["label"]) >= {"people", "visits"}
    assert north.loc[north["question"] == "topics", "value"].iloc[0] == "food; stairs", "codes: no form to label them"


# ---- questions_asked ---------------------------------------------------------------------------------------------


def test_questions_asked_lists_every_set_for_every_site(built):
    data, _ids, _empty = built
    asked = ind.questions_asked(*args(data))
    columns = [
        "site",
        "form",
        "whose",
        "first_added",
        "version",
        "versions",
        "questions",
        "answer_sets",
        "latest_answer",
    ]
    assert rows(asked, *columns) == [tuple(plain(v) for v in row) for row in ASKED]


def test_a_site_with_nothing_asked_still_has_a_row(built):
    data, _ids, empty = built
    own = data["question_set"][data["question_set"]["site_id"].notna()]
    asked = ind.questions_asked(own, data["question_response"], data.sites)
    assert rows(asked, "site", "form", "whose", "questions", "answer_sets") == [
        ("North", "Visits check", "this site's own", 8, 2),
        ("South", "", "no question sets", 0, 0),
        ("Quiet", "", "no question sets", 0, 0),
    ]
    none = ind.questions_asked(*args(data, **empty))
    assert list(none["site"]) == ["North", "South", "Quiet"] and set(none["answer_sets"]) == {0}


def test_sets_without_answers_count_zero(built):
    data, _ids, empty = built
    asked = ind.questions_asked(*args(data, responses=empty["responses"]))
    assert len(asked) == len(ASKED) and set(asked["answer_sets"]) == {0} and asked["latest_answer"].isna().all()


# ---- answer_summary ----------------------------------------------------------------------------------------------


def test_answer_summary_one_line_per_question_and_site(built):
    data, _ids, _empty = built
    summary = ind.answer_summary(ind.answers_frame(*args(data)))
    assert rows(summary, "site", "form", "question", "label", "type", "answers", "summary") == SUMMARY
    assert not summary["summary"].str.contains("Rosa").any(), "written answers are never quoted"


@pytest.mark.parametrize(
    ("kind", "values", "expected"), SUMMARISE_CASES, ids=[f"{c[0] or 'unknown'}-{c[2]}" for c in SUMMARISE_CASES]
)
def test_summarise(kind, values, expected):
    assert summarise(kind, pd.Series(values, dtype="str")) == expected


def test_answer_summary_takes_versions_and_repeats_together():
    answers = pd.DataFrame(
        {
            "site_id": [1, 1, 1],
            "site": ["A", "A", "A"],
            "response_id": [1, 1, 2],
            "respondent": ["", "", ""],
            "date": [T("2015-01-01")] * 3,
            "form": ["F", "F", "F"],
            "version": [1, 1, 2],
            "question": ["r[1]/n", "r[2]/n", "r[1]/n"],
            "label": ["Old", "Old", "New"],
            "type": ["integer"] * 3,
            "value": ["1", "2", "6"],
        }
    )
    summary = ind.answer_summary(answers)
    assert rows(summary, "question", "label", "answers", "summary") == [
        ("r/n", "New", 3, "mean 3.0, from 1 to 6 (n=3)")
    ]


# ---- the demo ----------------------------------------------------------------------------------------------------


def test_demo_three_sites_ask_their_own_and_three_none(demo_db_url):
    store = Store.open(demo_db_url, create=False)
    data = load_programme(store)
    store.close()
    asked = ind.questions_asked(*args(data))
    own = asked[asked["whose"] == "this site's own"]
    assert sorted(own["site"]) == ["Brackenford", "Oxborough", "Saltmere"]
    assert list(own["answer_sets"]) == [6, 6, 6] and own["answer_sets"].sum() == 18
    # Every site answers the two shared instruments (the programme's sets); three ask nothing of their own.
    shared = asked[asked["whose"] == "every site"]
    assert sorted(set(shared["form"])) == ["4Pi involvement reflection", "Self-assessment"]
    assert sorted(set(shared["site"])) == sorted(site.name for site in data.sites.itertuples())
    assert (shared["answer_sets"] > 0).all(), "the demo answers both instruments at every site"
    assert asked[asked["whose"] == "no question sets"].empty
    assert sorted(set(asked["site"]) - set(own["site"])) == ["Fenmarsh", "Stourham", "Wendlebury"]

    every = ind.answers_frame(*args(data))
    answers = every[~every["form"].isin(["Self-assessment", "4Pi involvement reflection"])]
    assert answers["response_id"].nunique() == 18 and len(answers) == 76
    assert set(answers["site"]) == {"Brackenford", "Oxborough", "Saltmere"}
    assert "Medicine not stocked on the ward" in set(answers["value"]), "choices shown by their labels"
    assert "First week" in set(answers["value"]), "Oxborough's default language (English) is used"
    summary = ind.answer_summary(answers)
    assert len(summary) == 13 and set(summary["answers"]) <= {5, 6}
    written = set(answers.loc[answers["type"] == "text", "value"])
    assert written and not any(text in line for text in written for line in summary["summary"])
