"""The interview coding workbook: import a transcript, code its paragraphs, keep the codebook, compare two coders.

Each job is one panel taking a store; :class:`InterviewWorkbench` builds the four and tells each what the
others changed (a transcript imported, a code added, a passage saved), and the notebook only displays them.
The panels call the same functions as the Python API (:mod:`.importing`, :mod:`.coding`, :mod:`.compare`),
so a passage coded here and one coded in a script are the same record, refused for the same reasons.

Widgets are built for what is on screen only: the transcript picker reads titles without paragraphs, the
paragraph picker is filled for the chosen transcript, and the code checkboxes are built once per codebook.
The names list given on import is used and forgotten: cleared from the page, never shown back, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from ..problems import RecordInvalid
from ..surveys.import_steps import uploaded_copy
from . import coding
from .importing import store_transcript
from .pseudonyms import parse_names
from .transcripts import read_transcript
from .workbench_codebook import CodebookPanel, CoderComparisonPanel
from .workbench_controls import WIDE, button, default_who, panel, status_widget, text_box, uploaded
from .workbench_views import (
    NO_TRANSCRIPT,
    NOTHING,
    SEVERAL,
    applied_html,
    character_range,
    import_message,
    labels_of,
    note_html,
    paragraph_html,
    paragraph_options,
    plural,
    problems_of,
    removed_message,
    role_options,
    saved_message,
    status_html,
    transcript_choices,
    transcript_options,
)

CODES_HEADING = "Your codes for this passage (tick each that applies)"
__all__ = ["CodebookPanel", "CoderComparisonPanel", "CodingPanel", "ImportPanel", "InterviewWorkbench"]


class ImportPanel:
    """A transcript file, its site, role group and date, and an optional names list: read, names replaced, stored."""

    def __init__(self, store, who: str | None = None):
        self.store, self.who = store, who or default_who()
        self.imported: list[Callable[[], None]] = []  # told after each import
        self.file = widgets.FileUpload(accept=".txt,.md,.docx", multiple=False, description="Choose the transcript")
        self.file.layout.width = "auto"
        self.site = widgets.Dropdown(description="Site", style=WIDE)
        self.role = widgets.Dropdown(description="Interviewee's role group", options=role_options(), style=WIDE)
        self.interviewed = text_box("Date of the interview", "31/03/2015", width="22em")
        self.title = text_box("Title (optional)", "made from the file's name if left empty")
        self.names = text_box("Names to replace (optional)", "Ann Lee = Person 1\nBob = Person 2", area=True)
        self.names.layout.height = "7em"
        self.import_button = button("Import the transcript", primary=True)
        self.status = status_widget()
        self.file.observe(lambda _change: self._file_chosen(), "value")
        self.import_button.on_click(lambda _button: self.import_transcript())
        self.sites_note = widgets.HTML(value="")
        self.refresh_sites()
        self.widget = panel(
            [
                widgets.HBox([self.file]),
                self.sites_note,
                self.site,
                self.role,
                self.interviewed,
                self.title,
                self.names,
                widgets.HBox([self.import_button]),
                self.status,
            ]
        )

    def refresh_sites(self) -> None:
        names = [site.name for site in self.store.sites()]
        kept = self.site.value if self.site.value in names else NOTHING
        self.site.options = [("Choose the site of the interview", NOTHING), *((name, name) for name in names)]
        self.site.value = kept
        self.sites_note.value = "" if names else status_html(["There are no sites yet: add one with coprod site add."])

    def _file_chosen(self) -> None:
        chosen = uploaded(self.file)
        if chosen is not None:
            self.status.value = status_html([f"Chosen: {chosen[0]}. Fill in the rest, then import."])

    def import_transcript(self):
        """Check the form, read the file, replace the names and store it: one message either way, never a trace."""
        chosen, problems = uploaded(self.file), []
        if chosen is None:
            problems.append("Transcript: choose the file first (.txt, .md or .docx).")
        if not self.site.value:
            problems.append("Site: choose the site where the interview took place.")
        if not self.role.value:
            problems.append("Interviewee's role group: choose one, or Several role groups for a workshop.")
        names = {}
        try:
            names = parse_names(self.names.value)
        except ValueError as invalid:
            problems.append(f"Names to replace: {invalid}")
        if problems:
            self.status.value = status_html(["Not imported: nothing was saved. Put these right first:"], problems)
            return None
        site = self.store.site_named(self.site.value)
        if site is None:
            self.status.value = status_html([f"Not imported: there is no longer a site called {self.site.value}."])
            self.refresh_sites()
            return None
        try:
            with uploaded_copy(*chosen) as path:
                transcript = read_transcript(path)
            result = store_transcript(
                self.store,
                transcript,
                site.id,
                role_group=None if self.role.value == SEVERAL else self.role.value,
                interviewed=self.interviewed.value.strip() or None,
                who=self.who,
                names=names,
                title=self.title.value,
            )
        except (RecordInvalid, ValueError, OSError) as refused:  # unreadable, names unusable, refused, a field wrong
            self.status.value = status_html(["Not imported: nothing was saved."], problems_of(refused))
            return None
        self.names.value = self.title.value = ""
        self.file.value = ()  # the file's bytes (names and all) are not kept in the page either
        self.status.value = import_message(result, site.name, len(names))
        for listener in self.imported:
            listener()
        return result


class CodingPanel:
    """One paragraph at a time: its text, the codes already on it, and this coder's codes to tick and save."""

    #: The last coder's name in this kernel, so a panel built again (a re-run cell) keeps it.
    remembered_coder = ""

    def __init__(self, store, coder: str | None = None):
        self.store = store
        self.saved: list[Callable[[], None]] = []  # told after each save
        self.record = None
        self.codings: list = []
        self.boxes: dict[str, widgets.Checkbox] = {}
        self.labels: dict[str, str] = {}
        self._quiet = False
        self._shown: set[str] = set()  # the codes ticked when the passage was last shown: others are not saved yet
        self.coder = text_box("Your name (as coder)", "initials are enough, the same each time", width="30em")
        self.coder.value = coder or CodingPanel.remembered_coder
        self.transcript = widgets.Dropdown(description="Transcript", style=WIDE, layout=widgets.Layout(width="50em"))
        self.paragraph = widgets.Dropdown(description="Paragraph", style=WIDE, layout=widgets.Layout(width="50em"))
        self.previous = button("Previous paragraph")
        self.next = button("Next paragraph")
        self.text = widgets.HTML(value="")
        self.applied = widgets.HTML(value="")
        self.codes = widgets.VBox([])
        self.first_char = text_box("From character (optional)", "1", width="16em")
        self.last_char = text_box("To character (optional)", "the last", width="16em")
        self.memo = text_box("Memo on this passage (optional)", area=True)
        self.quote = widgets.Checkbox(value=False, description="Quote in reports", indent=False)
        self.save_button = button("Save the codes", primary=True)
        self.status = status_widget()
        self.empty = widgets.HTML(value="")
        self.coder.observe(lambda _change: self._show_mine(keep_ticks=True), "value")
        self.transcript.observe(lambda _change: self._quiet or self._transcript_chosen(), "value")
        self.paragraph.observe(lambda _change: self._quiet or self._paragraph_chosen(), "value")
        for box in (self.first_char, self.last_char):
            box.observe(lambda _change: self._show_mine(keep_ticks=True), "value")
        self.previous.on_click(lambda _button: self.step(-1))
        self.next.on_click(lambda _button: self.step(1))
        self.save_button.on_click(lambda _button: self.save())
        part = widgets.HTML(
            "<p>To code part of the paragraph, give its first and last character (1 is the first); leave both "
            "empty for the whole paragraph.</p>"
        )
        self.passage = widgets.VBox(
            [
                widgets.HBox([self.paragraph, self.previous, self.next]),
                self.text,
                self.applied,
                widgets.HTML(
                    '<p class="coprod-codes-heading">Your codes for this passage (tick each that applies)</p>'
                ),
                self.codes,
                part,
                widgets.HBox([self.first_char, self.last_char]),
                self.memo,
                self.quote,
                widgets.HBox([self.save_button]),
                self.status,
            ],
            layout=widgets.Layout(display="none"),
        )
        self.refresh_codebook()
        self.refresh_transcripts()
        self.widget = panel([self.coder, self.empty, self.transcript, self.passage])

    # ---- what is on offer -------------------------------------------------------------------------------------

    def refresh_transcripts(self) -> None:
        """The transcript picker from the store (titles only); the chosen transcript stays chosen."""
        choices = transcript_choices(self.store)
        kept = self.transcript.value if any(c.id == self.transcript.value for c in choices) else NO_TRANSCRIPT
        self._quiet = True
        try:
            self.transcript.options = transcript_options(choices)
            self.transcript.value = kept
        finally:
            self._quiet = False
        self.transcript.layout.display = None if choices else "none"
        self.empty.value = (
            ""
            if choices
            else status_html(["No transcripts yet: import one in step 1, then choose it here to code it."])
        )

    def refresh_codebook(self) -> None:
        """A checkbox per codable code in tree order, indented by depth; codes that only group others as headings."""
        book = coding.codebook(self.store)
        self.labels = labels_of(book)
        old, self.boxes, rows = list(self.codes.children), {}, []
        for code, depth in book.walk():
            margin = widgets.Layout(margin=f"0 0 0 {1.5 * depth:.1f}em", width="auto")
            if code.codable:
                box = widgets.Checkbox(value=False, description=self.labels[code.key], indent=False, layout=margin)
                self.boxes[code.key] = box
                rows.append(box)
            else:
                heading = widgets.HTML(
                    f"<p>{escape(self.labels[code.key])} (groups the codes under it)</p>", layout=margin
                )
                rows.append(heading)
        self.codes.children = rows
        for shown in old:  # a long-lived kernel would otherwise keep every box ever drawn
            shown.close()
        self._show_mine()

    # ---- choosing ---------------------------------------------------------------------------------------------

    def _transcript_chosen(self) -> None:
        self.status.value = ""
        chosen = self.transcript.value
        self.record = self.store.get("transcript", chosen) if chosen else None
        if self.record is None:
            self.passage.layout.display = "none"
            return
        self.codings = coding.codings(self.store, transcript_id=self.record.id)
        self._quiet = True
        try:
            self.paragraph.options = paragraph_options(self.record)
            self.paragraph.value = 1
        finally:
            self._quiet = False
        self.passage.layout.display = None
        self._paragraph_chosen()

    def _paragraph_chosen(self) -> None:
        if self.record is None or not self.paragraph.value:
            return
        self.first_char.value = self.last_char.value = ""
        self.text.value = paragraph_html(self.record, self.paragraph.value)
        self._show_mine()

    def step(self, by: int) -> None:
        """Go to the previous (-1) or next (+1) paragraph; at either end, stay and say so."""
        if self.record is None:
            return
        wanted = self.paragraph.value + by
        if 1 <= wanted <= len(self.record.paragraphs):
            self.status.value = ""
            self.paragraph.value = wanted
        else:
            end = "first" if by < 0 else "last"
            self.status.value = status_html([f"This is the {end} paragraph of the transcript."])

    def _here(self) -> list:
        return [c for c in self.codings if c.paragraph == self.paragraph.value]

    def _mine(self):
        """This coder's coding of the passage on screen (the whole paragraph, or the range typed), if any."""
        try:
            wanted = self._range()
        except RecordInvalid:
            return None
        me = self.coder.value.strip()
        return next(
            (c for c in self._here() if c.coder == me and (c.start_char, c.end_char) == (wanted.start, wanted.end)),
            None,
        )

    def _range(self):
        text = self.record.paragraphs[self.paragraph.value - 1][1]
        return character_range(self.first_char.value, self.last_char.value, len(text))

    def _show_mine(self, keep_ticks: bool = False) -> None:
        """Tick this coder's codes for the passage on screen, and fill in its memo; list everyone's codes.

        With ``keep_ticks`` (the coder's name or the range being typed), ticks not yet saved stay unless this coder
        has coded the passage now on screen, so typing a range after ticking loses nothing.
        """
        if self.record is None or not self.paragraph.value:
            return
        self.applied.value = applied_html(self._here(), self.labels, self.coder.value)
        mine = self._mine()
        if keep_ticks and mine is None and self._ticked() != self._shown:
            return
        self._shown = set(mine.codes) if mine else set()
        for key, box in self.boxes.items():
            box.value = key in self._shown
        self.memo.value = mine.memo if mine else ""
        self.quote.value = bool(mine and mine.quote)

    def _ticked(self) -> set[str]:
        return {key for key, box in self.boxes.items() if box.value}

    # ---- saving -----------------------------------------------------------------------------------------------

    def save(self):
        """The codes ticked become this coder's codes for the passage: new ones applied, unticked ones taken off."""
        me, problems = self.coder.value.strip(), []
        if not me:
            problems.append("Your name (as coder): type it first, so the coding says who did it.")
        if self.record is None:
            problems.append("Transcript: choose the transcript to code.")
        wanted = None
        if self.record is not None:
            try:
                wanted = self._range()
            except RecordInvalid as invalid:
                problems += problems_of(invalid)
        ticked = [key for key, box in self.boxes.items() if box.value]
        mine = self._mine() if not problems else None
        if not problems and not ticked and mine is None:
            problems.append("Codes: tick at least one code that applies to this passage.")
        if problems:
            self.status.value = status_html(["Not saved: put these right first."], problems)
            return None
        CodingPanel.remembered_coder = me
        removed = [key for key in (mine.codes if mine else []) if key not in ticked]
        passage = coding.Passage(self.record.id, self.paragraph.value, wanted.start, wanted.end)
        try:  # one transaction: the codes ticked become the coder's codes for the passage, or it goes
            saved = coding.set_codes(
                self.store, passage, ticked, me, memo=self.memo.value, quote=self.quote.value, who=me
            )
        except (RecordInvalid, ValueError) as refused:
            self.status.value = status_html(["Not saved."], problems_of(refused))
            return None
        self.codings = coding.codings(self.store, transcript_id=self.record.id)
        if saved is None:
            self.status.value = removed_message(self.paragraph.value, me, removed, self.labels, self.record.title)
        else:
            self.status.value = saved_message(saved, removed, self.labels, self.record.title)
        self._show_mine()
        for listener in self.saved:
            listener()
        return saved


