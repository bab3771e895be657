"""Interview evidence under each learning point: how many passages are coded to it, and the strongest quoted.

Every learning point's section ends with :func:`interview_evidence`, in the workbooks and the reports alike,
after its survey evidence. A quote is shown with the site and role group it came from (the role group alone
in one site's report), never a coder's or anyone's name; its text comes from a transcript already
pseudonymised on import, and is escaped. No transcripts, or nothing coded to the learning point, is said in
words, never shown as a zero. The excerpts are worked out once per :class:`ProgrammeData`, so a report's
eight learning points cost one pass over the codings, at 6 sites or 600.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html import escape
from types import SimpleNamespace

import pandas as pd
from IPython.display import HTML

from ..choices import RoleGroup
from ..interviews.codebook import Code, Codebook, shipped_codebook
from ..interviews.excerpts import Excerpt, excerpts_from, quoted, strongest, under
from ..interviews.matrix import code_label, code_matrix, matrix_html, transcript_counts
from . import scale
from .data import ProgrammeData
from .tables import note, paged_table

NO_TRANSCRIPTS = (
    "No interview transcripts have been imported for the sites, dates and groups shown, so there is no interview "
    "evidence here. Transcripts are added with coprod import-transcript or the interview coding workbook."
)
QUOTES = 3
NONE_MARKED = (
    "No passage coded to this learning point is marked to quote yet, so none is quoted here: a coder ticks "
    "Quote in reports in the interview coding workbook once the passage may be published."
)
#: Passages listed under each count of a matrix in the workbook; the live matrix lists them all.
PER_CELL = 20
TRANSCRIPT_COLUMNS = {
    "site": "Site",
    "transcripts": "Transcripts",
    "role_groups": "Role groups interviewed",
    "first": "First interview",
    "last": "Last interview",
    "coded": "Transcripts with a passage coded",
    "passages": "Passages coded",
}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _none(value):
    return None if value is None or (not isinstance(value, (list, str)) and pd.isna(value)) else value


# ---- the data, worked out once per ProgrammeData ------------------------------------------------------------


def interview_codebook(data: ProgrammeData) -> Codebook:
    """The shipped learning points with the team's own codes, when the data holds them (``interview_code``)."""
    return data.memo(("interview_codebook",), lambda: _codebook(data))


def _codebook(data: ProgrammeData) -> Codebook:
    book = Codebook(shipped_codebook())
    team = data.frames.get("interview_code", pd.DataFrame())
    for row in team.sort_values("id").itertuples(index=False) if not team.empty else []:
        book.add_code(Code(row.key, row.name, row.definition or "", row.example or "", _none(row.parent),
                           bool(row.codable), row.guid or ""))  # fmt: skip
    return book


def interview_transcripts(data: ProgrammeData) -> list:
    """The transcripts shown: those :func:`~.data.load_programme` kept for the sites, dates and role groups."""
    return data.memo(("interview_transcripts",), lambda: _transcripts(data))


def _transcripts(data: ProgrammeData) -> list:
    frame = data.frames.get("transcript", pd.DataFrame())
    found = []
    for row in frame.itertuples(index=False) if not frame.empty else []:
        role = row.role_group if isinstance(row.role_group, str) and row.role_group else None
        found.append(
            SimpleNamespace(id=row.id, site_id=row.site_id, title=row.title, interviewed=row.interviewed,
                            role_group=RoleGroup(role) if role else None, paragraphs=row.paragraphs)
        )  # fmt: skip
    return found


def interview_excerpts(data: ProgrammeData) -> list[Excerpt]:
    """Every excerpt of the transcripts shown, built once for all the sections that quote them."""
    return data.memo(("interview_excerpts",), lambda: _excerpts(data))


