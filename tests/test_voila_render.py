"""Every workbook renders through a real Voilà server, against the demo store, without a cell error.

The site app comes from ``coprod serve``, at ``/`` and alone; the evaluator workbooks, which show every
site's records (the programme welcome page among them), only from ``coprod serve --evaluator`` and only
with its token.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from coprod_widgets.store import Store
from tests.conftest import EVALUATOR_TOKEN
from tests.servers import get

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
EVALUATOR = sorted(p.name for p in (WORKBOOKS / "evaluator").glob("*.ipynb"))
CELL_ERROR = "There was an error when executing cell"

pytestmark = pytest.mark.server


def assert_rendered(status: int, body: str) -> None:
    assert status == 200, body[-2000:]
    assert CELL_ERROR not in body
    assert "Traceback" not in body


def test_the_front_page_is_the_site_app(demo_server):
    status, body = get(demo_server, timeout=120)
    assert_rendered(status, body)
    assert "Record your site&#39;s co-production" in body or "Record your site's co-production" in body


def test_the_site_workbooks_folder_holds_the_site_app_alone():
    assert sorted(p.name for p in (WORKBOOKS / "site").glob("*.ipynb")) == ["site_app.ipynb"]


def own_title(notebook: Path) -> str:
    """The workbook's own heading (its first '# ' line), as the rendered page must show it."""
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    text = next(cell.source for cell in cells if cell.cell_type == "markdown")
    return escape(next(line[2:].strip() for line in text.splitlines() if line.startswith("# ")), quote=False)


@pytest.mark.parametrize("notebook", EVALUATOR)
def test_evaluator_workbook_renders_with_the_token(evaluator_server, notebook):
    """Not only no error: the page is this workbook, with its own title."""
    status, body = get(f"{evaluator_server}voila/render/{notebook}?token={EVALUATOR_TOKEN}", timeout=180)
    assert_rendered(status, body)
    assert own_title(WORKBOOKS / "evaluator" / notebook) in body


@pytest.mark.parametrize("notebook", EVALUATOR)
def test_evaluator_workbooks_are_not_open_to_site_teams(demo_server, evaluator_server, notebook):
    for path in (f"voila/render/{notebook}", notebook, f"voila/files/{notebook}", f"voila/tree/{notebook}"):
        status, body = get(f"{demo_server}{path}")
        assert status in {403, 404} and "Saltmere" not in body, path
    status, body = get(f"{evaluator_server}voila/render/{notebook}")
    assert status in {302, 401, 403} or "login" in body.lower()
    assert "Saltmere" not in body


def test_welcome_page_lists_every_demo_site_and_no_partner_names(evaluator_server, demo_db_url):
    status, body = get(f"{evaluator_server}voila/render/welcome.ipynb?token={EVALUATOR_TOKEN}", timeout=120)
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
