"""Every workbook renders through a real Voilà server, against the demo store, without a cell error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprod_widgets.store import Store
from tests.servers import get

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
NOTEBOOKS = sorted(p.relative_to(WORKBOOKS).as_posix() for p in WORKBOOKS.glob("*.ipynb"))
CELL_ERROR = "There was an error when executing cell"

pytestmark = pytest.mark.server


def test_the_front_page_lists_the_workbooks(demo_server):
    """The front page is drawn in the browser from the contents API; both must answer."""
    assert get(demo_server)[0] == 200
    status, body = get(f"{demo_server}voila/api/contents")
    assert status == 200
    listed = {entry["name"] for entry in json.loads(body)["content"]}
    assert set(NOTEBOOKS) <= listed


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_workbook_renders_without_a_cell_error(demo_server, notebook):
    status, body = get(f"{demo_server}voila/render/{notebook}", timeout=120)
    assert status == 200, body[-2000:]
    assert CELL_ERROR not in body
    assert "Traceback" not in body


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
