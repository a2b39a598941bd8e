"""The Go standard library behaviours that reach istioctl's bytes."""

from __future__ import annotations

import pytest

from sidecarctl.inject import goutil


@pytest.mark.parametrize(
    "value,want",
    [
        ({"b": [1, None], "a": "x<y>&z"}, '{"b":[1,null],"a":"x\\u003cy\\u003e\\u0026z"}'),
        ("é\u2028", '"é\\u2028"'),
    ],
)
def test_json_dumps(value: object, want: str) -> None:
    assert goutil.json_dumps(value) == want


@pytest.mark.parametrize(
    "text,want", [("a/b", '"a/b"'), ('q"\\', '"q\\"\\\\"'), ("\n\t\x01", '"\\n\\t\\x01"'), ("héllo", '"héllo"')]
)
def test_quote(text: str, want: str) -> None:
    assert goutil.quote(text) == want


@pytest.mark.parametrize(
    "text,want", [("1", True), ("T", True), ("True", True), ("FALSE", False), ("yes", None), ("", None)]
)
def test_parse_bool(text: str, want: bool | None) -> None:
    assert goutil.parse_bool(text) is want


@pytest.mark.parametrize("text,want", [("12", 12), ("+3", 3), ("-4", -4), (" 1", None), ("1_0", None), ("", None)])
def test_atoi(text: str, want: int | None) -> None:
    assert goutil.atoi(text) == want
