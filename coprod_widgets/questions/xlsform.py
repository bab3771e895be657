"""Reading a site's XLSForm into a :class:`~.form.FormDefinition`, or refusing it with every problem named.

pyxform does all the reading and parsing: ``get_xlsform`` gives the sheets as rows (so a problem can name its
spreadsheet row), its header code says what each column means, and ``workbook_to_json`` gives the question
tree. This module only decides what coprod can honour. The raw rows are checked first, all of them, so the
person adding the form sees every problem at once; only a form with none is handed to pyxform to parse, with
the columns coprod ignores and the metadata rows it does not collect taken out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyxform import aliases, constants
from pyxform.errors import PyXFormError
from pyxform.parsing.parameters import parse as parse_parameters
from pyxform.parsing.sheet_headers import process_header
from pyxform.question import MultipleChoiceQuestion, Option
from pyxform.utils import default_is_dynamic
from pyxform.xls2json import RE_BEGIN_CONTROL, RE_END_CONTROL, RE_SELECT, workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from . import expressions
from .form import (
    CHOICE_COLUMN_PREFIX,
    DEFAULT_LANGUAGE,
    RANGE_DEFAULTS,
    Choice,
    FormDefinition,
    Question,
    choice_columns,
    choice_filter_expression,
    question_references,
)

FILE_TYPES = (".xlsx", ".xls", ".csv", ".md")
TEXT_FILE_TYPES = (".md", ".csv")
UNREADABLE = (
    "The form could not be read as an XLSForm. Check it has a survey sheet with type, name and label columns, "
    "as in the template at https://xlsform.org"
)
SUPPORTED_TYPES_TEXT = (
    "text, integer, decimal, date, select_one LIST, select_multiple LIST, note, range, acknowledge, calculate, "
    "begin group/end group, begin repeat/end repeat"
)
SIMPLE_TYPES = ("text", "integer", "decimal", "date", "note", "range", "acknowledge", "calculate")

#: Types XLSForm allows that coprod cannot collect, with what each one is, for the message.
UNSUPPORTED_TYPES = {
    "geopoint": "a location",
    "geotrace": "a line on a map",
    "geoshape": "an area on a map",
    "start-geopoint": "the device's location when the form opens",
    "background-geopoint": "the device's location, recorded in the background",
    "location": "a location",
    "gps": "a location",
    "image": "a photo",
    "photo": "a photo",
    "audio": "a sound recording",
    "background-audio": "a sound recording made in the background",
    "video": "a video",
    "file": "a file upload",
    "barcode": "a barcode scan",
    "time": "a time of day; use text",
    "datetime": "a date and time; use date, and text for the time",
    "dateTime": "a date and time; use date, and text for the time",
    "rank": "putting choices in order",
    "select_one_from_file": "choices kept in a separate file; put them on the choices sheet",
    "select_multiple_from_file": "choices kept in a separate file; put them on the choices sheet",
    "select_one_external": "choices kept on an external_choices sheet; put them on the choices sheet",
    "trigger": "an old name for acknowledge; use acknowledge",
    "hidden": "a hidden field; use calculate",
    "xml-external": "an external data file",
    "csv-external": "an external data file",
    "osm": "an OpenStreetMap feature",
    "loop": "a loop over a choice list; use begin repeat",
}
#: Types that record the device or the person filling in the form: coprod leaves them out rather than refusing.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "phonenumber",
        "username",
        "simserial",
        "subscriberid",
        "email",
        "audit",
    }
)

#: Columns whose meaning coprod cannot honour: a form that fills them in is refused. Key -> what to do instead.
REFUSED_COLUMNS = {
    "repeat_count": "people add as many entries to a repeat as they need. Delete the column",
    "trigger": "coprod works out calculations as people type. Delete the column",
    "media": "coprod does not show pictures, sound or video. Delete the column and say it in the label",
    "body": "body:: columns set options of ODK's own form player. Delete the column",
    "disabled": "delete the rows you want to leave out instead",
    "parameters": "parameters are only used on range questions (start, end and step). Delete them from this row",
    "calculation": "only a calculate question has a calculation. Put it on a separate calculate question",
}
#: Columns read but not used: each is noted once in ``FormDefinition.ignored``. Key -> why.
IGNORED_COLUMNS = {
    "appearance": "questions are shown in coprod's own layout",
    "guidance_hint": "coprod shows the hint only",
    "autoplay": "coprod does not play media",
    "rows": "text boxes are shown in coprod's own layout",
    "instance": "coprod does not add attributes to stored answers",
    "bind": "of the bind:: columns coprod honours only required, relevant and constraint",
    "unknown": "it is not a column coprod uses",
}
EXPRESSION_COLUMNS = {
    ("bind", "relevant"): "relevant",
    ("bind", "constraint"): "constraint",
    ("bind", "calculate"): "calculation",
    ("bind", "required"): "required",
    ("choice_filter",): "choice_filter",
}
USED_FIRST_TOKENS = frozenset({"type", "name", "label", "hint", "default", "choice_filter", "parameters"})
USED_BIND_TOKENS = frozenset(
    {"required", "relevant", "constraint", "calculate", "readonly", "jr:requiredMsg", "jr:constraintMsg"}
)
HONOURED_BIND_COLUMNS = frozenset({"required", "relevant", "constraint"})
RANGE_PARAMETERS = tuple(RANGE_DEFAULTS)
SETTINGS_NOTE = "coprod uses only form_title, form_id, version and default_language"
USED_SETTINGS = frozenset({"title", "id_string", "version", "default_language"})
CHOICE_OWN_COLUMNS = frozenset({constants.LIST_NAME_S, "name", "label", "media", "sms_option"})
PYXFORM_TYPES = {constants.SELECT_ONE: "select_one", constants.SELECT_ALL_THAT_APPLY: "select_multiple"}
_ROW_TAG = re.compile(r"\[row : (\d+)\]\s*(?:On the '(\w+)' sheet,\s*)?")
_QUESTION_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_CHOICE_COLUMN_REFERENCE = re.compile(r"\$\{" + re.escape(CHOICE_COLUMN_PREFIX) + r"([^}]*)\}")
_AT_CHARACTER = re.compile(r" at character \d+ of:")


class FormRefused(ValueError):
    """The form cannot be used as it is. ``problems`` says each thing to fix, naming the sheet and row."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        count = len(self.problems)
        summary = (
            f"This form cannot be used until {'this problem is' if count == 1 else f'{count} problems are'} fixed:"
        )
        super().__init__("\n".join([summary, *self.problems]))


