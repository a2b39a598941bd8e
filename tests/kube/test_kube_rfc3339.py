"""metav1.Time through time.Parse(time.RFC3339, s): accepted spellings, UTC output, Go's errors."""

from __future__ import annotations

import pytest

from sidecarctl.golang.rfc3339 import TimeParseError, time_json

LAYOUT = '"2006-01-02T15:04:05Z07:00"'

OK = [
    ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
    ("2020-01-01T10:00:00+02:00", "2020-01-01T08:00:00Z"),
    ("2019-12-31T23:30:00-01:00", "2020-01-01T00:30:00Z"),
    ("2020-01-01T1:00:00Z", "2020-01-01T01:00:00Z"),  # the general parser takes a one-digit hour
    ("2020-01-01T00:00:00.123456789Z", "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00,5Z", "2020-01-01T00:00:00Z"),
    ("2020-02-29T00:00:00Z", "2020-02-29T00:00:00Z"),
    ("0001-01-01T00:00:00Z", None),  # Go's zero time
    ("0000-01-01T00:00:00+01:00", "-0001-12-31T23:00:00Z"),
]


@pytest.mark.parametrize(("value", "want"), OK)
def test_parse(value: str, want: str | None) -> None:
    assert time_json(value) == want


BAD = [
    ("yesterday", f'parsing time "yesterday" as {LAYOUT}: cannot parse "yesterday" as "2006"'),
    ("2020-1-01T00:00:00Z", f'parsing time "2020-1-01T00:00:00Z" as {LAYOUT}: cannot parse "1-01T00:00:00Z" as "01"'),
    ("2020-01-01 00:00:00Z", f'parsing time "2020-01-01 00:00:00Z" as {LAYOUT}: cannot parse " 00:00:00Z" as "T"'),
    ("2020-01-01T00:00:00", f'parsing time "2020-01-01T00:00:00" as {LAYOUT}: cannot parse "" as "Z07:00"'),
    ("2020-13-01T00:00:00Z", 'parsing time "2020-13-01T00:00:00Z": month out of range'),
    ("2020-02-30T00:00:00Z", 'parsing time "2020-02-30T00:00:00Z": day out of range'),
    ("2020-01-01T24:00:00Z", 'parsing time "2020-01-01T24:00:00Z": hour out of range'),
    ("2020-01-01T00:00:00+25:00", 'parsing time "2020-01-01T00:00:00+25:00": time zone offset hour out of range'),
    ("2020-01-01T00:00:00Zx", 'parsing time "2020-01-01T00:00:00Zx": extra text: "x"'),
    ("é", f'parsing time "\\xc3\\xa9" as {LAYOUT}: cannot parse "\\xc3\\xa9" as "2006"'),
]


@pytest.mark.parametrize(("value", "message"), BAD)
def test_errors(value: str, message: str) -> None:
    with pytest.raises(TimeParseError) as exc:
        time_json(value)
    assert str(exc.value) == message
