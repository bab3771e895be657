"""The interview coding workbook driven in Python: import through the upload widget, code paragraphs, add codes
and memos, compare two coders.

Files are set on the FileUpload as ipywidgets 8 holds them (a tuple of dicts, the bytes as a memoryview),
buttons are clicked with ``Button.click()``, and what is stored is read back from a real temporary store.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import ipywidgets as widgets
import pytest

from coprod_widgets.interviews import coding
from coprod_widgets.interviews.codebook import Code
from coprod_widgets.interviews.importing import store_transcript
from coprod_widgets.interviews.transcripts import read_transcript
from coprod_widgets.interviews.workbench import CodingPanel, InterviewWorkbench
from coprod_widgets.interviews.workbench_views import (
    CharacterRange,
    character_range,
    code_label,
    first_words,
    ordinal,
    percent,
)
from coprod_widgets.problems import RecordInvalid
from tests.test_transcripts import DOCX_BODY, DOCX_PARAGRAPHS, write_docx

WHO = "interview workbench test"
NAMES_LIST = "Ann Lee = Person 1\nZoë\n# a comment line\nNobody Atall = Person 9\n"
LISTED = ("Ann Lee", "Zoë", "Nobody Atall")
FOUR_TURNS = b"A: One.\n\nB: Two.\n\nA: Three.\n\nB: Four.\n"


@pytest.fixture(autouse=True)
def _close_widgets():
    CodingPanel.remembered_coder = ""
    yield
    widgets.Widget.close_all()
    CodingPanel.remembered_coder = ""


@pytest.fixture
def sites(store) -> dict[str, int]:
    """Two sites and nothing else: every transcript, coding and code in a test is the test's own."""
    programme = store.add("programme", {"name": "Interview programme"}, WHO)
    found = {}
    for name in ("North", "South"):
        values = {"programme_id": programme.id, "name": name, "service_issue": "Foot care", "start_date": "2015-03-01"}
        found[name] = store.add("site", values, WHO).id
    return found


def choose_file(control: widgets.FileUpload, name: str, data: bytes) -> None:
    """Choose a file as the browser hands it over."""
    entry = {
        "name": name,
        "type": "",
        "size": len(data),
        "content": memoryview(data),
        "last_modified": datetime.datetime.now(datetime.UTC),
    }
    control.value = (entry,)