# ---------------------------------------------------------------------------------------------------------
# Entry points


def read_xlsform(path: str | Path) -> FormDefinition:
    """Read an XLSForm file (.xlsx, .xls, .csv or .md); title and id fall back to the file's name."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        raise FormRefused([_unsupported_file_message(path.name)])
    if not path.is_file():
        raise FormRefused([f"There is no file at {path}. Check the name and folder."])
    return _read(lambda: get_xlsform(path, file_type=suffix), fallback_name=path.stem)


def read_xlsform_text(text: str, file_type: str = "md", name: str = "form") -> FormDefinition:
    """Read an XLSForm kept as text: markdown tables (pyxform's md format) or CSV. ``name`` stands in for a file's."""
    suffix = "." + file_type.lower().lstrip(".")
    if suffix not in TEXT_FILE_TYPES:
        raise FormRefused([f"An XLSForm given as text must be markdown (md) or csv, not {file_type!r}."])
    return _read(lambda: get_xlsform(text.encode("utf-8"), file_type=suffix), fallback_name=name)


def _unsupported_file_message(file_name: str) -> str:
    return f"{file_name} is not a file coprod can read as an XLSForm. Save it as one of: {', '.join(FILE_TYPES)}."


def _read(load: Callable[[], DefinitionData], fallback_name: str) -> FormDefinition:
    workbook = _pyxform(load)
    survey = _survey_rows(workbook)
    choices = _ChoicesSheet.of(workbook)
    problems = [*_sheet_problems(workbook), *_row_problems(survey, choices), *choices.problems()]
    if problems:
        raise FormRefused(problems)
    parsed = _pyxform(lambda: _parse(workbook, survey, fallback_name))
    ignored = [*_metadata_notes(survey), *_column_notes(survey), *_settings_notes(workbook)]
    form = _form(parsed, _rows_by_name(survey), tuple(ignored))
    if not any(form.answerable()):
        raise FormRefused(["survey sheet: there are no questions to answer. Add at least one question row."])
    return form


def _pyxform(call: Callable[[], Any]) -> Any:
    """Run a pyxform step; its own error becomes a refusal in the same words, row tags made plain.

    pyxform trips over some broken files (a sheet with no rows, say) with a Python error rather than its own:
    those are refusals too, so a bad upload is a message rather than a crash.
    """
    try:
        return call()
    except PyXFormError as error:
        raise FormRefused([_plain_pyxform_message(str(error))]) from error
    except (LookupError, TypeError, ValueError, AttributeError) as error:
        raise FormRefused([f"{UNREADABLE} ({type(error).__name__}: {error})"]) from error


def _plain_pyxform_message(message: str) -> str:
    """ "[row : 5] On the 'choices' sheet, ..." -> "choices sheet, row 5: ..."; an untold sheet is the survey."""
    if message.startswith("Argument 'definition' was not recognized"):
        return UNREADABLE

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(2) or 'survey'} sheet, row {match.group(1)}: "

    return _ROW_TAG.sub(replace, message, count=1).strip()


# ---------------------------------------------------------------------------------------------------------
# The raw survey sheet, one row at a time


@dataclass(frozen=True)
class _Row:
    """One non-empty survey row: values keyed by pyxform's meaning of each column, headers as written."""

    number: int
    values: Mapping[tuple[str, ...], str]
    headers: Mapping[tuple[str, ...], str]
    kind: str  # a simple type or select, "begin group", "end repeat" etc., "metadata", "refused" or "none"
    list_name: str | None = None
    problem: str = ""  # why the type is refused

    def get(self, *column: str) -> str:
        return self.values.get(column, "")

    @property
    def type(self) -> str:
        return " ".join(self.get("type").split())

    @property
    def name(self) -> str:
        return self.get("name")

    def where(self, column: tuple[str, ...] | None = None) -> str:
        if column is None:
            return f"survey sheet, row {self.number}"
        return f"survey sheet, row {self.number}, {self.headers[column]} column"


def _columns(header: Mapping[str, Any] | None, header_aliases: Mapping, known: set[str]) -> dict[str, tuple[str, ...]]:
    """Each header as written -> what pyxform reads it as, e.g. ``repeat_count`` -> ``("control", "jr:count")``."""
    headers = [str(name) for name in (header or {}) if name is not None]
    double_colon = any("::" in name for name in headers)
    return {name: process_header(name, double_colon, header_aliases, known)[1] for name in headers}


def _sheet_header(rows: Iterable[Mapping[str, Any]] | None, header: Any) -> dict[str, Any]:
    """pyxform keeps a sheet's header as a one-item list; without one (a dict input) the rows' keys stand in."""
    if header:
        return dict(header[0])
    return {key: None for row in rows or () for key in row}


def _survey_rows(workbook: DefinitionData) -> list[_Row]:
    header = _sheet_header(workbook.survey, workbook.survey_header)
    columns = _columns(header, aliases.survey_header, set(MultipleChoiceQuestion.get_slot_names()))
    headers = {tokens: name for name, tokens in columns.items()}
    rows = []
    for number, raw in enumerate(workbook.survey or (), start=2):
        values = {columns[name]: str(value).strip() for name, value in raw.items() if name in columns}
        values = {column: value for column, value in values.items() if value}
        if values:
            rows.append(_classified(_Row(number, values, headers, kind="")))
    return rows


def _classified(row: _Row) -> _Row:
    """The row with its kind worked out from the type column, using pyxform's own patterns for each spelling."""
    written = row.type
    if not written:
        return dataclasses.replace(row, kind="none")
    control = RE_BEGIN_CONTROL.search(written) or RE_END_CONTROL.search(written)
    if control:
        return _control_row(row, control)
    select = RE_SELECT.search(written)
    if select:
        return _select_row(row, select)
    if written in SIMPLE_TYPES:
        return dataclasses.replace(row, kind=written)
    if written in METADATA_TYPES or written.removeprefix("uri:") in METADATA_TYPES:
        return dataclasses.replace(row, kind="metadata")
    return _refused(row, _type_message(row, written))


def _control_row(row: _Row, control: re.Match[str]) -> _Row:
    kind = aliases.control[control.group("type")]
    if kind not in ("group", "repeat"):
        return _refused(row, _type_message(row, kind))
    opening = "begin" if control.groupdict().get("begin") else "end"
    return dataclasses.replace(row, kind=f"{opening} {kind}")


def _select_row(row: _Row, select: re.Match[str]) -> _Row:
    command, list_name = select.group("select_command"), select.group("list_name")
    meaning = aliases.select[command]
    if command in aliases.select_from_file or meaning not in PYXFORM_TYPES:
        return _refused(row, _type_message(row, command.replace(" ", "_")))
    if select.group("specify_other"):
        return _refused(
            row,
            f"{row.where()}: '{row.type}' is not supported (or_other adds a hidden 'other' question). Instead add "
            f"an 'other' choice to the list and a text question whose relevant is selected(${{{row.name}}}, 'other').",
        )
    if _QUESTION_REFERENCE.search(list_name):
        return _refused(
            row, f"{row.where()}: choices taken from another question's answers ({list_name}) are not supported."
        )
    return dataclasses.replace(row, kind=PYXFORM_TYPES[meaning], list_name=list_name)


def _type_message(row: _Row, written: str) -> str:
    what = UNSUPPORTED_TYPES.get(written) or UNSUPPORTED_TYPES.get(written.split()[0])
    if what is None:
        return (
            f"{row.where()}: the type '{row.type}' is not a type coprod knows. Supported types: {SUPPORTED_TYPES_TEXT}."
        )
    return f"{row.where()}: the type '{row.type}' is not supported ({what}). Supported types: {SUPPORTED_TYPES_TEXT}."


def _refused(row: _Row, message: str) -> _Row:
    return dataclasses.replace(row, kind="refused", problem=message)


# ---------------------------------------------------------------------------------------------------------
# Checks on the raw rows: each returns plain-English problems, all are run


def _sheet_problems(workbook: DefinitionData) -> list[str]:
    if workbook.entities:
        return ["entities sheet: entity lists are not supported, coprod keeps its own records. Delete the sheet."]
    return []


def _row_problems(rows: list[_Row], choices: _ChoicesSheet) -> list[str]:
    """Every problem on the survey sheet, in row order."""
    names = _question_names(rows)
    skipped = {row.name for row in rows if row.kind == "metadata" and row.name}
    duplicates = _duplicate_names(rows)
    lists, columns = choices.lists(), choices.filter_columns()
    problems = []
    for row in rows:
        problems += [row.problem] if row.problem else []
        problems += [duplicates[row.number]] if row.number in duplicates else []
        if row.kind in ("metadata", "refused", "none"):
            continue
        problems += _column_problems(row)
        problems += _list_problems(row, lists)
        problems += _parameter_problems(row)
        problems += _calculation_problems(row)
        problems += _value_problems(row)
        problems += _expression_problems(row, names, skipped, columns)
    return problems


def _names_rows(rows: list[_Row]) -> Iterator[_Row]:
    """Rows that name a question, group or repeat coprod keeps (not end rows, not metadata)."""
    return (row for row in rows if row.name and row.kind not in ("metadata", "end group", "end repeat"))


def _question_names(rows: list[_Row]) -> set[str]:
    return {row.name for row in _names_rows(rows)}


def _duplicate_names(rows: list[_Row]) -> dict[int, str]:
    """pyxform only checks names within one group; coprod needs them unique across the form, so ${name} is clear."""
    first_row: dict[str, int] = {}
    problems = {}
    for row in _names_rows(rows):
        if row.name in first_row:
            problems[row.number] = (
                f"{row.where()}: the name '{row.name}' is already used on row {first_row[row.name]}. "
                "Give every question, group and repeat its own name."
            )
        first_row.setdefault(row.name, row.number)
    return problems


def _column_kind(header: str, column: tuple[str, ...]) -> str:
    """What coprod does with a survey column: "used", a key of REFUSED_COLUMNS, or a key of IGNORED_COLUMNS."""
    written = re.split(r"::?", header, maxsplit=1)[0].strip().lower()
    if written in ("body", "bind") and (written == "body" or column[-1] not in HONOURED_BIND_COLUMNS):
        return written
    if column == ("control", "jr:count"):
        return "repeat_count"
    if column[0] in ("media", "trigger", "disabled", "guidance_hint", "instance"):
        return column[0]
    if column[0] == "control":
        return column[1] if column[1] in IGNORED_COLUMNS else "unknown"
    if column[0] in USED_FIRST_TOKENS or (column[0] == "bind" and column[1] in USED_BIND_TOKENS):
        return "used"
    return "unknown"


def _column_problems(row: _Row) -> list[str]:
    problems = []
    for column in row.values:
        kind = _column_kind(row.headers[column], column)
        if kind in REFUSED_COLUMNS and kind not in ("parameters", "calculation"):
            problems.append(f"{row.where(column)}: this column is not supported: {REFUSED_COLUMNS[kind]}.")
    return problems


def _list_problems(row: _Row, choice_lists: set[str]) -> list[str]:
    if row.list_name is None or row.list_name in choice_lists:
        return []
    return [
        f"{row.where()}: the choice list '{row.list_name}' is not on the choices sheet. "
        f"Add its choices there with list_name '{row.list_name}', or correct the name in the type."
    ]


def _parameter_problems(row: _Row) -> list[str]:
    written = row.get("parameters")
    if not written:
        return []
    if row.kind != "range":
        return [f"{row.where(('parameters',))}: {REFUSED_COLUMNS['parameters']}."]
    try:
        parameters = parse_parameters(written, row.number)
    except PyXFormError:
        return [f"{row.where(('parameters',))}: write the parameters as start=1 end=10 step=1."]
    return _range_problems(row, parameters)


def _range_problems(row: _Row, parameters: Mapping[str, str]) -> list[str]:
    where = row.where(("parameters",))
    unknown = sorted(set(parameters) - set(RANGE_PARAMETERS))
    if unknown:
        return [f"{where}: only start, end and step can be set on a range, not {', '.join(unknown)}."]
    try:
        start, end, step = (float(parameters.get(key, RANGE_DEFAULTS[key])) for key in RANGE_PARAMETERS)
    except ValueError:
        return [f"{where}: start, end and step must be numbers, as in start=1 end=10 step=1."]
    if end <= start:
        return [
            f"{where}: the range ends at {end:g}, which is not above its start {start:g}. Make end bigger than start."
        ]
    if step <= 0 or step > end - start:
        return [f"{where}: the step {step:g} must be above 0 and no bigger than the range ({end - start:g})."]
    return []


def _calculation_problems(row: _Row) -> list[str]:
    calculation = row.get("bind", "calculate")
    if row.kind == "calculate" and not calculation:
        return [
            f"{row.where()}: the calculate question '{row.name}' has no calculation. Fill in its calculation column."
        ]
    if calculation and row.kind != "calculate":
        return [
            f"{row.where(('bind', 'calculate'))}: a question of type '{row.type}' cannot have a calculation: "
            f"{REFUSED_COLUMNS['calculation']}."
        ]
    return []


def _value_problems(row: _Row) -> list[str]:
    """read_only must be yes or no; a default must be a plain value, since coprod shows it as written."""
    problems = []
    read_only = row.get("bind", "readonly")
    if read_only and read_only not in aliases.yes_no:
        problems.append(f"{row.where(('bind', 'readonly'))}: read_only must be yes or no, not '{read_only}'.")
    default = row.get("default")
    if default and default_is_dynamic(default, row.kind):
        problems.append(
            f"{row.where(('default',))}: a default worked out from an expression ('{default}') is not supported. "
            "Use a plain value, or a calculate question."
        )
    return problems


def _expression_problems(row: _Row, names: set[str], skipped: set[str], choice_columns: set[str]) -> list[str]:
    problems = []
    for column, label in EXPRESSION_COLUMNS.items():
        text = row.get(*column)
        if not text or (label == "required" and text in aliases.yes_no):
            continue
        where = row.where(column)
        if label == "choice_filter":
            problems += _choice_filter_problems(text, where, names, skipped, choice_columns)
        else:
            problems += _expression_text_problems(text, where, names, skipped)
    return problems


def _expression_text_problems(text: str, where: str, names: set[str], skipped: set[str]) -> list[str]:
    try:
        expression = expressions.parse(text)
    except expressions.ExpressionError as error:
        return [f"{where}: {error}"]
    return _reference_problems(expression.references(), where, names, skipped)


def _reference_problems(references: Iterable[str], where: str, names: set[str], skipped: set[str]) -> list[str]:
    problems = []
    for name in sorted(set(references) - names):
        if name in skipped:
            problems.append(f"{where}: ${{{name}}} is a metadata field coprod does not collect. Leave it out.")
        else:
            problems.append(f"{where}: ${{{name}}} is not a question in this form. Check the spelling of the name.")
    return problems


def _choice_filter_problems(text: str, where: str, names: set[str], skipped: set[str], columns: set[str]) -> list[str]:
    """In a choice_filter a bare name is a column of the choices sheet (``region=${region}``); the rest as usual."""
    try:
        expression = choice_filter_expression(text)
    except expressions.ExpressionError as error:
        return [f"{where}: {_as_written(str(error))}"]
    problems = [
        f"{where}: '{column}' is not a column of the choices sheet. In a choice_filter a plain name is a column "
        f"of the choices sheet; write ${{{column}}} for the answer to the question '{column}'."
        for column in sorted(choice_columns(expression) - columns - {"name"})
    ]
    return problems + _reference_problems(question_references(expression), where, names, skipped)


def _as_written(message: str) -> str:
    """An expression error about a rewritten choice_filter, put back as the person wrote it (without a position)."""
    message = _CHOICE_COLUMN_REFERENCE.sub(r"\1", message)
    return _AT_CHARACTER.sub(" in:", message)


@dataclass(frozen=True)
class _ChoicesSheet:
    """The raw choices sheet: its rows as written, and what pyxform reads each column as."""

    rows: tuple[Mapping[str, Any], ...]
    columns: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, workbook: DefinitionData) -> _ChoicesSheet:
        header = _sheet_header(workbook.choices, workbook.choices_header)
        columns = _columns(header, aliases.list_header, set(Option.get_slot_names()))
        return cls(tuple(workbook.choices or ()), columns)

    def lists(self) -> set[str]:
        list_columns = [name for name, tokens in self.columns.items() if tokens == (constants.LIST_NAME_S,)]
        return {str(row[name]).strip() for row in self.rows for name in list_columns if row.get(name)}

    def filter_columns(self) -> set[str]:
        """Columns other than list_name, name, label and media: what a choice_filter can compare."""
        return {name for name, tokens in self.columns.items() if tokens[0] not in CHOICE_OWN_COLUMNS}

    def problems(self) -> list[str]:
        media = [name for name, tokens in self.columns.items() if tokens[0] == "media"]
        return [
            f"choices sheet, row {number}, {name} column: this column is not supported: {REFUSED_COLUMNS['media']}."
            for number, row in enumerate(self.rows, start=2)
            for name in media
            if str(row.get(name) or "").strip()
        ]


