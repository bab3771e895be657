"""Launching the system Chromium for Playwright, offline, the way every browser test here does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """``COPROD_CHROMIUM`` (set by make test), else a chromium on the PATH; fail loudly otherwise."""
    configured = os.environ.get("COPROD_CHROMIUM", "")
    if configured and Path(configured).exists():
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise RuntimeError("No Chromium for the browser tests: run tools/ensure-chromium or set COPROD_CHROMIUM.")


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def block_the_network(context, base_url: str) -> None:
    """Let the page reach the test server only, as on a locked-down network."""
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
