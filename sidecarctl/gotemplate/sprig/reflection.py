"""Sprig's reflection functions and Go's reflect.DeepEqual over the Python value model."""

from __future__ import annotations

from typing import Any

from sidecarctl.gotemplate.budget import charge_value
from sidecarctl.gotemplate.gotypes import MISSING, GoFunc, GoObject, gofunc, kind_name, type_name

FUNCS: dict[str, GoFunc] = {}


def deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual: same dynamic types and deeply equal contents (NaN is never equal)."""
    if a is MISSING:
        a = None
    if b is MISSING:
        b = None
    if a is None or b is None:
        return a is None and b is None
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, float):
        return a == b  # NaN != NaN, as in Go
    if isinstance(a, (bool, int, str, bytes)):
        return a == b
    if isinstance(a, list):
        if _is_nil(a) != _is_nil(b) or len(a) != len(b):
            return False
        return all(deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if _is_nil(a) != _is_nil(b) or len(a) != len(b):
            return False
        return all(k in b and deep_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, GoObject):
        eq = getattr(a, "go_deep_equal", None)
        return bool(eq(b)) if callable(eq) else a is b
    return a is b


def _is_nil(value: Any) -> bool:
    return type(value).__name__ in ("NilList", "NilStrings", "NilMap")


@gofunc("typeOf", "interface {}", result="string")
def type_of(value: Any) -> str:
    return type_name(value)


@gofunc("typeIs", "string", "interface {}", result="bool")
def type_is(target: str, value: Any) -> bool:
    return target == type_name(value)


@gofunc("typeIsLike", "string", "interface {}", result="bool")
def type_is_like(target: str, value: Any) -> bool:
    t = type_name(value)
    return target == t or "*" + target == t


@gofunc("kindOf", "interface {}", result="string")
def kind_of(value: Any) -> str:
    return kind_name(value)


@gofunc("kindIs", "string", "interface {}", result="bool")
def kind_is(target: str, value: Any) -> bool:
    return target == kind_name(value)


@gofunc("deepEqual", "interface {}", "interface {}", result="bool")
def deep_equal_fn(a: Any, b: Any) -> bool:
    charge_value(a)  # comparing walks both: bounded, and neither nested too deep for the C stack
    charge_value(b)
    return deep_equal(a, b)


for _f in (type_of, type_is, type_is_like, kind_of, kind_is, deep_equal_fn):
    FUNCS[_f.name] = _f