# ---------------------------------------------------------------------------------------------------------
# Notes for the person adding the form: what was read but left out


def _metadata_notes(rows: list[_Row]) -> Iterator[str]:
    for row in rows:
        if row.kind == "metadata":
            yield f"{row.where()}: '{row.type}' (a metadata field) is not collected by coprod and was left out."


def _column_notes(rows: list[_Row]) -> Iterator[str]:
    seen: set[str] = set()
    for row in rows:
        for column in row.values:
            header = row.headers[column]
            kind = _column_kind(header, column)
            if kind in IGNORED_COLUMNS and header not in seen:
                seen.add(header)
                yield f"the {header} column is ignored: {IGNORED_COLUMNS[kind]}."


def _settings_notes(workbook: DefinitionData) -> Iterator[str]:
    header = _sheet_header(workbook.settings, workbook.settings_header)
    columns = _columns(header, aliases.settings_header, USED_SETTINGS)
    first_row = (workbook.settings or [{}])[0]
    for name, tokens in columns.items():
        if tokens[0] not in USED_SETTINGS and str(first_row.get(name) or "").strip():
            yield f"settings sheet: the {name} setting is ignored: {SETTINGS_NOTE}."


# ---------------------------------------------------------------------------------------------------------
# Parsing with pyxform, then mapping its tree onto the form model


