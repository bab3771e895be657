"""Run every benchmark and write ``bench/results.md``: ``python -m bench.run [--large] [--only NAME ...]``.

``make bench`` runs it on the demo (6 sites) and a synthetic programme of 60 sites; ``make bench-large``
adds 600 sites. Stores are built afresh in a temporary folder; nothing in ``data/`` is touched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from coprod_widgets.store import Store

from . import codes, first_page, interviews, reports, saves, sessions, surveys
from .common import machine

RESULTS = Path(__file__).resolve().parent / "results.md"
SECTIONS = ("first_page", "codes", "sessions", "saves", "reports", "surveys", "interviews")


def _build(folder: Path, sites: int) -> tuple[str, dict[str, str], float]:
    """A store with ``sites`` sites (the demo for 6, else a synthetic programme): URL, codes, seconds to build."""
    url = f"sqlite:///{folder / f'store-{sites}.db'}"
    store = Store.open(url)
    started = time.perf_counter()
    try:
        if sites == 6:
            from coprod_widgets.demo import build_demo

            found = build_demo(store)
        else:
            from coprod_widgets.demo.synth import build_synthetic

            found = build_synthetic(store, sites=sites, seed=1)
    finally:
        store.close()
    return url, found, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also 600 sites")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, help="run only these sections")
    options = parser.parse_args(argv)
    chosen = options.only or SECTIONS
    sizes = (6, 60, 600) if options.large else (6, 60)
    folder = Path(tempfile.mkdtemp(prefix="coprod-bench-"))
    started = time.perf_counter()
    parts = []
    try:
        stores = {}
        for sites in sizes:
            url, site_codes, seconds = _build(folder, sites)
            stores[sites] = (url, site_codes)
            print(f"built {sites} sites in {seconds:.1f} s", flush=True)
            parts.append(f"- store of {sites} sites built in {seconds:.1f} s")
        demo_url, demo_codes = stores[6]
        if "first_page" in chosen:
            parts.append(first_page.run(demo_url))
        if "codes" in chosen:
            parts.append(codes.run(stores))
        if "sessions" in chosen:
            parts.append(sessions.run(stores))
        if "saves" in chosen:
            parts.append(saves.run(Path(demo_url.removeprefix("sqlite:///"))))
        if "reports" in chosen:
            parts.append(reports.run({sites: url for sites, (url, _) in stores.items()}))
        if "surveys" in chosen:
            parts.append(surveys.run(folder))
        if "interviews" in chosen:
            parts.append(interviews.run(folder, large=options.large))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    command = "make bench-large" if options.large else "make bench"
    header = [
        "# Benchmarks",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`" + (f" (only {', '.join(chosen)})" if options.only else ""),
        f"- took {time.perf_counter() - started:.0f} s",
    ]
    built = "\n".join([*header, *parts[: len(sizes)]])
    RESULTS.write_text("\n\n".join([built, *parts[len(sizes) :]]) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
