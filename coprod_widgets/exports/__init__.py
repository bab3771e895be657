"""Exporting the store for others to re-use: CSV files or an xlsx workbook, a data dictionary and counts.

::

    from coprod_widgets.exports import export_store, read_export

    result = export_store(store, "data/shared/june", format="xlsx", deidentify=True)  # git-ignored
    result.files, result.rows                      # what was written, rows per table
    tables = read_export(result.path)              # {"partner": [{...}, ...], ...}

``coprod_widgets`` does not import this package (the site app never needs it), and it does not use pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..records import RECORD_TYPES, Record, Site
from ..settings import describe_db as describe
from ..store import site_by_name
from .about import HEADINGS as ABOUT_HEADINGS
from .about import README, about_rows, readme_text
from .about import SHEET as ABOUT_SHEET
from .answers import answers_table, question_dictionary_rows
from .columns import Table, record_columns
from .counts import count_tables, hidden_counts
from .deidentify import PSEUDONYM_KEY_SETTING, Pseudonyms, pseudonymise
from .dictionary import FILE_STEM as DICTIONARY_STEM
from .dictionary import HEADINGS as DICTIONARY_HEADINGS
from .dictionary import SHEET as DICTIONARY_SHEET
from .dictionary import dictionary_rows
from .errors import ExportError
from .read import read_export
from .surveys import survey_answers_table, survey_counts_table, survey_dictionary_rows
from .target import FORMATS, resolve
from .writers import encoded, writing

__all__ = ["FORMATS", "ExportError", "ExportResult", "export_store", "read_export"]

#: ``progress(step, done, total)``: called once per record type written (step is the record type).
Progress = Callable[[str, int, int], None]


@dataclass
class ExportResult:
    """What an export wrote: every file, the rows in each table (record types and counts), and where it is."""

    files: list[Path]
    rows: dict[str, int]
    path: Path


def export_store(
    store,
    out,
    *,
    format: str = "csv",
    labels: bool = False,
    deidentify: bool = False,
    keep_text: bool = False,
    site: str | None = None,
    min_count: int = 5,
    progress: Progress | None = None,
) -> ExportResult:
    """Write every record of ``store`` (or of one ``site``) to ``out``, with a data dictionary, counts and notes.

    Besides a table per record type and the counts tables, ``answers`` has one row per answer to the sites'
    own questions (see :mod:`.answers`), ``survey_answers`` one per answer to a survey's mapped questions and
    ``counts_survey`` those answers counted (see :mod:`.surveys`); the data dictionary has a row per question
    of each question set and per mapped question of each survey.

    Parameters
    ----------
    out
        CSV: the folder for the files. xlsx: the workbook if it ends in ``.xlsx``, else the folder for
        ``coprod-export.xlsx``. Missing folders are made; files already there are replaced.
    labels
        Write choices as their labels and head columns with field titles (read_export maps them back).
    deidentify
        Pseudonyms for partners, no free text (unless ``keep_text``), counts below ``min_count`` hidden.
        Written answers to the sites' questions are free text too: left out of ``answers`` unless ``keep_text``.
        ``survey_answers`` has no rows (its answers are counted in ``counts_survey``), even with ``keep_text``.

    Raises :class:`ExportError`, with nothing written, when an option or ``out`` cannot be used.
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ExportError("{min_count} must be a whole number, 1 or more (it was {given!r}).", given=min_count)
    if keep_text and not deidentify:
        raise ExportError(
            "{keep_text} only applies to a de-identified export, which leaves free text out: "
            "add {deidentify}, or leave {keep_text} out (a full export always has the text)."
        )
    target = resolve(out, format)
    records, chosen = _read(store, site)
    pseudonym = Pseudonyms(store.secret(PSEUDONYM_KEY_SETTING)) if deidentify else None
    tables = [_record_table(kind, rows, pseudonym, keep_text) for kind, rows in records.items()]
    tables.append(answers_table(records, labels=labels, pseudonym=pseudonym, keep_text=keep_text))
    tables.append(survey_answers_table(records, labels=labels, deidentify=deidentify))
    tables += count_tables(records, records["site"], min_count if deidentify else None)
    tables.append(survey_counts_table(records, labels=labels, suppress_below=min_count if deidentify else None))
    rows = {table.name: len(table.rows) for table in tables}

    csv = format == "csv"
    names = {table.name: f"{table.name}.csv" if csv else f"sheet {table.name}" for table in tables}
    names["data_dictionary"] = f"{DICTIONARY_STEM}.csv" if csv else f"sheet {DICTIONARY_SHEET!r}"
    site_names = {site.id: site.name for site in records["site"]}
    dictionary = dictionary_rows(tables, labels)
    dictionary += question_dictionary_rows(
        records["question_set"], site_names, labels=labels, deidentify=deidentify, keep_text=keep_text
    )
    dictionary += survey_dictionary_rows(
        records["survey"], site_names, labels=labels, deidentify=deidentify, suppress_below=min_count
    )
    options = {
        "format": format,
        "labels": labels,
        "deidentify": deidentify,
        "keep_text": keep_text,
        "site": chosen.name if chosen else None,
        "min_count": min_count,
    }
    about = about_rows(
        generated=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        source=describe(store.url),
        version=__version__,
        options=options,
        rows={**rows, "data_dictionary": len(dictionary)},
        file_names=names,
        hidden=hidden_counts(tables),
    )
    try:
        with writing(target) as writer:
            if not csv:
                writer.table(ABOUT_SHEET, ABOUT_HEADINGS, about)
                writer.table(DICTIONARY_SHEET, list(DICTIONARY_HEADINGS), dictionary)
            done = 0
            for table in tables:
                writer.table(table.name, *encoded(table, labels=labels, dates_as_text=csv))
                if table.name in RECORD_TYPES:
                    done += 1
                    if progress is not None:
                        progress(table.name, done, len(RECORD_TYPES))
            if csv:
                writer.table(DICTIONARY_STEM, list(DICTIONARY_HEADINGS), dictionary)
                writer.text(README, readme_text(about))
    except OSError as exc:
        raise ExportError(
            "Cannot write the export to {path} ({reason}): choose another {out}.",
            path=str(target.path),
            reason=exc.strerror or exc,
        ) from None
    return ExportResult(files=writer.files, rows=rows, path=target.path)


