"""REFI-QDA projects (.qdpx) coprod writes, checked against the standard's schema and read back; and the
excerpts CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema

from coprod_widgets.exports.cells import unneutralise
from coprod_widgets.interviews import coding, excerpts_csv, qdpx
from coprod_widgets.interviews.codebook import guid_for
from coprod_widgets.interviews.coding import Passage, passage_text
from coprod_widgets.interviews.excerpts import excerpts
from coprod_widgets.interviews.importing import import_transcript
from coprod_widgets.interviews.refi import export_qdc

SCHEMA_FILE = Path(__file__).parent / "fixtures" / "refi" / "Project.xsd"
Q = f"{{{qdpx.NAMESPACE}}}"
NS = {"q": qdpx.NAMESPACE}
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
WHO = "test"
EXPORTED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

#: Listed names: none may reach the project, and the transcripts are stored with pseudonyms.
NAMES = {"Ann Lee": "Person 1", "Bob": "Person 2"}
#: An emoji (one code point, two UTF-16 units) and accents before the coded words, so positions counted in
#: UTF-16 or in bytes would land elsewhere; markup and quotes that XML must escape.
NORTH_CARER = (
    'Interviewer: How did it start? 😀 Café <first> & "only" meeting.\n\n'
    "Ann Lee: Bob asked us what mattered. They listened 🙂, for once.\n\n"
    "Bob: I stopped coming when the meetings moved to the afternoon."
)
SOUTH_WORKSHOP = (
    "# Workshop notes\n\nThe group rewrote the problem together.\n\nNobody knew the budget until month four."
)


@pytest.fixture
def coded(store, tmp_path) -> dict:
    """Two sites' transcripts, coded by two coders with whole paragraphs, characters and a range across
    paragraphs; a team code with a memo; memos on excerpts. Returns ids and records by name."""
    programme = store.add("programme", {"name": "Coastal programme"}, WHO)
    sites = {}
    for name in ("North", "South"):
        data = {"programme_id": programme.id, "name": name, "service_issue": "x", "start_date": "2015-01-01"}
        sites[name] = store.add("site", data, WHO)
    north_file, south_file = tmp_path / "ann lee.txt", tmp_path / "workshop.md"
    north_file.write_text(NORTH_CARER, encoding="utf-8")
    south_file.write_text(SOUTH_WORKSHOP, encoding="utf-8")
    north = import_transcript(
        store, north_file, "North", role_group="carer", interviewed="2015-03-01", who=WHO, names=NAMES
    ).record
    south = import_transcript(
        store, south_file, "South", role_group="mixed", interviewed="2015-04-01", who=WHO, title="Interview"
    ).record
    coding.add_code(store, "lp2-timing", "Meeting times", "When meetings were held.", parent="lp2", who=WHO)
    coding.write_memo(store, "lp2-timing", "Afternoons shut out people on dialysis & <shifts>.", "AB")
    coding.code_passage(store, north.id, 2, ["lp2", "lp1"], "AB", memo='Compare with the "minutes" <draft>.')
    coding.code_passage(store, north.id, 3, ["lp2-timing"], "AB", start_char=10, end_char=30, quote=True)
    coding.code_passage(store, north.id, 2, ["lp2"], "CD")
    text = coding.transcript_text(north)
    start = text.index("They listened")
    coding.code_range(store, north.id, start, text.index("afternoon"), ["lp2-stopped-coming"], "CD")
    coding.code_passage(store, south.id, 3, ["lp3-non-negotiables"], "CD", memo='=HYPERLINK("x")')
    return {"store": store, "north": north, "south": south, "sites": sites}


def export(store, tmp_path, name="project.qdpx", **options) -> Path:
    return qdpx.export_qdpx(store, tmp_path / name, created=EXPORTED, **options)


def project_root(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


# ---- the schema ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """REFI-QDA's own Project.xsd, read by a full XML Schema 1.0 validator."""
    return xmlschema.XMLSchema(SCHEMA_FILE)


