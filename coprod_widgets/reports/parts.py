"""Building blocks of a report page: headed sections, the title block, contents, status tables.

Everything here returns ``IPython.display.HTML`` holding static HTML only (no widgets, no scripts),
so nbconvert writes it into the report as it is. Every piece of recorded text is escaped here or
in :mod:`coprod_widgets.evaluation.tables`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import pandas as pd
from IPython.display import HTML

from ..evaluation.render import SectionView
from ..evaluation.tables import table_html

#: The order statuses are read in, worst last, with a word that does not rely on colour.
STATUS_MARKS = {
    "on track": "On track",
    "watch": "Watch",
    "concern": "Concern",
    "not enough records": "Not enough records",
}


@dataclass(frozen=True)
class Provenance:
    """Where a report came from: printed at its top and bottom and in the page's metadata."""

    generated: dt.datetime
    store: str
    version: str

    @classmethod
    def now(cls, store: str, generated: str | None = None) -> Provenance:
        from .. import __version__

        when = dt.datetime.fromisoformat(generated) if generated else dt.datetime.now().astimezone()
        return cls(when, store, __version__)

    def sentence(self) -> str:
        when = self.generated
        return f"Generated on {when.day} {when:%B %Y at %H:%M} from {self.store} by coprod {self.version}."


def section(anchor: str, title: str, *parts) -> HTML:
    """A ``<section>`` with a level-2 heading and the given parts (charts, tables, HTML, text)."""
    body = SectionView([part if not isinstance(part, str) else HTML(part) for part in parts]).html(embed="svg")
    return HTML(
        f'<section id="{escape(anchor, quote=True)}" aria-labelledby="{escape(anchor, quote=True)}-h">'
        f'<h2 id="{escape(anchor, quote=True)}-h">{escape(title)}</h2>\n{body}\n</section>'
    )


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def subheading(text: str) -> str:
    return f"<h3>{escape(text)}</h3>"


def title_block(title: str, lines: list[str], provenance: Provenance, fictional: bool) -> HTML:
    notice = (
        (
            '<p class="coprod-notice"><strong>Fictional data.</strong> Every place, person and number in this '
            "report is made up, for demonstration and training.</p>"
        )
        if fictional
        else ""
    )
    details = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return HTML(
        f"<header><h1>{escape(title)}</h1>{details}"
        f'<p class="coprod-meta">{escape(provenance.sentence())}</p>{notice}</header>'
    )


def contents(entries: list[tuple[str, str]]) -> HTML:
    items = "".join(f'<li><a href="#{escape(anchor, quote=True)}">{escape(text)}</a></li>' for anchor, text in entries)
    return HTML(f'<nav class="coprod-contents" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>')


def how_to_read() -> str:
    return (
        "<p>Each learning point gets one of three statuses at each site, shown in words as well as colour: "
        "<strong>On track</strong>, <strong>Watch</strong> (worth a conversation) or <strong>Concern</strong> "
        "(needs attention). Each status comes from a stated rule over the records, quoted beside it, so that "
        "readers can check it. A status is a prompt for discussion, not a verdict on the site.</p>"
        "<p>The report names no partners: people are counted by role group. Hover over a chart's marks to read "
        "the figures behind them.</p>"
    )


def reason(rule: str) -> str:
    """A status rule without its leading 'watch: ' (the status is shown beside it)."""
    head, sep, rest = rule.partition(": ")
    return rest if sep and head in (*STATUS_MARKS, "informational", "not judged") else rule


def status_table(status: pd.DataFrame, caption: str, by: str) -> str:
    """Status rows (from ``overview_status``) with the status as a word; ``by`` is 'site' or 'learning_point'."""
    shown = status.assign(
        status=status["status"].map(lambda s: STATUS_MARKS.get(s, s)), rule=status["rule"].map(reason)
    )
    first = {"site": "Site"} if by == "site" else {"learning_point": "Learning point", "title": "What it asks"}
    return table_html(shown, caption, {**first, "status": "Status", "rule": "Why", "evidence": "Evidence"}, limit=200)


def footer(provenance: Provenance) -> HTML:
    return HTML(
        f'<footer class="coprod-footer"><p>{escape(provenance.sentence())} '
        "Statuses and figures are computed from the records as they stood then.</p></footer>"
    )
