"""Replacing people's names in a transcript with pseudonyms before anything is stored, from a list the evaluator
gives; and checking that no listed name is left.
"""

from __future__ import annotations

import csv
import functools
import itertools
import pathlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .transcripts import Transcript, TranscriptUnreadable, decode_text

#: A names list is a few hundred lines at most.
MAX_NAMES_BYTES = 1024 * 1024

AUTO_PSEUDONYM = "Person {}"


class NamesInvalid(ValueError):
    """The names list has a line that cannot be used; the message names the line and says what to do."""


#: A name is a whole word when no letter, digit, underscore or combining accent touches it on either side, so
#: "Ann" is found in "Ann's" and "Ann-Marie" but not in "Annual" or "planning".
_WORDISH = r"\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_APOSTROPHES = "'’ʼ‘"
_HYPHENS = "-\u2010\u2011"
_COMMENT = re.compile(r"(?:^|\s)#.*$")


def _clean(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def _name_pattern(name: str) -> str:
    """A cleaned name as a regex: characters literal (so "O'Neil" or "(Jo)" mean what they say), a space
    matching any whitespace (a name may break across lines), and the apostrophes and hyphens Word substitutes
    as it types ("O’Neil", a non-breaking hyphen) matching their plain forms."""
    parts = []
    for char in name:
        if char == " ":
            parts.append(r"\s+")
        elif char in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        elif char in _HYPHENS:
            parts.append(f"[{_HYPHENS}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _whole_words(alternatives: str) -> re.Pattern[str]:
    """The word boundaries once around all the names: checked once per place in the text, not once per name."""
    return re.compile(f"(?<![{_WORDISH}])(?:{alternatives})(?![{_WORDISH}])", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _one_name(name: str) -> re.Pattern[str]:
    return _whole_words(_name_pattern(name))


@functools.lru_cache(maxsize=64)
def _all_names(names: tuple[str, ...]) -> re.Pattern[str]:
    """Cleaned names, longest first, as one pattern whose group "n<i>" is names[i]. Names starting with the
    same letter share a branch: without case the regex engine tries alternatives one by one, so a thousand
    names would cost a thousand tries at every word (16 times slower)."""
    branches: dict[str, tuple[str, list[str]]] = {}
    for i, name in enumerate(names):
        first = "'" if name[0] in _APOSTROPHES else "-" if name[0] in _HYPHENS else name[0].lower()
        branches.setdefault(first, (_name_pattern(name[0]), []))[1].append(f"(?P<n{i}>{_name_pattern(name[1:])})")
    return _whole_words("|".join(f"{head}(?:{'|'.join(tails)})" for head, tails in branches.values()))


@dataclass(frozen=True)
class _Replacer:
    pattern: re.Pattern[str] | None
    keys: tuple[str, ...]
    pseudonyms: tuple[str, ...]

    def apply(self, text: str, counts: dict[str, int]) -> str:
        text = unicodedata.normalize("NFC", text)
        if self.pattern is None:
            return text

        def swap(match: re.Match[str]) -> str:
            index = int(match.lastgroup[1:])
            counts[self.keys[index]] += 1
            return self.pseudonyms[index]

        return self.pattern.sub(swap, text)


def _replacer(names: Mapping[str, str]) -> _Replacer:
    """One pattern for every name, longest first, so "Ann Lee" is replaced whole before "Ann" or "Lee" is
    tried; one pass, so a pseudonym is never itself replaced."""
    entries: dict[str, tuple[str, str, str]] = {}  # casefolded name -> (name, key, pseudonym)
    for key, pseudonym in names.items():
        name = _clean(key)
        if not name:
            raise ValueError("A listed name is empty; remove that line from the names list.")
        earlier = entries.get(name.casefold())
        if earlier and earlier[2] != pseudonym:
            raise ValueError(f"{key!r} and {earlier[1]!r} are the same name with different pseudonyms; keep one.")
        entries.setdefault(name.casefold(), (name, key, pseudonym))
    ordered = sorted(entries.values(), key=lambda entry: (-len(entry[0]), entry[0]))
    pattern = _all_names(tuple(name for name, _, _ in ordered)) if ordered else None
    for _, key, pseudonym in ordered:
        if pattern and (left := pattern.search(unicodedata.normalize("NFC", pseudonym))):
            held = ordered[int(left.lastgroup[1:])][1]
            raise ValueError(f"The pseudonym {pseudonym!r} for {key!r} holds the listed name {held!r}; change it.")
    return _Replacer(
        pattern=pattern,
        keys=tuple(key for _, key, _ in ordered),
        pseudonyms=tuple(pseudonym for _, _, pseudonym in ordered),
    )


def pseudonymise(text: str, names: Mapping[str, str]) -> tuple[str, dict[str, int]]:
    """Replace each listed name (whole words, any case) by its pseudonym; "Ann's" becomes "P1's".

    Returns the text (NFC-normalised, so accents typed either way match) and how many times each name was
    replaced, 0 for a name not found. Raises ValueError if a pseudonym holds a listed name, which would leave
    that name in the text.
    """
    counts = dict.fromkeys(names, 0)
    return _replacer(names).apply(text, counts), counts


def pseudonymise_transcript(transcript: Transcript, names: Mapping[str, str]) -> tuple[Transcript, dict[str, int]]:
    """Every paragraph and the file name ("Ann Lee interview.docx" is stored too) with names replaced; the
    sha256 stays the source file's, so importing the same file again is still recognised."""
    replacer, counts = _replacer(names), dict.fromkeys(names, 0)
    paragraphs = tuple(replace(p, text=replacer.apply(p.text, counts)) for p in transcript.paragraphs)
    return replace(transcript, file_name=replacer.apply(transcript.file_name, counts), paragraphs=paragraphs), counts


def names_left(text: str, names: Iterable[str]) -> list[str]:
    """The listed names still in the text, matched as pseudonymise matches them; the import refuses to store
    text while this is not empty."""
    text = unicodedata.normalize("NFC", text)
    cleaned = {key: name for key in names if (name := _clean(key))}
    if not cleaned or not _all_names(tuple(sorted(set(cleaned.values()), key=lambda n: (-len(n), n)))).search(text):
        return []  # no name matches anywhere, so no one name can: the usual answer, found in one pass
    return [key for key, name in cleaned.items() if _one_name(name).search(text)]


def parse_names(text: str) -> dict[str, str]:
    """Names and their pseudonyms, one a line as ``Name = Pseudonym`` or CSV ``name,pseudonym`` (a header row
    "name,pseudonym" is skipped; a name holding a comma goes in double quotes). Blank lines and comments from
    "#" are ignored. A name without a pseudonym gets "Person 1", "Person 2"... in the order of the file,
    skipping any already given, so a list of names alone is enough and the numbers follow the file."""
    given: dict[str, str] = {}
    first: dict[str, str] = {}  # casefolded name -> the name as first written
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        cells = line.partition("=")[::2] if "=" in line else next(csv.reader([line]))
        if len(cells) > 2 and any(c.strip() for c in cells[2:]):
            raise NamesInvalid(
                f"Line {number} has more than two values ({line}); write it as Name = Pseudonym, "
                "with a name that holds a comma in double quotes."
            )
        name, pseudonym = _clean(cells[0]), _clean(cells[1]) if len(cells) > 1 else ""
        if not given and (name.casefold(), pseudonym.casefold()) == ("name", "pseudonym"):
            continue
        if not name:
            raise NamesInvalid(f"Line {number} has no name before its pseudonym; write it as Name = Pseudonym.")
        earlier = first.setdefault(name.casefold(), name)
        if earlier in given and pseudonym and given[earlier] not in ("", pseudonym):
            raise NamesInvalid(f"Line {number} gives {name} a second pseudonym ({pseudonym}); keep one.")
        given[earlier] = pseudonym or given.get(earlier, "")
    used = {p.casefold() for p in given.values()}
    numbers = (AUTO_PSEUDONYM.format(n) for n in itertools.count(1))
    fresh = (p for p in numbers if p.casefold() not in used)
    return {name: pseudonym or next(fresh) for name, pseudonym in given.items()}


def read_names(path: str | pathlib.Path) -> dict[str, str]:
    """A names list from a small text or CSV file (UTF-8, or Windows-1252 as Excel saves CSV)."""
    path = pathlib.Path(path)
    if path.stat().st_size > MAX_NAMES_BYTES:
        raise NamesInvalid(f"{path.name} is over 1 MB; a names list has one short line per person.")
    try:
        text, _ = decode_text(path.name, path.read_bytes(), "plain text (.txt or .csv)")
    except TranscriptUnreadable as error:
        raise NamesInvalid(str(error)) from error
    return parse_names(text)
