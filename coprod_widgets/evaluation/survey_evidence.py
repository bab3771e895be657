"""Survey answers under the learning point each question was mapped to: diverging bars and the counts behind them.

Every learning point's section ends with :func:`survey_evidence`, in the workbooks and the reports alike. It
says so when no survey question speaks to the learning point, rather than leaving the space empty. Counts
under the threshold (5 unless a mapping raises it) are hidden in the charts and the tables alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd

from ..surveys import likert, results
from ..surveys.answers import scale_name
from . import indicators as ind
from . import scale
from .charts import likert_chart
from .charts.distribution import spread_chart
from .data import ProgrammeData
from .tables import note, paged_table

NO_SURVEYS = (
    "No survey responses are held for the sites, dates and groups shown, so there is no survey evidence here. "
    "Surveys run in KoboToolbox, REDCap, Microsoft Forms, Google Forms or SurveyMonkey are added with "
    "coprod import-survey or the survey import workbook."
)
HIDDEN = "hidden"
SURVEY_COLUMNS = {
    "site": "Site",
    "survey": "Survey",
    "tool": "Tool",
    "responses": "Responses",
    "first": "First submitted",
    "last": "Last submitted",
    "questions": "Questions mapped",
    "learning_points": "Learning points",
    "imports": "Files imported",
    "unreadable": "Rows that could not be read",
}


def _no_questions(lp: str) -> str:
    return (
        f"Surveys: no survey question is mapped to {lp.upper()} at the sites, dates and groups shown, so there is "
        "no survey evidence for this learning point (which is not the same as good or bad news)."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _hidden_note(limit: int) -> str:
    return (
        f"counts from 1 to {limit - 1} are {HIDDEN}, and one more where the hidden one could be worked out from "
        f"the total, so that no one can be picked out; groups of fewer than {limit} show their total only"
    )


def _site_groups(data: ProgrammeData, lp: str) -> tuple[list[str] | None, str]:
    """Which sites get a bar: all up to a panel's worth, else those that need a look at ``lp`` first."""
    if not scale.many_sites(data):
        return None, "each site"
    sites = scale.focus_sites(ind.overview_status(data), lp)[: scale.FOCUS_SITES]
    if sites:
        return sites, f"the {len(sites)} of {len(data.sites)} sites that need a look at {lp.upper()} first"
    names = sorted(data.sites["name"])[: scale.FOCUS_SITES]
    return names, f"the first {len(names)} of {len(data.sites)} sites by name (every one on track at {lp.upper()})"


def _chart(counts: pd.DataFrame, levels: tuple[str, ...], title: str, row_title: str, limit: int):
    bars = likert.diverging(counts, list(levels))
    return likert_chart(bars, list(levels), title, row_title, threshold=limit)


def _table(counts: pd.DataFrame, levels: tuple[str, ...], caption: str, group: str):
    columns = {"item": "Question", "group": group, "total": "Answers on the scale", **{lv: lv for lv in levels}}
    columns["off_scale"] = "Other answers (don't know and the like)"
    return paged_table(results.counts_table(counts, levels, HIDDEN), caption, columns, page=scale.PAGE_ROWS)


def survey_evidence(data: ProgrammeData, lp: str) -> list:
    """The survey answers mapped to ``lp``: by role group, then by site when there are several, each as a chart
    and a table of counts; or a line saying there are none."""
    answers = results.survey_answers(data)
    if data.frames.get("survey_response", pd.DataFrame()).empty:
        return [note(NO_SURVEYS)]
    at = answers[answers["learning_point"] == lp]
    if at.empty:
        return [note(_no_questions(lp))]
    limit = results.threshold(at)
    surveys = ", ".join(sorted(set(at["survey"])))
    parts = [
        note(
            f"Surveys: {_count(at['response_id'].nunique(), 'response')} to "
            f"{_count(at['question'].nunique(), 'question')} mapped to {lp.upper()} ({surveys}). In the charts and "
            f"tables, {_hidden_note(limit)}."
        )
    ]
    for levels, counts in results.counts_for(answers, lp, by="role"):
        name = scale_name(list(levels))
        parts.append(_chart(counts, levels, f"{lp.upper()} survey answers by role group ({name})", "Question", limit))
        parts.append(_table(counts, levels, f"{lp.upper()} survey answers by role group ({name})", "Who answered"))
    if data.sites.shape[0] > 1:
        groups, which = _site_groups(data, lp)
        for levels, counts in results.counts_for(answers, lp, by="site", groups=groups):
            name = scale_name(list(levels))
            if groups is None:  # few sites: a bar each, for all the questions together (or the only one)
                first = counts[counts["item"] == counts["item"].iloc[0]]
                parts.append(_chart(first, levels, f"{lp.upper()} survey answers at {which} ({name})", "Site", limit))
            else:  # many sites: how the sites spread, naming none in the chart
                parts.append(_spread(answers, lp, levels, len(data.sites), limit))
            parts.append(_table(counts, levels, f"{lp.upper()} survey answers at {which} ({name})", "Site"))
    return parts


def _spread(answers: pd.DataFrame, lp: str, levels: tuple[str, ...], sites: int, limit: int):
    """Each site's share of answers in the upper half of the scale, for each question, spread across the sites."""
    shares = results.site_upper_shares(answers, lp, levels, limit)
    items = [item for scale_levels, item, _ in results.item_rows(answers, lp) if scale_levels == levels]
    spread = scale.spread(shares, "item", "percent", items, sites)
    return spread_chart(
        spread,
        f"{lp.upper()} survey answers across the sites ({scale_name(list(levels))})",
        "Question",
        "Per cent of a site's answers in the upper half of the scale",
        "per cent",
        [
            "Each row is a question; the spread is of each site's share of answers above the middle of the scale.",
            f"A site with fewer than {limit} answers to a question, or fewer than {limit} on either side of the "
            "middle, counts as none yet, so that no one can be picked out.",
        ],
        "no site has enough answers to these questions to show.",
        domain=(0, 100),
    )


def with_survey_evidence(lp: str) -> Callable:
    """A learning point's section, followed by its survey evidence."""

    def wrap(section: Callable[..., list]) -> Callable[..., list]:
        @functools.wraps(section)
        def with_surveys(data: ProgrammeData, *args, **kwargs) -> list:
            return [*section(data, *args, **kwargs), *survey_evidence(data, lp)]

        return with_surveys

    return wrap


def surveys(data: ProgrammeData) -> list:
    """The surveys imported at the sites shown: tool, responses, dates, what is mapped, and rows not read."""
    summary = results.surveys_summary(data)
    if summary.empty:
        return [note(NO_SURVEYS)]
    return [
        paged_table(
            summary,
            "The surveys imported, with the learning points their questions are mapped to",
            SURVEY_COLUMNS,
            page=scale.PAGE_ROWS,
        )
    ]
