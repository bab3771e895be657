"""REFI-QDA codebook exchange: a :class:`~.codebook.Codebook` to and from a ``.qdc`` file.

The REFI-QDA standard (www.qdasoftware.org, Codebook.xsd) is how NVivo, ATLAS.ti, MAXQDA, QualCoder and
Taguette pass codebooks to one another, so evaluators can code transcripts in the tool they know against the
learning points. A ``.qdc`` is XML: a ``CodeBook`` (namespace ``urn:QDA-XML:codebook:1.0``) holding ``Codes``,
each ``Code`` with a ``guid``, a ``name``, ``isCodable`` and an optional ``Description``, sub-codes nested inside.

The standard has no place for a code's key or its example, so the example travels in the description after a
line break and ``Example:``, and keys are recovered on the way back: from the GUID when the code is one coprod
knows (GUIDs are made from keys), else from the name. Projects (``.qdpx``) are not handled here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .. import __version__
from .codebook import Code, Codebook, CodeInvalid, guid_for, key_from_name, load_codebook, normal_guid

NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Any version of the codebook namespace is read; a REFI-QDA project file's codebook is read too.
_CODEBOOK_NAMESPACES = "urn:QDA-XML:codebook:"
_PROJECT_NAMESPACES = "urn:QDA-XML:project:"
ORIGIN = f"coprod {__version__}"
EXAMPLE_LABEL = "Example:"
_EXAMPLE = re.compile(r"(?:\A|\n[ \t]*\n)[ \t]*Example:[ \t]*")
#: A codebook of thousands of codes is well under a megabyte; anything this big is the wrong file.
MAX_BYTES = 20 * 1024 * 1024
#: Codebooks nest a few levels; a file nested deeper than this is damaged or hostile.
MAX_DEPTH = 50


class QdcRefused(ValueError):
    """A file that cannot be read as a REFI-QDA codebook. The message is one plain-English line saying what to do."""


# ---- export ------------------------------------------------------------------------------------------------


def description_of(code: Code) -> str:
    """What a ``Description`` holds: the definition, then the example after a blank line and ``Example:``."""
    parts = [code.definition] if code.definition else []
    if code.example:
        parts.append(f"{EXAMPLE_LABEL} {code.example}")
    return "\n\n".join(parts)


def export_qdc(codebook: Codebook, origin: str = ORIGIN) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document: UTF-8 bytes with an XML declaration, indented to read."""
    if not len(codebook):
        raise ValueError("The codebook has no codes, and a REFI-QDA codebook needs at least one: add a code first.")
    # Written with plain tags and the namespace declared on the root: ElementTree's default_namespace option
    # refuses attributes without a namespace, and REFI-QDA's attributes have none.
    root = ET.Element("CodeBook", {"xmlns": NAMESPACE, "origin": origin})
    codes = ET.SubElement(root, "Codes")
    elements: dict[str | None, ET.Element] = {None: codes}
    for code, _depth in codebook.walk():
        attributes = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
        element = ET.SubElement(elements[code.parent], "Code", attributes)
        description = description_of(code)
        if description:
            ET.SubElement(element, "Description").text = description
        elements[code.key] = element
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")


def write_qdc(codebook: Codebook, path: str | Path, origin: str = ORIGIN) -> Path:
    """Write :func:`export_qdc` to ``path`` (conventionally ending ``.qdc``) and return the path."""
    path = Path(path)
    path.write_bytes(export_qdc(codebook, origin=origin))
    return path


# ---- import ------------------------------------------------------------------------------------------------


def split_description(text: str) -> tuple[str, str]:
    """(definition, example) from a ``Description``; all definition when it has no ``Example:`` paragraph."""
    match = _EXAMPLE.search(text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.end() :].strip()


def read_qdc(path: str | Path, known: Codebook | None = None) -> Codebook:
    """The codebook in the ``.qdc`` file at ``path``; see :func:`import_qdc`."""
    path = Path(path)
    if not path.is_file():
        raise QdcRefused(f"There is no file at {path}: check the name and the folder, then try again.")
    if path.stat().st_size > MAX_BYTES:
        raise QdcRefused(_too_big(path.stat().st_size))
    return import_qdc(path.read_bytes(), known=known)


