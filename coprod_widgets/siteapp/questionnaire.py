"""A site's own questions on screen: one question set as a form that saves a set of answers.

The questions come from a stored :class:`~coprod_widgets.questions.form.FormDefinition` (JSON: no XLSForm
reader, no pandas) and are shown in the inputs of :mod:`.question_inputs`. Skip logic, calculations, choice
filters and messages all come from :mod:`coprod_widgets.questions.answers`, the same functions the store
checks a save with, so what people see while they type is what Save is judged by. Text from a form is shown
in text widgets or escaped, never as HTML.

A form with a ``select_one`` question named ``respondent_role`` (the shared instruments have one) fills it
in with the role group of the partner chosen in "Answered by", looked up in records already loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import ipywidgets as widgets

from ..problems import FieldProblem, RecordInvalid
from ..questions.answers import FIELD_PREFIX, check_answers, complete, is_blank
from ..questions.form import DEFAULT_LANGUAGE, FormDefinition
from ..records import QuestionSet, Record
from ..scope import SiteScope
from .fields import LABEL_STYLE, Choices, date_input, date_label, date_text, typed_date, wide
from .form import heading
from .question_inputs import Level, QuestionInput, heading_html

#: The question a partner's role group fills in when they are chosen in "Answered by".
RESPONDENT_ROLE = "respondent_role"

#: A partner's role group code (``"carer"``), or None when unknown: from records already loaded, never a read.
PartnerRole = Callable[[int], str | None]


def language_name(language: str) -> str:
    return "Default" if language == DEFAULT_LANGUAGE else language


class QuestionnaireForm:
    """A set of answers to one version of a question set: add a new one, or change one saved before."""

    def __init__(
        self,
        scope: SiteScope,
        question_set: QuestionSet,
        choices: Choices,
        on_saved: Callable[[Record], None] = lambda record: None,
        today: dt.date | None = None,
        on_cancel: Callable[[], None] = lambda: None,
        partner_role: PartnerRole | None = None,
    ):
        self.scope, self.question_set, self._choices = scope, question_set, choices
        self.on_saved, self.on_cancel, self.today = on_saved, on_cancel, today
        self._partner_role = partner_role
        self.form = FormDefinition.from_json(question_set.definition)
        self.language = self.form.default_language
        self.editing: Record | None = None
        self._quiet = False
        self.title = heading(question_set.name, 4)
        self.language_picker = widgets.Dropdown(
            description="Language",
            options=[(language_name(language), language) for language in self.form.languages],
            value=self.language if self.language in self.form.languages else None,
            style=LABEL_STYLE,
            layout=wide(),
        )
        self.language_picker.layout.display = None if len(self.form.languages) > 1 else "none"
        self.language_picker.observe(lambda change: self.switch_language(change["new"]), names="value")
        self.partner = widgets.Dropdown(description="Answered by (optional)", style=LABEL_STYLE, layout=wide())
        self.partner.observe(lambda change: self._partner_chosen(change["new"]), names="value")
        self.date = date_input(date_label("Date answered"), style=LABEL_STYLE, layout=wide())
        self.messages = {"partner_id": _message_label(), "date": _message_label()}
        self.questions = Level(self.form, self.form.questions, self.language, self._changed)
        self.save_button = widgets.Button(description="Save answers", button_style="primary")
        self.save_button.add_class("coprod-save")
        self.save_button.on_click(lambda _button: self.save())
        self.cancel_button = widgets.Button(description="Cancel editing")
        self.cancel_button.on_click(lambda _button: self.cancel())
        self.status = widgets.Label(value="")
        self.status.add_class("coprod-status")
        self.widget = widgets.VBox(
            [
                self.title,
                self.language_picker,
                self.partner,
                self.messages["partner_id"],
                self.date,
                self.messages["date"],
                self.questions.widget,
                widgets.HBox([self.save_button, self.cancel_button]),
                self.status,
            ]
        )
        self.widget.add_class("coprod-form")
        self.refresh_choices()
        self.reset()

    # ---- data ----------------------------------------------------------------------------------

    @property
    def answers(self) -> dict[str, Any]:
        """The answers as typed so far (before irrelevant ones are cleared and calculations worked out)."""
        return self.questions.answers()

    @answers.setter
    def answers(self, answers: Mapping[str, Any]) -> None:
        with self.quietly():
            self.questions.load(answers)
            self.questions.refresh({})

    @property
    def data(self) -> dict[str, Any]:
        """The set of answers as it would be saved; the date answered as a date once it reads as one."""
        return {
            "question_set_id": self.question_set.id,
            "partner_id": self.partner.value,
            "date": typed_date(self.date.value),
            "answers": complete(self.form, self.answers),
        }

    def refresh_choices(self) -> None:
        """Reload the site's partners for "Answered by"."""
        current = self.partner.value
        options = self._choices("partner")
        self.partner.options = [("Not recorded", None), *options]
        self.partner.value = current if current in {ident for _, ident in options} else None

    # ---- reacting --------------------------------------------------------------------------------

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Changes made by the form itself (loading, filtering) are not a person's typing."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was

    def _changed(self, field: QuestionInput | None) -> None:
        if self._quiet:
            return
        with self.quietly():
            self.questions.refresh({})
        if field is not None:
            self._check_as_typed(field)

    def _check_as_typed(self, changed: QuestionInput) -> None:
        """A changed answer's type or constraint problem, at once; a blank waits for Save to say it is needed."""
        problems = self._problems_now()
        for name, field in self.questions.fields(FIELD_PREFIX):
            if field is changed:
                field.show_problem("" if is_blank(field.value) else problems.get(name, ""))

    def _problems_now(self) -> dict[str, str]:
        """The store's checks on the answers as they stand, worded in the chosen language."""
        worded = replace(self.form, default_language=self.language)
        return {p.field: p.message for p in check_answers(worded, complete(self.form, self.answers))}

    def _partner_chosen(self, partner_id: int | None) -> None:
        """Choosing who answered fills in their role group, if the form asks for it and offers that group."""
        if self._quiet or partner_id is None or self._partner_role is None:
            return
        field = self.questions.inputs.get(RESPONDENT_ROLE)
        if field is None or field.kind != "select_one":
            return
        role = self._partner_role(partner_id)
        if role is not None and role in {choice.name for choice in field.choices}:
            field.value = role  # as if chosen by hand: the form refreshes and checks it

    def switch_language(self, language: str | None) -> None:
        if language is None or language == self.language:
            return
        self.language = language
        with self.quietly():
            self.questions.relabel(language)
            self.questions.refresh({})
        problems = self._problems_now()
        for name, field in self.questions.fields(FIELD_PREFIX):
            if field.message.value and name in problems:
                field.show_problem(problems[name])

    # ---- actions -------------------------------------------------------------------------------

    def reset(self) -> None:
        """A new, blank set of answers: defaults filled in, dated today."""
        self.editing = None
        with self.quietly():
            self.partner.value = None
            self.date.value = date_text(self.today or dt.date.today())
            self.questions.clear()
            self.questions.refresh({})
        self._clear_messages()
        version = self.question_set.version
        self.title.value = heading_html(f"Answer: {self.question_set.name} (version {version})", 4)
        self.save_button.description = "Save answers"
        self.cancel_button.layout.display = "none"
        self.status.value = ""

    def edit(self, response: Record) -> None:
        """Load saved answers for changing; Save then updates them (with history)."""
        self.reset()
        self.editing = response
        with self.quietly():
            partners = {ident for _, ident in self.partner.options}
            self.partner.value = response.partner_id if response.partner_id in partners else None
            self.date.value = date_text(response.date)
        self.answers = response.answers
        name, version = self.question_set.name, self.question_set.version
        self.title.value = heading_html(f"Editing answers {response.id} ({name}, version {version})", 4)
        self.save_button.description = "Save changes"
        self.cancel_button.layout.display = None
        self.status.value = "Change the answers below, then choose Save changes."

    def cancel(self) -> None:
        self.reset()
        self.on_cancel()

    def save(self) -> Record | None:
        """Store the answers through the store's checks; show each problem under its question; None if refused."""
        self._clear_messages()
        data = self.data
        try:
            if self.editing is None:
                record = self.scope.add("question_response", {k: v for k, v in data.items() if v is not None})
            else:
                changes = {key: data[key] for key in ("partner_id", "date", "answers")}
                record = self.scope.update("question_response", self.editing.id, changes)
        except RecordInvalid as refused:
            self._show_problems(refused.problems)
            return None
        was_edit = self.editing is not None
        self.reset()
        self.status.value = f"Saved: answers {record.id}{' updated' if was_edit else ''}."
        self.on_saved(record)
        return record

    def _clear_messages(self) -> None:
        for label in self.messages.values():
            _show(label, "")
        for _name, field in self.questions.fields(FIELD_PREFIX):
            field.show_problem("")

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        worded = self._problems_now()
        fields = dict(self.questions.fields(FIELD_PREFIX))
        elsewhere = []
        for problem in problems:
            if problem.field in fields:
                fields[problem.field].show_problem(worded.get(problem.field, problem.message))
            elif problem.field in self.messages:
                _show(self.messages[problem.field], f"Problem: {problem.message}")
            else:
                elsewhere.append(problem.message)
        count = len(problems)
        summary = f"Not saved: {count} problem{'s' if count > 1 else ''} to fix"
        summary += " (see the messages under the questions)." if len(elsewhere) < count else "."
        self.status.value = " ".join([summary, *elsewhere])


def _message_label() -> widgets.Label:
    label = widgets.Label(value="")
    label.add_class("coprod-problem")
    label.layout.display = "none"
    return label


def _show(label: widgets.Label, message: str) -> None:
    label.value = message
    label.layout.display = None if message else "none"
