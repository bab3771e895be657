"""A site's workspace: its name, the health panel, and one section per learning point.

Everything shown comes from one ``all_records()`` read of the site's own records, repeated after
each save; sections are built the first time they are opened, so the workspace appears quickly.
The question sets a site answers are read once, when "Our own questions" or "Self-assessment" is
first opened, and shared by both (they change only when an evaluator adds one, never through this app).
"""

from __future__ import annotations

import datetime as dt
from html import escape

import ipywidgets as widgets

from ..choices import RoleGroup
from ..health import HealthLine, site_health
from ..records import Record, record_type
from ..scope import SiteScope
from .form import ActivityForm, RecordForm, heading
from .questions_section import QuestionsSection, SiteQuestionSets
from .sections import PAGE, SECTIONS, SUMMARIES, SectionSpec
from .takeaway import ReportDownload


class RecordList:
    """Saved records of one kind, newest first, each with an Edit button; ten at a time."""

    def __init__(self, kind: str, noun: str, on_edit):
        self.kind, self.noun, self.on_edit = kind, noun, on_edit
        self.shown = PAGE
        self._key: tuple | None = None
        self.items = widgets.VBox([])
        self.more = widgets.Button(description="Show more")
        self.more.on_click(self._show_more)
        self.widget = widgets.VBox([heading(f"Saved: {noun}s", 5), self.items, self.more])
        self.widget.add_class("coprod-list")

    def show(self, records: list[Record], names: dict[int, str]) -> None:
        key = (tuple(records), tuple(sorted(names.items())), self.shown)
        if key == self._key:
            return
        self._key = key
        date_field = record_type(self.kind).dated_by
        newest = sorted(records, key=lambda r: (getattr(r, date_field) or dt.date.min, r.id), reverse=True)
        rows = []
        for record in newest[: self.shown]:
            text = widgets.Label(value=SUMMARIES[self.kind](record, names))
            text.add_class("coprod-summary")
            button = widgets.Button(description=f"Edit {self.noun} {record.id}")
            button.on_click(lambda _b, r=record: self.on_edit(r))
            rows.append(widgets.HBox([text, button]))
        if not rows:
            rows = [widgets.Label(value=f"No {self.noun}s recorded yet.")]
        self.items.children = rows
        self.more.layout.display = None if len(newest) > self.shown else "none"
        self._records, self._names = records, names

    def _show_more(self, _button) -> None:
        self.shown += PAGE
        self.show(self._records, self._names)


#: Each status's border (solid, dashed, dotted): a second signal beside the words, never the only one.
HEALTH_CLASSES = {True: "coprod-health-ok", False: "coprod-health-check", None: "coprod-health-missing"}


class HealthPanel:
    """Always on screen; each line says its status in words as well as by its border."""

    def __init__(self):
        self.shown: list[HealthLine] = []
        self.lines = widgets.VBox([])
        self.widget = widgets.VBox([heading("Site health", 3), self.lines])
        self.widget.add_class("coprod-health")

    def show(self, lines: list[HealthLine]) -> None:
        self.shown = list(lines)
        rows = []
        for line in lines:
            status = widgets.Label(value=f"{line.learning_point} - {line.status}: {line.what_it_means}")
            parts = [status]
            if line.what_to_do:
                parts.append(widgets.Label(value=f"What you could do: {line.what_to_do}"))
            row = widgets.VBox(parts)
            row.add_class(HEALTH_CLASSES[line.ok])
            rows.append(row)
        self.lines.children = rows


