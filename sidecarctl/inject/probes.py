"""Rewriting application probes so the kubelet asks pilot-agent, as Istio's app_probe.go does.

With mTLS the kubelet cannot reach the application's HTTP/TCP/gRPC probe ports, so each such probe
(and each HTTP/TCP lifecycle hook) is pointed at the agent's status port under
`/app-health/<container>/{readyz,livez,startupz}` (`/app-lifecycle/.../{prestopz,poststartz}`);
the originals travel to the agent in the sidecar's `ISTIO_KUBE_APP_PROBERS` variable.
Exec probes are left alone.
"""

from __future__ import annotations

import json
from typing import Any

from sidecarctl.inject.goutil import atoi, json_dumps, parse_bool

PROXY_CONTAINER = "istio-proxy"
KUBE_APP_PROBERS_ENV = "ISTIO_KUBE_APP_PROBERS"
REWRITE_ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers"
STATUS_PORT_ANNOTATION = "status.sidecar.istio.io/port"

_PROBES = (("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz"))
_HOOKS = (("preStop", "prestopz"), ("postStart", "poststartz"))


def should_rewrite(annotations: dict[str, str] | None, spec_setting: bool) -> bool:
    """The pod annotation, when it parses as a Go bool, beats the values setting."""
    value = (annotations or {}).get(REWRITE_ANNOTATION)
    parsed = parse_bool(value) if value is not None else None
    return spec_setting if parsed is None else parsed


def prober_urls(container: str) -> dict[str, str]:
    """The agent paths for one container, keyed by probe field / lifecycle hook name."""
    urls = {field: f"/app-health/{container}/{suffix}" for field, suffix in _PROBES}
    urls.update({hook: f"/app-lifecycle/{container}/{suffix}" for hook, suffix in _HOOKS})
    return urls


def dump_app_probers(pod: dict[str, Any], target_port: int) -> str:
    """The ISTIO_KUBE_APP_PROBERS value for the pod ("" when there is nothing to take over).

    Named ports are resolved against the container's ports (unknown names drop the probe), and a
    probe already pointing at the status port is taken as rewritten before.
    """
    out: dict[str, dict[str, Any]] = {}
    for container in _all_containers(pod):
        name = container.get("name") or ""
        if name == PROXY_CONTAINER:
            continue
        urls, ports = prober_urls(name), _named_ports(container)
        for field, _ in _PROBES:
            _collect(out, urls[field], _probe_to_prober(container.get(field)), ports, target_port)
        lifecycle = container.get("lifecycle")
        if isinstance(lifecycle, dict):
            for hook, _ in _HOOKS:
                _collect(out, urls[hook], _hook_to_prober(lifecycle.get(hook)), ports, target_port)
    if not out:
        return ""
    return json_dumps({key: encode_prober(out[key]) for key in sorted(out)})


def patch_rewrite_probes(annotations: dict[str, str] | None, pod: dict[str, Any], default_port: int) -> None:
    """Point every app container's probes and HTTP/TCP hooks at the agent (in place).

    The status port annotation wins; like Istio, a value Atoi rejects becomes port 0.
    """
    port = default_port
    value = (annotations or {}).get(STATUS_PORT_ANNOTATION)
    if value is not None:
        parsed = atoi(value)
        port = parsed if parsed is not None else 0
    spec = pod.get("spec") or {}
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if container.get("name") != PROXY_CONTAINER:
                _convert_container(container, port)


def merge_or_append_probers(
    previously_injected: bool, env: list[dict[str, Any]] | None, new_probers: str
) -> list[dict[str, Any]]:
    """Add ISTIO_KUBE_APP_PROBERS; on re-injection merge with the old value (old entries win)."""
    env = list(env or [])
    entry = {"name": KUBE_APP_PROBERS_ENV, "value": new_probers}
    if not previously_injected:
        return env + [entry]
    for index, var in enumerate(env):
        if var.get("name") == KUBE_APP_PROBERS_ENV:
            merged = _merge_probers(var.get("value") or "", new_probers)
            if merged is not None:
                env[index] = {"name": KUBE_APP_PROBERS_ENV, "value": merged}
            return env
    return env + [entry]


def encode_prober(prober: dict[str, Any]) -> dict[str, Any]:
    """Istio's Prober struct as encoding/json writes it (field order, omitempty)."""
    out: dict[str, Any] = {}
    if isinstance(prober.get("httpGet"), dict):
        out["httpGet"] = _encode_http_get(prober["httpGet"])
    if isinstance(prober.get("tcpSocket"), dict):
        out["tcpSocket"] = _encode_tcp_socket(prober["tcpSocket"])
    if isinstance(prober.get("grpc"), dict):
        grpc = prober["grpc"]
        out["grpc"] = {"port": grpc.get("port") or 0, "service": grpc.get("service")}
    if prober.get("timeoutSeconds"):
        out["timeoutSeconds"] = prober["timeoutSeconds"]
    return out


