"""Fuzzing the store (issue 10, data safety): no value a form, import or script puts in any field can crash
the store or save half a record, and a site team's scope never reads or writes another site's records.

Hypothesis draws the values and the calls; the values in tests/cases/hostile_values.yaml are also tried in
every field, one by one. Runs are derandomized and keep no example database, so every run (and CI) tries the
same cases. Each hypothesis example works on a fresh copy of a seeded SQLite file, so that what one example
saves cannot hide a problem from the next. ``pytest -s`` prints how many cases ran per record type.

The bugs the fuzzing found (now fixed) are pinned one by one in ``FOUND_BY_FUZZING`` at the end.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from pydantic import ValidationError
from sqlalchemy import JSON, Boolean, Date, Integer, Select, func, inspect, select, table

from coprod_widgets.choices import Choice, LadderStep
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.questions.instruments import INSTRUMENTS, install
from coprod_widgets.records import RECORD_TYPES, SITE_RECORD_TYPES, Record, validate
from coprod_widgets.schema import TABLES, history
from coprod_widgets.store import Change, Store
from tests.casefiles import fill, load_cases

VALID = load_cases("valid_records.yaml")
HOSTILE = load_cases("hostile_values.yaml")
#: One valid record per kind, with "$name" placeholders: the first valid case of each kind, plus the YAML's.
BASE: dict[str, dict] = {**{case["kind"]: case["data"] for case in reversed(VALID)}, **HOSTILE["base"]}
WHO = "fuzz test"
#: Derandomized and without an example database, so that CI always tries the same cases. No deadline: an
#: example's time is mostly SQLite's, and the first one also fills SQLAlchemy's statement cache.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
HOSTILE_EXAMPLES = 60  # per record type, about half through add and half through update
ISOLATION_RUNS, ISOLATION_STEPS = 56, 40  # enough for a done and a refused write of every kind (20 kinds)
#: Fields that must differ from every stored record's (per site or per survey), made fresh for each add.
UNIQUE_FIELDS = {"survey": "name", "survey_response": "response_key", "transcript": "checksum", "coding": "coder"}
FRESH = itertools.count(1)


def fresh_value(kind: str, value: str) -> str:
    """``value`` made unlike any stored one: a number added, or a checksum of the next number (64 hex digits)."""
    return f"{next(FRESH):064x}" if UNIQUE_FIELDS[kind] == "checksum" else f"{value} {next(FRESH)}"


#: Shrinking a failed run of the site-isolation machine can take Hypothesis many minutes; the unshrunk steps
#: are printed anyway. Set COPROD_FUZZ_SHRINK=1 to shrink them to the fewest.
ISOLATION_PHASES = list(Phase) if os.environ.get("COPROD_FUZZ_SHRINK") else [Phase.explicit, Phase.generate]
#: Words from pydantic's own messages, which must never reach people.
NOT_PLAIN = ("Input should", "pydantic", "validation error", "Traceback", "errors.pydantic.dev")


def test_every_kind_has_a_base_record():
    """A new record type needs a valid case in valid_records.yaml (or a base in hostile_values.yaml) to fuzz."""
    assert set(BASE) == set(RECORD_TYPES)


# ---- stores -------------------------------------------------------------------------------------


#: A site's own question set (one integer question), as coprod questions add would store it.
QUESTION_SET = next(case["data"] for case in VALID if case["kind"] == "question_set")

#: A survey and one import into it, as coprod import-survey stores them (the "$survey" and "$survey_import").
SURVEY = next(case["data"] for case in VALID if case["kind"] == "survey")
SURVEY_IMPORT = next(case["data"] for case in VALID if case["kind"] == "survey_import")
#: A transcript, as coprod import-transcript stores it (the "$transcript" that coded passages point at).
TRANSCRIPT = next(case["data"] for case in VALID if case["kind"] == "transcript")

#: What every site starts with: the records valid_records.yaml names as "$partner_lived" and so on.
SEED = {
    "partner_lived": ("partner", {"display_name": "Rosa", "role_group": "lived_experience", "joined": "2015-03-01"}),
    "partner_staff": ("partner", {"display_name": "Dev", "role_group": "clinician", "joined": "2015-03-01"}),
    "activity": ("activity", {"date": "2015-04-10", "title": "Workshop", "stage": "design", "ladder_step": 5}),
    "non_negotiable": (
        "non_negotiable",
        {"statement": "No new money", "declared_by_id": "$partner_staff", "date_declared": "2015-03-01"},
    ),
    "question_set": ("question_set", {**QUESTION_SET, "name": "Seeded visits"}),
    "survey": ("survey", {**SURVEY, "name": "Seeded survey"}),
    "survey_import": ("survey_import", {**SURVEY_IMPORT, "survey_id": "$survey"}),
    "transcript": ("transcript", {**TRANSCRIPT, "checksum": "3" * 64}),
}


def seed(store: Store, names: list[str], every_kind: bool) -> list[dict[str, int]]:
    """Sites with two partners, an activity and a non-negotiable each (the refs valid_records.yaml names),
    made a step at a time across the sites so that neighbouring ids belong to different sites; with
    ``every_kind``, each site then gets every valid case too. Returns each site's refs."""
    programme = store.add("programme", {"name": "Fuzz programme"}, WHO).id
    shared = {added.question_set.name: added.question_set.id for added in install(store, who=WHO)}
    instruments = {item.key: shared[item.name] for item in INSTRUMENTS}  # "$self_assessment", "$reflection_4pi"
    refs = []
    for name in names:
        site = {"programme_id": programme, "name": name, "service_issue": "Foot care", "start_date": "2015-03-01"}
        refs.append({"programme": programme, **instruments, "site": store.add("site", site, WHO).id})
    for ref, (kind, data) in SEED.items():
        for site_refs in refs:
            site_refs[ref] = store.add(kind, fill({**data, "site_id": "$site"}, site_refs), WHO).id
    if every_kind:
        for case in VALID:
            programme_wide = "site_id" not in RECORD_TYPES[case["kind"]].model_fields
            for site_refs in refs[:1] if programme_wide else refs:  # a team's code is the programme's, once
                store.add(case["kind"], fill(case["data"], site_refs), WHO)
    return refs


