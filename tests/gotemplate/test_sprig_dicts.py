"""Sprig dicts functions against Go: dict.go, with mergo 0.3.12's merge rules.

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
    pytest.param("v", "dict", ["a", 1, "b", "two"], "ok", "map[a:1 b:two]", id="dict"),
    pytest.param("v", "dict", ["a", 1, "b"], "ok", "map[a:1 b:]", id="dict-odd"),
    pytest.param(
        "v",
        "dict",
        [1, "x", 2.5, "y", None, "z", True, "t"],
        "ok",
        "map[1:x 2.5:y <nil>:z true:t]",
        id="dict-key-strval",
    ),
    pytest.param("json", "dict", [], "ok", "{}", id="dict-empty"),
    pytest.param("v", "get", [{"a": 1}, "a"], "ok", "1", id="get"),
    pytest.param("v", "get", [{"a": 1}, "b"], "ok", "", id="get-missing"),
    pytest.param("v", "get", [{"a": None}, "a"], "ok", "<no value>", id="get-nil-value"),
    pytest.param("v", "set", [{"a": 1}, "b", 2], "ok", "map[a:1 b:2]", id="set"),
    pytest.param("v", "set", [{"a": 1}, "a", "x"], "ok", "map[a:x]", id="set-overwrite"),
    pytest.param("v", "unset", [{"a": 1, "b": 2}, "a"], "ok", "map[b:2]", id="unset"),
    pytest.param("v", "unset", [{"a": 1}, "z"], "ok", "map[a:1]", id="unset-missing"),
    pytest.param("v", "hasKey", [{"a": None}, "a"], "ok", "true", id="hasKey"),
    pytest.param("v", "hasKey", [{"a": 1}, "b"], "ok", "false", id="hasKey-missing"),
    pytest.param("v", "pluck", ["a", {"a": 1}, {"b": 2}, {"a": "x"}], "ok", "[1 x]", id="pluck"),
    pytest.param("json", "pluck", ["a"], "ok", "[]", id="pluck-none-json"),
    pytest.param("v", "keys", [{"a": 1}], "ok", "[a]", id="keys-single"),
    pytest.param("type", "keys", [{"a": 1}], "ok", "[]string", id="keys-type"),
    pytest.param("json", "keys", [], "ok", "[]", id="keys-none-json"),
    pytest.param("v", "pick", [{"a": 1, "b": 2, "c": 3}, "a", "c", "z"], "ok", "map[a:1 c:3]", id="pick"),
    pytest.param("v", "omit", [{"a": 1, "b": 2, "c": 3}, "a", "z"], "ok", "map[b:2 c:3]", id="omit"),
    pytest.param("v", "values", [{"a": [1]}], "ok", "[[1]]", id="values-single"),
    pytest.param("json", "values", [{}], "ok", "[]", id="values-empty-json"),
    pytest.param(
        "v",
        "merge",
        [{"a": 1, "b": "", "c": {"x": 1}}, {"a": 2, "b": "B", "c": {"x": 2, "y": 3}, "d": 4}],
        "ok",
        "map[a:1 b:B c:map[x:1 y:3] d:4]",
        id="merge-fill",
    ),
    pytest.param("v", "merge", [{"a": 1}, {"a": None, "b": None}], "ok", "map[a:1]", id="merge-nil-src-value"),
    pytest.param(
        "v",
        "merge",
        [{"l": [1], "e": [], "s": "x"}, {"l": [2], "e": [3], "s": [4], "n": [5]}],
        "ok",
        "map[e:[3] l:[1] n:[5] s:x]",
        id="merge-lists",
    ),
    pytest.param(
        "v",
        "merge",
        [{"a": "x", "b": ""}, {"a": {"k": 1}, "b": {"k": 2}}],
        "ok",
        "map[a:x b:map[k:2]]",
        id="merge-map-over-scalar",
    ),
    pytest.param("v", "merge", [{}, {"l": [1], "m": {"k": 1}}], "ok", "map[l:[1] m:map[k:1]]", id="merge-empty-dst"),
    pytest.param("v", "merge", [{"a": 1}, {"b": 2}, {"a": 3, "c": 3}], "ok", "map[a:1 b:2 c:3]", id="merge-several"),
    pytest.param(
        "v",
        "merge",
        [{"a": 0, "b": False, "c": 0.0}, {"a": 5, "b": True, "c": 2.5}],
        "ok",
        "map[a:5 b:true c:2.5]",
        id="merge-zero-values",
    ),
    pytest.param(
        "v",
        "merge",
        [{"a": {"b": {"c": 1}}}, {"a": {"b": {"d": 2, "c": 9}, "e": 3}}],
        "ok",
        "map[a:map[b:map[c:1 d:2] e:3]]",
        id="merge-deep",
    ),
    pytest.param(
        "v",
        "mergeOverwrite",
        [{"a": 1, "b": "x", "c": {"x": 1}}, {"a": 2, "b": "", "c": {"y": 2}}],
        "ok",
        "map[a:2 b: c:map[x:1 y:2]]",
        id="mergeOverwrite",
    ),
    pytest.param("v", "mergeOverwrite", [{"a": 1}, {"a": None}], "ok", "map[a:<nil>]", id="mergeOverwrite-nil"),
    pytest.param(
        "v",
        "mergeOverwrite",
        [{"a": "x", "l": [1]}, {"a": {"k": 1}, "l": {"k": 2}}],
        "ok",
        "map[a:x l:[1]]",
        id="mergeOverwrite-map-over-scalar",
    ),
    pytest.param(
        "v",
        "mergeOverwrite",
        [{"l": [1, 2], "e": "x"}, {"l": [3], "e": []}],
        "ok",
        "map[e:[] l:[3]]",
        id="mergeOverwrite-lists",
    ),
    pytest.param(
        "v",
        "mergeOverwrite",
        [{"a": {"k": 1}}, {"a": "flat"}],
        "ok",
        "map[a:flat]",
        id="mergeOverwrite-scalar-over-map",
    ),
    pytest.param("v", "mustMerge", [{"a": 1}, {"b": 2}], "ok", "map[a:1 b:2]", id="mustMerge"),
    pytest.param("v", "mustMergeOverwrite", [{"a": 1}, {"a": 2}], "ok", "map[a:2]", id="mustMergeOverwrite"),
    pytest.param("v", "deepCopy", [{"a": [1, {"b": 2}]}], "ok", "map[a:[1 map[b:2]]]", id="deepCopy"),
    pytest.param(
        "v", "deepCopy", [None], "err", "reflect: call of reflect.Value.Type on zero Value", id="deepCopy-nil"
    ),
    pytest.param(
        "type", "deepCopy", [GoSlice(["a", "b"], elem="string")], "ok", "[]string", id="deepCopy-strings-type"
    ),
    pytest.param("json", "mustDeepCopy", [[1, "a"]], "ok", '[1,"a"]', id="mustDeepCopy"),
    pytest.param("v", "dig", ["a", "b", "def", {"a": {"b": 1}}], "ok", "1", id="dig"),
    pytest.param("v", "dig", ["a", "x", "def", {"a": {"b": 1}}], "ok", "def", id="dig-missing"),
    pytest.param("v", "dig", ["z", "x", "def", {"a": {"b": 1}}], "ok", "def", id="dig-missing-first"),
    pytest.param("v", "dig", ["a", "def", {"a": 7}], "ok", "7", id="dig-one-key"),
    pytest.param("v", "dig", ["a", "def", {"a": None}], "ok", "<no value>", id="dig-nil-value"),
    pytest.param(
        "v",
        "dig",
        ["a", "b", "def", {"a": "x"}],
        "err",
        "interface conversion: interface {} is string, not map[string]interface {}",
        id="dig-through-scalar",
    ),
    pytest.param(
        "v",
        "dig",
        ["c", "d", "x", "name"],
        "err",
        "interface conversion: interface {} is string, not map[string]interface {}",
        id="dig-not-map",
    ),
    pytest.param(
        "v",
        "dig",
        [1, "d", {"a": 1}],
        "err",
        "interface conversion: interface {} is int, not string",
        id="dig-key-not-string",
    ),
    pytest.param("v", "dig", ["a", {"a": 1}], "err", "dig needs at least three arguments", id="dig-too-few"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
