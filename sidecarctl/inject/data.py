"""The data Istio's injection templates run on (`SidecarTemplateData` in inject.go), as Go views.

Templates see Go values, not JSON: `.ObjectMeta.Annotations` is a `map[string]string` (a missing
key indexes to ""), `.Spec.Containers` is a `[]v1.Container`, `.ProxyConfig` is a
`*v1alpha1.ProxyConfig` with protobuf getters (`.GetTracing.GetTlsSettings`, nil-safe), enums print
their names (`.InterceptionMode` is `REDIRECT`) and wrappers have `.GetValue`. The views below
give the JSON-shaped pod and the config `Message`s that shape, using the Go field names of
k8s.io/api (kube/schema.py) and istio/api (config/protoschema.py). Besides the engine's
protocol (go_field/go_method/go_string/go_is_nil) they implement `go_json()` (encoding/json of the
Go struct) and, for protobuf messages, `go_proto_json()` (protomarshal.ToJSON, after Istio's
cleanProxyConfig for a ProxyConfig): see sidecarctl/gotemplate/istio.py.
"""

from __future__ import annotations

import os
from typing import Any

from sidecarctl.config.mesh import default_proxy_config
from sidecarctl.config.proto import DURATION, ENUMS, STRUCT_TYPES, TYPES, Field, Message, enum_name, to_json
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    Float32,
    GoError,
    GoFunc,
    GoMap,
    GoObject,
    GoSlice,
    Int32,
    Int64,
    Uint32,
    Uint64,
    format_v,
    type_name,
)
from sidecarctl.gotemplate.istio import go_json, go_json_string
from sidecarctl.kube import schema as kubeschema

DEFAULT_PROXY_UID = 1337  # constants.DefaultProxyUIDInt: kube-inject has no namespace to read a range from

_PKG_NAMES = {
    "core": "v1",
    "meta": "v1",
    "apps": "v1",
    "batch": "v1",
    "oapps": "v1",
    "resource": "resource",
    "intstr": "intstr",
    "types": "types",
}
_LEAF_NAMED = {"types.UID": "string"}  # a leaf with its own codec to kube/, a plain string to templates
_BASIC_ZERO: dict[str, Any] = {
    "string": "",
    "bool": False,
    "int32": Int32(0),
    "int64": Int64(0),
    "int": 0,
    "float64": 0.0,
    "byte": 0,
    "uint8": 0,
    "uint32": Uint32(0),
    "uint64": Uint64(0),
}


def display_type(t: str) -> str:
    """`*core.Probe` -> `*v1.Probe`: how Go prints the type."""
    prefix = ""
    while t.startswith(("*", "[]")):
        step = "*" if t.startswith("*") else "[]"
        prefix, t = prefix + step, t[len(step) :]
    if t.startswith("map["):
        key, elem = t[4:].split("]", 1)
        return f"{prefix}map[{display_type(key)}]{display_type(elem)}"
    if "." in t:
        pkg, name = t.split(".", 1)
        return f"{prefix}{_PKG_NAMES.get(pkg, pkg)}.{name}"
    return prefix + t


def _underlying(t: str) -> str:
    return kubeschema.NAMED.get(t) or _LEAF_NAMED.get(t, t)


GoField = tuple[str, str, str, bool, bool]  # Go name, JSON name, type, omitempty, embedded
_FIELDS: dict[str, tuple[GoField, ...]] = {}


def struct_fields(type_key: str) -> tuple[GoField, ...]:
    """A struct's fields from kube/schema.py, in declaration order, with their Go names."""
    fields = _FIELDS.get(type_key)
    if fields is None:
        go_names = kubeschema.GO_NAMES.get(type_key, {})
        built = []
        for spec in kubeschema.STRUCTS.get(type_key, ()):
            js, typ, flags = spec.split(" ", 3)[:3]
            if js.startswith("@"):
                built.append((js[1:], "", typ, False, True))
            else:
                built.append((go_names.get(js) or js[:1].upper() + js[1:], js, typ, flags != "-", False))
        fields = _FIELDS[type_key] = tuple(built)
    return fields


# --- Kubernetes structs ---------------------------------------------------------------------


