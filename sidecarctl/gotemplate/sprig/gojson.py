"""Go's encoding/json over the Python value model: Marshal/MarshalIndent/Encoder output and
Unmarshal-into-interface{} with the scanner's exact error messages."""

from __future__ import annotations

import base64
import math
from typing import Any

from sidecarctl.gotemplate import gojson as _shared
from sidecarctl.gotemplate.budget import charge_output, charge_value
from sidecarctl.gotemplate.gotypes import Float32, GoError, GoObject, GoSizedInt

from ._util import NilList, NilMap, NilStrings, to_bytes


# --- encoding -------------------------------------------------------------------------------


def marshal(value: Any, escape_html: bool = True, indent: str = "") -> str:
    """json.Marshal (indent="") or json.MarshalIndent(v, "", indent); raises GoError."""
    charge_value(value)  # every node it will visit, before encoding (BudgetExceeded is no GoError)
    out: list[str] = []
    _encode(value, out, escape_html, indent, 0)
    return "".join(out)


def encode_string(s: str, escape_html: bool = True) -> str:
    """A JSON string as Go 1.19's encoding/json writes it (\\u0008, invalid UTF-8 as \\ufffd)."""
    return _shared.encode_string(s, escape_html, replace_invalid=True)


format_json_float = _shared.format_json_float


def _encode(v: Any, out: list[str], esc: bool, indent: str, depth: int) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(encode_string(v, esc))
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(format_json_float(v, 32 if isinstance(v, Float32) else 64))
    elif isinstance(v, (bytes, bytearray)):
        out.append('"' + base64.b64encode(bytes(v)).decode() + '"')
    elif isinstance(v, (NilList, NilStrings, NilMap)):
        out.append("null")
    elif isinstance(v, list):
        _encode_list(v, out, esc, indent, depth)
    elif isinstance(v, dict):
        _encode_map(v, out, esc, indent, depth)
    elif isinstance(v, GoObject):
        _encode_object(v, out, esc, indent, depth)
    else:
        raise GoError(f"json: unsupported type: {type(v).__name__}")


def _newline(out: list[str], indent: str, depth: int) -> None:
    if indent:
        charge_output(1 + len(indent) * depth)  # grows with depth for every element: charged
        out.append("\n" + indent * depth)


def _encode_list(v: list[Any], out: list[str], esc: bool, indent: str, depth: int) -> None:
    if not v:
        out.append("[]")
        return
    out.append("[")
    for i, item in enumerate(v):
        if i:
            out.append(",")
        _newline(out, indent, depth + 1)
        _encode(item, out, esc, indent, depth + 1)
    _newline(out, indent, depth)
    out.append("]")


def _encode_map(v: dict[Any, Any], out: list[str], esc: bool, indent: str, depth: int) -> None:
    if not v:
        out.append("{}")
        return
    entries = sorted(((_key_text(k), val) for k, val in v.items()), key=lambda kv: to_bytes(kv[0]))
    out.append("{")
    for i, (key, item) in enumerate(entries):
        if i:
            out.append(",")
        _newline(out, indent, depth + 1)
        out.append(encode_string(key, esc))
        out.append(": " if indent else ":")
        _encode(item, out, esc, indent, depth + 1)
    _newline(out, indent, depth)
    out.append("}")


def _key_text(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, (int, GoSizedInt)) and not isinstance(k, bool):
        return str(int(k))
    raise GoError(f"json: unsupported type: {type(k).__name__}")


def _encode_object(v: GoObject, out: list[str], esc: bool, indent: str, depth: int) -> None:
    """GoObjects expose `go_json()`: the value their MarshalJSON (or struct fields) produce."""
    hook = getattr(v, "go_json", None)
    if v.go_is_nil():
        out.append("null")
    elif callable(hook):
        _encode(hook(), out, esc, indent, depth)
    else:
        out.append("{}")


# --- decoding -------------------------------------------------------------------------------


class _Syntax(Exception):
    pass


def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    from ._util import go_quote

    return "'" + go_quote(c)[1:-1] + "'"


