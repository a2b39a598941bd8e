"""Go 1.19 text/template's builtin functions, with Go's semantics and error texts.

Parameters typed "reflect.Value" receive the argument as evaluated: `MISSING` for Go's invalid
value (a missing key), `None` for a nil interface. Functions raise GoError; the executor turns it
into `error calling NAME: MESSAGE`.
"""

from __future__ import annotations

import re
from typing import Any

from sidecarctl.gotemplate.budget import charge_output, charge_value
from sidecarctl.gotemplate.gofmt import sprint, sprintf, sprintln
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    Float32,
    FuncMap,
    GoError,
    GoFunc,
    GoMap,
    GoObject,
    GoSizedInt,
    GoSlice,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    is_true,
    kind_name,
    type_name,
)

RV = "reflect.Value"
IFACE = "interface {}"

INT_TYPES = {"int": int, "int64": Int64, "int32": Int32, "int16": Int16, "int8": Int8}
UINT_TYPES = {"uint": Uint, "uint64": Uint64, "uint32": Uint32, "uint16": Uint16, "uint8": Uint8, "uintptr": Uint}
FLOAT_TYPES = {"float64": float, "float32": Float32}


def normalize_type(typ: str) -> str:
    """Accept the `interface{}` and `any` spellings of Go's `interface {}`."""
    if "any" not in typ and "interface{}" not in typ:
        return typ
    return re.sub(r"\bany\b", IFACE, typ.replace("interface{}", IFACE))


def can_be_nil(typ: str) -> bool:
    """Go's canBeNil: pointers, maps, slices, funcs, chans, interfaces and reflect.Value."""
    return typ in (IFACE, RV, "error", "fmt.Stringer") or typ.startswith(("[]", "map[", "*", "func", "chan "))


def zero_value(typ: str) -> Any:
    """The zero value of a Go type, as the value model represents it (None for nil-able types)."""
    if typ == "string":
        return ""
    if typ == "bool":
        return False
    if typ in INT_TYPES:
        return INT_TYPES[typ](0)
    if typ in UINT_TYPES:
        return UINT_TYPES[typ](0)
    if typ in FLOAT_TYPES:
        return FLOAT_TYPES[typ](0.0)
    if typ == RV:
        return MISSING
    return None


# --- helpers over the value model ----------------------------------------------------------------


class IfaceBox:
    """A value still inside an `interface {}` (only the builtin slice's indexes need to know)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def indirect_interface(v: Any) -> Any:
    return MISSING if v is None else v


def _comparable_value(v: Any) -> Any:
    """The value eq/lt compare: nil as invalid, a named basic type (GoObject.go_value) as its basic value."""
    if v is None:
        return MISSING
    if isinstance(v, GoObject):
        basic = v.go_value()
        if basic is not None:
            return basic
    return v


def _str_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _index_arg(index: Any, cap: int) -> int:
    """Go's indexArg: an integer index within [0, cap]."""
    if isinstance(index, IfaceBox):
        raise GoError("cannot index slice/array with type interface {}")
    if index is MISSING or index is None:
        raise GoError("cannot index slice/array with nil")
    if not isinstance(index, int) or isinstance(index, bool):
        raise GoError(f"cannot index slice/array with type {type_name(index)}")
    x = int(index)
    if x < 0 or x > cap:
        raise GoError(f"index out of range: {x}")
    return x