class Copies:
    """Fresh copies of one seeded SQLite file, one per hypothesis example."""

    def __init__(self, template: Path):
        self.template, self.numbers = template, itertools.count()

    def open(self) -> Store:
        path = self.template.with_name(f"copy-{next(self.numbers)}.db")
        shutil.copyfile(self.template, path)
        return Store.open(f"sqlite:///{path}", create=False)

    @staticmethod
    def discard(store: Store) -> None:
        path = Path(store.engine.url.database)
        store.close()
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()

    @contextmanager
    def fresh(self) -> Iterator[Store]:
        store = self.open()
        try:
            yield store
        finally:
            self.discard(store)


def seeded_copies(folder: Path, names: list[str], every_kind: bool) -> tuple[Copies, list[dict[str, int]]]:
    path = folder / "template.db"
    store = Store.open(f"sqlite:///{path}")
    refs = seed(store, names, every_kind)
    store.close()  # the last connection checkpoints the WAL: the .db file alone holds everything
    return Copies(path), refs


@functools.cache
def count_rows(names: tuple[str, ...]) -> Select:
    return select(*(select(func.count()).select_from(table(name)).scalar_subquery().label(name) for name in names))


def row_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the database, the store's own bookkeeping included, in one query."""
    with store.engine.connect() as conn:
        names = tuple(sorted(inspect(conn).get_table_names()))
        return dict(conn.execute(count_rows(names)).one()._mapping)


def last_change(store: Store) -> Change:
    with store.engine.connect() as conn:
        return Change(**conn.execute(select(history).order_by(history.c.id.desc()).limit(1)).one()._mapping)


def assert_rows_match_history(store: Store) -> None:
    """No half-saved record: every row's latest history line holds exactly its values, and every record the
    history says exists does exist."""
    latest: dict[tuple[str, int], Change] = {}
    for line in store.history():
        if line.new != {"access_code": "changed"}:
            latest[(line.record_type, line.record_id)] = line
    everything = {kind: store.records(kind) for kind in RECORD_TYPES}
    stored = {(kind, record.id): record for kind, records in everything.items() for record in records}
    for key, record in stored.items():
        assert key in latest, f"{key} has no history"
        assert latest[key].action != "delete" and latest[key].new == record.model_dump(mode="json"), key
    assert {key for key, line in latest.items() if line.action != "delete"} == set(stored)


def assert_plain_refusal(refused: RecordInvalid, fields) -> None:
    """Each problem names a field and says, in people's words, what is wrong."""
    assert refused.problems, "refused without a reason"
    for problem in refused.problems:
        # a problem with one answer names its question after the field: answers.NAME
        assert problem.field.split(".")[0] in fields, f"problem names no field: {problem!r}"
        assert problem.message.strip(), f"empty message for {problem.field}"
        assert not any(words in problem.message for words in NOT_PLAIN), problem.message


# ---- hostile values -----------------------------------------------------------------------------

#: What a long text is made of: one code point, or several that show as one character.
TEXT_UNITS = ["x", "é", "e\u0301", "\U0001f44d\U0001f3fd", "\u200d", "\u202e", "ש", "\U00020000", "\u3000", "\r\n"]
PADDING = ["", " ", "\n\t ", "\u3000", "\u200b"]
#: Every code and label of every fixed list, so that choice fields are sometimes given a valid answer.
CHOICE_CODES = sorted(
    {code for enum in Choice.__subclasses__() for pair in enum.options() for code in pair}
    | {label for label, _ in LadderStep.options()}
)
#: NaN and infinity included: a whole-number field given one was once refused in pydantic's words.
FLOATS = st.floats()
NAMED_TEXTS = [value for value in HOSTILE["values"] if isinstance(value, str)]


