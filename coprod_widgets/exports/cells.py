"""Keeping user text inert in spreadsheets: formula neutralising and its exact inverse.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
some also after a tab or carriage return) as a formula, so a partner's organisation typed as
``=HYPERLINK(...)`` could become a live link in an evaluator's spreadsheet. Such cells get one ``'``
in front. Text that already starts with ``'`` gets one too, so that reading back removes exactly one
``'`` from every cell that starts with it and every value comes back as it was stored.
"""

from __future__ import annotations

import re

#: What makes a spreadsheet treat a cell as a formula, plus the quote itself (so the inverse is exact).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(value: object) -> object:
    """The value to write: text that a spreadsheet could run gets a leading ``'``; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """The value as stored: one leading ``'`` removed from text; anything else is unchanged."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


# A spreadsheet file (OOXML) escapes characters as ``_xHHHH_``. A carriage return must be written that way,
# or XML's line-end rules turn "\r\n" into "\n"; a literal ``_xHHHH_`` in someone's text is protected by
# escaping its underscore (``_x005F_``), which is what Excel itself does.
_OOXML_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")


def to_xlsx_text(value: str) -> str:
    """Text as it must be stored in an xlsx cell so that it reads back unchanged."""
    return _OOXML_ESCAPED.sub(lambda match: "_x005F" + match.group(0), value).replace("\r", "_x000D_")


def from_xlsx_text(value: str) -> str:
    """The inverse of :func:`to_xlsx_text` (openpyxl reads the escapes literally)."""
    return _OOXML_ESCAPED.sub(lambda match: chr(int(match.group(0)[2:6], 16)), value)


# Excel keeps at most 32,767 characters in a cell and cuts or refuses anything longer. A question set's questions
# (JSON) or a long set of answers could pass that, so an xlsx gets a note in its place; CSV has no such limit.
EXCEL_CELL_LIMIT = 32_767
_TOO_LONG = (
    "[Too long for a spreadsheet cell: {length:,} characters, over Excel's limit of 32,767. The whole value is "
    "in a CSV export of the same records (coprod export --format csv) and in the store.]"
)
_TOO_LONG_NOTE = re.compile(
    r"\[Too long for a spreadsheet cell: [\d,]+ characters, over Excel's limit of 32,767\. .*\]"
)


def too_long_note(value: str) -> str:
    """What an xlsx cell says in place of ``value`` when it is over Excel's limit."""
    return _TOO_LONG.format(length=len(value))


def is_too_long_note(value: object) -> bool:
    return isinstance(value, str) and _TOO_LONG_NOTE.fullmatch(value) is not None
