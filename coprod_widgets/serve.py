"""Running the site app: Voilà serving ``workbooks/`` on this computer only, stopped cleanly.

Voilà is started as a child process in its own process group, so that the wrapper alone decides
how it stops. Voilà ignores SIGTERM under current Tornado and shuts its kernels down only on
SIGINT, so :func:`run` turns SIGTERM, SIGINT (Ctrl-C) and SIGHUP into one SIGINT to Voilà, waits,
and kills Voilà and any kernel left behind if it has not stopped in time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .settings import DB_URL_VARIABLE

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
#: Check for idle kernels every minute; stop one idle for ten minutes with no page connected to it.
CULL_INTERVAL_S = 60
CULL_IDLE_TIMEOUT_S = 600
#: How long Voilà gets to shut its kernels down after SIGINT before it is killed.
STOP_TIMEOUT_S = 10.0

_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class PortInUse(OSError):
    """The port asked for is taken by another program."""

    def __init__(self, port: int):
        self.port = port
        super().__init__(f"Port {port} is already in use: stop the other program or choose another with --port.")


def base_url(port: int) -> str:
    return f"http://{HOST}:{port}/"


def port_in_use(port: int, host: str = HOST) -> bool:
    """True if something is listening on ``host:port`` (checked the way Tornado binds: SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def voila_args(workbooks: Path, port: int, token: str | None = None) -> list[str]:
    """The command-line arguments for ``python -m voila``: this computer only, one fixed port, safe settings."""
    return [
        str(workbooks),
        f"--Voila.ip={HOST}",
        f"--Voila.port={port}",
        # The default (50) silently moves to another port when this one is busy.
        "--Voila.port_retries=0",
        "--no-browser",
        # Kernels of pages nobody has connected to (bots, curl, closed tabs) are stopped after a while;
        # a page that is still open keeps its kernel, or its forms would stop working.
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT_S}",
        "--MappingKernelManager.cull_connected=False",
        # Visitors cannot switch the template or theme from the address bar.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        # Without a token anyone who can reach the port may open every page; with one, only its holders.
        f"--Voila.token={token or ''}",
    ]


def voila_command(workbooks: Path, port: int, token: str | None = None) -> list[str]:
    return [sys.executable, "-m", "voila", *voila_args(workbooks, port, token)]


def child_environment(db_url: str) -> dict[str, str]:
    """The environment for Voilà and its kernels: the same store as the command that started it."""
    env = dict(os.environ)
    env[DB_URL_VARIABLE] = db_url
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """On Linux, ask for SIGINT (a clean Voilà shutdown) if the wrapper itself is killed outright."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGINT))


def _descendants(pid: int) -> list:
    """Voilà's child processes (its kernels), as psutil processes; empty if psutil is missing."""
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:
        return []


def _kill_all(processes: list) -> None:
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()


def _reap(processes: list, timeout: float) -> None:
    """Wait for processes that should be ending; kill any still alive after ``timeout``."""
    if not processes:
        return
    try:
        import psutil

        _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    except Exception:
        return
    _kill_all(alive)


def run(
    workbooks: Path,
    port: int,
    db_url: str,
    echo: Callable[[str], None] = print,
    stop_timeout: float = STOP_TIMEOUT_S,
    token: str | None = None,
) -> int:
    """Serve ``workbooks`` with Voilà on ``127.0.0.1:port`` until stopped; return the exit code.

    Raises :class:`PortInUse` (before starting anything) if the port is taken. Returns 0 after a
    clean stop by SIGTERM, SIGINT or SIGHUP, Voilà's own exit code if it stops by itself, and 1
    if Voilà had to be killed.
    """
    if port_in_use(port):
        raise PortInUse(port)

    state = {"stop_requests": 0}
    process: subprocess.Popen | None = None

    def on_signal(signum, _frame) -> None:
        state["stop_requests"] += 1
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)

    # Handlers go in before the child starts: exec resets handled signals to their defaults, so
    # Voilà gets a working SIGINT even when this command was started with SIGINT ignored
    # (``coprod serve &`` from a script).
    previous = {signum: signal.signal(signum, on_signal) for signum in _STOP_SIGNALS}
    try:
        process = subprocess.Popen(
            voila_command(workbooks, port, token),
            env=child_environment(db_url),
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        echo(f"Serving {workbooks} at {base_url(port)} (only this computer can open it).")
        query = f"?token={token}" if token else ""
        for notebook in sorted(workbooks.glob("*.ipynb")):
            echo(f"  {notebook.stem.replace('_', ' ')}: {base_url(port)}voila/render/{notebook.name}{query}")
        echo("Press Ctrl-C to stop.")
        return _supervise(process, state, echo, stop_timeout)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _supervise(process: subprocess.Popen, state: dict, echo: Callable[[str], None], stop_timeout: float) -> int:
    kernels: list = []
    asked_at: float | None = None
    while True:
        try:
            code = process.wait(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            pass
        if state["stop_requests"] and asked_at is None:
            asked_at = time.monotonic()
            kernels = _descendants(process.pid)
            echo("Stopping the server and its kernels...")
        too_slow = asked_at is not None and time.monotonic() - asked_at > stop_timeout
        if too_slow or state["stop_requests"] > 1:
            echo("The server did not stop in time: stopping it by force.")
            kernels = kernels + _descendants(process.pid)
            _kill_all(kernels)
            process.kill()
            process.wait()
            _reap(kernels, timeout=5)
            return 1
    # Voilà shuts its kernels down on SIGINT; make sure none outlives it.
    _reap(kernels, timeout=5)
    if asked_at is not None:
        echo("Stopped.")
        return 0
    return code
