"""The inputs a question set is answered in: one per question, a group's block, a repeat's entries.

Each input keeps its answer in the stored conventions of :mod:`coprod_widgets.questions.answers` and shows
its own hint and problem; :class:`Level` shows, hides, works out and filters them as the answers change.
:mod:`.questionnaire` puts them in a form that saves. Form text goes into text widgets or is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping
from html import escape
from typing import Any

import ipywidgets as widgets

from ..questions.answers import calculate, is_blank, is_relevant
from ..questions.form import RANGE_DEFAULTS, Choice, FormDefinition, Question, offered_choices
from .fields import DATE_ADVICE, LABEL_STYLE, date_input, date_label, date_text, typed_date, wide
from .form import heading

NOT_ANSWERED = "Not answered"
#: A range with more steps than this is typed as a number: a list that long is no help to anyone.
MAX_RANGE_OPTIONS = 200
NUMBER_HINTS = {"integer": "a whole number, like 3", "decimal": "a number, like 2.5", "range": "a number"}

#: ``${name}`` in a label or hint: shown as that question's answer so far (XLSForm's "piping").
_PIPED = re.compile(r"\$\{\s*([^}\s]+)\s*\}")
NOT_YET = "…"


def piped(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with each ``${name}`` replaced by that answer as typed so far (… while unanswered)."""
    if "${" not in text:
        return text
    return _PIPED.sub(lambda match: _shown(values.get(match.group(1))), text)


def _shown(value: Any) -> str:
    if is_blank(value) or isinstance(value, dict):
        return NOT_YET
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if all(not isinstance(i, dict) for i in value) else NOT_YET
    if isinstance(value, float):
        return number_text(value)
    return str(value)


#: Called with the question whose value a person changed, or None when entries were added or removed.
OnChange = Callable[["QuestionInput | None"], None]


def heading_html(text: str, level: int) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def number_text(value: Any) -> str:
    """A stored number as people write it: 3, not 3.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def typed_number(text: str, whole: bool) -> int | float | str | None:
    """Typed text as a number. Text that is not one is passed on as typed, so the answer checks say what to do."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text) if whole else _finite(float(text), text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if whole and number.is_integer() else text


def _finite(number: float, text: str) -> float | str:
    return number if math.isfinite(number) else text


def range_values(question: Question) -> list[int | float] | None:
    """Every value a range question allows, start to end by step; None when there are too many to list."""
    start, end, step = (question.parameters.get(key, RANGE_DEFAULTS[key]) for key in ("start", "end", "step"))
    if step <= 0 or end < start:
        return None
    count = math.floor((end - start) / step + 1e-9) + 1
    if count > MAX_RANGE_OPTIONS:
        return None
    values = (round(start + index * step, 10) for index in range(count))
    return [int(value) if value.is_integer() else value for value in values]


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything in it: replaced widgets would otherwise stay in the kernel all session."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


