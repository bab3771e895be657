"""Importing a transcript into the store: read, names replaced, checked, and stored in one transaction.

The names list is used and forgotten: the store keeps the text with pseudonyms in it and how many names
were replaced, never the list, so the store cannot be used to put names back. A listed name still found after
replacing (it cannot happen unless the replacing has a fault) refuses the import: text with a listed name
in it is never stored.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass

from ..choices import RoleGroup
from ..problems import FieldProblem, RecordInvalid
from .pseudonyms import names_left, pseudonymise, pseudonymise_transcript
from .transcripts import Transcript, read_transcript

#: A title typed for the transcript, or made from the file's name, fits a record's name (200 characters).
TITLE_LIMIT = 200
#: Words that mean "people from several role groups spoke" (a workshop): the transcript has no one role group.
SEVERAL_ROLES = ("", "mixed", "several", "workshop", "group", "none")


class TranscriptRefused(ValueError):
    """The transcript cannot be imported (no such site, a listed name left); one line saying why. Nothing saved."""


@dataclass(frozen=True)
class ImportedTranscript:
    """What the import stored (``record``) and how often each listed name was replaced (not stored)."""

    record: object
    paragraphs: int
    words: int
    replaced: dict[str, int]

    @property
    def names_not_found(self) -> list[str]:
        """Listed names that were not in the transcript: worth a look for a misspelling."""
        return [name for name, count in self.replaced.items() if count == 0]


def role_group_of(value: object) -> str | None:
    """A role group given as its code ("carer") or its label ("Carer"); None for people from several groups."""
    if value is None or isinstance(value, RoleGroup):
        return None if value is None else value.value
    text = str(value).strip()
    if text.casefold() in SEVERAL_ROLES:
        return None
    for group in RoleGroup:
        if text.casefold() in (group.value.casefold(), group.label.casefold()):
            return group.value
    choices = ", ".join(group.value for group in RoleGroup)
    raise RecordInvalid(
        [
            FieldProblem(
                "role_group",
                f"Interviewee's role group: {text!r} is not one; use one of {choices}, or 'mixed' for a workshop "
                "with people from several groups.",
            )
        ]
    )


def title_from(file_name: str) -> str:
    """A title from the file's name: "interview_03-carer.docx" reads "Interview 03 carer"."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    words = " ".join(stem.replace("_", " ").replace("-", " ").split()) or "Transcript"
    return (words[:1].upper() + words[1:])[:TITLE_LIMIT]


def transcript_values(
    transcript: Transcript,
    site_id: int,
    *,
    role_group: object,
    interviewed: object,
    title: str | None,
    names_replaced: int,
    imported: dt.date | None = None,
) -> dict:
    """The record ``store.add("transcript", ...)`` takes for a read (and already pseudonymised) transcript."""
    return {
        "site_id": site_id,
        "title": (title or "").strip() or title_from(transcript.file_name),
        "file_name": transcript.file_name[:TITLE_LIMIT],
        "checksum": transcript.sha256,
        "file_format": transcript.format,
        "role_group": role_group_of(role_group),
        "interviewed": interviewed,
        "imported": imported or dt.date.today(),
        "names_replaced": names_replaced,
        "paragraphs": [[paragraph.kind.value, paragraph.text] for paragraph in transcript.paragraphs],
    }


def import_transcript(
    store,
    path: str | pathlib.Path,
    site_name: str,
    *,
    role_group: object,
    interviewed: object,
    who: str,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> ImportedTranscript:
    """Read ``path`` (.txt, .md or .docx), replace the listed ``names`` by their pseudonyms, and store it at
    ``site_name``. Raises :class:`~.transcripts.TranscriptUnreadable`, :class:`TranscriptRefused` or
    :class:`~coprod_widgets.problems.RecordInvalid` (a field wrong, the same file already imported); in each
    case nothing was stored."""
    site = store.site_named(site_name)
    if site is None:
        raise TranscriptRefused(f"There is no site called {site_name!r}. Check the name with coprod site list.")
    transcript = read_transcript(path)
    return store_transcript(
        store, transcript, site.id, role_group=role_group, interviewed=interviewed, who=who, names=names, title=title
    )


def store_transcript(
    store,
    transcript: Transcript,
    site_id: int,
    *,
    role_group: object,
    interviewed: object,
    who: str,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> ImportedTranscript:
    """Store a transcript already read (the workbook's upload reads it from memory); see :func:`import_transcript`."""
    replaced: dict[str, int] = {}
    if names:
        transcript, replaced = pseudonymise_transcript(transcript, names)
        if title:
            title, in_title = pseudonymise(title, names)
            replaced = {name: count + in_title[name] for name, count in replaced.items()}
        left = _names_left(transcript, title, names)
        if left:
            raise TranscriptRefused(
                f"{len(left)} listed name(s) were still in the text after replacing, so nothing was stored. "
                "Check the names list for a name that is part of a pseudonym."
            )
    values = transcript_values(
        transcript,
        site_id,
        role_group=role_group,
        interviewed=interviewed,
        title=title,
        names_replaced=sum(replaced.values()),
    )
    record = store.add("transcript", values, who)
    words = sum(len(paragraph.text.split()) for paragraph in transcript.paragraphs)
    return ImportedTranscript(record=record, paragraphs=len(transcript.paragraphs), words=words, replaced=replaced)


def _names_left(transcript: Transcript, title: str | None, names: Mapping[str, str]) -> list[str]:
    text = "\n".join([transcript.file_name, title or "", *(paragraph.text for paragraph in transcript.paragraphs)])
    return names_left(text, names)
