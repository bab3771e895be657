"""Coding transcripts through the Python API: the programme's codebook, passages coded, memos written.

The coding workbook's widgets call these too, so a passage coded by hand in JupyterLab and one coded in a
script are the same record. A passage is a whole paragraph, or characters ``start_char`` up to ``end_char``
of it; :func:`code_range` takes a range of the whole transcript's text (paragraphs joined by a blank line,
as :func:`transcript_text` gives it) and codes each paragraph it touches. Every write is one transaction
with history; a refused one saves nothing.

    book = codebook(store)
    code_passage(store, transcript_id, 4, ["lp2", "lp2-stopped-coming"], coder="AB")
    code_range(store, transcript_id, 120, 380, ["lp1"], coder="CD", memo="Compare with the minutes.")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..problems import FieldProblem, RecordInvalid
from .codebook import Code, Codebook, shipped_codebook

#: Paragraphs are joined by this in a transcript's whole text (the offsets :func:`code_range` takes).
PARAGRAPH_BREAK = "\n\n"


# ---- the codebook ------------------------------------------------------------------------------------------


def codebook(store) -> Codebook:
    """The shipped learning-point codes, then the team's own codes in the order they were added."""
    book = Codebook(shipped_codebook())
    for record in sorted(store.records("interview_code"), key=lambda code: code.id):
        book.add_code(record.as_code())
    return book


def add_code(
    store,
    key: str,
    name: str,
    definition: str = "",
    example: str = "",
    *,
    parent: str | None = None,
    codable: bool = True,
    who: str,
) -> Code:
    """Add the team's own code to the programme's codebook, usually under a learning point (``parent="lp2"``)."""
    values = {"key": key, "name": name, "definition": definition, "example": example, "parent": parent}
    record = store.add("interview_code", {**values, "codable": codable, "added": dt.date.today()}, who)
    return record.as_code()


def add_codes(store, codes: Iterable[Code], who: str) -> list[Code]:
    """Codes from elsewhere (a ``.qdc`` codebook) not already in the codebook, added in one transaction.

    A code already here (same key, or the same GUID) is passed over, so importing the same codebook twice adds
    nothing the second time. Returns the codes added.
    """
    known = codebook(store)
    guids = {code.guid for code in known}
    added = []
    with store.writing() as conn:
        for code in codes:
            if code.key in known or code.guid in guids:
                continue
            values = {
                "key": code.key,
                "name": code.name,
                "definition": code.definition,
                "example": code.example,
                "parent": code.parent,
                "codable": code.codable,
                "guid": code.guid,
                "added": dt.date.today(),
            }
            added.append(store.add("interview_code", values, who, conn=conn).as_code())
            known.add_code(added[-1])
            guids.add(code.guid)
    return added


def write_memo(store, code_key: str, text: str, written_by: str, who: str | None = None):
    """A memo on a code (shipped or the team's own): what it covers, a question, a pattern across sites."""
    values = {"code_key": code_key, "text": text, "written_by": written_by, "written": dt.date.today()}
    return store.add("code_memo", values, who or written_by)


def memos(store, code_key: str | None = None) -> list:
    """Memos on codes, oldest first; only those on ``code_key`` if given."""
    found = store.records("code_memo")
    return sorted((m for m in found if code_key is None or m.code_key == code_key), key=lambda m: (m.written, m.id))


# ---- passages ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """Where an excerpt is: a whole paragraph (no characters given), or characters of it."""

    transcript_id: int
    paragraph: int
    start_char: int | None = None
    end_char: int | None = None


def transcript_text(transcript) -> str:
    """The transcript's whole text: its paragraphs in order, a blank line between each."""
    return PARAGRAPH_BREAK.join(text for _kind, text in transcript.paragraphs)


def paragraph_starts(transcript) -> list[int]:
    """Where each paragraph starts in :func:`transcript_text` (the first at 0)."""
    starts, at = [], 0
    for _kind, text in transcript.paragraphs:
        starts.append(at)
        at += len(text) + len(PARAGRAPH_BREAK)
    return starts


def passages_in_range(transcript, start: int, end: int) -> list[Passage]:
    """The passage of each paragraph the range ``start`` up to ``end`` of the whole text touches; a paragraph
    covered from its first character to its last is the whole paragraph. Refused if the range is empty, outside
    the text or only the blank lines between paragraphs."""
    total = len(transcript_text(transcript))
    if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= total:
        raise RecordInvalid(
            [FieldProblem("end_char", f"To character: give a range inside the text, 0 to {total}, end after start.")]
        )
    found = []
    for number, (begins, (_kind, text)) in enumerate(
        zip(paragraph_starts(transcript), transcript.paragraphs, strict=True), start=1
    ):
        first, last = max(start, begins), min(end, begins + len(text))
        if first >= last:
            continue
        whole = first == begins and last == begins + len(text)
        found.append(Passage(transcript.id, number, *((None, None) if whole else (first - begins, last - begins))))
    if not found:
        raise RecordInvalid(
            [FieldProblem("end_char", "To character: the range holds only the space between paragraphs.")]
        )
    return found


def passage_text(transcript, passage: Passage) -> str:
    text = transcript.paragraphs[passage.paragraph - 1][1]
    return text if passage.start_char is None else text[passage.start_char : passage.end_char]


