"""``coprod import-transcript`` and ``coprod interviews``, run with click's runner against a real temporary store."""

from __future__ import annotations

import csv
import io
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from coprod_widgets.cli import main
from coprod_widgets.interviews import coding, qdpx
from coprod_widgets.interviews.codebook import Code, Codebook
from coprod_widgets.interviews.refi import write_qdc
from coprod_widgets.schema import history
from coprod_widgets.store import Store

WHO = "test"
NAMES = "# who was interviewed\nAnn Lee = Person 1\nBob\nZed Quill = Person 9\n"
LISTED = ("Ann Lee", "Bob", "Zed Quill")
INTERVIEW = (
    "Interviewer: How did it start?\n\nAnn Lee: Bob asked us. They listened, for once.\n\nBob: I stopped coming."
)


@pytest.fixture
def db(tmp_path) -> str:
    """A store with two sites, as coprod site add leaves it."""
    url = f"sqlite:///{tmp_path / 'coprod.db'}"
    store = Store.open(url)
    programme = store.add("programme", {"name": "Coastal programme"}, WHO)
    for name in ("North", "South"):
        data = {"programme_id": programme.id, "name": name, "service_issue": "x", "start_date": "2015-01-01"}
        store.add("site", data, WHO)
    store.close()
    return url


def cli(db: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", db, *[str(arg) for arg in args]])


def printed(result: Result) -> str:
    return result.stdout + result.stderr


def ok(result: Result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{printed(result)}"
    return result.stdout


def refused(result: Result, phrase: str) -> str:
    assert result.exit_code == 1, f"exit {result.exit_code}\n{printed(result)}"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert phrase in printed(result), printed(result)
    return printed(result)


def stored(db: str, kind: str) -> list:
    store = Store.open(db)
    try:
        return store.records(kind)
    finally:
        store.close()


def files(tmp_path: Path) -> dict[str, Path]:
    """Transcripts (one named after an interviewee), a names list, and a file that is not a transcript."""
    made = {
        "interview": tmp_path / "Ann Lee interview.txt",
        "workshop": tmp_path / "workshop.md",
        "names": tmp_path / "names.txt",
        "pdf": tmp_path / "scan.pdf",
    }
    made["interview"].write_text(INTERVIEW, encoding="utf-8")
    made["workshop"].write_text("# Workshop\n\nWe rewrote the problem.\n\nNobody knew the budget.", encoding="utf-8")
    made["names"].write_text(NAMES, encoding="utf-8")
    made["pdf"].write_bytes(b"%PDF-1.4 not a transcript")
    return made


def no_listed_name(text: str) -> None:
    for name in LISTED:
        assert not re.search(rf"\b{name}\b", text, flags=re.IGNORECASE), f"{name!r} was printed:\n{text}"


# ---- import-transcript -------------------------------------------------------------------------------------


def test_import_several_files_each_on_its_own(db, tmp_path):
    made = files(tmp_path)
    result = cli(
        db, "import-transcript", made["interview"], made["pdf"], tmp_path / "gone.txt", made["workshop"],
        "--site", "north", "--role", "Carer", "--date", "2015-03-01", "--names", made["names"],
    )  # fmt: skip
    out = refused(result, "2 transcripts imported, 2 refused.")
    no_listed_name(out)
    assert "Person 1 interview.txt: imported as 'Person 1 interview' for North" in out
    assert "3 paragraphs, 20 words, 4 names replaced." in out
    assert "1 of the 3 listed names was not found in it" in out
    assert "scan.pdf: refused, scan.pdf is a .pdf file; transcripts are read from .txt, .md or .docx." in out
    assert "gone.txt: refused, there is no such file." in out
    assert "workshop.md: imported as 'Workshop' for North - 3 paragraphs" in out
    transcripts = stored(db, "transcript")
    assert [(t.title, t.role_group.value, t.interviewed.isoformat()) for t in transcripts] == [
        ("Person 1 interview", "carer", "2015-03-01"),
        ("Workshop", "carer", "2015-03-01"),
    ]
    assert transcripts[0].paragraphs[1][1] == "Person 1: Person 2 asked us. They listened, for once."


def test_import_all_good_exits_0_and_a_second_import_is_refused(db, tmp_path):
    made = files(tmp_path)
    args = ["import-transcript", made["workshop"], "--site", "South", "--role", "mixed", "--date", "2015-04-01"]
    out = ok(cli(db, *args, "--title", "Spring workshop"))
    assert "imported as 'Spring workshop' for South" in out and "1 transcript imported, 0 refused." in out
    assert "9 words, no names list given, so no names replaced." in out
    assert stored(db, "transcript")[0].role_group is None, "mixed: several role groups"
    again = refused(cli(db, *args), "refused, Checksum of the file: this site already has a transcript")
    assert "0 transcripts imported, 1 refused." in again
    assert len(stored(db, "transcript")) == 1


#: Options refused before anything is read: (what, the arguments after the files, a phrase of the one-line error).
BAD_OPTIONS = [
    ("an unknown role", ["--role", "nurse"], "--role: 'nurse' is not one; use one of lived_experience"),
    ("a date in another form", ["--date", "12/09/2015"], "--date must be the date of the interview as YYYY-MM-DD"),
    ("a date to come", ["--date", "2999-01-01"], "--date 2999-01-01 is in the future"),
    ("an unknown site", ["--site", "East"], "There is no site called 'East'. The sites are: 'North', 'South'."),
    ("a title for two files", ["--title", "One"], "--title names one transcript"),
    ("a names list that is not there", ["--names", "missing.txt"], "There is no names list"),
]


@pytest.mark.parametrize(("case", "changes", "phrase"), BAD_OPTIONS, ids=[case[0] for case in BAD_OPTIONS])
def test_bad_options_are_refused_before_anything_is_stored(db, tmp_path, case, changes, phrase):
    made = files(tmp_path)
    options = {"--site": "North", "--role": "carer", "--date": "2015-03-01"}
    for name, value in zip(changes[::2], changes[1::2], strict=True):
        options[name] = str(tmp_path / value) if name == "--names" else value
    args = [made["interview"], made["workshop"], *[part for pair in options.items() for part in pair]]
    refused(cli(db, "import-transcript", *args), phrase)
    assert stored(db, "transcript") == []


#: Names lists that cannot be used; the error points at the line but never shows the name on it.
BAD_NAMES = [
    ("a name given two pseudonyms", "Ann Lee = Person 1\nAnn Lee = Person 2\n", "line 2 of names.txt"),
    ("a line of three values", "Ann Lee, Person 1, Zed Quill\n", "line 1 of names.txt"),
    ("a pseudonym holding a listed name", "Ann Lee = Bob Smith\nBob = Person 2\n", "a pseudonym holds one of"),
    ("no names at all", "# nothing yet\n", "lists no names"),
]


@pytest.mark.parametrize(("case", "text", "phrase"), BAD_NAMES, ids=[case[0] for case in BAD_NAMES])
def test_a_names_list_that_cannot_be_used_is_refused_without_showing_a_name(db, tmp_path, case, text, phrase):
    made = files(tmp_path)
    made["names"].write_text(text, encoding="utf-8")
    args = [made["interview"], "--site", "North", "--role", "carer", "--date", "2015-03-01", "--names", made["names"]]
    out = refused(cli(db, "import-transcript", *args), phrase)
    no_listed_name(out.replace(str(tmp_path), ""))
    assert stored(db, "transcript") == []


# ---- the codebook ------------------------------------------------------------------------------------------


def test_export_codebook_then_import_it_adds_nothing(db, tmp_path):
    store = Store.open(db)
    coding.add_code(store, "lp2-timing", "Meeting times", "When meetings were held.", parent="lp2", who=WHO)
    store.close()
    out = ok(cli(db, "interviews", "export-codebook", tmp_path / "book.qdc"))
    assert f"Wrote the codebook to {tmp_path / 'book.qdc'}: 13 codes, 8 of them at the top level." in out
    again = ok(cli(db, "interviews", "import-codebook", tmp_path / "book.qdc"))
    assert "Read 13 codes from book.qdc: added 0, passed over 13 already in the codebook." in again
    assert len(stored(db, "interview_code")) == 1


def test_import_codebook_adds_new_codes_once(db, tmp_path):
    theirs = Codebook(
        [
            Code("relationships", "Relationships", codable=False, guid="AAAAAAAA-1111-4111-8111-111111111111"),
            Code("trust", "Trust", "When trust comes up.", parent="relationships"),
            Code("lp2", "Everyone stays actively involved"),  # the shipped learning point: passed over
        ]
    )
    write_qdc(theirs, tmp_path / "theirs.qdc", origin="SomeQDA")
    out = ok(cli(db, "interviews", "import-codebook", tmp_path / "theirs.qdc"))
    assert "Read 3 codes from theirs.qdc: added 2, passed over 1 already in the codebook." in out
    assert "added 0, passed over 3" in ok(cli(db, "interviews", "import-codebook", tmp_path / "theirs.qdc"))
    assert [(c.key, c.parent, c.codable) for c in stored(db, "interview_code")] == [
        ("relationships", None, False),
        ("trust", "relationships", True),
    ]


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"PK\x03\x04 zipped", "This is a zipped file"),
        (b"<CodeBook", "is not well-formed XML"),
        (b"<Other/>", "not a REFI-QDA codebook"),
    ],
    ids=["a zip", "broken XML", "other XML"],
)
def test_import_codebook_refuses_what_is_not_a_codebook(db, tmp_path, content, phrase):
    (tmp_path / "in.qdc").write_bytes(content)
    refused(cli(db, "interviews", "import-codebook", tmp_path / "in.qdc"), phrase)
    assert stored(db, "interview_code") == []