class InterviewWorkbench:
    """The four panels, each told what the others change; the notebook displays ``importer``, ``coder``,
    ``codebook`` and ``comparison`` one under each step's explanation."""

    def __init__(self, store, who: str | None = None):
        self.store = store
        self.importer = ImportPanel(store, who=who)
        self.coder = CodingPanel(store)
        self.codebook = CodebookPanel(store, who=who)
        self.comparison = CoderComparisonPanel(store)
        self.importer.imported.append(self.coder.refresh_transcripts)
        self.codebook.changed.append(self.coder.refresh_codebook)
        self.coder.saved.append(self.comparison.refresh)

    @classmethod
    def open(cls, url: str | None = None, who: str | None = None) -> InterviewWorkbench:
        from ..store import Store

        return cls(Store.open(url), who=who)

    def summary(self) -> widgets.HTML:
        """How much is in the store to code, said plainly when it is nothing."""
        transcripts = len(self.coder.transcript.options) - 1
        coders = len(coding.coders(self.store))
        if not transcripts:
            return widgets.HTML(note_html(["The store holds no transcripts yet, so nothing has been coded."]))
        return widgets.HTML(
            note_html(
                [f"The store holds {plural(transcripts, 'transcript')}, coded so far by {plural(coders, 'coder')}."]
            )
        )
