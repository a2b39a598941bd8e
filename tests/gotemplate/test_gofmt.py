"""gofmt: Go's fmt verbs, flags and error forms."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.golang.strconv import quote as go_quote
from sidecarctl.gotemplate.gofmt import sprint, sprintf, sprintln
from sidecarctl.gotemplate.gotypes import Int64, Uint8


@pytest.mark.parametrize(
    "fmt, args, want",
    [
        pytest.param("%v %v %v", [3.0, 1e6, 1.5e-7], "3 1e+06 1.5e-07", id="float-v"),
        pytest.param("%5.2f|%-6.1f|%08.3f", [3.14159, 2.5, 3.14159], " 3.14|2.5   |0003.142", id="float-width"),
        pytest.param(
            "%e %E %g %G",
            [1234.5678, 0.00015, 1e21, 1.5e-7],
            "1.234568e+03 1.500000E-04 1e+21 1.5E-07",
            id="float-verbs",
        ),
        pytest.param("%x %X %#x %o %#o %b", [255, 255, 255, 8, 8, 5], "ff FF 0xff 10 010 101", id="int-bases"),
        pytest.param("%+d|% d|%05d|%-5d|", [5, 5, -42, 7], "+5| 5|-0042|7    |", id="int-flags"),
        pytest.param("%c %q %U %#U", [65, 0x263A, 0x263A, 0x263A], "A '☺' U+263A U+263A '☺'", id="runes"),
        pytest.param("%q %#q %+q", ["héllo", "plain", "é"], '"héllo" `plain` "\\u00e9"', id="quote"),
        pytest.param("%x % X", ["hi", "hi"], "6869 68 69", id="string-hex"),
        pytest.param("%.2s|%6.3s|", ["héllo", "abcdef"], "hé|   abc|", id="string-precision"),
        pytest.param("%t %T %T", [True, Int64(1), [1.0]], "true int64 []interface {}", id="types"),
        pytest.param("%d", ["x"], "%!d(string=x)", id="bad-verb"),
        pytest.param("%.2f", [3], "%!f(int=03)", id="bad-verb-keeps-flags"),
        pytest.param("%s %s", ["a"], "a %!s(MISSING)", id="missing"),
        pytest.param("%s", ["a", "b"], "a%!(EXTRA string=b)", id="extra"),
        pytest.param("%", [], "%!(NOVERB)", id="noverb"),
        pytest.param("%*d|%.*f", [5, 42, 2, 3.14159], "   42|3.14", id="star"),
        pytest.param("%*d", ["x", 1], "%!(BADWIDTH)1", id="bad-width"),
        pytest.param("%[2]s %[1]s", ["a", "b"], "b a", id="arg-index"),
        pytest.param("%v", [{"b": 1.0, "a": [1.0, None]}], "map[a:[1 <nil>] b:1]", id="map-sorted"),
        pytest.param("%s", [{"a": 1.0}], "map[a:%!s(float64=1)]", id="verb-inside-map"),
        pytest.param("%x %v", [1.5, Uint8(7)], "0x1.8p+00 7", id="hex-float"),
        pytest.param("%d %s", [None, None], "%!d(<nil>) %!s(<nil>)", id="nil"),
        pytest.param("100%%", [], "100%", id="percent"),
        pytest.param(
            "%#x %#g %#.0f %#o",
            [1.5, 1.0, 2.0, -0.0],
            "0x1.8000p+00 1.00000 2. %!o(float64=-0.00000)",
            id="sharp-floats",
        ),
        pytest.param("%08.2f", [[None, 1.5]], "[<nil> 00001.50]", id="nested-nil-unpadded"),
        pytest.param("%b %b", [5e-324, 1.0], "1p-1074 4503599627370496p-52", id="binary-floats"),
        pytest.param("%w %.*d", [1, -1, 5], "%!w(int=1) %!(BADPREC)5", id="w-and-negative-star"),
    ],
)
def test_sprintf(fmt: str, args: list[Any], want: str) -> None:
    assert sprintf(fmt, args) == want


@pytest.mark.parametrize(
    "args, want",
    [
        pytest.param([1, 2], "1 2", id="numbers-spaced"),
        pytest.param([1, "a", 2], "1a2", id="strings-not-spaced"),
        pytest.param(["a", "b"], "ab", id="strings"),
        pytest.param([None, None], "<nil> <nil>", id="nils"),
    ],
)
def test_sprint(args: list[Any], want: str) -> None:
    assert sprint(args) == want


def test_sprintln() -> None:
    assert sprintln(["a", 1]) == "a 1\n"


@pytest.mark.parametrize(
    "s, want",
    [
        pytest.param("tab\there", '"tab\\there"', id="tab"),
        pytest.param("\x00\x7f", '"\\x00\\x7f"', id="control"),
        pytest.param("☃\u2028", '"☃\\u2028"', id="unicode"),
    ],
)
def test_quote(s: str, want: str) -> None:
    assert go_quote(s) == want