class KubeView(GoObject):
    """A k8s.io/api struct (value or non-nil pointer) over its JSON form."""

    go_kind = "struct"

    def __init__(self, type_key: str, data: dict[str, Any] | None, pointer: bool = False) -> None:
        self.type_key = type_key
        self.data = data if isinstance(data, dict) else {}
        self.pointer = pointer
        self._cache: dict[str, Any] = {}

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return ("*" if self.pointer else "") + display_type(self.type_key)

    def _fields(self) -> tuple[GoField, ...]:
        return struct_fields(self.type_key)

    def go_field(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        for go, js, typ, _omit, inline in self._fields():
            if go == name:
                value = KubeView(typ, self.data) if inline else kube_value(typ, self.data.get(js, MISSING))
                break
        else:
            value = self._promoted(name)
        self._cache[name] = value
        return value

    def _promoted(self, name: str) -> Any:
        """Fields of embedded structs (TypeMeta's Kind, VolumeSource's ConfigMap, ...)."""
        for _go, _js, typ, _omit, inline in self._fields():
            if inline:
                try:
                    return KubeView(typ, self.data).go_field(name)
                except AttributeError:
                    continue
        raise AttributeError(name)

    def go_json(self) -> str:
        return "{" + ",".join(self._json_members()) + "}"

    def _json_members(self) -> list[str]:
        members: list[str] = []
        for _go, js, typ, omit, inline in self._fields():
            if inline:
                members += KubeView(typ, self.data)._json_members()
                continue
            raw = self.data.get(js, MISSING)
            if raw is MISSING and _underlying(typ) in kubeschema.STRUCTS:
                raw = {}  # a struct value is never "empty" to encoding/json: `"resources":{}`
            if raw is MISSING or (omit and _is_empty(typ, raw)):
                if omit:
                    continue
                raw = None
            nil = raw is None and _underlying(typ).startswith(("[]", "map[", "*"))
            members.append(go_json_string(js) + ":" + ("null" if nil else go_json(kube_value(typ, raw))))
        return members

    def go_fields_for_print(self) -> list[Any]:
        return [self.go_field(go) for go, *_ in self._fields()]


class NilKube(GoObject):
    """A nil pointer (to a k8s struct, or `*int64`...): falsy, prints `<nil>`, fields fail as in Go."""

    def __init__(self, type_key: str) -> None:
        self.type_key = type_key

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return "*" + display_type(self.type_key)

    go_kind = "ptr"

    def go_is_nil(self) -> bool:
        return True

    def go_field(self, name: str) -> Any:
        raise GoError(f"nil pointer evaluating {self.go_type}.{name}")

    def go_string(self) -> str:
        return "<nil>"

    def go_json(self) -> str:
        return "null"


class Quantity(GoObject):
    """resource.Quantity: prints and marshals as its string."""

    go_type = "resource.Quantity"
    go_kind = "struct"

    def __init__(self, text: str) -> None:
        self.text = text

    def go_string(self) -> str:
        return self.text

    def go_json(self) -> str:
        return go_json_string(self.text)

    def go_method(self, name: str) -> GoFunc | None:
        if name == "String":
            return GoFunc("String", lambda: self.text, (), result="string")
        return None


class IntOrString(GoObject):
    go_type = "intstr.IntOrString"
    go_kind = "struct"

    def __init__(self, value: Any) -> None:
        self.value = value

    def go_string(self) -> str:
        return format_v(self.value)

    def go_json(self) -> str:
        return go_json(self.value)

    def go_field(self, name: str) -> Any:
        is_str = isinstance(self.value, str)
        fields = {
            "Type": Int64(1 if is_str else 0),
            "IntVal": Int32(0 if is_str else int(self.value)),
            "StrVal": self.value if is_str else "",
        }
        if name not in fields:
            raise AttributeError(name)
        return fields[name]


class RawJSON(GoObject):
    """Leaves with their own JSON codec that templates only ever print or marshal (meta.Time...)."""

    go_kind = "struct"

    def __init__(self, type_key: str, value: Any) -> None:
        self.type_key, self.value = type_key, value

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return display_type(self.type_key)

    def go_string(self) -> str:
        return format_v(self.value)

    def go_json(self) -> str:
        return go_json(self.value)


def kube_value(t: str, raw: Any) -> Any:
    """The Go value of a field of type t whose JSON value is raw (MISSING when absent)."""
    if t.startswith("*"):
        if raw is MISSING or raw is None:
            return NilKube(t[1:])
        value = kube_value(t[1:], raw)
        if isinstance(value, KubeView):
            value.pointer = True
        return value
    if raw is MISSING:
        raw = None
    under = _underlying(t)
    if under.startswith("[]"):
        elem = under[2:]
        if elem in ("byte", "uint8"):
            return raw.encode() if isinstance(raw, str) else b""
        return GoSlice([kube_value(elem, v) for v in (raw or [])], elem=display_type(elem))
    if under.startswith("map["):
        key, elem = under[4:].split("]", 1)
        items = {k: kube_value(elem, v) for k, v in (raw or {}).items()}
        return GoMap(items, key=display_type(key), elem=display_type(elem))
    if under in kubeschema.STRUCTS:
        return KubeView(under, raw)
    return _leaf(under, raw)


def _leaf(t: str, raw: Any) -> Any:
    if t == "resource.Quantity":
        return Quantity(raw if isinstance(raw, str) else format_v(raw) if raw is not None else "0")
    if t == "intstr.IntOrString":
        return IntOrString(raw if raw is not None else 0)
    if t in _BASIC_ZERO:
        if raw is None:
            return _BASIC_ZERO[t]
        if t == "int32":
            return Int32(int(raw))
        if t == "int64":
            return Int64(int(raw))
        if t == "float64":
            return float(raw)
        return raw
    return RawJSON(t, raw)


def _is_empty(t: str, raw: Any) -> bool:
    """encoding/json's omitempty: false, 0, "", nil pointer, empty slice/map (never a struct)."""
    under = _underlying(t)
    if raw is None:
        return True
    if under.startswith(("[]", "map[")) or under in ("string", "bool") or under in _BASIC_ZERO:
        return not raw
    return False


class NamespacedName(GoObject):
    """types.NamespacedName (the workload's name and namespace); prints `namespace/name`."""

    go_type = "types.NamespacedName"
    go_kind = "struct"

    def __init__(self, namespace: str, name: str) -> None:
        self.namespace, self.name = namespace, name

    def go_field(self, name: str) -> Any:
        if name == "Namespace":
            return self.namespace
        if name == "Name":
            return self.name
        raise AttributeError(name)

    def go_string(self) -> str:
        return f"{self.namespace}/{self.name}"

    def go_method(self, name: str) -> GoFunc | None:
        if name == "String":
            return GoFunc("String", self.go_string, (), result="string")
        return None

    def go_json(self) -> str:
        return '{"Namespace":' + go_json_string(self.namespace) + ',"Name":' + go_json_string(self.name) + "}"


# --- protobuf messages ----------------------------------------------------------------------


def _proto_go_type(type_name: str) -> str:
    if type_name in TYPES:
        return TYPES[type_name].go_type
    return {
        "google.protobuf.Struct": "structpb.Struct",
        "google.protobuf.Value": "structpb.Value",
        "google.protobuf.ListValue": "structpb.ListValue",
    }.get(type_name, type_name)


class ProtoView(GoObject):
    """A pointer to a generated protobuf struct (nil when `msg` is None)."""

    go_kind = "ptr"

    def __init__(self, type_name: str, msg: Message | None) -> None:
        self.type_name, self.msg = type_name, msg

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return "*" + _proto_go_type(self.type_name)

    def go_is_nil(self) -> bool:
        return self.msg is None

    def go_field(self, name: str) -> Any:
        mtype = TYPES[self.type_name]
        field = mtype.field_by_go(name)
        oneof = _oneof_by_go(mtype.fields, name) if field is None else None
        if (field is None or field.oneof) and oneof is None:
            raise AttributeError(name)  # oneof members are reached through the oneof or getters
        if self.msg is None:
            raise GoError(f"nil pointer evaluating {self.go_type}.{name}")
        if oneof is not None:
            chosen = self.msg.which_oneof(oneof)
            return OneofView(self.type_name, chosen, self.msg) if chosen else None
        assert field is not None
        return proto_value(field, self.msg.values.get(field.name))

    def go_method(self, name: str) -> GoFunc | None:
        if not name.startswith("Get"):
            return None
        mtype = TYPES[self.type_name]
        field = mtype.field_by_go(name[3:])
        if field is not None:
            return GoFunc(name, lambda: self._get(field), (), result=_go_result_type(field))
        oneof = _oneof_by_go(mtype.fields, name[3:])
        if oneof is not None:
            return GoFunc(name, lambda: self.go_field(name[3:]) if self.msg else None, ())
        return None

    def _get(self, field: Field) -> Any:
        """Generated getters: the zero value on a nil receiver or an unset oneof member."""
        if self.msg is None or (field.oneof and self.msg.which_oneof(field.oneof) is not field):
            return proto_value(field, None)
        return proto_value(field, self.msg.get(field.name))

    def go_proto_json(self) -> str:
        if self.msg is None:
            return "{}"
        msg = clean_proxy_config(self.msg) if self.type_name == PROXY_CONFIG else self.msg
        return to_json(msg)

    def go_json(self) -> str:
        return "null" if self.msg is None else to_json(self.msg)


class OneofView(GoObject):
    """The interface value of a oneof (`ClusterName`): a wrapper struct holding one member."""

    go_kind = "ptr"

    def __init__(self, type_name: str, field: Field, msg: Message) -> None:
        self.type_name, self.field, self.msg = type_name, field, msg

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return "*" + TYPES[self.type_name].go_type + "_" + self.field.go

    def go_field(self, name: str) -> Any:
        if name != self.field.go:
            raise AttributeError(name)
        return proto_value(self.field, self.msg.get(self.field.name))

    def go_fields_for_print(self) -> list[Any]:
        return [self.go_field(self.field.go)]


def _oneof_by_go(fields: tuple[Field, ...], go_name: str) -> str | None:
    for f in fields:
        if f.oneof and _camel(f.oneof) == go_name:
            return f.oneof
    return None


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


def _go_result_type(field: Field) -> str:
    value = proto_value(field, None)
    return type_name(value) if value is not None else "interface {}"


class EnumView(GoObject):
    """A protobuf enum: an int32 that prints its name (fmt calls its String method)."""

    go_kind = "int32"

    def __init__(self, enum_type: str, number: int) -> None:
        self.enum_type, self.number = enum_type, int(number)

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return ENUMS[self.enum_type][0]

    def go_string(self) -> str:
        name = enum_name(self.enum_type, self.number)
        return name if name is not None else str(self.number)

    def go_method(self, name: str) -> GoFunc | None:
        if name == "String":
            return GoFunc("String", self.go_string, (), result="string")
        if name == "Number":
            return GoFunc("Number", lambda: Int32(self.number), (), result="protoreflect.EnumNumber")
        return None

    def go_is_nil(self) -> bool:
        return self.number == 0  # an integer kind: zero is false in `if`

    def go_json(self) -> str:
        return str(self.number)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EnumView):
            return other.enum_type == self.enum_type and other.number == self.number
        return isinstance(other, int) and not isinstance(other, bool) and other == self.number

    def __hash__(self) -> int:
        return hash((self.enum_type, self.number))