def _is_int_like(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def prepare_arg(value: Any, typ: str) -> Any:
    """Go's prepareArg: a value made assignable to `typ` (map keys of index, call's args)."""
    if value is MISSING or value is None:
        if not can_be_nil(typ):
            raise GoError(f"value is nil; should be of type {typ}")
        return zero_value(typ)
    vt = type_name(value)
    if vt == typ or typ in (IFACE, RV):
        return value
    if _is_int_like(value) and (typ in INT_TYPES or typ in UINT_TYPES):
        return (INT_TYPES.get(typ) or UINT_TYPES[typ])(int(value))
    raise GoError(f"value has type {vt}; should be {typ}")


def _elem_type(container: Any) -> str:
    if isinstance(container, (GoSlice, GoMap)):
        return container.elem
    return IFACE


# --- index / slice / len ------------------------------------------------------------------------


def _index_once(item: Any, index: Any) -> Any:
    if item is None:
        raise GoError("index of nil pointer")
    index = indirect_interface(index)
    if isinstance(item, str):
        b = _str_bytes(item)
        x = _index_arg(index, len(b))
        if x == len(b):
            raise GoError("reflect: string index out of range")
        return Uint8(b[x])
    if isinstance(item, (bytes, bytearray)):
        x = _index_arg(index, len(item))
        if x == len(item):
            raise GoError("reflect: slice index out of range")
        return Uint8(item[x])
    if isinstance(item, list):
        x = _index_arg(index, len(item))
        if x == len(item):
            raise GoError("reflect: slice index out of range")
        return item[x]
    if isinstance(item, dict):
        key_type = item.key if isinstance(item, GoMap) else "string"
        key = prepare_arg(index, key_type)
        if key in item:
            return item[key]
        return zero_value(_elem_type(item))
    raise GoError(f"can't index item of type {type_name(item)}")


def go_index(item: Any, *indexes: Any) -> Any:
    item = indirect_interface(item)
    if item is MISSING:
        raise GoError("index of untyped nil")
    for index in indexes:
        item = _index_once(item, index)
    return item


def go_slice(item: Any, *indexes: Any) -> Any:
    item = indirect_interface(item)
    if item is MISSING:
        raise GoError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise GoError("cannot 3-index slice a string")
        b = _str_bytes(item)
        lo, hi, _ = _slice_bounds(len(b), len(b), indexes)
        return b[lo:hi].decode("utf-8", "surrogateescape")
    if isinstance(item, (list, bytes, bytearray)):
        lo, hi, _ = _slice_bounds(len(item), len(item), indexes)
        part = item[lo:hi]
        return GoSlice(part, item.elem) if isinstance(item, GoSlice) else part
    raise GoError(f"can't slice item of type {type_name(item)}")


def _slice_bounds(length: int, cap: int, indexes: tuple[Any, ...]) -> tuple[int, int, int]:
    idx = [0, length, cap]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(indirect_interface(index), cap)
    if idx[0] > idx[1]:
        raise GoError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoError(f"invalid slice index: {idx[1]} > {idx[2]}")
    return idx[0], idx[1], idx[2]


def go_len(item: Any) -> int:
    if item is None:
        raise GoError("len of nil pointer")
    if item is MISSING:
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item) if item.isascii() else len(_str_bytes(item))
    if isinstance(item, (list, dict, bytes, bytearray)):
        return len(item)
    if isinstance(item, GoObject):
        if item.go_is_nil():
            raise GoError("len of nil pointer")
        length = getattr(item, "go_len", None)
        if callable(length):
            return int(length())
    raise GoError(f"len of type {type_name(item)}")


# --- call -------------------------------------------------------------------------------------


def go_call(fn: Any, *args: Any) -> Any:
    fn = indirect_interface(fn)
    if fn is MISSING:
        raise GoError("call of nil")
    if not isinstance(fn, GoFunc):
        raise GoError(f"non-function of type {type_name(fn)}")
    params = tuple(normalize_type(p) for p in fn.params)
    n = len(params)
    if fn.variadic:
        if len(args) < n - 1:
            raise GoError(f"wrong number of args: got {len(args)} want at least {n - 1}")
    elif len(args) != n:
        raise GoError(f"wrong number of args: got {len(args)} want {n}")
    argv = []
    for i, arg in enumerate(args):
        typ = params[i] if not fn.variadic or i < n - 1 else params[-1]
        try:
            argv.append(prepare_arg(indirect_interface(arg), typ))
        except GoError as e:
            raise GoError(f"arg {i}: {e}") from None
    return fn.fn(*argv)