class QuestionInput:
    """One question: a labelled input, its hint and its message; ``value`` follows the stored answer conventions."""

    def __init__(self, form: FormDefinition, question: Question, language: str):
        self.form, self.question = form, question
        self.kind = question.type
        self.language = language
        self.choices: tuple[Choice, ...] = form.choices.get(question.list_name or "", ())
        self.ranges = range_values(question) if self.kind == "range" else None
        self.calculated: Any = ""
        self.values: Mapping[str, Any] = {}  # the answers so far, for ${name} in the label and hint
        self._listener: OnChange = lambda field: None
        self.input = self._make_input()
        if self.kind not in ("note", "calculate", "select_multiple"):
            self.input.observe(self._changed, names="value")
        self.hint = widgets.Label(value="")
        self.hint.add_class("coprod-hint")
        self.message = widgets.Label(value="")
        self.message.add_class("coprod-problem")
        self.message.layout.display = "none"
        self.widget = widgets.VBox([self.input, self.hint, self.message])
        self.widget.add_class("coprod-field")
        self.relabel(language)
        self.show(True)

    # ---- building ----------------------------------------------------------------------------

    def _make_input(self) -> widgets.Widget:
        common = {"style": LABEL_STYLE, "layout": wide(), "disabled": self.question.read_only}
        kind = self.kind
        if kind in ("note", "calculate"):
            return widgets.Label(value="", layout=wide())
        if kind == "select_multiple":
            self.title = widgets.Label(value="")
            box = widgets.VBox([], layout=wide())
            box.add_class("coprod-checkbox-group")
            return widgets.VBox([self.title, box])
        if kind == "select_one" or (kind == "range" and self.ranges is not None):
            return widgets.Dropdown(options=[(NOT_ANSWERED, None)], value=None, **common)
        if kind == "date":
            return date_input(**common)  # typed, as every date in the site app is (see fields.date_input)
        if kind == "acknowledge":
            return widgets.Checkbox(value=False, indent=False, **common)
        placeholder = NUMBER_HINTS.get(kind, "")
        # Sent when the box loses focus, in one message, as fields.py does for the other forms.
        return widgets.Text(placeholder=placeholder, continuous_update=False, **common)

    def _boxes(self) -> tuple[widgets.Checkbox, ...]:
        return self.input.children[1].children

    def observe(self, listener: OnChange) -> None:
        """Call ``listener`` with this question whenever its answer changes (each checkbox is wired as built)."""
        self._listener = listener

    def _changed(self, _change) -> None:
        self._listener(self)

    # ---- words -----------------------------------------------------------------------------

    def label(self) -> str:
        text = piped(self.question.label(self.language, self.form.default_language), self.values)
        text = date_label(text) if self.kind == "date" else text
        return text + (" (required)" if self.question.required == "true()" else "")

    def relabel(self, language: str) -> None:
        """Every word of this question in ``language``, keeping the answer."""
        self.language = language
        label = self.label()
        if self.kind == "note":
            self.input.value = label
        elif self.kind == "calculate":
            self._show_calculated()
        elif self.kind == "select_multiple":
            self.title.value = label
            self.set_choices(self.choices, rebuild=True)
        else:
            self.input.description = label
            if self.kind == "select_one" or isinstance(self.input, widgets.Dropdown):
                self.set_choices(self.choices, rebuild=True)
        self._rehint()

    def _rehint(self) -> None:
        hint = piped(self.question.hint(self.language, self.form.default_language), self.values)
        self.hint.value = hint
        self.hint.layout.display = None if hint else "none"

    def pipe(self, values: Mapping[str, Any]) -> None:
        """Show the answers a ``${name}`` in the label or hint points at, as they are now."""
        texts = (
            self.question.label(self.language, self.form.default_language),
            self.question.hint(self.language, self.form.default_language),
        )
        if not any("${" in text for text in texts):
            return
        before = (self.label(), self.hint.value)
        self.values = dict(values)
        if self.label() != before[0]:
            label = self.label()
            if self.kind == "note":
                self.input.value = label
            elif self.kind == "select_multiple":
                self.title.value = label
            elif self.kind != "calculate":
                self.input.description = label
        self._rehint()

    def _option_label(self, choice: Choice) -> str:
        return choice.label(self.language, self.form.default_language)

    def set_choices(self, choices: tuple[Choice, ...], rebuild: bool = False) -> None:
        """Offer only ``choices`` (a choice_filter narrows them), keeping what is chosen if it is still offered."""
        if choices == self.choices and not rebuild:
            return
        current = self.value
        self.choices = choices
        if self.kind == "select_multiple":
            ticked = set(current or [])
            boxes = []
            for choice in choices:
                box = widgets.Checkbox(
                    value=choice.name in ticked,
                    description=self._option_label(choice),
                    indent=False,
                    style=LABEL_STYLE,
                    disabled=self.question.read_only,
                )
                box.choice_name = choice.name
                box.observe(self._changed, names="value")
                boxes.append(box)
            replaced = self._boxes()
            self.input.children[1].children = boxes
            for box in replaced:
                box.close()
            return
        if self.kind == "range":
            self.input.options = [(NOT_ANSWERED, None), *((number_text(value), value) for value in self.ranges)]
        else:
            self.input.options = [(NOT_ANSWERED, None), *((self._option_label(c), c.name) for c in choices)]
        self._select(current)

    def _select(self, value: Any) -> None:
        """Choose ``value`` in the list if it is offered; otherwise nothing is chosen."""
        if self.kind == "range":
            self.input.value = next((option for option in self.ranges if option == _number(value)), None)
        else:
            self.input.value = value if value in {choice.name for choice in self.choices} else None

    def _offer_all_for(self, wanted: set[str]) -> None:
        """A saved answer may lie outside what a filter offered last time: offer every choice again to load it."""
        if not wanted <= {choice.name for choice in self.choices}:
            self.set_choices(self.form.choices.get(self.question.list_name or "", ()))

    # ---- values ----------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        kind = self.kind
        if kind == "note":
            return None
        if kind == "calculate":
            return self.calculated
        if kind == "select_multiple":
            return [box.choice_name for box in self._boxes() if box.value] or None
        if kind == "acknowledge":
            return "OK" if self.input.value else None
        if kind == "date":
            typed = typed_date(self.input.value)
            return typed.isoformat() if isinstance(typed, dt.date) else typed
        if isinstance(self.input, widgets.Dropdown):
            return self.input.value
        if kind in ("integer", "decimal", "range"):
            return typed_number(self.input.value, whole=kind == "integer")
        return self.input.value.strip() or None

    @value.setter
    def value(self, value: Any) -> None:
        """Set from a stored answer, or from the form's default as written in the sheet."""
        kind = self.kind
        if kind == "note":
            return
        if kind == "calculate":
            self.calculated = "" if value is None else value
            self._show_calculated()
        elif kind == "select_multiple":
            wanted = set(value.split() if isinstance(value, str) else value or [])
            self._offer_all_for(wanted)
            for box in self._boxes():
                box.value = box.choice_name in wanted
        elif kind == "acknowledge":
            self.input.value = str(value).strip().lower() in ("ok", "yes", "true", "true()", "1")
        elif kind == "date":
            self.input.value = date_text(typed_date(value) if isinstance(value, str) else value)
        elif isinstance(self.input, widgets.Dropdown):
            self._offer_all_for(set() if value is None or kind == "range" else {value})
            self._select(value)
        else:
            self.input.value = number_text(value)

    def _show_calculated(self) -> None:
        shown = number_text(self.calculated) if not is_blank(self.calculated) else "not worked out yet"
        self.input.value = f"{self.question.label(self.language, self.form.default_language)}: {shown}"

    def clear(self) -> None:
        """Blank, or the form's default: the state of a new set of answers."""
        self.value = self.question.default or None
        self.show_problem("")

    # ---- display ---------------------------------------------------------------------------

    def show(self, applies: bool) -> None:
        visible = applies and (self.kind != "calculate" or bool(self.question.labels))
        self.widget.layout.display = None if visible else "none"
        if not applies:
            self.show_problem("")

    def show_problem(self, message: str) -> None:
        if message and self._not_a_date():
            # The stored-answer check asks for YYYY-MM-DD; people here type day/month/year.
            message = f"{self.question.label(self.language, self.form.default_language)}: {DATE_ADVICE}"
        self.message.value = f"Problem: {message}" if message else ""
        self.message.layout.display = None if message else "none"

    def _not_a_date(self) -> bool:
        return self.kind == "date" and isinstance(typed_date(self.input.value), str)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class GroupBlock:
    """A group's questions under its heading, hidden together when the group does not apply."""

    def __init__(self, form: FormDefinition, question: Question, children: list[widgets.Widget], language: str):
        self.form, self.question = form, question
        self.title = heading(question.name, 4)
        self.widget = widgets.VBox([self.title, *children])
        self.widget.add_class("coprod-group")
        self.relabel(language)

    def relabel(self, language: str) -> None:
        self.title.value = heading_html(self.question.label(language, self.form.default_language), 4)

    def show(self, applies: bool) -> None:
        self.widget.layout.display = None if applies else "none"


