"""Excerpts: coded passages with their text, site and role group, for the matrices, the reports and the CSV.

An excerpt is one code on one coded passage, so a passage coded lp1 and lp2 is two excerpts. Its text is
the passage's, from a transcript already pseudonymised on import; a site and a role group say where it came
from, never who. Two coders' excerpts of the same passage and code are one passage in counts
(:func:`passage_key`), so double-coding a sample does not double its weight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..choices import RoleGroup
from .codebook import Codebook
from .coding import Passage, passage_text

#: The role group of a transcript whose speakers came from several groups (a workshop).
SEVERAL_GROUPS = "Several role groups"
#: A quote in a report is at most this many words; a longer passage is quoted up to a sentence end, with "…".
QUOTE_WORDS = 80


@dataclass(frozen=True)
class Excerpt:
    coding_id: int
    transcript_id: int
    transcript: str
    site_id: int
    site: str
    role_group: str | None  # the code, e.g. "carer"; None for several groups
    paragraph: int
    start_char: int | None
    end_char: int | None
    code: str
    coder: str
    coded: dt.date
    text: str
    memo: str
    quote: bool

    @property
    def passage(self) -> Passage:
        return Passage(self.transcript_id, self.paragraph, self.start_char, self.end_char)

    @property
    def role_label(self) -> str:
        return RoleGroup(self.role_group).label if self.role_group else SEVERAL_GROUPS

    @property
    def words(self) -> int:
        return len(self.text.split())


def passage_key(excerpt: Excerpt) -> tuple:
    """The same passage and code whoever coded it."""
    return (excerpt.transcript_id, excerpt.paragraph, excerpt.start_char, excerpt.end_char, excerpt.code)


def excerpts_from(transcripts: Iterable, codings: Iterable, site_names: dict[int, str]) -> list[Excerpt]:
    """One excerpt per code per coding, in transcript, paragraph and coder order."""
    by_id = {transcript.id: transcript for transcript in transcripts}
    found = []
    for coding in codings:
        transcript = by_id.get(coding.transcript_id)
        if transcript is None:
            continue
        passage = Passage(coding.transcript_id, coding.paragraph, coding.start_char, coding.end_char)
        text = passage_text(transcript, passage)
        role = transcript.role_group.value if transcript.role_group else None
        for code in coding.codes:
            found.append(
                Excerpt(
                    coding_id=coding.id,
                    transcript_id=transcript.id,
                    transcript=transcript.title,
                    site_id=transcript.site_id,
                    site=site_names.get(transcript.site_id, f"site {transcript.site_id}"),
                    role_group=role,
                    paragraph=coding.paragraph,
                    start_char=coding.start_char,
                    end_char=coding.end_char,
                    code=code,
                    coder=coding.coder,
                    coded=coding.coded,
                    text=text,
                    memo=coding.memo,
                    quote=coding.quote,
                )
            )
    found.sort(key=lambda e: (e.site.casefold(), e.transcript_id, e.paragraph, e.start_char or 0, e.coder, e.code))
    return found


def excerpts(store, site_ids: Iterable[int] | None = None) -> list[Excerpt]:
    """Every excerpt in the store, or only those of ``site_ids``."""
    wanted = None if site_ids is None else set(site_ids)
    names = {site.id: site.name for site in store.sites()}
    transcripts = [t for t in store.records("transcript") if wanted is None or t.site_id in wanted]
    kept = {t.id for t in transcripts}
    codings = [c for c in store.records("coding") if c.transcript_id in kept]
    return excerpts_from(transcripts, codings, names)


def under(book: Codebook, code: str) -> set[str]:
    """``code`` and every code beneath it: a learning point's excerpts include its sub-codes'."""
    keys = {code}
    for other in book:
        if any(ancestor.key == code for ancestor in book.ancestors(other.key)):
            keys.add(other.key)
    return keys


def top_code(book: Codebook, code: str) -> str:
    """The top-level code ``code`` sits under (itself at the top); a code no longer in the codebook, itself."""
    if code not in book:
        return code
    ancestors = book.ancestors(code)
    return ancestors[-1].key if ancestors else code


def strongest(
    found: Iterable[Excerpt], book: Codebook, code: str, limit: int = 3, marked_only: bool = False
) -> list[Excerpt]:
    """The excerpts to quote for ``code`` (with its sub-codes): passages a coder marked to quote first (with
    ``marked_only``, as the reports ask, only those), then those more coders applied the code to, then those of
    a quotable length (12 to 80 words), then the longer; one per passage, and no more than one per transcript
    while others are left, so one voice does not fill the section."""
    keys = under(book, code)
    marked = {passage_key(e)[:4] for e in found if e.quote and e.code in keys}
    passages: dict[tuple, list[Excerpt]] = {}
    for excerpt in found:
        if excerpt.code in keys and (not marked_only or passage_key(excerpt)[:4] in marked):
            passages.setdefault(passage_key(excerpt)[:4], []).append(excerpt)

    def strength(group: list[Excerpt]) -> tuple:
        words = group[0].words
        quotable = 12 <= words <= QUOTE_WORDS
        coders = len({e.coder for e in group})
        return (not any(e.quote for e in group), -coders, not quotable, -min(words, QUOTE_WORDS), group[0].coding_id)

    ranked = [group[0] for group in sorted(passages.values(), key=strength)]
    chosen, transcripts = [], set()
    for excerpt in ranked:
        if excerpt.transcript_id not in transcripts:
            chosen.append(excerpt)
            transcripts.add(excerpt.transcript_id)
    for excerpt in ranked:  # fewer transcripts than the limit: a second passage from one is better than none
        if len(chosen) >= limit:
            break
        if excerpt not in chosen:
            chosen.append(excerpt)
    return chosen[:limit]


def quoted(text: str, words: int = QUOTE_WORDS) -> str:
    """The passage as a report quotes it: whole if short, else cut at a sentence end (or a word) with "…"."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    cut = " ".join(parts[:words])
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return (cut[: end + 1] if end > len(cut) // 2 else cut) + " …"