def _coding_for(store, conn, passage: Passage, coder: str):
    """This coder's coding of exactly this passage, if there is one."""
    from ..schema import TABLES

    table = TABLES["coding"]
    query = select(table.c.id).where(
        table.c.transcript_id == passage.transcript_id,
        table.c.paragraph == passage.paragraph,
        table.c.start_char.is_(None) if passage.start_char is None else table.c.start_char == passage.start_char,
        table.c.end_char.is_(None) if passage.end_char is None else table.c.end_char == passage.end_char,
        table.c.coder == coder.strip(),
    )
    found = conn.execute(query).scalar()
    return None if found is None else store._get(conn, "coding", found)


def _apply(store, conn, passage: Passage, site_id: int, codes: Sequence[str], coder: str, changes: dict, who: str):
    existing = _coding_for(store, conn, passage, coder)
    if existing is None:
        values = {
            "site_id": site_id,
            "transcript_id": passage.transcript_id,
            "paragraph": passage.paragraph,
            "start_char": passage.start_char,
            "end_char": passage.end_char,
            "codes": list(dict.fromkeys(codes)),
            "coder": coder,
            "coded": dt.date.today(),
            **changes,
        }
        return store.add("coding", values, who, conn=conn)
    merged = list(dict.fromkeys([*existing.codes, *codes]))
    update = {"codes": merged, "coded": dt.date.today(), **changes}
    return store.update("coding", existing.id, update, who, conn=conn)


def _transcript(store, conn, transcript_id: int):
    found = store._get(conn, "transcript", transcript_id)
    if found is None:
        raise RecordInvalid(
            [FieldProblem("transcript_id", f"Transcript: there is no transcript number {transcript_id}.")]
        )
    return found


def code_passage(
    store,
    transcript_id: int,
    paragraph: int,
    codes: Sequence[str],
    coder: str,
    *,
    start_char: int | None = None,
    end_char: int | None = None,
    memo: str | None = None,
    quote: bool | None = None,
    who: str | None = None,
):
    """Apply ``codes`` to a paragraph (or characters of it) as ``coder``; codes the coder already applied there
    stay. ``memo`` and ``quote`` change only when given. Returns the coding."""
    changes = {k: v for k, v in (("memo", memo), ("quote", quote)) if v is not None}
    passage = Passage(transcript_id, paragraph, start_char, end_char)
    with store.writing() as conn:
        site_id = _transcript(store, conn, transcript_id).site_id
        return _apply(store, conn, passage, site_id, codes, coder, changes, who or coder)


def set_codes(
    store,
    passage: Passage,
    codes: Sequence[str],
    coder: str,
    *,
    memo: str | None = None,
    quote: bool | None = None,
    who: str | None = None,
):
    """Make ``codes`` exactly ``coder``'s codes for the passage, in one transaction: codes not listed come off,
    and with none listed the coding goes. What the coding workbook's Save does. Returns the coding, or None."""
    changes = {k: v for k, v in (("memo", memo), ("quote", quote)) if v is not None}
    with store.writing() as conn:
        site_id = _transcript(store, conn, passage.transcript_id).site_id
        existing = _coding_for(store, conn, passage, coder)
        if not codes:
            if existing is not None:
                store.delete("coding", existing.id, who or coder, conn=conn)
            return None
        if existing is not None:
            wanted = list(dict.fromkeys(codes))
            return store.update("coding", existing.id, {"codes": wanted, "coded": dt.date.today(), **changes},
                                who or coder, conn=conn)  # fmt: skip
        return _apply(store, conn, passage, site_id, codes, coder, changes, who or coder)


def code_range(
    store,
    transcript_id: int,
    start: int,
    end: int,
    codes: Sequence[str],
    coder: str,
    *,
    memo: str | None = None,
    quote: bool | None = None,
    who: str | None = None,
) -> list:
    """Apply ``codes`` to characters ``start`` up to ``end`` of the transcript's whole text: one coding per
    paragraph it touches, all saved or none. Returns the codings."""
    changes = {k: v for k, v in (("memo", memo), ("quote", quote)) if v is not None}
    with store.writing() as conn:
        transcript = _transcript(store, conn, transcript_id)
        return [
            _apply(store, conn, passage, transcript.site_id, codes, coder, changes, who or coder)
            for passage in passages_in_range(transcript, start, end)
        ]


def uncode(store, coding_id: int, codes: Sequence[str], who: str):
    """Take ``codes`` off a coding; with none left the coding goes (its history keeps it). Returns the coding
    left, or None."""
    with store.writing() as conn:
        coding = store._get(conn, "coding", coding_id)
        if coding is None:
            raise RecordInvalid([FieldProblem("id", f"There is no coded passage number {coding_id}.")])
        left = [code for code in coding.codes if code not in set(codes)]
        if not left:
            store.delete("coding", coding_id, who, conn=conn)
            return None
        return store.update("coding", coding_id, {"codes": left}, who, conn=conn)


def codings(store, transcript_id: int | None = None, coder: str | None = None) -> list:
    """Coded passages in transcript and paragraph order; only one transcript's or one coder's if given."""
    from ..schema import TABLES

    table = TABLES["coding"]
    query = select(table)
    if transcript_id is not None:
        query = query.where(table.c.transcript_id == transcript_id)
    if coder is not None:
        query = query.where(table.c.coder == coder.strip())
    query = query.order_by(table.c.transcript_id, table.c.paragraph, table.c.start_char, table.c.id)
    with store.engine.connect() as conn:
        return store._result_to_records("coding", conn.execute(query))


def coders(store) -> list[str]:
    """Everyone who has coded a passage, in alphabetical order."""
    from ..schema import TABLES

    table = TABLES["coding"]
    with store.engine.connect() as conn:
        return sorted(conn.execute(select(table.c.coder).distinct()).scalars(), key=str.casefold)
