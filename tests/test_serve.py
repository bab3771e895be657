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

from coprod_widgets import serve as serve_module
from tests.servers import free_port, get, serve_command, server_environment, start_server, stop_server

PROJECT_WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"


def _hello_home(tmp_path: Path) -> Path:
    """A COPROD_HOME whose workbooks folder holds one tiny notebook that reports the store URL."""
    home = tmp_path / "home"
    (home / "workbooks" / "site").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import os\nprint('store:', os.environ['COPROD_DB_URL'])"))
    nbformat.write(notebook, home / "workbooks" / "site" / "hello.ipynb")
    return home


def _db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'coprod.db'}"


def test_voila_arguments_are_safe():
    args = serve_module.voila_args(Path("/w"), 8123)
    for expected in (
        "--Voila.ip=127.0.0.1",
        "--Voila.port=8123",
        "--Voila.port_retries=0",
        "--no-browser",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
    ):
        assert expected in args
    assert any(arg.startswith("--MappingKernelManager.cull_idle_timeout=") for arg in args)


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
        status, body = get(server.base_url + "voila/render/hello.ipynb")
        assert status == 200
        assert f"store: {db_url}" in body, "the kernel must use the store given to coprod serve"
        processes = psutil.Process(server.process.pid).children(recursive=True)
        kernels = [p for p in processes if "ipykernel" in " ".join(p.cmdline())]
        assert kernels, "rendering a notebook should have started a kernel"
        assert "Culling kernels with idle durations > 600 seconds" in server.log()

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
def test_welcome_page_renders(tmp_path):
    server = start_server(_db_url(tmp_path), env={"COPROD_HOME": str(PROJECT_WORKBOOKS.parent)})
    try:
        status, body = get(server.base_url + "voila/render/welcome.ipynb", timeout=120)
        assert status == 200, body[-2000:]
        assert "<html" in body.lower()
        assert "There was an error when executing cell" not in body
    finally:
        assert stop_server(server) == 0


@pytest.mark.server
def test_ready_probe_starts_no_kernel(tmp_path):
    server = start_server(_db_url(tmp_path), home=_hello_home(tmp_path))
    try:
        for _ in range(3):
            assert get(server.base_url + "voila/api/contents")[0] == 200
        names = [" ".join(p.cmdline()) for p in psutil.Process(server.process.pid).children(recursive=True)]
        assert not [name for name in names if "ipykernel" in name], names
    finally:
        stop_server(server)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
