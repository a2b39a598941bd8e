"""Go's time package, as far as templates reach it: time.Time with nanoseconds and a Location,
Go layouts for Format and Parse (with time.ParseError's messages), time.Duration's parser and
printer, and the Local zone taken from $TZ the way Go reads it.

Shared by Sprig's date functions, Istio's template functions (Duration.String), the mesh config's
durations and the Kubernetes object model (golang/rfc3339.py: metav1.Time's codec, whose RFC 3339
parser is newer Go's, which checks zone offsets that the Go 1.19 parser here does not)."""

from __future__ import annotations

import datetime as _dt
import os
import time as _time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sidecarctl.golang.duration import NANOS as NANOS
from sidecarctl.golang.duration import duration_string as duration_string
from sidecarctl.golang.duration import parse_duration as parse_duration
from sidecarctl.golang.duration import round_duration as round_duration
from sidecarctl.golang.duration import time_quote as time_quote
from sidecarctl.golang.errors import GoError

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
LONG_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


# --- locations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    name: str
    zone: Any = None  # a zoneinfo.ZoneInfo (imported when first needed); None: a fixed offset
    offset: int = 0
    abbrev: str = "UTC"

    def lookup(self, unix: int) -> tuple[str, int]:
        """(abbreviation, offset in seconds) in effect at a Unix time."""
        if self.zone is None:
            return self.abbrev, self.offset
        unix = max(-62135596800 + 86400, min(unix, 253402300799 - 86400))
        local = (_EPOCH + _dt.timedelta(seconds=unix)).astimezone(self.zone)
        off = local.utcoffset()
        return local.tzname() or "", int(off.total_seconds()) if off is not None else 0


UTC = Location("UTC")


