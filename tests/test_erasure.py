"""Erasure on request: after ``coprod partner erase`` the name is nowhere, and nothing else was lost.

"Nowhere" is checked where it matters: the bytes of the database files (SQLite's main file and its
write-ahead log; PostgreSQL's table files in test_erasure_postgres.py), later exports (CSV, and the
XML inside an xlsx) and reports. Counts and learning-point checks must come out the same as before.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coprod_widgets import audit
from coprod_widgets.cli import main
from coprod_widgets.erasure import erase_partner
from coprod_widgets.exports import export_store
from coprod_widgets.exports.deidentify import PSEUDONYM_KEY_SETTING, Pseudonyms
from coprod_widgets.health import site_health
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.reports.pages import ProgrammeReport, SiteReport

NAME = "Zoë Ní Bhriain"
OLD_NAME = "Zoe Nee Breean"
ORGANISATION = "Ballykeel Carers Hub"
CONNECTIONS = "Chairs the Ballykeel walking group"
#: Everything that identified her, as the bytes a file would hold (UTF-8, both Unicode forms, any case).
SECRETS = [NAME, OLD_NAME, ORGANISATION, CONNECTIONS]


def needles() -> list[bytes]:
    found = set()
    for text in SECRETS:
        for form in ("NFC", "NFD"):
            for variant in (text, text.lower(), text.upper()):
                found.add(unicodedata.normalize(form, variant).encode("utf-8"))
    return sorted(found)


def occurrences(paths) -> dict[str, int]:
    """How often any identifying text occurs in each file; also adds up the bytes searched."""
    counts = {}
    for path in paths:
        data = Path(path).read_bytes()
        occurrences.searched += len(data)
        counts[str(path)] = sum(data.count(needle) for needle in needles())
    return counts


occurrences.searched = 0
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def her(store, small_programme) -> dict:
    """Zoë joins North under a misspelt name (corrected later), is named in an activity's notes and in a
    self-assessment's comment, attends, and once made a change herself. Another partner, Sam Jones, must keep
    his name when a 'Sam' is erased."""
    site = small_programme["site"]
    partner = store.add(
        "partner",
        {
            "site_id": site,
            "display_name": OLD_NAME,
            "role_group": "carer",
            "organisation": ORGANISATION,
            "connections": CONNECTIONS,
            "joined": "2015-03-01",
        },
        who="site team: North",
    )
    store.update("partner", partner.id, {"display_name": NAME}, who="site team: North")
    activity = store.add(
        "activity",
        {
            "site_id": site,
            "date": "2015-04-20",
            "title": f"Walk-through led by {NAME}",
            "stage": "design",
            "ladder_step": 6,
            "access_adjustments": f"Large print for {NAME.upper()}; hearing loop",
            "facilitator_ids": [partner.id],
        },
        who=NAME,
    )
    store.add("attendance", {"site_id": site, "activity_id": activity.id, "partner_id": partner.id}, who=NAME)
    store.add(  # a written answer (kept as JSON) that names her
        "question_response",
        {
            "site_id": site,
            "question_set_id": small_programme["self_assessment"],
            "partner_id": small_programme["partner_lived"],
            "date": "2015-05-01",
            "answers": {
                "respondent_role": "lived_experience",
                "wave": 1,
                "ladder_step": "5",
                "lp2": "4",
                "comment": f"Since {NAME} joined, carers are heard.",
            },
        },
        who="site team: North",
    )
    store.add(
        "partner",
        {"site_id": site, "display_name": "Sam Jones", "role_group": "clinician", "joined": "2015-03-01"},
        who="site team: North",
    )
    return {"partner": partner.id, "activity": activity.id, "site": site}


def snapshot(store, site_id):
    site = store.get("site", site_id)
    records = store.all_records(site_id)
    return {
        "counts": {kind: len(rows) for kind, rows in records.items()},
        "attendance": [(a.activity_id, a.partner_id, a.contributed) for a in records["attendance"]],
        "acceptance": [(a.partner_id, a.response) for a in records["acceptance"]],
        "health": [(line.learning_point, line.ok) for line in site_health(site, records, dt.date(2016, 1, 1))],
    }


def erase(store, **options):
    return erase_partner(store, "north", NAME, options.pop("reason", "asked by email"), "evaluator", **options)


def test_the_name_is_gone_from_the_database_files(store, her):
    db_file = Path(store.url.removeprefix("sqlite:///"))
    files = [db_file, db_file.with_name(db_file.name + "-wal")]
    assert sum(occurrences([f for f in files if f.exists()]).values()) > 0, "the test must see the name first"
    erase(store)
    occurrences.searched = 0
    found = occurrences([f for f in files if f.exists()])
    print(
        f"\nAfter the erasure: searched {occurrences.searched} bytes of {len(found)} file(s) for "
        f"{len(needles())} spellings: {sum(found.values())} found"
    )
    assert found == dict.fromkeys(found, 0)


def test_counts_and_learning_point_checks_stay_the_same(store, her):
    before = snapshot(store, her["site"])
    erase(store)
    assert snapshot(store, her["site"]) == before


def test_the_partner_keeps_their_number_under_the_export_pseudonym(store, her):
    result = erase(store)
    partner = store.get("partner", her["partner"])
    code = Pseudonyms(store.secret(PSEUDONYM_KEY_SETTING))(her["partner"])
    assert partner.display_name == result.pseudonym == f"erased partner {code}"
    assert (partner.organisation, partner.connections) == ("", "")
    activity = store.get("activity", her["activity"])
    assert activity.title == f"Walk-through led by erased partner {code}"
    assert activity.access_adjustments == f"Large print for erased partner {code}; hearing loop"
    assert activity.facilitator_ids == [her["partner"]]


def test_other_people_keep_their_names(store, her):
    erase_partner(store, "North", "Sam Jones", "asked", "evaluator")  # not Sam: a whole different record
    store.add(
        "partner",
        {"site_id": her["site"], "display_name": "Sam", "role_group": "carer", "joined": "2015-03-01"},
        who="test",
    )
    erase_partner(store, "North", "Sam", "asked", "evaluator")
    names = {p.display_name for p in store.records("partner", site_id=her["site"])}
    assert NAME in names and "Rosa" in names


def test_history_is_rewritten_in_one_logged_step_that_verifies(store, her):
    lines_before = len(store.history())
    result = erase(store, reason="Asked in person at the May meeting")
    lines = store.history()
    assert len(lines) == lines_before + 1
    log = lines[-1]
    assert (log.action, log.record_type, log.record_id, log.who) == ("erase", "partner", her["partner"], "evaluator")
    assert log.new["reason"] == "Asked in person at the May meeting"
    assert log.new["history_lines_rewritten"] == result.history_lines_rewritten >= 4
    assert all(NAME not in str(line) and OLD_NAME not in str(line) for line in lines)
    own = store.history("partner", her["partner"])
    assert [line.new["display_name"] for line in own[:2]] == [result.pseudonym] * 2
    with store.engine.connect() as conn:
        verdict = audit.verify(conn)
    assert verdict.ok and verdict.erasures == [log.id]


def test_exports_and_reports_made_afterwards_do_not_name_her(store, her, tmp_path):
    erase(store)
    export_store(store, tmp_path / "csv", format="csv")
    export_store(store, tmp_path / "book.xlsx", format="xlsx")
    with zipfile.ZipFile(tmp_path / "book.xlsx") as book:
        book.extractall(tmp_path / "xlsx")
    files = [path for path in tmp_path.rglob("*") if path.is_file() and path.suffix != ".xlsx"]
    site = SiteReport.open("North", store.url)
    programme = ProgrammeReport.open(store.url)
    html = "\n".join(
        part.data
        for part in (
            site.title(),
            site.at_a_glance(),
            site.problem(),
            site.outcomes(),
            site.next_steps(),
            site.timeline(),
            *(site.learning_point(f"lp{n}") for n in range(1, 9)),
            programme.overview(),
            programme.gripp2(),
        )
    )
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    found = occurrences([*files, tmp_path / "report.html"])
    assert len(files) > 10 and found == dict.fromkeys(found, 0)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda store: erase(store, reason=f"{NAME} asked us"), "names the partner"),
        (lambda store: erase(store, reason="  "), "say why"),
        (lambda store: erase_partner(store, "North", "Nobody Here", "asked", "x"), "no partner called"),
        (lambda store: erase_partner(store, "Atlantis", NAME, "asked", "x"), "no site called"),
        (lambda store: erase_partner(store, "South", NAME, "asked", "x"), "no partner called"),
        (lambda store: erase(store, partner_id=1), "is not called"),
    ],
    ids=["reason names her", "no reason", "unknown name", "unknown site", "other site", "wrong number"],
)
def test_refusals_change_nothing(store, her, call, words):
    history_before = store.history()
    with pytest.raises(RecordInvalid) as refused:
        call(store)
    assert words in str(refused.value)
    assert store.history() == history_before and store.get("partner", her["partner"]).display_name == NAME


def test_two_partners_with_one_name_need_the_number(store, her):
    twin = store.add(
        "partner",
        {"site_id": her["site"], "display_name": NAME.lower(), "role_group": "carer", "joined": "2015-03-01"},
        who="test",
    )
    with pytest.raises(RecordInvalid, match="--id"):
        erase(store)
    erase(store, partner_id=twin.id)
    assert store.get("partner", her["partner"]).display_name == NAME


def test_erasing_twice_says_it_is_done(store, her):
    result = erase(store)
    with pytest.raises(RecordInvalid, match="already been erased"):
        erase_partner(store, "North", result.pseudonym, "again", "x")


def test_the_command_asks_first_then_reports_what_it_did(store, her):
    args = [
        "--db",
        store.url,
        "partner",
        "erase",
        NAME,
        "--site",
        "North",
        "--reason",
        "asked by phone",
        "--also",
        "Zoë",
    ]
    declined = CliRunner().invoke(main, args, input="n\n")
    assert declined.exit_code == 1 and store.get("partner", her["partner"]).display_name == NAME
    done = CliRunner().invoke(main, args, input="y\n")
    assert done.exit_code == 0, done.output
    assert "now 'erased partner P-" in done.output and "Backups taken before now still hold the name" in done.output
    assert all("Zoë" not in line.who for line in store.history())
