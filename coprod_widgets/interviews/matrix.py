"""Matrices of coded passages: sites (or role groups) down the side, codes across, each count with its excerpts.

A count is of distinct passages: two coders' excerpts of the same passage count once, and with the sub-codes
rolled up a passage coded both ``lp2`` and ``lp2-stopped-coming`` is one passage under LP2. Every cell keeps
the excerpts behind it, so a count is never more than a click from what was said. A row with transcripts
but nothing coded, or with no transcripts at all, says so in words: it is never a row of zeros.

    found = excerpts(store)
    matrix = code_matrix(found, codebook(store), by="role", transcripts=transcript_counts(store, by="role"))
    HTML(matrix_html(matrix))
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from ..choices import RoleGroup
from .codebook import Codebook
from .excerpts import SEVERAL_GROUPS, Excerpt, passage_key, top_code

BY = {"site": "Site", "role": "Role group"}
CODED = "coded"
NOT_CODED = "not coded yet"
NO_TRANSCRIPTS = "no transcripts"
#: Role groups in the order the rest of coprod lists them, a workshop's "several" last.
ROLE_ORDER = [group.label for group in RoleGroup] + [SEVERAL_GROUPS]


def code_label(key: str) -> str:
    """How a code is headed: a learning point as "LP2", any other code by its key."""
    return key.upper() if re.fullmatch(r"lp\d+", key) else key


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    #: False for a code coded in a transcript but no longer in the codebook: shown, never dropped.
    known: bool = True

    @property
    def label(self) -> str:
        return code_label(self.key)


@dataclass(frozen=True)
class Passage:
    """One passage in a cell: its first excerpt (for the text and where it is), the codes and how many coders."""

    excerpt: Excerpt
    codes: tuple[str, ...]
    coders: int


@dataclass(frozen=True)
class Cell:
    row: str
    column: str
    excerpts: tuple[Excerpt, ...]

    @property
    def count(self) -> int:
        """Distinct passages: each coder's excerpt of the same passage counts once."""
        return len({passage_key(e)[:4] for e in self.excerpts})

    def passages(self) -> list[Passage]:
        """The passages behind the count, in transcript and paragraph order, each once."""
        grouped: dict[tuple, list[Excerpt]] = {}
        for excerpt in self.excerpts:
            grouped.setdefault(passage_key(excerpt)[:4], []).append(excerpt)
        return [
            Passage(group[0], tuple(dict.fromkeys(e.code for e in group)), len({e.coder for e in group}))
            for group in grouped.values()
        ]


@dataclass(frozen=True)
class Row:
    label: str
    transcripts: int
    passages: int
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.passages:
            return CODED
        return NOT_CODED if self.transcripts else NO_TRANSCRIPTS

    def count(self, key: str) -> int:
        cell = self.cells.get(key)
        return cell.count if cell else 0

    def says(self) -> str:
        """A row with nothing coded, in words."""
        if self.state == NOT_CODED:
            return f"Not coded yet: {_plural(self.transcripts, 'transcript')} held, no passage coded."
        if self.state == NO_TRANSCRIPTS:
            return "No transcripts imported yet."
        return f"{_plural(self.passages, 'passage')} coded"


@dataclass(frozen=True)
class Matrix:
    by: str
    roll_up: bool
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    #: Distinct passages under each column, every row together.
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        return BY[self.by]

    def row(self, label: str) -> Row:
        return next(row for row in self.rows if row.label == label)

    def cell(self, label: str, key: str) -> Cell | None:
        return self.row(label).cells.get(key)

    def summary(self) -> str:
        """How many rows have coded passages, transcripts not coded yet, or no transcripts: one sentence."""
        noun = "site" if self.by == "site" else "role group"
        if not self.rows:
            return f"No {noun}s yet, and no transcripts: import a transcript with coprod import-transcript."
        states = Counter(row.state for row in self.rows)
        parts = [f"{states[CODED]} with coded passages"]
        if states[NOT_CODED]:
            parts.append(f"{states[NOT_CODED]} with transcripts not coded yet")
        if states[NO_TRANSCRIPTS]:
            parts.append(f"{states[NO_TRANSCRIPTS]} with no transcripts")
        return f"{_plural(len(self.rows), noun)}: {', '.join(parts)}."


def row_of(excerpt: Excerpt, by: str) -> str:
    return excerpt.site if by == "site" else excerpt.role_label


def _check_by(by: str) -> None:
    if by not in BY:
        raise ValueError(f"by must be 'site' (sites down the side) or 'role' (role groups); you gave {by!r}.")


