"""Interview transcripts read into numbered paragraphs (.txt, .md, .docx built here with zipfile), the files
refused with one line saying what to do, and names replaced by pseudonyms with none left behind."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from coprod_widgets.interviews.pseudonyms import (
    NamesInvalid,
    names_left,
    parse_names,
    pseudonymise,
    pseudonymise_transcript,
    read_names,
)
from coprod_widgets.interviews.transcripts import MAX_BYTES, Kind, TranscriptUnreadable, read_transcript

H, P, ROW, ITEM = Kind.HEADING, Kind.PARAGRAPH, Kind.TABLE_ROW, Kind.LIST_ITEM
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str, style: str | None = None, numbered: bool = False) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if numbered else ""
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(runs)}</w:p>"


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(f"<w:tc><w:tcPr/>{para(run(c))}</w:tc>" for c in cells) + "</w:tr>"


#: A Word transcript with every feature the reader handles, and the paragraphs it must give.
DOCX_BODY = "".join(
    [
        para(run("Interview with North site"), style="Heading1"),
        para(
            "<w:r><w:rPr><w:b/></w:rPr><w:t>Interviewer:</w:t></w:r><w:r><w:tab/></w:r>",
            run("How did the "),
            run("group start?"),
        ),
        para(run("Ann Lee:"), run(" It began with "), run("Zoë"), "<w:r><w:br/></w:r>", run("and Annual planning.")),
        "<w:p/>",
        para(run("   ")),
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>",
        row("Name", "Role", "Site"),
        row("Łukasz Nowak", "Peer supporter", "Café on Ní Bhriain Street"),
        "</w:tbl>",
        '<w:sdt><w:sdtPr><w:alias w:val="Consent"/></w:sdtPr><w:sdtContent>',
        para(run("Consent recorded on the form.")),
        "</w:sdtContent></w:sdt>",
        para(run("Date: "), f"<w:sdt><w:sdtPr/><w:sdtContent>{run('3 March 2015')}</w:sdtContent></w:sdt>"),
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>",
        para(run("Click or tap here to enter text.")),
        "</w:sdtContent></w:sdt>",
        para(run("A list point"), numbered=True),
        para(
            run("Kept "),
            '<w:del w:id="1" w:author="E"><w:r><w:delText>deleted </w:delText></w:r></w:del>',
            '<w:ins w:id="2" w:author="E">',
            run("inserted"),
            "</w:ins>",
        ),
        "<w:sectPr/>",
    ]
)
DOCX_PARAGRAPHS = [
    (H, "Interview with North site"),
    (P, "Interviewer:\tHow did the group start?"),
    (P, "Ann Lee: It began with Zoë\nand Annual planning."),
    (ROW, "Name | Role | Site"),
    (ROW, "Łukasz Nowak | Peer supporter | Café on Ní Bhriain Street"),
    (P, "Consent recorded on the form."),
    (P, "Date: 3 March 2015"),
    (ITEM, "A list point"),
    (P, "Kept inserted"),
]

#: Styles as a German Word names them ("Überschrift 1" has the id "berschrift1"), and styles based on them.
STYLES = (
    f'<w:styles xmlns:w="{W}">'
    '<w:style w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>'
    '<w:style w:styleId="Quotes"><w:name w:val="Quotes"/><w:basedOn w:val="berschrift1"/></w:style>'
    '<w:style w:styleId="Plain"><w:name w:val="Plain text"/></w:style>'
    '<w:style w:styleId="Aufzhlung"><w:name w:val="List Bullet"/></w:style>'
    "</w:styles>"
)
STYLE_CASES = [("Heading1", H), ("Title", H), ("berschrift1", H), ("Quotes", H), ("Plain", P), ("Aufzhlung", ITEM)]


def write_docx(path, body: str, styles: str | None = None, namespace: str = W):
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{namespace}">'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", f"{document}<w:body>{body}</w:body></w:document>")
        if styles:
            archive.writestr("word/styles.xml", styles)
    return path


#: Text and Markdown files as bytes: (file name, bytes, encoding reported, paragraphs).
TEXT_CASES = [
    (
        "bom-crlf.txt",
        codecs.BOM_UTF8
        + "Interviewer: How did it start?\r\nAnn: With Zoë.\r\nIt grew.\r\n\r\n\r\nNotes  \r\n".encode(),
        "utf-8-sig",
        [(P, "Interviewer: How did it start?"), (P, "Ann: With Zoë.\nIt grew."), (P, "Notes")],
    ),
    (
        "cafe.txt",
        "The café met weekly – “always”.\n".encode("cp1252"),
        "cp1252",
        [(P, "The café met weekly – “always”.")],
    ),
    ("odd.txt", b"caf\xe9 \x81", "latin-1", [(P, "café \x81")]),
    ("notepad.txt", "Zoë said:\nyes".encode("utf-16"), "utf-16", [(P, "Zoë said:\nyes")]),
    (
        "turns.txt",
        b"[00:01:02] Interviewer: Who came?\n00:01:09 Ann de Vries: Everyone.\n10:30 was the start: early.\n"
        b"I said: no.\nP3: Yes.",
        "utf-8",
        [
            (P, "[00:01:02] Interviewer: Who came?"),
            (P, "00:01:09 Ann de Vries: Everyone.\n10:30 was the start: early.\nI said: no."),
            (P, "P3: Yes."),
        ],
    ),
    (
        "notes.md",
        "# Interview with <b>North</b> #\n\nSite visit\n===\n\n- first *point*\n  carried on\n* second\n"
        "2. numbered\n\n| Name | Role |\n|---|:--:|\n| Zoë | <b>nurse</b> |\n\n"
        "**Interviewer:** how?\n**Ann:** like *this*.\n---\n#hashtag, not a heading\n".encode(),
        "utf-8",
        [
            (H, "Interview with <b>North</b>"),
            (H, "Site visit"),
            (ITEM, "first *point*\ncarried on"),
            (ITEM, "second"),
            (ITEM, "2. numbered"),
            (ROW, "Name | Role"),
            (ROW, "Zoë | <b>nurse</b>"),
            (P, "**Interviewer:** how?"),
            (P, "**Ann:** like *this*."),
            (P, "#hashtag, not a heading"),
        ],
    ),
    ("nfd.md", "Zoe\u0308".encode(), "utf-8", [(P, "Zoë")]),
]


def kinds_and_texts(transcript):
    return [(p.kind, p.text) for p in transcript.paragraphs]


@pytest.mark.parametrize(("name", "data", "encoding", "expected"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_text_and_markdown_are_read_paragraph_by_paragraph(tmp_path, name, data, encoding, expected):
    path = tmp_path / name
    path.write_bytes(data)
    transcript = read_transcript(path)
    assert kinds_and_texts(transcript) == expected
    assert transcript.encoding == encoding
    assert transcript.format == ("markdown" if name.endswith(".md") else "text")
    assert [p.number for p in transcript.paragraphs] == list(range(1, len(expected) + 1))


def test_docx_gives_headings_paragraphs_table_rows_and_content_controls(tmp_path):
    path = write_docx(tmp_path / "North interview.docx", DOCX_BODY)
    transcript = read_transcript(path)
    assert kinds_and_texts(transcript) == DOCX_PARAGRAPHS
    assert [p.number for p in transcript.paragraphs] == list(range(1, 10))
    assert (transcript.file_name, transcript.format, transcript.encoding) == ("North interview.docx", "docx", None)
    assert len(transcript.sha256) == 64


def test_docx_saved_as_strict_open_xml_is_read(tmp_path):
    path = write_docx(tmp_path / "strict.docx", DOCX_BODY, namespace="http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert kinds_and_texts(read_transcript(path)) == DOCX_PARAGRAPHS


@pytest.mark.parametrize(("style", "kind"), STYLE_CASES)
def test_docx_headings_are_found_by_style_in_any_language(tmp_path, style, kind):
    path = write_docx(tmp_path / "styled.docx", para(run("Text"), style=style), STYLES)
    assert kinds_and_texts(read_transcript(path)) == [(kind, "Text")]


def docx_without_document(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    return path


def docx_part(text: str):
    def write(path):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", text)
        return path

    return write


#: Files refused: (file name, how to write it, words the message must hold).
REFUSALS = [
    ("notes.pdf", lambda p: p.write_bytes(b"%PDF-1.4"), "a .pdf file; transcripts are read from .txt, .md or .docx"),
    ("README", lambda p: p.write_text("Ann"), "a file without an extension"),
    ("old.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "old Word .doc file"),
    ("fake.docx", lambda p: p.write_text("not a zip"), "not a Word document that can be opened"),
    ("other.docx", docx_without_document, "has no word/document.xml"),
    ("broken.docx", docx_part("<w:document"), "is damaged"),
    ("entities.docx", docx_part('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), "not a Word document as Word saves it"),
    ("other-xml.docx", docx_part("<document/>"), "has no Word document text"),
    ("blank.docx", lambda p: write_docx(p, "<w:p/>" + para(run(" "))), "holds no text"),
    ("empty.txt", lambda p: p.write_bytes(b""), "is empty"),
    ("blank.md", lambda p: p.write_text("\n \n\t\n"), "is empty"),
    ("rule.md", lambda p: p.write_text("---\n|---|---|\n#\n"), "holds no text"),
    ("utf16.txt", lambda p: p.write_bytes("Ann".encode("utf-16-le")), "is not plain text"),
    ("word.txt", lambda p: write_docx(p, DOCX_BODY), "looks like a Word, zip or PDF file"),
    ("huge.txt", lambda p: p.open("wb").truncate(MAX_BYTES + 1), "over the 20 MB limit"),
]


@pytest.mark.parametrize(("name", "write", "words"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_unreadable_files_are_refused_with_one_line_saying_what_to_do(tmp_path, name, write, words):
    path = tmp_path / name
    write(path)
    with pytest.raises(TranscriptUnreadable) as refused:
        read_transcript(path)
    message = str(refused.value)
    assert words in message
    assert message.startswith(name) and "\n" not in message
    assert any(advice in message for advice in ("Save", "Open", "Choose"))


#: (text, names, text after, counts)
PSEUDONYM_CASES = [
    ("Ann met Annual planning with ann.", {"Ann": "P1"}, "P1 met Annual planning with P1.", {"Ann": 2}),
    ("ANN, aNn and Anna", {"Ann": "P1"}, "P1, P1 and Anna", {"Ann": 2}),
    (
        "Ann's notes, Ann’s notes, Jones' notes",
        {"Ann": "P1", "Jones": "P2"},
        "P1's notes, P1’s notes, P2' notes",
        {"Ann": 2, "Jones": 1},
    ),
    ("Ann2, Ann_b, Anne and (Ann)", {"Ann": "P1"}, "Ann2, Ann_b, Anne and (P1)", {"Ann": 1}),
    ("Zoë, ZOË, zoë and Zoe", {"Zoë": "P3"}, "P3, P3, P3 and Zoe", {"Zoë": 3}),
    ("Zoe\u0308 typed on a Mac", {"Zoë": "P3"}, "P3 typed on a Mac", {"Zoë": 1}),
    ("łukasz's plan; ŁUKASZ; Łukaszewski", {"Łukasz": "P4"}, "P4's plan; P4; Łukaszewski", {"Łukasz": 2}),
    ("Máire Ní Bhriain and NÍ BHRIAIN", {"Ní Bhriain": "P5"}, "Máire P5 and P5", {"Ní Bhriain": 2}),
    (
        "Ann Lee, Ann and Lee; Ann\nLee",
        {"Ann": "P1", "Lee": "P6", "Ann Lee": "P7"},
        "P7, P1 and P6; P7",
        {"Ann": 1, "Lee": 1, "Ann Lee": 2},
    ),
    ("O'Neil's, O’Neil, ONeil", {"O'Neil": "P8"}, "P8's, P8, ONeil", {"O'Neil": 2}),
    (
        "Anne-Marie and Anne; Anne\u2011Marie",
        {"Anne": "P9", "Anne-Marie": "P10"},
        "P10 and P9; P10",
        {"Anne": 1, "Anne-Marie": 2},
    ),
    ("Anne-Marie came", {"Anne": "P9"}, "P9-Marie came", {"Anne": 1}),
    ("St. John and StX John", {"St. John": "P11"}, "P11 and StX John", {"St. John": 1}),
    ("Jo+ and Joo", {"Jo+": "P12", "(x)": "P13"}, "P12 and Joo", {"Jo+": 1, "(x)": 0}),
    ("Nobody named", {}, "Nobody named", {}),
]


@pytest.mark.parametrize(("text", "names", "expected", "counts"), PSEUDONYM_CASES)
def test_pseudonymise_replaces_whole_names_only(text, names, expected, counts):
    assert pseudonymise(text, names) == (expected, counts)
    assert names_left(expected, names) == []


#: Names lists pseudonymise refuses, and the words its message holds.
BAD_NAMES = [
    ({"Ann": "Bob", "Bob": "Ann"}, "holds the listed name"),
    ({"Ann": "Person Ann"}, "holds the listed name"),
    ({"Ann": "P1", "ANN": "P2"}, "same name with different pseudonyms"),
    ({" ": "P1"}, "empty"),
]


@pytest.mark.parametrize(("names", "words"), BAD_NAMES)
def test_pseudonymise_refuses_names_that_would_leave_a_name_behind(names, words):
    with pytest.raises(ValueError, match=words):
        pseudonymise("Ann and Bob", names)


def test_names_left_lists_the_names_still_present_in_order():
    text = "Zoë met ANN LEE for the annual planning."
    assert names_left(text, ["Ann", "Lee", "Bob", "Ann Lee", "Zoe", "Zoë", "Ann"]) == ["Ann", "Lee", "Ann Lee", "Zoë"]
    assert names_left(text, []) == []


NAMES = {"Ann Lee": "P1", "Ann": "P2", "Zoë": "P3", "Łukasz Nowak": "P4", "Ní Bhriain": "P5", "North": "Site A"}


def test_no_listed_name_is_left_after_a_transcript_is_pseudonymised(tmp_path):
    transcripts = [read_transcript(write_docx(tmp_path / "Ann Lee interview.docx", DOCX_BODY))]
    for name, data, _, _ in TEXT_CASES:
        (tmp_path / name).write_bytes(data)
        transcripts.append(read_transcript(tmp_path / name))
    totals = dict.fromkeys(NAMES, 0)
    for transcript in transcripts:
        done, counts = pseudonymise_transcript(transcript, NAMES)
        totals = {name: totals[name] + counts[name] for name in NAMES}
        assert [names_left(p.text, NAMES) for p in done.paragraphs] == [[]] * len(done.paragraphs)
        assert names_left(done.file_name, NAMES) == []
        assert [p.number for p in done.paragraphs] == [p.number for p in transcript.paragraphs]
        assert [p.kind for p in done.paragraphs] == [p.kind for p in transcript.paragraphs]
        assert done.sha256 == transcript.sha256
        untouched = [
            (p, q) for p, q in zip(transcript.paragraphs, done.paragraphs, strict=True) if not names_left(p.text, NAMES)
        ]
        assert [p.text for p, _ in untouched] == [q.text for _, q in untouched]
    assert totals == {"Ann Lee": 2, "Ann": 3, "Zoë": 5, "Łukasz Nowak": 1, "Ní Bhriain": 1, "North": 2}
    docx, _ = pseudonymise_transcript(transcripts[0], NAMES)
    assert docx.file_name == "P1 interview.docx"
    assert [p.text for p in docx.paragraphs][:5] == [
        "Interview with Site A site",
        "Interviewer:\tHow did the group start?",
        "P1: It began with P3\nand Annual planning.",
        "Name | Role | Site",
        "P4 | Peer supporter | Café on P5 Street",
    ]


#: Names lists as typed: (file text, names and pseudonyms read).
NAMES_FILES = [
    ("Ann Lee = P1\nZoë=P2\n", {"Ann Lee": "P1", "Zoë": "P2"}),
    ('name,pseudonym\nAnn Lee,P1\n"Lee, Bob",P2\n', {"Ann Lee": "P1", "Lee, Bob": "P2"}),
    (
        "# staff at North\n\nAnn   # the nurse\nBob = Person 1\nZoë,\nŁukasz =\n",
        {"Ann": "Person 2", "Bob": "Person 1", "Zoë": "Person 3", "Łukasz": "Person 4"},
    ),
    ("Ann\nann = P1\nANN\n", {"Ann": "P1"}),
    ("  Ní   Bhriain  =  P5  \r\n", {"Ní Bhriain": "P5"}),
]
BAD_NAMES_FILES = [
    ("= P1\n", "Line 1 has no name"),
    ("Ann = P1\nBob = P2\nann = P3\n", "Line 3 gives ann a second pseudonym"),
    ("Ann,P1,nurse\n", "Line 1 has more than two values"),
]


@pytest.mark.parametrize(("text", "expected"), NAMES_FILES)
def test_names_lists_are_read_in_either_form(text, expected):
    assert parse_names(text) == expected


@pytest.mark.parametrize(("text", "words"), BAD_NAMES_FILES)
def test_names_list_lines_that_cannot_be_used_are_named(text, words):
    with pytest.raises(NamesInvalid, match=words):
        parse_names(text)


def test_names_file_saved_by_excel_in_windows_1252_is_read(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes("name,pseudonym\r\nZoë,P3\r\n".encode("cp1252"))
    assert read_names(path) == {"Zoë": "P3"}
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(NamesInvalid, match="Save it as plain text"):
        read_names(path)