class Workspace:
    def __init__(self, scope: SiteScope, today: dt.date | None = None):
        self.scope = scope
        self.today = today
        self.records: dict[str, list[Record]] = {}
        self.forms: dict[str, RecordForm] = {}
        self.lists: dict[str, RecordList] = {}
        self.sections: dict[str, widgets.Widget] = {}
        self.questions: QuestionsSection | None = None
        self.self_assessment: QuestionsSection | None = None
        self._question_sets: SiteQuestionSets | None = None
        site = scope.site
        self.header = widgets.HTML(
            value=f"<h2>{escape(site.name)}</h2><p>Service issue: {escape(site.service_issue)}. "
            f"Started {escape(site.start_date.isoformat())}.</p>"
        )
        self.health = HealthPanel()
        self.chooser = widgets.Dropdown(
            description="Go to section",
            options=[(spec.title, spec.key) for spec in SECTIONS],
            value=SECTIONS[0].key,
            style={"description_width": "initial"},
        )
        self.chooser.observe(lambda change: self.open_section(change["new"]), names="value")
        self.body = widgets.VBox([])
        self.takeaway = ReportDownload(scope, scope.store_url)
        self.widget = widgets.VBox([self.header, self.health.widget, self.chooser, self.body, self.takeaway.widget])
        self.widget.add_class("coprod-workspace")
        self.refresh()
        self.open_section(SECTIONS[0].key)

    # ---- building --------------------------------------------------------------------------------

    def _build_section(self, spec: SectionSpec) -> widgets.Widget:
        parts: list[widgets.Widget] = [heading(spec.title, 3), widgets.Label(value=spec.reason)]
        if spec.key in ("questions", "self_assessment"):
            section = QuestionsSection(
                self.scope,
                self.choices,
                self._saved,
                self.today,
                sets=self.question_sets(),
                instruments=spec.key == "self_assessment",
                partner_role=self.partner_role,
            )
            if spec.key == "questions":
                self.questions = section
            else:
                self.self_assessment = section
            section.show(self.records["question_response"], self.partner_names())
            parts.append(section.widget)
        for form_spec in spec.forms:
            if form_spec.kind == "activity":
                form = ActivityForm(self.scope, self.choices, self._saved, form_spec.fields)
            else:
                form = RecordForm(
                    form_spec.kind, form_spec.fields, self.scope, self.choices, self._saved, add_title=form_spec.title
                )
            form.refresh_choices()
            self.forms[form_spec.kind] = form
            parts.append(form.widget)
        for kind in spec.listed:
            listing = RecordList(kind, self.forms[kind].noun, self.forms[kind].edit)
            self.lists[kind] = listing
            listing.show(self.records[kind], self.partner_names())
            parts.append(listing.widget)
        box = widgets.VBox(parts)
        box.add_class("coprod-section")
        return box

    def question_sets(self) -> SiteQuestionSets:
        """The question sets this site answers: read once, for both sections that answer them."""
        if self._question_sets is None:
            self._question_sets = SiteQuestionSets(self.scope)
        return self._question_sets

    def answer_sections(self) -> list[QuestionsSection]:
        return [section for section in (self.questions, self.self_assessment) if section is not None]

    def open_section(self, key: str) -> None:
        if key not in self.sections:
            spec = next(spec for spec in SECTIONS if spec.key == key)
            self.sections[key] = self._build_section(spec)
        self.body.children = [self.sections[key]]

    # ---- data ----------------------------------------------------------------------------------

    def partner_names(self) -> dict[int, str]:
        return {p.id: p.display_name for p in self.records.get("partner", [])}

    def partner_role(self, partner_id: int) -> str | None:
        """A partner's role group code, from the records already read (no extra database reads)."""
        partner = next((p for p in self.records.get("partner", []) if p.id == partner_id), None)
        return None if partner is None else RoleGroup(partner.role_group).value

    def choices(self, kind: str) -> list[tuple[str, int]]:
        """Options for reference fields, from records already loaded (no extra database reads)."""
        if kind == "partner":
            return [
                (f"{p.display_name} ({RoleGroup(p.role_group).label}){' - has left' if p.left else ''}", p.id)
                for p in sorted(self.records["partner"], key=lambda p: p.display_name.casefold())
            ]
        if kind == "non_negotiable":
            return [(f"{n.date_declared}: {n.statement[:70]}", n.id) for n in self.records["non_negotiable"]]
        if kind == "activity":
            return [(f"{a.date}: {a.title}", a.id) for a in self.records["activity"]]
        return []

    def refresh(self) -> None:
        """Re-read the site's records once, then update what depends on them."""
        previous_partners = self.records.get("partner")
        previous_nonneg = self.records.get("non_negotiable")
        self.records = self.scope.all_records()
        if (previous_partners, previous_nonneg) != (self.records["partner"], self.records["non_negotiable"]):
            for form in self.forms.values():
                form.refresh_choices()
            for section in self.answer_sections():
                section.refresh_choices()
        names = self.partner_names()
        for kind, listing in self.lists.items():
            listing.show(self.records[kind], names)
        for section in self.answer_sections():
            section.show(self.records["question_response"], names)
        sets = self.question_sets().versions.values()
        self.health.show(site_health(self.scope.site, self.records, self.today, [qs for qs in sets if qs is not None]))

    def _saved(self, _record: Record) -> None:
        self.refresh()
