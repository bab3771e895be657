"""JupyterHub for evaluators (coprod_widgets/serving/hub.py): the generated config, then a real hub.

The first tests read the config's text and load it as JupyterHub does (traitlets), with no hub.

The last one runs the whole thing as an evaluator would, as root (the hub must be root to start each
evaluator's server as that evaluator): a throwaway PostgreSQL holding the demo programme
(tests/postgres.py), a Unix group and an evaluator account in it made for the test (``useradd``,
``chpasswd``; removed with ``userdel -r`` at the end), and the hub on loopback ports under
``/evaluators/`` with configurable-http-proxy from ``$COPROD_CHP`` (``make test`` sets it to what
tools/ensure-chp prints; without it the test runs that script). Over plain HTTP with a cookie jar
(urllib) the evaluator logs in through the hub's login form (its ``_xsrf`` token included), makes an API
token, starts their server, and runs every code cell of their own copy of ``evaluator_overview.ipynb`` in a
kernel of that server, through the server's REST and websocket API behind the hub's proxy. No cell may
give an ``error`` or write to stderr. A second account, outside the group, is refused at the login form.

Which Python the evaluator's server runs: the project's ``.venv/bin/python`` links to a Python under
``/root`` (pyenv), which other users cannot reach, and the deployment will use a Python any evaluator can
run (the README installs coprod with the system Python). So the test makes a small venv of Debian's own
``/usr/bin/python3.11`` (the same 3.11 ABI) in a world-readable temporary folder, without pip, whose
site-packages holds one ``.pth`` line adding the checkout's ``.venv`` site-packages (the project's installed
packages, the editable coprod included), with ``share/jupyter`` and ``etc/jupyter`` linked to the checkout's
(JupyterLab's assets, the kernel spec, the server extensions' config). Nothing is copied or installed, the
checkout is only read, and the config is given that venv's ``bin/python`` as a deployment gives its own.

Anything missing (not root, no PAM, no PostgreSQL, no proxy, no /usr/bin/python3.11) fails the test with
the reason: it is never skipped. Every process the hub started, both accounts, the group and the temporary
folder are removed at the end.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import datetime as dt
import grp
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect
from traitlets.config.loader import PyFileConfigLoader

from coprod_widgets.demo import build_demo
from coprod_widgets.serving.hub import EVALUATOR_GROUP, jupyterhub_config
from coprod_widgets.settings import bundled_workbooks_dir
from coprod_widgets.store import Store
from tests.postgres import PostgresUnavailable, temporary_postgres
from tests.servers import free_port, get

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3.11")
HOST = "127.0.0.1"
HUB_START_TIMEOUT_S = 60
SPAWN_TIMEOUT_S = 150
CELL_TIMEOUT_S = 120
STOP_TIMEOUT_S = 20
SECRET = "pw-not-in-the-config"


# ---- the generated config, without a hub ---------------------------------------------------------


def _config(tmp_path: Path, env_lines: str | None = "", **overrides) -> str:
    env_file = None
    if env_lines is not None:
        env_file = tmp_path / "coprod.env"
        env_file.write_text(env_lines, encoding="utf-8")
    arguments = dict(
        home=ROOT,
        python=Path("/opt/coprod/.venv/bin/python"),
        data_dir=tmp_path / "hub",
        db_url_env_file=env_file,
        proxy_command=["/bin/true"],
    )
    return jupyterhub_config(**{**arguments, **overrides})


def _load(tmp_path: Path, text: str):
    """The config as JupyterHub loads it (traitlets runs the file)."""
    (tmp_path / "jupyterhub_config.py").write_text(text, encoding="utf-8")
    return PyFileConfigLoader("jupyterhub_config.py", path=str(tmp_path)).load_config()


def test_config_compiles_names_pam_and_holds_no_store_url(tmp_path):
    url = f"postgresql+psycopg://coprod:{SECRET}@db.example:5432/coprod"
    text = _config(tmp_path, f"# the store\nexport COPROD_DB_URL='{url}'\n")
    compile(text, "jupyterhub_config.py", "exec")
    assert "PAMAuthenticator" in text and "allowed_groups" in text and EVALUATOR_GROUP in text
    assert "DummyAuthenticator" not in text
    assert SECRET not in text and "postgresql" not in text and str(tmp_path / "coprod.env") in text


def test_config_loads_as_jupyterhub_reads_it(tmp_path):
    group = grp.getgrgid(os.getgid()).gr_name  # a group that exists here
    url = f"postgresql+psycopg://coprod:{SECRET}@127.0.0.1/coprod"
    text = _config(tmp_path, f'COPROD_DB_URL="{url}"\nOTHER=1\n', group=group, port=8123, admin_users=["ada"])
    c = _load(tmp_path, text)
    assert c.JupyterHub.authenticator_class == "pam" and c.PAMAuthenticator.allowed_groups == {group}
    assert c.Authenticator.admin_users == {"ada"}
    assert c.Authenticator.allow_all is False and c.Authenticator.allow_existing_users is False
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123/evaluators/"
    assert c.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.db_url == f"sqlite:///{tmp_path / 'hub' / 'jupyterhub.sqlite'}"
    assert c.JupyterHub.cookie_secret_file == str(tmp_path / "hub" / "jupyterhub_cookie_secret")
    assert (tmp_path / "hub").stat().st_mode & 0o777 == 0o700
    assert c.ConfigurableHTTPProxy.command == ["/bin/true"]
    assert c.JupyterHub.spawner_class == "localprocess"
    assert c.Spawner.cmd == ["/opt/coprod/.venv/bin/python", "-m", "jupyterhub.singleuser"]
    assert c.Spawner.args == ["--KernelManager.transport_encryption=auto"]
    assert c.Spawner.environment["COPROD_DB_URL"] == url and "OTHER" not in c.Spawner.environment
    assert c.Spawner.environment["COPROD_HOME"] == str(ROOT)
    assert c.Spawner.environment["COPROD_SHARED_DIR"] == "~/coprod-workbooks/shared"
    assert c.Spawner.environment["PATH"].startswith("/opt/coprod/.venv/bin:")
    assert c.Spawner.notebook_dir == "~/coprod-workbooks"
    assert c.Spawner.default_url == "/lab/tree/evaluator_overview.ipynb"
    assert callable(c.Spawner.pre_spawn_hook)
    [culler] = c.JupyterHub.services
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=3600"]
    assert c.JupyterHub.load_roles[0]["services"] == ["idle-culler"]


def _setting(text: str, name: str):
    [line] = [line for line in text.splitlines() if line.startswith(f"{name} = ")]
    return ast.literal_eval(line.split(" = ", 1)[1])


@pytest.mark.parametrize(
    ("home", "given", "expected"),
    [
        ("checkout", None, ROOT / "workbooks" / "evaluator"),
        ("data only", None, bundled_workbooks_dir() / "evaluator"),
        ("data only", "given", "given"),
    ],
)
def test_config_copies_the_evaluator_workbooks_from_home_or_from_coprod_itself(tmp_path, home, given, expected):
    """A COPROD_HOME that only holds data (or a wheel install) still gives evaluators their workbooks."""
    (tmp_path / "given").mkdir()
    home_path = ROOT if home == "checkout" else tmp_path
    chosen = tmp_path / given if given else None
    text = _config(tmp_path, home=home_path, evaluator_workbooks=chosen)
    folder = Path(_setting(text, "EVALUATOR_WORKBOOKS"))
    assert folder == (tmp_path / expected if expected == "given" else expected)
    if not given:
        assert "evaluator_overview.ipynb" in {p.name for p in folder.glob("*.ipynb")}


@pytest.mark.parametrize(
    ("env_lines", "group", "message"),
    [
        ("OTHER=1\n", None, "has no COPROD_DB_URL"),
        ("COPROD_DB_URL=sqlite:////tmp/x.db\n", "coprod-no-such-group", "No Unix group"),
    ],
)
def test_config_refuses_to_start_without_store_or_group(tmp_path, env_lines, group, message):
    text = _config(tmp_path, env_lines, group=group or grp.getgrgid(os.getgid()).gr_name)
    with pytest.raises(RuntimeError, match=message):
        _load(tmp_path, text)


def test_config_without_env_file_or_culler(tmp_path):
    text = _config(tmp_path, None, group=grp.getgrgid(os.getgid()).gr_name, idle_timeout_s=None, base_url="hub")
    c = _load(tmp_path, text)
    assert "COPROD_DB_URL" not in c.Spawner.environment
    assert "services" not in c.JupyterHub
    assert c.JupyterHub.bind_url.endswith(":8000/hub/")


# ---- a real hub, a real evaluator --------------------------------------------------------------


class Client:
    """A cookie-keeping HTTP client that does not follow redirects; returns (status, headers, body)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)
        self.token: str | None = None

    def __call__(self, method: str, path: str, data=None, form: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def cookie(self, name: str) -> str | None:
        found = [c for c in self.jar if c.name == name]
        return found[-1].value if found else None


def _fail(message: str) -> None:
    pytest.fail(message, pytrace=False)


def _run(command: list[str], what: str, stdin: str | None = None) -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        _fail(f"{what} failed (exit {done.returncode}): {' '.join(command)}\n{done.stdout}{done.stderr}")
    return done.stdout


def _proxy_command() -> str:
    chp = os.environ.get("COPROD_CHP", "")
    if chp and os.access(chp, os.X_OK):
        return chp
    done = subprocess.run([str(ROOT / "tools" / "ensure-chp")], capture_output=True, text=True)
    if done.returncode != 0:
        _fail(f"No configurable-http-proxy (COPROD_CHP={chp!r}; tools/ensure-chp failed):\n{done.stderr}")
    return done.stdout.strip()


def _evaluator_python(folder: Path) -> Path:
    """A venv of Debian's Python that uses the checkout's installed packages (see the module docstring)."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        _fail(f"No {SYSTEM_PYTHON} for the evaluator's server: apt-get install python3.11 (Debian's package)")
    venv = folder / "venv"
    _run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], "Making the evaluator's venv")
    checkout_venv = ROOT / ".venv"
    [site_packages] = (venv / "lib").glob("python3*/site-packages")
    [checkout_site] = (checkout_venv / "lib").glob("python3*/site-packages")
    (site_packages / "coprod-checkout.pth").write_text(f"import site; site.addsitedir({str(checkout_site)!r})\n")
    for part in ("share", "etc"):
        (venv / part).mkdir(exist_ok=True)
        (venv / part / "jupyter").symlink_to(checkout_venv / part / "jupyter")
    return venv / "bin" / "python"


def _check_system() -> None:
    """Fail, saying why, unless this is root on a system with PAM and the tools to make accounts."""
    if os.geteuid() != 0:
        _fail("The JupyterHub test must run as root: it makes Unix accounts, and the hub starts servers as them.")
    for tool in ("groupadd", "useradd", "chpasswd", "userdel", "groupdel", "runuser"):
        if not shutil.which(tool):
            _fail(f"No {tool} (Debian's passwd and util-linux packages) to make the test's Unix accounts.")
    if not Path("/etc/pam.d/login").exists():
        _fail("No PAM 'login' service (/etc/pam.d/login): JupyterHub's PAMAuthenticator cannot check passwords.")
    try:
        import pamela  # noqa: F401  (JupyterHub's PAM binding; it loads libpam)
    except Exception as problem:
        _fail(f"PAM is not usable from Python (pamela): {problem}")


@contextlib.contextmanager
def _others_may_enter(path: Path):
    """Let other users pass through (o+x, not list) every folder above ``path`` that keeps them out, then undo.

    A CI checkout may live under /root (mode 0700); the evaluator's server must reach its .venv.
    """
    changed: list[tuple[Path, int]] = []
    try:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                changed.append((folder, mode))
                folder.chmod((mode & 0o7777) | 0o001)
        yield
    finally:
        for folder, mode in reversed(changed):
            folder.chmod(mode & 0o7777)


def _check_reachable(user: str, python: Path) -> None:
    """Fail, saying why, if ``user`` cannot run ``python`` or read the checkout it uses (a checkout under /root)."""
    [checkout_site] = (ROOT / ".venv" / "lib").glob("python3*/site-packages")
    for flag, path in (
        ("-x", python),
        ("-r", checkout_site),
        ("-r", ROOT / "coprod_widgets" / "__init__.py"),
        ("-r", ROOT / "workbooks" / "evaluator"),
    ):
        if subprocess.run(["runuser", "-u", user, "--", "test", flag, str(path)]).returncode != 0:
            _fail(
                f"The evaluator account cannot reach {path}: their server runs that Python with this checkout's "
                ".venv, so every folder above both must let other users in (chmod o+x; /root does not)."
            )


@contextlib.contextmanager
def _unix_accounts(prefix: str, leftovers: list[str]):
    """A new group, an evaluator in it and an outsider, each with a password: yields (group, {name: password}).

    On leaving, any process still running as one of them is killed and listed in ``leftovers``.
    """
    tag = secrets.token_hex(3)
    group, evaluator, outsider = f"cpg{tag}", f"{prefix}{tag}", f"cpo{tag}"
    made: list[str] = []
    try:
        _run(["groupadd", group], "groupadd")
        made.append("group")
        passwords = {}
        for name, extra in ((evaluator, ["-G", group]), (outsider, [])):
            _run(["useradd", "-m", "-s", "/bin/bash", *extra, name], "useradd")
            made.append(name)
            passwords[name] = secrets.token_urlsafe(12)
            _run(["chpasswd"], "chpasswd", stdin=f"{name}:{passwords[name]}\n")
        yield group, passwords
    finally:
        for name in made[1:]:
            leftovers.extend(_end_processes_of(name))
            subprocess.run(["userdel", "-r", name], capture_output=True)
        if made:
            subprocess.run(["groupdel", group], capture_output=True)


def _end_processes_of(user: str) -> list[str]:
    """Kill whatever the hub left running as ``user`` (a server or kernel that outlived its stop); say what."""
    killed = []
    with contextlib.suppress(KeyError):
        uid = pwd.getpwnam(user).pw_uid
        for process in psutil.process_iter(["uids", "cmdline", "status"]):
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue  # already ended, waiting for its parent (or init) to reap it
            if process.info["uids"] and process.info["uids"].real == uid:
                with contextlib.suppress(psutil.Error):
                    process.kill()
                    killed.append(" ".join(process.info["cmdline"] or []))
    return killed


@contextlib.contextmanager
def _hub(config: Path, folder: Path, base: str, timings: dict[str, float]):
    """Start ``jupyterhub -f config`` as root; yield (process, log path); stop it and all it started.

    Sets ``timings["hub start"]`` and, once it has stopped by itself after SIGTERM, ``timings["hub stop"]``.
    """
    log_path = folder / "hub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPROD_", "COVERAGE_", "JUPYTER"))}
    started = time.monotonic()
    with log_path.open("wb") as log:
        hub = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    children: list = []
    try:
        while True:
            if hub.poll() is not None:
                _fail(f"JupyterHub exited ({hub.returncode}) on start:\n{log_path.read_text()[-4000:]}")
            with contextlib.suppress(OSError):
                if get(base + "hub/api/", timeout=5)[0] == 200:
                    break
            if time.monotonic() - started > HUB_START_TIMEOUT_S:
                _fail(f"JupyterHub did not answer within {HUB_START_TIMEOUT_S} s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.2)
        timings["hub start"] = time.monotonic() - started
        yield hub, log_path
    finally:
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(hub.pid).children(recursive=True)
        if hub.poll() is None:
            stopping = time.monotonic()
            hub.send_signal(signal.SIGTERM)  # the hub stops the servers, the proxy and the culler it started
            try:
                hub.wait(STOP_TIMEOUT_S)
                timings["hub stop"] = time.monotonic() - stopping
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait()
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()


def _login(client: Client, user: str, password: str) -> tuple[int, str]:
    """The login form as a browser fills it in: GET it (its _xsrf field and cookie), POST it back."""
    status, _headers, page = client("GET", "hub/login")
    assert status == 200, page[-2000:]
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page)
    assert xsrf, "no _xsrf field in the login form"
    status, headers, _page = client(
        "POST", "hub/login", form={"username": user, "password": password, "_xsrf": xsrf.group(1)}
    )
    return status, headers.get("Location", "")


async def _execute(ws_url: str, token: str, cells: list[str]) -> list[dict]:
    """Run ``cells`` in order in the kernel behind ``ws_url``; return, for each, its reply and outputs."""
    ws = await websocket_connect(
        HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}), max_message_size=64 * 1024 * 1024
    )
    session, results = uuid.uuid4().hex, []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.write_message(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "session": session,
                            "username": "test",
                            "version": "5.3",
                            "msg_type": "execute_request",
                            "date": dt.datetime.now(dt.UTC).isoformat(),
                        },
                        "parent_header": {},
                        "metadata": {},
                        "channel": "shell",
                        "buffers": [],
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": True,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                    }
                )
            )
            result = {"code": code, "reply": None, "outputs": [], "idle": False}
            while result["reply"] is None or not result["idle"]:
                raw = await asyncio.wait_for(ws.read_message(), CELL_TIMEOUT_S)
                if raw is None:
                    raise AssertionError(f"The kernel's websocket closed while running:\n{code}")
                msg = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "execute_reply":
                    result["reply"] = msg["content"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    result["idle"] = True
                elif kind in ("stream", "error", "display_data", "execute_result"):
                    result["outputs"].append({"type": kind, **msg["content"]})
            results.append(result)
    finally:
        ws.close()
    return results


def _wait_until_ready(client: Client, user: str, log_path: Path) -> None:
    deadline = time.monotonic() + SPAWN_TIMEOUT_S
    while time.monotonic() < deadline:
        status, _headers, body = client("GET", f"hub/api/users/{user}")
        assert status == 200, body
        server = json.loads(body)["servers"].get("")
        if server and server["ready"]:
            return
        if not server:
            _fail(f"{user}'s server stopped while starting:\n{log_path.read_text()[-6000:]}")
        time.sleep(0.25)
    _fail(f"{user}'s server was not ready within {SPAWN_TIMEOUT_S} s:\n{log_path.read_text()[-6000:]}")


PROBE = """import json, os, pwd, sys
from coprod_widgets.evaluatorapp.share import shared_dir
shared = shared_dir()
shared.mkdir(parents=True, exist_ok=True)
(shared / "probe.txt").write_text("the Share panel can write here")
print(json.dumps({"user": pwd.getpwuid(os.getuid()).pw_name, "cwd": os.getcwd(), "python": sys.executable,
                  "db_url": os.environ.get("COPROD_DB_URL"), "home": os.environ.get("COPROD_HOME"),
                  "shared": str(shared)}))"""


@pytest.mark.server
@pytest.mark.postgres
def test_evaluator_logs_in_and_runs_the_overview_in_their_jupyterlab():
    _check_system()

    timings: dict[str, float] = {}
    leftovers: list[str] = []
    chp = _proxy_command()
    folder = Path(tempfile.mkdtemp(prefix="coprod-hub-"))
    try:
        folder.chmod(0o755)  # the evaluator runs the venv in it
        python = _evaluator_python(folder)
        with contextlib.ExitStack() as stack:
            try:
                url = stack.enter_context(temporary_postgres())
            except PostgresUnavailable as problem:
                _fail(str(problem))
            url = url.replace("postgres@", f"postgres:{SECRET}@")  # trust auth ignores it; it must not leak
            store = Store.open(url)
            build_demo(store, who="test_jupyterhub")
            store.close()
            env_file = folder / "coprod.env"
            env_file.write_text(f"# as /etc/coprod/coprod.env\nCOPROD_DB_URL={url}\n", encoding="utf-8")
            env_file.chmod(0o600)

            stack.enter_context(_others_may_enter(ROOT))
            group, passwords = stack.enter_context(_unix_accounts("cpe", leftovers))
            evaluator, outsider = list(passwords)
            _check_reachable(evaluator, python)
            port = free_port()
            ports = {free_port() for _ in range(4)} - {port}
            config = folder / "jupyterhub_config.py"
            config.write_text(
                jupyterhub_config(
                    home=ROOT,
                    python=python,
                    data_dir=folder / "hub",
                    db_url_env_file=env_file,
                    port=port,
                    hub_api_port=ports.pop(),
                    proxy_api_port=ports.pop(),
                    proxy_command=[chp],
                    group=group,
                ),
                encoding="utf-8",
            )
            assert SECRET not in config.read_text() and url not in config.read_text()

            # The evaluator already has a folder with a changed workbook and a link: both must be left alone.
            home = Path(pwd.getpwnam(evaluator).pw_dir)
            mine = home / "coprod-workbooks"
            mine.mkdir(mode=0o700)
            (mine / "welcome.ipynb").write_text("{}")
            (mine / "learning_points.ipynb").symlink_to(folder / "not-theirs")
            _run(["chown", "-Rh", f"{evaluator}:{evaluator}", str(mine)], "chown")

            base = f"http://{HOST}:{port}/evaluators/"
            hub, log_path = stack.enter_context(_hub(config, folder, base, timings))
            log = log_path.read_text
            culler = [p for p in psutil.Process(hub.pid).children() if "jupyterhub_idle_culler" in p.cmdline()]
            assert culler, f"no idle culler running\n{log()[-3000:]}"

            refused = Client(base)
            status, _where = _login(refused, outsider, passwords[outsider])
            assert status == 403, f"{outsider} is not in {group} but was let in ({status})\n{log()[-3000:]}"

            client = Client(base)
            started = time.monotonic()
            status, where = _login(client, evaluator, passwords[evaluator])
            assert status == 302, f"login answered {status}, not a redirect\n{log()[-3000:]}"
            assert where.startswith("/evaluators/"), where
            status, _headers, page = client("GET", "hub/home")  # a page after login gives the new _xsrf cookie
            assert status == 200, page[-2000:]
            status, _headers, body = client(
                "POST",
                f"hub/api/users/{evaluator}/tokens",
                data={"note": "test_jupyterhub", "expires_in": 900},
                headers={"X-XSRFToken": client.cookie("_xsrf") or ""},
            )
            assert status == 201, f"token: {status} {body}\n{log()[-3000:]}"
            client.token = json.loads(body)["token"]
            timings["login"] = time.monotonic() - started

            started = time.monotonic()
            status, _headers, body = client("POST", f"hub/api/users/{evaluator}/server")
            assert status in (201, 202), f"spawn: {status} {body}\n{log()[-3000:]}"
            _wait_until_ready(client, evaluator, log_path)
            timings["spawn"] = time.monotonic() - started

            status, headers, _body = client("GET", f"user/{evaluator}/")
            assert status == 302 and headers["Location"].partition("?")[0].endswith(
                f"/evaluators/user/{evaluator}/lab/tree/evaluator_overview.ipynb"
            ), (status, headers.get("Location"))
            status, _headers, body = client("GET", f"user/{evaluator}/api/contents/")
            assert status == 200, body
            listed = {item["name"] for item in json.loads(body)["content"]}
            workbooks = {p.name for p in (ROOT / "workbooks" / "evaluator").glob("*.ipynb")}
            assert workbooks <= listed, listed
            uid = pwd.getpwnam(evaluator).pw_uid
            overview = mine / "evaluator_overview.ipynb"
            assert overview.stat().st_uid == uid and mine.stat().st_uid == uid
            assert overview.read_bytes() == (ROOT / "workbooks" / "evaluator" / overview.name).read_bytes()
            assert (mine / "welcome.ipynb").read_text() == "{}"
            assert (mine / "learning_points.ipynb").is_symlink() and not (folder / "not-theirs").exists()

            started = time.monotonic()
            # As JupyterLab opens a notebook: a session for its path, whose kernel starts in the notebook's folder.
            status, _headers, body = client(
                "POST",
                f"user/{evaluator}/api/sessions",
                data={"path": overview.name, "name": overview.name, "type": "notebook", "kernel": {"name": "python3"}},
            )
            assert status == 201, f"session: {status} {body}"
            kernel = json.loads(body)["kernel"]["id"]
            notebook = json.loads(overview.read_text(encoding="utf-8"))
            cells = [PROBE] + ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
            ws_url = f"ws://{HOST}:{port}/evaluators/user/{evaluator}/api/kernels/{kernel}/channels"
            results = asyncio.run(_execute(ws_url, client.token, cells))
            timings["notebook"] = time.monotonic() - started

            connection = home / ".local" / "share" / "jupyter" / "runtime" / f"kernel-{kernel}.json"
            assert "curve_publickey" in json.loads(connection.read_text()), "the kernel's loopback TCP is encrypted"
            probe = json.loads(next(o["text"] for o in results[0]["outputs"] if o.get("name") == "stdout"))
            assert probe == {
                "user": evaluator,
                "cwd": str(mine),
                "python": str(python),
                "db_url": url,
                "home": str(ROOT),
                "shared": str(mine / "shared"),
            }
            for result in results:
                problems = [o for o in result["outputs"] if o["type"] == "error" or o.get("name") == "stderr"]
                assert result["reply"]["status"] == "ok" and not problems, (result["code"], problems)
            shown = {
                r["code"]: [o for o in r["outputs"] if o["type"] in ("display_data", "execute_result")]
                for r in results[1:]
            }
            assert all(displays for code, displays in shown.items() if "wb.show(" in code), "every section is shown"
            assert any(
                "Long-term conditions" in o["data"].get("text/html", "")
                for displays in shown.values()
                for o in displays
            ), "the demo programme's name"

            # Everything the hub started listens on loopback only: the proxy, the hub, the server, the kernel.
            processes = [psutil.Process(hub.pid), *psutil.Process(hub.pid).children(recursive=True)]
            listening = {
                (p.name(), c.laddr.ip, c.laddr.port)
                for p in processes
                for c in p.net_connections("inet")
                if c.status == psutil.CONN_LISTEN
            }
            assert {ip for _name, ip, _port in listening} == {HOST}, listening
            assert (HOST, port) in {(ip, p) for _name, ip, p in listening}, listening

            status, _headers, body = client("DELETE", f"hub/api/users/{evaluator}/server")
            assert status in (202, 204), f"stop: {status} {body}"
        assert "hub stop" in timings, f"JupyterHub did not stop within {STOP_TIMEOUT_S} s of SIGTERM"
        assert not leftovers, f"still running as the evaluator after the hub stopped: {leftovers}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        print("JupyterHub test timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