def _columns(found: list[Excerpt], book: Codebook, roll_up: bool) -> list[Column]:
    codes = book.top_level() if roll_up else list(book)
    columns = [Column(code.key, code.name) for code in codes]
    shown = {column.key for column in columns}
    strays = sorted({top_code(book, e.code) if roll_up else e.code for e in found} - shown)
    return columns + [Column(key, f"{key} (not in the codebook)", known=False) for key in strays]


def _row_order(labels: Iterable[str], by: str, rows: list[str] | None) -> list[str]:
    labels = set(labels)
    if rows is not None:
        given = list(dict.fromkeys(rows))
        return given + sorted(labels - set(given), key=str.casefold)  # data outside ``rows`` is shown, not dropped
    if by == "role":
        return sorted(labels, key=lambda label: (ROLE_ORDER.index(label) if label in ROLE_ORDER else 99, label))
    return sorted(labels, key=str.casefold)


def code_matrix(
    found: Iterable[Excerpt],
    book: Codebook,
    by: str = "site",
    roll_up: bool = True,
    rows: list[str] | None = None,
    transcripts: Mapping[str, int] | None = None,
) -> Matrix:
    """Count the passages behind ``found`` by site (``by="site"``) or role group (``by="role"``) and code.

    ``roll_up`` puts each sub-code's excerpts under its top-level code (the learning point); without it every
    code has a column. ``transcripts`` gives each row's number of transcripts (:func:`transcript_counts`), so
    rows with transcripts but nothing coded are listed as not coded yet; ``rows`` lists rows to show even
    with no transcripts (every site), in that order.
    """
    _check_by(by)
    found = list(found)
    columns = _columns(found, book, roll_up)
    held = Counter(transcripts) if transcripts is not None else Counter()
    if transcripts is None:  # only what the excerpts show: a transcript with a coded passage is held
        seen = {(row_of(e, by), e.transcript_id) for e in found}
        held.update(label for label, _ in seen)
    grouped: dict[str, dict[str, list[Excerpt]]] = {}
    for excerpt in found:
        column = top_code(book, excerpt.code) if roll_up else excerpt.code
        grouped.setdefault(row_of(excerpt, by), {}).setdefault(column, []).append(excerpt)
    built = []
    for label in _row_order([*grouped, *(k for k, n in held.items() if n)], by, rows):
        cells = {key: Cell(label, key, tuple(group)) for key, group in grouped.get(label, {}).items()}
        built.append(Row(label, held.get(label, 0), _passages(cells.values()), cells))
    totals = {
        column.key: _passages(row.cells[column.key] for row in built if column.key in row.cells) for column in columns
    }
    return Matrix(by, roll_up, tuple(columns), tuple(built), totals)


def _passages(cells: Iterable[Cell]) -> int:
    """Distinct passages in ``cells`` together."""
    return len({passage_key(e)[:4] for cell in cells for e in cell.excerpts})


def transcript_counts(transcripts: Iterable, site_names: Mapping[int, str], by: str = "site") -> Counter:
    """Transcripts held per row: ``transcripts`` are records (or anything with ``site_id`` and ``role_group``)."""
    _check_by(by)
    counts: Counter = Counter()
    for transcript in transcripts:
        if by == "site":
            counts[site_names.get(transcript.site_id, f"site {transcript.site_id}")] += 1
        else:
            role = transcript.role_group
            value = getattr(role, "value", role)
            counts[RoleGroup(value).label if isinstance(value, str) and value else SEVERAL_GROUPS] += 1
    return counts


def store_matrix(store, by: str = "site", roll_up: bool = True, site_ids: Iterable[int] | None = None) -> Matrix:
    """The matrix of everything in ``store`` (or the sites ``site_ids``): every site a row, coded or not."""
    from .coding import codebook
    from .excerpts import excerpts

    wanted = None if site_ids is None else set(site_ids)
    sites = [site for site in store.sites() if wanted is None or site.id in wanted]
    names = {site.id: site.name for site in sites}
    held = [t for t in store.records("transcript") if t.site_id in names]
    rows = [site.name for site in sites] if by == "site" else None
    found = excerpts(store, site_ids=list(names))
    return code_matrix(found, codebook(store), by, roll_up, rows=rows, transcripts=transcript_counts(held, names, by))


# ---- a static page ---------------------------------------------------------------------------------------


def cell_sentence(n: int, key: str, row: str) -> str:
    """What a count means, for a link's or a button's label: "12 excerpts coded lp2 at North"."""
    return f"{n} {'excerpt' if n == 1 else 'excerpts'} coded {key} at {row}"


def _anchor(prefix: str, row: int, key: str) -> str:
    return f"{prefix}-r{row}-{re.sub(r'[^a-z0-9_-]', '-', key.lower())}"


