"""Reading interview transcripts (.txt, .md, .docx) into numbered paragraphs.

Coding works paragraph by paragraph, so a paragraph's number is how a coded passage is found again; it
counts the paragraphs this module returns (1 is the first), never lines. In plain text and Markdown a blank
line ends a paragraph, and so does a line that begins a speaker's turn ("Interviewer: ...", "P3: ...",
"[00:01:23] Ann Lee: ..."): transcripts often put turns on consecutive lines, and a turn is the unit
people code. A speaker label is up to four words, each capitalised (or a number, or a name particle such as
"de" or "van"), then a colon; the rule errs towards splitting, which never loses text. In a .docx each Word
paragraph is one paragraph, so speaker turns there are as the transcriber typed them.

Nothing here imports a Word library: a .docx is a zip holding XML, read with the standard library. Names are
replaced by :mod:`.pseudonyms`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import pathlib
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from xml.etree import ElementTree

__all__ = [
    "MAX_BYTES",
    "Kind",
    "Paragraph",
    "Transcript",
    "TranscriptUnreadable",
    "read_transcript",
]

#: 20 MB: a two-hour transcript is about 100 KB of text, a .docx with a few photos a few MB.
MAX_BYTES = 20 * 1024 * 1024
#: A .docx's XML may be far larger than the zip; this stops a small zip that unpacks to gigabytes.
MAX_XML_BYTES = 100 * 1024 * 1024
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".docx": "docx"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .doc, and any password-protected Office file
WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML" as Word can save
)
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


class TranscriptUnreadable(ValueError):
    """The transcript cannot be read; the message is one plain-English line saying why and what to do."""


class Kind(StrEnum):
    """What a paragraph was in the file; coders see headings and table rows for what they are."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE_ROW = "table row"
    LIST_ITEM = "list item"


@dataclass(frozen=True)
class Paragraph:
    """``number`` counts from 1 in the order of the file; a coded passage is found again by it."""

    number: int
    kind: Kind
    text: str


@dataclass(frozen=True)
class Transcript:
    """``sha256`` is the source file's, so importing the same file again can be recognised. ``encoding`` is
    how a text file was decoded: "utf-8", "utf-8-sig" (with a byte order mark), "utf-16", "cp1252" or
    "latin-1"; None for a .docx, whose XML declares its own."""

    file_name: str
    sha256: str
    format: str
    encoding: str | None
    paragraphs: tuple[Paragraph, ...]


def read_transcript(path: str | pathlib.Path) -> Transcript:
    """Read a .txt, .md or .docx transcript into numbered paragraphs; text is NFC-normalised so that a name
    typed on a Mac (decomposed accents) matches the same name typed elsewhere."""
    path = pathlib.Path(path)
    name = path.name
    form = FORMATS.get(path.suffix.lower())
    if form is None:
        what = f"a {path.suffix} file" if path.suffix else "a file without an extension"
        raise TranscriptUnreadable(
            f"{name} is {what}; transcripts are read from .txt, .md or .docx. "
            "Save it as Word (.docx) or plain text (.txt) and import it again."
        )
    if path.stat().st_size > MAX_BYTES:
        raise TranscriptUnreadable(f"{name} is over the 20 MB limit for a transcript. Save it without images.")
    data = path.read_bytes()
    if not data.strip():
        raise TranscriptUnreadable(f"{name} is empty. Choose the file that holds the transcript.")
    encoding = None
    if form == "docx":
        blocks = _docx_blocks(name, data)
    else:
        text, encoding = decode_text(name, data)
        blocks = _markdown_blocks(text) if form == "markdown" else _text_blocks(text)
    blocks = [(kind, unicodedata.normalize("NFC", text)) for kind, text in blocks]
    if not blocks:
        raise TranscriptUnreadable(f"{name} holds no text. Choose the file that holds the transcript.")
    return Transcript(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=form,
        encoding=encoding,
        paragraphs=tuple(Paragraph(n, kind, text) for n, (kind, text) in enumerate(blocks, start=1)),
    )


