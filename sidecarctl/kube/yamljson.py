"""sigs.k8s.io/yaml's YAML-to-JSON step: how a decoded YAML scalar reads as JSON text, and as a
string where the Go field is one (Go's spelling from sidecarctl.golang).

istioctl turns each YAML document into JSON text (sigs.k8s.io/yaml) before Go decodes it, so number
errors, quantities and string coercions all see Go's spelling of a number, not Python's.
"""

from __future__ import annotations

from sidecarctl.golang.json import UnsupportedValue, encode_string, format_json_float
from sidecarctl.golang.strconv import INT64_MIN, UINT64_MAX, format_float


def float_json(f: float) -> str:
    """json.Marshal(float64): %f between 1e-6 and 1e21, else %e with e-07 trimmed to e-7.

    Raises ValueError with Go's text for NaN and infinities.
    """
    try:
        return format_json_float(f)
    except UnsupportedValue as err:
        raise ValueError(str(err)) from None


def float32_g(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml turns a YAML float into a string."""
    return format_float(f, "g", -1, 32)


def int_json(i: int) -> str:
    """A YAML integer as JSON text; go-yaml v2 reads integers beyond 64 bits as float64."""
    if INT64_MIN <= i <= UINT64_MAX:
        return str(i)
    return float_json(float(i))


def number_json(v: float) -> str:
    """JSON text of a YAML number after sigs.k8s.io/yaml's YAML-to-JSON step."""
    if isinstance(v, float):
        return float_json(v)
    return int_json(v)


def scalar_string(v: object) -> str | None:
    """sigs.k8s.io/yaml's coercion of a number or bool whose Go target is a string; None if it keeps."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if INT64_MIN <= v <= UINT64_MAX:
            return str(v)
        return float32_g(float(v))
    if isinstance(v, float):
        return float32_g(v)
    return None


def string_json(s: str) -> str:
    """json.Marshal(string): HTML-safe escaping, control characters as \\u00XX."""
    return encode_string(s)


def json_text(v: object) -> str:
    """Compact JSON text of a decoded YAML value as Go writes it (map keys sorted)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return number_json(v)
    if isinstance(v, str):
        return string_json(v)
    if isinstance(v, dict):
        items = sorted((str(k), val) for k, val in v.items())
        return "{" + ",".join(string_json(k) + ":" + json_text(val) for k, val in items) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(json_text(x) for x in v) + "]"
    return string_json(str(v))