# --- logic and comparison ------------------------------------------------------------------------

_BOOL, _COMPLEX, _INT, _FLOAT, _STRING, _UINT, _INVALID = range(7)


def _basic_kind(v: Any) -> int:
    if v is True or v is False:
        return _BOOL
    if isinstance(v, int):
        return _UINT if isinstance(v, GoSizedInt) and not v.signed else _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, str):
        return _STRING
    if isinstance(v, complex):
        return _COMPLEX
    return _INVALID


def _reflect_kind(v: Any) -> str:
    return "invalid" if v is MISSING else kind_name(v)


def _comparable(v: Any) -> bool:
    return not isinstance(v, (list, dict, bytes, bytearray, GoFunc))


def go_not(arg: Any) -> bool:
    return not is_true(arg)


def go_eq(arg1: Any, *arg2: Any) -> bool:
    arg1 = _comparable_value(arg1)
    if not arg2:
        raise GoError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in arg2:
        arg = _comparable_value(arg)
        if _eq_one(arg1, k1, arg, _basic_kind(arg)):
            return True
    return False


def _eq_one(arg1: Any, k1: int, arg: Any, k2: int) -> bool:
    if k1 != k2:
        if k1 == _INT and k2 == _UINT:
            return int(arg1) >= 0 and int(arg1) == int(arg)
        if k1 == _UINT and k2 == _INT:
            return int(arg) >= 0 and int(arg1) == int(arg)
        if arg1 is not MISSING and arg is not MISSING:
            raise GoError("incompatible types for comparison")
        return False
    if k1 != _INVALID:
        return bool(arg1 == arg)
    if _reflect_kind(arg1) != _reflect_kind(arg) and MISSING not in (arg1, arg):
        raise GoError(
            f"non-comparable types {sprintf('%s', [arg1])}: {type_name(arg1)}, {type_name(arg)}: {sprintf('%v', [arg])}"
        )
    nil1, nil2 = _is_nil(arg1), _is_nil(arg)
    if nil1 or nil2:
        return nil1 == nil2
    if not _comparable(arg):
        raise GoError(f"non-comparable type {sprintf('%s', [arg])}: {type_name(arg)}")
    return bool(arg1 == arg)


def _is_nil(v: Any) -> bool:
    return v is MISSING or v is None or (isinstance(v, GoObject) and v.go_is_nil())


def go_ne(arg1: Any, arg2: Any) -> bool:
    return not go_eq(arg1, arg2)


def go_lt(arg1: Any, arg2: Any) -> bool:
    arg1, arg2 = _comparable_value(arg1), _comparable_value(arg2)
    k1, k2 = _basic_kind(arg1), _basic_kind(arg2)
    if k1 == _INVALID or k2 == _INVALID:
        raise GoError("invalid type for comparison")
    if k1 != k2:
        if k1 == _INT and k2 == _UINT:
            return int(arg1) < 0 or int(arg1) < int(arg2)
        if k1 == _UINT and k2 == _INT:
            return int(arg2) >= 0 and int(arg1) < int(arg2)
        raise GoError("incompatible types for comparison")
    if k1 in (_BOOL, _COMPLEX):
        raise GoError("invalid type for comparison")
    if k1 == _STRING:
        return _str_bytes(arg1) < _str_bytes(arg2)
    return bool(arg1 < arg2)


def go_le(arg1: Any, arg2: Any) -> bool:
    return go_lt(arg1, arg2) or go_eq(arg1, arg2)


def go_gt(arg1: Any, arg2: Any) -> bool:
    return not go_le(arg1, arg2)


def go_ge(arg1: Any, arg2: Any) -> bool:
    return not go_lt(arg1, arg2)


# --- printing and escaping ------------------------------------------------------------------------