class Level:
    """Questions answered together in one answers object: the whole form, or one entry of a repeat."""

    def __init__(self, form: FormDefinition, questions: tuple[Question, ...], language: str, on_change: OnChange):
        self.form, self.questions = form, questions
        self.on_change = on_change
        self.inputs: dict[str, QuestionInput] = {}
        self.groups: dict[str, GroupBlock] = {}
        self.repeats: dict[str, RepeatBlock] = {}
        self.widget = widgets.VBox(self._build(questions, language))

    def _build(self, questions: tuple[Question, ...], language: str) -> list[widgets.Widget]:
        parts: list[widgets.Widget] = []
        for question in questions:
            if question.type == "group":
                block = GroupBlock(self.form, question, self._build(question.children, language), language)
                self.groups[question.name] = block
            elif question.type == "repeat":
                block = RepeatBlock(self.form, question, language, self.on_change)
                self.repeats[question.name] = block
            else:
                block = QuestionInput(self.form, question, language)
                block.observe(self.on_change)
                self.inputs[question.name] = block
            parts.append(block.widget)
        return parts

    def answers(self) -> dict[str, Any]:
        """What is answered so far, as typed (blanks and notes left out)."""
        found = {name: field.value for name, field in self.inputs.items() if field.question.holds_answer}
        found |= {name: block.answers() for name, block in self.repeats.items()}
        return {name: value for name, value in found.items() if not is_blank(value)}

    def load(self, answers: Mapping[str, Any]) -> None:
        for name, field in self.inputs.items():
            field.value = answers.get(name)
            field.show_problem("")
        for name, block in self.repeats.items():
            items = answers.get(name)
            block.load(items if isinstance(items, list) else [])

    def clear(self) -> None:
        for field in self.inputs.values():
            field.clear()
        for block in self.repeats.values():
            block.reset()

    def relabel(self, language: str) -> None:
        for part in [*self.inputs.values(), *self.groups.values(), *self.repeats.values()]:
            part.relabel(language)

    def refresh(self, outer: Mapping[str, Any]) -> None:
        """Show what applies, work out calculations and filter choices, in form order as ``complete()`` does."""
        self._refresh(self.questions, {**outer, **self.answers()})

    def _refresh(self, questions: tuple[Question, ...], values: dict[str, Any]) -> None:
        for question in questions:
            applies = is_relevant(question, values)
            if question.type == "group":
                self.groups[question.name].show(applies)
                if applies:
                    self._refresh(question.children, values)
                continue
            if not applies or question.type == "note":
                values.pop(question.name, None)
            if question.type == "repeat":
                self.repeats[question.name].show(applies)
                if applies:
                    self.repeats[question.name].refresh(values)
                continue
            field = self.inputs[question.name]
            field.show(applies)
            if not applies:
                continue
            field.pipe(values)
            if question.type == "calculate":
                field.value = calculate(question, values)
                values[question.name] = field.value
            if question.choice_filter:
                field.set_choices(offered_choices(self.form, question, values))
                values[question.name] = field.value

    def fields(self, prefix: str) -> Iterator[tuple[str, QuestionInput | RepeatBlock]]:
        """Every input with its problem field name (``answers.NAME``, ``answers.REPEAT.N.NAME``)."""
        for name, field in self.inputs.items():
            yield f"{prefix}.{name}", field
        for name, block in self.repeats.items():
            yield f"{prefix}.{name}", block
            for number, entry in block.numbered():
                yield from entry.fields(f"{prefix}.{name}.{number}")