@lru_cache(maxsize=8)
def _local_for(tz: str | None) -> Location:
    """Go's initLocal: the zone and the name time.Local reports (`Local` only without $TZ)."""
    fallback = Location("UTC", None, 0, "UTC")
    if tz is None:
        zone = _zone_file("/etc/localtime")
        return Location("Local", zone) if zone else fallback
    tz = tz[1:] if tz.startswith(":") else tz
    if tz.startswith("/"):
        zone = _zone_file(tz)
        return Location("Local" if tz == "/etc/localtime" else tz, zone) if zone else fallback
    if tz in ("", "UTC"):
        return fallback
    import zoneinfo

    try:
        return Location(tz, zoneinfo.ZoneInfo(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return fallback


def _zone_file(path: str) -> Any:
    import zoneinfo

    try:
        with open(path, "rb") as f:
            return zoneinfo.ZoneInfo.from_file(f)
    except (OSError, ValueError):
        return None


def local() -> Location:
    return _local_for(os.environ.get("TZ"))


def load_location(name: str) -> Location | None:
    """time.LoadLocation; None when the zone is unknown."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return local()
    if name.startswith("/") or ".." in name or "\\" in name:
        return None
    import zoneinfo

    try:
        return Location(name, zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


# --- time.Time ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Time:
    sec: int  # Unix seconds
    nsec: int = 0
    loc: Location = UTC
    mono: int | None = None  # monotonic reading in ns (time.Now only)

    @staticmethod
    def now() -> Time:
        ns = _time.time_ns()
        return Time(ns // NANOS, ns % NANOS, local(), _time.monotonic_ns())

    @staticmethod
    def zero() -> Time:
        return Time(-62135596800, 0, UTC)

    def is_zero(self) -> bool:
        return self.sec == -62135596800 and self.nsec == 0

    def unix_nano(self) -> int:
        return self.sec * NANOS + self.nsec

    def zone(self) -> tuple[str, int]:
        return self.loc.lookup(self.sec)

    def civil(self) -> Civil:
        """Wall-clock fields in the time's zone."""
        _, off = self.zone()
        return civil_from_unix(self.sec + off)

    def in_loc(self, loc: Location) -> Time:
        return Time(self.sec, self.nsec, loc, self.mono)

    def add(self, d: int) -> Time:
        total = self.unix_nano() + d
        mono = self.mono + d if self.mono is not None else None
        return Time(total // NANOS, total % NANOS, self.loc, mono)

    def format(self, layout: str) -> str:
        return format_time(self, layout)

    def string(self) -> str:
        text = self.format("2006-01-02 15:04:05.999999999 -0700 MST")
        if self.mono is not None:
            m = self.mono - _MONO_BASE
            sign = "-" if m < 0 else "+"
            m = abs(m)
            text += f" m={sign}{m // NANOS}.{m % NANOS:09d}"
        return text


_MONO_BASE = _time.monotonic_ns()


@dataclass(frozen=True)
class Civil:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    yday: int
    wday: int  # Go's Weekday: Sunday is 0


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year, including 0 and below)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_unix(sec: int) -> Civil:
    days, rem = divmod(sec, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    y += m <= 2
    yday = days - days_from_civil(y, 1, 1) + 1
    return Civil(y, m, d, rem // 3600, rem % 3600 // 60, rem % 60, yday, (days + 4) % 7)


# --- formatting -----------------------------------------------------------------------------

(
    STD_LONG_MONTH,
    STD_MONTH,
    STD_NUM_MONTH,
    STD_ZERO_MONTH,
    STD_LONG_WEEKDAY,
    STD_WEEKDAY,
    STD_DAY,
    STD_UNDER_DAY,
    STD_ZERO_DAY,
    STD_UNDER_YEARDAY,
    STD_ZERO_YEARDAY,
    STD_HOUR,
    STD_HOUR12,
    STD_ZERO_HOUR12,
    STD_MINUTE,
    STD_ZERO_MINUTE,
    STD_SECOND,
    STD_ZERO_SECOND,
    STD_LONG_YEAR,
    STD_YEAR,
    STD_PM,
    STD_LOWER_PM,
    STD_TZ,
    STD_ISO_TZ,
    STD_ISO_SECONDS_TZ,
    STD_ISO_SHORT_TZ,
    STD_ISO_COLON_TZ,
    STD_ISO_COLON_SECONDS_TZ,
    STD_NUM_TZ,
    STD_NUM_SECONDS_TZ,
    STD_NUM_SHORT_TZ,
    STD_NUM_COLON_TZ,
    STD_NUM_COLON_SECONDS_TZ,
    STD_FRAC0,
    STD_FRAC9,
) = range(1, 36)

_STD0X = [STD_ZERO_MONTH, STD_ZERO_DAY, STD_ZERO_HOUR12, STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR]
_TZ_CHUNKS = [
    ("-070000", STD_NUM_SECONDS_TZ),
    ("-07:00:00", STD_NUM_COLON_SECONDS_TZ),
    ("-0700", STD_NUM_TZ),
    ("-07:00", STD_NUM_COLON_TZ),
    ("-07", STD_NUM_SHORT_TZ),
]
_ISO_CHUNKS = [
    ("Z070000", STD_ISO_SECONDS_TZ),
    ("Z07:00:00", STD_ISO_COLON_SECONDS_TZ),
    ("Z0700", STD_ISO_TZ),
    ("Z07:00", STD_ISO_COLON_TZ),
    ("Z07", STD_ISO_SHORT_TZ),
]


@dataclass(frozen=True)
class Chunk:
    std: int
    digits: int = 0  # fractional seconds: number of digits
    sep: str = "."  # fractional seconds: separator


def next_std_chunk(layout: str) -> tuple[str, Chunk | None, str]:
    """Go's nextStdChunk: (literal prefix, element, rest of the layout)."""
    n = len(layout)
    for i, c in enumerate(layout):
        if c == "J" and layout.startswith("Jan", i):
            if layout.startswith("January", i):
                return layout[:i], Chunk(STD_LONG_MONTH), layout[i + 7 :]
            if not _starts_lower(layout[i + 3 :]):
                return layout[:i], Chunk(STD_MONTH), layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if layout.startswith("Mon", i):
                if layout.startswith("Monday", i):
                    return layout[:i], Chunk(STD_LONG_WEEKDAY), layout[i + 6 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], Chunk(STD_WEEKDAY), layout[i + 3 :]
            if layout.startswith("MST", i):
                return layout[:i], Chunk(STD_TZ), layout[i + 3 :]
        elif c == "0":
            if n >= i + 2 and "1" <= layout[i + 1] <= "6":
                return layout[:i], Chunk(_STD0X[ord(layout[i + 1]) - ord("1")]), layout[i + 2 :]
            if layout.startswith("002", i):
                return layout[:i], Chunk(STD_ZERO_YEARDAY), layout[i + 3 :]
        elif c == "1":
            if n >= i + 2 and layout[i + 1] == "5":
                return layout[:i], Chunk(STD_HOUR), layout[i + 2 :]
            return layout[:i], Chunk(STD_NUM_MONTH), layout[i + 1 :]
        elif c == "2":
            if layout.startswith("2006", i):
                return layout[:i], Chunk(STD_LONG_YEAR), layout[i + 4 :]
            return layout[:i], Chunk(STD_DAY), layout[i + 1 :]
        elif c == "_":
            if n >= i + 2 and layout[i + 1] == "2":
                if layout.startswith("2006", i + 1):
                    return layout[: i + 1], Chunk(STD_LONG_YEAR), layout[i + 5 :]
                return layout[:i], Chunk(STD_UNDER_DAY), layout[i + 2 :]
            if layout.startswith("__2", i):
                return layout[:i], Chunk(STD_UNDER_YEARDAY), layout[i + 3 :]
        elif c in "345":
            return layout[:i], Chunk((STD_HOUR12, STD_MINUTE, STD_SECOND)["345".index(c)]), layout[i + 1 :]
        elif c == "P" and n >= i + 2 and layout[i + 1] == "M":
            return layout[:i], Chunk(STD_PM), layout[i + 2 :]
        elif c == "p" and n >= i + 2 and layout[i + 1] == "m":
            return layout[:i], Chunk(STD_LOWER_PM), layout[i + 2 :]
        elif c == "-":
            for text, std in _TZ_CHUNKS:
                if layout.startswith(text, i):
                    return layout[:i], Chunk(std), layout[i + len(text) :]
        elif c == "Z":
            for text, std in _ISO_CHUNKS:
                if layout.startswith(text, i):
                    return layout[:i], Chunk(std), layout[i + len(text) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not (j < n and layout[j].isdigit() and layout[j].isascii()):
                std = STD_FRAC0 if ch == "0" else STD_FRAC9
                return layout[:i], Chunk(std, j - (i + 1), c), layout[j:]
    return layout, None, ""


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def _pad(n: int, width: int) -> str:
    """Go's appendInt(b, x, width): zero-padded, the sign in front."""
    if n < 0:
        return "-" + str(-n).rjust(width, "0")
    return str(n).rjust(width, "0")


def format_time(t: Time, layout: str) -> str:
    name, offset = t.zone()
    c = t.civil()
    out: list[str] = []
    while layout:
        prefix, chunk, layout = next_std_chunk(layout)
        out.append(prefix)
        if chunk is None:
            break
        out.append(_format_chunk(chunk, t, c, name, offset))
    return "".join(out)


def _format_chunk(ch: Chunk, t: Time, c: Civil, name: str, offset: int) -> str:
    s = ch.std
    if s == STD_YEAR:
        return _pad(c.year % 100, 2)
    if s == STD_LONG_YEAR:
        return _pad(c.year, 4)
    if s == STD_MONTH:
        return LONG_MONTHS[c.month - 1][:3]
    if s == STD_LONG_MONTH:
        return LONG_MONTHS[c.month - 1]
    if s == STD_NUM_MONTH:
        return str(c.month)
    if s == STD_ZERO_MONTH:
        return _pad(c.month, 2)
    if s in (STD_WEEKDAY, STD_LONG_WEEKDAY):
        day = LONG_DAYS[c.wday]
        return day[:3] if s == STD_WEEKDAY else day
    if s == STD_DAY:
        return str(c.day)
    if s == STD_UNDER_DAY:
        return (" " if c.day < 10 else "") + str(c.day)
    if s == STD_ZERO_DAY:
        return _pad(c.day, 2)
    if s == STD_UNDER_YEARDAY:
        return str(c.yday).rjust(3, " ")
    if s == STD_ZERO_YEARDAY:
        return _pad(c.yday, 3)
    if s == STD_HOUR:
        return _pad(c.hour, 2)
    if s in (STD_HOUR12, STD_ZERO_HOUR12):
        hr = c.hour % 12 or 12
        return str(hr) if s == STD_HOUR12 else _pad(hr, 2)
    if s == STD_MINUTE:
        return str(c.minute)
    if s == STD_ZERO_MINUTE:
        return _pad(c.minute, 2)
    if s == STD_SECOND:
        return str(c.second)
    if s == STD_ZERO_SECOND:
        return _pad(c.second, 2)
    if s == STD_PM:
        return "PM" if c.hour >= 12 else "AM"
    if s == STD_LOWER_PM:
        return "pm" if c.hour >= 12 else "am"
    if s == STD_TZ:
        if name:
            return name
        zone = offset // 60 if offset >= 0 else -((-offset) // 60)
        sign = "-" if zone < 0 else "+"
        zone = abs(zone)
        return f"{sign}{_pad(zone // 60, 2)}{_pad(zone % 60, 2)}"
    if s in (STD_FRAC0, STD_FRAC9):
        return _format_frac(t.nsec, ch)
    return _format_offset(s, offset)


def _format_frac(nsec: int, ch: Chunk) -> str:
    digits = f"{nsec:09d}"[: ch.digits]
    if ch.std == STD_FRAC9:
        digits = digits.rstrip("0")
        if not digits:
            return ""
    return ch.sep + digits


def _format_offset(s: int, offset: int) -> str:
    iso = s in (STD_ISO_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ, STD_ISO_COLON_SECONDS_TZ)
    if iso and offset == 0:
        return "Z"
    zone = offset // 60 if offset >= 0 else -((-offset) // 60)
    absoff = abs(offset)
    sign = "-" if zone < 0 else "+"
    zone = abs(zone)
    out = sign + _pad(zone // 60, 2)
    if s in (STD_ISO_COLON_TZ, STD_NUM_COLON_TZ, STD_ISO_COLON_SECONDS_TZ, STD_NUM_COLON_SECONDS_TZ):
        out += ":"
    if s not in (STD_NUM_SHORT_TZ, STD_ISO_SHORT_TZ):
        out += _pad(zone % 60, 2)
    if s in (STD_ISO_SECONDS_TZ, STD_NUM_SECONDS_TZ, STD_NUM_COLON_SECONDS_TZ, STD_ISO_COLON_SECONDS_TZ):
        if s in (STD_NUM_COLON_SECONDS_TZ, STD_ISO_COLON_SECONDS_TZ):
            out += ":"
        out += _pad(absoff % 60, 2)
    return out


# --- parsing --------------------------------------------------------------------------------


class _Bad(Exception):
    """A field failed to parse; `value` is the input left at that point when Go had already
    consumed part of it (its ParseError quotes that rest), else None."""

    def __init__(self, value: str | None = None) -> None:
        super().__init__()
        self.value = value


def _consumed(rest: str, parse: object, *args: object) -> object:
    """Run a field parser on text already cut from the input: a failure reports `rest`."""
    try:
        return parse(*args)  # type: ignore[operator]
    except _Bad:
        raise _Bad(rest) from None


def parse_error(layout: str, value: str, layout_elem: str, value_elem: str, message: str = "") -> GoError:
    if message:
        return GoError(f"parsing time {time_quote(value)}{message}")
    return GoError(
        f"parsing time {time_quote(value)} as {time_quote(layout)}: cannot parse "
        f"{time_quote(value_elem)} as {time_quote(layout_elem)}"
    )


def _isdigit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool) -> tuple[int, str]:
    if not _isdigit(s, 0):
        raise _Bad
    if not _isdigit(s, 1):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool) -> tuple[int, str]:
    n = 0
    i = 0
    while i < 3 and _isdigit(s, i):
        n = n * 10 + int(s[i])
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return n, s[i:]


def _cutspace(s: str) -> str:
    return s.lstrip(" ")


def _skip(value: str, prefix: str) -> str:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise _Bad
            prefix = _cutspace(prefix)
            value = _cutspace(value)
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix = prefix[1:]
        value = value[1:]
    return value


def _lookup(table: list[str], value: str) -> tuple[int, str]:
    for i, name in enumerate(table):
        if len(value) >= len(name) and value[: len(name)].lower() == name.lower() and value[: len(name)].isascii():
            return i, value[len(name) :]
    raise _Bad


def _leading_int(s: str) -> tuple[int, str]:
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    if i == 0:
        raise _Bad
    return int(s[:i]), s[i:]


def _atoi(s: str) -> int:
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    n, rest = _leading_int(s)
    if rest:
        raise _Bad
    return -n if neg else n


def _parse_nanos(value: str, nbytes: int) -> int:
    if value[0] not in ".,":
        raise _Bad
    if nbytes > 10:
        value, nbytes = value[:10], 10
    ns = _atoi(value[1:nbytes])
    return int(ns * 10 ** (10 - nbytes))  # nbytes <= 10: a whole number


def _signed_offset_len(value: str) -> int:
    if not value or value[0] not in "+-":
        return 0
    try:
        x, rem = _leading_int(value[1:])
    except _Bad:
        return 0
    if x > 23:
        return 0
    return len(value) - len(rem)


def _parse_tz_name(value: str) -> int:
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        return 3 + (_signed_offset_len(value[3:]) if len(value) > 3 else 0)
    if value[0] in "+-":
        return _signed_offset_len(value)
    n = 0
    while n < 6 and n < len(value) and "A" <= value[n] <= "Z":
        n += 1
    if n == 5 and value[4] == "T":
        return 5
    if n == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    return 3 if n == 3 else 0


_DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in(month: int, year: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _DAYS_BEFORE[month] - _DAYS_BEFORE[month - 1]


@dataclass
class _Fields:
    year: int = 0
    month: int = -1
    day: int = -1
    yday: int = -1
    hour: int = 0
    minute: int = 0
    sec: int = 0
    nsec: int = 0
    am: bool = False
    pm: bool = False
    utc: bool = False
    zone_offset: int = -1
    zone_name: str = ""


def parse_in_location(layout: str, value: str, default_loc: Location) -> Time:
    """time.ParseInLocation; raises GoError with time.ParseError's text."""
    alayout, avalue = layout, value
    f = _Fields()
    while True:
        prefix, chunk, suffix = next_std_chunk(layout)
        stdstr = layout[len(prefix) : len(layout) - len(suffix)]
        try:
            value = _skip(value, prefix)
        except _Bad:
            raise parse_error(alayout, avalue, prefix, value) from None
        if chunk is None:
            if value:
                raise parse_error(alayout, avalue, "", value, ": extra text: " + time_quote(value))
            break
        layout = suffix
        hold = value
        try:
            value, range_err = _parse_chunk(chunk, value, layout, f)
        except _Bad as bad:
            raise parse_error(alayout, avalue, stdstr, hold if bad.value is None else bad.value) from None
        if range_err:
            raise parse_error(alayout, avalue, stdstr, value, f": {range_err} out of range")
    return _assemble(f, alayout, avalue, value, default_loc)


def _parse_chunk(ch: Chunk, value: str, layout: str, f: _Fields) -> tuple[str, str]:
    s = ch.std
    rng = ""
    if s == STD_YEAR:
        if len(value) < 2:
            raise _Bad
        f.year = _atoi(value[:2])
        f.year += 1900 if f.year >= 69 else 2000
        value = value[2:]
    elif s == STD_LONG_YEAR:
        if len(value) < 4 or not _isdigit(value, 0):
            raise _Bad
        f.year = _consumed(value[4:], _atoi, value[:4])  # type: ignore[assignment]
        value = value[4:]
    elif s in (STD_MONTH, STD_LONG_MONTH):
        table = [m[:3] for m in LONG_MONTHS] if s == STD_MONTH else LONG_MONTHS
        idx, value = _lookup(table, value)
        f.month = idx + 1
    elif s in (STD_NUM_MONTH, STD_ZERO_MONTH):
        f.month, value = _getnum(value, s == STD_ZERO_MONTH)
        if not 1 <= f.month <= 12:
            rng = "month"
    elif s in (STD_WEEKDAY, STD_LONG_WEEKDAY):
        table = [d[:3] for d in LONG_DAYS] if s == STD_WEEKDAY else LONG_DAYS
        _, value = _lookup(table, value)
    elif s in (STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY):
        if s == STD_UNDER_DAY and value[:1] == " ":
            value = value[1:]
        f.day, value = _getnum(value, s == STD_ZERO_DAY)
    elif s in (STD_UNDER_YEARDAY, STD_ZERO_YEARDAY):
        for _ in range(2):
            if s == STD_UNDER_YEARDAY and value[:1] == " ":
                value = value[1:]
        f.yday, value = _getnum3(value, s == STD_ZERO_YEARDAY)
    elif s == STD_HOUR:
        f.hour, value = _getnum(value, False)
        if not 0 <= f.hour < 24:
            rng = "hour"
    elif s in (STD_HOUR12, STD_ZERO_HOUR12):
        f.hour, value = _getnum(value, s == STD_ZERO_HOUR12)
        if not 0 <= f.hour <= 12:
            rng = "hour"
    elif s in (STD_MINUTE, STD_ZERO_MINUTE):
        f.minute, value = _getnum(value, s == STD_ZERO_MINUTE)
        if not 0 <= f.minute < 60:
            rng = "minute"
    elif s in (STD_SECOND, STD_ZERO_SECOND):
        f.sec, value = _getnum(value, s == STD_ZERO_SECOND)
        if not 0 <= f.sec < 60:
            return value, "second"
        if len(value) >= 2 and value[0] in ".," and _isdigit(value, 1):
            _, nxt, _ = next_std_chunk(layout)
            if nxt is None or nxt.std not in (STD_FRAC0, STD_FRAC9):
                n = 2
                while _isdigit(value, n):
                    n += 1
                f.nsec = _consumed(value[n:], _parse_nanos, value, n)  # type: ignore[assignment]
                value = value[n:]
    elif s in (STD_PM, STD_LOWER_PM):
        if len(value) < 2:
            raise _Bad
        p, value = value[:2], value[2:]
        pm, am = ("PM", "AM") if s == STD_PM else ("pm", "am")
        if p == pm:
            f.pm = True
        elif p == am:
            f.am = True
        else:
            raise _Bad(value)
    elif s == STD_TZ:
        if value[:3] == "UTC":
            f.utc = True
            value = value[3:]
        else:
            n = _parse_tz_name(value)
            if n == 0:
                raise _Bad
            f.zone_name, value = value[:n], value[n:]
    elif s == STD_FRAC0:
        ndigit = 1 + ch.digits
        if len(value) < ndigit:
            raise _Bad
        f.nsec = _consumed(value[ndigit:], _parse_nanos, value, ndigit)  # type: ignore[assignment]
        value = value[ndigit:]
    elif s == STD_FRAC9:
        if len(value) < 2 or value[0] not in ".," or not _isdigit(value, 1):
            return value, rng
        i = 0
        while _isdigit(value, i + 1):
            i += 1
        f.nsec = _consumed(value[1 + i :], _parse_nanos, value, 1 + i)  # type: ignore[assignment]
        value = value[1 + i :]
    else:
        value = _parse_offset(s, value, f)
    return value, rng


def _parse_offset(s: int, value: str, f: _Fields) -> str:
    if s in (STD_ISO_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ) and value[:1] == "Z":
        f.utc = True
        return value[1:]
    if s in (STD_ISO_COLON_TZ, STD_NUM_COLON_TZ):
        if len(value) < 6 or value[3] != ":":
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], "00", value[6:]
    elif s in (STD_NUM_SHORT_TZ, STD_ISO_SHORT_TZ):
        if len(value) < 3:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], "00", "00", value[3:]
    elif s in (STD_ISO_COLON_SECONDS_TZ, STD_NUM_COLON_SECONDS_TZ):
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], value[7:9], value[9:]
    elif s in (STD_ISO_SECONDS_TZ, STD_NUM_SECONDS_TZ):
        if len(value) < 7:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], value[5:7], value[7:]
    else:
        if len(value) < 5:
            raise _Bad
        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], "00", value[5:]
    try:
        hr, _ = _getnum(hh, True)
        mi, _ = _getnum(mm, True)
        se, _ = _getnum(ss, True)
    except _Bad:
        raise _Bad(value) from None
    off = (hr * 60 + mi) * 60 + se
    if sign == "-":
        off = -off
    elif sign != "+":
        raise _Bad(value)
    f.zone_offset = off
    return value


