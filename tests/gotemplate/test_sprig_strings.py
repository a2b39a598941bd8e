"""Sprig strings functions against Go: strings.go, goutils, xstrings and Go's strings package.

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
    pytest.param("v", "abbrev", [5, "hello world"], "ok", "he...", id="abbrev-short"),
    pytest.param("v", "abbrev", [20, "hello world"], "ok", "hello world", id="abbrev-fits"),
    pytest.param("v", "abbrev", [3, "abcdef"], "ok", "abcdef", id="abbrev-width-under-4"),
    pytest.param("v", "abbrev", [4, ""], "ok", "", id="abbrev-empty"),
    pytest.param("v", "abbrevboth", [5, 10, "1234 5678 9123"], "ok", "...5678...", id="abbrevboth-middle"),
    pytest.param("v", "abbrevboth", [1, 10, "1234 5678 9123 4567"], "ok", "1234 56...", id="abbrevboth-left-small"),
    pytest.param("v", "abbrevboth", [5, 6, "1234 5678 9123"], "ok", "1234 5678 9123", id="abbrevboth-right-too-small"),
    pytest.param("v", "abbrevboth", [12, 8, "abcdefghijklmnopqrstuvwxyz"], "ok", "...mn...", id="abbrevboth-tail"),
    pytest.param("v", "trunc", [4, "demo-app"], "ok", "demo", id="trunc-positive"),
    pytest.param("v", "trunc", [-3, "demo-app"], "ok", "app", id="trunc-negative"),
    pytest.param("v", "trunc", [-30, "demo-app"], "ok", "demo-app", id="trunc-negative-too-long"),
    pytest.param("v", "trunc", [2, "héllo"], "ok", "h\udcc3", id="trunc-bytes"),
    pytest.param("v", "trim", ["\t  padded \n"], "ok", "padded", id="trim"),
    pytest.param("v", "trim", ["\x85 x \xa0\x1c"], "ok", "x \xa0\x1c", id="trim-unicode-space"),
    pytest.param("v", "upper", ["héllo ß ǆ"], "ok", "HÉLLO ß Ǆ", id="upper"),
    pytest.param("v", "lower", ["HÉLLO İSTANBUL"], "ok", "héllo istanbul", id="lower"),
    pytest.param(
        "v", "title", ["hello-world foo_bar o'neil 1a a1b ǆa"], "ok", "Hello-World Foo_bar O'Neil 1a A1b ǅa", id="title"
    ),
    pytest.param("v", "untitle", ["Hello World  ÉCOLE"], "ok", "hello world  éCOLE", id="untitle"),
    pytest.param("v", "substr", [0, 5, "hello world"], "ok", "hello", id="substr"),
    pytest.param("v", "substr", [-1, 3, "hello"], "ok", "hel", id="substr-neg-start"),
    pytest.param("v", "substr", [2, 99, "hello"], "ok", "llo", id="substr-end-past"),
    pytest.param("v", "substr", [2, -1, "hello"], "ok", "llo", id="substr-end-negative"),
    pytest.param(
        "v", "substr", [3, 1, "hello"], "err", "runtime error: slice bounds out of range [3:1]", id="substr-reversed"
    ),
    pytest.param(
        "v", "substr", [9, -1, "abc"], "err", "runtime error: slice bounds out of range [9:3]", id="substr-start-past"
    ),
    pytest.param(
        "v", "substr", [-1, -2, "abc"], "err", "runtime error: slice bounds out of range [:-2]", id="substr-neg-both"
    ),
    pytest.param(
        "v",
        "substr",
        [-1, 9, "abc"],
        "err",
        "runtime error: slice bounds out of range [:9] with length 3",
        id="substr-neg-end-past",
    ),
    pytest.param("v", "substr", [0, 3, "héllo"], "ok", "hé", id="substr-unicode-bytes"),
    pytest.param("v", "repeat", [3, "ab"], "ok", "ababab", id="repeat"),
    pytest.param("v", "repeat", [0, "ab"], "ok", "", id="repeat-zero"),
    pytest.param("v", "repeat", [-1, "a"], "err", "strings: negative Repeat count", id="repeat-negative"),
    pytest.param("v", "trimall", ["$", "$5.00$"], "ok", "5.00", id="trimall"),
    pytest.param("v", "trimAll", ["-x", "-x-abc-x-"], "ok", "abc", id="trimAll"),
    pytest.param("v", "trimAll", ["", "  a "], "ok", "  a ", id="trimAll-empty-cutset"),
    pytest.param("v", "trimSuffix", ["-app", "demo-app"], "ok", "demo", id="trimSuffix"),
    pytest.param("v", "trimSuffix", ["x", "demo-app"], "ok", "demo-app", id="trimSuffix-absent"),
    pytest.param("v", "trimSuffix", ["", "demo"], "ok", "demo", id="trimSuffix-empty"),
    pytest.param("v", "trimPrefix", ["demo-", "demo-app"], "ok", "app", id="trimPrefix"),
    pytest.param("v", "nospace", [" a b\tc\nd "], "ok", "abcd", id="nospace"),
    pytest.param("v", "nospace", ["h é\xa0x"], "ok", "hÃ©Âx", id="nospace-bytes"),
    pytest.param("v", "nospace", ["héllo"], "ok", "héllo", id="nospace-none"),
    pytest.param("v", "initials", ["First Middle last"], "ok", "FMl", id="initials"),
    pytest.param("v", "initials", ["ébc déf"], "ok", "Ãd", id="initials-bytes"),
    pytest.param("v", "swapcase", ["Hello World ǆ ÉA"], "ok", "hELLO wORLD ǅ éa", id="swapcase"),
    pytest.param(
        "v",
        "snakecase",
        ["HTTPServer2xxOK Bld4Floor3rd--x"],
        "ok",
        "http_server_2xx_ok_bld4_floor_3rd__x",
        id="snakecase",
    ),
    pytest.param("v", "snakecase", ["helloWorldFOOBar"], "ok", "hello_world_foo_bar", id="snakecase-camel"),
    pytest.param("v", "snakecase", ["日本語ABC"], "ok", "日本語_abc", id="snakecase-cjk"),
    pytest.param("v", "snakecase", ["a.b!C"], "ok", "a.b!c", id="snakecase-punct"),
    pytest.param(
        "v", "kebabcase", ["GO PATH.x!y helloWorld_fooBar"], "ok", "go-path.x!y-hello-world-foo-bar", id="kebabcase"
    ),
    pytest.param("v", "kebabcase", ["İÉbĳ"], "ok", "i-ébĳ", id="kebabcase-dotted-i"),
    pytest.param(
        "v", "kebabcase", ["HTTP20xOK Duration2m3s"], "ok", "http-20x-ok-duration-2m3s", id="kebabcase-number"
    ),
    pytest.param("v", "camelcase", ["http_server-name x"], "ok", "HttpServerNameX", id="camelcase"),
    pytest.param("v", "camelcase", ["__"], "ok", "___", id="camelcase-connectors"),
    pytest.param("v", "camelcase", ["_a"], "ok", "_A", id="camelcase-leading"),
    pytest.param("v", "camelcase", ["a__b  c"], "ok", "A_B C", id="camelcase-double"),
    pytest.param("v", "camelcase", [""], "ok", "", id="camelcase-empty"),
    pytest.param("v", "wrap", [5, "this is a long line"], "ok", "this\nis a\nlong\nline", id="wrap"),
    pytest.param("v", "wrap", [3, "abcdefgh ij"], "ok", "abcdefgh\nij", id="wrap-long-word"),
    pytest.param("v", "wrap", [0, "a b"], "ok", "a\nb", id="wrap-zero"),
    pytest.param(
        "v", "wrapWith", [5, "<br>", "this is a long line"], "ok", "this<br>is a<br>long<br>line", id="wrapWith"
    ),
    pytest.param("v", "wrapWith", [3, "|", "abcdefgh ij"], "ok", "abc|def|gh|ij", id="wrapWith-long-word"),
    pytest.param("v", "contains", ["lo w", "hello world"], "ok", "true", id="contains"),
    pytest.param("v", "contains", ["x", "hello"], "ok", "false", id="contains-not"),
    pytest.param("v", "hasPrefix", ["he", "hello"], "ok", "true", id="hasPrefix"),
    pytest.param("v", "hasSuffix", ["lo", "hello"], "ok", "true", id="hasSuffix"),
    pytest.param("v", "quote", ["demo", 7, None, 2.5, True], "ok", '"demo" "7" "2.5" "true"', id="quote"),
    pytest.param("v", "quote", ['a"b\\c\n\t\x01é\xa0'], "ok", '"a\\"b\\\\c\\n\\t\\x01é\\u00a0"', id="quote-escapes"),
    pytest.param("v", "quote", [["a", 1]], "ok", '"[a 1]"', id="quote-list"),
    pytest.param("v", "quote", [], "ok", "", id="quote-none"),
    pytest.param("v", "squote", ["demo", None, 1500000.0, ["x"]], "ok", "'demo' '1.5e+06' '[x]'", id="squote"),
    pytest.param("v", "cat", ["a", None, 2, 1e21, {"k": "v"}], "ok", "a 2 1e+21 map[k:v]", id="cat"),
    pytest.param("v", "indent", [2, "a\n\nb\n"], "ok", "  a\n  \n  b\n  ", id="indent"),
    pytest.param("v", "indent", [2, ""], "ok", "  ", id="indent-empty"),
    pytest.param("v", "indent", [-1, "a"], "err", "strings: negative Repeat count", id="indent-negative"),
    pytest.param("v", "nindent", [4, "line one\nline two"], "ok", "\n    line one\n    line two", id="nindent"),
    pytest.param("v", "replace", [" ", "-", "hello big world"], "ok", "hello-big-world", id="replace"),
    pytest.param("v", "replace", ["", "_", "abc"], "ok", "_a_b_c_", id="replace-empty-old"),
    pytest.param("v", "replace", ["", "_", ""], "ok", "_", id="replace-empty-src"),
    pytest.param("v", "plural", ["one", "many", 1], "ok", "one", id="plural-one"),
    pytest.param("v", "plural", ["one", "many", 0], "ok", "many", id="plural-many"),
    pytest.param("v", "toString", [None], "ok", "<nil>", id="toString-nil"),
    pytest.param("v", "toString", [1000000.0], "ok", "1e+06", id="toString-float"),
    pytest.param("v", "toString", [["a", 1, 2.5]], "ok", "[a 1 2.5]", id="toString-list"),
    pytest.param("v", "toString", [True], "ok", "true", id="toString-bool"),
    pytest.param("type", "toString", [3], "ok", "string", id="toString-type"),
    pytest.param("v", "hello", [], "ok", "Hello!", id="hello"),
    pytest.param("v", "split", [",", "a,b,,c"], "ok", "map[_0:a _1:b _2: _3:c]", id="split"),
    pytest.param("type", "split", [",", "a"], "ok", "map[string]string", id="split-type"),
    pytest.param("v", "split", ["", "abc"], "ok", "map[_0:a _1:b _2:c]", id="split-empty-sep"),
    pytest.param("v", "splitn", [",", 2, "a,b,,c"], "ok", "map[_0:a _1:b,,c]", id="splitn"),
    pytest.param("v", "splitn", [",", 0, "a,b"], "ok", "map[]", id="splitn-zero"),
    pytest.param("v", "splitList", [".", "1.30.2"], "ok", "[1 30 2]", id="splitList"),
    pytest.param("json", "splitList", [",", ""], "ok", '[""]', id="splitList-empty"),
    pytest.param("type", "splitList", [",", "a"], "ok", "[]string", id="splitList-type"),
    pytest.param("v", "toStrings", [["x", 1, 2.5, True, None]], "ok", "[x 1 2.5 true]", id="toStrings"),
    pytest.param("v", "toStrings", ["single"], "ok", "[single]", id="toStrings-single"),
    pytest.param("json", "toStrings", [None], "ok", "[]", id="toStrings-nil"),
    pytest.param("type", "toStrings", [[1]], "ok", "[]string", id="toStrings-type"),
    pytest.param("v", "toStrings", [GoSlice(["a", "b"], elem="string")], "ok", "[a b]", id="toStrings-bytes"),
    pytest.param("v", "join", [", ", ["b", 1, None, 2.5]], "ok", "b, 1, 2.5", id="join"),
    pytest.param("v", "join", ["-", 42], "ok", "42", id="join-scalar"),
    pytest.param("v", "join", ["-", None], "ok", "", id="join-nil"),
    pytest.param("v", "join", ["+", GoSlice(["a", "b"], elem="string")], "ok", "a+b", id="join-strings"),
    pytest.param("v", "sortAlpha", [["b", "B", "a", 10, 9, "é"]], "ok", "[10 9 B a b é]", id="sortAlpha"),
    pytest.param("v", "sortAlpha", ["demo"], "ok", "[demo]", id="sortAlpha-scalar"),
    pytest.param("type", "sortAlpha", [["b"]], "ok", "[]string", id="sortAlpha-type"),
    pytest.param("v", "atoi", ["42"], "ok", "42", id="atoi"),
    pytest.param("v", "atoi", ["-12"], "ok", "-12", id="atoi-negative"),
    pytest.param("v", "atoi", ["+7"], "ok", "7", id="atoi-plus"),
    pytest.param("v", "atoi", ["4x"], "ok", "0", id="atoi-bad"),
    pytest.param("v", "atoi", ["1.5"], "ok", "0", id="atoi-float"),
    pytest.param("v", "atoi", ["99999999999999999999"], "ok", "9223372036854775807", id="atoi-overflow"),
    pytest.param("type", "atoi", ["1"], "ok", "int", id="atoi-type"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
