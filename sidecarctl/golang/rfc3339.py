"""time.Parse(time.RFC3339, s) as istioctl's Go (1.20+) runs it, and metav1.Time's JSON codec on it:
UTC RFC3339 (whole seconds) out.

The calendar arithmetic and time's quoting are golang/time.py's (Go's time package, loaded when
first needed: it costs startup and few manifests hold timestamps); the RFC 3339 parse is its own
because Go 1.20+ checks what the templates' Go 1.19 layout parser does not (zone offset hours
beyond 24, the offset's exact shape).

Go's general layout parser is more lenient than RFC 3339 (one-digit hours, a comma before the
fraction) and its errors name the layout element that failed; both are reproduced here.
"""

from __future__ import annotations

from sidecarctl.golang.duration import time_quote

RFC3339 = "2006-01-02T15:04:05Z07:00"
_ELEMS: tuple[tuple[str, str], ...] = (
    ("", "2006"),
    ("-", "01"),
    ("-", "02"),
    ("T", "15"),
    (":", "04"),
    (":", "05"),
    ("", "Z07:00"),
)


class TimeParseError(ValueError):
    """time.Parse's error, with Go's message."""


def _cannot(value: str, rest: str, elem: str) -> TimeParseError:
    return TimeParseError(
        f"parsing time {time_quote(value)} as {time_quote(RFC3339)}: cannot parse {time_quote(rest)} as {time_quote(elem)}"
    )


def _range(value: str, what: str) -> TimeParseError:
    return TimeParseError(f"parsing time {time_quote(value)}: {what} out of range")


def _getnum(s: str, fixed: bool) -> tuple[int, str] | None:
    """One or two leading digits (exactly two when fixed)."""
    if not s[:1].isdigit() or not s[:1].isascii():
        return None
    if not (len(s) > 1 and s[1].isdigit() and s[1].isascii()):
        return None if fixed else (int(s[0]), s[1:])
    return int(s[:2]), s[2:]


def _parse_elem(elem: str, rest: str) -> tuple[int, str, str]:
    """Parse one layout element: (number, remaining text, range error name or '')."""
    if elem == "2006":
        if len(rest) < 4 or not rest[:4].isdigit() or not rest[:4].isascii():
            raise KeyError
        return int(rest[:4]), rest[4:], ""
    got = _getnum(rest, elem != "15")
    if got is None:
        raise KeyError
    n, rest = got
    limits = {
        "01": ("month", 1, 12),
        "02": ("", 0, 99),
        "15": ("hour", 0, 23),
        "04": ("minute", 0, 59),
        "05": ("second", 0, 59),
    }
    name, lo, hi = limits[elem]
    bad = name if name and not lo <= n <= hi else ""
    return n, rest, bad


def _skip_fraction(rest: str) -> tuple[int, str]:
    """A fractional second the layout does not mention: `.ddd` or `,ddd`; returns nanoseconds."""
    if len(rest) >= 2 and rest[0] in ".," and rest[1].isdigit() and rest[1].isascii():
        n = 2
        while n < len(rest) and rest[n].isdigit() and rest[n].isascii():
            n += 1
        digits = rest[1:n][:9].ljust(9, "0")
        return int(digits), rest[n:]
    return 0, rest


def _parse_zone(value: str, rest: str) -> tuple[int, str]:
    """`Z` or `±hh:mm`: offset in seconds east of UTC."""
    if rest[:1] == "Z":
        return 0, rest[1:]
    if len(rest) < 6 or rest[3] != ":":
        raise _cannot(value, rest, "Z07:00")
    hh = _getnum(rest[1:3], True)
    mm = _getnum(rest[4:6], True) if hh is not None else None
    hour, minute = (hh[0] if hh else 0), (mm[0] if mm else 0)
    # Go checks the ranges before it looks at the sign or reports a bad number.
    if minute > 60:
        raise _range(value, "time zone offset minute")
    if hour > 24:
        raise _range(value, "time zone offset hour")
    if hh is None or mm is None or rest[0] not in "+-":
        raise _cannot(value, rest, "Z07:00")
    offset = (hour * 60 + minute) * 60
    return (offset if rest[0] == "+" else -offset), rest[6:]


def parse_rfc3339(value: str) -> tuple[tuple[int, int, int, int, int, int], int, int]:
    """(year, month, day, hour, minute, second), nanoseconds and zone offset; raises TimeParseError."""
    rest, nums, nanos, offset = value, [], 0, 0
    for prefix, elem in _ELEMS:
        if prefix:
            if rest[:1] != prefix:
                raise _cannot(value, rest, prefix)
            rest = rest[1:]
        if elem == "Z07:00":
            offset, rest = _parse_zone(value, rest)
            continue
        try:
            n, rest, bad = _parse_elem(elem, rest)
        except KeyError:
            raise _cannot(value, rest, elem) from None
        if bad:
            raise _range(value, bad)
        nums.append(n)
        if elem == "05":
            nanos, rest = _skip_fraction(rest)
    if rest:
        raise TimeParseError(f"parsing time {time_quote(value)}: extra text: {time_quote(rest)}")
    from sidecarctl.golang.time import days_in  # here: the time module costs startup (see above)

    year, month, day = nums[0], nums[1], nums[2]
    if day < 1 or day > days_in(month, year):
        raise _range(value, "day")
    return (year, month, day, nums[3], nums[4], nums[5]), nanos, offset


_ZERO_SECONDS = -62135596800  # 0001-01-01T00:00:00Z, Go's zero time


def time_json(value: str) -> str | None:
    """What metav1.Time makes of a JSON string: RFC3339 in UTC, or None for Go's zero time."""
    from sidecarctl.golang.time import civil_from_unix, days_from_civil

    (y, mo, d, h, mi, s), nanos, offset = parse_rfc3339(value)
    total = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    if total == _ZERO_SECONDS and nanos == 0:
        return None
    c = civil_from_unix(total)
    year = f"{c.year:04d}" if c.year >= 0 else f"-{-c.year:04d}"
    return f"{year}-{c.month:02d}-{c.day:02d}T{c.hour:02d}:{c.minute:02d}:{c.second:02d}Z"
