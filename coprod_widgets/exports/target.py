"""Where an export goes, checked before anything is read or written.

CSV files go into a folder. An xlsx workbook is the file named by ``out`` when it ends in ``.xlsx``,
otherwise ``coprod-export.xlsx`` in the folder ``out``. Folders that do not exist yet are made only
when the export is complete (see :mod:`.writers`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ExportError

FORMATS = ("csv", "xlsx")
XLSX_NAME = "coprod-export.xlsx"


@dataclass(frozen=True)
class Target:
    """A checked destination: ``path`` is the CSV folder or the xlsx file; ``folder`` holds the files;
    ``existing`` is the nearest folder that already exists (``folder`` itself, or one above it)."""

    format: str
    path: Path
    folder: Path
    existing: Path


def resolve(out: str | os.PathLike, format: str) -> Target:
    """Check that an export in ``format`` can be written at ``out``; raise :class:`ExportError` if not."""
    if format not in FORMATS:
        raise ExportError("{format} must be csv or xlsx, not {given!r}.", given=format)
    if not str(out).strip():
        raise ExportError("{out} is empty: give a folder (or, for xlsx, a file ending in .xlsx).")
    out = Path(out).expanduser()
    names_a_workbook = out.suffix.lower() == ".xlsx"
    if format == "csv":
        if names_a_workbook:
            raise ExportError(
                "{out} {path} ends in .xlsx but the format is csv: "
                "add {format} xlsx, or give a folder for the CSV files.",
                path=str(out),
            )
        path = folder = out
    else:
        path = out if names_a_workbook else out / XLSX_NAME
        folder = path.parent
        if path.is_dir():
            raise ExportError(
                "{out} {path} is a folder: give the workbook a file name ending in .xlsx.", path=str(path)
            )
    if folder.exists() and not folder.is_dir():
        raise ExportError(
            "{path} is a file, not a folder: choose a folder for the export with {out}.", path=str(folder)
        )
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(
            "{existing} is a file, so the folder {path} cannot be made there: choose another {out}.",
            existing=str(existing),
            path=str(folder),
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError("Cannot write in the folder {path}: choose another folder with {out}.", path=str(existing))
    return Target(format, path, folder, existing)