def text(html: str) -> str:
    """What a reader sees: tags dropped, entities read."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def every_html(widget) -> str:
    """Every HTML value, input value and option label in a panel, as one string: all the page could show."""
    if isinstance(widget, widgets.HTML | widgets.Text | widgets.Textarea):
        return widget.value
    if isinstance(widget, widgets.Dropdown):
        return " ".join(label for label, _value in widget.options)
    return "\n".join(every_html(child) for child in getattr(widget, "children", ()))


def held(store) -> dict[str, int]:
    return {kind: len(store.records(kind)) for kind in ("transcript", "coding", "interview_code", "code_memo")}


def fill_import(bench, name: str, data: bytes, site="North", role="carer", date="31/03/2015", names=""):
    panel = bench.importer
    choose_file(panel.file, name, data)
    panel.site.value, panel.role.value, panel.interviewed.value, panel.names.value = site, role, date, names
    return panel


def stored_transcript(store, site_id: int, tmp_path, data: bytes = FOUR_TURNS, name: str = "four.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    result = store_transcript(
        store, read_transcript(path), site_id, role_group="carer", interviewed="2015-03-31", who=WHO
    )
    return result.record


def open_paragraph(bench, transcript_id: int, paragraph: int, coder: str = "AB") -> CodingPanel:
    panel = bench.coder
    panel.coder.value = coder
    panel.transcript.value = transcript_id
    panel.paragraph.value = paragraph
    return panel


def tick(panel: CodingPanel, *keys: str, on: bool = True) -> None:
    for key in keys:
        panel.boxes[key].value = on


# ---- pure helpers, cases as data -----------------------------------------------------------------------------

RANGES = [
    (("", "", 40), CharacterRange()),
    ((" 1 ", "40", 40), CharacterRange(0, 40)),
    (("5", "5", 40), CharacterRange(4, 5)),
    (("12", "30", 40), CharacterRange(11, 30)),
]
BAD_RANGES = [
    (("3", "", 40), "To character: type a number too"),
    (("", "9", 40), "From character: type a number too"),
    (("0", "9", 40), "From character: type a whole number from 1 to 40"),
    (("2", "41", 40), "To character: type a whole number from 1 to 40"),
    (("two", "9", 40), "From character: type a whole number"),
    (("9", "3", 40), "To character (3) must not come before From character (9)"),
]


@pytest.mark.parametrize(("given", "expected"), RANGES)
def test_a_range_is_typed_as_people_count_and_stored_as_the_api_counts(given, expected):
    assert character_range(*given) == expected


@pytest.mark.parametrize(("given", "words"), BAD_RANGES)
def test_a_range_that_cannot_be_used_names_the_box(given, words):
    with pytest.raises(RecordInvalid, match=re.escape(words)):
        character_range(*given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Short one.", "Short one."),
        ("one two three four five six seven eight nine", "one two three four five six seven eight\u2026"),
        ("a\nline  break", "a line break"),
        ("x" * 80, "x" * 60 + "\u2026"),
    ],
)
def test_the_picker_shows_a_paragraphs_first_words(given, expected):
    assert first_words(given) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "none compared"), (75, "75.0%"), (100, "100.0%"), (99.975, ">99.9%"), (0, "0.0%"), (0.04, "<0.1%"),
     (33.333, "33.3%")],
)  # fmt: skip
def test_a_percentage_never_rounds_a_disagreement_away(value, shown):
    assert percent(value) == shown


ORDINALS = [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
            (102, "102nd")]  # fmt: skip


@pytest.mark.parametrize(("number", "expected"), ORDINALS)
def test_ordinals(number, expected):
    assert ordinal(number) == expected


def test_learning_points_are_labelled_by_number_and_clashing_names_by_key():
    assert code_label(Code("lp2", "Everyone stays involved")) == "LP2: Everyone stays involved"
    assert code_label(Code("lp2-transport", "Transport")) == "Transport"
    assert code_label(Code("lp2-transport", "Transport"), frozenset({"transport"})) == "Transport (lp2-transport)"


# ---- importing -------------------------------------------------------------------------------------------------


def test_a_docx_imports_through_the_upload_with_names_replaced_and_the_list_cleared(store, sites, tmp_path):
    bench = InterviewWorkbench(store, who=WHO)
    data = write_docx(tmp_path / "Ann Lee interview.docx", DOCX_BODY).read_bytes()
    panel = fill_import(bench, "Ann Lee interview.docx", data, names=NAMES_LIST)
    panel.title.value = "Ann Lee at North"
    panel.import_button.click()

    said = text(panel.status.value)
    assert 'role="status"' in panel.status.value
    imported = (
        f"Imported: \u201cPerson 1 at North\u201d for North (Carer, interviewed 31/03/2015): {len(DOCX_PARAGRAPHS)}"
    )
    assert f"{imported} paragraphs, 50 words." in said
    assert "Names replaced by pseudonyms: 4." in said  # Ann Lee in the file's name, the title and the text; Zoë once
    assert "1 name on the list did not appear in the transcript (the 3rd on the list)" in said
    assert panel.names.value == "" and panel.title.value == "" and panel.file.value == ()
    shown = every_html(bench.importer.widget) + every_html(bench.coder.widget)
    assert not [name for name in LISTED if name in shown]
    [record] = store.records("transcript")
    assert record.names_replaced == 4 and record.role_group == "carer"
    assert record.file_name == "Person 1 interview.docx"
    stored = " ".join(text for _kind, text in record.paragraphs) + record.title + record.file_name
    assert not [name for name in LISTED if name in stored]
    assert bench.coder.transcript.options[1] == ("North \u2014 Person 1 at North, Carer", record.id)
    assert not [name for name in LISTED if name in repr(store.history())]


def test_a_workshop_of_several_role_groups_is_stored_without_one(store, sites):
    bench = InterviewWorkbench(store, who=WHO)
    fill_import(bench, "workshop.md", b"# Workshop\n\nWe met.\n", site="South", role="mixed").import_button.click()
    [record] = store.records("transcript")
    assert record.role_group is None and record.site_id == sites["South"]
    assert "(several role groups, interviewed 31/03/2015): 2 paragraphs, 3 words." in text(bench.importer.status.value)


REFUSED_IMPORTS = [
    ({"name": None}, ["Transcript: choose the file first"]),
    ({"site": ""}, ["Site: choose the site where the interview took place."]),
    ({"role": ""}, ["Interviewee's role group: choose one, or Several role groups for a workshop."]),
    ({"site": "", "role": ""}, ["Site: choose", "Interviewee's role group: choose"]),
    ({"date": ""}, ["Date of the interview is required"]),
    ({"date": "31/02/2015"}, ["Date of the interview must be a real date"]),
    ({"date": "01/01/2999"}, ["Date of the interview is in the future"]),
    ({"name": "notes.pdf"}, ["notes.pdf is a .pdf file; transcripts are read from .txt, .md or .docx."]),
    ({"data": b"   \n"}, ["interview.txt is empty."]),
    ({"data": b"PK\x03\x04junk", "name": "interview.docx"}, ["interview.docx is not a Word document"]),
    ({"names": "Ann, P1, P2"}, ["Names to replace: Line 1 has more than two values"]),
    ({"names": "Ann = Bob\nBob = Ann"}, ["holds the listed name"]),
]


@pytest.mark.parametrize(("change", "said"), REFUSED_IMPORTS)
def test_a_refused_import_says_why_and_stores_nothing(store, sites, change, said):
    bench = InterviewWorkbench(store, who=WHO)
    before, history = held(store), len(store.history())
    values = {"name": "interview.txt", "data": b"Ann: It began.\n", "site": "North", "role": "carer"}
    values |= {"date": "31/03/2015", "names": ""} | change
    panel = bench.importer
    if values["name"] is not None:
        choose_file(panel.file, values["name"], values["data"])
    panel.site.value, panel.role.value = values["site"], values["role"]
    panel.interviewed.value, panel.names.value = values["date"], values["names"]
    assert panel.import_transcript() is None
    shown = text(panel.status.value)
    assert shown.startswith("Not imported: nothing was saved.")
    assert all(words in shown for words in said), shown
    assert "Traceback" not in panel.status.value
    assert held(store) == before and len(store.history()) == history


def test_the_same_file_twice_is_refused_the_second_time(store, sites):
    bench = InterviewWorkbench(store, who=WHO)
    fill_import(bench, "a.txt", b"Ann: It began.\n").import_button.click()
    fill_import(bench, "a copy.txt", b"Ann: It began.\n").import_button.click()
    assert "this site already has a transcript from this very file" in text(bench.importer.status.value)
    assert held(store)["transcript"] == 1


def test_with_no_sites_and_no_transcripts_the_page_says_so(store):
    bench = InterviewWorkbench(store, who=WHO)
    assert "There are no sites yet" in text(bench.importer.sites_note.value)
    assert "No transcripts yet: import one in step 1" in text(bench.coder.empty.value)
    assert bench.coder.transcript.layout.display == "none"
    assert "The store holds no transcripts yet, so nothing has been coded." in text(bench.summary().value)
    assert "Fewer than two people have coded passages yet" in text(bench.comparison.note.value)


# ---- coding ----------------------------------------------------------------------------------------------------


def test_a_paragraph_is_coded_then_a_new_code_added_then_codes_unticked(store, sites, tmp_path):
    record = stored_transcript(store, sites["North"], tmp_path)
    bench = InterviewWorkbench(store, who=WHO)
    panel = open_paragraph(bench, record.id, 2)
    assert text(panel.text.value) == "Paragraph 2 of 4, 7 characters: B: Two."
    assert "No one has coded this paragraph yet." in text(panel.applied.value)
    tick(panel, "lp2", "lp2-stopped-coming")
    panel.memo.value, panel.quote.value = "Says it <b>plainly</b>.", True
    panel.save_button.click()
    assert text(panel.status.value) == (
        "Saved: paragraph 2 of \u201cFour\u201d coded by AB with LP2: Everyone stays actively involved; Stopped coming."
    )
    [saved] = coding.codings(store, transcript_id=record.id)
    assert (saved.paragraph, saved.codes, saved.coder, saved.quote) == (2, ["lp2", "lp2-stopped-coming"], "AB", True)
    assert saved.memo == "Says it <b>plainly</b>." and saved.start_char is None
    assert "Memo: Says it &lt;b&gt;plainly&lt;/b&gt;. May be quoted in reports." in panel.applied.value
    assert CodingPanel.remembered_coder == "AB"

    book = bench.codebook
    book.key.value, book.name.value, book.parent.value = "lp2-transport", "Transport", "lp2"
    book.add_button.click()
    assert "Added the code Transport (lp2-transport)." in text(book.add_status.value)
    assert panel.boxes["lp2"].value and panel.boxes["lp2-stopped-coming"].value  # still ticked after the rebuild
    tick(panel, "lp2-transport")
    tick(panel, "lp2", on=False)
    panel.save_button.click()
    [saved] = coding.codings(store, transcript_id=record.id)
    assert saved.codes == ["lp2-stopped-coming", "lp2-transport"]
    assert "Removed: LP2: Everyone stays actively involved." in text(panel.status.value)

    tick(panel, "lp2-stopped-coming", "lp2-transport", on=False)
    panel.save_button.click()
    assert coding.codings(store, transcript_id=record.id) == []
    assert "none of theirs is left on that passage" in text(panel.status.value)
    assert not any(box.value for box in panel.boxes.values())


def test_the_boxes_show_this_coders_codes_and_the_list_shows_everyones(store, sites, tmp_path):
    record = stored_transcript(store, sites["North"], tmp_path)
    coding.code_passage(store, record.id, 3, ["lp4"], "CD", memo="<script>alert(1)</script>")
    coding.code_passage(store, record.id, 3, ["lp6"], "AB")
    bench = InterviewWorkbench(store, who=WHO)
    panel = open_paragraph(bench, record.id, 3, coder="AB")
    assert [key for key, box in panel.boxes.items() if box.value] == ["lp6"]
    listed = text(panel.applied.value)
    assert listed.index("AB (you), whole paragraph: LP6") < listed.index("CD, whole paragraph: LP4")
    assert "<script>" not in panel.applied.value and "&lt;script&gt;" in panel.applied.value
    panel.coder.value = "CD"
    assert [key for key, box in panel.boxes.items() if box.value] == ["lp4"]
    panel.paragraph.value = 1
    assert not any(box.value for box in panel.boxes.values())


def test_part_of_a_paragraph_is_coded_by_its_characters(store, sites, tmp_path):
    record = stored_transcript(store, sites["North"], tmp_path)
    bench = InterviewWorkbench(store, who=WHO)
    panel = open_paragraph(bench, record.id, 3)
    tick(panel, "lp5")
    panel.first_char.value, panel.last_char.value = "4", "9"
    assert panel.boxes["lp5"].value  # typing the range kept the tick
    panel.save_button.click()
    [saved] = coding.codings(store, transcript_id=record.id)
    assert (saved.start_char, saved.end_char) == (3, 9)
    assert record.paragraphs[2][1][3:9] == "Three."
    assert "(characters 4 to 9) coded by AB" in text(panel.status.value)
    panel.first_char.value = panel.last_char.value = ""
    assert not panel.boxes["lp5"].value  # the whole paragraph is another passage, not yet coded by AB
    tick(panel, "lp6")
    panel.first_char.value, panel.last_char.value = "4", "9"
    assert [key for key, box in panel.boxes.items() if box.value] == ["lp5"]  # AB's codes on that range
    assert "AB (you), characters 4 to 9: LP5" in text(panel.applied.value)


REFUSED_SAVES = [
    ({"coder": ""}, "Your name (as coder): type it first, so the coding says who did it."),
    ({"codes": ()}, "Codes: tick at least one code that applies to this passage."),
    ({"range": ("2", "")}, "To character: type a number too, or leave both empty for the whole paragraph."),
    ({"range": ("2", "99")}, "To character: type a whole number from 1 to 7 (the paragraph's length)."),
]


@pytest.mark.parametrize(("change", "said"), REFUSED_SAVES)
def test_a_refused_save_says_what_to_do_and_saves_nothing(store, sites, tmp_path, change, said):
    record = stored_transcript(store, sites["North"], tmp_path)
    bench = InterviewWorkbench(store, who=WHO)
    panel = open_paragraph(bench, record.id, 1, coder=change.get("coder", "AB"))
    tick(panel, *change.get("codes", ("lp1",)))
    panel.first_char.value, panel.last_char.value = change.get("range", ("", ""))
    history = len(store.history())
    assert panel.save() is None
    assert text(panel.status.value).startswith("Not saved: put these right first.")
    assert said in text(panel.status.value)
    assert coding.codings(store) == [] and len(store.history()) == history


def test_a_paragraph_holding_markup_is_shown_as_text(store, sites, tmp_path):
    data = b"Ann: <script>alert('x')</script> & <b>bold</b>\n\nBob: fine.\n"
    record = stored_transcript(store, sites["North"], tmp_path, data, "markup.txt")
    bench = InterviewWorkbench(store, who=WHO)
    panel = open_paragraph(bench, record.id, 1)
    assert "<script" not in panel.text.value and "<b>" not in panel.text.value
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in panel.text.value
    assert panel.paragraph.options[0] == ("1. Ann: <script>alert('x')</script> & <b>bold</b>", 1)  # a label: text


def test_previous_and_next_move_one_paragraph_and_stop_at_the_ends(store, sites, tmp_path):
    record = stored_transcript(store, sites["North"], tmp_path)
    panel = open_paragraph(InterviewWorkbench(store, who=WHO), record.id, 1)
    panel.previous.click()
    assert panel.paragraph.value == 1 and "This is the first paragraph" in text(panel.status.value)
    for _ in range(5):
        panel.next.click()
    assert panel.paragraph.value == 4 and "This is the last paragraph" in text(panel.status.value)
    assert text(panel.text.value).startswith("Paragraph 4 of 4")


def test_only_the_chosen_transcripts_paragraphs_are_built(store, sites, tmp_path):
    first = stored_transcript(store, sites["North"], tmp_path)
    second = stored_transcript(store, sites["South"], tmp_path, b"One.\n\nTwo.\n", "two.txt")
    bench = InterviewWorkbench(store, who=WHO)
    assert bench.coder.paragraph.options == ()
    assert [label for label, _ in bench.coder.transcript.options] == [
        "Choose a transcript", "North \u2014 Four, Carer", "South \u2014 Two, Carer"]  # fmt: skip
    bench.coder.transcript.value = second.id
    assert [value for _, value in bench.coder.paragraph.options] == [1, 2]
    bench.coder.transcript.value = first.id
    assert len(bench.coder.paragraph.options) == 4


# ---- the codebook ----------------------------------------------------------------------------------------------


def test_the_codebook_lists_codes_in_tree_order_escaped_and_takes_memos(store):
    bench = InterviewWorkbench(store, who=WHO)
    book = bench.codebook
    book.key.value, book.name.value, book.definition.value = "lp3-money", "Money <i>talk</i>", "Budgets & <b>cost</b>"
    book.parent.value, book.codable.value = "lp3", False
    book.add_button.click()
    listing = book.listing.value
    assert "Money &lt;i&gt;talk&lt;/i&gt; (groups codes; not used for coding)" in listing
    assert "Budgets &amp; &lt;b&gt;cost&lt;/b&gt;" in listing and "<i>" not in listing
    order = re.findall(r"<td>(lp[\w-]+)</td>", listing)
    assert order.index("lp3") < order.index("lp3-non-negotiables") < order.index("lp3-money") < order.index("lp4")
    assert "lp3-money" not in bench.coder.boxes  # it only groups codes
    assert "Money <i>talk</i> (groups the codes under it)" not in every_html(bench.coder.widget)

    book.memo_code.value = "lp2"
    assert "No memos on LP2: Everyone stays actively involved yet." in text(book.memo_list.value)
    book.memo_button.click()
    assert "Memo: type the memo." in text(book.memo_status.value) and held(store)["code_memo"] == 0
    book.memo_text.value, book.written_by.value = "Covers <em>drift</em> too.", "AB"
    book.memo_button.click()
    assert "Covers &lt;em&gt;drift&lt;/em&gt; too." in book.memo_list.value
    [memo] = coding.memos(store, "lp2")
    assert (memo.written_by, memo.text) == ("AB", "Covers <em>drift</em> too.")


def test_a_code_that_cannot_be_added_says_why(store):
    book = InterviewWorkbench(store, who=WHO).codebook
    book.key.value, book.name.value = "LP2 Transport", "Transport"
    book.add_button.click()
    assert "can use only lower-case letters" in text(book.add_status.value)
    book.key.value = "lp2"
    book.add_button.click()
    assert "'lp2' is already a code in the codebook" in text(book.add_status.value)
    assert held(store)["interview_code"] == 0


# ---- two coders ------------------------------------------------------------------------------------------------


def test_two_coders_with_nothing_in_common_are_told_so_never_a_kappa(store, sites, tmp_path):
    first = stored_transcript(store, sites["North"], tmp_path)
    second = stored_transcript(store, sites["North"], tmp_path, b"One.\n\nTwo.\n", "two.txt")
    coding.code_passage(store, first.id, 1, ["lp1"], "AB")
    bench = InterviewWorkbench(store, who=WHO)
    assert "so far only AB" in text(bench.comparison.note.value)
    bench.comparison.compare_button.click()
    assert "Choose two different coders to compare." in text(bench.comparison.result.value)
    coding.code_passage(store, second.id, 1, ["lp1"], "CD")
    bench.comparison.refresh()
    assert (bench.comparison.first.value, bench.comparison.second.value) == ("AB", "CD")
    bench.comparison.compare_button.click()
    said = text(bench.comparison.result.value)
    assert said.startswith("No transcript has been coded by both AB and CD yet: AB has coded 1 transcript and CD 1")
    assert "kappa" not in said.lower() and "<table" not in bench.comparison.result.value


def test_two_coders_agreement_matches_the_hand_worked_figures(store, sites, tmp_path):
    """Four paragraphs; AB applies LP2 to 1 and 2, CD to 1, 2 and 3: both 2, CD only 1, neither 1.
    po = 3/4; AB's rate 1/2, CD's 3/4; pe = 1/2 x 3/4 + 1/2 x 1/4 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 0.50."""
    record = stored_transcript(store, sites["North"], tmp_path)
    alone = stored_transcript(store, sites["North"], tmp_path, b"One.\n\nTwo.\n", "two.txt")
    bench = InterviewWorkbench(store, who=WHO)
    for coder, paragraphs in (("AB", (1, 2)), ("CD", (1, 2, 3))):
        for number in paragraphs:
            panel = open_paragraph(bench, record.id, number, coder=coder)
            tick(panel, "lp2")
            panel.save_button.click()
    open_paragraph(bench, alone.id, 1, coder="AB")
    tick(bench.coder, "lp2")  # LP2 is the only code either used
    bench.coder.save_button.click()
    assert [label for label, _ in bench.comparison.first.options] == ["Choose a coder", "AB", "CD"]

    comparison = bench.comparison.compare()
    assert comparison.agreement.overall.kappa.value == pytest.approx(0.5)
    html = bench.comparison.result.value
    said = text(html)
    assert "Compared on 1 transcript both coded (4 paragraphs, headings aside); left out: 1 transcript coded by " \
           "AB only." in said  # fmt: skip
    assert "Overall: 75.0% agreement. Pooled kappa 0.50: moderate agreement" in said
    rows = [text(row) for row in re.findall(r"<tr>.*?</tr>", html)]
    assert "LP2: Everyone stays actively involved 2 0 1 1 75.0% kappa 0.50: moderate agreement" in rows
    assert "Four 3 LP2: Everyone stays actively involved CD AB C: Three." not in rows  # paragraph 3 is A's turn
    assert "Four 3 LP2: Everyone stays actively involved CD AB A: Three." in rows
    assert "1 disagreement to discuss" in said


def test_every_input_has_a_label_in_words(store, sites):
    bench = InterviewWorkbench(store, who=WHO)

    def inputs(widget):
        for child in getattr(widget, "children", ()):
            yield from inputs(child)
        if isinstance(widget, widgets.ValueWidget | widgets.Button | widgets.FileUpload) and not isinstance(
            widget, widgets.HTML
        ):
            yield widget

    parts = [bench.importer.widget, bench.coder.widget, bench.codebook.widget, bench.comparison.widget]
    found = [control for part in parts for control in inputs(part)]
    assert len(found) > 20
    assert all(control.description.strip() for control in found), [type(c).__name__ for c in found]
