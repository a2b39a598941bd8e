"""resource.Quantity as apimachinery v0.35.3 parses and prints it.

A quantity prints as its original text when ParseQuantity's fast path keeps it (already canonical
looking: `100m`, `100Mi`, even `+5` or `1.500`), otherwise in canonical form: the largest exponent
that loses nothing (`2000m` -> `2`, `1024Mi` -> `1Gi`, `0.5` -> `500m`). Arithmetic is exact here
(Python ints); the int64 and inf.Dec paths of the Go code only differ in where they round, which is
reproduced: values finer than a nano are rounded away from zero, binary values are capped at 2^63-1.
"""

from __future__ import annotations

from typing import NamedTuple

from sidecarctl.golang.strconv import parse_int
from sidecarctl.kube.errors import QuantityError
from sidecarctl.kube.yamljson import json_text

SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT = "quantities must match the regular expression '" + SPLIT_RE + "'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")

_DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_BY_EXP = {e: s for s, e in _DEC_SUFFIXES.items()}
_BIN_BY_EXP = {e: s for s, e in _BIN_SUFFIXES.items()}


class Quantity(NamedTuple):  # NamedTuples, not dataclasses: cheaper to define at startup
    """An exact amount `unscaled * 10**exp10`, its format, and the text MarshalJSON reuses (if any)."""

    unscaled: int
    exp10: int
    format: str
    cached: str | None = None

    def __str__(self) -> str:
        return self.cached if self.cached is not None else _canonical(self)


ZERO = Quantity(0, 0, DECIMAL_SI)


class _Split(NamedTuple):
    positive: bool
    value: str
    num: str
    denom: str
    suffix: str


def _split(s: str) -> _Split:
    """parseQuantityString: sign, integer digits (leading zeros dropped), fraction, suffix."""
    end = len(s)
    positive, pos = True, 0
    if end and s[0] in "+-":
        positive = s[0] == "+"
        pos = 1
    while pos < end and s[pos] == "0":
        pos += 1
    if pos >= end:
        return _Split(positive, "0", "0", "", "")
    start = pos
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    num = s[start:pos] or "0"
    if pos >= end:
        return _Split(positive, s, num, "", "")
    denom = ""
    if s[pos] == ".":
        pos += 1
        start = pos
        while pos < end and s[pos] in _DIGITS:
            pos += 1
        denom = s[start:pos]
        if pos >= end:
            return _Split(positive, s, num, denom, "")
    value = s[:pos]
    return _Split(positive, value, num, denom, _split_suffix(s, pos))


def _split_suffix(s: str, suffix_start: int) -> str:
    """The suffix: letters from the suffix alphabet, then an optional signed integer, then the end."""
    end, pos = len(s), suffix_start
    while pos < end and s[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and s[pos] in "+-":
        pos += 1
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(ERR_FORMAT)
    return s[suffix_start:]


def _go_parse_int64(s: str) -> int | None:
    """strconv.ParseInt(s, 10, 64), None on error."""
    try:
        return parse_int(s, 10)
    except ValueError:
        return None


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) for a suffix; an `e<int>` exponent wraps to int32 as Go's does."""
    if suffix in _DEC_SUFFIXES:
        return 10, _DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIXES:
        return 2, _BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = _go_parse_int64(suffix[1:])
        if parsed is not None:
            return 10, (parsed + (1 << 31)) % (1 << 32) - (1 << 31), DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def parse_quantity(s: str) -> Quantity:
    """resource.ParseQuantity(s); raises QuantityError with apimachinery's message."""
    if not s:
        raise QuantityError(ERR_FORMAT)
    if s == "0":
        return Quantity(0, 0, DECIMAL_SI, "0")
    sp = _split(s)
    base, exponent, fmt = _interpret(sp.suffix)
    fast = _parse_fast(s, sp, exponent, fmt)
    if fast is not None:
        return fast
    return _parse_exact(sp, base, exponent, fmt)


def _parse_fast(s: str, sp: _Split, exponent: int, fmt: str) -> Quantity | None:
    """The int64 fast path; it keeps the original text when it already looks canonical."""
    mantissa, scale = 1, 0
    if fmt == BINARY_SI:
        if exponent < 0 or sp.denom:
            return None
        mantissa = 1 << exponent
        precision = 15 - len(sp.num) - exponent * 3 // 10 - 1
    else:
        scale = exponent
        precision = 18 - (len(sp.num) + len(sp.denom))
    if precision < 0:
        return None
    scale -= len(sp.denom)
    if scale < -9:
        return None
    shifted = sp.num + sp.denom
    value = int(shifted)
    result = value * mantissa
    if not _INT64_MIN <= result <= _INT64_MAX:
        return None
    if not sp.positive:
        result = -result
    if fmt == BINARY_SI:
        keep = exponent % 10 == 0 and value & 0x07 != 0
    else:
        keep = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return Quantity(result, scale, fmt, s if keep else None)


