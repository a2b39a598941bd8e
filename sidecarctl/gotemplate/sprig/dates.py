"""Sprig's date functions (date.go) with time.Time, time.Duration, time.Month and time.Weekday
as template values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sidecarctl.golang.strconv import quote as go_quote
from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate._lazy import lazy_module
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoObject, Int64

from ._util import parse_go_int, wrap64

if TYPE_CHECKING:
    from sidecarctl.golang import time as gt
else:
    gt = lazy_module("sidecarctl.golang.time")  # Go's time package, loaded when a date function runs

FUNCS: dict[str, GoFunc] = {}
ANY = "interface {}"
TIME = "time.Time"


class GoTime(GoObject):
    """A time.Time value."""

    go_type = TIME
    go_kind = "struct"

    def __init__(self, t: gt.Time) -> None:
        self.t = t

    def go_string(self) -> str:
        return self.t.string()

    def go_json(self) -> str:
        if not 0 <= self.t.civil().year <= 9999:
            raise GoError(
                "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"
            )
        return self.t.format("2006-01-02T15:04:05.999999999Z07:00")

    def go_deep_equal(self, other: Any) -> bool:
        return isinstance(other, GoTime) and other.t == self.t

    def go_field(self, name: str) -> Any:
        raise AttributeError(name)  # time.Time has only unexported fields

    def go_method(self, name: str) -> GoFunc | None:
        maker = _TIME_METHODS.get(name)
        return maker(self.t) if maker else None


class GoDuration(GoObject):
    go_type = "time.Duration"
    go_kind = "int64"

    def __init__(self, ns: int) -> None:
        self.ns = wrap64(ns)

    def go_value(self) -> int:
        return self.ns

    def go_string(self) -> str:
        return gt.duration_string(self.ns)

    def go_json(self) -> int:
        return self.ns

    def go_is_zero(self) -> bool:
        return self.ns == 0

    def go_deep_equal(self, other: Any) -> bool:
        return isinstance(other, GoDuration) and other.ns == self.ns

    def go_method(self, name: str) -> GoFunc | None:
        d = self.ns
        methods = {
            "String": GoFunc("String", lambda: gt.duration_string(d), (), result="string"),
            "Hours": GoFunc("Hours", lambda: d / 3.6e12, (), result="float64"),
            "Minutes": GoFunc("Minutes", lambda: d / 6e10, (), result="float64"),
            "Seconds": GoFunc("Seconds", lambda: d / 1e9, (), result="float64"),
            "Milliseconds": GoFunc("Milliseconds", lambda: Int64(int(d / 1e6)), (), result="int64"),
            "Microseconds": GoFunc("Microseconds", lambda: Int64(int(d / 1e3)), (), result="int64"),
            "Nanoseconds": GoFunc("Nanoseconds", lambda: Int64(d), (), result="int64"),
            "Round": GoFunc(
                "Round", lambda m: GoDuration(gt.round_duration(d, _dur(m))), ("time.Duration",), result="time.Duration"
            ),
            "Truncate": GoFunc(
                "Truncate",
                lambda m: GoDuration(d if _dur(m) <= 0 else d - _go_rem(d, _dur(m))),
                ("time.Duration",),
                result="time.Duration",
            ),
            "Abs": GoFunc(
                "Abs", lambda: GoDuration(abs(d) if d != -(1 << 63) else (1 << 63) - 1), (), result="time.Duration"
            ),
        }
        return methods.get(name)


class _Named(GoObject):
    """time.Month / time.Weekday: ints that print as names."""

    go_kind = "int"

    def __init__(self, n: int, names: list[str], go_type: str) -> None:
        self.n = n
        self.names = names
        self.go_type = go_type

    def go_value(self) -> int:
        return self.n

    def go_string(self) -> str:
        idx = self.n - (1 if self.go_type == "time.Month" else 0)
        if 0 <= idx < len(self.names):
            return self.names[idx]
        return f"%!{self.go_type[5:]}({self.n})"

    def go_json(self) -> int:
        return self.n

    def go_is_zero(self) -> bool:
        return self.n == 0

    def go_deep_equal(self, other: Any) -> bool:
        return isinstance(other, _Named) and other.go_type == self.go_type and other.n == self.n


def _go_rem(d: int, m: int) -> int:
    r = abs(d) % m
    return -r if d < 0 else r


def _dur(v: Any) -> int:
    if isinstance(v, GoDuration):
        return v.ns
    if isinstance(v, int):
        return int(v)
    raise GoError(f"wrong type for value; expected time.Duration; got {type(v).__name__}")


def _time_arg(v: Any) -> gt.Time:
    if isinstance(v, GoTime):
        return v.t
    raise GoError("wrong type for value; expected time.Time")


def _charge_layout(layout: str) -> str:
    """Charge the walk of a time layout before it runs: gotime's walk (Go's nextStdChunk) hands
    the rest of the layout on as a new string for every element, so a layout costs about its
    length squared in copying (1M characters: minutes). Go's own layouts are a few dozen
    characters and cost a step or two."""
    budget.charge_steps(1 + len(layout) + len(layout) ** 2 // 1024)
    return layout


def _parse_duration(s: str) -> int:
    """time.ParseDuration, charged as a layout is (its walk copies the rest per element too);
    a number past Python's 4,300-digit int() limit is Go's overflow error."""
    _charge_layout(s)
    try:
        return gt.parse_duration(s)
    except ValueError:
        raise GoError(f"time: invalid duration {go_quote(s)}") from None


def _format(t: gt.Time, layout: str) -> str:
    return t.format(_charge_layout(layout))


def _m(name: str, fn: Any, result: str, *params: str) -> GoFunc:
    return GoFunc(name, fn, tuple(params), result=result)


def _civil(t: gt.Time) -> Any:
    return t.civil()


_TIME_METHODS: dict[str, Any] = {
    "Year": lambda t: _m("Year", lambda: _civil(t).year, "int"),
    "Month": lambda t: _m("Month", lambda: _Named(_civil(t).month, gt.LONG_MONTHS, "time.Month"), "time.Month"),
    "Day": lambda t: _m("Day", lambda: _civil(t).day, "int"),
    "Hour": lambda t: _m("Hour", lambda: _civil(t).hour, "int"),
    "Minute": lambda t: _m("Minute", lambda: _civil(t).minute, "int"),
    "Second": lambda t: _m("Second", lambda: _civil(t).second, "int"),
    "Nanosecond": lambda t: _m("Nanosecond", lambda: t.nsec, "int"),
    "YearDay": lambda t: _m("YearDay", lambda: _civil(t).yday, "int"),
    "Weekday": lambda t: _m("Weekday", lambda: _Named(_civil(t).wday, gt.LONG_DAYS, "time.Weekday"), "time.Weekday"),
    "Unix": lambda t: _m("Unix", lambda: Int64(t.sec), "int64"),
    "UnixMilli": lambda t: _m("UnixMilli", lambda: Int64(wrap64(t.unix_nano() // 1_000_000)), "int64"),
    "UnixMicro": lambda t: _m("UnixMicro", lambda: Int64(wrap64(t.unix_nano() // 1000)), "int64"),
    "UnixNano": lambda t: _m("UnixNano", lambda: Int64(wrap64(t.unix_nano())), "int64"),
    "String": lambda t: _m("String", t.string, "string"),
    "Format": lambda t: _m("Format", lambda layout: _format(t, layout), "string", "string"),
    "UTC": lambda t: _m("UTC", lambda: GoTime(gt.Time(t.sec, t.nsec, gt.UTC, t.mono)), TIME),
    "Local": lambda t: _m("Local", lambda: GoTime(gt.Time(t.sec, t.nsec, gt.local(), t.mono)), TIME),
    "IsZero": lambda t: _m("IsZero", t.is_zero, "bool"),
    "Add": lambda t: _m("Add", lambda d: GoTime(t.add(_dur(d))), TIME, "time.Duration"),
    "Sub": lambda t: _m(
        "Sub", lambda u: GoDuration(_clamp(t.unix_nano() - _time_arg(u).unix_nano())), "time.Duration", TIME
    ),
    "AddDate": lambda t: _m("AddDate", lambda y, mo, d: GoTime(_add_date(t, y, mo, d)), TIME, "int", "int", "int"),
    "Before": lambda t: _m("Before", lambda u: t.unix_nano() < _time_arg(u).unix_nano(), "bool", TIME),
    "After": lambda t: _m("After", lambda u: t.unix_nano() > _time_arg(u).unix_nano(), "bool", TIME),
    "Equal": lambda t: _m("Equal", lambda u: t.unix_nano() == _time_arg(u).unix_nano(), "bool", TIME),
    "Truncate": lambda t: _m("Truncate", lambda d: GoTime(_truncate(t, _dur(d))), TIME, "time.Duration"),
    "Round": lambda t: _m("Round", lambda d: GoTime(_round(t, _dur(d))), TIME, "time.Duration"),
    "Location": lambda t: _m("Location", lambda: GoLocation(t.loc), "*time.Location"),
    "In": lambda t: _m("In", lambda loc: GoTime(t.in_loc(_loc_arg(loc))), TIME, "*time.Location"),
}


class GoLocation(GoObject):
    """A *time.Location: prints its name (Local, UTC, Europe/Paris)."""

    go_type = "*time.Location"
    go_kind = "ptr"

    def __init__(self, loc: gt.Location) -> None:
        self.loc = loc

    def go_string(self) -> str:
        return self.loc.name

    def go_method(self, name: str) -> GoFunc | None:
        if name == "String":
            return GoFunc("String", self.go_string, (), result="string")
        return None


def _loc_arg(v: Any) -> gt.Location:
    if isinstance(v, GoLocation):
        return v.loc
    raise GoError("runtime error: invalid memory address or nil pointer dereference")


def _round(t: gt.Time, d: int) -> gt.Time:
    """Time.Round: halfway values round up, relative to the zero time."""
    base = gt.Time(t.sec, t.nsec, t.loc)
    if d <= 0:
        return base
    r = (t.unix_nano() - gt.Time.zero().unix_nano()) % d
    return base.add(-r if r + r < d else d - r)


def _clamp(ns: int) -> int:
    return max(-(1 << 63), min(ns, (1 << 63) - 1))


def _add_date(t: gt.Time, years: int, months: int, days: int) -> gt.Time:
    c = t.civil()
    return gt.from_wall(c.year + years, c.month + months, c.day + days, c.hour, c.minute, c.second, t.nsec, t.loc)


def _truncate(t: gt.Time, d: int) -> gt.Time:
    if d <= 0:
        return gt.Time(t.sec, t.nsec, t.loc)
    # Go truncates relative to the zero time (year 1), not the Unix epoch.
    since_zero = t.unix_nano() - gt.Time.zero().unix_nano()
    return gt.Time(t.sec, t.nsec, t.loc).add(-(since_zero % d))


# --- Sprig's functions ----------------------------------------------------------------------


def _to_time(date: Any) -> gt.Time:
    """dateInZone's argument: time.Time, *time.Time, int64, int, int32; anything else is now."""
    from sidecarctl.gotemplate.gotypes import GoSizedInt, Int32

    if isinstance(date, GoTime):
        return date.t
    deref = getattr(date, "go_deref", None)
    if callable(deref) and isinstance(deref(), GoTime):
        return deref().t
    if isinstance(date, bool):
        return gt.Time.now()
    if isinstance(date, GoSizedInt) and not isinstance(date, (Int64, Int32)):
        return gt.Time.now()
    if isinstance(date, int):
        return gt.Time(int(date), 0, gt.local())
    return gt.Time.now()


