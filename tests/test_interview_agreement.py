"""Agreement between two coders of interview transcripts, against values worked out by hand.

The cases are data: 2x2 tables (both applied, only A, only B, neither) with the percent agreement, expected
agreement and kappa worked out in the comments beside them; each table is turned into two coders' codings so
every case goes through the same entry point evaluators use. Notation: n units, po = (both + neither) / n,
A's rate = (both + only A) / n, B's rate = (both + only B) / n, pe = rateA * rateB + (1 - rateA) * (1 - rateB),
kappa = (po - pe) / (1 - pe).
"""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprod_widgets.interviews.agreement import (
    Disagreement,
    Table,
    coder_agreement,
    cohen_kappa,
    describe_kappa,
    kappa_band,
)

# (name, (both, only A, only B, neither), percent agreement, expected agreement pe, kappa)
KAPPA_CASES = [
    # n = 50; po = (10 + 40) / 50 = 1; rates 10/50 = 0.2 each; pe = 0.2*0.2 + 0.8*0.8 = 0.04 + 0.64 = 0.68;
    # kappa = (1 - 0.68) / (1 - 0.68) = 1
    ("perfect agreement", (10, 0, 0, 40), 100.0, 0.68, 1.0),
    # n = 50; po = (0 + 0) / 50 = 0; rates 25/50 = 0.5 each; pe = 0.25 + 0.25 = 0.5; kappa = (0 - 0.5) / 0.5 = -1
    ("complete disagreement, balanced", (0, 25, 25, 0), 0.0, 0.5, -1.0),
    # n = 100; po = (25 + 25) / 100 = 0.5; rates 50/100 = 0.5 each; pe = 0.5; kappa = (0.5 - 0.5) / 0.5 = 0
    ("chance level", (25, 25, 25, 25), 50.0, 0.5, 0.0),
    # n = 50; po = (20 + 15) / 50 = 0.70; rate A = 25/50 = 0.5, rate B = 30/50 = 0.6;
    # pe = 0.5*0.6 + 0.5*0.4 = 0.30 + 0.20 = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.20 / 0.50 = 0.40
    ("unequal marginals", (20, 5, 10, 15), 70.0, 0.5, 0.4),
    # n = 10; po = 0; rate A = 1, rate B = 0; pe = 1*0 + 0*1 = 0; kappa = (0 - 0) / (1 - 0) = 0: defined
    ("one always, the other never", (0, 10, 0, 0), 0.0, 0.0, 0.0),
]

# (name, (both, only A, only B, neither), percent agreement, fragment of the reason kappa is undefined)
UNDEFINED_CASES = [
    # n = 12; po = 12/12 = 1; rates 0; pe = 0*0 + 1*1 = 1; kappa = (1 - 1) / (1 - 1) = 0/0
    ("neither coder ever applied it", (0, 0, 0, 12), 100.0, "neither coder applied it on the 12 units both saw"),
    # n = 12; po = 1; rates 1; pe = 1*1 + 0*0 = 1; kappa = 0/0
    ("both coders always applied it", (12, 0, 0, 0), 100.0, "both coders applied it on all 12 units both saw"),
    # n = 0: nothing to compare
    ("no units compared", (0, 0, 0, 0), None, "no units both coders saw"),
]

# (kappa, band): the Landis & Koch boundaries, each side
BAND_CASES = [
    (-1.0, "less than chance"),
    (-0.01, "less than chance"),
    (-0.004, "slight"),  # shown as 0.00, so banded as 0.00
    (0.0, "slight"),
    (0.20, "slight"),
    (0.2049, "slight"),  # shown as 0.20
    (0.2051, "fair"),  # shown as 0.21
    (0.21, "fair"),
    (0.40, "fair"),
    (0.41, "moderate"),
    (0.60, "moderate"),
    (0.61, "substantial"),
    (0.80, "substantial"),
    (0.81, "almost perfect"),
    (1.0, "almost perfect"),
]


def codings_from_tables(tables: dict[str, tuple[int, int, int, int]]) -> tuple[dict, dict]:
    """Two coders' codings giving each code its table; every code's table must cover the same n units."""
    (n,) = {sum(counts) for counts in tables.values()}
    coder_a = {("t1", paragraph): set() for paragraph in range(n)}
    coder_b = {("t1", paragraph): set() for paragraph in range(n)}
    for code, (both, only_a, only_b, _neither) in tables.items():
        for paragraph in range(both + only_a):
            coder_a[("t1", paragraph)].add(code)
        for paragraph in [*range(both), *range(both + only_a, both + only_a + only_b)]:
            coder_b[("t1", paragraph)].add(code)
    return coder_a, coder_b


