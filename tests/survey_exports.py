"""Writers of survey export files in each tool's own layout, for tests/test_survey_read.py.

Every export holds the same three people: Zoë (answers everything, including the awkward free text and
a select-multiple), Łukasz (answers most things) and a third, partial response. Between them sit an
entirely empty row and one row that cannot be read. CSV files carry a UTF-8 BOM and Windows line endings
where the tool's exports do; each function returns the path it wrote.
"""

from __future__ import annotations

import csv
import datetime
import pathlib

from openpyxl import Workbook

FREE_TEXT = 'Good, mostly.\nStaff listened, "really" <script>alert(1)</script> – thanks'
ZOE, ZOE_EMAIL = "Zoë Ní Bhriain", "zoe@example.org"
LUKASZ, LUKASZ_EMAIL = "Łukasz Nowak", "lukasz@example.org"
MONDAY, TUESDAY = datetime.datetime(2024, 3, 5, 10, 15, 32), datetime.datetime(2024, 3, 6, 14, 5)
EMPTY: list[object] = []


def write_csv(path: pathlib.Path, rows: list[list[object]], delimiter: str = ",", bom: bool = True) -> pathlib.Path:
    """CSV with Windows line endings, optionally behind a UTF-8 BOM (as Excel and most tools write it)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def write_xlsx(path: pathlib.Path, rows: list[list[object]], sheet: str = "Sheet1") -> pathlib.Path:
    """One worksheet, values typed as the tool types them (numbers, dates, booleans)."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row or [None])
    workbook.save(path)
    return path


def kobo(folder: pathlib.Path, kind: str) -> pathlib.Path:
    """Kobo: `;`-separated CSV with the select-multiple both as one space-separated column and as 1/0 option
    columns; the XLSX has only the option columns, holding True/False. The partial response is mostly blank."""
    options = ["help/kinds/leaflets", "help/kinds/phone_call", "help/kinds/home_visit"]
    main = ["help/kinds"] if kind == "csv" else []
    header = ["start", "end", "about/full_name", "about/email", "feedback/rating", "feedback/comments"]
    header += main + options + ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status"]
    header += ["_submitted_by", "__version__", "_tags", "_index"]
    yes, no = (1, 0) if kind == "csv" else (True, False)

    def row(name, email, rating, comments, kinds, ticks, number, uuid, submitted):
        cells = ["2024-03-05T10:01:00.000+00:00", "2024-03-05T10:15:00.000+00:00", name, email, rating, comments]
        cells += ([kinds] if main else []) + ticks
        return cells + [number, uuid, submitted, "", "", "submitted_via_web", "", "vGq3", "", number]

    rows = [
        header,
        row(
            ZOE, ZOE_EMAIL, 4, FREE_TEXT, "leaflets phone_call", [yes, yes, no], 101, "uuid-zoe", "2024-03-05T10:15:32"
        ),
        EMPTY,
        row(LUKASZ, LUKASZ_EMAIL, 5, "Fine", "home_visit", [no, no, yes], 102, "uuid-lukasz", "2024-03-06T14:05:00"),
        ["2024-03-06T15:00:00", "", "Nobody"] + ([] if kind == "csv" else [""] * (len(header) - 3) + ["beyond"]),
        row("", "", 2, "", "", [None, None, None], 103, "uuid-partial", "2024-03-07T09:00:00"),
    ]
    if kind == "csv":
        return write_csv(folder / "kobo.csv", rows, delimiter=";")
    return write_xlsx(folder / "kobo.xlsx", rows, sheet="Feedback")


def redcap(folder: pathlib.Path, kind: str) -> pathlib.Path:
    """REDCap raw (variable names, checkbox `help___1` 0/1, `feedback_complete` 0/1/2) or labels
    (field labels, `(choice=Leaflets)` Checked/Unchecked, `Complete?` Incomplete/Complete)."""
    question = "Which kinds of help did you use?"
    choices = [("1", "Leaflets"), ("2", "Phone call"), ("3", "Home visit")]
    if kind == "raw":
        header = ["record_id", "redcap_survey_identifier", "feedback_timestamp", "name", "email"]
        header += [f"help___{code}" for code, _ in choices] + ["comments", "rating", "feedback_complete"]
        ticks, states = ("1", "0"), {"done": "2", "partial": "0"}
    else:
        header = ["Record ID", "Survey Identifier", "Survey Timestamp", "Name", "Email"]
        header += [f"{question} (choice={label})" for _, label in choices] + ["Comments", "Rating", "Complete?"]
        ticks, states = ("Checked", "Unchecked"), {"done": "Complete", "partial": "Incomplete"}
    yes, no = ticks
    rows = [
        header,
        ["1", "", "2024-03-05 10:15:32", ZOE, ZOE_EMAIL, yes, yes, no, FREE_TEXT, "4", states["done"]],
        EMPTY,
        ["2", "", "2024-03-06 14:05:00", LUKASZ, LUKASZ_EMAIL, no, no, yes, "Fine", "5", states["done"]],
        ["9", "", "2024-03-06 15:00:00", "Too", "many", no, no, no, "", "1", states["done"], "extra", "cells"],
        ["3", "", "[not completed]", "", "", no, no, no, "", "2", states["partial"]],
    ]
    return write_csv(folder / f"redcap_{kind}.csv", rows, bom=kind == "labels")