# ---- projects, excerpts and agreement ----------------------------------------------------------------------


@pytest.fixture
def coded(db, tmp_path) -> str:
    """A carer's interview at North, imported with a names list and coded by AB and CD on its two answers; a
    workshop at South coded by CD. By hand: lp1 is applied by both to paragraph 1 and by AB alone to paragraph
    2; CD alone applies lp2 to paragraph 3; paragraph 4 gets nothing. So lp1 has a 2x2 table (1, 1, 0, 2): 75%
    agreement, chance 50%, kappa 0.50; lp2 (0, 0, 1, 3): 75%, chance 75%, kappa 0.00. lp3, used only at South
    (which only CD coded), is not judged. Overall 6 of 8 decisions agree, 75.0%; pooled kappa: chance
    0.25 x 0.25 + 0.75 x 0.75 = 0.625, so (0.75 - 0.625) / (1 - 0.625) = 0.33; two disagreements."""
    interview = tmp_path / "Ann Lee.txt"
    interview.write_text(
        "Ann Lee: We chose the problem.\n\nInterviewer: Then?\n\nAnn Lee: Bob stopped coming.\n\nBob: Later.",
        encoding="utf-8",
    )
    (tmp_path / "names.txt").write_text(NAMES, encoding="utf-8")
    args = ["--site", "North", "--role", "carer", "--date", "2015-03-01", "--names", tmp_path / "names.txt"]
    ok(cli(db, "import-transcript", interview, *args))
    workshop = tmp_path / "workshop.md"
    workshop.write_text("We rewrote the problem.\n\n=SUM(A1) said nobody.", encoding="utf-8")
    ok(cli(db, "import-transcript", workshop, "--site", "South", "--role", "mixed", "--date", "2015-04-01"))
    store = Store.open(db)
    north, south = store.records("transcript")
    coding.code_passage(store, north.id, 1, ["lp1"], "AB", memo="Ask Person 1 about the minutes.")
    coding.code_passage(store, north.id, 2, ["lp1"], "AB")
    coding.code_passage(store, north.id, 1, ["lp1"], "CD")
    coding.code_passage(store, north.id, 3, ["lp2-stopped-coming"], "CD", start_char=10, end_char=27)
    coding.code_passage(store, south.id, 2, ["lp3"], "CD")
    store.close()
    return db


