"""How Go's encoding/json, strconv and go-yaml v2 spell scalar values.

istioctl turns each YAML document into JSON text (sigs.k8s.io/yaml) before Go decodes it, so number
errors, quantities and string coercions all see Go's spelling of a number, not Python's.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

from sidecarctl.gotemplate.gojson import (
    UnsupportedValue,
    encode_string,
    format_json_float,
)

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |f| and the decimal point position (0.DIGITS x 10^dp)."""
    _, digits, exp = Decimal(repr(abs(f))).as_tuple()
    # Decimal gives DIGITS x 10^exp; leading zeros only occur for zero itself.
    stripped = "".join(map(str, digits)).lstrip("0")
    if not stripped:
        return "0", 1
    return stripped.rstrip("0"), len(stripped) + int(exp)


def _fmt_f(digits: str, dp: int) -> str:
    """strconv's %f with the shortest precision."""
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def _fmt_e(digits: str, dp: int) -> str:
    """strconv's %e with the shortest precision (exponent of at least two digits)."""
    exp = dp - 1
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{mant}e{sign}{abs(exp):02d}"


def _special(f: float) -> str | None:
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    return None


def float_json(f: float) -> str:
    """json.Marshal(float64): %f between 1e-6 and 1e21, else %e with e-07 trimmed to e-7.

    Raises ValueError with Go's text for NaN and infinities.
    """
    try:
        return format_json_float(f)
    except UnsupportedValue as err:
        raise ValueError(str(err)) from None


def _float32(f: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", f))[0]
    except OverflowError:
        return math.copysign(math.inf, f)


def _shortest_digits32(f: float) -> tuple[str, int]:
    """Shortest decimal digits that read back as the same float32."""
    bits = struct.pack("<f", f)
    for prec in range(1, 10):
        text = f"{f:.{prec - 1}e}"
        if struct.pack("<f", float(text)) == bits:
            mant, exp = text.split("e")
            digits = mant.replace(".", "").rstrip("0") or "0"
            return digits, int(exp) + 1
    return _shortest_digits(f)


def float32_g(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml turns a YAML float into a string."""
    f32 = _float32(f)
    special = _special(f32)
    if special is not None:
        return special
    neg = "-" if math.copysign(1.0, f32) < 0 else ""
    a = abs(f32)
    if a == 0:
        return neg + "0"
    digits, dp = _shortest_digits32(a)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return neg + _fmt_e(digits, dp)
    return neg + _fmt_f(digits, dp)


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
