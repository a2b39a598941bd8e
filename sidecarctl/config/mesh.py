"""Mesh config: Istio's defaults and how a mesh config / proxy config YAML is applied over them
(pkg/config/mesh/mesh.go: DefaultProxyConfig, DefaultMeshConfig, ApplyMeshConfig,
MergeProxyConfig, ApplyProxyConfig)."""

from __future__ import annotations

from typing import Any

from sidecarctl.config.proto import Message, ProtoError, apply_json, new_message

MESH = "istio.mesh.v1alpha1.MeshConfig"
PROXY = "istio.mesh.v1alpha1.ProxyConfig"
_PROXY_HEADER_FIELDS = ("forwarded_client_cert", "request_id", "attempt_count", "server", "envoy_debug_headers")


class MeshError(Exception):
    """A mesh or proxy config Istio refuses; the message is Istio's."""


def _duration(seconds: int) -> dict[str, Any]:
    return {"seconds": seconds, "nanos": 0}


def default_proxy_config() -> Message:
    return new_message(PROXY, {
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
    })


def default_mesh_config() -> Message:
    mesh = new_message(MESH, {
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
    })
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
    """The part of agent.ValidateMeshConfig that a config file can plausibly get wrong."""
    errors: list[str] = []
    port = mesh.get("proxy_listen_port")
    if not 1 <= port <= 65535:
        errors.append(f"invalid proxy listen port: port number {port} must be in the range 1..65535")
    pc = mesh.values.get("default_config")
    if pc is None:
        errors.append("missing default config")
    else:
        errors += proxy_config_errors(pc)
    if errors:
        raise MeshError(_multierror(errors))


def proxy_config_errors(pc: Message) -> list[str]:
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
    if not pc.get("discovery_address"):
        errors.append("discovery address must be set to the proxy discovery service")
    for name, label in (("proxy_admin_port", "invalid proxy admin port"), ("status_port", "invalid status port")):
        port = pc.get(name)
        if not 1 <= port <= 65535:
            errors.append(f"{label}: port number {port} must be in the range 1..65535")
    return errors


def _multierror(errors: list[str]) -> str:
    """go-multierror's text, joined on one line."""
    if len(errors) == 1:
        return f"1 error occurred: * {errors[0]}"
    return f"{len(errors)} errors occurred: " + " ".join(f"* {e}" for e in errors)
