"""Go's value model over Python data: the contract shared by the executor and every function map.

Go's `text/template` works on reflected Go values, and both its output and its errors depend on
their static types (`%!d(float64=3)`, `wrong type for value; expected int; got int64`,
`typeOf` printing `[]string`). JSON-shaped Python data covers most of it; the rest is marked with
small subclasses so that the common case stays plain Python and fast.

Python value          Go value
------------------    --------------------------------------------------------------
None                  untyped nil (a nil `interface{}`), prints `<nil>`
MISSING               the invalid reflect.Value of a missing map key, prints `<no value>`
bool                  bool
int                   int                      (template integer literals, `len`, ...)
Int64, Int32, ...     int64, int32, ... uint8  (Sprig's math returns int64)
float                 float64                  (every JSON number)
str                   string
bytes                 []uint8
list                  []interface {}
GoSlice(elem=T)       []T                      (Sprig's splitList returns []string)
dict                  map[string]interface {}
GoMap(key=K, elem=T)  map[K]T                  (annotations and labels are map[string]string)
GoObject subclass     any other Go type (structs, pointers, time.Time, *semver.Version ...)

Functions take and return these values. A function that fails raises `GoError`; the executor
reports it as Go does: `error calling NAME: MESSAGE`.

How the executor calls a GoFunc (sidecarctl.gotemplate.exec):
* a parameter typed `interface {}` receives None for nil and for a missing value;
* a parameter typed `reflect.Value` (Go's own builtins) receives MISSING for a missing value and
  None for a nil held in an interface;
* a parameter of another nil-able type (`[]T`, `map[K]V`, `*T`, `func`, `error`) receives None for
  nil or missing; a non-nil-able one fails with `invalid value; expected T`;
* other values must have exactly the parameter's type (`type_name(value) == param`), except that
  untyped number/string/bool literals written in the template are converted to it;
* a function may return None for Go's nil; after the command, a nil `interface {}` result becomes
  MISSING (Go's invalid value, printed `<no value>`), as Go's pipeline evaluation does;
* a result type of `interface {}` (GoFunc.result) matters only for field errors on the result:
  `(f).x` then reports `can't evaluate field x in type interface {}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sidecarctl.golang.errors import GoError as GoError  # re-exported: every function map raises it
from sidecarctl.golang.strconv import format_float as _format_float


class _Missing:
    """The value of a missing map key (Go's invalid reflect.Value); prints as `<no value>`."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


# --- sized integers -------------------------------------------------------------------------
# Plain `int` is Go's `int`. Arithmetic on these subclasses returns plain ints: wrap results
# explicitly where the Go type matters.


class GoSizedInt(int):
    go_type = "int"
    bits = 64
    signed = True

    def __repr__(self) -> str:
        return f"{self.go_type}({int(self)})"


class Int64(GoSizedInt):
    go_type = "int64"


class Int32(GoSizedInt):
    go_type = "int32"
    bits = 32


class Int16(GoSizedInt):
    go_type = "int16"
    bits = 16


class Int8(GoSizedInt):
    go_type = "int8"
    bits = 8


class Uint(GoSizedInt):
    go_type = "uint"
    signed = False


class Uint64(GoSizedInt):
    go_type = "uint64"
    signed = False


class Uint32(GoSizedInt):
    go_type = "uint32"
    bits = 32
    signed = False


class Uint16(GoSizedInt):
    go_type = "uint16"
    bits = 16
    signed = False


class Uint8(GoSizedInt):
    go_type = "uint8"
    bits = 8
    signed = False


class Float32(float):
    go_type = "float32"


# --- typed collections ----------------------------------------------------------------------


class GoSlice(list[Any]):
    """A slice whose element type is not `interface {}` (e.g. Sprig's `[]string`)."""

    __slots__ = ("elem",)

    def __init__(self, items: Any = (), elem: str = "string") -> None:
        super().__init__(items)
        self.elem = elem

    @property
    def go_type(self) -> str:
        return "[]" + self.elem


class GoMap(dict[Any, Any]):
    """A map with concrete key/element types (e.g. `map[string]string` annotations).

    `index` of a missing key yields the element type's zero value (`""` for strings), where a
    `map[string]interface {}` (a plain dict) yields `<no value>`.
    """

    __slots__ = ("key", "elem")

    def __init__(self, items: Any = (), key: str = "string", elem: str = "string") -> None:
        super().__init__(items)
        self.key = key
        self.elem = elem

    @property
    def go_type(self) -> str:
        return f"map[{self.key}]{self.elem}"


class GoObject:
    """Base for any other Go value (structs, pointers, time.Time, *semver.Version, ...).

    Subclasses set `go_type` (the name `%T`/`typeOf` prints) and `go_kind` (reflect.Kind name),
    and may override:
      go_field(name)  -> value of field NAME, or raise AttributeError if the type has no such field
      go_method(name) -> a GoFunc bound to this value, or None if there is no such method
      go_string()     -> str, when the Go type implements fmt.Stringer (or error) — used by
                         print/%v/%s; return None when it does not
      go_is_nil()     -> True for a nil pointer/map/slice/interface (truthiness, `<nil>`)
    Templates can reach only what these methods expose: never Python attributes.
    """

    go_type = "struct {}"
    go_kind = "struct"

    def go_field(self, name: str) -> Any:
        raise AttributeError(name)

    def go_method(self, name: str) -> GoFunc | None:
        return None

    def go_string(self) -> str | None:
        return None

    def go_is_nil(self) -> bool:
        return False

    def go_value(self) -> Any:
        """For a named basic type (a protobuf enum is an int32): its underlying bool, int, float or
        str, which eq/ne/lt/le/gt/ge compare and `if` tests as Go does; None for other kinds."""
        return None


# --- functions ------------------------------------------------------------------------------


class GoFunc:
    """A function callable from a template, with its Go signature.

    `params` holds Go type names ("string", "int", "int64", "float64", "bool", "interface {}",
    "[]interface {}", "map[string]interface {}", "map[string]string", ...). When `variadic` is
    true the last entry is the element type of the `...T` parameter. The executor checks and
    converts arguments against these types exactly as Go's reflection does (untyped integer
    literals convert to any numeric type; a float64 from data is not an int; a missing value
    or nil becomes the zero value of a nil-able type or fails with `invalid value; expected T`).
    `fn` receives the converted Python values positionally and returns the single result.
    `returns_error` documents that Go's function has a second `error` result (raise GoError).
    """

    __slots__ = ("name", "fn", "params", "variadic", "returns_error", "result")

    # A plain class, not a dataclass: one GoFunc exists per template function, and generating the
    # dataclass cost startup time for nothing (GoFuncs compare by identity).
    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        params: tuple[str, ...],
        variadic: bool = False,
        returns_error: bool = False,
        result: str = "interface {}",
    ) -> None:
        self.name = name
        self.fn = fn
        self.params = params
        self.variadic = variadic
        self.returns_error = returns_error
        self.result = result

    def __repr__(self) -> str:
        return f"GoFunc({self.name!r}, params={self.params!r}, variadic={self.variadic}, result={self.result!r})"

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


