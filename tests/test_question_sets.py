"""Question sets in the store: added from an XLSForm as versions, answered by sites, checked on every save.

Real SQLite stores and the real ``coprod`` command; the XLSForm reader and the expression evaluator have
their own tests (test_xlsform.py, test_question_expressions.py).
"""

from __future__ import annotations

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import func, select

from coprod_widgets.cli import main
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.questions.library import add_form, checksum, question_sets
from coprod_widgets.questions.xlsform import read_xlsform_text
from coprod_widgets.schema import TABLES, history
from coprod_widgets.schema_version import REVISIONS
from coprod_widgets.store import Store
from coprod_widgets.upgrade import _config

PEER_SUPPORT = """
| survey |
|  | type | name | label | required | constraint | constraint_message | relevant |
|  | integer | groups | How many peer groups met? | yes | . >= 0 | Enter 0 or more groups. |  |
|  | select_one yn | helped | Did the groups help? |  |  |  | ${groups} > 0 |
|  | text | why_not | Why not? |  |  |  | ${helped}='no' |
| choices |
|  | list_name | name | label |
|  | yn | yes | Yes |
|  | yn | no | No |
"""

REFUSED = """
| survey |
|        | type     | name  | label             |
|        | text     | place | Where did you meet? |
|        | geopoint | where | Pin it on a map   |
"""


def _form(text: str = PEER_SUPPORT):
    return read_xlsform_text(text, name="peer")


def _count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def peer_support(store, small_programme):
    added = add_form(store, _form(), name="Peer support", source="peer.md", site_id=small_programme["site"], who="t")
    return added.question_set


# ---- versions ---------------------------------------------------------------------------------------------


def test_adding_the_same_questions_again_adds_nothing_and_a_change_is_the_next_version(store, small_programme):
    site = small_programme["site"]
    first = add_form(store, _form(), name="Peer support", source="peer.md", site_id=site, who="t")
    again = add_form(store, _form(), name="peer SUPPORT", source="peer.md", site_id=site, who="t")
    changed = _form(PEER_SUPPORT.replace("How many peer groups met?", "How many groups met?"))
    second = add_form(store, changed, name="Peer support", source="peer-2.md", site_id=site, who="t")
    assert (first.new, first.question_set.version) == (True, 1)
    assert (again.new, again.question_set.id) == (False, first.question_set.id)
    assert (second.new, second.question_set.version, second.previous.id) == (True, 2, first.question_set.id)
    versions = [q.version for q in question_sets(store, site_id=site) if q.name == "Peer support"]
    every = [q.version for q in question_sets(store, site_id=site, every_version=True) if q.name == "Peer support"]
    assert (versions, every) == ([2], [1, 2])
    assert second.question_set.checksum == checksum(changed.to_json())


def test_a_site_answers_the_programmes_sets_and_its_own_never_another_sites(store, small_programme):
    north, south = small_programme["site"], small_programme["other_site"]
    core = add_form(store, _form(), name="Common core", source="core.md", site_id=None, who="t").question_set
    own = add_form(store, _form(), name="Peer support", source="peer.md", site_id=south, who="t").question_set
    shared = ["4Pi involvement reflection", "Common core", "Self-assessment"]  # the programme's, by name
    assert [q.name for q in store.for_site(north).question_sets()] == [*shared, "Seeded visits"]
    assert [q.name for q in store.for_site(south).question_sets()] == [*shared, "Peer support"]
    assert store.for_site(north).question_set(own.id) is None
    assert store.for_site(north).question_set(core.id) == core
    with pytest.raises(RecordInvalid, match="not one this site can answer"):
        store.for_site(north).add("question_response", {"question_set_id": own.id, "date": "2026-01-05", "answers": {}})


# ---- answers checked on every save ------------------------------------------------------------------------

ANSWER_CASES = [
    ({"groups": 2, "helped": "no", "why_not": "Too far to travel"}, None),
    ({"groups": 0}, None),
    ({"groups": -1}, ("answers.groups", "Enter 0 or more groups.")),
    ({}, ("answers.groups", "needs an answer")),
    ({"groups": "two"}, ("answers.groups", "enter a whole number")),
    ({"groups": True}, ("answers.groups", "enter a whole number")),
    ({"groups": 0, "helped": "no"}, ("answers.helped", "does not apply")),
    ({"groups": 2, "helped": "maybe"}, ("answers.helped", "'maybe' is not one of the options")),
    ({"groups": 2, "mood": "good"}, ("answers.mood", "is not a question in")),
    ({"groups": 2, "helped": "no", "why_not": "a\x00b"}, ("answers.why_not", "control characters")),
]


