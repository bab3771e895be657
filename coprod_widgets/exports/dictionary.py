"""The data dictionary: one row per exported column, laid out like a REDCap data dictionary.

The ``answers`` table also has one row per question of each question set version (see :mod:`.answers`), so
whoever reads an answer can look up what was asked, its type and its choices.

It travels with the data (``data_dictionary.csv``, or the ``data dictionary`` sheet) so that whoever
re-uses the export knows what each column holds, and so that :func:`read_export` can turn column
headings and labels back into field names and codes.
"""

from __future__ import annotations

from .columns import ANSWERS, FIELD_TYPES, Column, Table

#: REDCap's own headings where REDCap has the column, in REDCap's order; "Column Heading" is ours.
HEADINGS = (
    "Variable / Field Name",
    "Form Name",
    "Column Heading",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Required Field?",
    "Field Note",
)
FIELD, FORM, HEADING, TYPE, LABEL, CHOICES, VALIDATION, MINIMUM, MAXIMUM, IDENTIFIER, REQUIRED, NOTE = HEADINGS

FILE_STEM = "data_dictionary"
SHEET = "data dictionary"

_VALIDATION = {"integer": "integer", "record number": "integer", "count": "integer", "date": "date_ymd"}


def format_choices(choices: tuple[tuple[str, str], ...]) -> str:
    """REDCap's way of listing choices: ``code, Label | code, Label``."""
    return " | ".join(f"{code}, {label}" for code, label in choices)


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in text.split(" | ") if text.strip() else ():
        code, _, label = part.partition(", ")
        pairs.append((code.strip(), label.strip()))
    return tuple(pairs)


def dictionary_rows(tables: list[Table], labels: bool) -> list[list[object]]:
    """The dictionary's rows (without the heading row), one per column of every table, in file order."""
    return [
        [
            column.field,
            column.table,
            column.heading(labels),
            column.type,
            column.title,
            format_choices(column.choices),
            _VALIDATION.get(column.type, ""),
            "" if column.minimum is None else column.minimum,
            "" if column.maximum is None else column.maximum,
            "y" if column.identifier else "",
            "y" if column.required else "",
            column.note,
        ]
        for table in tables
        for column in table.columns
    ]


def columns_by_heading(rows: list[dict[str, object]]) -> dict[str, dict[str, Column]]:
    """Read the dictionary back: for each table, its column headings mapped to the columns they hold.

    Rows about the ``answers`` table (its columns, and one per question asked) are skipped: that table is
    derived from question_response and question_set, which are read back themselves. A survey question's row
    comes after the survey_answers columns and names the same heading (answer): the column's own row is kept.
    """
    found: dict[str, dict[str, Column]] = {}
    for number, row in enumerate(rows, start=2):
        text = {key: "" if value is None else str(value).strip() for key, value in row.items()}
        if text.get(FORM) == ANSWERS:
            continue
        missing = [heading for heading in (FIELD, FORM, HEADING, TYPE) if not text.get(heading)]
        if missing or text[TYPE] not in FIELD_TYPES:
            problem = f"no {missing[0]!r}" if missing else f"the unknown field type {text[TYPE]!r}"
            raise ValueError(f"the data dictionary's row {number} has {problem}")
        column = Column(
            table=text[FORM],
            field=text[FIELD],
            title=text.get(LABEL) or text[FIELD],
            type=text[TYPE],
            choices=parse_choices(text.get(CHOICES, "")),
            required=text.get(REQUIRED) == "y",
            note=text.get(NOTE, ""),
            minimum=int(text[MINIMUM]) if text.get(MINIMUM) else None,
            maximum=int(text[MAXIMUM]) if text.get(MAXIMUM) else None,
            identifier=text.get(IDENTIFIER) == "y",
        )
        found.setdefault(column.table, {}).setdefault(text[HEADING], column)
    return found
