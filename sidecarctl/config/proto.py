"""Protobuf messages of istio/api with the legacy jsonpb semantics Istio uses for mesh config.

Istio reads MeshConfig/ProxyConfig with `protomarshal.ApplyYAML` (YAML -> JSON -> jsonpb
Unmarshal *into an existing message*) and writes them with `protomarshal.ToJSON`. What matters:

* unmarshal merges at the top level only: a field present in the JSON replaces the field (a
  nested message is rebuilt from scratch, lists and maps are replaced), absent fields are kept,
  `null` is skipped; both the JSON name and the proto name are accepted; quoted numbers are
  accepted; setting one member of a oneof clears the others;
* ApplyJSON retries with unknown fields allowed, so unknown fields are ignored, but a value of
  the wrong JSON type fails with encoding/json's message;
* marshal walks fields in declaration order, omits unset/zero fields, writes enums by name,
  64-bit integers quoted, map keys sorted, Duration as `"1.500s"`-style seconds.

A message value is a `Message`; repeated fields are lists, maps are dicts, enums are ints,
google.protobuf.Struct/Value are plain JSON-shaped Python data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from sidecarctl.config import protoschema
from sidecarctl.golang.duration import parse_duration
from sidecarctl.golang.errors import GoError
from sidecarctl.golang.json import json_kind
from sidecarctl.gotemplate.istio import go_json, go_json_float, go_json_string

_INT_RANGES = {
    "int32": (-(1 << 31), (1 << 31) - 1),
    "sint32": (-(1 << 31), (1 << 31) - 1),
    "sfixed32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "sint64": (-(1 << 63), (1 << 63) - 1),
    "sfixed64": (-(1 << 63), (1 << 63) - 1),
    "uint32": (0, (1 << 32) - 1),
    "fixed32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
    "fixed64": (0, (1 << 64) - 1),
}
_GO_INT = {
    "sint32": "int32",
    "sfixed32": "int32",
    "sint64": "int64",
    "sfixed64": "int64",
    "fixed32": "uint32",
    "fixed64": "uint64",
}
WRAPPERS = {
    "google.protobuf.BoolValue": "bool",
    "google.protobuf.StringValue": "string",
    "google.protobuf.Int32Value": "int32",
    "google.protobuf.UInt32Value": "uint32",
    "google.protobuf.Int64Value": "int64",
    "google.protobuf.UInt64Value": "uint64",
    "google.protobuf.DoubleValue": "double",
    "google.protobuf.FloatValue": "float",
    "google.protobuf.BytesValue": "bytes",
}
DURATION = "google.protobuf.Duration"
STRUCT_TYPES = ("google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue")


class ProtoError(Exception):
    """A value that jsonpb would refuse; the message is Go's."""


class Field(NamedTuple):  # NamedTuples, not frozen dataclasses: ~10x cheaper to define at startup
    name: str
    json: str
    go: str
    number: int
    type: Any  # scalar name, message/enum full name, or ("map", key, value)
    label: str
    oneof: str | None

    @property
    def repeated(self) -> bool:
        return self.label == "repeated"

    @property
    def is_map(self) -> bool:
        return self.label == "map"

    @property
    def value_type(self) -> str:
        return self.type[2] if self.is_map else self.type


class MessageType(NamedTuple):
    full_name: str
    go_type: str
    fields: tuple[Field, ...]

    def field_for_key(self, key: str) -> Field | None:
        return _KEYS[self.full_name].get(key)

    def field_by_go(self, go_name: str) -> Field | None:
        return _GO_NAMES[self.full_name].get(go_name)


# Well-known types used by the mesh config, as (Go type, ((name, scalar type, number), ...)).
_WELL_KNOWN: dict[str, tuple[str, tuple[tuple[str, str, int], ...]]] = {
    DURATION: ("durationpb.Duration", (("seconds", "int64", 1), ("nanos", "int32", 2))),
    **{full: ("wrapperspb." + full.rsplit(".", 1)[1], (("value", scalar, 1),)) for full, scalar in WRAPPERS.items()},
}


