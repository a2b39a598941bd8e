"""The round trip istioctl puts every document through: YAML -> Go typed struct -> JSON.

`normalize(doc)` returns what `json.Marshal` of the typed object holds after
`sigs.k8s.io/yaml.Unmarshal(doc, &typed)`: unknown fields dropped, structs always present, omitempty
zero values gone, quantities canonical, scalars coerced to strings where the Go field is a string
(as sigs.k8s.io/yaml does), keys matched case-insensitively (as encoding/json does). Type mismatches
raise KubeTypeError with encoding/json v1's message (Go 1.25): the first type error in key order,
unless an UnmarshalJSON method (Quantity, IntOrString, Time) fails first: that stops the decoder.

Input is a decoded YAML document: dicts, lists, str, int, float, bool, None (what go-yaml v2 gives).
Output is plain dicts and lists; key order carries no meaning.

The walk runs fast first (dict order, no error context); anything unusual (an error, a key matched
only case-insensitively, a non-string key) reruns it in Go's order with full error context.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from sidecarctl.golang.json import json_kind
from sidecarctl.golang.rfc3339 import TimeParseError, time_json
from sidecarctl.kube import yamljson
from sidecarctl.kube.errors import KubeTypeError, QuantityError
from sidecarctl.kube.quantity import canonical_quantity
from sidecarctl.kube.schema import NAMED, STRUCTS
from sidecarctl.yamlio.resolve import yaml_float_text

_ABSENT: Any = object()

# Go package names as reflect prints them, by our schema prefixes.
_PKG = {
    "core": "v1",
    "apps": "v1",
    "batch": "v1",
    "meta": "v1",
    "oapps": "v1",
    "resource": "resource",
    "intstr": "intstr",
    "runtime": "runtime",
    "types": "types",
}
_INT_BITS = {"int": 64, "int64": 64, "int32": 32, "int16": 16, "int8": 8}


class _Retry(Exception):
    """The fast walk met something only the exact walk gets right."""


class _Abort(Exception):
    """An error that stops Go's decoder at once (carries the finished message)."""


class _State:
    """Where the walk is: Go's errorContext (struct name + field path) and the first saved error."""

    __slots__ = ("coerce", "error", "exact", "fold", "path", "snames")

    def __init__(self, exact: bool, coerce: bool, fold: bool) -> None:
        self.exact = exact
        self.coerce = coerce
        self.fold = fold
        self.path: list[str] = []
        self.snames: list[str] = []
        self.error: str | None = None

    def type_error(self, value: str, type_display: str) -> str:
        """UnmarshalTypeError.Error() with the current context."""
        if self.snames:
            return (
                f"json: cannot unmarshal {value} into Go struct field "
                f"{self.snames[-1]}.{'.'.join(self.path)} of type {type_display}"
            )
        return f"json: cannot unmarshal {value} into Go value of type {type_display}"

    def save(self, message: str) -> None:
        """decodeState.saveError: keep the first one, carry on."""
        if not self.exact:
            raise _Retry
        if self.error is None:
            self.error = message

    def abort(self, message: str) -> None:
        if not self.exact:
            raise _Retry
        raise _Abort(message)

    def mismatch(self, v: Any, type_display: str) -> None:
        self.save(self.type_error(json_kind(v), type_display))


# --- type nodes --------------------------------------------------------------------------------


class Node:
    """A compiled Go type. `dec` decodes a YAML value (into an existing one) to its JSON output."""

    kind = "?"
    display = "?"
    #: the same type as a sigs.k8s.io/yaml conversion target (None where it stops coercing)
    ytarget: Node | None = None

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        raise NotImplementedError

    def zero(self) -> Any:
        return None


class StringNode(Node):
    kind = "string"

    def __init__(self, display: str) -> None:
        self.display = display
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v.__class__ is str:
            return v
        if hasattr(v, "isoformat"):
            return _datetime_text(v)
        if y is not None and y.kind == "string" and st.coerce:
            s = yamljson.scalar_string(v)
            if s is not None:
                return s
        if v is None:
            return "" if into is _ABSENT else into
        st.mismatch(v, self.display)
        return "" if into is _ABSENT else into

    def zero(self) -> Any:
        return ""