def length_limit(cls: type[Record], field: str) -> int | None:
    return next((meta.max_length for meta in cls.model_fields[field].metadata if getattr(meta, "max_length", 0)), None)


#: Every length limit of any text field (200 for names, 4000 for text).
LENGTH_LIMITS = sorted(
    {limit for cls in RECORD_TYPES.values() for field in cls.model_fields if (limit := length_limit(cls, field))}
)


def boundary_texts(limit: int) -> list[str]:
    """Text at and one past ``limit`` code points, of one- and many-code-point characters, padded and not."""
    return [
        pad + (unit * length)[:length] + pad
        for length in (limit, limit + 1)
        for unit in ("x", "e\u0301", "\U0001f44d\U0001f3fd")
        for pad in ("", " \u3000")
    ]


@st.composite
def long_texts(draw, limits: list[int]) -> str:
    """Text just under, at and over a length limit, or far over, perhaps inside whitespace that is stripped."""
    limit = draw(st.sampled_from(limits))
    length = draw(st.sampled_from([limit - 1, limit, limit + 1, limit * 4]))
    unit, pad = draw(st.sampled_from(TEXT_UNITS)), draw(st.sampled_from(PADDING))
    return pad + (unit * length)[:length] + pad


date_texts = st.builds(
    lambda day, month, year, sep, iso: f"{year:04d}-{month:02d}-{day:02d}" if iso else f"{day}{sep}{month}{sep}{year}",
    st.integers(0, 40),
    st.integers(0, 14),
    st.integers(0, 10_001),
    st.sampled_from("/.-"),
    st.booleans(),
)
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)  # every code point but lone surrogates
odd_text = st.text(st.characters(max_codepoint=0x9F) | st.sampled_from("\u200d\u200e\u202e\u0301\ufeff"), max_size=8)
big_ints = st.integers(min_value=2**31 - 2, max_value=2**80) | st.integers(min_value=-(2**80), max_value=-(2**31) + 1)
scalars = st.one_of(
    st.sampled_from(HOSTILE["values"]),
    any_text,
    odd_text,
    long_texts(LENGTH_LIMITS),
    st.sampled_from(CHOICE_CODES),
    st.integers(-3, 30),
    st.integers(),
    big_ints,
    FLOATS,
    st.booleans(),
    st.none(),
    st.dates(),
    date_texts,
    st.datetimes(),
)
#: Any value at all, of any type, in any field.
hostile_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.lists(st.integers(-2, 40), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=2),
)


def field_values(cls: type[Record], field: str) -> st.SearchStrategy:
    """Values of the field's own type, near and past its rules, as often as ``hostile_values`` of any type."""
    column = TABLES[cls.kind].c[field].type
    if isinstance(column, Integer):
        typed = st.one_of(
            st.integers(-3, 30),
            st.integers(),
            big_ints,
            FLOATS,
            st.booleans(),
            st.sampled_from(["3", " 3 ", "3.0", "1e3", "٣", "0x10", "1_0", "+1", "-0"]),
        )
    elif isinstance(column, Date):
        typed = st.one_of(st.dates(), date_texts, st.datetimes(), st.integers(), FLOATS)
    elif isinstance(column, Boolean):
        typed = st.one_of(
            st.booleans(),
            st.sampled_from(["yes", "no", "on", "off", "1", "0", "true", "F", "Y", "maybe", " yes "]),
            st.integers(-1, 2),
            FLOATS,
        )
    elif isinstance(column, JSON):
        typed = st.lists(st.one_of(st.integers(-2, 40), big_ints, scalars), max_size=4)
    else:  # text, and codes of fixed lists
        typed = st.one_of(
            long_texts([length_limit(cls, field)] if length_limit(cls, field) else LENGTH_LIMITS),
            any_text,
            odd_text,
            st.sampled_from(NAMED_TEXTS),
            st.sampled_from(CHOICE_CODES),
        )
    return st.one_of(typed, hostile_values)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> tuple[Copies, dict[str, int]]:
    """Two sites (the second so that small ids can name another site's records); the refs of the first."""
    copies, refs = seeded_copies(tmp_path_factory.mktemp("hostile"), ["North", "South"], every_kind=False)
    return copies, refs[0]


