"""A small, safe evaluator for the XLSForm expressions in a site question set.

XLSForm puts XPath expressions in its ``relevant``, ``constraint``, ``calculation``, ``required`` and
``choice_filter`` columns. This module reads the part of that language such forms use, and nothing else:
the text is split into tokens, parsed (precedence climbing, with limits on length, tokens and nesting) into
an immutable tree of small node classes, and the tree is evaluated by Python code written here. The text
is never handed to ``eval``, ``exec`` or ``compile``, so a form cannot run code, and a hostile or broken
expression is an :class:`ExpressionError` with a plain-English message.

Value conventions (XForms semantics)
------------------------------------
* An unanswered question is ``""``; ``None``, a float NaN and pandas' NA and NaT count as ``""`` too
  (numpy scalars are read as the Python values they hold).
  A name missing from ``Context.values`` is also ``""``: check :meth:`Expression.references` against the
  form's questions when the form is loaded, to catch typing mistakes.
* text and select_one answers are strings; integer, decimal and range answers are numbers (int or float,
  or numeric strings, which are converted where a number is needed); dates are ``datetime.date`` (a
  ``datetime`` counts as its date) or ``'YYYY-MM-DD'`` strings; select_multiple answers are a
  space-separated string of choice names, or a list/tuple of names.
* Numbers are XPath doubles while evaluating. :meth:`Expression.evaluate` gives a whole number back as an
  ``int`` (``1 + 2`` is ``3``, ``5 div 2`` is ``2.5``), NaN and infinities as floats.
* ``=`` and ``!=``: if either side is a boolean, compare as booleans (XPath's first rule); else if either
  side is a number compare numerically, where an empty or non-numeric string is NaN (so ``"" = 0`` is false
  and ``"" != 0`` is true); else if either side is a date compare as dates ('YYYY-MM-DD' strings are
  converted; something that is not a date is equal to no date); else compare as strings.
* ``<`` ``<=`` ``>`` ``>=``: when either side is a date or a 'YYYY-MM-DD' string, compare as dates (a number
  counts as days since 1970-01-01); otherwise numerically. Comparisons with NaN or a non-date are false.
* Arithmetic is on numbers (``'a' * 3`` is NaN, never string repetition). A date (or 'YYYY-MM-DD' string)
  plus or minus a number of days is a date; a date minus a date is a number of days. Division by zero gives
  NaN or an infinity as XPath does; ``mod`` takes the sign of the dividend. Nothing here raises.
* ``selected(${multi}, 'a')`` is true when ``a`` is one of the space-separated names; ``count-selected``
  counts them. ``regex(value, pattern)`` is a full match (``re.fullmatch``), as in XForms; a value longer
  than 10,000 characters does not match, and a pattern longer than 500 characters is refused.
* ``round(x)`` rounds halves towards positive infinity as XPath does (``round(-2.5)`` is -2), and
  ``round(x, digits)`` does the same at ``digits`` decimal places, in decimal (``round(2.675, 2)`` is 2.68).
* ``number()`` reads XPath numbers only (optional minus, digits, optional decimal point): no exponents.
  ``number(date)`` is days since 1970-01-01, and ``date(number)`` the reverse. ``date()`` of anything
  that is not a date is NaN.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any, NamedTuple

MAX_LENGTH = 4_000
MAX_TOKENS = 500
MAX_DEPTH = 40
MAX_DIGITS = 30
MAX_PATTERN_LENGTH = 500
MAX_REGEX_INPUT = 10_000
_EXCERPT_WIDTH = 80
_EPOCH = dt.date(1970, 1, 1)
_NAN = float("nan")


class ExpressionError(ValueError):
    """An expression that cannot be read or worked out, with a message saying what is wrong and what to do."""


# ---------------------------------------------------------------------------------------------------------
# Messages


def _excerpt(text: str, position: int | None = None) -> str:
    """The expression on one line, cut to about 80 characters around ``position`` when it is long."""
    flat = re.sub(r"\s", " ", text)
    if len(flat) <= _EXCERPT_WIDTH:
        return flat
    if position is None or position <= _EXCERPT_WIDTH - 20:
        return flat[: _EXCERPT_WIDTH - 3] + "..."
    start = position - _EXCERPT_WIDTH // 2
    return "..." + flat[start : start + _EXCERPT_WIDTH - 6] + "..."


def _sentence(text: str) -> str:
    """``text`` ending in a full stop, not doubling one (an excerpt may end in '...')."""
    return text if text.endswith(".") else text + "."


def _located(problem: str, text: str, position: int, advice: str = "") -> ExpressionError:
    """An error naming the 1-based character where the problem is, and quoting the expression."""
    message = f"{problem} at character {position} of: {_excerpt(text, position)}"
    return ExpressionError(f"{_sentence(message)} {advice}" if advice else message)


# ---------------------------------------------------------------------------------------------------------
# Values: every value met while evaluating is a bool, a float, a str or a datetime.date.


def _float(value: Any) -> float:
    """float(value), with an int too large for a float giving an infinity instead of OverflowError."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        return _NAN


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, and pandas' missing markers (NA, NaT) as None: answers from a data frame."""
    kind = type(value)
    if kind.__name__ in ("NAType", "NaTType"):
        return None
    if kind.__module__ == "numpy" and hasattr(value, "item"):
        try:
            return value.item()
        except (TypeError, ValueError):  # an array of several values: read as its text
            return value
    return value


