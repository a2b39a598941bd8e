"""Go's strconv: float formatting, quoting and number parsing, byte for byte.

Written by hand because Python's repr/format and json differ from Go in the details that reach
istioctl's output and error messages (the `%g` exponent threshold, `1e+06`, `\\x00` escapes, `_` in
number literals). Invalid UTF-8 bytes travel through sidecarctl as surrogate escapes (U+DC80..U+DCFF).
"""

from __future__ import annotations

import math
import struct

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
_FLOAT32_MAX = 3.4028234663852886e38
# Half an ulp above the largest float32: from here float32(f) is infinity; below it, it rounds.
_FLOAT32_OVERFLOW = 3.4028235677973366e38


class NumError(ValueError):
    """strconv.NumError: `strconv.ParseInt: parsing "x": invalid syntax` (or value out of range)."""

    def __init__(self, func: str, num: str, err: str) -> None:
        super().__init__(f"strconv.{func}: parsing {quote(num)}: {err}")
        self.func, self.num, self.err = func, num, err


# --- FormatFloat -------------------------------------------------------------------------------


def to_float32(f: float) -> float:
    """Go's float32(f): round to nearest even; infinity only from half an ulp above the largest
    float32 (struct's 'f' refuses anything above the largest float32 instead of rounding it)."""
    if math.isnan(f) or math.isinf(f):
        return f
    a = abs(f)
    if a > _FLOAT32_MAX:
        return math.copysign(math.inf if a >= _FLOAT32_OVERFLOW else _FLOAT32_MAX, f)
    return float(struct.unpack("<f", struct.pack("<f", f))[0])


def _digits_of(text: str) -> tuple[str, int]:
    """Significant digits and decimal point position (|f| = 0.DIGITS x 10**dp) of a positive decimal
    literal such as `123.45` or `1.5e-07` (Python's repr)."""
    mant, _, exp = text.partition("e")
    whole, _, frac = mant.partition(".")
    ds = whole + frac
    dp = len(whole) + (int(exp) if exp else 0)
    stripped = ds.lstrip("0")
    dp -= len(ds) - len(stripped)
    stripped = stripped.rstrip("0")
    return (stripped, dp) if stripped else ("", 0)


def shortest_digits(f: float, bits: int = 64) -> tuple[str, int]:
    """The shortest digits that read back as |f| (as a float32 when bits is 32), with the decimal
    point position: |f| = 0.DIGITS x 10**dp. Zero gives ("", 0), as Go's decimal does."""
    f = abs(f)
    if f == 0:
        return "", 0
    if bits == 32:
        target = to_float32(f)
        for precision in range(1, 10):
            text = f"{target:.{precision - 1}e}"
            if to_float32(float(text)) == target:
                return _digits_of(text)
        f = target
    return _digits_of(repr(f))


def _fmt_e(neg: bool, ds: str, dp: int, prec: int, letter: str) -> str:
    """strconv's fmtE over decimal digits: d.ddd e±XX, the exponent of at least two digits."""
    out = ["-" if neg else "", ds[0] if ds else "0"]
    if prec > 0:
        tail = ds[1 : prec + 1]
        out += [".", tail, "0" * (prec - len(tail))]
    exp = dp - 1 if ds else 0
    out.append(f"{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}")
    return "".join(out)


def _fmt_f(neg: bool, ds: str, dp: int, prec: int) -> str:
    """strconv's fmtF over decimal digits: integer part (zero padded), then prec digits."""
    whole = (ds[:dp] + "0" * (dp - len(ds))) if dp > 0 else "0"
    text = ("-" if neg else "") + whole
    if prec > 0:
        frac = "".join(ds[dp + i] if 0 <= dp + i < len(ds) else "0" for i in range(prec))
        text += "." + frac
    return text


def _format_shortest(f: float, fmt: str, bits: int, eprec: int) -> str:
    neg = math.copysign(1.0, f) < 0
    ds, dp = shortest_digits(f, bits)
    if fmt in "eE":
        return _fmt_e(neg, ds, dp, len(ds) - 1, fmt)
    if fmt == "f":
        return _fmt_f(neg, ds, dp, max(len(ds) - dp, 0))
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        return _fmt_e(neg, ds, dp, len(ds) - 1, "e" if fmt == "g" else "E")
    return _fmt_f(neg, ds, dp, max(len(ds) - dp, 0))


