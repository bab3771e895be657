"""Importing a survey export into the store: one transaction per file, only responses not seen before added.

A survey is known at its site by the name its mapping gives it; the first import makes it. Each response
keeps the tool's response id as its key, so importing the same file again, or a later export that repeats
earlier responses, adds only what is new. Where the tool gives no id (Google Forms) the key is a SHA-256
of the submitted time and the answers; with no submitted time either, identical rows are different
people, so the second gets the key with "-2" after it, and so on (a later export repeating them still
matches). Names and e-mail addresses are kept only when asked for, and never go into a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pathlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from ..problems import RecordInvalid
from .mapping import MappingInvalid, SurveyMapping
from .read import ExportRow, RowProblem, SurveyExport, read_export

#: How the tools are named in messages.
TOOL_NAMES = {
    "kobo": "KoboToolbox",
    "redcap": "REDCap",
    "msforms": "Microsoft Forms",
    "googleforms": "Google Forms",
    "surveymonkey": "SurveyMonkey",
    "unknown": "a tool coprod does not recognise",
}
#: Room for the list of unreadable rows in a SurveyImport (a Note holds 4,000 characters).
UNREADABLE_TEXT_LIMIT = 3_800
FILE_NAME_LIMIT = 200


class ImportRefused(ValueError):
    """The import cannot go ahead (no such site, a response refused); one line saying why. Nothing was saved."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or, without a mapping, the draft mapping to finish first (nothing was saved)."""

    tool: str
    file_name: str
    rows_read: int
    problems: list[RowProblem]
    identifier_columns: list[str]
    questions: list[str] = field(default_factory=list)
    survey: str | None = None
    survey_id: int | None = None
    import_id: int | None = None
    added: int = 0
    repeated: int = 0
    draft: dict | None = None

    @property
    def needs_mapping(self) -> bool:
        return self.draft is not None


def import_survey(
    store,
    path: pathlib.Path,
    site_name: str,
    mapping: SurveyMapping | None,
    who: str,
    keep_identifiers: bool = False,
    tool: str | None = None,
) -> ImportResult:
    """Read ``path`` and store its new responses in the survey ``mapping`` names at ``site_name``.

    Without a mapping nothing is stored: the result carries a draft (see :mod:`.suggest`) to finish.
    Raises :class:`~.read.ExportUnreadable`, :class:`~.mapping.MappingInvalid` (a mapped column missing from
    the file) or :class:`ImportRefused`; in each case nothing was stored.
    """
    site = store.site_named(site_name)
    if site is None:
        raise ImportRefused(f"There is no site called {site_name!r}. Check the name with coprod site list.")
    export = read_export(pathlib.Path(path), tool=tool)
    if mapping is None:
        return _drafted(export, pathlib.Path(path))
    missing = columns_missing(mapping, export)
    if missing:
        raise MappingInvalid(missing)
    keyed = list(zip(response_keys(export.responses), export.responses, strict=True))
    with store.writing() as conn:
        survey = _survey_for(store, conn, site.id, mapping, export.tool, who)
        new, repeated = _split(keyed, _stored_keys(conn, survey.id))
        record = store.add("survey_import", _import_values(survey, export, mapping, len(new), repeated), who, conn=conn)
        _add_responses(store, conn, record, new, mapping, keep_identifiers, who)
    return _result(
        export,
        survey=survey.name,
        survey_id=survey.id,
        import_id=record.id,
        added=len(new),
        repeated=repeated,
    )


def _drafted(export: SurveyExport, path: pathlib.Path) -> ImportResult:
    """A first mapping to finish, named after the file (the person renames it in the draft)."""
    from .suggest import suggest

    name = " ".join(path.name.split(".")[0].replace("_", " ").replace("-", " ").split()) or "Survey"
    return _result(export, draft=suggest(export, name[:1].upper() + name[1:]))


def _result(export: SurveyExport, **more) -> ImportResult:
    """What the file held, with what the import made of it (``more``)."""
    return ImportResult(
        tool=export.tool,
        file_name=export.file_name,
        rows_read=len(export.responses),
        problems=export.problems,
        identifier_columns=export.identifier_columns,
        questions=export.questions,
        **more,
    )


