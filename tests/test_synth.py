"""``coprod synth`` and the store's bulk write path it uses.

The bulk path must be ``Store.add`` made fast, nothing more: the same records, ids and history lines (but for
the moment each was written), the same refusals with the same words, and nothing written when one is refused.
The synthetic programme must be valid, fictional, reproducible from its seed, and varied enough that the
overview's statuses spread as they do in the demo.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from click.testing import CliRunner

from coprod_widgets import access, audit
from coprod_widgets import bulk as bulk_module
from coprod_widgets.cli import main
from coprod_widgets.demo.sites import SITES
from coprod_widgets.demo.synth import build_synthetic, programme_name
from coprod_widgets.demo.synth_sites import synthetic_sites
from coprod_widgets.evaluation import indicators as ind
from coprod_widgets.evaluation.data import load_programme
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.records import RECORD_TYPES, validate
from coprod_widgets.store import Store, _Lookup
from tests.postgres import empty_database

WHO = "bulk tester"
#: A small programme as (kind, values), ids written as a fresh store gives them (add and bulk alike).
BASE = [
    ("programme", {"name": "Test programme"}),
    ("site", {"programme_id": 1, "name": "North", "service_issue": "Foot care", "start_date": "2015-03-01"}),
    ("site", {"programme_id": 1, "name": "South", "service_issue": "Breathing", "start_date": "2015-03-01"}),
    ("partner", {"site_id": 1, "display_name": "P1 (Person with lived experience)", "role_group": "lived_experience",
                 "joined": "2015-03-01"}),
    ("partner", {"site_id": 1, "display_name": "P2 (Clinician)", "role_group": "clinician", "joined": "2015-03-01"}),
    ("partner", {"site_id": 2, "display_name": "P1 (Carer)", "role_group": "carer", "joined": "2015-04-01"}),
    ("activity", {"site_id": 1, "date": "2015-04-10", "title": "Workshop", "stage": "design", "ladder_step": 4,
                  "facilitator_ids": [1, 2]}),
    ("attendance", {"site_id": 1, "activity_id": 1, "partner_id": 1, "contributed": True}),
    ("non_negotiable", {"site_id": 1, "statement": "No new money", "declared_by_id": 2,
                        "date_declared": "2015-03-10"}),
    ("acceptance", {"site_id": 1, "non_negotiable_id": 1, "partner_id": 1, "response": "accepted",
                    "date": "2015-03-12"}),
    ("problem_framing", {"site_id": 1, "statement": "Foot checks are late", "partner_ids": [1, 2],
                         "date": "2015-03-02"}),
    ("problem_framing", {"site_id": 1, "statement": "Checks feel rushed", "partner_ids": [1], "date": "2015-05-02"}),
]  # fmt: skip
#: (id, the record added after BASE, the field refused): each refused by the bulk path in Store.add's words.
REFUSED = [
    ("a site name taken in the batch", ("site", {"programme_id": 1, "name": " north ", "service_issue": "x",
                                                 "start_date": "2015-03-01"}), "name"),
    ("a partner twice at one activity", ("attendance", {"site_id": 1, "activity_id": 1, "partner_id": 1}),
     "partner_id"),
    ("a partner of another site", ("attendance", {"site_id": 1, "activity_id": 1, "partner_id": 3}), "partner_id"),
    ("a record not added yet", ("attendance", {"site_id": 1, "activity_id": 2, "partner_id": 1}), "activity_id"),
    ("a response before the declaration", ("acceptance", {"site_id": 1, "non_negotiable_id": 1, "partner_id": 2,
                                                          "response": "queried", "date": "2015-03-01"}), "date"),
    ("a response given twice", ("acceptance", {"site_id": 1, "non_negotiable_id": 1, "partner_id": 1,
                                               "response": "queried", "date": "2015-03-20"}), "partner_id"),
    ("a version already taken", ("problem_framing", {"site_id": 1, "statement": "Again", "partner_ids": [1],
                                                     "date": "2015-06-01", "version": 2}), "version"),
    ("left before joining", ("partner", {"site_id": 1, "display_name": "P3 (Carer)", "role_group": "carer",
                                         "joined": "2015-03-01", "left": "2015-02-01"}), "left"),
    ("no such site", ("partner", {"site_id": 9, "display_name": "P3 (Carer)", "role_group": "carer",
                                  "joined": "2015-03-01"}), "site_id"),
    ("a date in the future", ("activity", {"site_id": 1, "date": "2999-01-04", "title": "Later", "stage": "design",
                                           "ladder_step": 4}), "date"),
    ("a blank required field", ("partner", {"site_id": 1, "display_name": " ", "role_group": "carer",
                                            "joined": "2015-03-01"}), "display_name"),
]  # fmt: skip
#: History as it reads whenever it was written: the moment and the seals left out.
SAME_LINE = ("who", "action", "record_type", "record_id", "site_id", "old", "new")


def _store(tmp_path, name: str) -> Store:
    return Store.open(f"sqlite:///{tmp_path / name}")


def _records(store: Store) -> dict[str, list]:
    return {kind: store.records(kind) for kind in RECORD_TYPES}


def _lines(store: Store) -> list[tuple]:
    return [tuple(getattr(line, field) for field in SAME_LINE) for line in store.history()]


def _verified(store: Store) -> audit.Verdict:
    with store.engine.connect() as conn:
        verdict = audit.verify(conn)
    assert verdict.ok, verdict.problem
    return verdict


def _refused(action) -> RecordInvalid:
    with pytest.raises(RecordInvalid) as refused:
        action()
    return refused.value


# ---- the bulk path ---------------------------------------------------------------------------------


#: Rows held before writing: as coprod synth writes, and written record by record, or a few at a time.
FLUSHES = [bulk_module.FLUSH_ROWS, 1, 5]


@pytest.fixture(params=FLUSHES, ids=lambda rows: f"flush-{rows}")
def flush_rows(request, monkeypatch) -> int:
    monkeypatch.setattr(bulk_module, "FLUSH_ROWS", request.param)
    return request.param


def test_bulk_writes_what_add_writes(tmp_path, flush_rows):
    one_by_one, bulk = _store(tmp_path, "add.db"), _store(tmp_path, "bulk.db")
    one_by_one.add_many(BASE, WHO)
    returned = bulk.add_bulk(BASE, WHO)
    assert _records(bulk) == _records(one_by_one)
    assert returned == [bulk.get(kind, record.id) for (kind, _), record in zip(BASE, returned, strict=True)]
    assert _lines(bulk) == _lines(one_by_one)
    assert [f.version for f in bulk.records("problem_framing")] == [1, 2]
    assert _verified(bulk).head == audit.Head(len(BASE), len(BASE), bulk.history()[-1].seal)
    later = bulk.add("partner", {**BASE[3][1], "display_name": "P3 (Carer)", "role_group": "carer"}, WHO)
    assert later.id == 4 and _verified(bulk).lines == len(BASE) + 1


@pytest.mark.parametrize(("added", "field"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_bulk_refuses_as_add_does_and_writes_nothing(tmp_path, flush_rows, added, field):
    one_by_one, bulk = _store(tmp_path, "add.db"), _store(tmp_path, "bulk.db")
    expected = _refused(lambda: one_by_one.add_many([*BASE, added], WHO))
    found = _refused(lambda: bulk.add_bulk([*BASE, added], WHO))
    assert str(found) == str(expected) and found.problems == expected.problems
    assert field in {problem.field for problem in found.problems}
    assert bulk.is_empty() and not any(_records(bulk).values())
    with bulk.engine.connect() as conn:
        assert audit.read_head(conn) == audit.EMPTY_HEAD


def test_bulk_needs_to_know_who(tmp_path):
    store = _store(tmp_path, "bulk.db")
    expected = _refused(lambda: store.add("programme", {"name": "P"}, who=" "))
    assert str(_refused(lambda: store.add_bulk(BASE, who=" "))) == str(expected)
    assert store.is_empty()


def test_records_in_a_batch_point_at_each_other_and_at_stored_ones(store, small_programme):
    refs = small_programme
    with store.bulk(WHO) as batch:
        site = batch.add("site", {**BASE[1][1], "programme_id": refs["programme"], "name": "East"})
        partner = batch.add("partner", {**BASE[3][1], "site_id": site.id})
        activity = batch.add("activity", {**BASE[6][1], "site_id": site.id, "facilitator_ids": [partner.id]})
        batch.add("attendance", {"site_id": site.id, "activity_id": activity.id, "partner_id": partner.id})
        framing = batch.add("problem_framing", {**BASE[10][1], "site_id": site.id, "partner_ids": [partner.id]})
        # a stored activity, and a stored partner not yet recorded at it
        batch.add("attendance", {"site_id": refs["site"], "activity_id": refs["activity"],
                                 "partner_id": refs["partner_staff"]})  # fmt: skip
        further = batch.add("problem_framing", {**BASE[11][1], "site_id": refs["site"],
                                                "partner_ids": [refs["partner_lived"]]})  # fmt: skip
    assert site.id == refs["other_site"] + 1 and partner.id == refs["partner_gone"] + 1
    assert store.get("activity", activity.id) == activity and store.get("partner", partner.id) == partner
    assert (framing.version, further.version) == (1, 2), "versions count on from the stored ones"
    assert _verified(store).lines == len(store.history())
    # a duplicate of a stored attendance is refused, and the batch leaves nothing behind
    before, lines = _records(store), _lines(store)
    twice = {"site_id": refs["site"], "activity_id": refs["activity"], "partner_id": refs["partner_lived"]}
    expected = _refused(lambda: store.add("attendance", twice, WHO))
    assert str(_refused(lambda: store.add_bulk([("partner", BASE[3][1] | {"site_id": site.id}),
                                                ("attendance", twice)], WHO))) == str(expected)  # fmt: skip
    assert _records(store) == before and _lines(store) == lines
    _verified(store)


def test_a_refused_batch_inside_a_transaction_leaves_the_rest_of_it(store, small_programme):
    site = small_programme["site"]
    partner = {"site_id": site, "display_name": "P9 (Carer)", "role_group": "carer", "joined": "2015-03-01"}
    with store.writing() as conn:
        store.add("partner", partner, WHO, conn=conn)
        with pytest.raises(RecordInvalid):
            store.add_bulk([("partner", {**partner, "display_name": "P10 (Carer)"}), REFUSED[-1][1]], WHO, conn=conn)
        store.add("partner", {**partner, "display_name": "P11 (Carer)"}, WHO, conn=conn)
    names = {p.display_name for p in store.records("partner", site_id=site)}
    assert {"P9 (Carer)", "P11 (Carer)"} <= names and "P10 (Carer)" not in names
    _verified(store)


# ---- the synthetic programme -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twelve(tmp_path_factory) -> tuple[Store, dict[str, str]]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('synth') / 'twelve.db'}")
    codes = build_synthetic(store, sites=12, seed=1)
    yield store, codes
    store.close()


@pytest.fixture(scope="module")
def sixty(tmp_path_factory) -> Store:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('synth') / 'sixty.db'}")
    build_synthetic(store, sites=60, seed=3)
    yield store
    store.close()


def test_twelve_fictional_sites_with_working_codes(twelve):
    store, codes = twelve
    (programme,) = store.records("programme")
    assert programme.fictional and programme.name == programme_name(12, 1) == (
        "Synthetic programme (fictional, 12 sites, seed 1)"
    )
    assert "fictional" in programme.description.lower()
    sites = store.sites()
    assert len(sites) == 12 == len({site.name.casefold() for site in sites}) == len(set(codes.values()))
    assert set(codes) == {site.name for site in sites}
    assert {site.service_issue for site in sites} == {spec.service_issue for spec in SITES}
    assert store.sites_without_access_lookup() == []
    for site in sites[:3]:
        assert store.site_for_code(codes[site.name]) == site.id
    assert access.site_for_code(store.access_hashes(), codes[sites[0].name]) == sites[0].id


def test_every_synthetic_record_is_valid_and_has_its_history(twelve):
    store, _ = twelve
    inserted = {(line.record_type, line.record_id): line for line in store.history() if line.action == "insert"}
    with store.engine.connect() as conn:
        lookup = _Lookup(store, conn)
        for kind in RECORD_TYPES:
            for record in store.records(kind):
                assert validate(kind, record.model_dump(), lookup) == record
                assert inserted[(kind, record.id)].new == record.model_dump(mode="json")
    assert {line.who for line in store.history()} == {"coprod synth"}
    assert _verified(store).lines == len(store.history())


def test_partners_are_known_by_number_and_role_and_nothing_real_is_named(twelve):
    store, _ = twelve
    assert all(re.fullmatch(r"P\d+ \(.+\)", p.display_name) for p in store.records("partner"))
    assert all(p.organisation == "" or p.organisation.endswith("(fictional)") for p in store.records("partner"))
    demo_names = {p.key for spec in SITES for p in spec.partners} | {spec.name for spec in SITES}
    named = re.compile(r"\b(" + "|".join(sorted(demo_names)) + r")\b")
    for kind in RECORD_TYPES:
        for record in store.records(kind):
            text = " ".join(str(value) for value in record.model_dump(mode="json").values())
            assert not named.search(text), (kind, named.search(text).group(0), text)


def test_the_same_seed_gives_the_same_records_another_seed_others(twelve, tmp_path):
    store, codes = twelve
    again, other = _store(tmp_path, "again.db"), _store(tmp_path, "other.db")
    assert set(build_synthetic(again, sites=12, seed=1)) == set(codes)
    assert _records(again) == _records(store) and _lines(again) == _lines(store)
    build_synthetic(other, sites=12, seed=2)
    for kind in ("site", "partner", "activity", "attendance", "question_response"):
        assert other.records(kind) != store.records(kind), kind
    assert synthetic_sites(6, 1) == synthetic_sites(12, 1)[:6], "a larger programme starts with the same sites"


def test_the_overview_statuses_spread(twelve, sixty):
    for store in (twelve[0], sixty):
        status = ind.overview_status(load_programme(store))
        assert set(status["status"]) == set(ind.STATUS_ORDER)
    spread = status.groupby("learning_point")["status"].nunique()
    assert (spread >= 2).all(), spread
    assert spread.sum() >= 22, "most learning points show three statuses or four somewhere"


def test_sixty_sites_vary_as_programmes_do(sixty):
    store = sixty
    every = store.all_records()
    sites = {site.id for site in store.sites()}
    assert len(sites) == 60 and _verified(store).ok

    def sites_with(kind, keep=lambda record: True) -> set[int]:
        return {record.site_id for record in every[kind] if keep(record)}

    registers = Counter(partner.site_id for partner in every["partner"])
    assert min(registers.values()) <= 8 and max(registers.values()) >= 14, "registers of different sizes"
    assert 10 <= len(sites_with("partner", lambda p: p.left is not None)) < 60, "partners leave at some sites"
    assert 3 <= len(sites - sites_with("evidence_plan")) <= 20, "some sites have no evidence plan"
    assert len(sites - sites_with("outcome")) >= 1
    assert {o.change_type.value for o in every["outcome"]} == {"behaviour_culture", "process", "service"}
    assert sites_with("decision", lambda d: d.feedback) & sites_with("decision", lambda d: not d.feedback)
    assert len(sites_with("acceptance", lambda a: a.response.value == "not_accepted")) >= 10
    sets = store.records("question_set")
    own = {s.site_id for s in sets if s.site_id is not None}
    assert 10 <= len(own) < 30, "some sites ask questions of their own"
    own_sets = {s.id for s in sets if s.site_id is not None}
    assert len(own - sites_with("question_response", lambda r: r.question_set_id in own_sets)) >= 1, "unanswered"
    shared = {s.name: s.id for s in sets if s.site_id is None}
    for name in ("Self-assessment", "4Pi involvement reflection"):
        answered = sites_with("question_response", lambda r, name=name: r.question_set_id == shared[name])
        assert 1 <= len(sites - answered) <= 20, f"most sites, not all, answer the {name}"


# ---- the command --------------------------------------------------------------------------------------


def test_the_command_writes_private_codes_and_refuses_a_full_store(tmp_path):
    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    runner = CliRunner()
    first = runner.invoke(main, ["--db", url, "synth", "--sites", "3", "--seed", "7"])
    assert first.exit_code == 0, first.output
    assert "Synthetic programme (fictional, 3 sites, seed 7)" in first.output and "3 sites and " in first.output
    codes_file = tmp_path / "s.db-access-codes.txt"
    assert str(codes_file) in first.output and codes_file.stat().st_mode & 0o077 == 0
    listed = dict(line.split(": ") for line in codes_file.read_text().splitlines() if not line.startswith("#"))
    store = Store.open(url)
    assert set(listed) == {site.name for site in store.sites()}
    assert all(store.site_for_code(code) == store.site_named(name).id for name, code in listed.items())
    lines = len(store.history())
    store.close()

    refused = runner.invoke(main, ["--db", url, "synth", "--sites", "2"])
    assert refused.exit_code == 1 and "already holds data (3 site(s))" in refused.output
    assert "--force" in refused.output
    store = Store.open(url)
    assert len(store.history()) == lines
    store.close()

    own = tmp_path / "elsewhere" / "codes.txt"
    forced = runner.invoke(main, ["--db", url, "synth", "--sites", "2", "--force", "--codes", str(own)])
    assert forced.exit_code == 0, forced.output
    assert len(own.read_text().splitlines()) == 2 + 2 and own.stat().st_mode & 0o077 == 0
    store = Store.open(url)
    assert len(store.sites()) == 2 and store.history()[0].who == "coprod synth"
    store.close()


# ---- PostgreSQL ---------------------------------------------------------------------------------------


@pytest.fixture
def pg_store(postgres_url) -> Store:
    empty_database(postgres_url)
    opened = Store.open(postgres_url)
    assert opened.engine.dialect.name == "postgresql"
    yield opened
    opened.close()


@pytest.mark.postgres
def test_bulk_on_postgresql_as_on_sqlite(pg_store, tmp_path):
    sqlite = _store(tmp_path, "bulk.db")
    sqlite.add_bulk(BASE, WHO)
    pg_store.add_bulk(BASE, WHO)
    assert _records(pg_store) == _records(sqlite) and _lines(pg_store) == _lines(sqlite)
    expected = _refused(lambda: sqlite.add_bulk([("partner", BASE[3][1]), REFUSED[1][1]], WHO))
    assert str(_refused(lambda: pg_store.add_bulk([("partner", BASE[3][1]), REFUSED[1][1]], WHO))) == str(expected)
    later = pg_store.add("partner", {**BASE[3][1], "display_name": "P3 (Carer)", "role_group": "carer"}, WHO)
    assert later.id == 4, "the sequence was moved on past the batch's ids, not past the refused one's"
    _verified(pg_store)


@pytest.mark.postgres
def test_a_small_synthetic_programme_on_postgresql(pg_store, tmp_path):
    sqlite = _store(tmp_path, "six.db")
    build_synthetic(sqlite, sites=6, seed=4)
    codes = build_synthetic(pg_store, sites=6, seed=4)
    assert _records(pg_store) == _records(sqlite) and _lines(pg_store) == _lines(sqlite)
    _verified(pg_store)
    site = pg_store.sites()[-1]
    assert pg_store.site_for_code(codes[site.name]) == site.id
    partner = {"site_id": site.id, "display_name": "P99 (Carer)", "role_group": "carer", "joined": "2015-03-01"}
    assert pg_store.add("partner", partner, WHO).id == max(p.id for p in sqlite.records("partner")) + 1
