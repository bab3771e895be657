"""Transcripts imported into the store, passages coded through the Python API, two coders compared, excerpts
found, and a withdrawn interview gone from the records and the history."""

from __future__ import annotations

import pytest

from coprod_widgets import audit
from coprod_widgets.interviews import coding, compare, excerpts, importing
from coprod_widgets.interviews.transcripts import TranscriptUnreadable
from coprod_widgets.interviews.withdrawal import WITHDRAWN, withdraw_transcript
from coprod_widgets.problems import RecordInvalid
from coprod_widgets.store import Store

WHO = "test"
ANN_SAYS = "Ann: Ann's group met Bob at the hospital. They listened to us, for once."
BOB_SAYS = "Bob: I stopped coming when the meetings moved to the afternoon."
TEXT = f"# Interview with a carer\n\nInterviewer: How did it start?\n\n{ANN_SAYS}\n\n{BOB_SAYS}\n"
NAMES = {"Ann": "Person 1", "Bob": "Person 2"}


@pytest.fixture
def north(store: Store) -> int:
    programme = store.add("programme", {"name": "Interviews"}, WHO)
    for name in ("North", "South"):
        site = {"programme_id": programme.id, "name": name, "service_issue": "Foot care", "start_date": "2015-01-01"}
        store.add("site", site, WHO)
    return store.site_named("North").id


def imported(store, tmp_path, text=TEXT, name="interview 1.md", site="North", names=NAMES, **more):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    values = {"role_group": "Carer", "interviewed": "03/03/2015", "who": WHO, "names": names, **more}
    return importing.import_transcript(store, path, site, **values)


# ---- import ------------------------------------------------------------------------------------------------


def test_an_import_stores_numbered_paragraphs_with_the_names_replaced(store, north, tmp_path):
    result = imported(store, tmp_path)
    record = store.get("transcript", result.record.id)
    assert [kind for kind, _text in record.paragraphs] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert (
        record.text_of(3) == "Person 1: Person 1's group met Person 2 at the hospital. They listened to us, for once."
    )
    assert (record.role_group.value, record.interviewed.isoformat(), record.file_format) == (
        "carer",
        "2015-03-03",
        "markdown",
    )
    assert record.names_replaced == 4 and result.replaced == {"Ann": 2, "Bob": 2}
    assert (result.paragraphs, record.title) == (4, "Interview 1")
    stored = repr(store.all_records()) + repr(store.history("transcript", record.id))
    assert "Ann" not in stored and "Bob" not in stored


def test_a_listed_name_in_the_title_or_file_name_is_replaced_too(store, north, tmp_path):
    result = imported(store, tmp_path, name="Ann interview.txt", title="Ann at home")
    assert (result.record.title, result.record.file_name) == ("Person 1 at home", "Person 1 interview.txt")


def test_a_name_listed_but_not_found_is_reported_for_a_check(store, north, tmp_path):
    result = imported(store, tmp_path, names={**NAMES, "Cerys": "Person 3"})
    assert result.names_not_found == ["Cerys"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"site": "Nowhere"}, "There is no site called 'Nowhere'"),
        ({"role_group": "Plumber"}, "Interviewee's role group: 'Plumber' is not one"),
        ({"interviewed": "2999-01-01"}, "Date of the interview is in the future"),
        ({"interviewed": "31/02/2015"}, "Date of the interview"),
    ],
)
def test_a_refused_import_says_why_and_stores_nothing(store, north, tmp_path, change, says):
    with pytest.raises((RecordInvalid, importing.TranscriptRefused), match=says):
        imported(store, tmp_path, **change)
    assert store.records("transcript") == []


def test_the_same_file_twice_at_a_site_is_refused_but_another_site_may_hold_it(store, north, tmp_path):
    imported(store, tmp_path)
    with pytest.raises(RecordInvalid, match="already has a transcript from this very file"):
        imported(store, tmp_path)
    assert imported(store, tmp_path, site="South").record.site_id != north


def test_an_unreadable_file_is_refused(store, north, tmp_path):
    with pytest.raises(TranscriptUnreadable, match="transcripts are read from .txt, .md or .docx"):
        imported(store, tmp_path, name="interview.pdf")


