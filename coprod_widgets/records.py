"""The domain model: every kind of record the workbook keeps, with its validation rules.

Field titles are the labels people see; rules return :class:`FieldProblem` so that the
same plain-English message reaches the site app, the CLI and the Python API.
Rules that need other records (a partner from another site, an acceptance dated before
its non-negotiable) ask a :class:`Lookup`, which the store answers inside its transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from .choices import (
    AcceptanceResponse,
    ChangeType,
    Direction,
    IdeaFate,
    LadderStep,
    RoleGroup,
    Stage,
)
from .problems import FieldProblem, RecordInvalid, field_label, translate, with_article

# No control characters (a NUL cannot be stored in PostgreSQL); tabs and line breaks are fine.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=PRINTABLE)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=PRINTABLE)]

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _day_first(value):
    """Accept dates as people in the UK write them (31/03/2015) as well as 2015-03-31."""
    if isinstance(value, str):
        if not value.strip():
            return None
        match = _DAY_FIRST.match(value)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return value
    return value


Day = Annotated[dt.date, BeforeValidator(_day_first)]
OptionalDay = Annotated[dt.date | None, BeforeValidator(_day_first)]


class Lookup(Protocol):
    """What cross-record rules may ask of the store."""

    def get(self, kind: str, record_id: int) -> Record | None: ...

    def exists(self, kind: str, exclude_id: int | None = None, **equals: object) -> bool: ...

    def exists_named(self, kind: str, name: str, exclude_id: int | None = None) -> bool: ...


class Record(BaseModel):
    """Base of every record. ``kind`` is the stable code used in tables, history and exports."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: ClassVar[str]
    noun: ClassVar[str]
    references: ClassVar[dict[str, str]] = {}
    past_dates: ClassVar[tuple[str, ...]] = ()
    #: The date field that places a record in time (for lists, filters and timelines).
    dated_by: ClassVar[str | None] = None

    id: int | None = Field(default=None, title="Record number")

    def problems(self, lookup: Lookup | None = None) -> Iterator[FieldProblem]:
        """Rules beyond single-field types. Override ``own_rules`` / ``linked_rules`` per kind."""
        yield from self._dates_not_in_future()
        yield from self.own_rules()
        if lookup is not None:
            yield from self._references_in_site(lookup)
            yield from self.linked_rules(lookup)

    def own_rules(self) -> Iterator[FieldProblem]:
        return iter(())

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        return iter(())

    def label(self, field: str) -> str:
        return field_label(type(self), field)

    def _dates_not_in_future(self) -> Iterator[FieldProblem]:
        today = dt.date.today()
        for field in self.past_dates:
            value = getattr(self, field)
            if value is not None and value > today:
                yield FieldProblem(
                    field,
                    f"{self.label(field)} is in the future ({value.isoformat()}): "
                    "record things once they have happened.",
                )

    def _references_in_site(self, lookup: Lookup) -> Iterator[FieldProblem]:
        site_id = getattr(self, "site_id", None)
        for field, target_kind in self.references.items():
            value = getattr(self, field)
            ids = value if isinstance(value, list) else [value]
            for ref in ids:
                if ref is None:
                    continue
                target = lookup.get(target_kind, ref)
                if target is None or getattr(target, "site_id", None) != site_id:
                    noun = RECORD_TYPES[target_kind].noun.lower()
                    yield FieldProblem(
                        field,
                        f"{self.label(field)}: {noun} number {ref} is not one of this site's "
                        f"records. Choose {with_article(noun)} from this site.",
                    )
                    break


class Programme(Record):
    kind: ClassVar[str] = "programme"
    noun: ClassVar[str] = "Programme"

    name: Name = Field(title="Programme name")
    description: Note = Field(default="", title="Description")
    fictional: bool = Field(default=False, title="Fictional (demonstration data)")


class Site(Record):
    kind: ClassVar[str] = "site"
    noun: ClassVar[str] = "Site"
    references: ClassVar[dict[str, str]] = {}

    programme_id: int = Field(title="Programme")
    name: Name = Field(title="Site name")
    service_issue: Text = Field(title="Service issue")
    start_date: Day = Field(title="Start date")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        if lookup.get("programme", self.programme_id) is None:
            yield FieldProblem("programme_id", "Programme: there is no such programme. Create the programme first.")
        if lookup.exists_named("site", self.name, exclude_id=self.id):
            yield FieldProblem("name", f"Site name: a site called {self.name!r} already exists. Choose another name.")


