"""Go's regexp on RE2 (the `google-re2` binding): linear-time matching, as Go's.

`translate` parses a Go pattern the way Go's regexp/syntax does (Go's error messages, Go's limits
and Unicode tables: RE2's C++ parser words its errors differently and accepts a few things Go
refuses, such as `\\C`) and emits the same expression in RE2's syntax with anchors, `.`, Perl and
POSIX classes and flags spelled out, so nothing depends on where the two parsers differ.
`GoRegexp` matches with RE2 over the text's UTF-8 bytes and runs Go's own iteration rules for
FindAll, ReplaceAll and Split (an empty match right after a previous match is skipped; an empty
match advances by one rune). There is no backtracking fallback: the binding is a dependency."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import re2
from re2 import _re2

from sidecarctl.golang.strconv import can_backquote, quote
from sidecarctl.gotemplate import budget

_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
MAX_REPEAT = 1000
_PUNCT_META = set("\\.+*?()|[]{}^$")

_PERL = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_POSIX = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}


class RegexpError(Exception):
    """A parse error; str() is Go's `error parsing regexp: CODE: `TEXT``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{text}`")


def negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= 0x10FFFF:
        out.append((nxt, 0x10FFFF))
    return out


@lru_cache(maxsize=64)
def unicode_class(name: str) -> tuple[tuple[int, int], ...] | None:
    """Ranges of a Unicode category or script (`L`, `Lu`, `Greek`, `Any`); None when unknown."""
    if name == "Any":
        return ((0, 0x10FFFF),)
    from ._unicode_tables import TABLES

    text = TABLES.get(name)
    if text is None:
        return None
    ranges = []
    for part in text.split():
        lo, _, hi = part.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(ranges)


def _class_text(ranges: list[tuple[int, int]], negated: bool = False) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(_esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}")
    body = "".join(parts)
    if not body:
        return "[^\\x00-\\x{10ffff}]" if not negated else "[\\x00-\\x{10ffff}]"
    return f"[{'^' if negated else ''}{body}]"


def _esc(c: int) -> str:
    if c < 0x80 and (chr(c).isalnum()):
        return chr(c)
    return f"\\x{{{c:x}}}"


@dataclass
class _Frame:
    flags: set[str]
    start: int  # index into output where this group's content begins
    openers: list[str] = field(default_factory=list)  # scoped-flag groups opened by `(?i)`
    capture: bool = False
    entries: list[list[RepeatNode]] = field(default_factory=list)  # the enclosing group's atoms


# The {n,m} repetitions inside an atom, for Go's limit of 1000 on nested repeat counts:
# (count, nested repetitions).
RepeatNode = tuple[int, list["RepeatNode"]]


