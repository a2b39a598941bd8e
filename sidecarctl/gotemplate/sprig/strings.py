"""Sprig's string functions (strings.go, goutils, xstrings, Go's strings package)."""

from __future__ import annotations

import os
from typing import Any

from sidecarctl.golang.strconv import INT64_MAX, INT64_MIN, NumError, atoi
from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoMap, GoSlice, format_v, gofunc

from . import _xstrings as xs
from ._util import (
    byte_slice,
    elements,
    go_len,
    go_lower,
    go_quote,
    go_title_rune,
    go_upper,
    is_list,
    is_space,
    strval,
    to_bytes,
    to_gostr,
)

FUNCS: dict[str, GoFunc] = {}


def register(*funcs: GoFunc) -> None:
    for f in funcs:
        FUNCS[f.name] = f


def alias(name: str, f: GoFunc) -> None:
    FUNCS[name] = GoFunc(name, f.fn, f.params, f.variadic, f.returns_error, f.result)


# --- Go's strings package -----------------------------------------------------------------


def go_repeat(s: str, count: int) -> str:
    if count < 0:
        raise GoError("strings: negative Repeat count")
    if count and go_len(s) * count >= 1 << 63:
        raise GoError("strings: Repeat count causes overflow")
    if go_len(s) * count > 1 << 30:
        raise GoError("runtime error: makeslice: len out of range")  # more than this box can hold
    budget.charge_output(len(s) * count)
    return s * count


def trim_space(s: str) -> str:
    start, end = 0, len(s)
    while start < end and is_space(s[start]):
        start += 1
    while end > start and is_space(s[end - 1]):
        end -= 1
    return s[start:end]


def go_replace(src: str, old: str, new: str) -> str:
    """strings.Replace(src, old, new, -1); an empty old inserts new around every rune."""
    if old == "":
        budget.charge_output(len(src) + len(new) * (len(src) + 1))
        return new + new.join(src) + new if src else new
    if len(new) > len(old):
        budget.charge_output(len(src) + (len(new) - len(old)) * src.count(old))
    return src.replace(old, new)


def go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """strings.SplitN; an empty separator splits into runes."""
    if n == 0:
        return []
    parts = len(s) if sep == "" else s.count(sep) + 1
    budget.charge_steps(parts if n < 0 else min(n, parts))  # before building the list
    if sep == "":
        runes = list(s)  # Go explodes into runes; an invalid byte stays a one-byte piece
        if n < 0 or n > len(runes):
            return runes
        return runes[: n - 1] + ["".join(runes[n - 1 :])]
    return s.split(sep) if n < 0 else s.split(sep, n - 1)


def _is_title_separator(r: str) -> bool:
    if r <= "\x7f":
        return not (r.isascii() and (r.isalnum() or r == "_"))
    if xs.is_letter(r) or (xs._cat(r) == "Nd"):
        return False
    return is_space(r)


def go_title(s: str) -> str:
    """strings.Title: upper-case (title-case) the first letter of each word."""
    out = []
    prev = " "
    for r in s:
        out.append(go_title_rune(r) if _is_title_separator(prev) else r)
        prev = r
    return "".join(out)


# --- goutils ------------------------------------------------------------------------------


def abbreviate_full(s: str, offset: int, width: int) -> str:
    """goutils.AbbreviateFull; byte-indexed like the Go original. Errors return ""."""
    if s == "":
        return ""
    if width < 4:
        return ""
    n = go_len(s)
    if n <= width:
        return s
    offset = min(offset, n)
    if n - offset < width - 3:
        offset = n - (width - 3)
    if offset <= 4:
        return byte_slice(s, 0, width - 3) + "..."
    if width < 7:
        return ""
    if offset + width - 3 < n:
        return "..." + abbreviate_full(byte_slice(s, offset), 0, width - 3)
    return "..." + byte_slice(s, n - (width - 3))


def delete_white_space(s: str) -> str:
    """goutils.DeleteWhiteSpace: byte-wise, each byte taken as a Latin-1 rune."""
    if s == "":
        return s
    raw = to_bytes(s)
    kept = [chr(b) for b in raw if not is_space(chr(b))]
    if len(kept) == len(raw):
        return s
    return "".join(kept)


def initials(s: str) -> str:
    """goutils.Initials: byte-wise like DeleteWhiteSpace."""
    out = []
    gap = True
    for b in to_bytes(s):
        ch = chr(b)
        if is_space(ch):
            gap = True
        elif gap:
            out.append(ch)
            gap = False
    return "".join(out)


def uncapitalize(s: str) -> str:
    out = []
    nxt = True
    for r in s:
        if is_space(r):
            nxt = True
        elif nxt:
            out.append(xs._to_lower_rune(r))
            nxt = False
            continue
        out.append(r)
    return "".join(out)