class SiteRecord(Record):
    """A record that belongs to exactly one site; a site team sees only its own."""

    site_id: int = Field(title="Site")

    def problems(self, lookup: Lookup | None = None) -> Iterator[FieldProblem]:
        if lookup is not None and lookup.get("site", self.site_id) is None:
            yield FieldProblem("site_id", f"Site: there is no site number {self.site_id}. Choose an existing site.")
            return
        yield from super().problems(lookup)


class Partner(SiteRecord):
    kind: ClassVar[str] = "partner"
    noun: ClassVar[str] = "Partner"
    dated_by: ClassVar[str | None] = "joined"
    past_dates: ClassVar[tuple[str, ...]] = ("joined", "left")

    display_name: Name = Field(title="Name or pseudonym")
    role_group: RoleGroup = Field(title="Role group")
    organisation: Note = Field(default="", title="Organisation")
    connections: Note = Field(default="", title="Connections to the wider community")
    joined: Day = Field(title="Date joined")
    left: OptionalDay = Field(default=None, title="Date left")

    def own_rules(self) -> Iterator[FieldProblem]:
        if self.left is not None and self.left < self.joined:
            yield FieldProblem(
                "left",
                f"Date left ({self.left}) is before the date joined ({self.joined}): check both dates.",
            )


class Activity(SiteRecord):
    kind: ClassVar[str] = "activity"
    noun: ClassVar[str] = "Activity"
    dated_by: ClassVar[str | None] = "date"
    references: ClassVar[dict[str, str]] = {"facilitator_ids": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date",)

    date: Day = Field(title="Date")
    title: Name = Field(title="What happened")
    stage: Stage = Field(title="Stage")
    ladder_step: LadderStep = Field(title="Ladder of Co-production step")
    facilitator_ids: list[int] = Field(default_factory=list, title="Facilitated by")
    access_adjustments: Note = Field(default="", title="Access adjustments made")
    partners_got_back: Note = Field(default="", title="What partners got back")


class Attendance(SiteRecord):
    kind: ClassVar[str] = "attendance"
    noun: ClassVar[str] = "Attendance"
    references: ClassVar[dict[str, str]] = {"activity_id": "activity", "partner_id": "partner"}

    activity_id: int = Field(title="Activity")
    partner_id: int = Field(title="Partner")
    contributed: bool = Field(default=False, title="Contributed")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        activity, partner = lookup.get("activity", self.activity_id), lookup.get("partner", self.partner_id)
        if activity is None or partner is None or partner.site_id != self.site_id:
            return
        if partner.joined > activity.date:
            yield FieldProblem(
                "partner_id",
                f"Partner: {partner.display_name} joined on {partner.joined}, after this activity "
                f"({activity.date}). Check the partner's date joined or the activity date.",
            )
        if partner.left is not None and partner.left < activity.date:
            yield FieldProblem(
                "partner_id",
                f"Partner: {partner.display_name} left on {partner.left}, before this activity "
                f"({activity.date}). Check the date they left or the activity date.",
            )
        if lookup.exists("attendance", exclude_id=self.id, activity_id=self.activity_id, partner_id=self.partner_id):
            yield FieldProblem(
                "partner_id",
                f"Partner: {partner.display_name} is already recorded at this activity. Edit that entry instead.",
            )


class ProblemFraming(SiteRecord):
    kind: ClassVar[str] = "problem_framing"
    noun: ClassVar[str] = "Problem framing"
    dated_by: ClassVar[str | None] = "date"
    references: ClassVar[dict[str, str]] = {"partner_ids": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date",)

    version: int | None = Field(default=None, ge=1, le=10_000, title="Version")
    statement: Text = Field(title="Problem statement")
    how_identified: Note = Field(default="", title="How the problem was identified")
    partner_ids: list[int] = Field(default_factory=list, title="Partners who took part")
    date: Day = Field(title="Date")

    def own_rules(self) -> Iterator[FieldProblem]:
        if not self.partner_ids:
            yield FieldProblem(
                "partner_ids", "Partners who took part: choose at least one partner who shaped this version."
            )

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        for partner_id in self.partner_ids:
            partner = lookup.get("partner", partner_id)
            if partner is not None and partner.site_id == self.site_id and partner.joined > self.date:
                yield FieldProblem(
                    "partner_ids",
                    f"Partners who took part: {partner.display_name} joined on {partner.joined}, after this "
                    f"version ({self.date}). Remove them or check the dates.",
                )
                break
        if self.version is not None and lookup.exists(
            "problem_framing", exclude_id=self.id, site_id=self.site_id, version=self.version
        ):
            yield FieldProblem("version", f"Version: this site already has version {self.version}. Leave it blank.")


class NonNegotiable(SiteRecord):
    kind: ClassVar[str] = "non_negotiable"
    noun: ClassVar[str] = "Non-negotiable"
    dated_by: ClassVar[str | None] = "date_declared"
    references: ClassVar[dict[str, str]] = {"declared_by_id": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date_declared",)

    statement: Text = Field(title="Non-negotiable")
    reason: Note = Field(default="", title="Why it cannot change")
    declared_by_id: int = Field(title="Declared by")
    date_declared: Day = Field(title="Date declared")


class Acceptance(SiteRecord):
    kind: ClassVar[str] = "acceptance"
    noun: ClassVar[str] = "Acceptance"
    dated_by: ClassVar[str | None] = "date"
    references: ClassVar[dict[str, str]] = {"non_negotiable_id": "non_negotiable", "partner_id": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date",)

    non_negotiable_id: int = Field(title="Which non-negotiable")
    partner_id: int = Field(title="Partner")
    response: AcceptanceResponse = Field(title="Response")
    date: Day = Field(title="Date of response")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        declared = lookup.get("non_negotiable", self.non_negotiable_id)
        if declared is not None and declared.site_id == self.site_id and self.date < declared.date_declared:
            yield FieldProblem(
                "date",
                f"Date of response ({self.date}) is before the non-negotiable was declared "
                f"({declared.date_declared}): a partner can only respond once it is declared.",
            )
        partner = lookup.get("partner", self.partner_id)
        if partner is not None and partner.site_id == self.site_id and partner.joined > self.date:
            yield FieldProblem(
                "date",
                f"Date of response ({self.date}) is before {partner.display_name} joined ({partner.joined}): "
                "check the dates.",
            )
        if lookup.exists(
            "acceptance", exclude_id=self.id, non_negotiable_id=self.non_negotiable_id, partner_id=self.partner_id
        ):
            yield FieldProblem(
                "partner_id",
                "Partner: this partner's response to this non-negotiable is already recorded. Edit it instead.",
            )


class StartingIdea(SiteRecord):
    kind: ClassVar[str] = "starting_idea"
    noun: ClassVar[str] = "Starting idea"
    dated_by: ClassVar[str | None] = "date"
    references: ClassVar[dict[str, str]] = {"partner_id": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date",)

    idea: Text = Field(title="Idea the partner arrived with")
    partner_id: int = Field(title="Whose idea")
    fate: IdeaFate = Field(title="What became of it")
    date: OptionalDay = Field(default=None, title="Date noted")


class Expectation(SiteRecord):
    kind: ClassVar[str] = "expectation"
    noun: ClassVar[str] = "Expectation"
    dated_by: ClassVar[str | None] = "expected_date"

    milestone: Text = Field(title="Milestone")
    expected_date: Day = Field(title="Expected by")
    change_kind: ChangeType = Field(title="Kind of change expected")


class EvidencePlanItem(SiteRecord):
    kind: ClassVar[str] = "evidence_plan"
    noun: ClassVar[str] = "Evidence plan item"
    dated_by: ClassVar[str | None] = "date_agreed"
    past_dates: ClassVar[tuple[str, ...]] = ("date_agreed",)

    question: Text = Field(title="Question")
    indicator: Text = Field(title="Indicator")
    data_source: Text = Field(title="Data source")
    collected_by: Name = Field(title="Who collects it")
    date_agreed: Day = Field(title="Date agreed")


class Outcome(SiteRecord):
    kind: ClassVar[str] = "outcome"
    noun: ClassVar[str] = "Outcome"
    dated_by: ClassVar[str | None] = "date_observed"
    past_dates: ClassVar[tuple[str, ...]] = ("date_observed",)

    description: Text = Field(title="What changed")
    change_type: ChangeType = Field(title="Type of change")
    who_changed: Name = Field(title="Who changed")
    intended: bool = Field(title="Intended")
    direction: Direction = Field(default=Direction.POSITIVE, title="Positive or negative")
    date_observed: Day = Field(title="Date observed")
    evidence_source: Note = Field(default="", title="Evidence source")
    substantiated: bool = Field(default=False, title="Substantiated")

    def own_rules(self) -> Iterator[FieldProblem]:
        if self.substantiated and not self.evidence_source:
            yield FieldProblem(
                "evidence_source",
                "Evidence source: say where the evidence comes from before marking the outcome substantiated.",
            )


class Decision(SiteRecord):
    kind: ClassVar[str] = "decision"
    noun: ClassVar[str] = "Decision"
    dated_by: ClassVar[str | None] = "date"
    past_dates: ClassVar[tuple[str, ...]] = ("date", "feedback_date")

    date: Day = Field(title="Date decided")
    what: Text = Field(title="What was decided")
    options_considered: Note = Field(default="", title="Options considered")
    feedback: Note = Field(default="", title="Feedback given to partners")
    feedback_date: OptionalDay = Field(default=None, title="Date feedback given")
    why_no_change: Note = Field(default="", title="Why change was not possible")

    def own_rules(self) -> Iterator[FieldProblem]:
        if self.feedback_date is not None and not self.feedback:
            yield FieldProblem(
                "feedback", "Feedback given to partners: describe the feedback, or clear the date it was given."
            )
        if self.feedback and self.feedback_date is None:
            yield FieldProblem("feedback_date", "Date feedback given: enter when partners were told.")
        if self.feedback_date is not None and self.feedback_date < self.date:
            yield FieldProblem(
                "feedback_date",
                f"Date feedback given ({self.feedback_date}) is before the decision ({self.date}): check both dates.",
            )


class QuestionSet(Record):
    """Questions read from an XLSForm, one version of them: a site's own, or the whole programme's (site_id None).

    ``definition`` is the form as :class:`coprod_widgets.questions.form.FormDefinition` writes it to JSON,
    so the site app can show it without the XLSForm reader. A changed form is a new version; the old one
    stays, because answers keep the version they were given under.
    """

    kind: ClassVar[str] = "question_set"
    noun: ClassVar[str] = "Question set"
    dated_by: ClassVar[str | None] = "added"
    past_dates: ClassVar[tuple[str, ...]] = ("added",)

    site_id: int | None = Field(default=None, title="Site (none: the whole programme)")
    name: Name = Field(title="Question set name")
    version: int = Field(ge=1, le=100_000, title="Version")
    source: Name = Field(title="File read")
    checksum: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(title="Checksum of the questions")
    definition: dict[str, Any] = Field(title="Questions")
    added: Day = Field(title="Date added")

    def own_rules(self) -> Iterator[FieldProblem]:
        from .questions.library import checksum, readable_definition  # loaded only when a set is saved

        problem = readable_definition(self.definition)
        if problem:
            yield FieldProblem("definition", f"Questions: {problem}. Add the form with coprod questions add.")
        elif checksum(self.definition) != self.checksum:
            yield FieldProblem(
                "checksum", "Checksum of the questions: it does not match them. coprod questions add works it out."
            )
        form_id = str(self.definition.get("form_id", "")) if isinstance(self.definition, dict) else ""
        if self.site_id is not None and form_id.startswith("coprod_"):
            yield FieldProblem(
                "definition",
                f"Questions: the form id {form_id!r} is kept for the instruments that come with coprod, which "
                "belong to every site. Give the form another form_id in its settings sheet.",
            )

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        if self.site_id is not None and lookup.get("site", self.site_id) is None:
            yield FieldProblem("site_id", f"Site: there is no site number {self.site_id}. Choose an existing site.")
        if lookup.exists(
            "question_set", exclude_id=self.id, site_id=self.site_id, name=self.name, version=self.version
        ):
            yield FieldProblem(
                "version", f"Version: {self.name!r} already has a version {self.version}. Add the next version."
            )


class QuestionResponse(SiteRecord):
    """One person's (or one meeting's) answers to one version of a question set."""

    kind: ClassVar[str] = "question_response"
    noun: ClassVar[str] = "Set of answers"
    dated_by: ClassVar[str | None] = "date"
    references: ClassVar[dict[str, str]] = {"partner_id": "partner"}
    past_dates: ClassVar[tuple[str, ...]] = ("date",)

    question_set_id: int = Field(title="Question set")
    partner_id: int | None = Field(default=None, title="Answered by")
    date: Day = Field(title="Date answered")
    answers: dict[str, Any] = Field(title="Answers")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        questions = lookup.get("question_set", self.question_set_id)
        if questions is None or questions.site_id not in (None, self.site_id):
            yield FieldProblem(
                "question_set_id",
                f"Question set: number {self.question_set_id} is not one this site can answer. "
                "Choose one of this site's question sets or the programme's.",
            )
            return
        from .questions.answers import answer_problems  # the form model loads only when answers are checked
        from .questions.instruments import linked_problems

        yield from answer_problems(questions, self.answers)
        partner = None if self.partner_id is None else lookup.get("partner", self.partner_id)
        if partner is not None and partner.site_id == self.site_id:
            yield from linked_problems(questions, partner, self.answers)


#: The tools a survey export can come from (see coprod_widgets.surveys.read), and "unknown".
SURVEY_TOOLS = ("kobo", "redcap", "msforms", "googleforms", "surveymonkey", "unknown")
Checksum = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: More responses than one export could hold (and a bound the database can store).
MAX_ROWS_READ = 10_000_000


class Survey(SiteRecord):
    """A survey a site ran in another tool (KoboToolbox, REDCap...), and how its questions map to the learning
    points (see :mod:`coprod_widgets.surveys.mapping`); its responses arrive by import."""

    kind: ClassVar[str] = "survey"
    noun: ClassVar[str] = "Survey"
    dated_by: ClassVar[str | None] = "added"
    past_dates: ClassVar[tuple[str, ...]] = ("added",)

    name: Name = Field(title="Survey name")
    tool: Name = Field(title="Tool it came from")
    mapping: dict[str, Any] = Field(title="Mapping to the learning points")
    added: Day = Field(title="Date first imported")

    def own_rules(self) -> Iterator[FieldProblem]:
        if self.tool not in SURVEY_TOOLS:
            yield FieldProblem(
                "tool",
                f"Tool it came from: {self.tool!r} is not one coprod reads; use one of {', '.join(SURVEY_TOOLS)}.",
            )
        from .surveys.mapping import MappingInvalid, mapping_from_dict  # loaded only when a survey is saved

        try:
            mapping_from_dict(self.mapping)
        except MappingInvalid as problem:
            yield FieldProblem("mapping", f"Mapping to the learning points: {'; '.join(problem.problems)}.")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        if lookup.exists("survey", exclude_id=self.id, site_id=self.site_id, name=self.name):
            yield FieldProblem(
                "name",
                f"Survey name: this site already has a survey called {self.name!r}. Import into it, "
                "or give this one another name.",
            )


class SurveyImport(SiteRecord):
    """One file imported into a survey: which file (name and checksum), when, what came of each row."""

    kind: ClassVar[str] = "survey_import"
    noun: ClassVar[str] = "Survey import"
    dated_by: ClassVar[str | None] = "imported"
    references: ClassVar[dict[str, str]] = {"survey_id": "survey"}
    past_dates: ClassVar[tuple[str, ...]] = ("imported",)

    survey_id: int = Field(title="Survey")
    file_name: Name = Field(title="File imported")
    checksum: Checksum = Field(title="Checksum of the file")
    imported: Day = Field(title="Date imported")
    rows_read: int = Field(ge=0, le=MAX_ROWS_READ, title="Responses read")
    responses_added: int = Field(ge=0, le=MAX_ROWS_READ, title="New responses")
    responses_repeated: int = Field(ge=0, le=MAX_ROWS_READ, title="Responses already imported")
    unreadable_rows: Note = Field(default="", title="Rows that could not be read")
    mapping: dict[str, Any] = Field(title="Mapping used")


class SurveyResponse(SiteRecord):
    """One response from a survey export, kept as the tool gave it (names and e-mails only when asked for)."""

    kind: ClassVar[str] = "survey_response"
    noun: ClassVar[str] = "Survey response"
    dated_by: ClassVar[str | None] = "submitted"
    references: ClassVar[dict[str, str]] = {"survey_id": "survey", "import_id": "survey_import"}
    past_dates: ClassVar[tuple[str, ...]] = ("submitted",)

    survey_id: int = Field(title="Survey")
    import_id: int = Field(title="Import it came in")
    response_key: Name = Field(title="Response id in the tool")
    submitted: OptionalDay = Field(default=None, title="Date submitted")
    respondent_role: RoleGroup | None = Field(default=None, title="Respondent's role group")
    complete: bool | None = Field(default=None, title="Completed")
    answers: dict[str, Any] = Field(title="Answers")
    identifiers: dict[str, Any] = Field(default_factory=dict, title="Names and e-mail addresses given")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        if lookup.exists(
            "survey_response", exclude_id=self.id, survey_id=self.survey_id, response_key=self.response_key
        ):
            yield FieldProblem(
                "response_key",
                f"Response id in the tool: response {self.response_key!r} of this survey is already stored.",
            )


#: How a transcript's file was read (see coprod_widgets.interviews.transcripts.FORMATS).
TRANSCRIPT_FORMATS = ("text", "markdown", "docx")
#: What a stored paragraph was in the file (coprod_widgets.interviews.transcripts.Kind).
PARAGRAPH_KINDS = ("heading", "paragraph", "table row", "list item")
#: A paragraph's text, and a transcript's paragraphs: generous bounds (a 20 MB file) the database can hold.
MAX_PARAGRAPH = 100_000
MAX_PARAGRAPHS = 50_000


class Transcript(SiteRecord):
    """An interview or workshop transcript, stored as numbered paragraphs once any names listed were replaced.

    ``paragraphs`` is a list of ``[kind, text]`` pairs, numbered from 1 in order; a coded passage points at one
    by its number, so a transcript's text never changes once stored (a corrected file is a new transcript).
    ``role_group`` is None when the people speaking came from several role groups (a workshop). The names
    the evaluator listed are never stored: only how many were replaced.
    """

    kind: ClassVar[str] = "transcript"
    noun: ClassVar[str] = "Transcript"
    dated_by: ClassVar[str | None] = "interviewed"
    past_dates: ClassVar[tuple[str, ...]] = ("interviewed", "imported")

    title: Name = Field(title="Transcript title")
    file_name: Name = Field(title="File imported")
    checksum: Checksum = Field(title="Checksum of the file")
    file_format: Name = Field(title="File format")
    role_group: RoleGroup | None = Field(default=None, title="Interviewee's role group")
    interviewed: Day = Field(title="Date of the interview")
    imported: Day = Field(title="Date imported")
    names_replaced: int = Field(default=0, ge=0, le=10_000_000, title="Names replaced by pseudonyms")
    paragraphs: list[Any] = Field(title="Paragraphs")

    def own_rules(self) -> Iterator[FieldProblem]:
        if self.file_format not in TRANSCRIPT_FORMATS:
            yield FieldProblem(
                "file_format", f"File format: {self.file_format!r} is not one of {', '.join(TRANSCRIPT_FORMATS)}."
            )
        problem = _paragraphs_problem(self.paragraphs)
        if problem:
            yield FieldProblem("paragraphs", f"Paragraphs: {problem}. Import the file with coprod import-transcript.")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        if lookup.exists("transcript", exclude_id=self.id, site_id=self.site_id, checksum=self.checksum):
            yield FieldProblem(
                "checksum", "Checksum of the file: this site already has a transcript from this very file."
            )

    def text_of(self, paragraph: int) -> str | None:
        """Paragraph ``paragraph``'s text (numbered from 1), or None if there is no such paragraph."""
        if 1 <= paragraph <= len(self.paragraphs):
            return self.paragraphs[paragraph - 1][1]
        return None


_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _paragraphs_problem(paragraphs: list[Any]) -> str | None:
    if not paragraphs:
        return "there are none; a transcript holds at least one paragraph"
    if len(paragraphs) > MAX_PARAGRAPHS:
        return f"there are {len(paragraphs)}, more than the {MAX_PARAGRAPHS} a transcript may hold"
    for number, item in enumerate(paragraphs, start=1):
        if not (isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(part, str) for part in item)):
            return f"paragraph {number} is not a pair of kind and text"
        kind, text = item
        if kind not in PARAGRAPH_KINDS:
            return f"paragraph {number} is a {kind!r}, not one of {', '.join(PARAGRAPH_KINDS)}"
        if not text.strip() or len(text) > MAX_PARAGRAPH or _CONTROL_CHARACTER.search(text):
            return f"paragraph {number} is empty, over {MAX_PARAGRAPH} characters or holds a control character"
    return None


#: A code's key as typed (the codebook's own rules say what a key may hold, in plain words).
CodeKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=PRINTABLE)]


class InterviewCode(Record):
    """A code the evaluation team added to the interview codebook (the eight learning points come with coprod,
    from data/codebook). Programme-wide: every site's transcripts are coded with the same codebook.
    ``parent`` is the key of the code it sits under; see :class:`coprod_widgets.interviews.codebook.Code`."""

    kind: ClassVar[str] = "interview_code"
    noun: ClassVar[str] = "Interview code"
    dated_by: ClassVar[str | None] = "added"
    past_dates: ClassVar[tuple[str, ...]] = ("added",)

    key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] = Field(title="Code key")
    name: Name = Field(title="Code name")
    definition: Note = Field(default="", title="Definition")
    example: Note = Field(default="", title="Example")
    parent: CodeKey | None = Field(default=None, title="Sits under")
    codable: bool = Field(default=True, title="Passages can be coded with it")
    guid: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=PRINTABLE)] = Field(
        default="", title="GUID for other tools"
    )
    added: Day = Field(title="Date added")

    def own_rules(self) -> Iterator[FieldProblem]:
        for problem in self.as_code().problems():
            yield FieldProblem(problem.field if problem.field in type(self).model_fields else "key", problem.message)

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        from .interviews.codebook import shipped_codebook

        shipped = shipped_codebook()
        if self.key in shipped or lookup.exists("interview_code", exclude_id=self.id, key=self.key):
            yield FieldProblem("key", f"Code key: {self.key!r} is already a code in the codebook. Choose another key.")
        if (
            self.parent is not None
            and self.parent not in shipped
            and not lookup.exists("interview_code", key=self.parent)
        ):
            yield FieldProblem(
                "parent", f"Sits under: {self.parent!r} is not a code in the codebook. Choose a code already there."
            )
        guid = self.as_code().guid
        if any(code.guid == guid for code in shipped) or lookup.exists("interview_code", exclude_id=self.id, guid=guid):
            yield FieldProblem("guid", f"GUID for other tools: {guid} is already another code's. Leave it blank.")

    def as_code(self):
        """The code as :mod:`coprod_widgets.interviews.codebook` holds it (loaded only when a code is used)."""
        from .interviews.codebook import Code

        return Code(self.key, self.name, self.definition, self.example, self.parent, self.codable, self.guid)