def _answer(value: Any) -> bool | float | str | dt.date:
    """An answer as the caller stored it, in the four types the evaluator works with."""
    value = _plain(value)
    if value is None or isinstance(value, bool | str):
        return "" if value is None else value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, numbers.Real | Decimal):
        number = _float(value)
        return "" if math.isnan(number) else number
    if isinstance(value, list | tuple | set | frozenset):
        names = [_string(_answer(item)) for item in value]
        return " ".join(sorted(names) if isinstance(value, set | frozenset) else names).strip()
    try:
        return str(value)
    except Exception:  # an object whose str() fails is as good as no answer
        return ""


_NUMBER_TEXT = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number(value: bool | float | str | dt.date) -> float:
    """XPath number(): booleans are 1 or 0, dates are days since 1970-01-01, other text is NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, dt.date):
        return float((value - _EPOCH).days)
    match = _NUMBER_TEXT.fullmatch(value)
    return float(match.group(1)) if match else _NAN


def _number_text(number: float) -> str:
    """XPath string() of a number: no exponent, whole numbers without '.0', NaN and Infinity spelt out."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer():
        return str(int(number))
    text = repr(number)
    return format(Decimal(text), "f") if "e" in text else text


def _string(value: bool | float | str | dt.date) -> str:
    """XPath string(): booleans are 'true'/'false', dates are 'YYYY-MM-DD'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _boolean(value: bool | float | str | dt.date) -> bool:
    """XPath boolean(): false for "", 0 and NaN; a date is always true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def truthy(value: Any) -> bool:
    """XPath boolean() of an answer or a result: "", 0, NaN, False and None are false; other text is true."""
    return _boolean(_answer(value))


def _date_from_text(text: str) -> dt.date | None:
    """The date in a 'YYYY-MM-DD' string, or None when it is not one (including 2026-02-30)."""
    if not _DATE_TEXT.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _as_date(value: bool | float | str | dt.date) -> dt.date | None:
    """A value as a date: dates, 'YYYY-MM-DD' strings and numbers of days since 1970-01-01; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _date_from_text(value)
    return _shift(_EPOCH, value)


def _shift(date: dt.date, days: float) -> dt.date | None:
    """``date`` moved by whole ``days`` (rounded down), or None when that leaves the calendar."""
    if not math.isfinite(days):
        return None
    try:
        return date + dt.timedelta(days=math.floor(days))
    except (OverflowError, ValueError):
        return None


def _is_dateish(value: bool | float | str | dt.date) -> bool:
    """True for a date or a valid 'YYYY-MM-DD' string: the values date comparison and arithmetic apply to."""
    return isinstance(value, dt.date) or (isinstance(value, str) and _date_from_text(value) is not None)


def _public(value: bool | float | str | dt.date) -> Any:
    """A result for the caller: whole numbers as int, so a calculation of 1 + 2 is stored as 3, not 3.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------------------
# Operators