def _parse(workbook: DefinitionData, rows: list[_Row], fallback_name: str) -> dict[str, Any]:
    """pyxform's tree of the form, parsed without the columns coprod ignores and the rows it does not collect."""
    used = {
        row.headers[column]
        for row in rows
        for column in row.values
        if _column_kind(row.headers[column], column) == "used"
    }
    skipped = {row.number for row in rows if row.kind == "metadata"}
    survey = [
        {} if number in skipped else {name: value for name, value in raw.items() if name in used}
        for number, raw in enumerate(workbook.survey or (), start=2)
    ]
    header = [{name: None for name in _sheet_header(workbook.survey, workbook.survey_header) if name in used}]
    cleaned = dataclasses.replace(workbook, survey=survey, survey_header=header)
    return workbook_to_json(cleaned, fallback_form_name=fallback_name, warnings=[])


def _rows_by_name(rows: list[_Row]) -> dict[str, int]:
    """Question name -> spreadsheet row. A note without a name gets the name pyxform gives it."""
    by_name = {}
    for row in rows:
        if row.kind in SIMPLE_TYPES or row.kind in ("select_one", "select_multiple", "begin group", "begin repeat"):
            by_name[row.name or f"generated_note_name_{row.number}"] = row.number
    return by_name


def _form(parsed: Mapping[str, Any], rows_by_name: Mapping[str, int], ignored: tuple[str, ...]) -> FormDefinition:
    texts_language = str(parsed.get(constants.DEFAULT_LANGUAGE_KEY) or DEFAULT_LANGUAGE)
    questions = tuple(_questions(parsed.get("children", ()), rows_by_name, texts_language))
    choices = {
        str(list_name): tuple(_choice(item, texts_language) for item in items)
        for list_name, items in parsed.get("choices", {}).items()
    }
    languages = _languages(questions, choices) or (texts_language,)
    return FormDefinition(
        title=str(parsed.get("title") or parsed.get("id_string")),
        form_id=str(parsed.get("id_string")),
        form_version=str(parsed.get("version") or ""),
        languages=languages,
        default_language=_default_language(texts_language, languages),
        questions=questions,
        choices=choices,
        ignored=ignored,
    )


