"""What travels with the data: where it came from, how it was made, and what de-identification does and does not do.

Written as ``README.txt`` beside CSV files and as the ``about`` sheet of a workbook.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

SHEET = "about"
README = "README.txt"
HEADINGS = ["Item", "Details"]

DEIDENTIFIED = (
    "Partners' names are replaced by pseudonyms such as P-7KQ2M4XD, made with a secret key kept in the store: "
    "the same partner has the same pseudonym in every de-identified export of this store, and a pseudonym "
    "cannot be turned back into a partner without the store. The partner table's id column and every column that "
    "refers to a partner hold the pseudonym, so the files still join. Free-text columns (activity titles, "
    "statements, comments, organisations, who changed, who collects evidence and the like) are left out, and so "
    "are written answers to the sites' own questions (the answers table keeps numbers, dates and choices). "
    "In the counts_ tables, counts below {min_count} are shown as <{min_count}, and there are no totals. "
    "Survey answers are only counted (survey_answers has no rows), and counts_survey writes its hidden counts "
    "as hidden: see Surveys."
)
NOT_DONE = (
    "De-identification is not anonymisation. Dates (joining, leaving, activities, answers), role groups, site "
    "names and patterns of attendance remain, and at a small site they can be enough for someone who knows the "
    "site to recognise a person. Record-level files are not suppressed, only the counts tables. Treat this "
    "export as personal data: share it under an agreement, and check it before publishing anything from it."
)
TEXT_KEPT = (
    "Free text was kept (keep-text): it may name people or describe them well enough to identify them. "
    "Read it before sharing."
)
NOT_DEIDENTIFIED = (
    "This export is not de-identified: it holds partners' names and all free text. Treat it as personal data."
)
NEUTRALISED = (
    "Text that starts with =, +, -, @, a tab or a carriage return (which spreadsheets would run as a formula), "
    "or with ', is written with one ' in front. To get the value back, remove exactly one ' from the start of "
    "any cell that starts with ' (coprod's read_export does this)."
)


def about_rows(
    *,
    generated: str,
    source: str,
    version: str,
    options: Mapping[str, object],
    rows: Mapping[str, int],
    file_names: Mapping[str, str],
    hidden: Mapping[str, int],
) -> list[list[str]]:
    """(item, details) pairs describing one export."""
    deidentified, labels = options["deidentify"], options["labels"]
    csv = options["format"] == "csv"
    min_count = options["min_count"]
    about = [
        ["Export of", "a coprod store: records of co-production in health and social care"],
        ["Generated", generated],
        ["From", source],
        ["coprod version", version],
        ["Format", "CSV files (UTF-8), one per table" if csv else "an xlsx workbook, one sheet per table"],
        ["Sites", f"only {options['site']}" if options["site"] else "all sites"],
        ["Choices", "written as labels; column headings are the field titles" if labels else "written as codes"],
        ["De-identified", f"yes, counts below {min_count} hidden" if deidentified else "no"],
        ["Free text", "kept" if not deidentified or options["keep_text"] else "left out"],
        ["Options", _options_line(options)],
    ]
    about.append(["", ""])
    for name, count in rows.items():
        extra = f", {hidden[name]} count(s) hidden" if hidden.get(name) else ""
        about.append([file_names[name], f"{count} row(s){extra}"])
    about += [
        ["", ""],
        [
            "Data dictionary",
            f"{file_names['data_dictionary']}: one row per column of every table, laid out like a REDCap data "
            "dictionary: the variable (field) name, the table (form) it is in, the column heading used in this "
            "export, the field type, its label, the allowed values as 'code, Label | code, Label', validation, "
            "whether it may identify someone, whether it is required, and a note.",
        ],
        [
            "Record numbers",
            "Every record has a number (id). Columns ending in _id hold the number of a record in another table; "
            "lists of record numbers are written as 3;5;9.",
        ],
        ["Dates", "written as YYYY-MM-DD" if csv else "real dates, shown as YYYY-MM-DD"],
        [
            "Counts",
            "The counts_ tables count records per site and group; combinations with no records are left out "
            "(counts_survey lists every answer on a question's scale, 0 included).",
        ],
        [
            "Answers",
            f"{file_names['answers']}: one row per answer to the sites' own questions, taken from question_response "
            "(each set of answers, as JSON) and labelled from question_set. Choices are written as "
            f"{'their labels' if labels else 'their names (codes)'}, several choices separated by '; '. The data "
            "dictionary has a row per question of each question set version (table answers): its label, type "
            "and choices. read_export does not read this table back: it is derived from those two.",
        ],
        ["Surveys", _surveys_text(file_names, deidentified, min_count)],
        ["Cells that look like formulas", NEUTRALISED],
        ["Access codes", "Sites' access codes (and their hashes) are never exported."],
    ]
    about.append(["", ""])
    if deidentified:
        about.append(["What de-identification does", DEIDENTIFIED.format(min_count=min_count)])
        if options["keep_text"]:
            about.append(["Free text kept", TEXT_KEPT])
        about.append(["What it does not do", NOT_DONE])
    else:
        about.append(["Not de-identified", NOT_DEIDENTIFIED])
    return about


def _surveys_text(file_names: Mapping[str, str], deidentified: bool, min_count: int) -> str:
    """What the survey tables hold; in a de-identified export, why survey_answers has no rows."""
    answers, counts = file_names["survey_answers"], file_names["counts_survey"]
    text = (
        f"{answers}: one row per answer to the questions each survey's mapping keeps (surveys run in other tools "
        "and imported), with the learning point, indicator and score its mapping gives. "
        f"{counts}: those answers counted per site, survey, question, respondent role group and answer, answers "
        "off the scale (Don't know and the like) counted together. The data dictionary has a row per mapped "
        "question of each survey (table survey_answers): its learning point and its scale, as answer = score. "
        "read_export does not read these two tables back: they are derived from survey and survey_response."
    )
    if deidentified:
        text += (
            f" In this de-identified export {answers} has its columns and no rows: one row per answer would let "
            f"anyone count the small groups that {counts} hides, so use {counts}. There, counts from 1 to "
            f"{min_count - 1} are written hidden, and so is one more count of the same group wherever a hidden one "
            "could otherwise be worked out (it may be larger: both are written alike); a group of fewer than "
            f"{min_count} answers is hidden whole, and a survey whose mapping sets a higher threshold uses that."
        )
    return text


def _options_line(options: Mapping[str, object]) -> str:
    parts = [f"format {options['format']}"]
    parts += [name.replace("_", " ") for name in ("labels", "deidentify", "keep_text") if options[name]]
    if options["site"]:
        parts.append(f"site {options['site']}")
    if options["deidentify"]:
        parts.append(f"min count {options['min_count']}")
    return "; ".join(parts)


def readme_text(rows: list[list[str]]) -> str:
    """The about rows as a plain-text file, wrapped for reading in any editor."""
    lines = ["About this export", "=================", ""]
    for item, details in rows:
        if not item:
            lines.append("")
            continue
        lines += textwrap.wrap(f"{item}: {details}", width=100, subsequent_indent="    ", break_on_hyphens=False)
    return "\n".join(lines) + "\n"