class BoolNode(Node):
    kind = "bool"
    display = "bool"

    def __init__(self) -> None:
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v is True or v is False:
            return v
        if v is None:
            return False if into is _ABSENT else into
        st.mismatch(v, self.display)
        return False if into is _ABSENT else into

    def zero(self) -> Any:
        return False


_INT_TEXT = re.compile(r"-?[0-9]+\Z")


class IntNode(Node):
    kind = "int"

    def __init__(self, display: str, bits: int) -> None:
        self.display = display
        self.lo = -(1 << (bits - 1))
        self.hi = (1 << (bits - 1)) - 1
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        cls = v.__class__
        if cls is int and self.lo <= v <= self.hi:
            return v
        if cls is int or cls is float:
            return self._number(v, into, st)
        if v is None:
            return 0 if into is _ABSENT else into
        st.mismatch(v, self.display)
        return 0 if into is _ABSENT else into

    def _number(self, v: Any, into: Any, st: _State) -> Any:
        """strconv.ParseInt on Go's JSON text of the number, then the overflow check."""
        try:
            text = yamljson.number_json(v)
        except ValueError as e:
            raise KubeTypeError(str(e), "convert") from None
        if _INT_TEXT.match(text) and self.lo <= int(text) <= self.hi:
            return int(text)
        st.save(st.type_error("number " + text, self.display))
        return 0 if into is _ABSENT else into

    def zero(self) -> Any:
        return 0


class FloatNode(Node):
    kind = "float"

    def __init__(self, display: str) -> None:
        self.display = display
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v.__class__ in (int, float):
            return v
        if v is None:
            return 0 if into is _ABSENT else into
        st.mismatch(v, self.display)
        return 0 if into is _ABSENT else into

    def zero(self) -> Any:
        return 0


class SliceNode(Node):
    kind = "slice"

    def __init__(self, elem: Node) -> None:
        self.elem = elem
        self.display = "[]" + elem.display
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v.__class__ is not list:
            if v is None:
                return None
            st.mismatch(v, self.display)
            return None if into is _ABSENT else into
        elem = self.elem
        ey = _yslice(y)
        if into is _ABSENT or into is None:
            return [elem.dec(x, ey, _ABSENT, st) for x in v]
        # Go decodes each element into the slot it reuses from the slice already there.
        return [elem.dec(x, ey, into[i] if i < len(into) else _ABSENT, st) for i, x in enumerate(v)]


class MapNode(Node):
    kind = "map"

    def __init__(self, display: str, elem: Node) -> None:
        self.elem = elem
        self.display = display
        self.ytarget = self

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v.__class__ is not dict:
            if v is None:
                return None
            st.mismatch(v, self.display)
            return None if into is _ABSENT else into
        out = {} if into is _ABSENT or into is None else dict(into)
        elem = self.elem
        ey = elem.ytarget if y is self else _ychild(y, None)
        for k, x in _items(v, st):
            if y is not self and y is not None and y.kind == "struct":
                ey = _ychild(y, k)
            out[k] = elem.dec(x, ey, _ABSENT, st)
        return out


class PtrNode(Node):
    kind = "ptr"

    def __init__(self, elem: Node) -> None:
        self.elem = elem
        self.display = elem.display  # Go reports the pointee after allocating it
        self.ytarget = elem.ytarget

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v is None:
            return None
        return self.elem.dec(v, y, _ABSENT if into is None else into, st)


class QuantityNode(Node):
    kind = "quantity"
    display = "resource.Quantity"

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        try:
            return canonical_quantity(v)
        except QuantityError as e:
            # An UnmarshalJSON error stops encoding/json v1 at once, uncontextualised.
            st.abort(str(e))
        except ValueError as e:  # NaN / Inf never reach the decoder
            raise KubeTypeError(str(e), "convert") from None
        return "0" if into is _ABSENT else into

    def zero(self) -> Any:
        return "0"


class IntOrStringNode(Node):
    kind = "intorstr"
    display = "intstr.IntOrString"

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        cls = v.__class__
        if cls is str:
            return v
        if cls is int and -(1 << 31) <= v < (1 << 31):
            return v
        if hasattr(v, "isoformat"):
            return _datetime_text(v)
        if v is None:
            return 0
        # The inner json.Unmarshal into int32 fails; the outer decoder stops with its error.
        if cls is int or cls is float:
            try:
                text = yamljson.number_json(v)
            except ValueError as e:
                raise KubeTypeError(str(e), "convert") from None
            if _INT_TEXT.match(text) and -(1 << 31) <= int(text) < (1 << 31):
                return int(text)
            st.abort(st.type_error("number " + text, "int32"))
        st.abort(st.type_error(json_kind(v), "int32"))
        return 0

    def zero(self) -> Any:
        return 0