@pytest.mark.parametrize(("answers", "problem"), ANSWER_CASES)
def test_answers_are_checked_against_their_form_in_the_store(store, small_programme, peer_support, answers, problem):
    scope = store.for_site(small_programme["site"])
    lines = _count(store, history)
    data = {"question_set_id": peer_support.id, "date": "2026-01-05", "answers": answers}
    if problem is None:
        saved = scope.add("question_response", data)
        assert store.get("question_response", saved.id).answers == answers
        assert _count(store, history) == lines + 1
        return
    with pytest.raises(RecordInvalid) as refused:
        scope.add("question_response", data)
    found = {p.field: p.message for p in refused.value.problems}
    field, words = problem
    assert words in found[field], found
    assert _count(store, TABLES["question_response"]) == 0 and _count(store, history) == lines


def test_answers_keep_the_version_they_were_given_under(store, small_programme, peer_support):
    scope = store.for_site(small_programme["site"])
    first = {"question_set_id": peer_support.id, "date": "2026-01-05", "answers": {"groups": 1}}
    given = scope.add("question_response", first)
    changed = _form(PEER_SUPPORT.replace("| yes | . >= 0", "|  | . >= 0"))
    add_form(store, changed, name="Peer support", source="peer.md", site_id=small_programme["site"], who="t")
    assert store.get("question_response", given.id).question_set_id == peer_support.id
    [newest] = [q for q in scope.question_sets() if q.name == "Peer support"]
    assert newest.version == 2 and newest.id != peer_support.id
    with pytest.raises(RecordInvalid, match="needs an answer"):  # version 1 still requires it
        scope.update("question_response", given.id, {"answers": {}})
    scope.update("question_response", given.id, {"answers": {"groups": 3}})


# ---- the command line -------------------------------------------------------------------------------------


def _coprod(url: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, *args])


def test_coprod_questions_add_and_list(store, small_programme, tmp_path):
    url = store.url
    form = tmp_path / "peer.md"
    form.write_text(PEER_SUPPORT, encoding="utf-8")
    added = _coprod(url, "questions", "add", str(form), "--site", "north", "--name", "Peer support")
    assert added.exit_code == 0, added.output
    assert "Added 'Peer support' for North: version 1, 3 questions." in added.output
    again = _coprod(url, "questions", "add", str(form), "--site", "North", "--name", "Peer support")
    assert "already has these questions: nothing added" in again.output
    form.write_text(PEER_SUPPORT.replace("Why not?", "Why did they not help?"), encoding="utf-8")
    changed = _coprod(url, "questions", "add", str(form), "--site", "North", "--name", "Peer support")
    assert "version 2, 3 questions (answers given to version 1 keep it)" in changed.output
    listed = _coprod(url, "questions", "list", "--all-versions")
    assert listed.exit_code == 0
    rows = [line.split() for line in listed.output.splitlines()[2:] if "Peer support" in line]
    assert [row[1:5] for row in rows] == [["North", "Peer", "support", "1"], ["North", "Peer", "support", "2"]]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--name", "Map", "REFUSED"], "row 3"),
        (["--name", "Map", "REFUSED"], "geopoint"),
        (["--name", "Peer", "--site", "Nowhere", "PEER"], "There is no site called 'Nowhere'"),
        (["--name", "Peer", "missing.md"], "There is no file"),
        (["--name", "", "PEER"], "Question set name"),
        (["--name", "Self-assessment", "PEER"], "the name of an instrument that comes with coprod"),
        (["--name", "Mine", "OURS"], "kept for the instruments that come with coprod"),
    ],
)
def test_coprod_questions_add_refuses_in_plain_words_and_stores_nothing(store, small_programme, tmp_path, args, words):
    ours = PEER_SUPPORT + "| settings |\n|  | form_id |\n|  | coprod_self_assessment |\n"
    files = {"REFUSED": REFUSED, "PEER": PEER_SUPPORT, "OURS": ours}
    for name, text in files.items():
        (tmp_path / f"{name.lower()}.md").write_text(text, encoding="utf-8")
    args = [
        str(tmp_path / f"{a.lower()}.md") if a in files else str(tmp_path / a) if a.endswith(".md") else a for a in args
    ]
    before = _count(store, TABLES["question_set"])
    result = _coprod(store.url, "questions", "add", *args)
    assert result.exit_code == 1 and result.output.startswith("Error:"), result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert _count(store, TABLES["question_set"]) == before


def test_an_empty_list_says_how_to_add_one(store):
    result = _coprod(store.url, "questions", "list")
    assert "No question sets yet. Add one with  coprod questions add" in result.output


# ---- the migration ----------------------------------------------------------------------------------------


def test_going_back_before_question_sets_is_refused_while_any_exist(store, small_programme, peer_support):
    before_sets = REVISIONS[REVISIONS.index("0003_question_sets") - 1]
    with store.engine.begin() as conn, pytest.raises(RuntimeError, match="would lose them"):
        command.downgrade(_config(conn), before_sets)
    assert _count(store, TABLES["question_set"]) == 4  # the fixture's, the two instruments and this test's