def problems(schema: xmlschema.XMLSchema, root: ET.Element) -> list[str]:
    """Every fault the validator finds, as 'where: why', with the REFI-QDA namespace written q: for short."""
    return [f"{error.path}: {error.reason}".replace(Q, "q:") for error in schema.iter_errors(root)]


def test_the_project_validates_against_the_refi_qda_schema(coded, tmp_path, schema):
    with zipfile.ZipFile(export(coded["store"], tmp_path)) as archive:
        written = archive.read("project.qde")
    schema.validate(io.BytesIO(written))  # the file as written, declaration and encoding included


def _q(name: str) -> str:
    return f"{Q}{name}"


def _drop_attribute(root, name, attribute):
    del root.find(f".//q:{name}", NS).attrib[attribute]


def _swap_first_children(root, name):
    element = root.find(f".//q:{name}", NS)
    first, second = list(element)[:2]
    element.remove(first)
    element.insert(1, first)


#: Faults the validator must find, so a pass above means something: (what is broken, how, a phrase in the
#: problem that says why, in xmlschema's words).
BROKEN = [
    (
        "a required attribute",
        lambda r: _drop_attribute(r, "PlainTextSelection", "startPosition"),
        "missing required attribute 'startPosition'",
    ),
    (
        "elements out of order",
        lambda r: _swap_first_children(r, "TextSource"),
        "Unexpected child with tag 'q:Description'",
    ),
    (
        "a malformed GUID",
        lambda r: r.find(".//q:CodeRef", NS).set("targetGUID", "not-a-guid"),
        "targetGUID='not-a-guid': value doesn't match any pattern",
    ),
    (
        "an undeclared attribute",
        lambda r: r.find(".//q:Code", NS).set("colour", "red"),
        "'colour' attribute not allowed",
    ),
    (
        "a position that is not a number",
        lambda r: r.find(".//q:PlainTextSelection", NS).set("endPosition", "x"),
        "endPosition='x': invalid literal for int()",
    ),
    (
        "a date that does not exist",
        lambda r: r.set("creationDateTime", "2026-02-30T03:04:05Z"),
        "creationDateTime='2026-02-30T03:04:05Z': day is out of range for month",
    ),
    (
        "a variable type the schema lacks",
        lambda r: r.find(".//q:Variable", NS).set("typeOfVariable", "Colour"),
        "typeOfVariable='Colour': value must be one of",
    ),
    (
        "a Coding without its CodeRef",
        lambda r: r.find(".//q:Coding", NS).remove(r.find(".//q:CodeRef", NS)),
        "Tag 'q:CodeRef' expected",
    ),
    (
        "an element outside the namespace",
        lambda r: r.find("q:Sources", NS).append(ET.Element("TextSource")),
        "Unexpected child with tag 'TextSource'",  # no {namespace} before the name
    ),
]


@pytest.mark.parametrize(("fault", "breaks", "phrase"), BROKEN, ids=[case[0] for case in BROKEN])
def test_the_schema_check_finds_each_kind_of_fault(coded, tmp_path, schema, fault, breaks, phrase):
    root = project_root(export(coded["store"], tmp_path))
    assert problems(schema, root) == [], "the copy is sound before it is broken"
    breaks(root)
    found = problems(schema, root)
    assert any(phrase in problem for problem in found), found
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(root)


# ---- the structure tools rely on --------------------------------------------------------------------------


def test_root_namespace_and_guids(coded, tmp_path):
    root = project_root(export(coded["store"], tmp_path))
    assert root.tag == _q("Project")
    assert root.get("name") == "Coastal programme"
    assert root.get("origin").startswith("coprod ")
    assert root.get("creationDateTime") == "2026-01-02T03:04:05Z"
    guids = [value for element in root.iter() for key, value in element.attrib.items() if "guid" in key.lower()]
    guids += [e.get("creatingUser") for e in root.iter() if e.get("creatingUser")]
    assert guids and all(GUID.fullmatch(guid) for guid in guids), "upper case, as the codebook's GUIDs are"
    declared = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(declared) == len(set(declared)), "every GUID names one thing"


