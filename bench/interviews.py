"""Interview evidence at the size the issue asks for: 200 transcripts of 5,000 words, imported, coded and counted.

The transcripts are invented here (no real names: speakers are "Interviewer" and "Person N"), half as Word
``.docx`` files and half as plain text, with paragraphs of 40 to 200 words, spread over 20 sites. Each is
imported with ``import_transcript`` (one transaction each); two coders then code 30 passages of each, 20 of
them the same passages, through ``code_passage`` (one transaction each) for the first coder and through
``Store.bulk`` (one transaction per transcript) for the second. Then the counting: every excerpt read and a
matrix made, the live matrix redrawn, the static matrix written, and the programme report's learning points
with their interview evidence. With ``--large`` the same store gets 580 more sites (600 in all).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from coprod_widgets.store import Store

from .common import mb, ms, table

TRANSCRIPTS = 200
WORDS = 5_000
SITES = 20
PASSAGES = 30
SHARED = 20  # passages both coders code
CODERS = ("Coder one", "Coder two")
ROLES = ("carer", "lived_experience", "clinician", "manager", "workshop")
CODES = ["lp1", "lp1-revisited", "lp2", "lp2-stopped-coming", "lp2-what-helped", "lp3", "lp3-non-negotiables", "lp4",
         "lp5", "lp6", "lp7", "lp8"]  # fmt: skip
VOCABULARY = ["we", "the", "meeting", "group", "clinic", "bus", "time", "staff", "carers", "listened", "changed",
    "plan", "problem", "started", "asked", "people", "came", "stopped", "again", "afternoon", "room", "form",
    "letter", "nurse", "appointment", "helped", "together", "decided", "because", "never", "always", "sometimes",
    "idea", "week", "month", "travel", "support", "paid", "voice", "heard", "trust", "first", "later", "whole",
    "small", "change", "service", "process", "minutes", "agenda", "chair", "talked", "wrote", "read", "waited",
    "phoned", "left", "joined", "returned", "felt", "mattered"]  # fmt: skip
DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def paragraphs(rng: random.Random, words: int = WORDS) -> list[str]:
    """About ``words`` invented words in paragraphs of 40 to 200, the speakers taking turns."""
    found, left, turn = [], words, 0
    while left > 0:
        size = min(left, rng.randint(40, 200))
        speaker = "Interviewer" if turn % 2 == 0 else f"Person {1 + turn % 3}"
        text = " ".join(rng.choice(VOCABULARY) for _ in range(size - 1))
        found.append(f"{speaker}: {text[:1].upper()}{text[1:]}.")
        left, turn = left - size, turn + 1
    return found


def write_docx(path: Path, texts: list[str]) -> Path:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>' for text in texts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{body}'
            "</w:body></w:document>",
        )
    return path


def write_transcripts(folder: Path, count: int = TRANSCRIPTS) -> list[Path]:
    rng = random.Random(15)
    files = []
    for number in range(count):
        texts = paragraphs(rng)
        if number % 2:
            files.append(folder / f"interview-{number:03d}.txt")
            files[-1].write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        else:
            files.append(write_docx(folder / f"interview-{number:03d}.docx", texts))
    return files


def _store(url: str, sites: int) -> list[str]:
    store = Store.open(url)
    try:
        programme = store.add("programme", {"name": "Interview benchmark"}, "bench")
        names = [f"Site {n:03d}" for n in range(sites)]
        for name in names:
            store.add("site", {"programme_id": programme.id, "name": name, "service_issue": "Care",
                               "start_date": "2015-01-01"}, "bench")  # fmt: skip
    finally:
        store.close()
    return names


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _seconds(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _import(url: str, files: list[Path], sites: list[str]) -> tuple[float, list[int], int]:
    from coprod_widgets.interviews.importing import import_transcript

    store = Store.open(url)
    ids, words = [], 0
    started = time.perf_counter()
    try:
        for number, path in enumerate(files):
            done = import_transcript(store, path, sites[number % len(sites)], role_group=ROLES[number % len(ROLES)],
                                     interviewed="2015-06-01", who="bench")  # fmt: skip
            ids.append(done.record.id)
            words += done.words
    finally:
        store.close()
    return time.perf_counter() - started, ids, words


def _choices(rng: random.Random, transcript) -> tuple[list[tuple], list[tuple]]:
    """Each coder's passages: the first 30 whole paragraphs; the second 20 of the same, and the first half of 10
    others (a transcript of 5,000 words has about 40 paragraphs, too few for 40 different whole ones)."""
    numbers = rng.sample(range(1, len(transcript.paragraphs) + 1), PASSAGES)
    first = [(n, None, None) for n in numbers]
    halves = [(n, 0, max(1, len(transcript.paragraphs[n - 1][1]) // 2)) for n in numbers[SHARED:]]
    return first, first[:SHARED] + halves


def _code(url: str) -> tuple[float, float, int]:
    """The first coder through code_passage, the second through Store.bulk: seconds each, and passages coded."""
    from coprod_widgets.interviews.coding import code_passage

    store = Store.open(url)
    rng = random.Random(2)
    try:
        transcripts = store.records("transcript")
        plans = [(t, *_choices(rng, t)) for t in transcripts]
        started = time.perf_counter()
        for transcript, first, _ in plans:
            for number, start, end in first:
                code_passage(store, transcript.id, number, [rng.choice(CODES)], CODERS[0], start_char=start,
                             end_char=end, quote=number % 7 == 0)  # fmt: skip
        one_by_one = time.perf_counter() - started
        started = time.perf_counter()
        today = dt.date.today()
        for transcript, _, second in plans:
            with store.bulk("bench") as batch:
                for number, start, end in second:
                    batch.add("coding", {"site_id": transcript.site_id, "transcript_id": transcript.id,
                                         "paragraph": number, "start_char": start, "end_char": end,
                                         "codes": [rng.choice(CODES)], "coder": CODERS[1], "coded": today})  # fmt: skip
        bulk = time.perf_counter() - started
    finally:
        store.close()
    return one_by_one, bulk, len(plans) * PASSAGES


def _median(action: Callable[[], object], times: int = 5) -> float:
    return statistics.median(_seconds(action)[0] for _ in range(times))


def _counting(url: str) -> dict[str, object]:
    """Every excerpt read and counted, the live matrix drawn, the static one written."""
    import ipywidgets as widgets

    from coprod_widgets.interviews.coding import codebook
    from coprod_widgets.interviews.excerpts import excerpts
    from coprod_widgets.interviews.matrix import code_matrix, matrix_html, store_matrix
    from coprod_widgets.interviews.matrix_view import MatrixView

    store = Store.open(url)
    try:
        read, found = _seconds(lambda: excerpts(store))
        book = codebook(store)
        count, _ = _seconds(lambda: (code_matrix(found, book, "site"), code_matrix(found, book, "role")))
        whole, matrix = _seconds(lambda: store_matrix(store))
        written, html = _seconds(lambda: matrix_html(matrix))
        opened, view = _seconds(lambda: MatrixView(store))
        page = _median(lambda: (view.turn(1), view.turn(-1)), 5) / 2
        view.roll_up.value = False  # every code: worked out once, then drawn
        toggled, _ = _seconds(lambda: setattr(view.roll_up, "value", True))
        view._matrices.clear()
        cold = _median(lambda: (view._matrices.clear(), view.redraw()), 3)
        drawn = _median(view.redraw, 5)
        widgets.Widget.close_all()
    finally:
        store.close()
    return {"excerpts": len(found), "read": read, "count": count, "whole": whole, "written": written,
            "html": len(html.encode()), "opened": opened, "page": page, "toggled": toggled, "cold": cold,
            "drawn": drawn, "rows": len(matrix.rows)}  # fmt: skip


def _report(url: str) -> tuple[float, float, float]:
    """Seconds to load the data, to draw the eight learning points, and the interview evidence's part of that."""
    from coprod_widgets.evaluation.data import load_programme
    from coprod_widgets.evaluation.interview_evidence import interview_evidence
    from coprod_widgets.reports.pages import ProgrammeReport

    store = Store.open(url)
    try:
        loaded, data = _seconds(lambda: load_programme(store))
        evidence, _ = _seconds(lambda: [interview_evidence(data, f"lp{n}") for n in range(1, 9)])
        report = ProgrammeReport(store, url)
        drawn, _ = _seconds(lambda: [report.learning_point(f"lp{n}") for n in range(1, 9)])
    finally:
        store.close()
    return loaded, drawn, evidence