def date_in_zone(fmt: str, date: Any, zone: str) -> str:
    t = _to_time(date)
    loc = gt.load_location(zone) or gt.UTC
    return _format(t.in_loc(loc), fmt)


def _date_modify(fmt: str, date: Any) -> GoTime:
    t = _time_arg(date)
    try:
        d = _parse_duration(fmt)
    except GoError:
        return GoTime(t)
    return GoTime(t.add(d))


def _must_date_modify(fmt: str, date: Any) -> GoTime:
    t = _time_arg(date)
    return GoTime(t.add(_parse_duration(fmt)))


def _ago(date: Any) -> str:
    from sidecarctl.gotemplate.gotypes import GoSizedInt

    if isinstance(date, GoTime):
        t = date.t
    elif (
        isinstance(date, int)
        and not isinstance(date, bool)
        and (not isinstance(date, GoSizedInt) or isinstance(date, Int64))
    ):
        t = gt.Time(int(date), 0, gt.local())
    else:
        t = gt.Time.now()
    since = _clamp(gt.Time.now().unix_nano() - t.unix_nano())
    return gt.duration_string(gt.round_duration(since, gt.NANOS))


def _duration(sec: Any) -> str:
    if isinstance(sec, str):
        try:
            n = parse_go_int(sec, 10)
        except ValueError:
            n = 0
    elif isinstance(sec, Int64):
        n = int(sec)
    else:
        n = 0
    return gt.duration_string(wrap64(n * gt.NANOS))