def _merge_probers(existing: str, new: str) -> str | None:
    try:
        old_map, new_map = json.loads(existing), json.loads(new)
    except ValueError:
        return None  # Istio logs and keeps the variable as it was
    if not isinstance(old_map, dict) or not isinstance(new_map, dict):
        return None
    new_map.update(old_map)
    return json_dumps({key: _encode_optional(new_map[key]) for key in sorted(new_map)})


def _encode_optional(prober: Any) -> Any:
    return encode_prober(prober) if isinstance(prober, dict) else None


def _encode_http_get(action: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if action.get("path"):
        out["path"] = action["path"]
    out["port"] = _port(action.get("port"))
    for key in ("host", "scheme"):
        if action.get(key):
            out[key] = action[key]
    if action.get("httpHeaders"):
        out["httpHeaders"] = [
            {"name": h.get("name", ""), "value": h.get("value", "")}
            for h in action["httpHeaders"]
            if isinstance(h, dict)
        ]
    return out


def _encode_tcp_socket(action: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"port": _port(action.get("port"))}
    if action.get("host"):
        out["host"] = action["host"]
    return out


def _port(value: Any) -> Any:
    """An IntOrString: an int or a string; the zero value is 0."""
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else 0


def _all_containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]


def _named_ports(container: dict[str, Any]) -> dict[str, int]:
    ports: dict[str, int] = {}
    for port in container.get("ports") or []:
        if isinstance(port, dict) and port.get("name"):
            ports[port["name"]] = port.get("containerPort") or 0
    return ports


def _probe_to_prober(probe: Any) -> dict[str, Any] | None:
    if not isinstance(probe, dict):
        return None
    for action in ("httpGet", "tcpSocket", "grpc"):
        if isinstance(probe.get(action), dict):
            return {action: dict(probe[action]), "timeoutSeconds": probe.get("timeoutSeconds") or 0}
    return None


def _hook_to_prober(handler: Any) -> dict[str, Any] | None:
    if not isinstance(handler, dict):
        return None
    for action in ("httpGet", "tcpSocket"):
        if isinstance(handler.get(action), dict):
            return {action: dict(handler[action])}
    return None


def _collect(
    out: dict[str, dict[str, Any]],
    url: str,
    prober: dict[str, Any] | None,
    named_ports: dict[str, int],
    target_port: int,
) -> None:
    """Add a prober unless its port is unknown by name or already the status port."""
    if prober is None:
        return
    action = prober.get("httpGet") or prober.get("tcpSocket")
    if "grpc" not in prober and isinstance(action, dict):
        port = action.get("port")
        if isinstance(port, str):
            if port not in named_ports:
                return
            action["port"] = named_ports[port]
        elif port == target_port:
            return
    out[url] = prober


def _convert_container(container: dict[str, Any], port: int) -> None:
    urls = prober_urls(container.get("name") or "")
    for field, _ in _PROBES:
        converted = _convert_probe(container.get(field), urls[field], port, with_grpc=True)
        if converted is not None:
            container[field] = converted
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook, _ in _HOOKS:
            converted = _convert_probe(lifecycle.get(hook), urls[hook], port, with_grpc=False)
            if converted is not None:
                lifecycle[hook] = converted


def _convert_probe(probe: Any, url: str, port: int, with_grpc: bool) -> dict[str, Any] | None:
    """The probe (or hook) rewritten to GET url on the status port; None when left alone."""
    if not isinstance(probe, dict):
        return None
    out = dict(probe)
    if isinstance(probe.get("httpGet"), dict):
        out["httpGet"] = _rewrite_http_get(dict(probe["httpGet"]), url, port)
        return out
    for action in ("tcpSocket", "grpc") if with_grpc else ("tcpSocket",):
        if isinstance(probe.get(action), dict):
            del out[action]
            out["httpGet"] = _rewrite_http_get({}, url, port)
            return out
    return None


def _rewrite_http_get(action: dict[str, Any], url: str, port: int) -> dict[str, Any]:
    action["port"] = port
    action["path"] = url
    if action.get("scheme") == "HTTPS":
        action["scheme"] = "HTTP"  # kubelet -> HTTP -> agent -> HTTPS -> app
    return action
