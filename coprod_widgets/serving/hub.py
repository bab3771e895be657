"""JupyterHub for evaluators: the text of its ``jupyterhub_config.py`` (``coprod deploy`` writes it).

Evaluators look across every site's records in JupyterLab; site teams never get JupyterLab, only the site
app. So the hub that the config describes:

- logs people in with PAM (their Unix account and password) and lets in only members of one Unix group,
  ``coprod-evaluators``: an evaluator account is ``useradd -m -G coprod-evaluators NAME; passwd NAME``;
- starts each evaluator's JupyterLab as that Unix user (LocalProcessSpawner; so the hub runs as root), with
  ``COPROD_HOME`` and the store's ``COPROD_DB_URL``, which it reads at each hub start from the environment
  file the site app uses: the database password is never written into the config;
- gives each evaluator their own copy of the evaluator workbooks in ``~/coprod-workbooks`` (never
  overwriting theirs), so that JupyterLab can save, and opens the overview there;
- listens on loopback only, under ``/evaluators/``, for nginx to put behind HTTPS;
- stops servers left idle for an hour (jupyterhub-idle-culler, when installed), so forgotten kernels do
  not hold memory.

The generated file is settings (Python literals, at its top) followed by fixed code, so that an
administrator can read and adjust it, and a test can compile and load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..settings import bundled_workbooks_dir

#: The hub's path, as nginx forwards it (``deploy`` routes it there).
EVALUATOR_PATH = "/evaluators/"
EVALUATOR_GROUP = "coprod-evaluators"
#: Each evaluator's own copy of the evaluator workbooks, in their home folder.
WORKBOOKS_FOLDER = "coprod-workbooks"
#: The workbook JupyterLab opens first.
FIRST_WORKBOOK = "evaluator_overview.ipynb"
IDLE_TIMEOUT_S = 60 * 60
#: Where ``coprod deploy``'s hub keeps its own database (users, tokens) and cookie secret.
DEPLOY_DATA_DIR = Path("/var/lib/coprod-hub")

_BODY = r'''
c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_env_file(path):
    """KEY=VALUE lines, as systemd's EnvironmentFile reads them (comments, `export` and quotes allowed)."""
    values = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, equals, value = line.partition("=")
        if not equals or line.startswith("#"):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def proxy_command():
    """configurable-http-proxy: PROXY_COMMAND, else PATH, the project's .venv/node (tools/ensure-chp), Debian's."""
    if PROXY_COMMAND:
        return list(PROXY_COMMAND)
    for candidate in (shutil.which("configurable-http-proxy"),
                      f"{COPROD_HOME}/.venv/node/node_modules/.bin/configurable-http-proxy",
                      "/usr/bin/configurable-http-proxy"):
        if candidate and os.access(candidate, os.X_OK):
            return [candidate]
    raise RuntimeError("No configurable-http-proxy: run tools/ensure-chp in the coprod checkout (it installs it "
                       "from npm) or install Debian's node-configurable-http-proxy, or set PROXY_COMMAND above.")