class _Types(Mapping[str, MessageType]):
    """Full name -> MessageType, each built from protoschema when first used: a run touches a
    dozen of the ~200 messages, and building them all would cost milliseconds of every startup."""

    def __init__(self) -> None:
        self._built: dict[str, MessageType] = {}

    def __getitem__(self, full: str) -> MessageType:
        mtype = self._built.get(full)
        if mtype is None:
            mtype = self._built[full] = _build_type(full)
        return mtype

    def __contains__(self, full: object) -> bool:
        return full in protoschema.MESSAGES or full in _WELL_KNOWN

    def __iter__(self) -> Iterator[str]:
        yield from protoschema.MESSAGES
        yield from _WELL_KNOWN

    def __len__(self) -> int:
        return len(protoschema.MESSAGES) + len(_WELL_KNOWN)


def _build_type(full: str) -> MessageType:
    if full in _WELL_KNOWN:
        go, specs = _WELL_KNOWN[full]
        mtype = MessageType(full, go, tuple(Field(n, n, n.capitalize(), num, t, "", None) for n, t, num in specs))
    else:
        go, fields = protoschema.MESSAGES[full]  # KeyError for an unknown name, as a Mapping should
        mtype = MessageType(full, go, tuple(Field(*f) for f in fields))
    keys = {f.name: f for f in mtype.fields}
    keys.update({f.json: f for f in mtype.fields})
    _KEYS[full] = keys
    _GO_NAMES[full] = {f.go: f for f in mtype.fields}
    return mtype


TYPES = _Types()
ENUMS: dict[str, tuple[str, dict[str, int]]] = protoschema.ENUMS
_KEYS: dict[str, dict[str, Field]] = {}
_GO_NAMES: dict[str, dict[str, Field]] = {}


def enum_name(enum_type: str, number: int) -> str | None:
    for name, num in ENUMS[enum_type][1].items():
        if num == number:
            return name
    return None


class Message:
    """A protobuf message: its type and the fields that are set (proto name -> value)."""

    __slots__ = ("type", "values")

    def __init__(self, type_name: str, values: dict[str, Any] | None = None) -> None:
        self.type = TYPES[type_name]
        self.values: dict[str, Any] = values or {}

    def get(self, name: str) -> Any:
        """The field's value, or its zero value when unset (as generated Go getters return)."""
        if name in self.values:
            return self.values[name]
        return zero_value(self._field(name))

    def has(self, name: str) -> bool:
        return name in self.values and _present(self._field(name), self.values[name])

    def set(self, name: str, value: Any) -> None:
        field = self._field(name)
        if field.oneof:
            for other in self.type.fields:
                if other.oneof == field.oneof:
                    self.values.pop(other.name, None)
        self.values[name] = value

    def clear(self, name: str) -> None:
        self.values.pop(name, None)

    def which_oneof(self, oneof: str) -> Field | None:
        for f in self.type.fields:
            if f.oneof == oneof and f.name in self.values:
                return f
        return None

    def clone(self) -> Message:
        return Message(self.type.full_name, copy.deepcopy(self.values))

    def _field(self, name: str) -> Field:
        for f in self.type.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.type.full_name} has no field {name}")

    def __deepcopy__(self, memo: dict[int, Any]) -> Message:
        return Message(self.type.full_name, copy.deepcopy(self.values, memo))

    def __eq__(self, other: object) -> bool:  # proto.Equal
        if not isinstance(other, Message) or other.type.full_name != self.type.full_name:
            return False
        names = {n for n in self.values if self.has(n)} | {n for n in other.values if other.has(n)}
        return all(self.has(n) == other.has(n) and self.get(n) == other.get(n) for n in names)

    def __repr__(self) -> str:
        return f"Message({self.type.full_name}, {self.values!r})"


def zero_value(field: Field) -> Any:
    if field.repeated:
        return []
    if field.is_map:
        return {}
    t = field.type
    if t == "string":
        return ""
    if t == "bool":
        return False
    if t in ("double", "float"):
        return 0.0
    if t == "bytes":
        return b""
    if t in _INT_RANGES:
        return 0
    if t in ENUMS:
        return 0
    return None  # message: nil


