"""Sprig's defaults and flow-control functions (defaults.go)."""

from __future__ import annotations

from typing import Any

from sidecarctl.gotemplate.gotypes import GoError, GoFunc, gofunc

from ._util import go_empty

FUNCS: dict[str, GoFunc] = {}
ANY = "interface {}"


@gofunc("default", ANY, ANY, variadic=True)
def default(d: Any, *given: Any) -> Any:
    if not given or go_empty(given[0]):
        return d
    return given[0]


@gofunc("empty", ANY, result="bool")
def empty(v: Any) -> bool:
    return go_empty(v)


@gofunc("coalesce", ANY, variadic=True)
def coalesce(*vals: Any) -> Any:
    for v in vals:
        if not go_empty(v):
            return v
    return None


@gofunc("all", ANY, variadic=True, result="bool")
def all_(*vals: Any) -> bool:
    return all(not go_empty(v) for v in vals)


@gofunc("any", ANY, variadic=True, result="bool")
def any_(*vals: Any) -> bool:
    return any(not go_empty(v) for v in vals)


@gofunc("ternary", ANY, ANY, "bool")
def ternary(vt: Any, vf: Any, cond: bool) -> Any:
    return vt if cond else vf


@gofunc("fail", "string", returns_error=True, result="string")
def fail(msg: str) -> str:
    raise GoError(msg)


for _f in (default, empty, coalesce, all_, any_, ternary, fail):
    FUNCS[_f.name] = _f
