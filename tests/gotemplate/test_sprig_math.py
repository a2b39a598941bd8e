"""Sprig math functions against Go: numeric.go and functions.go arithmetic, with spf13/cast 1.5.0 conversions and shopspring/decimal.

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
    pytest.param("v", "add", [1, 2, 3], "ok", "6", id="add"),
    pytest.param("v", "add", [], "ok", "0", id="add-none"),
    pytest.param("v", "add", [2.5, 2.5], "ok", "4", id="add-floats-truncate"),
    pytest.param("v", "add", ["3", "0x10", "1.0", "1.5", "abc", " 2"], "ok", "20", id="add-strings"),
    pytest.param("v", "add", [None, True, False], "ok", "1", id="add-nil-bool"),
    pytest.param("v", "add", [9223372036854775807, 1], "ok", "-9223372036854775808", id="add-overflow"),
    pytest.param("type", "add", [1], "ok", "int64", id="add-type"),
    pytest.param("v", "add", ["017", "1_000", "0b11", "0o7"], "ok", "1025", id="add-octal-underscore"),
    pytest.param("v", "add", [1e30], "ok", "-9223372036854775808", id="add-float-out-of-range"),
    pytest.param("v", "add1", [7], "ok", "8", id="add1"),
    pytest.param("v", "add1", [2.9], "ok", "3", id="add1-float"),
    pytest.param("v", "sub", [10, 3], "ok", "7", id="sub"),
    pytest.param("v", "sub", ["10", "x"], "ok", "10", id="sub-strings"),
    pytest.param("v", "div", [10, 3], "ok", "3", id="div"),
    pytest.param("v", "div", [-7, 2], "ok", "-3", id="div-negative"),
    pytest.param("v", "div", [1, 0], "err", "runtime error: integer divide by zero", id="div-zero"),
    pytest.param("v", "div", [Int64(-9223372036854775808), -1], "ok", "-9223372036854775808", id="div-minint"),
    pytest.param("v", "mod", [10, 3], "ok", "1", id="mod"),
    pytest.param("v", "mod", [-7, 3], "ok", "-1", id="mod-negative"),
    pytest.param("v", "mod", [7, -3], "ok", "1", id="mod-negative-divisor"),
    pytest.param("v", "mod", [1, 0], "err", "runtime error: integer divide by zero", id="mod-zero"),
    pytest.param("v", "mul", [2, 3, 4], "ok", "24", id="mul"),
    pytest.param("v", "mul", [5], "ok", "5", id="mul-single"),
    pytest.param("v", "mul", [4294967296, 4294967296], "ok", "0", id="mul-overflow"),
    pytest.param("v", "max", [3, 9, "12", 1.5], "ok", "12", id="max"),
    pytest.param("v", "max", [3], "ok", "3", id="max-single"),
    pytest.param("v", "biggest", [1, 9], "ok", "9", id="biggest"),
    pytest.param("v", "min", [3, -9, "x"], "ok", "-9", id="min"),
    pytest.param("type", "min", [1], "ok", "int64", id="min-type"),
    pytest.param("v", "maxf", [1.5, 2.5, 0.5], "ok", "2.5", id="maxf"),
    pytest.param("v", "maxf", [1, "2.5"], "ok", "2.5", id="maxf-ints"),
    pytest.param("type", "maxf", [1], "ok", "float64", id="maxf-type"),
    pytest.param("v", "minf", [1.5, -2, "x"], "ok", "-2", id="minf"),
    pytest.param("v", "minf", [0.0, -0.0], "ok", "-0", id="minf-zeros"),
    pytest.param("v", "floor", [2.7], "ok", "2", id="floor"),
    pytest.param("v", "floor", [-2.5], "ok", "-3", id="floor-negative"),
    pytest.param("v", "floor", ["3.9"], "ok", "3", id="floor-string"),
    pytest.param("v", "ceil", [2.1], "ok", "3", id="ceil"),
    pytest.param("v", "ceil", [-0.5], "ok", "-0", id="ceil-negative-small"),
    pytest.param("v", "round", [2.5, 0], "ok", "3", id="round"),
    pytest.param("v", "round", [2.345, 2], "ok", "2.35", id="round-places"),
    pytest.param("v", "round", [1234.5678, -2], "ok", "1200", id="round-negative-places"),
    pytest.param("v", "round", [2.5, 0, 0.6], "ok", "2", id="round-custom"),
    pytest.param("v", "round", [-2.5, 0], "ok", "-3", id="round-negative"),
    pytest.param("v", "round", [1.5, 400], "ok", "NaN", id="round-big-places"),
    pytest.param("v", "round", [1.5, -400], "ok", "NaN", id="round-tiny-places"),
    pytest.param("type", "round", [1, 0], "ok", "float64", id="round-type"),
    pytest.param("v", "until", [5], "ok", "[0 1 2 3 4]", id="until"),
    pytest.param("json", "until", [0], "ok", "[]", id="until-zero-json"),
    pytest.param("v", "until", [-3], "ok", "[0 -1 -2]", id="until-negative"),
    pytest.param("type", "until", [2], "ok", "[]int", id="until-type"),
    pytest.param("v", "untilStep", [0, 10, 3], "ok", "[0 3 6 9]", id="untilStep"),
    pytest.param("v", "untilStep", [0, 10, 0], "ok", "[]", id="untilStep-zero-step"),
    pytest.param("v", "untilStep", [10, 0, -3], "ok", "[10 7 4 1]", id="untilStep-down"),
    pytest.param("v", "untilStep", [10, 0, 3], "ok", "[]", id="untilStep-down-positive-step"),
    pytest.param("v", "seq", [3], "ok", "1 2 3", id="seq-one"),
    pytest.param("v", "seq", [0], "ok", "1 0", id="seq-zero"),
    pytest.param("v", "seq", [5, 2], "ok", "5 4 3 2", id="seq-two"),
    pytest.param("v", "seq", [0, 2, 10], "ok", "0 2 4 6 8 10", id="seq-three"),
    pytest.param("v", "seq", [10, -3, 0], "ok", "10 7 4 1", id="seq-three-down"),
    pytest.param("v", "seq", [10, 3, 0], "ok", "", id="seq-three-bad-step"),
    pytest.param("v", "seq", [1, 2, 3, 4], "ok", "", id="seq-four"),
    pytest.param("v", "seq", [], "ok", "", id="seq-none"),
    pytest.param("v", "int", ["42"], "ok", "42", id="int-string"),
    pytest.param("v", "int", [2.9], "ok", "2", id="int-float"),
    pytest.param("v", "int", [-3.7], "ok", "-3", id="int-negative-float"),
    pytest.param("v", "int", ["0x1F"], "ok", "31", id="int-hex"),
    pytest.param("v", "int", ["12.00"], "ok", "12", id="int-trailing-zero"),
    pytest.param("v", "int", ["12.5"], "ok", "0", id="int-frac"),
    pytest.param("v", "int", ["abc"], "ok", "0", id="int-bad"),
    pytest.param("v", "int", [None], "ok", "0", id="int-nil"),
    pytest.param("v", "int", [True], "ok", "1", id="int-bool"),
    pytest.param("v", "int", [[1]], "ok", "0", id="int-list"),
    pytest.param("type", "int", ["1"], "ok", "int", id="int-type"),
    pytest.param("v", "int64", [2.5], "ok", "2", id="int64-float"),
    pytest.param("type", "int64", [1], "ok", "int64", id="int64-type"),
    pytest.param("v", "float64", ["2.5e3"], "ok", "2500", id="float64-string"),
    pytest.param("v", "float64", ["abc"], "ok", "0", id="float64-bad"),
    pytest.param("v", "float64", [True], "ok", "1", id="float64-bool"),
    pytest.param("v", "float64", ["1e21"], "ok", "1e+21", id="float64-big"),
    pytest.param("v", "float64", ["1e400"], "ok", "0", id="float64-overflow"),
    pytest.param("v", "float64", ["-Infinity"], "ok", "-Inf", id="float64-inf"),
    pytest.param("v", "float64", ["0x1p-2"], "ok", "0.25", id="float64-hex"),
    pytest.param("v", "float64", ["1_000.5"], "ok", "1000.5", id="float64-underscore"),
    pytest.param("type", "float64", [1], "ok", "float64", id="float64-type"),
    pytest.param("v", "toDecimal", ["0777"], "ok", "511", id="toDecimal"),
    pytest.param("v", "toDecimal", ["9"], "ok", "0", id="toDecimal-bad"),
    pytest.param("v", "toDecimal", [10], "ok", "8", id="toDecimal-int"),
    pytest.param("v", "toDecimal", [1000000.0], "ok", "0", id="toDecimal-float"),
    pytest.param("v", "toDecimal", ["-17"], "ok", "-15", id="toDecimal-negative"),
    pytest.param("v", "addf", [1.5, 2, "0.25"], "ok", "3.75", id="addf"),
    pytest.param("v", "addf", [0.1, 0.2], "ok", "0.3", id="addf-decimal"),
    pytest.param("v", "addf", [], "ok", "0", id="addf-none"),
    pytest.param("v", "add1f", [0.1], "ok", "1.1", id="add1f"),
    pytest.param("v", "subf", [10, 2.5, 1], "ok", "6.5", id="subf"),
    pytest.param("v", "subf", [3.5], "ok", "3.5", id="subf-single"),
    pytest.param("v", "mulf", [1.1, 3], "ok", "3.3", id="mulf"),
    pytest.param("v", "divf", [10, 3], "ok", "3.3333333333333335", id="divf"),
    pytest.param("v", "divf", [2, 3], "ok", "0.6666666666666667", id="divf-two-thirds"),
    pytest.param("v", "divf", [-2, 3], "ok", "-0.6666666666666667", id="divf-negative"),
    pytest.param("v", "divf", [1, 0], "err", "decimal division by 0", id="divf-zero"),
    pytest.param("type", "divf", [1, 2], "ok", "float64", id="divf-type"),
    pytest.param("v", "addf", [float("nan")], "err", "Cannot create a Decimal from NaN", id="addf-nan"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
