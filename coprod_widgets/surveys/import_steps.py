"""What each step of the survey import workbook shows and checks, as plain functions of the export read.

Kept apart from the widgets (:mod:`.wizard`) so each can be tested with cases as data: the upload's private
copy, the summary of what was found, the preview (identifier columns never in it, every value escaped), the
mapping built from the choices made and its problems in words, and the message after an import.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import getpass
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from html import escape
from pathlib import Path

from ..choices import LEARNING_POINTS, RoleGroup
from .importing import TOOL_NAMES, ImportResult, _drafted
from .layouts import is_identifier
from .mapping import MappingInvalid, SurveyMapping, mapping_from_dict
from .read import SurveyExport, read_export
from .suggest import CHOOSE, guess_roles

PREVIEW_ROWS = 5
NAME_LIMIT = 120
#: Dropdown values for "no choice" (ipywidgets reads a None value as "nothing selected").
NOT_ANALYSED = DETECTED = NO_ROLE_COLUMN = NO_SITE = ""
FIELDS = {"survey": "Survey name", "role_column": "Who answered", "roles": "Who answered", "tool": "Survey tool"}


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def default_who() -> str:
    """Who the history names for an import made here, as the command line names its user."""
    with contextlib.suppress(Exception):
        return f"survey import workbook ({getpass.getuser()})"
    return "survey import workbook"


# ---- the uploaded file ---------------------------------------------------------------------------------------


def safe_file_name(name: str) -> str:
    """The upload's own name, safe as one file in a folder: no folders, no leading dots, nothing odd."""
    base = re.split(r"[\\/]", str(name))[-1]
    cleaned = re.sub(r"[^\w .()-]+", "_", base).strip(" .")
    if not cleaned:
        return "survey-export"
    stem, dot, suffix = cleaned.rpartition(".")
    if len(cleaned) > NAME_LIMIT:
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        cleaned = (stem if keep else cleaned)[: NAME_LIMIT - len(keep)] + keep
    return cleaned


@contextlib.contextmanager
def uploaded_copy(name: str, content: bytes) -> Iterator[Path]:
    """The upload as a file under its own name (the reader names it in messages and records), readable by its
    owner only, removed afterwards: survey exports hold people's answers and often their names."""
    folder = tempfile.mkdtemp(prefix="coprod-upload-")  # made 0700
    try:
        path = Path(folder) / safe_file_name(name)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_upload(name: str, content: bytes, tool: str | None = None) -> SurveyExport:
    with uploaded_copy(name, content) as path:
        return read_export(path, tool=tool or None)


def draft_for(export: SurveyExport) -> dict:
    """The command's own draft, named after the file as the command names it, so a survey imported here
    and a later export imported from the command line meet under the same name."""
    return _drafted(export, Path(export.file_name)).draft


# ---- what the file holds, in words ---------------------------------------------------------------------------


def hidden_columns(export: SurveyExport) -> list[str]:
    """Questions whose heading says names or e-mail addresses. Every layout keeps those apart already; the
    preview leaves out any that got through all the same, as a second guard."""
    return [question for question in export.questions if is_identifier(question)]


