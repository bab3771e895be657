"""Reading an export back: CSV folder or xlsx workbook, raw codes or labels, into plain dicts per record type.

The data dictionary written with the export says which field each column heading is and how its cells
were written, so labels become codes again, ``3;5;9`` becomes a list and the ``'`` added in front of
formula-like text is taken off. Rows of a full export are accepted by ``records.validate``; those of a
de-identified one are not (pseudonyms are not record numbers and free text is missing).

The ``answers`` table is not read back: it is derived (one row per answer in question_response, labelled from
question_set), and those two tables are. A cell an xlsx export could not hold (over Excel's 32,767 characters,
written as a note saying so) comes back as None: read the CSV export for that value.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ..records import RECORD_TYPES
from .cells import from_xlsx_text, is_too_long_note, unneutralise
from .columns import Column
from .dictionary import FILE_STEM, SHEET, columns_by_heading
from .errors import ExportError
from .target import XLSX_NAME


def read_export(path: str | os.PathLike) -> dict[str, list[dict]]:
    """The records in an export written by ``export_store``: ``{record type: [field -> value, ...]}``.

    Every record type is read; the derived ``answers`` table is not (it is rebuilt from question_response).
    """
    path = Path(path).expanduser()
    if path.is_dir():
        if (path / f"{FILE_STEM}.csv").is_file():
            return _from_tables(path, _csv_tables(path))
        if (path / XLSX_NAME).is_file():
            path = path / XLSX_NAME
        else:
            raise ExportError(
                "{path} holds no coprod export: there is no {FILE_STEM}.csv or {XLSX_NAME} in it.",
                path=str(path),
                FILE_STEM=FILE_STEM,
                XLSX_NAME=XLSX_NAME,
            )
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        raise ExportError("{path} is not a coprod export: give the export's folder or its .xlsx file.", path=str(path))
    return _from_tables(path, _xlsx_tables(path))


def _from_tables(path: Path, tables: dict[str, list[list[object]]]) -> dict[str, list[dict]]:
    """Decode every record type's table with the columns the dictionary describes."""
    dictionary_name = f"{FILE_STEM}.csv" if path.is_dir() else SHEET
    if dictionary_name not in tables:
        raise ExportError(
            "{path} has no data dictionary ({name}), so it cannot be read back.", path=str(path), name=dictionary_name
        )
    heading_row, *rows = tables[dictionary_name]
    try:
        described = columns_by_heading([dict(zip(heading_row, row, strict=False)) for row in rows])
    except ValueError as exc:
        raise ExportError("{path}: {problem}.", path=str(path), problem=str(exc)) from None
    out: dict[str, list[dict]] = {}
    for kind in RECORD_TYPES:
        if kind not in described:
            continue
        name = f"{kind}.csv" if path.is_dir() else kind
        if name not in tables:
            raise ExportError("{path} has no {name}, which its data dictionary lists.", path=str(path), name=name)
        out[kind] = _records(path, name, tables[name], described[kind])
    return out


def _records(path: Path, name: str, table: list[list[object]], described: dict[str, Column]) -> list[dict]:
    if not table:
        raise ExportError("{path}: {name} is empty (not even a heading row).", path=str(path), name=name)
    headings, *rows = table
    unknown = [heading for heading in headings if heading not in described]
    if unknown:
        raise ExportError(
            "{path}: {name} has a column {heading!r} that the data dictionary does not describe.",
            path=str(path),
            name=name,
            heading=unknown[0],
        )
    columns = [described[heading] for heading in headings]
    records = []
    for number, row in enumerate(rows, start=2):
        cells = list(row) + [None] * (len(columns) - len(row))
        try:
            records.append(
                {
                    column.field: None if is_too_long_note(cell) else column.value(cell)
                    for column, cell in zip(columns, cells, strict=False)
                }
            )
        except ValueError as exc:
            raise ExportError(
                "{path}: {name}, row {number}: {problem}.", path=str(path), name=name, number=number, problem=str(exc)
            ) from None
    return records


def _csv_tables(folder: Path) -> dict[str, list[list[object]]]:
    tables = {}
    for file in sorted(folder.glob("*.csv")):
        with file.open(newline="", encoding="utf-8") as handle:
            tables[file.name] = [[unneutralise(cell) for cell in row] for row in csv.reader(handle)]
    return tables


def _xlsx_tables(file: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True)
    try:
        return {
            sheet.title: [
                [unneutralise(from_xlsx_text(cell)) if isinstance(cell, str) else cell for cell in row]
                for row in sheet.iter_rows(values_only=True)
                if any(cell is not None for cell in row)
            ]
            for sheet in workbook.worksheets
        }
    except (OSError, KeyError, ValueError) as exc:
        raise ExportError("{path} could not be read as a workbook ({problem}).", path=str(file), problem=exc) from None
    finally:
        workbook.close()
