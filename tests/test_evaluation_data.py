"""Loading the programme for evaluators: the filters in the Python API and in the workbook panel."""

from __future__ import annotations

import pandas as pd
import pytest

from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.evaluation.filters import Filters
from coprod_widgets.evaluation.tables import table_html
from coprod_widgets.evaluatorapp.filters import FilterPanel
from coprod_widgets.records import SITE_RECORD_TYPES
from coprod_widgets.store import Store


@pytest.fixture
def demo(demo_db_url):
    from coprod_widgets.store import Store

    store = Store.open(demo_db_url)
    yield store
    store.close()


def test_everything_when_unfiltered(demo):
    data = load_programme(demo)
    assert len(data.sites) == 6
    for kind in SITE_RECORD_TYPES:
        assert len(data[kind]) == len(demo.records(kind))


def test_one_site_by_name_or_id(demo):
    saltmere = demo.site_named("Saltmere")
    for chosen in (["saltmere"], [saltmere.id]):
        data = load_programme(demo, sites=chosen)
        assert list(data.sites["name"]) == ["Saltmere"]
        assert all(set(data[kind]["site_id"]) <= {saltmere.id} for kind in SITE_RECORD_TYPES)


def test_date_range_keeps_dated_records_inside_and_attendance_follows_activities(demo):
    data = load_programme(demo, start="2015-06-01", end="2015-08-31")
    dates = data["activity"]["date"]
    assert len(dates) and dates.min() >= pd.Timestamp("2015-06-01") and dates.max() <= pd.Timestamp("2015-08-31")
    assert set(data["attendance"]["activity_id"]) <= set(data["activity"]["id"])
    assert data["outcome"]["date_observed"].between("2015-06-01", "2015-08-31").all()


def test_partner_groups_filter_partners_and_what_is_about_them(demo):
    data = load_programme(demo, groups=["carer"])
    assert set(data["partner"]["role_group"]) == {"carer"}
    assert set(data["attendance"]["partner_id"]) <= set(data["partner"]["id"])
    assert set(data["self_assessment"]["respondent_role"]) == {"carer"}, "the carers' answers, and only theirs"
    assert set(data["reflection_4pi"]["respondent_role"]) == {"carer"}
    assert len(data["activity"]) == len(demo.records("activity")), "activities are not about one group"


def test_empty_store_gives_empty_frames_with_columns(store):
    data = load_programme(store)
    assert data.sites.empty
    assert list(data["partner"].columns) == list(SITE_RECORD_TYPES["partner"].model_fields)


def test_filter_panel_applies_the_same_filters(demo):
    applied: list[Filters] = []
    panel = FilterPanel(["Saltmere", "Fenmarsh"], applied.append)
    panel.site.value = "Saltmere"
    panel.start.value = "01/06/2015"
    panel.groups[1].value = True  # carers
    chosen = panel.submit()
    assert chosen == Filters(sites=["Saltmere"], start="2015-06-01", end=None, groups=["carer"])
    assert applied == [chosen]
    assert "Saltmere" in panel.message.value and "carer" in panel.message.value


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("soon", "", "From must be a date"),
        ("", "32/01/2015", "To must be a date"),
        ("01/09/2015", "01/06/2015", "From date is after the To date"),
    ],
)
def test_filter_panel_refuses_bad_dates_in_plain_english(start, end, says):
    applied: list[Filters] = []
    panel = FilterPanel(["Saltmere"], applied.append)
    panel.start.value, panel.end.value = start, end
    assert panel.submit() is None and applied == []
    assert says in panel.message.value


def test_tables_escape_user_text_and_use_labels():
    frame = pd.DataFrame(
        {
            "display_name": ["<script>x</script>"],
            "role_group": ["carer"],
            "joined": [pd.Timestamp("2015-03-01")],
            "left_flag": [True],
        }
    )
    html = table_html(frame, "Partners")
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert "Carer" in html and "2015-03-01" in html and ">yes<" in html
    assert "nothing recorded yet" in table_html(frame.iloc[0:0], "Partners")


def test_sections_show_labels_and_ruled_tables(demo_db_url):
    """The LP6 order reads 'Behaviour or culture > Process', not codes; tables carry their own borders."""
    from coprod_widgets.evaluation import sections
    from coprod_widgets.evaluation.render import SectionView

    store = Store.open(demo_db_url, create=False)
    html = SectionView(sections.lp6(load_programme(store))).html(embed="svg")
    store.close()
    assert "Behaviour or culture &gt; " in html and "behaviour_culture" not in html
    assert ".coprod-table th,.coprod-table td{border:1px solid" in html


def test_site_questions_section_lists_what_each_site_asked(demo):
    """LP8: a table of the sets each site answers, then one line per question; written answers never quoted."""
    from coprod_widgets.evaluation import sections
    from coprod_widgets.evaluation.render import SectionView

    html = SectionView(sections.site_questions(load_programme(demo))).html(embed="svg")
    assert "The questions each site asks" in html and html.count('<table class="coprod-table">') == 4
    # the shared instruments are not a site's choice: left out here, and the section says where they are
    assert "Self-assessment: the answers" not in html and "4Pi involvement reflection: the answers" not in html
    assert "Not listed here: the self-assessment and the 4Pi involvement reflection" in html
    for words in (
        "Breathlessness group check-in: the answers, question by question",
        "Ward visit: medicines on time",
        "First weeks home",
        "no question sets",
        "this site&#x27;s own",
        "mean 7.5, from 4 to 13 (n=6)",
        "Yes 4, No 2",
        "6 written answers",
        "from 2015-07-09 to 2015-12-08",
    ):
        assert words in html, words
    written = {r.answers.get("what_helped") or r.answers.get("one_change") for r in demo.records("question_response")}
    assert not [text for text in written if text and text in html]

    one = SectionView(sections.site_questions(load_programme(demo, sites=["Oxborough"]))).html(embed="svg")
    assert "First weeks home" in one and "Saltmere" not in one and "Breathlessness" not in one


@pytest.mark.parametrize("sites", [None, ["Fenmarsh"]], ids=["empty store", "a site with none"])
def test_site_questions_section_says_so_when_none_were_asked(store, demo, sites):
    from coprod_widgets.evaluation import sections
    from coprod_widgets.evaluation.render import SectionView

    data = load_programme(store) if sites is None else load_programme(demo, sites=sites)
    html = SectionView(sections.site_questions(data)).html(embed="svg")
    assert "has asked questions of its own yet" in html and "<table" not in html