_SECOND = 1_000_000_000  # gotime.NANOS, spelled out so that the time package loads only when used
_YEAR = 3600 * _SECOND * 24 * 365
_STEPS = [
    (_YEAR, "y"),
    (3600 * _SECOND * 24 * 30, "mo"),
    (3600 * _SECOND * 24, "d"),
    (3600 * _SECOND, "h"),
    (60 * _SECOND, "m"),
    (_SECOND, "s"),
]


def _duration_round(value: Any) -> str:
    if isinstance(value, str):
        try:
            d = _parse_duration(value)
        except GoError:
            d = 0
    elif isinstance(value, Int64):
        d = int(value)
    elif isinstance(value, GoTime):
        d = _clamp(gt.Time.now().unix_nano() - value.t.unix_nano())
    else:
        d = 0
    u = abs(d) % (1 << 64)
    for size, unit in _STEPS:
        if u > size:
            return f"{u // size}{unit}"
    return "0s"


def _to_date(fmt: str, s: str) -> GoTime:
    try:
        return GoTime(gt.parse_in_location(_charge_layout(fmt), s, gt.local()))
    except GoError:
        return GoTime(gt.Time.zero())


def _must_to_date(fmt: str, s: str) -> GoTime:
    return GoTime(gt.parse_in_location(_charge_layout(fmt), s, gt.local()))


