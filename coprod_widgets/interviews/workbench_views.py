"""What the interview coding workbook shows, as plain functions of the store's records: kept apart from the
widgets (:mod:`.workbench`) so each can be tested with cases as data.

Every piece of text a person typed or a transcript holds is escaped before it goes into HTML, and every
message says in words what happened (never a colour alone). The names list given on import is never shown:
names not found in the transcript are told by their place on the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from sqlalchemy import select

from ..choices import RoleGroup
from ..problems import FieldProblem, RecordInvalid
from .codebook import Code, Codebook
from .compare import Comparison
from .importing import ImportedTranscript

#: Dropdown values for "nothing chosen yet" (ipywidgets reads a None value as "nothing selected").
NOTHING = ""
NO_TRANSCRIPT = 0
#: The role group dropdown's value for a workshop with people from several role groups.
SEVERAL = "mixed"
SEVERAL_LABEL = "Several role groups (a workshop)"
#: How much of a paragraph the picker shows: "12. It began when the …".
PICKER_WORDS = 8
PICKER_CHARACTERS = 60
#: Disagreements listed on the page at most; the rest are counted.
DISAGREEMENTS_SHOWN = 100
LEARNING_POINT_KEY = re.compile(r"^lp(\d+)$")
CSS = """
.coprod-interviews { max-width: 70em; }
.coprod-interviews .widget-label { white-space: normal; overflow: visible; text-overflow: clip; height: auto;
  max-width: 100%; flex-shrink: 1; overflow-wrap: anywhere; }
.coprod-interviews .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.coprod-interviews .coprod-paragraph { border-left: 4px solid #888; padding: 0.3em 0.8em; margin: 0.4em 0;
  white-space: pre-wrap; max-width: 60em; }
.coprod-interviews .coprod-codes-heading { font-weight: bold; margin: 0.6em 0 0.1em; }
.coprod-interviews .coprod-scroll { overflow-x: auto; max-width: 100%; }
.coprod-interviews .coprod-table { border-collapse: collapse; margin: 0.5em 0 1em; }
.coprod-interviews .coprod-table caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
.coprod-interviews .coprod-table th, .coprod-interviews .coprod-table td { border: 1px solid #999;
  padding: 0.3em 0.6em; text-align: left; vertical-align: top; max-width: 30em; white-space: pre-wrap; }