def proto_value(field: Field, value: Any) -> Any:
    """The Go value of a message field (value None means unset)."""
    if field.repeated:
        items = value or []
        return GoSlice([_singular_value(field.type, v) for v in items], elem=_elem_type(field.type))
    if field.is_map:
        items = {k: _singular_value(field.value_type, v) for k, v in (value or {}).items()}
        return GoMap(items, key=field.type[1], elem=_elem_type(field.value_type))
    if value is None:
        value = _zero(field)
    return _singular_value(field.type, value)


def _zero(field: Field) -> Any:
    from sidecarctl.config.proto import zero_value

    return zero_value(field)


def _elem_type(t: str) -> str:
    if t in TYPES:
        return "*" + _proto_go_type(t)
    if t in ENUMS:
        return ENUMS[t][0]
    return {"double": "float64", "float": "float32", "bytes": "[]uint8"}.get(t, t)


def _singular_value(t: str, value: Any) -> Any:
    if t in TYPES:
        return ProtoView(t, value)
    if t in ENUMS:
        return EnumView(t, value or 0)
    if t in STRUCT_TYPES:
        return value
    scalar = {
        "int32": Int32,
        "sint32": Int32,
        "sfixed32": Int32,
        "int64": Int64,
        "sint64": Int64,
        "sfixed64": Int64,
        "uint32": Uint32,
        "fixed32": Uint32,
        "uint64": Uint64,
        "fixed64": Uint64,
        "float": Float32,
    }.get(t)
    if scalar is not None:
        return scalar(value or 0)
    if t == "double":
        return float(value or 0.0)
    return value


