"""Go's `strconv.FormatFloat(f, 'g', -1, bits)`, which yaml.v2 and sigs.k8s.io/yaml use for floats."""

from __future__ import annotations

import math
import struct

# decimal is imported where used: it costs ~1 ms of startup, and manifests seldom hold floats.


def _shortest_digits64(f: float) -> tuple[bool, str, int]:
    """(negative, significant digits, dp) with |f| = 0.digits * 10**dp, shortest round-trip digits."""
    from decimal import Decimal

    sign, digits, exponent = Decimal(repr(f)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    exp = int(exponent) + (len(digits) - len(ds))
    return bool(sign), ds, len(ds) + exp


_FLOAT32_MAX = 3.4028234663852886e38
_FLOAT32_INF_FROM = 3.4028235677973366e38  # half an ulp above the largest float32: rounds to infinity


def _float32(f: float) -> float:
    """Go's float32(f): round to nearest even, infinity only from half an ulp above the largest float32
    (struct's 'f' refuses anything above the largest float32 instead of rounding it)."""
    a = abs(f)
    if a > _FLOAT32_MAX:
        return math.copysign(math.inf if a >= _FLOAT32_INF_FROM else _FLOAT32_MAX, f)
    return struct.unpack("<f", struct.pack("<f", f))[0]


def _shortest_digits32(target: float) -> tuple[bool, str, int]:
    """The same for a finite, non-zero float32 value: the fewest digits that read back as it."""
    for precision in range(1, 10):
        text = "%.*e" % (precision - 1, target)
        if _float32(float(text)) == target:
            return _shortest_digits64(float(text))
    return _shortest_digits64(target)


def _format_g(neg: bool, ds: str, dp: int) -> str:
    """%g with shortest precision: exponent form when the exponent is < -4 or >= 6 (Go's eprec rule)."""
    sign = "-" if neg else ""
    x = dp - 1
    if x < -4 or x >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return "%s%se%s%02d" % (sign, mant, "-" if x < 0 else "+", abs(x))
    if dp <= 0:
        return sign + "0." + "0" * (-dp) + ds
    if dp >= len(ds):
        return sign + ds + "0" * (dp - len(ds))
    return sign + ds[:dp] + "." + ds[dp:]


def _special(f: float) -> str | None:
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    return None


def format_float(f: float, bits: int = 64) -> str:
    """strconv.FormatFloat(f, 'g', -1, bits) for bits 64 or 32 ("+Inf", "-Inf", "NaN" for specials)."""
    special = _special(f)
    if special is not None:
        return special
    if bits == 32:
        f = _float32(f)  # FormatFloat converts first: 1e-50 is 0, 3.4028235e38 the largest float32
        if math.isinf(f):
            return "+Inf" if f > 0 else "-Inf"
        if f == 0:
            return "-0" if math.copysign(1.0, f) < 0 else "0"
        return _format_g(*_shortest_digits32(f))
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    return _format_g(*_shortest_digits64(f))


def yaml_float_text(f: float, bits: int = 64) -> str:
    """How yaml.v2 (and sigs.k8s.io/yaml for float keys) spells a float: specials as .inf/-.inf/.nan."""
    text = format_float(f, bits)
    return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)


def json_integral(f: float) -> int:
    """The integer Go's JSON writes for an integral float64 below 1e21: its shortest digits padded with
    zeros (so 2**63 is written 9223372036854776000, not ...808)."""
    if abs(f) < 2.0**53:
        return int(f)
    from decimal import Decimal

    return int(Decimal(repr(f)))