def _excerpts(data: ProgrammeData) -> list[Excerpt]:
    frame = data.frames.get("coding", pd.DataFrame())
    codings = [
        SimpleNamespace(
            id=row.id,
            transcript_id=row.transcript_id,
            paragraph=int(row.paragraph),
            start_char=None if pd.isna(row.start_char) else int(row.start_char),
            end_char=None if pd.isna(row.end_char) else int(row.end_char),
            codes=list(row.codes),
            coder=row.coder,
            coded=row.coded.date() if hasattr(row.coded, "date") else row.coded,
            memo=row.memo or "",
            quote=bool(row.quote),
        )  # fmt: skip
        for row in (frame.itertuples(index=False) if not frame.empty else [])
    ]
    return excerpts_from(interview_transcripts(data), codings, data.site_names())


# ---- under each learning point ----------------------------------------------------------------------------


def _quote_html(excerpt: Excerpt, one_site: bool) -> str:
    source = excerpt.role_label if one_site else f"{excerpt.site}, {excerpt.role_label}"
    return (
        f'<figure class="coprod-quote"><blockquote><p>{escape(quoted(excerpt.text))}</p></blockquote>'
        f"<figcaption>{escape(source)}</figcaption></figure>"
    )


def _under_name(book: Codebook, code: Code) -> str:
    """A sub-code's name with the codes above it: "Stopped coming (under LP2)"."""
    above = " › ".join(code_label(a.key) if a.parent is None else a.name for a in reversed(book.ancestors(code.key)))
    return f"{code.name} (under {above})" if above else code.name


def _code_rows(found: list[Excerpt], book: Codebook, lp: str) -> pd.DataFrame:
    rows = []
    for code in book:
        if code.key not in under(book, lp):
            continue
        mine = [e for e in found if e.code == code.key]
        rows.append(
            {
                "code": f"{code_label(code.key)} itself" if code.key == lp else _under_name(book, code),
                "passages": len({(e.transcript_id, e.paragraph, e.start_char, e.end_char) for e in mine}),
                "transcripts": len({e.transcript_id for e in mine}),
            }
        )
    return pd.DataFrame(rows)


def interview_evidence(data: ProgrammeData, lp: str) -> list:
    """How many passages are coded to ``lp`` (with its sub-codes) in how many transcripts, and the strongest of
    them quoted; or a line saying there are no transcripts, or none coded to ``lp``."""
    heading = HTML("<h3>Interview evidence</h3>")
    held = interview_transcripts(data)
    if not held:
        return [heading, note(NO_TRANSCRIPTS)]
    book = interview_codebook(data)
    keys = under(book, lp) if lp in book else {lp}
    found = [e for e in interview_excerpts(data) if e.code in keys]
    sites = {t.site_id for t in held}
    one_site = len(data.sites) <= 1
    if not found:
        said = "nothing in them is coded yet" if not interview_excerpts(data) else f"none is coded to {lp.upper()} yet"
        where = _count(len(held), "transcript") + ("" if one_site else f" from {_count(len(sites), 'site')}")
        return [
            heading,
            note(
                f"Interviews: {where}, but {said} (nor to the codes under it), so there is no interview evidence "
                "for this learning point (which is not the same as good or bad news)."
            ),
        ]
    passages = {(e.transcript_id, e.paragraph, e.start_char, e.end_char) for e in found}
    transcripts = {e.transcript_id for e in found}
    at = {e.site_id for e in found}
    where = "" if one_site else f", at {len(at)} of the {_count(len(sites), 'site')} with transcripts"
    parts = [
        heading,
        note(
            f"Interviews: {_count(len(passages), 'passage')} coded to {lp.upper()} or the codes under it, in "
            f"{len(transcripts)} of {_count(len(held), 'transcript')}{where}. A passage two coders coded counts once."
        ),
    ]
    counts = _code_rows(found, book, lp)
    if len(counts) > 1:
        parts.append(
            paged_table(
                counts,
                f"{lp.upper()} interview passages by code",
                {"code": "Code", "passages": "Passages", "transcripts": "Transcripts"},
                page=scale.PAGE_ROWS,
            )
        )
    chosen = strongest(found, book, lp, limit=QUOTES, marked_only=True)
    if not chosen:
        parts.append(note(NONE_MARKED))
        return parts
    said_where = "the role group" if one_site else "the site and role group"
    parts.append(
        HTML(
            f"<p>The strongest passages marked to quote, with {said_where} they came from (never a name):</p>"
            + "".join(_quote_html(e, one_site) for e in chosen)
        )
    )
    return parts