def _equal(left: Any, right: Any) -> bool:
    """XPath '=' on single values (see the module docstring for the order of the rules)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return _boolean(left) == _boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return _number(left) == _number(right)
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        left_date, right_date = _as_date(left), _as_date(right)
        return left_date is not None and left_date == right_date
    return left == right


def _not_equal(left: Any, right: Any) -> bool:
    """XPath '!=': the opposite of '=' except that NaN differs from everything, itself included."""
    has_boolean = isinstance(left, bool) or isinstance(right, bool)
    has_number = isinstance(left, float) or isinstance(right, float)
    return _number(left) != _number(right) if has_number and not has_boolean else not _equal(left, right)


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """A '<'-style operator: dates compare as dates, everything else as numbers; NaN or a non-date is false."""

    def apply(left: Any, right: Any) -> bool:
        if _is_dateish(left) or _is_dateish(right):
            left_date, right_date = _as_date(left), _as_date(right)
            return left_date is not None and right_date is not None and compare(left_date, right_date)
        return compare(_number(left), _number(right))

    return apply


def _moved(date_like: Any, days: float) -> dt.date | float:
    """A date moved by a number of days, or NaN when that is not a date."""
    date = _as_date(date_like)
    moved = None if date is None else _shift(date, days)
    return _NAN if moved is None else moved


def _add(left: Any, right: Any) -> dt.date | float:
    """'+': numbers add; a date plus days is a date; a date plus a date means nothing (NaN)."""
    left_date, right_date = _is_dateish(left), _is_dateish(right)
    if left_date and right_date:
        return _NAN
    if left_date:
        return _moved(left, _number(right))
    if right_date:
        return _moved(right, _number(left))
    return _number(left) + _number(right)


def _subtract(left: Any, right: Any) -> dt.date | float:
    """'-': numbers subtract; a date minus days is a date; a date minus a date is the days between."""
    left_date = _as_date(left) if _is_dateish(left) else None
    if _is_dateish(right):
        right_date = _as_date(right)
        return float((left_date - right_date).days) if left_date and right_date else _NAN
    if left_date is not None:
        return _moved(left_date, -_number(right))
    return _number(left) - _number(right)


def _multiply(left: Any, right: Any) -> float:
    """'*' on numbers only: text is not repeated."""
    return _number(left) * _number(right)


def _divide(left: Any, right: Any) -> float:
    """'div' as XPath: dividing by zero gives an infinity, or NaN for 0 div 0."""
    dividend, divisor = _number(left), _number(right)
    if divisor == 0:
        if dividend == 0 or math.isnan(dividend):
            return _NAN
        return math.copysign(math.inf, dividend) * math.copysign(1.0, divisor)
    try:
        return dividend / divisor
    except OverflowError:
        return math.copysign(math.inf, dividend) * math.copysign(1.0, divisor)


def _modulo(left: Any, right: Any) -> float:
    """'mod' as XPath: the remainder takes the sign of the dividend; x mod 0 is NaN."""
    try:
        return math.fmod(_number(left), _number(right))
    except ValueError:
        return _NAN


_BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "=": _equal,
    "!=": _not_equal,
    "<": _ordering(lambda a, b: a < b),
    "<=": _ordering(lambda a, b: a <= b),
    ">": _ordering(lambda a, b: a > b),
    ">=": _ordering(lambda a, b: a >= b),
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "div": _divide,
    "mod": _modulo,
}
# XPath precedence, lowest first.
_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}
_PRECEDENCE |= {"+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}
_OR, _AND = 1, 2
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})


# ---------------------------------------------------------------------------------------------------------
# Functions


@dataclass(frozen=True)
class Context:
    """What an expression is evaluated against: the answers so far, the value '.' means, and today's date."""

    values: Mapping[str, Any] = field(default_factory=dict)
    current: Any = None
    today: dt.date | None = None


def _today(context: Context) -> dt.date:
    """today(): the context's date when it has one (tests, replays), else the real one."""
    today = context.today or dt.date.today()
    return today.date() if isinstance(today, dt.datetime) else today


def _selected_names(value: Any) -> list[str]:
    """The choice names in a select_multiple answer."""
    return _string(value).split()


def _count(value: Any) -> float:
    """count(): the entries of a repeat (a list of answers); one answer counts 1, none 0."""
    if isinstance(value, list | tuple):
        return float(len(value))
    return 0.0 if value is None or _string(_answer(value)) == "" else 1.0