def _parse_decimal(text: str) -> tuple[int, int] | None:
    """inf.Dec.SetString: optional sign, digits with at most one point, at least one digit."""
    body = text[1:] if text[:1] in ("+", "-") else text
    whole, dot, frac = body.partition(".")
    digits = whole + frac
    if not digits or any(c not in _DIGITS for c in digits):
        return None
    unscaled = int(digits)
    return (-unscaled if text[:1] == "-" else unscaled), -len(frac) if dot else 0


def _parse_exact(sp: _Split, base: int, exponent: int, fmt: str) -> Quantity:
    """The inf.Dec path: exact amount, rounded up to nano, binary values capped to int64."""
    parsed = _parse_decimal(sp.value)
    if parsed is None:
        raise QuantityError(ERR_NUMERIC)
    unscaled, exp10 = parsed
    if base == 10:
        exp10 += exponent
    else:
        unscaled <<= exponent
    negative = unscaled < 0
    unscaled = abs(unscaled)
    if unscaled and exp10 < -9:
        div = 10 ** (-9 - exp10)
        unscaled, exp10 = -(-unscaled // div), -9
    if fmt == BINARY_SI and _gt(unscaled, exp10, _INT64_MAX):
        unscaled, exp10 = _INT64_MAX, 0
    if fmt == BINARY_SI and unscaled and _lt(unscaled, exp10, 1):
        fmt = DECIMAL_SI
    return Quantity(-unscaled if negative else unscaled, exp10, fmt)


def _as_fraction(unscaled: int, exp10: int) -> tuple[int, int]:
    """unscaled*10^exp10 as numerator/denominator."""
    if exp10 >= 0:
        return unscaled * 10**exp10, 1
    return unscaled, 10 ** (-exp10)


def _gt(unscaled: int, exp10: int, n: int) -> bool:
    num, den = _as_fraction(unscaled, exp10)
    return num > n * den


def _lt(unscaled: int, exp10: int, n: int) -> bool:
    num, den = _as_fraction(unscaled, exp10)
    return num < n * den


def _canonical(q: Quantity) -> str:
    """Quantity.CanonicalizeBytes: decimal suffixes at multiples of 3, binary ones by 1024."""
    if q.unscaled == 0:
        return "0"
    fmt = q.format
    if fmt == BINARY_SI:
        num, den = _as_fraction(q.unscaled, q.exp10)
        if -1024 * den < num < 1024 * den or num % den:
            fmt = DECIMAL_SI
        else:
            return _base1024(num // den)
    if fmt not in (DECIMAL_SI, DECIMAL_EXPONENT):
        fmt = DECIMAL_EXPONENT
    mantissa, exp = q.unscaled, q.exp10
    while mantissa % 10 == 0:
        mantissa //= 10
        exp += 1
    shift = exp % 3
    mantissa, exp = mantissa * 10**shift, exp - shift
    if fmt == DECIMAL_SI:
        return str(mantissa) + _DEC_BY_EXP.get(exp, "")
    return str(mantissa) + (f"e{exp}" if exp else "")


def _base1024(value: int) -> str:
    """An integer as N<binary suffix>, taking out as many factors of 1024 as divide it."""
    times, mag = 0, abs(value)
    while mag >= 1024 and mag % 1024 == 0:
        mag //= 1024
        times += 1
    return str(-mag if value < 0 else mag) + _BIN_BY_EXP.get(times * 10, "")


def canonical_quantity(value: object) -> str:
    """What Quantity.UnmarshalJSON then MarshalJSON make of a decoded YAML value.

    Strings parse as written (trimmed), numbers as Go's JSON spelling of them (`0.5`, `1e+21`),
    null is zero; anything else fails like the Go text would. Raises QuantityError.
    """
    if isinstance(value, str):
        known = _CANONICAL.get(value)
        if known is not None:
            return known
    if value is None:
        return "0"
    if isinstance(value, str):
        text = json_text(value)[1:-1]
    else:
        text = json_text(value)
    canonical = str(parse_quantity(_go_trim_space(text)))
    if isinstance(value, str):
        if len(_CANONICAL) >= 4096:
            _CANONICAL.clear()
        _CANONICAL[value] = canonical
    return canonical


# Quantities as written -> as Go writes them back: a batch repeats a handful ("100m", "128Mi").
_CANONICAL: dict[str, str] = {}


_GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _go_trim_space(s: str) -> str:
    """strings.TrimSpace: Unicode White_Space at both ends."""
    return s.strip(_GO_SPACES)
