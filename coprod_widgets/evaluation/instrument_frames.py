"""The shared instruments' answers as wide tables, one row per set of answers and one column per question.

The self-assessment and the 4Pi reflection are question sets (see :mod:`coprod_widgets.questions.instruments`),
so their answers are stored like any site's own. The analysis of the Ladder and of the learning points wants
them wide, as the self-assessment table was before migration 0004: ``site_id``, ``partner_id``, ``date``, then
``respondent_role``, ``wave``, ``ladder_step``, ``lp1``...``lp8``, ``comment``. Numbers chosen from a list
("4") come back as numbers; a number left unanswered is empty (NA), never a score;
written text left unanswered is "".
"""

from __future__ import annotations

import pandas as pd

from ..questions.form import FormDefinition
from ..questions.instruments import Instrument, instrument_of, shipped_form

RESPONSE_COLUMNS = ("id", "site_id", "partner_id", "date", "question_set_id", "version")


def _question_columns(forms: list[FormDefinition]) -> dict[str, str]:
    """Every answerable question of every version, in form order, with how to type its column."""
    columns: dict[str, str] = {}
    for form in forms:
        for _, question in form.walk():
            if question.type in ("note", "group", "repeat") or question.name in columns:
                continue
            choices = form.choices.get(question.list_name or "", ())
            numeric_choices = question.type == "select_one" and choices and all(_is_int(c.name) for c in choices)
            if question.type in ("integer",) or numeric_choices:
                columns[question.name] = "Int64"
            elif question.type in ("decimal", "range"):
                columns[question.name] = "float64"
            else:
                columns[question.name] = "str"
    return columns


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def instrument_frame(responses: pd.DataFrame, question_sets: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The answers given to ``instrument`` (every stored version), one row each, oldest first."""
    versions = {}
    for row in question_sets.to_dict("records"):
        site = row.get("site_id")
        row = {**row, "site_id": None if site is None or pd.isna(site) else int(site)}
        if instrument_of(row) is instrument:
            versions[int(row["id"])] = row
    # No version stored yet (a store without a programme): the columns of the form as this coprod ships it.
    forms = [FormDefinition.from_json(versions[key]["definition"]) for key in sorted(versions)] or [
        shipped_form(instrument)
    ]
    columns = _question_columns(forms)
    mine = responses[responses["question_set_id"].isin(list(versions))] if len(responses) else responses
    rows = []
    for response in mine.to_dict("records"):
        answers = response.get("answers") or {}
        row = {name: response.get(name) for name in RESPONSE_COLUMNS if name != "version"}
        row["version"] = versions[int(response["question_set_id"])]["version"]
        row.update({name: answers.get(name) for name in columns})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*RESPONSE_COLUMNS, *columns])
    for name in ("id", "site_id", "question_set_id", "version"):
        frame[name] = frame[name].astype("int64")
    frame["partner_id"] = pd.array(frame["partner_id"], dtype="Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    for name, kind in columns.items():
        if kind == "str":
            frame[name] = frame[name].astype("object").where(frame[name].notna(), "")
        else:
            numbers = pd.to_numeric(frame[name].replace("", None), errors="coerce")
            frame[name] = numbers.round().astype("Int64") if kind == "Int64" else numbers.astype("float64")
    return frame.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
