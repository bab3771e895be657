"""Every workbook renders through a real Voilà server, against the demo store, without a cell error.

Site-facing workbooks come from ``coprod serve``; the evaluator workbooks, which show every site's
records, only from ``coprod serve --evaluator`` and only with its token.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprod_widgets.store import Store
from tests.conftest import EVALUATOR_TOKEN
from tests.servers import get

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
SITE = sorted(p.name for p in (WORKBOOKS / "site").glob("*.ipynb"))
EVALUATOR = sorted(p.name for p in (WORKBOOKS / "evaluator").glob("*.ipynb"))
CELL_ERROR = "There was an error when executing cell"

pytestmark = pytest.mark.server


def assert_rendered(status: int, body: str) -> None:
    assert status == 200, body[-2000:]
    assert CELL_ERROR not in body
    assert "Traceback" not in body


def test_the_front_page_lists_the_site_workbooks_only(demo_server):
    """The front page is drawn in the browser from the contents API; both must answer."""
    assert get(demo_server)[0] == 200
    status, body = get(f"{demo_server}voila/api/contents")
    assert status == 200
    listed = {entry["name"] for entry in json.loads(body)["content"]}
    assert listed == set(SITE)


@pytest.mark.parametrize("notebook", SITE)
def test_site_workbook_renders_without_a_cell_error(demo_server, notebook):
    assert_rendered(*get(f"{demo_server}voila/render/{notebook}", timeout=120))


@pytest.mark.parametrize("notebook", EVALUATOR)
def test_evaluator_workbook_renders_with_the_token(evaluator_server, notebook):
    assert_rendered(*get(f"{evaluator_server}voila/render/{notebook}?token={EVALUATOR_TOKEN}", timeout=180))


@pytest.mark.parametrize("notebook", EVALUATOR)
def test_evaluator_workbooks_are_not_open_to_site_teams(demo_server, evaluator_server, notebook):
    assert get(f"{demo_server}voila/render/{notebook}")[0] == 404
    status, body = get(f"{evaluator_server}voila/render/{notebook}")
    assert status in {302, 401, 403} or "login" in body.lower()
    assert "Saltmere" not in body


def test_welcome_page_lists_every_demo_site_and_no_partner_names(demo_server, demo_db_url):
    status, body = get(f"{demo_server}voila/render/welcome.ipynb", timeout=120)
    store = Store.open(demo_db_url)
    try:
        sites, partners = store.sites(), store.records("partner")
    finally:
        store.close()
    assert len(sites) == 6
    for site in sites:
        assert site.name in body
    assert "fictional" in body.lower()
    shown = [p.display_name for p in partners if f">{p.display_name}<" in body]
    assert not shown, f"the welcome page must show counts, not names: {shown}"
