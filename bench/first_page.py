"""The site app's first page beside a one-cell "hello" notebook, on the same Voilà worker, in the same run.

A site team's first wait is for the access-code box. The fair yardstick is the quickest page Voilà can
serve: one cell that prints "hello", through the same worker, template and browser. A third page, one
cell showing one text box, is the quickest page with a widget (what any widget page pays for the widget
code in the browser and its round trip to the kernel). They are opened in turn (rotating, so none always
goes first) in a fresh browser context each time; a page counts as usable when its box takes typing, or
"hello" shows. Then ten of each are opened at once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat

from coprod_widgets import settings
from coprod_widgets.serving.options import WorkerOptions, worker_command
from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.servers import ServerProcess, free_port, stop_server, wait_until_ready

from .common import median, ms, table

RUNS = 10
BURST = 10
PAGES = ("hello", "one_box", "site_app")
BOXES = {"site_app": "Site access code", "one_box": "One box"}


def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="coprod-bench-pages-"))
    shutil.copy(settings.site_app_notebook(), folder / "site_app.ipynb")
    hello = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print("hello")')])
    hello.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(hello, folder / "hello.ipynb")
    one_box = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('import ipywidgets\nipywidgets.Text(description="One box")')]
    )
    one_box.metadata["kernelspec"] = hello.metadata["kernelspec"]
    nbformat.write(one_box, folder / "one_box.ipynb")
    return folder


def _start(folder: Path, db_url: str) -> ServerProcess:
    port = free_port()
    options = WorkerOptions(target=folder, port=port, max_kernels=(RUNS + BURST) * len(PAGES) + 4)
    command = [*worker_command(options), "--VoilaConfiguration.template=coprod"]
    log = tempfile.NamedTemporaryFile(prefix="coprod-bench-", suffix=".log", delete=False)  # noqa: SIM115
    env = {**os.environ, "COPROD_DB_URL": db_url}  # the worker puts the coprod template on JUPYTER_PATH
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = ServerProcess(process=process, port=port, log_path=Path(log.name), _log_file=log)
    wait_until_ready(server)
    return server


async def _open(browser, url: str, which: str) -> float:
    context = await browser.new_context()
    page = await context.new_page()
    started = time.perf_counter()
    try:
        await page.goto(url, timeout=120_000)
        if which in BOXES:
            box = page.get_by_label(BOXES[which])
            await box.wait_for(state="visible", timeout=60_000)
            await box.fill("ready")  # it takes typing: the widget is live
        else:
            await page.get_by_text("hello", exact=True).wait_for(state="visible", timeout=60_000)
        return time.perf_counter() - started
    finally:
        await context.close()


async def _measure(base_url: str) -> dict[str, object]:
    from playwright.async_api import async_playwright

    urls = {name: f"{base_url}voila/render/{name}.ipynb" for name in PAGES}
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    burst: dict[str, list[float]] = {name: [] for name in PAGES}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for name in urls:  # one of each first, uncounted: the first kernel start warms the disk cache
                await _open(browser, urls[name], name)
            for run in range(RUNS):
                order = [*PAGES[run % len(PAGES) :], *PAGES[: run % len(PAGES)]]
                for name in order:
                    times[name].append(await _open(browser, urls[name], name))
            for name in urls:
                burst[name] = list(await asyncio.gather(*(_open(browser, urls[name], name) for _ in range(BURST))))
        finally:
            await browser.close()
    return {"times": times, "burst": burst}


def run(db_url: str) -> str:
    """Measure, print and return the markdown section."""
    folder = _folder()
    server = _start(folder, db_url)
    try:
        found = asyncio.run(_measure(server.base_url))
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)
    times, burst = found["times"], found["burst"]
    rows = []
    for label, data in ((f"one at a time (median of {RUNS})", times), (f"{BURST} at once (median)", burst)):
        hello, box, app = (median(data[name]) for name in PAGES)
        rows.append([label, ms(hello), ms(box), ms(app), f"{app / hello:.2f}x", f"{app / box:.2f}x"])
    section = "\n".join(
        [
            "## The site app's first page beside a one-cell hello notebook",
            "",
            "Same Voilà worker and template, Chromium, a fresh browser context per page; usable = the access-code "
            'box takes typing (site app, one box) or "hello" shows. "One box" is a one-cell notebook showing one '
            "text box: the quickest page with a widget.",
            "",
            table(
                [
                    "openings",
                    "hello notebook",
                    "one-box notebook",
                    "site app code page",
                    "ratio to hello",
                    "to one box",
                ],
                rows,
            ),
            "",
            "Every time (s): " + "; ".join(f"{name} {[round(t, 2) for t in times[name]]}" for name in PAGES) + ".",
        ]
    )
    print(section)
    return section
