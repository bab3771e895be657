"""Two coders compared on the store's transcripts: which passages count, and the disagreements with their text.

The unit is a paragraph. Both coders are compared on every paragraph (headings aside) of each transcript both
of them coded, since coding a transcript means reading all of it: a paragraph one coder left uncoded is a
decision that nothing applies. Transcripts only one of them coded are left out and counted. A code applied to
characters of a paragraph counts as applied to that paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .agreement import Agreement, coder_agreement
from .coding import codebook


@dataclass(frozen=True)
class Comparison:
    """The agreement, the transcripts compared and those only one coder did, and each unit's text to discuss."""

    agreement: Agreement
    transcripts: tuple[int, ...]
    only_first: tuple[int, ...]
    only_second: tuple[int, ...]
    titles: dict[int, str]
    texts: dict[tuple[int, int], str]

    def disagreement_rows(self) -> list[dict]:
        """One row per disagreement: where it is, which code, who applied it, and the paragraph's text."""
        return [
            {
                "transcript": self.titles[d.unit[0]],
                "paragraph": d.unit[1],
                "code": d.code,
                "applied by": d.applied_by,
                "not applied by": next(c for c in self.agreement.coders if c != d.applied_by),
                "text": self.texts[d.unit],
            }
            for d in self.agreement.disagreements
        ]


def compare_coders(store, first: str, second: str, site_ids: Iterable[int] | None = None) -> Comparison:
    """``first`` and ``second`` compared on the transcripts (of ``site_ids``, if given) both coded."""
    wanted = None if site_ids is None else set(site_ids)
    transcripts = {t.id: t for t in store.records("transcript") if wanted is None or t.site_id in wanted}
    applied: dict[str, dict[tuple[int, int], set[str]]] = {first: {}, second: {}}
    coded_by: dict[str, set[int]] = {first: set(), second: set()}
    for coding in store.records("coding"):
        if coding.coder in applied and coding.transcript_id in transcripts:
            unit = (coding.transcript_id, coding.paragraph)
            applied[coding.coder].setdefault(unit, set()).update(coding.codes)
            coded_by[coding.coder].add(coding.transcript_id)
    both = sorted(coded_by[first] & coded_by[second])
    units = [
        (transcript_id, number)
        for transcript_id in both
        for number, (kind, _text) in enumerate(transcripts[transcript_id].paragraphs, start=1)
        if kind != "heading"
    ]
    compared = set(units)
    kept = {coder: {u: codes for u, codes in by_unit.items() if u in compared} for coder, by_unit in applied.items()}
    agreement = coder_agreement(
        kept[first],
        kept[second],
        seen_a=units,
        seen_b=units,
        codebook=[code.key for code in codebook(store) if code.codable and code.key in _used(kept)],
        coders=(first, second),
    )
    return Comparison(
        agreement=agreement,
        transcripts=tuple(both),
        only_first=tuple(sorted(coded_by[first] - coded_by[second])),
        only_second=tuple(sorted(coded_by[second] - coded_by[first])),
        titles={tid: transcripts[tid].title for tid in transcripts},
        texts={unit: transcripts[unit[0]].paragraphs[unit[1] - 1][1] for unit in units},
    )


def _used(applied: dict[str, dict]) -> set[str]:
    """Codes either coder applied on the compared paragraphs: a code used only elsewhere is not judged here."""
    return {code for by_unit in applied.values() for codes in by_unit.values() for code in codes}