class TimeNode(Node):
    kind = "time"
    display = "v1.Time"

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v is None:
            return None
        if hasattr(v, "isoformat") and v.__class__ is not str:
            v = _datetime_text(v)
        if v.__class__ is not str:
            # metav1.Time unmarshals into a string first; that inner error stops the decoder.
            st.abort(st.type_error(json_kind(v), "string"))
        try:
            return time_json(v)
        except TimeParseError as e:
            st.abort(str(e))
        return None if into is _ABSENT else into


class RawNode(Node):
    """runtime.RawExtension / metav1.FieldsV1: JSON kept as it is (numbers respelled by Go)."""

    kind = "raw"

    def __init__(self, display: str) -> None:
        self.display = display

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        return raw_json(v)


class Field:
    """One JSON field of a struct after Go's embedding rules: where it lives and how it is emitted."""

    __slots__ = ("empty", "index", "json", "merge_key", "node", "omit", "path", "same", "strategy", "ynode", "zc")

    def __init__(
        self,
        json: str,
        node: Node,
        omit: str,
        path: tuple[str, ...],
        ynode: Node | None,
        strategy: str,
        merge_key: str,
        index: tuple[int, ...],
    ) -> None:
        self.json = json
        self.node = node
        self.omit = omit
        self.path = path
        self.ynode = ynode
        self.strategy = strategy
        self.merge_key = merge_key
        self.index = index  # Go's field index path: its order is json.Marshal's field order
        self.empty, self.zc = _emptiness(node.kind, omit)
        self.same = _kept_class(node)


def _kept_class(node: Node) -> type | None:
    """The class of value that `node.dec` returns as it is, whatever the target and state: the
    fast walk then skips the call for most leaves (a pod is mostly strings)."""
    if isinstance(node, PtrNode):
        node = node.elem
    if isinstance(node, StringNode):
        return str
    if isinstance(node, BoolNode):
        return bool
    return None


_NEVER, _EQ_ZERO, _FALSY, _NIL = 0, 1, 2, 3


def _emptiness(kind: str, omit: str) -> tuple[int, Any]:
    """How omitempty/omitzero test an encoded value of this kind: (test, zero constant)."""
    if not omit:
        return _NEVER, None
    if kind == "string":
        return _EQ_ZERO, ""
    if kind in ("int", "float"):
        return _EQ_ZERO, 0
    if kind == "bool":
        return _EQ_ZERO, False
    if kind in ("slice", "map"):
        return _FALSY, None
    if kind == "ptr" or (kind == "time" and "z" in omit):
        return _NIL, None
    return _NEVER, None  # structs (and struct-backed leaves) are never empty


_STRUCT_PARTS = frozenset(("fields", "folded", "_zero_const", "_zero_made"))


