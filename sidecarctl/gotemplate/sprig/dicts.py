"""Sprig's dict functions (dict.go), with mergo 0.3.12's merge rules and copystructure's copy."""

from __future__ import annotations

from typing import Any

from sidecarctl.gotemplate.budget import charge_steps, charge_value
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoMap, GoSlice, gofunc, type_name

from ._util import NilList, NilMap, go_empty, strval

FUNCS: dict[str, GoFunc] = {}
MAP = "map[string]interface {}"


def _reg(*funcs: GoFunc) -> None:
    for f in funcs:
        FUNCS[f.name] = f


def _m(d: Any) -> dict[str, Any]:
    return NilMap() if d is None else d


@gofunc("get", MAP, "string")
def get(d: Any, key: str) -> Any:
    d = _m(d)
    return d[key] if key in d else ""


@gofunc("set", MAP, "string", "interface {}", result=MAP)
def set_(d: Any, key: str, value: Any) -> Any:
    if d is None or isinstance(d, NilMap):
        raise GoError("assignment to entry in nil map")
    d[key] = value
    return d


@gofunc("unset", MAP, "string", result=MAP)
def unset(d: Any, key: str) -> Any:
    d = _m(d)
    d.pop(key, None)
    return d


@gofunc("hasKey", MAP, "string", result="bool")
def has_key(d: Any, key: str) -> bool:
    return key in _m(d)


@gofunc("pluck", "string", MAP, variadic=True, result="[]interface {}")
def pluck(key: str, *dicts: Any) -> list[Any]:
    charge_steps(len(dicts))
    return [d[key] for d in map(_m, dicts) if key in d]


@gofunc("keys", MAP, variadic=True, result="[]string")
def keys(*dicts: Any) -> GoSlice:
    charge_steps(sum(len(_m(d)) for d in dicts))
    return GoSlice([k for d in map(_m, dicts) for k in d], elem="string")


@gofunc("pick", MAP, "string", variadic=True, result=MAP)
def pick(d: Any, *names: str) -> dict[str, Any]:
    d = _m(d)
    return {k: d[k] for k in names if k in d}


@gofunc("omit", MAP, "string", variadic=True, result=MAP)
def omit(d: Any, *names: str) -> dict[str, Any]:
    drop = set(names)
    return {k: v for k, v in _m(d).items() if k not in drop}


@gofunc("values", MAP, result="[]interface {}")
def values(d: Any) -> list[Any]:
    return list(_m(d).values())


@gofunc("dict", "interface {}", variadic=True, result=MAP)
def dict_(*kv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


# --- mergo ----------------------------------------------------------------------------------


def _kind(v: Any) -> str:
    from sidecarctl.gotemplate.gotypes import kind_name

    return kind_name(v)


def merge_maps(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's deepMerge of two maps, reduced to its observable effect.

    A nil src value only overwrites; nested maps merge in place; a non-empty dst value is never
    replaced by a map from src, and by a slice only when overwriting; other values fill empty
    or missing dst entries, or replace any entry when overwriting."""
    for key, sv in list(src.items()):
        has_dst = key in dst
        dv = dst.get(key)
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        skind = _kind(sv)
        if skind == "map" and isinstance(dv, dict) and not isinstance(dv, NilMap) and isinstance(sv, dict):
            merge_maps(dv, sv, overwrite)
        if has_dst and not go_empty(dv) and skind in ("map", "slice"):
            if skind == "slice" and overwrite:
                dst[key] = sv
            continue
        if overwrite or not has_dst or go_empty(dv):
            dst[key] = sv


def _merge(overwrite: bool, dst: Any, srcs: tuple[Any, ...]) -> Any:
    for src in srcs:
        charge_value(src)
    for src in srcs:
        if dst is None or isinstance(dst, NilMap):
            if src is None or isinstance(src, NilMap):
                continue
            dst = {}
        if src:
            merge_maps(dst, src, overwrite)
    return NilMap() if dst is None else dst


def _reg_merge(name: str, overwrite: bool, must: bool) -> None:
    FUNCS[name] = GoFunc(name, lambda d, *s: _merge(overwrite, d, s), (MAP, MAP), True, must)


_reg_merge("merge", False, False)
_reg_merge("mustMerge", False, True)
_reg_merge("mergeOverwrite", True, False)
_reg_merge("mustMergeOverwrite", True, True)


# --- copy and dig ---------------------------------------------------------------------------


def deep_copy(v: Any) -> Any:
    """copystructure.Copy: maps and slices are copied recursively, keeping their Go types."""
    if isinstance(v, (NilList, NilMap)):
        return type(v)()
    if isinstance(v, GoSlice):
        return type(v)((deep_copy(x) for x in v), elem=v.elem)
    if isinstance(v, GoMap):
        return type(v)({k: deep_copy(x) for k, x in v.items()}, key=v.key, elem=v.elem)
    if isinstance(v, list):
        return type(v)(deep_copy(x) for x in v)
    if isinstance(v, dict):
        return type(v)({k: deep_copy(x) for k, x in v.items()})
    return v


def _assert_map(v: Any) -> dict[str, Any]:
    if isinstance(v, dict) and type_name(v) == MAP:
        return v
    got = "nil" if v is None else type_name(v)
    raise GoError(f"interface conversion: interface {{}} is {got}, not {MAP}")


def _assert_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    got = "nil" if v is None else type_name(v)
    raise GoError(f"interface conversion: interface {{}} is {got}, not string")


def dig(*ps: Any) -> Any:
    if len(ps) < 3:
        raise GoError("dig needs at least three arguments")
    d = _assert_map(ps[-1])
    default = ps[-2]
    path = [_assert_str(p) for p in ps[:-2]]
    for i, k in enumerate(path):
        if k not in d:
            return default
        if i == len(path) - 1:
            return d[k]
        d = _assert_map(d[k])
    return default


_reg(get, set_, unset, has_key, pluck, keys, pick, omit, values, dict_)


def _deep_copy_top(v: Any) -> Any:
    charge_value(v)
    if v is None:  # copystructure reflects on the nil interface and panics
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    return deep_copy(v)


FUNCS["deepCopy"] = GoFunc("deepCopy", _deep_copy_top, ("interface {}",))
FUNCS["mustDeepCopy"] = GoFunc("mustDeepCopy", _deep_copy_top, ("interface {}",), returns_error=True)
FUNCS["dig"] = GoFunc("dig", dig, ("interface {}",), True, True)
