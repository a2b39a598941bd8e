"""yaml.v2's own reader, scanner and parser (go.yaml.in/yaml/v2 2.4 `readerc.go`, `scannerc.go`,
`parserc.go`), written anew in Python, for the documents where libyaml (PyYAML's C parser, a later
libyaml than the one yaml.v2 was ported from) and yaml.v2 read differently.

Those differences are in the grammar's edges: yaml.v2 accepts only `%YAML 1.1`, refuses the `\\/`
escape, ends a flow plain scalar at `?` but not at `:` before a flow indicator, lets a tag hold
`,[]{}`, nests 10,000 levels (libyaml 1,000), treats U+FEFF as an ordinary character except at a line
start when its decoded buffer happens to begin with one, and checks characters only as far as it has
read, in 512-byte blocks (so a control character past the first document may go unseen).
`read.py` takes libyaml's fast path unless a document could meet one of these; then this parser
decides. It is iterative (no recursion) and builds PyYAML node objects for the rest of `read.py`.

Only what yaml.v2 keeps of a stream is produced: the first document's node graph (`compose_first`).
Names follow the Go functions so the two can be read side by side.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["GoYamlError", "compose_first"]

_MAX_DEPTH = 10_000  # max_flow_level and max_indents in scannerc.go
_RAW_BLOCK = 512  # input_raw_buffer_size: the reader decodes the input this many bytes at a time

# The characters yaml.v2's reader refuses (readerc.go accepts TAB, LF, CR, 0x20-0x7E, NEL, 0xA0-0xD7FF,
# 0xE000-0xFFFD and the astral planes). Patterns are compiled on first use (`_compiled`): most
# processes never read a document this way.
_BAD_CHAR = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"

_BLANKZ = frozenset(" \t\r\n\x85\u2028\u2029\0")
_BREAKZ = frozenset("\r\n\x85\u2028\u2029\0")
_BREAK = frozenset("\r\n\x85\u2028\u2029")
_ALPHA = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
_HEX = frozenset("0123456789ABCDEFabcdef")
_URI = _ALPHA | frozenset(";/?:@&=+$,.!~*'()[]%")
_ANCHOR_END = _BLANKZ | frozenset("?:,]}%@`")
_PLAIN_FLOW_END = frozenset(",?[]{}")
_NOT_PLAIN_START = _BLANKZ | frozenset("-?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_CODE_LENGTH = {"x": 2, "u": 4, "U": 8}
_SPACES_RUN = " *"
_BLANKS_RUN = "[ \t]*"
_COMMENT_RUN = "[^\r\n\x85\u2028\u2029\0]*"
# Characters a scalar's loop only copies (each ends the run where the loop would test something else).
_PLAIN_RUN = "[^ \t\r\n\x85\u2028\u2029\0:]*"
_PLAIN_FLOW_RUN = "[^ \t\r\n\x85\u2028\u2029\0:,?\\[\\]{}]*"
_SINGLE_RUN = "[^ \t\r\n\x85\u2028\u2029\0']*"
_DOUBLE_RUN = '[^ \t\r\n\x85\u2028\u2029\0"\\\\]*'

# Token types.
(
    STREAM_START,
    STREAM_END,
    VERSION_DIRECTIVE,
    TAG_DIRECTIVE,
    DOCUMENT_START,
    DOCUMENT_END,
    BLOCK_SEQUENCE_START,
    BLOCK_MAPPING_START,
    BLOCK_END,
    FLOW_SEQUENCE_START,
    FLOW_SEQUENCE_END,
    FLOW_MAPPING_START,
    FLOW_MAPPING_END,
    BLOCK_ENTRY,
    FLOW_ENTRY,
    KEY,
    VALUE,
    ALIAS,
    ANCHOR,
    TAG,
    SCALAR,
) = range(21)

# Scalar styles (of tokens and events).
PLAIN, SINGLE_QUOTED, DOUBLE_QUOTED, LITERAL, FOLDED = "", "'", '"', "|", ">"

# Event types.
(
    E_STREAM_START,
    E_STREAM_END,
    E_DOCUMENT_START,
    E_DOCUMENT_END,
    E_ALIAS,
    E_SCALAR,
    E_SEQUENCE_START,
    E_SEQUENCE_END,
    E_MAPPING_START,
    E_MAPPING_END,
) = range(10)

_DEFAULT_TAG_DIRECTIVES = (("!", "!"), ("!!", "tag:yaml.org,2002:"))

_GoMark = tuple[int, int, int]  # (index, line, column), as yaml_mark_t


class GoYamlError(Exception):
    """What yaml.v2's parser.fail() reports: `message` is its text after 'yaml: '."""

    def __init__(self, message: str, mark: _GoMark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Fail(Exception):
    """A reader, scanner or parser error, with the marks parser.fail() reads its line from."""

    def __init__(
        self, kind: str, problem: str, problem_mark: _GoMark | None = None, context_mark: _GoMark | None = None
    ) -> None:
        super().__init__(problem)
        self.kind, self.problem = kind, problem
        self.problem_mark, self.context_mark = problem_mark, context_mark

    def go_error(self) -> GoYamlError:
        line = 0
        pm, cm = self.problem_mark, self.context_mark
        if pm is not None and pm[1] != 0:
            line = pm[1] + (1 if self.kind == "scanner" else 0)
        elif cm is not None and cm[1] != 0:
            line = cm[1]
        where = "line %d: " % line if line else ""
        return GoYamlError(where + self.problem, pm or cm)


class _Token:
    __slots__ = ("typ", "start", "end", "value", "suffix", "style", "major", "minor")

    def __init__(
        self,
        typ: int,
        start: _GoMark,
        end: _GoMark,
        value: str = "",
        suffix: str = "",
        style: str = PLAIN,
        major: int = 0,
        minor: int = 0,
    ) -> None:
        self.typ, self.start, self.end = typ, start, end
        self.value, self.suffix, self.style = value, suffix, style
        self.major, self.minor = major, minor


class _SimpleKey:
    __slots__ = ("possible", "required", "token_number", "mark")

    def __init__(self, possible: bool, required: bool, token_number: int, mark: _GoMark) -> None:
        self.possible, self.required, self.token_number, self.mark = possible, required, token_number, mark


class _Event:
    __slots__ = ("typ", "start", "end", "anchor", "tag", "value", "implicit", "style", "flow")

    def __init__(
        self,
        typ: int,
        start: _GoMark,
        end: _GoMark,
        anchor: str = "",
        tag: str = "",
        value: str = "",
        implicit: bool = False,
        style: str = PLAIN,
        flow: bool = False,
    ) -> None:
        self.typ, self.start, self.end = typ, start, end
        self.anchor, self.tag, self.value = anchor, tag, value
        self.implicit, self.style, self.flow = implicit, style, flow


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    """The pattern compiled on its first use (cheaper to look up than through re's own cache)."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


def _utf8_width(c: str) -> int:
    o = ord(c)
    if o < 0x80 or 0xD800 <= o <= 0xDFFF:  # a lone surrogate stands for one undecodable byte
        return 1
    return 2 if o < 0x800 else 3 if o < 0x10000 else 4


class _Reader:
    """The input as yaml.v2's reader decodes it: in 512-byte blocks, on demand, checking each character
    it decodes. `unread` and where its buffer starts (after each refill) follow readerc.go."""

    def __init__(self, text: str) -> None:
        self.t = text + "\0" * 8  # past the end, the scanner sees NUL, as after the reader's EOF
        self.n = len(text)
        self.ascii = text.isascii()
        bad = _compiled(_BAD_CHAR).search(text)
        self.bad = bad.start() if bad is not None else self.n + 1
        self.nbytes = self.n if self.ascii else len(text.encode("utf-8", "surrogateescape"))
        self.pos = 0
        self.decoded = 0  # characters decoded so far
        self.dec_byte = 0  # bytes decoded so far
        self.raw_end = 0  # bytes read into the raw buffer so far
        self.nuls = 0
        self.eof = False
        self.buf_start = 0  # the character at the start of the decoded buffer (is_bom looks there)
        self.started = False

    def unread(self) -> int:
        return self.decoded - self.pos + self.nuls

    def _read_raw(self) -> None:
        """yaml_parser_update_raw_buffer with the string read handler."""
        if self.eof:
            return
        if self.raw_end == self.nbytes:
            self.eof = True
            return
        self.raw_end = min(self.nbytes, self.dec_byte + _RAW_BLOCK)

    def _decode(self) -> None:
        """Decode every complete character of the raw buffer."""
        room = self.raw_end - self.dec_byte
        if room <= 0:
            return
        if self.ascii:
            take = room
            nbytes = room
        else:
            take = nbytes = 0
            t, i = self.t, self.decoded
            while i + take < self.n:
                w = _utf8_width(t[i + take])
                if nbytes + w > room:
                    break
                nbytes += w
                take += 1
        end = self.decoded + take
        if self.bad < end:
            c = self.t[self.bad]
            raise _Fail(
                "reader",
                "invalid leading UTF-8 octet" if 0xD800 <= ord(c) <= 0xDFFF else "control characters are not allowed",
            )
        self.decoded = end
        self.dec_byte += nbytes

    def start(self) -> None:
        """yaml_parser_determine_encoding: the first block; a UTF-8 BOM is dropped before decoding."""
        self.started = True
        while not self.eof and self.raw_end - self.dec_byte < 3:
            self._read_raw()
        if self.t.startswith("\ufeff") and self.n:
            self.pos = self.decoded = 1
            self.dec_byte = 3

    def update(self, length: int) -> None:
        """yaml_parser_update_buffer: make `length` characters available (NULs past the end)."""
        if self.unread() >= length:
            return
        if not self.started:
            self.start()
        self.buf_start = self.pos
        first = True
        while self.unread() < length:
            if not first or self.raw_end == self.dec_byte:
                self._read_raw()
            first = False
            self._decode()
            if self.eof:
                self.nuls += 1
                break


class GoParser:
    """yaml_parser_t: the scanner's and parser's state, and their functions."""

    def __init__(self, text: str) -> None:
        self.r = _Reader(text)
        self.t = self.r.t
        self.bom = 1 if text.startswith("\ufeff") else 0
        self.line = 0
        self.column = 0
        # scanner
        self.tokens: list[_Token] = []
        self.tokens_head = 0
        self.tokens_parsed = 0
        self.token_available = False
        self.stream_start_produced = False
        self.stream_end_produced = False
        self.indent = -1
        self.indents: list[int] = []
        self.simple_key_allowed = False
        self.simple_keys: list[_SimpleKey] = []
        self.simple_keys_by_tok: dict[int, int] = {}
        self.flow_level = 0
        # parser
        self.state = self.parse_stream_start
        self.states: list[Any] = []
        self.marks: list[_GoMark] = []
        self.tag_directives: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ reader access
    def mark(self) -> _GoMark:
        return (self.r.pos - self.bom, self.line, self.column)

    def cache(self, length: int) -> None:
        r = self.r
        if r.decoded - r.pos + r.nuls < length:
            r.update(length)

    def ch(self, k: int = 0) -> str:
        return self.t[self.r.pos + k]

    def skip(self) -> None:
        self.r.pos += 1
        self.column += 1

    def skip_line(self) -> None:
        t, p = self.t, self.r.pos
        if t[p] == "\r" and t[p + 1] == "\n":
            self.r.pos += 2
            self.column = 0
            self.line += 1
        elif t[p] in _BREAK:
            self.r.pos += 1
            self.column = 0
            self.line += 1

    def read(self, s: list[str]) -> None:
        s.append(self.t[self.r.pos])
        self.r.pos += 1
        self.column += 1

    def read_line(self, s: list[str]) -> None:
        t, p = self.t, self.r.pos
        c = t[p]
        if c == "\r" and t[p + 1] == "\n":
            s.append("\n")
            self.r.pos += 2
        elif c in "\r\n\x85":
            s.append("\n")
            self.r.pos += 1
        elif c in "\u2028\u2029":
            s.append(c)
            self.r.pos += 1
        else:
            return
        self.column = 0
        self.line += 1

    def is_blankz(self, k: int = 0) -> bool:
        return self.t[self.r.pos + k] in _BLANKZ

    def scanner_error(self, context: str, context_mark: _GoMark, problem: str) -> _Fail:
        return _Fail("scanner", problem, self.mark(), context_mark)

    # ------------------------------------------------------------------ tokens queue
    def insert_token(self, pos: int, token: _Token) -> None:
        if pos < 0:
            self.tokens.append(token)
        else:
            self.tokens.insert(self.tokens_head + pos, token)

    def fetch_more_tokens(self) -> None:
        while True:
            if self.tokens_head != len(self.tokens):
                idx = self.simple_keys_by_tok.get(self.tokens_parsed)
                if idx is None or not self.simple_key_is_valid(self.simple_keys[idx]):
                    break
            self.fetch_next_token()
        self.token_available = True
        if self.tokens_head > 64:
            del self.tokens[: self.tokens_head]
            self.tokens_head = 0

    def fetch_next_token(self) -> None:
        self.cache(1)
        if not self.stream_start_produced:
            self.fetch_stream_start()
            return
        self.scan_to_next_token()
        self.unroll_indent(self.column)
        self.cache(4)
        t, p = self.t, self.r.pos
        c = t[p]
        if c == "\0":
            self.fetch_stream_end()
            return
        col0 = self.column == 0
        if col0 and c == "%":
            self.fetch_directive()
            return
        if col0 and c == "-" and t[p + 1] == "-" and t[p + 2] == "-" and t[p + 3] in _BLANKZ:
            self.fetch_document_indicator(DOCUMENT_START)
            return
        if col0 and c == "." and t[p + 1] == "." and t[p + 2] == "." and t[p + 3] in _BLANKZ:
            self.fetch_document_indicator(DOCUMENT_END)
            return
        if c == "[":
            self.fetch_flow_collection_start(FLOW_SEQUENCE_START)
        elif c == "{":
            self.fetch_flow_collection_start(FLOW_MAPPING_START)
        elif c == "]":
            self.fetch_flow_collection_end(FLOW_SEQUENCE_END)
        elif c == "}":
            self.fetch_flow_collection_end(FLOW_MAPPING_END)
        elif c == ",":
            self.fetch_flow_entry()
        elif c == "-" and t[p + 1] in _BLANKZ:
            self.fetch_block_entry()
        elif c == "?" and (self.flow_level > 0 or t[p + 1] in _BLANKZ):
            self.fetch_key()
        elif c == ":" and (self.flow_level > 0 or t[p + 1] in _BLANKZ):
            self.fetch_value()
        elif c == "*":
            self.fetch_anchor(ALIAS)
        elif c == "&":
            self.fetch_anchor(ANCHOR)
        elif c == "!":
            self.fetch_tag()
        elif c == "|" and self.flow_level == 0:
            self.fetch_block_scalar(True)
        elif c == ">" and self.flow_level == 0:
            self.fetch_block_scalar(False)
        elif c == "'":
            self.fetch_flow_scalar(True)
        elif c == '"':
            self.fetch_flow_scalar(False)
        elif (
            c not in _NOT_PLAIN_START
            or (c == "-" and t[p + 1] not in " \t")
            or (self.flow_level == 0 and c in "?:" and t[p + 1] not in _BLANKZ)
        ):
            self.fetch_plain_scalar()
        else:
            raise self.scanner_error(
                "while scanning for the next token", self.mark(), "found character that cannot start any token"
            )

    def simple_key_is_valid(self, key: _SimpleKey) -> bool:
        if not key.possible:
            return False
        mark = self.mark()
        if key.mark[1] < mark[1] or key.mark[0] + 1024 < mark[0]:
            if key.required:
                raise self.scanner_error("while scanning a simple key", key.mark, "could not find expected ':'")
            key.possible = False
            return False
        return True

    def save_simple_key(self) -> None:
        required = self.flow_level == 0 and self.indent == self.column
        if self.simple_key_allowed:
            key = _SimpleKey(True, required, self.tokens_parsed + (len(self.tokens) - self.tokens_head), self.mark())
            self.remove_simple_key()
            self.simple_keys[-1] = key
            self.simple_keys_by_tok[key.token_number] = len(self.simple_keys) - 1

    def remove_simple_key(self) -> None:
        key = self.simple_keys[-1]
        if key.possible:
            if key.required:
                raise self.scanner_error("while scanning a simple key", key.mark, "could not find expected ':'")
            key.possible = False
            self.simple_keys_by_tok.pop(key.token_number, None)

    def increase_flow_level(self) -> None:
        mark = self.mark()
        self.simple_keys.append(
            _SimpleKey(False, False, self.tokens_parsed + (len(self.tokens) - self.tokens_head), mark)
        )
        self.flow_level += 1
        if self.flow_level > _MAX_DEPTH:
            raise self.scanner_error("while increasing flow level", mark, "exceeded max depth of %d" % _MAX_DEPTH)

    def decrease_flow_level(self) -> None:
        if self.flow_level > 0:
            self.flow_level -= 1
            key = self.simple_keys.pop()
            self.simple_keys_by_tok.pop(key.token_number, None)

    def roll_indent(self, column: int, number: int, typ: int, mark: _GoMark) -> None:
        if self.flow_level > 0:
            return
        if self.indent < column:
            self.indents.append(self.indent)
            self.indent = column
            if len(self.indents) > _MAX_DEPTH:
                raise self.scanner_error(
                    "while increasing indent level", self.simple_keys[-1].mark, "exceeded max depth of %d" % _MAX_DEPTH
                )
            token = _Token(typ, mark, mark)
            if number > -1:
                number -= self.tokens_parsed
            self.insert_token(number, token)

    def unroll_indent(self, column: int) -> None:
        if self.flow_level > 0:
            return
        while self.indent > column:
            mark = self.mark()
            self.insert_token(-1, _Token(BLOCK_END, mark, mark))
            self.indent = self.indents.pop()

    def fetch_stream_start(self) -> None:
        self.indent = -1
        self.simple_keys.append(_SimpleKey(False, False, 0, (0, 0, 0)))
        self.simple_key_allowed = True
        self.stream_start_produced = True
        mark = self.mark()
        self.insert_token(-1, _Token(STREAM_START, mark, mark))

    def fetch_stream_end(self) -> None:
        if self.column != 0:
            self.column = 0
            self.line += 1
        self.unroll_indent(-1)
        self.remove_simple_key()
        self.simple_key_allowed = False
        mark = self.mark()
        self.insert_token(-1, _Token(STREAM_END, mark, mark))

    def fetch_directive(self) -> None:
        self.unroll_indent(-1)
        self.remove_simple_key()
        self.simple_key_allowed = False
        self.insert_token(-1, self.scan_directive())

    def fetch_document_indicator(self, typ: int) -> None:
        self.unroll_indent(-1)
        self.remove_simple_key()
        self.simple_key_allowed = False
        start = self.mark()
        self.skip()
        self.skip()
        self.skip()
        self.insert_token(-1, _Token(typ, start, self.mark()))

    def fetch_flow_collection_start(self, typ: int) -> None:
        self.save_simple_key()
        self.increase_flow_level()
        self.simple_key_allowed = True
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(typ, start, self.mark()))

    def fetch_flow_collection_end(self, typ: int) -> None:
        self.remove_simple_key()
        self.decrease_flow_level()
        self.simple_key_allowed = False
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(typ, start, self.mark()))

    def fetch_flow_entry(self) -> None:
        self.remove_simple_key()
        self.simple_key_allowed = True
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(FLOW_ENTRY, start, self.mark()))

    def fetch_block_entry(self) -> None:
        if self.flow_level == 0:
            if not self.simple_key_allowed:
                raise self.scanner_error("", self.mark(), "block sequence entries are not allowed in this context")
            mark = self.mark()
            self.roll_indent(self.column, -1, BLOCK_SEQUENCE_START, mark)
        self.remove_simple_key()
        self.simple_key_allowed = True
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(BLOCK_ENTRY, start, self.mark()))

    def fetch_key(self) -> None:
        if self.flow_level == 0:
            if not self.simple_key_allowed:
                raise self.scanner_error("", self.mark(), "mapping keys are not allowed in this context")
            mark = self.mark()
            self.roll_indent(self.column, -1, BLOCK_MAPPING_START, mark)
        self.remove_simple_key()
        self.simple_key_allowed = self.flow_level == 0
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(KEY, start, self.mark()))

    def fetch_value(self) -> None:
        key = self.simple_keys[-1]
        if self.simple_key_is_valid(key):
            self.insert_token(key.token_number - self.tokens_parsed, _Token(KEY, key.mark, key.mark))
            self.roll_indent(key.mark[2], key.token_number, BLOCK_MAPPING_START, key.mark)
            key.possible = False
            self.simple_keys_by_tok.pop(key.token_number, None)
            self.simple_key_allowed = False
        else:
            if self.flow_level == 0:
                if not self.simple_key_allowed:
                    raise self.scanner_error("", self.mark(), "mapping values are not allowed in this context")
                mark = self.mark()
                self.roll_indent(self.column, -1, BLOCK_MAPPING_START, mark)
            self.simple_key_allowed = self.flow_level == 0
        start = self.mark()
        self.skip()
        self.insert_token(-1, _Token(VALUE, start, self.mark()))

    def fetch_anchor(self, typ: int) -> None:
        self.save_simple_key()
        self.simple_key_allowed = False
        self.insert_token(-1, self.scan_anchor(typ))

    def fetch_tag(self) -> None:
        self.save_simple_key()
        self.simple_key_allowed = False
        self.insert_token(-1, self.scan_tag())

    def fetch_block_scalar(self, literal: bool) -> None:
        self.remove_simple_key()
        self.simple_key_allowed = True
        self.insert_token(-1, self.scan_block_scalar(literal))

    def fetch_flow_scalar(self, single: bool) -> None:
        self.save_simple_key()
        self.simple_key_allowed = False
        self.insert_token(-1, self.scan_flow_scalar(single))

    def fetch_plain_scalar(self) -> None:
        self.save_simple_key()
        self.simple_key_allowed = False
        self.insert_token(-1, self.scan_plain_scalar())

    def skip_run(self, pattern: str) -> None:
        """`skip(); cache(1)` while the character matches `pattern` (within one line), a decoded block
        at a time: the reader refills at the same places as one character at a time."""
        r = self.r
        run = _compiled(pattern)
        while True:
            end = run.match(self.t, r.pos, max(r.pos, r.decoded)).end()  # type: ignore[union-attr]
            self.column += end - r.pos
            r.pos = end
            if end < r.decoded:
                return
            self.cache(1)
            if run.match(self.t, r.pos, r.pos + 1).end() == r.pos:  # type: ignore[union-attr]
                return  # the character after the decoded block ends the run

    def read_run(self, s: list[str], pattern: str, ahead: int) -> None:
        """`read(); cache(ahead)` while the character matches `pattern`, as one slice: the run stops where
        one character at a time would have refilled the reader, so refills happen at the same places."""
        r = self.r
        stop = r.decoded - ahead + 1
        if stop > r.pos:
            end = _compiled(pattern).match(self.t, r.pos, stop).end()  # type: ignore[union-attr]
            if end > r.pos:
                s.append(self.t[r.pos : end])
                self.column += end - r.pos
                r.pos = end

    def scan_to_next_token(self) -> None:
        t, r = self.t, self.r
        while True:
            self.cache(1)
            # [Go] is_bom looks at the start of the decoded buffer, not at the current character
            if self.column == 0 and r.buf_start < r.n and t[r.buf_start] == "\ufeff":
                self.skip()
            self.cache(1)
            self.skip_run(_BLANKS_RUN if self.flow_level > 0 or not self.simple_key_allowed else _SPACES_RUN)
            if t[r.pos] == "#":
                self.skip_run(_COMMENT_RUN)
            if t[r.pos] in _BREAK:
                self.cache(2)
                self.skip_line()
                if self.flow_level == 0:
                    self.simple_key_allowed = True
            else:
                break

    # ------------------------------------------------------------------ directives, anchors, tags
    def scan_directive(self) -> _Token:
        start = self.mark()
        self.skip()
        name = self.scan_directive_name(start)
        if name == "YAML":
            major, minor = self.scan_version_directive_value(start)
            token = _Token(VERSION_DIRECTIVE, start, self.mark(), major=major, minor=minor)
        elif name == "TAG":
            handle, prefix = self.scan_tag_directive_value(start)
            token = _Token(TAG_DIRECTIVE, start, self.mark(), value=handle, suffix=prefix)
        else:
            raise self.scanner_error("while scanning a directive", start, "found unknown directive name")
        t, r = self.t, self.r
        self.cache(1)
        while t[r.pos] in " \t":
            self.skip()
            self.cache(1)
        if t[r.pos] == "#":
            while t[r.pos] not in _BREAKZ:
                self.skip()
                self.cache(1)
        if t[r.pos] not in _BREAKZ:
            raise self.scanner_error("while scanning a directive", start, "did not find expected comment or line break")
        if t[r.pos] in _BREAK:
            self.cache(2)
            self.skip_line()
        return token

    def scan_directive_name(self, start: _GoMark) -> str:
        self.cache(1)
        s: list[str] = []
        while self.ch() in _ALPHA:
            self.read(s)
            self.cache(1)
        if not s:
            raise self.scanner_error("while scanning a directive", start, "could not find expected directive name")
        if not self.is_blankz():
            raise self.scanner_error("while scanning a directive", start, "found unexpected non-alphabetical character")
        return "".join(s)

    def scan_version_directive_value(self, start: _GoMark) -> tuple[int, int]:
        self.cache(1)
        while self.ch() in " \t":
            self.skip()
            self.cache(1)
        major = self.scan_version_directive_number(start)
        if self.ch() != ".":
            raise self.scanner_error(
                "while scanning a %YAML directive", start, "did not find expected digit or '.' character"
            )
        self.skip()
        return major, self.scan_version_directive_number(start)

    def scan_version_directive_number(self, start: _GoMark) -> int:
        self.cache(1)
        value = length = 0
        while "0" <= self.ch() <= "9":
            length += 1
            if length > 2:
                raise self.scanner_error(
                    "while scanning a %YAML directive", start, "found extremely long version number"
                )
            value = value * 10 + ord(self.ch()) - 48
            self.skip()
            self.cache(1)
        if length == 0:
            raise self.scanner_error("while scanning a %YAML directive", start, "did not find expected version number")
        return value

    def scan_tag_directive_value(self, start: _GoMark) -> tuple[str, str]:
        self.cache(1)
        while self.ch() in " \t":
            self.skip()
            self.cache(1)
        handle = self.scan_tag_handle(True, start)
        self.cache(1)
        if self.ch() not in " \t":
            raise self.scanner_error("while scanning a %TAG directive", start, "did not find expected whitespace")
        while self.ch() in " \t":
            self.skip()
            self.cache(1)
        prefix = self.scan_tag_uri(True, "", start)
        self.cache(1)
        if not self.is_blankz():
            raise self.scanner_error(
                "while scanning a %TAG directive", start, "did not find expected whitespace or line break"
            )
        return handle, prefix

    def scan_anchor(self, typ: int) -> _Token:
        s: list[str] = []
        start = self.mark()
        self.skip()
        self.cache(1)
        while self.ch() in _ALPHA:
            self.read(s)
            self.cache(1)
        end = self.mark()
        if not s or self.ch() not in _ANCHOR_END:
            context = "while scanning an anchor" if typ == ANCHOR else "while scanning an alias"
            raise self.scanner_error(context, start, "did not find expected alphabetic or numeric character")
        return _Token(typ, start, end, value="".join(s))

    def scan_tag(self) -> _Token:
        start = self.mark()
        self.cache(2)
        if self.ch(1) == "<":
            handle = ""
            self.skip()
            self.skip()
            suffix = self.scan_tag_uri(False, "", start)
            if self.ch() != ">":
                raise self.scanner_error("while scanning a tag", start, "did not find the expected '>'")
            self.skip()
        else:
            handle = self.scan_tag_handle(False, start)
            if handle[0] == "!" and len(handle) > 1 and handle[-1] == "!":
                suffix = self.scan_tag_uri(False, "", start)
            else:
                suffix = self.scan_tag_uri(False, handle, start)
                handle = "!"
                if not suffix:
                    handle, suffix = suffix, handle
        self.cache(1)
        if not self.is_blankz():
            raise self.scanner_error("while scanning a tag", start, "did not find expected whitespace or line break")
        return _Token(TAG, start, self.mark(), value=handle, suffix=suffix)

    def _tag_error(self, directive: bool, start: _GoMark, problem: str) -> _Fail:
        context = "while parsing a %TAG directive" if directive else "while parsing a tag"
        return self.scanner_error(context, start, problem)

    def scan_tag_handle(self, directive: bool, start: _GoMark) -> str:
        self.cache(1)
        if self.ch() != "!":
            raise self._tag_error(directive, start, "did not find expected '!'")
        s: list[str] = []
        self.read(s)
        self.cache(1)
        while self.ch() in _ALPHA:
            self.read(s)
            self.cache(1)
        if self.ch() == "!":
            self.read(s)
        elif directive and "".join(s) != "!":
            raise self._tag_error(directive, start, "did not find expected '!'")
        return "".join(s)

    def scan_tag_uri(self, directive: bool, head: str, start: _GoMark) -> str:
        s: list[Any] = []
        has_tag = len(head) > 0
        if len(head) > 1:
            s.append(head[1:])
        self.cache(1)
        while self.ch() in _URI:
            if self.ch() == "%":
                s.append(self.scan_uri_escapes(directive, start))
            else:
                self.read(s)
            self.cache(1)
            has_tag = True
        if not has_tag:
            raise self._tag_error(directive, start, "did not find expected tag URI")
        return "".join(s)

    def scan_uri_escapes(self, directive: bool, start: _GoMark) -> str:
        """%XX escapes: one UTF-8 sequence, kept as its bytes (Go strings are bytes)."""
        octets = bytearray()
        w = 1024
        while w > 0:
            self.cache(3)
            if not (self.ch() == "%" and self.ch(1) in _HEX and self.ch(2) in _HEX):
                raise self._tag_error(directive, start, "did not find URI escaped octet")
            octet = int(self.ch(1) + self.ch(2), 16)
            if w == 1024:
                w = (
                    1
                    if octet & 0x80 == 0
                    else 2
                    if octet & 0xE0 == 0xC0
                    else 3
                    if octet & 0xF0 == 0xE0
                    else 4
                    if octet & 0xF8 == 0xF0
                    else 0
                )
                if w == 0:
                    raise self._tag_error(directive, start, "found an incorrect leading UTF-8 octet")
            elif octet & 0xC0 != 0x80:
                raise self._tag_error(directive, start, "found an incorrect trailing UTF-8 octet")
            octets.append(octet)
            self.skip()
            self.skip()
            self.skip()
            w -= 1
        return octets.decode("utf-8", "surrogateescape")

    # ------------------------------------------------------------------ scalars
    def scan_block_scalar(self, literal: bool) -> _Token:
        start = self.mark()
        self.skip()
        self.cache(1)
        chomping = increment = 0
        c = self.ch()
        if c in "+-":
            chomping = 1 if c == "+" else -1
            self.skip()
            self.cache(1)
            if "0" <= self.ch() <= "9":
                if self.ch() == "0":
                    raise self.scanner_error(
                        "while scanning a block scalar", start, "found an indentation indicator equal to 0"
                    )
                increment = ord(self.ch()) - 48
                self.skip()
        elif "0" <= c <= "9":
            if c == "0":
                raise self.scanner_error(
                    "while scanning a block scalar", start, "found an indentation indicator equal to 0"
                )
            increment = ord(c) - 48
            self.skip()
            self.cache(1)
            if self.ch() in "+-":
                chomping = 1 if self.ch() == "+" else -1
                self.skip()
        self.cache(1)
        while self.ch() in " \t":
            self.skip()
            self.cache(1)
        if self.ch() == "#":
            while self.ch() not in _BREAKZ:
                self.skip()
                self.cache(1)
        if self.ch() not in _BREAKZ:
            raise self.scanner_error(
                "while scanning a block scalar", start, "did not find expected comment or line break"
            )
        if self.ch() in _BREAK:
            self.cache(2)
            self.skip_line()
        end = self.mark()
        indent = 0
        if increment > 0:
            indent = self.indent + increment if self.indent >= 0 else increment
        s: list[str] = []
        leading_break: list[str] = []
        trailing_breaks: list[str] = []
        indent, end = self.scan_block_scalar_breaks(indent, trailing_breaks, start, end)
        self.cache(1)
        leading_blank = trailing_blank = False
        while self.column == indent and self.ch() != "\0":
            trailing_blank = self.ch() in " \t"
            if not literal and not leading_blank and not trailing_blank and leading_break and leading_break[0] == "\n":
                if not trailing_breaks:
                    s.append(" ")
            else:
                s.extend(leading_break)
            leading_break.clear()
            s.extend(trailing_breaks)
            trailing_breaks.clear()
            leading_blank = self.ch() in " \t"
            while self.ch() not in _BREAKZ:
                self.read(s)
                self.read_run(s, _COMMENT_RUN, 1)
                self.cache(1)
            self.cache(2)
            self.read_line(leading_break)
            indent, end = self.scan_block_scalar_breaks(indent, trailing_breaks, start, end)
        if chomping != -1:
            s.extend(leading_break)
        if chomping == 1:
            s.extend(trailing_breaks)
        return _Token(SCALAR, start, end, value="".join(s), style=LITERAL if literal else FOLDED)

    def scan_block_scalar_breaks(
        self, indent: int, breaks: list[str], start: _GoMark, end: _GoMark
    ) -> tuple[int, _GoMark]:
        end = self.mark()
        max_indent = 0
        while True:
            self.cache(1)
            while (indent == 0 or self.column < indent) and self.ch() == " ":
                self.skip()
                self.cache(1)
            if self.column > max_indent:
                max_indent = self.column
            if (indent == 0 or self.column < indent) and self.ch() == "\t":
                raise self.scanner_error(
                    "while scanning a block scalar",
                    start,
                    "found a tab character where an indentation space is expected",
                )
            if self.ch() not in _BREAK:
                break
            self.cache(2)
            self.read_line(breaks)
            end = self.mark()
        if indent == 0:
            indent = max(max_indent, self.indent + 1, 1)
        return indent, end

    def _document_indicator(self) -> bool:
        t, p = self.t, self.r.pos
        return (
            self.column == 0
            and (
                (t[p] == "-" and t[p + 1] == "-" and t[p + 2] == "-")
                or (t[p] == "." and t[p + 1] == "." and t[p + 2] == ".")
            )
            and t[p + 3] in _BLANKZ
        )

    def scan_flow_scalar(self, single: bool) -> _Token:
        start = self.mark()
        self.skip()
        t, r = self.t, self.r
        s: list[str] = []
        leading_break: list[str] = []
        trailing_breaks: list[str] = []
        whitespaces: list[str] = []
        while True:
            self.cache(4)
            if self._document_indicator():
                raise self.scanner_error("while scanning a quoted scalar", start, "found unexpected document indicator")
            if t[r.pos] == "\0":
                raise self.scanner_error("while scanning a quoted scalar", start, "found unexpected end of stream")
            leading_blanks = False
            while t[r.pos] not in _BLANKZ:
                c = t[r.pos]
                if single and c == "'" and t[r.pos + 1] == "'":
                    s.append("'")
                    self.skip()
                    self.skip()
                elif single and c == "'":
                    break
                elif not single and c == '"':
                    break
                elif not single and c == "\\" and t[r.pos + 1] in _BREAK:
                    self.cache(3)
                    self.skip()
                    self.skip_line()
                    leading_blanks = True
                    break
                elif not single and c == "\\":
                    e = t[r.pos + 1]
                    code_length = _CODE_LENGTH.get(e, 0)
                    if not code_length:
                        if e not in _ESCAPES:
                            raise self.scanner_error(
                                "while parsing a quoted scalar", start, "found unknown escape character"
                            )
                        s.append(_ESCAPES[e])
                    self.skip()
                    self.skip()
                    if code_length:
                        self.cache(code_length)
                        digits = t[r.pos : r.pos + code_length]
                        if any(d not in _HEX for d in digits) or len(digits) < code_length:
                            raise self.scanner_error(
                                "while parsing a quoted scalar", start, "did not find expected hexdecimal number"
                            )
                        value = int(digits, 16)
                        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
                            raise self.scanner_error(
                                "while parsing a quoted scalar", start, "found invalid Unicode character escape code"
                            )
                        s.append(chr(value))
                        for _ in range(code_length):
                            self.skip()
                else:
                    self.read(s)
                    self.read_run(s, _SINGLE_RUN if single else _DOUBLE_RUN, 2)
                self.cache(2)
            self.cache(1)
            if t[r.pos] == ("'" if single else '"'):
                break
            while t[r.pos] in " \t" or t[r.pos] in _BREAK:
                if t[r.pos] in " \t":
                    if not leading_blanks:
                        self.read(whitespaces)
                    else:
                        self.skip()
                else:
                    self.cache(2)
                    if not leading_blanks:
                        whitespaces.clear()
                        self.read_line(leading_break)
                        leading_blanks = True
                    else:
                        self.read_line(trailing_breaks)
                self.cache(1)
            if leading_blanks:
                if leading_break and leading_break[0] == "\n":
                    if not trailing_breaks:
                        s.append(" ")
                    else:
                        s.extend(trailing_breaks)
                else:
                    s.extend(leading_break)
                    s.extend(trailing_breaks)
                trailing_breaks.clear()
                leading_break.clear()
            else:
                s.extend(whitespaces)
                whitespaces.clear()
        self.skip()
        return _Token(SCALAR, start, self.mark(), value="".join(s), style=SINGLE_QUOTED if single else DOUBLE_QUOTED)

    def scan_plain_scalar(self) -> _Token:
        t, r = self.t, self.r
        s: list[str] = []
        leading_break: list[str] = []
        trailing_breaks: list[str] = []
        whitespaces: list[str] = []
        leading_blanks = False
        indent = self.indent + 1
        start = end = self.mark()
        while True:
            self.cache(4)
            if self._document_indicator():
                break
            if t[r.pos] == "#":
                break
            while t[r.pos] not in _BLANKZ:
                c = t[r.pos]
                if (c == ":" and t[r.pos + 1] in _BLANKZ) or (self.flow_level > 0 and c in _PLAIN_FLOW_END):
                    break
                if leading_blanks or whitespaces:
                    if leading_blanks:
                        if leading_break[0] == "\n":
                            if not trailing_breaks:
                                s.append(" ")
                            else:
                                s.extend(trailing_breaks)
                        else:
                            s.extend(leading_break)
                            s.extend(trailing_breaks)
                        trailing_breaks.clear()
                        leading_break.clear()
                        leading_blanks = False
                    else:
                        s.extend(whitespaces)
                        whitespaces.clear()
                self.read(s)
                self.read_run(s, _PLAIN_FLOW_RUN if self.flow_level > 0 else _PLAIN_RUN, 2)
                end = self.mark()
                self.cache(2)
            if not (t[r.pos] in " \t" or t[r.pos] in _BREAK):
                break
            self.cache(1)
            while t[r.pos] in " \t" or t[r.pos] in _BREAK:
                if t[r.pos] in " \t":
                    if leading_blanks and self.column < indent and t[r.pos] == "\t":
                        raise self.scanner_error(
                            "while scanning a plain scalar", start, "found a tab character that violates indentation"
                        )
                    if not leading_blanks:
                        self.read(whitespaces)
                    else:
                        self.skip()
                else:
                    self.cache(2)
                    if not leading_blanks:
                        whitespaces.clear()
                        self.read_line(leading_break)
                        leading_blanks = True
                    else:
                        self.read_line(trailing_breaks)
                self.cache(1)
            if self.flow_level == 0 and self.column < indent:
                break
        if leading_blanks:
            self.simple_key_allowed = True
        return _Token(SCALAR, start, end, value="".join(s), style=PLAIN)

    # ------------------------------------------------------------------ parser
    def peek_token(self) -> _Token:
        if not self.token_available:
            self.fetch_more_tokens()
        return self.tokens[self.tokens_head]

    def skip_token(self) -> None:
        self.token_available = False
        self.tokens_parsed += 1
        self.stream_end_produced = self.tokens[self.tokens_head].typ == STREAM_END
        self.tokens_head += 1

    def parse(self) -> _Event:
        return self.state()

    def parser_error(self, problem: str, mark: _GoMark, context_mark: _GoMark | None = None) -> _Fail:
        return _Fail("parser", problem, mark, context_mark)

    def pop_state(self) -> None:
        self.state = self.states.pop()

    def parse_stream_start(self) -> _Event:
        token = self.peek_token()
        if token.typ != STREAM_START:
            raise self.parser_error("did not find expected <stream-start>", token.start)
        self.state = self.parse_implicit_document_start
        self.skip_token()
        return _Event(E_STREAM_START, token.start, token.end)

    def parse_implicit_document_start(self) -> _Event:
        return self.parse_document_start(True)

    def parse_explicit_document_start(self) -> _Event:
        return self.parse_document_start(False)

    def parse_document_start(self, implicit: bool) -> _Event:
        token = self.peek_token()
        if not implicit:
            while token.typ == DOCUMENT_END:
                self.skip_token()
                token = self.peek_token()
        if implicit and token.typ not in (VERSION_DIRECTIVE, TAG_DIRECTIVE, DOCUMENT_START, STREAM_END):
            self.process_directives()
            self.states.append(self.parse_document_end)
            self.state = self.parse_block_node
            return _Event(E_DOCUMENT_START, token.start, token.end)
        if token.typ != STREAM_END:
            start = token.start
            self.process_directives()
            token = self.peek_token()
            if token.typ != DOCUMENT_START:
                raise self.parser_error("did not find expected <document start>", token.start)
            self.states.append(self.parse_document_end)
            self.state = self.parse_document_content
            self.skip_token()
            return _Event(E_DOCUMENT_START, start, token.end)
        self.state = self.parse_end
        self.skip_token()
        return _Event(E_STREAM_END, token.start, token.end)

    def parse_end(self) -> _Event:
        raise AssertionError("parsed past the end of the stream")

    def parse_document_content(self) -> _Event:
        token = self.peek_token()
        if token.typ in (VERSION_DIRECTIVE, TAG_DIRECTIVE, DOCUMENT_START, DOCUMENT_END, STREAM_END):
            self.pop_state()
            return self.process_empty_scalar(token.start)
        return self.parse_node(True, False)

    def parse_document_end(self) -> _Event:
        token = self.peek_token()
        start = end = token.start
        if token.typ == DOCUMENT_END:
            end = token.end
            self.skip_token()
        self.tag_directives = []
        self.state = self.parse_explicit_document_start
        return _Event(E_DOCUMENT_END, start, end)

    def parse_block_node(self) -> _Event:
        return self.parse_node(True, False)

    def parse_block_node_or_indentless_sequence(self) -> _Event:
        return self.parse_node(True, True)

    def parse_flow_node(self) -> _Event:
        return self.parse_node(False, False)

    def parse_node(self, block: bool, indentless_sequence: bool) -> _Event:
        token = self.peek_token()
        if token.typ == ALIAS:
            self.pop_state()
            self.skip_token()
            return _Event(E_ALIAS, token.start, token.end, anchor=token.value)
        start = end = token.start
        tag_token = False
        tag_handle = tag_suffix = anchor = ""
        tag_mark = start
        if token.typ == ANCHOR:
            anchor = token.value
            start, end = token.start, token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ == TAG:
                tag_token = True
                tag_handle, tag_suffix, tag_mark, end = token.value, token.suffix, token.start, token.end
                self.skip_token()
                token = self.peek_token()
        elif token.typ == TAG:
            tag_token = True
            tag_handle, tag_suffix = token.value, token.suffix
            start = tag_mark = token.start
            end = token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ == ANCHOR:
                anchor = token.value
                end = token.end
                self.skip_token()
                token = self.peek_token()
        tag = ""
        if tag_token:
            if not tag_handle:
                tag = tag_suffix
            else:
                for handle, prefix in self.tag_directives:
                    if handle == tag_handle:
                        tag = prefix + tag_suffix
                        break
                if not tag:
                    raise self.parser_error("found undefined tag handle", tag_mark, start)
        implicit = not tag
        if indentless_sequence and token.typ == BLOCK_ENTRY:
            self.state = self.parse_indentless_sequence_entry
            return _Event(E_SEQUENCE_START, start, token.end, anchor, tag, implicit=implicit)
        if token.typ == SCALAR:
            plain_implicit = (not tag and token.style == PLAIN) or tag == "!"
            self.pop_state()
            self.skip_token()
            return _Event(E_SCALAR, start, token.end, anchor, tag, token.value, plain_implicit, token.style)
        if token.typ == FLOW_SEQUENCE_START:
            self.state = self.parse_flow_sequence_first_entry
            return _Event(E_SEQUENCE_START, start, token.end, anchor, tag, implicit=implicit, flow=True)
        if token.typ == FLOW_MAPPING_START:
            self.state = self.parse_flow_mapping_first_key
            return _Event(E_MAPPING_START, start, token.end, anchor, tag, implicit=implicit, flow=True)
        if block and token.typ == BLOCK_SEQUENCE_START:
            self.state = self.parse_block_sequence_first_entry
            return _Event(E_SEQUENCE_START, start, token.end, anchor, tag, implicit=implicit)
        if block and token.typ == BLOCK_MAPPING_START:
            self.state = self.parse_block_mapping_first_key
            return _Event(E_MAPPING_START, start, token.end, anchor, tag, implicit=implicit)
        if anchor or tag:
            self.pop_state()
            return _Event(E_SCALAR, start, end, anchor, tag, "", implicit, PLAIN)
        raise self.parser_error("did not find expected node content", token.start, start)

    def parse_block_sequence_first_entry(self) -> _Event:
        token = self.peek_token()
        self.marks.append(token.start)
        self.skip_token()
        return self.parse_block_sequence_entry()

    def parse_block_sequence_entry(self) -> _Event:
        token = self.peek_token()
        if token.typ == BLOCK_ENTRY:
            mark = token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ not in (BLOCK_ENTRY, BLOCK_END):
                self.states.append(self.parse_block_sequence_entry)
                return self.parse_node(True, False)
            self.state = self.parse_block_sequence_entry
            return self.process_empty_scalar(mark)
        if token.typ == BLOCK_END:
            self.pop_state()
            self.marks.pop()
            self.skip_token()
            return _Event(E_SEQUENCE_END, token.start, token.end)
        raise self.parser_error("did not find expected '-' indicator", token.start, self.marks.pop())

    def parse_indentless_sequence_entry(self) -> _Event:
        token = self.peek_token()
        if token.typ == BLOCK_ENTRY:
            mark = token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ not in (BLOCK_ENTRY, KEY, VALUE, BLOCK_END):
                self.states.append(self.parse_indentless_sequence_entry)
                return self.parse_node(True, False)
            self.state = self.parse_indentless_sequence_entry
            return self.process_empty_scalar(mark)
        self.pop_state()
        return _Event(E_SEQUENCE_END, token.start, token.start)

    def parse_block_mapping_first_key(self) -> _Event:
        token = self.peek_token()
        self.marks.append(token.start)
        self.skip_token()
        return self.parse_block_mapping_key()

    def parse_block_mapping_key(self) -> _Event:
        token = self.peek_token()
        if token.typ == KEY:
            mark = token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ not in (KEY, VALUE, BLOCK_END):
                self.states.append(self.parse_block_mapping_value)
                return self.parse_node(True, True)
            self.state = self.parse_block_mapping_value
            return self.process_empty_scalar(mark)
        if token.typ == BLOCK_END:
            self.pop_state()
            self.marks.pop()
            self.skip_token()
            return _Event(E_MAPPING_END, token.start, token.end)
        raise self.parser_error("did not find expected key", token.start, self.marks.pop())

    def parse_block_mapping_value(self) -> _Event:
        token = self.peek_token()
        if token.typ == VALUE:
            mark = token.end
            self.skip_token()
            token = self.peek_token()
            if token.typ not in (KEY, VALUE, BLOCK_END):
                self.states.append(self.parse_block_mapping_key)
                return self.parse_node(True, True)
            self.state = self.parse_block_mapping_key
            return self.process_empty_scalar(mark)
        self.state = self.parse_block_mapping_key
        return self.process_empty_scalar(token.start)

    def parse_flow_sequence_first_entry(self) -> _Event:
        token = self.peek_token()
        self.marks.append(token.start)
        self.skip_token()
        return self.parse_flow_sequence_entry(True)

    def parse_flow_sequence_next_entry(self) -> _Event:
        return self.parse_flow_sequence_entry(False)

    def parse_flow_sequence_entry(self, first: bool) -> _Event:
        token = self.peek_token()
        if token.typ != FLOW_SEQUENCE_END:
            if not first:
                if token.typ == FLOW_ENTRY:
                    self.skip_token()
                    token = self.peek_token()
                else:
                    raise self.parser_error("did not find expected ',' or ']'", token.start, self.marks.pop())
            if token.typ == KEY:
                self.state = self.parse_flow_sequence_entry_mapping_key
                self.skip_token()
                return _Event(E_MAPPING_START, token.start, token.end, implicit=True, flow=True)
            if token.typ != FLOW_SEQUENCE_END:
                self.states.append(self.parse_flow_sequence_next_entry)
                return self.parse_node(False, False)
        self.pop_state()
        self.marks.pop()
        self.skip_token()
        return _Event(E_SEQUENCE_END, token.start, token.end)

    def parse_flow_sequence_entry_mapping_key(self) -> _Event:
        token = self.peek_token()
        if token.typ not in (VALUE, FLOW_ENTRY, FLOW_SEQUENCE_END):
            self.states.append(self.parse_flow_sequence_entry_mapping_value)
            return self.parse_node(False, False)
        mark = token.end
        self.skip_token()
        self.state = self.parse_flow_sequence_entry_mapping_value
        return self.process_empty_scalar(mark)

    def parse_flow_sequence_entry_mapping_value(self) -> _Event:
        token = self.peek_token()
        if token.typ == VALUE:
            self.skip_token()
            token2 = self.peek_token()
            if token2.typ not in (FLOW_ENTRY, FLOW_SEQUENCE_END):
                self.states.append(self.parse_flow_sequence_entry_mapping_end)
                return self.parse_node(False, False)
        # [Go] the empty value is marked where the VALUE token (if any) started
        self.state = self.parse_flow_sequence_entry_mapping_end
        return self.process_empty_scalar(token.start)

    def parse_flow_sequence_entry_mapping_end(self) -> _Event:
        token = self.peek_token()
        self.state = self.parse_flow_sequence_next_entry
        return _Event(E_MAPPING_END, token.start, token.start)

    def parse_flow_mapping_first_key(self) -> _Event:
        token = self.peek_token()
        self.marks.append(token.start)
        self.skip_token()
        return self.parse_flow_mapping_key(True)

    def parse_flow_mapping_next_key(self) -> _Event:
        return self.parse_flow_mapping_key(False)

    def parse_flow_mapping_key(self, first: bool) -> _Event:
        token = self.peek_token()
        if token.typ != FLOW_MAPPING_END:
            if not first:
                if token.typ == FLOW_ENTRY:
                    self.skip_token()
                    token = self.peek_token()
                else:
                    raise self.parser_error("did not find expected ',' or '}'", token.start, self.marks.pop())
            if token.typ == KEY:
                self.skip_token()
                token = self.peek_token()
                if token.typ not in (VALUE, FLOW_ENTRY, FLOW_MAPPING_END):
                    self.states.append(self.parse_flow_mapping_value)
                    return self.parse_node(False, False)
                self.state = self.parse_flow_mapping_value
                return self.process_empty_scalar(token.start)
            if token.typ != FLOW_MAPPING_END:
                self.states.append(self.parse_flow_mapping_empty_value)
                return self.parse_node(False, False)
        self.pop_state()
        self.marks.pop()
        self.skip_token()
        return _Event(E_MAPPING_END, token.start, token.end)

    def parse_flow_mapping_value(self) -> _Event:
        token = self.peek_token()
        if token.typ == VALUE:
            self.skip_token()
            token = self.peek_token()
            if token.typ not in (FLOW_ENTRY, FLOW_MAPPING_END):
                self.states.append(self.parse_flow_mapping_next_key)
                return self.parse_node(False, False)
        self.state = self.parse_flow_mapping_next_key
        return self.process_empty_scalar(token.start)

    def parse_flow_mapping_empty_value(self) -> _Event:
        token = self.peek_token()
        self.state = self.parse_flow_mapping_next_key
        return self.process_empty_scalar(token.start)

    def process_empty_scalar(self, mark: _GoMark) -> _Event:
        return _Event(E_SCALAR, mark, mark, implicit=True)

    def process_directives(self) -> None:
        version = None
        token = self.peek_token()
        while token.typ in (VERSION_DIRECTIVE, TAG_DIRECTIVE):
            if token.typ == VERSION_DIRECTIVE:
                if version is not None:
                    raise self.parser_error("found duplicate %YAML directive", token.start)
                if token.major != 1 or token.minor != 1:
                    raise self.parser_error("found incompatible YAML document", token.start)
                version = (token.major, token.minor)
            else:
                self.append_tag_directive(token.value, token.suffix, False, token.start)
            self.skip_token()
            token = self.peek_token()
        for handle, prefix in _DEFAULT_TAG_DIRECTIVES:
            self.append_tag_directive(handle, prefix, True, token.start)

    def append_tag_directive(self, handle: str, prefix: str, allow_duplicates: bool, mark: _GoMark) -> None:
        for known, _ in self.tag_directives:
            if known == handle:
                if allow_duplicates:
                    return
                raise self.parser_error("found duplicate %TAG directive", mark)
        self.tag_directives.append((handle, prefix))


# --------------------------------------------------------------------------------------------------------
# Composing the first document (decode.go's parser type), without recursion
# --------------------------------------------------------------------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAG = "!yamlv2/plain"  # read.py's marker for untagged plain scalars


def _mark(m: _GoMark) -> Mark:
    return Mark("<document>", m[0], m[1], m[2], None, None)  # type: ignore[arg-type]  # no buffer: PyYAML allows it


def compose_first(text: str) -> Node | None:
    """The node graph of the first document of `text`, as yaml.v2's Unmarshal builds it (None for a
    stream without documents). Scalar tags as read.py expects them: untagged plain scalars carry
    `_PLAIN_TAG`, other untagged ones `_STR_TAG`. Raises GoYamlError with yaml.v2's message."""
    parser = GoParser(text or "\n")
    try:
        return _compose(parser)
    except _Fail as fail:
        raise fail.go_error() from None