def _assemble(f: _Fields, layout: str, value: str, rest: str, default_loc: Location) -> Time:
    if f.pm and f.hour < 12:
        f.hour += 12
    elif f.am and f.hour == 12:
        f.hour = 0
    if f.yday >= 0:
        _apply_yday(f, layout, value, rest)
    else:
        if f.month < 0:
            f.month = 1
        if f.day < 0:
            f.day = 1
    if f.day < 1 or f.day > days_in(f.month, f.year):
        raise parse_error(layout, value, "", rest, ": day out of range")
    wall = date_unix(f.year, f.month, f.day, f.hour, f.minute, f.sec)
    if f.utc:
        return Time(wall, f.nsec, UTC)
    loc_local = local()
    if f.zone_offset != -1:
        unix = wall - f.zone_offset
        name, off = loc_local.lookup(unix)
        if off == f.zone_offset and (not f.zone_name or name == f.zone_name):
            return Time(unix, f.nsec, loc_local)
        return Time(unix, f.nsec, Location(f.zone_name, None, f.zone_offset, f.zone_name))
    if f.zone_name:
        name, off = loc_local.lookup(wall)
        if name == f.zone_name:
            return Time(wall - off, f.nsec, loc_local)
        off = 0
        if len(f.zone_name) > 3 and f.zone_name[:3] == "GMT":
            off = _atoi(f.zone_name[3:]) * 3600
        return Time(wall, f.nsec, Location(f.zone_name, None, off, f.zone_name))
    return from_wall(f.year, f.month, f.day, f.hour, f.minute, f.sec, f.nsec, default_loc)