class Coding(SiteRecord):
    """One coder's codes for one passage: a whole paragraph, or the characters ``start_char`` up to ``end_char`` of it.

    A coder codes a passage once; applying more codes to it later changes this record (its history keeps
    every earlier version). ``memo`` is the coder's note on the excerpt; ``quote`` marks it as one the
    reports may quote (with the site and role group, never a name).
    """

    kind: ClassVar[str] = "coding"
    noun: ClassVar[str] = "Coded passage"
    dated_by: ClassVar[str | None] = "coded"
    references: ClassVar[dict[str, str]] = {"transcript_id": "transcript"}
    past_dates: ClassVar[tuple[str, ...]] = ("coded",)

    transcript_id: int = Field(title="Transcript")
    paragraph: int = Field(ge=1, le=MAX_PARAGRAPHS, title="Paragraph")
    start_char: int | None = Field(default=None, ge=0, le=MAX_PARAGRAPH, title="From character")
    end_char: int | None = Field(default=None, ge=1, le=MAX_PARAGRAPH, title="To character")
    codes: list[CodeKey] = Field(title="Codes")
    coder: Name = Field(title="Coder")
    coded: Day = Field(title="Date coded")
    memo: Note = Field(default="", title="Memo on the excerpt")
    quote: bool = Field(default=False, title="Quote in reports")

    def own_rules(self) -> Iterator[FieldProblem]:
        if not self.codes:
            yield FieldProblem("codes", "Codes: choose at least one code for the passage.")
        elif len(set(self.codes)) != len(self.codes):
            yield FieldProblem("codes", "Codes: a code is listed twice; list each code once.")
        if (self.start_char is None) != (self.end_char is None):
            yield FieldProblem(
                "end_char", "To character: give both ends of the passage, or neither for the whole paragraph."
            )
        elif self.start_char is not None and self.end_char is not None and self.end_char <= self.start_char:
            yield FieldProblem(
                "end_char",
                f"To character ({self.end_char}) must come after From character ({self.start_char}): check both.",
            )

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        transcript = lookup.get("transcript", self.transcript_id)
        if transcript is None or transcript.site_id != self.site_id:
            return  # the reference rule has said so
        text = transcript.text_of(self.paragraph)
        if text is None:
            yield FieldProblem(
                "paragraph",
                f"Paragraph: {transcript.title!r} has {len(transcript.paragraphs)} paragraphs, not "
                f"{self.paragraph}. Choose one of them.",
            )
        elif self.end_char is not None and self.end_char > len(text):
            yield FieldProblem(
                "end_char", f"To character: paragraph {self.paragraph} has {len(text)} characters, not {self.end_char}."
            )
        from .interviews.codebook import shipped_codebook

        shipped = shipped_codebook()
        for key in self.codes:
            code = shipped.get(key)
            if code is None and not lookup.exists("interview_code", key=key):
                yield FieldProblem("codes", f"Codes: {key!r} is not a code in the codebook. Add it first.")
                break
            if (code is not None and not code.codable) or lookup.exists("interview_code", key=key, codable=False):
                yield FieldProblem(
                    "codes", f"Codes: {key!r} only groups other codes; choose one of the codes under it."
                )
                break
        if lookup.exists(
            "coding",
            exclude_id=self.id,
            transcript_id=self.transcript_id,
            paragraph=self.paragraph,
            start_char=self.start_char,
            end_char=self.end_char,
            coder=self.coder,
        ):
            yield FieldProblem(
                "codes", f"Codes: {self.coder} has already coded this passage. Add the codes to that instead."
            )


