"""Go's encoding/json over the template value model: Marshal/MarshalIndent/Encoder output of
template values (nil slices and maps, sized numbers, Go objects' own JSON). Strings, floats and
Unmarshal into interface{} are sidecarctl.golang.json's."""

from __future__ import annotations

import base64
from typing import Any

from sidecarctl.golang import json as _shared
from sidecarctl.golang.json import unmarshal as unmarshal
from sidecarctl.gotemplate.budget import charge_output, charge_value
from sidecarctl.gotemplate.gotypes import Float32, GoError, GoObject, GoSizedInt

from ._util import NilList, NilMap, NilStrings, to_bytes

__all__ = ["encode_string", "format_json_float", "marshal", "unmarshal"]


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
