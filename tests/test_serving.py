"""A worker on its own (loopback, SQLite): the busy page, pages that end in words, and no endless spinner."""

from __future__ import annotations

import json
import re
import secrets
import signal
import time
import urllib.request

import psutil
import pytest
from playwright.sync_api import expect

from coprod_widgets.demo import build_demo
from coprod_widgets.serving.busy import BUSY_TITLE
from coprod_widgets.store import Store
from tests.browser import block_the_network
from tests.servers import get, start_server, stop_server

pytestmark = pytest.mark.server

CELL_ERROR = "There was an error when executing cell"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STALL_RENDERS = 50


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('serving') / 'demo.db'}"
    store = Store.open(url)
    codes = build_demo(store, who="serving test")
    store.close()
    return url, codes


def _kernel_id(body: str) -> str:
    return json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', body, re.S).group(1))["kernelId"]


def test_beyond_the_budget_a_visitor_gets_a_busy_page_not_a_kernel(demo):
    server = start_server(demo[0], args=["--max-kernels", "1"])
    try:
        first = get(server.base_url, timeout=120)
        assert first[0] == 200 and CELL_ERROR not in first[1]
        try:
            urllib.request.urlopen(server.base_url, timeout=60)
            raise AssertionError("a second page was given a kernel beyond the budget of 1")
        except urllib.error.HTTPError as exc:
            status, headers, body = exc.code, exc.headers, exc.read().decode()
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert BUSY_TITLE in body and "Nothing you saved has been lost" in body
        assert "<script" not in body.lower()
        health = json.loads(get(server.base_url + "coprod/api/health")[1])
        assert health["kernels"] == 1 and health["refused"] == 1
    finally:
        stop_server(server)


def test_the_site_app_renders_fifty_times_in_a_row_without_stalling(demo):
    """Voilà's "Executing x of y" stall: every one of 50 renders on a fresh server must complete."""
    server = start_server(demo[0], args=["--max-kernels", "4"])
    completed, seconds = 0, []
    try:
        for _ in range(STALL_RENDERS):
            opener = urllib.request.build_opener()
            started = time.perf_counter()
            with opener.open(server.base_url, timeout=120) as response:
                body = response.read().decode()
            seconds.append(time.perf_counter() - started)
            if response.status == 200 and WIDGET_VIEW in body and CELL_ERROR not in body:
                completed += 1
            # What the page does when its tab closes: ask Voilà to end the kernel (cookie and header must match).
            xsrf = secrets.token_hex(16)
            request = urllib.request.Request(
                f"{server.base_url}voila/api/shutdown/{_kernel_id(body)}",
                method="POST",
                data=b"",
                headers={"X-XSRFToken": xsrf, "Cookie": f"_xsrf={xsrf}"},
            )
            with opener.open(request, timeout=30) as response:
                assert response.status == 204
    finally:
        stop_server(server)
    seconds.sort()
    print(
        f"\nstall check: {completed} of {STALL_RENDERS} renders completed; median {seconds[len(seconds) // 2]:.2f} s,"
        f" slowest {seconds[-1]:.2f} s"
    )
    assert completed == STALL_RENDERS


def _open_site(browser, base: str, code: str, site: str):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    block_the_network(context, base)
    page = context.new_page()
    page.goto(base)
    field = page.get_by_label("Site access code")
    expect(field).to_be_enabled(timeout=90_000)
    field.fill(code)
    field.press("Enter")
    expect(page.get_by_role("heading", name=site)).to_be_visible(timeout=90_000)
    return context, page


@pytest.mark.browser
def test_a_page_left_idle_is_ended_and_says_so(demo, browser):
    url, codes = demo
    site, code = next(iter(codes.items()))
    server = start_server(url, args=["--idle-minutes", "0.25"])
    try:
        context, page = _open_site(browser, server.base_url, code, site)
        ended = page.locator(".coprod-ended")
        expect(ended).to_be_visible(timeout=60_000)
        assert ended.get_attribute("data-reason") == "idle"
        expect(ended).to_contain_text("not used for a while")
        expect(ended).to_contain_text("Nothing you saved was lost")
        expect(page.get_by_role("button", name="Reload the page")).to_be_focused()
        assert json.loads(get(server.base_url + "coprod/api/health")[1])["kernels"] == 0
        context.close()
    finally:
        stop_server(server)


@pytest.mark.browser
def test_a_kernel_that_dies_mid_session_gives_a_reload_message(demo, browser):
    url, codes = demo
    site, code = list(codes.items())[1]
    server = start_server(url)
    try:
        context, page = _open_site(browser, server.base_url, code, site)
        kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
        kernels = [
            process
            for process in psutil.Process(server.process.pid).children(recursive=True)
            if any(kernel_id in part for part in process.cmdline())
        ]
        assert len(kernels) == 1, "the page's kernel process should be found by its id"
        kernels[0].send_signal(signal.SIGKILL)
        ended = page.locator(".coprod-ended")
        expect(ended).to_be_visible(timeout=45_000)
        assert ended.get_attribute("data-reason") == "died"
        expect(ended).to_contain_text("Nothing you saved was lost")
        page.get_by_role("button", name="Reload the page").click()
        expect(page.get_by_label("Site access code")).to_be_enabled(timeout=90_000)
        context.close()
    finally:
        stop_server(server)