def _apply_yday(f: _Fields, layout: str, value: str, rest: str) -> None:
    yday = f.yday
    m = d = 0
    if _is_leap(f.year):
        if yday == 31 + 29:
            m, d = 2, 29
        elif yday > 31 + 29:
            yday -= 1
    if yday < 1 or yday > 365:
        raise parse_error(layout, value, "", rest, ": day-of-year out of range")
    if m == 0:
        m = (yday - 1) // 31 + 1
        if _DAYS_BEFORE[m] < yday:
            m += 1
        d = yday - _DAYS_BEFORE[m - 1]
    if f.month >= 0 and f.month != m:
        raise parse_error(layout, value, "", rest, ": day-of-year does not match month")
    f.month = m
    if f.day >= 0 and f.day != d:
        raise parse_error(layout, value, "", rest, ": day-of-year does not match day")
    f.day = d


def date_unix(year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    """Seconds since the epoch of a UTC wall time, normalising overflowing fields like time.Date."""
    y, m = year + (month - 1) // 12, (month - 1) % 12 + 1
    days = days_from_civil(y, m, 1) + day - 1
    return days * 86400 + hour * 3600 + minute * 60 + sec


def from_wall(year: int, month: int, day: int, hour: int, minute: int, sec: int, nsec: int, loc: Location) -> Time:
    """time.Date in a location: the offset in effect at that wall time (before any transition)."""
    wall = date_unix(year, month, day, hour, minute, sec) + nsec // NANOS
    nsec %= NANOS
    _, off = loc.lookup(wall)
    unix = wall - off
    _, off2 = loc.lookup(unix)
    if off2 != off:
        unix = wall - off2
    return Time(unix, nsec, loc)