def _compose(parser: GoParser) -> Node | None:
    parse = parser.parse
    event = parse()  # stream start
    event = parse()
    if event.typ == E_STREAM_END:
        return None
    # event is the document start
    anchors: dict[str, Node] = {}
    stack: list[list[Any]] = []  # [collection node, key waiting for its value]
    root: Node | None = None
    while True:
        event = parse()
        typ = event.typ
        if typ == E_SEQUENCE_END or typ == E_MAPPING_END:
            node = stack.pop()[0]
            node.end_mark = _mark(event.end)
        elif typ == E_ALIAS:
            if event.anchor not in anchors:
                raise GoYamlError("unknown anchor '%s' referenced" % event.anchor, event.start)
            node = anchors[event.anchor]
        else:
            if typ == E_SCALAR:
                tag = event.tag
                if not tag:
                    tag = _PLAIN_TAG if event.implicit else _STR_TAG
                elif tag == "!":
                    tag = _STR_TAG
                node = ScalarNode(tag, event.value, _mark(event.start), _mark(event.end), event.style)
            elif typ == E_SEQUENCE_START:
                node = SequenceNode(event.tag, [], _mark(event.start), None, event.flow)
            else:
                node = MappingNode(event.tag, [], _mark(event.start), None, event.flow)
            if event.anchor:
                anchors[event.anchor] = node
            if typ != E_SCALAR:
                if stack:
                    _attach(stack[-1], node)
                stack.append([node, None])
                continue
        if not stack:
            root = node
            break
        if typ != E_SEQUENCE_END and typ != E_MAPPING_END:
            _attach(stack[-1], node)
    parse()  # the document end, which may still fail
    return root


def _attach(frame: list[Any], node: Node) -> None:
    parent = frame[0]
    if parent.__class__ is SequenceNode:
        parent.value.append(node)
    elif frame[1] is None:
        frame[1] = node
    else:
        parent.value.append((frame[1], node))
        frame[1] = None