class CodeMemo(Record):
    """A memo on a code: what the team decided it covers, a question about it, a pattern noticed across sites."""

    kind: ClassVar[str] = "code_memo"
    noun: ClassVar[str] = "Memo on a code"
    dated_by: ClassVar[str | None] = "written"
    past_dates: ClassVar[tuple[str, ...]] = ("written",)

    code_key: Name = Field(title="Code")
    text: Text = Field(title="Memo")
    written_by: Name = Field(title="Written by")
    written: Day = Field(title="Date written")

    def linked_rules(self, lookup: Lookup) -> Iterator[FieldProblem]:
        from .interviews.codebook import shipped_codebook

        if self.code_key not in shipped_codebook() and not lookup.exists("interview_code", key=self.code_key):
            yield FieldProblem(
                "code_key", f"Code: {self.code_key!r} is not a code in the codebook. Choose one that is."
            )


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (
        Programme,
        Site,
        Partner,
        Activity,
        Attendance,
        ProblemFraming,
        NonNegotiable,
        Acceptance,
        StartingIdea,
        Expectation,
        EvidencePlanItem,
        Outcome,
        Decision,
        QuestionSet,
        QuestionResponse,
        Survey,
        SurveyImport,
        SurveyResponse,
        Transcript,
        InterviewCode,
        Coding,
        CodeMemo,
    )
}
SITE_RECORD_TYPES = {kind: cls for kind, cls in RECORD_TYPES.items() if issubclass(cls, SiteRecord)}


def record_type(kind: str) -> type[Record]:
    try:
        return RECORD_TYPES[kind]
    except KeyError:
        known = ", ".join(RECORD_TYPES)
        raise RecordInvalid([FieldProblem("kind", f"There is no record type {kind!r}. Use one of: {known}.")]) from None


def validate(kind: str, data: dict | Record, lookup: Lookup | None = None) -> Record:
    """Parse and check a record; raise :class:`RecordInvalid` listing every problem found."""
    cls = record_type(kind)
    raw = data.model_dump() if isinstance(data, Record) else dict(data)
    try:
        record = cls.model_validate(raw)
    except ValidationError as exc:
        raise translate(cls, exc) from None
    found: dict[str, FieldProblem] = {}
    for problem in record.problems(lookup):
        found.setdefault(problem.field, problem)
    if found:
        raise RecordInvalid(list(found.values()))
    return record
