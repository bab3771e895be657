"""REFI-QDA codebook exchange: the .qdc coprod writes, and the .qdc files other tools write, read back."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from coprod_widgets.choices import LEARNING_POINTS
from coprod_widgets.interviews.codebook import Code, Codebook, guid_for, load_codebook
from coprod_widgets.interviews.refi import (
    NAMESPACE,
    QdcRefused,
    description_of,
    export_qdc,
    import_qdc,
    read_qdc,
    split_description,
    write_qdc,
)

NS = {"q": NAMESPACE}
A_GUID = "0D62985D-B147-5D01-A9B5-CAE5DCD98342"

#: Text that must survive the trip through XML exactly: markup, entities, quotes, accents, emoji, line breaks.
AWKWARD_TEXT = [
    ("Zoë <b>&", "Définition: <i>café</i> & \"quotes\" 'too'", "Zoë said: <script>alert(1)</script>"),
    ("&amp; already escaped", "&lt;not a tag&gt; stays as typed", "A ]]> in the middle"),
    ("Quote \" and apostrophe '", "Two lines.\nSecond line.", "Ünïcödé – dashes — and 😀"),
    ("Tab\tinside", "", "Only an example"),
    ("No description", "", ""),
]

#: A codebook as another tool would write it: its own origin and schema location, lower-case and braced GUIDs,
#: colours, no descriptions, a grouping code that cannot be coded, three levels, two codes with the same name,
#: sets, and an element coprod does not know. It starts with the byte order mark QualCoder writes.
OTHER_TOOL = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="urn:QDA-XML:codebook:1.0 Codebook.xsd" origin="SomeQDA 23.4">
  <Codes>
    <Code guid="{aaaaaaaa-1111-4111-8111-111111111111}" name="Relationships" isCodable="false" color="#46AA00">
      <Code guid="bbbbbbbb-2222-4222-8222-222222222222" name="Trust" isCodable="true">
        <Code guid="CCCCCCCC-3333-4333-8333-333333333333" name="Trust lost" isCodable="true" color="#F00"/>
        <Code guid="DDDDDDDD-4444-4444-8444-444444444444" name="Trust regained" isCodable="1">
          <Description>When people say trust came back.</Description>
        </Code>
      </Code>
      <Whatever note="ignored"><Code guid="EEEEEEEE-0000-4000-8000-000000000000" name="Hidden"/></Whatever>
    </Code>
    <Code guid="FFFFFFFF-5555-4555-8555-555555555555" name="Trust" isCodable="0"/>
    <Code guid="12345678-6666-4666-8666-666666666666" name="  Zoë's group  " isCodable="true">
      <Description>
        Definition on its own paragraph.

        Example: "An invented passage."
      </Description>
    </Code>
  </Codes>
  <Sets>
    <Set guid="99999999-7777-4777-8777-777777777777" name="Code group 1">
      <MemberCode guid="bbbbbbbb-2222-4222-8222-222222222222"/>
    </Set>
  </Sets>
</CodeBook>
"""

#: (key, name, parent, codable, guid, definition, example) the codebook above must import as, in tree order.
OTHER_TOOL_CODES = [
    ("relationships", "Relationships", None, False, "AAAAAAAA-1111-4111-8111-111111111111", "", ""),
    ("trust", "Trust", "relationships", True, "BBBBBBBB-2222-4222-8222-222222222222", "", ""),
    ("trust-lost", "Trust lost", "trust", True, "CCCCCCCC-3333-4333-8333-333333333333", "", ""),
    (
        "trust-regained",
        "Trust regained",
        "trust",
        True,
        "DDDDDDDD-4444-4444-8444-444444444444",
        "When people say trust came back.",
        "",
    ),
    ("trust-2", "Trust", None, False, "FFFFFFFF-5555-4555-8555-555555555555", "", ""),
    (
        "zoes-group",
        "Zoë's group",
        None,
        True,
        "12345678-6666-4666-8666-666666666666",
        "Definition on its own paragraph.",
        '"An invented passage."',
    ),
]

