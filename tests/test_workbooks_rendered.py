"""The evaluator workbooks outside Voilà: an executed static copy read offline, and a live JupyterLab.

Voilà's side (sections as widgets, redrawn when filters change) is in test_evaluator_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.servers import free_port

pytestmark = [pytest.mark.browser]
ROOT = Path(__file__).resolve().parent.parent
JUPYTER = Path(sys.executable).parent / "jupyter"
WORKBOOKS = ROOT / "workbooks" / "evaluator"
#: What each workbook must still show with no kernel and no network: charts drawn, and one table or note per section.
STATIC_CASES = {
    "evaluator_overview.ipynb": {"charts": 6, "texts": ["Status of each learning point", "Where to look"]},
    "learning_points.ipynb": {"charts": 1, "texts": ["Problem framing by site", "Drop-outs"]},
    "site_deep_dive.ipynb": {"charts": 1, "texts": ["Showing "]},
}


def _shown_sections(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum("".join(c["source"]).strip().startswith("wb.show(") for c in cells if c["cell_type"] == "code")


def _offline_page(browser, path: Path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page


@pytest.mark.parametrize("name", sorted(STATIC_CASES))
def test_an_executed_workbook_reads_offline_in_its_html(name, demo_db_url, tmp_path, browser):
    """``jupyter nbconvert --execute --to html`` with its defaults: every section and chart is there offline."""
    expected = STATIC_CASES[name]
    env = {**os.environ, "COPROD_DB_URL": demo_db_url}
    started = time.monotonic()
    done = subprocess.run(
        [str(JUPYTER), "nbconvert", "--execute", "--to", "html", str(WORKBOOKS / name), "--output-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    html_path = tmp_path / name.replace(".ipynb", ".html")
    print(f"{name}: nbconvert {time.monotonic() - started:.1f} s, {html_path.stat().st_size:,} bytes of HTML")

    context, page = _offline_page(browser, html_path)
    try:
        sections = page.locator(".jp-OutputArea-output .coprod-section")
        expect(sections).to_have_count(_shown_sections(WORKBOOKS / name))
        for index in range(sections.count()):
            assert sections.nth(index).inner_text().strip(), f"section {index + 1} of {name} reads as nothing"
        charts = page.locator("figure.coprod-chart")
        assert charts.count() >= expected["charts"]
        drawn = page.evaluate("""() => [...document.querySelectorAll('figure.coprod-chart')].map(f => {
            const svg = f.querySelector('svg'), img = f.querySelector('img');
            const box = (svg || img).getBoundingClientRect();
            return {inline: !!svg, marks: svg ? svg.querySelectorAll('.role-mark path, .role-mark rect').length : 0,
                    width: box.width, height: box.height, loaded: img ? img.complete && img.naturalWidth > 0 : true};
        })""")
        assert all(c["inline"] and c["width"] > 100 and c["height"] > 50 and c["loaded"] for c in drawn), drawn
        assert sum(c["marks"] for c in drawn) > 10 * len(drawn)
        print(f"{name}: {len(drawn)} charts drawn offline, {sections.count()} sections")
        heading = page.locator(".jp-OutputArea-output .coprod-heading")
        expect(heading).to_contain_text("Long-term conditions")
        for text in expected["texts"]:
            expect(page.get_by_text(text, exact=False).first).to_be_visible()
    finally:
        context.close()


LIVE_CASES = {
    "elsewhere: a plain output, updated in place": ("", "text/html"),
    "under Voilà: a widget": ("voila/0.5.13", "application/vnd.jupyter.widget-view+json"),
}


@pytest.mark.parametrize("server_software", [case[0] for case in LIVE_CASES.values()], ids=list(LIVE_CASES))
def test_a_section_is_a_widget_under_voila_only_and_redraws_either_way(demo_db_url, server_software):
    """Run in a real kernel (nbclient applies display updates as JupyterLab does)."""
    import nbformat
    from nbclient import NotebookClient

    cells = [
        f"import os\nos.environ['SERVER_SOFTWARE'] = {server_software!r}\n"
        "from coprod_widgets.evaluatorapp import Workbook\nfrom coprod_widgets.evaluation import sections\n"
        f"wb = Workbook.open(url={demo_db_url!r})",
        "wb.show(sections.overview)",
        "from coprod_widgets.evaluation.filters import Filters\nwb.apply(Filters(sites=['Saltmere']))\n"
        "section = wb._blocks[0]\nprint(len(section.views), len(section.handles), 'Fenmarsh' in section.text)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    NotebookClient(notebook, timeout=300, kernel_name="python3", store_widget_state=True).execute()
    shown = notebook.cells[1].outputs
    expected = dict(LIVE_CASES.values())[server_software]
    assert [o.output_type for o in shown] == ["display_data"] and expected in shown[0].data, shown
    counts = notebook.cells[2].outputs[0].text.split()
    assert counts == (["1", "0", "False"] if server_software else ["0", "1", "False"]), counts
    if not server_software:
        assert "Saltmere" in shown[0].data["text/html"] and "Fenmarsh" not in shown[0].data["text/html"]


@contextmanager
def _jupyterlab(root: Path, env: dict[str, str]):
    port = free_port()
    settings = root.parent / "lab-settings"
    command = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--allow-root",
        "--IdentityProvider.token=lab-test",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.workspaces_dir={settings / 'workspaces'}",
        f"--LabApp.user_settings_dir={settings / 'user'}",
    ]
    # Every cell stays in the page (JupyterLab otherwise leaves cells scrolled out of view out of the DOM).
    notebook_settings = settings / "user" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")
    log = (root.parent / "lab.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}api/status?token=lab-test", timeout=5)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((root.parent / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


#: True once every code cell has run and the kernel is idle again.
EVERY_CELL_RUN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  return kernel && kernel.status === 'idle' && cells.every(cell => cell.model.executionCount);
}"""