@pytest.mark.parametrize(
    ("given", "stored"), [("carer", "carer"), ("Carer", "carer"), ("mixed", None), ("", None), (None, None)]
)
def test_a_role_group_is_its_code_its_label_or_several(given, stored):
    assert importing.role_group_of(given) == stored


# ---- coding ------------------------------------------------------------------------------------------------


@pytest.fixture
def transcript(store, north, tmp_path):
    return imported(store, tmp_path).record


def test_codes_applied_later_join_the_coders_earlier_codes_on_the_passage(store, transcript):
    first = coding.code_passage(store, transcript.id, 3, ["lp2"], "AB")
    again = coding.code_passage(store, transcript.id, 3, ["lp1", "lp2"], "AB", memo="Check the minutes.", quote=True)
    assert (
        again.id == first.id
        and again.codes == ["lp2", "lp1"]
        and (again.memo, again.quote) == ("Check the minutes.", True)
    )
    assert [line.action for line in store.history("coding", first.id)] == ["insert", "update"]
    other = coding.code_passage(store, transcript.id, 3, ["lp2"], "CD")
    assert other.id != first.id


def test_a_range_of_the_whole_text_codes_each_paragraph_it_touches(store, transcript):
    text = coding.transcript_text(transcript)
    start = text.index("They listened")
    end = text.index("afternoon") + len("afternoon.")
    found = coding.code_range(store, transcript.id, start, end, ["lp2-stopped-coming"], "AB")
    third = transcript.text_of(3)
    assert [(c.paragraph, c.start_char, c.end_char) for c in found] == [
        (3, third.index("They listened"), len(third)),
        (4, None, None),  # the whole paragraph
    ]
    assert coding.passage_text(
        transcript, coding.Passage(transcript.id, 3, found[0].start_char, found[0].end_char)
    ) == ("They listened to us, for once.")


@pytest.mark.parametrize(
    ("paragraph", "codes", "more", "says"),
    [
        (9, ["lp2"], {}, "has 4 paragraphs, not 9"),
        (3, ["lp9"], {}, "'lp9' is not a code in the codebook"),
        (3, [], {}, "choose at least one code"),
        (3, ["lp2"], {"start_char": 5}, "give both ends of the passage"),
        (3, ["lp2"], {"start_char": 5, "end_char": 5}, r"To character \(5\) must come after From character \(5\)"),
        (3, ["lp2"], {"start_char": 0, "end_char": 999}, "paragraph 3 has 87 characters, not 999"),
    ],
)
def test_a_refused_coding_names_the_field_and_saves_nothing(store, transcript, paragraph, codes, more, says):
    with pytest.raises(RecordInvalid, match=says):
        coding.code_passage(store, transcript.id, paragraph, codes, "AB", **more)
    assert coding.codings(store) == []


def test_a_range_in_the_gap_between_paragraphs_or_outside_the_text_is_refused(store, transcript):
    text = coding.transcript_text(transcript)
    gap = text.index("\n\n")
    for start, end in ((gap, gap + 2), (0, len(text) + 1), (10, 10)):
        with pytest.raises(RecordInvalid, match="To character"):
            coding.code_range(store, transcript.id, start, end, ["lp1"], "AB")


def test_uncoding_the_last_code_removes_the_passage(store, transcript):
    coded = coding.code_passage(store, transcript.id, 3, ["lp1", "lp2"], "AB")
    assert coding.uncode(store, coded.id, ["lp1"], WHO).codes == ["lp2"]
    assert coding.uncode(store, coded.id, ["lp2"], WHO) is None
    assert coding.codings(store) == []


def test_team_codes_sit_under_the_learning_points_and_carry_memos(store, transcript):
    coding.add_code(store, "lp2-transport", "Getting there", "Travel made it hard to take part.", parent="lp2", who=WHO)
    book = coding.codebook(store)
    assert [code.key for code in book.children("lp2")][-1] == "lp2-transport"
    coding.code_passage(store, transcript.id, 4, ["lp2-transport"], "AB")
    coding.write_memo(store, "lp2-transport", "Includes parking.", "AB")
    assert [memo.text for memo in coding.memos(store, "lp2-transport")] == ["Includes parking."]
    with pytest.raises(RecordInvalid, match="'lp2' is already a code"):
        coding.add_code(store, "lp2", "Again", who=WHO)
    with pytest.raises(RecordInvalid, match="'lp99' is not a code in the codebook"):
        coding.add_code(store, "lp99-x", "Orphan", parent="lp99", who=WHO)
    with pytest.raises(RecordInvalid, match="Code: 'nope' is not a code"):
        coding.write_memo(store, "nope", "text", "AB")