# Plain text and Markdown ---------------------------------------------------------------------------------


def decode_text(name: str, data: bytes, save_as: str = ".txt or .docx") -> tuple[str, str]:
    """UTF-8 (with or without a BOM), UTF-16 with its BOM (Notepad's "Unicode"), else Windows-1252 as older
    Windows editors save, else Latin-1 (which decodes any byte)."""
    if data.startswith((b"PK\x03\x04", OLE_SIGNATURE, b"%PDF")):
        raise TranscriptUnreadable(
            f"{name} is not plain text (it looks like a Word, zip or PDF file). Save it as {save_as}."
        )
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    bom = data.startswith(codecs.BOM_UTF8)
    for encoding in ("utf-16",) if utf16 else ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.removeprefix(codecs.BOM_UTF8).decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, "utf-8-sig" if bom and encoding == "utf-8" else encoding
    raise TranscriptUnreadable(
        f"{name} is not plain text (it holds zero bytes, as UTF-16 without a byte order mark or a binary file "
        f"does). Save it as UTF-8 {save_as}."
    )


_TIME = r"(?:[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?[\])]?\s+)?"
_SPEAKER = re.compile(rf"^{_TIME}[*_]{{0,2}}(?P<label>[^\W_][\w.'’ -]{{0,38}}?)[*_]{{0,2}}\s*:[*_]{{0,2}}(?:\s|$)")
#: Lower-case words a speaker's name may hold: "Ann de Vries:", "Máire ní Bhriain:".
_PARTICLES = {"al", "bin", "da", "de", "del", "der", "di", "du", "la", "le", "nic", "ní", "ó", "van", "von"}


def _starts_turn(line: str) -> bool:
    match = _SPEAKER.match(line)
    if not match:
        return False
    words = match["label"].split()
    return (
        len(words) <= 4
        and words[0][0].isupper()
        and all(w[0].isupper() or w[0].isdigit() or w.lower() in _PARTICLES for w in words)
    )


def _text_blocks(text: str) -> list[tuple[Kind, str]]:
    """Paragraphs split at blank lines and speaker turns; the lines of one paragraph kept, joined by newlines."""
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or (_starts_turn(line) and blocks[-1]):
            blocks.append([])
        if line:
            blocks[-1].append(line)
    return [(Kind.PARAGRAPH, "\n".join(lines)) for lines in blocks if lines]


_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^(?:=+|-+)$")
_BREAK = re.compile(r"^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ITEM = re.compile(r"^\s*(?:(?P<bullet>[-*+])|\d{1,9}[.)])[ \t]+\S")
_TABLE_RULE = re.compile(r"^:?-+:?$")


def _markdown_blocks(text: str) -> list[tuple[Kind, str]]:
    """Headings (# or underlined), list items, table rows and paragraphs. Markup stays as typed: the text is
    never rendered, and "**" or "<b>" in a quotation is what the file says. A heading loses its "#" marks and a
    bulleted item its bullet (they are the kind); a numbered item keeps its number, which people quote. A line
    underlined with "===" or "---" is a heading only when it is one line and no speaker's turn: in a transcript
    "---" under a turn is a separator more often than a heading."""
    blocks: list[tuple[Kind, list[str]]] = []
    current: tuple[Kind, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        kind_now = current[0] if current else None
        turn = current is not None and _starts_turn(current[1][0])
        heading = _ATX.match(raw)
        item = _ITEM.match(raw)
        if not line:
            current = None
        elif heading:
            current = None
            blocks.append((Kind.HEADING, [heading["text"] or ""]))
        elif _SETEXT.match(line) and kind_now == Kind.PARAGRAPH and len(current[1]) == 1 and not turn:
            blocks[-1] = (Kind.HEADING, current[1])
            current = None
        elif _BREAK.match(line):
            current = None
        elif line.startswith("|"):
            current = None
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.removeprefix("|").removesuffix("|"))]
            if not all(_TABLE_RULE.match(c) for c in cells):
                blocks.append((Kind.TABLE_ROW, [" | ".join(cells)]))
        elif item:
            current = (Kind.LIST_ITEM, [raw[item.end("bullet") :].strip() if item["bullet"] else line])
            blocks.append(current)
        elif current and not _starts_turn(line):
            current[1].append(line)
        else:
            current = (Kind.PARAGRAPH, [line])
            blocks.append(current)
    return [(kind, "\n".join(lines).strip()) for kind, lines in blocks if "".join(lines).strip()]