PROXY_CONFIG = "istio.mesh.v1alpha1.ProxyConfig"
MESH_CONFIG = "istio.mesh.v1alpha1.MeshConfig"
_CLEANED_SCALARS = (
    "config_path",
    "binary_path",
    "control_plane_auth_policy",
    "discovery_address",
    "proxy_admin_port",
    "stat_name_length",
    "status_port",
)
_CLEANED_MESSAGES = (
    "drain_duration",
    "termination_drain_duration",
    "envoy_metrics_service",
    "envoy_access_log_service",
    "tracing",
    "concurrency",
)


_DEFAULT_PROXY_CONFIG: list[Message] = []


def _default_proxy_config() -> Message:
    """DefaultProxyConfig(), built once (every pod's PROXY_CONFIG compares against it); only read."""
    if not _DEFAULT_PROXY_CONFIG:
        _DEFAULT_PROXY_CONFIG.append(default_proxy_config())
    return _DEFAULT_PROXY_CONFIG[0]


def clean_proxy_config(pc: Message) -> Message:
    """Istio's cleanProxyConfig: drop what equals DefaultProxyConfig() so PROXY_CONFIG stays small."""
    # only whole fields are cleared: a copy of the field map will do (pc's values stay shared, unchanged)
    out, defaults = Message(pc.type.full_name, dict(pc.values)), _default_proxy_config()
    for name in _CLEANED_SCALARS:
        if out.get(name) == defaults.get(name):
            out.clear(name)
    cluster_name = out.which_oneof("cluster_name")
    if cluster_name is not None and cluster_name.name == "service_cluster":
        if out.get("service_cluster") == defaults.get("service_cluster"):
            out.clear("service_cluster")
    for name in _CLEANED_MESSAGES:
        if out.values.get(name) == defaults.values.get(name):
            out.clear(name)
    if not out.get("proxy_metadata"):
        out.clear("proxy_metadata")
    return out


