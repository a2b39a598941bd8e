"""Sprig's math and conversion functions (numeric.go, functions.go), on spf13/cast conversions
and shopspring/decimal's exact arithmetic for the *f variants."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoSlice, Int64, format_v, gofunc

from ._util import int64, parse_go_int, to_float64, to_int, to_int64

FUNCS: dict[str, GoFunc] = {}
ANY = "interface {}"


def _reg(*funcs: GoFunc) -> None:
    for f in funcs:
        FUNCS[f.name] = f


def go_div(a: int, b: int) -> int:
    """Go's int64 `/`: truncates toward zero; minint / -1 wraps to minint."""
    if b == 0:
        raise GoError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return int64(q if (a < 0) == (b < 0) else -q)


def go_mod(a: int, b: int) -> Int64:
    """Go's int64 `%`: the result takes the dividend's sign."""
    if b == 0:
        raise GoError("runtime error: integer divide by zero")
    r = abs(a) % abs(b)
    return Int64(-r if a < 0 else r)


@gofunc("add", ANY, variadic=True, result="int64")
def add(*vals: Any) -> Int64:
    return int64(sum(to_int64(v) for v in vals))


@gofunc("add1", ANY, result="int64")
def add1(v: Any) -> Int64:
    return int64(to_int64(v) + 1)


@gofunc("sub", ANY, ANY, result="int64")
def sub(a: Any, b: Any) -> Int64:
    return int64(to_int64(a) - to_int64(b))


@gofunc("div", ANY, ANY, result="int64")
def div(a: Any, b: Any) -> Int64:
    return Int64(go_div(to_int64(a), to_int64(b)))


@gofunc("mod", ANY, ANY, result="int64")
def mod(a: Any, b: Any) -> Int64:
    return go_mod(to_int64(a), to_int64(b))


@gofunc("mul", ANY, ANY, variadic=True, result="int64")
def mul(a: Any, *vals: Any) -> Int64:
    out = to_int64(a)
    for v in vals:
        out = int64(out * to_int64(v))
    return Int64(out)


def _max(a: Any, *vals: Any) -> Int64:
    return Int64(max([to_int64(a)] + [to_int64(v) for v in vals]))


def _min(a: Any, *vals: Any) -> Int64:
    return Int64(min([to_int64(a)] + [to_int64(v) for v in vals]))


def go_fmax(x: float, y: float) -> float:
    """math.Max: +Inf wins over NaN, NaN wins otherwise, +0 beats -0."""
    if math.isinf(x) and x > 0 or math.isinf(y) and y > 0:
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return y if math.copysign(1, x) < 0 else x
    return x if x > y else y


def go_fmin(x: float, y: float) -> float:
    """math.Min: -Inf wins over NaN, NaN wins otherwise, -0 beats +0."""
    if math.isinf(x) and x < 0 or math.isinf(y) and y < 0:
        return -math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


@gofunc("maxf", ANY, ANY, variadic=True, result="float64")
def maxf(a: Any, *vals: Any) -> float:
    out = to_float64(a)
    for v in vals:
        out = go_fmax(out, to_float64(v))
    return out


@gofunc("minf", ANY, ANY, variadic=True, result="float64")
def minf(a: Any, *vals: Any) -> float:
    out = to_float64(a)
    for v in vals:
        out = go_fmin(out, to_float64(v))
    return out


@gofunc("floor", ANY, result="float64")
def floor(a: Any) -> float:
    return _go_floor(to_float64(a))


@gofunc("ceil", ANY, result="float64")
def ceil(a: Any) -> float:
    return _go_ceil(to_float64(a))


@gofunc("round", ANY, "int", "float64", variadic=True, result="float64")
def round_(a: Any, places: int, *opt: float) -> float:
    round_on = opt[0] if opt else 0.5
    val = to_float64(a)
    try:
        pow10 = math.pow(10, float(places))
    except OverflowError:
        pow10 = math.inf
    digit = pow10 * val if not (pow10 == math.inf and val == 0) else math.nan
    frac = math.nan if math.isinf(digit) or math.isnan(digit) else math.modf(digit)[0]
    rounded = _go_ceil(digit) if frac >= round_on else _go_floor(digit)
    return go_fdiv(rounded, pow10)


