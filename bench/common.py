"""What every benchmark needs: the machine's description, medians and percentiles, a process tree's memory."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psutil


def machine() -> str:
    """One line: cores, memory, Python, the operating system, the date."""
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank), NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def mb(size: float) -> str:
    return f"{size / 2**20:.1f} MB"


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its children (kernels included), in bytes."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with suppress(psutil.Error):  # a kernel that ended meanwhile
            total += process.memory_info().rss
    return total


@dataclass
class PeakMemory:
    """The highest resident memory seen for a process tree, sampled every ``interval`` seconds."""

    pid: int
    interval: float = 0.05
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(self.interval)

    @contextmanager
    def watching(self) -> Iterator[PeakMemory]:
        thread = threading.Thread(target=self._watch, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def table(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run ``command`` to its end: seconds taken and the peak resident memory of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakMemory(process.pid).watching() as memory:
        output, _ = process.communicate(timeout=1800)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")
    return time.perf_counter() - started, memory.peak
