"""An evaluator workbook session: the store, the filters, and sections that follow the filters.

A notebook does::

    wb = Workbook.open()            # or Workbook.open(site="Saltmere") for a deep dive
    wb.filters                      # the filter panel
    wb.show(sections.overview)      # a section; it is redrawn in place whenever filters are applied
    wb.share()                      # buttons: a report or an export, written to data/shared/

Headings and sections are :class:`~.live.LiveHTML` blocks: widgets under Voilà, plain HTML outputs
elsewhere, so an executed notebook keeps every table and chart when rendered with no kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from ..evaluation.data import ProgrammeData
from ..evaluation.filters import Filters, load_filtered
from ..evaluation.render import SectionView, enable_offline_charts
from ..store import Store
from .filters import FilterPanel
from .live import LiveHTML

Section = Callable[[ProgrammeData], list]


class Workbook:
    def __init__(self, store: Store, site: str | None = None, as_widgets: bool | None = None):
        """``as_widgets``: draw headings and sections as widgets (``None``: only under Voilà; see :mod:`.live`)."""
        enable_offline_charts()
        self.store = store
        names = [s.name for s in store.sites()]
        if site is not None and site not in names:
            known = ", ".join(names) or "none yet"
            raise ValueError(f"There is no site called {site!r}. The sites are: {known}.")
        self.chosen = Filters(sites=[site] if site else [])
        self.data = load_filtered(store, self.chosen)
        self.panel = FilterPanel(names, self.apply, site=site)
        self.as_widgets = as_widgets
        self._blocks: list[LiveHTML] = []
        self._share_panels: list = []

    @classmethod
    def open(cls, site: str | None = None, url: str | None = None) -> Workbook:
        return cls(Store.open(url), site=site)

    @classmethod
    def for_site(cls, site: str | None = None, url: str | None = None) -> Workbook:
        """A deep dive into one site: the one named, or the first site when ``site`` is None."""
        store = Store.open(url)
        if site is None:
            sites = store.sites()
            if not sites:
                raise ValueError("There are no sites yet: add one with  coprod site add  or run  coprod demo.")
            site = sites[0].name
        return cls(store, site=site)

    @property
    def filters(self) -> widgets.Widget:
        return self.panel.widget

    def _heading_html(self, _embed: str = "") -> str:
        programmes = self.store.records("programme")
        name = programmes[0].name if programmes else "No programme yet"
        return f"<p><strong>{escape(name)}</strong>. Showing {escape(self.chosen.describe())}.</p>"

    def _block(self, render: Callable[[str], str], css_class: str = "") -> LiveHTML:
        block = LiveHTML(render, css_class=css_class, as_widget=self.as_widgets)
        self._blocks.append(block)
        return block

    def heading(self) -> LiveHTML:
        """The programme's name and what the filters show; it changes when the filters do."""
        return self._block(self._heading_html, "coprod-heading")

    def _chosen_site(self) -> str | None:
        return self.chosen.sites[0] if len(self.chosen.sites) == 1 else None

    def share(self) -> widgets.Widget:
        """Buttons that write a report or an export of the data into ``data/shared/`` (see :mod:`.share`).

        The report's scope follows the filters: one site chosen, that site's report; otherwise the
        programme's. So a deep dive switched to another site cannot send the first site's report.
        """
        from .share import SharePanel

        panel = SharePanel(self.store.url, [s.name for s in self.store.sites()], site=self._chosen_site())
        self._share_panels.append(panel)
        return panel.widget

    def show(self, section: Section) -> LiveHTML:
        """``section`` as one block of HTML, redrawn in place whenever filters are applied.

        Its HTML is ours: tables escape every value and charts are SVG drawn in Python, so
        nothing is fetched. The section is computed again only when it is drawn.
        """
        return self._block(lambda embed: SectionView(section(self.data)).html(embed=embed), "coprod-section")

    def apply(self, chosen: Filters) -> None:
        self.chosen = chosen
        self.data = load_filtered(self.store, chosen)
        for block in self._blocks:
            block.redraw()
        for panel in self._share_panels:
            site = self._chosen_site()
            panel.scope.value = site if site in panel.scope.options else panel.scope.options[0]
