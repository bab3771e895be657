"""Aggregate tables written with every export: who takes part, attends, responds and what changed, per site.

Only combinations that occur are listed (no rows of zeros). In a de-identified export a count below the
threshold is written as ``<N``, and there are no totals, which would let the hidden counts be worked out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from enum import Enum

from ..records import RECORD_TYPES, Record, Site
from .columns import COUNT, RECORD_NUMBER, TEXT, Column, Table, model_column

#: Each table: its name, the record type and fields it groups by (besides the site), and its counts
#: with what each one counts.
COUNT_TABLES: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "counts_partners": ("partner", ("role_group",), {"partners": "partners recorded, including those who left"}),
    "counts_attendance": (
        "partner",
        ("role_group",),
        {
            "attendances": "attendances at activities (one per partner per activity)",
            "people": "different partners who attended at least one activity",
        },
    ),
    "counts_outcomes": ("outcome", ("change_type", "direction"), {"outcomes": "outcomes recorded"}),
    "counts_acceptance": ("acceptance", ("response",), {"responses": "partners' responses to non-negotiables"}),
}


def count_columns(name: str, suppress_below: int | None) -> list[Column]:
    kind, groups, measures = COUNT_TABLES[name]
    hidden = f"; counts below {suppress_below} are shown as <{suppress_below}" if suppress_below else ""
    return [
        Column(name, "site_id", "Site", RECORD_NUMBER, required=True, note="links to the id column of site"),
        Column(name, "site", "Site name", TEXT, required=True),
        *(model_column(RECORD_TYPES[kind], field, table=name) for field in groups),
        *(
            Column(name, measure, measure.capitalize(), COUNT, required=True, note=f"number of {what}{hidden}")
            for measure, what in measures.items()
        ),
    ]


def count_tables(records: dict[str, list[Record]], sites: list[Site], suppress_below: int | None) -> list[Table]:
    """The count tables for these records; ``suppress_below`` hides small counts (de-identified exports)."""
    names = {site.id: site.name for site in sites}
    role_of = {partner.id: partner.role_group for partner in records["partner"]}
    partners = _grouped(records["partner"], ("role_group",))
    attendance = _grouped(records["attendance"], (), extra=lambda row: (role_of[row.partner_id],))
    outcomes = _grouped(records["outcome"], ("change_type", "direction"))
    responses = _grouped(records["acceptance"], ("response",))
    measured = {
        "counts_partners": {key: (len(rows),) for key, rows in partners.items()},
        "counts_attendance": {
            key: (len(rows), len({row.partner_id for row in rows})) for key, rows in attendance.items()
        },
        "counts_outcomes": {key: (len(rows),) for key, rows in outcomes.items()},
        "counts_acceptance": {key: (len(rows),) for key, rows in responses.items()},
    }
    tables = []
    for name, groups in measured.items():
        rows = [
            [site_id, names[site_id], *key, *(_shown(count, suppress_below) for count in counts)]
            for (site_id, *key), counts in sorted(groups.items(), key=lambda item: _order(item[0]))
        ]
        tables.append(Table(name, count_columns(name, suppress_below), rows))
    return tables


def _grouped(
    rows: Iterable[Record], fields: tuple[str, ...], extra: Callable[[Record], tuple] | None = None
) -> dict[tuple, list[Record]]:
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for row in rows:
        key = (row.site_id, *(getattr(row, field) for field in fields), *(extra(row) if extra else ()))
        groups[key].append(row)
    return groups


def _order(key: tuple) -> tuple:
    """Sites by number, then choices in the order their lists give them (not alphabetically)."""
    return tuple(list(type(part)).index(part) if isinstance(part, Enum) else part for part in key)


def _shown(count: int, suppress_below: int | None) -> int | str:
    return f"<{suppress_below}" if suppress_below and count < suppress_below else count


def hidden_counts(tables: list[Table]) -> Counter:
    """How many counts each table hides (for the about file)."""
    hidden: Counter = Counter()
    for table in tables:
        places = [index for index, column in enumerate(table.columns) if column.type == COUNT]
        hidden[table.name] += sum(isinstance(row[index], str) for row in table.rows for index in places)
    return hidden