def _reg(name: str, fn: Any, params: tuple[str, ...], result: str, returns_error: bool = False) -> None:
    FUNCS[name] = GoFunc(name, fn, params, False, returns_error, result)


_reg("ago", _ago, (ANY,), "string")
_reg("date", lambda fmt, d: date_in_zone(fmt, d, "Local"), ("string", ANY), "string")
_reg("dateInZone", date_in_zone, ("string", ANY, "string"), "string")
_reg("date_in_zone", date_in_zone, ("string", ANY, "string"), "string")
_reg("dateModify", _date_modify, ("string", TIME), TIME)
_reg("date_modify", _date_modify, ("string", TIME), TIME)
_reg("mustDateModify", _must_date_modify, ("string", TIME), TIME, True)
_reg("must_date_modify", _must_date_modify, ("string", TIME), TIME, True)
_reg("duration", _duration, (ANY,), "string")
_reg("durationRound", _duration_round, (ANY,), "string")
_reg("htmlDate", lambda d: date_in_zone("2006-01-02", d, "Local"), (ANY,), "string")
_reg("htmlDateInZone", lambda d, z: date_in_zone("2006-01-02", d, z), (ANY, "string"), "string")
_reg("now", lambda: GoTime(gt.Time.now()), (), TIME)
_reg("toDate", _to_date, ("string", "string"), TIME)
_reg("mustToDate", _must_to_date, ("string", "string"), TIME, True)
_reg("unixEpoch", lambda d: str(_time_arg(d).sec), (TIME,), "string")
