"""Sections that answer question sets: pick a set, answer it, change saved answers.

Two sections are built from :class:`QuestionsSection`: "Our own questions" (the site's own sets and the
programme's, apart from the shared instruments) and "Self-assessment" (the shared instruments that come
with coprod: the self-assessment and the 4Pi involvement reflection).

The sets a site answers (the programme's and its own) are read once, in one query, when the first of the
two sections is opened (:class:`SiteQuestionSets`, shared by both); a saved answer's older version is read
the first time it is needed. Answers themselves come from the workspace's one read of the site's records,
passed in through :meth:`QuestionsSection.show`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as widgets

from ..questions.answers import is_blank
from ..questions.form import FormDefinition
from ..questions.instruments import INSTRUMENTS, instrument_of
from ..records import QuestionSet, Record
from ..scope import SiteScope
from .fields import LABEL_STYLE, Choices, wide
from .form import heading
from .question_inputs import close_tree
from .questionnaire import PartnerRole, QuestionnaireForm
from .sections import PAGE

NO_QUESTION_SETS = (
    "No questions have been added for this site yet. The evaluator adds them with the command: coprod questions add."
)
NO_INSTRUMENTS = (
    "The shared self-assessment is not in this store yet: the evaluator adds it with the command: coprod upgrade."
)


def set_title(question_set: QuestionSet) -> str:
    whose = "for every site" if question_set.site_id is None else "your site's own"
    return f"{question_set.name} ({whose})"


def instrument_title(question_set: QuestionSet) -> str:
    return question_set.name


class SiteQuestionSets:
    """The question sets a site answers, read once for every section that answers them.

    Every version of the programme's sets and the site's own is read in one query; ``newest`` is the newest
    version of each. Any other set id (another site's) is looked up once, and kept as None.
    """

    def __init__(self, scope: SiteScope):
        self.scope = scope
        every = scope.question_sets(every_version=True)
        self.versions: dict[int, QuestionSet | None] = {qs.id: qs for qs in every}
        latest: dict[tuple[int | None, str], QuestionSet] = {}
        for qs in every:  # oldest first, so the last of each name is its newest
            latest[(qs.site_id, qs.name.casefold())] = qs
        self.newest: list[QuestionSet] = [qs for qs in every if latest[(qs.site_id, qs.name.casefold())] is qs]

    def version(self, set_id: int) -> QuestionSet | None:
        """One version of a set, read once: versions never change, and another site's set is None."""
        if set_id not in self.versions:
            self.versions[set_id] = self.scope.question_set(set_id)
        return self.versions[set_id]

    def own(self) -> list[QuestionSet]:
        """The site's own sets and the programme's, without the shared instruments: programme's first."""
        return [qs for qs in self.newest if instrument_of(qs) is None]

    def instruments(self) -> list[QuestionSet]:
        """The newest stored version of each shared instrument, in the order coprod lists them."""
        newest: dict[str, QuestionSet] = {}
        for qs in self.newest:
            instrument = instrument_of(qs)
            if instrument is not None and (instrument.key not in newest or newest[instrument.key].version < qs.version):
                newest[instrument.key] = qs
        return [newest[item.key] for item in INSTRUMENTS if item.key in newest]


def answered_count(answers: dict, calculated: frozenset[str]) -> int:
    """Questions answered, counting each repeat entry's answers; worked-out calculations are not answers."""
    count = 0
    for name, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            count += sum(answered_count(item, calculated) for item in value)
        elif name not in calculated and not is_blank(value):
            count += 1
    return count


class ResponseList:
    """Saved sets of answers to one question set, newest first, each with an Edit button; ten at a time."""

    def __init__(self, on_edit: Callable[[Record], None]):
        self.on_edit = on_edit
        self.shown = PAGE
        self.items = widgets.VBox([])
        self.more = widgets.Button(description="Show more")
        self.more.on_click(self._show_more)
        self.widget = widgets.VBox([heading("Saved answers", 5), self.items, self.more])
        self.widget.add_class("coprod-list")
        self._shown_with: tuple[list[Record], Callable[[Record], str]] = ([], str)
        self._key: tuple | None = None

    def show(self, responses: list[Record], summary: Callable[[Record], str]) -> None:
        self._shown_with = (responses, summary)
        newest = sorted(responses, key=lambda r: (r.date, r.id), reverse=True)
        lines = [(response, summary(response)) for response in newest[: self.shown]]
        key = (tuple(lines), len(newest))
        if key == self._key:
            return
        self._key = key
        rows = []
        for response, line in lines:
            text = widgets.Label(value=line)
            text.add_class("coprod-summary")
            button = widgets.Button(description=f"Edit answers {response.id}")
            button.on_click(lambda _b, r=response: self.on_edit(r))
            rows.append(widgets.HBox([text, button]))
        replaced = self.items.children
        self.items.children = rows or [widgets.Label(value="No answers saved yet for this question set.")]
        for row in replaced:
            close_tree(row)
        self.more.layout.display = None if len(newest) > self.shown else "none"

    def _show_more(self, _button) -> None:
        self.shown += PAGE
        self.show(*self._shown_with)


class QuestionsSection:
    """Choose a question set, answer it, and change answers given before.

    ``instruments`` chooses which sets: False, the site's own and the programme's ("Our own questions");
    True, the shared instruments ("Self-assessment"). ``sets`` is the site's question sets, read once for
    both sections (read here if not given). ``partner_role`` gives a partner's role group code, from records
    already loaded, so a form with a ``respondent_role`` question can fill it in (see
    :class:`~.questionnaire.QuestionnaireForm`).

    New answers go to the newest version of a set; saved answers are changed in the version they were
    given under, so no answer is ever judged by questions its author never saw.
    """

    def __init__(
        self,
        scope: SiteScope,
        choices: Choices,
        on_saved: Callable[[Record], None],
        today: dt.date | None = None,
        *,
        sets: SiteQuestionSets | None = None,
        instruments: bool = False,
        partner_role: PartnerRole | None = None,
    ):
        self.scope, self._choices, self._on_saved, self.today = scope, choices, on_saved, today
        self.library = sets if sets is not None else SiteQuestionSets(scope)
        self.instruments = instruments
        self._partner_role = partner_role
        self.sets = self.library.instruments() if instruments else self.library.own()
        self.versions = self.library.versions
        self._calculated: dict[int, frozenset[str]] = {}
        self.forms: dict[int, QuestionnaireForm] = {}
        self.responses: list[Record] = []
        self.names: dict[int, str] = {}
        self.form_slot = widgets.VBox([])
        self.listing = ResponseList(self.edit)
        title = instrument_title if instruments else set_title
        self.picker = widgets.Dropdown(
            description="What to answer" if instruments else "Question set",
            options=[(title(qs), qs.id) for qs in self.sets],
            value=self.sets[0].id if self.sets else None,
            style=LABEL_STYLE,
            layout=wide(),
        )
        if not self.sets:
            self.widget = widgets.VBox([widgets.Label(value=NO_INSTRUMENTS if instruments else NO_QUESTION_SETS)])
            return
        self.picker.observe(lambda change: self.choose(change["new"]), names="value")
        self.widget = widgets.VBox([self.picker, self.form_slot, self.listing.widget])
        self.choose(self.picker.value)

    @property
    def chosen(self) -> QuestionSet:
        return self.versions[self.picker.value]

    def form_for(self, question_set: QuestionSet) -> QuestionnaireForm:
        if question_set.id not in self.forms:
            self.forms[question_set.id] = QuestionnaireForm(
                self.scope,
                question_set,
                self._choices,
                self._saved,
                self.today,
                on_cancel=self._back_to_chosen,
                partner_role=self._partner_role,
            )
        return self.forms[question_set.id]

    def version(self, set_id: int) -> QuestionSet | None:
        """One version of a set, read once: versions never change, and another site's set is None."""
        return self.library.version(set_id)

    # ---- showing ---------------------------------------------------------------------------------

    def choose(self, set_id: int) -> None:
        form = self.form_for(self.versions[set_id])
        if form.editing is not None:
            form.reset()
        self.form_slot.children = [form.widget]
        self._list()

    def show(self, responses: list[Record], names: dict[int, str]) -> None:
        self.responses, self.names = responses, names
        self._list()

    def refresh_choices(self) -> None:
        for form in self.forms.values():
            form.refresh_choices()

    def _list(self) -> None:
        if not self.sets:
            return
        chosen = self.chosen
        mine = [r for r in self.responses if self._same_set(self.version(r.question_set_id), chosen)]
        self.listing.show(mine, self.summary)

    @staticmethod
    def _same_set(version: QuestionSet | None, chosen: QuestionSet) -> bool:
        return version is not None and (version.site_id, version.name.casefold()) == (
            chosen.site_id,
            chosen.name.casefold(),
        )

    def summary(self, response: Record) -> str:
        """Plain text: when, who, which version, how much was answered."""
        version = self.version(response.question_set_id)
        if version.id not in self._calculated:
            form = FormDefinition.from_json(version.definition)
            self._calculated[version.id] = frozenset(q.name for _, q in form.walk() if q.type == "calculate")
        who = self.names.get(response.partner_id, "not recorded") if response.partner_id else "not recorded"
        count = answered_count(response.answers, self._calculated[version.id])
        return (
            f"{response.date}: answered by {who}; version {version.version}; "
            f"{count} question{'' if count == 1 else 's'} answered"
        )

    # ---- actions -------------------------------------------------------------------------------

    def edit(self, response: Record) -> None:
        """Open saved answers in the questions of the version they were given under."""
        version = self.version(response.question_set_id)
        if version is None:
            return
        form = self.form_for(version)
        self.form_slot.children = [form.widget]
        form.edit(response)

    def _back_to_chosen(self) -> None:
        self.form_slot.children = [self.form_for(self.chosen).widget]

    def _saved(self, record: Record) -> None:
        current = self.form_for(self.chosen)
        if record.question_set_id != self.chosen.id:
            current.status.value = self.forms[record.question_set_id].status.value
            self._back_to_chosen()
        self._on_saved(record)
