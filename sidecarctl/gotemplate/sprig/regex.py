"""Sprig's regex functions (regex.go) on Go's RE2 syntax and iteration rules (see _re2)."""

from __future__ import annotations

from typing import Any

from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoSlice

from ._re2 import GoRegexp, RegexpError, compile_go, go_regexp_quote, quote_meta
from ._util import NilStrings

FUNCS: dict[str, GoFunc] = {}


def _compile(expr: str, must: bool) -> GoRegexp:
    """regexp.Compile (must=True: the error is returned) or MustCompile (its panic text)."""
    try:
        return compile_go(expr)
    except RegexpError as e:
        if must:
            raise GoError(str(e)) from None
        raise GoError(f"regexp: Compile({go_regexp_quote(expr)}): {e}") from None


def _strings(items: list[str] | None) -> GoSlice:
    return NilStrings([], elem="string") if items is None else GoSlice(items, elem="string")


def _match(expr: str, s: str) -> bool:
    try:
        return compile_go(expr).match_string(s)
    except RegexpError:
        return False


def _must_match(expr: str, s: str) -> bool:
    return _compile(expr, True).match_string(s)


def _pair(name: str, params: tuple[str, ...], result: str, body: Any) -> None:
    """NAME panics through MustCompile; mustNAME returns Compile's error."""
    must = "must" + name[0].upper() + name[1:]
    FUNCS[name] = GoFunc(name, lambda *a: body(False, *a), params, result=result)
    FUNCS[must] = GoFunc(must, lambda *a: body(True, *a), params, returns_error=True, result=result)


FUNCS["regexMatch"] = GoFunc("regexMatch", _match, ("string", "string"), result="bool")
FUNCS["mustRegexMatch"] = GoFunc("mustRegexMatch", _must_match, ("string", "string"), returns_error=True, result="bool")
_pair(
    "regexFindAll",
    ("string", "string", "int"),
    "[]string",
    lambda must, r, s, n: _strings(_compile(r, must).find_all_string(s, n)),
)
_pair("regexFind", ("string", "string"), "string", lambda must, r, s: _compile(r, must).find_string(s))
_pair(
    "regexReplaceAll",
    ("string", "string", "string"),
    "string",
    lambda must, r, s, repl: _compile(r, must).replace_all(s, repl, literal=False),
)
_pair(
    "regexReplaceAllLiteral",
    ("string", "string", "string"),
    "string",
    lambda must, r, s, repl: _compile(r, must).replace_all(s, repl, literal=True),
)
_pair(
    "regexSplit", ("string", "string", "int"), "[]string", lambda must, r, s, n: _strings(_compile(r, must).split(s, n))
)
FUNCS["regexQuoteMeta"] = GoFunc("regexQuoteMeta", quote_meta, ("string",), result="string")