def _present(field: Field, value: Any) -> bool:
    """protoreflect's Has for proto3: non-zero scalars, non-nil messages, non-empty lists/maps."""
    if field.label == "optional" or field.oneof:
        return True
    if field.repeated or field.is_map:
        return bool(value)
    if field.type in TYPES or field.type in STRUCT_TYPES:
        return value is not None if field.type != "google.protobuf.Value" else True
    if isinstance(value, float):
        return value != 0 or str(value).startswith("-")
    return bool(value)


# --- unmarshal ------------------------------------------------------------------------------


def _type_error(value: Any, go_type: str) -> ProtoError:
    return ProtoError(f"json: cannot unmarshal {json_kind(value)} into Go value of type {go_type}")


def apply_json(msg: Message, data: Any) -> None:
    """jsonpb Unmarshal of JSON-shaped data into an existing message (ApplyJSON semantics)."""
    if data is None:
        return  # a top-level null is a no-op
    if not isinstance(data, dict):
        raise _type_error(data, "map[string]json.RawMessage")
    for field in msg.type.fields:
        raw, found = None, False
        for key in (field.name, field.json):
            if key in data:
                raw, found = data[key], True
        if not found or (raw is None and field.type != "google.protobuf.Value"):
            continue
        msg.set(field.name, _field_value(field, raw))


def new_message(type_name: str, data: Any) -> Message:
    msg = Message(type_name)
    apply_json(msg, data)
    return msg


def _field_value(field: Field, raw: Any) -> Any:
    if field.repeated:
        if not isinstance(raw, list):
            raise _type_error(raw, "[]json.RawMessage")
        return [_singular(field.type, item) for item in raw]
    if field.is_map:
        if not isinstance(raw, dict):
            raise _type_error(raw, "map[string]json.RawMessage")
        key_type = field.type[1]
        return {_map_key(key_type, k): _singular(field.value_type, v) for k, v in raw.items()}
    return _singular(field.type, raw)


def _map_key(key_type: str, key: str) -> Any:
    return key if key_type == "string" else _singular(key_type, key)


def _singular(t: str, raw: Any) -> Any:
    if t == "string":
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise _type_error(raw, "string")
        return raw
    if t == "bool":
        if raw is None:
            return False
        if not isinstance(raw, bool):
            raise _type_error(raw, "bool")
        return raw
    if t in _INT_RANGES:
        return _integer(t, raw)
    if t in ("double", "float"):
        return _floating(t, raw)
    if t == "bytes":
        return _bytes(raw)
    if t in ENUMS:
        return _enum(t, raw)
    if t in STRUCT_TYPES:
        return _struct_value(t, raw)
    if t == DURATION:
        return _duration(raw)
    if t in WRAPPERS:
        return Message(t, {"value": _singular(WRAPPERS[t], raw)}) if raw is not None else Message(t)
    msg = Message(t)
    apply_json(msg, raw)
    return msg


def _integer(t: str, raw: Any) -> int:
    """The legacy decoder strips quotes, then encoding/json parses the literal into the Go int."""
    go_type = _GO_INT.get(t, t)
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _type_error(raw, go_type)
    literal = raw if isinstance(raw, str) else _number_literal(raw)
    if not re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?", literal):
        if not literal:
            raise ProtoError("unexpected end of JSON input")
        raise ProtoError(f"invalid character {_first_char(literal)} looking for beginning of value")
    lo, hi = _INT_RANGES[t]
    if re.search(r"[.eE]", literal) or not lo <= int(literal) <= hi:
        raise ProtoError(f"json: cannot unmarshal number {literal} into Go value of type {go_type}")
    return int(literal)


def _number_literal(value: Any) -> str:
    """How the number reads in the JSON that sigs.k8s.io/yaml produced from the YAML."""
    if isinstance(value, float):
        return go_json_float(value)
    return str(value)


def _first_char(text: str) -> str:
    return "'" + text[0] + "'"


def _floating(t: str, raw: Any) -> float:
    if isinstance(raw, str):
        special = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
        if raw in special:
            return special[raw]
        try:
            return float(raw)
        except ValueError:
            raise ProtoError(f"invalid character {_first_char(raw)} looking for beginning of value") from None
    if raw is None:
        return 0.0
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise _type_error(raw, "float64" if t == "double" else "float32")
    return float(raw)


