"""The survey import workbook: ``coprod import-survey`` in five steps on one page, with widgets.

Choose the export; see what was found (the tool, the responses, the questions, unreadable rows, columns
of names and e-mail addresses) and the first responses; map the questions to the learning points; import.
The checks and the import are the command's own (:func:`~.mapping.mapping_from_dict`,
:func:`~.importing.import_survey`), so a file imported here or from the command line lands the same way.

The uploaded bytes are written, for each read, into a private temporary folder (0700, the file 0600)
under the file's own name, so messages and the import record name the evaluator's file, and removed
straight after. Names and e-mail addresses are never shown. ``coprod serve --evaluator`` lets a page send
at most 32 MB at once (``serving.options.EVALUATOR_MAX_MESSAGE_BYTES``; the site app 4 MB): a larger file
never reaches the kernel and the page cannot tell (with a 4 MB limit a 3.9 MB CSV of 15,500 responses was
read and a 5 MB one did nothing), so the panel says so up front and points to the command.

The finished mapping is offered as a link that saves ``<survey>.mapping.yaml`` on the evaluator's own
computer, as the site app hands over its report: it works the same in Voilà and JupyterLab, leaves nothing
on the server, and the file loads here again ("Load a saved mapping") or goes to ``--mapping``.
"""

from __future__ import annotations

import dataclasses
from html import escape

import ipywidgets as widgets

from ..serving.options import EVALUATOR_MAX_MESSAGE_BYTES
from .import_steps import (
    DETECTED,
    NO_ROLE_COLUMN,
    NO_SITE,
    NOT_ANALYSED,
    checked_mapping,
    default_who,
    download_link,
    draft_for,
    import_message,
    in_words,
    layout_summary,
    learning_point_options,
    plural,
    preview_html,
    quoted,
    read_upload,
    roles_for,
    roles_html,
    slug,
    status_html,
    uploaded_copy,
)
from .importing import TOOL_NAMES, ImportRefused, ImportResult, import_survey
from .layouts import TOOLS
from .mapping import MappingInvalid, SurveyMapping, mapping_from_yaml, mapping_to_yaml
from .read import ExportUnreadable, SurveyExport

UPLOAD_LIMIT_MB = EVALUATOR_MAX_MESSAGE_BYTES // (1024 * 1024)
CSS = """
.coprod-survey-import { max-width: 70em; }
.coprod-survey-import .widget-label { white-space: normal; overflow: visible; text-overflow: clip; height: auto;
  max-width: 100%; flex-shrink: 1; overflow-wrap: anywhere; }
.coprod-survey-import .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.coprod-survey-import .coprod-question { border-left: 4px solid #888; padding-left: 0.8em; margin: 0.4em 0; }
.coprod-survey-import .coprod-preview { overflow-x: auto; max-width: 100%; }
.coprod-survey-import .coprod-table { border-collapse: collapse; margin: 0.5em 0 1em; }
.coprod-survey-import .coprod-table caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
.coprod-survey-import .coprod-table th, .coprod-survey-import .coprod-table td { border: 1px solid #999;
  padding: 0.3em 0.6em; text-align: left; vertical-align: top; max-width: 24em; white-space: pre-wrap; }
.coprod-survey-import .coprod-table thead th { background: #eee; }
.coprod-survey-import :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
"""


def _heading(text: str, help_text: str = "") -> widgets.HTML:
    more = f"<p>{escape(help_text)}</p>" if help_text else ""
    return widgets.HTML(value=f"<h2>{escape(text)}</h2>{more}")


def _uploaded(upload: widgets.FileUpload) -> tuple[str, bytes] | None:
    """The chosen file's name and bytes (ipywidgets 8 holds a tuple of dicts, the content as a memoryview)."""
    if not upload.value:
        return None
    entry = upload.value[0]
    return str(entry["name"]), bytes(entry["content"])


