"""Start and stop a real ``coprod serve`` (Voilà) for tests. Standard library only; no fixtures here.

Typical use::

    from tests.servers import running_server

    with running_server("sqlite:////tmp/x/coprod.db") as base_url:      # "http://127.0.0.1:PORT/"
        html = get(base_url)                                              # the site app's code page

When a test needs the process itself (to send it a signal, read its log)::

    server = start_server(db_url, home=tmp_path)     # returns once the server answers
    try:
        ...server.process.pid, server.base_url, server.log()...
    finally:
        stop_server(server)      # SIGINT, then kill after a timeout; returns the exit code; deletes the log

``home`` becomes ``COPROD_HOME`` for the server and its kernels, so ``<home>/workbooks/site/site_app.ipynb``
is what is served at ``/`` and ``<home>/data`` is its data folder. Without it the project's own is served.
Readiness is judged by ``GET /coprod/api/health``, which every worker answers without starting a kernel.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
#: The first start in a fresh virtual environment compiles bytecode and can take a while.
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
READY_PATH = "coprod/api/health"


class ServerFailed(RuntimeError):
    """The server exited, or did not answer in time; the message ends with the tail of its log."""


def free_port(host: str = HOST) -> int:
    """A TCP port that nothing is listening on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 60.0) -> tuple[int, str]:
    """``(status, body)`` of a GET; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


@dataclass
class ServerProcess:
    """A running ``coprod serve``. ``process`` is the coprod command (Voilà is its child)."""

    process: subprocess.Popen
    port: int
    log_path: Path
    _log_file: object = field(repr=False, default=None)
    token: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr, Voilà's log included)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def serve_command(
    port: int, db_url: str | None = None, token: str | None = None, args: Sequence[str] = ()
) -> list[str]:
    """``coprod serve``; with a ``token``, the evaluator workbooks behind that token; ``args`` added at the end."""
    command = [sys.executable, "-m", "coprod_widgets.cli"]
    if db_url is not None:
        command += ["--db", db_url]
    extra = ["--evaluator", "--token", token] if token else []
    return [*command, "serve", "--port", str(port), *extra, *args]


def server_environment(
    db_url: str | None, home: str | os.PathLike | None = None, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The test process's environment with ``COPROD_DB_URL`` (and ``COPROD_HOME`` if given) set."""
    result = dict(os.environ)
    result.pop("COPROD_DB_URL", None)
    if db_url is not None:
        result["COPROD_DB_URL"] = db_url
    if home is not None:
        result["COPROD_HOME"] = str(home)
    result.update(env or {})
    return result


def wait_until_ready(server: ServerProcess, timeout: float = READY_TIMEOUT_S) -> float:
    """Poll ``GET /coprod/api/health`` until it answers 200; return the seconds it took."""
    started = time.monotonic()
    url = server.base_url + READY_PATH
    while True:
        if server.process.poll() is not None:
            raise ServerFailed(f"coprod serve exited with code {server.process.returncode}.\n{server.log()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _body = get(url, timeout=5)
            if status == 200:
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise ServerFailed(f"coprod serve did not answer {url} within {timeout:.0f} s.\n{server.log()[-3000:]}")
        time.sleep(0.2)


def start_server(
    db_url: str | None,
    port: int | None = None,
    home: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = READY_TIMEOUT_S,
    token: str | None = None,
    args: Sequence[str] = (),
) -> ServerProcess:
    """Start ``coprod serve`` on ``port`` (a free one if None) and return once it answers.

    ``db_url`` is passed as ``COPROD_DB_URL`` (None: inherit nothing, so the default store is used).
    ``args`` are added to the command (``["--workers", "2", "--max-kernels", "4"]``).
    The server's output goes to a temporary log file (see :meth:`ServerProcess.log`).
    Raises :class:`ServerFailed` (after stopping it) if it exits or is not ready within ``timeout``.
    """
    port = port or free_port()
    log_file = tempfile.NamedTemporaryFile(prefix=f"coprod-serve-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        serve_command(port, token=token, args=args),
        env=server_environment(db_url, home, env),
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = ServerProcess(process=process, port=port, log_path=Path(log_file.name), _log_file=log_file, token=token)
    try:
        wait_until_ready(server, timeout)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(
    server: ServerProcess, sig: int = signal.SIGINT, timeout: float = STOP_TIMEOUT_S, remove_log: bool = True
) -> int:
    """Send ``sig`` (SIGINT by default), wait up to ``timeout`` seconds, then kill; return the exit code.

    Safe to call on a server that has already exited. The log file is deleted unless ``remove_log`` is False.
    """
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if server._log_file is not None:
        server._log_file.close()
    if remove_log:
        with contextlib.suppress(OSError):
            server.log_path.unlink()
    return process.returncode


@contextlib.contextmanager
def running_server(
    db_url: str | None,
    port: int | None = None,
    home: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = READY_TIMEOUT_S,
    token: str | None = None,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """``with running_server(db_url) as base_url:`` a ready ``coprod serve``, stopped on exit.

    ``base_url`` ends with a slash, e.g. ``http://127.0.0.1:41234/``. Arguments as :func:`start_server`.
    """
    server = start_server(db_url, port=port, home=home, env=env, timeout=timeout, token=token, args=args)
    try:
        yield server.base_url
    finally:
        stop_server(server)
