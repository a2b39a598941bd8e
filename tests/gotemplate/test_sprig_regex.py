"""Sprig regex functions against Go: regex.go on Go's RE2 syntax: translation to Python `re`, Go's error texts and its FindAll/ReplaceAll/Split rules.

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
    pytest.param("v", "regexMatch", ["^[a-z]+-app$", "demo-app"], "ok", "true", id="match"),
    pytest.param("v", "regexMatch", ["^a$", "a\n"], "ok", "false", id="match-anchor-newline"),
    pytest.param("v", "regexMatch", ["(?m)^b$", "a\nb\nc"], "ok", "true", id="match-multiline"),
    pytest.param("v", "regexMatch", ["(", "x"], "ok", "false", id="match-bad"),
    pytest.param("v", "regexMatch", ["^\\d+$", "١٢"], "ok", "false", id="match-ascii-digit"),
    pytest.param("v", "regexMatch", ["\\bé", " é"], "ok", "false", id="match-word-boundary"),
    pytest.param("v", "regexMatch", ["x(?i)y|z", "Z"], "ok", "true", id="match-case-flag-alternation"),
    pytest.param("v", "regexMatch", ["^[[:alpha:]]+[[:digit:]]$", "abC1"], "ok", "true", id="match-posix"),
    pytest.param("v", "regexMatch", ["a.b", "a\nb"], "ok", "false", id="match-dot-newline"),
    pytest.param("v", "regexMatch", ["(?s)a.b", "a\nb"], "ok", "true", id="match-dotall"),
    pytest.param("v", "regexMatch", ["a{,3}", "a{,3}"], "ok", "true", id="match-brace-literal"),
    pytest.param("v", "regexMatch", ["^\\pL+$", "héllo"], "ok", "true", id="match-unicode-class"),
    pytest.param("v", "regexMatch", ["\\Qa.b\\E", "axb a.b"], "ok", "true", id="match-quote"),
    pytest.param("v", "regexMatch", ["\\x41\\101\\x{42}", "AAB"], "ok", "true", id="match-octal-hex"),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(", "x"],
        "err",
        "error parsing regexp: missing closing ): `(`",
        id="mustRegexMatch-bad",
    ),
    pytest.param("v", "mustRegexMatch", ["b+", "abbc"], "ok", "true", id="mustRegexMatch"),
    pytest.param("v", "regexFindAll", ["a.", "abacad", -1], "ok", "[ab ac ad]", id="findAll"),
    pytest.param("v", "regexFindAll", ["a.", "abacad", 2], "ok", "[ab ac]", id="findAll-limit"),
    pytest.param("json", "regexFindAll", ["a.", "abacad", 0], "ok", "null", id="findAll-zero"),
    pytest.param("json", "regexFindAll", ["z", "abc", -1], "ok", "null", id="findAll-none-json"),
    pytest.param("v", "regexFindAll", ["x*", "axxb", -1], "ok", "[ xx ]", id="findAll-empty-matches"),
    pytest.param("type", "regexFindAll", ["a", "a", -1], "ok", "[]string", id="findAll-type"),
    pytest.param(
        "v",
        "regexFindAll",
        ["[", "x", -1],
        "err",
        "regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`",
        id="findAll-bad",
    ),
    pytest.param(
        "v",
        "mustRegexFindAll",
        ["[", "x", -1],
        "err",
        "error parsing regexp: missing closing ]: `[`",
        id="mustFindAll-bad",
    ),
    pytest.param("v", "regexFind", ["[0-9]+", "ab123cd45"], "ok", "123", id="find"),
    pytest.param("v", "regexFind", ["z", "abc"], "ok", "", id="find-none"),
    pytest.param(
        "v",
        "regexFind",
        ["a**", "x"],
        "err",
        "regexp: Compile(`a**`): error parsing regexp: invalid nested repetition operator: `**`",
        id="find-bad",
    ),
    pytest.param(
        "v",
        "mustRegexFind",
        ["\\Z", "x"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\Z`",
        id="mustFind-bad-escape",
    ),
    pytest.param("v", "regexReplaceAll", ["a(x*)b", "-ab-axxb-", "${1}W"], "ok", "-W-xxW-", id="replaceAll"),
    pytest.param("v", "regexReplaceAll", ["x*", "abxd", "-"], "ok", "-a-b-d-", id="replaceAll-empty"),
    pytest.param(
        "v",
        "regexReplaceAll",
        ["(?P<w>[a-z]+)-(\\d)", "ab-1 cd-2", "${2}_$w $1x $$ $"],
        "ok",
        "1_ab  $ $ 2_cd  $ $",
        id="replaceAll-named",
    ),
    pytest.param("v", "regexReplaceAll", ["(a)", "a", "${1"], "ok", "${1", id="replaceAll-bad-ref"),
    pytest.param(
        "v",
        "regexReplaceAll",
        [")", "a", "b"],
        "err",
        "regexp: Compile(`)`): error parsing regexp: unexpected ): `)`",
        id="replaceAll-bad",
    ),
    pytest.param(
        "v",
        "mustRegexReplaceAll",
        ["(", "a", "b"],
        "err",
        "error parsing regexp: missing closing ): `(`",
        id="mustReplaceAll-bad",
    ),
    pytest.param(
        "v", "regexReplaceAllLiteral", ["a(x*)b", "-ab-axxb-", "${1}W"], "ok", "-${1}W-${1}W-", id="replaceAllLiteral"
    ),
    pytest.param(
        "v", "mustRegexReplaceAllLiteral", ["\\s+", "a  b\tc", "_"], "ok", "a_b_c", id="mustReplaceAllLiteral"
    ),
    pytest.param("v", "regexSplit", ["z+", "pizza", -1], "ok", "[pi a]", id="split"),
    pytest.param("v", "regexSplit", [",", "a,b,c,d", 2], "ok", "[a b,c,d]", id="split-limit"),
    pytest.param("json", "regexSplit", [",", "a,b", 0], "ok", "null", id="split-zero-json"),
    pytest.param("v", "regexSplit", [",", "", -1], "ok", "[]", id="split-empty-input"),
    pytest.param("v", "regexSplit", ["", "abc", -1], "ok", "[a b c]", id="split-empty-pattern"),
    pytest.param("v", "regexSplit", ["z*", "abc", -1], "ok", "[a b c]", id="split-empty-matches"),
    pytest.param(
        "v", "mustRegexSplit", ["(", "a", -1], "err", "error parsing regexp: missing closing ): `(`", id="mustSplit-bad"
    ),
    pytest.param(
        "v",
        "regexQuoteMeta",
        ["1.5*[a]{b}^$|\\?+()"],
        "ok",
        "1\\.5\\*\\[a\\]\\{b\\}\\^\\$\\|\\\\\\?\\+\\(\\)",
        id="quoteMeta",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a*?+", "x"],
        "err",
        "error parsing regexp: invalid nested repetition operator: `*?+`",
        id="err-nested-repeat",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["*a", "x"],
        "err",
        "error parsing regexp: missing argument to repetition operator: `*`",
        id="err-missing-repeat-arg",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a|*", "x"],
        "err",
        "error parsing regexp: missing argument to repetition operator: `*`",
        id="err-alt-missing-arg",
    ),
    pytest.param(
        "v", "mustRegexMatch", ["a)", "x"], "err", "error parsing regexp: unexpected ): `a)`", id="err-unexpected-paren"
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["[z-a]", "x"],
        "err",
        "error parsing regexp: invalid character class range: `z-a`",
        id="err-class-range",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a{1001}", "x"],
        "err",
        "error parsing regexp: invalid repeat count: `{1001}`",
        id="err-repeat-count",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a{3,2}", "x"],
        "err",
        "error parsing regexp: invalid repeat count: `{3,2}`",
        id="err-repeat-order",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(?<n>a)", "x"],
        "err",
        "error parsing regexp: invalid or unsupported Perl syntax: `(?<`",
        id="err-perl-named",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(?z)", "x"],
        "err",
        "error parsing regexp: invalid or unsupported Perl syntax: `(?z`",
        id="err-perl-flag",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a\\", "x"],
        "err",
        "error parsing regexp: trailing backslash at end of expression: ``",
        id="err-trailing-backslash",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(a)\\1", "x"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\1`",
        id="err-backref",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(?P<a-b>x)", "x"],
        "err",
        "error parsing regexp: invalid named capture: `(?P<a-b>`",
        id="err-named-capture",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["[[:foo:]]", "x"],
        "err",
        "error parsing regexp: invalid character class range: `[:foo:]`",
        id="err-posix-class",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["[abc", "x"],
        "err",
        "error parsing regexp: missing closing ]: `[abc`",
        id="err-missing-bracket",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(?i-)", "x"],
        "err",
        "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`",
        id="err-negated-flags",
    ),
    pytest.param(
        "v",
        "regexFind",
        ["`(", "x"],
        "err",
        'regexp: Compile("`("): error parsing regexp: missing closing ): ``(`',
        id="panic-quote-backquote",
    ),
    pytest.param("v", "regexReplaceAll", ["a(?i)+b", "aaB", "<$0>"], "ok", "<aaB>", id="repeat-after-flags"),
    pytest.param("v", "regexFindAll", ["(a|b)$+()*(?U){0}", "aaa bbb", -1], "ok", "[b]", id="repeat-after-flags-group"),
    pytest.param("v", "regexMatch", ["^*?(?i){1,2}$+", "ab"], "ok", "true", id="repeat-of-anchor"),
    pytest.param("v", "regexFindAll", ["\\p{Greek}+|\\p{Han}", "αβ x 日", -1], "ok", "[αβ 日]", id="unicode-script"),
    pytest.param("v", "regexFind", ["[^\\P{Latin}]+", "αβabcγ"], "ok", "abc", id="unicode-negated-script"),
    pytest.param("v", "regexReplaceAll", ["(?P<n>a)(?P<n>b)", "ab", "$n"], "ok", "a", id="duplicate-names"),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["\\x{110000}", "x"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\x{110000`",
        id="err-hex-too-big",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["\\x{}", "x"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\x{}`",
        id="err-hex-empty",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["\\xZab", "x"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\xZa`",
        id="err-hex-short",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["[\\p{Foo}]", "x"],
        "err",
        "error parsing regexp: invalid character class range: `\\p{Foo}`",
        id="err-unicode-name",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["a\\Cb", "axb"],
        "err",
        "error parsing regexp: invalid escape sequence: `\\C`",
        id="err-no-byte-class",
    ),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(a{500}){3}", "a"],
        "err",
        "error parsing regexp: invalid repeat count: `{3}`",
        id="err-nested-repeat-total",
    ),
    pytest.param("v", "mustRegexMatch", ["(?:(?:a{3}){3}){111}", "a"], "ok", "false", id="nested-repeat-at-limit"),
    pytest.param(
        "v",
        "mustRegexMatch",
        ["(?:(?:a{3}){3}){112}", "a"],
        "err",
        "error parsing regexp: invalid repeat count: `{112}`",
        id="err-nested-repeat-over-limit",
    ),
    pytest.param("v", "mustRegexMatch", ["(a*){1000}", "a"], "ok", "true", id="nested-star-not-counted"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)


# --- RE2: linear time, Go's iteration rules over UTF-8 ----------------------------------------


@pytest.mark.parametrize(
    "template,want",
    [
        ('{{ regexReplaceAll "a*" "bab" "-" }}', "-b-b-"),
        ('{{ regexSplit "" "héllo" -1 }}', "[h é l l o]"),
        ('{{ regexFindAll "" "hé" -1 | len }}', "3"),
        ('{{ regexReplaceAll "(?P<x>é+)" "aééb" "<${x}$1>" }}', "a<éééé>b"),
        ('{{ regexFind "\\\\bfoo\\\\b" "a foo b" }}', "foo"),
        ('{{ regexReplaceAllLiteral "." "ab" "$1" }}', "$1$1"),
    ],
    ids=["empty-after-match", "split-runes", "empty-matches-per-rune", "named-group", "word-boundary", "literal"],
)
def test_go_iteration_rules_on_re2(template: str, want: str) -> None:
    from sidecarctl.gotemplate import funcmap, parse

    assert parse(template, "t", funcmap("sprig")).execute(None) == want
