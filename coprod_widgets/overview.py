"""The programme at a glance: sites, partners and activities, for the welcome page.

Pure Python and escaped HTML, so the page renders quickly in Voilà without pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from .choices import RoleGroup
from .store import Store


@dataclass(frozen=True)
class SiteSummary:
    name: str
    service_issue: str
    start_date: dt.date
    partners: int
    current_partners: int
    lived_experience_partners: int
    activities: int
    last_activity: dt.date | None


def programme_summary(store: Store) -> list[SiteSummary]:
    """One line per site; two queries in all, whatever the number of sites."""
    partners, activities = store.records("partner"), store.records("activity")
    lines = []
    for site in store.sites():
        own = [p for p in partners if p.site_id == site.id]
        done = sorted(a.date for a in activities if a.site_id == site.id)
        lines.append(
            SiteSummary(
                name=site.name,
                service_issue=site.service_issue,
                start_date=site.start_date,
                partners=len(own),
                current_partners=sum(p.left is None for p in own),
                lived_experience_partners=sum(RoleGroup(p.role_group).is_lived_experience for p in own),
                activities=len(done),
                last_activity=done[-1] if done else None,
            )
        )
    return lines


_COLUMNS = (
    ("Site", "name"),
    ("Service issue", "service_issue"),
    ("Started", "start_date"),
    ("Partners", "partners"),
    ("Still involved", "current_partners"),
    ("With lived experience (incl. carers)", "lived_experience_partners"),
    ("Activities", "activities"),
    ("Latest activity", "last_activity"),
)


class ProgrammeOverview:
    """Displays as an HTML page section in Jupyter and Voilà; every value is escaped."""

    def __init__(self, store: Store):
        self.programmes = store.records("programme")
        self.sites = programme_summary(store)
        self.store_url = store.url

    def _heading(self) -> str:
        if not self.programmes:
            return (
                "<h2>No programme yet</h2><p>The store is empty. Run <code>coprod demo</code> to load the "
                "fictional demonstration programme, or <code>coprod site add</code> to add your first site.</p>"
            )
        parts = []
        for programme in self.programmes:
            said = "fictional" in programme.name.casefold()  # the demo's name says so already: once is enough
            flag = " <strong>(fictional demonstration data)</strong>" if programme.fictional and not said else ""
            parts.append(f"<h2>{escape(programme.name)}{flag}</h2>")
            if programme.description:
                parts.append(f"<p>{escape(programme.description)}</p>")
        return "".join(parts)

    def _table(self) -> str:
        if not self.sites:
            return "<p>No sites have been added yet.</p>"
        head = "".join(f'<th scope="col">{escape(title)}</th>' for title, _ in _COLUMNS)
        rows = []
        for line in self.sites:
            cells = []
            for index, (_, attribute) in enumerate(_COLUMNS):
                value = getattr(line, attribute)
                text = "none yet" if value is None else str(value)
                tag = 'th scope="row"' if index == 0 else "td"
                cells.append(f"<{tag}>{escape(text)}</{tag.split()[0]}>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{len(self.sites)} sites in this programme</caption>"
        return (
            f'<table class="coprod-sites">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )

    def _repr_html_(self) -> str:
        return (
            f"<section>{self._heading()}{self._table()}<p><small>Store: {escape(self.store_url)}</small></p></section>"
        )
