"""Reading survey exports (CSV or XLSX) from KoboToolbox/ODK, REDCap, Microsoft Forms, Google Forms and
SurveyMonkey into one plain shape, response by response.

The csv module and openpyxl (read-only, values only) do the parsing, so ten thousand responses read quickly
and nothing here imports pandas. A row that cannot be read becomes a :class:`RowProblem` with its row number
while every other row is read. Rows whose cells are all empty are skipped silently: a spreadsheet shows
them as gaps, not as responses. Row numbers count rows as a spreadsheet shows them, so a CSV answer that
spans several lines is still one row, and the first header row is row 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import itertools
import pathlib
import zipfile
from dataclasses import dataclass

from .layouts import (
    CHOICE,
    COMPLETE,
    ID,
    IDENTIFIER,
    QUESTION,
    SUBMITTED,
    TOOLS,
    Layout,
    build_layout,
    detect_tool,
    parse_when,
)

__all__ = ["TOOLS", "ExportRow", "ExportUnreadable", "RowProblem", "SurveyExport", "read_export"]

DELIMITERS = (",", ";", "\t")
SAMPLE_RECORDS = 50
NOT_PEOPLE = frozenset({"anonymous"})  # what Microsoft Forms writes for "Email" when it did not ask


class ExportUnreadable(ValueError):
    """The whole file cannot be read; the message is one plain-English line saying why and what to do."""


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    reason: str


@dataclass(frozen=True)
class ExportRow:
    row_number: int
    response_id: str | None
    submitted: datetime.datetime | None
    answers: dict[str, str | list[str]]
    identifiers: dict[str, str]
    complete: bool | None


@dataclass(frozen=True)
class SurveyExport:
    tool: str
    file_name: str
    sha256: str
    questions: list[str]
    responses: list[ExportRow]
    problems: list[RowProblem]
    id_column: str | None
    submitted_column: str | None
    identifier_columns: list[str]


def read_export(path: pathlib.Path, tool: str | None = None) -> SurveyExport:
    """Read a CSV or XLSX export; detect the tool unless `tool` is given."""
    path = pathlib.Path(path)
    if tool is not None and tool not in (*TOOLS, "unknown"):
        raise ValueError(f"tool must be one of {', '.join(TOOLS)} or unknown, not {tool!r}")
    data = path.read_bytes()
    records, strict = _records(path.name, data)
    numbered = [(n, cells) for n, cells in enumerate(records, start=1) if any(c.strip() for c in cells)]
    if not numbered:
        raise ExportUnreadable(f"{path.name} has no header row: it holds no text. Export the responses again.")
    header = _header(path.name, numbered[0][1])
    second = numbered[1][1] if len(numbered) > 1 else []
    tool = tool or detect_tool(header, second)
    header_rows = 2 if tool == "surveymonkey" else 1
    header = _name_columns(header, second if header_rows == 2 else [])
    headers = [header] + [cells for _, cells in numbered[1:header_rows]]
    problems, data_rows = [], []
    for number, cells in numbered[1:]:
        reason = _width_problem(cells, len(header), strict)
        if reason:
            problems.append(RowProblem(number, reason))
        elif number > numbered[header_rows - 1][0]:
            data_rows.append((number, _fit(cells, len(header))))
    layout = build_layout(tool, headers, [cells for _, cells in data_rows])
    return SurveyExport(
        tool=tool,
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        questions=layout.questions,
        responses=[_response(layout, number, cells) for number, cells in data_rows],
        problems=problems,
        id_column=_column_name(layout, ID, header),
        submitted_column=_column_name(layout, SUBMITTED, header),
        identifier_columns=[header[c.index] for c in layout.columns if c.role == IDENTIFIER],
    )


def _records(name: str, data: bytes) -> tuple[list[list[str]], bool]:
    """The file's rows as text cells, and whether a row's cell count must match the header's (CSV only:
    an XLSX sheet has no cell count of its own)."""
    if not data.strip():
        raise ExportUnreadable(f"{name} is empty. Export the responses again and choose the new file.")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(name, data), False
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExportUnreadable(f"{name} is an old-style Excel .xls file. Open it in Excel, save it as .xlsx or CSV.")
    return _csv_records(name, _decode(name, data)), True


def _decode(name: str, data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), UTF-16 with its BOM, else Windows-1252 as older Excel saves."""
    unreadable = f"{name} is not a CSV or XLSX file. Export the responses as CSV or Excel (.xlsx) and try again."
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif b"\x00" in data[:4096] or data.startswith(b"%PDF"):
        raise ExportUnreadable(unreadable)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if controls * 100 > len(sample):
        raise ExportUnreadable(unreadable)
    return text


