"""The interview codebook: the eight learning points as top-level codes, and the codes site teams add under them.

A code is known by its key (``lp2``, ``lp2-stopped-coming``), which never changes once passages are coded with
it; its name, definition and example may be reworded. Every code also has a GUID, the identity other
qualitative analysis tools (NVivo, ATLAS.ti, MAXQDA, QualCoder) keep when a codebook travels through a
REFI-QDA file. It is made from the key, so the same codebook exported twice carries the same GUIDs, and a
code that comes back from another tool is recognised as the one that left.

Every way in (the shipped YAML, a team adding a code, an imported ``.qdc``) goes through the same checks and is
refused with :class:`CodeInvalid`, whose messages name the field and say what to do; nothing is partly added.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from ..problems import FieldProblem, RecordInvalid
from ..settings import codebook_dir

#: The shipped codebook, in :func:`~coprod_widgets.settings.codebook_dir`.
LEARNING_POINTS_FILE = "learning-points.yaml"
#: Fixed for good: changing it would give every code a new GUID and break the link with codebooks elsewhere.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:coprod:interview-codebook")

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
MAX_KEY = 60
MAX_NAME = 200
MAX_TEXT = 4000
# No control characters: XML cannot carry them, and they are invisible on screen. Tabs and line breaks are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LABELS = {
    "key": "Key",
    "name": "Name",
    "definition": "Definition",
    "example": "Example",
    "parent": "Parent",
    "codable": "Codable",
    "guid": "GUID",
}
#: How many keys a message about an unknown parent lists before it stops.
_KEYS_SHOWN = 10


class CodeInvalid(RecordInvalid):
    """A code, or a codebook file, was refused; nothing was added. ``problems`` names each field at fault."""


def guid_for(key: str) -> str:
    """The GUID a code with this key always gets: the same on every load and every export."""
    return str(uuid.uuid5(GUID_NAMESPACE, key)).upper()


def normal_guid(value: object) -> str | None:
    """``value`` as an upper-case GUID (8-4-4-4-12 hex digits, braces dropped), or None if it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if not re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", text):
        return None
    return str(uuid.UUID(text)).upper()


