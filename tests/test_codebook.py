"""The interview codebook: the shipped learning points, team codes added under them, and what is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from coprod_widgets import settings
from coprod_widgets.choices import LEARNING_POINTS
from coprod_widgets.interviews.codebook import (
    LEARNING_POINTS_FILE,
    Code,
    Codebook,
    CodeInvalid,
    guid_for,
    key_from_name,
    load_codebook,
    normal_guid,
)

ROOT = Path(__file__).resolve().parent.parent

#: Team codes a site might add: each lands under its parent, after the codes already there.
ADDED = [
    {"key": "lp2-transport", "name": "Getting there", "definition": "Travel to meetings.", "parent": "lp2"},
    {"key": "lp4-carer-led", "name": "Led by a carer", "example": "She chaired every meeting.", "parent": "lp4"},
    {"key": "lp2-stopped-coming.illness", "name": "Too ill to come", "parent": "lp2-stopped-coming"},
    {"key": "site_north_1", "name": "Our own topic", "parent": None},
]

LONG = "x" * 4001
#: Codes that must be refused: the field at fault and words the message must contain.
REFUSED = [
    ({"key": "", "name": "Trust"}, "key", ["Key", "required"]),
    ({"key": "Stopped Coming", "name": "Trust"}, "key", ["Key", "'Stopped Coming'", "lower-case", "lp2-transport"]),
    ({"key": "lp2-", "name": "Trust"}, "key", ["Key", "lower-case"]),
    ({"key": "k" * 61, "name": "Trust"}, "key", ["Key", "too long", "60"]),
    ({"key": "lp2", "name": "Trust"}, "key", ["Key", "'lp2'", "already used", "Everyone stays actively involved"]),
    ({"key": "trust", "name": "   "}, "name", ["Name", "empty"]),
    ({"key": "trust", "name": "Tr\x07ust"}, "name", ["Name", "control character", "retype"]),
    ({"key": "trust", "name": "n" * 201}, "name", ["Name", "too long", "200"]),
    ({"key": "trust", "name": "Trust", "definition": LONG}, "definition", ["Definition", "too long", "4000"]),
    ({"key": "trust", "name": "Trust", "example": 42}, "example", ["Example", "must be text"]),
    ({"key": "trust", "name": "Trust", "parent": "lp9"}, "parent", ["Parent", "'lp9'", "not a code", "lp1, lp1-"]),
    ({"key": "trust", "name": "Trust", "parent": "trust"}, "parent", ["Parent", "cannot be the code itself"]),
    ({"key": "trust", "name": "Trust", "codable": "yes"}, "codable", ["Codable", "yes or no"]),
    ({"key": "trust", "name": "Trust", "guid": "not-a-guid"}, "guid", ["GUID", "'not-a-guid'", "not a GUID"]),
    ({"key": "trust", "name": "Trust", "guid": guid_for("lp1")}, "guid", ["already the GUID", "identified together"]),
]

#: Codebook files written by hand that must be refused, with the field named and words the message must contain.
BAD_FILES = [
    ("codes:\n  - key: lp1\n    name: One\n    colour: red\n", "colour", ["not something a code records"]),
    ("learning_points: []\n", "codes", ["under 'codes:'"]),
    ("codes:\n  - just a name\n", "codes", ["Code number 1", "key, a name and a definition"]),
    ("codes:\n  - key: lp1\n    name: One\n    children: lp2\n", "children", ["must be a list"]),
    ("codes: [\n", "codes", ["not readable YAML"]),
    (
        "codes:\n  - key: lp1\n    name: One\n  - key: lp1\n    name: Two\n",
        "key",
        ["In the code 'lp1'", "already used"],
    ),
]

KEYS_FROM_NAMES = [
    ("Zoë <b>&", [], "zoe-b"),
    ("Stopped coming", [], "stopped-coming"),
    ("Don't know", [], "dont-know"),
    ("Trust", ["trust"], "trust-2"),
    ("Trust", ["trust", "trust-2"], "trust-3"),
    ("!!!", [], "code"),
    ("信任", [], "code"),
]

GUIDS = [
    ("{0d62985d-b147-5d01-a9b5-cae5dcd98342}", "0D62985D-B147-5D01-A9B5-CAE5DCD98342"),
    (" 0D62985D-B147-5D01-A9B5-CAE5DCD98342 ", "0D62985D-B147-5D01-A9B5-CAE5DCD98342"),
    ("0D62985DB1475D01A9B5CAE5DCD98342", None),
    ("not a guid", None),
    (None, None),
]


@pytest.fixture
def codebook() -> Codebook:
    return load_codebook()


def test_the_shipped_codebook_is_found_in_the_checkout():
    assert settings.codebook_dir() == ROOT / "data" / "codebook"
    assert (settings.codebook_dir() / LEARNING_POINTS_FILE).is_file()


def test_the_shipped_codebook_has_the_eight_learning_points_in_order(codebook):
    top = codebook.top_level()
    assert [code.key for code in top] == [f"lp{n}" for n in range(1, 9)]
    assert {code.key: code.name for code in top} == LEARNING_POINTS
    for code in codebook:
        assert 2 <= code.definition.count(". ") + 1 <= 3, f"{code.key}: a definition of two or three sentences"
        assert code.example, f"{code.key} needs an example"
        assert "\n" not in code.definition, code.key
        assert code.codable


def test_the_shipped_sub_codes_sit_under_learning_points(codebook):
    for code in codebook:
        if code.parent is not None:
            assert codebook[code.parent].parent is None, code.key
            assert code.key.startswith(code.parent + "-"), code.key
    assert [code.name for code in codebook.children("lp2")] == ["Stopped coming", "What helped people take part"]


def test_guids_are_made_from_keys_and_stable_across_loads(codebook):
    again = load_codebook()
    assert [code.guid for code in codebook] == [code.guid for code in again]
    for code in codebook:
        assert code.guid == guid_for(code.key) == str(uuid.UUID(code.guid)).upper()
    assert len({code.guid for code in codebook}) == len(codebook)
    assert codebook == again


@pytest.mark.parametrize("fields", ADDED, ids=[case["key"] for case in ADDED])
def test_a_team_adds_its_own_code(codebook, fields):
    before = codebook.children(fields["parent"])
    code = codebook.add(**fields)
    assert codebook[fields["key"]] is code
    assert code.guid == guid_for(fields["key"])
    assert codebook.children(fields["parent"]) == [*before, code]
    order = codebook.keys()
    if fields["parent"] is not None:
        assert order.index(fields["parent"]) < order.index(code.key)
        assert [c.key for c in codebook.ancestors(code.key)][0] == fields["parent"]


def test_team_codes_come_after_their_parent_in_tree_order(codebook):
    codebook.add("lp2-transport", "Getting there", parent="lp2")
    codebook.add("lp1-who-chose", "Who chose the problem", parent="lp1")
    assert codebook.keys()[:7] == [
        "lp1",
        "lp1-revisited",
        "lp1-who-chose",
        "lp2",
        "lp2-stopped-coming",
        "lp2-what-helped",
        "lp2-transport",
    ]
    assert [(code.key, depth) for code, depth in codebook.walk()][:2] == [("lp1", 0), ("lp1-revisited", 1)]


@pytest.mark.parametrize(("fields", "field", "says"), REFUSED, ids=[f"{case[1]}-{n}" for n, case in enumerate(REFUSED)])
def test_a_code_is_refused_with_a_message_naming_the_field(codebook, fields, field, says):
    before = codebook.codes
    with pytest.raises(CodeInvalid) as refused:
        codebook.add_code(Code(**fields))
    messages = refused.value.for_field(field)
    assert messages, f"no problem named {field}: {refused.value}"
    for words in says:
        assert words in messages[0]
    assert codebook.codes == before


def test_every_problem_with_a_code_is_reported_at_once(codebook):
    with pytest.raises(CodeInvalid) as refused:
        codebook.add("Bad Key", "", parent="nowhere")
    assert {problem.field for problem in refused.value.problems} == {"key", "name", "parent"}


def test_a_code_moves_under_another_and_cannot_go_inside_itself(codebook):
    codebook.add("lp2-transport", "Getting there", parent="lp2")
    moved = codebook.move("lp2-transport", "lp2-what-helped")
    assert moved.parent == "lp2-what-helped" and moved.guid == guid_for("lp2-transport")
    assert codebook.keys().index("lp2-transport") == codebook.keys().index("lp2-what-helped") + 1
    for key, parent in [("lp2", "lp2"), ("lp2", "lp2-stopped-coming"), ("lp2", "lp2-transport")]:
        with pytest.raises(CodeInvalid) as refused:
            codebook.move(key, parent)
        assert "sub-codes" in refused.value.for_field("parent")[0]
    with pytest.raises(CodeInvalid) as refused:
        codebook.move("lp9", None)
    assert "not a code" in refused.value.for_field("key")[0]
    with pytest.raises(CodeInvalid) as refused:
        codebook.move("lp2", "lp9")
    assert "not a code" in refused.value.for_field("parent")[0]
    assert codebook["lp2"].parent is None


def test_a_codebook_built_from_codes_needs_each_parent_first():
    with pytest.raises(CodeInvalid) as refused:
        Codebook([Code("trust", "Trust", parent="lp2"), Code("lp2", "Involvement")])
    assert "In the code 'trust': Parent 'lp2' is not a code" in refused.value.for_field("parent")[0]


@pytest.mark.parametrize(("text", "field", "says"), BAD_FILES, ids=[case[1] for case in BAD_FILES])
def test_a_broken_codebook_file_is_refused_naming_the_field(tmp_path, text, field, says):
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodeInvalid) as refused:
        load_codebook(path)
    messages = refused.value.for_field(field)
    assert messages, f"no problem named {field}: {refused.value}"
    for words in says:
        assert words in messages[0]


def test_code_text_is_kept_without_surrounding_spaces_and_with_plain_line_breaks():
    code = Code(" trust ", "  Trust ", "One.\r\nTwo.\rThree. ", None, parent="")
    assert (code.key, code.name, code.definition, code.parent) == ("trust", "Trust", "One.\nTwo.\nThree.", None)
    assert code.example == ""
    assert code.guid == guid_for("trust")


@pytest.mark.parametrize(("name", "taken", "key"), KEYS_FROM_NAMES)
def test_keys_made_from_names(name, taken, key):
    assert key_from_name(name, taken) == key


@pytest.mark.parametrize(("given", "expected"), GUIDS)
def test_guids_in_any_usual_form_are_read(given, expected):
    assert normal_guid(given) == expected
