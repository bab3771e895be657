"""Survey answers as evidence for the learning points: one row per answer, and Likert counts to draw and tabulate.

Each stored response is read through its survey's mapping (:mod:`.answers`), so an answer counts under the
learning point its question was mapped to. Answers are put on their question's scale by score, so "Strongly
Agree" and "strongly agree" are one level. Questions of one learning point on the same scale are also counted
together ("all 3 questions"), which is the per-learning-point bar; questions on different scales are never
added up. Every count goes through :func:`.likert.likert_counts`, so a small count is hidden in every chart
and table made from here.
"""

from __future__ import annotations

import pandas as pd

from ..choices import RoleGroup
from .answers import mapped_answers, scale_levels, scale_name, stored_mapping
from .importing import TOOL_NAMES
from .likert import likert_counts
from .mapping import SUPPRESS_BELOW

ANSWER_COLUMNS = [
    "site_id",
    "site",
    "survey_id",
    "survey",
    "response_id",
    "submitted",
    "respondent_role",
    "role",
    "learning_point",
    "indicator",
    "question",
    "answer",
    "level",
    "scale",
    "suppress_below",
]
#: The group every answer belongs to, beside its role group and its site.
EVERYONE = "Everyone who answered"
NO_ROLE = "Role not given"
#: The count of answers off the scale, as a cell in :func:`_suppress_linked`'s sums.
OFF = "off the scale"
ROLE_LABELS = {member.value: member.label for member in RoleGroup}


def survey_answers(data) -> pd.DataFrame:
    """Every answer to a mapped question at the sites, dates and groups ``data`` keeps, worked out once per data.

    ``answer`` is the level's text on the question's scale (as the mapping writes it) for answers on the scale,
    else the answer as given; ``level`` is its place on the scale (1 = lowest), empty off the scale; ``scale``
    is the scale's levels, lowest first, as a tuple.
    """
    return data.memo(("survey_answers",), lambda: _survey_answers(data))


def _survey_answers(data) -> pd.DataFrame:
    surveys = data.frames.get("survey", pd.DataFrame())
    responses = data.frames.get("survey_response", pd.DataFrame())
    if surveys.empty or responses.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    names = data.site_names()
    mappings = {row.id: (row.name, stored_mapping(row.mapping)) for row in surveys.itertuples(index=False)}
    rows = []
    for response in responses.itertuples(index=False):
        name, mapping = mappings.get(response.survey_id, (None, None))
        if mapping is None or not isinstance(response.answers, dict):
            continue
        role = response.respondent_role if isinstance(response.respondent_role, str) else None
        scales = {q.question: (q, scale_levels(q)) for q in mapping.questions}
        for given in mapped_answers(mapping, response.answers):
            question, levels = scales[given.question]
            level = _level(question, levels, given.score)
            rows.append(
                {
                    "site_id": response.site_id,
                    "site": names.get(response.site_id, ""),
                    "survey_id": response.survey_id,
                    "survey": name,
                    "response_id": response.id,
                    "submitted": response.submitted,
                    "respondent_role": role,
                    "role": ROLE_LABELS.get(role, NO_ROLE) if role else NO_ROLE,
                    "learning_point": given.learning_point,
                    "indicator": given.indicator,
                    "question": given.question,
                    "answer": levels[level - 1] if level else given.answer,
                    "level": level,
                    "scale": tuple(levels),
                    "suppress_below": mapping.suppress_below,
                }
            )
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    return frame.astype({"level": "Int64"})


def _level(question, levels: list[str], score: int | None) -> int | None:
    if score is None:
        return None
    texts = [text for text, value in question.scores.items() if value == score]
    return next((place for place, text in enumerate(levels, start=1) if text in texts), None)


def threshold(answers: pd.DataFrame) -> int:
    """The strictest suppression among the surveys counted together (each mapping may raise it from 5)."""
    if answers.empty:
        return SUPPRESS_BELOW
    return int(max(SUPPRESS_BELOW, answers["suppress_below"].max()))


