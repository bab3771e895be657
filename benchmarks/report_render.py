"""How long the reports take to make on the demo store, and how big they are.

Runs ``coprod report`` for real (a fresh process each time, as a user would) on a freshly built
demo store and prints, for the programme report and one site report, the median and range of the
wall-clock time over N runs and the size of the HTML (and of the PDF, with --pdf).

    .venv/bin/python benchmarks/report_render.py [--runs 3] [--pdf]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coprod_widgets.demo import build_demo  # noqa: E402
from coprod_widgets.store import Store  # noqa: E402

REPORTS = {"programme report": ["--programme"], "site report (Saltmere)": ["--site", "Saltmere"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also print each report to PDF")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coprod-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        store = Store.open(url)
        build_demo(store)
        store.close()
        print(f"Demo store built; {args.runs} run(s) of each report{' with PDF' if args.pdf else ''}.")
        for name, choice in REPORTS.items():
            out = Path(folder) / "report.html"
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "coprod_widgets.cli",
                        "--db",
                        url,
                        "report",
                        *choice,
                        "--out",
                        str(out),
                        *(["--pdf"] if args.pdf else []),
                    ],
                    check=True,
                    capture_output=True,
                )
                times.append(time.perf_counter() - began)
            pdf = out.with_suffix(".pdf")
            pdf_size = f", PDF {pdf.stat().st_size / 1024:.0f} KB" if args.pdf else ""
            print(
                f"{name}: median {statistics.median(times):.2f} s (range {min(times):.2f} to {max(times):.2f}), "
                f"HTML {out.stat().st_size / 1024:.0f} KB{pdf_size}"
            )


if __name__ == "__main__":
    main()
