"""An evaluator workbook session: the store, the filters, and sections that follow the filters.

A notebook does::

    wb = Workbook.open()            # or Workbook.open(site="Saltmere") for a deep dive
    wb.filters                      # the filter panel
    wb.show(sections.overview)      # a section; it is redrawn in place whenever filters are applied
    wb.share()                      # buttons: a report or an export, written to data/shared/
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import altair as alt
import ipywidgets as widgets
from IPython.display import HTML

from ..store import Store
from .data import ProgrammeData
from .filters import FilterPanel, Filters, load_filtered
from .render import chart_html, enable_offline_charts
from .tables import TABLE_STYLE

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
        self._sections: list[tuple[widgets.HTML, Section]] = []
        self._headings: list[widgets.HTML] = []
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

    def _heading_html(self) -> str:
        programmes = self.store.records("programme")
        name = programmes[0].name if programmes else "No programme yet"
        return f"<p><strong>{escape(name)}</strong>. Showing {escape(self.chosen.describe())}.</p>"

    def heading(self) -> widgets.HTML:
        """The programme's name and what the filters show; it changes when the filters do."""
        view = widgets.HTML(value=self._heading_html())
        self._headings.append(view)
        return view

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

    def show(self, section: Section) -> widgets.HTML:
        """``section`` as one HTML widget, whose value is replaced whenever filters are applied.

        An HTML widget (not an Output widget capturing displays, which stalled Voilà's first
        render, nor a display id, which Voilà does not update) redraws the same way in JupyterLab
        and Voilà. Its HTML is ours: tables escape every value and charts are inline SVG.
        """
        view = widgets.HTML(value=SectionView(section(self.data)).html(embed="svg"))
        view.add_class("coprod-section")
        self._sections.append((view, section))
        return view

    def apply(self, chosen: Filters) -> None:
        self.chosen = chosen
        self.data = load_filtered(self.store, chosen)
        for view, section in self._sections:
            view.value = SectionView(section(self.data)).html(embed="svg")
        for view in self._headings:
            view.value = self._heading_html()
        for panel in self._share_panels:
            site = self._chosen_site()
            panel.scope.value = site if site in panel.scope.options else panel.scope.options[0]


class SectionView:
    """A section's parts (charts, tables, notes) as one block of HTML."""

    def __init__(self, parts: list):
        self.parts = parts

    def _repr_html_(self) -> str:
        return self.html()

    def html(self, embed: str = "auto") -> str:
        html = [TABLE_STYLE]
        for part in self.parts:
            if isinstance(part, alt.TopLevelMixin):
                html.append(chart_html(part, embed=embed))
            elif isinstance(part, HTML):
                html.append(part.data)
            else:
                html.append(part._repr_html_())
        return "\n".join(html)
