"""The evaluator workbooks' filters as data: site, date range and partner group.

The filter panel (:mod:`coprod_widgets.evaluatorapp.filters`) only gathers choices;
:func:`load_filtered` applies them, so the widgets and the Python API filter in exactly the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..choices import RoleGroup
from ..records import Day
from .data import ProgrammeData, load_programme


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


def parse_day(text: str, label: str):
    """The same date rules as every form (31/03/2015 or 2015-03-31); ValueError with a plain message."""
    from pydantic import TypeAdapter, ValidationError

    if not text.strip():
        return None
    try:
        return TypeAdapter(Day).validate_python(text)
    except ValidationError:
        raise ValueError(f"{label} must be a date written as day/month/year like 31/03/2015 (or 2015-03-31).") from None


def load_filtered(store, chosen: Filters) -> ProgrammeData:
    return load_programme(
        store, sites=chosen.sites or None, start=chosen.start, end=chosen.end, groups=chosen.groups or None
    )
