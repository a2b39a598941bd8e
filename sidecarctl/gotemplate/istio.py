"""Istio's injection template functions (pkg/kube/inject/template.go, Istio 1.30.3).

Each entry declares the Go signature, so the executor converts and checks arguments as Go does.
This module depends only on the engine package. Typed Go values (Kubernetes and protobuf structs)
reach these functions as `GoObject` views and are read through the same protocol the templates
use: `go_field("Name")`, `go_method("GetX")`. Two more view methods are part of the protocol:

  go_json()       -> str   the bytes Go's encoding/json.Marshal writes for the value
                           (struct field order, omitempty); used by structToJSON/toYaml.
  go_proto_json() -> str   the bytes protomarshal.ToJSON (legacy jsonpb) writes for a proto
                           message, after Istio's cleanProxyConfig when the message is a
                           ProxyConfig; used by protoToJSON.

Warnings Istio logs (`Unable to unmarshal ...`) go to `WARN`; `toYaml` needs the
sigs.k8s.io/yaml encoder, which the inject package installs with `set_yaml_dumper` (the engine
must not import upward).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sidecarctl.golang.json import UnsupportedValue, encode_string, format_json_float, unmarshal
from sidecarctl.gotemplate._lazy import lazy_module
from sidecarctl.gotemplate.budget import charge_output, charge_steps, charge_value
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    Float32,
    GoError,
    GoFunc,
    GoMap,
    GoObject,
    format_v,
    gofunc,
    type_name,
)

if TYPE_CHECKING:
    from sidecarctl.golang import time as gotime
else:
    gotime = lazy_module("sidecarctl.golang.time")  # Go's time package costs startup; few templates format durations


def _warn(message: str) -> None:
    import logging

    logging.getLogger("sidecarctl.inject").warning(message)


WARN: Callable[[str], None] = _warn
_yaml_dumper: Callable[[Any], str] | None = None

PROXY_CONTAINER_NAME = "istio-proxy"


def set_yaml_dumper(dumper: Callable[[Any], str]) -> None:
    """Install sigs.k8s.io/yaml's Marshal over JSON-shaped data (sorted keys), for `toYaml`."""
    global _yaml_dumper
    _yaml_dumper = dumper


# --- Go's encoding/json ---------------------------------------------------------------------


def go_json_string(s: str) -> str:
    """A JSON string as istioctl's encoding/json (Go 1.22+) writes it: HTML-safe, \\b and \\f."""
    return encode_string(s, short_escapes=True)


go_json_float = format_json_float


def go_json(value: Any) -> str:
    """json.Marshal of a value of the Go model; raises UnsupportedValue where Go fails."""
    if value is None or value is MISSING:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return go_json_string(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return go_json_float(value, 32 if isinstance(value, Float32) else 64)
    if isinstance(value, (bytes, bytearray)):
        return go_json_string(base64.b64encode(bytes(value)).decode())
    if isinstance(value, GoObject):
        method = getattr(value, "go_json", None)
        if not callable(method):
            raise UnsupportedValue(f"json: unsupported type: {value.go_type}")
        return str(method())
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]).encode())
        return "{" + ",".join(go_json_string(str(k)) + ":" + go_json(v) for k, v in items) + "}"
    if isinstance(value, GoFunc):
        raise UnsupportedValue("json: unsupported type: func")
    raise UnsupportedValue(f"json: unsupported type: {type(value).__name__}")


def go_json_unmarshal_any(text: str) -> Any:
    """json.Unmarshal into `any`: numbers become float64, objects map[string]interface {}; raises
    ValueError with Go's message."""
    value, err = unmarshal(text)
    if err is not None:
        raise ValueError(err)
    return value


# --- reading typed views --------------------------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    """Field NAME of a Go struct view (or of JSON-shaped data, by its lowerCamel JSON key)."""
    if obj is None or obj is MISSING:
        return None
    if isinstance(obj, GoObject):
        try:
            return obj.go_field(name)
        except AttributeError:
            return None
    if isinstance(obj, dict):
        return obj.get(name[:1].lower() + name[1:])
    return None


def _call(obj: Any, method: str) -> Any:
    """A protobuf getter (nil-safe, as generated Go getters are)."""
    if not isinstance(obj, GoObject):
        return None
    fn = obj.go_method(method)
    return fn() if fn is not None else None