def test_every_reference_points_at_something_declared(coded, tmp_path):
    root = project_root(export(coded["store"], tmp_path))
    codes = {e.get("guid") for e in root.iterfind(".//q:Code", NS)}
    notes = {e.get("guid") for e in root.iterfind("q:Notes/q:Note", NS)}
    users = {e.get("guid") for e in root.iterfind("q:Users/q:User", NS)}
    variables = {e.get("guid") for e in root.iterfind("q:Variables/q:Variable", NS)}
    code_refs = [e.get("targetGUID") for e in root.iterfind(".//q:CodeRef", NS)]
    assert code_refs and set(code_refs) <= codes
    note_refs = [e.get("targetGUID") for e in root.iterfind(".//q:NoteRef", NS)]
    assert len(note_refs) == 3 and set(note_refs) == notes, "two excerpt memos and one code memo"
    assert {e.get("creatingUser") for e in root.iter() if e.get("creatingUser")} == users
    assert {e.get("targetGUID") for e in root.iterfind(".//q:VariableRef", NS)} == variables


def test_codes_nest_and_share_their_guids_with_the_qdc_export(coded, tmp_path):
    store = coded["store"]
    root = project_root(export(store, tmp_path))
    lp2 = root.find(f"q:CodeBook/q:Codes/q:Code[@guid='{guid_for('lp2')}']", NS)
    assert lp2 is not None and lp2.get("name") == "Everyone stays actively involved"
    team = lp2.find(f"q:Code[@guid='{guid_for('lp2-timing')}']", NS)
    assert team is not None and team.get("name") == "Meeting times", "the team's code under its learning point"
    qdc = ET.fromstring(export_qdc(coding.codebook(store)))
    in_qdc = [(e.get("guid"), e.get("name")) for e in qdc.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert [(e.get("guid"), e.get("name")) for e in root.iterfind(".//q:Code", NS)] == in_qdc


def test_every_selection_lies_inside_its_source_text_and_every_text_file_is_there(coded, tmp_path):
    path = export(coded["store"], tmp_path)
    root = project_root(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            where = source.get("plainTextPath")
            assert where == f"internal://{source.get('guid')}.txt"
            member = f"sources/{source.get('guid')}.txt"
            assert member in names, "in the lower-case 'sources' folder REFI-QDA 1.5 section 8.1 names"
            assert source.find("q:PlainTextContent", NS) is None, "the text is in a file or inline, not both"
            text = archive.read(member).decode("utf-8")
            assert not text.startswith("\ufeff")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert 0 <= start < end <= len(text)
    assert names == {"project.qde"} | {f"sources/{s.get('guid')}.txt" for s in root.iterfind(".//q:TextSource", NS)}


def test_site_and_role_group_are_where_tools_show_them_and_no_listed_name_is_anywhere(coded, tmp_path):
    path = export(coded["store"], tmp_path)
    root = project_root(path)
    variables = {e.get("guid"): e.get("name") for e in root.iterfind("q:Variables/q:Variable", NS)}
    assert sorted(variables.values()) == ["Interviewed", "Role group", "Site"]
    found = {}
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        values = {
            variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
            for v in source.iterfind("q:VariableValue", NS)
        }
        found[source.get("name")] = (values, source.findtext("q:Description", namespaces=NS))
    north_values, north_description = found["Person 1"]
    assert north_values == {"Site": "North", "Role group": "Carer", "Interviewed": "2015-03-01"}
    assert "Site: North. Role group: Carer. Interviewed: 2015-03-01. 4 name(s) were replaced" in north_description
    assert "No names were replaced when it was imported." in found["Interview"][1]
    assert found["Interview"][0]["Role group"] == "Several role groups"
    with zipfile.ZipFile(path) as archive:
        everything = "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "Person 1" in everything and "Person 2" in everything
    for name in NAMES:
        assert not re.search(rf"\b{name}\b", everything, flags=re.IGNORECASE), name


def test_memos_become_notes_and_selection_descriptions(coded, tmp_path):
    root = project_root(export(coded["store"], tmp_path))
    notes = {n.get("guid"): n for n in root.iterfind("q:Notes/q:Note", NS)}
    texts = {n.findtext("q:PlainTextContent", namespaces=NS) for n in notes.values()}
    assert texts == {
        'Compare with the "minutes" <draft>.',
        "Afternoons shut out people on dialysis & <shifts>.",
        '=HYPERLINK("x")',
    }
    assert all(n.get("creationDateTime") and n.get("creatingUser") for n in notes.values()), "QualCoder needs both"
    code = root.find(f".//q:Code[@guid='{guid_for('lp2-timing')}']", NS)
    memo = notes[code.find("q:NoteRef", NS).get("targetGUID")]
    assert memo.get("name") == "Memo on the code Meeting times"
    described = [s for s in root.iterfind(".//q:PlainTextSelection", NS) if s.find("q:Description", NS) is not None]
    assert {s.findtext("q:Description", namespaces=NS) for s in described} == texts - {
        "Afternoons shut out people on dialysis & <shifts>."
    }


def test_duplicate_titles_are_told_apart_by_site(store, tmp_path):
    programme = store.add("programme", {"name": "P"}, WHO)
    for number, name in enumerate(("North", "South")):
        site = {"programme_id": programme.id, "name": name, "service_issue": "x", "start_date": "2015-01-01"}
        store.add("site", site, WHO)
        file = tmp_path / f"{name}.txt"
        file.write_text(f"Paragraph {number}.", encoding="utf-8")
        import_transcript(store, file, name, role_group="carer", interviewed="2015-03-01", who=WHO, title="Interview")
    root = project_root(export(store, tmp_path))
    names = sorted(s.get("name") for s in root.iterfind(".//q:TextSource", NS))
    assert names == ["Interview (North)", "Interview (South)"]


# ---- reading back ------------------------------------------------------------------------------------------


def _stored(store) -> set[tuple]:
    """Every code on every coded passage, as (transcript, paragraph text range, code, coder, passage text)."""
    transcripts = {t.id: t for t in store.records("transcript")}
    found = set()
    for record in store.records("coding"):
        transcript = transcripts[record.transcript_id]
        begins = coding.paragraph_starts(transcript)[record.paragraph - 1]
        passage = Passage(record.transcript_id, record.paragraph, record.start_char, record.end_char)
        text = passage_text(transcript, passage)
        start = begins + (record.start_char or 0)
        for code in record.codes:
            found.add((qdpx.source_guid(transcript), start, start + len(text), code, record.coder, text, record.memo))
    return found


def test_the_round_trip_gives_back_every_coding_at_the_same_text(coded, tmp_path):
    store = coded["store"]
    project = qdpx.read_qdpx(export(store, tmp_path), known=coding.codebook(store))
    back = {(c.source_guid, c.start, c.end, c.code_key, c.user, project.text_of(c), c.memo) for c in project.codings}
    assert len(project.codings) == 7
    assert back == _stored(store)
    assert project.codebook == coding.codebook(store)
    assert sorted(project.users.values()) == ["AB", "CD"]
    assert {s.name: s.variables["Site"] for s in project.sources} == {"Person 1": "North", "Interview": "South"}
    transcripts = {qdpx.source_guid(t): coding.transcript_text(t) for t in store.records("transcript")}
    assert {s.guid: s.text for s in project.sources} == transcripts


def test_positions_count_code_points_as_the_standard_says(coded, tmp_path):
    north = coded["north"]
    project = qdpx.read_qdpx(export(coded["store"], tmp_path))
    text = coding.transcript_text(north)
    ranged = min((c for c in project.codings if c.code_key == "lp2-stopped-coming"), key=lambda c: c.start)
    assert ranged.start == text.index("They listened")
    before = text[: ranged.start]
    assert len(before.encode("utf-16-le")) // 2 > len(before), "an emoji comes first: UTF-16 would count more"
    assert project.text_of(ranged) == "They listened 🙂, for once."


def test_exporting_twice_gives_the_same_project_apart_from_the_date(coded, tmp_path):
    store = coded["store"]
    first = qdpx.export_qdpx(store, tmp_path / "a.qdpx", created=EXPORTED)
    second = qdpx.export_qdpx(store, tmp_path / "b.qdpx", created=EXPORTED + dt.timedelta(days=40))

    def contents(path):
        with zipfile.ZipFile(path) as archive:
            found = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
        return {name: re.sub(r"2026-0[12]-\d\d(T[\d:]+Z)?", "DATE", text) for name, text in found.items()}

    assert contents(first) == contents(second)
    assert first.read_bytes() != second.read_bytes(), "the export date is in it"


def test_one_site_only(coded, tmp_path):
    store, south = coded["store"], coded["sites"]["South"]
    project = qdpx.read_qdpx(export(store, tmp_path, site_ids=[south.id]))
    assert [s.name for s in project.sources] == ["Interview"]
    assert [c.code_key for c in project.codings] == ["lp3-non-negotiables"]
    assert sorted(project.users.values()) == ["AB", "CD"], "the coder of what is exported; the writer of a code memo"


def test_the_file_is_for_its_owner_only(coded, tmp_path):
    path = export(coded["store"], tmp_path / "new folder")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_no_transcripts_is_said_plainly(store, tmp_path):
    store.add("programme", {"name": "P"}, WHO)
    with pytest.raises(qdpx.QdpxRefused, match="There are no transcripts to export: import them first"):
        export(store, tmp_path)
    assert not (tmp_path / "project.qdpx").exists()


def test_a_project_with_nothing_coded_still_travels_and_says_so(store, tmp_path):
    programme = store.add("programme", {"name": "P"}, WHO)
    store.add(
        "site", {"programme_id": programme.id, "name": "North", "service_issue": "x", "start_date": "2015-01-01"}, WHO
    )
    file = tmp_path / "one.txt"
    file.write_text("Only paragraph.", encoding="utf-8")
    import_transcript(store, file, "North", role_group="carer", interviewed="2015-03-01", who=WHO)
    path = export(store, tmp_path)
    root = project_root(path)
    assert root.find("q:Users", NS) is None, "Users needs at least one User, so it is left out"
    assert "no passage is coded yet" in root.findtext("q:Description", namespaces=NS)
    assert qdpx.read_qdpx(path).codings == ()


def _zip(tmp_path, files: dict[str, str | bytes]) -> Path:
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


PROJECT = '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>{}</Sources></Project>'
#: Files that are not usable projects, and a phrase of the plain-English refusal.
UNREADABLE = [
    ("not a zip", None, "is not a REFI-QDA project (a .qdpx is a zip file)"),
    ("no project.qde", {"sources/a.txt": "x"}, "holds no project.qde"),
    ("broken XML", {"project.qde": "<Project"}, "is not well-formed XML"),
    (
        "a codebook, not a project",
        {"project.qde": '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'},
        "not a REFI-QDA project",
    ),
    (
        "a source file missing",
        {"project.qde": PROJECT.format('<TextSource guid="{a}" name="Gone" plainTextPath="internal://a.txt"/>')},
        "'Gone' points at internal://a.txt, which is not in the project's sources folder",
    ),
    (
        "a position that is not a number",
        {
            "project.qde": PROJECT.format(
                '<TextSource guid="AAAAAAAA-1111-4111-8111-111111111111" name="S"><PlainTextContent>abc'
                '</PlainTextContent><PlainTextSelection guid="AAAAAAAA-1111-4111-8111-111111111112" startPosition="a"'
                ' endPosition="2"><Coding guid="AAAAAAAA-1111-4111-8111-111111111113"><CodeRef targetGUID='
                '"AAAAAAAA-1111-4111-8111-111111111114"/></Coding></PlainTextSelection></TextSource>'
            )
        },
        "no whole-number startPosition",
    ),
]


@pytest.mark.parametrize(("case", "files", "phrase"), UNREADABLE, ids=[case[0] for case in UNREADABLE])
def test_unreadable_projects_are_refused_plainly(tmp_path, case, files, phrase):
    if files is None:
        path = tmp_path / "other.qdpx"
        path.write_text("plain text", encoding="utf-8")
    else:
        path = _zip(tmp_path, files)
    with pytest.raises(qdpx.QdpxRefused, match=re.escape(phrase)):
        qdpx.read_qdpx(path)


def test_another_tools_project_is_read(tmp_path):
    """Capital 'Sources', braced lower-case GUIDs and a byte order mark, as other tools write them."""
    code, source = "{bbbbbbbb-2222-4222-8222-222222222222}", "aaaaaaaa-1111-4111-8111-111111111111"
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Theirs" origin="SomeQDA">'
        '<Users><User guid="cccccccc-3333-4333-8333-333333333333" name="Zoë"/></Users>'
        f'<CodeBook><Codes><Code guid="{code}" name="Trust" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{source}" name="Talk" plainTextPath="internal://{source}.txt">'
        '<PlainTextSelection guid="dddddddd-4444-4444-8444-444444444444" startPosition="3" endPosition="8" '
        'creatingUser="cccccccc-3333-4333-8333-333333333333"><Description>why</Description>'
        f'<Coding guid="eeeeeeee-5555-4555-8555-555555555555"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    path = _zip(tmp_path, {"project.qde": qde, f"Sources/{source}.txt": "\ufeffWe trusted them."})
    project = qdpx.read_qdpx(path)
    (found,) = project.codings
    assert (found.code_key, found.user, found.memo, project.text_of(found)) == ("trust", "Zoë", "why", "trust")


# ---- the excerpts CSV --------------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_excerpts_csv_has_the_columns_and_every_excerpt(coded, tmp_path):
    store = coded["store"]
    found = excerpts(store)
    path = excerpts_csv.write_excerpts_csv(found, tmp_path / "excerpts.csv", coding.codebook(store))
    rows = _csv_rows(path)
    assert list(rows[0]) == list(excerpts_csv.COLUMNS)
    assert {"document", "site", "role", "code", "coder", "text"} <= set(rows[0]), "what the issue asks for"
    assert len(rows) == len(found) == 7
    timing = next(row for row in rows if row["code"] == "lp2-timing")
    assert timing == {
        "document": "Person 1",
        "site": "North",
        "role": "Carer",
        "code": "lp2-timing",
        "code name": "Meeting times",
        "coder": "AB",
        "date coded": dt.date.today().isoformat(),
        "paragraph": "3",
        "from character": "10",
        "to character": "30",
        "memo": "",
        "text": "I stopped coming whe",
    }
    whole = next(row for row in rows if row["code"] == "lp1")
    assert (whole["from character"], whole["to character"]) == ("0", str(len(whole["text"])))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_excerpts_csv_neutralises_formulas_and_reads_back_exactly(coded, tmp_path):
    store = coded["store"]
    found = excerpts(store)
    rows = _csv_rows(excerpts_csv.write_excerpts_csv(found, tmp_path / "excerpts.csv", coding.codebook(store)))
    risky = next(row for row in rows if row["code"] == "lp3-non-negotiables")
    assert risky["memo"] == '\'=HYPERLINK("x")', "a spreadsheet shows it as text instead of running it"
    assert risky["role"] == "Several role groups"
    expected = excerpts_csv.excerpts_rows(found, coding.codebook(store))
    back = [[unneutralise(cell) for cell in row.values()] for row in rows]
    assert back == [[str(cell) for cell in row] for row in expected]


def test_a_code_the_codebook_lacks_is_named_as_such(coded, tmp_path):
    found = excerpts(coded["store"])
    rows = excerpts_csv.excerpts_rows(found)  # the shipped codebook only: the team's code is not in it
    timing = next(row for row in rows if row[3] == "lp2-timing")
    assert timing[4] == excerpts_csv.NOT_IN_CODEBOOK