def swap_case(s: str) -> str:
    out = []
    ws = True
    for i, r in enumerate(s):
        if not i & 4095:
            budget.check_time()  # ~0.6 µs a rune: the longest allowed string takes seconds
        if xs.is_upper(r) or xs.is_title(r):
            out.append(xs._to_lower_rune(r))
            ws = False
        elif xs.is_lower(r):
            out.append(go_title_rune(r) if ws else xs._to_upper_rune(r))
            ws = False
        else:
            out.append(r)
            ws = is_space(r)
    return "".join(out)


def wrap_custom(s: str, length: int, newline: str, long_words: bool) -> str:
    """goutils.WrapCustom: break at spaces so that lines fit in `length` bytes."""
    if s == "":
        return ""
    newline = newline or "\n"
    length = max(length, 1)
    b = to_bytes(s)
    nl = to_bytes(newline)
    n = len(b)
    off = 0
    out = bytearray()
    while n - off > length:
        if b[off] == 0x20:
            off += 1
            continue
        at = b.rfind(b" ", off, length + off + 1)  # the loop guard keeps this end in range
        if at >= off:
            out += b[off:at] + nl
            off = at + 1
        elif long_words:
            out += b[off : off + length] + nl
            off += length
        else:
            idx = b.find(b" ", length + off)
            if idx == -1:
                out += b[off:]
                off = n
            else:
                out += b[off:idx] + nl
                off = idx + 1
    out += b[off:]
    return to_gostr(bytes(out))


