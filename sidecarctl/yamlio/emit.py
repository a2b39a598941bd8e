"""YAML output byte-identical to `sigs.k8s.io/yaml.Marshal` (v1.6.0) of JSON-shaped data.

Marshal is `json.Marshal`, then yaml.v2 (go.yaml.in/yaml/v2 2.4) unmarshals that JSON into generic values
and marshals them again. So: every string came from a JSON string (always a string), numbers are int,
uint64 or float64 by yaml.v2's reading of Go's JSON number text, maps are sorted with yaml.v2's `keyList`,
and the text is libyaml's emitter (port in `emitterc.go`) with indent 2, width 80, unicode on.

The emitter here is not an event machine: block structure is fixed by the value shapes, so each node
writes its own lines and reports whether it ended at the start of a line (after a block scalar whose
last character is a line break), which is the only emitter state that crosses node boundaries.
Scalar styles are decided once per distinct string and cached; folding at width 80 and characters that
need per-character treatment take a slower, faithful path (`_Writer`).
"""

from __future__ import annotations

import math
import re
import sys
from functools import cmp_to_key
from typing import Any

from sidecarctl.golang.json import json_integral
from sidecarctl.golang.strconv import format_float
from sidecarctl.yamlio.resolve import plain_is_string
from sidecarctl.yamlio.yamlerror import YamlError

__all__ = ["dump_yaml"]

_BEST_WIDTH = 80
_SIMPLE_KEY_MAX_BYTES = 128  # yaml_emitter_check_simple_key
_CACHE_LIMIT = 4096  # a batch repeats ~500 strings; the rest (names) would grow with N

# Scalar styles.
_PLAIN, _SINGLE, _DOUBLE, _LITERAL = 1, 2, 3, 4

_BREAKS = "\r\n\x85\u2028\u2029"
_BREAK_SET = frozenset(_BREAKS)
# libyaml's is_printable, as code points: LF, 0x20-0x7E, 0xA0-0xD7FF, 0xE000-0xFFFD without the BOM.
# Everything else (tab, CR, C1 controls, astral characters) is a "special character".
# Written as the complement's ranges (a negated class over the BMP costs Python ~4 ms to compile);
# this and the two classes below are compiled on first use (re's cache) because ASCII text, nearly
# all of a manifest, is answered by str methods (`_has_special`, `_dq_safe`, `_needs_json_fix`).
_SPECIAL = r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
_BREAK_RE = re.compile(r"[\r\n\x85\u2028\u2029]")
_SPACE_BREAK_RE = re.compile(r" [\r\n\x85\u2028\u2029]")
_BREAK_SPACE_RE = re.compile(r"[\r\n\x85\u2028\u2029] ")
# Characters that make a plain scalar ambiguous anywhere after the first position (block context).
_INNER_INDICATOR_RE = re.compile(r":(?:[ \t]|\Z)|[ \t\r\n\x85\u2028\u2029\x00]#")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
# Characters the double-quoted writer copies as they are.
# (Complement of: 0x20-0x21, 0x23-0x5B, 0x5D-0x7E, 0xA0-0x2027, 0x202A-0xD7FF, 0xE000-0xFEFE, 0xFF00-0xFFFD.)
_DQ_UNSAFE = r"[\x00-\x1f\x22\x5c\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
# What Go's JSON leaves raw but libyaml's reader treats specially (see _json_string).
_JSON_FIX = r"[\x7f-\x9f\ud800-\udfff\ufffe\uffff]"


def _has_special(s: str) -> bool:
    """A character libyaml does not print as it is (ASCII: the controls but LF, and DEL)."""
    if s.isascii():
        return not (s.replace("\n", "") if "\n" in s else s).isprintable()
    return re.search(_SPECIAL, s) is not None


def _dq_safe(s: str) -> bool:
    """Every character copied as it is inside double quotes (ASCII: printable, no quote or backslash)."""
    if s.isascii():
        return s.isprintable() and '"' not in s and "\\" not in s
    return re.search(_DQ_UNSAFE, s) is None


def _needs_json_fix(s: str) -> bool:
    if s.isascii():
        return "\x7f" in s
    return re.search(_JSON_FIX, s) is not None


