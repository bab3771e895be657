"""The two reports, as objects a report notebook calls one part at a time.

A report notebook does::

    report = ProgrammeReport.open(db_url, generated=generated)
    report.title()
    report.contents()
    report.overview()
    ...

Each method returns static HTML (``IPython.display.HTML``); the notebook displays it and nbconvert
copies it into the report. Nothing here draws widgets.
"""

from __future__ import annotations

from html import escape

from IPython.display import HTML

from ..choices import LEARNING_POINTS
from ..evaluation import indicators as ind
from ..evaluation import interview_evidence, many_sites, scale, sections
from ..evaluation.data import load_programme
from ..evaluation.render import enable_offline_charts
from ..store import Store
from . import gripp2, learning
from .parts import (
    STATUS_MARKS,
    Provenance,
    contents,
    footer,
    how_to_read,
    paragraph,
    reason,
    section,
    status_table,
    subheading,
    title_block,
)


def describe_store(url: str) -> str:
    from ..settings import describe_db

    return describe_db(url)


class _Report:
    kind = ""

    def __init__(self, store: Store, url: str, site: str | None = None, generated: str | None = None):
        enable_offline_charts(embed="svg")
        self.store = store
        self.data = load_programme(store, sites=[site] if site else None)
        self.data.partner_names = False  # reports count partners by role group, never name them
        programmes = store.records("programme")
        self.programme = programmes[0] if programmes else None
        self.provenance = Provenance.now(describe_store(url), generated)
        self.status = ind.overview_status(self.data)

    @property
    def programme_name(self) -> str:
        return self.programme.name if self.programme else "Programme not named"

    @property
    def fictional(self) -> bool:
        return bool(self.programme and self.programme.fictional)

    def footer(self) -> HTML:
        return footer(self.provenance)

    def learning_point(self, lp: str) -> HTML:
        """One learning point: the question it asks, each site's status and the evidence behind it."""
        number = lp.removeprefix("lp")
        rows = self.status[self.status["learning_point"] == lp.upper()]
        needs_look = rows[rows["status"] != "on track"]
        if scale.many_sites(self.data):
            parts = [paragraph(learning.QUESTIONS[lp]), *many_sites.learning_point(self.status, lp)]
            where = f"the {len(needs_look)} sites that need a look"
        else:
            parts = [
                paragraph(learning.QUESTIONS[lp]),
                status_table(rows, f"Learning point {number} at each site", by="site"),
            ]
            where = ", ".join(needs_look["site"])
        if not needs_look.empty:
            parts.append(f"<p><strong>Worth trying at {escape(where)}:</strong> {escape(learning.NEXT_STEPS[lp])}</p>")
        parts.extend(learning.EVIDENCE[lp](self.data))
        return section(lp, f"Learning point {number}: {LEARNING_POINTS[lp]}", *parts)

    def ladder(self) -> HTML:
        return section(
            "ladder",
            "The Ladder of Co-production and partners' own ratings",
            paragraph(
                "Where each activity sat on the seven steps of the Ladder of Co-production, from "
                "coercion to co-production, and how staff and people with lived experience rated the "
                "work against each learning point."
            ),
            *sections.ladder(self.data),
        )

    def timeline(self) -> HTML:
        return section("timeline", "What happened when", *sections.timeline(self.data))

    def surveys(self) -> HTML:
        return section(
            "surveys",
            "The surveys behind the survey evidence",
            paragraph(
                "The surveys the sites ran in other tools and imported, with the learning points their questions "
                "speak to. Their answers are under those learning points above; no one's name or e-mail address "
                "is kept from them or shown."
            ),
            *sections.surveys(self.data),
        )

    def interviews(self) -> HTML:
        return section(
            "interviews",
            "The interviews behind the interview evidence",
            paragraph(
                "The interview and workshop transcripts held, and how many passages in them are coded to each "
                "learning point, by the role group of the people interviewed. Passages are quoted only under the "
                "learning points above, and only those a coder marked to quote; names were replaced before any "
                "transcript was stored, and no coder is named."
            ),
            *sections.transcripts(self.data),
            *interview_evidence.counts_by_role(self.data),
        )


