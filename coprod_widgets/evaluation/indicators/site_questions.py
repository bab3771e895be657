"""LP8, it is different everywhere: the questions each site chose to ask, and what the answers say.

Sites write their own evaluation questions (question sets, read from XLSForm) beside the programme's common
ones. ``answers_frame`` turns every stored set of answers into one row per answer (the same rows as the
export's ``answers`` table, from :mod:`coprod_widgets.exports.answers`); ``questions_asked`` lists, for every
site, the sets it answers; ``answer_summary`` sums up each question in one line without quoting what people
wrote, since written answers may name people.
"""

from __future__ import annotations

import pandas as pd

from ...exports.answers import answers_in, question_name, questions_of
from ...questions.form import FormDefinition
from ._common import DATE, BySite, add_site, only_sites, prepare, shape, site_table

ANSWER_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "response_id": "int64",
    "respondent": "str",
    "date": DATE,
    "form": "str",
    "version": "Int64",
    "question": "str",
    "label": "str",
    "type": "str",
    "value": "str",
}
ASKED_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "form": "str",
    "whose": "str",
    "first_added": DATE,
    "version": "Int64",
    "versions": "str",
    "questions": "int64",
    "answer_sets": "int64",
    "latest_answer": DATE,
}
SUMMARY_COLUMNS = {
    "site_id": "int64",
    "site": "str",
    "form": "str",
    "question": "str",
    "label": "str",
    "type": "str",
    "answers": "int64",
    "summary": "str",
}
EVERY_SITE, OWN, NONE = "every site", "this site's own", "no question sets"
NUMBER_TYPES = ("integer", "decimal", "range")
CHOICE_TYPES = ("select_one", "select_multiple", "acknowledge")
MULTIPLE_SEPARATOR = "; "


def _sets(question_sets: pd.DataFrame) -> pd.DataFrame:
    sets = prepare(question_sets, ints=("id", "version"), nullable_ints=("site_id",), texts=("name",), dates=("added",))
    if "definition" not in sets.columns:
        sets["definition"] = pd.Series([None] * len(sets), index=sets.index, dtype=object)
    return sets


def answers_frame(
    question_sets: pd.DataFrame, responses: pd.DataFrame, sites: pd.DataFrame, labels: bool = True
) -> pd.DataFrame:
    """One row per answer given, at the sites in ``sites``: the tidy table to filter, count and join.

    ``respondent`` is the partner's record number as text, or empty when the answers are not one partner's
    (never a name). ``question`` is the question's name (``repeat_name[2]/question`` inside a repeat) and
    ``label`` its label in the form's default language. ``value`` is the answer as text: several choices
    joined with ``"; "``, choices as their labels (``labels``) or names. Calculations have rows; notes and
    groups do not, nor do questions left unanswered. Rows are in site, date and response order, then form order.

    Returns
    -------
    DataFrame with columns site_id, site, response_id, respondent, date, form, version (Int64), question,
    label, type, value.
    """
    table = site_table(sites)
    sets = _sets(question_sets)
    about = {
        set_id: (name, version, FormDefinition.from_json(definition) if definition else None)
        for set_id, name, version, definition in zip(
            sets["id"], sets["name"], sets["version"], sets["definition"], strict=True
        )
    }
    answered = prepare(
        responses, ints=("id", "site_id", "question_set_id"), nullable_ints=("partner_id",), dates=("date",)
    )
    answered = only_sites(answered, table).sort_values(["site_id", "date", "id"], kind="stable")
    rows = []
    for response in answered.itertuples(index=False):
        name, version, form = about.get(
            response.question_set_id, (f"question set {response.question_set_id}", None, None)
        )
        start = {
            "site_id": response.site_id,
            "response_id": response.id,
            "respondent": "" if pd.isna(response.partner_id) else str(int(response.partner_id)),
            "date": response.date,
            "form": name,
            "version": version,
        }
        answers = response.answers if isinstance(response.answers, dict) else {}
        for answer in answers_in(form, answers, labels=labels):
            rows.append(
                {
                    **start,
                    "question": answer.question,
                    "label": answer.label,
                    "type": answer.type,
                    "value": answer.value,
                }
            )
    out = pd.DataFrame(rows, columns=[column for column in ANSWER_COLUMNS if column != "site"])
    return shape(add_site(out, table), ANSWER_COLUMNS)


