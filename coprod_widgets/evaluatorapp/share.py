"""The "Share" panel of the evaluator workbooks: make a report or an export without leaving the notebook.

It calls the same functions as ``coprod report`` and ``coprod export`` and writes into
``data/shared/`` (git-ignored), with the date and time in each name so nothing is overwritten.
A progress bar moves as the work advances; the outcome, or what went wrong, is said in words.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from pathlib import Path

import ipywidgets as widgets

from .. import settings

PROGRAMME = "The whole programme"
FORMATS = {"Excel workbook (.xlsx)": "xlsx", "CSV files (a folder)": "csv"}


def shared_dir() -> Path:
    return settings.shared_dir()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


class SharePanel:
    """Two rows of controls: a report (programme or one site, PDF optional) and an export of the data."""

    def __init__(self, url: str, sites: list[str], site: str | None = None, folder: Path | None = None):
        self.url = url
        self.folder = Path(folder) if folder else shared_dir()
        style = {"description_width": "initial"}
        self.scope = widgets.Dropdown(
            options=[PROGRAMME, *sites],
            value=site if site in sites else PROGRAMME,
            description="Report on",
            style=style,
        )
        self.pdf = widgets.Checkbox(value=False, description="Also print a PDF", indent=False)
        self.report_button = widgets.Button(
            description="Make the report", icon="file-text", tooltip="Write an HTML report that opens with no network"
        )
        self.format = widgets.Dropdown(options=list(FORMATS), description="Export as", style=style)
        self.deidentify = widgets.Checkbox(
            value=False, description="De-identify (pseudonyms, no free text)", indent=False
        )
        self.labels = widgets.Checkbox(value=False, description="Labels instead of codes", indent=False)
        self.export_button = widgets.Button(
            description="Export the data", icon="download", tooltip="Write every record with a data dictionary"
        )
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Progress", style=style)
        self.status = widgets.HTML(value="")
        self.status.add_class("coprod-share-status")
        self.report_button.on_click(lambda _button: self.make_report())
        self.export_button.on_click(lambda _button: self.export())
        note = widgets.HTML(
            value=f"<p>Reports and exports cover every record in the store, whatever the filters "
            f"above. Files go to <code>{escape(str(self.folder))}</code>.</p>"
        )
        # Controls as wide as their words (ipywidgets cuts a button's text at a fixed width), rows that wrap.
        for control in (self.pdf, self.report_button, self.labels, self.deidentify, self.export_button):
            control.layout.width = "auto"
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        self.widget = widgets.VBox(
            [
                note,
                widgets.HBox([self.scope, self.pdf, self.report_button], layout=wrap),
                widgets.HBox([self.format, self.labels, self.deidentify, self.export_button], layout=wrap),
                self.progress,
                self.status,
            ]
        )
        self.widget.add_class("coprod-share")

    def _busy(self, busy: bool) -> None:
        self.report_button.disabled = self.export_button.disabled = busy

    def _advance(self, step: str, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = min(done, self.progress.max)
        self.status.value = f"<p>{escape(step)}: {done} of {total}...</p>"

    def _say(self, text: str) -> None:
        self.status.value = f'<p role="status">{escape(text)}</p>'

    def _folder_ready(self, what: str) -> bool:
        """Make the shared folder if needed, for its owner only; say so in words when it cannot be made."""
        from ..exports.writers import make_private_folders

        if self.folder.exists() and not self.folder.is_dir():
            self._say(f"{what}: {self.folder} is a file, not a folder. Move it, or choose another folder.")
            return False
        try:
            make_private_folders(self.folder)
        except OSError as exc:
            self._say(f"{what}: cannot make the folder {self.folder} ({exc.strerror or exc}).")
            return False
        return True

    def make_report(self) -> Path | None:
        from ..reports import ReportError, render_report

        if not self._folder_ready("The report was not made"):
            return None
        site = None if self.scope.value == PROGRAMME else self.scope.value
        name = f"{'programme' if site is None else _slug(site)}-report-{_stamp()}.html"
        self._busy(True)
        self.progress.value = 0
        self._say("Starting the report (this takes a few seconds)...")
        try:
            made = render_report(
                self.folder / name, site=site, url=self.url, pdf=self.pdf.value, progress=self._advance
            )
        except (ReportError, OSError) as exc:
            self._say(f"The report was not made: {exc}")
            return None
        finally:
            self._busy(False)
        pdf = f" and {made.pdf.name}" if made.pdf else ""
        self._say(f"Wrote {made.html}{pdf} ({made.size / 1024:.0f} KB) in {made.seconds:.1f} s.")
        return made.html

    def export(self) -> Path | None:
        from ..exports import ExportError, export_store
        from ..store import Store

        if not self._folder_ready("Nothing was exported"):
            return None
        kind = FORMATS[self.format.value]
        stem = f"export-{'deidentified-' if self.deidentify.value else ''}{_stamp()}"
        out = self.folder / (f"{stem}.xlsx" if kind == "xlsx" else stem)
        self._busy(True)
        self.progress.value = 0
        store = Store.open(self.url)
        try:
            done = export_store(
                store,
                out,
                format=kind,
                labels=self.labels.value,
                deidentify=self.deidentify.value,
                progress=self._advance,
            )
        except (ExportError, OSError) as exc:
            self._say(f"Nothing was exported: {exc}")
            return None
        finally:
            store.close()
            self._busy(False)
        self._say(f"Wrote {len(done.files)} file(s) to {done.path}: {sum(done.rows.values())} rows in all.")
        return done.path