def try_in_store(store: Store, kind: str, base: dict, target: Record | None, field: str, value) -> Record | None:
    """``value`` in ``field`` of a valid record, through add (no ``target``) or update of ``target``: either
    refused in plain words with every table as it was, or saved and read back exactly as validation made it,
    with one history line that holds it and no other record or history row added. Returns what was saved."""
    before = row_counts(store)
    try:
        if target is None:
            typed = {**base, field: value}
            saved = store.add(kind, typed, WHO)
        else:
            typed = {**target.model_dump(), field: value, "id": target.id}
            saved = store.update(kind, target.id, {field: value}, WHO)
    except RecordInvalid as refused:
        assert_plain_refusal(refused, RECORD_TYPES[kind].model_fields)
        assert row_counts(store) == before, "a refused change left rows behind"
        if target is not None:
            assert store.get(kind, target.id) == target
        return None
    alone = validate(kind, {**typed, "id": saved.id})  # the store ignores an id given to add
    if kind == "problem_framing" and target is None:
        alone = alone.model_copy(update={"version": saved.version})  # numbered by the store when left blank
    assert saved == alone
    again = store.get(kind, saved.id)
    assert again == saved and again.model_dump(mode="json") == saved.model_dump(mode="json")
    expected = dict(before, history=before["history"] + 1)
    if target is None:
        expected[kind] += 1
    after = row_counts(store)
    assert {name: after[name] for name in [*RECORD_TYPES, "history"]} == {
        name: expected[name] for name in [*RECORD_TYPES, "history"]
    }
    line = last_change(store)
    assert (line.action, line.record_type, line.record_id) == ("update" if target else "insert", kind, saved.id)
    assert line.new == saved.model_dump(mode="json")
    assert line.old == (None if target is None else target.model_dump(mode="json"))
    return saved


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_hostile_values_are_refused_plainly_or_saved_exactly(kind, hostile_store):
    """Hypothesis's values, of the field's type or any other, in one field of a valid record at a time, through
    add or update, each on a fresh copy of the store (see try_in_store for what must hold)."""
    copies, refs = hostile_store
    cls = RECORD_TYPES[kind]
    base = fill(BASE[kind], refs)
    tally: Counter[str] = Counter()
    cases = st.sampled_from(sorted(cls.model_fields)).flatmap(lambda f: st.tuples(st.just(f), field_values(cls, f)))

    @settings(FUZZ, max_examples=HOSTILE_EXAMPLES)
    @given(case=cases, through=st.sampled_from(["add", "update"]))
    def one_case(case, through):
        field, value = case
        with copies.fresh() as store:
            target = store.add(kind, base, WHO) if through == "update" else None
            saved = try_in_store(store, kind, base, target, field, value)
            tally[f"{through} {'saved' if saved else 'refused'}"] += 1
            assert_rows_match_history(store)

    one_case()
    report(f"fuzz cases for {kind}", tally)
    assert sum(tally.values()) >= HOSTILE_EXAMPLES // 2


def sweep_named_values(store: Store, kind: str, base: dict) -> Counter[str]:
    """Every value in hostile_values.yaml, and text at and past the length limit, in every field: refused in
    plain words by validation or, when it parses (and so could reach the database), added as in try_in_store.
    (Update validates and binds values the same way; the hypothesis test above tries it.) Each record saved
    is deleted straight after, so that none can make the next one a duplicate."""
    cls = RECORD_TYPES[kind]
    tally: Counter[str] = Counter()
    for field in cls.model_fields:
        limit = length_limit(cls, field)
        tried = set()  # what the values became: the store sees only that, so "3", 3.0 and 3 are one case for it
        for value in [*HOSTILE["values"], *(boundary_texts(limit) if limit else [])]:
            try:
                parsed = repr(getattr(cls.model_validate({**base, field: value}), field))
            except ValidationError:
                with pytest.raises(RecordInvalid) as refused:
                    validate(kind, {**base, field: value})
                assert_plain_refusal(refused.value, cls.model_fields)
                tally["refused by validation"] += 1
                continue
            if field == "id":  # add ignores it (the hypothesis test checks so): nothing reaches the database
                tally["id, ignored"] += 1
                continue
            if parsed in tried:
                tally["parsed as one tried already"] += 1
                continue
            tried.add(parsed)
            added = try_in_store(store, kind, base, None, field, value)
            if added is not None:
                store.delete(kind, added.id, WHO)
            tally["saved" if added else "refused by the store"] += 1
    assert_rows_match_history(store)
    return tally


def report(what: str, tally: Counter[str]) -> None:
    print(f"\n{what}: {sum(tally.values())} ({', '.join(f'{n} {how}' for how, n in sorted(tally.items()))})")


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_every_named_value_in_every_field(kind, hostile_store):
    """sweep_named_values on SQLite, on a fresh copy of the store for each record type."""
    copies, refs = hostile_store
    with copies.fresh() as store:
        report(f"named cases for {kind}", sweep_named_values(store, kind, fill(BASE[kind], refs)))


def column_shapes(kind: str) -> set[tuple]:
    return {(type(column.type).__name__, column.nullable, bool(column.foreign_keys)) for column in TABLES[kind].columns}


