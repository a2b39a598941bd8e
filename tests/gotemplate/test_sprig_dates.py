"""Sprig dates functions against Go: date.go over a Go time model (layouts, parse errors, durations); TZ=UTC as the runner sets it.

Each row calls SPRIG_FUNCS[name](*args) directly; `expected` is what Go 1.19 + Sprig 3.2.3 (the
oracle in shared/gotemplate-oracle) printed for the same call: `v` is `{{ name args }}`, `type`
is `typeOf`, `kind` is `kindOf`, `json` is `toJson` of the result; `err` rows hold the text after
`error calling name: `. Regenerate expectations with the oracle when a row is added."""

from __future__ import annotations

from typing import Any

import pytest
from sprig_rows import Lazy, check, utc  # noqa: F401 - utc is an autouse fixture

from sidecarctl.gotemplate.gotypes import GoError, GoMap, GoSlice, Int64, Uint8, format_v, kind_name, type_name
from sidecarctl.gotemplate.sprig import SPRIG_FUNCS
from sidecarctl.gotemplate.sprig._util import NilList

_ = (Any, GoError, GoMap, GoSlice, Int64, Uint8, NilList, format_v, kind_name, type_name, SPRIG_FUNCS)

CASES = [
    pytest.param(
        "v",
        "date",
        [
            "2006-01-02T15:04:05Z07:00",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "2024-02-29T13:45:07Z",
        id="date-layout-0",
    ),
    pytest.param(
        "v",
        "date",
        [
            "Mon Jan _2 15:04:05 MST 2006",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "Thu Feb 29 13:45:07 UTC 2024",
        id="date-layout-1",
    ),
    pytest.param(
        "v",
        "date",
        [
            "Monday, 02-Jan-06 15:04:05 MST",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "Thursday, 29-Feb-24 13:45:07 UTC",
        id="date-layout-2",
    ),
    pytest.param(
        "v",
        "date",
        [
            "3:04PM pm .000 .999999 ,9 .0",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "1:45PM pm .123 .123456 ,1 .1",
        id="date-layout-3",
    ),
    pytest.param(
        "v",
        "date",
        [
            "January 2, 2006 __2 002 -07 -0700 -07:00:00 Z0700 Z07",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "February 29, 2024  60 060 +00 +0000 +00:00:00 Z Z",
        id="date-layout-4",
    ),
    pytest.param(
        "v",
        "date",
        [
            "06 1 2 3 4 5 15",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "24 2 29 1 45 7 13",
        id="date-layout-5",
    ),
    pytest.param(
        "v",
        "date",
        [
            "Jan x Janx Mon Monx MST",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "Feb x Janx Thu Monx UTC",
        id="date-layout-6",
    ),
    pytest.param(
        "v",
        "date",
        [
            "2006_2006 _2",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "2024_2024 29",
        id="date-layout-7",
    ),
    pytest.param(
        "v",
        "date",
        [
            "05.9999 05.00x",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "07.1234 07.12x",
        id="date-layout-8",
    ),
    pytest.param(
        "v", "date", ["2006-01-02 15:04:05", Int64(1700000000)], "ok", "2023-11-14 22:13:20", id="date-unix-int64"
    ),
    pytest.param("v", "date", ["2006-01-02", 86400], "ok", "1970-01-02", id="date-unix-int"),
    pytest.param(
        "v",
        "dateInZone",
        [
            "2006-01-02 15:04 MST -07:00",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
            "America/New_York",
        ],
        "ok",
        "2024-02-29 08:45 EST -05:00",
        id="dateInZone",
    ),
    pytest.param(
        "v",
        "dateInZone",
        [
            "15:04 MST",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
            "Asia/Kolkata",
        ],
        "ok",
        "19:15 IST",
        id="dateInZone-kolkata",
    ),
    pytest.param(
        "v",
        "dateInZone",
        [
            "15:04 MST",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
            "Nowhere/Else",
        ],
        "ok",
        "13:45 UTC",
        id="dateInZone-bad-zone",
    ),
    pytest.param("v", "date_in_zone", ["2006", Int64(0), "UTC"], "ok", "1970", id="date_in_zone"),
    pytest.param(
        "v",
        "htmlDate",
        [Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "ok",
        "2024-02-29",
        id="htmlDate",
    ),
    pytest.param(
        "v", "htmlDateInZone", [Int64(1700000000), "Pacific/Auckland"], "ok", "2023-11-15", id="htmlDateInZone"
    ),
    pytest.param("v", "toDate", ["2006-01-02", "2024-02-29"], "ok", "2024-02-29 00:00:00 +0000 UTC", id="toDate"),
    pytest.param("type", "toDate", ["2006-01-02", "2024-02-29"], "ok", "time.Time", id="toDate-type"),
    pytest.param(
        "v",
        "toDate",
        ["2006-01-02T15:04:05Z07:00", "2024-03-01T10:00:00+02:00"],
        "ok",
        "2024-03-01 10:00:00 +0200 +0200",
        id="toDate-offset",
    ),
    pytest.param(
        "v",
        "toDate",
        ["2006-01-02T15:04:05Z07:00", "2024-03-01T10:00:00Z"],
        "ok",
        "2024-03-01 10:00:00 +0000 UTC",
        id="toDate-zulu",
    ),
    pytest.param(
        "v",
        "toDate",
        ["2006-01-02 MST", "2024-03-01 PST"],
        "ok",
        "2024-03-01 00:00:00 +0000 PST",
        id="toDate-zone-name",
    ),
    pytest.param(
        "v", "toDate", ["2006-01-02 MST", "2024-03-01 UTC"], "ok", "2024-03-01 00:00:00 +0000 UTC", id="toDate-utc-name"
    ),
    pytest.param(
        "v",
        "toDate",
        ["2006-01-02 MST", "2024-03-01 GMT+3"],
        "ok",
        "2024-03-01 03:00:00 +0300 GMT+3",
        id="toDate-gmt-offset",
    ),
    pytest.param("v", "toDate", ["3:04PM", "11:30PM"], "ok", "0000-01-01 23:30:00 +0000 UTC", id="toDate-pm"),
    pytest.param("v", "toDate", ["3:04pm", "12:05am"], "ok", "0000-01-01 00:05:00 +0000 UTC", id="toDate-12am"),
    pytest.param(
        "v", "toDate", ["Jan 2 2006", "feb 29 2024"], "ok", "2024-02-29 00:00:00 +0000 UTC", id="toDate-month-name"
    ),
    pytest.param("v", "toDate", ["2006 002", "2024 060"], "ok", "2024-02-29 00:00:00 +0000 UTC", id="toDate-yday"),
    pytest.param(
        "v", "toDate", ["15:04:05", "10:11:12.5"], "ok", "0000-01-01 10:11:12.5 +0000 UTC", id="toDate-frac-in-input"
    ),
    pytest.param(
        "v",
        "toDate",
        ["15:04:05.000", "10:11:12.345"],
        "ok",
        "0000-01-01 10:11:12.345 +0000 UTC",
        id="toDate-frac-layout",
    ),
    pytest.param("v", "toDate", ["2006-01-02", "garbage"], "ok", "0001-01-01 00:00:00 +0000 UTC", id="toDate-bad"),
    pytest.param(
        "json",
        "toDate",
        ["2006-01-02 15:04:05.000", "2024-02-29 13:45:07.120"],
        "ok",
        '"2024-02-29T13:45:07.12Z"',
        id="toDate-json",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01-02", "garbage"],
        "err",
        'parsing time "garbage" as "2006-01-02": cannot parse "garbage" as "2006"',
        id="mustToDate-garbage",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01-02", "2024-13-01"],
        "err",
        'parsing time "2024-13-01": month out of range',
        id="mustToDate-month",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01-02", "2024-02-30"],
        "err",
        'parsing time "2024-02-30": day out of range',
        id="mustToDate-day",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01-02", "2024-02-29x"],
        "err",
        'parsing time "2024-02-29x": extra text: "x"',
        id="mustToDate-extra",
    ),
    pytest.param(
        "v", "mustToDate", ["15:04", "24:00"], "err", 'parsing time "24:00": hour out of range', id="mustToDate-hour"
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006", "24"],
        "err",
        'parsing time "24" as "2006": cannot parse "24" as "2006"',
        id="mustToDate-short-year",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006 002", "2023 366"],
        "err",
        'parsing time "2023 366": day-of-year out of range',
        id="mustToDate-yday-range",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01 002", "2024-01 060"],
        "err",
        'parsing time "2024-01 060": day-of-year does not match month',
        id="mustToDate-yday-month",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["Mon 2006", "Xyz 2024"],
        "err",
        'parsing time "Xyz 2024" as "Mon 2006": cannot parse "Xyz 2024" as "Mon"',
        id="mustToDate-weekday",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006", 'é"x'],
        "err",
        'parsing time "\\xc3\\xa9\\"x" as "2006": cannot parse "\\xc3\\xa9\\"x" as "2006"',
        id="mustToDate-quote",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["2006-01-02", "12:00AM"],
        "err",
        'parsing time "12:00AM" as "2006-01-02": cannot parse "0AM" as "2006"',
        id="mustToDate-year-consumed",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["3:04PM", "1:45XM"],
        "err",
        'parsing time "1:45XM" as "3:04PM": cannot parse "" as "PM"',
        id="mustToDate-pm-consumed",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["-07:00", "+0x:00"],
        "err",
        'parsing time "+0x:00" as "-07:00": cannot parse "" as "-07:00"',
        id="mustToDate-offset-consumed",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["05.000", "07.1x3"],
        "err",
        'parsing time "07.1x3" as "05.000": cannot parse "" as ".000"',
        id="mustToDate-frac-consumed",
    ),
    pytest.param(
        "v",
        "mustToDate",
        ["-07:00", "+0700"],
        "err",
        'parsing time "+0700" as "-07:00": cannot parse "+0700" as "-07:00"',
        id="mustToDate-offset",
    ),
    pytest.param(
        "v",
        "dateModify",
        [
            "-1.5h",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "2024-02-29 12:15:07.123456789 +0000 UTC",
        id="dateModify",
    ),
    pytest.param(
        "v",
        "dateModify",
        [
            "1h2m3s4ms5us6ns",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "2024-02-29 14:47:10.127461795 +0000 UTC",
        id="dateModify-units",
    ),
    pytest.param(
        "v",
        "dateModify",
        [
            "bogus",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "ok",
        "2024-02-29 13:45:07.123456789 +0000 UTC",
        id="dateModify-bad",
    ),
    pytest.param(
        "v",
        "date_modify",
        ["24h", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "ok",
        "2024-03-01 13:45:07.123456789 +0000 UTC",
        id="date_modify",
    ),
    pytest.param(
        "v",
        "mustDateModify",
        [".5m", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "ok",
        "2024-02-29 13:45:37.123456789 +0000 UTC",
        id="mustDateModify",
    ),
    pytest.param(
        "v",
        "mustDateModify",
        [
            "bogus",
            Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")),
        ],
        "err",
        'time: invalid duration "bogus"',
        id="mustDateModify-bad",
    ),
    pytest.param(
        "v",
        "mustDateModify",
        ["1x", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "err",
        'time: unknown unit "x" in duration "1x"',
        id="mustDateModify-unit",
    ),
    pytest.param(
        "v",
        "mustDateModify",
        ["1", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "err",
        'time: missing unit in duration "1"',
        id="mustDateModify-missing-unit",
    ),
    pytest.param(
        "v",
        "must_date_modify",
        ["", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "err",
        'time: invalid duration ""',
        id="must_date_modify-empty",
    ),
    pytest.param(
        "v",
        "unixEpoch",
        [Lazy(lambda: SPRIG_FUNCS["toDate"]("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789"))],
        "ok",
        "1709214307",
        id="unixEpoch",
    ),
    pytest.param("v", "duration", ["95"], "ok", "1m35s", id="duration-string"),
    pytest.param("v", "duration", [Int64(3725)], "ok", "1h2m5s", id="duration-int64"),
    pytest.param("v", "duration", [95], "ok", "0s", id="duration-int"),
    pytest.param("v", "duration", [95.0], "ok", "0s", id="duration-float"),
    pytest.param("v", "duration", ["1h"], "ok", "0s", id="duration-bad"),
    pytest.param("v", "duration", [Int64(9999999999)], "ok", "-2346317h47m54.709551616s", id="duration-big"),
    pytest.param("v", "durationRound", ["2h5m"], "ok", "2h", id="durationRound-hours"),
    pytest.param("v", "durationRound", ["100h"], "ok", "4d", id="durationRound-days"),
    pytest.param("v", "durationRound", ["1000h"], "ok", "1mo", id="durationRound-months"),
    pytest.param("v", "durationRound", ["10000h"], "ok", "1y", id="durationRound-years"),
    pytest.param("v", "durationRound", ["-3m10s"], "ok", "3m", id="durationRound-negative"),
    pytest.param("v", "durationRound", [Int64(1500000000)], "ok", "1s", id="durationRound-ns"),
    pytest.param("v", "durationRound", ["1h"], "ok", "60m", id="durationRound-exact"),
    pytest.param("v", "durationRound", [3], "ok", "0s", id="durationRound-other"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)


def _time(layout: str, value: str) -> Any:
    return SPRIG_FUNCS["toDate"](layout, value)


@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        # Values from Go: {{ (toDate "2006-01-02 15:04:05.000000000" "2024-02-29 13:45:07.123456789").METHOD }}
        pytest.param("Year", [], "2024", id="year"),
        pytest.param("Month", [], "February", id="month"),
        pytest.param("Day", [], "29", id="day"),
        pytest.param("Weekday", [], "Thursday", id="weekday"),
        pytest.param("YearDay", [], "60", id="yearday"),
        pytest.param("Nanosecond", [], "123456789", id="nanosecond"),
        pytest.param("Unix", [], "1709214307", id="unix"),
        pytest.param("UnixNano", [], "1709214307123456789", id="unixnano"),
        pytest.param("Format", ["Jan 2"], "Feb 29", id="format"),
        pytest.param("AddDate", [0, 1, 1], "2024-03-30 13:45:07.123456789 +0000 UTC", id="adddate"),
        pytest.param("IsZero", [], "false", id="iszero"),
        pytest.param("Location", [], "UTC", id="location-local-named-utc"),
    ],
)
def test_time_methods(method: str, args: list[Any], expected: str) -> None:
    t = _time("2006-01-02 15:04:05.000000000", "2024-02-29 13:45:07.123456789")
    fn = t.go_method(method)
    assert fn is not None
    assert format_v(fn(*args)) == expected


def test_time_sub_and_now() -> None:
    a = _time("2006-01-02", "2024-01-02")
    b = _time("2006-01-02", "2024-01-01")
    assert format_v(a.go_method("Sub")(b)) == "24h0m0s"
    now = SPRIG_FUNCS["now"]()
    assert type_name(now) == "time.Time"
    assert " m=+" in format_v(now)  # time.Now carries a monotonic reading, as Go prints it
    assert SPRIG_FUNCS["ago"](now) == "0s"
    assert SPRIG_FUNCS["ago"](Int64(0)).endswith("s")
