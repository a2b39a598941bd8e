"""Sprig encoding functions against Go: Go's encoding/json (toJson & co.), base64 and base32.

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
    pytest.param(
        "v",
        "toJson",
        [{"b": [1, 2.5, None, True], "a": "x", "c": {}}],
        "ok",
        '{"a":"x","b":[1,2.5,null,true],"c":{}}',
        id="toJson-map",
    ),
    pytest.param(
        "v",
        "toJson",
        [[1000000.0, 1.5e-07, 1e21, 1e20, 123456789.0, -0.0, 1e-06, 1e-07]],
        "ok",
        "[1000000,1.5e-7,1e+21,100000000000000000000,123456789,-0,0.000001,1e-7]",
        id="toJson-floats",
    ),
    pytest.param(
        "v",
        "toJson",
        ["<a href=\"x\">Tom & 'Jerry'</a>"],
        "ok",
        '"\\u003ca href=\\"x\\"\\u003eTom \\u0026 \'Jerry\'\\u003c/a\\u003e"',
        id="toJson-html",
    ),
    pytest.param(
        "v",
        "toJson",
        ["\x08\x0c\n\r\t\x01\x7f\u2028\u2029é"],
        "ok",
        '"\\u0008\\u000c\\n\\r\\t\\u0001\x7f\\u2028\\u2029é"',
        id="toJson-controls",
    ),
    pytest.param(
        "v", "toJson", [Lazy(lambda: SPRIG_FUNCS["substr"](0, 2, "0ςY"))], "ok", '"0\\ufffd"', id="toJson-invalid-utf8"
    ),
    pytest.param("v", "toJson", [None], "ok", "null", id="toJson-nil"),
    pytest.param("v", "toJson", [float("nan")], "ok", "", id="toJson-nan"),
    pytest.param("v", "toJson", [Int64(5)], "ok", "5", id="toJson-int64"),
    pytest.param("v", "toJson", [GoSlice(["a", "b"], elem="string")], "ok", '["a","b"]', id="toJson-strings"),
    pytest.param("v", "toJson", [[1]], "ok", "[1]", id="toJson-bytes"),
    pytest.param("v", "toJson", [GoMap({"_0": "a", "_1": "b"})], "ok", '{"_0":"a","_1":"b"}', id="toJson-split"),
    pytest.param("v", "mustToJson", [float("inf")], "err", "json: unsupported value: +Inf", id="mustToJson-nan"),
    pytest.param("v", "mustToJson", [{"k": "<v>"}], "ok", '{"k":"\\u003cv\\u003e"}', id="mustToJson"),
    pytest.param(
        "v",
        "toPrettyJson",
        [{"b": [1, {"x": []}], "a": {}, "c": "<"}],
        "ok",
        '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "x": []\n    }\n  ],\n  "c": "\\u003c"\n}',
        id="toPrettyJson",
    ),
    pytest.param("v", "toPrettyJson", ["x"], "ok", '"x"', id="toPrettyJson-scalar"),
    pytest.param("v", "toPrettyJson", [[]], "ok", "[]", id="toPrettyJson-empty-list"),
    pytest.param(
        "v",
        "mustToPrettyJson",
        [[1, [2, [3]]]],
        "ok",
        "[\n  1,\n  [\n    2,\n    [\n      3\n    ]\n  ]\n]",
        id="mustToPrettyJson",
    ),
    pytest.param(
        "v", "toRawJson", [{"h": "<a> & b", "u": "\u2028"}], "ok", '{"h":"<a> & b","u":"\\u2028"}', id="toRawJson"
    ),
    pytest.param("v", "mustToRawJson", [["<>"]], "ok", '["<>"]', id="mustToRawJson"),
    pytest.param("v", "toRawJson", [float("nan")], "err", "json: unsupported value: NaN", id="toRawJson-nan"),
    pytest.param(
        "v",
        "fromJson",
        ['{"a": [1, 2.5, "x", null, true], "b": {"c": 1e3}}'],
        "ok",
        "map[a:[1 2.5 x <nil> true] b:map[c:1000]]",
        id="fromJson-object",
    ),
    pytest.param("type", "fromJson", ["42"], "ok", "float64", id="fromJson-number-type"),
    pytest.param("v", "fromJson", ["not json"], "ok", "<no value>", id="fromJson-invalid"),
    pytest.param("v", "fromJson", ['"a\\u00e9\\ud83d\\ude00\\n\\/"'], "ok", "aé😀\n/", id="fromJson-escapes"),
    pytest.param("v", "fromJson", ['{"a": 1, "a": 2}'], "ok", "map[a:2]", id="fromJson-dup-keys"),
    pytest.param(
        "v",
        "mustFromJson",
        ["not json"],
        "err",
        "invalid character 'o' in literal null (expecting 'u')",
        id="mustFromJson-literal",
    ),
    pytest.param("v", "mustFromJson", [""], "err", "unexpected end of JSON input", id="mustFromJson-empty"),
    pytest.param(
        "v", "mustFromJson", ['{"a": [1, 2'], "err", "unexpected end of JSON input", id="mustFromJson-truncated"
    ),
    pytest.param(
        "v", "mustFromJson", ["[1] x"], "err", "invalid character 'x' after top-level value", id="mustFromJson-trailing"
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["{a: 1}"],
        "err",
        "invalid character 'a' looking for beginning of object key string",
        id="mustFromJson-key",
    ),
    pytest.param(
        "v", "mustFromJson", ['{"a" 1}'], "err", "invalid character '1' after object key", id="mustFromJson-colon"
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ['{"a": 1 "b": 2}'],
        "err",
        "invalid character '\"' after object key:value pair",
        id="mustFromJson-pair",
    ),
    pytest.param(
        "v", "mustFromJson", ["[1 2]"], "err", "invalid character '2' after array element", id="mustFromJson-array"
    ),
    pytest.param(
        "v", "mustFromJson", ["-x"], "err", "invalid character 'x' in numeric literal", id="mustFromJson-number"
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["1."],
        "err",
        "invalid character ' ' after decimal point in numeric literal",
        id="mustFromJson-dot",
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["1e+"],
        "err",
        "invalid character ' ' in exponent of numeric literal",
        id="mustFromJson-exponent",
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["012"],
        "err",
        "invalid character '1' after top-level value",
        id="mustFromJson-leading-zero",
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["tr"],
        "err",
        "invalid character ' ' in literal true (expecting 'u')",
        id="mustFromJson-literal-eof",
    ),
    pytest.param(
        "v", "mustFromJson", ['"\\x"'], "err", "invalid character 'x' in string escape code", id="mustFromJson-escape"
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ['"\\u12G4"'],
        "err",
        "invalid character 'G' in \\u hexadecimal character escape",
        id="mustFromJson-unicode-escape",
    ),
    pytest.param(
        "v", "mustFromJson", ['"a\tb"'], "err", "invalid character '\\t' in string literal", id="mustFromJson-control"
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["'a'"],
        "err",
        "invalid character '\\'' looking for beginning of value",
        id="mustFromJson-quote-char",
    ),
    pytest.param(
        "v",
        "mustFromJson",
        ["[1e400]"],
        "err",
        "json: cannot unmarshal number 1e400 into Go value of type float64",
        id="mustFromJson-range",
    ),
    pytest.param("v", "mustFromJson", ['  {"z": -0, "y": 1E2}  '], "ok", "map[y:100 z:-0]", id="mustFromJson-ok"),
    pytest.param("v", "b64enc", ["hello world"], "ok", "aGVsbG8gd29ybGQ=", id="b64enc"),
    pytest.param("v", "b64dec", ["aGVsbG8gd29ybGQ="], "ok", "hello world", id="b64dec"),
    pytest.param("v", "b64dec", ["aGVsbG8"], "ok", "illegal base64 data at input byte 4", id="b64dec-no-padding"),
    pytest.param("v", "b64dec", ["!!!!"], "ok", "illegal base64 data at input byte 0", id="b64dec-bad-char"),
    pytest.param("v", "b64dec", ["aGVs\nbG8=\n"], "ok", "hello", id="b64dec-newlines"),
    pytest.param("v", "b64dec", ["aGVsbG8=x"], "ok", "illegal base64 data at input byte 8", id="b64dec-trailing"),
    pytest.param("v", "b64dec", ["a==="], "ok", "illegal base64 data at input byte 1", id="b64dec-bad-padding"),
    pytest.param("v", "b64dec", ["ab="], "ok", "illegal base64 data at input byte 3", id="b64dec-short-padding"),
    pytest.param("v", "b32enc", ["hello!"], "ok", "NBSWY3DPEE======", id="b32enc"),
    pytest.param("v", "b32dec", ["NBSWY3DPEE======"], "ok", "hello!", id="b32dec"),
    pytest.param("v", "b32dec", ["NBSWY3D"], "ok", "illegal base32 data at input byte 0", id="b32dec-short"),
    pytest.param("v", "b32dec", ["MZXQ"], "ok", "illegal base32 data at input byte 0", id="b32dec-unpadded"),
    pytest.param("v", "b32dec", ["MZXQ====x"], "ok", "fo", id="b32dec-trailing"),
    pytest.param("v", "b32dec", ["!"], "ok", "illegal base32 data at input byte 0", id="b32dec-bad"),
    pytest.param("v", "sha1sum", ["hello"], "ok", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", id="sha1sum"),
    pytest.param(
        "v",
        "sha256sum",
        ["hello"],
        "ok",
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        id="sha256sum",
    ),
    pytest.param("v", "adler32sum", ["hello"], "ok", "103547413", id="adler32sum"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