def _round(number: Any, digits: Any = 0.0) -> float:
    """round(): halves go towards positive infinity (XPath), worked in decimal so 2.675 -> 2.68."""
    value, places = _number(number), _number(digits)
    if math.isnan(places):
        return _NAN
    if not math.isfinite(value):
        return value
    whole_places = int(max(-400.0, min(400.0, places)))
    rounding = ROUND_HALF_UP if value >= 0 else ROUND_HALF_DOWN
    try:
        with localcontext() as decimal_context:
            decimal_context.prec = 1_000
            return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-whole_places), rounding=rounding))
    except (InvalidOperation, OverflowError):
        return value


def _truncate(number: Any) -> float:
    """int(): the whole part, towards zero."""
    value = _number(number)
    return float(math.trunc(value)) if math.isfinite(value) else value


def _coalesce(first: Any, second: Any) -> Any:
    """coalesce(): the first value unless it is empty."""
    return first if _string(first) != "" else second


def _date(value: Any) -> dt.date | float:
    """date(): a date from a date, a 'YYYY-MM-DD' string or days since 1970-01-01; NaN otherwise."""
    date = _as_date(value)
    return _NAN if date is None else date


_PATTERN_ADVICE = "Correct the pattern in the form."


@lru_cache(maxsize=256)
def _compiled_pattern(pattern: str) -> re.Pattern[str] | str:
    """A regex() pattern compiled once, or a sentence saying why it cannot be used (too long, or broken)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"The pattern in regex() is {len(pattern):,} characters long; the most allowed is {MAX_PATTERN_LENGTH}"
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as problem:
        return f"The pattern {_excerpt(pattern)!r} in regex() is not a valid regular expression ({problem})"


def _regex(value: Any, pattern: Any) -> bool:
    """regex(): a full match; a value too long to check safely does not match."""
    compiled = _compiled_pattern(_string(pattern))
    if isinstance(compiled, str):
        raise ExpressionError(f"{compiled}. {_PATTERN_ADVICE}")
    text = _string(value)
    return len(text) <= MAX_REGEX_INPUT and compiled.fullmatch(text) is not None


class _Function(NamedTuple):
    usage: str
    minimum: int
    maximum: int | None  # None: any number
    run: Callable[..., Any]  # run(context, *values)


_FUNCTIONS: dict[str, _Function] = {
    "selected": _Function("selected(answer, 'choice')", 2, 2, lambda _, v, c: _string(c).strip() in _selected_names(v)),
    "count-selected": _Function("count-selected(answer)", 1, 1, lambda _, v: float(len(_selected_names(v)))),
    "string-length": _Function("string-length(text)", 1, 1, lambda _, v: float(len(_string(v)))),
    "regex": _Function("regex(text, 'pattern')", 2, 2, lambda _, v, p: _regex(v, p)),
    "today": _Function("today()", 0, 0, lambda context: _today(context)),
    "if": _Function("if(condition, value if true, value if false)", 3, 3, lambda _, c, a, b: a if _boolean(c) else b),
    "not": _Function("not(condition)", 1, 1, lambda _, v: not _boolean(v)),
    "true": _Function("true()", 0, 0, lambda _: True),
    "false": _Function("false()", 0, 0, lambda _: False),
    "number": _Function("number(value)", 1, 1, lambda _, v: _number(v)),
    "string": _Function("string(value)", 1, 1, lambda _, v: _string(v)),
    "int": _Function("int(number)", 1, 1, lambda _, v: _truncate(v)),
    "round": _Function("round(number) or round(number, digits)", 1, 2, lambda _, *args: _round(*args)),
    "concat": _Function("concat(text, ...)", 0, None, lambda _, *args: "".join(_string(v) for v in args)),
    "coalesce": _Function("coalesce(value, value if empty)", 2, 2, lambda _, a, b: _coalesce(a, b)),
    "contains": _Function("contains(text, part)", 2, 2, lambda _, a, b: _string(b) in _string(a)),
    "starts-with": _Function("starts-with(text, start)", 2, 2, lambda _, a, b: _string(a).startswith(_string(b))),
    "ends-with": _Function("ends-with(text, end)", 2, 2, lambda _, a, b: _string(a).endswith(_string(b))),
    "date": _Function("date('YYYY-MM-DD')", 1, 1, lambda _, v: _date(v)),
    "count": _Function("count(${repeat})", 1, 1, lambda _, v: _count(v)),
}
FUNCTIONS: frozenset[str] = frozenset(_FUNCTIONS)
_SUPPORTED_LIST = ", ".join(f"{name}()" for name in sorted(FUNCTIONS))


# ---------------------------------------------------------------------------------------------------------
# The tree: immutable nodes, each evaluating itself. Chains of one precedence are flat (1 + 2 + 3 is one
# node), so the tree is no deeper than the nesting the parser allows.


class _Node:
    __slots__ = ()

    def evaluate(self, context: Context) -> Any:
        raise NotImplementedError

    def children(self) -> tuple[_Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class _Literal(_Node):
    value: float | str

    def evaluate(self, context: Context) -> float | str:
        return self.value


@dataclass(frozen=True, slots=True)
class _Reference(_Node):
    name: str

    def evaluate(self, context: Context) -> Any:
        return _answer(context.values.get(self.name))


@dataclass(frozen=True, slots=True)
class _Current(_Node):
    def evaluate(self, context: Context) -> Any:
        return _answer(context.current)


@dataclass(frozen=True, slots=True)
class _Negate(_Node):
    operand: _Node

    def evaluate(self, context: Context) -> float:
        return -_number(self.operand.evaluate(context))

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class _AnyOf(_Node):
    """``a or b or c``: stops at the first true operand, as XPath does."""

    operands: tuple[_Node, ...]

    def evaluate(self, context: Context) -> bool:
        return any(_boolean(operand.evaluate(context)) for operand in self.operands)

    def children(self) -> tuple[_Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True)
class _AllOf(_Node):
    """``a and b and c``: stops at the first false operand."""

    operands: tuple[_Node, ...]

    def evaluate(self, context: Context) -> bool:
        return all(_boolean(operand.evaluate(context)) for operand in self.operands)

    def children(self) -> tuple[_Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True)
class _Chain(_Node):
    """Left-to-right operators of one precedence: ``first op1 second op2 third``."""

    first: _Node
    steps: tuple[tuple[str, _Node], ...]

    def evaluate(self, context: Context) -> Any:
        value = self.first.evaluate(context)
        for operator, operand in self.steps:
            value = _BINARY_OPERATORS[operator](value, operand.evaluate(context))
        return value

    def children(self) -> tuple[_Node, ...]:
        return (self.first, *(operand for _, operand in self.steps))


@dataclass(frozen=True, slots=True)
class _Call(_Node):
    name: str
    arguments: tuple[_Node, ...]

    def evaluate(self, context: Context) -> Any:
        if self.name == "if":  # only the branch chosen is worked out
            condition, when_true, when_false = self.arguments
            chosen = when_true if _boolean(condition.evaluate(context)) else when_false
            return chosen.evaluate(context)
        if self.name == "count" and isinstance(self.arguments[0], _Reference):  # a repeat's entries, as stored
            return _count(context.values.get(self.arguments[0].name))
        values = [argument.evaluate(context) for argument in self.arguments]
        return _FUNCTIONS[self.name].run(context, *values)

    def children(self) -> tuple[_Node, ...]:
        return self.arguments


def _walk(root: _Node) -> Iterator[_Node]:
    """Every node of a tree, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: evaluate it as often as needed; ask it which questions and functions it uses."""

    source: str
    tree: _Node = field(repr=False, compare=False)

    def evaluate(self, context: Context) -> Any:
        """The value of the expression for these answers: a bool, int/float, str or datetime.date."""
        return _public(self.tree.evaluate(context))

    def references(self) -> frozenset[str]:
        """The names of every question the expression mentions as ${name}."""
        return frozenset(node.name for node in _walk(self.tree) if isinstance(node, _Reference))

    def functions(self) -> frozenset[str]:
        """The name of every function the expression calls."""
        return frozenset(node.name for node in _walk(self.tree) if isinstance(node, _Call))


# ---------------------------------------------------------------------------------------------------------
# Tokens


class _Token(NamedTuple):
    kind: str  # number, string, reference, current, name, operator, end
    text: str
    position: int  # 1-based character where the token starts


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<reference>\$\{[^\W\d][\w.-]*\})
    | (?P<name>[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?)
    | (?P<operator>!=|<=|>=|[=<>+\-*(),.])
    """,
    re.VERBOSE,
)