def _more_sites(url: str, total: int) -> None:
    store = Store.open(url)
    try:
        programme = store.records("programme")[0]
        have = len(store.sites())
        for n in range(have, total):
            store.add("site", {"programme_id": programme.id, "name": f"Site {n:03d}", "service_issue": "Care",
                               "start_date": "2015-01-01"}, "bench")  # fmt: skip
    finally:
        store.close()


def run(folder: Path, large: bool = False) -> str:
    """Import, code and count 200 transcripts in a store of their own. Returns the markdown section."""
    work = folder / "interviews"
    work.mkdir(exist_ok=True)
    files = write_transcripts(work)
    given = sum(p.stat().st_size for p in files)
    database = work / "interviews.db"
    url = f"sqlite:///{database}"
    sites = _store(url, SITES)
    imported, _, words = _import(url, files, sites)
    print(f"interviews: imported {len(files)} transcripts ({words:,} words) in {imported:.1f} s", flush=True)
    after_import = _size(database)
    one_by_one, bulk, passages = _code(url)
    print(f"interviews: coded {passages} passages twice: {one_by_one:.1f} s one by one, {bulk:.1f} s in bulk")
    counted = {SITES: _counting(url)}
    loaded, drawn, evidence = _report(url)
    if large:
        bigger = work / "interviews-600.db"
        shutil.copy(database, bigger)
        _more_sites(f"sqlite:///{bigger}", 600)
        counted[600] = _counting(f"sqlite:///{bigger}")
    rows = [
        [f"import {len(files)} transcripts (`import_transcript`, one transaction each)", f"{imported:.1f} s",
         f"{ms(imported / len(files))} a transcript; {words:,} words, {mb(given)} of files"],
        ["store size after import", mb(after_import), f"{mb(_size(database))} once coded"],
        [f"code {passages:,} passages, first coder (`code_passage`, one transaction each)", f"{one_by_one:.1f} s",
         f"{ms(one_by_one / passages)} a passage"],
        [f"code {passages:,} passages, second coder (`Store.bulk`, one transaction a transcript)", f"{bulk:.1f} s",
         f"{ms(bulk / passages)} a passage"],
        ["load the programme's data for a report", f"{loaded:.2f} s", ""],
        ["programme report: the eight learning points", f"{drawn:.1f} s",
         f"of which interview evidence {evidence:.2f} s (excerpts built once)"],
    ]  # fmt: skip
    for sites_count, c in counted.items():
        at = f"{sites_count} sites"
        rows += [
            [f"{at}: read every excerpt (`excerpts(store)`)", ms(c["read"]), f"{c['excerpts']:,} excerpts"],
            [f"{at}: count by site and by role group (`code_matrix` twice)", ms(c["count"]), ""],
            [f"{at}: static matrix (`matrix_html`)", ms(c["written"]), f"{mb(c['html'])} of HTML, {c['rows']} rows"],
            [f"{at}: live matrix opened (`MatrixView`)", ms(c["opened"]), ""],
            [f"{at}: redraw, matrix worked out again (median)", ms(c["cold"]), "25 rows of buttons"],
            [f"{at}: redraw (`MatrixView.redraw`, median)", ms(c["drawn"]), ""],
            [f"{at}: next page of rows (median)", ms(c["page"]), ""],
            [f"{at}: switch sub-codes back to rolled up (already worked out)", ms(c["toggled"]), ""],
        ]
        print(f"interviews at {at}: redraw {ms(c['drawn'])}, cold {ms(c['cold'])}", flush=True)
    return "\n".join(
        [
            f"## Interview evidence: {TRANSCRIPTS} transcripts of {WORDS:,} words",
            "",
            f"Invented transcripts (half .docx, half .txt; paragraphs of 40 to 200 words) over {SITES} sites, "
            f"imported into a SQLite store of their own; {PASSAGES} passages of each coded by each of two coders, "
            f"{SHARED} of them the same passages. In one process, outside a kernel (widgets with no front end).",
            "",
            table(["step", "time", "notes"], rows),
        ]
    )