class _Decoder:
    """A recursive-descent twin of Go's JSON scanner, reporting the same first error."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0
        self.range_error: str | None = None

    def err(self, what: str) -> _Syntax:
        if self.i >= len(self.data):
            return _Syntax("unexpected end of JSON input")
        return _Syntax(f"invalid character {_quote_char(chr(self.data[self.i]))} {what}")

    def peek(self) -> int:
        return self.data[self.i] if self.i < len(self.data) else -1

    def ws(self) -> None:
        while self.i < len(self.data) and self.data[self.i] in b" \t\r\n":
            self.i += 1

    def top(self) -> Any:
        self.ws()
        value = self.value()
        self.ws()
        if self.i < len(self.data):
            raise self.err("after top-level value")
        return value

    def value(self) -> Any:
        self.ws()
        c = self.peek()
        if c == ord("{"):
            return self.obj()
        if c == ord("["):
            return self.arr()
        if c == ord('"'):
            return self.string()
        if c == ord("-") or ord("0") <= c <= ord("9"):
            return self.number()
        for word, val in ((b"true", True), (b"false", False), (b"null", None)):
            if c == word[0]:
                return self.literal(word, val)
        raise self.err("looking for beginning of value")

    def literal(self, word: bytes, val: Any) -> Any:
        self.i += 1
        for expect in word[1:]:
            if self.i >= len(self.data):  # Go feeds a space at EOF to finish a literal
                raise _Syntax(f"invalid character ' ' in literal {word.decode()} (expecting {_quote_char(chr(expect))})")
            if self.data[self.i] != expect:
                raise self.err(f"in literal {word.decode()} (expecting {_quote_char(chr(expect))})")
            self.i += 1
        return val

    def obj(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        self.ws()
        if self.peek() == ord("}"):
            self.i += 1
            return out
        while True:
            self.ws()
            if self.peek() != ord('"'):
                raise self.err("looking for beginning of object key string")
            key = self.string()
            self.ws()
            if self.peek() != ord(":"):
                raise self.err("after object key")
            self.i += 1
            out[key] = self.value()
            self.ws()
            c = self.peek()
            if c == ord(","):
                self.i += 1
                continue
            if c == ord("}"):
                self.i += 1
                return out
            raise self.err("after object key:value pair")

    def arr(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        self.ws()
        if self.peek() == ord("]"):
            self.i += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            c = self.peek()
            if c == ord(","):
                self.i += 1
                continue
            if c == ord("]"):
                self.i += 1
                return out
            raise self.err("after array element")

    def string(self) -> str:
        self.i += 1
        start = self.i
        data = self.data
        while True:
            if self.i >= len(data):
                raise _Syntax("unexpected end of JSON input")
            c = data[self.i]
            if c == ord('"'):
                break
            if c == ord("\\"):
                self.i += 1
                if self.i >= len(data):
                    raise _Syntax("unexpected end of JSON input")
                e = data[self.i]
                if e == ord("u"):
                    for _ in range(4):
                        self.i += 1
                        if self.i >= len(data):
                            raise _Syntax("unexpected end of JSON input")
                        if data[self.i] not in b"0123456789abcdefABCDEF":
                            raise self.err("in \\u hexadecimal character escape")
                elif e not in b'bfnrt\\/"':
                    raise self.err("in string escape code")
            elif c < 0x20:
                raise self.err("in string literal")
            self.i += 1
        raw = data[start : self.i]
        self.i += 1
        return _unquote(raw)

    def number(self) -> float:
        start = self.i
        d = self.data
        if self.peek() == ord("-"):
            self.i += 1
            if not (ord("0") <= self.peek() <= ord("9")):
                raise self._num_err("in numeric literal")
        if self.peek() == ord("0"):
            self.i += 1
        else:
            self._digits()
        if self.peek() == ord("."):
            self.i += 1
            if not (ord("0") <= self.peek() <= ord("9")):
                raise self._num_err("after decimal point in numeric literal")
            self._digits()
        if self.peek() in (ord("e"), ord("E")):
            self.i += 1
            if self.peek() in (ord("+"), ord("-")):
                self.i += 1
            if not (ord("0") <= self.peek() <= ord("9")):
                raise self._num_err("in exponent of numeric literal")
            self._digits()
        text = d[start : self.i].decode()
        f = float(text)
        if math.isinf(f) and self.range_error is None:
            self.range_error = f"json: cannot unmarshal number {text} into Go value of type float64"
        return f

    def _num_err(self, what: str) -> _Syntax:
        if self.i >= len(self.data):  # Go feeds a space at EOF to finish a number
            return _Syntax(f"invalid character ' ' {what}")
        return self.err(what)

    def _digits(self) -> None:
        while ord("0") <= self.peek() <= ord("9"):
            self.i += 1


def _unquote(raw: bytes) -> str:
    """The string's value: escapes decoded, invalid UTF-8 and lone surrogates become U+FFFD."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != ord("\\"):
            j = i
            while j < len(raw) and raw[j] != ord("\\"):
                j += 1
            out.append(raw[i:j].decode("utf-8", "replace"))
            i = j
            continue
        e = chr(raw[i + 1])
        if e == "u":
            code = int(raw[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw[i : i + 2] == b"\\u":
                low = int(raw[i + 2 : i + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    i += 6
                    continue
            out.append("\ufffd" if 0xD800 <= code < 0xE000 else chr(code))
            continue
        out.append({"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}.get(e, e))
        i += 2
    return "".join(out)


def unmarshal(text: str) -> tuple[Any, str | None]:
    """json.Unmarshal into interface{}: (value, error message or None)."""
    dec = _Decoder(to_bytes(text))
    try:
        value = dec.top()
    except _Syntax as e:
        return None, str(e)
    if dec.range_error:
        return _drop_inf(value), dec.range_error
    return value, None


def _drop_inf(v: Any) -> Any:
    """Out-of-range numbers are left unset (nil) by Go's decoder."""
    if isinstance(v, float) and math.isinf(v):
        return None
    if isinstance(v, list):
        return [_drop_inf(x) for x in v]
    if isinstance(v, dict):
        return {k: _drop_inf(x) for k, x in v.items()}
    return v

