"""Filter widgets for the evaluator workbooks: site, date range and partner group.

The panel only gathers choices; :func:`load_programme` applies them, so the widgets and the
Python API filter in exactly the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets

from ..choices import RoleGroup
from ..records import Day
from .data import ProgrammeData, load_programme

ALL_SITES = "All sites"


@dataclass
class Filters:
    """The choices made; ``None`` or empty means no filter."""

    sites: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    groups: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [", ".join(self.sites) if self.sites else "all sites"]
        if self.start or self.end:
            parts.append(f"dates {self.start or 'any'} to {self.end or 'any'}")
        if self.groups:
            parts.append("partner groups: " + ", ".join(RoleGroup(g).label.lower() for g in self.groups))
        return "; ".join(parts)


def _parse_day(text: str, label: str):
    """The same date rules as every form (31/03/2015 or 2015-03-31); ValueError with a plain message."""
    from pydantic import TypeAdapter, ValidationError

    if not text.strip():
        return None
    try:
        return TypeAdapter(Day).validate_python(text)
    except ValidationError:
        raise ValueError(f"{label} must be a date written as day/month/year like 31/03/2015 (or 2015-03-31).") from None


class FilterPanel:
    """Dropdown for one site or all, two date boxes, a checkbox per partner group, an Apply button."""

    def __init__(self, site_names: list[str], on_apply: Callable[[Filters], None], site: str | None = None):
        style = {"description_width": "initial"}
        self.site = widgets.Dropdown(
            description="Site", options=[ALL_SITES, *site_names], value=site or ALL_SITES, style=style
        )
        self.start = widgets.Text(description="From (day/month/year)", placeholder="01/01/2015", style=style)
        self.end = widgets.Text(description="To (day/month/year)", placeholder="31/12/2016", style=style)
        self.groups = [
            widgets.Checkbox(value=False, description=group.label, indent=False, style=style) for group in RoleGroup
        ]
        self.apply = widgets.Button(description="Apply filters", button_style="primary")
        self.message = widgets.Label(value="Showing all sites, all dates, all partner groups.")
        self.on_apply = on_apply
        self.apply.on_click(lambda _button: self.submit())
        group_box = widgets.VBox([widgets.Label(value="Partner groups (none ticked means all)"), *self.groups])
        self.widget = widgets.VBox([self.site, self.start, self.end, group_box, self.apply, self.message])

    @property
    def filters(self) -> Filters:
        start = _parse_day(self.start.value, "From")
        end = _parse_day(self.end.value, "To")
        return Filters(
            sites=[] if self.site.value == ALL_SITES else [self.site.value],
            start=start.isoformat() if start else None,
            end=end.isoformat() if end else None,
            groups=[group.value for group, box in zip(RoleGroup, self.groups, strict=True) if box.value],
        )

    def submit(self) -> Filters | None:
        try:
            chosen = self.filters
        except ValueError as exc:
            self.message.value = f"Not applied: {exc}"
            return None
        if chosen.start and chosen.end and chosen.start > chosen.end:
            self.message.value = "Not applied: the From date is after the To date. Swap them."
            return None
        self.message.value = f"Showing {chosen.describe()}."
        self.on_apply(chosen)
        return chosen


def load_filtered(store, chosen: Filters) -> ProgrammeData:
    return load_programme(store, sites=chosen.sites or None, start=chosen.start, end=chosen.end,
                          groups=chosen.groups or None)