@pytest.mark.parametrize(
    ("name", "counts", "percent", "expected", "kappa"), KAPPA_CASES, ids=[case[0] for case in KAPPA_CASES]
)
def test_kappa_against_hand_worked_tables(name, counts, percent, expected, kappa):
    coder_a, coder_b = codings_from_tables({"lp1": counts})
    result = coder_agreement(coder_a, coder_b).for_code("lp1")
    assert result.table == Table(*counts)
    assert result.units == sum(counts)
    assert result.percent_agreement == pytest.approx(percent)
    assert result.kappa.expected == pytest.approx(expected)
    assert result.kappa.value == pytest.approx(kappa)
    assert result.kappa.reason is None
    assert cohen_kappa(Table(*counts)) == result.kappa


def test_worked_example_is_exact():
    # Exact fractions inside: 0.20 / 0.50 comes out as the float 0.4, not 0.39999999999999997.
    kappa = cohen_kappa(Table(20, 5, 10, 15))
    assert (kappa.observed, kappa.expected, kappa.value, kappa.percent_agreement) == (0.7, 0.5, 0.4, 70.0)
    assert kappa.describe() == "kappa 0.40: fair agreement"


@pytest.mark.parametrize(
    ("name", "counts", "percent", "reason"), UNDEFINED_CASES, ids=[case[0] for case in UNDEFINED_CASES]
)
def test_undefined_kappa_is_none_with_a_reason(name, counts, percent, reason):
    kappa = cohen_kappa(Table(*counts))
    assert kappa.value is None
    assert reason in kappa.reason
    assert kappa.percent_agreement == percent
    assert kappa.describe() == f"kappa undefined: {kappa.reason}"


def test_a_code_in_the_codebook_neither_coder_used_has_no_kappa():
    coder_a, coder_b = codings_from_tables({"lp1": (20, 5, 10, 15)})
    result = coder_agreement(coder_a, coder_b, codebook=["lp1", "lp9"])
    unused = result.for_code("lp9")
    assert unused.table == Table(0, 0, 0, 50)
    assert unused.kappa.value is None
    assert "neither coder applied it on the 50 units both saw" in unused.kappa.reason
    assert result.overall.codes_without_kappa == ("lp9",)


def test_only_units_both_coders_saw_are_compared():
    coder_a = {
        ("t1", 1): {"lp1"},
        ("t1", 2): {"lp1"},
        ("t1", 3): set(),  # listed with no code: seen
        ("t2", 1): {"lp1", "lp2"},  # B never saw it: left out, though A applied two codes
    }
    coder_b = {
        ("t1", 1): {"lp1"},
        ("t1", 3): {"lp1"},
        ("t1", 4): {"lp2"},  # A never saw it: left out
    }
    # ("t1", 2) is in B's seen set with no code, so it is compared; ("t1", 5) is in A's seen set only.
    result = coder_agreement(coder_a, coder_b, seen_a=[("t1", 5)], seen_b=[("t1", 2)])
    assert result.units == (("t1", 1), ("t1", 2), ("t1", 3))
    assert result.only_a == (("t1", 5), ("t2", 1))
    assert result.only_b == (("t1", 4),)
    # lp1 on the three compared units: t1/1 both, t1/2 A only, t1/3 B only.
    assert result.for_code("lp1").table == Table(1, 1, 1, 0)
    # lp2 was applied only on units left out: on the compared units nobody applied it.
    assert result.for_code("lp2").table == Table(0, 0, 0, 3)
    assert result.for_code("lp2").kappa.value is None


def test_disagreements_list_unit_then_code_with_who_applied_it():
    coder_a = {("t2", 1): {"lp2", "team/trust"}, ("t1", 10): {"lp1"}, ("t1", 9): {"lp1", "lp3"}}
    coder_b = {("t2", 1): {"lp1"}, ("t1", 10): {"lp1"}, ("t1", 9): set()}
    result = coder_agreement(coder_a, coder_b, coders=("Sam", "Ravi"))
    # Paragraph 9 before 10 (tuples sort by number, not as text); codes in order within a unit.
    assert result.disagreements == (
        Disagreement(("t1", 9), "lp1", "Sam"),
        Disagreement(("t1", 9), "lp3", "Sam"),
        Disagreement(("t2", 1), "lp1", "Ravi"),
        Disagreement(("t2", 1), "lp2", "Sam"),
        Disagreement(("t2", 1), "team/trust", "Sam"),
    )