# Word (.docx) -------------------------------------------------------------------------------------------


def _docx_blocks(name: str, data: bytes) -> list[tuple[Kind, str]]:
    if data.startswith(OLE_SIGNATURE):
        raise TranscriptUnreadable(
            f"{name} is an old Word .doc file or is protected by a password. "
            "Open it in Word, remove any password and save it as .docx."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise TranscriptUnreadable(
                    f"{name} is a zip file but not a Word document (it has no word/document.xml). "
                    "Open it in Word and save it as .docx again."
                )
            document = _xml(name, archive, "word/document.xml")
            styles = _xml(name, archive, "word/styles.xml") if "word/styles.xml" in names else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as e:
        raise TranscriptUnreadable(
            f"{name} is not a Word document that can be opened ({e}). Open it in Word and save it as .docx again."
        ) from e
    namespace = document.tag[1:].partition("}")[0]
    body = document.find(f"{{{namespace}}}body")
    if namespace not in WORD_NAMESPACES or body is None:
        raise TranscriptUnreadable(f"{name} has no Word document text. Open it in Word and save it as .docx again.")
    return list(_Word(namespace, styles).blocks(body))


def _xml(name: str, archive: zipfile.ZipFile, member: str) -> ElementTree.Element:
    """Parse one part, refusing parts that unpack past MAX_XML_BYTES and any DOCTYPE (Word never writes one,
    and refusing it rules out entity tricks)."""
    with archive.open(member) as stream:
        data = stream.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise TranscriptUnreadable(f"{name} unpacks to over 100 MB of text. Save the transcript without images.")
    if re.search(rb"<!DOCTYPE", data, re.IGNORECASE):
        raise TranscriptUnreadable(f"{name} is not a Word document as Word saves it. Open it in Word and save it.")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise TranscriptUnreadable(
            f"{name} is damaged ({member}: {error}). Open it in Word and save it as .docx again."
        ) from error


_HEADING_STYLE = re.compile(r"heading[1-9]|title|subtitle")
_OUTLINE_HEADINGS = frozenset("012345678")  # outline level 9 is body text


class _Word:
    """Walks w:body in document order: paragraphs, table rows, and content controls (w:sdt) as the text they
    hold. Tracked deletions, field codes and placeholder text ("Click or tap here to enter text.") are not
    the transcript, so they are left out; tracked insertions are read, as the document now reads."""

    def __init__(self, namespace: str, styles: ElementTree.Element | None):
        self.w = f"{{{namespace}}}"
        self.styles: dict[str, ElementTree.Element] = {}
        for style in styles.iter(f"{self.w}style") if styles is not None else ():
            self.styles[style.get(f"{self.w}styleId", "")] = style
        self.skip = {self.w + t for t in ("pPr", "rPr", "sdtPr", "sdtEndPr", "del", "moveFrom", "delText")}
        self.skip |= {self.w + t for t in ("instrText", "footnoteReference", "endnoteReference")} | {FALLBACK}
        self.wrappers = {self.w + t for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}

    def blocks(self, parent: ElementTree.Element) -> Iterator[tuple[Kind, str]]:
        for child in parent:
            if child.tag == f"{self.w}p":
                text = self.text(child)
                if text:
                    yield self.kind(child), text
            elif child.tag == f"{self.w}tbl":
                for row in self.children(child, "tr"):
                    cells = ["\n".join(t for _, t in self.blocks(cell)) for cell in self.children(row, "tc")]
                    if any(cells):
                        yield Kind.TABLE_ROW, " | ".join(cells)
            elif child.tag in self.wrappers and not self.placeholder(child):
                yield from self.blocks(child)

    def children(self, parent: ElementTree.Element, local: str) -> Iterator[ElementTree.Element]:
        """Rows of a table, cells of a row, looking inside content controls that wrap them."""
        for child in parent:
            if child.tag == self.w + local:
                yield child
            elif child.tag in self.wrappers and not self.placeholder(child):
                yield from self.children(child, local)

    def placeholder(self, element: ElementTree.Element) -> bool:
        return element.find(f"{self.w}sdtPr/{self.w}showingPlcHdr") is not None

    def text(self, paragraph: ElementTree.Element) -> str:
        parts: list[str] = []
        self._inline(paragraph, parts)
        return "".join(parts).strip()

    def _inline(self, element: ElementTree.Element, parts: list[str]) -> None:
        w = self.w
        for child in element:
            tag = child.tag
            if tag in self.skip or (tag == f"{w}sdt" and self.placeholder(child)):
                continue
            if tag == f"{w}t":
                parts.append(child.text or "")
            elif tag in (f"{w}tab", f"{w}ptab"):
                parts.append("\t")
            elif tag in (f"{w}br", f"{w}cr"):
                parts.append("\n")
            elif tag == f"{w}noBreakHyphen":
                parts.append("-")
            elif tag == f"{w}txbxContent":  # a text box: its paragraphs on lines of their own
                parts.extend(f"\n{text}\n" for _, text in self.blocks(child))
            else:
                self._inline(child, parts)

    def kind(self, paragraph: ElementTree.Element) -> Kind:
        """Heading by style (Heading 1-9, Title, Subtitle, or any style based on one, whatever Word's language)
        or by outline level; list item by numbering or a List style."""
        w = self.w
        properties = paragraph.find(f"{w}pPr")
        own = [properties] if properties is not None else []
        style = properties.find(f"{w}pStyle") if properties is not None else None
        chain = self.style_chain(style.get(f"{w}val", "") if style is not None else "Normal")
        for props in own + [s.find(f"{w}pPr") for s in chain]:
            level = props.find(f"{w}outlineLvl") if props is not None else None
            if level is not None and level.get(f"{w}val") in _OUTLINE_HEADINGS:
                return Kind.HEADING
        names = [n for s in chain for n in (s.get(f"{w}styleId", ""), _style_name(s, w))]
        if style is not None and not chain:
            names.append(style.get(f"{w}val", ""))
        keys = [n.lower().replace(" ", "") for n in names]
        if any(_HEADING_STYLE.fullmatch(k) for k in keys):
            return Kind.HEADING
        for props in own + [s.find(f"{w}pPr") for s in chain]:
            number = props.find(f"{w}numPr/{w}numId") if props is not None else None
            if number is not None and number.get(f"{w}val") != "0":
                return Kind.LIST_ITEM
        return Kind.LIST_ITEM if any(k.startswith("list") for k in keys) else Kind.PARAGRAPH

    def style_chain(self, style_id: str) -> list[ElementTree.Element]:
        chain: list[ElementTree.Element] = []
        while style_id in self.styles and len(chain) < 10:
            chain.append(self.styles[style_id])
            based = self.styles[style_id].find(f"{self.w}basedOn")
            style_id = based.get(f"{self.w}val", "") if based is not None else ""
        return chain


def _style_name(style: ElementTree.Element, w: str) -> str:
    name = style.find(f"{w}name")
    return name.get(f"{w}val", "") if name is not None else ""
