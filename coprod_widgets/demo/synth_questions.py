"""Synthetic sites' questions of their own: the demo site's question set, answered afresh for each copy."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

from ..questions.answers import complete
from ..questions.form import FormDefinition
from ..questions.xlsform import read_xlsform_text
from .questions import ANSWERS, SITE_QUESTIONS, _months_after, demo_question_sets


@cache
def _form(template: str) -> FormDefinition:
    spec = SITE_QUESTIONS[template]
    return read_xlsform_text(spec.form, name=spec.name)


def own_answers(template: str, start: dt.date, answered: int, site_name: str) -> tuple[dict, list[dict]]:
    """The question set the demo site ``template`` adds (moved to ``start``), and ``answered`` sets of answers
    to it, a month apart, made up by a generator seeded with the synthetic site's name."""
    found = demo_question_sets(template, start)
    if found is None:
        raise ValueError(f"The demo site {template!r} has no question set of its own.")
    question_set, _ = found
    form, month = _form(template), SITE_QUESTIONS[template].month_added
    rng = random.Random(f"coprod synth questions {site_name}")
    given = []
    for number in range(answered):
        day = _months_after(start, month + number)
        given.append({"date": day, "answers": complete(form, ANSWERS[template](rng, day), today=day)})
    return question_set, given