def test_export_project_writes_a_private_qdpx_and_says_what_is_in_it(coded, tmp_path):
    out = ok(cli(coded, "interviews", "export-project", tmp_path / "all.qdpx"))
    assert f"Wrote the project to {tmp_path / 'all.qdpx'}: 2 transcripts, 5 coded passages, 12 codes" in out
    assert "Only you can read the file." in out
    assert stat.S_IMODE((tmp_path / "all.qdpx").stat().st_mode) == 0o600
    project = qdpx.read_qdpx(tmp_path / "all.qdpx")
    assert sorted(c.code_key for c in project.codings) == ["lp1", "lp1", "lp1", "lp2-stopped-coming", "lp3"]
    stopped = next(c for c in project.codings if c.code_key == "lp2-stopped-coming")
    assert project.text_of(stopped) == "Person 2 stopped coming"[: 27 - 10]
    with_site = ok(cli(coded, "interviews", "export-project", tmp_path / "south.qdpx", "--site", "south"))
    assert "Wrote the project at South to" in with_site and ": 1 transcript, 1 coded passage," in with_site


def test_export_project_with_nothing_to_export_says_so(db, tmp_path):
    refused(
        cli(db, "interviews", "export-project", tmp_path / "x.qdpx", "--site", "North"),
        "There are no transcripts at North to export: import them first (coprod import-transcript)",
    )
    assert not (tmp_path / "x.qdpx").exists()
    refused(cli(db, "interviews", "export-project", tmp_path / "x.qdpx", "--site", "East"), "no site called 'East'")