def layout_summary(export: SurveyExport, keep_identifiers: bool = False) -> str:
    """What the file was read as, in a few sentences of HTML: only counts, column names and the reader's reasons."""
    name, responses = escape(export.file_name), plural(len(export.responses), "response")
    if export.tool == "unknown":
        parts = [
            f"<p><strong>{name}</strong> is not laid out like an export from any tool coprod knows, so each of its "
            f"{plural(len(export.questions), 'column')} is read as a question (columns of names or e-mail addresses "
            f"apart): {responses} read. If you know "
            "which tool made it, choose that tool under Survey tool.</p>"
        ]
    else:
        parts = [
            f"<p><strong>{name}</strong> is an export from {escape(TOOL_NAMES[export.tool])}: {responses} read, "
            f"{plural(len(export.questions), 'question')} found.</p>"
        ]
    kept = (
        "they will be stored with the responses, because Keep names and e-mail addresses is ticked"
        if keep_identifiers
        else "they are not stored unless Keep names and e-mail addresses is ticked"
    )
    if export.identifier_columns:
        columns = ", ".join(quoted(c) for c in export.identifier_columns)
        parts.append(
            f"<p>Names and e-mail addresses: {escape(plural(len(export.identifier_columns), 'column'))} "
            f"({escape(columns)}). They are never shown here, and {kept}.</p>"
        )
    if not export.identifier_columns:
        parts.append("<p>No columns of names or e-mail addresses were found.</p>")
    if export.problems:
        rows = "".join(f"<li>Row {p.row_number}: {escape(p.reason)}.</li>" for p in export.problems)
        parts.append(
            f"<p>{plural(len(export.problems), 'row')} could not be read and will not be imported:</p><ul>{rows}</ul>"
        )
    else:
        parts.append("<p>Every row could be read.</p>")
    questions = "".join(f"<li>{escape(q)}</li>" for q in export.questions)
    parts.append(
        f"<details><summary>The {plural(len(export.questions), 'question')} found</summary><ol>{questions}</ol>"
        "</details>"
    )
    return "".join(parts)