def test_pooled_overall_against_hand_worked_values():
    tables = {
        "lp1": (20, 5, 10, 15),  # po = 0.70, pe = 0.50, kappa = 0.40 (above)
        "lp2": (10, 0, 0, 40),  # po = 1, pe = 0.68, kappa = 1 (above)
        "lp3": (0, 0, 0, 50),  # po = 1, pe = 1, kappa undefined
    }
    coder_a, coder_b = codings_from_tables(tables)
    # lp3 is used by nobody, so only the codebook brings it in.
    overall = coder_agreement(coder_a, coder_b, codebook=tables).overall
    # Summed table: both 20+10+0 = 30, only A 5, only B 10, neither 15+40+50 = 105; 150 decisions.
    assert overall.table == Table(30, 5, 10, 105)
    assert overall.decisions == 150
    # mean po = (0.70 + 1 + 1) / 3 = 0.90 = (30 + 105) / 150, the summed table's agreement.
    assert overall.kappa.percent_agreement == pytest.approx(90.0)
    # mean pe = (0.50 + 0.68 + 1) / 3 = 2.18 / 3;
    # pooled kappa = (2.70/3 - 2.18/3) / (3/3 - 2.18/3) = 0.52 / 0.82 = 26/41 = 0.6341...
    assert overall.kappa.expected == pytest.approx(2.18 / 3)
    assert overall.kappa.value == pytest.approx(26 / 41)
    # Mean of the defined per-code kappas: (0.40 + 1) / 2 = 0.70, lp3 left out.
    assert overall.mean_kappa == pytest.approx(0.70)
    assert (overall.codes_with_kappa, overall.codes_without_kappa) == (2, ("lp3",))
    assert overall.describe() == (
        "Pooled kappa 0.63: substantial agreement over 150 code x unit decisions; "
        "mean of per-code kappas 0.70 (substantial) over 2 codes; 1 code left out because kappa is undefined."
    )

    # Without the unused code: mean po = 1.70 / 2 = 0.85, mean pe = 1.18 / 2 = 0.59,
    # kappa = 0.26 / 0.41 = 26/41 again: a never-used code does not move the pooled kappa.
    del tables["lp3"]
    coder_a, coder_b = codings_from_tables(tables)
    assert coder_agreement(coder_a, coder_b).overall.kappa.value == pytest.approx(26 / 41)


@pytest.mark.parametrize(
    ("coder_a", "coder_b", "codebook", "reason"),
    [
        ({"u1": set()}, {"u1": set()}, [], "no code was applied or listed in the codebook"),
        ({"u1": {"lp1"}}, {"u2": {"lp1"}}, [], "no units both coders saw"),
        # lp1 on both units by both (pe = 1), lp9 by neither (pe = 1): mean pe = 1
        ({"u1": {"lp1"}, "u2": {"lp1"}}, {"u1": {"lp1"}, "u2": {"lp1"}}, ["lp9"], "never or always applied it"),
    ],
)
def test_pooled_kappa_undefined(coder_a, coder_b, codebook, reason):
    overall = coder_agreement(coder_a, coder_b, codebook=codebook).overall
    assert overall.kappa.value is None
    assert reason in overall.kappa.reason
    assert overall.mean_kappa is None


@pytest.mark.parametrize(("value", "band"), BAND_CASES)
def test_landis_koch_bands_at_their_boundaries(value, band):
    assert kappa_band(value) == band


@pytest.mark.parametrize("value", [-1.01, 1.01, float("nan")])
def test_a_kappa_outside_minus_one_to_one_is_refused(value):
    with pytest.raises(ValueError, match="kappa runs from -1 to 1"):
        kappa_band(value)


def test_describe_kappa_never_gives_a_bare_number():
    assert describe_kappa(-0.004) == "kappa 0.00: slight agreement"
    assert describe_kappa(-0.25) == "kappa -0.25: less than chance agreement"
    assert describe_kappa(None, "no units both coders saw") == "kappa undefined: no units both coders saw"


def test_codes_given_as_a_bare_string_are_refused():
    with pytest.raises(TypeError, match="not the string 'lp1'"):
        coder_agreement({"u1": "lp1"}, {"u1": {"lp1"}})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sets(st.sampled_from("xyz")), st.sets(st.sampled_from("xyz"))), max_size=12))
def test_swapping_coders_changes_only_who_applied_it(pairs):
    coder_a = {unit: a for unit, (a, _) in enumerate(pairs)}
    coder_b = {unit: b for unit, (_, b) in enumerate(pairs)}
    forward = coder_agreement(coder_a, coder_b)
    backward = coder_agreement(coder_b, coder_a, coders=("B", "A"))
    assert [c.kappa for c in forward.codes] == [c.kappa for c in backward.codes]
    assert forward.overall.kappa == backward.overall.kappa
    assert forward.disagreements == backward.disagreements
    for result in forward.codes:
        assert result.kappa.value is None or -1 <= result.kappa.value <= 1


@pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn is not installed in this environment; the hand-worked cases above stand instead",
)
def test_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    for _name, counts, _percent, _expected, kappa in KAPPA_CASES:
        coder_a, coder_b = codings_from_tables({"lp1": counts})
        units = sorted(coder_a)
        labels_a = [int("lp1" in coder_a[unit]) for unit in units]
        labels_b = [int("lp1" in coder_b[unit]) for unit in units]
        ours = coder_agreement(coder_a, coder_b).for_code("lp1").kappa.value
        assert ours == pytest.approx(cohen_kappa_score(labels_a, labels_b, labels=[0, 1]))
        assert ours == pytest.approx(kappa)