def covering_kinds() -> list[str]:
    """A few record types whose tables have between them every kind of column any table has (type, nullable,
    foreign key): PostgreSQL differs from SQLite in its columns, not in validation, so these are enough."""
    chosen: list[str] = []
    covered: set[tuple] = set()
    for kind in sorted(RECORD_TYPES, key=lambda kind: (-len(column_shapes(kind)), kind)):
        if column_shapes(kind) - covered:
            chosen.append(kind)
            covered |= column_shapes(kind)
    return chosen


@pytest.fixture(scope="module")
def postgres_hostile_store(postgres_url) -> tuple[Store, dict[str, int]]:
    """hostile_store's two sites on PostgreSQL: one store for every kind (each sweep leaves it as it was)."""
    store = Store.open(postgres_url)
    refs = seed(store, ["North", "South"], every_kind=False)
    yield store, refs[0]
    store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("kind", covering_kinds())
def test_every_named_value_in_every_field_on_postgres(kind, postgres_hostile_store):
    """The same on PostgreSQL, whose integers have 32 bits, not 64, and whose text cannot hold a NUL."""
    store, refs = postgres_hostile_store
    report(f"named cases for {kind} on PostgreSQL", sweep_named_values(store, kind, fill(BASE[kind], refs)))


# ---- site isolation -----------------------------------------------------------------------------

SITE_NAMES = ["North", "South", "East"]
SITE_KINDS = sorted(SITE_RECORD_TYPES)
#: Kinds a site team may not touch, or that do not exist.
OTHER_KINDS = ["programme", "site", "unicorn", ""]
#: Ids that name nothing: zero, negative, past the end, past PostgreSQL's and SQLite's integers.
ODD_IDS = [0, -1, 10_000, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**70]
#: Ids of other types a script could pass: they must find nothing, or this site's record.
ODD_ID_TYPES = [None, "1", "2", "1 OR 1=1", 1.0, 1.5, True, b"1", [1], {"id": 1}]
WRITES = ("add", "update", "delete", "save_activity")


