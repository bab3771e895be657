"""Importing a 10,000-response survey export from each tool: time and peak memory, first import and again.

Each export is written here in the tool's own layout (headers, id and time columns, separators, names and
e-mail addresses, a select-multiple, a free-text answer), then imported with ``coprod import-survey FILE
--site NAME --mapping FILE`` as its own process, as an evaluator runs it; the second run of the same file
adds nothing (every response is already held), which is the cost of a later export repeating earlier ones.
The imports go into a store of their own, so the other benchmarks' stores are not changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from coprod_widgets.store import Store

from .common import mb, table, timed

RESPONSES = 10_000
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
OFTEN = ["Never", "Rarely", "Sometimes", "Often", "Always"]
ROLES = ["Carer", "Nurse", "Patient", "Manager"]
COMMENT = 'Good, mostly.\nStaff listened, "really" <b>thanks</b>'
START = dt.datetime(2024, 3, 1, 9, 0)


def _answers(n: int) -> tuple[str, str, str]:
    return AGREE[n % 5], OFTEN[(n * 3) % 5], ROLES[n % 4]


def _when(n: int) -> dt.datetime:
    return START + dt.timedelta(minutes=7 * n)


def _csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def kobo(folder: Path) -> tuple[Path, dict[str, str]]:
    header = ["start", "end", "about/full_name", "about/email", "about/role", "views/listened", "views/came"]
    header += ["views/comments", "help/kinds", "help/kinds/leaflets", "help/kinds/phone_call", "_id", "_uuid"]
    header += ["_submission_time", "_index"]
    rows: list[list[object]] = [header]
    for n in range(RESPONSES):
        agree, often, role = _answers(n)
        when = _when(n).isoformat()
        rows.append([when, when, f"Person {n}", f"p{n}@example.org", role, agree, often, COMMENT,
                     "leaflets phone_call", 1, 1, n, f"uuid-{n}", when, n])  # fmt: skip
    questions = {"listened": "views/listened", "came": "views/came", "role": "about/role"}
    return _csv(folder / "kobo.csv", rows, delimiter=";"), questions


def redcap(folder: Path) -> tuple[Path, dict[str, str]]:
    header = ["Record ID", "Survey Timestamp", "Name", "Email", "Role", "I was listened to", "How often I came"]
    header += ["Comments", "Help (choice=Leaflets)", "Help (choice=Phone call)", "Complete?"]
    rows: list[list[object]] = [header]
    for n in range(RESPONSES):
        agree, often, role = _answers(n)
        rows.append([str(n + 1), f"{_when(n):%Y-%m-%d %H:%M:%S}", f"Person {n}", f"p{n}@example.org", role, agree,
                     often, COMMENT, "Checked", "Unchecked", "Complete"])  # fmt: skip
    questions = {"listened": "I was listened to", "came": "How often I came", "role": "Role"}
    return _csv(folder / "redcap_labels.csv", rows), questions


def msforms(folder: Path) -> tuple[Path, dict[str, str]]:
    header = ["Id", "Start time", "Completion time", "Email", "Name", "Last modified time", "Role"]
    header += ["I was listened to", "How often I came", "Which kinds of help did you use?", "Comments"]
    rows: list[list[object]] = [header]
    for n in range(RESPONSES):
        agree, often, role = _answers(n)
        rows.append([n + 1, _when(n), _when(n), f"p{n}@example.org", f"Person {n}", None, role, agree, often,
                     "Leaflets;Phone call;", COMMENT])  # fmt: skip
    questions = {"listened": "I was listened to", "came": "How often I came", "role": "Role"}
    return _xlsx(folder / "msforms.xlsx", rows), questions


def googleforms(folder: Path) -> tuple[Path, dict[str, str]]:
    header = ["Timestamp", "Email address", "Your name", "Role", "I was listened to", "How often I came"]
    header += ["How did you hear about us?", "Comments"]
    rows: list[list[object]] = [header]
    for n in range(RESPONSES):
        agree, often, role = _answers(n)
        rows.append([f"{_when(n):%Y/%m/%d %I:%M:%S %p} GMT", f"p{n}@example.org", f"Person {n}", role, agree, often,
                     "Leaflets, Website", COMMENT])  # fmt: skip
    questions = {"listened": "I was listened to", "came": "How often I came", "role": "Role"}
    return _csv(folder / "google_forms.csv", rows), questions


def surveymonkey(folder: Path) -> tuple[Path, dict[str, str]]:
    first = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name"]
    first += ["Last Name", "Custom Data 1", "Role", "I was listened to", "How often I came", "Help", "", "Comments"]
    second = [""] * 9 + ["Response", "Response", "Response", "Leaflets", "Phone call", "Open-Ended Response"]
    rows: list[list[object]] = [first, second]
    for n in range(RESPONSES):
        agree, often, role = _answers(n)
        when = f"{_when(n):%m/%d/%Y %I:%M:%S %p}"
        rows.append([str(11800 + n), "2001", when, when, "198.51.100.7", f"p{n}@example.org", "Person", str(n), "",
                     role, agree, often, "Leaflets", "", COMMENT])  # fmt: skip
    questions = {"listened": "I was listened to", "came": "How often I came", "role": "Role"}
    return _csv(folder / "surveymonkey.csv", rows), questions


EXPORTS: dict[str, Callable[[Path], tuple[Path, dict[str, str]]]] = {
    "KoboToolbox (CSV, ;)": kobo,
    "REDCap (labels CSV)": redcap,
    "Microsoft Forms (XLSX)": msforms,
    "Google Forms (CSV)": googleforms,
    "SurveyMonkey (CSV, two header rows)": surveymonkey,
}


def _mapping(name: str, questions: dict[str, str]) -> dict:
    def scored(question: str, scale: list[str]) -> dict:
        return {"question": question, "learning_point": "lp2", "scores": {a: n for n, a in enumerate(scale, 1)}}

    return {
        "survey": name,
        "role_column": questions["role"],
        "roles": {"Carer": "carer", "Nurse": "clinician", "Patient": "lived_experience", "Manager": "manager"},
        "questions": [scored(questions["listened"], AGREE), scored(questions["came"], OFTEN)],
    }


def _store(folder: Path) -> str:
    url = f"sqlite:///{folder / 'surveys.db'}"
    store = Store.open(url)
    try:
        programme = store.add("programme", {"name": "Survey benchmark"}, "bench")
        store.add("site", {"programme_id": programme.id, "name": "North", "service_issue": "Foot care",
                           "start_date": "2024-01-01"}, "bench")  # fmt: skip
    finally:
        store.close()
    return url


def run(folder: Path) -> str:
    """Each tool's export imported twice into a store of its own. Returns the markdown section."""
    url = _store(folder)
    rows = []
    for tool, write in EXPORTS.items():
        path, questions = write(folder)
        mapping = folder / f"{path.stem}.mapping.yaml"
        mapping.write_text(yaml.safe_dump(_mapping(tool, questions), allow_unicode=True), encoding="utf-8")
        command = [sys.executable, "-m", "coprod_widgets.cli", "--db", url, "import-survey", str(path),
                   "--site", "North", "--mapping", str(mapping)]  # fmt: skip
        first, first_peak = timed(command, dict(os.environ))
        again, again_peak = timed(command, dict(os.environ))
        store = Store.open(url)
        try:
            survey = next(s for s in store.records("survey") if s.name == tool)
            held = sum(response.survey_id == survey.id for response in store.records("survey_response"))
        finally:
            store.close()
        rows.append([tool, mb(path.stat().st_size), held, f"{first:.1f} s", mb(first_peak), f"{again:.1f} s",
                     mb(again_peak)])  # fmt: skip
        print(f"survey {tool}: {held} held, {first:.1f} s, peak {mb(first_peak)}; again {again:.1f} s", flush=True)
    headings = ["export", "file", "responses held", "import", "peak memory", "import again (0 new)", "peak memory"]
    return "\n".join(
        [
            f"## Importing a survey of {RESPONSES:,} responses",
            "",
            "`coprod import-survey FILE --site North --mapping FILE`, each run its own process (Python's start "
            "included); peak resident memory sampled every 50 ms. The second run finds every response held.",
            "",
            table(headings, rows),
        ]
    )