class StructNode(Node):
    """A struct type. Its fields are compiled when the node is first used (`__getattr__`): a Pod's
    type graph has ~140 structs, of which decoding a workload touches a few dozen, and compiling
    them all cost ~4 ms of every run's startup. Once complete, the parts are plain attributes."""

    kind = "struct"
    fields: dict[str, Field]
    folded: dict[str, Field]
    _zero_const: dict[str, Any]
    _zero_made: list[tuple[str, Callable[[], Any]]]

    def __init__(self, key: str) -> None:
        self.key = key
        self.name = key.split(".", 1)[1]
        self.display = _PKG[key.split(".", 1)[0]] + "." + self.name
        self.ytarget = self

    def __getattr__(self, name: str) -> Any:  # only called for attributes not set yet
        if name in _STRUCT_PARTS:
            self._complete()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _complete(self) -> None:
        """Compile the fields, index them by folded name and precompute the zero value's emitted
        fields; published in one step, so other threads see all parts or none."""
        with _COMPILE:
            if "fields" in self.__dict__:
                return
            fields = {f.json: f for f in _promoted_fields(self.key, (), ())}
            folded: dict[str, Field] = {}
            for f in fields.values():
                folded.setdefault(fold_name(f.json), f)
            zero_const: dict[str, Any] = {}
            zero_made: list[tuple[str, Callable[[], Any]]] = []
            for f in fields.values():
                z = f.node.zero()
                if not _omitted(f, z):
                    zero_const[f.json] = z
                    if isinstance(z, (dict, list)):
                        zero_made.append((f.json, f.node.zero))
            self.__dict__.update(folded=folded, _zero_const=zero_const, _zero_made=zero_made)
            self.__dict__["fields"] = fields  # last: its presence means complete

    def lookup(self, key: str, st: _State) -> Field | None:
        f = self.fields.get(key)
        if f is None and st.fold:
            f = self.folded.get(fold_name(key))
            if f is not None and not st.exact:
                raise _Retry  # two keys may land on one field; Go's order decides
        return f

    def zero(self) -> Any:
        out = self._zero_const.copy()
        for k, make in self._zero_made:
            out[k] = make()
        return out

    def dec(self, v: Any, y: Node | None, into: Any, st: _State) -> Any:
        if v.__class__ is not dict:
            if v is None:
                return self.zero() if into is _ABSENT else into
            st.mismatch(v, self.display)
            return self.zero() if into is _ABSENT else into
        if into is not _ABSENT:
            out = dict(into)
        else:  # self.zero(), inline: a pod decodes some ninety structs
            out = self._zero_const.copy()
            for k, make in self._zero_made:
                out[k] = make()
        if st.exact:
            self._fields_exact(v, y, out, st)
            return out
        # The fast walk, inline for the same reason.
        fields = self.fields
        for k, x in v.items():
            f = fields.get(k)
            if f is None:
                if k.__class__ is not str:
                    raise _Retry
                f = self.lookup(k, st)
                if f is None:
                    continue
            # No key can repeat a field here (see lookup), so nothing is decoded into.
            if x.__class__ is f.same:
                val = x
            else:
                val = f.node.dec(x, f.ynode if y is self else _ychild(y, k), _ABSENT, st)
            empty = f.empty
            if empty and ((empty == 1 and val == f.zc) or (empty == 2 and not val) or (empty == 3 and val is None)):
                out.pop(f.json, None)
            else:
                out[f.json] = val
        return out

    def _fields_exact(self, v: dict, y: Node | None, out: dict, st: _State) -> None:
        for k, x in _items(v, st):
            f = self.lookup(k, st)
            if f is None:
                continue
            fy = f.ynode if y is self else _ychild(y, k)
            st.path.extend(f.path)
            st.snames.append(self.name)
            val = f.node.dec(x, fy, out.get(f.json, _ABSENT), st)
            del st.path[len(st.path) - len(f.path) :]
            st.snames.pop()
            if _omitted(f, val):
                out.pop(f.json, None)
            else:
                out[f.json] = val


def _omitted(f: Field, val: Any) -> bool:
    """encoding/json's omitempty / omitzero for an encoded value."""
    empty = f.empty
    if empty == _EQ_ZERO:
        return val == f.zc
    if empty == _FALSY:
        return not val
    if empty == _NIL:
        return val is None
    return False


def _yslice(y: Node | None) -> Node | None:
    """The conversion target of a list's elements."""
    if y is not None and y.kind == "slice":
        return y.elem.ytarget  # type: ignore[attr-defined]
    return None


def _ychild(y: Node | None, key: str | None) -> Node | None:
    """sigs.k8s.io/yaml's conversion target for `key` inside target `y`.

    A struct field promoted from an embedded struct converts against the embedded struct itself
    (sigs.k8s.io/yaml only follows the first step of the field index), so no string coercion
    happens below it.
    """
    if y is None:
        return None
    if y.kind == "map":
        return y.elem.ytarget  # type: ignore[attr-defined]
    if y.kind == "struct" and key is not None:
        f = y.fields.get(key) or y.folded.get(fold_name(key))  # type: ignore[attr-defined]
        return f.ynode if f is not None else None
    return None


def _items(v: dict, st: _State) -> list[tuple[str, Any]]:
    """An object's members as Go sees them: keys made strings, in JSON (sorted) order."""
    items = []
    for k, x in v.items():
        if k.__class__ is not str:
            k = _key_string(k)
        items.append((k, x))
    if st.exact:
        items.sort(key=lambda kv: kv[0])
    return items