def _by_name(sets: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Each set name with its versions, oldest first (``sets`` sorted by name, version and id)."""
    return list(sets.groupby("name", sort=False)) if len(sets) else []


def questions_asked(question_sets: pd.DataFrame, responses: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """For every site, each question set it answers: whose it is, its versions, questions and sets of answers.

    One row per site and set name (the programme's sets, for every site, then the site's own): when the set
    was first added, its newest ``version`` and every version held (``versions``, as ``"1, 2"``), the number of
    ``questions`` to answer in the newest version, the ``answer_sets`` given (any version) and the
    ``latest_answer``. A site with no question sets still has a row, ``whose`` "no question sets" and zero counts.

    Returns
    -------
    DataFrame with columns site_id, site, form, whose, first_added, version (Int64), versions, questions,
    answer_sets, latest_answer.
    """
    table = site_table(sites)
    sets = _sets(question_sets).sort_values(["name", "version", "id"], kind="stable")
    answered = prepare(responses, ints=("id", "site_id", "question_set_id"), dates=("date",))
    answered = only_sites(answered, table)
    counted = {
        set_id: len(questions_of(definition)) if definition else 0
        for set_id, definition in zip(sets["id"], sets["definition"], strict=True)
    }

    def described(frame: pd.DataFrame, whose: str) -> list[tuple[dict, set]]:
        """Each set name's row (less its answers) and the ids of its versions."""
        found = []
        for name, versions in _by_name(frame):
            newest = versions.iloc[-1]
            row = {
                "form": name,
                "whose": whose,
                "first_added": versions["added"].min(),
                "version": newest["version"],
                "versions": ", ".join(str(v) for v in versions["version"]),
                "questions": counted[newest["id"]],
                "rank": 0 if whose == EVERY_SITE else 1,
            }
            found.append((row, set(versions["id"])))
        return found

    common = described(sets[sets["site_id"].isna()], EVERY_SITE)
    own_sets, answers_at = BySite(sets.dropna(subset=["site_id"])), BySite(answered)
    rows = []
    for site_id in table["site_id"]:
        theirs = answers_at[site_id]
        given_at = list(zip(theirs["question_set_id"], theirs["date"], strict=True))
        own = described(own_sets[site_id], OWN)
        for row, ids in (*common, *own):
            dates = [when for set_id, when in given_at if set_id in ids]
            known = [when for when in dates if pd.notna(when)]
            rows.append(
                {**row, "site_id": site_id, "answer_sets": len(dates), "latest_answer": max(known, default=pd.NaT)}
            )
        if not common and not own:
            rows.append(
                {
                    "site_id": site_id,
                    "form": "",
                    "whose": NONE,
                    "versions": "",
                    "questions": 0,
                    "answer_sets": 0,
                    "rank": 2,
                }
            )
    out = pd.DataFrame(rows, columns=[*ASKED_COLUMNS, "rank"])  # rank: the programme's sets, own sets, none
    out = out.sort_values(["site_id", "rank", "form"], kind="stable")
    out = add_site(out, table)
    out["questions"] = out["questions"].fillna(0)
    out["answer_sets"] = out["answer_sets"].fillna(0)
    return shape(out, ASKED_COLUMNS)


def answer_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Each question of each set, at each site, summed up in one line from :func:`answers_frame`'s rows.

    Versions of a set are taken together, and answers in a repeat together (``visits[2]/reason`` counts as
    ``visits/reason``); the label and type are the newest version's. By type: numbers "mean 3.2, from 1 to 5
    (n=6)"; choices "Yes 4, No 2" (most given first; each of several choices counted); dates "from 2015-07-09
    to 2015-12-06"; anything written "6 written answers", never quoting it (it may name people). A
    calculation is summed up as numbers when every value is one.

    Returns
    -------
    DataFrame with columns site_id, site, form, question, label, type, answers, summary.
    """
    frame = shape(answers, ANSWER_COLUMNS)
    if frame.empty:
        return shape(frame, SUMMARY_COLUMNS)
    frame = frame.assign(name=frame["question"].map(question_name), position=range(len(frame)))
    order = frame.groupby(["form", "name"], sort=False)["position"].min().rename("order")
    rows = []
    for (site_id, form, name), group in frame.groupby(["site_id", "form", "name"], sort=False):
        newest = group.sort_values(["version", "position"], na_position="first", kind="stable").iloc[-1]
        rows.append(
            {
                "site_id": site_id,
                "site": newest["site"],
                "form": form,
                "question": name,
                "label": newest["label"],
                "type": newest["type"],
                "answers": len(group),
                "summary": summarise(newest["type"], group["value"]),
                "order": order[(form, name)],
            }
        )
    out = pd.DataFrame(rows).sort_values(["form", "order", "site_id"], kind="stable")
    return shape(out, SUMMARY_COLUMNS)


def summarise(question_type: str, values: pd.Series) -> str:
    """One line about answers of one type (see :func:`answer_summary`)."""
    values = values.astype("str")
    numbers = pd.to_numeric(values, errors="coerce")
    if question_type in NUMBER_TYPES or (question_type == "calculate" and numbers.notna().all()):
        numbers = numbers.dropna()
        if numbers.empty:
            return _count(len(values), "answer")
        low, high = _number(numbers.min()), _number(numbers.max())
        return f"mean {numbers.mean():.1f}, from {low} to {high} (n={len(numbers)})"
    if question_type in CHOICE_TYPES:
        chosen = (
            values.str.split(MULTIPLE_SEPARATOR, regex=False).explode()
            if question_type == "select_multiple"
            else values
        )
        counts = chosen.value_counts(sort=False)
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        between = "; " if any("," in str(choice) for choice, _count in ranked) else ", "  # labels may hold commas
        return between.join(f"{choice} {count}" for choice, count in ranked)
    if question_type == "date":
        days = pd.to_datetime(values, errors="coerce").dropna()
        if days.empty:
            return _count(len(values), "answer")
        first, last = days.min().date().isoformat(), days.max().date().isoformat()
        return f"on {first}" if first == last else f"from {first} to {last}"
    return _count(len(values), "written answer")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