class SiteIsolation(RuleBasedStateMachine):
    """Site teams call their scopes at random, with their own ids, other sites' ids, deleted ids and ids that
    name nothing. After every call each other site's rows and history are exactly as before; a refused call
    (always RecordInvalid, in plain words) leaves its own site as it was too; a call with another site's ids
    or site_id is refused; whatever a scope returns is its own site's; every reference stays within a site."""

    def __init__(self, copies: Copies, tally: Counter):
        super().__init__()
        self.copies, self.tally = copies, tally
        self.store = copies.open()
        self.site_ids = [site.id for site in self.store.sites()]
        self.deleted: dict[str, set[int]] = defaultdict(set)
        self.seen = self.snapshot()

    def teardown(self):
        self.copies.discard(self.store)

    # -- what is checked after each call

    def snapshot(self) -> dict[int | None, dict[str, list[dict]]]:
        """Every row of every record table and of the history, as stored, grouped by the site it belongs to;
        programmes and sites themselves (which no scope may change) and unsited history under None."""
        sources = {**TABLES, "history": history}
        grouped = {site: {name: [] for name in sources} for site in [None, *self.site_ids]}
        with self.store.engine.connect() as conn:
            for name, source in sources.items():
                for row in conn.execute(select(source).order_by(source.c.id)):
                    values = dict(row._mapping)
                    site = values["site_id"] if name in SITE_RECORD_TYPES or name == "history" else None
                    grouped.setdefault(site, {name: [] for name in sources})[name].append(values)
        return grouped

    def owner(self, kind: str, rid) -> int | None:
        """The site whose record of ``kind`` has this id, if it is a whole number that names one."""
        if kind not in SITE_RECORD_TYPES or type(rid) is not int:
            return None
        return next((site for site in self.site_ids for row in self.seen[site][kind] if row["id"] == rid), None)

    def assert_unchanged(self, now: dict, sites: list[int | None]) -> None:
        for site in sites:
            assert now[site] == self.seen[site], (
                "programmes or sites changed" if site is None else f"site {site} changed"
            )

    def assert_own(self, site: int, result) -> None:
        if isinstance(result, Record | Change):
            assert result.site_id == site, f"site {site}'s scope returned {result!r}"
        elif isinstance(result, list | tuple):
            for item in result:
                self.assert_own(site, item)
        elif isinstance(result, dict):
            for item in result.values():
                self.assert_own(site, item)
        else:
            assert result is None, result

    def act(self, site: int, op: str, kind: str, call: Callable, refused: bool | None = None):
        """One call through ``site``'s scope. ``refused``: True if it must be refused, False if it must not."""
        scope = self.store.for_site(site)
        try:
            result = call(scope)
        except RecordInvalid as refusal:
            kinds = ("activity", "attendance") if op == "save_activity" else (kind,)
            fields = {"kind", "id", "site_id"}.union(
                *(RECORD_TYPES[k].model_fields for k in kinds if k in RECORD_TYPES)
            )
            assert_plain_refusal(refusal, fields)
            assert refused is not False, f"{op} {kind} refused: {refusal}"
            self.assert_unchanged(self.snapshot(), [None, *self.site_ids])
            self.tally[(kind, op, "refused")] += 1
            return refusal
        assert refused is not True, f"{op} {kind} accepted: {result!r}"
        self.assert_own(site, result)
        now = self.snapshot()
        assert set(now) == {None, *self.site_ids}, "a record or history line belongs to no site"
        self.assert_unchanged(now, [None, *(other for other in self.site_ids if other != site)])
        self.seen = now
        self.tally[(kind, op, "done")] += 1
        return result

    @invariant()
    def references_stay_in_their_site(self):
        for site in self.site_ids:
            for kind in SITE_RECORD_TYPES:
                for row in self.seen[site][kind]:
                    for field, target in RECORD_TYPES[kind].references.items():
                        value = row[field]
                        for ref in value if isinstance(value, list) else [value]:
                            assert ref is None or self.owner(target, ref) == site, (kind, row, field)

    # -- drawing ids and records

    def draw_id(self, data, kind: str, site: int, label: str, loyal: bool = False, odd: list = ODD_IDS) -> int:
        """This site's ids, other sites' ids, deleted ids and ids that name nothing, about equally often;
        ``loyal``: this site's only (when it has any), so that some writes can succeed."""
        own = [row["id"] for row in self.seen[site][kind]]
        if loyal and own:
            return data.draw(st.sampled_from(own), label=label)
        foreign = sorted(row["id"] for other in self.site_ids if other != site for row in self.seen[other][kind])
        pools = [st.sampled_from(ids) for ids in (own, foreign, sorted(self.deleted[kind])) if ids]
        return data.draw(st.one_of(*pools, st.sampled_from(odd)), label=label)

    def draw_references(self, data, kind: str, site: int, loyal: bool) -> dict:
        """Every reference of a record of ``kind``, each to a record of this site, another site or none."""
        refs = {}
        for field, target in RECORD_TYPES[kind].references.items():
            if field.endswith("_ids"):
                size = data.draw(st.integers(1, 2), label=f"{field} size")
                refs[field] = [self.draw_id(data, target, site, field, loyal) for _ in range(size)]
            else:
                refs[field] = self.draw_id(data, target, site, field, loyal)
        return refs

    def foreign(self, kind: str, refs: dict, site: int) -> bool:
        """Whether any of these references of a ``kind`` record names no record of ``site``."""
        for field, value in refs.items():
            for ref in value if isinstance(value, list) else [value]:
                if self.owner(RECORD_TYPES[kind].references[field], ref) != site:
                    return True
        return False

    @staticmethod
    def plain_fields(kind: str) -> dict:
        """A valid record's fields other than its site and references (which are drawn)."""
        links = {*RECORD_TYPES[kind].references, "site_id"}
        return {field: value for field, value in BASE[kind].items() if field not in links}

    # -- the calls

    sites = st.integers(0, len(SITE_NAMES) - 1)
    kinds = st.sampled_from(SITE_KINDS)

    # Two rules that each pick a call, rather than a rule per call: Hypothesis leaves some rules out of each run
    # (swarm testing), and with one rule per call a few runs would then try hardly any deletes, say.

    @rule(at=sites, data=st.data())
    def look(self, at, data):
        """Reads, and calls a scope must never act on."""
        calls = ["get", "records", "all_records", "history", "other_kinds", "odd_id_types"]
        how = data.draw(st.sampled_from(calls), label="call")
        getattr(self, how)(self.site_ids[at], data)

    @rule(at=sites, loyal=st.booleans(), data=st.data())
    def write(self, at, loyal, data):
        """Writes; ``loyal`` ones use only this site's records, so that some succeed."""
        how = data.draw(st.sampled_from(WRITES), label="call")
        getattr(self, how)(self.site_ids[at], loyal, data)

    def get(self, site, data):
        kind = data.draw(self.kinds, label="kind")
        rid = self.draw_id(data, kind, site, "id")
        got = self.act(site, "get", kind, lambda scope: scope.get(kind, rid), refused=False)
        assert got == (self.store.get(kind, rid) if self.owner(kind, rid) == site else None)

    def records(self, site, data):
        kind = data.draw(self.kinds, label="kind")
        equals = {}
        links = [field for field in RECORD_TYPES[kind].references if not field.endswith("_ids")]
        if links and data.draw(st.booleans(), label="filtered"):
            field = data.draw(st.sampled_from(links), label="filter")
            equals[field] = self.draw_id(data, RECORD_TYPES[kind].references[field], site, field, odd=ODD_IDS)
        got = self.act(site, "records", kind, lambda scope: scope.records(kind, **equals), refused=False)
        assert got == self.store.records(kind, site_id=site, **equals)

    def all_records(self, site, data):
        got = self.act(site, "all_records", "every kind", lambda scope: scope.all_records(), refused=False)
        assert got == self.store.all_records(site_id=site)

    def history(self, site, data):
        kind = data.draw(st.sampled_from([None, *SITE_KINDS, *OTHER_KINDS]), label="kind")
        rid = None
        if kind in SITE_RECORD_TYPES and data.draw(st.booleans(), label="one record"):
            rid = self.draw_id(data, kind, site, "id")
        got = self.act(site, "history", kind or "every kind", lambda scope: scope.history(kind, rid), refused=False)
        assert got == self.store.history(kind, rid, site_id=site)

    def add(self, site, loyal, data):
        kind = data.draw(self.kinds, label="kind")
        refs = self.draw_references(data, kind, site, loyal)
        values = {**self.plain_fields(kind), **refs}
        if kind in UNIQUE_FIELDS:  # a copy of a stored record's name or key is refused whatever the site
            values[UNIQUE_FIELDS[kind]] = fresh_value(kind, values[UNIQUE_FIELDS[kind]])
        claimed = data.draw(st.sampled_from(["none", "own", "other", "odd"]), label="site_id")
        if claimed != "none":
            others = [other for other in self.site_ids if other != site]
            values["site_id"] = data.draw(st.sampled_from({"own": [site], "other": others, "odd": ODD_IDS}[claimed]))
        must_refuse = values.get("site_id", site) != site or self.foreign(kind, refs, site)
        added = self.act(site, "add", kind, lambda scope: scope.add(kind, values), refused=must_refuse or None)
        if isinstance(added, Record):
            assert self.store.get(kind, added.id) == added

    def update(self, site, loyal, data):
        kind = data.draw(self.kinds, label="kind")
        rid = self.draw_id(data, kind, site, "id", loyal)
        change = data.draw(st.sampled_from(["nothing", "site_id", "reference", "field"]), label="change")
        changes: dict = {}
        refs: dict = {}
        if change == "site_id":
            changes["site_id"] = data.draw(st.sampled_from([*self.site_ids, *ODD_IDS]), label="site_id")
        elif change == "reference" and RECORD_TYPES[kind].references:
            field = data.draw(st.sampled_from(sorted(RECORD_TYPES[kind].references)), label="reference")
            refs = {field: self.draw_references(data, kind, site, loyal)[field]}
            changes.update(refs)
        elif change == "field":
            field = data.draw(st.sampled_from(sorted(self.plain_fields(kind))), label="field")
            changes[field] = self.plain_fields(kind)[field]
        must_refuse = (
            self.owner(kind, rid) != site or changes.get("site_id", site) != site or self.foreign(kind, refs, site)
        )
        updated = self.act(
            site, "update", kind, lambda scope: scope.update(kind, rid, changes), refused=must_refuse or None
        )
        if isinstance(updated, Record):
            assert self.store.get(kind, rid) == updated

    def delete(self, site, loyal, data):
        kind = data.draw(self.kinds, label="kind")
        rid = self.draw_id(data, kind, site, "id", loyal)
        must_refuse = self.owner(kind, rid) != site
        outcome = self.act(site, "delete", kind, lambda scope: scope.delete(kind, rid), refused=must_refuse or None)
        if not isinstance(outcome, RecordInvalid):
            assert self.store.get(kind, rid) is None
            self.deleted[kind].add(rid)

    def save_activity(self, site, loyal, data):
        """The site app's activity form: an activity and who attended, saved together or not at all."""
        activity_id = None
        if data.draw(st.booleans(), label="edit an activity"):
            activity_id = self.draw_id(data, "activity", site, "activity_id", loyal)
        refs = self.draw_references(data, "activity", site, loyal)
        attended = {
            self.draw_id(data, "partner", site, "attended", loyal): data.draw(st.booleans(), label="contributed")
            for _ in range(data.draw(st.integers(0, 3), label="attendance size"))
        }
        values = {**self.plain_fields("activity"), **refs}
        if data.draw(st.booleans(), label="claims a site"):  # refused unless it is the scope's own, as add does
            values["site_id"] = data.draw(st.sampled_from([*self.site_ids, *ODD_IDS]), label="site_id")
        must_refuse = (
            values.get("site_id", site) != site
            or (activity_id is not None and self.owner("activity", activity_id) != site)
            or self.foreign("activity", refs, site)
            or self.foreign("attendance", {"partner_id": list(attended)}, site)
        )
        saved = self.act(
            site,
            "save_activity",
            "activity",
            lambda scope: scope.save_activity(values, attended, activity_id),
            refused=must_refuse or None,
        )
        if isinstance(saved, Record):
            rows = self.store.records("attendance", activity_id=saved.id)
            assert {row.partner_id: row.contributed for row in rows} == attended

    def other_kinds(self, site, data):
        """Programmes, sites and kinds that do not exist are out of a site team's reach."""
        kind = data.draw(st.sampled_from(OTHER_KINDS), label="kind")
        op = data.draw(st.sampled_from(["get", "records", "add", "update", "delete"]), label="call")
        sneaky = {"programme_id": 1, "name": "Sneaky", "service_issue": "x", "start_date": "2015-01-01"}
        calls = {
            "get": lambda scope: scope.get(kind, site),
            "records": lambda scope: scope.records(kind),
            "add": lambda scope: scope.add(kind, sneaky),
            "update": lambda scope: scope.update(kind, site, {"name": "Hacked"}),
            "delete": lambda scope: scope.delete(kind, site),
        }
        got = self.act(site, op, kind or "empty kind", calls[op], refused=op != "get")
        assert op != "get" or got is None

    def odd_id_types(self, site, data):
        """Ids that are not whole numbers find nothing, or a record of this site only."""
        kind = data.draw(self.kinds, label="kind")
        rid = data.draw(st.sampled_from(ODD_ID_TYPES), label="id")
        self.act(site, "get", kind, lambda scope: scope.get(kind, rid), refused=False)
        self.act(site, "history", kind, lambda scope: scope.history(kind, rid), refused=False)
        self.act(site, "update", kind, lambda scope: scope.update(kind, rid, {}))


