"""Writing tables as CSV files or as one xlsx workbook, under a temporary name until everything is written.

Everything goes into a hidden folder beside the destination and is moved into place at the end, so an
export that fails part-way leaves nothing half written. Every text cell is neutralised (see :mod:`.cells`).
An export names partners, so, like a report, its files are for their owner only (0600) and the folders it
makes too (0700), whatever the umask.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .cells import EXCEL_CELL_LIMIT, neutralise, to_xlsx_text, too_long_note
from .columns import Table
from .target import Target

STAGING_PREFIX = ".coprod-export-"
#: Widest column an xlsx sheet opens with, in characters; longer text wraps only when the reader widens it.
MAX_WIDTH = 60
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def make_private_folders(folder: Path) -> None:
    """Make ``folder`` and any missing folders above it, each readable by its owner only.

    Folders that already exist keep their mode: they may be shared on purpose.
    """
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # made meanwhile by someone else: theirs to keep as it is
            continue
        os.chmod(made, PRIVATE_FOLDER)  # mkdir's mode is narrowed by the umask, never widened; be exact


def write_private_file(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by its owner only (0600), as every export is: it appears whole
    or not at all, and replaces any file there. Missing folders are made, private too."""
    path = Path(path).expanduser()
    make_private_folders(path.parent)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(partial, PRIVATE_FILE)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path


class Staging:
    """A hidden folder in the nearest existing folder of the destination, moved or emptied into place at the end."""

    def __init__(self, target: Target):
        self.target = target
        self.dir = target.existing / f"{STAGING_PREFIX}{secrets.token_hex(6)}.tmp"
        self.dir.mkdir(mode=PRIVATE_FOLDER)
        os.chmod(self.dir, PRIVATE_FOLDER)  # it becomes the export's folder when that does not exist yet

    def commit(self, names: list[str]) -> list[Path]:
        """Move the written files into place; return where they now are."""
        target = self.target
        for name in names:  # nobody else could reach them in the staging folder; now they leave it
            os.chmod(self.dir / name, PRIVATE_FILE)
        if target.format == "xlsx":
            make_private_folders(target.folder)
            os.replace(self.dir / names[0], target.path)
            self.dir.rmdir()
            return [target.path]
        if not target.folder.exists():
            make_private_folders(target.folder.parent)
            os.rename(self.dir, target.folder)  # the whole folder appears at once
        else:
            for name in names:
                os.replace(self.dir / name, target.folder / name)
            self.dir.rmdir()
        return [target.folder / name for name in names]

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class CsvFiles:
    """One UTF-8 CSV file per table (``<name>.csv``) and plain-text files, in the staging folder."""

    def __init__(self, staging: Staging):
        self.staging, self.names = staging, []

    def table(self, name: str, headings: list[str], rows: list[list[object]]) -> None:
        file_name = f"{name}.csv"
        with (self.staging.dir / file_name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([neutralise(heading) for heading in headings])
            for row in rows:
                writer.writerow(["" if cell is None else _csv_cell(cell) for cell in row])
        self.names.append(file_name)

    def text(self, file_name: str, text: str) -> None:
        (self.staging.dir / file_name).write_text(text, encoding="utf-8")
        self.names.append(file_name)

    def close(self) -> None:
        """Nothing to finish: each file is complete when written."""

    def discard(self) -> None:
        """Nothing to tidy beyond the staging folder."""


def _csv_cell(cell: object) -> object:
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return neutralise(cell)


class XlsxWorkbook:
    """One workbook, one sheet per table, written with openpyxl in write-only mode (streamed, not held)."""

    def __init__(self, staging: Staging):
        from openpyxl import Workbook

        self.staging, self.names = staging, [staging.target.path.name]
        self.workbook = Workbook(write_only=True)

    def table(self, name: str, headings: list[str], rows: list[list[object]]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(title=name)
        sheet.freeze_panes = "A2"
        for index, heading in enumerate(headings):
            longest = max([len(str(heading)), *(len(str(row[index])) for row in rows if row[index] is not None)])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(longest + 2, MAX_WIDTH)
        bold = Font(bold=True)
        header = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, value=_xlsx_cell(heading))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])

    def close(self) -> None:
        self.workbook.save(self.staging.dir / self.names[0])

    def discard(self) -> None:
        """Finish the half-written sheets and remove openpyxl's own temporary files for them."""
        for sheet in self.workbook.worksheets:
            if not sheet.closed:
                sheet.close()
            writer = getattr(sheet, "_writer", None)  # openpyxl keeps each streamed sheet in a temporary file
            if writer is not None and os.path.exists(writer.out):
                writer.cleanup()


def _xlsx_cell(cell: object) -> object:
    """Text neutralised and escaped (openpyxl would store "=..." as a formula); dates stay dates.

    Text over Excel's cell limit becomes a note saying where the whole value is (Excel would cut it short).
    """
    if isinstance(cell, str):
        text = to_xlsx_text(neutralise(cell))
        return too_long_note(cell) if len(text) > EXCEL_CELL_LIMIT else text
    return cell


@contextmanager
def writing(target: Target) -> Iterator[CsvFiles | XlsxWorkbook]:
    """A writer for ``target``; on success its ``files`` say where the files went, on failure nothing is left."""
    staging = Staging(target)
    writer = None
    try:
        writer = CsvFiles(staging) if target.format == "csv" else XlsxWorkbook(staging)
        yield writer
        writer.close()
        writer.files = staging.commit(writer.names)
    except BaseException:
        try:
            if writer is not None:
                writer.discard()
        finally:
            staging.discard()
        raise


def encoded(table: Table, *, labels: bool, dates_as_text: bool) -> tuple[list[str], list[list[object]]]:
    """A table's headings and cells as they are written (codes or labels; not yet neutralised)."""

    def cells(row: list[object]) -> list[object]:
        pairs = zip(table.columns, row, strict=True)
        return [column.cell(value, labels=labels, dates_as_text=dates_as_text) for column, value in pairs]

    rows = [cells(row) for row in table.rows]
    return [column.heading(labels) for column in table.columns], rows