def _default_language(texts_language: str, languages: tuple[str, ...]) -> str:
    """The settings sheet's default_language; else "default" when some text has no ::language; else the first."""
    if texts_language != DEFAULT_LANGUAGE or DEFAULT_LANGUAGE in languages:
        return texts_language
    return languages[0]


def _questions(
    elements: Iterable[Mapping[str, Any]], rows_by_name: Mapping[str, int], language: str
) -> Iterator[Question]:
    """Questions in sheet order; what pyxform adds itself (the meta group, instanceID) has no row and is left out."""
    for element in elements:
        name = str(element.get("name", ""))
        if name in rows_by_name:
            yield _question(element, rows_by_name, language)


def _question(element: Mapping[str, Any], rows_by_name: Mapping[str, int], language: str) -> Question:
    kind = PYXFORM_TYPES.get(element["type"], element["type"])
    bind = element.get("bind", {})
    return Question(
        name=str(element["name"]),
        type=kind,
        row=rows_by_name[element["name"]],
        labels=_texts(element.get("label"), language),
        hints=_texts(element.get("hint"), language),
        list_name=(element.get("list_name") or element.get("itemset")) if kind in PYXFORM_TYPES.values() else None,
        required=_required(bind.get("required", "")),
        required_messages=_texts(bind.get("jr:requiredMsg"), language),
        constraint=bind.get("constraint", ""),
        constraint_messages=_texts(bind.get("jr:constraintMsg"), language),
        relevant=bind.get("relevant", ""),
        calculation=bind.get("calculate", ""),
        default=str(element.get("default", "")),
        read_only=bool(aliases.yes_no.get(bind.get("readonly", ""), False)),
        choice_filter=element.get("choice_filter", ""),
        parameters=_range_parameters(element) if kind == "range" else {},
        children=tuple(_questions(element.get("children", ()), rows_by_name, language)),
    )


