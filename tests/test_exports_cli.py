"""``coprod export``, run for real in a subprocess against the demo store."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from coprod_widgets.exports import read_export
from coprod_widgets.exports.counts import COUNT_TABLES
from coprod_widgets.records import RECORD_TYPES
from coprod_widgets.store import Store
from tests.test_cli import ok, run
from tests.test_exports import OWN_ANSWERS, OWN_CHOSEN_ANSWERS, shared_answers

OPTIONS = ["--out", "--format", "--labels", "--deidentify", "--keep-text", "--site", "--min-count"]


@pytest.fixture
def home(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture(scope="module")
def stored_counts(demo_db_url) -> dict[str, int]:
    store = Store.open(demo_db_url)
    try:
        return {kind: len(store.records(kind)) for kind in RECORD_TYPES}
    finally:
        store.close()


def test_help_describes_every_option(home):
    out = ok(run(home, "export", "--help"))
    assert all(option in out for option in OPTIONS)


def test_csv_export_lists_what_it_wrote(home, tmp_path, demo_db_url, stored_counts):
    folder = tmp_path / "exports" / "june"
    out = ok(run(home, "export", "--out", str(folder), db=demo_db_url))
    assert f"to {folder} (csv, codes):" in out
    for kind, count in stored_counts.items():
        assert f"  {kind}.csv " in out and f" {count} row(s)" in out
    assert "data_dictionary.csv" in out and "README.txt" in out
    store = Store.open(demo_db_url)
    try:
        answers = OWN_ANSWERS + shared_answers(store)
    finally:
        store.close()
    assert "  answers.csv " in out and f" {answers} row(s)" in out
    back = read_export(folder)
    assert {kind: len(rows) for kind, rows in back.items()} == stored_counts, "every record type, not answers"
    assert {path.name for path in folder.iterdir()} >= {f"{name}.csv" for name in COUNT_TABLES}


def test_xlsx_export_to_a_folder_or_a_named_file(home, tmp_path, demo_db_url, stored_counts):
    ok(run(home, "export", "--format", "xlsx", "--out", str(tmp_path / "wb"), db=demo_db_url))
    workbook = tmp_path / "wb" / "coprod-export.xlsx"
    assert {kind: len(rows) for kind, rows in read_export(workbook).items()} == stored_counts

    named = tmp_path / "saltmere.xlsx"
    out = ok(
        run(
            home,
            "export",
            "--format",
            "XLSX",
            "--out",
            str(named),
            "--labels",
            "--deidentify",
            "--min-count",
            "3",
            "--site",
            "saltmere",
            db=demo_db_url,
        )
    )
    assert "(xlsx, labels, de-identified, site Saltmere)" in out
    sheets = openpyxl.load_workbook(named, read_only=True)
    assert sheets.sheetnames[:2] == ["about", "data dictionary"]
    about = {row[0]: row[1] for row in sheets["about"].iter_rows(values_only=True) if row[0]}
    assert about["Options"] == "format xlsx; labels; deidentify; site Saltmere; min count 3"
    assert [row["name"] for row in read_export(named)["site"]] == ["Saltmere"]


def test_keep_text_with_deidentify(home, tmp_path, demo_db_url):
    ok(run(home, "export", "--out", str(tmp_path / "x"), "--deidentify", "--keep-text", db=demo_db_url))
    assert "title" in read_export(tmp_path / "x")["activity"][0]
    assert "Free text kept" in (tmp_path / "x" / "README.txt").read_text(encoding="utf-8")


def test_answers_sheet_with_labels_and_de_identified(home, tmp_path, demo_db_url):
    """The answers sheet: choices as labels with --labels; with --deidentify no written answers (nor names)."""
    named = tmp_path / "answers.xlsx"
    ok(run(home, "export", "--format", "xlsx", "--out", str(named), "--labels", "--deidentify", db=demo_db_url))
    workbook = openpyxl.load_workbook(named, read_only=True)
    heading, *rows = [list(row) for row in workbook["answers"].iter_rows(values_only=True)]
    answers = [dict(zip(heading, row, strict=True)) for row in rows]
    store = Store.open(demo_db_url)
    try:
        chosen = OWN_CHOSEN_ANSWERS + shared_answers(store, written=False)
    finally:
        store.close()
    assert len(answers) == chosen and {row["Question type"] for row in answers} >= {"select_one", "select_multiple"}
    assert "text" not in {row["Question type"] for row in answers}
    assert "Medicine not stocked on the ward" in {row["Answer"] for row in answers}
    dictionary = [list(row) for row in workbook["data dictionary"].iter_rows(values_only=True)]
    questions = [row for row in dictionary if row[1] == "answers" and row[2] == "Answer" and row[0] != "value"]
    assert len(questions) == 13 + 12 + 11  # the demo's own sets, the self-assessment, the 4Pi reflection
    assert {"What helped most?", "Survey wave"} <= {row[4] for row in questions}
    store = Store.open(demo_db_url)
    try:
        written = [r.answers.get("what_helped") for r in store.records("question_response")]
        names = [partner.display_name for partner in store.records("partner")]
    finally:
        store.close()
    cells = {str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    assert not {text for text in written if text} & cells and not set(names) & cells


BAD_ARGUMENTS = [
    # (id, arguments after "export", words expected in the one-line message)
    ("unknown site", ["--out", "{out}", "--site", "Nowhere"], "--site: there is no site called 'Nowhere'. The sites"),
    ("min count zero", ["--out", "{out}", "--deidentify", "--min-count", "0"], "--min-count must be a whole number"),
    ("min count not a number", ["--out", "{out}", "--deidentify", "--min-count", "many"], "(it was 'many')"),
    ("min count alone", ["--out", "{out}", "--min-count", "3"], "--min-count only applies to a de-identified"),
    ("keep text alone", ["--out", "{out}", "--keep-text"], "add --deidentify, or leave --keep-text out"),
    ("unknown format", ["--out", "{out}", "--format", "pdf"], "--format must be csv or xlsx, not 'pdf'"),
    ("out is a file", ["--out", "{file}"], "is a file, not a folder: choose a folder for the export with --out"),
    ("out under a file", ["--out", "{file}/sub"], "cannot be made there: choose another --out"),
    ("csv named .xlsx", ["--out", "{out}.xlsx"], "ends in .xlsx but the format is csv: add --format xlsx"),
    ("xlsx name is a folder", ["--out", "{folder}", "--format", "xlsx"], "is a folder: give the workbook a file name"),
    ("unwritable", ["--out", "/proc/coprod-export-test"], "Cannot write the export to /proc/coprod-export-test"),
]


@pytest.mark.parametrize(("arguments", "expected"), [c[1:] for c in BAD_ARGUMENTS], ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments_give_one_line_and_write_nothing(home, tmp_path, demo_db_url, arguments, expected):
    work = tmp_path / "work"
    work.mkdir()
    (work / "a-file.txt").write_text("not a folder")
    (work / "old.xlsx").mkdir()
    before = sorted(work.rglob("*"))
    places = {"out": work / "out", "file": work / "a-file.txt", "folder": work / "old.xlsx"}
    result = run(home, "export", *[part.format(**places) for part in arguments], db=demo_db_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and expected in line, line
    assert sorted(work.rglob("*")) == before
