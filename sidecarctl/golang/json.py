"""Go's encoding/json: the spelling of strings and floats, and compact marshalling of plain data.

Shared by every layer that writes JSON as Go does: the template functions (istio.py, Sprig's
toJson), the Kubernetes object model (kube/yamljson.py), the YAML writer and the engine's
annotations. Marshalling of richer values stays with each caller: their value models differ
(Sprig's nil lists, the template data's Go views, typed Kubernetes fields).
"""

from __future__ import annotations

import math
from typing import Any

from sidecarctl.golang.errors import GoError
from sidecarctl.golang.strconv import format_float, quote

__all__ = [
    "UnsupportedValue",
    "encode_string",
    "format_json_float",
    "json_integral",
    "json_kind",
    "marshal",
    "sort_keys",
    "unmarshal",
]


class UnsupportedValue(GoError):
    """json.Marshal's UnsupportedValueError (NaN/Inf floats, functions)."""


_HEX = "0123456789abcdef"


def encode_string(s: str, escape_html: bool = True, short_escapes: bool = False, replace_invalid: bool = False) -> str:
    """A JSON string as encoding/json writes it: `"` `\\` `\\n` `\\r` `\\t` escaped, other controls
    as \\u00XX, `<>&` too when escape_html (json.Marshal's default), U+2028/U+2029 always.

    short_escapes: Go 1.22+ writes \\b and \\f (istioctl's Go); Go 1.19 writes \\u0008, \\u000c.
    replace_invalid: an invalid UTF-8 byte (a lone surrogate here) becomes \\ufffd, as Go does;
    otherwise it is kept for the caller's encoder.
    """
    # Printable characters are written as they are, but for `"`, `\\` and (HTML-safe) `<>&`;
    # controls, U+2028/U+2029 and lone surrogates are not printable.
    if s.isprintable() and '"' not in s and "\\" not in s and not (escape_html and ("<" in s or ">" in s or "&" in s)):
        return '"' + s + '"'
    out = ['"']
    for ch in s:
        c = ord(ch)
        if c < 0x80:
            if ch == '"' or ch == "\\":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif short_escapes and ch == "\b":
                out.append("\\b")
            elif short_escapes and ch == "\f":
                out.append("\\f")
            elif c < 0x20 or (escape_html and ch in "<>&"):
                out.append(f"\\u00{_HEX[c >> 4]}{_HEX[c & 0xF]}")
            else:
                out.append(ch)
        elif replace_invalid and 0xD800 <= c <= 0xDFFF:
            out.append("\\ufffd")  # an invalid UTF-8 byte: Go writes the escape, not the rune
        elif c in (0x2028, 0x2029):
            out.append(f"\\u{c:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_json_float(f: float, bits: int = 64) -> str:
    """encoding/json's float format: %f-style unless tiny or huge, with a short exponent.

    Raises UnsupportedValue with Go's text for NaN and infinities.
    """
    if math.isnan(f) or math.isinf(f):
        raise UnsupportedValue(f"json: unsupported value: {format_float(f, 'g', -1, bits)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        # The shortest digits in exponent form; Go then drops the leading zero of a two-digit
        # negative exponent (1.5e-07 -> 1.5e-7).
        mant, exp = format_float(f, "e", -1, bits).split("e")
        if len(exp) == 3 and exp.startswith("-0"):
            exp = "-" + exp[2]
        return f"{mant}e{exp}"
    return format_float(f, "f", -1, bits)


def json_integral(f: float) -> int:
    """The integer Go's JSON writes for an integral float64 below 1e21: its shortest digits padded with
    zeros (so 2**63 is written 9223372036854776000, not ...808)."""
    if abs(f) < 2.0**53:
        return int(f)
    return int(format_float(f, "f", -1, 64))


def marshal(value: Any) -> str:
    """json.Marshal of plain data (dicts with string keys, lists, strings, numbers, bools, None)
    already in the order Go writes it: compact, HTML-safe. Mapping keys are written in the mapping's
    order: callers give Go struct order, or sort_keys() where Go marshals a map. Raises
    UnsupportedValue for NaN and infinities."""
    out: list[str] = []
    _marshal_into(value, out)
    return "".join(out)


def _marshal_into(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True or v is False:
        out.append("true" if v else "false")
    elif isinstance(v, str):
        out.append(encode_string(v, short_escapes=True, replace_invalid=True))
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(format_json_float(v))
    elif isinstance(v, dict):
        out.append("{")
        for n, (key, item) in enumerate(v.items()):
            if n:
                out.append(",")
            out.append(encode_string(str(key), short_escapes=True, replace_invalid=True))
            out.append(":")
            _marshal_into(item, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for n, item in enumerate(v):
            if n:
                out.append(",")
            _marshal_into(item, out)
        out.append("]")
    else:
        raise UnsupportedValue(f"json: unsupported type: {type(v).__name__}")


def sort_keys(value: Any) -> Any:
    """Sort mapping keys recursively, as encoding/json does for Go maps."""
    if isinstance(value, dict):
        return {key: sort_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sort_keys(item) for item in value]
    return value


def json_kind(v: object) -> str:
    """The word Go's json.UnmarshalTypeError uses for a JSON value: `cannot unmarshal <kind> into ...`."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "object"
    if hasattr(v, "isoformat"):
        return "string"  # a timestamp a YAML loader resolved; go-yaml v2 keeps it as text
    return "array"


# --- Unmarshal into interface{} -------------------------------------------------------------------------------


class _Syntax(Exception):
    pass


def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return "'" + quote(c)[1:-1] + "'"


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
                raise _Syntax(
                    f"invalid character ' ' in literal {word.decode()} (expecting {_quote_char(chr(expect))})"
                )
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
    dec = _Decoder(text.encode("utf-8", "surrogateescape"))
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