def _items(value: Any) -> list[Any]:
    if value is None or value is MISSING:
        return []
    if isinstance(value, GoObject):
        return list(getattr(value, "go_elements", lambda: [])())
    return list(value)


def _str(value: Any) -> str:
    return "" if value is None or value is MISSING else str(value)


# --- the function map -----------------------------------------------------------------------


@gofunc("env", "string", "string", result="string")
def env(key: str, default: str) -> str:
    return os.environ.get(key, "") or default


@gofunc("formatDuration", "*durationpb.Duration", result="string")
def format_duration(d: Any) -> str:
    seconds = int(_field(d, "Seconds") or 0)
    nanos = int(_field(d, "Nanos") or 0)
    return go_duration_string(_as_duration(seconds, nanos))


def _as_duration(seconds: int, nanos: int) -> int:
    """durationpb's AsDuration: nanoseconds, saturating at the int64 range."""
    total = seconds * 1_000_000_000 + nanos
    return max(min(total, (1 << 63) - 1), -(1 << 63))


def go_duration_string(d: int) -> str:
    """time.Duration.String: `1h2m3.5s`, `1.5ms`, `0s`."""
    return gotime.duration_string(d)


@gofunc("isset", "map[string]string", "string", result="bool")
def isset(m: Any, key: str) -> bool:
    return bool(m) and key in m


@gofunc("directory", "string", result="string")
def directory(filepath: str) -> str:
    return filepath[: filepath.rfind("/") + 1]


@gofunc("contains", "string", "string", result="bool")
def flipped_contains(needle: str, haystack: str) -> bool:
    return needle in haystack


@gofunc("excludeInboundPort", "interface {}", "string", result="string")
def exclude_inbound_port(port: Any, excluded: str) -> str:
    port_str = format_v(None if port is MISSING else port).strip()
    if not port_str or port_str == "0":
        return excluded
    out = []
    for p in excluded.split(","):
        if p == port_str:
            return excluded
        p = p.strip()
        if p:
            out.append(p)
    out.append(port_str)
    return ",".join(out)


@gofunc("valueOrDefault", "interface {}", "interface {}")
def value_or_default(value: Any, default: Any) -> Any:
    if value is None or value is MISSING or (isinstance(value, str) and value == ""):
        return default
    return value


@gofunc("toJSON", "map[string]string", result="string")
def to_json(m: Any) -> str:
    if not m:
        return "{}"
    charge_value(m)
    return go_json(dict(m))


@gofunc("fromJSON", "string")
def from_json(text: str) -> Any:
    try:
        return go_json_unmarshal_any(text)
    except (ValueError, RecursionError):
        WARN(f"Unable to unmarshal {text}")
        return "{}"


@gofunc("indent", "int", "string", result="string")
def indent(spaces: int, source: str) -> str:
    charge_output(len(source) + abs(spaces) * (1 + source.count("\n")))
    pad = " " * abs(spaces)
    lines = source.split("\n")
    return "\n".join([lines[0]] + [pad + line for line in lines[1:]])


@gofunc("toYaml", "interface {}", result="string")
def to_yaml(value: Any) -> str:
    if _yaml_dumper is None:
        raise GoError("toYaml: no YAML encoder installed (import sidecarctl.inject first)")
    charge_value(value)
    try:
        text = go_json(value)
    except GoError:
        WARN(f"Unable to marshal {format_v(value)}")
        return ""
    data = json.loads(text)
    charge_output(len(text) + _yaml_indentation(data))  # before the encoder builds it
    return _yaml_dumper(data)


def _yaml_indentation(data: Any) -> int:
    """About how many characters of indentation block YAML gives `data` (two per level for
    every entry): it grows with depth for every element, so it is charged before encoding."""
    total = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        v, depth = stack.pop()
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        for c in children:
            total += 2 * depth + 1
            if isinstance(c, (dict, list)):
                stack.append((c, depth + 1))
    return total


@gofunc("annotation", "v1.ObjectMeta", "string", "interface {}", result="string")
def get_annotation(meta: Any, name: str, default: Any) -> str:
    annotations = _field(meta, "Annotations") or {}
    if name in annotations:
        return _str(annotations[name])
    return format_v(None if default is MISSING else default)


