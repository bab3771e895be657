"""The XLSForm expression evaluator: XPath results for the language forms use, and refusals for everything else.

The cases are data: one table of expressions with the answers they are evaluated against and the value they
must give, one of bad expressions with a fragment their message must contain. Hostile inputs sit in the
second table; a further test proves nothing is handed to Python's eval/exec/compile.
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import inspect
import math
import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_widgets.questions import expressions
from coprod_widgets.questions.expressions import (
    FUNCTIONS,
    Context,
    Expression,
    ExpressionError,
    parse,
    truthy,
)

TODAY = dt.date(2026, 1, 15)
NAN = float("nan")
INF = float("inf")

ANSWERS: dict[str, Any] = {
    "age": 7,
    "decimal": 2.5,
    "zero": 0,
    "num_text": "12",
    "name": "Rosa",
    "empty": "",
    "none": None,
    "nan": NAN,
    "multi": "a b c",
    "multi_list": ["a", "c"],
    "multi_tuple": ("x", "y"),
    "dob": dt.date(2000, 5, 1),
    "dob_text": "2000-05-01",
    "seen": dt.datetime(2026, 1, 14, 9, 30),
    "yes": True,
    "big": 10**400,
    "money": Decimal("2.5"),
    "first-name.x": "Ann",
    "prénom": "Zoé",
    "pattern": "[0-9]+",
    "broken_pattern": "[",
    "entries": [{"what": "a"}, {"what": "b"}, {"what": "c"}],
}

# (expression, answers, current value '.', expected)
CASES: list[tuple[str, dict[str, Any], Any, Any]] = [
    # literals, references and '.'
    ("3", ANSWERS, None, 3),
    ("2.5", ANSWERS, None, 2.5),
    (".5", ANSWERS, None, 0.5),
    ("'single'", ANSWERS, None, "single"),
    ('"it\'s"', ANSWERS, None, "it's"),
    ("'say \"hi\"'", ANSWERS, None, 'say "hi"'),
    ("${name}", ANSWERS, None, "Rosa"),
    ("${age}", ANSWERS, None, 7),
    ("${empty}", ANSWERS, None, ""),
    ("${none}", ANSWERS, None, ""),
    ("${nan}", ANSWERS, None, ""),
    ("${not_in_the_form}", ANSWERS, None, ""),
    ("${first-name.x}", ANSWERS, None, "Ann"),
    ("${prénom}", ANSWERS, None, "Zoé"),
    ("${money} * 2", ANSWERS, None, 5),
    (".", ANSWERS, 5, 5),
    (".", ANSWERS, None, ""),
    ("${age}\n>\t3", ANSWERS, None, True),
    # arithmetic
    ("1 + 2", ANSWERS, None, 3),
    ("7 - 10", ANSWERS, None, -3),
    ("3 * 4", ANSWERS, None, 12),
    ("7 div 2", ANSWERS, None, 3.5),
    ("7 mod 3", ANSWERS, None, 1),
    ("-7 mod 3", ANSWERS, None, -1),
    ("7 mod -3", ANSWERS, None, 1),
    ("5.5 mod 2", ANSWERS, None, 1.5),
    ("1 div 0", ANSWERS, None, INF),
    ("-1 div 0", ANSWERS, None, -INF),
    ("0 div 0", ANSWERS, None, NAN),
    ("5 mod 0", ANSWERS, None, NAN),
    ("-3", ANSWERS, None, -3),
    ("- -3", ANSWERS, None, 3),
    ("--3", ANSWERS, None, 3),
    ("2 - -3", ANSWERS, None, 5),
    ("${num_text} + 1", ANSWERS, None, 13),
    ("${age} * ${decimal}", ANSWERS, None, 17.5),
    ("${empty} + 1", ANSWERS, None, NAN),
    ("'a' * 3", ANSWERS, None, NAN),
    ("'a' + 'b'", ANSWERS, None, NAN),
    ("true() + 1", ANSWERS, None, 2),
    ("${big} > 1", ANSWERS, None, True),
    ("${big} * 0", ANSWERS, None, NAN),
    ("0.1 + 0.2", ANSWERS, None, 0.30000000000000004),
    # precedence and associativity
    ("1 + 2 * 3", ANSWERS, None, 7),
    ("(1 + 2) * 3", ANSWERS, None, 9),
    ("10 - 4 - 3", ANSWERS, None, 3),
    ("100 div 10 div 5", ANSWERS, None, 2),
    ("2 * 3 mod 4", ANSWERS, None, 2),
    ("-2 * 3", ANSWERS, None, -6),
    ("- (2 + 3)", ANSWERS, None, -5),
    ("1 + 2 = 3", ANSWERS, None, True),
    ("1 < 2 = true()", ANSWERS, None, True),
    ("1 = 1 and 2 = 3 or 4 = 4", ANSWERS, None, True),
    ("true() or false() and false()", ANSWERS, None, True),
    ("false() and true() or true()", ANSWERS, None, True),
    ("(true() or false()) and false()", ANSWERS, None, False),
    ("3 > 2 > 1", ANSWERS, None, False),
    ("1 < 2 < 3", ANSWERS, None, True),
    ("1 != 2 = true()", ANSWERS, None, True),
    # equality
    ("${age} = 7", ANSWERS, None, True),
    ("${age} = '7'", ANSWERS, None, True),
    ("${num_text} = 12", ANSWERS, None, True),
    ("${num_text} = '12.0'", ANSWERS, None, False),
    ("${name} = 'Rosa'", ANSWERS, None, True),
    ("${name} != 'Rosa'", ANSWERS, None, False),
    ("${name} = 'rosa'", ANSWERS, None, False),
    ("'' = 0", ANSWERS, None, False),
    ("'' != 0", ANSWERS, None, True),
    ("${empty} = ''", ANSWERS, None, True),
    ("${none} = ''", ANSWERS, None, True),
    ("${nan} = ''", ANSWERS, None, True),
    ("${not_in_the_form} != ''", ANSWERS, None, False),
    ("${zero} = ''", ANSWERS, None, False),
    ("${zero} != ''", ANSWERS, None, True),
    ("${zero} = 0", ANSWERS, None, True),
    ("0 div 0 = 0 div 0", ANSWERS, None, False),
    ("0 div 0 != 0 div 0", ANSWERS, None, True),
    ("${yes} = true()", ANSWERS, None, True),
    ("${yes} = 1", ANSWERS, None, True),
    ("2 = true()", ANSWERS, None, True),
    ("'' = false()", ANSWERS, None, True),
    ("'x' = true()", ANSWERS, None, True),
    ("true() != false()", ANSWERS, None, True),
    # ordering
    ("${age} > 3", ANSWERS, None, True),
    ("${age} >= 7", ANSWERS, None, True),
    ("${age} < 7", ANSWERS, None, False),
    ("${age} <= 6.5", ANSWERS, None, False),
    ("${num_text} > 9", ANSWERS, None, True),
    ("${empty} > 3", ANSWERS, None, False),
    ("${empty} < 3", ANSWERS, None, False),
    ("${empty} <= 3", ANSWERS, None, False),
    ("0 div 0 >= 0 div 0", ANSWERS, None, False),
    ("'b' > 'a'", ANSWERS, None, False),
    # and, or, not
    ("true() and false()", ANSWERS, None, False),
    ("true() or false()", ANSWERS, None, True),
    ("not(false())", ANSWERS, None, True),
    ("not(${empty})", ANSWERS, None, True),
    ("not(${name})", ANSWERS, None, False),
    ("${name} and ${age}", ANSWERS, None, True),
    ("${empty} or 0", ANSWERS, None, False),
    ("${zero} or ${nan}", ANSWERS, None, False),
    # dates (today is 2026-01-15)
    ("today()", ANSWERS, None, TODAY),
    ("today() + 1", ANSWERS, None, dt.date(2026, 1, 16)),
    ("1 + today()", ANSWERS, None, dt.date(2026, 1, 16)),
    ("today() - 15", ANSWERS, None, dt.date(2025, 12, 31)),
    ("today() - ${dob}", ANSWERS, None, (TODAY - dt.date(2000, 5, 1)).days),
    ("today() - '2026-01-01'", ANSWERS, None, 14),
    ("${dob} < today()", ANSWERS, None, True),
    ("${dob_text} < today()", ANSWERS, None, True),
    ("${seen} < today()", ANSWERS, None, True),
    (". >= today()", ANSWERS, dt.date(2026, 1, 20), True),
    (". >= today()", ANSWERS, dt.date(2026, 1, 1), False),
    (". >= today()", ANSWERS, "2026-01-20", True),
    (". >= today()", ANSWERS, "", False),
    (". < today()", ANSWERS, "", False),
    ("${dob} = '2000-05-01'", ANSWERS, None, True),
    ("${dob} = ${dob_text}", ANSWERS, None, True),
    ("${dob} != '2000-05-02'", ANSWERS, None, True),
    ("${dob} = ''", ANSWERS, None, False),
    ("${dob} != ''", ANSWERS, None, True),
    ("'2026-01-10' < '2026-01-11'", ANSWERS, None, True),
    ("'2026-01-10' + 1", ANSWERS, None, dt.date(2026, 1, 11)),
    ("today() - 7 < ${dob}", ANSWERS, None, False),
    ("today() > 20000", ANSWERS, None, True),
    ("today() + today()", ANSWERS, None, NAN),
    ("5 - today()", ANSWERS, None, NAN),
    ("today() + 1 div 0", ANSWERS, None, NAN),
    ("date('9999-12-31') + 1", ANSWERS, None, NAN),
    ("date('2026-02-01') - date('2026-01-01')", ANSWERS, None, 31),
    ("date('2026-02-30')", ANSWERS, None, NAN),
    ("date('nonsense')", ANSWERS, None, NAN),
    ("date(0)", ANSWERS, None, dt.date(1970, 1, 1)),
    ("date(${dob})", ANSWERS, None, dt.date(2000, 5, 1)),
    ("date(${dob_text}) = ${dob}", ANSWERS, None, True),
    ("date('2026-01-01') = date('2026-01-01')", ANSWERS, None, True),
    ("string(today())", ANSWERS, None, "2026-01-15"),
    ("number(date('1970-01-11'))", ANSWERS, None, 10),
    # select_multiple, as a string and as a list
    ("selected(${multi}, 'b')", ANSWERS, None, True),
    ("selected(${multi}, 'd')", ANSWERS, None, False),
    ("selected(${multi}, 'a b')", ANSWERS, None, False),
    ("selected(${multi_list}, 'c')", ANSWERS, None, True),
    ("selected(${multi_list}, 'b')", ANSWERS, None, False),
    ("selected(${multi_tuple}, 'y')", ANSWERS, None, True),
    ("selected(${empty}, 'a')", ANSWERS, None, False),
    ("selected(' a  b ', 'b')", ANSWERS, None, True),
    ("selected(., 'x')", ANSWERS, ["x"], True),
    ("count-selected(${multi})", ANSWERS, None, 3),
    ("count-selected(${multi_list})", ANSWERS, None, 2),
    ("count-selected(${empty})", ANSWERS, None, 0),
    ("count-selected(${none})", ANSWERS, None, 0),
    # count() of a repeat is its entries; of one answer 1, of none 0
    ("count(${entries})", ANSWERS, None, 3),
    ("count(${entries}) > 2", ANSWERS, None, True),
    ("count(${name})", ANSWERS, None, 1),
    ("count(${none})", ANSWERS, None, 0),
    ("count(${empty})", ANSWERS, None, 0),
    ("count(${multi_list})", ANSWERS, None, 2),
    ("${multi_list} = 'a c'", ANSWERS, None, True),
    # text functions
    ("string-length('hello')", ANSWERS, None, 5),
    ("string-length(${empty})", ANSWERS, None, 0),
    ("string-length(${age})", ANSWERS, None, 1),
    ("string-length(12.50)", ANSWERS, None, 4),
    ("regex(${name}, '[A-Z][a-z]+')", ANSWERS, None, True),
    ("regex(${name}, 'os')", ANSWERS, None, False),
    ("regex('07700 900123', '0\\d{4} ?\\d{6}')", ANSWERS, None, True),
    ("regex(${empty}, '.*')", ANSWERS, None, True),
    ("regex(., '[0-9]+')", ANSWERS, "123a", False),
    ("regex(., ${pattern})", ANSWERS, "123", True),
    ("regex(., 'a*')", ANSWERS, "a" * 10_000, True),
    ("regex(., 'a*')", ANSWERS, "a" * 10_001, False),
    ("contains(${name}, 'os')", ANSWERS, None, True),
    ("contains('abc', '')", ANSWERS, None, True),
    ("starts-with(${name}, 'Ro')", ANSWERS, None, True),
    ("starts-with('', 'a')", ANSWERS, None, False),
    ("ends-with(${name}, 'sa')", ANSWERS, None, True),
    ("ends-with(${name}, 'Ro')", ANSWERS, None, False),
    ("concat('a', 'b', 'c')", ANSWERS, None, "abc"),
    ("concat()", ANSWERS, None, ""),
    ("concat(${name}, ' is ', ${age})", ANSWERS, None, "Rosa is 7"),
    ("concat(${multi_list})", ANSWERS, None, "a c"),
    ("concat(1 div 2, true(), ${empty})", ANSWERS, None, "0.5true"),
    ("coalesce(${empty}, 'none')", ANSWERS, None, "none"),
    ("coalesce(${name}, 'none')", ANSWERS, None, "Rosa"),
    ("coalesce(${none}, ${age})", ANSWERS, None, 7),
    # if, and only the branch chosen
    ("if(${age} > 5, 'older', 'younger')", ANSWERS, None, "older"),
    ("if(${empty}, 1, 2)", ANSWERS, None, 2),
    ("if(true(), 1, regex(., ${broken_pattern}))", ANSWERS, None, 1),
    ("if(false(), 1, if(true(), 2, 3))", ANSWERS, None, 2),
    # conversions
    ("true()", ANSWERS, None, True),
    ("false()", ANSWERS, None, False),
    ("number('12')", ANSWERS, None, 12),
    ("number(' 3.5 ')", ANSWERS, None, 3.5),
    ("number('-4')", ANSWERS, None, -4),
    ("number('.5')", ANSWERS, None, 0.5),
    ("number('+4')", ANSWERS, None, NAN),
    ("number('1e3')", ANSWERS, None, NAN),
    ("number('')", ANSWERS, None, NAN),
    ("number(true())", ANSWERS, None, 1),
    ("string(3)", ANSWERS, None, "3"),
    ("string(2.5)", ANSWERS, None, "2.5"),
    ("string(true())", ANSWERS, None, "true"),
    ("string(1 div 0)", ANSWERS, None, "Infinity"),
    ("string(-1 div 0)", ANSWERS, None, "-Infinity"),
    ("string(0 div 0)", ANSWERS, None, "NaN"),
    ("string(0.0000001)", ANSWERS, None, "0.0000001"),
    ("string(${empty})", ANSWERS, None, ""),
    ("int(3.7)", ANSWERS, None, 3),
    ("int(-3.7)", ANSWERS, None, -3),
    ("int('8.9')", ANSWERS, None, 8),
    ("int('')", ANSWERS, None, NAN),
    ("int(1 div 0)", ANSWERS, None, INF),
    ("round(2.5)", ANSWERS, None, 3),
    ("round(-2.5)", ANSWERS, None, -2),
    ("round(2.4)", ANSWERS, None, 2),
    ("round(2.675, 2)", ANSWERS, None, 2.68),
    ("round(1.23456, 3)", ANSWERS, None, 1.235),
    ("round(1234.5, -2)", ANSWERS, None, 1200),
    ("round('x')", ANSWERS, None, NAN),
    ("round(2.5, 'x')", ANSWERS, None, NAN),
    ("round(1 div 0)", ANSWERS, None, INF),
    # nested functions
    (
        "if(selected(${multi}, 'a') and count-selected(${multi}) > 2, "
        "concat('many: ', string(count-selected(${multi}))), 'few')",
        ANSWERS,
        None,
        "many: 3",
    ),
    ("round(number(${num_text}) div 7, 2)", ANSWERS, None, 1.71),
    ("not(regex(string(${age}), '[0-9]+'))", ANSWERS, None, False),
    ("string-length(concat(${name}, ${name}))", ANSWERS, None, 8),
    ("(((((1)))))", ANSWERS, None, 1),
]


def same(result: Any, expected: Any) -> bool:
    """Equal, NaN matching NaN, and of the expected kind (a bool is not a number, a date not a string)."""
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(result, float) and math.isnan(result)
    if isinstance(expected, bool) or isinstance(result, bool):
        return result is expected
    if isinstance(expected, int | float):
        return isinstance(result, int | float) and result == expected
    return type(result) is type(expected) and result == expected


@pytest.mark.parametrize(("text", "answers", "current", "expected"), CASES, ids=[case[0][:60] for case in CASES])
def test_expression_gives_the_xpath_result(text, answers, current, expected) -> None:
    result = parse(text).evaluate(Context(values=answers, current=current, today=TODAY))
    assert same(result, expected), f"{text} gave {result!r}, expected {expected!r}"


def test_whole_numbers_come_back_as_int() -> None:
    context = Context(today=TODAY)
    assert type(parse("1 + 2").evaluate(context)) is int
    assert type(parse("5 div 2").evaluate(context)) is float


HOSTILE: list[tuple[str, str]] = [
    ("__import__('os')", "'__import__()' is not supported"),
    ("().__class__", "Unexpected ')' at character 2"),
    ("${a}.__class__", "Unexpected '.' at character 5"),
    ("lambda: 1", "Unexpected character ':' at character 7"),
    ("1 if 1 else 2", "Unexpected word 'if' at character 3"),
    ("open('x')", "'open()' is not supported"),
    ("9**9**9", "Unexpected '*' at character 3"),
    ("'a' * 10**9", "Unexpected '*' at character 10"),
    ("eval('1')", "'eval()' is not supported"),
    ("exec('import os')", "'exec()' is not supported"),
    ("compile('1', '', 'eval')", "'compile()' is not supported"),
    ("getattr(${a}, '__class__')", "'getattr()' is not supported"),
    ("[x for x in ()]", "Unexpected character '['"),
    ("1; import os", "Unexpected character ';'"),
    ("`id`", "Unexpected character '`'"),
    ("f'{1}'", "Unexpected word 'f'"),
    ("${a} | ${b}", "Unexpected character '|'"),
    ("1\x00", "Unexpected character '\\x00'"),
    ("(" * 10_000 + "1" + ")" * 10_000, "20,001 characters long"),
]

BAD: list[tuple[str, str]] = [
    *HOSTILE,
    # syntax
    ("${age} > 3)", "Unexpected ')' at character 11 of: ${age} > 3)"),
    ("", "The expression is empty"),
    ("   ", "The expression is empty"),
    ("1 +", "stops too soon: something is missing after '+'"),
    ("(1", "never closed"),
    ("concat('a',", "stops too soon"),
    ("'abc", "no closing '"),
    ('"abc', 'no closing "'),
    ("${}", "not written as ${name}"),
    ("${1a}", "not written as ${name}"),
    ("${a b}", "not written as ${name}"),
    ("$a", "not written as ${name} at character 1"),
    ("${a", "not written as ${name}"),
    ("age > 3", "write ${age}"),
    ("1 AND 2", "lower case: and"),
    ("1 Or 2", "lower case: or"),
    ("true", "A function needs brackets: true()"),
    ("1 2", "Unexpected number 2 at character 3"),
    ("selected(${a} 'b')", "Unexpected text 'b' at character 15"),
    ("1 = = 2", "Unexpected '=' at character 5"),
    ("1 )", "Unexpected ')' at character 3"),
    (", 1", "Unexpected ',' at character 1"),
    ("..", "Unexpected '.' at character 2"),
    ("/data/age > 3", "paths such as /data/name are not supported"),
    ("${a}[1]", "Unexpected character '['"),
    ("1e5", "Unexpected word 'e5'"),
    ("1" * 31, "more than 30 digits"),
    ("x" * 4_001, "4,001 characters long"),
    ("1+" * 300 + "1", "more than 500 parts"),
    ("(" * 41 + "1" + ")" * 41, "nested too deeply"),
    ("-" * 41 + "1", "nested too deeply"),
    ("not(" * 41 + "1" + ")" * 41, "nested too deeply"),
    # functions
    ("pulldata('a', 'b')", "The function 'pulldata()' is not supported here"),
    ("pulldata('x')", "Supported functions: coalesce(), concat(), contains()"),
    ("jr:choice-name(${a}, '${a}')", "'jr:choice-name()' is not supported"),
    ("Today()", "'Today()' is not supported"),
    ("selected(${a})", "'selected()' takes 2 arguments, as in selected(answer, 'choice'), but was given 1"),
    ("selected(${a}, 'x', 'y')", "but was given 3"),
    ("today(1)", "'today()' takes no arguments"),
    ("round()", "'round()' takes 1 or 2 arguments"),
    ("if(1, 2)", "'if()' takes 3 arguments"),
    ("not()", "'not()' takes 1 argument,"),
    ("regex(., '[a-')", "The pattern '[a-' in regex() is not a valid regular expression"),
    ("regex(., '" + "a" * 501 + "')", "501 characters long; the most allowed is 500"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD, ids=[repr(case[0][:40]) for case in BAD])
def test_bad_expression_is_refused_with_a_message(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as refused:
        parse(text)
    assert fragment in str(refused.value)


def test_long_expressions_are_shortened_in_messages() -> None:
    text = "${a} + " * 20 + ")"
    with pytest.raises(ExpressionError) as refused:
        parse(text)
    message = str(refused.value)
    assert f"Unexpected ')' at character {len(text)}" in message
    assert "..." in message and len(message) < 200


def test_only_text_can_be_parsed() -> None:
    with pytest.raises(ExpressionError, match="must be text"):
        parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "pattern"), [("regex(., ${pattern})", "["), ("regex(., ${pattern})", "a" * 501)], ids=["broken", "long"]
)
def test_a_pattern_from_an_answer_is_checked_when_evaluated(text: str, pattern: str) -> None:
    expression = parse(text)
    with pytest.raises(ExpressionError, match="regex"):
        expression.evaluate(Context(values={"pattern": pattern}, current="x"))


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("(" * 40 + "1" + ")" * 40, 1),
        ("-" * 40 + "1", 1),
        ("not(" * 39 + "true()" + ")" * 39, False),
        (" + ".join(["${a}"] * 250), 250),
    ],
    ids=["brackets", "minus signs", "function calls", "long chain"],
)
def test_nesting_and_length_up_to_the_limits_work(text: str, fits: Any) -> None:
    assert parse(text).evaluate(Context(values={"a": 1})) == fits


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("(" * 10_000 + "1" + ")" * 10_000, "characters long"),
        ("(" * 200 + "1" + ")" * 200, "nested too deeply"),
        ("-" * 450 + "1", "nested too deeply"),
        ("not(" * 99 + ")" * 99, "nested too deeply"),
        ("(" * 1_999 + "1" + ")" * 1_999, "more than 500 parts"),
        ("x" * 1_000_000, "characters long"),
    ],
    ids=["brackets 10000", "brackets 200", "minus 450", "calls 99", "brackets 1999", "a million characters"],
)
def test_deep_or_long_input_is_refused_quickly(text: str, fragment: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match=fragment):
        parse(text)
    print(f"refused {len(text):,} characters in {time.perf_counter() - started:.4f} s")


def test_references_and_functions_are_reported() -> None:
    expression = parse("if(selected(${a}, 'x'), ${b} + ${b}, concat(${c.d}, string(.), '${not_a_reference}'))")
    assert expression.references() == {"a", "b", "c.d"}
    assert expression.functions() == {"if", "selected", "concat", "string"}
    assert parse("1 + 2").references() == frozenset() and parse("1 + 2").functions() == frozenset()
    assert parse("${__choice__.region} = ${region}").references() == {"__choice__.region", "region"}


def test_functions_lists_the_supported_names() -> None:
    assert {"selected", "count-selected", "regex", "today", "if", "coalesce", "date", "round"} <= FUNCTIONS
    assert "pulldata" not in FUNCTIONS and isinstance(FUNCTIONS, frozenset)


def test_parsed_expressions_are_cached_and_immutable() -> None:
    expression = parse("${a} + 1")
    assert parse("${a} + 1") is expression
    assert isinstance(expression, Expression) and expression.source == "${a} + 1"
    with pytest.raises(AttributeError):
        expression.source = "2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${flag} = false()", True),
        ("not(${flag})", True),
        ("${count} + 1", 6),
        ("${missing_float} = ''", True),
        ("${na} = ''", True),
        ("${nat} = ''", True),
        ("today() - ${stamp}", 14),
    ],
)
def test_answers_from_a_data_frame_are_read_as_plain_values(text: str, expected: Any) -> None:
    """pandas hands over numpy scalars and its own missing markers; they mean what they hold."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    answers = {
        "flag": np.False_,
        "count": np.int64(5),
        "missing_float": np.float64("nan"),
        "na": pd.NA,
        "nat": pd.NaT,
        "stamp": pd.Timestamp("2026-01-01 10:00"),
    }
    assert same(parse(text).evaluate(Context(values=answers, today=TODAY)), expected)