def _key_string(k: Any) -> str:
    """sigs.k8s.io/yaml's conversion of a non-string YAML map key."""
    if k is True:
        return "true"
    if k is False:
        return "false"
    if isinstance(k, int):
        return str(k)
    if isinstance(k, float):
        return yaml_float_text(k, 32)
    if isinstance(k, str):
        return k
    raise KubeTypeError(f"unsupported map key of type: {type(k).__name__}, key: {k!r}", "convert")


def fold_name(name: str) -> str:
    """encoding/json's foldName: ASCII upper-cased, other letters to the smallest of their case set."""
    if name.isascii():
        return name.upper()
    out = []
    for ch in name:
        if ch.isascii():
            out.append(ch.upper())
            continue
        orbit = {ch}
        for c in (ch.upper(), ch.lower(), ch.upper().lower(), ch.lower().upper()):
            if len(c) == 1:
                orbit.add(c)
        out.append(min(orbit))
    return "".join(out)


def _datetime_text(v: Any) -> str:
    """A date or datetime from a YAML loader that resolves timestamps, spelled back as text.

    go-yaml v2 keeps timestamps as their text; this is the nearest spelling a loader that parsed
    them still allows (exact for dates, RFC 3339 for datetimes).
    """
    text = v.isoformat()
    if not hasattr(v, "hour"):
        return text
    if "T" not in text:
        text += "T00:00:00"
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    elif len(text) < 20 or text[19:20] not in ("+", "-", "Z", "."):
        text += "Z"
    return text


_KEPT = frozenset((str, int, bool, type(None)))  # what raw_json returns as it is (checked inline: most leaves)


def raw_json(v: Any) -> Any:
    """A value kept as raw JSON: keys made strings, numbers as Go spells and go-yaml v2 re-reads them."""
    cls = v.__class__
    if cls is dict:
        return {
            (k if k.__class__ is str else _key_string(k)): (x if x.__class__ in _KEPT else raw_json(x))
            for k, x in v.items()
        }
    if cls is list:
        return [x if x.__class__ in _KEPT else raw_json(x) for x in v]
    if cls is float:
        try:
            text = yamljson.float_json(v)
        except ValueError as e:
            raise KubeTypeError(str(e), "convert") from None
        if _INT_TEXT.match(text):
            n = int(text)
            if yamljson.INT64_MIN <= n <= yamljson.UINT64_MAX:
                return n
        return v
    if hasattr(v, "isoformat") and cls is not str and cls is not int and cls is not bool:
        return _datetime_text(v)
    return v


# --- compiling the schema -----------------------------------------------------------------------


_NODES: dict[str, Node] = {}
_BOOL = BoolNode()


def _display(expr: str) -> str:
    """reflect.Type.String() for one of our type expressions."""
    if expr.startswith("[]"):
        return "[]" + _display(expr[2:])
    if expr.startswith("*"):
        return "*" + _display(expr[1:])
    if expr.startswith("map["):
        key, val = _split_map(expr)
        return f"map[{_display(key)}]{_display(val)}"
    if "." in expr:
        pkg, name = expr.split(".", 1)
        return _PKG[pkg] + "." + name
    return expr


def _split_map(expr: str) -> tuple[str, str]:
    close = expr.index("]")
    return expr[4:close], expr[close + 1 :]


_COMPILE = threading.RLock()
_STAGING: dict[str, Node] = {}  # nodes of the compilation under way, published when it ends


def node_for(expr: str) -> Node:
    """The compiled node of a type expression (compiled on first use, published complete)."""
    node = _NODES.get(expr)
    if node is not None:
        return node
    with _COMPILE:
        node = _NODES.get(expr) or _STAGING.get(expr)
        if node is not None:
            return node
        outermost = not _STAGING
        node = _build(expr)
        _STAGING[expr] = node
        if outermost:
            _NODES.update(_STAGING)
            _STAGING.clear()
    return node


def _build(expr: str) -> Node:
    if expr.startswith("[]"):
        return SliceNode(node_for(expr[2:]))
    if expr.startswith("*"):
        return PtrNode(node_for(expr[1:]))
    if expr.startswith("map["):
        return MapNode(_display(expr), node_for(_split_map(expr)[1]))
    leaf = _leaf(expr)
    if leaf is not None:
        return leaf
    if expr in NAMED:
        return _named(expr, NAMED[expr])
    if expr in STRUCTS:
        return _struct(expr)
    raise KeyError(f"unknown Go type {expr!r}")


