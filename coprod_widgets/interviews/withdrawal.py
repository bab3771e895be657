"""Withdrawing an interview on request: the transcript, its coded passages and their text leave the store.

An interviewee may withdraw (UK GDPR, right to erasure; and most ethics approvals promise it). Deleting the
records is not enough, because the history keeps each record as it was: so in one transaction the codings
and the transcript are deleted, every history line about them has its text replaced by "[withdrawn]"
(the line itself stays, so the history still shows that something was recorded, when and by whom), the seals
are recomputed from the first line rewritten, and one more line records the withdrawal (who, when, why,
how much; never the text). Then the database is made to forget, as a partner's erasure does.

Counts that came from the transcript (matrices, reports) change with it: that is what withdrawing means.
Backups made before the withdrawal still hold the text: the README says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from .. import audit
from ..erasure import forget_old_bytes
from ..problems import FieldProblem, RecordInvalid
from ..schema import TABLES, history

WITHDRAWN = "[withdrawn]"
#: What each kind's history snapshots keep once withdrawn: numbers, dates and codes, never text.
TEXT_FIELDS = {"transcript": ("title", "file_name", "paragraphs"), "coding": ("memo",)}


@dataclass(frozen=True)
class Withdrawal:
    transcript_id: int
    site: str
    codings_deleted: int
    history_lines_rewritten: int
    seals_recomputed: int
    log_line: int
    files_note: str


def withdraw_transcript(store, transcript_id: int, reason: str, who: str) -> Withdrawal:
    """Delete transcript ``transcript_id`` and its coding, and its text from the history, in one transaction."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise RecordInvalid([FieldProblem("reason", "Reason: say why (for example, 'withdrew by e-mail, 3 May').")])
    with store.writing() as conn:
        transcript = store._get(conn, "transcript", transcript_id)
        if transcript is None:
            raise RecordInvalid([FieldProblem("id", f"There is no transcript number {transcript_id}.")])
        site = store._get(conn, "site", transcript.site_id)
        table = TABLES["coding"]
        coding_ids = list(conn.execute(select(table.c.id).where(table.c.transcript_id == transcript_id)).scalars())
        for coding_id in coding_ids:
            store.delete("coding", coding_id, who, conn=conn)
        store.delete("transcript", transcript_id, who, conn=conn)
        rewritten, first = _rewrite_history(conn, {"transcript": [transcript_id], "coding": coding_ids})
        resealed = audit.reseal(conn, from_id=first) if first is not None else 0
        note = {
            "withdrawn": "transcript",
            "reason": reason,
            "codings_deleted": len(coding_ids),
            "history_lines_rewritten": rewritten,
            "seals_recomputed_from_line": first,
            "seals_recomputed": resealed,
        }
        log_line = store._log(conn, who, "erase", "transcript", transcript_id, transcript.site_id, None, note)
    files_note = forget_old_bytes(store, touched=["transcript", "coding", "history"])
    return Withdrawal(transcript_id, site.name, len(coding_ids), rewritten, resealed, log_line, files_note)


def _rewrite_history(conn, records: dict[str, list[int]]) -> tuple[int, int | None]:
    rewritten, first = 0, None
    for kind, ids in records.items():
        if not ids:
            continue
        lines = select(history).where(history.c.record_type == kind, history.c.record_id.in_(ids))
        for row in conn.execute(lines.order_by(history.c.id)).all():
            old, new = (_withdrawn(kind, snapshot) for snapshot in (row.old, row.new))
            if (old, new) == (row.old, row.new):
                continue
            conn.execute(update(history).where(history.c.id == row.id).values(old=old, new=new))
            rewritten += 1
            first = row.id if first is None else min(first, row.id)
    return rewritten, first


def _withdrawn(kind: str, snapshot):
    if not isinstance(snapshot, dict):
        return snapshot
    out = dict(snapshot)
    for field in TEXT_FIELDS[kind]:
        if field in out:
            out[field] = [] if field == "paragraphs" else WITHDRAWN
    return out