def _csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_export_excerpts_by_site_and_code(coded, tmp_path):
    out = ok(cli(coded, "interviews", "export-excerpts", tmp_path / "all.csv"))
    assert f"Wrote 5 excerpts to {tmp_path / 'all.csv'}. Only you can read the file." in out
    assert stat.S_IMODE((tmp_path / "all.csv").stat().st_mode) == 0o600
    rows = _csv(tmp_path / "all.csv")
    assert [(r["document"], r["site"], r["role"], r["code"], r["coder"]) for r in rows] == [
        ("Person 1", "North", "Carer", "lp1", "AB"),
        ("Person 1", "North", "Carer", "lp1", "CD"),
        ("Person 1", "North", "Carer", "lp1", "AB"),
        ("Person 1", "North", "Carer", "lp2-stopped-coming", "CD"),
        ("Workshop", "South", "Several role groups", "lp3", "CD"),
    ]
    assert rows[-1]["text"] == "'=SUM(A1) said nobody.", "a formula is written as text"
    no_listed_name((tmp_path / "all.csv").read_text(encoding="utf-8-sig"))
    lp2 = ok(cli(coded, "interviews", "export-excerpts", tmp_path / "lp2.csv", "--code", "lp2"))
    assert "Wrote 1 excerpt coded lp2 (Everyone stays actively involved) to" in lp2, "sub-codes count"
    assert [r["code"] for r in _csv(tmp_path / "lp2.csv")] == ["lp2-stopped-coming"]
    south = ok(cli(coded, "interviews", "export-excerpts", tmp_path / "s.csv", "--site", "South"))
    assert "Wrote 1 excerpt at South to" in south


def test_export_excerpts_refusals_write_nothing(coded, tmp_path):
    target = tmp_path / "x.csv"
    refused(
        cli(coded, "interviews", "export-excerpts", target, "--code", "lp9"), "There is no code 'lp9' in the codebook"
    )
    refused(
        cli(coded, "interviews", "export-excerpts", target, "--site", "South", "--code", "lp1"),
        "No passage at South is coded lp1 (The problem is identified together) yet, so there are no excerpts",
    )
    assert not target.exists()


def test_agreement_per_code_and_overall_matches_the_hand_worked_figures(coded):
    out = ok(cli(coded, "interviews", "agreement", "AB", "CD"))
    assert "AB and CD compared on 4 paragraphs of 1 transcript both coded." in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("lp")}
    assert re.search(r"lp1\s+4\s+75\.0%\s+kappa 0\.50: moderate agreement", lines["lp1"])
    assert re.search(r"lp2-stopped-coming\s+4\s+75\.0%\s+kappa 0\.00: slight agreement", lines["lp2-stopped-coming"])
    assert "lp3" not in lines, "used only at South, which only CD coded: not judged on North's paragraphs"
    assert "Overall: 75.0% agreement. Pooled kappa 0.33: fair agreement over 8 code x unit decisions" in out
    assert "1 transcript coded by only one of them was left out." in out
    assert "2 disagreements to talk over" in out
    only_north = ok(cli(coded, "interviews", "agreement", "AB", "CD", "--site", "North"))
    assert "both coded at North." in only_north and "left out" not in only_north


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["AB", "AB"], "Give two different coders to compare."),
        (["AB", "EF"], "'EF' has not coded any passage. The coders are: AB, CD."),
        (["AB", "CD", "--site", "South"], "AB and CD have not both coded any transcript at South"),
    ],
    ids=["the same coder", "an unknown coder", "nothing both coded"],
)
def test_agreement_refusals(coded, args, phrase):
    refused(cli(coded, "interviews", "agreement", *args), phrase)


def test_agreement_before_anyone_has_coded(db):
    refused(cli(db, "interviews", "agreement", "AB", "CD"), "'AB' has not coded any passage. Nobody has coded")


# ---- list and withdraw -----------------------------------------------------------------------------------------


