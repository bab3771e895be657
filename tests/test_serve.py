"""``coprod serve``: a busy port is an error, and SIGTERM or Ctrl-C stop Voilà and every kernel.

Tests that start a process are marked ``server``; deselect them with ``-m "not server"``.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from coprod_widgets.serving.options import WorkerOptions, default_max_kernels, worker_args
from tests.servers import free_port, get, serve_command, server_environment, start_server, stop_server

PROJECT_WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"


def _hello_home(tmp_path: Path) -> Path:
    """A COPROD_HOME whose site app is one tiny notebook that reports the store URL."""
    home = tmp_path / "home"
    (home / "workbooks" / "site").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import os\nprint('store:', os.environ['COPROD_DB_URL'])"))
    nbformat.write(notebook, home / "workbooks" / "site" / "site_app.ipynb")
    return home


def _db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'coprod.db'}"


def test_worker_arguments_are_safe():
    args = worker_args(WorkerOptions(target=Path("/w/site_app.ipynb"), port=8123, max_kernels=7))
    for expected in (
        "/w/site_app.ipynb",
        "--Voila.ip=127.0.0.1",
        "--Voila.port=8123",
        "--Voila.port_retries=0",
        "--no-browser",
        "--VoilaConfiguration.multi_kernel_manager_class=coprod_widgets.serving.kernels.BudgetKernelManager",
        "--BudgetKernelManager.max_kernels=7",
        "--KernelManager.autorestart=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.template=coprod",
    ):
        assert expected in args
    assert any(arg.startswith("--VoilaExecutor.timeout=") for arg in args)
    folder = worker_args(WorkerOptions(target=Path("/w/evaluator"), port=8123, max_kernels=7, token="t"))
    assert "--Voila.token=t" in folder and "--VoilaConfiguration.template=coprod" not in folder
    # a site app page sends form input; an evaluator page may upload a survey export
    assert f"--CoprodVoila.max_message_bytes={4 * 1024 * 1024}" in args
    assert f"--CoprodVoila.max_message_bytes={32 * 1024 * 1024}" in folder


@pytest.mark.parametrize(
    ("workers", "memory_gib", "expected"),
    [(1, 24, 81), (2, 24, 40), (4, 2, 2), (1, 1, 3)],
)
def test_default_kernel_budget_fits_half_the_memory(workers, memory_gib, expected):
    assert default_max_kernels(workers, total_memory=memory_gib * 1024**3) == expected


@pytest.mark.server
def test_busy_port_is_a_one_line_error(tmp_path):
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        started = time.monotonic()
        result = subprocess.run(
            serve_command(port, _db_url(tmp_path)),
            env=server_environment(None, home=_hello_home(tmp_path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert time.monotonic() - started < 20
    assert result.stderr.splitlines() == [
        f"Error: Port {port} is already in use: stop the other program or choose another with --port."
    ]


@pytest.mark.server
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_server_and_kernels(tmp_path, sig):
    db_url = _db_url(tmp_path)
    server = start_server(db_url, home=_hello_home(tmp_path))
    try:
        status, body = get(server.base_url)
        assert status == 200
        assert f"store: {db_url}" in body, "the kernel must use the store given to coprod serve"
        processes = psutil.Process(server.process.pid).children(recursive=True)
        kernels = [p for p in processes if "ipykernel" in " ".join(p.cmdline())]
        assert kernels, "rendering a notebook should have started a kernel"

        started = time.monotonic()
        server.process.send_signal(sig)
        code = server.process.wait(timeout=15)
        assert time.monotonic() - started < 15
        assert code == 0, server.log()[-2000:]
        _gone, alive = psutil.wait_procs(processes, timeout=5)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    finally:
        stop_server(server)


@pytest.mark.server
def test_health_probe_starts_no_kernel(tmp_path):
    server = start_server(_db_url(tmp_path), home=_hello_home(tmp_path))
    try:
        for _ in range(3):
            assert get(server.base_url + "coprod/api/health")[0] == 200
        names = [" ".join(p.cmdline()) for p in psutil.Process(server.process.pid).children(recursive=True)]
        assert not [name for name in names if "ipykernel" in name], names
    finally:
        stop_server(server)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
