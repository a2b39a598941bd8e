"""Go's time.Duration: ParseDuration, String and Round, and the time package's quote() of its
error messages. Apart from time.py because the mesh config's durations are parsed on every run,
and the rest of the time package costs startup."""

from __future__ import annotations

from sidecarctl.golang.errors import GoError

NANOS = 1_000_000_000


def time_quote(s: str) -> str:
    """The time package's quote(): non-ASCII and control bytes as \\x escapes."""
    out = ['"']
    for b in s.encode("utf-8", "surrogateescape"):
        ch = chr(b)
        if b >= 0x80 or b < 0x20:
            out.append(f"\\x{b:02x}")
        else:
            if ch in '"\\':
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


# --- Duration ------------------------------------------------------------------------------

_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": NANOS, "m": 60 * NANOS, "h": 3600 * NANOS}
INT64_MAX = (1 << 63) - 1


def parse_duration(s: str) -> int:
    """time.ParseDuration; raises GoError with Go's message."""
    orig = s
    bad = GoError(f"time: invalid duration {time_quote(orig)}")
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise bad
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise bad
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        whole = s[:i]
        pre = i > 0
        s = s[i:]
        frac, scale, post = 0, 1, False
        if s[:1] == ".":
            s = s[1:]
            j = 0
            while j < len(s) and "0" <= s[j] <= "9":
                j += 1
            digits = s[:j]
            post = j > 0
            for ch in digits:
                if scale < 10**18:  # Go stops accumulating once more digits would overflow
                    frac = frac * 10 + int(ch)
                    scale *= 10
            s = s[j:]
        if not pre and not post:
            raise bad
        j = 0
        while j < len(s) and s[j] != "." and not ("0" <= s[j] <= "9"):
            j += 1
        if j == 0:
            raise GoError(f"time: missing unit in duration {time_quote(orig)}")
        unit_name, s = s[:j], s[j:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise GoError(f"time: unknown unit {time_quote(unit_name)} in duration {time_quote(orig)}")
        v = int(whole) if whole else 0
        if v > (1 << 63) // unit:
            raise bad
        v *= unit
        if frac:
            v += int(float(frac) * (float(unit) / float(scale)))
            if v > 1 << 63:
                raise bad
        total += v
        if total > 1 << 63:
            raise bad
    if total > INT64_MAX and not neg:
        raise bad
    return -total if neg else total


def duration_string(d: int) -> str:
    """time.Duration.String: 1h2m3.5s, 1.5ms, 0s."""
    if d == 0:
        return "0s"
    neg = d < 0
    u = -d if neg else d
    if u < NANOS:
        if u < 1000:
            text = f"{u}ns"
        elif u < 1_000_000:
            text = _frac(u, 3) + "µs"
        else:
            text = _frac(u, 6) + "ms"
    else:
        secs = _frac(u % (60 * NANOS), 9) + "s"
        u //= 60 * NANOS
        text = secs
        if u:
            text = f"{u % 60}m" + text
            u //= 60
            if u:
                text = f"{u}h" + text
    return ("-" if neg else "") + text


def _frac(v: int, prec: int) -> str:
    whole, frac = divmod(v, 10**prec)
    digits = f"{frac:0{prec}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def round_duration(d: int, m: int) -> int:
    """Duration.Round(m): halves away from zero; saturates on overflow."""
    if m <= 0:
        return d
    r = d % m if d >= 0 else -((-d) % m)
    if d < 0:
        r = -r
        if r + r < m:
            return d + r
        d1 = d - m + r
        return d1 if d1 >= -(1 << 63) else -(1 << 63)
    if r + r < m:
        return d - r
    d1 = d + m - r
    return d1 if d1 > d and d1 <= INT64_MAX else INT64_MAX
