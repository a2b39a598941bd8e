"""Sprig reflect functions against Go: reflect.go: typeOf/kindOf/typeIs/typeIsLike/kindIs/deepEqual.

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
    pytest.param("v", "typeOf", [1.5], "ok", "float64", id="typeOf-float"),
    pytest.param("v", "typeOf", [1], "ok", "int", id="typeOf-int"),
    pytest.param("v", "typeOf", [None], "ok", "<nil>", id="typeOf-nil"),
    pytest.param("v", "typeOf", [[1]], "ok", "[]interface {}", id="typeOf-list"),
    pytest.param("v", "typeOf", [{"a": 1}], "ok", "map[string]interface {}", id="typeOf-map"),
    pytest.param("v", "typeOf", [GoSlice(["a"], elem="string")], "ok", "[]string", id="typeOf-strings"),
    pytest.param(
        "v", "typeOf", [Lazy(lambda: SPRIG_FUNCS["toDate"]("2006", "2020"))], "ok", "time.Time", id="typeOf-time"
    ),
    pytest.param("v", "kindOf", [1.5], "ok", "float64", id="kindOf-float"),
    pytest.param("v", "kindOf", [None], "ok", "invalid", id="kindOf-nil"),
    pytest.param("v", "kindOf", [[1]], "ok", "slice", id="kindOf-list"),
    pytest.param("v", "kindOf", [GoMap({"_0": "a"})], "ok", "map", id="kindOf-map"),
    pytest.param(
        "v", "kindOf", [Lazy(lambda: SPRIG_FUNCS["toDate"]("2006", "2020"))], "ok", "struct", id="kindOf-time"
    ),
    pytest.param("v", "kindOf", [True], "ok", "bool", id="kindOf-bool"),
    pytest.param("v", "typeIs", ["string", "x"], "ok", "true", id="typeIs"),
    pytest.param("v", "typeIs", ["int", 1.0], "ok", "false", id="typeIs-not"),
    pytest.param(
        "v",
        "typeIsLike",
        ["semver.Version", Lazy(lambda: SPRIG_FUNCS["semver"]("1.0.0"))],
        "ok",
        "true",
        id="typeIsLike-pointer",
    ),
    pytest.param("v", "typeIsLike", ["float64", 1.0], "ok", "true", id="typeIsLike"),
    pytest.param("v", "kindIs", ["slice", ["a"]], "ok", "true", id="kindIs"),
    pytest.param("v", "kindIs", ["invalid", None], "ok", "true", id="kindIs-invalid"),
    pytest.param(
        "v", "deepEqual", [[1, "a", {"k": [2.5]}], [1, "a", {"k": [2.5]}]], "ok", "true", id="deepEqual-lists"
    ),
    pytest.param("v", "deepEqual", [1, 1.0], "ok", "false", id="deepEqual-int-float"),
    pytest.param("v", "deepEqual", [1, Int64(1)], "ok", "false", id="deepEqual-int-int64"),
    pytest.param("v", "deepEqual", [None, None], "ok", "true", id="deepEqual-nil"),
    pytest.param("v", "deepEqual", [None, ""], "ok", "false", id="deepEqual-nil-empty"),
    pytest.param("v", "deepEqual", [float("nan"), float("nan")], "ok", "false", id="deepEqual-nan"),
    pytest.param(
        "v", "deepEqual", [GoSlice(["a"], elem="string"), ["a"]], "ok", "false", id="deepEqual-strings-vs-list"
    ),
    pytest.param("v", "deepEqual", [NilList(), []], "ok", "false", id="deepEqual-nil-slice-vs-empty"),
    pytest.param("v", "deepEqual", [True, 1], "ok", "false", id="deepEqual-bool-int"),
    pytest.param("v", "deepEqual", [{"a": 1, "b": 2}, {"b": 2, "a": 1}], "ok", "true", id="deepEqual-map-order"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
