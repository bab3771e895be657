"""Shared fixtures: temporary SQLite stores and test cases kept as data files."""

from __future__ import annotations

import pytest

from coprod_widgets.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'test.db'}")
    yield opened
    opened.close()


@pytest.fixture
def small_programme(store) -> dict[str, int]:
    """Two sites; the first has staff, a person with lived experience, a late joiner, an activity,
    a problem framing and a non-negotiable; the second has one partner. North has its own question set
    ("question_set"); the shared instruments are stored ("self_assessment", "reflection_4pi" are their set ids).
    Returns the ids by name."""
    who = "test fixture"
    programme = store.add("programme", {"name": "Test programme"}, who)
    north = store.add(
        "site",
        {"programme_id": programme.id, "name": "North", "service_issue": "Foot care", "start_date": "2015-03-01"},
        who,
    )
    south = store.add(
        "site",
        {"programme_id": programme.id, "name": "South", "service_issue": "Breathing", "start_date": "2015-03-01"},
        who,
    )

    def partner(site, name, group, joined="2015-03-01"):
        data = {"site_id": site.id, "display_name": name, "role_group": group, "joined": joined}
        return store.add("partner", data, who).id

    refs = {"programme": programme.id, "site": north.id, "other_site": south.id}
    refs["partner_lived"] = partner(north, "Rosa", "lived_experience")
    refs["partner_staff"] = partner(north, "Dev", "clinician")
    refs["partner_late"] = partner(north, "Lee", "carer", joined="2015-05-01")
    refs["partner_other_site"] = partner(south, "Sam", "manager")
    refs["partner_gone"] = partner(north, "Kit", "manager")
    store.update("partner", refs["partner_gone"], {"left": "2015-04-01"}, who)
    refs["activity"] = store.add(
        "activity",
        {"site_id": north.id, "date": "2015-04-10", "title": "Workshop", "stage": "design", "ladder_step": 5},
        who,
    ).id
    store.add(
        "attendance", {"site_id": north.id, "activity_id": refs["activity"], "partner_id": refs["partner_lived"]}, who
    )
    store.add(
        "problem_framing",
        {
            "site_id": north.id,
            "statement": "Foot checks are late",
            "partner_ids": [refs["partner_staff"]],
            "date": "2015-03-02",
        },
        who,
    )
    refs["non_negotiable"] = store.add(
        "non_negotiable",
        {
            "site_id": north.id,
            "statement": "No new money",
            "declared_by_id": refs["partner_staff"],
            "date_declared": "2015-03-01",
        },
        who,
    ).id
    store.add(
        "acceptance",
        {
            "site_id": north.id,
            "non_negotiable_id": refs["non_negotiable"],
            "partner_id": refs["partner_lived"],
            "response": "accepted",
            "date": "2015-03-05",
        },
        who,
    )
    refs["question_set"] = _site_question_set(store, north.id)
    refs.update(_shared_instruments(store))
    refs.update(_survey(store, north.id))
    refs["transcript"] = _transcript(store, north.id)
    return refs


def _transcript(store: Store, site_id: int) -> int:
    """A short interview at the site, as coprod import-transcript stores it (nothing coded yet)."""
    paragraphs = [["heading", "Interview with a carer"], ["paragraph", "Person 1: They listened to us, for once."]]
    return store.add(
        "transcript",
        {"site_id": site_id, "title": "Interview 1", "file_name": "interview 1.txt", "file_format": "text",
         "checksum": "1" * 64, "role_group": "carer", "interviewed": "2015-09-12", "imported": "2015-09-14",
         "paragraphs": paragraphs},
        "test fixture",
    ).id  # fmt: skip


#: A survey's mapping as coprod import-survey stores it: one question on the agreement scale.
SURVEY_MAPPING = {
    "survey": "Partners' survey",
    "tool": "googleforms",
    "role_column": "Which best describes you?",
    "roles": {"Carer": "carer", "Nurse": "clinician"},
    "questions": [
        {
            "question": "I was listened to",
            "learning_point": "lp2",
            "scores": {"Strongly disagree": 1, "Disagree": 2, "Agree": 3, "Strongly agree": 4},
        }
    ],
}


def _survey(store: Store, site_id: int) -> dict[str, int]:
    """A survey at the site and one import into it (no responses yet), as coprod import-survey stores them."""
    who = "test fixture"
    survey = store.add(
        "survey", {"site_id": site_id, "name": "Partners' survey", "tool": "googleforms", "mapping": SURVEY_MAPPING,
                   "added": "2015-09-10"}, who
    )  # fmt: skip
    done = store.add(
        "survey_import",
        {"site_id": site_id, "survey_id": survey.id, "file_name": "partners.csv", "checksum": "0" * 64,
         "imported": "2015-09-10", "rows_read": 0, "responses_added": 0, "responses_repeated": 0,
         "mapping": SURVEY_MAPPING},
        who,
    )  # fmt: skip
    return {"survey": survey.id, "survey_import": done.id}


def _shared_instruments(store: Store) -> dict[str, int]:
    """The instruments that come with coprod, as coprod site add stores them with a first programme."""
    from coprod_widgets.questions.instruments import INSTRUMENTS, install

    added = {a.question_set.name: a.question_set.id for a in install(store, who="test fixture")}
    return {item.key: added[item.name] for item in INSTRUMENTS}


def _site_question_set(store: Store, site_id: int) -> int:
    """A site's own question set, one whole-number question ``visits``, as coprod questions add makes it."""
    from coprod_widgets.questions.library import add_form
    from coprod_widgets.questions.xlsform import read_xlsform_text

    form = read_xlsform_text("| survey |\n|  | type | name | label |\n|  | integer | visits | How many visits? |\n")
    added = add_form(store, form, name="Seeded visits", source="visits.md", site_id=site_id, who="test fixture")
    return added.question_set.id


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """A SQLite store holding the fictional demo programme, built once per test session."""
    from coprod_widgets.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    opened = Store.open(url)
    build_demo(opened)
    opened.close()
    return url


@pytest.fixture(scope="session")
def demo_server(demo_db_url) -> str:
    """A real ``coprod serve`` over the project's workbooks and the demo store; yields its base URL."""
    from tests.servers import running_server

    with running_server(demo_db_url) as base_url:
        yield base_url


EVALUATOR_TOKEN = "evaluator-test-token"


@pytest.fixture(scope="session")
def evaluator_server(demo_db_url) -> str:
    """``coprod serve --evaluator`` over the demo store; pages need ``?token=`` + EVALUATOR_TOKEN."""
    from tests.servers import running_server

    with running_server(demo_db_url, token=EVALUATOR_TOKEN) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    """The system Chromium through Playwright, one per test module (see tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def postgres_url() -> str:
    """One throwaway PostgreSQL cluster per test module that asks for it; the URL of its empty database.

    Without PostgreSQL's server programs the tests fail, saying to run tools/ensure-postgres: never skipped.
    """
    from tests.postgres import PostgresUnavailable, temporary_postgres

    try:
        with temporary_postgres() as url:
            yield url
        return
    except PostgresUnavailable as problem:
        message = str(problem)
    pytest.fail(message, pytrace=False)  # outside the except: the message is shown once