def _with_everyone(answers: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """The answers, each also counted in its group (a role group, or its site) after everyone's row."""
    everyone = answers.assign(group=EVERYONE, _order=0)
    if by is None:
        return everyone
    groups = answers.assign(group=answers[by], _order=1)
    return pd.concat([everyone, groups], ignore_index=True)


def item_rows(answers: pd.DataFrame, learning_point: str) -> list[tuple[tuple[str, ...], str, pd.DataFrame]]:
    """The bars' items at one learning point: for each scale, all its questions together (when more than one),
    then each question. Each item is (scale, its name, its answers)."""
    at = answers[answers["learning_point"] == learning_point]
    items = []
    for levels, on_scale in at.groupby("scale", sort=False):
        questions = list(dict.fromkeys(on_scale["question"]))
        if len(questions) > 1:
            together = f"All {len(questions)} {learning_point.upper()} questions answered {scale_name(list(levels))}"
            items.append((levels, together, on_scale))
        items += [(levels, question, on_scale[on_scale["question"] == question]) for question in questions]
    return items


def counts_for(
    answers: pd.DataFrame, learning_point: str, by: str | None, groups: list[str] | None = None
) -> list[tuple[tuple[str, ...], pd.DataFrame]]:
    """Likert counts at ``learning_point`` per scale: for each item, everyone, then each ``by`` group ("role"
    or "site"; ``groups`` keeps only those, in that order). Small counts hidden as :mod:`.likert` says.

    Each frame has ``item``, ``group`` and ``row`` ("item: group") with :func:`.likert.likert_counts` columns.
    """
    limit = threshold(answers[answers["learning_point"] == learning_point])
    per_scale: dict[tuple[str, ...], list[pd.DataFrame]] = {}
    combined: dict[tuple[str, ...], str] = {}
    for levels, item, part in item_rows(answers, learning_point):
        if levels not in per_scale and part["question"].nunique() > 1:
            combined[levels] = item
        part = _with_everyone(part, by)
        if groups is not None:
            part = part[(part["_order"] == 0) | part["group"].isin(groups)]
        order = {group: n for n, group in enumerate([EVERYONE, *(groups or sorted(set(part["group"]) - {EVERYONE}))])}
        counted = likert_counts(part.assign(item=item), list(levels), ["item", "group"], limit, keep_raw=True)
        counted = counted.assign(_order=counted["group"].map(order)).sort_values(["_order", "level"], kind="stable")
        counted["row"] = counted["item"] + ": " + counted["group"].astype(str)
        per_scale.setdefault(levels, []).append(counted.drop(columns="_order"))
    out = []
    for levels, parts in per_scale.items():
        counts = pd.concat(parts, ignore_index=True)
        out.append((levels, _suppress_linked(counts, partitioned=by is not None and groups is None,
                                             combined=combined.get(levels))))  # fmt: skip
    return out


def _suppress_linked(counts: pd.DataFrame, partitioned: bool, combined: str | None) -> pd.DataFrame:
    """Hide more counts wherever a hidden one could be worked out from the figures shown beside it.

    Three sums are on show: a row's cells add up to its total; with ``partitioned`` groups (every role group,
    or every site), each group's cells add up to everyone's; and the questions' cells add up to the
    ``combined`` row's. Whenever exactly one figure of such a sum is hidden, the smallest other non-zero one
    is hidden too (a zero where there is none), until no sum has a single unknown. Then every hidden cell has
    at least one other unknown beside it in each sum it is part of.
    """
    cells = {(r.item, r.group, r.level): int(r.raw) for r in counts.itertuples(index=False)}
    hidden = {(r.item, r.group, r.level) for r in counts.itertuples(index=False) if r.suppressed}
    for r in counts.drop_duplicates(["item", "group"]).itertuples(index=False):
        cells[(r.item, r.group, OFF)] = int(r.raw_off)
        if pd.isna(r.off_scale):
            hidden.add((r.item, r.group, OFF))
    items = list(dict.fromkeys(counts["item"]))
    groups = list(dict.fromkeys(counts["group"]))
    levels = sorted(set(counts["level"]))
    sums: list[tuple[list, tuple | None]] = [
        ([(item, group, level) for level in levels], None) for item in items for group in groups
    ]
    for level in [*levels, OFF]:
        if partitioned:
            others = [group for group in groups if group != EVERYONE]
            sums += [([(item, g, level) for g in others], (item, EVERYONE, level)) for item in items]
        if combined is not None:
            questions = [item for item in items if item != combined]
            sums += [([(q, group, level) for q in questions], (combined, group, level)) for group in groups]
    changed = True
    while changed:
        changed = False
        for members, whole in sums:
            members = [cell for cell in members if cell in cells]
            known = [cell for cell in [*members, whole] if cell is not None and cell in cells]
            if sum(cell in hidden for cell in known) != 1:
                continue
            # the smallest non-zero figure beside it, else a zero (a hidden zero gives nothing away), else the sum
            shown = sorted((cells[c] == 0, cells[c], c) for c in members if c not in hidden)
            more = shown[0][2] if shown else (whole if whole in cells and whole not in hidden else None)
            if more is not None:
                hidden.add(more)
                changed = True
    flags = [(r.item, r.group, r.level) in hidden for r in counts.itertuples(index=False)]
    out = counts.assign(suppressed=flags)
    out["count"] = out["count"].mask(out["suppressed"])
    out["share"] = out["share"].mask(out["suppressed"])
    off_hidden = [(r.item, r.group, OFF) in hidden for r in out.itertuples(index=False)]
    out["off_scale"] = out["off_scale"].mask(pd.Series(off_hidden, index=out.index))
    return out.drop(columns=["raw", "raw_off"])


def counts_table(counts: pd.DataFrame, levels: tuple[str, ...], hidden: str) -> pd.DataFrame:
    """One row per item and group: answers on the scale, each level's count (``hidden`` where suppressed),
    and other answers (don't know and the like)."""
    rows = []
    for (item, group), part in counts.groupby(["item", "group"], sort=False):
        row = {"item": item, "group": group, "total": int(part["total"].iloc[0])}
        for level in part.itertuples(index=False):
            row[level.answer] = hidden if level.suppressed else int(level.count)
        off = part["off_scale"].iloc[0]
        row["off_scale"] = hidden if pd.isna(off) else int(off)
        rows.append(row)
    return pd.DataFrame(rows, columns=["item", "group", "total", *levels, "off_scale"])


def _can_show(total: int, upper: int, limit: int) -> bool:
    """A share in the upper half can be given when neither half is a small, non-zero count."""
    return total >= limit and all(n == 0 or n >= limit for n in (upper, total - upper))


def upper_share(answers: pd.DataFrame, learning_point: str) -> list[dict]:
    """Per scale at ``learning_point``: how many answered on it, and the share in its upper half (above the
    middle level); None where fewer answered than may be shown. For summaries in words (GRIPP2)."""
    out = []
    at = answers[(answers["learning_point"] == learning_point) & answers["level"].notna()]
    limit = threshold(at)
    for levels, part in at.groupby("scale", sort=False):
        middle = (len(levels) + 1) / 2
        upper = int((part["level"].astype(float) > middle).sum())
        shown = _can_show(len(part), upper, limit)
        out.append(
            {
                "scale": levels,
                "questions": part["question"].nunique(),
                "answers": len(part),
                "upper": upper if shown else None,
                "threshold": limit,
            }
        )
    return out


def site_upper_shares(answers: pd.DataFrame, learning_point: str, levels: tuple[str, ...], limit: int) -> pd.DataFrame:
    """Per site and item on the scale ``levels``: the per cent of answers above the middle level; left out where
    fewer than ``limit`` answered, or fewer than ``limit`` (but some) are on either side of the middle."""
    parts = []
    middle = (len(levels) + 1) / 2
    for scale, item, part in item_rows(answers, learning_point):
        if scale != levels:
            continue
        rated = part[part["level"].notna()]
        upper = (rated["level"].astype(float) > middle).groupby(rated["site"]).agg(["size", "sum"])
        shown = upper[[_can_show(int(n), int(up), limit) for n, up in zip(upper["size"], upper["sum"], strict=True)]]
        parts.append(pd.DataFrame({"site": shown.index, "item": item, "percent": 100 * shown["sum"] / shown["size"]}))
    rows = pd.concat(parts, ignore_index=True) if parts else []
    return pd.DataFrame(rows, columns=["site", "item", "percent"])


def surveys_summary(data) -> pd.DataFrame:
    """One row per survey: its site, tool, responses, when they were submitted, and what its mapping keeps."""
    surveys = data.frames.get("survey", pd.DataFrame())
    columns = ["site", "survey", "tool", "responses", "first", "last", "questions", "learning_points", "imports",
               "unreadable"]  # fmt: skip
    if surveys.empty:
        return pd.DataFrame(columns=columns)
    responses = data.frames.get("survey_response", pd.DataFrame(columns=["survey_id", "submitted"]))
    imports = data.frames.get("survey_import", pd.DataFrame(columns=["survey_id", "unreadable_rows"]))
    # each survey's figures worked out once for all, not by filtering the frames survey by survey
    dates = pd.to_datetime(responses["submitted"], errors="coerce").groupby(responses["survey_id"])
    counted, first, last = dates.size(), dates.min(), dates.max()
    loaded = imports["survey_id"].value_counts()
    unreadable = imports["unreadable_rows"].map(_unreadable).groupby(imports["survey_id"]).sum()
    names = data.site_names()
    rows = []
    for survey in surveys.itertuples(index=False):
        mapping = stored_mapping(survey.mapping)
        lps = sorted({q.learning_point for q in mapping.questions}) if mapping else []
        rows.append(
            {
                "site": names.get(survey.site_id, ""),
                "survey": survey.name,
                "tool": TOOL_NAMES.get(survey.tool, survey.tool),
                "responses": int(counted.get(survey.id, 0)),
                "first": _or_none(first.get(survey.id)),
                "last": _or_none(last.get(survey.id)),
                "questions": len(mapping.questions) if mapping else 0,
                "learning_points": ", ".join(lp.upper() for lp in lps),
                "imports": int(loaded.get(survey.id, 0)),
                "unreadable": int(unreadable.get(survey.id, 0)),
            }
        )
    return pd.DataFrame(rows, columns=columns).sort_values(["site", "survey"], kind="stable").reset_index(drop=True)


def _or_none(when):
    return None if when is None or pd.isna(when) else when


def _unreadable(text) -> int:
    """Rows an import could not read, from its note ("row 4: ..." lines, then "and N more rows")."""
    if not isinstance(text, str) or not text.strip():
        return 0
    lines = text.strip().splitlines()
    more = lines[-1].split()
    if len(more) == 4 and more[0] == "and" and more[1].isdigit():
        return len(lines) - 1 + int(more[1])
    return len(lines)