def _bytes(raw: Any) -> bytes:
    import base64

    if raw is None:
        return b""
    if not isinstance(raw, str):
        raise _type_error(raw, "[]uint8")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise ProtoError("illegal base64 data at input byte 0") from None


def _enum(t: str, raw: Any) -> int:
    values = ENUMS[t][1]
    if isinstance(raw, str):
        if raw not in values:
            raise ProtoError(f'unknown value "\\"{raw}\\"" for enum {t}')
        return values[raw]
    if raw is None:
        return 0
    return _integer("int32", raw)


def _struct_value(t: str, raw: Any) -> Any:
    if t == "google.protobuf.Struct" and not isinstance(raw, dict):
        raise ProtoError(f"bad StructValue: {_type_error(raw, 'map[string]json.RawMessage')}")
    if t == "google.protobuf.ListValue" and not isinstance(raw, list):
        raise ProtoError(f"bad ListValue: {_type_error(raw, '[]json.RawMessage')}")
    return copy.deepcopy(raw)


def _duration(raw: Any) -> Message:
    if not isinstance(raw, str):
        raise _type_error(raw, "string")
    nanos = parse_go_duration(raw)
    seconds, rest = int(nanos / 1_000_000_000), abs(nanos) % 1_000_000_000
    return Message(DURATION, {"seconds": seconds, "nanos": rest if nanos >= 0 else -rest})


def parse_go_duration(text: str) -> int:
    """time.ParseDuration, in nanoseconds; raises ProtoError with jsonpb's `bad Duration` text."""
    try:
        return parse_duration(text)
    except GoError as err:
        raise ProtoError(f"bad Duration: {err}") from None


# --- marshal --------------------------------------------------------------------------------


def to_json(msg: Message) -> str:
    """protomarshal.ToJSON: compact legacy-jsonpb output."""
    if msg.type.full_name == DURATION:
        return _duration_json(msg)
    if msg.type.full_name in WRAPPERS:
        return _scalar_json(WRAPPERS[msg.type.full_name], msg.get("value"))
    parts: list[str] = []
    seen_oneofs: set[str] = set()
    for field in msg.type.fields:
        if field.oneof:
            if field.oneof in seen_oneofs:
                continue
            seen_oneofs.add(field.oneof)
            chosen = msg.which_oneof(field.oneof)
            if chosen is None:
                continue
            field = chosen
        elif not msg.has(field.name):
            continue
        parts.append(go_json_string(field.json) + ":" + _field_json(field, msg.values[field.name]))
    return "{" + ",".join(parts) + "}"


def _field_json(field: Field, value: Any) -> str:
    if field.repeated:
        return "[" + ",".join(_value_json(field.type, v) for v in value) + "]"
    if field.is_map:
        items = sorted(value.items(), key=lambda kv: kv[0])
        return "{" + ",".join(go_json_string(str(k)) + ":" + _value_json(field.value_type, v) for k, v in items) + "}"
    return _value_json(field.type, value)


def _value_json(t: str, value: Any) -> str:
    if t in STRUCT_TYPES:
        return go_json(value)
    if isinstance(value, Message):
        return to_json(value)
    if value is None and t in TYPES:
        return "{}"
    if t in ENUMS:
        name = enum_name(t, value)
        return f'"{name}"' if name is not None else str(value)
    return _scalar_json(t, value)


def _scalar_json(t: str, value: Any) -> str:
    if t in ("int64", "uint64", "sint64", "fixed64", "sfixed64"):
        return f'"{int(value)}"'
    if t in ("double", "float"):
        if value != value:
            return '"NaN"'
        if value in (float("inf"), float("-inf")):
            return '"Infinity"' if value > 0 else '"-Infinity"'
        return go_json_float(value, 32 if t == "float" else 64)
    if t == "bytes":
        import base64

        return go_json_string(base64.b64encode(value).decode())
    return go_json(value)


def _duration_json(msg: Message) -> str:
    s, ns = int(msg.get("seconds")), int(msg.get("nanos"))
    sign = "-" if s < 0 or ns < 0 else ""
    x = f"{sign}{abs(s)}.{abs(ns):09d}"
    for suffix in ("000", "000", ".000"):
        if x.endswith(suffix):
            x = x[: -len(suffix)]
    return f'"{x}s"'
