"""Go's regexp (RE2 syntax) on top of Python's `re`.

`translate` parses a Go pattern the way regexp/syntax does (reporting Go's error messages) and
emits an equivalent Python pattern: anchors, `.`, Perl and POSIX classes and flags are spelled
out so that Python's different defaults (Unicode \\d, `$` before a final newline, `{,n}`) never
apply. `GoRegexp` then runs Go's own iteration rules for FindAll, ReplaceAll and Split (an empty
match right after a previous match is skipped)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

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
_WORD = "[0-9A-Za-z_]"


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
        return "[^\\x00-\\U0010ffff]" if not negated else "[\\x00-\\U0010ffff]"
    return f"[{'^' if negated else ''}{body}]"


def _esc(c: int) -> str:
    if c < 0x80 and (chr(c).isalnum()):
        return chr(c)
    if c <= 0xFF:
        return f"\\x{c:02x}"
    if c <= 0xFFFF:
        return f"\\u{c:04x}"
    return f"\\U{c:08x}"


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
                self._atom("(?m:$)" if "m" in self.flags else "\\Z", 1)
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
                return self._atom("\\Z", 2)
            if c == "b":
                return self._atom(f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))", 2)
            if c == "B":
                return self._atom(f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))", 2)
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


@lru_cache(maxsize=256)
def compile_go(expr: str) -> GoRegexp:
    """regexp.Compile; raises RegexpError with Go's message."""
    t = translate(expr)
    try:
        pattern = re.compile(t.pattern)
    except re.error as e:  # a construct this translator does not cover
        raise RegexpError("unsupported by sidecarctl", f"{expr}: {e}") from None
    return GoRegexp(expr, pattern, t.names)


class GoRegexp:
    def __init__(self, expr: str, pattern: re.Pattern[str], names: list[str]) -> None:
        self.expr = expr
        self.pattern = pattern
        self.names = names

    def match_string(self, s: str) -> bool:
        return self.pattern.search(s) is not None

    def find_string(self, s: str) -> str:
        m = self.pattern.search(s)
        return m.group(0) if m else ""

    def all_matches(self, s: str, n: int) -> list[re.Match[str]]:
        """Go's allMatches: successive matches; an empty match touching the previous one is skipped."""
        if n < 0:
            n = len(s) + 1
        out: list[re.Match[str]] = []
        pos = 0
        prev_end = -1
        while len(out) < n and pos <= len(s):
            m = self.pattern.search(s, pos)
            if m is None:
                break
            accept = True
            if m.end() == pos:
                if m.start() == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m.end()
            prev_end = m.end()
            if accept:
                out.append(m)
        return out

    def find_all_string(self, s: str, n: int) -> list[str] | None:
        matches = self.all_matches(s, n)
        return [m.group(0) for m in matches] if matches else None

    def replace_all(self, src: str, repl: str, literal: bool) -> str:
        out: list[str] = []
        last_end = 0
        pos = 0
        while pos <= len(src):
            m = self.pattern.search(src, pos)
            if m is None:
                break
            out.append(src[last_end : m.start()])
            if m.end() > last_end or m.start() == 0:
                out.append(repl if literal else self.expand(repl, m))
            last_end = m.end()
            if pos + 1 > m.end():
                pos += 1
            else:
                pos = m.end()
        out.append(src[last_end:])
        return "".join(out)

    def expand(self, template: str, m: re.Match[str]) -> str:
        """Regexp.Expand: $1, ${1}, $name, ${name}, $$; a malformed reference is a literal $."""
        out: list[str] = []
        while template:
            before, sep, after = template.partition("$")
            if not sep:
                break
            out.append(before)
            template = after
            if template.startswith("$"):
                out.append("$")
                template = template[1:]
                continue
            ref = _extract(template)
            if ref is None:
                out.append("$")
                continue
            name, num, template = ref
            out.append(self._group_text(m, name, num))
        out.append(template)
        return "".join(out)

    def _group_text(self, m: re.Match[str], name: str, num: int) -> str:
        if num >= 0:
            if num <= len(self.names):
                return m.group(num) or ""
            return ""
        for i, gname in enumerate(self.names, start=1):
            if gname == name:
                return m.group(i) or ""
        return ""

    def split(self, s: str, n: int) -> list[str] | None:
        if n == 0:
            return None
        if self.expr and not s:
            return [""]
        matches = self.all_matches(s, n)
        parts: list[str] = []
        beg = end = 0
        for m in matches:
            if n > 0 and len(parts) == n - 1:
                break
            end = m.start()
            if m.end() != 0:
                parts.append(s[beg:end])
            beg = m.end()
        if end != len(s):
            parts.append(s[beg:])
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
    from ._util import go_quote

    if "`" not in s and all(ch == "\t" or (ch >= " " and ch != "\x7f" and ch != "\ufeff") for ch in s):
        return "`" + s + "`"
    return go_quote(s)