#: Files that are not REFI-QDA codebooks, or are broken ones: each refused with one line containing these words.
REFUSED = [
    ("<html><body><p>Codes</p></body></html>", ["not a REFI-QDA codebook", "<html>", ".qdc"]),
    ('<codeBook xmlns="ddi:codebook:2_5"><stdyDscr/></codeBook>', ["not a REFI-QDA codebook", "<codeBook>"]),
    ('<CodeBook xmlns="urn:something:else"><Codes/></CodeBook>', ["not a REFI-QDA codebook"]),
    (
        '<?xml version="1.0"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n  <Codes>\n',
        ["not well-formed XML", "line"],
    ),
    ("This is a transcript, not XML.", ["not well-formed XML"]),
    ("", ["not well-formed XML"]),
    (b"PK\x03\x04\x14\x00\x00\x00project.qde", ["zipped", ".qdpx", ".qdc"]),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="x"/>', ["no codes"]),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', ["no codes"]),
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources/></Project>', ["project has no codebook"]),
    (
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{A_GUID}" isCodable="true"/></Codes>'
        "</CodeBook>",
        ["has no name", A_GUID],
    ),
    (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="One" isCodable="true"/>'
        '<Code guid="0d62985d-b147-5d01-a9b5-cae5dcd98342" name="Two" isCodable="true"/>'
        "</Codes></CodeBook>",
        ["same GUID", "'Two'"],
    ),
    (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        + '<Code name="Deep" isCodable="true">' * 60
        + "</Code>" * 60
        + "</Codes></CodeBook>",
        ["more than 50 levels"],
    ),
    (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" '
        'name="Long" isCodable="true"><Description>' + "x" * 4001 + "</Description></Code></Codes></CodeBook>",
        ["cannot be imported", "Definition is too long"],
    ),
]


def with_team_codes() -> Codebook:
    """The shipped codebook with a site team's codes: a deeper level, a heading that is not codable, awkward text."""
    codebook = load_codebook()
    codebook.add("lp2-transport", "Zoë <b>& transport", "Taxis & <buses>.\nTrains too.", "Ünïcödé 😀", parent="lp2")
    codebook.add("lp2-transport-rural", "Rural routes", "Villages with one bus a day.", parent="lp2-transport")
    codebook.add("site-topics", "Topics of our own", parent=None, codable=False)
    codebook.add("site-topics-food", "Food", "Meals at meetings.", "We always had soup.", parent="site-topics")
    return codebook


@pytest.fixture
def team_codebook() -> Codebook:
    return with_team_codes()


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def test_the_qdc_is_utf8_xml_with_a_declaration_and_the_codebook_namespace(team_codebook):
    data = export_qdc(team_codebook)
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    assert "Zoë".encode() in data and "😀".encode() in data
    root = parse(data)
    assert root.tag == f"{{{NAMESPACE}}}CodeBook"
    assert root.get("origin", "").startswith("coprod ")
    assert [child.tag for child in root] == [f"{{{NAMESPACE}}}Codes"]


def test_every_code_has_a_unique_uuid_guid_a_name_and_is_codable_flag(team_codebook):
    codes = parse(export_qdc(team_codebook)).findall(".//q:Code", NS)
    assert len(codes) == len(team_codebook)
    guids = [code.get("guid") for code in codes]
    assert all(str(uuid.UUID(guid)).upper() == guid for guid in guids)
    assert len(set(guids)) == len(guids)
    assert all(code.get("name") for code in codes)
    assert {code.get("isCodable") for code in codes} == {"true", "false"}
    assert guids == [code.guid for code in team_codebook] == [guid_for(code.key) for code in team_codebook]


def test_top_level_codes_are_the_learning_points_and_sub_codes_are_nested_inside(team_codebook):
    codes = parse(export_qdc(team_codebook)).find("q:Codes", NS)
    top = codes.findall("q:Code", NS)
    assert [code.get("name") for code in top][:8] == list(LEARNING_POINTS.values())
    lp2 = top[1]
    assert [code.get("name") for code in lp2.findall("q:Code", NS)] == [
        "Stopped coming",
        "What helped people take part",
        "Zoë <b>& transport",
    ]
    transport = lp2.findall("q:Code", NS)[2]
    assert [code.get("name") for code in transport.findall("q:Code", NS)] == ["Rural routes"]
    heading = top[8]
    assert (heading.get("name"), heading.get("isCodable")) == ("Topics of our own", "false")
    assert heading.find("q:Description", NS) is None
    # The standard's order: a code's Description comes before its sub-codes.
    assert [child.tag.rpartition("}")[2] for child in lp2] == ["Description", "Code", "Code", "Code"]


def test_descriptions_hold_the_definition_then_the_example():
    code = Code("trust", "Trust", "What trust means.", "I trusted them.")
    assert description_of(code) == "What trust means.\n\nExample: I trusted them."
    assert split_description(description_of(code)) == ("What trust means.", "I trusted them.")
    assert description_of(Code("a", "A", example="Only this.")) == "Example: Only this."
    assert split_description("Example: Only this.") == ("", "Only this.")
    assert split_description("No example here. An Example: inline stays.") == (
        "No example here. An Example: inline stays.",
        "",
    )