def columns_missing(mapping: SurveyMapping, export: SurveyExport) -> list[str]:
    """Mapped columns the file does not have: a typo, or a mapping for another survey, caught before saving."""
    have = set(export.questions)
    problems = [
        f"questions {n} question {q.question!r}: {export.file_name} has no such question; "
        "copy the column's name from the draft mapping"
        for n, q in enumerate(mapping.questions, start=1)
        if q.question not in have
    ]
    if mapping.role_column and mapping.role_column not in have:
        problems.append(f"role_column {mapping.role_column!r}: {export.file_name} has no such question")
    if problems and mapping.tool not in ("unknown", export.tool):
        problems.insert(
            0,
            f"tool: the mapping is for {TOOL_NAMES.get(mapping.tool, mapping.tool)} but {export.file_name} reads as "
            f"{TOOL_NAMES[export.tool]}; check it is the right mapping, or give --tool {mapping.tool}",
        )
    return problems


def content_key(row: ExportRow) -> str:
    """The SHA-256 of a response's submitted time and answers: the same response in a later export, same key."""
    content = {"submitted": row.submitted.isoformat() if row.submitted else None, "answers": row.answers}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def response_keys(rows: list[ExportRow]) -> list[str]:
    """Each row's key: the tool's id, else :func:`content_key` (numbered when there is no time to tell
    identical rows apart, as each is then someone's answers)."""
    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        if row.response_id:
            keys.append(row.response_id)
            continue
        key = content_key(row)
        if row.submitted is None:
            seen[key] += 1
            key = key if seen[key] == 1 else f"{key}-{seen[key]}"
        keys.append(key)
    return keys


def _survey_for(store, conn: Connection, site_id: int, mapping: SurveyMapping, tool: str, who: str):
    """The site's survey of the mapping's name (in any case), made on first import; its mapping kept current."""
    wanted = mapping.survey.strip().casefold()
    found = next((s for s in store.records("survey", site_id, conn=conn) if s.name.casefold() == wanted), None)
    if found is None:
        values = {"site_id": site_id, "name": mapping.survey, "tool": tool, "mapping": mapping.as_dict()}
        return store.add("survey", {**values, "added": dt.date.today()}, who, conn=conn)
    if found.mapping != mapping.as_dict():
        return store.update("survey", found.id, {"mapping": mapping.as_dict()}, who, conn=conn)
    return found


def _stored_keys(conn: Connection, survey_id: int) -> set[str]:
    from ..schema import TABLES

    table = TABLES["survey_response"]
    return set(conn.execute(select(table.c.response_key).where(table.c.survey_id == survey_id)).scalars())


def _split(keyed: list[tuple[str, ExportRow]], stored: set[str]) -> tuple[list[tuple[str, ExportRow]], int]:
    """The responses to add (the first of any key repeated in the file) and how many were repeats."""
    new, taken = [], set(stored)
    for key, row in keyed:
        if key not in taken:
            taken.add(key)
            new.append((key, row))
    return new, len(keyed) - len(new)


def unreadable_text(problems: list[RowProblem]) -> str:
    """One line per unreadable row, cut short (saying how many more) to fit the import record."""
    lines, used = [], 0
    for place, problem in enumerate(problems):
        line = f"row {problem.row_number}: {problem.reason}"
        if used + len(line) + 1 > UNREADABLE_TEXT_LIMIT:
            lines.append(f"and {len(problems) - place} more rows")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _import_values(survey, export: SurveyExport, mapping: SurveyMapping, added: int, repeated: int) -> dict:
    return {
        "site_id": survey.site_id,
        "survey_id": survey.id,
        "file_name": export.file_name[:FILE_NAME_LIMIT],
        "checksum": export.sha256,
        "imported": dt.date.today(),
        "rows_read": len(export.responses),
        "responses_added": added,
        "responses_repeated": repeated,
        "unreadable_rows": unreadable_text(export.problems),
        "mapping": mapping.as_dict(),
    }


def _response_values(
    record, key: str, row: ExportRow, mapping: SurveyMapping, keep_identifiers: bool
) -> Iterator[tuple[str, object]]:
    yield "site_id", record.site_id
    yield "survey_id", record.survey_id
    yield "import_id", record.id
    yield "response_key", key
    yield "submitted", row.submitted.date() if row.submitted else None
    yield "respondent_role", mapping.role_of(row.answers.get(mapping.role_column)) if mapping.role_column else None
    yield "complete", row.complete
    yield "answers", row.answers
    yield "identifiers", dict(row.identifiers) if keep_identifiers else {}


def _add_responses(store, conn, record, new, mapping: SurveyMapping, keep_identifiers: bool, who: str) -> None:
    """Every new response in one batch; one refused names its row, and the whole import is undone."""
    with store.bulk(who, conn) as batch:
        for key, row in new:
            try:
                batch.add("survey_response", dict(_response_values(record, key, row, mapping, keep_identifiers)))
            except RecordInvalid as refused:
                raise ImportRefused(
                    f"Row {row.row_number} of {record.file_name} could not be kept: {refused} Nothing was imported."
                ) from None
