"""Mesh config: Istio's defaults and how a mesh config / proxy config YAML is applied over them
(pkg/config/mesh/mesh.go: DefaultProxyConfig, DefaultMeshConfig, ApplyMeshConfig,
MergeProxyConfig, ApplyProxyConfig)."""

from __future__ import annotations

import re
from typing import Any

from sidecarctl.config.proto import Message, ProtoError, apply_json, enum_name, new_message
from sidecarctl.gotemplate.istio import go_duration_string

MESH = "istio.mesh.v1alpha1.MeshConfig"
PROXY = "istio.mesh.v1alpha1.ProxyConfig"
_PROXY_HEADER_FIELDS = ("forwarded_client_cert", "request_id", "attempt_count", "server", "envoy_debug_headers")


class MeshError(Exception):
    """A mesh or proxy config Istio refuses; the message is Istio's."""


def _duration(seconds: int) -> dict[str, Any]:
    return {"seconds": seconds, "nanos": 0}


def default_proxy_config() -> Message:
    return new_message(
        PROXY,
        {
            "configPath": "./etc/istio/proxy",
            "serviceCluster": "istio-proxy",
            "drainDuration": "45s",
            "terminationDrainDuration": "5s",
            "proxyAdminPort": 15000,
            "controlPlaneAuthPolicy": "MUTUAL_TLS",
            "discoveryAddress": "istiod.istio-system.svc:15012",
            "binaryPath": "/usr/local/bin/envoy",
            "statNameLength": 189,
            "statusPort": 15020,
        },
    )


def default_mesh_config() -> Message:
    mesh = new_message(
        MESH,
        {
            "enableTracing": True,
            "accessLogEncoding": "TEXT",
            "protocolDetectionTimeout": "0s",
            "ingressService": "istio-ingressgateway",
            "ingressControllerMode": "STRICT",
            "ingressClass": "istio",
            "trustDomain": "cluster.local",
            "enableAutoMtls": True,
            "outboundTrafficPolicy": {"mode": "ALLOW_ANY"},
            "inboundTrafficPolicy": {"mode": "PASSTHROUGH"},
            "localityLbSetting": {"enabled": True},
            "rootNamespace": "istio-system",
            "proxyListenPort": 15001,
            "proxyInboundListenPort": 15006,
            "connectTimeout": "10s",
            "defaultServiceExportTo": ["*"],
            "defaultVirtualServiceExportTo": ["*"],
            "defaultDestinationRuleExportTo": ["*"],
            "dnsRefreshRate": "60s",
            "enablePrometheusMerge": True,
            "defaultProviders": {},
            "extensionProviders": [
                {"name": "prometheus", "prometheus": {}},
                {"name": "stackdriver", "stackdriver": {}},
                {"name": "envoy", "envoyFileAccessLog": {"path": "/dev/stdout"}},
            ],
        },
    )
    # `protocolDetectionTimeout: 0s` is a set (non-nil) zero Duration in Go; keep it present.
    mesh.set("default_config", default_proxy_config())
    return mesh


def apply_mesh_config(data: Any, base: Message | None = None) -> Message:
    """ApplyMeshConfig: fields override, except defaultConfig (merged as a proxy config),
    defaultProviders (merged), extensionProviders (merged by name) and trustDomainAliases
    (union, sorted). `data` is the YAML already decoded (JSON-shaped)."""
    mesh = (base or default_mesh_config()).clone()
    prev_proxy = mesh.values.get("default_config")
    prev_providers = mesh.values.get("default_providers")
    prev_extensions = list(mesh.get("extension_providers"))
    prev_aliases = list(mesh.get("trust_domain_aliases"))
    mesh.set("default_config", default_proxy_config())
    try:
        apply_json(mesh, data)
    except ProtoError as err:
        raise MeshError(f"failed to convert to proto. {err}") from None
    _restore(mesh, "default_config", prev_proxy)
    raw = data if isinstance(data, dict) else {}
    if raw.get("defaultConfig") is not None:
        mesh.set("default_config", merge_proxy_config(raw["defaultConfig"], mesh.get("default_config")))
    _restore(mesh, "default_providers", prev_providers)
    if raw.get("defaultProviders") is not None:
        try:
            apply_json(mesh.get("default_providers"), raw["defaultProviders"])
        except ProtoError as err:
            raise MeshError(f"could not parse default providers: {err}") from None
    mesh.set("extension_providers", _merge_providers(prev_extensions, mesh.get("extension_providers")))
    mesh.set("trust_domain_aliases", sorted(set(mesh.get("trust_domain_aliases")) | set(prev_aliases)))
    validate_mesh_config(mesh)
    return mesh


