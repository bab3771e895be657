"""The shared instruments that come with coprod (data/instruments/): shipped as XLSForms, stored as the
programme's question sets by coprod site add, coprod demo and coprod upgrade, and new versions when coprod
ships a changed file. Migration 0004's move of 0.1.0 self-assessments is in test_store_0_1_0.py.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from coprod_widgets.cli import main
from coprod_widgets.questions import instruments
from coprod_widgets.questions.instruments import INSTRUMENTS, REFLECTION_4PI, SELF_ASSESSMENT, install
from coprod_widgets.questions.library import question_sets
from coprod_widgets.schema_version import HEAD
from coprod_widgets.store import Store
from coprod_widgets.upgrade import _config

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store-0.1.0.db"
SCORES = [f"lp{n}" for n in range(1, 9)]
#: What the analysis reads from each instrument (evaluation/instrument_frames.py and the indicators).
EXPECTED_QUESTIONS = {
    SELF_ASSESSMENT: ["respondent_role", "wave", "ladder_step", *SCORES, "comment"],
    REFLECTION_4PI: [
        "respondent_role",
        *(
            f"{standard}{suffix}"
            for standard in ("principles", "purpose", "presence", "process", "impact")
            for suffix in ("", "_notes")
        ),
    ],
}


def _coprod(url: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, *args])


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.key)
def test_each_shipped_form_reads_with_its_own_id_and_the_questions_analysis_needs(instrument):
    form = instruments.shipped_form(instrument)
    assert form.form_id == instrument.form_id and form.form_id.startswith(instruments.RESERVED_PREFIX)
    assert [q.name for _, q in form.answerable() if q.type != "note"] == EXPECTED_QUESTIONS[instrument]
    roles = [choice.name for choice in form.choices["role_group"]]
    from coprod_widgets.choices import RoleGroup

    assert roles == [member.value for member in RoleGroup], "the role groups partners are registered under"


def test_installing_twice_stores_each_instrument_once(store, small_programme):
    again = install(store)
    assert [added.new for added in again] == [False, False]
    shared = [qs for qs in question_sets(store, every_version=True) if instruments.is_instrument(qs)]
    assert sorted(qs.name for qs in shared) == sorted(item.name for item in INSTRUMENTS)
    assert all(qs.site_id is None and qs.version == 1 for qs in shared)


@pytest.fixture
def changed_instruments(tmp_path, monkeypatch) -> Path:
    """A copy of data/instruments/ whose self-assessment asks its wave question in other words."""
    folder = tmp_path / "instruments"
    shutil.copytree(instruments.instruments_dir(), folder)
    path = folder / SELF_ASSESSMENT.file_name
    path.write_text(path.read_text(encoding="utf-8").replace("| Survey wave ", "| Which round is this? "), "utf-8")
    monkeypatch.setattr(instruments, "instruments_dir", lambda: folder)
    return folder


def test_a_changed_shipped_form_becomes_the_next_version_at_upgrade(store, small_programme, changed_instruments):
    answered = {"respondent_role": "carer", "wave": 1, "ladder_step": "3", "lp1": "2"}
    before = store.add(
        "question_response",
        {
            "site_id": small_programme["site"],
            "question_set_id": small_programme["self_assessment"],
            "date": "2015-06-01",
            "answers": answered,
        },
        who="test",
    )
    result = _coprod(store.url, "upgrade")
    assert result.exit_code == 0, result.output
    assert "Shared instruments stored: 'Self-assessment' version 2." in result.output
    newest = {qs.name: qs for qs in question_sets(store) if instruments.is_instrument(qs)}
    assert newest["Self-assessment"].version == 2 and newest["4Pi involvement reflection"].version == 1
    assert store.get("question_response", before.id).question_set_id == small_programme["self_assessment"]
    again = _coprod(store.url, "upgrade")
    assert "nothing to do" in again.output


def test_site_add_stores_the_instruments_with_the_first_programme(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for name in ("North", "South"):
        result = _coprod(url, "site", "add", name, "--issue", "Foot care", "--start", "2015-03-01")
        assert result.exit_code == 0, result.output
    store = Store.open(url)
    try:
        assert sorted(qs.name for qs in question_sets(store)) == sorted(item.name for item in INSTRUMENTS)
        assert len(store.records("question_set")) == len(INSTRUMENTS)
    finally:
        store.close()


def test_an_empty_store_has_no_instruments_until_it_has_a_programme(store):
    assert store.records("question_set") == []
    assert _coprod(store.url, "upgrade").output.strip().endswith("nothing to do (SQLite file " + store.url[10:] + ").")


@pytest.mark.parametrize(
    ("answers", "partner", "field", "words"),
    [
        (
            {"respondent_role": "carer", "wave": 1, "ladder_step": "4", "lp1": "3"},
            "partner_staff",
            "answers.respondent_role",
            "Dev is registered as clinician",
        ),
        (
            {"respondent_role": "clinician", "wave": 1, "ladder_step": "4"},
            "partner_staff",
            "answers.lp8",
            "answer at least one of the eight",
        ),
        (
            {"respondent_role": "clinician", "wave": 0, "ladder_step": "4", "lp3": "5"},
            None,
            "answers.wave",
            "from 1 to 20",
        ),
        (
            {"respondent_role": "clinician", "wave": 1, "ladder_step": "8", "lp3": "5"},
            None,
            "answers.ladder_step",
            "'8' is not one of the options",
        ),
    ],
)
def test_a_self_assessment_is_checked_as_the_old_record_was(store, small_programme, answers, partner, field, words):
    from coprod_widgets.problems import RecordInvalid

    data = {
        "site_id": small_programme["site"],
        "question_set_id": small_programme["self_assessment"],
        "partner_id": small_programme[partner] if partner else None,
        "date": "2015-06-01",
        "answers": answers,
    }
    with pytest.raises(RecordInvalid) as refused:
        store.add("question_response", data, who="test")
    assert any(words in message for message in refused.value.for_field(field)), refused.value.problems


# ---- migration 0004 ------------------------------------------------------------------------------------------


def test_a_self_assessment_that_does_not_fit_the_form_stops_the_upgrade_and_changes_nothing(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE self_assessment SET wave = 25 WHERE id = (SELECT min(id) FROM self_assessment)")
    result = _coprod(f"sqlite:///{copy}", "upgrade", "--backup-to", str(tmp_path / "b.coprod-backup"))
    assert result.exit_code == 1 and "does not fit the shared self-assessment form" in result.output, result.output
    assert "Survey wave" in result.output and "nothing was changed" in result.output
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM self_assessment").fetchone()[0] == 102
        assert "question_set" not in {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "alembic_version" not in {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}


def test_going_back_before_0004_is_refused_while_self_assessments_are_answers(store, small_programme):
    from alembic import command

    store.add(
        "question_response",
        {
            "site_id": small_programme["site"],
            "question_set_id": small_programme["self_assessment"],
            "date": "2015-06-01",
            "answers": {"respondent_role": "carer", "wave": 1, "ladder_step": "3", "lp1": "2"},
        },
        who="test",
    )
    store.delete("transcript", small_programme["transcript"], who="test")  # 0007 would refuse first
    store.delete("survey_import", small_programme["survey_import"], who="test")  # 0006 would refuse first
    store.delete("survey", small_programme["survey"], who="test")
    with pytest.raises(RuntimeError, match="1 self-assessment"), store.engine.begin() as conn:  # rolled back
        command.downgrade(_config(conn), "0003_question_sets")
    assert store.schema_state().revision == HEAD


def test_a_sites_own_set_may_not_use_an_instrument_form_id(store, small_programme):
    from coprod_widgets.problems import RecordInvalid
    from coprod_widgets.questions.library import add_form

    form = instruments.shipped_form(REFLECTION_4PI)
    with pytest.raises(RecordInvalid, match="kept for the instruments that come with coprod"):
        add_form(store, form, name="Our 4Pi", source="4pi.md", site_id=small_programme["site"], who="test")


def test_an_empty_store_gives_the_instruments_frames_with_their_columns(store):
    from coprod_widgets.evaluation.data import load_programme

    data = load_programme(store)
    assert data["self_assessment"].empty and data["reflection_4pi"].empty
    assert [f"lp{n}" for n in range(1, 9)] == [c for c in data["self_assessment"].columns if c.startswith("lp")]
    assert "impact_notes" in data["reflection_4pi"].columns
