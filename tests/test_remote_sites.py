"""Site teams on another computer reach the site app over HTTPS: nginx (TLS) in front of two workers and PostgreSQL.

One stack for the module: a throwaway PostgreSQL with the demo programme, ``coprod serve --workers 2``,
the nginx file ``coprod deploy`` writes, with a self-signed certificate for ``coprod.test``, listening on
the near end of a veth pair whose far end is a network namespace: the "remote" computer. Chromium runs
inside that namespace; the flood is sent from it too. Everything stays on this machine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import expect, sync_playwright
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from bench.common import tree_rss
from coprod_widgets.demo import build_demo
from coprod_widgets.serving.deploy import SECURITY_HEADERS, Deployment, write
from coprod_widgets.store import Store
from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.postgres import temporary_postgres
from tests.proxy import client_host, running_nginx, self_signed
from tests.servers import free_port, get, start_server, stop_server
from tests.test_site_app_browser import add_partner

pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
HOST = "coprod.test"
MAX_KERNELS = 6
#: A joining date after every demo partner's, so the new partner heads the site's list (newest first).
JOINED = (dt.date.today() - dt.timedelta(days=1)).isoformat()
WAIT = 90_000
#: Workers' memory bound during the flood: per worker 300 MB for Voilà itself and 150 MB a kernel.
MEMORY_BOUND = 2 * (300 + MAX_KERNELS * 150) * 1024 * 1024


@dataclass
class Stack:
    db_url: str
    codes: dict[str, str]
    server: object
    worker_ports: list[int]
    base: str  # https://coprod.test:PORT/
    server_ip: str
    https_port: int
    http_port: int
    client: object
    tmp: Path

    def worker_health(self, port: int) -> dict | None:
        try:
            status, body = get(f"http://127.0.0.1:{port}/coprod/api/health", timeout=5)
        except OSError:
            return None
        return json.loads(body) if status == 200 else None


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote")
    with temporary_postgres() as db_url:
        store = Store.open(db_url)
        codes = build_demo(store, who="remote test")
        store.close()
        port = free_port()
        server = start_server(db_url, port=port, args=["--workers", "2", "--max-kernels", str(MAX_KERNELS)])
        try:
            with client_host() as client:
                cert, key = self_signed(tmp, HOST)
                https_port, http_port = free_port(), free_port()
                deployment = Deployment(
                    host=HOST,
                    certificate=cert,
                    certificate_key=key,
                    workers=2,
                    first_port=port,
                    listen=client.server_ip,
                    https_port=https_port,
                    http_port=http_port,
                    hub=False,
                    out=tmp / "etc",
                )
                written = write(deployment)
                with running_nginx(written.files["nginx/coprod.conf"], tmp / "nginx", (client.server_ip, https_port)):
                    yield Stack(
                        db_url,
                        codes,
                        server,
                        [port, port + 1],
                        f"https://{HOST}:{https_port}/",
                        client.server_ip,
                        https_port,
                        http_port,
                        client,
                        tmp,
                    )
        finally:
            stop_server(server)


def _resolve(stack: Stack) -> list[str]:
    return [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} {stack.server_ip}"]


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def remote_browser(stack, playwright):
    """Chromium on the remote computer (inside the namespace)."""
    wrapper = stack.client.executable(stack.tmp, chromium_path())
    browser = playwright.chromium.launch(executable_path=str(wrapper), args=_resolve(stack))
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def near_browser(stack, playwright):
    """Chromium on this computer, reaching nginx at the same address (another visitor address than the flood)."""
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=_resolve(stack))
    yield browser
    browser.close()


def _context(browser, base: str):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1100, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    return context


def _sign_in(page, base: str, code: str, site: str, timeout: float = WAIT) -> tuple[float, float]:
    """Open the app and type the code; (seconds to the code field, seconds from the code to the workspace)."""
    started = time.perf_counter()
    page.goto(base)
    field = page.get_by_label("Site access code")
    expect(field).to_be_enabled(timeout=timeout)
    opened = time.perf_counter() - started
    field.fill(code)
    started = time.perf_counter()
    field.press("Enter")
    expect(page.get_by_label("Name or pseudonym")).to_be_enabled(timeout=WAIT)
    expect(page.get_by_role("heading", name=site)).to_be_visible(timeout=WAIT)
    return opened, time.perf_counter() - started


def _kernel_id(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def _owner(stack: Stack, kernel_id: str) -> int:
    """The worker port whose kernel this is."""
    for port in stack.worker_ports:
        status, body = get(f"http://127.0.0.1:{port}/coprod/api/page/{kernel_id}", timeout=5)
        if status == 200 and json.loads(body)["state"] == "live":
            return port
    raise AssertionError(f"no worker holds kernel {kernel_id}")


def _partners(db_url: str) -> set[str]:
    store = Store.open(db_url)
    try:
        return {p.display_name for p in store.records("partner")}
    finally:
        store.close()


def test_a_remote_site_team_saves_a_partner_over_tls_and_finds_it_again(stack, remote_browser, near_browser):
    site, code = next(iter(stack.codes.items()))
    context = _context(remote_browser, stack.base)
    page = context.new_page()
    remote_open, remote_workspace = _sign_in(page, stack.base, code, site)
    add_partner(page, "Remote Rosa", "Carer", JOINED)
    page.reload()
    _sign_in(page, stack.base, code, site)
    expect(page.get_by_text(f"Remote Rosa (Carer); joined {JOINED}", exact=True)).to_be_visible(timeout=WAIT)
    context.close()
    assert "Remote Rosa" in _partners(stack.db_url)

    loopback = f"http://127.0.0.1:{stack.worker_ports[0]}/"
    context = _context(near_browser, loopback)
    near_open, near_workspace = _sign_in(context.new_page(), loopback, code, site)
    context.close()
    print(
        f"\nremote over TLS through nginx: code page {remote_open:.2f} s, code to workspace {remote_workspace:.2f} s;"
        f" loopback to a worker: code page {near_open:.2f} s, code to workspace {near_workspace:.2f} s"
    )


_PROBE = r"""
import http.client, json, ssl, sys
host, ip, https_port, http_port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
plain = http.client.HTTPConnection(ip, http_port, timeout=20)
plain.request("GET", "/some/page?x=1", headers={"Host": f"{host}:{http_port}"})
redirect = plain.getresponse()
context = ssl._create_unverified_context()
tls = http.client.HTTPSConnection(ip, https_port, timeout=60, context=context)
tls.request("GET", "/coprod/api/health", headers={"Host": f"{host}:{https_port}"})
health = tls.getresponse()
health.read()
tls.request("GET", "/", headers={"Host": f"{host}:{https_port}"})
page = tls.getresponse()
page.read()
print(json.dumps({"redirect": [redirect.status, redirect.getheader("Location")], "health": health.status,
                  "page": page.status, "headers": dict(page.getheaders()), "tls": tls.sock.version()}))
