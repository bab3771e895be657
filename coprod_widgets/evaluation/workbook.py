"""An evaluator workbook session: the store, the filters, and sections that follow the filters.

A notebook does::

    wb = Workbook.open()            # or Workbook.open(site="Saltmere") for a deep dive
    wb.filters                      # the filter panel
    wb.show(sections.overview)      # a section; it is drawn again whenever filters are applied
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets
from IPython.display import HTML, display

from ..store import Store
from .data import ProgrammeData
from .filters import FilterPanel, Filters, load_filtered
from .render import enable_offline_charts

Section = Callable[[ProgrammeData], list]


class Workbook:
    def __init__(self, store: Store, site: str | None = None):
        enable_offline_charts()
        self.store = store
        names = [s.name for s in store.sites()]
        if site is not None and site not in names:
            known = ", ".join(names) or "none yet"
            raise ValueError(f"There is no site called {site!r}. The sites are: {known}.")
        self.chosen = Filters(sites=[site] if site else [])
        self.data = load_filtered(store, self.chosen)
        self.panel = FilterPanel(names, self.apply, site=site)
        self._sections: list[tuple[widgets.Output, Section]] = []

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

    def heading(self) -> HTML:
        programmes = self.store.records("programme")
        name = programmes[0].name if programmes else "No programme yet"
        return HTML(f"<p><strong>{escape(name)}</strong>. Showing {escape(self.chosen.describe())}.</p>")

    def show(self, section: Section) -> widgets.Output:
        """Draw ``section`` now and again after every change of filters."""
        out = widgets.Output()
        self._sections.append((out, section))
        self._draw(out, section)
        return out

    def _draw(self, out: widgets.Output, section: Section) -> None:
        out.clear_output(wait=True)
        with out:
            for part in section(self.data):
                display(part)

    def apply(self, chosen: Filters) -> None:
        self.chosen = chosen
        self.data = load_filtered(self.store, chosen)
        for out, section in self._sections:
            self._draw(out, section)
