"""Go text/template's lexer: the template text as a list of tokens.

Go lexes lazily in a goroutine and stops at the first error; since its parser also stops at the
first error, lexing everything up front (ending with an ERROR or EOF token) gives the same result.
Positions are character offsets into the text; error columns are converted to Go's byte columns
where they are reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sidecarctl.golang.strconv import quote as go_quote

# Token types, in Go's order: everything after KEYWORD is a keyword and prints as `<word>`.
(
    ERROR,
    BOOL,
    CHAR,
    CHAR_CONSTANT,
    COMMENT,
    COMPLEX,
    ASSIGN,
    DECLARE,
    EOF,
    FIELD,
    IDENTIFIER,
    LEFT_DELIM,
    LEFT_PAREN,
    NUMBER,
    PIPE,
    RAW_STRING,
    RIGHT_DELIM,
    RIGHT_PAREN,
    SPACE,
    STRING,
    TEXT,
    VARIABLE,
    KEYWORD,
    BLOCK,
    BREAK,
    CONTINUE,
    DOT,
    DEFINE,
    ELSE,
    END,
    IF,
    NIL,
    RANGE,
    TEMPLATE,
    WITH,
) = range(35)

KEYWORDS = {
    ".": DOT,
    "block": BLOCK,
    "break": BREAK,
    "continue": CONTINUE,
    "define": DEFINE,
    "else": ELSE,
    "end": END,
    "if": IF,
    "range": RANGE,
    "nil": NIL,
    "template": TEMPLATE,
    "with": WITH,
}

StateFn = Callable[[], Any]  # a lexer state: consumes input, returns the next state or None

_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")


def _ascii_word_end(text: str, pos: int) -> int:
    m = _ASCII_WORD.match(text, pos)
    return m.end() if m else pos


LEFT, RIGHT = "{{", "}}"
LEFT_COMMENT, RIGHT_COMMENT = "/*", "*/"
SPACE_CHARS = " \t\r\n"


class Token:
    """One lexed item: type, character offset, text and the line it starts on."""

    __slots__ = ("typ", "pos", "val", "line")

    def __init__(self, typ: int, pos: int, val: str, line: int) -> None:
        self.typ, self.pos, self.val, self.line = typ, pos, val, line

    def __repr__(self) -> str:
        return f"Token({self.typ}, {self.pos}, {self.val!r}, {self.line})"

    def __str__(self) -> str:
        """Go's item.String(), used in "unexpected X in Y" messages."""
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode("utf-8", "surrogateescape")) > 10:  # raw bytes of a non-UTF-8 file
            return go_quote(_first_bytes(self.val, 10)) + "..."
        return go_quote(self.val)


def _first_bytes(s: str, n: int) -> str:
    """`%.10q` truncates to 10 runes (Go counts runes for string precision)."""
    return s[:n]


def is_space(c: str) -> bool:
    return c in SPACE_CHARS and c != ""


def is_alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or (c != "" and unicodedata.category(c) == "Nd")


def _has_left_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] == "-" and is_space(s[i + 1])


def _has_right_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and is_space(s[i]) and s[i + 1] == "-"


