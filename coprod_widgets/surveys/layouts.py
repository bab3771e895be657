"""Each survey tool's export layout: which tool wrote a file, and what each of its columns holds.

A layout is decided from the header row(s) and, where the header alone cannot tell (Microsoft Forms and
Google Forms multiple-choice columns, SurveyMonkey option columns, Kobo option columns without their
question column, day-first dates), from the values in the column. Nothing here reads files; :mod:`.read` does.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

TOOLS = ("kobo", "redcap", "msforms", "googleforms", "surveymonkey")

QUESTION, CHOICE, ID, SUBMITTED, IDENTIFIER, COMPLETE, META = (
    "question",
    "choice",
    "id",
    "submitted",
    "identifier",
    "complete",
    "meta",
)
TICKED = frozenset({"1", "1.0", "true", "checked", "yes"})
IDENTIFIER_NAMES = frozenset(
    {
        "email",
        "e mail",
        "email address",
        "e mail address",
        "your email",
        "your email address",
        "name",
        "your name",
        "full name",
        "first name",
        "last name",
        "surname",
        "forename",
        "given name",
        "family name",
        "respondent name",
        "participant name",
        "name first",
        "name last",
    }
)


@dataclass(frozen=True)
class Column:
    """What one column holds. A CHOICE column adds one option to its question's list when ticked:
    ``choice`` is that option (None: the cell's own text) and ``ticked`` the values that mean chosen
    (None: any text). A QUESTION column with ``split`` holds several answers in one cell; a ``fallback``
    column is read only when its question has no answer from the other columns."""

    index: int
    role: str
    name: str
    split: str | None = None
    choice: str | None = None
    ticked: frozenset[str] | None = None
    fallback: bool = False


@dataclass
class Layout:
    """A file's columns by role, plus how to read its dates and completeness."""

    tool: str
    columns: list[Column]
    header_rows: int = 1
    day_first: bool = True
    complete_values: dict[str, bool] = field(default_factory=dict)
    blank_submitted_is_partial: bool = False

    def first(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def questions(self) -> list[str]:
        names = [c.name for c in self.columns if c.role in (QUESTION, CHOICE)]
        return list(dict.fromkeys(names))


def detect_tool(header: Sequence[str], second: Sequence[str]) -> str:
    """The tool whose signature columns the header carries, or "unknown"."""
    names = set(header)
    lowered = [h.lower() for h in header]
    if "Respondent ID" in names and ("Collector ID" in names or {"Response", "Open-Ended Response"} & set(second)):
        return "surveymonkey"
    if "_uuid" in names or "_submission_time" in names or {"_id", "_index"} <= names:
        return "kobo"
    raw_complete = any(h.endswith("_complete") for h in header)
    if raw_complete and (header[0] == "record_id" or "redcap_survey_identifier" in names):
        return "redcap"
    if "Complete?" in names and (header[0] == "Record ID" or "Survey Identifier" in names):
        return "redcap"
    if lowered[:3] == ["id", "start time", "completion time"]:
        return "msforms"
    if lowered[0] == "timestamp":
        return "googleforms"
    return "unknown"


def build_layout(tool: str, headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """The layout for a file already known (or told) to come from `tool`; `rows` are the data rows."""
    builders: dict[str, Callable[[list[list[str]], list[list[str]]], Layout]] = {
        "kobo": _kobo,
        "redcap": _redcap,
        "msforms": _msforms,
        "googleforms": _googleforms,
        "surveymonkey": _surveymonkey,
        "unknown": _unknown,
    }
    layout = builders[tool](headers, rows)
    layout.columns = _distinct_names(layout.columns)
    return layout


def is_identifier(header: str) -> bool:
    """Names and e-mail addresses, by the header's last path segment ("about/full_name", "Email address")."""
    last = header.rsplit("/", 1)[-1].lower()
    words = re.sub(r"[^a-z0-9]+", " ", last.replace("e-mail", "email")).strip()
    return words in IDENTIFIER_NAMES


def _column_values(rows: list[list[str]], index: int) -> list[str]:
    return [row[index].strip() for row in rows if index < len(row) and row[index].strip()]


def _distinct_names(columns: list[Column]) -> list[Column]:
    """Two different questions with the same text would overwrite each other's answers: number the later one."""
    seen: set[str] = set()
    result = []
    for column in columns:
        if column.role == QUESTION and not column.fallback and column.name in seen:
            number = 2
            while f"{column.name} ({number})" in seen:
                number += 1
            column = Column(column.index, column.role, f"{column.name} ({number})", column.split)
        if column.role in (QUESTION, CHOICE):
            seen.add(column.name)
        result.append(column)
    return result


def _unknown(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """Every column is a question, except those headed as names or e-mail addresses: without knowing the tool
    nothing else can be told apart safely, and a person's name must not be kept as an answer."""
    return Layout(
        "unknown", [Column(i, IDENTIFIER if is_identifier(h) else QUESTION, h) for i, h in enumerate(headers[0])]
    )


KOBO_META = frozenset(
    {"start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit"}
)


def _kobo_meta(header: str) -> bool:
    return header.startswith("_") or header in KOBO_META or header.startswith(("meta/", "formhub/"))


def _kobo(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """Kobo and ODK: `group/question` headers; option columns `question/choice` holding 1/0 or True/False.
    A select-multiple exported only as one space-separated column cannot be told from free text without the
    form, so it stays text; with option columns beside it, the options are read from those."""
    header = headers[0]
    options = _kobo_option_columns(header, rows)
    parents = {header[i].rsplit("/", 1)[0] for i in options}
    columns = []
    for i, h in enumerate(header):
        if h == "_uuid":
            columns.append(Column(i, ID, h))
        elif h == "_submission_time":
            columns.append(Column(i, SUBMITTED, h))
        elif _kobo_meta(h):
            columns.append(Column(i, META, h))
        elif i in options:
            parent, choice = h.rsplit("/", 1)
            columns.append(Column(i, CHOICE, parent, choice=choice, ticked=TICKED))
        elif is_identifier(h):
            columns.append(Column(i, IDENTIFIER, h))
        elif h in parents:
            # The option columns are exact even when labels hold spaces; this space-separated cell is the fallback.
            columns.append(Column(i, QUESTION, h, split=" ", fallback=True))
        else:
            columns.append(Column(i, QUESTION, h))
    return Layout("kobo", columns)


def _kobo_option_columns(header: list[str], rows: list[list[str]]) -> set[int]:
    """Columns `q/choice` next to their question `q`; or, without `q`, two or more neighbours under one
    parent holding nothing but 1/0 or True/False (Kobo's "separate columns" export of a select-multiple)."""
    present = set(header)
    options = {i for i, h in enumerate(header) if "/" in h and h.rsplit("/", 1)[0] in present}
    runs: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if "/" in h and i not in options and not _kobo_meta(h):
            runs.setdefault(h.rsplit("/", 1)[0], []).append(i)
    binary = {"0", "1", "0.0", "1.0", "true", "false"}
    for indexes in runs.values():
        values = [v.lower() for i in indexes for v in _column_values(rows, i)]
        if len(indexes) >= 2 and values and set(values) <= binary:
            options.update(indexes)
    return options


REDCAP_META = frozenset(
    {
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
        "redcap_data_access_group",
        "redcap_survey_identifier",
        "Survey Identifier",
        "Event Name",
        "Repeat Instrument",
        "Repeat Instance",
        "Data Access Group",
    }
)
REDCAP_COMPLETE = {"0": False, "1": False, "2": True, "incomplete": False, "unverified": False, "complete": True}


def _redcap(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """REDCap raw (`var___code` 0/1, `<form>_complete` 0/1/2) or labels (`Label (choice=X)` Checked/Unchecked)."""
    header = headers[0]
    columns = [Column(0, ID, header[0])]
    submitted = False
    for i, h in enumerate(header[1:], start=1):
        raw_choice = re.fullmatch(r"(.+?)___(.+)", h)
        label_choice = re.fullmatch(r"(.*) \(choice=(.*)\)", h, re.DOTALL)
        if h in REDCAP_META:
            columns.append(Column(i, META, h))
        elif h.endswith("_timestamp") or h == "Survey Timestamp":
            columns.append(Column(i, META if submitted else SUBMITTED, h))
            submitted = True
        elif h.endswith("_complete") or h == "Complete?":
            columns.append(Column(i, COMPLETE, h))
        elif raw_choice:
            columns.append(Column(i, CHOICE, raw_choice[1], choice=raw_choice[2], ticked=frozenset({"1"})))
        elif label_choice:
            columns.append(Column(i, CHOICE, label_choice[1], choice=label_choice[2], ticked=frozenset({"checked"})))
        elif is_identifier(h):
            columns.append(Column(i, IDENTIFIER, h))
        else:
            columns.append(Column(i, QUESTION, h))
    return Layout("redcap", columns, complete_values=REDCAP_COMPLETE)


MSFORMS_META = frozenset(
    {"start time", "last modified time", "total points", "quiz feedback", "grade posted to learners", "language"}
)


def _msforms(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """Microsoft Forms: a multiple-choice cell lists its options each followed by ";" ("A;B;")."""
    columns = []
    for i, h in enumerate(headers[0]):
        lowered = h.lower()
        if lowered == "id":
            columns.append(Column(i, ID, h))
        elif lowered == "completion time":
            columns.append(Column(i, SUBMITTED, h))
        elif lowered in MSFORMS_META or lowered.startswith(("points - ", "feedback - ")):
            columns.append(Column(i, META, h))
        elif is_identifier(h):
            columns.append(Column(i, IDENTIFIER, h))
        else:
            values = _column_values(rows, i)
            several = bool(values) and all(v.endswith(";") for v in values)
            columns.append(Column(i, QUESTION, h, split=";" if several else None))
    return Layout("msforms", columns, day_first=_day_first(rows, _submitted_index(columns), default=False))


def _googleforms(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """Google Forms: `Timestamp` first, no response id; checkbox answers joined by ", " in one cell."""
    columns = [Column(0, SUBMITTED, headers[0][0])]
    for i, h in enumerate(headers[0][1:], start=1):
        if h.lower() == "score":
            columns.append(Column(i, META, h))
        elif is_identifier(h):
            columns.append(Column(i, IDENTIFIER, h))
        else:
            split = ", " if _looks_like_checkboxes(_column_values(rows, i)) else None
            columns.append(Column(i, QUESTION, h, split=split))
    return Layout("googleforms", columns, day_first=_day_first(rows, 0, default=True))


def _looks_like_checkboxes(values: list[str]) -> bool:
    """Google Forms does not mark checkbox columns, and free text holds commas too. A checkbox column
    repeats the same short options: at least half of the ", "-separated parts recur, none span lines."""
    if not any(", " in v for v in values) or any("\n" in v for v in values):
        return False
    parts = [p for v in values for p in v.split(", ")]
    counts: dict[str, int] = {}
    for part in parts:
        counts[part] = counts.get(part, 0) + 1
    recurring = sum(n for n in counts.values() if n >= 2)
    return recurring * 2 >= len(parts)


SURVEYMONKEY_META = frozenset({"Collector ID", "Start Date"})
SURVEYMONKEY_IDENTIFIERS = frozenset({"IP Address", "Email Address", "First Name", "Last Name"})
SINGLE_ANSWER = frozenset({"Response", "Open-Ended Response", ""})
OTHER = "Other (please specify)"


def _surveymonkey(headers: list[list[str]], rows: list[list[str]]) -> Layout:
    """SurveyMonkey: question text once in row 1 over its options in row 2; a chosen option's cell holds
    its label. A column whose cells hold other text is a matrix row or text box: "question - row label"."""
    first, second = headers[0], headers[1] if len(headers) > 1 else [""] * len(headers[0])
    columns: list[Column] = []
    groups: list[tuple[str, list[int]]] = []
    for i, h in enumerate(first):
        if h == "Respondent ID":
            columns.append(Column(i, ID, h))
        elif h == "End Date":
            columns.append(Column(i, SUBMITTED, h))
        elif h in SURVEYMONKEY_META or h.startswith("Custom Data"):
            columns.append(Column(i, META, h))
        elif h in SURVEYMONKEY_IDENTIFIERS:
            columns.append(Column(i, IDENTIFIER, h))
        elif h or not groups:
            groups.append((h or f"Column {i + 1}", [i]))
        else:
            groups[-1][1].append(i)
    for question, indexes in groups:
        columns.extend(_surveymonkey_group(question, indexes, second, rows))
    columns.sort(key=lambda c: c.index)
    day_first = _day_first(rows, _submitted_index(columns), default=False)
    return Layout("surveymonkey", columns, header_rows=2, day_first=day_first, blank_submitted_is_partial=True)


def _surveymonkey_group(question: str, indexes: list[int], labels: list[str], rows: list[list[str]]) -> list[Column]:
    """One question's columns: a single answer (with an "Other" text as fallback), or options and sub-rows."""
    label = {i: labels[i].strip() if i < len(labels) else "" for i in indexes}
    others = [i for i in indexes if label[i] == OTHER]
    rest = [i for i in indexes if i not in others]
    if len(rest) == 1 and label[rest[0]] in SINGLE_ANSWER:
        return [Column(rest[0], QUESTION, question)] + [Column(i, QUESTION, question, fallback=True) for i in others]
    options = [i for i in rest if all(v == label[i] for v in _column_values(rows, i))]
    columns = [Column(i, CHOICE, question) for i in options]
    columns += [Column(i, QUESTION, f"{question} - {label[i]}") for i in rest if i not in options]
    if options:
        columns += [Column(i, CHOICE, question) for i in others]
    else:
        columns += [Column(i, QUESTION, f"{question} - {OTHER}") for i in others]
    return columns


def _submitted_index(columns: list[Column]) -> int | None:
    return next((c.index for c in columns if c.role == SUBMITTED), None)


DATE_TIME = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp])?\.?[Mm]?\.?)?"
    r"\s*(?:(?:GMT|UTC|Z)\s*([+-])?(\d{1,2})?:?(\d{2})?)?\s*"
)


def _day_first(rows: list[list[str]], index: int | None, default: bool) -> bool:
    """Whether "05/03/2024" is the 5th of March: decided by any day over 12 in the column, else the tool's habit."""
    if index is None:
        return default
    for value in _column_values(rows, index):
        match = DATE_TIME.fullmatch(value)
        if match and len(match[1]) < 4:
            if int(match[1]) > 12:
                return True
            if int(match[2]) > 12:
                return False
    return default


def parse_when(text: str, day_first: bool = True) -> datetime.datetime | None:
    """A submitted time as the tools write it: ISO 8601, "2024/03/05 10:15:32 am GMT", "05/03/2024 10:15",
    "3/5/2024 10:15:32 AM". A zone (GMT, UTC, Z, +01:00) gives an aware time; none, a naive one."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = DATE_TIME.fullmatch(text)
    if not match:
        return None
    a, b, c, hour, minute, second, half, sign, zone_hours, zone_minutes = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        year = int(c) + (2000 if len(c) <= 2 else 0)
    hours = int(hour or 0)
    if half:
        hours = hours % 12 + (12 if half.lower() == "p" else 0)
    zone = None
    if re.search(r"(GMT|UTC|Z)\s*([+-]\d.*)?$", text):
        offset = datetime.timedelta(hours=int(zone_hours or 0), minutes=int(zone_minutes or 0))
        zone = datetime.timezone(-offset if sign == "-" else offset)
    try:
        return datetime.datetime(year, month, day, hours, int(minute or 0), int(second or 0), tzinfo=zone)
    except ValueError:
        return None
