"""The programme report and the evaluator overview at 6, 60 and 600 sites: time, peak memory, size.

Each is run as its own process tree, as an evaluator runs it: ``coprod report --programme`` (which runs the
report notebook in a kernel), and ``jupyter nbconvert --execute`` of ``evaluator_overview.ipynb`` on the
store. Peak memory is the highest resident memory of the whole tree (kernel included), sampled every 50 ms.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from coprod_widgets import settings

from .common import mb, table, timed


def programme_report(db_url: str, folder: Path) -> dict[str, float]:
    out = folder / "programme.html"
    command = [sys.executable, "-m", "coprod_widgets.cli", "--db", db_url, "report", "--programme", "--out", str(out)]
    seconds, peak = timed(command, dict(os.environ))
    return {"seconds": seconds, "peak": peak, "size": out.stat().st_size}


def evaluator_overview(db_url: str, folder: Path) -> dict[str, float]:
    notebook = settings.evaluator_workbooks_dir() / "evaluator_overview.ipynb"
    copy = folder / notebook.name
    shutil.copy(notebook, copy)
    command = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
        "--ExecutePreprocessor.timeout=1800", str(copy),
    ]  # fmt: skip
    seconds, peak = timed(command, {**os.environ, "COPROD_DB_URL": db_url})
    return {"seconds": seconds, "peak": peak, "size": copy.stat().st_size}


def run(stores: dict[int, str]) -> str:
    """``stores``: number of sites -> store URL. Returns the markdown section."""
    rows = []
    for sites, url in sorted(stores.items()):
        folder = Path(tempfile.mkdtemp(prefix=f"coprod-bench-{sites}-"))
        try:
            report = programme_report(url, folder)
            overview = evaluator_overview(url, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rows.append(
            [
                sites,
                f"{report['seconds']:.1f} s",
                mb(report["size"]),
                mb(report["peak"]),
                f"{overview['seconds']:.1f} s",
                mb(overview["size"]),
                mb(overview["peak"]),
            ]
        )
        print(f"{sites} sites: report {rows[-1][1]}, {rows[-1][2]}; overview {rows[-1][4]}, {rows[-1][5]}", flush=True)
    headings = ["sites", "programme report", "report file", "report peak memory", "evaluator overview",
                "executed notebook", "overview peak memory"]  # fmt: skip
    return "\n".join(
        [
            "## Programme report and evaluator overview",
            "",
            "Each a process tree of its own (kernel included); peak resident memory sampled every 50 ms.",
            "",
            table(headings, rows),
        ]
    )