# --- random strings (goutils.CryptoRandom*) -------------------------------------------------

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _random(count: int, alphabet: str) -> str:
    """`count` characters drawn uniformly from `alphabet` with the OS's CSPRNG (goutils'
    CryptoRandom): random bytes below the largest multiple of the alphabet's size are mapped to a
    character (the rest are dropped, so there is no modulo bias), a block at a time in C."""
    if count < 0:
        return ""  # goutils returns an error, which Sprig drops
    budget.charge_output(count)
    n = len(alphabet)
    usable = 256 - 256 % n
    table = bytes(ord(alphabet[b % n]) for b in range(256))
    drop = bytes(range(usable, 256))
    parts: list[bytes] = []
    have = 0
    while have < count:
        block = os.urandom(max(64, (count - have) * 256 // usable + 16)).translate(table, drop)
        parts.append(block)
        have += len(block)
    return b"".join(parts)[:count].decode("ascii")


# --- the functions --------------------------------------------------------------------------


@gofunc("abbrev", "int", "string", result="string")
def abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    return abbreviate_full(s, 0, width)


@gofunc("abbrevboth", "int", "int", "string", result="string")
def abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    return abbreviate_full(s, left, right)


@gofunc("trunc", "int", "string", result="string")
def trunc(c: int, s: str) -> str:
    n = go_len(s)
    if c < 0 and n + c > 0:
        return byte_slice(s, n + c)
    if c >= 0 and n > c:
        return byte_slice(s, 0, c)
    return s


@gofunc("substr", "int", "int", "string", result="string")
def substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return byte_slice(s, 0, end)
    if end < 0 or end > go_len(s):
        return byte_slice(s, start)
    return byte_slice(s, start, end)


@gofunc("repeat", "int", "string", result="string")
def repeat(count: int, s: str) -> str:
    return go_repeat(s, count)


@gofunc("trimAll", "string", "string", result="string")
def trim_all(cutset: str, s: str) -> str:
    return s.strip(cutset) if cutset else s


@gofunc("trimSuffix", "string", "string", result="string")
def trim_suffix(suffix: str, s: str) -> str:
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


@gofunc("trimPrefix", "string", "string", result="string")
def trim_prefix(prefix: str, s: str) -> str:
    return s[len(prefix) :] if s.startswith(prefix) else s


@gofunc("wrap", "int", "string", result="string")
def wrap(length: int, s: str) -> str:
    return wrap_custom(s, length, "", False)


@gofunc("wrapWith", "int", "string", "string", result="string")
def wrap_with(length: int, sep: str, s: str) -> str:
    return wrap_custom(s, length, sep, True)


@gofunc("contains", "string", "string", result="bool")
def contains(sub: str, s: str) -> bool:
    return sub in s


@gofunc("hasPrefix", "string", "string", result="bool")
def has_prefix(prefix: str, s: str) -> bool:
    return s.startswith(prefix)


@gofunc("hasSuffix", "string", "string", result="bool")
def has_suffix(suffix: str, s: str) -> bool:
    return s.endswith(suffix)


@gofunc("quote", "interface {}", variadic=True, result="string")
def quote(*values: Any) -> str:
    _charge_print(values)
    return " ".join(go_quote(strval(v)) for v in values if v is not None)


@gofunc("squote", "interface {}", variadic=True, result="string")
def squote(*values: Any) -> str:
    _charge_print(values)
    return " ".join(f"'{format_v(v)}'" for v in values if v is not None)


def _charge_print(values: tuple[Any, ...]) -> None:
    """Charge printing `values` before building the text (strings' lengths, container nodes)."""
    size = 0
    for v in values:
        if isinstance(v, str):
            size += len(v)
        elif isinstance(v, (dict, list, tuple)):
            budget.charge_value(v)
    budget.charge_output(size)


@gofunc("cat", "interface {}", variadic=True, result="string")
def cat(*values: Any) -> str:
    _charge_print(values)
    return " ".join(format_v(v) for v in values if v is not None)


@gofunc("indent", "int", "string", result="string")
def indent(spaces: int, s: str) -> str:
    pad = go_repeat(" ", spaces)
    budget.charge_output(len(s) + len(pad) * (1 + s.count("\n")))
    return pad + s.replace("\n", "\n" + pad)


@gofunc("nindent", "int", "string", result="string")
def nindent(spaces: int, s: str) -> str:
    return "\n" + indent(spaces, s)


@gofunc("replace", "string", "string", "string", result="string")
def replace(old: str, new: str, src: str) -> str:
    return go_replace(src, old, new)


@gofunc("plural", "string", "string", "int", result="string")
def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


@gofunc("toString", "interface {}", result="string")
def to_string(value: Any) -> str:
    return strval(value)


@gofunc("split", "string", "string", result="map[string]string")
def split(sep: str, s: str) -> GoMap:
    return GoMap({f"_{i}": part for i, part in enumerate(go_split(s, sep))})


@gofunc("splitn", "string", "int", "string", result="map[string]string")
def splitn(sep: str, n: int, s: str) -> GoMap:
    return GoMap({f"_{i}": part for i, part in enumerate(go_split(s, sep, n))})


@gofunc("splitList", "string", "string", result="[]string")
def split_list(sep: str, s: str) -> GoSlice:
    return GoSlice(go_split(s, sep), elem="string")


def strslice(value: Any) -> GoSlice:
    """Sprig's strslice: a []string from a slice (nil elements dropped) or a single value."""
    if isinstance(value, GoSlice) and value.elem == "string":
        return value
    if is_list(value):
        items = elements(value)
        budget.charge_steps(len(items))
        return GoSlice([strval(v) for v in items if v is not None], elem="string")
    if value is None:
        return GoSlice([], elem="string")
    return GoSlice([strval(value)], elem="string")


@gofunc("toStrings", "interface {}", result="[]string")
def to_strings(value: Any) -> GoSlice:
    return strslice(value)


@gofunc("join", "string", "interface {}", result="string")
def join(sep: str, value: Any) -> str:
    parts = strslice(value)
    budget.charge_output(sum(map(len, parts)) + len(sep) * max(0, len(parts) - 1))
    return sep.join(parts)


@gofunc("sortAlpha", "interface {}", result="[]string")
def sort_alpha(value: Any) -> GoSlice:
    if is_list(value):
        return GoSlice(sorted(strslice(value), key=to_bytes), elem="string")
    return GoSlice([strval(value)], elem="string")


def _simple(name: str, fn: Any, result: str = "string") -> GoFunc:
    """A function of one string that walks it rune by rune in Python (0.1 to 3 µs a rune): a
    step per rune before it starts, so a cheaply built string buys no unbounded work."""

    def charged(s: str) -> Any:
        budget.charge_steps(len(s))
        return fn(s)

    return GoFunc(name, charged, ("string",), result=result)


register(
    abbrev,
    abbrevboth,
    trunc,
    substr,
    repeat,
    trim_all,
    trim_suffix,
    trim_prefix,
    wrap,
    wrap_with,
    contains,
    has_prefix,
    has_suffix,
    quote,
    squote,
    cat,
    indent,
    nindent,
    replace,
    plural,
    to_string,
    split,
    splitn,
    split_list,
    to_strings,
    join,
    sort_alpha,
    _simple("trim", trim_space),
    _simple("upper", go_upper),
    _simple("lower", go_lower),
    _simple("title", go_title),
    _simple("untitle", uncapitalize),
    _simple("nospace", delete_white_space),
    _simple("initials", initials),
    _simple("swapcase", swap_case),
    _simple("shuffle", xs.shuffle),
    _simple("snakecase", lambda s: xs.camel_to_lower(s, "_")),
    _simple("kebabcase", lambda s: xs.camel_to_lower(s, "-")),
    _simple("camelcase", xs.to_camel_case),
    GoFunc("hello", lambda: "Hello!", (), result="string"),
    GoFunc("atoi", lambda s: _atoi(s), ("string",), result="int"),
    GoFunc("randAlphaNum", lambda n: _random(n, _ALNUM), ("int",), result="string"),
    GoFunc("randAlpha", lambda n: _random(n, _ALNUM[:52]), ("int",), result="string"),
    GoFunc("randNumeric", lambda n: _random(n, _ALNUM[52:]), ("int",), result="string"),
    GoFunc("randAscii", lambda n: _random(n, "".join(map(chr, range(32, 127)))), ("int",), result="string"),
)
alias("trimall", trim_all)


def _atoi(s: str) -> int:
    """strconv.Atoi with the error dropped: 0 on a syntax error; out of range gives the clamped
    value Go returns along with its error."""
    try:
        return atoi(s)
    except NumError as err:
        if err.err != "value out of range":
            return 0
        return INT64_MIN if s.startswith("-") else INT64_MAX