def _required(text: str) -> str:
    """yes / true / true() -> "true()"; no / false / false() -> "" (not required); an expression as written."""
    if text in aliases.yes_no:
        return "true()" if aliases.yes_no[text] else ""
    return text


def _range_parameters(element: Mapping[str, Any]) -> dict[str, float]:
    given = element.get("parameters", {})
    return {key: float(given.get(key, default)) for key, default in RANGE_DEFAULTS.items()}


def _texts(value: Any, language: str) -> dict[str, str]:
    """pyxform gives one text as a string (in the default language) and translations as a dict by language."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(key): str(text) for key, text in value.items() if text}
    return {language: str(value)}


def _choice(item: Mapping[str, Any], language: str) -> Choice:
    filters = {
        str(key): str(value)
        for key, value in item.items()
        if key not in CHOICE_OWN_COLUMNS and not str(key).startswith("_")
    }
    return Choice(name=str(item["name"]), labels=_texts(item.get("label"), language), filters=filters)


def _languages(questions: tuple[Question, ...], choices: Mapping[str, tuple[Choice, ...]]) -> tuple[str, ...]:
    """Every language a text is written in, in the order they first appear."""
    seen: dict[str, None] = {}
    for question in _every(questions):
        for texts in (question.labels, question.hints, question.required_messages, question.constraint_messages):
            seen.update(dict.fromkeys(texts))
    for items in choices.values():
        for choice in items:
            seen.update(dict.fromkeys(choice.labels))
    return tuple(seen)


def _every(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from _every(question.children)
