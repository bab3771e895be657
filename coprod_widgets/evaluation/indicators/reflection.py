"""The 4Pi involvement reflection (LP2, everyone involved): how partners rate the five 4Pi standards at each site.

The reflection is a shared instrument (``data/instruments/4pi-reflection.md``): each partner gives their role
group, then rates principles, purpose, presence, process and impact from 1 (not yet) to 5 (fully), or says
"Don't know", with optional notes. :func:`reflection_by_site` takes its answers as
:func:`~coprod_widgets.evaluation.data.load_programme` gives them (``data["reflection_4pi"]``, ratings as the
text "1".."5" or "dont_know") and pools every answer in the period shown.

Silence is never passed off as an answer: "Don't know" is counted, not scored; a standard rated fewer than
three times says "not enough answers"; a site with no reflection says so. Notes are counted, never quoted
(they may name people). Role classes are the Ladder's (:func:`~._common.role_class`): staff = clinician,
manager, commissioner; lived experience = lived_experience, carer.
"""

from __future__ import annotations

import pandas as pd

from ._common import BySite, prepare, role_class, shape, site_table
from .ladder import GAP_FLAG

#: The five 4Pi standards, in the instrument's order, with their names in words.
STANDARDS = {
    "principles": "Principles",
    "purpose": "Purpose",
    "presence": "Presence",
    "process": "Process",
    "impact": "Impact",
}
#: What each standard asks, as the reflection puts it (shortened).
STANDARD_MEANINGS = {
    "principles": "values of respect, equality and inclusion; power is shared",
    "purpose": "everyone knows why people are involved and what the work is for",
    "presence": "the right people are involved, including voices seldom heard",
    "process": "taking part is made easy",
    "impact": "involvement changes things, and people are told what changed",
}
RATINGS = ("1", "2", "3", "4", "5")
DONT_KNOW = "dont_know"
#: A standard needs this many 1-5 ratings at a site before its mean is read.
MIN_RATED = 3
NO_REFLECTION = "no 4Pi reflection answered yet"
REFLECTION_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "standard": "str",
    "answers": "int64",
    "rated": "int64",
    "dont_know": "int64",
    "mean_rating": "float64",
    "staff_mean": "float64",
    "lived_mean": "float64",
    "gap": "float64",
    "notes": "int64",
    "reading": "str",
}


def _answer(value) -> str:
    """An answer as its choice name ('4', 'dont_know'), or '' when left blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _mean_and_count(values: list[float]) -> tuple[float, int]:
    return (sum(values) / len(values) if values else float("nan")), len(values)


def _number(value: float) -> str:
    return f"{value:.1f}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def reading(rated: int, dont_know: int, mean: float, staff: tuple[float, int], lived: tuple[float, int]) -> str:
    """What the ratings of one standard at one site say, in plain words (see :func:`reflection_by_site`).

    ``staff`` and ``lived`` are (mean, ratings) of each role class.
    """
    unsure = f"; {dont_know} said don't know" if dont_know else ""
    if rated < MIN_RATED:
        return f"not enough answers ({rated} rated){unsure}"
    text = f"mean {_number(mean)} of 5 from {_count(rated, 'rating')}{unsure}"
    (staff_mean, staff_n), (lived_mean, lived_n) = staff, lived
    if staff_n and lived_n:
        gap = staff_mean - lived_mean
        if round(abs(gap), 9) >= GAP_FLAG:
            people = ("staff", "people with lived experience")
            higher, lower = people if gap > 0 else people[::-1]
            text += (
                f"; {higher} rated it {_number(abs(gap))} higher than {lower} "
                f"(staff {_number(staff_mean)} from {staff_n}, lived experience {_number(lived_mean)} from {lived_n})"
            )
    elif staff_n:
        text += "; no rating from people with lived experience"
    elif lived_n:
        text += "; no rating from staff"
    return text


def reflection_by_site(sites: pd.DataFrame, reflections: pd.DataFrame) -> pd.DataFrame:
    """Each 4Pi standard at each site: how many answered, rated it or said don't know, and what the ratings say.

    One row per site (in id order) and standard (principles, purpose, presence, process, impact), every site
    included. ``answers`` counts the answers given to the standard; ``rated`` those from 1 to 5 and
    ``dont_know`` the "Don't know"s. ``mean_rating`` is the mean of the ratings (NaN when none), ``staff_mean``
    and ``lived_mean`` the means of staff and of people with lived experience and carers, ``gap`` staff minus
    lived experience (NaN unless both rated). ``notes`` counts the written notes on the standard (never quoted).
    ``reading`` says it in words: "no 4Pi reflection answered yet" at a site with none, "not enough answers
    (N rated)" with fewer than three ratings, otherwise the mean, any don't knows, and a staff/lived-experience
    gap of 1 or more (or that one side gave no rating).

    Returns
    -------
    DataFrame with columns site_id, site, standard, answers, rated, dont_know, mean_rating, staff_mean,
    lived_mean, gap, notes, reading.
    """
    table = site_table(sites)
    notes = [f"{standard}_notes" for standard in STANDARDS]
    given = prepare(reflections, ints=("site_id",), texts=("respondent_role",))
    for column in (*STANDARDS, *notes):
        if column not in given.columns:
            given[column] = pd.Series([None] * len(given), index=given.index, dtype=object)
    given = given[given["site_id"].isin(set(table["site_id"]))]
    given = given.assign(_class=given["respondent_role"].map(role_class))
    by_site = BySite(given)
    rows = []
    for site_id, site in zip(table["site_id"], table["site"], strict=True):
        here = by_site[site_id]
        answered = not here.empty
        classes = list(here["_class"])
        for standard in STANDARDS:
            answers = [_answer(value) for value in here[standard]]
            rated = [(float(answer), who) for answer, who in zip(answers, classes, strict=True) if answer in RATINGS]
            by_class = {name: [value for value, who in rated if who == name] for name in ("staff", "lived experience")}
            staff, lived = (_mean_and_count(by_class[name]) for name in ("staff", "lived experience"))
            n_answers = sum(1 for answer in answers if answer != "")
            n_dont = sum(1 for answer in answers if answer == DONT_KNOW)
            mean = _mean_and_count([value for value, _ in rated])[0]
            written = sum(1 for value in here[f"{standard}_notes"] if _answer(value) != "")
            rows.append(
                {
                    "site_id": site_id,
                    "site": site,
                    "standard": standard,
                    "answers": n_answers,
                    "rated": len(rated),
                    "dont_know": n_dont,
                    "mean_rating": mean,
                    "staff_mean": staff[0],
                    "lived_mean": lived[0],
                    "gap": staff[0] - lived[0],
                    "notes": written,
                    "reading": reading(len(rated), n_dont, mean, staff, lived) if answered else NO_REFLECTION,
                }
            )
    return shape(pd.DataFrame(rows, columns=list(REFLECTION_COLUMNS)), REFLECTION_COLUMNS)