def _charge_print(args: tuple[Any, ...], fmt: str = "") -> None:
    """Charge the budget for printing `args` before building the text: the strings' lengths and
    every container node (a value built from shared parts can print exponentially large)."""
    size = len(fmt)
    for a in args:
        if isinstance(a, str):
            size += len(a)
        elif isinstance(a, (dict, list, tuple)):
            charge_value(a)
    charge_output(size)


def _eval_args(args: tuple[Any, ...]) -> str:
    """Go's evalArgs: one string as is, otherwise Sprint with nil printed as `<no value>`."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    _charge_print(args)
    return sprint(["<no value>" if a is None or a is MISSING else a for a in args])


_HTML = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_TABLE = str.maketrans(_HTML)


def html_escape(s: str) -> str:
    return s.translate(_HTML_TABLE)


_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def js_escape(s: str) -> str:
    out = []
    for c in s:
        r = ord(c)
        if c in _JS:
            out.append(_JS[c])
        elif r < 0x20:
            out.append(f"\\u00{r:02X}")
        elif r < 0x80 or 0xDC80 <= r <= 0xDCFF:
            out.append(c)
        elif c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{r:04X}")
    return "".join(out)


def _html(*args: Any) -> str:
    return html_escape(_eval_args(args))


def _js(*args: Any) -> str:
    return js_escape(_eval_args(args))


def _urlquery(*args: Any) -> str:
    from urllib.parse import quote_plus  # imported here: urllib.parse costs ~2 ms of startup

    return quote_plus(_str_bytes(_eval_args(args)), safe="")


def _print(*args: Any) -> str:
    _charge_print(args)
    return sprint(list(args))


def _println(*args: Any) -> str:
    _charge_print(args)
    return sprintln(list(args))


def _printf(fmt: str, *args: Any) -> str:
    _charge_print(args, fmt)
    return sprintf(fmt, list(args))


def _and_or(*args: Any) -> Any:
    raise AssertionError("and/or are evaluated by the executor (short-circuit)")


BUILTINS: FuncMap = {
    "and": GoFunc("and", _and_or, (RV, RV), variadic=True, result=RV),
    "call": GoFunc("call", go_call, (RV, RV), variadic=True, returns_error=True, result=RV),
    "html": GoFunc("html", _html, (IFACE,), variadic=True, result="string"),
    "index": GoFunc("index", go_index, (RV, RV), variadic=True, returns_error=True, result=RV),
    "slice": GoFunc("slice", go_slice, (RV, RV), variadic=True, returns_error=True, result=RV),
    "js": GoFunc("js", _js, (IFACE,), variadic=True, result="string"),
    "len": GoFunc("len", go_len, (RV,), returns_error=True, result="int"),
    "not": GoFunc("not", go_not, (RV,), result="bool"),
    "or": GoFunc("or", _and_or, (RV, RV), variadic=True, result=RV),
    "print": GoFunc("print", _print, (IFACE,), variadic=True, result="string"),
    "printf": GoFunc("printf", _printf, ("string", IFACE), variadic=True, result="string"),
    "println": GoFunc("println", _println, (IFACE,), variadic=True, result="string"),
    "urlquery": GoFunc("urlquery", _urlquery, (IFACE,), variadic=True, result="string"),
    "eq": GoFunc("eq", go_eq, (RV, RV), variadic=True, returns_error=True, result="bool"),
    "ge": GoFunc("ge", go_ge, (RV, RV), returns_error=True, result="bool"),
    "gt": GoFunc("gt", go_gt, (RV, RV), returns_error=True, result="bool"),
    "le": GoFunc("le", go_le, (RV, RV), returns_error=True, result="bool"),
    "lt": GoFunc("lt", go_lt, (RV, RV), returns_error=True, result="bool"),
    "ne": GoFunc("ne", go_ne, (RV, RV), returns_error=True, result="bool"),
}
