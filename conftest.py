"""Workbooks run under nbval against a fresh demo store, never against anyone's real data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_saved_url: list[str | None] = []


def _is_notebook_item(item) -> bool:
    return str(getattr(item, "path", "")).endswith(".ipynb")


def pytest_runtest_setup(item):
    if not _is_notebook_item(item) or _saved_url:
        return
    from coprod_widgets.demo import build_demo
    from coprod_widgets.store import Store

    folder = Path(tempfile.mkdtemp(prefix="coprod-nbval-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    store = Store.open(url)
    build_demo(store)
    store.close()
    _saved_url.append(os.environ.get("COPROD_DB_URL"))
    os.environ["COPROD_DB_URL"] = url  # the nbval kernel starts after this and inherits it


def pytest_sessionfinish(session, exitstatus):
    if _saved_url:
        previous = _saved_url[0]
        if previous is None:
            os.environ.pop("COPROD_DB_URL", None)
        else:
            os.environ["COPROD_DB_URL"] = previous