def _csv_records(name: str, text: str) -> list[list[str]]:
    """Parse with the separator that splits the header and the first rows into the same number of cells."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise ExportUnreadable(
            f"{name} could not be read as CSV at row {reader.line_num} ({error}). Export the responses again."
        ) from error


def _delimiter(text: str) -> str:
    """`,`, `;` or tab. Parsing (not counting characters) means commas inside quoted answers do not count;
    the winner gives the most rows matching the header's cell count, then the most cells."""

    def score(delimiter: str) -> tuple[int, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [r for r in itertools.islice(reader, SAMPLE_RECORDS) if any(c.strip() for c in r)]
        except csv.Error:
            return (-1, 0)
        if not rows or len(rows[0]) < 2:
            return (-1, 0)
        return (sum(len(r) == len(rows[0]) for r in rows), len(rows[0]))

    return max(DELIMITERS, key=score)


def _xlsx_records(name: str, data: bytes) -> list[list[str]]:
    """The first worksheet (Kobo puts repeat groups on later sheets), every cell as text."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ExportUnreadable(
            f"{name} is not an Excel workbook that can be opened ({error}). Export the responses as .xlsx or CSV."
        ) from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Cells as the CSV export would write them: whole numbers without ".0", times in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return str(value)


def _header(name: str, cells: list[str]) -> list[str]:
    """Header text trimmed, trailing empty cells dropped; a header of one cell is no survey export."""
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise ExportUnreadable(
            f"{name} has no header row of question columns (its first row has one cell). "
            "Export the responses as CSV or Excel (.xlsx) with a header row."
        )
    return header


def _name_columns(header: list[str], second: list[str]) -> list[str]:
    """With a second header row (SurveyMonkey) the header spans its cells too, and a blank first-row cell
    continues the question before it; with one header row a blank cell is named by its place."""
    if second:
        width = max(len(header), max((i + 1 for i, c in enumerate(second) if c.strip()), default=0))
        return header + [""] * (width - len(header))
    return [h or f"Column {i + 1}" for i, h in enumerate(header)]


def _width_problem(cells: list[str], width: int, strict: bool) -> str | None:
    """Too few cells in a CSV row, or text beyond the header's last column, shifts answers to the wrong
    questions; such a row is refused rather than guessed. Extra empty cells are harmless."""
    if strict and len(cells) < width:
        return f"it has {len(cells)} cells where the header has {width}"
    beyond = [i for i, c in enumerate(cells[width:], start=width) if c.strip()]
    if not beyond:
        return None
    if strict:
        return f"it has {len(cells)} cells where the header has {width}"
    return f"it has a value in column {_letters(beyond[0])}, beyond the header's {width} columns"


def _letters(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _fit(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width]


def _column_name(layout: Layout, role: str, header: list[str]) -> str | None:
    column = layout.first(role)
    return header[column.index] if column else None


def _response(layout: Layout, number: int, cells: list[str]) -> ExportRow:
    """One row in the common shape; unanswered questions are left out rather than kept as ""."""
    answers: dict[str, str | list[str]] = {}
    identifiers: dict[str, str] = {}
    completes: list[bool] = []
    for column in sorted(layout.columns, key=lambda c: c.fallback):
        value = cells[column.index]
        if not value.strip():
            continue
        if column.role == QUESTION and not (column.fallback and column.name in answers):
            parts = [p.strip() for p in value.split(column.split) if p.strip()] if column.split else None
            answers[column.name] = parts if parts is not None else value
        elif column.role == CHOICE and (column.ticked is None or value.strip().lower() in column.ticked):
            chosen = answers.setdefault(column.name, [])
            option = column.choice if column.choice is not None else value.strip()
            if isinstance(chosen, list) and option not in chosen:
                chosen.append(option)
        elif column.role == IDENTIFIER and value.strip().lower() not in NOT_PEOPLE:
            identifiers[column.name] = value.strip()
        elif column.role == COMPLETE and value.strip().lower() in layout.complete_values:
            completes.append(layout.complete_values[value.strip().lower()])
    id_column, submitted_column = layout.first(ID), layout.first(SUBMITTED)
    submitted_text = cells[submitted_column.index] if submitted_column else ""
    complete = None
    if completes:
        complete = all(completes)
    elif layout.blank_submitted_is_partial and submitted_column:
        complete = bool(submitted_text.strip())
    return ExportRow(
        row_number=number,
        response_id=(cells[id_column.index].strip() or None) if id_column else None,
        submitted=parse_when(submitted_text, layout.day_first),
        answers=answers,
        identifiers=identifiers,
        complete=complete,
    )
