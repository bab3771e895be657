"""How quickly the site app becomes usable in Chromium, beside a one-cell hello notebook.

Prints, for each page, the median and range over N runs of:
  - open: from page.goto to the first input being usable (visible and enabled);
  - workspace (site app only): from pressing Enter on a correct code to the site's first form.
``coprod serve`` serves one notebook at ``/``, so each page has its own server (same settings, same
run), after one warm-up load each.

    .venv/bin/python benchmarks/site_app_first_paint.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coprod_widgets.demo import build_demo  # noqa: E402
from coprod_widgets.store import Store  # noqa: E402
from tests.browser import block_the_network, launch  # noqa: E402
from tests.servers import running_server  # noqa: E402

WAIT = 120_000


def prepare(folder: Path) -> tuple[str, str, Path, Path]:
    url = f"sqlite:///{folder / 'bench.db'}"
    store = Store.open(url)
    codes = build_demo(store)
    store.close()
    home, hello_home = folder / "home", folder / "hello"
    for each in (home, hello_home):
        (each / "workbooks" / "site").mkdir(parents=True)
    shutil.copy(ROOT / "workbooks" / "site" / "site_app.ipynb", home / "workbooks" / "site")
    hello = nbformat.v4.new_notebook()
    hello.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\nw.Text(description='Hello')")]
    nbformat.write(hello, hello_home / "workbooks" / "site" / "site_app.ipynb")
    return url, next(iter(codes.values())), home, hello_home


def time_open(browser, base: str, label: str, code: str | None) -> tuple[float, float | None]:
    context = browser.new_context()
    block_the_network(context, base)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(base)
    field = page.get_by_label(label)
    expect(field).to_be_enabled(timeout=WAIT)
    opened = time.perf_counter() - start
    workspace = None
    if code:
        field.fill(code)
        start = time.perf_counter()
        field.press("Enter")
        expect(page.get_by_label("Name or pseudonym")).to_be_enabled(timeout=WAIT)
        workspace = time.perf_counter() - start
    context.close()
    return opened, workspace


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        url, code, home, hello_home = prepare(Path(folder))
        with (
            running_server(url, home=home) as base,
            running_server(url, home=hello_home) as hello_base,
            sync_playwright() as playwright,
        ):
            browser = launch(playwright)
            time_open(browser, hello_base, "Hello", None)  # warm-up
            time_open(browser, base, "Site access code", code)
            hello = [time_open(browser, hello_base, "Hello", None)[0] for _ in range(runs)]
            app = [time_open(browser, base, "Site access code", code) for _ in range(runs)]
            browser.close()
    print(f"hello notebook, open to input usable:        {summary(hello)}")
    print(f"site app, open to access-code field usable:  {summary([a for a, _ in app])}")
    print(f"site app, correct code to workspace usable:  {summary([w for _, w in app])}")


if __name__ == "__main__":
    main()