def _leaf(expr: str) -> Node | None:
    if expr == "string":
        return StringNode("string")
    if expr == "bool":
        return _BOOL
    if expr in _INT_BITS:
        return IntNode(expr, _INT_BITS[expr])
    if expr in ("float64", "float32"):
        return FloatNode(expr)
    if expr == "types.UID":
        return StringNode("types.UID")
    if expr == "resource.Quantity":
        return QuantityNode()
    if expr == "intstr.IntOrString":
        return IntOrStringNode()
    if expr in ("meta.Time", "meta.MicroTime"):
        return TimeNode()
    if expr in ("runtime.RawExtension", "meta.FieldsV1"):
        return RawNode(_display(expr))
    return None


def _named(expr: str, underlying: str) -> Node:
    """A defined type: its underlying behaviour under its own name."""
    display = _display(expr)
    if underlying == "string":
        return StringNode(display)
    if underlying.startswith("map["):
        return MapNode(display, node_for(_split_map(underlying)[1]))
    if underlying.startswith("[]"):
        node = SliceNode(node_for(underlying[2:]))
        node.display = display
        return node
    if underlying in _INT_BITS:
        return IntNode(display, _INT_BITS[underlying])
    return node_for(underlying)


def _struct(key: str) -> StructNode:
    return StructNode(key)  # its fields are compiled on first use


def _parse_field(spec: str) -> tuple[str, str, str, str, str]:
    parts = spec.split()
    name, expr, flags = parts[0], parts[1], parts[2]
    strategy = parts[3] if len(parts) > 3 and parts[3] != "_" else ""
    merge_key = parts[4] if len(parts) > 4 else ""
    return name, expr, "" if flags == "-" else flags, strategy, merge_key


def _promoted_fields(key: str, via: tuple[str, ...], index: tuple[int, ...]) -> list[Field]:
    """typeFields: own fields plus those of embedded structs, in Go's order, shallower ones dominating."""
    own: list[Field] = []
    nested: list[list[Field]] = []
    for i, spec in enumerate(STRUCTS[key]):
        name, expr, flags, strategy, merge_key = _parse_field(spec)
        if name.startswith("@"):
            embedded = _promoted_fields(expr, via + (name[1:],), index + (i,))
            # sigs.k8s.io/yaml converts promoted fields against the embedded struct itself.
            ytarget = node_for(expr).ytarget
            for f in embedded:
                f.ynode = ytarget
            nested.append(embedded)
            continue
        node = node_for(expr)
        own.append(Field(name, node, flags, via + (name,), node.ytarget, strategy, merge_key, index + (i,)))
    return sorted(_dominant(own, nested), key=lambda f: f.index)


def _dominant(own: list[Field], nested: list[list[Field]]) -> list[Field]:
    """Go's dominance rule: a name defined at a shallower depth hides deeper ones; ties vanish."""
    taken = {f.json for f in own}
    deeper: dict[str, list[Field]] = {}
    for group in nested:
        for f in group:
            if f.json not in taken:
                deeper.setdefault(f.json, []).append(f)
    result = list(own)
    for cands in deeper.values():
        best = min(len(c.index) for c in cands)
        top = [c for c in cands if len(c.index) == best]
        if len(top) == 1:
            result.append(top[0])
    return result


def struct_node(go_type: str) -> StructNode:
    """The struct node for `core.PodSpec`, or a Go spelling such as `v1.PodSpec` / `PodSpec`."""
    key = _resolve_name(go_type)
    node = node_for(key)
    if not isinstance(node, StructNode):
        raise KeyError(f"{go_type!r} is not a struct")
    return node


_PREFERRED = ("core", "apps", "batch", "meta", "oapps")


def _resolve_name(go_type: str) -> str:
    """Our key for a Go type name: `core.PodSpec`, `v1.PodSpec`, `PodSpec`, or an expression."""
    if go_type in STRUCTS or go_type in NAMED:
        return go_type
    for prefix in ("[]", "*"):
        if go_type.startswith(prefix):
            return prefix + _resolve_name(go_type[len(prefix) :])
    if go_type.startswith("map["):
        key, val = _split_map(go_type)
        return f"map[{_resolve_name(key)}]{_resolve_name(val)}"
    if _leaf(go_type) is not None:
        return go_type
    name = go_type.split(".", 1)[1] if "." in go_type else go_type
    for pkg in _PREFERRED:
        cand = f"{pkg}.{name}"
        if cand in STRUCTS or cand in NAMED:
            return cand
    raise KeyError(f"unknown Go type {go_type!r}")


