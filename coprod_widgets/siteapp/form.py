"""A form for one kind of record: ``data`` in and out, one save path through the domain model.

On a refused save every problem is shown under its field, the typed values stay where they are,
and nothing is stored. On success the form clears (or leaves edit mode) and tells the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from ..problems import RecordInvalid
from ..records import Record, record_type
from ..scope import SiteScope
from .fields import LABEL_STYLE, Choices, FieldInput


def heading(text: str, level: int = 4) -> widgets.HTML:
    """A heading from our own fixed wording (still escaped, in case a caller passes user text)."""
    return widgets.HTML(value=f"<h{level}>{escape(text)}</h{level}>")


class RecordForm:
    """Add or edit one record of ``kind`` through a :class:`SiteScope`."""

    def __init__(
        self,
        kind: str,
        fields: list[str],
        scope: SiteScope,
        choices: Choices,
        on_saved: Callable[[Record], None] = lambda record: None,
        add_title: str | None = None,
    ):
        self.kind = kind
        self.model = record_type(kind)
        self.scope = scope
        self.on_saved = on_saved
        self.noun = self.model.noun.lower()
        self.add_title = add_title or f"Add {'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun}"
        self.inputs = {name: FieldInput(self.model, name, choices) for name in fields}
        self.editing: Record | None = None
        self.title = heading(self.add_title)
        self.save_button = widgets.Button(description=f"Save {self.noun}", button_style="primary")
        self.save_button.add_class("coprod-save")
        self.cancel_button = widgets.Button(description="Cancel editing")
        self.cancel_button.layout.display = "none"
        self.status = widgets.Label(value="")
        self.status.add_class("coprod-status")
        self.save_button.on_click(lambda _button: self.save())
        self.cancel_button.on_click(lambda _button: self.reset())
        self.widget = widgets.VBox(
            [self.title, *self._field_widgets(), widgets.HBox([self.save_button, self.cancel_button]), self.status]
        )
        self.widget.add_class("coprod-form")

    def _field_widgets(self) -> list[widgets.Widget]:
        return [field.widget for field in self.inputs.values()]

    # ---- data ----------------------------------------------------------------------------------

    @property
    def data(self) -> dict:
        """The values as typed, in the model's terms (empty choices are None)."""
        return {name: field.value for name, field in self.inputs.items()}

    @data.setter
    def data(self, values: dict | Record) -> None:
        if isinstance(values, Record):
            values = {name: getattr(values, name) for name in self.inputs}
        for name, value in values.items():
            if name in self.inputs:
                self.inputs[name].value = value

    def refresh_choices(self) -> None:
        for field in self.inputs.values():
            field.refresh_choices()

    # ---- actions -------------------------------------------------------------------------------

    def edit(self, record: Record) -> None:
        """Load a saved record for changing; Save then updates it (with history)."""
        self.reset()
        self.editing = record
        self.data = record
        self.title.value = f"<h4>Editing {escape(self.noun)} number {record.id}</h4>"
        self.save_button.description = "Save changes"
        self.cancel_button.layout.display = None
        self.status.value = "Change the fields below, then choose Save changes."

    def reset(self) -> None:
        self.editing = None
        for name, field in self.inputs.items():
            info = self.model.model_fields[name]
            field.clear(None if info.is_required() else info.get_default(call_default_factory=True))
        self.title.value = f"<h4>{escape(self.add_title)}</h4>"
        self.save_button.description = f"Save {self.noun}"
        self.cancel_button.layout.display = "none"
        self.status.value = ""

    def _write(self, data: dict) -> Record:
        if self.editing is None:
            return self.scope.add(self.kind, {k: v for k, v in data.items() if v is not None})
        return self.scope.update(self.kind, self.editing.id, data)

    def save(self) -> Record | None:
        """Validate and store; show each problem under its field; return the record or None."""
        for field in self.inputs.values():
            field.show_problem("")
        try:
            record = self._write(self.data)
        except RecordInvalid as refused:
            self._show_problems(refused)
            return None
        was_edit = self.editing is not None
        self.reset()
        self.status.value = f"Saved: {self.noun} number {record.id} {'updated' if was_edit else 'added'}."
        self.on_saved(record)
        return record

    def _show_problems(self, refused: RecordInvalid) -> None:
        elsewhere = []
        for problem in refused.problems:
            if problem.field in self.inputs:
                self.inputs[problem.field].show_problem(problem.message)
            else:
                elsewhere.append(problem.message)
        count = len(refused.problems)
        summary = f"Not saved: {count} problem{'s' if count > 1 else ''} to fix"
        summary += " (see the messages under the fields)." if len(elsewhere) < count else "."
        self.status.value = " ".join([summary, *elsewhere])


class ActivityForm(RecordForm):
    """An activity plus who attended and who contributed, saved in one transaction."""

    def __init__(self, scope: SiteScope, choices: Choices, on_saved: Callable[[Record], None], fields: list[str]):
        self._partners: list[tuple[str, int]] = []
        self.attendance_box = widgets.VBox([])
        self.attendance_box.add_class("coprod-attendance")
        super().__init__("activity", fields, scope, choices, on_saved, add_title="Log an activity")
        self._choices = choices

    def _field_widgets(self) -> list[widgets.Widget]:
        intro = widgets.Label(value="Who attended, and who contributed? Tick each that applies.")
        return [*super()._field_widgets(), intro, self.attendance_box]

    def refresh_choices(self) -> None:
        super().refresh_choices()
        ticked = self.attendance
        self._partners = self._choices("partner")
        rows = []
        for name, partner_id in self._partners:
            came = widgets.Checkbox(
                value=partner_id in ticked, description=f"{name} attended", indent=False, style=LABEL_STYLE
            )
            spoke = widgets.Checkbox(
                value=ticked.get(partner_id, False), description=f"{name} contributed", indent=False, style=LABEL_STYLE
            )
            came.partner_id = spoke.partner_id = partner_id
            rows.append(widgets.HBox([came, spoke]))
        self.attendance_box.children = rows

    @property
    def attendance(self) -> dict[int, bool]:
        """Partner id -> contributed, for every partner ticked as attending."""
        out = {}
        for row in self.attendance_box.children:
            came, spoke = row.children
            if came.value:
                out[came.partner_id] = bool(spoke.value)
        return out

    @attendance.setter
    def attendance(self, values: dict[int, bool]) -> None:
        for row in self.attendance_box.children:
            came, spoke = row.children
            came.value = came.partner_id in values
            spoke.value = bool(values.get(came.partner_id, False))

    def edit(self, record: Record) -> None:
        super().edit(record)
        rows = self.scope.records("attendance", activity_id=record.id)
        self.attendance = {row.partner_id: row.contributed for row in rows}

    def reset(self) -> None:
        super().reset()
        self.attendance = {}

    def _write(self, data: dict) -> Record:
        activity_id = None if self.editing is None else self.editing.id
        values = {k: v for k, v in data.items() if v is not None} if activity_id is None else data
        return self.scope.save_activity(values, self.attendance, activity_id=activity_id)