def format_float(f: float, fmt: str = "g", prec: int = -1, bits: int = 64) -> str:
    """strconv.FormatFloat(f, fmt, prec, bits) for fmt in b e E f F g G x X; prec -1 is the shortest
    precision that reads back as the same float (as fmt's %v and encoding/json use it)."""
    if bits == 32:
        f = to_float32(f)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if fmt == "F":
        fmt = "f"
    if fmt == "b":
        return _binary_float(f, bits)
    if fmt in "xX":
        return _hex_float(f, prec, fmt)
    if prec < 0:
        return _format_shortest(f, fmt, bits, 6)
    if fmt in "gG" and prec == 0:
        prec = 1  # Go's %g treats precision 0 as 1
    # With a precision, Python's correctly rounded e/f/g agree with Go's (g drops trailing zeros).
    return f"{f:.{prec}{fmt}}"


def _hex_float(v: float, prec: int, verb: str) -> str:
    """strconv's 'x' format: -0x1.8p+00, the exponent of at least two digits."""
    sign = "-" if math.copysign(1, v) < 0 else ""
    v = abs(v)
    if v == 0:
        lead, exp, frac = 0, 0, ""
    else:
        m, e = math.frexp(v)  # v = m * 2**e, 0.5 <= m < 1
        mant = int(m * (1 << 53))
        exp = e - 1
        frac_bits = 52
        while mant & 1 == 0 and frac_bits > 0:
            mant >>= 1
            frac_bits -= 1
        lead = mant >> frac_bits
        frac_val = mant & ((1 << frac_bits) - 1)
        nhex = (frac_bits + 3) // 4
        frac = f"{frac_val << (nhex * 4 - frac_bits):0{nhex}x}" if frac_bits else ""
        if prec >= 0:
            frac, lead, exp = _round_hex(lead, frac, prec, exp)
    if prec > len(frac):
        frac += "0" * (prec - len(frac))
    body = str(lead) + ("." + frac if frac else "")
    out = f"{sign}0x{body}p{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return out.upper() if verb == "X" else out


def _round_hex(lead: int, frac: str, prec: int, exp: int) -> tuple[str, int, int]:
    """Round a hex mantissa to prec digits, half to even, carrying into the exponent."""
    if len(frac) <= prec:
        return frac, lead, exp
    full = int(str(lead) + frac, 16)
    drop = (len(frac) - prec) * 4
    q, r = divmod(full, 1 << drop)
    half = 1 << (drop - 1)
    if r > half or (r == half and q & 1):
        q += 1
    if q >> (prec * 4) >= 2:
        q >>= 1
        exp += 1
    lead = q >> (prec * 4)
    f = q & ((1 << (prec * 4)) - 1)
    return (f"{f:0{prec}x}" if prec else ""), lead, exp


def _binary_float(v: float, bits: int) -> str:
    """strconv's 'b' format: the raw mantissa and binary exponent of the IEEE-754 bits."""
    if bits == 32:
        raw = struct.unpack("<I", struct.pack("<f", v))[0]
        mant, exp, neg = raw & ((1 << 23) - 1), (raw >> 23) & 0xFF, raw >> 31
        exp, mant = (1, mant) if exp == 0 else (exp, mant | 1 << 23)
        exp += -127 - 23
    else:
        raw = struct.unpack("<Q", struct.pack("<d", v))[0]
        mant, exp, neg = raw & ((1 << 52) - 1), (raw >> 52) & 0x7FF, raw >> 63
        exp, mant = (1, mant) if exp == 0 else (exp, mant | 1 << 52)
        exp += -1023 - 52
    return ("-" if neg else "") + f"{mant}p{exp:+d}"


# --- Quote -------------------------------------------------------------------------------------