def key_from_name(name: str, taken: Iterable[str] = ()) -> str:
    """A key made from a code's name ("Zoë's <b> & co" -> ``zoes-b-co``), with ``-2``, ``-3`` added until unused.

    For codes from other tools, which know codes by name and GUID only.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_name.replace("'", ""))
    stem = "-".join(words)[: MAX_KEY - 4].strip("-") or "code"
    taken = set(taken)
    key, number = stem, 2
    while key in taken:
        key, number = f"{stem}-{number}", number + 1
    return key


@dataclass(frozen=True)
class Code:
    """One code. ``parent`` is the key of the code it sits under (None at the top); ``codable`` is False for a
    heading that only groups other codes (some tools export those). Text is kept without surrounding spaces."""

    key: str
    name: str
    definition: str = ""
    example: str = ""
    parent: str | None = None
    codable: bool = True
    guid: str = ""

    def __post_init__(self):
        for name in ("key", "name", "definition", "example", "parent"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.replace("\r\n", "\n").replace("\r", "\n").strip())
        if self.parent == "":
            object.__setattr__(self, "parent", None)
        for name in ("definition", "example"):  # an empty entry in YAML reads as None
            if getattr(self, name) is None:
                object.__setattr__(self, name, "")
        if self.guid in ("", None) and isinstance(self.key, str):
            object.__setattr__(self, "guid", guid_for(self.key))
        else:
            object.__setattr__(self, "guid", normal_guid(self.guid) or self.guid)

    def problems(self) -> list[FieldProblem]:
        """What is wrong with this code on its own (the codebook checks keys, parents and GUIDs against others)."""
        found = []
        if not isinstance(self.key, str) or not self.key:
            found.append(_problem("key", "is required: give the code a short key, like 'lp2-transport'."))
        elif len(self.key) > MAX_KEY:
            found.append(_problem("key", f"is too long: keep it under {MAX_KEY} characters."))
        elif not KEY_PATTERN.match(self.key):
            found.append(
                _problem(
                    "key",
                    f"{self.key!r} can use only lower-case letters a-z and digits, with '-', '_' or '.' between "
                    "them, like 'lp2-transport': change it.",
                )
            )
        found += _text_problems("name", self.name, MAX_NAME, required=True)
        found += _text_problems("definition", self.definition, MAX_TEXT)
        found += _text_problems("example", self.example, MAX_TEXT)
        if self.parent is not None and not isinstance(self.parent, str):
            found.append(_problem("parent", f"must be the key of another code; you entered {self.parent!r}."))
        elif self.parent is not None and self.parent == self.key:
            found.append(_problem("parent", "cannot be the code itself: choose another code, or none."))
        if not isinstance(self.codable, bool):
            found.append(_problem("codable", f"must be yes or no (true or false); you entered {self.codable!r}."))
        if self.guid and normal_guid(self.guid) is None:
            found.append(_problem("guid", f"{self.guid!r} is not a GUID: leave it out and one is made from the key."))
        return found


def _problem(field: str, says: str) -> FieldProblem:
    return FieldProblem(field, f"{_LABELS[field]} {says}")


def _text_problems(field: str, value: object, longest: int, required: bool = False) -> list[FieldProblem]:
    if value is None or value == "":
        return [_problem(field, "is empty: please type it in.")] if required else []
    if not isinstance(value, str):
        return [_problem(field, f"must be text; you entered {value!r}.")]
    if len(value) > longest:
        return [_problem(field, f"is too long: keep it under {longest} characters.")]
    if _CONTROL.search(value):
        return [_problem(field, "contains a hidden control character (often from copying and pasting): retype it.")]
    return []


class Codebook:
    """Codes in tree order: each code followed by its sub-codes, codes under one parent in the order added.

    A code's parent must be in the codebook before the code is added, so a code can never end up inside
    itself; :meth:`move` checks that too.
    """

    def __init__(self, codes: Iterable[Code] = ()):
        self._codes: dict[str, Code] = {}
        for code in codes:
            try:
                self.add_code(code)
            except CodeInvalid as refused:
                where = code.key if isinstance(code.key, str) and code.key else f"number {len(self._codes) + 1}"
                raise CodeInvalid(
                    [FieldProblem(p.field, f"In the code {where!r}: {p.message}") for p in refused.problems]
                ) from None

    # ---- reading --------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[Code]:
        return (code for code, _depth in self.walk())

    def __contains__(self, key: object) -> bool:
        return key in self._codes

    def __getitem__(self, key: str) -> Code:
        return self._codes[key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codebook) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Codebook({len(self)} codes: {', '.join(self.keys())})"

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(self)

    def keys(self) -> list[str]:
        return [code.key for code in self]

    def get(self, key: str) -> Code | None:
        return self._codes.get(key)

    def top_level(self) -> list[Code]:
        return self.children(None)

    def children(self, key: str | None) -> list[Code]:
        """The codes directly under ``key`` (None: the top-level codes), in the order they were added."""
        return [code for code in self._codes.values() if code.parent == key]

    def ancestors(self, key: str) -> list[Code]:
        """The codes ``key`` sits inside, nearest first."""
        found, parent = [], self._codes[key].parent
        while parent is not None:
            found.append(self._codes[parent])
            parent = self._codes[parent].parent
        return found

    def walk(self) -> Iterator[tuple[Code, int]]:
        """Every code with its depth (0 at the top), each followed by its sub-codes: the order to show or export."""
        under: dict[str | None, list[Code]] = {}
        for code in self._codes.values():
            under.setdefault(code.parent, []).append(code)
        stack = [(code, 0) for code in reversed(under.get(None, []))]
        while stack:
            code, depth = stack.pop()
            yield code, depth
            stack.extend((child, depth + 1) for child in reversed(under.get(code.key, [])))

    # ---- changing ---------------------------------------------------------------------------------------

    def add(
        self,
        key: str,
        name: str,
        definition: str = "",
        example: str = "",
        *,
        parent: str | None = None,
        codable: bool = True,
    ) -> Code:
        """Add a team's own code, usually under a learning point (``parent="lp2"``). Returns the code added."""
        return self.add_code(
            Code(key=key, name=name, definition=definition, example=example, parent=parent, codable=codable)
        )

    def add_code(self, code: Code) -> Code:
        """Add ``code`` after checking it against the codes already here; refused whole with :class:`CodeInvalid`."""
        problems = code.problems()
        taken = self._codes.get(code.key) if isinstance(code.key, str) else None
        if taken is not None:
            problems.append(
                _problem("key", f"{code.key!r} is already used by the code {taken.name!r}: choose another key.")
            )
        if isinstance(code.parent, str) and code.parent != code.key and code.parent not in self._codes:
            problems.append(_problem("parent", f"{code.parent!r} is not a code in this codebook: {self._choose()}"))
        clash = next((other for other in self._codes.values() if other.guid == code.guid), None)
        if clash is not None and taken is None:
            problems.append(
                _problem(
                    "guid", f"{code.guid} is already the GUID of the code {clash.name!r}: each code needs its own."
                )
            )
        if problems:
            raise CodeInvalid(problems)
        self._codes[code.key] = code
        return code

    def move(self, key: str, parent: str | None) -> Code:
        """Put the code ``key`` (and its sub-codes) under ``parent``, or at the top level with None."""
        if key not in self._codes:
            raise CodeInvalid([_problem("key", f"{key!r} is not a code in this codebook: {self._choose()}")])
        if parent is not None and parent not in self._codes:
            raise CodeInvalid([_problem("parent", f"{parent!r} is not a code in this codebook: {self._choose()}")])
        if parent == key or any(code.key == key for code in (self.ancestors(parent) if parent else [])):
            raise CodeInvalid(
                [
                    _problem(
                        "parent",
                        f"{parent!r} is {key!r} itself or one of its sub-codes, so {key!r} cannot go under it: "
                        f"choose a code outside {key!r}.",
                    )
                ]
            )
        moved = replace(self._codes[key], parent=parent)
        self._codes[key] = moved
        return moved

    def _choose(self) -> str:
        keys = self.keys()
        if not keys:
            return "add that code first."
        shown = ", ".join(keys[:_KEYS_SHOWN]) + (", …" if len(keys) > _KEYS_SHOWN else "")
        return f"choose one of {shown}."