def import_qdc(source: bytes | str, known: Codebook | None = None) -> Codebook:
    """A codebook from the text of a ``.qdc`` file, however the tool that wrote it laid it out.

    Nested codes become sub-codes. A code whose GUID is one in ``known`` (by default the shipped learning
    points) keeps that code's key, so a codebook sent through another tool comes back with ``lp1`` to ``lp8``;
    other codes get keys made from their names, unique within the codebook. Elements the standard allows and
    coprod does not use (colours, sets, notes) are passed over. Refused with :class:`QdcRefused`.
    """
    if len(source) > MAX_BYTES:
        raise QdcRefused(_too_big(len(source)))
    if isinstance(source, bytes) and source.startswith(b"PK\x03\x04"):
        raise QdcRefused(
            "This is a zipped file (a REFI-QDA project, .qdpx, perhaps), not a codebook: export the codebook on "
            "its own as a REFI-QDA codebook (.qdc) and import that."
        )
    try:
        root = ET.fromstring(source)
    except ET.ParseError as error:
        line = error.position[0] if error.position else "?"
        raise QdcRefused(
            f"This file is not well-formed XML (the trouble starts on line {line}), so it cannot be a codebook: "
            "export the codebook again from its tool as a REFI-QDA codebook (.qdc)."
        ) from None
    book = _codebook_element(root)
    namespace = _namespace(book.tag)
    codes = book.find(_tag(namespace, "Codes"))
    if codes is None or codes.find(_tag(namespace, "Code")) is None:
        raise QdcRefused("This REFI-QDA codebook has no codes in it, so there is nothing to import.")
    found: list[Code] = []
    known_keys = {code.guid: code.key for code in (known if known is not None else load_codebook())}
    _gather(codes, None, namespace, known_keys, found)
    try:
        return Codebook(found)
    except CodeInvalid as refused:
        raise QdcRefused(f"This codebook cannot be imported as it is. {refused}") from None


def _codebook_element(root: ET.Element) -> ET.Element:
    """The ``CodeBook`` element: the root of a ``.qdc``, or the one inside a REFI-QDA project's ``.qde``."""
    namespace, name = _namespace(root.tag), _local(root.tag)
    if name == "CodeBook" and (namespace.startswith(_CODEBOOK_NAMESPACES) or not namespace):
        return root
    if name == "Project" and namespace.startswith(_PROJECT_NAMESPACES):
        book = root.find(_tag(namespace, "CodeBook"))
        if book is not None:
            return book
        raise QdcRefused("This REFI-QDA project has no codebook in it, so there is nothing to import.")
    raise QdcRefused(
        f"This file is XML but not a REFI-QDA codebook (it starts with <{name}>, not <CodeBook>): export the "
        "codebook from its tool as a REFI-QDA codebook (.qdc) and import that."
    )


def _gather(
    element: ET.Element, parent: str | None, namespace: str, known_keys: dict[str, str], found: list[Code], depth=0
) -> None:
    """Append the codes under ``element``, each followed by its own sub-codes (the order a Codebook needs)."""
    if depth > MAX_DEPTH:
        raise QdcRefused(f"This codebook nests codes more than {MAX_DEPTH} levels deep, so it looks damaged.")
    for item in element.findall(_tag(namespace, "Code")):
        name = (item.get("name") or "").strip()
        guid = normal_guid(item.get("guid"))
        if not name:
            where = f" (GUID {guid})" if guid else ""
            raise QdcRefused(
                f"A code in this codebook{where} has no name: name it in the tool it came from and export again."
            )
        taken = {code.key for code in found}
        key = known_keys.get(guid) if guid else None
        if key is None or key in taken:
            key = key_from_name(name, taken)
        if guid is not None and any(code.guid == guid for code in found):
            raise QdcRefused(
                f"This codebook gives the same GUID ({guid}) to two codes, one of them {name!r}: each code needs its "
                "own, so export it again from its tool."
            )
        description = item.find(_tag(namespace, "Description"))
        definition, example = split_description(description.text or "") if description is not None else ("", "")
        codable = (item.get("isCodable") or "true").strip().lower() not in ("false", "0")
        found.append(
            Code(
                key=key,
                name=name,
                definition=definition,
                example=example,
                parent=parent,
                codable=codable,
                guid=guid or guid_for(key),
            )
        )
        _gather(item, key, namespace, known_keys, found, depth + 1)


def _too_big(size: int) -> str:
    return (
        f"This file is {size / 1_000_000:.0f} MB, far too big for a codebook: choose the REFI-QDA codebook (.qdc) "
        "file, not a project or a recording."
    )


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
