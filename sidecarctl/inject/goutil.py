"""Small pieces of Go's standard library whose exact output reaches istioctl's bytes.

Kept apart so that the injection steps read like Istio's and the Go quirks are tested once:
`encoding/json` (compact, HTML-safe, struct field order given by the caller), `strconv.Quote`
(the `%q` of istioctl's warnings), `strconv.ParseBool`, `strconv.Atoi` and go-multierror's text.
"""

from __future__ import annotations

import json
import re
from typing import Any

# encoding/json escapes these even inside strings so that JSON can be embedded in HTML.
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML_RE = re.compile("[<>&\u2028\u2029]")

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
                  '"': '\\"', "\\": "\\\\"}

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_ATOI_RE = re.compile(r"[+-]?[0-9]+")


def json_dumps(value: Any) -> str:
    """json.Marshal of an already ordered value: compact, UTF-8 kept, `<>&` escaped.

    Mapping keys are written in the mapping's order: callers give Go struct order, or sort the
    keys themselves where Go marshals a map.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _HTML_RE.sub(lambda m: _HTML_ESCAPES[m.group(0)], text)


def json_sorted(value: Any) -> Any:
    """Sort mapping keys recursively, as encoding/json does for Go maps."""
    if isinstance(value, dict):
        return {key: json_sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [json_sorted(item) for item in value]
    return value


def quote(text: str) -> str:
    """strconv.Quote, the `%q` verb: printable characters kept, the rest escaped."""
    out = []
    for char in text:
        if char in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        elif not char.isprintable() and char != " ":
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def parse_bool(text: str) -> bool | None:
    """strconv.ParseBool; None where Go returns an error."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def atoi(text: str) -> int | None:
    """strconv.Atoi (64-bit); None where Go returns an error (no spaces, no underscores)."""
    if not _ATOI_RE.fullmatch(text):
        return None
    value = int(text)
    if not -(1 << 63) <= value < (1 << 63):
        return None
    return value


def multierror(messages: list[str]) -> str:
    """The text of a hashicorp/go-multierror error, on one line (istioctl prints it on several)."""
    if len(messages) == 1:
        return messages[0]
    return "; ".join(messages)


def get_path(obj: dict[str, Any], path: tuple[str, ...]) -> Any:
    """Follow mapping keys; None when any step is missing or not a mapping."""
    current: Any = obj
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current