def answering(db: str, answer: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", db, *[str(arg) for arg in args]], input=answer)


def everything(db: str) -> tuple:
    """Transcripts, codings and every history line, as stored: to show a refusal changed nothing."""
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            lines = [tuple(row) for row in conn.execute(select(history).order_by(history.c.id))]
        return store.records("transcript"), store.records("coding"), lines
    finally:
        store.close()


def test_list_shows_each_transcript_on_one_line_without_its_text(coded, db):
    out = ok(cli(coded, "interviews", "list"))
    rows = [line.split("  ") for line in out.splitlines()[2:4]]
    assert [[cell.strip() for cell in row if cell.strip()] for row in rows] == [
        ["1", "North", "Person 1", "Carer", "2015-03-01", "4", "4"],
        ["2", "South", "Workshop", "Several role groups", "2015-04-01", "2", "1"],
    ]
    header = ["number", "site", "title", "role group", "interviewed", "paragraphs", "coded passages"]
    assert [cell.strip() for cell in out.splitlines()[0].split("  ") if cell.strip()] == header
    assert out.splitlines()[-1] == "2 transcripts, 2 of them coded."
    assert "problem" not in out and "coming" not in out, "no paragraph's text"
    no_listed_name(out)
    south = ok(cli(coded, "interviews", "list", "--site", "south"))
    assert "North" not in south and "2 transcripts" not in south and "1 transcript at South, 1 of them coded." in south


def test_list_says_plainly_when_there_is_nothing_to_list_or_nothing_coded(db, tmp_path):
    assert "No transcripts yet. Import them with  coprod import-transcript" in ok(cli(db, "interviews", "list"))
    made = files(tmp_path)
    ok(cli(db, "import-transcript", made["workshop"], "--site", "South", "--role", "mixed", "--date", "2015-04-01"))
    out = ok(cli(db, "interviews", "list"))
    assert re.search(
        r"^1\s+South\s+Workshop\s+Several role groups\s+2015-04-01\s+3\s+not coded yet$", out, flags=re.MULTILINE
    ), out
    assert "1 transcript, 0 of them coded." in out
    assert "No transcripts at North yet." in ok(cli(db, "interviews", "list", "--site", "North"))
    refused(cli(db, "interviews", "list", "--site", "East"), "There is no site called 'East'. The sites are:")


def test_withdraw_refused_at_the_prompt_leaves_everything(coded):
    before = everything(coded)
    result = answering(coded, "n\n", "interviews", "withdraw", "1", "--reason", "withdrew by e-mail, 3 May")
    assert result.exit_code == 1 and "Aborted" in printed(result), printed(result)
    assert (
        "Withdraw transcript number 1 ('Person 1' at North) and its 4 coded passages, and remove their text from "
        "the whole store, history included? This cannot be undone [y/N]"
    ) in result.stdout
    assert everything(coded) == before


@pytest.mark.parametrize(
    ("answer", "options"), [("y\n", []), ("", ["--yes"])], ids=["confirmed at the prompt", "--yes"]
)
def test_withdraw_deletes_the_transcript_its_coding_and_their_text_in_the_history(coded, answer, options):
    result = answering(coded, answer, "interviews", "withdraw", "1", "--reason", "withdrew by e-mail", *options)
    out = ok(result)
    assert ("This cannot be undone" in out) == (not options)
    assert "Withdrew transcript number 1 at North and its 4 coded passages." in out
    assert re.search(
        r"  Deleted 5 rows and rewrote \d+ history lines to \"\[withdrawn\]\"; recomputed \d+ seals; logged as "
        r"history line \d+\.",
        out,
    ), out
    assert out.rstrip().endswith("Backups taken before now still hold the text: delete or replace them too.")
    transcripts, codings, lines = everything(coded)
    assert [t.site_id for t in transcripts] == [2] and [c.transcript_id for c in codings] == [2], "South stays"
    kept = repr(lines)
    for text in ("chose the problem", "stopped coming", "Ask Person 1 about the minutes", "Person 1"):
        assert text not in kept, text
    assert "[withdrawn]" in kept and "withdrew by e-mail" in kept
    checked = ok(cli(coded, "verify"))
    assert "every seal matches" in checked and "1 erasure(s) rewrote history, each logged" in checked
    listed = ok(cli(coded, "interviews", "list"))
    assert "North" not in listed and "1 transcript, 1 of them coded." in listed
    no_listed_name(out + listed)


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["99", "--reason", "withdrew"], "There is no transcript number 99. coprod interviews list shows the"),
        (["0", "--reason", "withdrew"], "There is no transcript number 0."),
        (["99999999999999999999999", "--reason", "withdrew"], "There is no transcript number 99999999999999999999999."),
        (["1", "--reason", "  "], "--reason is empty: say why the interview is withdrawn"),
        (["1", "--reason", ""], "--reason is empty"),
    ],
    ids=["an unknown number", "zero", "a number too big to store", "a blank reason", "an empty reason"],
)
def test_withdraw_refuses_an_unknown_number_or_no_reason_before_asking(coded, args, phrase):
    before = everything(coded)
    out = refused(answering(coded, "y\n", "interviews", "withdraw", *args), phrase)
    assert "Nothing was withdrawn." in out and "cannot be undone" not in out, "refused before the question"
    assert everything(coded) == before
