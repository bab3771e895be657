"""What a Voilà worker is started with: this computer only, a kernel budget, safe settings.

Kept apart from the process handling so that the arguments can be read and tested on their own.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8866
#: Memory a site-app kernel holds once a site is open (measured: 93 MB resident), with room to spare.
KERNEL_MEMORY_MB = 150
#: The share of the computer's memory that kernels may take, all workers together.
KERNEL_MEMORY_SHARE = 0.5
#: End the kernel of an open page nobody has used for this long (the page then says so).
IDLE_PAGE_TIMEOUT_S = 30 * 60
#: End a kernel no page is connected to (closed tab, crawler) after this long.
UNCONNECTED_TIMEOUT_S = 45
#: A cell that runs longer than this is stopped, so a page cannot hang for ever.
CELL_TIMEOUT_S = 45
#: The page shows "taking too long" if its app is not on screen after this long.
RENDER_TIMEOUT_S = 60
#: Largest websocket message a page may send (form input is small).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: The evaluator workbooks take survey exports as uploads, one message each (15,500 responses are 3.9 MB).
EVALUATOR_MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def default_max_kernels(workers: int = 1, total_memory: int | None = None) -> int:
    """Kernels per worker that fit in half this computer's memory at 150 MB each (at least 2)."""
    if total_memory is None:
        import psutil

        total_memory = psutil.virtual_memory().total
    fit = int(total_memory * KERNEL_MEMORY_SHARE / (KERNEL_MEMORY_MB * 1024 * 1024) / max(1, workers))
    return max(2, fit)


@dataclass(frozen=True)
class WorkerOptions:
    """One worker's settings. ``target`` is the site app notebook, or the evaluator workbooks folder."""

    target: Path
    port: int
    max_kernels: int
    token: str | None = None
    idle_page_timeout: float = IDLE_PAGE_TIMEOUT_S
    unconnected_timeout: float = UNCONNECTED_TIMEOUT_S
    cell_timeout: float = CELL_TIMEOUT_S
    render_timeout: float = RENDER_TIMEOUT_S

    @property
    def single_notebook(self) -> bool:
        return self.target.suffix == ".ipynb"

    @property
    def max_message_bytes(self) -> int:
        return MAX_MESSAGE_BYTES if self.single_notebook else EVALUATOR_MAX_MESSAGE_BYTES


def worker_args(options: WorkerOptions) -> list[str]:
    """The command-line arguments for :mod:`coprod_widgets.serving.worker` (Voilà's own syntax)."""
    manager = "coprod_widgets.serving.kernels.BudgetKernelManager"
    args = [
        str(options.target),
        f"--Voila.ip={HOST}",
        f"--Voila.port={options.port}",
        # The default (50) silently moves to another port when this one is busy.
        "--Voila.port_retries=0",
        "--no-browser",
        # The synchronous manager avoids Voilà's "Executing x of y" stall (voila #1395, #1428); ours adds a budget.
        f"--VoilaConfiguration.multi_kernel_manager_class={manager}",
        f"--BudgetKernelManager.max_kernels={options.max_kernels}",
        f"--BudgetKernelManager.idle_page_timeout={options.idle_page_timeout}",
        f"--BudgetKernelManager.unconnected_timeout={options.unconnected_timeout}",
        # Our sweep ends unused kernels and says why; jupyter_server's culler would end them silently.
        "--MappingKernelManager.cull_idle_timeout=0",
        # A restarted kernel has lost the page's widgets: end it and let the page say "reload" instead.
        "--KernelManager.autorestart=False",
        f"--VoilaExecutor.timeout={options.cell_timeout:g}",
        # Visitors cannot switch the template or theme from the address bar.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--CoprodVoila.max_message_bytes={options.max_message_bytes}",
        # Without a token anyone who can reach the port may open the pages; with one, only its holders.
        f"--Voila.token={options.token or ''}",
    ]
    if options.single_notebook:
        # The site app alone, at "/": no folder listing, no other notebook, and a page that never fails silently.
        args += ["--VoilaConfiguration.template=coprod", f"--CoprodVoila.render_timeout={options.render_timeout:g}"]
    return args


def worker_command(options: WorkerOptions) -> list[str]:
    return [sys.executable, "-m", "coprod_widgets.serving.worker", *worker_args(options)]