class Lexer:
    """A port of Go's state machine: each state method returns the next state (or None)."""

    def __init__(self, text: str, break_ok: bool = True, continue_ok: bool = True) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.break_ok = break_ok
        self.continue_ok = continue_ok
        self.items: list[Token] = []

    def run(self) -> list[Token]:
        state: StateFn | None = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # --- primitives ---------------------------------------------------------------------------

    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos = len(self.input) + 1  # remember we hit EOF, so backup() is a no-op there
            return ""
        c = self.input[self.pos]
        self.pos += 1
        if c == "\n":
            self.line += 1
        return c

    def backup(self) -> None:
        if self.pos > len(self.input):
            self.pos = len(self.input)
            return
        if self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def emit(self, typ: int) -> None:
        end = min(self.pos, len(self.input))
        self.items.append(Token(typ, self.start, self.input[self.start : end], self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def accept(self, valid: str) -> bool:
        c = self.next()
        if c != "" and c in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            c = self.next()
            if c == "" or c not in valid:
                break
        self.backup()

    def errorf(self, msg: str) -> StateFn | None:
        self.items.append(Token(ERROR, self.start, msg, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        s, p = self.input, self.pos
        if _has_right_trim(s, p) and s.startswith(RIGHT, p + 2):
            return True, True
        return s.startswith(RIGHT, p), False

    def at_terminator(self) -> bool:
        c = self.peek()
        if c == "" or is_space(c) or c in ".,|:)(":
            return True
        return self.input.startswith(RIGHT, self.pos)

    # --- states -------------------------------------------------------------------------------

    def lex_text(self) -> StateFn | None:
        x = self.input.find(LEFT, self.pos)
        if x >= 0:
            self.pos = x
            trim = 0
            if _has_left_trim(self.input, x + len(LEFT)):
                text = self.input[self.start : x]
                trim = len(text) - len(text.rstrip(SPACE_CHARS))
            self.pos -= trim
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                self.emit(TEXT)
            self.pos += trim
            self.ignore()
            return self.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.line += self.input.count("\n", self.start, self.pos)
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def lex_left_delim(self) -> StateFn | None:
        self.pos += len(LEFT)
        trim = _has_left_trim(self.input, self.pos)
        after = 2 if trim else 0
        if self.input.startswith(LEFT_COMMENT, self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(LEFT_DELIM)
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> StateFn | None:
        self.pos += len(LEFT_COMMENT)
        i = self.input.find(RIGHT_COMMENT, self.pos)
        if i < 0:
            return self.errorf("unclosed comment")
        self.pos = i + len(RIGHT_COMMENT)
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += len(RIGHT)
        if trim:
            self.pos = self._skip_left_space(self.pos)
        self.ignore()
        return self.lex_text

    def _skip_left_space(self, p: int) -> int:
        rest = self.input[p:]
        return p + len(rest) - len(rest.lstrip(SPACE_CHARS))

    def lex_right_delim(self) -> StateFn | None:
        trim = _has_right_trim(self.input, self.pos)
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(RIGHT)
        self.emit(RIGHT_DELIM)
        if trim:
            self.pos = self._skip_left_space(self.pos)
            self.ignore()
        return self.lex_text

    def lex_inside_action(self) -> StateFn | None:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        c = self.next()
        if c == "":
            return self.errorf("unclosed action")
        if is_space(c):
            self.backup()
            return self.lex_space
        simple = _SIMPLE.get(c)
        if simple is not None:
            return simple(self)
        if c == "." and self.pos < len(self.input) and not ("0" <= self.input[self.pos] <= "9"):
            return self.lex_field
        if c in "+-." or "0" <= c <= "9":
            self.backup()
            return self.lex_number
        if is_alnum(c):
            self.backup()
            return self.lex_identifier
        if c == "(":
            self.emit(LEFT_PAREN)
            self.paren_depth += 1
            return self.lex_inside_action
        if c == ")":
            self.emit(RIGHT_PAREN)
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren U+0029 ')'")
            return self.lex_inside_action
        if ord(c) < 0x80 and c.isprintable():
            self.emit(CHAR)
            return self.lex_inside_action
        return self.errorf(f"unrecognized character in action: {_sharp_u(c)}")

    def _lex_assign(self) -> StateFn | None:
        self.emit(ASSIGN)
        return self.lex_inside_action

    def _lex_declare(self) -> StateFn | None:
        if self.next() != "=":
            return self.errorf("expected :=")
        self.emit(DECLARE)
        return self.lex_inside_action

    def _lex_pipe(self) -> StateFn | None:
        self.emit(PIPE)
        return self.lex_inside_action

    def lex_space(self) -> StateFn | None:
        n = 0
        while is_space(self.peek()):
            self.next()
            n += 1
        p = self.pos - 1
        if _has_right_trim(self.input, p) and self.input.startswith(RIGHT, p + 2):
            self.backup()
            if n == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return self.lex_inside_action

    def skip_alnum(self) -> None:
        """Advance over letters, digits and `_` (no newlines can occur, so lines are unchanged)."""
        p = _ascii_word_end(self.input, self.pos)
        n = len(self.input)
        while p < n and is_alnum(self.input[p]):
            p = _ascii_word_end(self.input, p + 1)
        self.pos = p

    def lex_identifier(self) -> StateFn | None:
        self.skip_alnum()
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            return self.errorf(f"bad character {_sharp_u(self.peek())}")
        key = KEYWORDS.get(word)
        if key is not None and key > KEYWORD:
            if (key == BREAK and not self.break_ok) or (key == CONTINUE and not self.continue_ok):
                key = IDENTIFIER
            self.emit(key)
        elif word[0] == ".":
            self.emit(FIELD)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self) -> StateFn | None:
        return self._field_or_variable(FIELD)

    def lex_variable(self) -> StateFn | None:
        if self.at_terminator():
            self.emit(VARIABLE)
            return self.lex_inside_action
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: int) -> StateFn | None:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside_action
        self.skip_alnum()
        if not self.at_terminator():
            return self.errorf(f"bad character {_sharp_u(self.peek())}")
        self.emit(typ)
        return self.lex_inside_action

    def _lex_quoted(self, typ: int, what: str) -> StateFn | None:
        quote = "'" if typ == CHAR_CONSTANT else '"'
        while True:
            c = self.next()
            if c == "\\":
                c = self.next()
                if c not in ("", "\n"):
                    continue
                return self.errorf(f"unterminated {what}")
            if c in ("", "\n"):
                return self.errorf(f"unterminated {what}")
            if c == quote:
                break
        self.emit(typ)
        return self.lex_inside_action

    def lex_quote(self) -> StateFn | None:
        return self._lex_quoted(STRING, "quoted string")

    def lex_char(self) -> StateFn | None:
        return self._lex_quoted(CHAR_CONSTANT, "character constant")

    def lex_raw_quote(self) -> StateFn | None:
        end = self.input.find("`", self.pos)
        if end < 0:
            self.pos = len(self.input)
            return self.errorf("unterminated raw quoted string")
        self.line += self.input.count("\n", self.pos, end + 1)
        self.pos = end + 1
        self.emit(RAW_STRING)
        return self.lex_inside_action

    def lex_number(self) -> StateFn | None:
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {self._quoted_so_far()}")
        if self.peek() in ("+", "-") and self.peek() != "":
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {self._quoted_so_far()}")
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside_action

    def _quoted_so_far(self) -> str:
        return go_quote(self.input[self.start : min(self.pos, len(self.input))])

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        c = self.peek()
        if c and is_alnum(c):
            self.next()
            return False
        return True


def _sharp_u(c: str) -> str:
    """Go's `%#U`: U+0040 '@'."""
    if c == "":
        return "U+FFFFFFFFFFFFFFFF"
    code = f"U+{ord(c):04X}"
    return f"{code} '{c}'" if c.isprintable() else code


_SIMPLE = {
    "=": Lexer._lex_assign,
    ":": Lexer._lex_declare,
    "|": Lexer._lex_pipe,
    '"': Lexer.lex_quote,
    "`": Lexer.lex_raw_quote,
    "$": Lexer.lex_variable,
    "'": Lexer.lex_char,
}


def lex(text: str, break_ok: bool = True, continue_ok: bool = True) -> list[Token]:
    """All tokens of `text`, ending with an EOF or ERROR token."""
    return Lexer(text, break_ok, continue_ok).run()
