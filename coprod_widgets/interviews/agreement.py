"""How far two coders of the same interview transcripts agree, code by code and overall, and where they differ.

Evaluators double-code a sample of passages to show the coding frame is applied consistently. One bare kappa
hides which codes are unreliable and which passages the coders should talk over, so both are returned, and a
kappa is never shown without its Landis & Koch band or, when it is undefined, the reason. Pure Python;
the arithmetic is done in exact fractions so the hand-worked examples in the tests come out exactly.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

#: A coded passage: (transcript_id, paragraph) or any other hashable key.
Unit = Hashable

#: Landis & Koch (1977): the highest kappa in each band and its name. Below 0 is "less than chance".
BANDS: tuple[tuple[float, str], ...] = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.00, "almost perfect"),
)
BELOW_CHANCE = "less than chance"


@dataclass(frozen=True)
class Table:
    """The 2x2 table of one code's decisions on the units both coders saw: kept so kappa can be checked by hand."""

    both: int
    only_a: int
    only_b: int
    neither: int

    def __post_init__(self) -> None:
        for count in (self.both, self.only_a, self.only_b, self.neither):
            if not isinstance(count, int) or count < 0:
                raise ValueError(f"a 2x2 table holds counts of zero or more, not {count!r}")

    @property
    def total(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    def __add__(self, other: Table) -> Table:
        return Table(
            self.both + other.both,
            self.only_a + other.only_a,
            self.only_b + other.only_b,
            self.neither + other.neither,
        )


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa with the agreement it is made from.

    ``value`` is None when kappa is undefined, and ``reason`` then says why in words a report can show;
    a made-up number (0 or 1) would read as a finding.
    """

    observed: float | None  # po: the share of decisions on which the coders agree
    expected: float | None  # pe: the share they would agree on by chance, each applying codes at their own rate
    value: float | None
    reason: str | None = None
    percent_agreement: float | None = None  # 100 * po, worked out exactly rather than from the rounded po

    def describe(self) -> str:
        """Kappa in words, e.g. "kappa 0.40: fair agreement"; never a bare number."""
        return describe_kappa(self.value, self.reason)


@dataclass(frozen=True)
class CodeAgreement:
    """One code: its 2x2 table over the units both coders saw, percent agreement and kappa."""

    code: str
    table: Table
    kappa: Kappa

    @property
    def units(self) -> int:
        return self.table.total

    @property
    def percent_agreement(self) -> float | None:
        return self.kappa.percent_agreement


@dataclass(frozen=True)
class OverallAgreement:
    """All codes together: the pooled kappa and the mean of the per-code kappas that are defined.

    ``table`` is the per-code tables summed (every code x unit decision once); ``kappa`` is the pooled kappa
    (see :func:`coder_agreement` for the pooling); ``codes_without_kappa`` names the codes left out of the mean.
    """

    table: Table
    kappa: Kappa
    mean_kappa: float | None
    codes_with_kappa: int
    codes_without_kappa: tuple[str, ...]

    @property
    def decisions(self) -> int:
        return self.table.total

    def describe(self) -> str:
        """The overall figures in one sentence, with how many codes the mean leaves out."""
        pooled = f"Pooled {self.kappa.describe()} over {self.decisions} code x unit decisions"
        if self.mean_kappa is None:
            mean = "no code has a defined kappa, so there is no mean of per-code kappas"
        else:
            mean = f"mean of per-code kappas {self.mean_kappa:.2f} ({kappa_band(self.mean_kappa)}) over "
            mean += _count(self.codes_with_kappa, "code")
        left_out = len(self.codes_without_kappa)
        if left_out:
            mean += f"; {_count(left_out, 'code')} left out because kappa is undefined"
        return f"{pooled}; {mean}."


@dataclass(frozen=True)
class Disagreement:
    """A unit and code where one coder applied the code and the other did not: one for the coders to discuss."""

    unit: Unit
    code: str
    applied_by: str


@dataclass(frozen=True)
class Agreement:
    """Two coders' agreement: the units compared and left out, each code, overall, and the disagreements."""

    coders: tuple[str, str]
    units: tuple[Unit, ...]  # seen by both coders: the only units compared
    only_a: tuple[Unit, ...]  # seen by the first coder only: left out
    only_b: tuple[Unit, ...]  # seen by the second coder only: left out
    codes: tuple[CodeAgreement, ...]
    overall: OverallAgreement
    disagreements: tuple[Disagreement, ...]

    def for_code(self, code: str) -> CodeAgreement:
        for result in self.codes:
            if result.code == code:
                return result
        raise KeyError(code)


def kappa_band(value: float) -> str:
    """The Landis & Koch band for a kappa, read at two decimals as reports show it.

    Banding the rounded value means a reader never sees "0.20" labelled fair; the bands are published at two
    decimals (0.21-0.40 fair), so 0.204 is slight and 0.206 is fair.
    """
    if not isinstance(value, int | float) or math.isnan(value) or not -1 <= value <= 1:
        raise ValueError(f"kappa runs from -1 to 1, not {value!r}")
    shown = round(value, 2)
    if shown < 0:
        return BELOW_CHANCE
    for highest, band in BANDS:
        if shown <= highest:
            return band
    raise AssertionError("unreachable: a kappa of at most 1 falls in a band")


def describe_kappa(value: float | None, reason: str | None = None) -> str:
    """A kappa in plain English for reports: "kappa 0.40: fair agreement", or why there is none."""
    if value is None:
        return f"kappa undefined: {reason}" if reason else "kappa undefined"
    return f"kappa {round(value, 2) + 0.0:.2f}: {kappa_band(value)} agreement"


def cohen_kappa(table: Table) -> Kappa:
    """Cohen's kappa for one code's 2x2 table: (po - pe) / (1 - pe).

    Undefined, with a reason, when no unit was compared, or when the expected agreement pe is 1: both coders
    never applied the code, or both applied it on every unit. A table where one always and the other never
    applied it has po = pe = 0 and kappa 0, which is defined.
    """
    fractions = _fractions(table)
    if fractions is None:
        return Kappa(None, None, None, "no units both coders saw")
    observed, expected = fractions
    if expected == 1:
        if table.both:
            what = f"both coders applied it on all {_count(table.total, 'unit')} both saw"
        else:
            what = f"neither coder applied it on the {_count(table.total, 'unit')} both saw"
        return _kappa(observed, expected, None, f"{what}, so chance agreement is already 100%")
    return _kappa(observed, expected, (observed - expected) / (1 - expected))


def coder_agreement(
    coder_a: Mapping[Unit, Iterable[str]],
    coder_b: Mapping[Unit, Iterable[str]],
    *,
    seen_a: Iterable[Unit] | None = None,
    seen_b: Iterable[Unit] | None = None,
    codebook: Iterable[str] | None = None,
    coders: tuple[str, str] = ("A", "B"),
) -> Agreement:
    """Agreement between two coders on the units both saw, per code and overall.

    Parameters
    ----------
    coder_a, coder_b
        Each coder's codes by unit. A unit listed with no codes counts as seen with nothing applied.
    seen_a, seen_b
        Further units each coder saw and left uncoded. A unit seen by one coder only is left out (and listed
        in ``only_a`` / ``only_b``): the other coder's silence on it is not a decision.
    codebook
        Codes to report even if neither coder used them (their kappa is undefined).
    coders
        The coders' names, used in ``Disagreement.applied_by``.

    Notes
    -----
    Each code is a yes/no decision on each compared unit. Overall, the pooled kappa is De Vries et al.'s
    (Field Methods, 2008): (mean po - mean pe) / (1 - mean pe), the means taken over the codes. Every code is
    judged on the same units, so mean po is also the percent agreement of the summed table. Chance agreement
    is worked out per code, because coders rightly use some codes far more than others; a kappa of the summed
    table would mix those rates, and would rise whenever an unused code is added to the codebook. The pooled
    kappa does neither: a code both coders never (or always) used changes nothing.
    """
    name_a, name_b = coders
    if name_a == name_b:
        raise ValueError(f"the two coders need different names, not {name_a!r} twice")
    codes_a, codes_b = _codings(coder_a, name_a), _codings(coder_b, name_b)
    saw_a = set(codes_a) | set(seen_a or ())
    saw_b = set(codes_b) | set(seen_b or ())
    units = _ordered(saw_a & saw_b)
    all_codes = set(codebook or ())
    for codings in (codes_a, codes_b):
        for applied in codings.values():
            all_codes |= applied

    results = []
    disagreements = []
    for code in sorted(all_codes):
        counts = {"both": 0, "only_a": 0, "only_b": 0, "neither": 0}
        for unit in units:
            by_a, by_b = code in codes_a.get(unit, ()), code in codes_b.get(unit, ())
            cell = "both" if by_a and by_b else "only_a" if by_a else "only_b" if by_b else "neither"
            counts[cell] += 1
            if by_a != by_b:
                disagreements.append(Disagreement(unit, code, name_a if by_a else name_b))
        table = Table(**counts)
        results.append(CodeAgreement(code, table, cohen_kappa(table)))

    order = {unit: place for place, unit in enumerate(units)}
    disagreements.sort(key=lambda disagreement: (order[disagreement.unit], disagreement.code))
    return Agreement(
        coders=(name_a, name_b),
        units=units,
        only_a=_ordered(saw_a - saw_b),
        only_b=_ordered(saw_b - saw_a),
        codes=tuple(results),
        overall=_overall(results, len(units)),
        disagreements=tuple(disagreements),
    )


def _overall(results: list[CodeAgreement], units: int) -> OverallAgreement:
    """The summed table, the pooled kappa and the mean of the defined per-code kappas."""
    table = Table(0, 0, 0, 0)
    for result in results:
        table += result.table
    defined = [result for result in results if result.kappa.value is not None]
    left_out = tuple(result.code for result in results if result.kappa.value is None)
    mean = None
    if defined:
        kappas = [_exact_kappa(result.table) for result in defined]
        mean = float(sum(kappas, Fraction(0)) / len(kappas))
    return OverallAgreement(table, _pooled(results, units), mean, len(defined), left_out)


def _pooled(results: list[CodeAgreement], units: int) -> Kappa:
    """De Vries et al.'s pooled kappa: the per-code po and pe averaged over the codes, then (po - pe) / (1 - pe)."""
    if not results:
        return Kappa(None, None, None, "no code was applied or listed in the codebook")
    if not units:
        return Kappa(None, None, None, "no units both coders saw")
    pairs = [_fractions(result.table) for result in results]
    observed = sum((pair[0] for pair in pairs), Fraction(0)) / len(pairs)
    expected = sum((pair[1] for pair in pairs), Fraction(0)) / len(pairs)
    if expected == 1:
        reason = "on every code both coders either never or always applied it, so chance agreement is already 100%"
        return _kappa(observed, expected, None, reason)
    return _kappa(observed, expected, (observed - expected) / (1 - expected))


def _fractions(table: Table) -> tuple[Fraction, Fraction] | None:
    """Exact (po, pe) for a table; None when it holds no units."""
    total = table.total
    if not total:
        return None
    rate_a = Fraction(table.both + table.only_a, total)
    rate_b = Fraction(table.both + table.only_b, total)
    observed = Fraction(table.both + table.neither, total)
    return observed, rate_a * rate_b + (1 - rate_a) * (1 - rate_b)


def _exact_kappa(table: Table) -> Fraction:
    """Kappa as a fraction, for a table already known to have one (so means are exact too)."""
    observed, expected = _fractions(table)
    return (observed - expected) / (1 - expected)


def _kappa(observed: Fraction, expected: Fraction, value: Fraction | None, reason: str | None = None) -> Kappa:
    return Kappa(
        observed=float(observed),
        expected=float(expected),
        value=None if value is None else float(value),
        reason=reason,
        percent_agreement=float(observed * 100),
    )


def _codings(coder: Mapping[Unit, Iterable[str]], name: str) -> dict[Unit, frozenset[str]]:
    """A coder's codes by unit as sets; a bare string is refused, since it would be read letter by letter."""
    codings = {}
    for unit, codes in coder.items():
        if isinstance(codes, str):
            raise TypeError(f"{name}'s codes for {unit!r} should be a set of codes, not the string {codes!r}")
        codings[unit] = frozenset(codes)
    return codings


def _ordered(units: Iterable[Unit]) -> tuple[Unit, ...]:
    """Units in their natural order ((transcript, paragraph) pairs sort as expected); mixed kinds by type and repr."""
    units = list(units)
    try:
        return tuple(sorted(units))
    except TypeError:
        return tuple(sorted(units, key=lambda unit: (type(unit).__name__, repr(unit))))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