def _restore(mesh: Message, name: str, value: Any) -> None:
    if value is None:
        mesh.clear(name)
    else:
        mesh.set(name, value)


def _merge_providers(previous: list[Message], new: list[Message]) -> list[Message]:
    """Same-named providers take the new provider kind/settings; new names are appended."""
    merged = [p.clone() for p in previous] if new is not previous else list(previous)
    for p in new:
        match = next((e for e in merged if e.get("name") == p.get("name")), None)
        if match is None:
            merged.append(p)
            continue
        for f in match.type.fields:
            if f.oneof == "provider":
                match.clear(f.name)
        chosen = p.which_oneof("provider")
        if chosen is not None:
            match.set(chosen.name, p.values[chosen.name])
    return merged


def merge_proxy_config(data: Any, proxy: Message | None) -> Message:
    """MergeProxyConfig: apply over a copy, then merge proxyMetadata into the original's and
    keep the original proxyHeaders entries the new ones leave empty."""
    pc = proxy.clone() if proxy is not None else Message(PROXY)
    orig_metadata = pc.values.get("proxy_metadata")
    orig_headers = pc.values.get("proxy_headers")
    try:
        apply_json(pc, data)
    except ProtoError as err:
        raise MeshError(f"could not parse proxy config: {err}") from None
    metadata = pc.values.get("proxy_metadata")
    if orig_metadata is not None or metadata is not None:
        pc.set("proxy_metadata", {**(orig_metadata or {}), **(metadata or {})})
    headers = pc.values.get("proxy_headers")
    if headers is not None and orig_headers is not None:
        for name in _PROXY_HEADER_FIELDS:
            if headers.values.get(name) is None and orig_headers.values.get(name) is not None:
                headers.set(name, orig_headers.values[name])
    return pc


def apply_proxy_config(data: Any, mesh: Message) -> Message:
    """ApplyProxyConfig: the mesh with its defaultConfig merged with a proxy config."""
    out = mesh.clone()
    out.set("default_config", merge_proxy_config(data, out.values.get("default_config")))
    return out


def validate_mesh_config(mesh: Message) -> None:
    """agent.ValidateMeshConfig, for what a mesh config file can get wrong (ports, timeouts,
    the default proxy config, trust domains); TLS, locality and provider checks are not made."""
    errors: list[str] = []
    port = mesh.get("proxy_listen_port")
    if not 1 <= port <= 65535:
        errors.append(f"invalid proxy listen port: port number {port} must be in the range 1..65535")
    if (err := _connect_timeout_error(mesh.values.get("connect_timeout"))) is not None:
        errors.append(f"invalid connect timeout: {err}")
    detect = _nanos(mesh.values.get("protocol_detection_timeout"))
    if detect != 0 and detect % 1_000_000:
        errors.append("invalid protocol detection timeout: only durations to ms precision are supported")
    pc = mesh.values.get("default_config")
    if pc is None:
        errors.append("missing default config")
    else:
        errors += proxy_config_errors(pc)
    errors += _trust_domain_errors(mesh)
    if errors:
        raise MeshError(_multierror(errors))


def proxy_config_errors(pc: Message) -> list[str]:
    """agent.ValidateMeshConfigProxyConfig's errors, in its order (tracing/TLS checks aside)."""
    errors = []
    if not pc.get("config_path"):
        errors.append("config path must be set")
    if not pc.get("binary_path"):
        errors.append("binary path must be set")
    chosen = pc.which_oneof("cluster_name")
    if chosen is None:
        errors.append("oneof service cluster or tracing service name must be specified")
    elif chosen.name == "service_cluster" and not pc.get("service_cluster"):
        errors.append("service cluster must be specified")
    errors += _drain_duration_errors(pc.values.get("drain_duration"))
    address = pc.get("discovery_address")
    if not address:
        errors.append("discovery address must be set to the proxy discovery service")
    elif (err := proxy_address_error(address)) is not None:
        errors.append(f"invalid discovery address: {err}")
    statsd = pc.get("statsd_udp_address")
    if statsd and (err := proxy_address_error(statsd)) is not None:
        errors.append(f'invalid statsd udp address "{statsd}": {err}')
    errors += _port_errors(pc, "proxy_admin_port", "invalid proxy admin port")
    policy = pc.get("control_plane_auth_policy")
    if policy not in (0, 1):  # NONE, MUTUAL_TLS
        name = enum_name("istio.mesh.v1alpha1.AuthenticationPolicy", policy) or str(policy)
        errors.append(f'invalid authentication policy: unrecognized control plane auth policy "{name}"')
    errors += _port_errors(pc, "status_port", "invalid status port")
    return errors