class RepeatBlock:
    """A repeat: one block of its questions per entry, each removable, and a button to add another."""

    def __init__(self, form: FormDefinition, question: Question, language: str, on_change: OnChange):
        self.form, self.question, self.language = form, question, language
        self.on_change = on_change
        self.entries: list[Level] = []
        self.title = heading(question.name, 4)
        self.rows = widgets.VBox([])
        self.add_button = widgets.Button(description="Add another")
        self.add_button.on_click(lambda _button: self.add_entry())
        self.message = widgets.Label(value="")
        self.message.add_class("coprod-problem")
        self.message.layout.display = "none"
        self.widget = widgets.VBox([self.title, self.rows, self.add_button, self.message])
        self.widget.add_class("coprod-repeat")
        self.relabel(language)

    def label(self) -> str:
        return self.question.label(self.language, self.form.default_language)

    def relabel(self, language: str) -> None:
        self.language = language
        self.title.value = heading_html(self.label(), 4)
        self.add_button.description = f"Add another: {self.label()}"
        for entry in self.entries:
            entry.relabel(language)

    def add_entry(self, answers: Mapping[str, Any] | None = None, announce: bool = True) -> Level:
        entry = Level(self.form, self.question.children, self.language, self.on_change)
        if answers is None:
            entry.clear()
        else:
            entry.load(answers)
        self.entries.append(entry)
        self._lay_out()
        if announce:
            self.on_change(None)
        return entry

    def remove_entry(self, entry: Level) -> None:
        self.entries.remove(entry)
        self._lay_out()
        close_tree(entry.widget)
        self.on_change(None)

    def _lay_out(self) -> None:
        """One block per entry, numbered from 1 again after a removal."""
        rows = []
        for number, entry in enumerate(self.entries, start=1):
            remove = widgets.Button(description=f"Remove entry {number}")
            remove.on_click(lambda _button, e=entry: self.remove_entry(e))
            row = widgets.VBox([heading(f"Entry {number}", 5), entry.widget, remove])
            row.add_class("coprod-repeat-entry")
            rows.append(row)
        replaced = self.rows.children
        self.rows.children = rows
        for row in replaced:
            title, _entry, remove = row.children
            for part in (title, remove, row):
                part.close()

    def _drop_entries(self) -> None:
        dropped, self.entries = self.entries, []
        self._lay_out()
        for entry in dropped:
            close_tree(entry.widget)

    def numbered(self) -> list[tuple[int, Level]]:
        """Entries with something in them, numbered as saved: an entry left empty is not saved."""
        filled = [entry for entry in self.entries if entry.answers()]
        return list(enumerate(filled, start=1))

    def answers(self) -> list[dict[str, Any]]:
        return [entry.answers() for _, entry in self.numbered()]

    def load(self, items: list) -> None:
        self._drop_entries()
        for item in items:
            self.add_entry(item if isinstance(item, Mapping) else {}, announce=False)
        self._lay_out()

    def reset(self) -> None:
        """A new set of answers starts with one empty entry, ready to fill in."""
        self._drop_entries()
        self.add_entry(announce=False)

    def refresh(self, outer: Mapping[str, Any]) -> None:
        for entry in self.entries:
            entry.refresh(outer)

    def show(self, applies: bool) -> None:
        self.widget.layout.display = None if applies else "none"
        if not applies:
            self.show_problem("")

    def show_problem(self, message: str) -> None:
        self.message.value = f"Problem: {message}" if message else ""
        self.message.layout.display = None if message else "none"