def with_interview_evidence(lp: str) -> Callable:
    """A learning point's section, followed by its interview evidence."""

    def wrap(section: Callable[..., list]) -> Callable[..., list]:
        @functools.wraps(section)
        def with_interviews(data: ProgrammeData, *args, **kwargs) -> list:
            return [*section(data, *args, **kwargs), *interview_evidence(data, lp)]

        return with_interviews

    return wrap


# ---- the analysis workbook's sections ---------------------------------------------------------------------


def transcripts(data: ProgrammeData) -> list:
    """The transcripts held per site: how many, which role groups, when, and how much of them is coded."""
    held = interview_transcripts(data)
    if not held:
        return [note(NO_TRANSCRIPTS)]
    found = interview_excerpts(data)
    names = data.site_names()
    rows = []
    for site_id in sorted({t.site_id for t in held}, key=lambda s: names.get(s, "").casefold()):
        mine = [t for t in held if t.site_id == site_id]
        coded = [e for e in found if e.site_id == site_id]
        roles = {t.role_group.label if t.role_group else "Several role groups" for t in mine}
        dates = [t.interviewed for t in mine if not pd.isna(t.interviewed)]
        rows.append(
            {
                "site": names.get(site_id, ""),
                "transcripts": len(mine),
                "role_groups": ", ".join(sorted(roles)),
                "first": min(dates) if dates else None,
                "last": max(dates) if dates else None,
                "coded": len({e.transcript_id for e in coded}),
                "passages": len({(e.transcript_id, e.paragraph, e.start_char, e.end_char) for e in coded}),
            }
        )
    return [paged_table(pd.DataFrame(rows), "The transcripts held", TRANSCRIPT_COLUMNS, page=scale.PAGE_ROWS)]


def _matrix(data: ProgrammeData, by: str, roll_up: bool, links: bool = True) -> list:
    held = interview_transcripts(data)
    if not held:
        return [note(NO_TRANSCRIPTS)]
    names = data.site_names()
    rows = sorted(data.sites["name"], key=str.casefold) if by == "site" else None
    matrix = code_matrix(interview_excerpts(data), interview_codebook(data), by, roll_up, rows=rows,
                         transcripts=transcript_counts(held, names, by))  # fmt: skip
    return [HTML(matrix_html(matrix, per_cell=PER_CELL, links=links))]


def matrix_by_site(data: ProgrammeData) -> list:
    """Sites by learning point, every site a row (those not coded or with no transcripts said in words)."""
    return _matrix(data, "site", roll_up=True)


def matrix_by_role(data: ProgrammeData) -> list:
    """Role groups by learning point: whose voice the evidence for each learning point comes from."""
    return _matrix(data, "role", roll_up=True)


def counts_by_role(data: ProgrammeData) -> list:
    """Role groups by learning point as counts alone, for the reports: no passage is listed (they quote only
    passages marked to quote, under each learning point)."""
    return _matrix(data, "role", roll_up=True, links=False)


def matrix_by_code(data: ProgrammeData) -> list:
    """Sites by every code, the team's own codes included."""
    return _matrix(data, "site", roll_up=False)


def strongest_excerpts(data: ProgrammeData) -> list:
    """Each learning point's interview evidence in turn, as the reports show it."""
    if not interview_transcripts(data):
        return [note(NO_TRANSCRIPTS)]
    parts = []
    for code in shipped_codebook().top_level():
        parts.append(HTML(f"<h3>{escape(code_label(code.key))}: {escape(code.name)}</h3>"))
        parts.extend(part for part in interview_evidence(data, code.key)[1:])
    return parts