def test_codes_from_another_tool_are_added_once(store, north):
    from coprod_widgets.interviews.codebook import Code

    incoming = [Code("travel", "Travel"), Code("buses", "Buses", parent="travel"), *coding.codebook(store)]
    assert [code.key for code in coding.add_codes(store, incoming, WHO)] == ["travel", "buses"]
    assert coding.add_codes(store, incoming, WHO) == []


def test_a_heading_only_code_cannot_be_applied(store, transcript):
    coding.add_code(store, "themes", "Themes", codable=False, who=WHO)
    with pytest.raises(RecordInvalid, match="'themes' only groups other codes"):
        coding.code_passage(store, transcript.id, 3, ["themes"], "AB")


# ---- two coders and excerpts -------------------------------------------------------------------------------


def test_two_coders_are_compared_on_every_paragraph_of_the_transcripts_both_coded(store, transcript, tmp_path):
    coding.code_passage(store, transcript.id, 3, ["lp2"], "AB")
    coding.code_passage(store, transcript.id, 4, ["lp2"], "AB")
    coding.code_passage(store, transcript.id, 3, ["lp2"], "CD", start_char=0, end_char=10)  # part counts
    second = imported(store, tmp_path, text=BOB_SAYS, name="interview 2.txt").record
    coding.code_passage(store, second.id, 1, ["lp1"], "AB")  # only AB coded it: left out
    result = compare.compare_coders(store, "AB", "CD")
    assert result.transcripts == (transcript.id,) and result.only_first == (second.id,)
    lp2 = result.agreement.for_code("lp2")
    # Units: paragraphs 2, 3 and 4 (the heading is not a passage). Both applied lp2 to 3; AB alone to 4.
    assert (lp2.table.both, lp2.table.only_a, lp2.table.only_b, lp2.table.neither) == (1, 1, 0, 1)
    assert lp2.kappa.percent_agreement == pytest.approx(200 / 3)
    assert lp2.kappa.value == pytest.approx(0.4)  # po 2/3, pe (2/3*1/3 + 1/3*2/3) = 4/9: (6/9-4/9)/(5/9)
    assert result.disagreement_rows() == [
        {"transcript": "Interview 1", "paragraph": 4, "code": "lp2", "applied by": "AB", "not applied by": "CD",
         "text": transcript.text_of(4)}
    ]  # fmt: skip


def test_excerpts_carry_site_and_role_and_the_strongest_prefer_quotes_and_agreement(store, transcript):
    coding.code_passage(store, transcript.id, 4, ["lp2-stopped-coming"], "AB")
    coding.code_passage(store, transcript.id, 4, ["lp2-stopped-coming"], "CD")
    coding.code_passage(store, transcript.id, 3, ["lp2"], "AB", quote=True)
    coding.code_passage(store, transcript.id, 2, ["lp2"], "AB")
    found = excerpts.excerpts(store)
    assert {(e.site, e.role_label, e.code) for e in found} >= {("North", "Carer", "lp2-stopped-coming")}
    best = excerpts.strongest(found, coding.codebook(store), "lp2", limit=3)
    assert [e.paragraph for e in best] == [3, 4, 2]  # marked to quote, then two coders, then the rest
    assert excerpts.strongest(found, coding.codebook(store), "lp5") == []


def test_a_long_passage_is_quoted_to_a_sentence_end():
    text = "One two three. " * 30
    assert excerpts.quoted(text).endswith("three. …")
    assert len(excerpts.quoted(text).split()) <= excerpts.QUOTE_WORDS + 1


# ---- withdrawal --------------------------------------------------------------------------------------------