@dataclasses.dataclass
class QuestionRow:
    question: str
    choice: widgets.Dropdown
    widget: widgets.Widget


class SurveyImportPanel:
    """Choose, see, preview, map, import: one panel, every message in words, nothing saved until Import."""

    def __init__(self, store, who: str | None = None):
        self.store, self.who = store, who or default_who()
        self.export: SurveyExport | None = None
        self.upload: tuple[str, bytes] | None = None
        self.loaded: SurveyMapping | None = None
        self.base: dict = {}
        self.roles: dict[str, str] = {}
        self.rows: list[QuestionRow] = []
        self._quiet = False
        wide, style = widgets.Layout(width="auto"), {"description_width": "initial"}
        self.file = widgets.FileUpload(accept=".csv,.xlsx", multiple=False, description="Choose the export file")
        self.file.layout.width = "auto"
        self.file_status = widgets.HTML(value="")
        self.tool = widgets.Dropdown(description="Survey tool", options=[("Detected", DETECTED)], style=style)
        self.keep = widgets.Checkbox(value=False, description="Keep names and e-mail addresses", indent=False)
        self.keep.layout = wide
        self.found = widgets.HTML(value="")
        self.preview = widgets.HTML(value="")
        sites = [site.name for site in store.sites()]
        self.site = widgets.Dropdown(
            description="Site", options=[("Choose the site that ran the survey", NO_SITE), *((s, s) for s in sites)]
        )
        self.site.style = style
        self.survey = widgets.Combobox(description="Survey name", ensure_option=False, style=style)
        self.survey.layout.width = "36em"
        self.role = widgets.Dropdown(description="Who answered (the question that says)", style=style)
        self.role_note = widgets.HTML(value="")
        self.scored = widgets.VBox([])
        self.show_others = widgets.Checkbox(value=False, description="Show the other questions", indent=False)
        self.show_others.layout = widgets.Layout(width="auto")
        self.others = widgets.VBox([], layout=widgets.Layout(display="none"))
        self.none_scored = widgets.HTML("<p>No question's answers are on a known answer scale.</p>")
        self.others_note = widgets.HTML("<p>Answers to these are counted, never scored.</p>")
        self.mapping_file = widgets.FileUpload(accept=".yaml,.yml", multiple=False, description="Load a saved mapping")
        self.mapping_file.layout.width = "auto"
        self.save_button = widgets.Button(description="Save the mapping as a file", icon="download")
        self.save_button.layout.width = "auto"
        self.mapping_status = widgets.HTML(value="")
        self.import_button = widgets.Button(description="Import the responses", button_style="primary")
        self.import_button.layout.width = "auto"
        self.status = widgets.HTML(value="")
        self.status.add_class("coprod-import-status")

        self.file.observe(lambda _change: self._file_chosen(), "value")
        self.tool.observe(lambda _change: self._quiet or self._read(fresh=False), "value")
        self.keep.observe(lambda _change: self.export and self._summarise(), "value")
        self.site.observe(lambda _change: self._site_chosen(), "value")
        self.role.observe(lambda _change: self._quiet or self._role_chosen(), "value")
        self.show_others.observe(lambda change: self._others_shown(change["new"]), "value")
        self.mapping_file.observe(lambda _change: self._mapping_file_chosen(), "value")
        self.save_button.on_click(lambda _button: self.offer_mapping())
        self.import_button.on_click(lambda _button: self.import_responses())

        no_sites = [] if sites else [widgets.HTML("<p>There are no sites yet: add one with coprod site add.</p>")]
        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        self.after_file = widgets.VBox(
            [
                _heading("2. What was found"),
                self.tool,
                self.found,
                self.keep,
                _heading("3. The first responses", "As they were read, so you can check the columns line up."),
                self.preview,
                _heading(
                    "4. Map the questions to the learning points",
                    "Choose the site and name the survey (a later export of the same survey takes the same name). "
                    "For each question on an answer scale, choose the learning point it is evidence for, or Not "
                    "analysed. Every answer is kept with its response whatever you choose; only questions with a "
                    "learning point are analysed. A mapping saved here before fills these in.",
                ),
                widgets.HBox([self.mapping_file, self.save_button], layout=row),
                self.mapping_status,
                *no_sites,
                self.site,
                self.survey,
                self.role,
                self.role_note,
                self.scored,
                self.show_others,
                self.others,
                _heading(
                    "5. Import",
                    "Nothing is saved until you press Import. Importing the same file again adds only the "
                    "responses not imported before.",
                ),
                widgets.HBox([self.import_button]),
                self.status,
            ],
            layout=widgets.Layout(display="none"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(value=f"<style>{CSS}</style>"),
                _heading(
                    "1. Choose the survey export",
                    "The file as the survey tool exported it, CSV or Excel (.xlsx), from KoboToolbox or ODK, REDCap, "
                    f"Microsoft Forms, Google Forms or SurveyMonkey. A file larger than {UPLOAD_LIMIT_MB} MB does not "
                    "get through this page (nothing happens when it is chosen): import it with the command "
                    "coprod import-survey.",
                ),
                widgets.HBox([self.file]),
                self.file_status,
                self.after_file,
            ]
        )
        self.widget.add_class("coprod-survey-import")

    @classmethod
    def open(cls, url: str | None = None, who: str | None = None) -> SurveyImportPanel:
        from ..store import Store

        return cls(Store.open(url), who=who)

    # ---- reading the file -------------------------------------------------------------------------------------

    def _file_chosen(self) -> None:
        self.upload = _uploaded(self.file)
        if self.upload is None:
            return
        self.loaded = None
        self.mapping_status.value = self.status.value = ""
        self._set_quietly(self.tool, [("Detected", DETECTED)], DETECTED)
        self._read(fresh=True)

    def _read(self, fresh: bool) -> None:
        """Read the upload (with the tool chosen, if any) and show it; a file that cannot be read says why."""
        if self.upload is None:
            return
        try:
            export = read_upload(*self.upload, tool=self.tool.value or None)
        except (ExportUnreadable, OSError) as problem:
            self.export = None
            self.after_file.layout.display = "none"
            self.file_status.value = status_html([f"Not read: {problem} Nothing was imported."])
            return
        self.export = export
        self.file_status.value = ""
        if fresh:
            detected = [(f"Detected: {TOOL_NAMES[export.tool]}", DETECTED)]
            others = [(TOOL_NAMES[t], t) for t in TOOLS] + [("Another tool: every column a question", "unknown")]
            self._set_quietly(self.tool, detected + others, DETECTED)
        self._show(fresh)
        self.after_file.layout.display = None

    def _summarise(self) -> None:
        self.found.value = layout_summary(self.export, self.keep.value)

    def _show(self, fresh: bool) -> None:
        """Draw steps 2 to 4 for the export read; a re-read with another tool keeps the choices made so far."""
        export = self.export
        kept = {} if fresh else {row.question: row.choice.value for row in self.rows}
        self.base = self._base()
        self._summarise()
        self.preview.value = preview_html(export)
        if fresh:
            self.survey.value = self.base["survey"]
        role = self.role.value if not fresh and self.role.value in export.questions else self.base.get("role_column")
        options = [("None: no question says", NO_ROLE_COLUMN), *((q, q) for q in export.questions)]
        self._set_quietly(self.role, options, role or NO_ROLE_COLUMN)
        self._role_chosen()
        self._build_rows(kept)

    def _base(self) -> dict:
        """The draft for this file, with a loaded mapping's choices over it (its questions first, the draft's others
        not analysed)."""
        draft = draft_for(self.export)
        if self.loaded is None:
            return draft
        base = self.loaded.as_dict() | {"tool": self.export.tool}
        mapped = {entry["question"] for entry in base["questions"]}
        extra = [q | {"learning_point": NOT_ANALYSED} for q in draft["questions"] if q["question"] not in mapped]
        return base | {"questions": base["questions"] + extra}

    def _set_quietly(self, dropdown: widgets.Dropdown, options: list, value) -> None:
        self._quiet = True
        try:
            dropdown.options = options
            dropdown.value = value
        finally:
            self._quiet = False

    # ---- the mapping ------------------------------------------------------------------------------------------

    def _site_chosen(self) -> None:
        site = self.store.site_named(self.site.value) if self.site.value else None
        self.survey.options = [s.name for s in self.store.records("survey", site.id)] if site else []

    def _role_chosen(self) -> None:
        column = self.role.value or None
        if column and column == self.base.get("role_column"):
            self.roles = dict(self.base.get("roles") or {})
        else:
            self.roles = roles_for(self.export, column) if column else {}
        self.role_note.value = roles_html(column, self.roles)

    def _build_rows(self, kept: dict[str, str]) -> None:
        """A dropdown per question, labelled with the question: those on a scale first with their scores."""
        for row in self.rows:  # a long-lived Voilà kernel would otherwise keep every row ever drawn
            for part in (*row.widget.children, row.widget):
                part.close()
        known = {entry["question"]: entry for entry in self.base.get("questions", [])}
        scored, others = [], []
        for question in self.export.questions:
            entry = known.get(question, {})
            scores = entry.get("scores") or {}
            options = learning_point_options(undecided=bool(scores))
            value = kept.get(question, entry.get("learning_point", NOT_ANALYSED))
            choice = widgets.Dropdown(
                description=question,
                options=options,
                value=value if value in dict(options).values() else options[0][1],
                style={"description_width": "initial"},
                layout=widgets.Layout(width="100%"),
            )
            parts: list[widgets.Widget] = [choice]
            if scores:
                scale = ", ".join(f"{answer} = {score}" for answer, score in scores.items())
                parts.append(widgets.HTML(f"<p>Scores: {escape(scale)}. Other answers are counted, never scored.</p>"))
            box = widgets.VBox(parts)
            box.add_class("coprod-question")
            (scored if scores else others).append(QuestionRow(question, choice, box))
        self.rows = scored + others
        self.scored.children = [row.widget for row in scored] or [self.none_scored]
        self.others.children = [self.others_note, *(row.widget for row in others)]
        self.show_others.description = f"Show the {plural(len(others), 'question')} not on a known answer scale"
        self.show_others.layout.display = None if others else "none"
        self.show_others.value = any(row.choice.value != NOT_ANALYSED for row in others)
        self._others_shown(self.show_others.value)

    def _others_shown(self, shown: bool) -> None:
        self.others.layout.display = None if shown else "none"

    @property
    def choices(self) -> dict:
        """The choices on the page as plain data (see :func:`mapping_from_choices`)."""
        return {
            "survey": self.survey.value,
            "tool": self.export.tool if self.export else "unknown",
            "role_column": self.role.value or None,
            "roles": dict(self.roles),
            "learning_points": {row.question: row.choice.value for row in self.rows},
        }

    @property
    def mapping(self) -> SurveyMapping:
        """The mapping the page makes, checked; raises :class:`MappingInvalid` naming what to put right."""
        if self.export is None:
            raise MappingInvalid(["Survey export: choose the file first (step 1)"], "The mapping")
        return checked_mapping(self.base, self.choices)

    def load_mapping(self, text: str, name: str = "the mapping") -> SurveyMapping | None:
        """Fill the page from a saved mapping (YAML); one that does not fit this file is refused whole."""
        if self.export is None:
            self.mapping_status.value = status_html(["Not loaded: choose the survey export first (step 1)."])
            return None
        try:
            mapping = mapping_from_yaml(text, name)
        except MappingInvalid as invalid:
            self.mapping_status.value = status_html([f"Not loaded: {name} cannot be used."], invalid.problems)
            return None
        have = set(self.export.questions)
        missing = [q.question for q in mapping.questions if q.question not in have]
        missing += [mapping.role_column] if mapping.role_column and mapping.role_column not in have else []
        if missing:
            self.mapping_status.value = status_html(
                [
                    f"Not loaded: {name} names questions {self.export.file_name} does not have. Is it the mapping "
                    "for this survey (and this tool)?"
                ],
                [quoted(q) for q in missing],
            )
            return None
        self.loaded = mapping
        self.base = self._base()
        self.survey.value = mapping.survey
        self._set_quietly(self.role, self.role.options, mapping.role_column or NO_ROLE_COLUMN)
        self._role_chosen()
        self._build_rows({})
        lines = [
            f"Loaded: {name} maps {plural(len(mapping.questions), 'question')} of {quoted(mapping.survey)}. "
            "Check the choices below, then import."
        ]
        if mapping.tool not in ("unknown", self.export.tool):
            lines.append(
                f"It was made for {TOOL_NAMES.get(mapping.tool, mapping.tool)} and this file reads as "
                f"{TOOL_NAMES[self.export.tool]}: check it is the right mapping."
            )
        self.mapping_status.value = status_html(lines)
        return mapping

    def _mapping_file_chosen(self) -> None:
        chosen = _uploaded(self.mapping_file)
        if chosen is None:
            return
        name, content = chosen
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.mapping_status.value = status_html(
                [f"Not loaded: {name} is not a text file. Choose a .yaml mapping saved from here."]
            )
            return
        self.load_mapping(text, name)

    def offer_mapping(self) -> str | None:
        """A link that saves the finished mapping on this computer; the YAML, or None when it is not finished."""
        try:
            mapping = self.mapping
        except MappingInvalid as invalid:
            self.mapping_status.value = status_html(["Not ready to save: put these right first."], invalid.problems)
            return None
        text = mapping_to_yaml(mapping)
        filename = f"{slug(mapping.survey)}.mapping.yaml"
        link = download_link(text.encode("utf-8"), filename, f"Save {filename}")
        words = (
            "Ready to save: choose the link to keep the mapping on this computer. Next time, load it here with "
            "Load a saved mapping, or give it to coprod import-survey --mapping."
        )
        self.mapping_status.value = f'<div role="status"><p>{escape(words)}</p><p>{link}</p></div>'
        return text

    # ---- importing --------------------------------------------------------------------------------------------

    def import_responses(self) -> ImportResult | None:
        """Check everything, then import as the command does; any problem is said in words and nothing is saved."""
        problems = []
        if self.export is None or self.upload is None:
            problems.append("Survey export: choose the file first (step 1)")
        if not self.site.value:
            problems.append("Site: choose the site that ran the survey")
        mapping = None
        if self.export is not None:
            try:
                mapping = self.mapping
            except MappingInvalid as invalid:
                problems += invalid.problems
        if problems:
            self.status.value = status_html(["Not imported: nothing was saved. Put these right first:"], problems)
            return None
        # The button stays enabled: disabling it drops keyboard focus to the top of the page, and the kernel
        # takes clicks one at a time, so a second click imports after the first and adds nothing.
        self.status.value = status_html(["Importing..."])
        try:
            with uploaded_copy(*self.upload) as path:
                result = import_survey(
                    self.store, path, self.site.value, mapping, self.who, self.keep.value, self.tool.value or None
                )
        except (ExportUnreadable, ImportRefused, OSError) as problem:
            self.status.value = status_html([f"Not imported: {problem} Nothing was saved."])
            return None
        except MappingInvalid as invalid:
            names = [q.question for q in mapping.questions]
            problems = [in_words(p, names) for p in invalid.problems]
            self.status.value = status_html(["Not imported: nothing was saved. Put these right first:"], problems)
            return None
        self.status.value = import_message(result, self.site.value, self.keep.value)
        self._site_chosen()
        self.offer_mapping()
        return result
