"""REFI-QDA project exchange: the store's transcripts and their coding as a ``.qdpx`` file, and reading one back.

A ``.qdpx`` is what QualCoder, NVivo, ATLAS.ti and MAXQDA open as a whole project (REFI-QDA 1.5, section 8): a
zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``, checked against the standard's
Project.xsd in the tests) and a folder ``sources`` with each transcript as UTF-8 plain text. The folder is
spelt in lower case as the standard says; tools that read it accept either case, and ATLAS.ti is reported to
refuse ``Sources``.

What goes in, and where the tools show it:

- each transcript is a ``TextSource`` named by its title, its text the paragraphs joined by a blank line
  (:func:`~.coding.transcript_text`), so offsets here and in coprod's API are the same. Its site, role group
  and interview date are in its ``Description`` and in the variables ``Site``, ``Role group`` and
  ``Interviewed`` (``VariableValue``, which QualCoder and MAXQDA show as the document's attributes). No
  interviewee's name is stored anywhere in coprod, so none can travel;
- each coded passage is a ``PlainTextSelection`` (``startPosition`` and ``endPosition`` count Unicode code
  points from 0, the end not included, as the standard and QualCoder count: Python's own string offsets) with
  one ``Coding`` per code, its ``CodeRef`` pointing at the codebook's GUID, the same as in a ``.qdc`` export;
- coders, and the writers of memos, are ``Users``. Their names are the evaluators' names or initials as typed
  when coding: the file is for the evaluation team, like the store itself;
- a memo on an excerpt is the selection's ``Description`` (QualCoder and MAXQDA read a coding memo there) and a
  ``Note`` it refers to (NVivo's way); a memo on a code is a ``Note`` the code refers to.

GUIDs are made from what they name (uuid5), so exporting the same store twice gives the same project apart
from the export date. Transcripts hold people's words, so the file is written readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..choices import RoleGroup
from ..exports.writers import write_private_file
from . import refi
from .codebook import Code, Codebook, CodeInvalid, load_codebook, normal_guid
from .coding import codebook as programme_codebook
from .coding import paragraph_starts, transcript_text
from .excerpts import SEVERAL_GROUPS

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES_FOLDER = "sources"
INTERNAL = "internal://"
ORIGIN = refi.ORIGIN
#: Fixed for good: changing it would give every source, selection and note a new GUID.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:coprod:refi-qda-project")
#: The variables every source carries: (name, REFI-QDA type, description).
VARIABLES = (
    ("Site", "Text", "The site whose interview or workshop this is."),
    ("Role group", "Text", f"The interviewee's role group, or '{SEVERAL_GROUPS}' for a workshop."),
    ("Interviewed", "Date", "The date of the interview or workshop."),
)
#: A project file holds every transcript's coding; a real one of several hundred transcripts is tens of MB.
MAX_PROJECT_BYTES = 200 * 1024 * 1024
MAX_SOURCE_BYTES = 100 * 1024 * 1024
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class QdpxRefused(ValueError):
    """A project that cannot be written (nothing to export) or read; one plain-English line saying what to do."""


def stable_guid(*parts: object) -> str:
    """The GUID of the thing ``parts`` name: the same on every export of the same store."""
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(str(part) for part in parts))).upper()


def source_guid(transcript) -> str:
    """A transcript's GUID, from its number and its file's checksum (another store's transcript 1 differs)."""
    return stable_guid("transcript", transcript.id, transcript.checksum)


def user_guid(name: str) -> str:
    return stable_guid("user", name.strip().casefold())


def role_label(transcript) -> str:
    return RoleGroup(transcript.role_group).label if transcript.role_group else SEVERAL_GROUPS


# ---- export ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectContent:
    """What one export holds, read from the store in one go."""

    name: str
    transcripts: list
    codings: list
    code_memos: list
    codebook: Codebook
    site_names: dict[int, str]


def project_content(store, site_ids: Iterable[int] | None = None) -> ProjectContent:
    """The transcripts (of ``site_ids``, if given), their codings, the codebook and its memos."""
    wanted = None if site_ids is None else set(site_ids)
    sites = {site.id: site for site in store.sites()}
    transcripts = [t for t in store.records("transcript") if wanted is None or t.site_id in wanted]
    if not transcripts:
        where = "" if wanted is None else f" at {', '.join(sites[i].name for i in sorted(wanted) if i in sites)}"
        raise QdpxRefused(
            f"There are no transcripts{where} to export: import them first (coprod import-transcript), "
            "then export the project."
        )
    kept = {t.id for t in transcripts}
    programmes = {p.id: p.name for p in store.records("programme")}
    used = sorted({programmes.get(sites[t.site_id].programme_id, "") for t in transcripts if t.site_id in sites})
    return ProjectContent(
        name=used[0] if len(used) == 1 and used[0] else "coprod interviews",
        transcripts=transcripts,
        codings=[c for c in store.records("coding") if c.transcript_id in kept],
        code_memos=sorted(store.records("code_memo"), key=lambda memo: (memo.written, memo.id)),
        codebook=programme_codebook(store),
        site_names={site_id: site.name for site_id, site in sites.items()},
    )


def export_qdpx(
    store,
    path: str | Path,
    site_ids: Iterable[int] | None = None,
    origin: str = ORIGIN,
    created: dt.datetime | None = None,
) -> Path:
    """Write the transcripts (of ``site_ids``, if given) and all their coding to ``path`` as a REFI-QDA
    project (conventionally ending ``.qdpx``), readable by its owner only. Raises :class:`QdpxRefused` when
    there is no transcript to export."""
    content = project_content(store, site_ids)
    created = created or dt.datetime.now(dt.UTC)
    return write_private_file(path, qdpx_bytes(content, origin=origin, created=created))


def qdpx_bytes(content: ProjectContent, origin: str = ORIGIN, created: dt.datetime | None = None) -> bytes:
    """The ``.qdpx`` zip: ``project.qde`` first, then each transcript's text under ``sources/``."""
    created = created or dt.datetime.now(dt.UTC)
    stamp = created.astimezone(dt.UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = [(PROJECT_FILE, project_document(content, origin=origin, created=created))]
        files += [
            (f"{SOURCES_FOLDER}/{source_guid(t)}.txt", transcript_text(t).encode("utf-8")) for t in content.transcripts
        ]
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (0o600 << 16) | 0  # unpacked, the files stay private too
            archive.writestr(entry, data)
    return buffer.getvalue()


def project_document(content: ProjectContent, origin: str = ORIGIN, created: dt.datetime | None = None) -> bytes:
    """``project.qde``: UTF-8 XML, elements in the order Project.xsd requires."""
    created = created or dt.datetime.now(dt.UTC)
    root = ET.Element(
        "Project",
        {"xmlns": NAMESPACE, "name": _text(content.name), "origin": origin, "creationDateTime": _when(created)},
    )
    builder = _Builder(content)
    users = builder.users()
    if users:
        listed = ET.SubElement(root, "Users")
        for name in users:
            ET.SubElement(listed, "User", {"guid": user_guid(name), "name": _text(name)})
    root.append(builder.codebook())
    root.append(_variables())
    sources = ET.SubElement(root, "Sources")
    for transcript in content.transcripts:
        sources.append(builder.source(transcript))
    if builder.notes:
        notes = ET.SubElement(root, "Notes")
        notes.extend(builder.notes)
    ET.SubElement(root, "Description").text = _project_description(content, created)
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


class _Builder:
    """Builds the project's parts, collecting the notes they refer to."""

    def __init__(self, content: ProjectContent):
        self.content = content
        self.notes: list[ET.Element] = []
        self.names = _source_names(content.transcripts, content.site_names)
        self.book = _with_missing_codes(content.codebook, (code for c in content.codings for code in c.codes))
        self.codings: dict[int, list] = {}
        for coding in content.codings:
            self.codings.setdefault(coding.transcript_id, []).append(coding)

    def users(self) -> list[str]:
        names = {c.coder for c in self.content.codings} | {m.written_by for m in self.content.code_memos}
        return sorted(names, key=lambda name: (name.casefold(), name))

    def codebook(self) -> ET.Element:
        book = ET.Element("CodeBook")
        codes = ET.SubElement(book, "Codes")
        memos: dict[str, list] = {}
        for memo in self.content.code_memos:
            memos.setdefault(memo.code_key, []).append(memo)
        elements: dict[str | None, ET.Element] = {None: codes}
        for code, _depth in self.book.walk():
            attributes = {"guid": code.guid, "name": _text(code.name), "isCodable": "true" if code.codable else "false"}
            element = ET.SubElement(elements[code.parent], "Code", attributes)
            description = refi.description_of(code)
            if description:
                ET.SubElement(element, "Description").text = _text(description)
            for memo in memos.get(code.key, []):
                guid = stable_guid("code-memo", memo.id)
                self._note(guid, f"Memo on the code {code.name}", memo.text, memo.written_by, memo.written)
                ET.SubElement(element, "NoteRef", {"targetGUID": guid})
            elements[code.key] = element
        return book

    def source(self, transcript) -> ET.Element:
        guid = source_guid(transcript)
        imported = _when(transcript.imported)
        source = ET.Element(
            "TextSource",
            {
                "guid": guid,
                "name": _text(self.names[transcript.id]),
                "plainTextPath": f"{INTERNAL}{guid}.txt",
                "creationDateTime": imported,
            },
        )
        site = self.content.site_names.get(transcript.site_id, f"site {transcript.site_id}")
        ET.SubElement(source, "Description").text = _text(
            f"Site: {site}. Role group: {role_label(transcript)}. Interviewed: {transcript.interviewed.isoformat()}. "
            + (
                f"{transcript.names_replaced} name(s) were replaced by pseudonyms before the text was stored."
                if transcript.names_replaced
                else "No names were replaced when it was imported."
            )
        )
        starts = paragraph_starts(transcript)
        mine = self.codings.get(transcript.id, [])
        for coding in sorted(mine, key=lambda c: (c.paragraph, c.start_char or 0, c.end_char or 0, c.coder, c.id)):
            source.append(self._selection(coding, starts, transcript))
        values = ((VARIABLES[0][0], "TextValue", site), (VARIABLES[1][0], "TextValue", role_label(transcript)))
        values += ((VARIABLES[2][0], "DateValue", transcript.interviewed.isoformat()),)
        for variable, kind, value in values:
            element = ET.SubElement(source, "VariableValue")
            ET.SubElement(element, "VariableRef", {"targetGUID": stable_guid("variable", variable)})
            ET.SubElement(element, kind).text = _text(value)
        return source

    def _selection(self, coding, starts: list[int], transcript) -> ET.Element:
        begins = starts[coding.paragraph - 1]
        paragraph = transcript.paragraphs[coding.paragraph - 1][1]
        start = begins + (coding.start_char or 0)
        end = begins + (len(paragraph) if coding.end_char is None else coding.end_char)
        guid = stable_guid("coding", coding.id)
        coder, when = user_guid(coding.coder), _when(coding.coded)
        selection = ET.Element(
            "PlainTextSelection",
            {
                "guid": guid,
                "name": f"Paragraph {coding.paragraph}",
                "startPosition": str(start),
                "endPosition": str(end),
                "creatingUser": coder,
                "creationDateTime": when,
            },
        )
        if coding.memo:
            ET.SubElement(selection, "Description").text = _text(coding.memo)
        for key in coding.codes:
            attributes = {
                "guid": stable_guid("coding", coding.id, key),
                "creatingUser": coder,
                "creationDateTime": when,
            }
            applied = ET.SubElement(selection, "Coding", attributes)
            ET.SubElement(applied, "CodeRef", {"targetGUID": self.book[key].guid})
        if coding.memo:
            note = stable_guid("coding-memo", coding.id)
            title = f"Memo on paragraph {coding.paragraph} of {self.names[transcript.id]}"
            self._note(note, title, coding.memo, coding.coder, coding.coded)
            ET.SubElement(selection, "NoteRef", {"targetGUID": note})
        return selection

    def _note(self, guid: str, name: str, text: str, author: str, written: dt.date) -> None:
        attributes = {"guid": guid, "name": _text(name), "creatingUser": user_guid(author)}
        note = ET.Element("Note", {**attributes, "creationDateTime": _when(written)})
        ET.SubElement(note, "PlainTextContent").text = _text(text)
        self.notes.append(note)


def _variables() -> ET.Element:
    variables = ET.Element("Variables")
    for name, kind, description in VARIABLES:
        element = ET.SubElement(variables, "Variable", {"guid": stable_guid("variable", name), "name": name})
        element.set("typeOfVariable", kind)
        ET.SubElement(element, "Description").text = description
    return variables


def _with_missing_codes(book: Codebook, used: Iterable[str]) -> Codebook:
    """The codebook, plus a top-level code for any key a passage holds that the codebook no longer does, so
    every coding travels and every ``CodeRef`` points at a code."""
    missing = sorted(set(used) - set(book.keys()))
    if not missing:
        return book
    whole = Codebook(book)
    for key in missing:
        whole.add_code(Code(key=key, name=key, definition="A code passages hold that coprod's codebook no longer has."))
    return whole


def _source_names(transcripts: list, site_names: dict[int, str]) -> dict[int, str]:
    """Each transcript's title, with its site added where two share a title, and its number if still shared:
    tools list sources by name, and some rename or refuse a repeated one."""
    counts: dict[str, int] = {}
    for t in transcripts:
        counts[t.title.casefold()] = counts.get(t.title.casefold(), 0) + 1
    names = {
        t.id: t.title if counts[t.title.casefold()] == 1 else f"{t.title} ({site_names.get(t.site_id, t.site_id)})"
        for t in transcripts
    }
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    return {tid: name if seen[name.casefold()] == 1 else f"{name} #{tid}" for tid, name in names.items()}


def _project_description(content: ProjectContent, created: dt.datetime) -> str:
    sites = sorted({content.site_names.get(t.site_id, str(t.site_id)) for t in content.transcripts}, key=str.casefold)
    coded = len(content.codings)
    return _text(
        f"Interview transcripts and their coding, exported from coprod on {created.date().isoformat()}: "
        f"{len(content.transcripts)} transcript(s) from {', '.join(sites)}; "
        + (f"{coded} coded passage(s). " if coded else "no passage is coded yet. ")
        + "Each transcript's site, role group and interview date are in its description and its variables."
    )


def _when(value: dt.date | dt.datetime) -> str:
    """An ``xsd:dateTime`` in UTC; a date is taken as midnight."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return f"{value.isoformat()}T00:00:00Z"


def _text(value: str) -> str:
    """Text XML can carry: control characters (invisible, pasted in by accident) dropped."""
    return _NOT_XML.sub("", value)


# ---- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QdpxSource:
    guid: str
    name: str
    text: str
    description: str
    variables: dict[str, str]


@dataclass(frozen=True)
class QdpxCoding:
    """One code applied to one selection: where (code points, end not included), which code, by whom."""

    source: str
    source_guid: str
    start: int
    end: int
    code_guid: str
    code_key: str | None
    user: str | None
    memo: str


@dataclass(frozen=True)
class QdpxProject:
    name: str
    origin: str
    codebook: Codebook
    users: dict[str, str]
    sources: tuple[QdpxSource, ...]
    codings: tuple[QdpxCoding, ...]
    notes: dict[str, str]

    def text_of(self, coding: QdpxCoding) -> str:
        source = next(s for s in self.sources if s.guid == coding.source_guid)
        return source.text[coding.start : coding.end]


def read_qdpx(path: str | Path, known: Codebook | None = None) -> QdpxProject:
    """The project in the ``.qdpx`` at ``path``: its codebook (codes whose GUID is in ``known``, by default the
    shipped learning points, keep their keys), users, text sources with their text, coded selections and notes.
    Enough to check a project round-trips and to read the coding another tool did; picture, audio and video
    sources are passed over. Refused with :class:`QdpxRefused`."""
    path = Path(path)
    if not path.is_file():
        raise QdpxRefused(f"There is no file at {path}: check the name and the folder, then try again.")
    if not zipfile.is_zipfile(path):
        raise QdpxRefused(
            f"{path.name} is not a REFI-QDA project (a .qdpx is a zip file): export the project again from its tool."
        )
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        documents = [name for name in entries if "/" not in name and name.lower().endswith(".qde")]
        if not documents:
            raise QdpxRefused(f"{path.name} holds no project.qde, so it is not a REFI-QDA project.")
        root = _parse(_read(archive, entries[documents[0]], MAX_PROJECT_BYTES), path.name)
        namespace = refi._namespace(root.tag)
        if refi._local(root.tag) != "Project" or not namespace.startswith("urn:QDA-XML:project:"):
            raise QdpxRefused(
                f"{path.name} holds XML that is not a REFI-QDA project (it starts <{refi._local(root.tag)}>)."
            )
        return _project(root, namespace, archive, entries, known)


def _project(root: ET.Element, namespace: str, archive, entries, known: Codebook | None) -> QdpxProject:
    def tag(name: str) -> str:
        return refi._tag(namespace, name)

    book = _read_codebook(root, namespace, known)
    keys = {code.guid: code.key for code in book}
    users = {normal_guid(u.get("guid")): u.get("name") or "" for u in root.iterfind(f"{tag('Users')}/{tag('User')}")}
    notes = {
        normal_guid(note.get("guid")): (note.findtext(tag("PlainTextContent")) or "")
        for note in root.iterfind(f"{tag('Notes')}/{tag('Note')}")
    }
    variables = {
        normal_guid(v.get("guid")): v.get("name") or "" for v in root.iterfind(f"{tag('Variables')}/{tag('Variable')}")
    }
    sources, codings = [], []
    for element in root.iterfind(f"{tag('Sources')}/{tag('TextSource')}"):
        guid = normal_guid(element.get("guid")) or ""
        name = element.get("name") or ""
        values = {}
        for value in element.iterfind(tag("VariableValue")):
            ref = value.find(tag("VariableRef"))
            held = [child.text or "" for child in value if child is not ref]
            if ref is not None and held:
                values[variables.get(normal_guid(ref.get("targetGUID")), "")] = held[0]
        sources.append(
            QdpxSource(
                guid,
                name,
                _source_text(element, tag, archive, entries),
                element.findtext(tag("Description")) or "",
                values,
            )
        )
        for selection in element.iterfind(tag("PlainTextSelection")):
            memo = selection.findtext(tag("Description")) or next(
                (notes.get(normal_guid(ref.get("targetGUID")), "") for ref in selection.iterfind(tag("NoteRef"))), ""
            )
            for applied in selection.iterfind(tag("Coding")):
                ref = applied.find(tag("CodeRef"))
                code = normal_guid(ref.get("targetGUID")) if ref is not None else None
                if code is None:
                    continue
                user = applied.get("creatingUser") or selection.get("creatingUser")
                codings.append(
                    QdpxCoding(
                        source=name,
                        source_guid=guid,
                        start=_position(selection, "startPosition", name),
                        end=_position(selection, "endPosition", name),
                        code_guid=code,
                        code_key=keys.get(code),
                        user=users.get(normal_guid(user)) if user else None,
                        memo=memo,
                    )
                )
    return QdpxProject(
        name=root.get("name") or "",
        origin=root.get("origin") or "",
        codebook=book,
        users=users,
        sources=tuple(sources),
        codings=tuple(codings),
        notes=notes,
    )


def _read_codebook(root: ET.Element, namespace: str, known: Codebook | None) -> Codebook:
    """The project's codebook, read as :mod:`.refi` reads a ``.qdc`` (a project without one has none)."""
    book = root.find(refi._tag(namespace, "CodeBook"))
    codes = book.find(refi._tag(namespace, "Codes")) if book is not None else None
    if codes is None:
        return Codebook()
    found: list[Code] = []
    known_keys = {code.guid: code.key for code in (known if known is not None else load_codebook())}
    try:
        refi._gather(codes, None, namespace, known_keys, found)
        return Codebook(found)
    except (refi.QdcRefused, CodeInvalid) as refused:
        raise QdpxRefused(f"The project's codebook cannot be read: {refused}") from None


def _source_text(element: ET.Element, tag, archive, entries) -> str:
    inline = element.find(tag("PlainTextContent"))
    if inline is not None:
        return inline.text or ""
    where = element.get("plainTextPath") or ""
    if not where.startswith(INTERNAL):
        return ""  # an external file: not in the zip
    wanted = where[len(INTERNAL) :].lstrip("/")
    for name, info in entries.items():
        folder, _, file_name = name.rpartition("/")
        if folder.lower() == SOURCES_FOLDER and file_name == wanted:
            data = _read(archive, info, MAX_SOURCE_BYTES)
            return data.decode("utf-8-sig", errors="replace")
    raise QdpxRefused(
        f"The source {element.get('name')!r} points at {where}, which is not in the project's sources folder: "
        "export the project again from its tool."
    )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise QdpxRefused(
            f"{info.filename} in the project unpacks to {info.file_size / 1_000_000:.0f} MB, more than coprod reads."
        )
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise QdpxRefused(f"{info.filename} in the project unpacks to more than coprod reads.")
    return data


def _parse(data: bytes, file_name: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        line = error.position[0] if error.position else "?"
        raise QdpxRefused(
            f"The project.qde in {file_name} is not well-formed XML (the trouble starts on line {line}): "
            "export the project again from its tool."
        ) from None


def _position(selection: ET.Element, attribute: str, source: str) -> int:
    try:
        return int(selection.get(attribute, ""))
    except ValueError:
        raise QdpxRefused(
            f"A selection in {source!r} has no whole-number {attribute}: export the project again from its tool."
        ) from None