def passage_html(passage: Passage, with_site: bool = True) -> str:
    """One passage as a list item: the text quoted, then where it came from (never who coded it)."""
    e = passage.excerpt
    where = [e.site] if with_site else []
    where += [e.role_label, f"{e.transcript!r}, paragraph {e.paragraph}"]
    if e.start_char is not None:
        where.append(f"characters {e.start_char} to {e.end_char}")
    where.append("coded " + ", ".join(passage.codes))
    if passage.coders > 1:
        where.append(f"by {passage.coders} coders")
    return (
        f'<li><blockquote class="coprod-excerpt"><p>{escape(e.text)}</p></blockquote>'
        f'<p class="coprod-excerpt-source">{escape(" · ".join(where))}</p></li>'
    )


def matrix_html(
    matrix: Matrix,
    anchor: str | None = None,
    caption: str | None = None,
    per_cell: int | None = None,
    links: bool = True,
) -> str:
    """The matrix as a table of counts, each count a link to its passages listed below the table.

    Plain links within the page: no script and no network, so it works in an exported notebook and in print.
    ``anchor`` prefixes the ids, so that two matrices can share a page (by default from ``by`` and ``roll_up``).
    ``per_cell`` lists at most that many passages under a count (200 transcripts coded make 10 MB of text
    otherwise), saying how many more there are and where to read them. Without ``links`` (the reports, which
    quote only passages marked to quote) the counts stand alone and no passage is listed.
    """
    prefix = anchor or f"matrix-{matrix.by}-{'lp' if matrix.roll_up else 'codes'}"
    caption = caption or (
        f"Coded passages by {matrix.heading.lower()} and "
        + ("learning point (sub-codes counted under their learning point)" if matrix.roll_up else "code")
    )
    if not matrix.rows:
        return f"<p><em>{escape(caption)}: {escape(matrix.summary())}</em></p>"
    head = "".join(
        f'<th scope="col"><abbr title="{escape(c.name, quote=True)}">{escape(c.label)}</abbr></th>'
        for c in matrix.columns
    )
    body, lists = [], []
    for number, row in enumerate(matrix.rows):
        label = f'<th scope="row">{escape(row.label)}</th><td>{row.transcripts}</td>'
        if row.state != CODED:
            body.append(f'<tr>{label}<td colspan="{len(matrix.columns) + 1}"><em>{escape(row.says())}</em></td></tr>')
            continue
        cells = []
        for column in matrix.columns:
            cell = row.cells.get(column.key)
            if cell is None:
                cells.append("<td>0</td>")
                continue
            if not links:
                cells.append(f"<td>{cell.count}</td>")
                continue
            target = _anchor(prefix, number, column.key)
            sentence = cell_sentence(cell.count, column.key, row.label)
            cells.append(f'<td><a href="#{target}" aria-label="{escape(sentence, quote=True)}">{cell.count}</a></td>')
            passages = cell.passages()
            items = "".join(passage_html(p, with_site=matrix.by == "role") for p in passages[:per_cell])
            if per_cell is not None and len(passages) > per_cell:
                items += (
                    f"<li><em>and {len(passages) - per_cell} more, not listed here: the live matrix and "
                    "coprod interviews export-excerpts have every passage.</em></li>"
                )
            lists.append(
                f'<section id="{target}" class="coprod-cell"><h4>{escape(row.label)}, {escape(column.label)} '
                f"{escape(column.name)}: {escape(_plural(cell.count, 'passage'))}</h4><ol>{items}</ol>"
                f'<p><a href="#{prefix}">Back to the matrix</a></p></section>'
            )
        body.append(f"<tr>{label}{''.join(cells)}<td>{row.passages}</td></tr>")
    totals = "".join(f"<td>{matrix.totals.get(c.key, 0)}</td>" for c in matrix.columns)
    every = _passages(cell for row in matrix.rows for cell in row.cells.values())
    held = sum(row.transcripts for row in matrix.rows)
    legend = "".join(f"<li>{escape(c.label)}: {escape(c.name)}</li>" for c in matrix.columns)
    return (
        f'<div class="coprod-matrix" id="{prefix}"><p>{escape(matrix.summary())} Each count is of passages (two '
        "coders' excerpts of one passage count once)"
        f"{'; a count links to its passages, listed below the table' if links else ''}.</p>"
        f'<table class="coprod-table"><caption>{escape(caption)}</caption><thead><tr>'
        f'<th scope="col">{escape(matrix.heading)}</th><th scope="col">Transcripts</th>{head}'
        f'<th scope="col">Passages, any code</th></tr></thead><tbody>{"".join(body)}</tbody>'
        f'<tfoot><tr><th scope="row">Every {escape(matrix.heading.lower())}</th><td>{held}</td>{totals}'
        f"<td>{every}</td></tr></tfoot></table>"
        f"<details><summary>What the column headings stand for</summary><ul>{legend}</ul></details>"
        f"{''.join(lists)}</div>"
    )