@pytest.fixture(scope="module")
def isolation_store(tmp_path_factory) -> Copies:
    """Three sites, each with every kind of record."""
    copies, _ = seeded_copies(tmp_path_factory.mktemp("isolation"), SITE_NAMES, every_kind=True)
    return copies


def test_a_site_scope_never_reads_or_writes_another_site(isolation_store):
    tally: Counter[tuple[str, str, str]] = Counter()
    run_state_machine_as_test(
        lambda: SiteIsolation(isolation_store, tally),
        settings=settings(
            FUZZ, max_examples=ISOLATION_RUNS, stateful_step_count=ISOLATION_STEPS, phases=ISOLATION_PHASES
        ),
    )
    print(f"\nsite-isolation calls: {sum(tally.values())} in {ISOLATION_RUNS} runs of up to {ISOLATION_STEPS} steps")
    calls = Counter()
    for (_, op, _), n in tally.items():
        calls[op] += n
    print("  by call: " + ", ".join(f"{op} {n}" for op, n in sorted(calls.items())))
    for kind in sorted({kind for kind, _, _ in tally}):
        ops = sorted({op for k, op, _ in tally if k == kind})
        counts = ", ".join(f"{op} {tally[(kind, op, 'done')]}+{tally[(kind, op, 'refused')]}" for op in ops)
        print(f"  {kind}: {sum(n for (k, _, _), n in tally.items() if k == kind)} (done+refused: {counts})")
    for kind in SITE_KINDS:  # the fuzzing reached every kind, with writes both refused and done
        assert any(tally[(kind, op, "refused")] for op in WRITES), kind
        assert any(tally[(kind, op, "done")] for op in WRITES), kind