def repeat_is_valid(nodes: list[RepeatNode], n: int) -> bool:
    """regexp/syntax's repeatIsValid: counts multiply along each nesting path up to n."""
    for m, kids in nodes:
        if m == 0:
            continue
        if m > n:
            return False
        if not repeat_is_valid(kids, n // m):
            return False
    return True


@dataclass
class Translation:
    pattern: str
    names: list[str] = field(default_factory=list)  # Go capture names by group index - 1


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.i = 0
        self.out: list[str] = []
        self.flags: set[str] = set()  # i, s, U, m (m means multi-line)
        self.stack: list[_Frame] = []
        self.names: list[str] = []
        self.last_atom: bool = False  # can a repetition operator follow?
        self.last_repeat: int = -1  # start index in expr of the previous repetition operator
        self.top_openers: list[str] = []
        self.entries: list[list[RepeatNode]] = []  # per atom of the current group

    def err(self, code: str, text: str) -> RegexpError:
        return RegexpError(code, text)

    def parse(self) -> Translation:
        e = self.expr
        while self.i < len(e):
            c = e[self.i]
            if c in "*+?{":
                if self._repeat():
                    continue
                c = "{"  # not a valid repeat: a literal brace
                self._literal_text(re.escape("{"))
                self.i += 1
                continue
            self.last_repeat = -1
            if c == "(":
                self._open()
            elif c == ")":
                self._close()
            elif c == "|":
                # Go's mid-group flags span alternatives: close and reopen Python's scoped groups.
                openers = self._openers()
                self.out.append(")" * len(openers) + "|" + "".join(openers))
                self.last_atom = False
                self.i += 1
            elif c == "^":
                self._atom("(?m:^)" if "m" in self.flags else "\\A", 1)
            elif c == "$":
                self._atom("(?m:$)" if "m" in self.flags else "\\z", 1)
            elif c == ".":
                self._atom("(?s:.)" if "s" in self.flags else "[^\\n]", 1)
            elif c == "[":
                self._class()
            elif c == "\\":
                self._escape_atom()
            else:
                self._atom(_literal(ord(c)), 1)
        if self.stack:
            raise self.err("missing closing )", self.expr)
        self.out.append(")" * len(self.top_openers))
        return Translation("".join(self.out), self.names)

    # -- groups and flags --

    def _openers(self) -> list[str]:
        return self.stack[-1].openers if self.stack else self.top_openers

    def _open(self) -> None:
        e = self.expr
        if e.startswith("(?", self.i):
            if e.startswith("(?P<", self.i) and len(e) - self.i > 4:
                end = e.find(">", self.i)
                if end < 0:
                    raise self.err("invalid named capture", e[self.i :])
                name = e[self.i + 4 : end]
                if not name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
                    raise self.err("invalid named capture", e[self.i : end + 1])
                self.i = end + 1
                self._push(capture=True, name=name)
                return
            self._perl_flags()
            return
        self.i += 1
        self._push(capture=True, name="")

    def _push(self, capture: bool, name: str | None = None, flags: set[str] | None = None) -> None:
        if capture:
            self.names.append(name or "")
        self.stack.append(_Frame(set(self.flags), len(self.out), capture=capture, entries=self.entries))
        self.entries = []
        if flags is not None:
            self.flags = flags
        self.out.append("(" if capture else "(?:")
        self.last_atom = False

    def _perl_flags(self) -> None:
        e = self.expr
        start = self.i
        j = self.i + 2
        flags = set(self.flags)
        sign = 1
        saw = False
        while j < len(e):
            c = e[j]
            j += 1
            if c in "imsU":
                if sign > 0:
                    flags.add(c)
                else:
                    flags.discard(c)
                saw = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw = False
            elif c in ":)":
                if sign < 0 and not saw:
                    break
                self.i = j
                if c == ":":
                    self._push(capture=False, flags=flags)
                else:
                    self._set_flags(flags)
                return
            else:
                break
        raise self.err("invalid or unsupported Perl syntax", e[start:j])

    def _set_flags(self, flags: set[str]) -> None:
        """`(?i)` mid-group: Python has no such thing, so open a scoped group closed with ours."""
        if ("i" in flags) != ("i" in self.flags):
            opener = "(?i:" if "i" in flags else "(?-i:"
            self.out.append(opener)
            self._openers().append(opener)
        self.flags = flags

    def _close(self) -> None:
        if not self.stack:
            raise self.err("unexpected )", self.expr)
        frame = self.stack.pop()
        tree = [node for entry in self.entries for node in entry]
        self.entries = frame.entries
        self.entries.append(tree)
        self.out.append(")" * len(frame.openers) + ")")
        self.flags = frame.flags
        self.i += 1
        self.last_atom = True
        self.atom_start = frame.start
        self.atom_end = len(self.out)

    # -- atoms --

    atom_start = 0
    atom_end = 0

    def _atom(self, text: str, width: int) -> None:
        self.entries.append([])
        self.atom_start = len(self.out)
        self.out.append(text)
        self.atom_end = len(self.out)
        self.i += width
        self.last_atom = True

    def _literal_text(self, text: str) -> None:
        self.entries.append([])
        self.atom_start = len(self.out)
        self.out.append(text)
        self.atom_end = len(self.out)
        self.last_atom = True
        self.last_repeat = -1

    def _repeat(self) -> bool:
        e = self.expr
        start = self.i
        c = e[start]
        j = start + 1
        if c == "{":
            m = re.match(r"\{([0-9]+)(,([0-9]*))?\}", e[start:])
            if not m:
                return False
            lo = int(m.group(1)) if len(m.group(1)) <= 8 else -1
            hi_text = m.group(3)
            hi = lo if m.group(2) is None else (-1 if hi_text == "" else (int(hi_text) if len(hi_text) <= 8 else 10**9))
            j = start + m.end()
            op_text = m.group(0)
            if lo < 0 or lo > MAX_REPEAT or hi > MAX_REPEAT or (hi >= 0 and lo > hi):
                raise self.err("invalid repeat count", op_text)
            repeat = (hi if hi >= 0 else lo, lo, hi)
            py = f"{{{lo}}}" if m.group(2) is None else f"{{{lo},{'' if hi < 0 else hi}}}"
        else:
            py = c
            repeat = None
        lazy = j < len(e) and e[j] == "?"
        if lazy:
            j += 1
        if self.last_repeat >= 0:
            raise self.err("invalid nested repetition operator", e[self.last_repeat : j])
        if not self.last_atom:
            raise self.err("missing argument to repetition operator", e[start:j])
        if lazy != ("U" in self.flags):
            py += "?"
        if repeat is not None:
            count, lo, hi = repeat
            node: list[RepeatNode] = [(count, self.entries[-1])]
            if (lo >= 2 or hi >= 2) and not repeat_is_valid(node, MAX_REPEAT):
                raise self.err("invalid repeat count", e[start:j])
            self.entries[-1] = node
        # Only the atom is repeated: scoped-flag openers from a `(?i)` after it stay outside.
        atom = "".join(self.out[self.atom_start : self.atom_end])
        self.out[self.atom_start : self.atom_end] = [f"(?:{atom}){py}"]
        self.atom_end = self.atom_start + 1
        self.last_repeat = start
        self.i = j
        return True

    def _escape_atom(self) -> None:
        e = self.expr
        if self.i + 1 < len(e):
            c = e[self.i + 1]
            if c == "A":
                return self._atom("\\A", 2)
            if c == "z":
                return self._atom("\\z", 2)
            if c in "bB":  # ASCII word boundaries, in RE2 as in Go
                return self._atom("\\" + c, 2)
            if c == "Q":
                end = e.find("\\E", self.i + 2)
                lit = e[self.i + 2 :] if end < 0 else e[self.i + 2 : end]
                self.i = len(e) if end < 0 else end + 2
                for ch in lit:
                    self._literal_text(_literal(ord(ch)))
                    self.last_repeat = -1
                return None
            if c in "dswDSW":
                ranges = _PERL[c.lower()]
                self._atom(_class_text(ranges, negated=c.isupper()), 2)
                return None
            if c in "pP":
                ranges, width = self._unicode_class(self.i)
                self._atom(_class_text(ranges), width)
                return None
        code, width = self._escape(self.i)
        self._atom(_literal(code), width)
        return None

    def _unicode_class(self, at: int) -> tuple[list[tuple[int, int]], int]:
        e = self.expr
        neg = e[at + 1] == "P"
        if at + 2 >= len(e):
            raise self.err("invalid character class range", e[at:])
        if e[at + 2] == "{":
            end = e.find("}", at)
            if end < 0:
                raise self.err("invalid character class range", e[at:])
            name = e[at + 3 : end]
            width = end + 1 - at
        else:
            name = e[at + 2]
            width = 3
        if name.startswith("^"):
            neg = not neg
            name = name[1:]
        ranges = unicode_class(name)
        if ranges is None:
            raise self.err("invalid character class range", e[at : at + width])
        out = list(ranges)
        return (negate(out) if neg else out), width

    def _escape(self, at: int) -> tuple[int, int]:
        """A single-character escape at `at` (the backslash): (code point, width)."""
        e = self.expr
        if at + 1 >= len(e):
            raise self.err("trailing backslash at end of expression", "")
        c = e[at + 1]
        if c < "\x80" and not c.isalnum():
            return ord(c), 2
        if "1" <= c <= "7" and not (at + 2 < len(e) and "0" <= e[at + 2] <= "7"):
            raise self.err("invalid escape sequence", e[at : at + 2])
        if "0" <= c <= "7":
            j = at + 2
            while j < len(e) and j < at + 4 and "0" <= e[j] <= "7":
                j += 1
            return int(e[at + 1 : j], 8), j - at
        if c == "x":
            return self._hex(at)
        simple = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
        if c in simple:
            return simple[c], 2
        raise self.err("invalid escape sequence", e[at : at + 2])

    def _hex(self, at: int) -> tuple[int, int]:
        """\\x{...} or \\xHH; Go's error quotes exactly the text it consumed."""
        e = self.expr
        j = at + 2
        hexdigits = "0123456789abcdefABCDEF"
        if j < len(e) and e[j] == "{":
            k = j + 1
            value = 0
            while True:
                if k >= len(e):
                    raise self.err("invalid escape sequence", e[at:])
                c = e[k]
                k += 1
                if c == "}":
                    if k - 1 == j + 1:
                        raise self.err("invalid escape sequence", e[at:k])
                    return value, k - at
                if c not in hexdigits:
                    raise self.err("invalid escape sequence", e[at:k])
                value = value * 16 + int(c, 16)
                if value > 0x10FFFF:
                    raise self.err("invalid escape sequence", e[at:k])
        if j + 2 <= len(e) and all(ch in hexdigits for ch in e[j : j + 2]):
            return int(e[j : j + 2], 16), 4
        raise self.err("invalid escape sequence", e[at : min(j + 2, len(e))])

    # -- character classes --

    def _class(self) -> None:
        e = self.expr
        start = self.i
        j = start + 1
        neg = False
        if j < len(e) and e[j] == "^":
            neg = True
            j += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            if j >= len(e):
                raise self.err("missing closing ]", e[start:])
            c = e[j]
            if c == "]" and not first:
                j += 1
                break
            first = False
            if e.startswith("[:", j):
                end = e.find(":]", j + 2)
                if end >= 0:
                    name = e[j + 2 : end]
                    pneg = name.startswith("^")
                    cls = _POSIX.get(name[1:] if pneg else name)
                    if cls is None:
                        raise self.err("invalid character class range", e[j : end + 2])
                    ranges += negate(cls) if pneg else cls
                    j = end + 2
                    continue
            if c == "\\" and j + 1 < len(e) and e[j + 1] in "dswDSW":
                cls = _PERL[e[j + 1].lower()]
                ranges += negate(cls) if e[j + 1].isupper() else cls
                j += 2
                continue
            if c == "\\" and j + 1 < len(e) and e[j + 1] in "pP":
                cls, width = self._unicode_class(j)
                ranges += cls
                j += width
                continue
            lo, j2 = self._class_char(j, start)
            hi = lo
            if j2 + 1 < len(e) and e[j2] == "-" and e[j2 + 1] != "]":
                hi, j3 = self._class_char(j2 + 1, start)
                if hi < lo:
                    raise self.err("invalid character class range", e[j:j3])
                j2 = j3
            ranges.append((lo, hi))
            j = j2
        self.entries.append([])
        self.atom_start = len(self.out)
        self.out.append(_class_text(ranges, neg) if ranges or neg else _class_text([], False))
        self.atom_end = len(self.out)
        self.i = j
        self.last_atom = True

    def _class_char(self, j: int, start: int) -> tuple[int, int]:
        e = self.expr
        if j >= len(e):
            raise self.err("missing closing ]", e[start:])
        if e[j] == "\\":
            code, width = self._escape(j)
            return code, j + width
        return ord(e[j]), j + 1


def _literal(code: int) -> str:
    ch = chr(code)
    if ch.isalnum() or ch == "_" or ch == " ":
        return ch
    return _esc(code) if code < 0x80 or not ch.isprintable() else ch


def translate(expr: str) -> Translation:
    return _Parser(expr).parse()


# RE2's memory for one compiled program (its default is 8 MiB): Go accepts every pattern within
# its own size limits, and a Unicode class repeated 1000 times needs more than the default.
_RE2_MAX_MEM = 64 << 20


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr; the error is ours to report
    options.max_mem = _RE2_MAX_MEM
    return options


@lru_cache(maxsize=256)
def compile_go(expr: str) -> GoRegexp:
    """regexp.Compile; raises RegexpError with Go's message."""
    t = translate(expr)
    program = _re2.RE2(t.pattern.encode("utf-8"), _re2_options())
    if not program.ok():  # a program beyond RE2's memory limit (Go's are larger)
        raise RegexpError("expression too large for sidecarctl's RE2 memory limit", expr)
    return GoRegexp(expr, program, t.names)


def _go_bytes(s: str) -> bytes:
    """A Go string's bytes: bytes kept by surrogateescape come back; any other lone surrogate
    (impossible in a Go string) becomes U+FFFD."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return "".join(
            "\ufffd" if "\ud800" <= c <= "\udfff" and not "\udc80" <= c <= "\udcff" else c for c in s
        ).encode("utf-8", "surrogateescape")


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _rune_width(data: bytes, pos: int) -> int:
    """The width of the rune at `pos` as Go's utf8.DecodeRune counts it (1 for an invalid byte)."""
    if pos >= len(data):
        return 1
    lead = data[pos]
    n = 1 if lead < 0xC2 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4 if lead < 0xF5 else 1
    if n > 1:
        try:
            data[pos : pos + n].decode("utf-8")
        except UnicodeDecodeError:
            return 1
    return n


Spans = list[tuple[int, int]]


class GoRegexp:
    """A compiled pattern with Go's Regexp methods, matched by RE2 (linear time) over the text's
    UTF-8 bytes; Go's own iteration rules (FindAll, ReplaceAll, Split) are applied here."""

    def __init__(self, expr: str, program: Any, names: list[str]) -> None:
        self.expr = expr
        self.program = program
        self.names = names

    def _search(self, data: bytes, pos: int) -> Spans | None:
        spans: Spans = self.program.Match(_UNANCHORED, data, pos, len(data))
        return None if spans[0][0] < 0 else spans

    def match_string(self, s: str) -> bool:
        return self._search(_go_bytes(s), 0) is not None

    def find_string(self, s: str) -> str:
        data = _go_bytes(s)
        spans = self._search(data, 0)
        return _text(data[spans[0][0] : spans[0][1]]) if spans else ""

    def all_matches(self, data: bytes, n: int) -> list[Spans]:
        """Go's allMatches: successive matches; an empty match touching the previous one is
        skipped. The budget pays a step per match before the next search."""
        if n < 0:
            n = len(data) + 1
        out: list[Spans] = []
        pos = 0
        prev_end = -1
        while len(out) < n and pos <= len(data):
            spans = self._search(data, pos)
            if spans is None:
                break
            start, end = spans[0]
            accept = True
            if end == pos:
                if start == prev_end:
                    accept = False
                pos += _rune_width(data, pos)
            else:
                pos = end
            prev_end = end
            if accept:
                out.append(spans)
                if len(out) & 1023 == 0:
                    budget.charge_steps(1024)
        return out

    def find_all_string(self, s: str, n: int) -> list[str] | None:
        data = _go_bytes(s)
        matches = self.all_matches(data, n)
        return [_text(data[m[0][0] : m[0][1]]) for m in matches] if matches else None

    def replace_all(self, src: str, repl: str, literal: bool) -> str:
        """Go's replaceAll: every match (an empty one right after a match excepted) replaced.
        One pass into one buffer: each piece is charged to the output budget before it is
        added (an expansion of $1 may be far longer than the template), and the matches found
        charge steps as they are found (each search is work; none is kept)."""
        data = _go_bytes(src)
        template = _go_bytes(repl)
        out = bytearray()
        found = 0
        pos = 0
        last_end = 0  # the end of the last match, replaced or not
        copied = 0  # the end of the last replaced match: the input up to it is in `out`
        while pos <= len(data):
            spans = self._search(data, pos)
            if spans is None:
                break
            start, end = spans[0]
            if end > last_end or start == 0:
                piece = template if literal else self.expand(template, data, spans)
                budget.charge_output(start - copied + len(piece))
                out += data[copied:start]
                out += piece
                copied = end
                found += 1
                if not found & 1023:
                    budget.charge_steps(1024)
            last_end = end
            width = _rune_width(data, pos)  # always advance at least one rune
            pos = pos + width if pos + width > end else end
        budget.charge_output(len(data) - copied)
        out += data[copied:]
        return _text(bytes(out))

    def expand(self, template: bytes, data: bytes, spans: Spans) -> bytes:
        """Regexp.Expand: $1, ${1}, $name, ${name}, $$; a malformed reference is a literal $."""
        text = _text(template)
        out: list[str] = []
        while text:
            before, sep, after = text.partition("$")
            if not sep:
                break
            out.append(before)
            text = after
            if text.startswith("$"):
                out.append("$")
                text = text[1:]
                continue
            ref = _extract(text)
            if ref is None:
                out.append("$")
                continue
            name, num, text = ref
            out.append(self._group_text(data, spans, name, num))
        out.append(text)
        return _go_bytes("".join(out))

    def _group_text(self, data: bytes, spans: Spans, name: str, num: int) -> str:
        index = -1
        if num >= 0:
            index = num if num <= len(self.names) else -1
        else:
            for i, gname in enumerate(self.names, start=1):
                if gname == name:
                    index = i
                    break
        if index < 0 or spans[index][0] < 0:
            return ""
        return _text(data[spans[index][0] : spans[index][1]])

    def split(self, s: str, n: int) -> list[str] | None:
        if n == 0:
            return None
        if self.expr and not s:
            return [""]
        data = _go_bytes(s)
        matches = self.all_matches(data, n)
        parts: list[str] = []
        beg = end = 0
        for m in matches:
            if n > 0 and len(parts) == n - 1:
                break
            end = m[0][0]
            if m[0][1] != 0:
                parts.append(_text(data[beg:end]))
            beg = m[0][1]
        if end != len(data):
            parts.append(_text(data[beg:]))
        return parts


def _extract(s: str) -> tuple[str, int, str] | None:
    brace = s.startswith("{")
    if brace:
        s = s[1:]
    i = 0
    while i < len(s) and (s[i].isalpha() or unicodedata.category(s[i]) == "Nd" or s[i] == "_"):
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    num = int(name) if name.isascii() and name.isdigit() and len(name) <= 8 else -1
    if name[0] == "0" and len(name) > 1:
        num = -1
    return name, num, s[i:]


def quote_meta(s: str) -> str:
    return "".join("\\" + ch if ch in _PUNCT_META else ch for ch in s)


def go_regexp_quote(s: str) -> str:
    """regexp's quote() for MustCompile panics: backquoted when possible."""
    if can_backquote(s):
        return "`" + s + "`"
    return quote(s)
