"""A stored response's answers to the mapped questions, each with its learning point and score.

The one place that reads a response through its survey's mapping, so the evaluator workbooks, the reports
and ``coprod export`` count the same answers. Pure Python: ``coprod export`` never loads pandas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .mapping import MappingInvalid, QuestionMapping, SurveyMapping, mapping_from_dict

#: How a select-multiple answer (stored as a list) is written as text.
MULTIPLE_SEPARATOR = "; "


@dataclass(frozen=True)
class MappedAnswer:
    """One answer to a mapped question: the answer as given (text) and its score (None off the scale)."""

    question: str
    learning_point: str
    indicator: str
    answer: str
    score: int | None


def stored_mapping(mapping: Mapping[str, Any] | None) -> SurveyMapping | None:
    """A survey's mapping as stored; None for one that no longer reads (never raised: the rows stay countable)."""
    if not mapping:
        return None
    try:
        return mapping_from_dict(dict(mapping))
    except MappingInvalid:
        return None


def answer_text(value: Any) -> str:
    """An answer as text: a select-multiple's choices joined with '; ', a number as written."""
    if value is None:
        return ""
    if isinstance(value, list):
        return MULTIPLE_SEPARATOR.join(answer_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def mapped_answers(mapping: SurveyMapping, answers: Mapping[str, Any]) -> Iterator[MappedAnswer]:
    """The answers to the mapping's questions, in the mapping's order; unanswered questions give nothing."""
    for question in mapping.questions:
        value = answers.get(question.question)
        text = answer_text(value).strip()
        if not text:
            continue
        yield MappedAnswer(question.question, question.learning_point, question.indicator, text, question.score(value))


def scale_levels(question: QuestionMapping) -> list[str]:
    """The question's answers on its scale, lowest score first (answers sharing a score keep the first written)."""
    by_score: dict[int, str] = {}
    for text, score in question.scores.items():
        by_score.setdefault(score, text)
    return [by_score[score] for score in sorted(by_score)]


def scale_name(levels: list[str]) -> str:
    """A scale named by its ends, 'Strongly disagree to Strongly agree': how readers tell scales apart."""
    if not levels:
        return "no scale"
    return f"{levels[0]} to {levels[-1]}" if len(levels) > 1 else levels[0]


def suppressed_cells(cells: list[int], total: int, threshold: int, hidden: list[bool] | None = None) -> list[bool]:
    """Which counts of one group to hide, so that no count from 1 to ``threshold - 1`` can be seen or worked out.

    A group with fewer than ``threshold`` answers is hidden whole. Otherwise small counts are hidden, and when
    only one is (the group's total would give it away) the next smallest non-zero count is hidden too. Zero is
    shown: that nobody gave an answer points at no one. ``hidden`` marks counts already hidden for another
    reason, which must not stand alone either.
    """
    if total < threshold:
        return [True] * len(cells)
    already = hidden or [False] * len(cells)
    out = [0 < count < threshold or before for count, before in zip(cells, already, strict=True)]
    if sum(out) == 1:
        candidates = [(count, place) for place, count in enumerate(cells) if not out[place] and count > 0]
        if candidates:
            out[min(candidates)[1]] = True
    return out