# Patterns for rare strings, left to re's own cache (compiled on first use, not at every startup).
_LONE_SURROGATE = r"[\ud800-\udfff]"
_READER_REFUSES = r"[\x7f-\x84\x86-\x9f\ufffe\uffff]"
_JSON_ESCAPED = r'[\x00-\x1f"\\<>&\u2028\u2029\ud800-\udfff]'
_JSON_SHORT_ESCAPES = frozenset('"\\\n\r\t\b\f')
_NEL_RUN = r" *\x85[ \x85]*"
_NEL_DOC_INDICATOR = r"\x85(?:---|\.\.\.)[ \x85]"

_DQ_ESCAPES = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


# --------------------------------------------------------------------------------------------------------
# Scalar analysis (yaml_emitter_analyze_scalar + yaml_emitter_select_scalar_style)
# --------------------------------------------------------------------------------------------------------


class _Analysis:
    """The flags of libyaml's analyze_scalar that matter in block context."""

    __slots__ = ("plain_ok", "single_ok", "block_ok")

    def __init__(self, s: str) -> None:
        special = _has_special(s)
        breaks = _BREAK_RE.search(s) is not None
        space_break = breaks and _SPACE_BREAK_RE.search(s) is not None
        break_space = breaks and _BREAK_SPACE_RE.search(s) is not None
        lead_trail = s[0] in " " + _BREAKS or s[-1] in " " + _BREAKS
        self.plain_ok = not (lead_trail or breaks or special or space_break or break_space or _has_block_indicator(s))
        self.single_ok = not (break_space or space_break or special)
        self.block_ok = not (s[-1] == " " or space_break or special)


def _has_block_indicator(s: str) -> bool:
    if s.startswith(("---", "...")):
        return True
    first = s[0]
    if first in _FIRST_INDICATORS:
        return True
    if first in "?-" and (len(s) == 1 or s[1] in " \t"):
        return True
    # ':' before a blank or at the end, '#' after a blank: the same rule at the first position and later.
    return _INNER_INDICATOR_RE.search(s) is not None


def _value_style(s: str) -> int:
    """The style yaml.v2 ends up with for a string outside a simple key."""
    if not s:
        return _DOUBLE  # "" resolves to null
    a = _Analysis(s)
    if "\n" in s:
        return _LITERAL if a.block_ok else _DOUBLE
    if not plain_is_string(s):
        return _DOUBLE
    if a.plain_ok:
        return _PLAIN
    return _SINGLE if a.single_ok else _DOUBLE


def _key_style(s: str) -> int:
    """The style of a string written as a simple key (never multi-line, never folded)."""
    if not s or not plain_is_string(s):
        return _DOUBLE
    a = _Analysis(s)
    if a.plain_ok:
        return _PLAIN
    return _SINGLE if a.single_ok else _DOUBLE


def _is_simple_key(s: str) -> bool:
    if len(s) > _SIMPLE_KEY_MAX_BYTES or _BREAK_RE.search(s):
        return False
    return s.isascii() or len(s.encode("utf-8")) <= _SIMPLE_KEY_MAX_BYTES


def _single_line(s: str, style: int) -> str:
    """The unfolded rendering of a one-line scalar in the given style."""
    if style == _PLAIN:
        return s
    if style == _SINGLE:
        return "'" + s.replace("'", "''") + "'"  # callers keep strings with line breaks off this path
    if _dq_safe(s) and not s.startswith("\ufeff"):
        return '"' + s + '"'
    return _Writer(0, 0).double_quoted(s, allow_breaks=False)[1:]  # drop the separating space


# --------------------------------------------------------------------------------------------------------
# The faithful slow path: libyaml's writers with column tracking
# --------------------------------------------------------------------------------------------------------


