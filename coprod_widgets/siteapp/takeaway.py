"""'Download our site report': a site team takes its own report away, made when they ask for it.

The report is the one ``coprod report --site`` makes, for this site only: the button knows no other
site's name, and the site report shows only its own site's records. It is made in a private temporary
folder and handed to the browser as a link that saves it (a data: URL with ``download``), so nothing
is left on the server. Reports, papermill and pandas are imported only when the button is pressed.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import tempfile
from html import escape
from pathlib import Path

import ipywidgets as widgets

from ..scope import SiteScope
from .form import heading

KB = 1024


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "site"


def _size(size: int) -> str:
    return f"{size / KB:,.0f} KB" if size < KB * KB else f"{size / KB / KB:,.1f} MB"


def download_link(data: bytes, filename: str, mime: str, words: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="coprod-download" download="{escape(filename)}" href="data:{mime};base64,{encoded}">'
        f"{escape(words)} ({_size(len(data))})</a>"
    )


class ReportDownload:
    """A button, an optional PDF, a status line in words, and the links that save the report."""

    def __init__(self, scope: SiteScope, url: str):
        self.scope, self.url = scope, url
        self.button = widgets.Button(
            description="Download our site report",
            icon="download",
            tooltip="Make this site's report and save it on this computer",
        )
        self.button.layout.width = "auto"
        self.pdf = widgets.Checkbox(value=False, description="Also as a PDF, for printing", indent=False)
        self.pdf.layout.width = "auto"
        self.status = widgets.Label(value="")
        self.status.add_class("coprod-status")
        self.links = widgets.HTML(value="")
        self.button.on_click(lambda _button: self.make())
        explain = widgets.Label(
            value=f"A report of {scope.site.name}'s records only, to share or keep. It opens "
            "in any browser with no network and names no partners. It takes about half "
            "a minute to make."
        )
        row = widgets.HBox([self.button, self.pdf], layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.widget = widgets.VBox([heading("Take your report away", 3), explain, row, self.status, self.links])
        self.widget.add_class("coprod-takeaway")

    def make(self) -> bool:
        """Make the report; True when the links to save it are on screen."""
        from ..reports.run import ReportError, render_report

        site = self.scope.site.name
        self.button.disabled = True
        self.links.value = ""
        self.status.value = "Making your report: please wait, this takes about half a minute..."
        stem = f"{_slug(site)}-report-{dt.date.today().isoformat()}"
        try:
            with tempfile.TemporaryDirectory(prefix="coprod-takeaway-") as folder:
                made = render_report(Path(folder) / f"{stem}.html", site=site, url=self.url, pdf=self.pdf.value)
                links = [download_link(made.html.read_bytes(), f"{stem}.html", "text/html", "Save the report")]
                if made.pdf is not None:
                    links.append(download_link(made.pdf.read_bytes(), f"{stem}.pdf", "application/pdf", "Save the PDF"))
        except ReportError as problem:
            self.status.value = f"The report could not be made: {problem}"
            return False
        finally:
            self.button.disabled = False
        self.links.value = " ".join(f"<p>{link}</p>" for link in links)
        self.status.value = f"Your report of {site} is ready: choose the link below to save it."
        return True
