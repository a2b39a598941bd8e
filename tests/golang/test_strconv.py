"""sidecarctl.golang against real Go: every row of testdata/*.tsv was printed by Go 1.19
(`go run testdata/format_float.go > testdata/format_float.tsv`, the same for strconv_time.go)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sidecarctl.golang import duration, json, strconv

DATA = Path(__file__).parent / "testdata"


def _rows(name: str, kind: str | None = None) -> list[list[str]]:
    rows = [line.rstrip("\n").split("\t") for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    return [row[1:] for row in rows if row[0] == kind] if kind else rows


def _ids(rows: list[list[str]]) -> list[str]:
    return ["|".join(row[:-1]) for row in rows]


FLOATS = _rows("format_float.tsv")


@pytest.mark.parametrize("value,fmt,prec,bits,want", FLOATS, ids=_ids(FLOATS))
def test_format_float(value: str, fmt: str, prec: str, bits: str, want: str) -> None:
    assert strconv.format_float(float(value.replace("+Inf", "inf")), fmt, int(prec), int(bits)) == want


QUOTES = _rows("strconv_time.tsv", "quote")


@pytest.mark.parametrize("source,want,want_ascii,backquote,want_json", QUOTES, ids=[r[0] for r in QUOTES])
def test_quote(source: str, want: str, want_ascii: str, backquote: str, want_json: str) -> None:
    s = strconv.unquote(source)
    assert strconv.quote(s) == want
    assert strconv.quote(s, ascii_only=True) == want_ascii
    assert strconv.can_backquote(s) is (backquote == "true")
    assert json.encode_string(s, short_escapes=True, replace_invalid=True) == want_json
    assert strconv.unquote(want) == s


INTS = _rows("strconv_time.tsv", "int")


@pytest.mark.parametrize("text,base,want,err,want_u,err_u", INTS, ids=_ids(INTS))
def test_parse_int_and_uint(text: str, base: str, want: str, err: str, want_u: str, err_u: str) -> None:
    for parse, value, message in ((strconv.parse_int, want, err), (strconv.parse_uint, want_u, err_u)):
        if message:
            with pytest.raises(strconv.NumError) as caught:
                parse(text, int(base))
            assert str(caught.value) == message
        else:
            assert parse(text, int(base)) == int(value)


ATOIS = _rows("strconv_time.tsv", "atoi")


@pytest.mark.parametrize("text,want,err", ATOIS, ids=_ids(ATOIS))
def test_atoi(text: str, want: str, err: str) -> None:
    if err:
        with pytest.raises(strconv.NumError) as caught:
            strconv.atoi(text)
        assert str(caught.value) == err
    else:
        assert strconv.atoi(text) == int(want)


FLOAT_PARSES = _rows("strconv_time.tsv", "float")


@pytest.mark.parametrize("text,bits,want,err", FLOAT_PARSES, ids=_ids(FLOAT_PARSES))
def test_parse_float(text: str, bits: str, want: str, err: str) -> None:
    if err:
        with pytest.raises(strconv.NumError) as caught:
            strconv.parse_float(text, int(bits))
        # Go returns ±Inf with a range error, 0 with a syntax error: the message is what reaches users
        assert str(caught.value) == err
    else:
        got = strconv.parse_float(text, int(bits))
        assert strconv.format_float(got, "g", -1, int(bits)) == want
        assert math.isnan(got) == (want == "NaN")


BOOLS = _rows("strconv_time.tsv", "bool")


@pytest.mark.parametrize("text,want,err", BOOLS, ids=_ids(BOOLS))
def test_parse_bool(text: str, want: str, err: str) -> None:
    if err:
        with pytest.raises(strconv.NumError) as caught:
            strconv.parse_bool(text)
        assert str(caught.value) == err
    else:
        assert strconv.parse_bool(text) is (want == "true")


DURATIONS = _rows("strconv_time.tsv", "duration")


@pytest.mark.parametrize("source,nanos,text,err", DURATIONS, ids=[r[0] for r in DURATIONS])
def test_duration(source: str, nanos: str, text: str, err: str) -> None:
    s = strconv.unquote(source)
    if err:
        with pytest.raises(duration.GoError) as caught:
            duration.parse_duration(s)
        assert str(caught.value) == err
    else:
        assert duration.parse_duration(s) == int(nanos)
        assert duration.duration_string(int(nanos)) == text


@pytest.mark.parametrize(
    "value,want",
    [
        pytest.param(1.0, "1", id="integral"),
        pytest.param(1.5e-7, "1.5e-7", id="tiny-short-exponent"),
        pytest.param(1e21, "1e+21", id="huge"),
        pytest.param(1e20, "100000000000000000000", id="below-1e21-fixed"),
        pytest.param(-0.0, "-0", id="negative-zero"),
    ],
)
def test_json_float(value: float, want: str) -> None:
    assert json.format_json_float(value) == want


def test_json_float_rejects_nan() -> None:
    with pytest.raises(json.UnsupportedValue, match="json: unsupported value: NaN"):
        json.format_json_float(math.nan)


@pytest.mark.parametrize(
    "value,want",
    [
        pytest.param(
            {"b": [1, 2.5, None, True], "a": "<&>"},
            '{"b":[1,2.5,null,true],"a":"\\u003c\\u0026\\u003e"}',
            id="order-kept-html-escaped",
        ),
        pytest.param({"x": 1e-7}, '{"x":1e-7}', id="go-float-spelling"),
        pytest.param("\b\f\u2028", '"\\b\\f\\u2028"', id="short-escapes"),
    ],
)
def test_marshal(value: object, want: str) -> None:
    assert json.marshal(value) == want


@pytest.mark.parametrize(
    "text,want,err",
    [
        pytest.param('{"a":[1,"x",null]}', {"a": [1.0, "x", None]}, None, id="object"),
        pytest.param("[1,", None, "unexpected end of JSON input", id="truncated"),
        pytest.param("nul", None, "invalid character ' ' in literal null (expecting 'l')", id="short-literal"),
        pytest.param("{} x", None, "invalid character 'x' after top-level value", id="trailing"),
    ],
)
def test_unmarshal(text: str, want: object, err: str | None) -> None:
    value, message = json.unmarshal(text)
    assert message == err
    if err is None:
        assert value == want


@pytest.mark.parametrize(
    "value,want",
    [
        pytest.param(3.4028234663852886e38, "3.4028235e+38", id="largest-float32"),
        pytest.param(3.40282356e38, "3.4028235e+38", id="above-largest-rounds-down"),
        pytest.param(3.4028235677973366e38, "+Inf", id="half-ulp-above-is-infinity"),
        pytest.param(-3.40282350e38, "-3.4028235e+38", id="negative-rounds-too"),
        pytest.param(1e-50, "0", id="underflow-to-zero"),
    ],
)
def test_float32_conversion_near_the_range_ends(value: float, want: str) -> None:
    """Go's float32(f) rounds values just above the largest float32 down to it (FormatFloat 'g', 32)."""
    assert strconv.format_float(value, "g", -1, 32) == want