_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def is_print(c: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return c == " " or (c.isprintable() and not c.isspace())


def _quote_rune(out: list[str], c: str, quote_char: str, ascii_only: bool) -> None:
    r = ord(c)
    if 0xDC80 <= r <= 0xDCFF:  # an invalid UTF-8 byte kept by surrogateescape
        out.append(f"\\x{r - 0xDC00:02x}")
    elif c == quote_char or c == "\\":
        out.append("\\" + c)
    elif (r < 0x80 or not ascii_only) and is_print(c):
        out.append(c)
    elif r in _ESCAPES:
        out.append(_ESCAPES[r])
    elif r < 0x20 or r == 0x7F:
        out.append(f"\\x{r:02x}")
    elif 0xD800 <= r <= 0xDFFF:
        out.append("\\ufffd")
    elif r < 0x10000:
        out.append(f"\\u{r:04x}")
    else:
        out.append(f"\\U{r:08x}")


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (fmt's %q of a string), or strconv.QuoteToASCII when ascii_only."""
    out = ['"']
    for c in s:
        _quote_rune(out, c, '"', ascii_only)
    out.append('"')
    return "".join(out)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (fmt's %q of an integer); invalid code points become U+FFFD."""
    if r > 0x10FFFF or r < 0 or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    out = ["'"]
    _quote_rune(out, chr(r), "'", ascii_only)
    out.append("'")
    return "".join(out)


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote: one line, no backquote, no control but tab, no BOM, valid UTF-8."""
    return all(
        c != "`"
        and c != "\ufeff"
        and (c == "\t" or not (ord(c) < 0x20 or ord(c) == 0x7F))
        and not (0xDC80 <= ord(c) <= 0xDCFF)
        for c in s
    )


# --- Unquote -----------------------------------------------------------------------------------

_SIMPLE_UNESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


class SyntaxErr(ValueError):
    """strconv.ErrSyntax: the text is not a valid Go literal."""


def unquote_char(s: str, quote_char: str) -> tuple[int, bool, str]:
    """strconv.UnquoteChar: (value, is_rune, tail); `\\x` and octal escapes give bytes."""
    if not s or (s[0] == quote_char and quote_char in "'\""):
        raise SyntaxErr(s)
    if s[0] != "\\":
        return ord(s[0]), ord(s[0]) >= 0x80, s[1:]
    if len(s) <= 1:
        raise SyntaxErr(s)
    c, s = s[1], s[2:]
    if c in _SIMPLE_UNESCAPES:
        return _SIMPLE_UNESCAPES[c], False, s
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[:n]
        if len(digits) < n or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise SyntaxErr(s)
        v = int(digits, 16)
        if c != "x" and (v > 0x10FFFF or 0xD800 <= v <= 0xDFFF):
            raise SyntaxErr(s)
        return v, c != "x", s[n:]
    if "0" <= c <= "7":
        digits = c + s[:2]
        if len(digits) < 3 or not all("0" <= d <= "7" for d in digits):
            raise SyntaxErr(s)
        v = int(digits, 8)
        if v > 255:
            raise SyntaxErr(s)
        return v, False, s[2:]
    if c in "'\"":
        if c != quote_char:
            raise SyntaxErr(s)
        return ord(c), False, s
    raise SyntaxErr(s)


def unquote(s: str) -> str:
    """strconv.Unquote for "...", `...` and '...'; raises SyntaxErr."""
    if len(s) < 2 or s[0] != s[-1]:
        raise SyntaxErr(s)
    quote_char, body = s[0], s[1:-1]
    if quote_char == "`":
        if "`" in body:
            raise SyntaxErr(s)
        return body.replace("\r", "")
    if quote_char not in "\"'":
        raise SyntaxErr(s)
    buf = bytearray()
    rest = body
    while rest:
        if rest[0] == "\n":
            raise SyntaxErr(s)
        value, is_rune, rest = unquote_char(rest, quote_char)
        buf += chr(value).encode("utf-8", "surrogatepass") if is_rune or value < 0x80 else bytes([value])
        if quote_char == "'" and rest:
            raise SyntaxErr(s)
    if quote_char == "'" and not buf:
        raise SyntaxErr(s)
    return buf.decode("utf-8", "surrogateescape")


# --- ParseInt, ParseUint, ParseFloat, ParseBool, Atoi ------------------------------------------


def underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: `_` only between digits or right after a base prefix (base 0 only)."""
    saw, i = "^", 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for ch in s[i:]:
        if "0" <= ch <= "9" or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def _digits_value(s: str, base: int, limit: int) -> int | None:
    """The digits' value, None at a bad digit; `limit` as soon as the value reaches it (Go's loop
    stops at the first overflow with its range error, and so never builds a huge number)."""
    n = 0
    for ch in s:
        d = int(ch, 36) if ch.isascii() and ch.isalnum() else 99
        if d >= base:
            return None
        n = n * base + d
        if n >= limit:
            return limit
    return n


def parse_uint(s: str, base: int = 0, bits: int = 64, func: str = "ParseUint") -> int:
    """strconv.ParseUint(s, base, bits); base 0 reads 0b/0o/0x/0 prefixes and `_` separators."""
    if s.isdigit() and s.isascii() and (base == 10 or (base == 0 and (s[0] != "0" or len(s) == 1))):
        if len(s.lstrip("0")) > 20:  # past any 64-bit value (and Python's int() digit limit)
            raise NumError(func, s, "value out of range")
        n = int(s)  # the common case: plain decimal digits
        if n >= 1 << bits:
            raise NumError(func, s, "value out of range")
        return n
    body, b = s, base
    if not s:
        raise NumError(func, s, "invalid syntax")
    if base == 0:
        b = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1].lower() in "box":
                b, body = {"b": 2, "o": 8, "x": 16}[s[1].lower()], s[2:]
            else:
                b, body = 8, s[1:]
        if "_" in s:
            if not underscore_ok(s):
                raise NumError(func, s, "invalid syntax")
            body = body.replace("_", "")
    elif not 2 <= base <= 36:
        raise NumError(func, s, f"invalid base {base}")
    # base 0 reads "0" as an octal prefix with no digits after it; "0x" alone has none
    value = _digits_value(body, b, 1 << bits) if body or (base == 0 and b == 8) else None
    if value is None:
        raise NumError(func, s, "invalid syntax")
    if value >= 1 << bits:
        raise NumError(func, s, "value out of range")
    return value


def parse_int(s: str, base: int = 0, bits: int = 64) -> int:
    """strconv.ParseInt(s, base, bits); raises NumError."""
    if not s:
        raise NumError("ParseInt", s, "invalid syntax")
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    try:
        u = parse_uint(body, base, bits + 1, "ParseInt")
    except NumError as err:
        raise NumError("ParseInt", s, err.err) from None
    limit = 1 << (bits - 1)
    if (neg and u > limit) or (not neg and u >= limit):
        raise NumError("ParseInt", s, "value out of range")
    return -u if neg else u


def atoi(s: str) -> int:
    """strconv.Atoi: base 10 only (no prefixes, no `_`); raises NumError."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit():
        raise NumError("Atoi", s, "invalid syntax")
    if len(body.lstrip("0")) > 19:  # past int64 (and Python's int() digit limit)
        raise NumError("Atoi", s, "value out of range")
    n = int(s)
    if not INT64_MIN <= n <= INT64_MAX:
        raise NumError("Atoi", s, "value out of range")
    return n


_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(s: str) -> bool:
    """strconv.ParseBool; raises NumError."""
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise NumError("ParseBool", s, "invalid syntax")


def _is_decimal_float(low: str) -> bool:
    mant, _, exp = low.partition("e")
    whole, _, frac = mant.partition(".")
    if not (whole + frac) or not (whole + frac).isdigit() or (whole and not whole.isdigit()):
        return False
    if "e" in low:
        digits = exp[1:] if exp[:1] in ("+", "-") else exp
        return bool(digits) and digits.isdigit()
    return True


def _is_hex_float(low: str) -> bool:
    mant, sep, exp = low[2:].partition("p")
    whole, _, frac = mant.partition(".")
    hexdigits = "0123456789abcdef"
    if not sep or not (whole + frac) or not all(c in hexdigits for c in whole + frac):
        return False
    digits = exp[1:] if exp[:1] in ("+", "-") else exp
    return bool(digits) and digits.isdigit()


def parse_float(s: str, bits: int = 64) -> float:
    """strconv.ParseFloat(s, bits): decimal and hex (0x1p-2) forms, `_` separators, inf/nan;
    raises NumError on syntax errors and on overflow."""
    if not s or not s.isascii():
        raise NumError("ParseFloat", s, "invalid syntax")
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    low = body.lower()
    if low in ("inf", "infinity"):
        return -math.inf if neg else math.inf
    if low == "nan" and body == s:
        return math.nan
    if "_" in low:
        if not underscore_ok(low):
            raise NumError("ParseFloat", s, "invalid syntax")
        low = low.replace("_", "")
    if low.startswith("0x"):
        if not _is_hex_float(low):
            raise NumError("ParseFloat", s, "invalid syntax")
        try:
            value = float.fromhex(low)
        except OverflowError:
            value = math.inf
    elif _is_decimal_float(low):
        value = float(low)
    else:
        raise NumError("ParseFloat", s, "invalid syntax")
    if bits == 32:
        value = to_float32(value)
    if math.isinf(value):
        raise NumError("ParseFloat", s, "value out of range")
    return -value if neg else value
