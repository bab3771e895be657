"""``coprod serve``: start one or more Voilà workers on loopback ports, restart any that dies, stop all cleanly.

Each worker runs in its own process group, so the supervisor alone decides how it stops: SIGTERM,
SIGINT (Ctrl-C) and SIGHUP become one SIGINT to every worker (Voilà then shuts its kernels down);
a worker still running after the stop timeout is killed, with any kernel left behind.

A worker that stops by itself (a crash, an out-of-memory kill) is started again on the same port, and
the kernels it leaves behind are ended. Its pages ask the server about their kernel, learn that it is
gone, and tell their users to reload (see the ``coprod`` Voilà template). A worker that keeps stopping
within seconds of its start is given up on, and the command stops with an error.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .options import HOST, WorkerOptions, worker_command

#: How long the workers get to shut their kernels down after SIGINT before they are killed.
STOP_TIMEOUT_S = 10.0
#: A worker that stops this soon after its start counts as failing to start.
QUICK_EXIT_S = 10.0
#: After this many quick exits in a row, give up.
MAX_QUICK_EXITS = 3
#: How often the supervisor looks at its workers, and how often it notes their kernels.
POLL_S = 0.25
KERNEL_NOTE_S = 2.0

_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class PortInUse(OSError):
    """A port asked for is taken by another program."""

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


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """On Linux, ask for SIGINT (a clean Voilà shutdown) if the supervisor itself is killed outright."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGINT))


def _descendants(pid: int) -> list:
    """A process's children (a worker's kernels), as psutil processes; empty if it is gone."""
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


@dataclass
class Worker:
    """One supervised Voilà process and what is known about it."""

    number: int
    options: WorkerOptions
    env: dict
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    restarts: int = 0
    kernels: list = field(default_factory=list)
    noted_at: float = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(
            worker_command(self.options), env=self.env, process_group=0, preexec_fn=_die_with_parent
        )
        self.started_at = time.monotonic()
        self.kernels = []

    def note_kernels(self) -> None:
        """Remember the worker's kernels, so that they can be ended if the worker dies without ending them."""
        if self.process is not None and time.monotonic() - self.noted_at > KERNEL_NOTE_S:
            self.kernels = _descendants(self.process.pid)
            self.noted_at = time.monotonic()


def run(
    options: WorkerOptions,
    workers: int,
    env: dict,
    echo: Callable[[str], None] = print,
    stop_timeout: float = STOP_TIMEOUT_S,
    lines: Sequence[str] = (),
) -> int:
    """Serve with ``workers`` Voilà processes on ``options.port`` and the ports after it, until stopped.

    Raises :class:`PortInUse` (before starting anything) if a port is taken. Returns 0 after a clean
    stop by SIGTERM, SIGINT or SIGHUP, 1 if a worker had to be killed or kept failing to start.
    ``lines`` are printed once the workers have started (what to open, where).
    """
    ports = [options.port + offset for offset in range(workers)]
    for port in ports:
        if port_in_use(port):
            raise PortInUse(port)
    pool = [Worker(number + 1, replace(options, port=port), env) for number, port in enumerate(ports)]
    state = {"stop_requests": 0}

    def on_signal(signum, _frame) -> None:
        state["stop_requests"] += 1
        for worker in pool:
            if worker.process is not None and worker.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.send_signal(signal.SIGINT)

    # Handlers go in before the children start: exec resets handled signals to their defaults, so
    # Voilà gets a working SIGINT even when this command was started with SIGINT ignored
    # (``coprod serve &`` from a script).
    previous = {signum: signal.signal(signum, on_signal) for signum in _STOP_SIGNALS}
    try:
        for worker in pool:
            worker.start()
        for line in lines:
            echo(line)
        return _supervise(pool, state, echo, stop_timeout)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for worker in pool:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()


def _restart(worker: Worker, code: int, echo: Callable[[str], None]) -> bool:
    """Start a worker that stopped by itself again; False if it keeps stopping at once."""
    lived = time.monotonic() - worker.started_at
    worker.quick_exits = worker.quick_exits + 1 if lived < QUICK_EXIT_S else 0
    leftovers = [kernel for kernel in worker.kernels if kernel.is_running()]
    _kill_all(leftovers)
    _reap(leftovers, timeout=5)
    if worker.quick_exits >= MAX_QUICK_EXITS:
        echo(
            f"Worker {worker.number} (port {worker.options.port}) stopped {worker.quick_exits} times within "
            f"{QUICK_EXIT_S:.0f} s of starting (last exit code {code}): giving up. See the messages above."
        )
        return False
    worker.restarts += 1
    echo(
        f"Worker {worker.number} (port {worker.options.port}) stopped unexpectedly (exit code {code}) after "
        f"{lived:.0f} s; starting it again. Pages it served will ask their users to reload."
    )
    worker.start()
    return True


def _supervise(pool: list[Worker], state: dict, echo: Callable[[str], None], stop_timeout: float) -> int:
    asked_at: float | None = None
    leftovers: list = []
    failed = False
    while True:
        time.sleep(POLL_S)
        stopping = state["stop_requests"] > 0
        if stopping and asked_at is None:
            asked_at = time.monotonic()
            for worker in pool:
                if worker.process is not None:
                    leftovers += _descendants(worker.process.pid)
            echo("Stopping the server and its kernels...")
        running = [worker for worker in pool if worker.process is not None and worker.process.poll() is None]
        if stopping:
            too_slow = time.monotonic() - asked_at > stop_timeout
            if not running:
                break
            if too_slow or state["stop_requests"] > 1:
                echo("The server did not stop in time: stopping it by force.")
                for worker in running:
                    leftovers += _descendants(worker.process.pid)
                    worker.process.kill()
                    worker.process.wait()
                _kill_all(leftovers)
                _reap(leftovers, timeout=5)
                return 1
            continue
        for worker in pool:
            code = worker.process.poll() if worker.process is not None else None
            if code is None:
                worker.note_kernels()
            elif not _restart(worker, code, echo):
                failed = True
        if failed:
            state["stop_requests"] += 1
            for worker in pool:
                if worker.process is not None and worker.process.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        worker.process.send_signal(signal.SIGINT)
    # Voilà shuts its kernels down on SIGINT; make sure none outlives it.
    _reap(leftovers, timeout=5)
    echo("Stopped.")
    return 1 if failed else 0
