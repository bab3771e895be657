"""Memory an open site-app page costs the server: its kernel, on the access-code page and once a site is open.

Opens N pages in Chromium against a real ``coprod serve`` on a fresh demo store, signs each into a site,
and prints the kernels' resident (RSS) and unique (USS) memory, median and largest, beside the worker's own.

    .venv/bin/python benchmarks/site_app_memory.py [--pages 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import psutil
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coprod_widgets.demo import build_demo  # noqa: E402
from coprod_widgets.store import Store  # noqa: E402
from tests.browser import block_the_network, launch  # noqa: E402
from tests.servers import start_server, stop_server  # noqa: E402

WAIT = 120_000
MB = 1024 * 1024


def kernels(server_pid: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(server_pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def workers(server_pid: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(server_pid).children() if "serving.worker" in " ".join(p.cmdline())]


def summary(label: str, processes: list[psutil.Process]) -> str:
    rss = [p.memory_info().rss / MB for p in processes]
    uss = [p.memory_full_info().uss / MB for p in processes]
    return (
        f"{label}: {len(processes)} process(es); RSS median {statistics.median(rss):.0f} MB (largest {max(rss):.0f});"
        f" USS median {statistics.median(uss):.0f} MB (largest {max(uss):.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    count = parser.parse_args().pages
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        store = Store.open(url)
        codes = list(build_demo(store).items())
        store.close()
        server = start_server(url, args=["--max-kernels", str(count + 2)])
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                pages = []
                for _ in range(count):
                    context = browser.new_context()
                    block_the_network(context, server.base_url)
                    page = context.new_page()
                    page.goto(server.base_url)
                    expect(page.get_by_label("Site access code")).to_be_enabled(timeout=WAIT)
                    pages.append(page)
                print(summary("kernels on the access-code page", kernels(server.process.pid)))
                for number, page in enumerate(pages):
                    site, code = codes[number % len(codes)]
                    page.get_by_label("Site access code").fill(code)
                    page.get_by_label("Site access code").press("Enter")
                    expect(page.get_by_role("heading", name=site)).to_be_visible(timeout=WAIT)
                print(summary("kernels with a site open", kernels(server.process.pid)))
                print(summary("the worker itself", workers(server.process.pid)))
                browser.close()
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
