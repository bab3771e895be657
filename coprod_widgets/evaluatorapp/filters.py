"""The filter panel of the evaluator workbooks: one site or all, a date range, partner groups.

It only gathers choices into :class:`~coprod_widgets.evaluation.filters.Filters`; what they
select is decided in :mod:`coprod_widgets.evaluation`, the same for the widgets and the Python API.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..choices import RoleGroup
from ..evaluation.filters import Filters, parse_day

ALL_SITES = "All sites"


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
        start = parse_day(self.start.value, "From")
        end = parse_day(self.end.value, "To")
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
