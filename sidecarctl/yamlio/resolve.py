"""How yaml.v2 (v2.4) types a plain scalar: the reader uses it to build values, the emitter to decide quoting.

This mirrors `resolve()` in go-yaml v2 `resolve.go`, including its Go-library edges: `strconv.ParseInt` with
base 0 (so `0x1F`, `0o17`, `017` and `0b101` are ints, `08` is a float), `_` removed before number parsing,
YAML 1.1 booleans (`y`, `on`, `NO`, ...), and timestamps recognised by Go's `time.Parse` on four layouts.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sidecarctl.golang.strconv import format_float, parse_int, parse_uint

STR = "str"
BOOL = "bool"
NULL = "null"
INT = "int"
FLOAT = "float"
TIMESTAMP = "timestamp"
MERGE = "merge"

_INF = math.inf

# The values yaml.v2 looks up before trying numbers (resolveMapList). Its "<<" entry is unreachable there
# ('<' has no resolve hint), so "<<" is a plain string; only the decoder treats a plain "<<" key as a merge.
_RESOLVE_MAP: dict[str, tuple[str, Any]] = {}
for _words, _entry in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (BOOL, True)),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (BOOL, False)),
    (("", "~", "null", "Null", "NULL"), (NULL, None)),
    ((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, _INF)),
    (("-.inf", "-.Inf", "-.INF"), (FLOAT, -_INF)),
):
    for _w in _words:
        _RESOLVE_MAP[_w] = _entry

# First-character hints (resolveTable): only these can resolve to something other than a string.
_HINT_DIGIT = frozenset("0123456789+-")

_YAML_STYLE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
# What Go's strconv.ParseFloat can accept after a leading '.': digits with '_' separators, an exponent.
_DOT_FLOAT = re.compile(r"\.[0-9_]+(?:[eE][-+]?[0-9_]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")


def _parse_int(s: str, base: int = 0, signed: bool = True) -> int | None:
    """strconv.ParseInt / ParseUint (64-bit), None on error; underscores are already removed."""
    try:
        return parse_int(s, base) if signed else parse_uint(s, base)
    except ValueError:
        return None


def _parse_float(s: str) -> float | None:
    """strconv.ParseFloat on a string already known to be decimal syntax: overflow is an error in Go."""
    value = float(s)
    return None if math.isinf(value) else value


def _underscores_ok(s: str) -> bool:
    """strconv's underscoreOK for an unsigned decimal number: each '_' stands between two digits."""
    saw = "^"  # '^' start, '0' digit, '_' underscore, '!' anything else
    for c in s:
        if "0" <= c <= "9":
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _parse_dot_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64) for a string starting with '.', which yaml.v2 hands it unchanged: Go's
    float syntax, where '_' may separate digits (so `.5_0` is 0.5), and overflow is an error."""
    if not _DOT_FLOAT.match(s):
        return None
    if "_" in s:
        if not _underscores_ok(s):
            return None
        s = s.replace("_", "")
    return _parse_float(s)


# --- timestamps: Go's time.Parse on the layouts yaml.v2 tries ---------------------------------------------
_TS_DATE = r"([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)"
_TS_TIME = r"([0-9][0-9]?):([0-9][0-9]?):([0-9][0-9]?)(?:[.,][0-9]+)?"
# Compiled on first use (re's cache): only scalars that start like a date get this far.
_TS_LAYOUTS = (
    _TS_DATE + "[T]" + _TS_TIME + r"(Z|[+-]([0-9]{2}):([0-9]{2}))\Z",
    _TS_DATE + "[t]" + _TS_TIME + r"(Z|[+-]([0-9]{2}):([0-9]{2}))\Z",
    _TS_DATE + " +" + _TS_TIME + r"\Z",  # a layout space matches a run of spaces
    _TS_DATE + r"\Z",
)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(month: int, year: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month]


def _valid_timestamp_fields(groups: tuple[str | None, ...]) -> bool:
    year, month, day = int(groups[0]), int(groups[1]), int(groups[2])  # type: ignore[arg-type]
    if not 1 <= month <= 12:
        return False
    if len(groups) > 3:
        hour, minute, second = int(groups[3]), int(groups[4]), int(groups[5])  # type: ignore[arg-type]
        if hour > 23 or minute > 59 or second > 59:
            return False
        if len(groups) > 6 and groups[7] is not None:
            # Go accepts zone offsets up to 24 hours and 60 minutes.
            if int(groups[7]) > 24 or int(groups[8]) > 60:  # type: ignore[arg-type]
                return False
    return 1 <= day <= _days_in(month, year)


def is_timestamp(s: str) -> bool:
    """True when yaml.v2 would tag the plain scalar `s` as !!timestamp."""
    if len(s) < 5 or s[4] != "-" or not s[:4].isascii() or not s[:4].isdigit():
        return False
    for layout in _TS_LAYOUTS:
        m = re.match(layout, s)
        if m and _valid_timestamp_fields(m.groups()):
            return True
    return False


def is_base60_float(s: str) -> bool:
    """yaml.v2 quotes YAML 1.1 sexagesimal numbers (`1:20`) on output although it reads them as strings."""
    return bool(s) and (s[0] in _HINT_DIGIT) and ":" in s and _BASE60.match(s) is not None


def _resolve_number(s: str, timestamps: bool = True) -> tuple[str, Any]:
    """The 'D'/'S' hint branch: timestamp, int, uint, float, then the 0b forms."""
    if timestamps and is_timestamp(s):
        return TIMESTAMP, s
    plain = s.replace("_", "")
    value = _parse_int(plain)
    if value is None:
        value = _parse_int(plain, signed=False)
    if value is not None:
        return INT, value
    if _YAML_STYLE_FLOAT.match(plain):
        f = _parse_float(plain)
        if f is not None:
            return FLOAT, f
    if plain.startswith("0b"):
        value = _parse_int(plain[2:], 2)
        if value is None:
            value = _parse_int(plain[2:], 2, signed=False)
        if value is not None:
            return INT, value
    elif plain.startswith("-0b"):
        value = _parse_int("-" + plain[3:], 2)
        if value is not None:
            return INT, value
    return STR, s


def resolve_plain(s: str, timestamps: bool = True) -> tuple[str, Any]:
    """(tag, value) yaml.v2 gives an untagged plain scalar; timestamps keep their text as the value.

    `timestamps=False` is resolve() with an explicit tag other than !!timestamp, which skips that check.
    """
    entry = _RESOLVE_MAP.get(s)
    if entry is not None:
        return entry
    first = s[0]
    if first in _HINT_DIGIT:
        return _resolve_number(s, timestamps)
    if first == ".":
        f = _parse_dot_float(s)
        if f is not None:
            return FLOAT, f
    return STR, s


def plain_is_string(s: str) -> bool:
    """Whether yaml.v2's encoder may write `s` unquoted: it must read back as the same string."""
    if s in _RESOLVE_MAP:
        return False
    first = s[0]
    if first in _HINT_DIGIT:
        return _resolve_number(s)[0] == STR and not is_base60_float(s)
    if first == ".":
        return _parse_dot_float(s) is None
    return True


def yaml_float_text(f: float, bits: int = 64) -> str:
    """How yaml.v2 (and sigs.k8s.io/yaml for float keys) spells a float: strconv's shortest 'g', with
    the specials as .inf/-.inf/.nan."""
    text = format_float(f, "g", -1, bits)
    return _YAML_SPECIALS.get(text, text)


_YAML_SPECIALS = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}