@pytest.mark.parametrize(("name", "definition", "example"), AWKWARD_TEXT, ids=[case[0][:12] for case in AWKWARD_TEXT])
def test_names_and_descriptions_are_escaped_and_come_back_exactly(name, definition, example):
    codebook = Codebook(
        [Code("lp2", "Everyone stays actively involved"), Code("odd", name, definition, example, "lp2")]
    )
    data = export_qdc(codebook)
    element = parse(data).find(".//q:Code/q:Code", NS)
    assert element.get("name") == name
    description = element.find("q:Description", NS)
    assert (description.text if description is not None else "") == description_of(codebook["odd"])
    assert b"<b>" not in data and b"<script>" not in data and b"<i>" not in data
    assert import_qdc(data, known=codebook) == codebook


def test_a_round_trip_gives_the_same_codes_hierarchy_and_descriptions(team_codebook, tmp_path):
    path = write_qdc(team_codebook, tmp_path / "codebook.qdc")
    assert path.read_bytes() == export_qdc(team_codebook)
    back = read_qdc(path, known=team_codebook)
    assert back == team_codebook
    assert [(code.key, depth) for code, depth in back.walk()] == [(c.key, d) for c, d in team_codebook.walk()]


def test_without_the_team_codebook_learning_points_keep_their_keys_and_team_codes_get_keys_from_names(team_codebook):
    back = import_qdc(export_qdc(team_codebook))
    assert [code.key for code in back.top_level()][:8] == list(LEARNING_POINTS)
    assert back.get("lp2-stopped-coming") == team_codebook["lp2-stopped-coming"]
    transport = back.get("zoe-b-transport")
    assert transport is not None and transport.guid == team_codebook["lp2-transport"].guid
    assert (transport.parent, transport.definition) == ("lp2", team_codebook["lp2-transport"].definition)
    assert back.get("food").parent == "topics-of-our-own"
    assert [code.guid for code in back] == [code.guid for code in team_codebook]


def test_exports_are_the_same_every_time(team_codebook):
    assert export_qdc(team_codebook) == export_qdc(with_team_codes())


@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "text"])
def test_a_codebook_written_by_another_tool_is_imported(as_bytes):
    source = OTHER_TOOL.encode("utf-8") if as_bytes else OTHER_TOOL.lstrip("\ufeff")
    codebook = import_qdc(source)
    got = [(c.key, c.name, c.parent, c.codable, c.guid, c.definition, c.example) for c in codebook]
    assert got == OTHER_TOOL_CODES
    assert "hidden" not in codebook


def test_a_learning_point_renamed_in_another_tool_keeps_its_key():
    lp2 = guid_for("lp2")
    text = (
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Other">'
        f'<Codes><Code guid="{lp2.lower()}" name="Involvement (renamed)" isCodable="true">'
        '<Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="Carers" isCodable="true"/>'
        "</Code></Codes></CodeBook>"
    )
    codebook = import_qdc(text)
    assert codebook.keys() == ["lp2", "carers"]
    assert (codebook["lp2"].name, codebook["lp2"].guid, codebook["carers"].parent) == (
        "Involvement (renamed)",
        lp2,
        "lp2",
    )


def test_the_codebook_inside_a_refi_qda_project_file_is_imported():
    text = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews"><CodeBook><Codes>'
        '<Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="Pacing" isCodable="true">'
        "<Description>How fast things moved.</Description><NoteRef targetGUID="
        '"1D62985D-B147-5D01-A9B5-CAE5DCD98342"/></Code></Codes></CodeBook><Sources/></Project>'
    )
    codebook = import_qdc(text)
    assert [(c.key, c.definition) for c in codebook] == [("pacing", "How fast things moved.")]


def test_codes_without_a_usable_guid_get_one_made_from_their_key():
    text = (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="No guid" isCodable="true"/>'
        '<Code guid="not-a-guid" name="Bad guid" isCodable="true"/></Codes></CodeBook>'
    )
    codebook = import_qdc(text)
    assert [(c.key, c.guid) for c in codebook] == [("no-guid", guid_for("no-guid")), ("bad-guid", guid_for("bad-guid"))]


@pytest.mark.parametrize(("source", "says"), REFUSED, ids=[f"refused-{n}" for n in range(len(REFUSED))])
def test_files_that_are_not_codebooks_are_refused_with_one_plain_line(source, says):
    with pytest.raises(QdcRefused) as refused:
        import_qdc(source)
    message = str(refused.value)
    assert "\n" not in message
    for words in says:
        assert words in message
    assert "Traceback" not in message and "ParseError" not in message


def test_a_missing_file_is_refused_plainly(tmp_path):
    with pytest.raises(QdcRefused, match="There is no file at"):
        read_qdc(tmp_path / "nowhere.qdc")


def test_an_empty_codebook_cannot_be_exported():
    with pytest.raises(ValueError, match="no codes"):
        export_qdc(Codebook())