def go_fdiv(a: float, b: float) -> float:
    """IEEE division as Go does it: x/0 is ±Inf or NaN instead of an exception."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1, b)


def _go_ceil(f: float) -> float:
    if math.isinf(f) or math.isnan(f) or f == 0:
        return f
    c = float(math.ceil(f))
    return -0.0 if c == 0 and f < 0 else c  # Go keeps the sign: Ceil(-0.5) is -0


def _go_floor(f: float) -> float:
    if math.isinf(f) or math.isnan(f) or f == 0:
        return f
    return float(math.floor(f))


def _until_range(start: int, stop: int, step: int) -> range:
    """The integers untilStep yields (none for a step of the wrong sign, or zero)."""
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return range(0)
    return range(start, stop, step)


def until_step(start: int, stop: int, step: int) -> GoSlice:
    numbers = _until_range(start, stop, step)
    budget.charge_steps(len(numbers))  # before building: `until 100000000` stops here
    return GoSlice(numbers, elem="int")


@gofunc("until", "int", result="[]int")
def until(count: int) -> GoSlice:
    return until_step(0, count, -1 if count < 0 else 1)


@gofunc("untilStep", "int", "int", "int", result="[]int")
def until_step_fn(start: int, stop: int, step: int) -> GoSlice:
    return until_step(start, stop, step)


@gofunc("seq", "int", variadic=True, result="string")
def seq(*params: int) -> str:
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        return _join(until_step(start, end + inc, inc))
    if len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        return _join(until_step(start, end + step, step))
    if len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        return _join(until_step(start, end + inc, step))
    return ""


def _join(nums: list[int]) -> str:
    if nums:  # at least one character and a separator per number, before building them
        budget.charge_output(2 * len(nums))
    return " ".join(map(str, nums))


@gofunc("toDecimal", ANY, result="int64")
def to_decimal(v: Any) -> Int64:
    """Reads fmt.Sprint(v) as an octal number (a Unix file mode); 0 when it is not one."""
    try:
        return Int64(parse_go_int(format_v(v), 8))
    except ValueError:
        return Int64(0)


@gofunc("randInt", "int", "int", result="int")
def rand_int(lo: int, hi: int) -> int:
    if hi - lo <= 0:
        raise GoError("invalid argument to Intn")
    return random.randrange(hi - lo) + lo


# --- decimal arithmetic (shopspring/decimal 1.2.0) ----------------------------------------------


def _decimal(v: Any) -> Fraction:
    """decimal.NewFromFloat: the shortest decimal that reads back as the float, kept exactly."""
    f = to_float64(v)
    if math.isnan(f) or math.isinf(f):
        raise GoError(f"Cannot create a Decimal from {format_v(f)}")
    return Fraction(repr(f)) if f != 0 else Fraction(0)


def _div16(a: Fraction, b: Fraction) -> Fraction:
    """Decimal.Div: 16 decimal places, the last one rounded half away from zero."""
    if b == 0:
        raise GoError("decimal division by 0")
    scale = 10**16
    exact = a / b
    q = Fraction(math.trunc(exact * scale), scale)
    r = a - b * q
    if 2 * abs(r) * scale >= abs(b):
        q += Fraction(1 if (a < 0) == (b < 0) else -1, scale)
    return q


def _decimal_op(op: Callable[[Fraction, Fraction], Fraction]) -> Callable[..., float]:
    def run(a: Any, *vals: Any) -> float:
        acc = _decimal(a)
        for v in vals:
            acc = op(acc, _decimal(v))
        return float(acc)

    return run


_reg(
    add,
    add1,
    sub,
    div,
    mod,
    mul,
    maxf,
    minf,
    floor,
    ceil,
    round_,
    until,
    until_step_fn,
    seq,
    to_decimal,
    rand_int,
    GoFunc("max", _max, (ANY, ANY), True, result="int64"),
    GoFunc("biggest", _max, (ANY, ANY), True, result="int64"),
    GoFunc("min", _min, (ANY, ANY), True, result="int64"),
    GoFunc("int", lambda v: to_int(v), (ANY,), result="int"),
    GoFunc("int64", lambda v: Int64(to_int64(v)), (ANY,), result="int64"),
    GoFunc("float64", lambda v: to_float64(v), (ANY,), result="float64"),
    GoFunc("add1f", lambda v: _decimal_op(lambda x, y: x + y)(v, 1), (ANY,), result="float64"),
    GoFunc("addf", lambda *v: _decimal_op(lambda x, y: x + y)(0.0, *v), (ANY,), True, result="float64"),
    GoFunc("subf", _decimal_op(lambda x, y: x - y), (ANY, ANY), True, result="float64"),
    GoFunc("mulf", _decimal_op(lambda x, y: x * y), (ANY, ANY), True, result="float64"),
    GoFunc("divf", _decimal_op(_div16), (ANY, ANY), True, result="float64"),
)
