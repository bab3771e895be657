"""The 4Pi involvement reflection: the indicator (cases as data), its section and chart, the demo's figures.

Hand-made frames have the columns ``load_programme`` gives ``data["reflection_4pi"]`` (ratings as the choice
names "1".."5" or "dont_know"); the section and privacy tests store real answers in the small programme.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from coprod_widgets.evaluation import charts, sections
from coprod_widgets.evaluation import indicators as ind
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.indicators.reflection import NO_REFLECTION, STANDARDS
from coprod_widgets.evaluation.render import SectionView
from coprod_widgets.store import Store

WHO = "reflection tests"
COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "standard": "str",
    "answers": "int64",
    "rated": "int64",
    "dont_know": "int64",
    "mean_rating": "float64",
    "staff_mean": "float64",
    "lived_mean": "float64",
    "gap": "float64",
    "notes": "int64",
    "reading": "str",
}
ORDER = ["principles", "purpose", "presence", "process", "impact"]
SITES = pd.DataFrame(
    {
        "id": [1, 2],
        "name": ["North", "South"],
        "start_date": pd.to_datetime(["2015-03-01", "2015-03-01"]),
    }
)


def reflections(rows: list[tuple], site_id: int = 1) -> pd.DataFrame:
    """One reflection per (role, principles answer[, principles notes]); the other standards are rated 3."""
    records = []
    for n, (role, principles, *notes) in enumerate(rows, start=1):
        record = {
            "id": n,
            "site_id": site_id,
            "partner_id": pd.NA,
            "date": pd.Timestamp("2015-09-01"),
            "question_set_id": 2,
            "version": 1,
            "respondent_role": role,
        }
        for standard in ORDER:
            record[standard] = principles if standard == "principles" else "3"
            record[f"{standard}_notes"] = (notes[0] if notes else "") if standard == "principles" else ""
        records.append(record)
    frame = pd.DataFrame(records)
    frame["partner_id"] = frame["partner_id"].astype("Int64")
    return frame


def principles_at_north(rows: list[tuple]) -> dict:
    out = ind.reflection_by_site(SITES, reflections(rows))
    return out[(out["site"] == "North") & (out["standard"] == "principles")].iloc[0].to_dict()


NAN = float("nan")
#: (answers at North to "principles", then the row expected: answers, rated, dont_know, mean, staff mean,
#: lived-experience mean, and the reading, word for word).
CASES = [
    pytest.param(
        [("clinician", "4"), ("carer", "3"), ("lived_experience", "2")],
        (3, 3, 0, 3.0, 4.0, 2.5),
        "mean 3.0 of 5 from 3 ratings; staff rated it 1.5 higher than people with lived experience "
        "(staff 4.0 from 1, lived experience 2.5 from 2)",
        id="three ratings are read, with the gap",
    ),
    pytest.param(
        [("clinician", "4"), ("carer", "2"), ("carer", "dont_know")],
        (3, 2, 1, 3.0, 4.0, 2.0),
        "not enough answers (2 rated); 1 said don't know",
        id="fewer than three ratings are not read",
    ),
    pytest.param(
        [("carer", "dont_know"), ("carer", "dont_know")],
        (2, 0, 2, NAN, NAN, NAN),
        "not enough answers (0 rated); 2 said don't know",
        id="only don't know: nothing rated, never a score",
    ),
    pytest.param(
        [("carer", "dont_know"), ("carer", "dont_know"), ("manager", "5"), ("manager", "5"), ("carer", "1")],
        (5, 3, 2, 11 / 3, 5.0, 1.0),
        "mean 3.7 of 5 from 3 ratings; 2 said don't know; staff rated it 4.0 higher than people with lived "
        "experience (staff 5.0 from 2, lived experience 1.0 from 1)",
        id="don't know is counted, not scored",
    ),
    pytest.param(
        [("clinician", "4"), ("clinician", "3"), ("carer", "3")],
        (3, 3, 0, 10 / 3, 3.5, 3.0),
        "mean 3.3 of 5 from 3 ratings",
        id="a gap under 1 is not mentioned",
    ),
    pytest.param(
        [("clinician", "4"), ("manager", "4"), ("commissioner", "3"), ("carer", "3"), ("carer", "3")]
        + [("lived_experience", "2")],
        (6, 6, 0, 19 / 6, 11 / 3, 8 / 3),
        "mean 3.2 of 5 from 6 ratings; staff rated it 1.0 higher than people with lived experience "
        "(staff 3.7 from 3, lived experience 2.7 from 3)",
        id="a gap of 1 counts despite rounding (11/3 - 8/3)",
    ),
    pytest.param(
        [("carer", "5"), ("lived_experience", "5"), ("clinician", "3")],
        (3, 3, 0, 13 / 3, 3.0, 5.0),
        "mean 4.3 of 5 from 3 ratings; people with lived experience rated it 2.0 higher than staff "
        "(staff 3.0 from 1, lived experience 5.0 from 2)",
        id="lived experience rating higher is said so",
    ),
    pytest.param(
        [("clinician", "4"), ("manager", "4"), ("commissioner", "3")],
        (3, 3, 0, 11 / 3, 11 / 3, NAN),
        "mean 3.7 of 5 from 3 ratings; no rating from people with lived experience",
        id="only staff rated",
    ),
    pytest.param(
        [("carer", "2"), ("lived_experience", "3"), ("lived_experience", "4"), ("voluntary_sector", "1")],
        (4, 4, 0, 2.5, NAN, 3.0),
        "mean 2.5 of 5 from 4 ratings; no rating from staff",
        id="only lived experience rated (and the voluntary sector, in the mean only)",
    ),
    pytest.param(
        [("other", "1"), ("voluntary_sector", "1"), ("clinician", "4"), ("carer", "4")],
        (4, 4, 0, 2.5, 4.0, 4.0),
        "mean 2.5 of 5 from 4 ratings",
        id="other groups count in the mean, not in either side",
    ),
    pytest.param(
        [("carer", ""), ("carer", None), ("carer", "3"), ("carer", "3"), ("clinician", "3")],
        (3, 3, 0, 3.0, 3.0, 3.0),
        "mean 3.0 of 5 from 3 ratings",
        id="a blank answer is not an answer",
    ),
]


@pytest.mark.parametrize(("given", "figures", "words"), CASES)
def test_reflection_by_site(given, figures, words):
    row = principles_at_north(given)
    names = ("answers", "rated", "dont_know", "mean_rating", "staff_mean", "lived_mean")
    for name, wanted in zip(names, figures, strict=True):
        assert row[name] == pytest.approx(wanted, nan_ok=True), name
    assert row["reading"] == words
    staff, lived = figures[4], figures[5]
    assert row["gap"] == pytest.approx(staff - lived, nan_ok=True), "staff minus lived, NaN unless both rated"


def test_one_row_per_site_and_standard_in_order_with_the_columns_and_types():
    out = ind.reflection_by_site(SITES, reflections([("carer", "4")] * 3))
    assert list(out.columns) == list(COLUMNS) and dict(out.dtypes.astype(str)) == COLUMNS
    assert out["site"].tolist() == ["North"] * 5 + ["South"] * 5
    assert out["standard"].tolist() == ORDER * 2 and list(STANDARDS) == ORDER
    assert list(out.index) == list(range(10))
    empty = ind.reflection_by_site(SITES.head(0), reflections([("carer", "4")]))
    assert empty.empty and dict(empty.dtypes.astype(str)) == COLUMNS


def test_a_site_with_no_reflection_says_so_and_has_no_mean():
    out = ind.reflection_by_site(SITES, reflections([("carer", "4")] * 3))
    south = out[out["site"] == "South"]
    assert (south["reading"] == NO_REFLECTION).all() and NO_REFLECTION == "no 4Pi reflection answered yet"
    assert (south[["answers", "rated", "dont_know", "notes"]] == 0).all().all()
    assert south[["mean_rating", "staff_mean", "lived_mean", "gap"]].isna().all().all()
    north = out[out["site"] == "North"]
    assert (north["reading"] != NO_REFLECTION).all() and north["mean_rating"].tolist()[1:] == [3.0] * 4


@pytest.mark.parametrize(
    "answers",
    [
        pd.DataFrame(columns=["id", "site_id", "partner_id", "date", "question_set_id", "version"]),
        reflections([("carer", "4")]).head(0),
    ],
    ids=["a store without the instrument", "no answers yet"],
)
def test_no_reflections_at_all(answers):
    out = ind.reflection_by_site(SITES, answers)
    assert len(out) == 10 and (out["reading"] == NO_REFLECTION).all()
    assert dict(out.dtypes.astype(str)) == COLUMNS


def test_notes_are_counted_never_quoted():
    given = [("carer", "4", "Ask Rosa Patel, she knows"), ("carer", "4", "  "), ("clinician", "4", "Dev agreed")]
    out = ind.reflection_by_site(SITES, reflections(given))
    north = out[out["site"] == "North"].set_index("standard")
    assert north.loc["principles", "notes"] == 2 and north.loc["purpose", "notes"] == 0
    text = out.to_string()
    assert "Rosa" not in text and "Dev" not in text


def test_only_the_sites_given_and_the_input_is_not_changed():
    answers = pd.concat(
        [reflections([("carer", "4")] * 3), reflections([("carer", "1")] * 3, site_id=3)], ignore_index=True
    )
    before = answers.copy()
    out = ind.reflection_by_site(SITES, answers)
    assert set(out["site_id"]) == {1, 2} and (out.loc[out["site"] == "North", "rated"] == 3).all()
    pd.testing.assert_frame_equal(answers, before)


def test_exported_like_the_other_indicators():
    assert "reflection_by_site" in ind.__all__ and ind.reflection_by_site is not None
    assert "reflection_chart" in charts.__all__


# ---- the section, on a real store ----------------------------------------------------------------


def _answer(store, refs, role: str, rating: str, partner=None, notes: str = ""):
    answers = {"respondent_role": role, **dict.fromkeys(ORDER, rating)}
    if notes:
        answers["presence_notes"] = notes
    data = {"site_id": refs["site"], "question_set_id": refs["reflection_4pi"], "partner_id": partner}
    store.add("question_response", {**data, "date": "2015-06-01", "answers": answers}, who=WHO)


def _html(parts: list) -> str:
    return SectionView(parts).html(embed="svg")


def test_the_section_says_so_when_no_reflection_was_answered(store, small_programme):
    html = _html(sections.reflection_4pi(load_programme(store)))
    assert "No 4Pi involvement reflection has been answered" in html
    assert "<table" not in html and "<figure" not in html


def test_the_section_shows_a_chart_and_a_table_and_never_the_notes(store, small_programme):
    refs = small_programme
    _answer(store, refs, "lived_experience", "2", partner=refs["partner_lived"], notes="Rosa Quill felt unheard")
    _answer(store, refs, "clinician", "4", partner=refs["partner_staff"])
    _answer(store, refs, "carer", "dont_know")
    html = _html(sections.reflection_4pi(load_programme(store)))
    assert html.count('<figure class="coprod-chart"') == 1 and html.count('<table class="coprod-table">') == 1
    assert "from 3 reflections" in html and "not enough answers (2 rated); 1 said don&#x27;t know" in html
    assert NO_REFLECTION in html, "South answered none, and says so"
    blank_means = "<td>North</td><td>Principles</td><td>3</td><td>2</td><td>1</td><td></td><td></td><td></td><td>0</td>"
    assert blank_means in html, "two ratings: the table shows no mean, as the chart greys the cell"
    assert "Rosa Quill" not in html and "unheard" not in html
    assert "<td>Presence</td>" in html and "<td>presence</td>" not in html, "standards in words, not codes"


def test_the_section_follows_the_filters(store, small_programme):
    refs = small_programme
    for role in ("carer", "carer", "lived_experience"):
        _answer(store, refs, role, "4")
    assert "from 3 reflections" in _html(sections.reflection_4pi(load_programme(store)))
    assert "No 4Pi involvement reflection" in _html(sections.reflection_4pi(load_programme(store, sites=["South"])))
    assert "from 2 reflections" in _html(sections.reflection_4pi(load_programme(store, groups=["carer"])))


# ---- the demo ------------------------------------------------------------------------------------

#: Reflections answered at each demo site, and the standards whose staff and lived-experience means are 1 or
#: more apart: the sites built with a staff gap (Wendlebury, Saltmere, Stourham) show it across the standards.
DEMO = {
    "Wendlebury": (6, {"principles", "purpose", "presence", "impact"}),
    "Fenmarsh": (9, set()),
    "Saltmere": (9, set(ORDER)),
    "Brackenford": (6, {"purpose", "process"}),
    "Oxborough": (9, {"presence"}),
    "Stourham": (9, set(ORDER)),
}


@pytest.fixture(scope="module")
def demo(demo_db_url):
    store = Store.open(demo_db_url, create=False)
    data = load_programme(store)
    store.close()
    return data


def test_demo_figures(demo):
    out = ind.reflection_by_site(demo.sites, demo["reflection_4pi"])
    assert len(demo["reflection_4pi"]) == 48 and len(out) == 6 * 5
    for site, (answered, apart) in DEMO.items():
        rows = out[out["site"] == site].set_index("standard")
        assert (rows["answers"] == answered).all(), site
        assert (rows["rated"] + rows["dont_know"] == rows["answers"]).all()
        assert (rows["rated"] >= 3).all() and rows["mean_rating"].between(1, 5).all()
        flagged = {standard for standard, gap in rows["gap"].items() if not math.isnan(gap) and abs(gap) >= 1}
        assert flagged == apart, site
        assert {s for s in ORDER if "higher than" in rows.loc[s, "reading"]} == apart, site
        assert not rows["reading"].str.contains(NO_REFLECTION).any()
    wendlebury = out[(out["site"] == "Wendlebury") & (out["standard"] == "process")].iloc[0]
    assert wendlebury["reading"].endswith("; no rating from staff"), "the one staff member said don't know"
    built = out[out["site"].isin(["Saltmere", "Stourham"])]
    assert (built["gap"] > 0).all(), "where the sites were built for it, staff see more than patients and carers"


def test_demo_section_and_chart_stay_small(demo):
    parts = sections.reflection_4pi(demo)
    spec = parts[0].to_dict()
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 30
    html = _html(parts)
    assert "from 48 reflections" in html and html.count("<tr>") == 1 + 30
