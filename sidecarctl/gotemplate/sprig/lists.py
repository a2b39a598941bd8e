"""Sprig's list functions (list.go). Non-`must` variants panic with the same error, which the
template engine reports just like a returned error."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sidecarctl.gotemplate.budget import charge_steps
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoSlice

from ._util import INT64_MIN, NilList, elements, go_empty, go_kind, to_int
from .reflection import deep_equal

FUNCS: dict[str, GoFunc] = {}


def _pair(
    name: str,
    params: tuple[str, ...],
    fn: Callable[..., Any],
    *,
    variadic: bool = False,
    result: str = "[]interface {}",
    must_name: str | None = None,
) -> None:
    """Register NAME (panicking) and mustNAME (returning the error): both fail the same way."""
    FUNCS[name] = GoFunc(name, fn, params, variadic, False, result)
    must = must_name or "must" + name[0].upper() + name[1:]
    FUNCS[must] = GoFunc(must, fn, params, variadic, True, result)


def _seq(value: Any, what: str) -> list[Any]:
    """The elements of a slice or array; anything else fails with `Cannot WHAT type KIND`."""
    kind = go_kind(value)
    if kind not in ("slice", "array"):
        raise GoError(what.format(kind=kind))
    items = elements(value)
    charge_steps(len(items) + 1)  # each list function copies or visits every element
    return items


def push(lst: Any, v: Any) -> list[Any]:
    return _seq(lst, "Cannot push on type {kind}") + [v]


def prepend(lst: Any, v: Any) -> list[Any]:
    return [v] + _seq(lst, "Cannot prepend on type {kind}")


def chunk(size: int, lst: Any) -> GoSlice:
    items = _seq(lst, "Cannot chunk type {kind}")
    n = len(items)
    # Go computes the chunk count in float64: a zero size gives ±Inf or NaN, whose int is minint.
    if size == 0:
        count = INT64_MIN
    else:
        count = int(math.floor((n - 1) / size) + 1)
    if count < 0:
        _makeslice_panic()
    out = GoSlice([], elem="[]interface {}")
    for i in range(count):
        clen = size
        if i == count - 1:
            clen = int(math.fmod(n, size)) or size
        if clen < 0:
            _makeslice_panic()
        out.append(items[i * size : i * size + clen])
    return out


def _makeslice_panic() -> int:
    raise GoError("runtime error: makeslice: len out of range")


def last(lst: Any) -> Any:
    items = _seq(lst, "Cannot find last on type {kind}")
    return items[-1] if items else None


def first(lst: Any) -> Any:
    items = _seq(lst, "Cannot find first on type {kind}")
    return items[0] if items else None


def rest(lst: Any) -> list[Any]:
    items = _seq(lst, "Cannot find rest on type {kind}")
    return items[1:] if items else NilList()


def initial(lst: Any) -> list[Any]:
    items = _seq(lst, "Cannot find initial on type {kind}")
    return items[:-1] if items else NilList()


def reverse(lst: Any) -> list[Any]:
    return _seq(lst, "Cannot find reverse on type {kind}")[::-1]


def compact(lst: Any) -> list[Any]:
    return [v for v in _seq(lst, "Cannot compact on type {kind}") if not go_empty(v)]


def in_list(haystack: list[Any], needle: Any) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


def uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for v in _seq(lst, "Cannot find uniq on type {kind}"):
        charge_steps(len(out))  # quadratic, as Sprig's: each element is compared with those kept
        if not in_list(out, v):
            out.append(v)
    return out


def without(lst: Any, *omit: Any) -> list[Any]:
    items = _seq(lst, "Cannot find without on type {kind}")
    charge_steps(len(items) * len(omit))
    return [v for v in items if not in_list(list(omit), v)]


def has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return in_list(_seq(haystack, "Cannot find has on type {kind}"), needle)


def slice_(lst: Any, *indices: Any) -> Any:
    items = _seq(lst, "list should be type of slice or array but {kind}")
    n = len(items)
    if n == 0:
        return None
    start = to_int(indices[0]) if indices else 0
    end = n if len(indices) < 2 else to_int(indices[1])
    if not 0 <= start <= end <= n:
        raise GoError("reflect.Value.Slice: slice index out of bounds")
    part = items[start:end]
    if isinstance(lst, GoSlice):
        return GoSlice(part, elem=lst.elem)
    if isinstance(lst, (bytes, bytearray)):
        return bytes(part)
    return part


def concat(*lists: Any) -> list[Any]:
    out: list[Any] = NilList()
    for lst in lists:
        kind = go_kind(lst)
        if kind not in ("slice", "array"):
            raise GoError(f"Cannot concat type {kind} as list")
        items = elements(lst)
        charge_steps(len(items) + len(out))  # the concatenation copies both
        if items:
            out = list(out) + items if isinstance(out, NilList) else out + items
    return out


FUNCS["list"] = GoFunc("list", lambda *v: list(v), ("interface {}",), True, result="[]interface {}")
FUNCS["tuple"] = GoFunc("tuple", lambda *v: list(v), ("interface {}",), True, result="[]interface {}")
FUNCS["concat"] = GoFunc("concat", concat, ("interface {}",), True, result="interface {}")
_pair("append", ("interface {}", "interface {}"), push)
_pair("push", ("interface {}", "interface {}"), push)
_pair("prepend", ("interface {}", "interface {}"), prepend)
_pair("chunk", ("int", "interface {}"), chunk, result="[][]interface {}")
_pair("last", ("interface {}",), last, result="interface {}")
_pair("first", ("interface {}",), first, result="interface {}")
_pair("rest", ("interface {}",), rest)
_pair("initial", ("interface {}",), initial)
_pair("reverse", ("interface {}",), reverse)
_pair("compact", ("interface {}",), compact)
_pair("uniq", ("interface {}",), uniq)
_pair("without", ("interface {}", "interface {}"), without, variadic=True)
_pair("has", ("interface {}", "interface {}"), has, result="bool")
_pair("slice", ("interface {}", "interface {}"), slice_, variadic=True, result="interface {}")