@gofunc("appendMultusNetwork", "string", "string", result="string")
def append_multus_network(existing: str, istio_cni_network: str) -> str:
    if existing == "":
        return istio_cni_network
    i = existing.rfind("]")
    if i != -1:
        return _append_multus_json(existing, istio_cni_network, i)
    for net in existing.split(","):
        if net.strip() == istio_cni_network:
            return existing
    return existing + ", " + istio_cni_network


def _append_multus_json(existing: str, network: str, i: int) -> str:
    try:
        networks = go_json_unmarshal_any(existing)
        if networks is None:
            networks = []
        if not isinstance(networks, list) or not all(isinstance(n, dict) or n is None for n in networks):
            raise ValueError("json: cannot unmarshal into Go value of type []map[string]interface {}")
    except (ValueError, RecursionError) as err:
        WARN(f"Unable to unmarshal Multus Network annotation JSON value: {err}")
        return existing
    parts = network.split("/")
    ns, name = ("", network) if len(parts) < 2 else (parts[0], parts[1])
    for net in networks:
        net = net or {}
        if net.get("name") == name and (net.get("namespace") if net.get("namespace") is not None else "") == ns:
            return existing
    if ns == "":
        extra = f', {{"name": "{name}"}}'
    else:
        extra = f', {{"name": "{name}", "namespace": "{ns}"}}'
    return existing[:i] + extra + existing[i:]


def _container_ports(containers: Any, include: Callable[[Any], bool]) -> str:
    parts: list[str] = []
    for c in _items(containers):
        if not include(c):
            continue
        for p in _items(_field(c, "Ports")):
            if _str(_field(p, "Protocol")) in ("UDP", "SCTP"):
                continue
            parts.append(str(int(_field(p, "ContainerPort") or 0)))
    return ",".join(parts)


@gofunc("applicationPorts", "[]v1.Container", result="string")
def application_ports(containers: Any) -> str:
    return _container_ports(containers, lambda c: _str(_field(c, "Name")) != PROXY_CONTAINER_NAME)


@gofunc("includeInboundPorts", "[]v1.Container", result="string")
def include_inbound_ports(containers: Any) -> str:
    return _container_ports(containers, lambda c: True)


@gofunc("kubevirtInterfaces", "string", result="string")
def kubevirt_interfaces(s: str) -> str:
    return s


@gofunc("excludeInterfaces", "string", result="string")
def exclude_interfaces(s: str) -> str:
    return s


@gofunc("structToJSON", "interface {}", result="string")
def struct_to_json(value: Any) -> str:
    if value is None or value is MISSING:
        return "{}"
    charge_value(value)
    try:
        return go_json(value)
    except GoError:
        WARN(f"Unable to marshal {format_v(value)}")
        return "{}"


# Declared `interface {}`: the executor knows no interface types but error/fmt.Stringer, so the
# proto.Message check Go's reflection makes is done here, with Go's wording.
@gofunc("protoToJSON", "interface {}", result="string")
def proto_to_json(message: Any) -> str:
    if message is None or message is MISSING:
        return "{}"
    method = getattr(message, "go_proto_json", None)
    if not callable(method):
        raise GoError(f"wrong type for value; expected proto.Message; got {type_name(message)}")
    if message.go_is_nil():
        return "{}"  # Go: a nil message fails to marshal, is logged, and yields "{}"
    return str(method())


@gofunc("toLower", "string", result="string")
def to_lower(s: str) -> str:
    return s.lower()


@gofunc("omit", "map[string]string", "string", variadic=True, result="map[string]string")
def omit(d: Any, *keys: str) -> GoMap:
    drop = set(keys)
    return GoMap({k: v for k, v in (d or {}).items() if k not in drop})


@gofunc("strdict", "string", variadic=True, result="map[string]string")
def strdict(*v: str) -> GoMap:
    out = GoMap()
    for i in range(0, len(v), 2):
        out[v[i]] = v[i + 1] if i + 1 < len(v) else ""
    return out


def _merge(maps: tuple[Any, ...]) -> GoMap | None:
    if not maps:
        return None  # Go returns a nil map
    out = GoMap()
    for m in maps:
        out.update(m or {})
    return out


@gofunc("mergeMaps", "map[string]string", variadic=True, result="map[string]string")
def merge_maps(*maps: Any) -> GoMap:
    merged = _merge(maps)
    return merged if merged is not None else GoMap()