def _untokenizable(text: str, index: int) -> ExpressionError:
    """Why the text cannot be split into tokens at ``index``."""
    char, position = text[index], index + 1
    if char in "'\"":
        return _located(f"The text in quotes has no closing {char}", text, position, f"Add the closing {char}.")
    if char == "$":
        return _located(
            "A question reference is not written as ${name}",
            text,
            position,
            "Write ${question_name}: a letter or _ first, then letters, digits, _, - or .",
        )
    advice = "Refer to questions as ${name}; paths such as /data/name are not supported." if char in "/[]@|" else ""
    return _located(f"Unexpected character {char!r}", text, position, advice)


def _checked_number(text: str, match: re.Match[str]) -> str:
    """A number literal, refused when it has too many digits to be a sensible answer bound."""
    literal = match.group()
    if sum(char.isdigit() for char in literal) > MAX_DIGITS:
        raise _located(f"The number has more than {MAX_DIGITS} digits", text, match.start() + 1)
    return literal


def _tokens(text: str) -> list[_Token]:
    """The expression split into tokens, refusing anything the language does not have."""
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        match = _TOKEN.match(text, index)
        if match is None:
            raise _untokenizable(text, index)
        kind, index = match.lastgroup or "", match.end()
        if kind == "space":
            continue
        literal = _checked_number(text, match) if kind == "number" else match.group()
        kind = "current" if literal == "." else kind
        tokens.append(_Token(kind, literal, match.start() + 1))
        if len(tokens) > MAX_TOKENS:
            raise ExpressionError(
                f"The expression has more than {MAX_TOKENS} parts (numbers, names, operators): "
                f"{_sentence(_excerpt(text))} Split it across calculate questions."
            )
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


