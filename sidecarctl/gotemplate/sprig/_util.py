"""Shared helpers: Go's reflection kinds, spf13/cast conversions, panics, byte-wise strings."""

from __future__ import annotations

import math
from typing import Any

from sidecarctl.golang.strconv import INT64_MAX as INT64_MAX
from sidecarctl.golang.strconv import INT64_MIN as INT64_MIN
from sidecarctl.golang.strconv import parse_float as parse_go_float
from sidecarctl.golang.strconv import parse_int as parse_go_int
from sidecarctl.golang.strconv import quote as go_quote
from sidecarctl.gotemplate.budget import charge_value
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    GoError,
    GoObject,
    GoSlice,
    Int64,
    format_v,
    kind_name,
    type_name,
)

NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


class NilList(list[Any]):
    """A nil `[]interface {}`: prints `[]` like an empty slice but marshals to JSON `null`."""

    __slots__ = ()


class NilStrings(GoSlice):
    """A nil `[]string` (e.g. regexFindAll without a match)."""

    __slots__ = ()


def wrap64(n: int) -> int:
    """Two's-complement wrap to int64, as Go's int64 arithmetic overflows."""
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def int64(n: int) -> Int64:
    return Int64(wrap64(n))


def go_kind(value: Any) -> str:
    """reflect.TypeOf(v).Kind() that panics on nil, as Sprig's list helpers do."""
    if value is None or value is MISSING:
        raise GoError(NIL_DEREF)
    return kind_name(value)


def is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, bytes, bytearray)) or (
        isinstance(value, GoObject) and value.go_kind in ("slice", "array")
    )


def elements(value: Any) -> list[Any]:
    """The elements of a slice or array, as reflect's Index(i).Interface() gives them."""
    if isinstance(value, (bytes, bytearray)):
        from sidecarctl.gotemplate.gotypes import Uint8

        return [Uint8(b) for b in value]
    if isinstance(value, GoObject):
        return list(getattr(value, "go_elements", lambda: [])())
    return list(value)


def float_to_int64(f: float) -> int:
    """Go's int64(float64) on amd64: truncation; out of range and NaN give the minimum int64."""
    if math.isnan(f) or math.isinf(f) or not (-9.223372036854775808e18 <= f < 9.223372036854775808e18):
        return INT64_MIN
    return int(f)


def trim_zero_decimal(s: str) -> str:
    """cast's trimZeroDecimal: "12.00" -> "12", "12.50" stays."""
    found_zero = False
    for i in range(len(s), 0, -1):
        ch = s[i - 1]
        if ch == ".":
            if found_zero:
                return s[: i - 1]
        elif ch == "0":
            found_zero = True
        else:
            return s
    return s


# cast's toInt() knows these two named int types; any other (time.Duration too) fails to 0.
_CAST_NAMED_INTS = ("time.Month", "time.Weekday")


def _cast_int(value: Any, what: str) -> int:
    value = _indirect(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return wrap64(int(value))
    if isinstance(value, float):
        return float_to_int64(value)
    if isinstance(value, str):
        try:
            return parse_go_int(trim_zero_decimal(value))
        except ValueError:
            raise GoError(f"unable to cast {go_sharp_v(value)} of type string to int64") from None
    if isinstance(value, GoObject) and value.go_type in _CAST_NAMED_INTS:
        return int(value.go_value())
    raise GoError(f"unable to cast {go_sharp_v(value)} of type {type_name(value)} to {what}")


def _indirect(value: Any) -> Any:
    deref = getattr(value, "go_deref", None)
    return deref() if callable(deref) else value


def to_int64(value: Any) -> int:
    """cast.ToInt64: errors are swallowed to 0."""
    try:
        return _cast_int(value, "int64")
    except GoError:
        return 0


def to_int(value: Any) -> int:
    """cast.ToInt (int is 64-bit)."""
    return to_int64(value)


def to_float64(value: Any) -> float:
    """cast.ToFloat64: errors are swallowed to 0."""
    value = _indirect(value)
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return parse_go_float(value)
        except ValueError:
            return 0.0
    if isinstance(value, GoObject) and value.go_type in _CAST_NAMED_INTS:
        return float(value.go_value())
    return 0.0


def go_sharp_v(value: Any) -> str:
    """A `%#v` good enough for cast's error messages."""
    if isinstance(value, str):
        return go_quote(value)
    return format_v(value)


def strval(value: Any) -> str:
    """Sprig's strval: strings and []byte as is, Stringers by String(), else fmt's %v."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return to_gostr(bytes(value))
    if isinstance(value, (dict, list, tuple)):
        charge_value(value)  # printing a container visits every node (shared ones once per path)
    return format_v(value)


def go_empty(value: Any) -> bool:
    """Sprig's empty(): zero numbers, false, empty string/slice/map, nil; structs never."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, (bool, int, float, str, bytes, bytearray, list, dict)):
        return not value
    if isinstance(value, GoObject):
        if value.go_kind == "struct":
            return False
        zero = getattr(value, "go_is_zero", None)
        if callable(zero):
            return bool(zero())
        return value.go_is_nil()
    return False


# --- Go strings are bytes ---------------------------------------------------------------
# Python strings hold Go strings; bytes that are not valid UTF-8 are kept as surrogate escapes
# so that byte-wise slicing (substr, trunc) round-trips exactly.


def to_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def to_gostr(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def go_len(s: str) -> int:
    return len(to_bytes(s)) if not s.isascii() else len(s)


def byte_slice(s: str, start: int, end: int | None = None) -> str:
    """s[start:end] on Go's bytes, panicking like Go on bad bounds."""
    if s.isascii():
        b_len = len(s)
        _check_bounds(start, b_len if end is None else end, b_len)
        return s[start:end]
    b = to_bytes(s)
    _check_bounds(start, len(b) if end is None else end, len(b))
    return to_gostr(b[start:end])


def _check_bounds(start: int, end: int, length: int) -> None:
    """Go's bounds checks for s[start:end], in the order and wording of its runtime panics."""
    if end < 0:
        raise GoError(f"runtime error: slice bounds out of range [:{end}]")
    if end > length:
        raise GoError(f"runtime error: slice bounds out of range [:{end}] with length {length}")
    if start < 0:
        raise GoError(f"runtime error: slice bounds out of range [{start}:]")
    if start > end:
        raise GoError(f"runtime error: slice bounds out of range [{start}:{end}]")


def is_space(ch: str) -> bool:
    """unicode.IsSpace."""
    return ch in "\t\n\v\f\r \x85\xa0" or (ord(ch) > 0xFF and ch.isspace() and ch not in "\x1c\x1d\x1e\x1f")


def go_upper(s: str) -> str:
    """strings.ToUpper: rune-wise simple case mapping (no ß -> SS expansion)."""
    return "".join(_simple_upper(c) for c in s)


def go_lower(s: str) -> str:
    return "".join(_simple_lower(c) for c in s)


def _simple_upper(c: str) -> str:
    u = c.upper()
    return u if len(u) == 1 else c


def _simple_lower(c: str) -> str:
    if c == "\u0130":
        return "\u0069\u0307"[0]  # Go maps İ to i (simple mapping)
    low = c.lower()
    return low if len(low) == 1 else c


def go_title_rune(c: str) -> str:
    """unicode.ToTitle of a rune."""
    t = c.title()
    if len(t) == 1:
        return t
    return _simple_upper(c)


class NilMap(dict[Any, Any]):
    """A nil `map[string]interface {}`: reads like an empty map, marshals to JSON `null`."""

    __slots__ = ()