# ---- bugs found, still open ---------------------------------------------------------------------


def refused_plainly_or_own(call: Callable, site: int):
    """What a scope call must do with anything it is given: refuse in plain words, or answer for its site."""
    try:
        result = call()
    except RecordInvalid as refusal:
        assert refusal.problems and not any(words in str(refusal) for words in NOT_PLAIN), str(refusal)
        return
    for record in result if isinstance(result, list) else [result]:
        assert record is None or record.site_id == site


FOUND_BY_FUZZING = [
    pytest.param(
        lambda scope: scope.records("attendance", partner_id=2**63),
        id="records-filter-id-beyond-64-bits",
    ),
    pytest.param(
        lambda scope: scope.records("partner", site_id=scope.site_id + 1),
        id="records-filter-by-site_id",
    ),
    pytest.param(
        lambda scope: scope.records("partner", favourite_colour="blue"),
        id="records-filter-by-unknown-field",
    ),
    pytest.param(
        lambda scope: scope.get("partner", [1]),
        id="get-with-a-list-as-id",
    ),
    pytest.param(
        lambda scope: scope.add(
            "activity", {"date": "2015-04-10", "title": "Workshop", "stage": "design", "ladder_step": float("nan")}
        ),
        id="whole-number-field-given-nan",
    ),
]


@pytest.mark.parametrize("call", FOUND_BY_FUZZING)
def test_found_by_fuzzing_and_fixed(call, isolation_store):
    """Each crashed the store before it was fixed (issue 10); now each refuses plainly or answers for its own site."""
    with isolation_store.fresh() as store:
        scope = store.for_site(store.sites()[0].id)
        refused_plainly_or_own(lambda: call(scope), scope.site_id)