def test_today_defaults_to_the_real_date() -> None:
    assert parse("today()").evaluate(Context()) == dt.date.today()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", False),
        (None, False),
        (0, False),
        (0.0, False),
        (NAN, False),
        (False, False),
        ([], False),
        ("0", True),
        ("false", True),
        (1, True),
        (-1, True),
        (True, True),
        (TODAY, True),
        (["a"], True),
    ],
)
def test_truthy_is_xpath_boolean(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def test_parse_and_evaluate_never_call_eval_exec_or_compile(monkeypatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("eval, exec or compile was called")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, refuse)
    expressions._parse_cached.cache_clear()
    expressions._compiled_pattern.cache_clear()
    for text, answers, current, _ in CASES:
        parse(text).evaluate(Context(values=answers, current=current, today=TODAY))
    for text, _ in BAD:
        with pytest.raises(ExpressionError):
            parse(text)


def test_the_module_has_no_dynamic_code() -> None:
    """A second guard, on the source: no eval, exec, compile (re.compile aside), __import__ or literal_eval."""
    dynamic = {"eval", "exec", "compile", "__import__", "literal_eval"}
    found = []
    for node in ast.walk(ast.parse(inspect.getsource(expressions))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in dynamic:
            found.append(function.id)
        if isinstance(function, ast.Attribute) and function.attr in dynamic:
            is_regex = function.attr == "compile" and isinstance(function.value, ast.Name) and function.value.id == "re"
            found += [] if is_regex else [function.attr]
    assert not found


# ---------------------------------------------------------------------------------------------------------
# Properties: whatever the text and the answers, the result is a value or an ExpressionError.

FRAGMENTS = [
    "${a}", "${b}", "${m}", ".", "1", "0", "2.5", "'x'", "''", "'2026-01-01'", "(", ")", ",", "+", "-", "*",
    " div ", " mod ", "=", "!=", "<", ">=", " and ", " or ", "selected(", "count-selected(", "string-length(",
    "regex(", "'[a-z]*'", "if(", "round(", "int(", "number(", "string(", "today()", "date(", "concat(", "not(",
    "coalesce(", "contains(", "true()", "false()", " ", "$", "{", "}", "'", "AND",
]  # fmt: skip
ANSWER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(),
    st.decimals(),
    st.text(max_size=12),
    st.sampled_from(["", "3", "2026-01-01", "a b", "-0.5", "[0-9]+"]),
    st.dates(),
    st.datetimes(),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
)
RESULT_TYPES = (bool, int, float, str, dt.date)
PROPERTY_SETTINGS = settings(
    derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def evaluates_or_refuses(text: str, answers: dict[str, Any], current: Any) -> None:
    """Parse and evaluate, allowing only ExpressionError; a result must be one of the documented types."""
    try:
        expression = parse(text)
    except ExpressionError:
        return
    try:
        result = expression.evaluate(Context(values=answers, current=current, today=TODAY))
    except ExpressionError:
        assert "regex" in expression.functions()
        return
    assert isinstance(result, RESULT_TYPES)


@PROPERTY_SETTINGS
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused(text: str) -> None:
    evaluates_or_refuses(text, {}, None)


@PROPERTY_SETTINGS
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
    st.fixed_dictionaries({"a": ANSWER_VALUES, "b": ANSWER_VALUES, "m": ANSWER_VALUES}),
    ANSWER_VALUES,
)
def test_any_sequence_of_tokens_evaluates_or_is_refused(text: str, answers: dict[str, Any], current: Any) -> None:
    evaluates_or_refuses(text, answers, current)


def well_formed(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Expressions built from smaller ones: every operator and function of the language."""
    binary = st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or"])
    one_argument = st.sampled_from(["count-selected", "string-length", "not", "number", "string", "int", "date"])
    two_arguments = st.sampled_from(["selected", "round", "coalesce", "contains", "starts-with", "ends-with", "concat"])
    return st.one_of(
        st.tuples(children, binary, children).map(lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"),
        children.map(lambda child: f"-{child}"),
        st.tuples(one_argument, children).map(lambda parts: f"{parts[0]}({parts[1]})"),
        st.tuples(two_arguments, children, children).map(lambda parts: f"{parts[0]}({parts[1]}, {parts[2]})"),
        st.tuples(children, children, children).map(lambda parts: f"if({parts[0]}, {parts[1]}, {parts[2]})"),
        st.tuples(children, st.sampled_from(["[a-z]+", "\\d*", "(a|b)?c"])).map(
            lambda parts: f"regex({parts[0]}, '{parts[1]}')"
        ),
    )


LEAVES = st.sampled_from(["${a}", "${b}", "${m}", ".", "0", "1", "2.5", "'x'", "''", "'2026-01-31'", "today()"])


@PROPERTY_SETTINGS
@given(
    st.recursive(LEAVES, well_formed, max_leaves=12),
    st.fixed_dictionaries({"a": ANSWER_VALUES, "b": ANSWER_VALUES, "m": ANSWER_VALUES}),
    ANSWER_VALUES,
)
def test_well_formed_expressions_always_give_a_value(text: str, answers: dict[str, Any], current: Any) -> None:
    result = parse(text).evaluate(Context(values=answers, current=current, today=TODAY))
    assert isinstance(result, RESULT_TYPES)