"""


def test_plain_http_redirects_to_https_and_pages_carry_the_security_headers(stack):
    result = stack.client.python(_PROBE, HOST, stack.server_ip, str(stack.https_port), str(stack.http_port))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["redirect"] == [301, f"https://{HOST}:{stack.https_port}/some/page?x=1"]
    assert seen["health"] == 404, "worker health must not be reachable through the proxy"
    assert seen["page"] == 200
    assert seen["tls"] in {"TLSv1.2", "TLSv1.3"}
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name
    assert "coprod_route=" in headers.get("set-cookie", "") and "Secure" in headers["set-cookie"]
    assert "nginx/" not in headers.get("server", ""), "nginx must not say its version"


def _open_page_over_tls(stack: Stack) -> tuple[str, str]:
    """GET / through nginx from this computer: (kernel id, the sticky-route cookie)."""
    context = ssl._create_unverified_context()
    request = urllib.request.Request(
        f"https://{stack.server_ip}:{stack.https_port}/", headers={"Host": f"{HOST}:{stack.https_port}"}
    )
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        body = response.read().decode()
        cookie = "; ".join(value.split(";")[0] for value in response.headers.get_all("Set-Cookie"))
    kernel = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', body, re.S).group(1))["kernelId"]
    return kernel, cookie


def _websocket(stack: Stack, kernel: str, cookie: str, origin: str) -> int:
    """The HTTP status of a websocket handshake to the kernel through nginx (101 when accepted)."""
    url = f"wss://{stack.server_ip}:{stack.https_port}/api/kernels/{kernel}/channels"
    headers = {"Host": f"{HOST}:{stack.https_port}", "Origin": origin, "Cookie": cookie}
    request = HTTPRequest(url, headers=headers, validate_cert=False)

    async def attempt() -> int:
        try:
            connection = await websocket_connect(request)
        except HTTPClientError as exc:
            return exc.code
        connection.close()
        return 101

    # Playwright's loop runs in this thread; the handshake gets a loop of its own in another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, attempt()).result(timeout=60)


def test_a_websocket_from_a_foreign_origin_is_refused(stack):
    kernel, cookie = _open_page_over_tls(stack)
    assert _websocket(stack, kernel, cookie, "https://evil.example") == 403
    assert _websocket(stack, kernel, cookie, f"https://{HOST}:{stack.https_port}") == 101


ANONYMOUS_PATHS = [
    "",
    "?site=1",
    "voila/render/welcome.ipynb",
    "voila/render/site_app.ipynb",
    "voila/tree",
    "voila/tree/",
    "voila/api/contents",
    "voila/files/welcome.ipynb",
    "voila/files/site_app.ipynb",
    "welcome.ipynb",
    "site_app.ipynb",
    "api/kernels",
    "api/sessions",
    "api/contents",
    "api/status",
    "login",
    "tree",
    "lab",
    "coprod/api/health",
    "coprod/api/page/00000000-0000-0000-0000-000000000000",
    "evaluators/",
    "no-such-page",
    "voila/static/../../etc/passwd",
    "voila/templates/coprod/static/coprod-watch.js",
]


def test_nothing_before_the_code_names_a_site_an_issue_or_a_server_path(stack):
    store = Store.open(stack.db_url)
    try:
        secrets_ = {s.name for s in store.sites()} | {s.service_issue for s in store.sites()}
    finally:
        store.close()
    secrets_ |= {str(ROOT), "/tmp/", "sqlite", "postgresql", "coprod.db", "site-packages", "Traceback"}
    context = ssl._create_unverified_context()
    for path in ANONYMOUS_PATHS:
        request = urllib.request.Request(
            f"https://{stack.server_ip}:{stack.https_port}/{path}", headers={"Host": f"{HOST}:{stack.https_port}"}
        )
        try:
            with urllib.request.urlopen(request, context=context, timeout=60) as response:
                status, body = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode(errors="replace")
        leaked = sorted(secret for secret in secrets_ if secret and secret in body)
        assert not leaked, f"/{path} ({status}) shows {leaked}"


_FLOOD = r"""
import concurrent.futures, http.client, json, ssl, sys, time
ip, port, host, count, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
context = ssl._create_unverified_context()
def fetch(i):
    time.sleep(max(0.0, start + i * seconds / count - time.monotonic()))
    try:
        conn = http.client.HTTPSConnection(ip, port, timeout=90, context=context)
        conn.request("GET", "/", headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    except Exception as exc:
        return type(exc).__name__
start = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
    statuses = list(pool.map(fetch, range(count)))
counts = {}
for status in statuses:
    counts[str(status)] = counts.get(str(status), 0) + 1
print(json.dumps({"seconds": round(time.monotonic() - start, 1), "statuses": counts}))
"""


def test_a_flood_of_page_requests_keeps_the_budget_and_a_site_team_still_gets_in(stack, near_browser):
    flood = subprocess.Popen(
        stack.client.command(sys.executable, "-c", _FLOOD, stack.server_ip, str(stack.https_port), HOST, "300", "55"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, list[int | None], int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            kernels = [(stack.worker_health(port) or {}).get("kernels") for port in stack.worker_ports]
            samples.append((time.monotonic(), kernels, tree_rss(stack.server.process.pid)))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    site, code = list(stack.codes.items())[1]
    time.sleep(25)  # the site team arrives in the middle of the flood
    context = _context(near_browser, stack.base)
    page = context.new_page()
    arrived = time.monotonic()
    visits: list[str] = []  # what the site team's page loads got, to explain a slow arrival
    page.on("response", lambda r: r.url == stack.base and visits.append(f"{time.monotonic() - arrived:.0f}:{r.status}"))
    page.goto(stack.base)
    try:
        out, err = flood.communicate(timeout=240)
        flood_ended = time.monotonic()
        expect(page.get_by_label("Site access code")).to_be_enabled(timeout=60_000)
        got_in = time.monotonic()
        page.get_by_label("Site access code").fill(code)
        page.get_by_label("Site access code").press("Enter")
        expect(page.get_by_role("heading", name=site)).to_be_visible(timeout=WAIT)
    finally:
        stop.set()
        sampler.join()
        context.close()
    assert flood.returncode == 0, err
    result = json.loads(out)
    peak_kernels = max(max(k or 0 for k in kernels) for _t, kernels, _m in samples)
    peak_memory = max(memory for _t, _k, memory in samples)
    down = [kernels for _t, kernels, _m in samples if None in kernels]
    print(
        f"\nflood: {sum(result['statuses'].values())} requests in {result['seconds']} s, answers {result['statuses']};"
        f" peak live kernels per worker {peak_kernels} (budget {MAX_KERNELS}); peak memory of the workers and"
        f" kernels {peak_memory / 2**20:.0f} MB (bound {MEMORY_BOUND / 2**20:.0f} MB); the site team arrived"
        f" {flood_ended - arrived:.1f} s before the flood ended and got in {got_in - flood_ended:+.1f} s after it"
    )
    assert sum(result["statuses"].values()) == 300
    assert set(result["statuses"]) <= {"200", "429", "503"}, "every answer is a page, a rate limit or 'busy'"
    assert not down, "a worker stopped answering during the flood"
    assert stack.server.process.poll() is None
    assert peak_kernels <= MAX_KERNELS
    assert peak_memory < MEMORY_BOUND
    assert got_in - flood_ended < 30, f"the site team's page loads: {visits}"


def test_a_killed_worker_is_restarted_its_users_are_told_to_reload_and_others_carry_on(stack, near_browser):
    sites = list(stack.codes.items())
    sessions: dict[int, tuple] = {}
    contexts = []
    for attempt in range(10):
        site, code = sites[attempt % len(sites)]
        context = _context(near_browser, stack.base)
        contexts.append(context)
        page = context.new_page()
        _sign_in(page, stack.base, code, site)
        sessions.setdefault(_owner(stack, _kernel_id(page)), (page, site, code))
        if len(sessions) == 2:
            break
    assert len(sessions) == 2, "ten sign-ins never reached the second worker: sticky routing spreads nothing"
    victim_port, survivor_port = stack.worker_ports
    victim_page, victim_site, victim_code = sessions[victim_port]
    survivor_page, _site, _code = sessions[survivor_port]
    add_partner(victim_page, "Before the crash", "Carer", JOINED)

    old_pid = stack.worker_health(victim_port)["pid"]
    killed_at = time.monotonic()
    psutil.Process(old_pid).kill()
    while True:
        health = stack.worker_health(victim_port)
        if health and health["pid"] != old_pid:
            break
        assert time.monotonic() - killed_at < 60, "the killed worker was not restarted within 60 s"
        time.sleep(0.1)
    restarted = time.monotonic() - killed_at

    ended = victim_page.locator(".coprod-ended")
    expect(ended).to_be_visible(timeout=45_000)
    expect(ended).to_contain_text("Nothing you saved was lost")
    expect(victim_page.get_by_role("button", name="Reload the page")).to_be_focused()
    told = time.monotonic() - killed_at

    add_partner(survivor_page, "During the crash", "Carer", JOINED)
    victim_page.get_by_role("button", name="Reload the page").click()
    _sign_in(victim_page, stack.base, victim_code, victim_site)
    expect(victim_page.get_by_text(f"Before the crash (Carer); joined {JOINED}", exact=True)).to_be_visible()
    for context in contexts:
        context.close()
    assert {"Before the crash", "During the crash"} <= _partners(stack.db_url)
    print(f"\nworker killed: restarted and answering in {restarted:.2f} s; its user told to reload after {told:.1f} s")