# --- public API ---------------------------------------------------------------------------------

#: kinds istioctl decodes (AddUnversionedTypes: matched by kind alone, any apiVersion)
KINDS = {
    "Pod": "core.Pod",
    "ReplicationController": "core.ReplicationController",
    "List": "core.List",
    "Deployment": "apps.Deployment",
    "DaemonSet": "apps.DaemonSet",
    "ReplicaSet": "apps.ReplicaSet",
    "StatefulSet": "apps.StatefulSet",
    "Job": "batch.Job",
    "CronJob": "batch.CronJob",
    "DeploymentConfig": "oapps.DeploymentConfig",
}


def normalize_as(value: Any, go_type: str, *, coerce: bool = True, case_insensitive: bool = True) -> Any:
    """Decode `value` into Go type `go_type` and encode it back, as Go would.

    coerce: apply sigs.k8s.io/yaml's number/bool-to-string coercion (False for plain encoding/json
    input such as JSON annotations). case_insensitive: encoding/json's key matching (False for the
    apimachinery JSON serializer). Raises KubeTypeError.
    """
    node = node_for(_resolve_name(go_type))
    try:
        return node.dec(value, node.ytarget, _ABSENT, _State(False, coerce, case_insensitive))
    except _Retry:
        pass
    st = _State(True, coerce, case_insensitive)
    try:
        out = node.dec(value, node.ytarget, _ABSENT, st)
    except _Abort as e:
        raise KubeTypeError(str(e)) from None
    if st.error is not None:
        raise KubeTypeError(st.error)
    return out


def marshal_json(value: Any, go_type: str) -> str:
    """json.Marshal of a normalised value of `go_type`: compact, struct fields in Go's order.

    For JSON Istio writes into annotations (e.g. the containers of `proxy.istio.io/overrides`);
    `value` must already be normalised (what `normalize_as` returns).
    """
    return _marshal(value, node_for(_resolve_name(go_type)))


def _marshal(v: Any, node: Node) -> str:
    if v is None:
        return "null"
    if isinstance(node, PtrNode):
        return _marshal(v, node.elem)
    if isinstance(node, StructNode):
        parts = [
            yamljson.string_json(name) + ":" + _marshal(v[name], f.node) for name, f in node.fields.items() if name in v
        ]
        return "{" + ",".join(parts) + "}"
    if isinstance(node, SliceNode):
        return "[" + ",".join(_marshal(x, node.elem) for x in v) + "]"
    if isinstance(node, MapNode):
        return "{" + ",".join(yamljson.string_json(k) + ":" + _marshal(v[k], node.elem) for k in sorted(v)) + "}"
    return yamljson.json_text(v)


def kind_of(doc: Any) -> str:
    """The `kind` Go reads from a document (TypeMeta: case-insensitive, scalars coerced)."""
    meta = normalize_as(doc, "meta.TypeMeta")
    return meta.get("kind", "")


def is_supported(doc: Any) -> bool:
    """Whether istioctl decodes this document (its kind is registered) rather than passing it through."""
    return kind_of(doc) in KINDS


def normalize(doc: dict) -> dict:
    """The document after istioctl's round trip through its Go type (dispatching on `kind`).

    `List` items of supported kinds are normalised as their own kind, others kept as raw JSON.
    Raises KubeTypeError for a type mismatch, KeyError for a kind istioctl does not decode.
    """
    kind = kind_of(doc)
    if kind not in KINDS:
        raise KeyError(f"kind {kind!r} is not one istioctl kube-inject decodes")
    out = normalize_as(doc, KINDS[kind])
    if kind == "List" and out.get("items"):
        out["items"] = [_list_item(item) for item in out["items"]]
    return out


def _list_item(item: Any) -> Any:
    """A List item: decoded as its own kind when registered, else left as raw JSON.

    Like istioctl, a null item stays null, and an item that is not an object fails its TypeMeta.
    """
    if item is None:
        return None
    if kind_of(item) not in KINDS:
        return item
    return normalize(item)