def msforms(folder: pathlib.Path, kind: str = "xlsx") -> pathlib.Path:
    """Microsoft Forms XLSX: Id, times as dates, Email ("anonymous" when not asked), Name; multiple choice
    as "A;B;". The unreadable row has a value beyond the header's last column."""
    header = ["Id", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    header += ["Which kinds of help did you use?", "What went well, and what could be better?", "Rating"]
    started = datetime.datetime(2024, 3, 5, 10, 1)
    rows = [
        header,
        [1, started, MONDAY, ZOE_EMAIL, ZOE, None, "Leaflets;Phone call;", FREE_TEXT, 4],
        EMPTY,
        [2, started, TUESDAY, "anonymous", None, None, "Home visit;", "Fine", 5],
        [9, started, TUESDAY, "anonymous", None, None, "Leaflets;", "Shifted", 3, "beyond"],
        [3, started, datetime.datetime(2024, 3, 7, 9, 0), LUKASZ_EMAIL, LUKASZ, None, None, None, 2],
    ]
    return write_xlsx(folder / "msforms.xlsx", rows)


def googleforms(folder: pathlib.Path, kind: str = "csv") -> pathlib.Path:
    """Google Forms CSV: Timestamp (two formats), Email address, checkbox answers joined by ", ", a header
    holding a comma. The empty row is a row of empty cells, not a bare line."""
    header = ["Timestamp", "Email address", "Your name", "How did you hear about us?"]
    header += ["What went well, and what could be better?", "Rating"]
    rows = [
        header,
        ["2024/03/05 10:15:32 am GMT", ZOE_EMAIL, ZOE, "Leaflets, Website", FREE_TEXT, "4"],
        ["", "", "", "", "", ""],
        ["2024/03/06 2:05:00 pm GMT", LUKASZ_EMAIL, LUKASZ, "Website", "Fine", "5"],
        ["2024/03/06 3:00:00 pm GMT", "", "", "Website", "Fine", "5", "extra"],
        ["07/03/2024 09:00:00", "", "", "Leaflets, Talking to staff", "", "2"],
    ]
    return write_csv(folder / "google_forms.csv", rows)


def surveymonkey(folder: pathlib.Path, kind: str) -> pathlib.Path:
    """SurveyMonkey: two header rows; a multiple-answer question with an "Other (please specify)" column, a
    single-answer question with one too. The partial response has no End Date."""
    first = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address"]
    first += ["First Name", "Last Name", "Custom Data 1", "Which kinds of help did you use?", "", "", ""]
    first += ["What went well, and what could be better?", "How would you rate it?", ""]
    second = [""] * 9 + ["Leaflets", "Phone call", "Home visit", "Other (please specify)"]
    second += ["Open-Ended Response", "Response", "Other (please specify)"]
    if kind == "csv":
        monday, tuesday, start = "03/05/2024 10:15:32 AM", "03/06/2024 02:05:00 PM", "03/05/2024 10:01:00 AM"
    else:
        monday, tuesday, start = MONDAY, TUESDAY, datetime.datetime(2024, 3, 5, 10, 1)
    who = ["198.51.100.7", ZOE_EMAIL, "Zoë", "Ní Bhriain", ""]
    rows = [
        first,
        second,
        ["11801", "2001", start, monday] + who + ["Leaflets", "Phone call", "", "", FREE_TEXT, "4", ""],
        EMPTY,
        ["11802", "2001", start, tuesday, "198.51.100.8", LUKASZ_EMAIL, "Łukasz", "Nowak", ""]
        + ["", "", "Home visit", "A friend rang me", "Fine", "", "Five, really"],
        ["11809", "2001", start] if kind == "csv" else ["11809", "2001", start, monday] + who + [""] * 7 + ["beyond"],
        ["11803", "2001", start, "", "198.51.100.9", "", "", "", "", "Leaflets", "", "", "", "", "", ""],
    ]
    if kind == "csv":
        return write_csv(folder / "surveymonkey.csv", rows)
    return write_xlsx(folder / "surveymonkey.xlsx", rows)


WRITERS = {"kobo": kobo, "redcap": redcap, "msforms": msforms, "googleforms": googleforms, "surveymonkey": surveymonkey}
