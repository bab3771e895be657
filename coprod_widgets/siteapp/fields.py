"""One labelled input per record field, chosen from the field's type in the domain model.

Labels come from the model's field titles and are tied to their inputs by ipywidgets
(``<label for=...>``). Messages appear in a text label right under the input; nothing here
puts user text into HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum, IntEnum

import ipywidgets as widgets
from pydantic import TypeAdapter, ValidationError

from ..problems import field_label
from ..records import OptionalDay, Record
from ..schema import _plain_type

LONG_TEXT = {
    "statement",
    "how_identified",
    "reason",
    "idea",
    "description",
    "what",
    "options_considered",
    "feedback",
    "why_no_change",
    "access_adjustments",
    "partners_got_back",
    "connections",
    "milestone",
    "question",
}
LABEL_STYLE = {"description_width": "initial"}


def wide() -> widgets.Layout:
    """A fresh layout per input: a shared Layout would be closed with the first page's widgets."""
    return widgets.Layout(width="100%", max_width="46em")


#: How every date in the site app is typed, shown in each date box (2015-03-31 is accepted too).
DATE_EXAMPLE = "31/03/2015"
DATE_ADVICE = f"enter a real date as day/month/year, like {DATE_EXAMPLE} (or 2015-03-31)."
#: Reads typed dates exactly as the records' date fields do, so every date box accepts the same text.
_TYPED_DATE = TypeAdapter(OptionalDay)


def date_label(label: str) -> str:
    return f"{label} (day/month/year)"


def date_input(description: str = "", **options) -> widgets.Text:
    """A box for a date typed as day/month/year.

    A text box, not a date picker: ipywidgets' DatePicker resets Chromium's date segments while a
    keyboard user is still typing the year.
    """
    return widgets.Text(description=description, placeholder=DATE_EXAMPLE, continuous_update=False, **options)


def date_text(value) -> str:
    """A date as it is typed here (31/03/2015); blank for none."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def typed_date(text: str) -> dt.date | str | None:
    """Typed text as a date, read as a record's date field reads it; None if blank.

    Text that is not a date is passed on as typed (trimmed), so the checks can say what is wrong with it.
    """
    text = text.strip()
    try:
        return _TYPED_DATE.validate_python(text)
    except ValidationError:
        return text


#: (label, id) pairs for the reference fields, supplied by the workspace from the site's records.
Choices = Callable[[str], list[tuple[str, int]]]


class FieldInput:
    """An input for one field: ``value`` in the model's terms, ``problem`` shown under it."""

    def __init__(self, model: type[Record], name: str, choices: Choices):
        self.name = name
        self.label = field_label(model, name)
        info = model.model_fields[name]
        self.required = info.is_required()
        self.python_type = _plain_type(info.annotation)
        self.reference = model.references.get(name)
        self._choices = choices
        self.input = self._make_input(model, name)
        self.message = widgets.Label(value="")
        self.message.add_class("coprod-problem")
        self.message.layout.display = "none"
        self.widget = widgets.VBox([self.input, self.message])
        self.widget.add_class("coprod-field")

    # ---- building ----------------------------------------------------------------------------

    def _make_input(self, model: type[Record], name: str) -> widgets.Widget:
        label = self.label + ("" if self.required else " (optional)")
        common = {"description": label, "style": LABEL_STYLE, "layout": wide()}
        kind = self.python_type
        if self.reference and name.endswith("_ids"):
            box = widgets.VBox([], layout=wide())
            box.add_class("coprod-checkbox-group")
            self._group_title = widgets.Label(value=label)
            return widgets.VBox([self._group_title, box])
        if self.reference:
            return widgets.Dropdown(options=[], **common)
        if isinstance(kind, type) and issubclass(kind, IntEnum):
            return widgets.Dropdown(options=[("Choose...", None), *kind.options()], value=None, **common)
        if isinstance(kind, type) and issubclass(kind, Enum):
            default = model.model_fields[name].default
            value = default.value if isinstance(default, Enum) else None
            return widgets.Dropdown(options=[("Choose...", None), *kind.options()], value=value, **common)
        if kind is bool:
            if self.required:
                return widgets.RadioButtons(options=[("Yes", True), ("No", False)], value=None, **common)
            return widgets.Checkbox(value=False, indent=False, **common)
        if kind is dt.date:
            common["description"] = f"{date_label(self.label)}{'' if self.required else ' (optional)'}"
            return date_input(**common)
        if kind is int:
            return widgets.BoundedIntText(value=1, min=1, max=20, **common)
        # Text is sent to the kernel when the field loses focus, in one message: sent per keystroke,
        # the last characters could arrive after a quick Tab-and-Save and be missed.
        if name in LONG_TEXT:
            return widgets.Textarea(rows=3, continuous_update=False, **common)
        return widgets.Text(continuous_update=False, **common)

    def refresh_choices(self) -> None:
        """Reload the partners (or other records) this field can point at."""
        if not self.reference:
            return
        options = self._choices(self.reference)
        if self.name.endswith("_ids"):
            ticked = set(self.value)
            boxes = [
                widgets.Checkbox(value=ident in ticked, description=text, indent=False, style=LABEL_STYLE)
                for text, ident in options
            ]
            for box, (_, ident) in zip(boxes, options, strict=True):
                box.record_id = ident
            self.input.children[1].children = boxes
            return
        current = self.input.value
        first = ("Not named", None) if not self.required else ("Choose...", None)
        self.input.options = [first, *options]
        self.input.value = current if current in {ident for _, ident in options} else None

    # ---- values --------------------------------------------------------------------------------

    @property
    def value(self):
        if self.reference and self.name.endswith("_ids"):
            return [box.record_id for box in self.input.children[1].children if box.value]
        value = self.input.value
        if self.python_type is dt.date:
            return value.strip() or None
        return value

    @value.setter
    def value(self, value) -> None:
        if self.reference and self.name.endswith("_ids"):
            wanted = set(value or [])
            for box in self.input.children[1].children:
                box.value = box.record_id in wanted
            return
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, dt.date):
            value = date_text(value)
        if isinstance(self.input, (widgets.Text, widgets.Textarea)):
            value = "" if value is None else str(value)
        if isinstance(self.input, widgets.Checkbox):
            value = bool(value)
        if isinstance(self.input, widgets.BoundedIntText) and value is None:
            value = 1
        self.input.value = value

    def clear(self, default=None) -> None:
        self.value = default
        self.show_problem("")

    def show_problem(self, message: str) -> None:
        self.message.value = f"Problem: {message}" if message else ""
        self.message.layout.display = None if message else "none"