def _port_errors(pc: Message, name: str, label: str) -> list[str]:
    port = pc.get(name)
    return [] if 1 <= port <= 65535 else [f"{label}: port number {port} must be in the range 1..65535"]


def _nanos(duration: Message | None) -> int:
    """durationpb's AsDuration (nil is 0)."""
    if duration is None:
        return 0
    return int(duration.get("seconds")) * 1_000_000_000 + int(duration.get("nanos"))


def _duration_error(duration: Message | None) -> str | None:
    d = _nanos(duration)
    if d < 1_000_000:
        return "duration must be greater than 1ms"
    if d % 1_000_000:
        return "only durations to ms precision are supported"
    return None


def _connect_timeout_error(duration: Message | None) -> str | None:
    if (err := _duration_error(duration)) is not None:
        return err
    d = _nanos(duration)
    if d > 3_600_000_000_000 or d < 1_000_000:
        return f"time {go_duration_string(d)} must be >1ms and <1h0m0s"
    return None


def _drain_duration_errors(duration: Message | None) -> list[str]:
    if (err := _duration_error(duration)) is not None:
        return [f"invalid drain duration: {err}"]
    if _nanos(duration) % 1_000_000_000:
        return ["drain time only supports durations to seconds precision"]
    return []


_DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"  # compiled on first use (re's cache), not at startup


def proxy_address_error(address: str) -> str | None:
    """agent.ValidateProxyAddress: host:port with a valid port and a DNS name or IP address."""
    host, port, err = _split_host_port(address)
    if err is not None:
        return f'unable to split "{address}": {err}'
    if not re.fullmatch(r"[+-]?\d+", port):
        return f'port ({port}) is not a number: strconv.Atoi: parsing "{port}": invalid syntax'
    if not 1 <= int(port) <= 65535:
        return f"port number {int(port)} must be in the range 1..65535"
    if not _is_fqdn(host) and not _is_ip(host):
        return f'"{host}" is not a valid hostname or an IP address'
    return None


def _split_host_port(address: str) -> tuple[str, str, str | None]:
    """net.SplitHostPort's common cases and messages."""
    if address.startswith("["):
        end = address.find("]")
        if end < 0:
            return "", "", f"address {address}: missing ']' in address"
        if not address[end + 1 :].startswith(":"):
            return "", "", f"address {address}: missing port in address"
        return address[1:end], address[end + 2 :], None
    i = address.rfind(":")
    if i < 0:
        return "", "", f"address {address}: missing port in address"
    if ":" in address[:i]:
        return "", "", f"address {address}: too many colons in address"
    return address[:i], address[i + 1 :], None


def _is_fqdn(host: str) -> bool:
    if not host or len(host) > 255:
        return False
    labels = host.split(".")
    return all(len(label) <= 63 and re.match(_DNS1123_LABEL, label) for label in labels)


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _trust_domain_errors(mesh: Message) -> list[str]:
    errors = []
    if (err := _trust_domain_error(mesh.get("trust_domain"))) is not None:
        errors.append(f"trustDomain: {err}")
    for i, alias in enumerate(mesh.get("trust_domain_aliases")):
        if (err := _trust_domain_error(alias)) is not None:
            errors.append(f"trustDomainAliases[{i}], domain `{alias}` : {err}")
    return errors


def _trust_domain_error(domain: str) -> str | None:
    if not domain:
        return "empty domain name not allowed"
    parts = domain.split(".")
    for i, label in enumerate(parts):
        if i == len(parts) - 1 and label == "":
            return None
        if not (len(label) <= 63 and re.match(_DNS1123_LABEL, label)):
            return f'trust domain name "{domain}" invalid'
    return None


def _multierror(errors: list[str]) -> str:
    """go-multierror's list on one line, as the CLI's other multi-errors are shown."""
    return errors[0] if len(errors) == 1 else "; ".join(errors)