def copy_workbooks(spawner):
    """Give the evaluator a copy of each evaluator workbook they lack, in ~/WORKBOOKS, owned by them.

    This runs as root in a folder the evaluator owns, so nothing there is followed or overwritten:
    the folder is opened with O_NOFOLLOW and each copy is created with O_EXCL (an existing file,
    link or not, is theirs and is left alone).
    """
    user = pwd.getpwnam(spawner.user.name)
    home = Path(user.pw_dir)
    if not home.is_dir():
        raise RuntimeError(f"{user.pw_name} has no home folder {home}: make evaluator accounts with useradd -m.")
    with contextlib.suppress(FileExistsError):
        os.mkdir(home / WORKBOOKS, 0o700)
    folder = os.open(home / WORKBOOKS, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if os.fstat(folder).st_uid != user.pw_uid:
            os.fchown(folder, user.pw_uid, user.pw_gid)
        for source in sorted(Path(EVALUATOR_WORKBOOKS).glob("*.ipynb")):
            try:
                made = os.open(source.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                               dir_fd=folder)
            except FileExistsError:
                continue
            with os.fdopen(made, "wb") as copy:
                os.fchown(copy.fileno(), user.pw_uid, user.pw_gid)
                copy.write(source.read_bytes())
    finally:
        os.close(folder)


try:
    grp.getgrnam(GROUP)
except KeyError:
    raise RuntimeError(f"No Unix group {GROUP!r}: create it (groupadd {GROUP}) and add evaluators to it.") from None
os.makedirs(DATA_DIR, mode=0o700, exist_ok=True)

# Who may log in: evaluators' Unix accounts (PAM), members of GROUP only.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {GROUP}
# Said outright: leaving GROUP (gpasswd -d NAME GROUP) is enough to be refused at the next login.
c.Authenticator.allow_all = False
c.Authenticator.allow_existing_users = False
c.Authenticator.admin_users = set(ADMIN_USERS)

# Where the hub listens (loopback, under BASE_URL, for nginx), and what it keeps.
c.JupyterHub.bind_url = f"http://{IP}:{PORT}{BASE_URL}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = proxy_command()
c.ConfigurableHTTPProxy.pid_file = os.path.join(DATA_DIR, "jupyterhub-proxy.pid")
c.JupyterHub.cookie_secret_file = os.path.join(DATA_DIR, "jupyterhub_cookie_secret")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(DATA_DIR, "jupyterhub.sqlite")

# Each evaluator's JupyterLab: their own Unix user, PYTHON, the store, their own copy of the workbooks.
environment = {
    "COPROD_HOME": COPROD_HOME,
    # The Share panel's reports and exports go to the evaluator's own folder, not the server's data folder.
    "COPROD_SHARED_DIR": f"~/{WORKBOOKS}/shared",
    "PATH": f"{os.path.dirname(PYTHON)}:/usr/local/bin:/usr/bin:/bin",
}
if ENV_FILE:
    store_url = read_env_file(ENV_FILE).get("COPROD_DB_URL", "")
    if not store_url:
        raise RuntimeError(f"{ENV_FILE} has no COPROD_DB_URL=... line: evaluators would not see the store.")
    environment["COPROD_DB_URL"] = store_url
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
# Kernels talk over loopback TCP, which every local account can reach: encrypt it (CurveZMQ) where the kernel can.
c.Spawner.args = ["--KernelManager.transport_encryption=auto"]
c.Spawner.environment = environment
c.Spawner.env_keep = ["LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]
c.Spawner.notebook_dir = f"~/{WORKBOOKS}"
c.Spawner.default_url = f"/lab/tree/{FIRST_WORKBOOK}"
c.Spawner.pre_spawn_hook = copy_workbooks
c.Spawner.http_timeout = 90
c.Spawner.start_timeout = 120

# Idle servers are stopped, when jupyterhub-idle-culler is installed beside JupyterHub.
if IDLE_TIMEOUT_S and importlib.util.find_spec("jupyterhub_idle_culler"):
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={int(IDLE_TIMEOUT_S)}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]
elif IDLE_TIMEOUT_S:
    print("jupyterhub_config: jupyterhub-idle-culler is not installed; idle servers are not stopped.",
          file=sys.stderr)
'''


def jupyterhub_config(
    *,
    home: Path,
    python: Path,
    data_dir: Path,
    db_url_env_file: Path | None,
    port: int = 8000,
    ip: str = "127.0.0.1",
    base_url: str = EVALUATOR_PATH,
    hub_api_port: int = 8081,
    proxy_api_port: int = 8001,
    proxy_command: list[str] | None = None,
    group: str = EVALUATOR_GROUP,
    admin_users: Iterable[str] = (),
    idle_timeout_s: int | None = IDLE_TIMEOUT_S,
    workbooks_folder: str = WORKBOOKS_FOLDER,
    first_workbook: str = FIRST_WORKBOOK,
    evaluator_workbooks: Path | None = None,
) -> str:
    """The text of a ``jupyterhub_config.py``; start the hub with ``<python> -m jupyterhub -f FILE`` as root.

    ``home`` is ``COPROD_HOME`` on the server (it holds ``workbooks/evaluator``); ``python`` runs each
    evaluator's server and kernels, so every evaluator must be able to run it (not a Python under
    ``/root``). ``db_url_env_file`` holds ``COPROD_DB_URL=...``, read at each hub start (None: evaluators
    get the default store). ``port`` is the public one (the proxy's, for nginx); ``hub_api_port`` and
    ``proxy_api_port`` are internal. ``proxy_command`` None: the config finds configurable-http-proxy
    when the hub starts. ``evaluator_workbooks`` None: ``home``'s ``workbooks/evaluator`` when it has
    one, else the workbooks installed with coprod (a home that only holds data, or a wheel install).
    """
    base = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    settings: dict[str, Any] = {
        "COPROD_HOME": str(home),
        "PYTHON": str(python),
        "ENV_FILE": str(db_url_env_file) if db_url_env_file else None,
        "DATA_DIR": str(data_dir),
        "GROUP": group,
        "ADMIN_USERS": sorted(admin_users),
        "IP": ip,
        "PORT": int(port),
        "BASE_URL": base,
        "HUB_API_PORT": int(hub_api_port),
        "PROXY_API_PORT": int(proxy_api_port),
        "PROXY_COMMAND": list(proxy_command) if proxy_command else None,
        "IDLE_TIMEOUT_S": int(idle_timeout_s) if idle_timeout_s else None,
        "EVALUATOR_WORKBOOKS": str(evaluator_workbooks or _evaluator_workbooks_of(Path(home))),
        "WORKBOOKS": workbooks_folder,
        "FIRST_WORKBOOK": first_workbook,
    }
    notes = {
        "COPROD_HOME": "the coprod folder on this server (data, the project's .venv/node)",
        "EVALUATOR_WORKBOOKS": "the evaluator workbooks each evaluator is given a copy of",
        "PYTHON": "runs each evaluator's JupyterLab and kernels: every evaluator must be able to run it",
        "ENV_FILE": "COPROD_DB_URL=... is read from here at each hub start (None: the default store)",
        "DATA_DIR": "the hub's own database and cookie secret",
        "GROUP": "only members of this Unix group may log in",
        "ADMIN_USERS": "evaluators who may also see and stop everyone's servers (JupyterHub admins)",
        "BASE_URL": "the path nginx forwards to the hub, unchanged",
        "PORT": "the public port (the proxy's), for nginx; HUB_API_PORT and PROXY_API_PORT are internal",
        "PROXY_COMMAND": "None: configurable-http-proxy from PATH, COPROD_HOME/.venv/node or Debian's package",
        "IDLE_TIMEOUT_S": "stop a server unused this long (None: never)",
        "WORKBOOKS": "each evaluator's own copy of the workbooks, in their home folder",
    }
    lines = [
        "# JupyterHub for coprod's evaluators. Written by coprod_widgets.serving.hub (coprod deploy).",
        f"# Start it as root:  {python} -m jupyterhub -f jupyterhub_config.py",
        "import contextlib",
        "import grp",
        "import importlib.util",
        "import os",
        "import pwd",
        "import shutil",
        "import sys",
        "from pathlib import Path",
        "",
        "# Settings.",
    ]
    for name, value in settings.items():
        lines += [f"# {notes[name]}"] if name in notes else []
        lines.append(f"{name} = {value!r}")
    return "\n".join(lines) + "\n" + _BODY


def _evaluator_workbooks_of(home: Path) -> Path:
    """``home``'s own evaluator workbooks if it has them, else those that came with coprod."""
    own = home / "workbooks" / "evaluator"
    return own if own.is_dir() else bundled_workbooks_dir() / "evaluator"


def config_for_deployment(deployment: Any) -> str:
    """The hub config for ``coprod deploy``: a :class:`~.deploy.Deployment`'s home, Python, port and env file."""
    return jupyterhub_config(
        home=deployment.home,
        python=deployment.python,
        data_dir=DEPLOY_DATA_DIR,
        db_url_env_file=deployment.env_file,
        port=deployment.hub_port,
    )
