"""Go's encoding/json spelling of strings and floats, shared by every layer that writes JSON as Go
does: the template functions (istio.py, Sprig's toJson), the template data's Go views and the
Kubernetes object model (kube/gojson.py). Marshalling whole values stays with each caller: their
value models differ (Sprig's nil lists, the views' own `go_json`, typed Kubernetes fields).
"""

from __future__ import annotations

import math

from sidecarctl.gotemplate.gotypes import GoError, format_float

__all__ = ["UnsupportedValue", "encode_string", "format_json_float"]


class UnsupportedValue(GoError):
    """json.Marshal's UnsupportedValueError (NaN/Inf floats, functions)."""


_HEX = "0123456789abcdef"


def encode_string(s: str, escape_html: bool = True, short_escapes: bool = False,
                  replace_invalid: bool = False) -> str:
    """A JSON string as encoding/json writes it: `"` `\\` `\\n` `\\r` `\\t` escaped, other controls
    as \\u00XX, `<>&` too when escape_html (json.Marshal's default), U+2028/U+2029 always.

    short_escapes: Go 1.22+ writes \\b and \\f (istioctl's Go); Go 1.19 writes \\u0008, \\u000c.
    replace_invalid: an invalid UTF-8 byte (a lone surrogate here) becomes \\ufffd, as Go does;
    otherwise it is kept for the caller's encoder.
    """
    # Printable characters are written as they are, but for `"`, `\\` and (HTML-safe) `<>&`;
    # controls, U+2028/U+2029 and lone surrogates are not printable.
    if s.isprintable() and '"' not in s and "\\" not in s and not (
            escape_html and ("<" in s or ">" in s or "&" in s)):
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
        raise UnsupportedValue(f"json: unsupported value: {format_float(f, bits)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        # %g's shortest digits are in exponent form at these magnitudes; Go then drops the
        # leading zero of a two-digit negative exponent (1.5e-07 -> 1.5e-7).
        text = format_float(f, bits)
        mant, exp = text.split("e")
        if len(exp) == 3 and exp.startswith("-0"):
            exp = "-" + exp[2]
        return f"{mant}e{exp}"
    return _fixed(f, bits)


def _fixed(f: float, bits: int) -> str:
    """strconv.FormatFloat(f, 'f', -1, bits): shortest digits, no exponent."""
    short = format_float(f, bits)
    if "e" not in short:
        return short
    from decimal import Decimal

    text = format(Decimal(short), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


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
