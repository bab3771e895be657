"""How long a save takes: alone, and with 8 writers saving at once (separate processes, as Voilà kernels are).

Uses the writer of the load tests (``tests/store_writer.py load``): adds of partners and activities and
updates of its own records at several sites, each save one committed transaction, its time logged in ms.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coprod_widgets.store import Store

from .common import percentile, table

WRITER = Path(__file__).resolve().parent.parent / "tests" / "store_writer.py"
SAVES_ALONE = 300
SAVES_EACH = 100
WRITERS = 8


def _sites(db_url: str) -> str:
    store = Store.open(db_url)
    try:
        return ",".join(str(site.id) for site in store.sites()[:6])
    finally:
        store.close()


def _run_writers(db_url: str, writers: int, saves: int, folder: Path) -> list[float]:
    go = folder / f"go-{writers}"
    sites = _sites(db_url)
    logs = [folder / f"writer-{writers}-{n}.log" for n in range(writers)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(WRITER),
                "load",
                db_url,
                str(log),
                "--writer",
                str(n),
                "--saves",
                str(saves),
                "--sites",
                sites,
                "--go",
                str(go),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n, log in enumerate(logs)
    ]
    deadline = time.monotonic() + 120
    while not all(log.exists() and log.read_text().startswith("ready") for log in logs):
        if time.monotonic() > deadline:
            raise RuntimeError("the writers did not get ready")
        time.sleep(0.1)
    go.touch()
    for process in processes:
        _, error = process.communicate(timeout=900)
        if process.returncode != 0:
            raise RuntimeError(f"a writer failed:\n{error[-2000:]}")
    times = []
    for log in logs:
        for line in log.read_text().splitlines()[1:]:
            times.append(json.loads(line)["ms"] / 1000)
    return times


def run(db_path: Path) -> str:
    """Copies the SQLite store at ``db_path`` for each run; returns the markdown section."""
    folder = Path(tempfile.mkdtemp(prefix="coprod-bench-saves-"))
    rows = []
    try:
        for writers, saves in ((1, SAVES_ALONE), (WRITERS, SAVES_EACH)):
            copy = folder / f"store-{writers}.db"
            shutil.copy(db_path, copy)
            times = _run_writers(f"sqlite:///{copy}", writers, saves, folder)
            p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
            rows.append([writers, len(times), f"{p50:.1f} ms", f"{p95:.1f} ms", f"{max(times) * 1000:.0f} ms"])
            print(f"saves with {writers} writer(s): p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(
        [
            "## Save latency (SQLite, WAL)",
            "",
            "Each save one transaction with its history line; writers are separate processes started together.",
            "",
            table(["writers", "saves", "p50", "p95", "slowest"], rows),
        ]
    )
