"""The interview coding workbook's codebook and two-coder panels: the codes with their definitions, the team's
own codes and memos added, and two coders' agreement with the disagreements to talk over.

With fewer than two coders, or no transcript both coded, the comparison says so in words: it never shows a
kappa of 0 or an empty table for work not yet done.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..problems import RecordInvalid
from . import coding
from .compare import compare_coders
from .workbench_controls import WIDE, button, default_who, panel, status_widget, text_box
from .workbench_views import (
    NOTHING,
    codebook_html,
    comparison_html,
    labels_of,
    memos_html,
    parent_options,
    problems_of,
    status_html,
)


class CodebookPanel:
    """The codebook in tree order, a form to add the team's own code, and memos on a code."""

    def __init__(self, store, who: str | None = None):
        self.store, self.who = store, who or default_who()
        self.changed: list[Callable[[], None]] = []  # told after a code is added
        self.listing = widgets.HTML(value="")
        self.key = text_box("Key", "lp2-transport", width="24em")
        self.name = text_box("Name", "Transport to meetings")
        self.definition = text_box("Definition", "When to use it, and when not", area=True)
        self.example = text_box("Example (optional)", "A short quotation that shows it", area=True)
        self.parent = widgets.Dropdown(description="Sits under", style=WIDE)
        self.codable = widgets.Checkbox(value=True, description="Passages can be coded with it", indent=False)
        self.codable.layout.width = "auto"
        self.add_button = button("Add the code", primary=True)
        self.add_status = status_widget()
        self.memo_code = widgets.Dropdown(description="Code", style=WIDE)
        self.memo_text = text_box("Memo", "What the team decided it covers, a question, a pattern", area=True)
        self.written_by = text_box("Written by", "your name or initials", width="24em")
        self.memo_button = button("Save the memo")
        self.memo_status = status_widget()
        self.memo_list = widgets.HTML(value="")
        self.add_button.on_click(lambda _button: self.add_code())
        self.memo_button.on_click(lambda _button: self.write_memo())
        self.memo_code.observe(lambda _change: self._show_memos(), "value")
        self.refresh()
        self.widget = panel(
            [
                self.listing,
                widgets.HTML("<h3>Add a code</h3>"),
                self.key,
                self.name,
                self.definition,
                self.example,
                self.parent,
                self.codable,
                widgets.HBox([self.add_button]),
                self.add_status,
                widgets.HTML("<h3>Memo on a code</h3>"),
                self.memo_code,
                self.memo_list,
                self.memo_text,
                self.written_by,
                widgets.HBox([self.memo_button]),
                self.memo_status,
            ]
        )

    def refresh(self) -> None:
        book = coding.codebook(self.store)
        self.listing.value = codebook_html(book)
        options = parent_options(book)
        kept = self.parent.value if self.parent.value in dict(options).values() else NOTHING
        self.parent.options, self.parent.value = options, kept
        choices = [("Choose a code", NOTHING), *options[1:]]
        kept = self.memo_code.value if self.memo_code.value in dict(choices).values() else NOTHING
        self.memo_code.options, self.memo_code.value = choices, kept

    def add_code(self):
        try:
            added = coding.add_code(
                self.store,
                self.key.value.strip(),
                self.name.value,
                self.definition.value,
                self.example.value,
                parent=self.parent.value or None,
                codable=self.codable.value,
                who=self.who,
            )
        except RecordInvalid as refused:
            self.add_status.value = status_html(["Not added: nothing was saved."], problems_of(refused))
            return None
        for box in (self.key, self.name, self.definition, self.example):
            box.value = ""
        self.refresh()
        self.add_status.value = status_html([f"Added the code {added.name} ({added.key}). Tick it in step 2."])
        for listener in self.changed:
            listener()
        return added

    def _show_memos(self) -> None:
        key = self.memo_code.value
        if not key:
            self.memo_list.value = ""
            return
        self.memo_list.value = memos_html(coding.memos(self.store, key), self.memo_code.label.strip())

    def write_memo(self):
        problems = []
        if not self.memo_code.value:
            problems.append("Code: choose the code the memo is about.")
        if not self.memo_text.value.strip():
            problems.append("Memo: type the memo.")
        if not self.written_by.value.strip():
            problems.append("Written by: type your name or initials.")
        if problems:
            self.memo_status.value = status_html(["Not saved: put these right first."], problems)
            return None
        try:
            memo = coding.write_memo(
                self.store, self.memo_code.value, self.memo_text.value, self.written_by.value.strip(), who=self.who
            )
        except RecordInvalid as refused:
            self.memo_status.value = status_html(["Not saved."], problems_of(refused))
            return None
        self.memo_text.value = ""
        self.memo_status.value = status_html([f"Saved the memo on {self.memo_code.label.strip()}."])
        self._show_memos()
        return memo


class CoderComparisonPanel:
    """Two coders' agreement on the transcripts both coded, code by code and overall, and where they differ."""

    def __init__(self, store):
        self.store = store
        self.first = widgets.Dropdown(description="First coder", style=WIDE)
        self.second = widgets.Dropdown(description="Second coder", style=WIDE)
        self.compare_button = button("Compare the two coders", primary=True)
        self.note = widgets.HTML(value="")
        self.result = widgets.HTML(value="")
        self.result.add_class("coprod-interview-status")
        self.compare_button.on_click(lambda _button: self.compare())
        self.refresh()
        self.widget = panel(
            [self.note, widgets.HBox([self.first, self.second]), widgets.HBox([self.compare_button]), self.result]
        )

    def refresh(self) -> None:
        """The coders from the store; those chosen stay chosen."""
        names = coding.coders(self.store)
        for dropdown, place in ((self.first, 0), (self.second, 1)):
            kept = dropdown.value if dropdown.value in names else (names[place] if len(names) > place else NOTHING)
            dropdown.options = [("Choose a coder", NOTHING), *((name, name) for name in names)]
            dropdown.value = kept
        if len(names) >= 2:
            self.note.value = ""
        else:
            who = f" (so far only {names[0]})" if names else ""
            self.note.value = status_html(
                [
                    f"Fewer than two people have coded passages yet{who}: agreement needs two coders who coded the "
                    "same transcripts, so there is nothing to compare."
                ]
            )

    def compare(self):
        first, second = self.first.value, self.second.value
        if not first or not second or first == second:
            self.result.value = status_html(
                ["Choose two different coders to compare."]
                + ([] if len(coding.coders(self.store)) >= 2 else ["Fewer than two people have coded passages yet."])
            )
            return None
        comparison = compare_coders(self.store, first, second)
        self.result.value = comparison_html(comparison, labels_of(coding.codebook(self.store)))
        return comparison