.coprod-interviews .coprod-table thead th { background: #eee; }
.coprod-interviews :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
"""


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def status_html(lines: Sequence[str], items: Iterable[str] = ()) -> str:
    """A message in words, as a status region screen readers announce."""
    listed = "".join(f"<li>{escape(item)}</li>" for item in items)
    body = "".join(f"<p>{escape(line)}</p>" for line in lines) + (f"<ul>{listed}</ul>" if listed else "")
    return f'<div role="status">{body}</div>'


def note_html(lines: Sequence[str], items: Iterable[str] = ()) -> str:
    """Text that changes as the page is used (not announced as a status)."""
    return status_html(lines, items).replace('<div role="status">', "<div>", 1)


def problems_of(error: Exception) -> list[str]:
    """A refusal's messages: each field's problem of a RecordInvalid, or the one line of any other refusal."""
    if isinstance(error, RecordInvalid) and error.problems:
        return [problem.message for problem in error.problems]
    return [str(error)]


def role_label(role_group: str | None) -> str:
    return RoleGroup.label_of(role_group) if role_group else "several role groups"


def role_options() -> list[tuple[str, str]]:
    """The role group dropdown: nothing chosen, each role group, then a workshop of several groups."""
    return [("Choose the interviewee's role group", NOTHING), *RoleGroup.options(), (SEVERAL_LABEL, SEVERAL)]


# ---- importing ---------------------------------------------------------------------------------------------


def import_message(result: ImportedTranscript, site_name: str, listed: int) -> str:
    """What the import stored, in words; names not found are told by their place on the list, never by name."""
    record = result.record
    lines = [
        f"Imported: {quoted(record.title)} for {site_name} ({role_label(record.role_group)}, interviewed "
        f"{record.interviewed:%d/%m/%Y}): {plural(result.paragraphs, 'paragraph')}, {plural(result.words, 'word')}.",
    ]
    if listed:
        lines.append(
            f"Names replaced by pseudonyms: {record.names_replaced}. The names list was used and forgotten: it is "
            "not stored, and it has been cleared from this page."
        )
    missing = [place for place, count in enumerate(result.replaced.values(), start=1) if count == 0]
    if missing:
        places = ", ".join(ordinal(place) for place in missing)
        lines.append(
            f"{plural(len(missing), 'name')} on the list did not appear in the transcript (the {places} on the list). "
            "If the transcript spells one differently, that spelling was not replaced: read the paragraphs in "
            "step 2 before coding."
        )
    lines.append("Code it in step 2.")
    return status_html(lines)


# ---- the transcripts and their paragraphs ------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptChoice:
    """A transcript as the picker lists it, read without its paragraphs (a store may hold hundreds)."""

    id: int
    site: str
    title: str
    role_group: str | None

    @property
    def label(self) -> str:
        return f"{self.site} \u2014 {self.title}, {role_label(self.role_group)}"


def transcript_choices(store) -> list[TranscriptChoice]:
    """Every transcript by site, then title: only the columns the picker needs, in one query."""
    from ..schema import TABLES

    table = TABLES["transcript"]
    sites = {site.id: site.name for site in store.sites()}
    query = select(table.c.id, table.c.site_id, table.c.title, table.c.role_group)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    found = [TranscriptChoice(row.id, sites.get(row.site_id, "?"), row.title, row.role_group) for row in rows]
    return sorted(found, key=lambda t: (t.site.casefold(), t.title.casefold(), t.id))


def transcript_options(choices: Sequence[TranscriptChoice]) -> list[tuple[str, int]]:
    return [("Choose a transcript", NO_TRANSCRIPT), *((choice.label, choice.id) for choice in choices)]


def first_words(text: str, words: int = PICKER_WORDS, characters: int = PICKER_CHARACTERS) -> str:
    """The start of a paragraph on one line: the first few words, cut at ``characters``, with "…" if cut."""
    split = text.split()
    shown = " ".join(split[:words])
    if len(shown) > characters:
        shown = shown[:characters].rstrip()
    return shown + ("\u2026" if shown != " ".join(split) else "")


def paragraph_options(transcript) -> list[tuple[str, int]]:
    """The paragraph picker for one transcript: "12. first words…", headings marked as such."""
    options = []
    for number, (kind, text) in enumerate(transcript.paragraphs, start=1):
        mark = "" if kind == "paragraph" else f"[{kind}] "
        options.append((f"{number}. {mark}{first_words(text)}", number))
    return options


def paragraph_html(transcript, number: int) -> str:
    """One paragraph's full text, escaped, with where it is and what kind it is."""
    kind, text = transcript.paragraphs[number - 1]
    what = "" if kind == "paragraph" else f" ({kind})"
    where = f"Paragraph {number} of {len(transcript.paragraphs)}{what}, {len(text)} characters:"
    return f'<p>{escape(where)}</p><blockquote class="coprod-paragraph">{escape(text)}</blockquote>'


def code_label(code: Code, clashing: frozenset[str] = frozenset()) -> str:
    """A code as a checkbox or list names it: "LP2: Everyone stays…" for a learning point, else its name (with
    its key when another code has the same name)."""
    match = LEARNING_POINT_KEY.match(code.key)
    if match:
        return f"LP{match[1]}: {code.name}"
    return f"{code.name} ({code.key})" if code.name.casefold() in clashing else code.name


def clashing_names(book: Codebook) -> frozenset[str]:
    seen: dict[str, int] = {}
    for code in book:
        seen[code.name.casefold()] = seen.get(code.name.casefold(), 0) + 1
    return frozenset(name for name, count in seen.items() if count > 1)


def labels_of(book: Codebook) -> dict[str, str]:
    """Each code's label by key."""
    clashing = clashing_names(book)
    return {code.key: code_label(code, clashing) for code in book}


def passage_words(coding) -> str:
    if coding.start_char is None:
        return "whole paragraph"
    return f"characters {coding.start_char + 1} to {coding.end_char}"


def applied_html(codings: Sequence, labels: dict[str, str], coder: str) -> str:
    """The codes already on a paragraph, by each coder (this coder first), with the part coded and any memo."""
    if not codings:
        return note_html(["No one has coded this paragraph yet."])
    me = coder.strip()
    ordered = sorted(codings, key=lambda c: (c.coder != me, c.coder.casefold(), c.start_char or 0))
    items = []
    for coding in ordered:
        who = f"{coding.coder} (you)" if coding.coder == me else coding.coder
        codes = "; ".join(labels.get(key, key) for key in coding.codes)
        extra = f" Memo: {coding.memo}" if coding.memo else ""
        extra += " May be quoted in reports." if coding.quote else ""
        items.append(f"{who}, {passage_words(coding)}: {codes}.{extra}")
    return note_html([f"Codes already on this paragraph ({plural(len(codings), 'coded passage')}):"], items)


@dataclass(frozen=True)
class CharacterRange:
    """Characters ``start`` up to ``end`` of a paragraph as the API counts them (from 0, end not included);
    both None for the whole paragraph."""

    start: int | None = None
    end: int | None = None


def character_range(first: str, last: str, length: int) -> CharacterRange:
    """The range typed as people count ("From character 1" "To character 40" is the first 40), both empty for
    the whole paragraph. Raises RecordInvalid naming the box to put right."""
    first, last = first.strip(), last.strip()
    if not first and not last:
        return CharacterRange()
    problems = []
    for field, label, text in (("start_char", "From character", first), ("end_char", "To character", last)):
        if not text:
            problems.append(FieldProblem(field, f"{label}: type a number too, or leave both empty for the whole "
                                                "paragraph."))  # fmt: skip
        elif not text.isdigit() or not 1 <= int(text) <= length:
            problems.append(
                FieldProblem(field, f"{label}: type a whole number from 1 to {length} (the paragraph's length).")
            )
    if not problems and int(last) < int(first):
        problems.append(FieldProblem("end_char", f"To character ({last}) must not come before From character "
                                                 f"({first}): check both."))  # fmt: skip
    if problems:
        raise RecordInvalid(problems)
    return CharacterRange(int(first) - 1, int(last))


def saved_message(coding, removed: Sequence[str], labels: dict[str, str], title: str) -> str:
    """What a save did: the coder's codes now on the passage, or that none are left."""
    where = f"paragraph {coding.paragraph} of {quoted(title)}"
    gone = f" Removed: {'; '.join(labels.get(k, k) for k in removed)}." if removed else ""
    codes = "; ".join(labels.get(key, key) for key in coding.codes)
    part = "" if coding.start_char is None else f" ({passage_words(coding)})"
    return status_html([f"Saved: {where}{part} coded by {coding.coder} with {codes}.{gone}"])


def removed_message(paragraph: int, coder: str, removed: Sequence[str], labels: dict[str, str], title: str) -> str:
    codes = "; ".join(labels.get(key, key) for key in removed)
    return status_html(
        [
            f"Saved: {coder}'s codes taken off paragraph {paragraph} of {quoted(title)} ({codes}); none of theirs is "
            "left on that passage."
        ]  # fmt: skip
    )


# ---- the codebook ------------------------------------------------------------------------------------------


def codebook_html(book: Codebook) -> str:
    """The codes in tree order, each with its definition and example; headings that only group codes said so."""
    labels = labels_of(book)
    rows = []
    for code, depth in book.walk():
        indent = f' style="padding-left: {0.6 + 1.5 * depth:.1f}em"' if depth else ""
        grouping = "" if code.codable else " (groups codes; not used for coding)"
        rows.append(
            f'<tr><th scope="row"{indent}>{escape(labels[code.key])}{escape(grouping)}</th>'
            f"<td>{escape(code.key)}</td><td>{escape(code.definition)}</td><td>{escape(code.example)}</td></tr>"
        )
    head = '<thead><tr><th scope="col">Code</th><th scope="col">Key</th><th scope="col">Definition</th>'
    head += '<th scope="col">Example</th></tr></thead>'
    caption = f"<caption>The codebook: {plural(len(book), 'code')}, sub-codes under their parent</caption>"
    return f'<table class="coprod-table">{caption}{head}<tbody>{"".join(rows)}</tbody></table>'


def parent_options(book: Codebook) -> list[tuple[str, str]]:
    labels = labels_of(book)
    indent = "\u2003"
    return [("None: a top-level code", NOTHING), *((indent * d + labels[c.key], c.key) for c, d in book.walk())]


def memos_html(found: Sequence, label: str) -> str:
    if not found:
        return note_html([f"No memos on {label} yet."])
    items = [f"{memo.written:%d/%m/%Y}, {memo.written_by}: {memo.text}" for memo in found]
    return note_html([f"Memos on {label} ({len(found)}), oldest first:"], items)


# ---- two coders --------------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """A percentage to one decimal place that never rounds a disagreement away (99.97 is ">99.9%", not 100.0%)."""
    if value is None:
        return "none compared"
    if 99.9 < value < 100:
        return ">99.9%"
    if 0 < value < 0.1:
        return "<0.1%"
    return f"{value:.1f}%"


def comparison_html(comparison: Comparison, labels: dict[str, str], shown: int = DISAGREEMENTS_SHOWN) -> str:
    """Two coders' agreement: what was compared and left out, each code, overall, and the disagreements."""
    agreement = comparison.agreement
    first, second = agreement.coders
    if not comparison.transcripts:
        return status_html(
            [
                f"No transcript has been coded by both {first} and {second} yet: {first} has coded "
                f"{plural(len(comparison.only_first), 'transcript')} and {second} "
                f"{plural(len(comparison.only_second), 'transcript')}. Agreement is worked out only on "
                "transcripts both have coded, so there is no figure to show."
            ]
        )
    left = []
    if comparison.only_first:
        left.append(f"{plural(len(comparison.only_first), 'transcript')} coded by {first} only")
    if comparison.only_second:
        left.append(f"{plural(len(comparison.only_second), 'transcript')} coded by {second} only")
    lines = [
        f"Compared on {plural(len(comparison.transcripts), 'transcript')} both coded "
        f"({plural(len(agreement.units), 'paragraph')}, headings aside); left out: "
        f"{' and '.join(left) if left else 'none'}.",
        f"Overall: {percent(agreement.overall.kappa.percent_agreement)} agreement. {agreement.overall.describe()}",
    ]
    return status_html(lines) + _codes_table(agreement, labels) + _disagreements_table(comparison, labels, shown)


def _codes_table(agreement, labels: dict[str, str]) -> str:
    first, second = (escape(name) for name in agreement.coders)
    head = (
        f'<thead><tr><th scope="col">Code</th><th scope="col">Both applied</th><th scope="col">{first} only</th>'
        f'<th scope="col">{second} only</th><th scope="col">Neither</th><th scope="col">Agreement</th>'
        '<th scope="col">Kappa</th></tr></thead>'
    )
    rows = []
    for result in agreement.codes:
        table = result.table
        cells = (table.both, table.only_a, table.only_b, table.neither, percent(result.percent_agreement))
        rows.append(
            f'<tr><th scope="row">{escape(labels.get(result.code, result.code))}</th>'
            + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells)
            + f"<td>{escape(result.kappa.describe())}</td></tr>"
        )
    caption = "<caption>Agreement code by code, on the paragraphs both coders read</caption>"
    return f'<table class="coprod-table">{caption}{head}<tbody>{"".join(rows)}</tbody></table>'


def _disagreements_table(comparison: Comparison, labels: dict[str, str], shown: int) -> str:
    rows = comparison.disagreement_rows()
    if not rows:
        return status_html(["No disagreements: on every paragraph compared, both applied the same codes."])
    columns = ("transcript", "paragraph", "code", "applied by", "not applied by", "text")
    head = "".join(f'<th scope="col">{escape(column.capitalize())}</th>' for column in columns)
    body = []
    for row in rows[:shown]:
        row = {**row, "code": labels.get(row["code"], row["code"])}
        body.append("<tr>" + "".join(f"<td>{escape(str(row[column]))}</td>" for column in columns) + "</tr>")
    more = f", the first {shown} shown" if len(rows) > shown else ""
    caption = f"<caption>{escape(plural(len(rows), 'disagreement'))} to discuss{more}</caption>"
    table = f'<table class="coprod-table">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="coprod-scroll" role="region" aria-label="Disagreements" tabindex="0">{table}</div>'
