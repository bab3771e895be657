"""Printing a report to PDF with a Chromium already on this computer (boards often want a PDF).

nbconvert's own ``webpdf`` needs a browser downloaded by Playwright, which locked-down machines
cannot fetch; the system's Chromium prints the same HTML page, charts included, with no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_VARIABLE = "COPROD_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
NO_CHROMIUM = (
    "No Chromium or Chrome was found to print the PDF. Install one (on Debian or Ubuntu: "
    "sudo apt-get install chromium) or set COPROD_CHROMIUM to its path; or open the HTML report "
    "in any browser and print it to PDF from there."
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    """``COPROD_CHROMIUM`` if it names a program, else the first Chromium or Chrome on the PATH."""
    configured = os.environ.get(CHROMIUM_VARIABLE, "").strip()
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def print_pdf(html: Path, pdf: Path, timeout: float = 180) -> Path:
    """Print ``html`` (a local file) to ``pdf``; raise ReportError with the reason if it cannot."""
    from .run import ReportError

    chromium = find_chromium()
    if chromium is None:
        raise ReportError(NO_CHROMIUM)
    pdf = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="coprod-chromium-") as profile:
        partial = pdf.with_name(f".{pdf.name}.tmp")
        command = [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            Path(html).resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise ReportError(f"Chromium did not finish printing the PDF within {timeout:.0f} seconds.") from None
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ReportError(f"Chromium could not print the PDF (exit {done.returncode}): {last}")
        os.replace(partial, pdf)
    return pdf
