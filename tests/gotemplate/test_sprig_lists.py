"""Sprig lists functions against Go: list.go (Sprig's `slice` replaces the builtin one).

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
    pytest.param("v", "list", [1, "a", None, 2.5], "ok", "[1 a <nil> 2.5]", id="list"),
    pytest.param("json", "list", [], "ok", "[]", id="list-empty-json"),
    pytest.param("type", "tuple", [1], "ok", "[]interface {}", id="tuple"),
    pytest.param("v", "append", [["a"], "b"], "ok", "[a b]", id="append"),
    pytest.param("type", "append", [GoSlice(["a"], elem="string"), "b"], "ok", "[]interface {}", id="append-strings"),
    pytest.param("v", "append", ["demo", "x"], "err", "Cannot push on type string", id="append-string"),
    pytest.param(
        "v",
        "append",
        [None, 1],
        "err",
        "runtime error: invalid memory address or nil pointer dereference",
        id="append-nil",
    ),
    pytest.param("v", "push", [[], 1], "ok", "[1]", id="push"),
    pytest.param("v", "mustAppend", ["demo", "x"], "err", "Cannot push on type string", id="mustAppend-string"),
    pytest.param("v", "mustPush", [[1], [2]], "ok", "[1 [2]]", id="mustPush"),
    pytest.param("v", "prepend", [["a", "b"], "z"], "ok", "[z a b]", id="prepend"),
    pytest.param("v", "prepend", [3, "z"], "err", "Cannot prepend on type int", id="prepend-int"),
    pytest.param("v", "mustPrepend", [GoSlice(["x"], elem="string"), 1], "ok", "[1 x]", id="mustPrepend"),
    pytest.param("v", "first", [["a", "b"]], "ok", "a", id="first"),
    pytest.param("v", "first", [[]], "ok", "<no value>", id="first-empty"),
    pytest.param("type", "first", [GoSlice(["x"], elem="string")], "ok", "string", id="first-strings"),
    pytest.param("v", "first", ["abc"], "err", "Cannot find first on type string", id="first-string"),
    pytest.param("v", "mustFirst", ["abc"], "err", "Cannot find first on type string", id="mustFirst-string"),
    pytest.param(
        "v", "first", [None], "err", "runtime error: invalid memory address or nil pointer dereference", id="first-nil"
    ),
    pytest.param("v", "rest", [["a", "b", "c"]], "ok", "[b c]", id="rest"),
    pytest.param("json", "rest", [[]], "ok", "null", id="rest-empty-json"),
    pytest.param("json", "rest", [["a"]], "ok", "[]", id="rest-one-json"),
    pytest.param("v", "mustRest", [{"a": 1}], "err", "Cannot find rest on type map", id="mustRest-map"),
    pytest.param("v", "last", [["a", "b"]], "ok", "b", id="last"),
    pytest.param("v", "last", [[]], "ok", "<no value>", id="last-empty"),
    pytest.param("v", "mustLast", [GoSlice(["p", "q"], elem="string")], "ok", "q", id="mustLast"),
    pytest.param("v", "initial", [["a", "b", "c"]], "ok", "[a b]", id="initial"),
    pytest.param("json", "initial", [[]], "ok", "null", id="initial-empty-json"),
    pytest.param(
        "v",
        "mustInitial",
        [None],
        "err",
        "runtime error: invalid memory address or nil pointer dereference",
        id="mustInitial-nil",
    ),
    pytest.param("v", "reverse", [[1, "b", None]], "ok", "[<nil> b 1]", id="reverse"),
    pytest.param("v", "reverse", ["abc"], "err", "Cannot find reverse on type string", id="reverse-string"),
    pytest.param("json", "mustReverse", [[]], "ok", "[]", id="mustReverse-empty-json"),
    pytest.param("v", "uniq", [[1, 1, "1", 1.0, 1.0, None, None, ["a"], ["a"]]], "ok", "[1 1 1 <nil> [a]]", id="uniq"),
    pytest.param("v", "mustUniq", [GoSlice(["a", "b", "a"], elem="string")], "ok", "[a b]", id="mustUniq"),
    pytest.param("v", "uniq", [True], "err", "Cannot find uniq on type bool", id="uniq-bool"),
    pytest.param("v", "without", [[1, 2, 3, 2, "2"], 2, 5], "ok", "[1 3 2]", id="without"),
    pytest.param("v", "without", [[1.0, 2.0], 1], "ok", "[1 2]", id="without-float"),
    pytest.param("v", "mustWithout", ["abc", 1], "err", "Cannot find without on type string", id="mustWithout-string"),
    pytest.param("v", "has", [1, [1, 2]], "ok", "true", id="has"),
    pytest.param("v", "has", [1, [1.0]], "ok", "false", id="has-float-vs-int"),
    pytest.param("v", "has", [1.0, [1.0]], "ok", "true", id="has-float"),
    pytest.param("v", "has", ["a", None], "ok", "false", id="has-nil-haystack"),
    pytest.param("v", "has", [None, ["a", None]], "ok", "true", id="has-nil-needle"),
    pytest.param("v", "has", ["a", "abc"], "err", "Cannot find has on type string", id="has-string"),
    pytest.param("v", "mustHas", ["b", GoSlice(["a", "b"], elem="string")], "ok", "true", id="mustHas-strings"),
    pytest.param("v", "slice", [[1, 2, 3]], "ok", "[1 2 3]", id="slice-all"),
    pytest.param("v", "slice", [[1, 2, 3], 1], "ok", "[2 3]", id="slice-from"),
    pytest.param("v", "slice", [[1, 2, 3, 4], 1, 3], "ok", "[2 3]", id="slice-range"),
    pytest.param("v", "slice", [[1, 2, 3, 4], 1.0, "3"], "ok", "[2 3]", id="slice-float-index"),
    pytest.param("v", "slice", [[]], "ok", "<no value>", id="slice-empty"),
    pytest.param(
        "type", "slice", [GoSlice(["a", "b", "c"], elem="string"), 1], "ok", "[]string", id="slice-strings-type"
    ),
    pytest.param(
        "v", "slice", [[1, 2, 3], 2, 1], "err", "reflect.Value.Slice: slice index out of bounds", id="slice-bad-range"
    ),
    pytest.param(
        "v", "slice", [[1, 2, 3], 0, 10], "err", "reflect.Value.Slice: slice index out of bounds", id="slice-past-end"
    ),
    pytest.param(
        "v", "slice", ["abc", 1], "err", "list should be type of slice or array but string", id="slice-string"
    ),
    pytest.param("v", "mustSlice", [[1, 2, 3], 2], "ok", "[3]", id="mustSlice"),
    pytest.param("v", "concat", [[1, 2], GoSlice(["a"], elem="string"), []], "ok", "[1 2 a]", id="concat"),
    pytest.param("json", "concat", [], "ok", "null", id="concat-none-json"),
    pytest.param("json", "concat", [[], []], "ok", "null", id="concat-empties-json"),
    pytest.param("v", "concat", [[1], "abc"], "err", "Cannot concat type string as list", id="concat-string"),
    pytest.param(
        "v",
        "concat",
        [[1], None],
        "err",
        "runtime error: invalid memory address or nil pointer dereference",
        id="concat-nil",
    ),
    pytest.param("v", "chunk", [2, [1, 2, 3, 4, 5]], "ok", "[[1 2] [3 4] [5]]", id="chunk"),
    pytest.param("v", "chunk", [2, [1, 2, 3, 4]], "ok", "[[1 2] [3 4]]", id="chunk-even"),
    pytest.param("v", "chunk", [10, [1, 2]], "ok", "[[1 2]]", id="chunk-big"),
    pytest.param("json", "chunk", [3, []], "ok", "[]", id="chunk-empty-json"),
    pytest.param("type", "chunk", [1, [1]], "ok", "[][]interface {}", id="chunk-type"),
    pytest.param("v", "chunk", [0, [1, 2]], "err", "runtime error: makeslice: len out of range", id="chunk-zero"),
    pytest.param(
        "v", "chunk", [-1, [1, 2, 3]], "err", "runtime error: makeslice: len out of range", id="chunk-negative"
    ),
    pytest.param(
        "v", "chunk", [-1, []], "err", "runtime error: makeslice: len out of range", id="chunk-negative-empty"
    ),
    pytest.param("v", "chunk", [-5, [1, 2, 3]], "ok", "[]", id="chunk-negative-big"),
    pytest.param("v", "mustChunk", [2, "abc"], "err", "Cannot chunk type string", id="mustChunk-string"),
    pytest.param(
        "v", "compact", [[0, 1, "", "a", None, False, True, [], {}, 0.0, ["x"]]], "ok", "[1 a true [x]]", id="compact"
    ),
    pytest.param("json", "compact", [[]], "ok", "[]", id="compact-empty-json"),
    pytest.param("v", "mustCompact", ["abc"], "err", "Cannot compact on type string", id="mustCompact-string"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