class _Writer:
    """Column/indention/whitespace bookkeeping of yaml_emitter_t for writing one scalar."""

    __slots__ = ("parts", "column", "indent", "indention", "whitespace")

    def __init__(self, column: int, indent: int) -> None:
        self.parts: list[str] = []
        self.column = column
        self.indent = indent
        self.indention = False
        self.whitespace = False

    def text(self) -> str:
        return "".join(self.parts)

    def put(self, s: str) -> None:
        self.parts.append(s)
        self.column += len(s)

    def put_break(self) -> None:
        self.parts.append("\n")
        self.column = 0

    def write_break(self, c: str) -> None:
        if c == "\n":
            self.put_break()
        else:  # other line breaks are copied as they are and count as a new line
            self.parts.append(c)
            self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def indicator(self, s: str, need_whitespace: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(s)
        self.whitespace = False
        self.indention = False

    def single_quoted(self, s: str, allow_breaks: bool) -> None:
        self.indicator("'", True)
        spaces = breaks = False
        n = len(s)
        for i, c in enumerate(s):
            if c == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1 and s[i + 1] != " ":
                    self.write_indent()
                else:
                    self.put(c)
                spaces = True
            elif c in _BREAK_SET:
                if not breaks and c == "\n":
                    self.put_break()
                self.write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put("''" if c == "'" else c)
                self.indention = False
                spaces = breaks = False
        self.indicator("'", False)

    def double_quoted(self, s: str, allow_breaks: bool) -> str:
        self.indicator('"', True)
        spaces = False
        bom = s.startswith("\ufeff")  # libyaml's is_bom looks at the start of the value for every character
        n = len(s)
        for i, c in enumerate(s):
            if bom or c in '"\\' or c in _BREAK_SET or _has_special(c):
                self.put(_escape(c))
                spaces = False
            elif c == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1:
                    self.write_indent()
                    if s[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(c)
                spaces = True
            else:
                self.put(c)
                spaces = False
        self.indicator('"', False)
        return self.text()

    def literal(self, s: str) -> None:
        self.indicator("|", True)
        self.put(_block_hints(s))
        self.put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        for c in s:
            if c in _BREAK_SET:
                self.write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(c)
                self.indention = False
                breaks = False


def _escape(c: str) -> str:
    esc = _DQ_ESCAPES.get(c)
    if esc is not None:
        return esc
    v = ord(c)
    if v <= 0xFF:
        return "\\x%02X" % v
    if v <= 0xFFFF:
        return "\\u%04X" % v
    return "\\U%08X" % v


def _block_hints(s: str) -> str:
    """Indentation indicator (when the text starts with a space or break) and chomping indicator."""
    hints = "2" if s[0] == " " or s[0] in _BREAK_SET else ""
    if s[-1] not in _BREAK_SET:
        return hints + "-"
    if len(s) == 1 or s[-2] in _BREAK_SET:
        return hints + "+"
    return hints


def _literal(s: str, indent: int) -> tuple[str, bool]:
    """A literal block scalar after its separating space; also whether it ended at a line start."""
    if "\u2028" in s or "\u2029" in s:
        w = _Writer(1, indent)
        w.literal(s)
        return w.text(), w.column == 0
    pad = " " * indent
    lines = s.split("\n")
    body = "\n".join([pad + line if line else "" for line in lines])
    return " |" + _block_hints(s) + "\n" + body, s[-1] == "\n"


def _fold_plain(s: str, col: int, indent: int) -> str:
    """A plain scalar starting at column `col`, broken at spaces once past column 80."""
    parts = []
    start = 0
    line_col = col
    i = s.find(" ")
    while i != -1:
        if line_col + (i - start) > _BEST_WIDTH and s[i - 1] != " " and s[i + 1] != " ":
            parts.append(s[start:i])
            start = i + 1
            line_col = indent
        i = s.find(" ", i + 1)
    parts.append(s[start:])
    return ("\n" + " " * indent).join(parts)


def _folded(s: str, style: int, col: int, indent: int) -> str:
    """Slow path for a one-line scalar that may pass column 80 (col is where it starts)."""
    if style == _PLAIN:
        return _fold_plain(s, col, indent)
    w = _Writer(col - 1, indent)  # the writer starts before the separating space
    if style == _SINGLE:
        w.single_quoted(s, True)
        return w.text()[1:]
    return w.double_quoted(s, True)[1:]


# --------------------------------------------------------------------------------------------------------
# Caches of per-string decisions
# --------------------------------------------------------------------------------------------------------

# value string -> (style, unfolded one-line text or None for block/multi-line, whether folding is possible,
# the string as yaml.v2 sees it)
_VALUES: dict[str, tuple[int, str | None, bool, str]] = {}
# key string -> rendered simple key, or None when it must be written as a complex ("? ") key
_KEYS: dict[str, str | None] = {}
_ORDERS: dict[tuple[str, ...], list[str]] = {}


def _value_entry(raw: str) -> tuple[int, str | None, bool, str]:
    """Decisions for a string value, cached under the caller's string."""
    if len(_VALUES) > _CACHE_LIMIT:
        _VALUES.clear()
    s = _json_string(raw)
    style = _value_style(s)
    entry: tuple[int, str | None, bool, str]
    if style == _LITERAL or (style == _SINGLE and _BREAK_RE.search(s)):
        entry = (style, None, True, s)
    else:
        entry = (style, _single_line(s, style), " " in s, s)
    _VALUES[raw] = entry
    return entry


def _key_entry(raw: str) -> str | None:
    """The rendered simple key for a (JSON-clean) key string, or None for a complex key."""
    if len(_KEYS) > _CACHE_LIMIT:
        _KEYS.clear()
    _check_json_key(raw)
    text = _single_line(raw, _key_style(raw)) if _is_simple_key(raw) else None
    _KEYS[raw] = text
    return text


def _json_length(s: str) -> int:
    """Characters in Go's JSON encoding of `s`, quotes included."""
    extra = 0
    for m in re.finditer(_JSON_ESCAPED, s):
        extra += 1 if m.group() in _JSON_SHORT_ESCAPES else 5
    return len(s) + extra + 2


def _check_json_key(k: str) -> None:
    """In the JSON that yaml.v2 re-reads, each key is a flow-mapping simple key: it must stay on one line
    (a raw NEL breaks it) and end within 1024 characters of its opening quote, else libyaml reports the
    ':' that follows as unexpected."""
    if "\x85" in k or (len(k) > 170 and _json_length(k) > 1024):
        line = k.count("\x85")
        raise YamlError("yaml: %sdid not find expected ',' or '}'" % ("line %d: " % line if line else ""))


def _json_string(s: str) -> str:
    """The string yaml.v2 reads back from Go's JSON of `s` (Marshal's JSON-to-YAML step).

    Go's JSON escapes control characters below 0x20, quotes, backslashes, U+2028/9 and invalid UTF-8 (here:
    lone surrogates) but leaves DEL, C1 controls and U+FFFE/F raw: libyaml's reader refuses those, and it
    folds a raw NEL like any line break inside a double-quoted scalar (spaces around it are dropped, one
    break becomes a space, each further break a newline).
    """
    if not _needs_json_fix(s):
        return s
    s = re.sub(_LONE_SURROGATE, "\ufffd", s)
    if re.search(_READER_REFUSES, s):
        raise YamlError("yaml: control characters are not allowed")
    m = re.search(_NEL_DOC_INDICATOR, s)
    if m:
        line = s.count("\x85", 0, m.end()) + 1
        raise YamlError("yaml: line %d: found unexpected document indicator" % line)
    return re.sub(_NEL_RUN, lambda m: " " if m.group().count("\x85") == 1 else "\n" * (m.group().count("\x85") - 1), s)


def _scalar_text(s: str, col: int, indent: int) -> tuple[str, bool]:
    """A string value with its separating space, starting at column `col` (after the space).

    `indent` is where continuation lines go. Returns the text and whether it ended at a line start.
    """
    entry = _VALUES.get(s)
    if entry is None:
        entry = _value_entry(s)
    style, text, foldable, s = entry
    if text is not None:
        if foldable and col + len(text) > _BEST_WIDTH + 1:
            return " " + _folded(s, style, col, indent), False
        return " " + text, False
    if style == _LITERAL:
        return _literal(s, indent)
    w = _Writer(col - 1, indent)  # single-quoted text with non-LF line breaks
    w.single_quoted(s, True)
    return w.text(), w.column == 0 and w.indention


# --------------------------------------------------------------------------------------------------------
# Key order: yaml.v2 sorter.go keyList.Less on strings
# --------------------------------------------------------------------------------------------------------


def _wrap64(v: int) -> int:
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


def _digit_run(s: str, i: int, n: int) -> tuple[int, int]:
    while i < len(s) and s[i].isdecimal():
        n = _wrap64(n * 10 + (ord(s[i]) - 48))
        i += 1
    return n, i


def _go_key_less(a: str, b: str) -> bool:
    """keyList.Less for two strings: letters after other runes, digit runs compared as numbers."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        an, ai = _digit_run(a, i, an)
        bn, bi = _digit_run(b, i, bn)
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _go_key_cmp(a: str, b: str) -> int:
    if _go_key_less(a, b):
        return -1
    return 1 if _go_key_less(b, a) else 0


_GO_KEY = cmp_to_key(_go_key_cmp)
# Without digits, the order is: non-letters by code point, then letters by code point. For ASCII keys
# that is plain string order once letters are moved above 0x7F.
_LETTERS_UP = str.maketrans({c: chr(ord(c) + 0x80) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"})
_HAS_DIGIT_RE = re.compile(r"\d")


def _sorted_keys(keys: tuple[str, ...]) -> list[str]:
    order = _ORDERS.get(keys)
    if order is None:
        if len(_ORDERS) > _CACHE_LIMIT:
            _ORDERS.clear()
        joined = "".join(keys)
        if _needs_json_fix(joined):
            return None  # type: ignore[return-value]  # the caller cleans the keys first
        if joined.isascii() and not _HAS_DIGIT_RE.search(joined):
            order = sorted(keys, key=lambda k: k.translate(_LETTERS_UP))
        else:
            order = sorted(keys, key=_GO_KEY)
        _ORDERS[keys] = order
    return order


# --------------------------------------------------------------------------------------------------------
# Numbers as they come back from Go JSON text through yaml.v2
# --------------------------------------------------------------------------------------------------------

_INT_MIN, _UINT_MAX = -(1 << 63), (1 << 64) - 1


def _go_int(v: int) -> str:
    if _INT_MIN <= v <= _UINT_MAX:
        return str(v)
    return format_float(float(v))  # JSON digits beyond uint64 read back as a float64


def _go_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise YamlError("json: unsupported value: " + ("NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")))
    if f.is_integer() and abs(f) < 1e21:
        i = json_integral(f)  # Go's JSON writes 2.0 as "2", which yaml.v2 reads back as an int
        if _INT_MIN <= i <= _UINT_MAX:
            return str(i)
    return format_float(f)


def _atom(v: Any) -> str | None:
    """Plain text for null, booleans and numbers; None for anything else."""
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return _go_int(v)
    if t is float:
        return _go_float(v)
    return None


# --------------------------------------------------------------------------------------------------------
# Block collections
# --------------------------------------------------------------------------------------------------------

_PADS = [" " * i for i in range(64)]
_NL_PADS = ["\n" + p for p in _PADS]


def _pad(n: int) -> str:
    return _PADS[n] if n < 64 else " " * n


def _nl_pad(n: int) -> str:
    return _NL_PADS[n] if n < 64 else "\n" + " " * n


def _normalize(v: Any) -> Any:
    """What json.Marshal would make of a non-JSON Python value (subclasses, tuples, other mappings)."""
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, dict) or hasattr(v, "keys"):
        return {_json_key(k): v[k] for k in v.keys()}
    if isinstance(v, (list, tuple)):
        return list(v)
    raise TypeError("cannot marshal value of type %s to YAML" % type(v).__name__)


def _json_key(k: Any) -> str:
    """Map keys the way Python's json module would spell them (Go's JSON only has string keys)."""
    if isinstance(k, str):
        return str(k)
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, int):
        return str(int(k))
    if isinstance(k, float):
        return _go_float(float(k))
    raise TypeError("cannot marshal map key of type %s" % type(k).__name__)


def _dict_keys(d: dict) -> list[str] | None:
    """Keys in yaml.v2 order; None when some key changes on the way through JSON (see _json_string)."""
    if len(d) < 2:
        keys = list(d)
        return None if keys and _needs_json_fix(keys[0]) else keys
    return _sorted_keys(tuple(d))


def _emit_map(d: dict, indent: int, out: list[str], lead: str) -> bool:
    """A non-empty block mapping whose keys sit at `indent`; `lead` precedes the first key."""
    if any(type(k) is not str for k in d):
        d = _normalize(d)
    keys = _dict_keys(d)
    if keys is None:
        for k in d:
            _check_json_key(k)
        d = {_json_string(k): v for k, v in d.items()}
        keys = _dict_keys(d)
    nl = _nl_pad(indent)
    sp = _pad(indent)
    bol = False
    pre = lead
    for k in keys:  # type: ignore[union-attr]
        kt = _KEYS.get(k, "")
        if kt == "":
            kt = _key_entry(k)
        v = d[k]
        if kt is None:
            bol = _emit_complex(k, v, indent, pre, out)
        else:
            bol = _emit_value(v, indent, out, pre + kt + ":", indent + len(kt) + 2, True)
        pre = sp if bol else nl
    return bol


def _emit_seq(items: list, indent: int, out: list[str], lead: str) -> bool:
    """A non-empty block sequence whose dashes sit at `indent`; `lead` precedes the first dash."""
    nl = _nl_pad(indent) + "-"
    sp = _pad(indent) + "-"
    bol = False
    pre = lead + "-"
    for v in items:
        bol = _emit_value(v, indent, out, pre, indent + 2, False)
        pre = sp if bol else nl
    return bol


def _emit_value(v: Any, indent: int, out: list[str], head: str, col: int, indentless_seq: bool) -> bool:
    """Write `head` (a key and ':' or a dash) followed by the node `v`; return whether at a line start.

    `indent` is the parent's indentation; scalars continue at indent+2, a mapping's keys go to indent+2,
    a sequence under a simple key keeps the parent's indent (yaml.v2's compact "indentless" sequences).
    """
    t = type(v)
    if t is str:
        text, bol = _scalar_text(v, col, indent + 2)
        out.append(head + text)
        return bol
    if t is dict:
        if not v:
            out.append(head + " {}")
            return False
        out.append(head)
        return _emit_map(v, indent + 2, out, _nl_pad(indent + 2) if indentless_seq else " ")
    if t is list:
        if not v:
            out.append(head + " []")
            return False
        out.append(head)
        if indentless_seq:
            return _emit_seq(v, indent, out, _nl_pad(indent))
        return _emit_seq(v, indent + 2, out, " ")
    atom = _atom(v)
    if atom is not None:
        out.append(head + " " + atom)
        return False
    return _emit_value(_normalize(v), indent, out, head, col, indentless_seq)


def _emit_complex(k: str, v: Any, indent: int, pre: str, out: list[str]) -> bool:
    """A key that cannot be simple (multi-line or over 128 bytes): '? key' then ': value' lines."""
    text, bol = _scalar_text(k, indent + 2, indent + 2)
    out.append(pre + "?" + text)
    colon = (_pad(indent) if bol else _nl_pad(indent)) + ":"
    # After ": " the emitter is still "at indentation", so nested collections start on the same line.
    return _emit_value(v, indent, out, colon, indent + 2, False)


def _emit_root(obj: Any, out: list[str]) -> bool:
    t = type(obj)
    if t is dict and obj:
        return _emit_map(obj, 0, out, "")
    if t is list and obj:
        return _emit_seq(obj, 0, out, "")
    if t is dict or t is list:
        out.append("{}" if t is dict else "[]")
        return False
    if t is str:
        text, bol = _scalar_text(obj, 0, 2)  # a root scalar has no separating space
        out.append(text[1:])
        return bol
    atom = _atom(obj)
    if atom is not None:
        out.append(atom)
        return False
    return _emit_root(_normalize(obj), out)


def dump_yaml(obj: Any) -> str:
    """What `sigs.k8s.io/yaml.Marshal` returns for `obj` (JSON-shaped: dict/list/str/int/float/bool/None).

    Raises YamlError where Marshal fails: NaN and infinities and cycles (json.Marshal refuses them),
    characters its YAML re-read refuses, nesting past that re-read's 10,000 levels.
    """
    out: list[str] = []
    try:
        bol = _emit_root(obj, out)
    except RecursionError:
        return _dump_deep(obj)
    if not bol:
        out.append("\n")
    return "".join(out)


# yaml.v2's scanner refuses more than 10,000 nested flow collections in the JSON Marshal re-reads.
_GO_MAX_DEPTH = 10_000
_FRAMES_PER_LEVEL = 3  # _emit_value -> _emit_map/_emit_seq, and a _normalize detour


def _dump_deep(obj: Any) -> str:
    """A value nested deeper than Python's recursion limit allows: refused like Go past 10,000 levels
    or when it contains itself (both found without recursing), else written with a stack to fit."""
    depth = _nesting(obj)
    if depth > _GO_MAX_DEPTH:
        raise YamlError("yaml: exceeded max depth of %d" % _GO_MAX_DEPTH)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, old + depth * _FRAMES_PER_LEVEL))
    try:
        out: list[str] = []
        if not _emit_root(obj, out):
            out.append("\n")
        return "".join(out)
    finally:
        sys.setrecursionlimit(old)


def _nesting(obj: Any) -> int:
    """How many collections nest at the deepest point of `obj` (iteratively); YamlError for a
    collection that contains itself, as Go's json.Marshal refuses it."""
    deepest = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(obj, 1, False)]
    while stack:
        node, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        if isinstance(node, (str, bytes)) or not isinstance(node, (dict, list, tuple)) and not hasattr(node, "keys"):
            continue
        if id(node) in on_path:
            raise YamlError("json: unsupported value: encountered a cycle via %s" % type(node).__name__)
        deepest = max(deepest, depth)
        on_path.add(id(node))
        stack.append((node, depth, True))
        children = [node[k] for k in node.keys()] if hasattr(node, "keys") else node
        stack.extend((child, depth + 1, False) for child in children)
    return deepest
