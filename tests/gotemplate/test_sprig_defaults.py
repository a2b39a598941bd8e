"""Sprig defaults functions against Go: defaults.go (default, empty, coalesce, all, any, ternary, fail).

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
    pytest.param("v", "default", ["x", ""], "ok", "x", id="default-empty-string"),
    pytest.param("v", "default", ["x", "demo"], "ok", "demo", id="default-set"),
    pytest.param("v", "default", ["x", None], "ok", "x", id="default-nil"),
    pytest.param("v", "default", ["x"], "ok", "x", id="default-none-given"),
    pytest.param("v", "default", [5, 0], "ok", "5", id="default-zero"),
    pytest.param("v", "default", [5, 0.0], "ok", "5", id="default-zero-float"),
    pytest.param("v", "default", ["x", False], "ok", "x", id="default-false"),
    pytest.param("v", "default", [[1], []], "ok", "[1]", id="default-empty-list"),
    pytest.param("v", "default", ["d", {}], "ok", "d", id="default-empty-map"),
    pytest.param("v", "default", ["d", "a", "b"], "ok", "a", id="default-two-given"),
    pytest.param("v", "default", ["d", "", "b"], "ok", "d", id="default-first-empty"),
    pytest.param("v", "default", [None, ""], "ok", "<no value>", id="default-nil-default"),
    pytest.param(
        "v",
        "default",
        ["d", Lazy(lambda: SPRIG_FUNCS["toDate"]("2006", "2020"))],
        "ok",
        "2020-01-01 00:00:00 +0000 UTC",
        id="default-struct",
    ),
    pytest.param("v", "empty", [""], "ok", "true", id="empty-string"),
    pytest.param("v", "empty", ["a"], "ok", "false", id="empty-nonempty"),
    pytest.param("v", "empty", [None], "ok", "true", id="empty-nil"),
    pytest.param("v", "empty", [0], "ok", "true", id="empty-zero"),
    pytest.param("v", "empty", [-0.0], "ok", "true", id="empty-negzero"),
    pytest.param("v", "empty", [[]], "ok", "true", id="empty-list"),
    pytest.param("v", "empty", [[None]], "ok", "false", id="empty-list-with-nil"),
    pytest.param("v", "empty", [{}], "ok", "true", id="empty-map"),
    pytest.param("v", "empty", [True], "ok", "false", id="empty-true"),
    pytest.param("v", "empty", [Int64(0)], "ok", "true", id="empty-int64"),
    pytest.param("v", "empty", [Lazy(lambda: SPRIG_FUNCS["toDate"]("2006", "bad"))], "ok", "false", id="empty-time"),
    pytest.param("v", "coalesce", [0, [], "", 7, "x"], "ok", "7", id="coalesce"),
    pytest.param("v", "coalesce", [0, None], "ok", "<no value>", id="coalesce-none"),
    pytest.param("v", "coalesce", [], "ok", "<no value>", id="coalesce-nothing"),
    pytest.param("v", "all", [1, "a", True], "ok", "true", id="all-true"),
    pytest.param("v", "all", [1, "", True], "ok", "false", id="all-false"),
    pytest.param("v", "all", [], "ok", "true", id="all-none"),
    pytest.param("v", "any", [0, "", "x"], "ok", "true", id="any-true"),
    pytest.param("v", "any", [0, "", None], "ok", "false", id="any-false"),
    pytest.param("v", "any", [], "ok", "false", id="any-none"),
    pytest.param("v", "ternary", ["yes", "no", True], "ok", "yes", id="ternary-true"),
    pytest.param("v", "ternary", ["yes", "no", False], "ok", "no", id="ternary-false"),
    pytest.param("v", "ternary", [None, "no", True], "ok", "<no value>", id="ternary-nil"),
    pytest.param("v", "fail", ["boom"], "err", "boom", id="fail"),
    pytest.param("v", "fail", [""], "err", "", id="fail-empty"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