# ---- the shipped codebook ----------------------------------------------------------------------------------

_FIELDS = {f.name for f in fields(Code)}


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The learning-points codebook that came with coprod, or the YAML file at ``path`` written the same way.

    The file lists codes under ``codes:``; each may list its sub-codes under ``children:``.
    """
    path = Path(path) if path is not None else codebook_dir() / LEARNING_POINTS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CodeInvalid([FieldProblem("codes", f"{path.name} is not readable YAML: {error}")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodeInvalid([FieldProblem("codes", f"{path.name} must list its codes under 'codes:'.")])
    return Codebook(_codes_from(data["codes"], parent=None))


@functools.cache
def shipped_codebook() -> Codebook:
    """The codebook that came with coprod, read once per process: records check codes against it."""
    return load_codebook()


def _codes_from(entries: list, parent: str | None) -> Iterator[Code]:
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise CodeInvalid(
                [FieldProblem("codes", f"Code number {number} must be a key, a name and a definition; got {entry!r}.")]
            )
        entry = dict(entry)
        children = entry.pop("children", None) or []
        if not isinstance(children, list):
            raise CodeInvalid([FieldProblem("children", f"The sub-codes of code number {number} must be a list.")])
        unknown = sorted(set(entry) - _FIELDS - {"parent"})
        if unknown:
            raise CodeInvalid(
                [FieldProblem(name, f"'{name}' is not something a code records: remove it.") for name in unknown]
            )
        entry.setdefault("parent", parent)
        entry.setdefault("key", "")
        entry.setdefault("name", "")
        code = Code(**entry)
        yield code
        yield from _codes_from(children, parent=code.key)