def gofunc(
    name: str, *params: str, variadic: bool = False, returns_error: bool = False, result: str = "interface {}"
) -> Callable[[Callable[..., Any]], GoFunc]:
    """Decorator: `@gofunc("repeat", "int", "string", result="string")`."""

    def wrap(fn: Callable[..., Any]) -> GoFunc:
        return GoFunc(name, fn, tuple(params), variadic, returns_error, result)

    return wrap


FuncMap = dict[str, GoFunc]


# --- reflection -----------------------------------------------------------------------------


def type_name(value: Any) -> str:
    """Go's `%T` of a value, e.g. `float64`, `[]interface {}`, `map[string]string`."""
    if value is None or value is MISSING:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, GoSizedInt):
        return value.go_type
    if isinstance(value, int):
        return "int"
    if isinstance(value, Float32):
        return "float32"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(value, (GoSlice, GoMap, GoObject)):
        return value.go_type
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if callable(value) and isinstance(value, GoFunc):
        return "func"
    return "interface {}"


def kind_name(value: Any) -> str:
    """reflect.Kind's name of a value (`invalid` for nil), as Sprig's kindOf prints it."""
    if value is None or value is MISSING:
        return "invalid"
    if isinstance(value, GoObject):
        return value.go_kind
    if isinstance(value, (GoSizedInt, Float32)):
        return value.go_type
    if isinstance(value, (bytes, bytearray, list)):
        return "slice"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, GoFunc):
        return "func"
    return type_name(value)


_TRUTH_BY_BOOL = frozenset((bool, str, int, dict, list))  # exact classes whose Go truth is Python's


def is_true(value: Any) -> bool:
    """Go's template truth: false, 0, nil, empty string/slice/map and invalid values are false."""
    if value.__class__ in _TRUTH_BY_BOOL:  # the common cases first: `if` runs on every pod
        return bool(value)
    if value is None or value is MISSING:
        return False
    if isinstance(value, GoObject):
        basic = value.go_value()
        return bool(basic) if basic is not None else not value.go_is_nil()
    if isinstance(value, (bool, int, float, complex, str, bytes, list, dict)):
        return bool(value)
    return True


# --- %v -------------------------------------------------------------------------------------


def format_float(f: float, bits: int = 64) -> str:
    """fmt's `%v` of a float: strconv.FormatFloat(f, 'g', -1, bits)."""
    return _format_float(f, "g", -1, bits)


def format_v(value: Any) -> str:
    """fmt's `%v` of a value, as `{{ . }}` and `print` show it."""
    if value is None:
        return "<nil>"
    if value is MISSING:
        return "<no value>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float(value, 32 if isinstance(value, Float32) else 64)
    if isinstance(value, GoObject):
        text = value.go_string()
        return text if text is not None else _format_object(value)
    if isinstance(value, (bytes, bytearray)):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, list):
        return "[" + " ".join(format_v(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{format_v(k)}:{format_v(v)}" for k, v in sorted_items(value)) + "]"
    return str(value)


def _format_object(value: GoObject) -> str:
    fields = getattr(value, "go_fields_for_print", None)
    if callable(fields):
        return "{" + " ".join(format_v(v) for v in fields()) + "}"
    return "{}"


def sorted_items(mapping: dict[Any, Any]) -> list[tuple[Any, Any]]:
    """Map entries in Go's fmt/template order: keys sorted by value (ints numerically, strings bytewise)."""
    try:
        return sorted(mapping.items(), key=lambda kv: _sort_key(kv[0]))
    except TypeError:
        return list(mapping.items())


def _sort_key(key: Any) -> Any:
    if isinstance(key, str):
        return key.encode("utf-8", "surrogateescape")  # keys may hold undecodable bytes
    return key