#: Record types that belong to no one site, and whether a one-site export carries them: the team's interview
#: codes do (the site's coding uses them); memos on codes do not (they may speak of other sites).
PROGRAMME_WIDE = {"interview_code": True, "code_memo": False}


def _read(store, site: str | None) -> tuple[dict[str, list[Record]], Site | None]:
    """Every record to export, read in one connection (one snapshot on SQLite; repeatable read on PostgreSQL)."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        sites = store.records("site", conn=conn)
        chosen = None
        if site is not None:
            chosen = site_by_name(sites, site)
            if chosen is None:
                known = ", ".join(candidate.name for candidate in sites) or "none yet"
                raise ExportError(
                    "{site}: there is no site called {name!r}. The sites are: {known}.", name=str(site), known=known
                )
        records: dict[str, list[Record]] = {}
        for kind in RECORD_TYPES:
            if kind == "site":
                records[kind] = [chosen] if chosen else sites
            elif kind == "programme":
                programmes = store.records(kind, conn=conn)
                records[kind] = [p for p in programmes if chosen is None or p.id == chosen.programme_id]
            elif kind == "question_set":  # one site's export keeps the programme's sets too: the site answers them
                sets = store.records(kind, conn=conn)
                records[kind] = [s for s in sets if chosen is None or s.site_id in (None, chosen.id)]
            elif kind in PROGRAMME_WIDE:
                records[kind] = store.records(kind, conn=conn) if chosen is None or PROGRAMME_WIDE[kind] else []
            else:
                records[kind] = store.records(kind, site_id=chosen.id if chosen else None, conn=conn)
    return records, chosen


def _record_table(kind: str, records: list[Record], pseudonym: Pseudonyms | None, keep_text: bool) -> Table:
    columns = record_columns(kind, deidentify=pseudonym is not None, keep_text=keep_text)
    rows = []
    for record in records:
        values = dict(record)
        if pseudonym is not None:
            values = pseudonymise(kind, values, pseudonym)
        rows.append([values[column.field] for column in columns])
    if pseudonym is not None and kind == "partner":
        rows.sort(key=lambda row: row[0])  # by pseudonym: the order of record numbers would hint at them
    return Table(kind, columns, rows)
