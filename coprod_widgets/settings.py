"""Where things live: the database URL and the data folder, each overridable by environment."""

from __future__ import annotations

import os
from pathlib import Path

DB_URL_VARIABLE = "COPROD_DB_URL"
HOME_VARIABLE = "COPROD_HOME"
SHARED_DIR_VARIABLE = "COPROD_SHARED_DIR"


def project_root() -> Path:
    """The checkout this package runs from, or ``COPROD_HOME``, or a folder in the user's home.

    Voilà starts kernels in the notebook's folder, so paths must not depend on the working directory.
    """
    if os.environ.get(HOME_VARIABLE):
        return Path(os.environ[HOME_VARIABLE]).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.home() / ".local" / "share" / "coprod"


def data_dir() -> Path:
    return project_root() / "data"


def shared_dir() -> Path:
    """Where the Share panel writes reports and exports: ``COPROD_SHARED_DIR`` (``~`` allowed), else ``data/shared``.

    Under JupyterHub each evaluator has their own (in their home folder): they cannot write into the
    server's data folder, and one evaluator's files are not another's.
    """
    configured = os.environ.get(SHARED_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return data_dir() / "shared"


def workbooks_dir() -> Path:
    return project_root() / "workbooks"


def bundled_workbooks_dir() -> Path:
    """The workbooks that came with coprod: the checkout's ``workbooks/``, or the copy an installed wheel carries.

    ``setup.py`` copies ``workbooks/`` into the wheel as ``coprod_widgets/workbooks/``.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent / "workbooks"
    if (package.parent / "pyproject.toml").exists() and checkout.is_dir():
        return checkout
    return package / "workbooks"


def instruments_dir() -> Path:
    """The shared instruments (XLSForms) that came with coprod: ``data/instruments/``, or the wheel's copy.

    ``setup.py`` copies them into the wheel as ``coprod_widgets/instruments/``. Not ``COPROD_HOME``'s: a store's
    instruments are the ones its coprod shipped, whatever folder holds its data.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent / "data" / "instruments"
    if (package.parent / "pyproject.toml").exists() and checkout.is_dir():
        return checkout
    return package / "instruments"


def codebook_dir() -> Path:
    """The interview codebook that came with coprod: ``data/codebook/``, or the wheel's copy.

    ``setup.py`` copies its YAML files into the wheel as ``coprod_widgets/codebook/``. Found like
    :func:`instruments_dir`, and for the same reason: every store codes against the codebook its coprod shipped.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent / "data" / "codebook"
    if (package.parent / "pyproject.toml").exists() and checkout.is_dir():
        return checkout
    return package / "codebook"


def _workbooks(folder: str) -> Path:
    """``COPROD_HOME``'s own ``workbooks/<folder>`` if it has one, else the one that came with coprod.

    A store kept elsewhere (``COPROD_HOME`` pointing at a data folder), or coprod installed from a
    wheel outside any checkout, still gets the workbooks that came with the package.
    """
    chosen = workbooks_dir() / folder
    if chosen.is_dir():
        return chosen
    return bundled_workbooks_dir() / folder


def site_workbooks_dir() -> Path:
    """What site teams may open: the site app, the one notebook ``coprod serve`` serves."""
    return _workbooks("site")


def site_app_notebook() -> Path:
    return site_workbooks_dir() / "site_app.ipynb"


def evaluator_workbooks_dir() -> Path:
    """Cross-site workbooks (every site's records): JupyterLab, or ``coprod serve --evaluator`` with a token."""
    return _workbooks("evaluator")


def report_workbooks_dir() -> Path:
    """The report notebooks ``coprod report`` runs."""
    return _workbooks("reports")


def database_url() -> str:
    """``COPROD_DB_URL`` if set (any SQLAlchemy URL), else a SQLite file in ``data/``."""
    configured = os.environ.get(DB_URL_VARIABLE, "").strip()
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'coprod.db'}"


# ---- naming a store in messages (below the command line, so library code can use them) -----------------


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1] if "@" in url else url


def sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()


def is_default_store(url: str) -> bool:
    """True for the SQLite file in the project's ``data/`` folder (the store ``make app`` uses)."""
    path = sqlite_path(url)
    return path is not None and path == (data_dir() / "coprod.db").resolve()


def describe_db(url: str) -> str:
    path = sqlite_path(url)
    return f"SQLite file {path}" if path else safe_url(url)