# --- SidecarTemplateData --------------------------------------------------------------------


class TemplateData(GoObject):
    """`&SidecarTemplateData{...}`: what every injection template receives as `.`."""

    go_type = "*inject.SidecarTemplateData"
    go_kind = "ptr"

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def go_field(self, name: str) -> Any:
        if name not in self.fields:
            raise AttributeError(name)
        return self.fields[name]


def inbound_traffic_policy_mode(mesh: Message) -> str:
    policy = mesh.get("inbound_traffic_policy")
    mode = policy.get("mode") if policy is not None else 0
    return (
        "localhost"
        if enum_name("istio.mesh.v1alpha1.MeshConfig.InboundTrafficPolicy.Mode", mode) == "LOCALHOST"
        else "passthrough"
    )


def compliance_policy() -> str:
    """features.CompliancePolicy: istioctl reads COMPLIANCE_POLICY from its environment."""
    return os.environ.get("COMPLIANCE_POLICY", "")


def build_template_data(
    *,
    type_meta: dict[str, Any],
    deploy_meta: dict[str, Any],
    pod: dict[str, Any],
    mesh: Message,
    values: dict[str, Any],
    revision: str,
    native_sidecars: bool,
    proxy_image: str,
) -> TemplateData:
    """SidecarTemplateData for one (stripped) pod; `mesh` already has the pod's proxy config."""
    _install_yaml_dumper()
    proxy = mesh.values.get("default_config")
    return TemplateData(
        {
            "TypeMeta": KubeView("meta.TypeMeta", type_meta),
            "DeploymentMeta": NamespacedName(
                str(deploy_meta.get("namespace") or ""), str(deploy_meta.get("name") or "")
            ),
            "ObjectMeta": KubeView("meta.ObjectMeta", pod.get("metadata")),
            "Spec": KubeView("core.PodSpec", pod.get("spec")),
            "ProxyConfig": ProtoView(PROXY_CONFIG, proxy),
            "MeshConfig": ProtoView(MESH_CONFIG, mesh),
            "Values": values,
            "Revision": revision,
            "NativeSidecars": native_sidecars,
            "ProxyImage": proxy_image,
            "ProxyUID": Int64(DEFAULT_PROXY_UID),
            "ProxyGID": Int64(DEFAULT_PROXY_UID),
            "InboundTrafficPolicyMode": inbound_traffic_policy_mode(mesh),
            "CompliancePolicy": compliance_policy(),
        }
    )


def _install_yaml_dumper() -> None:
    """toYaml needs sigs.k8s.io/yaml; the engine package cannot import it, so hand it over."""
    from sidecarctl.gotemplate import istio

    if istio._yaml_dumper is None:
        from sidecarctl.yamlio import dump_yaml

        istio.set_yaml_dumper(dump_yaml)


__all__ = [
    "TemplateData",
    "build_template_data",
    "clean_proxy_config",
    "KubeView",
    "ProtoView",
    "EnumView",
    "NamespacedName",
    "DURATION",
]