def test_a_withdrawn_interview_leaves_the_records_and_the_historys_text(store, transcript):
    coded = coding.code_passage(store, transcript.id, 3, ["lp2"], "AB", memo="They listened, she says.")
    done = withdraw_transcript(store, transcript.id, "withdrew by e-mail, 3 May", WHO)
    assert (done.codings_deleted, done.site) == (1, "North")
    assert store.records("transcript") == [] and coding.codings(store) == []
    lines = store.history("coding", coded.id) + store.history("transcript", transcript.id)
    text = repr([(line.old, line.new) for line in lines])
    assert "listened" not in text and "Interview 1" not in text and WITHDRAWN in text
    assert [line.action for line in lines] == ["insert", "delete", "insert", "delete", "erase"]
    assert "withdrew by e-mail" in repr(lines[-1].new)
    with store.engine.connect() as conn:
        assert audit.verify(conn).ok
    with pytest.raises(RecordInvalid, match="Reason"):
        withdraw_transcript(store, transcript.id, " ", WHO)


def test_filters_keep_the_interviews_of_the_dates_and_role_groups_chosen_with_their_coding(store, tmp_path, north):
    from coprod_widgets.evaluation.data import load_programme

    carer = imported(store, tmp_path).record  # interviewed 3 March 2015
    workshop = imported(
        store, tmp_path, text=BOB_SAYS, name="workshop.txt", role_group="mixed", interviewed="2016-05-01"
    ).record
    for transcript in (carer, workshop):
        coding.code_passage(store, transcript.id, 1, ["lp1"], "AB")  # coded today, long after both
    cases = [
        ({}, {carer.id, workshop.id}),
        ({"start": "2015-01-01", "end": "2015-12-31"}, {carer.id}),
        ({"groups": ["carer"]}, {carer.id}),
        ({"groups": ["clinician"]}, set()),
    ]
    for filters, kept in cases:
        data = load_programme(store, **filters)
        assert set(data["transcript"]["id"]) == kept, filters
        assert set(data["coding"]["transcript_id"]) == kept, filters


def test_erasing_a_partner_scrubs_their_name_from_transcripts_and_memos(store, north, tmp_path):
    from coprod_widgets.erasure import erase_partner

    partner = {"site_id": north, "display_name": "Rosalind", "role_group": "carer", "joined": "2015-01-05"}
    store.add("partner", partner, WHO)
    said = "Person 1: Rosalind chaired the second workshop and Rosalind's notes went to the board."
    transcript = imported(store, tmp_path, text=said, name="chair.txt", names=None).record
    coding.code_passage(store, transcript.id, 1, ["lp4"], "AB", memo="Rosalind led this.")
    erase_partner(store, "North", "Rosalind", "asked by e-mail", WHO)
    stored = repr(store.records("transcript")) + repr(coding.codings(store)) + repr(store.history())
    assert "Rosalind" not in stored and "erased partner P-" in store.get("transcript", transcript.id).text_of(1)


def test_setting_a_coders_codes_replaces_them_in_one_go_and_none_removes_the_passage(store, transcript):
    passage = coding.Passage(transcript.id, 3)
    first = coding.set_codes(store, passage, ["lp1", "lp2"], "AB", memo="First look.")
    second = coding.set_codes(store, passage, ["lp2", "lp4"], "AB")
    assert second.id == first.id and second.codes == ["lp2", "lp4"] and second.memo == "First look."
    with pytest.raises(RecordInvalid, match="'lp9' is not a code"):
        coding.set_codes(store, passage, ["lp2", "lp9"], "AB")
    assert store.get("coding", first.id).codes == ["lp2", "lp4"]  # refused whole: nothing half-changed
    assert coding.set_codes(store, passage, [], "AB") is None and coding.codings(store) == []


def test_going_back_before_0007_is_refused_while_interviews_are_held_and_drops_the_tables_when_none(store, transcript):
    from alembic import command
    from sqlalchemy import inspect

    from coprod_widgets.schema_version import HEAD
    from coprod_widgets.upgrade import _config

    coding.code_passage(store, transcript.id, 3, ["lp2"], "AB")
    with pytest.raises(RuntimeError, match="1 transcript"), store.engine.begin() as conn:  # rolled back
        command.downgrade(_config(conn), "0006_survey_evidence")
    assert store.schema_state().revision == HEAD and len(coding.codings(store)) == 1
    withdraw_transcript(store, transcript.id, "test", WHO)
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), "0006_survey_evidence")
    tables = set(inspect(store.engine).get_table_names())
    assert not tables & {"transcript", "interview_code", "coding", "code_memo"} and "survey" in tables
