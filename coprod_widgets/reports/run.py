"""Running a report notebook with papermill and writing it as one self-contained HTML file.

The notebook in ``workbooks/reports/`` is run for real in a fresh kernel with its parameters
injected (papermill), then converted by nbconvert with the ``coprod_report`` template, which keeps
only the HTML the cells displayed: no code, no prompts, no widget state, nothing from a CDN.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from ..store import Store

#: ``progress(step, done, total)``: called as the report advances (cells run, conversion, printing).
Progress = Callable[[str, int, int], None]
NOTEBOOKS = {"programme": "programme_report.ipynb", "site": "site_report.ipynb"}
TEMPLATES = Path(__file__).resolve().parent / "templates"
ENGINE = "coprod-report"


class ReportError(ValueError):
    """A report could not be made; the message says why and what to do, in one line."""


@dataclass
class ReportResult:
    html: Path
    pdf: Path | None
    seconds: float
    size: int


def _register_engine() -> None:
    """A papermill engine that reports each finished cell to a ``progress`` callback."""
    from papermill.engines import NBClientEngine, papermill_engines

    class ReportEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, progress: Progress | None = None, **kwargs):
            if progress is not None:
                total, finish = len(nb_man.nb.cells), nb_man.cell_complete

                def cell_complete(cell, cell_index=None, **more):
                    finish(cell, cell_index=cell_index, **more)
                    progress("Running the report notebook", (cell_index or 0) + 1, total)

                nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE, ReportEngine)


def _check_target(out: Path) -> Path:
    out = Path(out).expanduser()
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"The report is an HTML file: give --out a name ending in .html, not {out.name!r}.")
    if out.is_dir():
        raise ReportError(f"{out} is a folder: give --out a file name ending in .html.")
    folder = out.parent.resolve()
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{folder} is a file, not a folder: choose a folder for the report with --out.")
    if not folder.is_dir():
        raise ReportError(f"The folder {folder} does not exist: create it or choose another place with --out.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(f"Cannot write in the folder {folder}: choose another place with --out.")
    return out


def site_name(store: Store, site: str | None) -> str:
    """The site's name as the store spells it (any case matches); None means the first site."""
    names = [s.name for s in store.sites()]
    if not names:
        raise ReportError("There are no sites yet: add one with  coprod site add  or run  coprod demo.")
    if site is None:
        return names[0]
    if site in names:
        return site
    folded = {name.casefold(): name for name in names}
    if site.casefold() in folded:
        return folded[site.casefold()]
    known = ", ".join(names) or "none yet (add one with  coprod site add)"
    raise ReportError(f"There is no site called {site!r}. The sites are: {known}.")


def execute(kind: str, parameters: dict, progress: Progress | None = None, timeout: int = 600):
    """Run the report notebook ``kind`` ('programme' or 'site') and return the executed notebook."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = settings.report_workbooks_dir() / NOTEBOOKS[kind]
    if not notebook.exists():
        raise ReportError(f"The report notebook {notebook} is missing: reinstall coprod or set COPROD_HOME.")
    _register_engine()
    # The kernel is local and short-lived: its warning about plain TCP and its shutdown noise would only alarm.
    with tempfile.TemporaryDirectory(prefix="coprod-report-") as work:
        try:
            return papermill.execute_notebook(
                str(notebook),
                None,
                parameters=parameters,
                engine_name=ENGINE,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=work,
                kernel_name="python3",
                progress=progress,
                execution_timeout=timeout,
                extra_arguments=["--log-level=CRITICAL"],
            )
        except PapermillExecutionError as exc:
            raise ReportError(
                f"The report notebook stopped at cell {exc.exec_count}: {exc.ename}: "
                f"{' '.join(str(exc.evalue).split())}"
            ) from None


def to_html(nb, title: str, store: str, generated: str) -> str:
    """The executed notebook as one HTML page, through the ``coprod_report`` nbconvert template."""
    from nbconvert import HTMLExporter

    from .. import __version__

    exporter = HTMLExporter(template_name="coprod_report", extra_template_basedirs=[str(TEMPLATES)])
    resources = {"coprod": {"title": title, "store": store, "generated": generated, "version": __version__}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _write(path: Path, text: str) -> None:
    """Write beside the target and move into place, so a failure never leaves half a report."""
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            partial = Path(handle.name)
            handle.write(text)
        os.replace(partial, path)
    except OSError as exc:
        if "partial" in locals():
            partial.unlink(missing_ok=True)
        raise ReportError(f"Cannot write the report to {path}: {exc.strerror or exc}.") from None


@dataclass
class ReportRequest:
    """A checked request: the file to write, the site's exact name (None for the programme), the store."""

    out: Path
    site: str | None
    url: str
    pdf: bool
    programme_name: str


def check_request(out, site: str | None = None, url: str | None = None, pdf: bool = False) -> ReportRequest:
    """Check everything that can be checked before the slow part; raise :class:`ReportError` if not right."""
    from .pdf import NO_CHROMIUM, find_chromium

    out = _check_target(Path(out))
    url = url or settings.database_url()
    if pdf and find_chromium() is None:
        raise ReportError(NO_CHROMIUM)
    store = Store.open(url)
    try:
        programmes = store.records("programme")
        site = site_name(store, site) if site is not None else None
    finally:
        store.close()
    return ReportRequest(out, site, url, pdf, programmes[0].name if programmes else "Programme")


def render_report(
    out,
    site: str | None = None,
    url: str | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
    timeout: int = 600,
) -> ReportResult:
    """Make the programme report (``site=None``) or one site's report at ``out`` (an .html path).

    With ``pdf=True`` the same page is also printed to ``out`` with the suffix ``.pdf`` by a
    local Chromium (see :mod:`coprod_widgets.reports.pdf`). Raises :class:`ReportError`.
    """
    from .pages import describe_store
    from .pdf import print_pdf

    began = time.perf_counter()
    request = check_request(out, site, url, pdf)
    generated = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    parameters = {"db_url": request.url, "generated": generated, **({"site": request.site} if request.site else {})}
    nb = execute("site" if request.site else "programme", parameters, progress, timeout)
    steps = len(nb.cells)
    if progress:
        progress("Writing the HTML file", steps, steps)
    title = f"{request.site or request.programme_name}: co-production report"
    _write(request.out, to_html(nb, title, describe_store(request.url), generated))
    pdf_path = None
    if request.pdf:
        if progress:
            progress("Printing the PDF", steps, steps)
        pdf_path = print_pdf(request.out, request.out.with_suffix(".pdf"))
    return ReportResult(request.out, pdf_path, time.perf_counter() - began, request.out.stat().st_size)