# ---------------------------------------------------------------------------------------------------------
# Parser: precedence climbing, with a depth count so deep nesting is refused long before Python's stack is.


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def parse(self) -> _Node:
        if len(self.tokens) == 1:
            raise ExpressionError("The expression is empty. Write an expression such as ${age} >= 18.")
        tree = self.expression(1)
        if self.peek().kind != "end":
            raise self.unexpected(self.peek(), after_value=True)
        return tree

    # -- reading tokens

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_operator(self, token: _Token, text: str) -> bool:
        return token.kind == "operator" and token.text == text

    def precedence(self, token: _Token) -> int:
        """The binary precedence of a token, or 0 when it is not a binary operator."""
        if token.kind == "operator" or (token.kind == "name" and token.text in _WORD_OPERATORS):
            return _PRECEDENCE.get(token.text, 0)
        return 0

    def deeper(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _located(
                f"The expression is nested too deeply (more than {MAX_DEPTH} brackets, function calls or minus signs)",
                self.text,
                token.position,
                "Simplify it, or split it across calculate questions.",
            )

    # -- grammar

    def expression(self, lowest: int) -> _Node:
        """Operators binding at least as tightly as ``lowest``; one precedence at a time, left to right."""
        tree = self.unary()
        while (level := self.precedence(self.peek())) and level >= lowest:
            steps: list[tuple[str, _Node]] = []
            while self.precedence(self.peek()) == level:
                operator = self.advance().text
                steps.append((operator, self.expression(level + 1)))
            tree = self.combine(level, tree, steps)
        return tree

    @staticmethod
    def combine(level: int, first: _Node, steps: list[tuple[str, _Node]]) -> _Node:
        operands = (first, *(operand for _, operand in steps))
        if level == _OR:
            return _AnyOf(operands)
        if level == _AND:
            return _AllOf(operands)
        return _Chain(first, tuple(steps))

    def unary(self) -> _Node:
        token = self.peek()
        if not self.is_operator(token, "-"):
            return self.primary()
        self.advance()
        self.deeper(token)
        operand = self.unary()
        self.depth -= 1
        return _Negate(operand)

    def primary(self) -> _Node:
        token = self.advance()
        if token.kind == "number":
            return _Literal(float(token.text))
        if token.kind == "string":
            return _Literal(token.text[1:-1])
        if token.kind == "reference":
            return _Reference(token.text[2:-1])
        if token.kind == "current":
            return _Current()
        if token.kind == "name" and self.is_operator(self.peek(), "("):
            return self.call(token)
        if self.is_operator(token, "("):
            return self.bracketed(token)
        raise self.unexpected(token)

    def bracketed(self, opening: _Token) -> _Node:
        self.deeper(opening)
        tree = self.expression(1)
        self.expect_closing(opening)
        self.depth -= 1
        return tree

    def call(self, name: _Token) -> _Node:
        function = _FUNCTIONS.get(name.text)
        if function is None:
            raise _located(
                f"The function '{name.text}()' is not supported here",
                self.text,
                name.position,
                f"Supported functions: {_SUPPORTED_LIST}.",
            )
        opening = self.advance()
        self.deeper(opening)
        arguments = self.arguments()
        self.expect_closing(opening)
        self.depth -= 1
        self.check_count(name, function, len(arguments))
        if name.text == "regex":
            self.check_pattern(name, arguments[1])
        return _Call(name.text, arguments)

    def arguments(self) -> tuple[_Node, ...]:
        if self.is_operator(self.peek(), ")"):
            return ()
        arguments = [self.expression(1)]
        while self.is_operator(self.peek(), ","):
            self.advance()
            arguments.append(self.expression(1))
        return tuple(arguments)

    def expect_closing(self, opening: _Token) -> None:
        token = self.peek()
        if self.is_operator(token, ")"):
            self.advance()
            return
        if token.kind == "end":
            raise _located(
                f"The '(' at character {opening.position} is never closed: a ')' is missing",
                self.text,
                token.position,
            )
        raise self.unexpected(token, after_value=True)

    # -- checks made while parsing

    def check_count(self, name: _Token, function: _Function, given: int) -> None:
        low, high = function.minimum, function.maximum
        if low <= given and (high is None or given <= high):
            return
        if high is None:
            takes = f"at least {low} argument{'s' if low != 1 else ''}"
        elif low == high:
            takes = f"{low} argument{'s' if low != 1 else ''}" if low else "no arguments"
        else:
            takes = f"{low} or {high} arguments"
        raise _located(
            f"'{name.text}()' takes {takes}, as in {function.usage}, but was given {given}",
            self.text,
            name.position,
        )

    def check_pattern(self, name: _Token, pattern: _Node) -> None:
        """A regex() pattern written in the form is checked now, so a broken one is found when the form loads."""
        if isinstance(pattern, _Literal) and isinstance(pattern.value, str):
            compiled = _compiled_pattern(pattern.value)
            if isinstance(compiled, str):
                raise _located(compiled, self.text, name.position, _PATTERN_ADVICE)

    def unexpected(self, token: _Token, after_value: bool = False) -> ExpressionError:
        """Why ``token`` cannot come here; ``after_value`` when an operator, ',' or ')' was expected."""
        if token.kind == "end":
            before = self.tokens[self.index - 2].text if self.index >= 2 else ""
            return _located(
                f"The expression stops too soon: something is missing after '{before}'", self.text, token.position
            )
        if token.kind == "name" and not (after_value and token.text.lower() not in _WORD_OPERATORS):
            return self.unexpected_word(token)
        advice = ""
        if (after_value and token.kind != "operator") or self.is_operator(token, "("):
            advice = "Put an operator such as and, or, =, < or + between two values."
        return _located(f"Unexpected {_described(token)}", self.text, token.position, advice)

    def unexpected_word(self, token: _Token) -> ExpressionError:
        """A word where a value was expected: most often a question name without ${...}, or a capital AND."""
        word = token.text
        if word.lower() in _WORD_OPERATORS and word not in _WORD_OPERATORS:
            advice = f"Operators are written in lower case: {word.lower()}."
        elif word in FUNCTIONS:
            advice = f"A function needs brackets: {word}()."
        else:
            advice = f"To use the answer to a question write ${{{word}}}."
        return _located(f"Unexpected word '{word}'", self.text, token.position, advice)


def _described(token: _Token) -> str:
    """A token as a message names it: text {'b'}, number 2, word 'if', '*'."""
    if token.kind == "string":
        return f"text {token.text}"
    if token.kind in ("number", "reference"):
        return f"{token.kind} {token.text}"
    if token.kind == "name":
        return f"word '{token.text}'"
    return f"'{token.text}'"


def parse(text: str) -> Expression:
    """Parse an XLSForm expression once; the same text again gives the same Expression from a cache."""
    if not isinstance(text, str):
        raise ExpressionError(f"An expression must be text, not {type(text).__name__}.")
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"The expression is {len(text):,} characters long; the most allowed is {MAX_LENGTH:,}: "
            f"{_sentence(_excerpt(text))} Split it across calculate questions."
        )
    return Expression(text, _Parser(text).parse())