#: The notebook's kernel id while it is idle, else null.
IDLE_KERNEL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle' ? kernel.id : null;
}"""


def _settled_kernel(page, quiet_s: float = 3.0, timeout_s: float = 120.0) -> None:
    """Wait until the same kernel has stayed idle for a few seconds: a fresh JupyterLab may swap kernels at first."""
    deadline = time.monotonic() + timeout_s
    seen, since = None, time.monotonic()
    while time.monotonic() < deadline:
        kernel = page.evaluate(IDLE_KERNEL)
        if kernel is None or kernel != seen:
            seen, since = kernel, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.25)
    raise AssertionError(f"the notebook's kernel did not settle within {timeout_s:.0f} s")


def _run_all_cells(page, grid) -> None:
    """Run every cell once the kernel has settled, accepting the kernel JupyterLab offers if it still asks.

    The command is started, not awaited: its promise waits on the kernel, and a page.evaluate has no timeout.
    """
    _settled_kernel(page)
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }")
    choose_kernel = page.locator(".jp-Dialog", has_text="Select Kernel")
    expect(choose_kernel.or_(grid)).to_be_visible(timeout=120_000)
    if choose_kernel.is_visible():
        choose_kernel.locator("button.jp-mod-accept").click()
    expect(grid).to_contain_text("Fenmarsh", timeout=120_000)
    page.wait_for_function(EVERY_CELL_RUN, timeout=120_000)


@pytest.mark.server
def test_jupyterlab_redraws_the_sections_in_place_when_filters_change(demo_db_url, tmp_path, browser):
    """In a live JupyterLab the sections are plain outputs, updated in place by the filter panel."""
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(WORKBOOKS / "evaluator_overview.ipynb", root)
    env = {**os.environ, "COPROD_DB_URL": demo_db_url, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    with _jupyterlab(root, env) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 4000})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        page = context.new_page()
        try:
            page.goto(f"{base}lab/tree/evaluator_overview.ipynb?token=lab-test", timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
            expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
                1, timeout=120_000
            )
            grid = page.locator(".jp-OutputArea-output table.coprod-table", has_text="Status of each learning point")
            _run_all_cells(page, grid)
            expect(page.locator("figure.coprod-chart svg").first).to_be_visible(timeout=60_000)
            before = page.locator(".jp-OutputArea-output .coprod-section").count()

            page.get_by_label("Site", exact=True).select_option(label="Saltmere")
            page.get_by_role("button", name="Apply filters").click()
            expect(page.locator(".jp-OutputArea-output .coprod-heading")).to_contain_text(
                "Showing Saltmere", timeout=60_000
            )
            expect(grid).not_to_contain_text("Fenmarsh", timeout=60_000)
            expect(grid).to_contain_text("Saltmere")
            assert page.locator(".jp-OutputArea-output .coprod-section").count() == before, "redrawn, not added"
            assert not re.search(r"Traceback|Error", page.locator(".jp-OutputArea-output").all_inner_texts().__str__())
        finally:
            context.close()