def _answer_text(value) -> str:
    if value is None:
        return ""
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def preview_html(export: SurveyExport, rows: int = PREVIEW_ROWS) -> str:
    """The first responses as a table, every heading and answer escaped; names and e-mail addresses left out."""
    if not export.responses:
        return "<p>No responses were read from the file, so there is nothing to preview.</p>"
    hidden = set(hidden_columns(export))
    questions = [q for q in export.questions if q not in hidden]
    shown = export.responses[:rows]
    completes = any(r.complete is not None for r in export.responses)
    heads = ["Row", *(["Submitted"] if export.submitted_column else []), *(["Complete"] if completes else [])]
    body = []
    for row in shown:
        cells = [f'<th scope="row">{row.row_number}</th>']
        if export.submitted_column:
            cells.append(f"<td>{row.submitted.strftime('%Y-%m-%d %H:%M') if row.submitted else ''}</td>")
        if completes:
            cells.append(f"<td>{'' if row.complete is None else ('yes' if row.complete else 'no')}</td>")
        cells += [f"<td>{escape(_answer_text(row.answers.get(q)))}</td>" for q in questions]
        body.append(f"<tr>{''.join(cells)}</tr>")
    total = len(export.responses)
    which = f"All {plural(total, 'response')}" if total <= rows else f"The first {len(shown)} of {total} responses"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in [*heads, *questions])
    return (
        '<div class="coprod-preview" role="region" aria-label="Preview of the first responses" tabindex="0">'
        f'<table class="coprod-table"><caption>{which} (names and e-mail addresses are not shown)</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


# ---- the mapping from the choices made -----------------------------------------------------------------------


def learning_point_options(undecided: bool) -> list[tuple[str, str]]:
    """A question on a scale starts undecided (as the draft's 'choose lp1 to lp8'); any other, not analysed."""
    first = [("Choose a learning point", CHOOSE)] if undecided else []
    points = [(f"{code.upper()}: {title}", code) for code, title in LEARNING_POINTS.items()]
    return [*first, ("Not analysed", NOT_ANALYSED), *points]


def mapping_from_choices(base: dict, choices: dict) -> dict:
    """A mapping (plain data, for :func:`mapping_from_dict`) from a draft or loaded mapping and the choices made.

    ``base`` gives each question's scores and indicator; ``choices`` holds ``survey``, ``tool``, ``role_column``
    (None for none), ``roles`` and ``learning_points`` (question -> code, ``NOT_ANALYSED`` or ``CHOOSE``), in
    the order the questions are shown. Questions not analysed are left out.
    """
    known = {entry["question"]: entry for entry in base.get("questions") or []}
    questions = []
    for question, point in choices["learning_points"].items():
        if point == NOT_ANALYSED:
            continue
        entry = known.get(question, {})
        extra = {key: entry[key] for key in ("indicator", "scores") if entry.get(key)}
        questions.append({"question": question, "learning_point": point, **extra})
    mapping: dict = {
        "survey": str(choices.get("survey") or "").strip(),
        "tool": choices.get("tool") or base.get("tool", "unknown"),
    }
    if choices.get("role_column"):
        mapping |= {"role_column": choices["role_column"], "roles": dict(choices.get("roles") or {})}
    if "suppress_below" in base:
        mapping["suppress_below"] = base["suppress_below"]
    mapping["questions"] = questions
    return mapping


def in_words(problem: str, names: list[str]) -> str:
    """A mapping problem naming the place in a YAML file ('questions 2 learning_point') named as on this page."""
    numbered = re.match(r"questions (\d+)\b", problem)
    if numbered and 0 < int(numbered[1]) <= len(names):
        rest = problem[numbered.end() :].replace("learning_point", "learning point")
        return f"Question {quoted(names[int(numbered[1]) - 1])}{rest}"
    field = re.match(r"(\w+)\b", problem)
    if field and field[1] in FIELDS:
        return FIELDS[field[1]] + problem[field.end() :]
    return problem


def checked_mapping(base: dict, choices: dict) -> SurveyMapping:
    """The mapping the choices make, checked as the command checks a mapping file; every problem at once,
    each naming the box or question to put right (:class:`MappingInvalid`)."""
    points = choices["learning_points"]
    problems = []
    if not str(choices.get("survey") or "").strip():
        problems.append(
            "Survey name: type the survey's name (use the same name for each export of the same survey, "
            "so a later import adds to it)"
        )
    problems += [
        f"Question {quoted(q)}: choose the learning point it is evidence for, or Not analysed"
        for q, point in points.items()
        if point == CHOOSE
    ]
    if all(point == NOT_ANALYSED for point in points.values()):
        problems.append("Learning points: every question is Not analysed; choose one for at least one question")
    if problems:
        raise MappingInvalid(problems, "The mapping")
    data = mapping_from_choices(base, choices)
    try:
        return mapping_from_dict(data, "The mapping")
    except MappingInvalid as invalid:
        names = [entry["question"] for entry in data["questions"]]
        raise MappingInvalid([in_words(p, names) for p in invalid.problems], "The mapping") from None


def roles_for(export: SurveyExport, column: str) -> dict[str, str]:
    """Each answer in ``column`` that names a role group, by the draft's own rule (most answers must name one)."""
    found, roles = guess_roles(dataclasses.replace(export, questions=[column]))
    return roles if found else {}


def roles_html(column: str | None, roles: dict[str, str]) -> str:
    if not column:
        return "<p>No question says who answered, so responses are not split by partner group.</p>"
    if not roles:
        return (
            f"<p>The answers to {escape(quoted(column))} do not name partner groups, so no response will have "
            "one. Choose another question, or none.</p>"
        )
    read = "; ".join(f"{quoted(answer)} as {RoleGroup.label_of(code)}" for answer, code in roles.items())
    return f"<p>Answers read as partner groups: {escape(read)}. Other answers give no group.</p>"


def import_message(result: ImportResult, site_name: str, keep_identifiers: bool) -> str:
    """What the import did, as the command says it: counts, row numbers and reasons, never a cell's text."""
    lines = [
        f"Imported: {quoted(result.survey)} ({TOOL_NAMES[result.tool]}) for {site_name}: "
        f"{plural(result.rows_read, 'response')} read, {result.added} new, {result.repeated} already imported."
    ]
    if result.identifier_columns:
        lines.append(
            "Names and e-mail addresses were kept with the responses."
            if keep_identifiers
            else "Names and e-mail addresses in the file were not kept."
        )
    rows = [f"Row {p.row_number} could not be read: {p.reason}." for p in result.problems]
    return status_html(lines, rows)


def status_html(lines: list[str], items: list[str] = ()) -> str:
    """A message in words (never colour alone), as a status region screen readers announce."""
    listed = f"<ul>{''.join(f'<li>{escape(item)}</li>' for item in items)}</ul>" if items else ""
    return f'<div role="status">{"".join(f"<p>{escape(line)}</p>" for line in lines)}{listed}</div>'


def download_link(data: bytes, filename: str, words: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<a download="{escape(filename)}" href="data:text/yaml;base64,{encoded}">{escape(words)}</a>'


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "survey"
