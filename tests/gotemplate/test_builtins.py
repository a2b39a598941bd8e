"""Builtins: Go 1.19's index/slice/len/eq/lt/html/js/urlquery/call semantics and errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sidecarctl.gotemplate.builtins import (
    BUILTINS,
    go_call,
    go_eq,
    go_index,
    go_len,
    go_lt,
    go_slice,
    html_escape,
    js_escape,
)
from sidecarctl.gotemplate.gotypes import MISSING, GoError, GoMap, Int64, Uint8


class GoFailure(str):
    """An expected GoError message (what follows `error calling NAME: `)."""


@pytest.mark.parametrize(
    "fn, args, want",
    [
        pytest.param(go_index, (["a", "b"], 1), "b", id="index-list"),
        pytest.param(go_index, ({"a": 1.0}, "zz"), None, id="index-map-missing-nil"),
        pytest.param(go_index, (GoMap({"a": "x"}), "zz"), "", id="index-typed-map-zero"),
        pytest.param(go_index, ("héllo", 1), Uint8(0xC3), id="index-string-byte"),
        pytest.param(go_index, ([["a"], ["b", "c"]], 1, 0), "b", id="index-nested"),
        pytest.param(go_slice, (["a", "b", "c"], 1), ["b", "c"], id="slice-list"),
        pytest.param(go_slice, ("héllo", 0, 3), "hé", id="slice-string-bytes"),
        pytest.param(go_len, ("héllo",), 6, id="len-bytes"),
        pytest.param(go_len, ({"a": 1},), 1, id="len-map"),
        pytest.param(go_eq, (1, 2, 3, 1), True, id="eq-multi"),
        pytest.param(go_eq, (None, MISSING), True, id="eq-nil-missing"),
        pytest.param(go_eq, (Int64(3), 3), True, id="eq-int-kinds"),
        pytest.param(go_eq, (Uint8(3), 3), True, id="eq-uint-int"),
        pytest.param(go_lt, ("a", "b"), True, id="lt-strings"),
        pytest.param(go_lt, (-1, Uint8(0)), True, id="lt-int-uint"),
        # errors
        pytest.param(go_index, (["a", "b", "c"], 3), GoFailure("reflect: slice index out of range"), id="index-at-len"),
        pytest.param(go_index, (["a"], 4), GoFailure("index out of range: 4"), id="index-past-len"),
        pytest.param(go_index, (["a"], 1.0), GoFailure("cannot index slice/array with type float64"), id="index-float"),
        pytest.param(go_index, ({"a": 1}, 1), GoFailure("value has type int; should be string"), id="index-key-type"),
        pytest.param(
            go_index, ({"a": 1}, None), GoFailure("value is nil; should be of type string"), id="index-nil-key"
        ),
        pytest.param(go_index, (None, 0), GoFailure("index of untyped nil"), id="index-nil"),
        pytest.param(go_index, (5, 0), GoFailure("can't index item of type int"), id="index-int"),
        pytest.param(go_slice, (["a"], 1, 0), GoFailure("invalid slice index: 1 > 0"), id="slice-inverted"),
        pytest.param(go_slice, ("ab", 0, 1, 2), GoFailure("cannot 3-index slice a string"), id="slice-3-string"),
        pytest.param(go_len, (None,), GoFailure("len of nil pointer"), id="len-nil"),
        pytest.param(go_len, (3.0,), GoFailure("len of type float64"), id="len-float"),
        pytest.param(go_eq, (3.0, 3), GoFailure("incompatible types for comparison"), id="eq-float-int"),
        pytest.param(go_eq, (1,), GoFailure("missing argument for comparison"), id="eq-one-arg"),
        pytest.param(go_eq, ([1], [1]), GoFailure("non-comparable type [%!s(int=1)]: []interface {}"), id="eq-lists"),
        pytest.param(go_lt, (True, False), GoFailure("invalid type for comparison"), id="lt-bools"),
        pytest.param(go_lt, ("a", 1), GoFailure("incompatible types for comparison"), id="lt-mixed"),
        pytest.param(go_call, ("x",), GoFailure("non-function of type string"), id="call-string"),
        pytest.param(go_call, (None,), GoFailure("call of nil"), id="call-nil"),
    ],
)
def test_builtin(fn: Callable[..., Any], args: tuple[Any, ...], want: Any) -> None:
    try:
        got = fn(*args)
    except GoError as e:
        got = GoFailure(str(e))
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize(
    "name, args, want",
    [
        pytest.param("html", ("<a href='x'>&\"\x00",), "&lt;a href=&#39;x&#39;&gt;&amp;&#34;\ufffd", id="html"),
        pytest.param("html", (None,), "&lt;no value&gt;", id="html-nil"),
        pytest.param("js", ("<x>='\"\\\n",), "\\u003Cx\\u003E\\u003D\\'\\\"\\\\\\u000A", id="js"),
        pytest.param("urlquery", ("a b/é~",), "a+b%2F%C3%A9~", id="urlquery"),
        pytest.param("print", (1, 2, "a"), "1 2a", id="print"),
        pytest.param("printf", ("%05.1f", 2.25), "002.2", id="printf"),
    ],
)
def test_string_funcs(name: str, args: tuple[Any, ...], want: str) -> None:
    assert BUILTINS[name].fn(*args) == want


def test_escapers_leave_plain_text() -> None:
    assert html_escape("plain") == "plain" and js_escape("é☃") == "é☃"