class ProgrammeReport(_Report):
    """Every site: the overview, each learning point with evidence from the sites, then GRIPP2."""

    kind = "programme"

    @classmethod
    def open(cls, url: str | None = None, generated: str | None = None) -> ProgrammeReport:
        from .. import settings

        url = url or settings.database_url()
        return cls(Store.open(url), url, generated=generated)

    def title(self) -> HTML:
        if scale.many_sites(self.data):
            line = f"{len(self.data.sites)} sites, each listed under learning point 8; those that need a look first."
        else:
            line = f"Sites: {', '.join(self.data.sites['name']) or 'none yet'}."
        return title_block(f"{self.programme_name}: co-production report", [line], self.provenance, self.fictional)

    def contents(self) -> HTML:
        entries = [
            ("about", "How to read this report"),
            ("overview", "The programme at a glance"),
            ("timeline", "What happened when"),
        ]
        entries += [(lp, f"Learning point {lp[2:]}: {title}") for lp, title in LEARNING_POINTS.items()]
        entries += [
            ("ladder", "The Ladder of Co-production and partners' own ratings"),
            ("surveys", "The surveys behind the survey evidence"),
            ("interviews", "The interviews behind the interview evidence"),
            ("gripp2", "GRIPP2 short form"),
        ]
        return contents(entries)

    def about(self) -> HTML:
        return section("about", "How to read this report", how_to_read())

    def overview(self) -> HTML:
        return section(
            "overview", "The programme at a glance", *sections.overview(self.data), *sections.overview_rules(self.data)
        )

    def gripp2(self) -> HTML:
        description = self.programme.description if self.programme else ""
        items = gripp2.gripp2_items(self.data, description)
        intro = paragraph(
            "GRIPP2 is the checklist journals and funders use to report the involvement of patients "
            "and the public. Each item below is filled from the records; where the records are "
            "missing, the gap is named so that it can be filled or explained."
        )
        return section("gripp2", "GRIPP2 short form", intro, gripp2.gripp2_html(items))


class SiteReport(_Report):
    """One site's story through the eight learning points."""

    kind = "site"

    def __init__(self, store: Store, url: str, site: str, generated: str | None = None):
        super().__init__(store, url, site=site, generated=generated)
        self.site = self.data.sites.iloc[0]

    @classmethod
    def open(cls, site: str | None, url: str | None = None, generated: str | None = None) -> SiteReport:
        from .. import settings
        from .run import site_name

        url = url or settings.database_url()
        store = Store.open(url)
        return cls(store, url, site_name(store, site), generated=generated)

    def title(self) -> HTML:
        start = self.site["start_date"]
        started = f"{start.day} {start:%B %Y}" if hasattr(start, "day") else str(start)
        return title_block(
            f"{self.site['name']}: co-production report",
            [
                f"Service issue: {self.site['service_issue']}.",
                f"Started on {started}.",
                f"Part of {self.programme_name}.",
            ],
            self.provenance,
            self.fictional,
        )

    def contents(self) -> HTML:
        entries = [
            ("glance", "At a glance"),
            ("problem", "The problem, version by version"),
            ("timeline", "What happened when"),
        ]
        entries += [(lp, f"Learning point {lp[2:]}: {title}") for lp, title in LEARNING_POINTS.items()]
        entries += [
            ("outcomes", "Outcomes by type of change"),
            ("ladder", "The Ladder of Co-production and partners' own ratings"),
            ("surveys", "The surveys behind the survey evidence"),
            ("interviews", "The interviews behind the interview evidence"),
            ("next", "What to look at next"),
        ]
        return contents(entries)

    def at_a_glance(self) -> HTML:
        rows = self.status.assign(
            title=self.status["learning_point"].map(lambda code: LEARNING_POINTS.get(code.lower(), ""))
        )
        return section(
            "glance",
            "At a glance",
            how_to_read(),
            status_table(rows, "Each learning point at this site", by="learning_point"),
        )

    def problem(self) -> HTML:
        return section(
            "problem",
            "The problem, version by version",
            paragraph("How the site's statement of the problem changed, and which groups shaped each version."),
            *learning.framing_history(self.data),
        )

    def outcomes(self) -> HTML:
        return section(
            "outcomes",
            "Outcomes by type of change",
            paragraph(
                "Co-production tends to change behaviour and culture first, then processes, then "
                "services. Every outcome recorded counts, intended or not, positive or negative."
            ),
            *learning.outcomes_by_type(self.data),
        )

    def next_steps(self) -> HTML:
        look = ind.worth_a_look(self.status)
        if look.empty:
            return section(
                "next",
                "What to look at next",
                paragraph(
                    "Every learning point is on track by the rules in this report. Keep recording, "
                    "and check the statuses again after the next few activities."
                ),
            )
        parts = []
        for row in look.itertuples(index=False):
            lp = row.learning_point.lower()
            parts.append(
                subheading(f"{row.learning_point}: {LEARNING_POINTS[lp]} ({STATUS_MARKS.get(row.status, row.status)})")
            )
            parts.append(paragraph(f"Why: {reason(row.rule)}. Evidence: {row.evidence}."))
            parts.append(paragraph(f"Worth trying: {learning.NEXT_STEPS[lp]}"))
        return section("next", "What to look at next", *parts)
