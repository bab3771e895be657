"""Excerpts as a CSV file: one row per code on a coded passage, for a spreadsheet or another analysis tool.

The columns say where each excerpt came from (document, site, role group, paragraph and characters), which
code and who applied it when, and the coder's memo and the passage's words. Never a person's name: the text
was pseudonymised on import and the people are known only by their role group. The file is UTF-8 with a byte
order mark, so Excel opens accents correctly, and every cell a spreadsheet could run as a formula is made
inert as coprod's other exports make it (:mod:`coprod_widgets.exports.cells`). It holds people's words, so
it is written readable by its owner only.

Characters are counted from 0 within the paragraph, the end not included, as coprod's API counts them; a
whole paragraph runs from 0 to its length.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from ..exports.cells import neutralise
from ..exports.writers import write_private_file
from .codebook import Codebook, shipped_codebook
from .excerpts import Excerpt

COLUMNS = (
    "document",
    "site",
    "role",
    "code",
    "code name",
    "coder",
    "date coded",
    "paragraph",
    "from character",
    "to character",
    "memo",
    "text",
)
#: The code name written for a key the codebook no longer holds, rather than a blank that reads as no code.
NOT_IN_CODEBOOK = "(not in the codebook)"


def excerpts_rows(found: Iterable[Excerpt], book: Codebook | None = None) -> list[list[object]]:
    """One row per excerpt, in :data:`COLUMNS` order, as stored (not yet made safe for a spreadsheet). Code
    names come from ``book`` (by default the shipped learning points; pass the programme's codebook)."""
    book = book if book is not None else shipped_codebook()
    rows = []
    for excerpt in found:
        code = book.get(excerpt.code)
        start = excerpt.start_char if excerpt.start_char is not None else 0
        end = excerpt.end_char if excerpt.end_char is not None else start + len(excerpt.text)
        rows.append(
            [
                excerpt.transcript,
                excerpt.site,
                excerpt.role_label,
                excerpt.code,
                code.name if code is not None else NOT_IN_CODEBOOK,
                excerpt.coder,
                excerpt.coded.isoformat(),
                excerpt.paragraph,
                start,
                end,
                excerpt.memo,
                excerpt.text,
            ]
        )
    return rows


def excerpts_csv_bytes(found: Iterable[Excerpt], book: Codebook | None = None) -> bytes:
    """The CSV file's bytes: a header, then one row per excerpt, every text cell neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in excerpts_rows(found, book):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def write_excerpts_csv(found: Iterable[Excerpt], path: str | Path, book: Codebook | None = None) -> Path:
    """Write the excerpts to ``path`` as CSV (see :func:`excerpts_csv_bytes`), readable by its owner only."""
    return write_private_file(path, excerpts_csv_bytes(found, book))