@gofunc("toJsonMap", "map[string]string", variadic=True, result="string")
def to_json_map(*maps: Any) -> str:
    charge_steps(sum(len(m or {}) for m in maps))
    merged = _merge(maps)
    return "null" if merged is None else go_json(dict(merged))


@gofunc("omitNil", "interface {}")
def omit_nil(value: Any) -> Any:
    charge_value(value)  # _omit_nil recurses: refuse values nested too deep for the C stack
    return _omit_nil(value)[0]


def _omit_nil(v: Any) -> tuple[Any, bool]:
    """Istio's two-pass omitNil: copies only containers that held a nil somewhere below."""
    if v is None or v is MISSING:
        return None, True
    if type(v) is dict:
        charge_steps(1 + len(v))  # each container is visited twice per visit of its parent
        if not any(_omit_nil(x)[1] for x in v.values()):
            return v, False
        out = {k: f for k, x in v.items() if (f := _omit_nil(x)[0]) is not None}
        return (out or None), True
    if type(v) is list:
        charge_steps(1 + len(v))
        if not any(_omit_nil(x)[1] for x in v):
            return v, False
        kept = [f for x in v if (f := _omit_nil(x)[0]) is not None]
        return (kept or None), True
    return v, False


@gofunc(
    "otelResourceAttributes",
    "*v1alpha1.MeshConfig",
    "map[string]string",
    "map[string]string",
    "string",
    "[]v1.Container",
    result="string",
)
def otel_resource_attributes(mc: Any, annotations: Any, labels: Any, namespace: str, containers: Any) -> str:
    if not _has_otel_semconv(mc):
        return ""
    annotations, labels, conts = annotations or {}, labels or {}, _items(containers)
    attrs = []
    if v := annotations.get("resource.opentelemetry.io/service.namespace", ""):
        attrs.append("service.namespace=" + v)
    elif namespace:
        attrs.append("service.namespace=" + namespace)
    if version := _service_version(annotations, labels, conts):
        attrs.append("service.version=" + version)
    if v := annotations.get("resource.opentelemetry.io/service.instance.id", ""):
        attrs.append("service.instance.id=" + v)
    elif conts:
        attrs.append(f"service.instance.id={namespace}.$(POD_NAME).{_str(_field(conts[0], 'Name'))}")
    return ",".join(attrs)


def _has_otel_semconv(mc: Any) -> bool:
    for provider in _items(_call(mc, "GetExtensionProviders")):
        otel = _call(provider, "GetOpentelemetry")
        if otel is None or (isinstance(otel, GoObject) and otel.go_is_nil()):
            continue
        mode = _call(otel, "GetServiceAttributeEnrichment")
        if format_v(mode) == "OTEL_SEMANTIC_CONVENTIONS":
            return True
    return False


def _service_version(annotations: Any, labels: Any, containers: list[Any]) -> str:
    if v := annotations.get("resource.opentelemetry.io/service.version", ""):
        return str(v)
    if v := labels.get("app.kubernetes.io/version", ""):
        return str(v)
    if len(containers) != 1:
        return ""
    tag, digest = parse_image_tag_digest(_str(_field(containers[0], "Image")))
    if tag and digest:
        return f"{tag}@{digest}"
    return digest or tag


def parse_image_tag_digest(image: str) -> tuple[str, str]:
    """`[registry[:port]/]name[:tag][@digest]` -> (tag, digest)."""
    digest = ""
    if (i := image.find("@")) >= 0:
        image, digest = image[:i], image[i + 1 :]
    slash, colon = image.rfind("/"), image.rfind(":")
    return (image[colon + 1 :] if colon > slash else ""), digest


ISTIO_FUNCS: dict[str, GoFunc] = {
    f.name: f
    for f in (
        format_duration,
        isset,
        exclude_inbound_port,
        include_inbound_ports,
        kubevirt_interfaces,
        exclude_interfaces,
        application_ports,
        get_annotation,
        value_or_default,
        to_json,
        from_json,
        struct_to_json,
        proto_to_json,
        to_yaml,
        indent,
        directory,
        flipped_contains,
        to_lower,
        append_multus_network,
        env,
        omit,
        strdict,
        to_json_map,
        merge_maps,
        omit_nil,
        otel_resource_attributes,
    )
}

__all__ = ["ISTIO_FUNCS", "WARN", "go_json", "go_json_string", "go_duration_string", "set_yaml_dumper"]
