"""Undoing a previous injection before rendering again, so re-running kube-inject is idempotent.

The `sidecar.istio.io/status` annotation records what the last injection added. Istio removes the
recorded containers and init containers (not the volumes: the template re-adds them by name),
drops the Prometheus annotations it set itself and the status annotation, then puts back the
user's own overrides of injected containers (`proxy.istio.io/overrides`) so the template sees
them as it did the first time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from sidecarctl.errors import InjectionError
from sidecarctl.kube import copy_json

STATUS_ANNOTATION = "sidecar.istio.io/status"
OVERRIDES_ANNOTATION = "proxy.istio.io/overrides"

_STATUS_FIELDS = ("initContainers", "containers", "volumes", "imagePullSecrets", "revision")
PROMETHEUS_KEYS = frozenset({"prometheus_io_scrape", "prometheus_io_port", "prometheus_io_path"})


def injection_status(annotations: dict[str, str] | None) -> dict[str, Any] | None:
    """The parsed status annotation, or None when absent or not a valid SidecarInjectionStatus."""
    value = (annotations or {}).get(STATUS_ANNOTATION)
    if value is None:
        return None
    try:
        raw = json.loads(value)
    except ValueError:
        return None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return None
    return _decode_status(raw)


def strip_pod(pod: dict[str, Any], status_port: int) -> dict[str, Any]:
    """A copy of the pod without what the recorded injection added (the pod itself if none)."""
    metadata = pod.get("metadata") or {}
    status = injection_status(metadata.get("annotations"))
    if status is None:
        return pod
    pod = copy_json(pod)
    spec = pod.setdefault("spec", {})
    for name in status.get("containers") or []:
        spec["containers"] = remove_container(spec.get("containers"), name)
    for name in status.get("initContainers") or []:
        init = remove_container(spec.get("initContainers"), name)
        spec["initContainers"] = init if init else None
    annotations = pod["metadata"].get("annotations") or {}
    port = prometheus_port(annotations)
    if port is not None and port == str(status_port):
        clear_prometheus_annotations(annotations)
    annotations.pop(STATUS_ANNOTATION, None)
    return pod


def reinsert_overrides(pod: dict[str, Any], normalize_container: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """A copy of the pod with the containers saved in `proxy.istio.io/overrides` put back.

    Only containers the pod no longer has are appended. A malformed annotation is an error, as in
    Istio. `normalize_container` gives the saved containers Go's typed shape.
    """
    overrides = _parse_overrides((pod.get("metadata") or {}).get("annotations") or {})
    pod = copy_json(pod)
    spec = pod.setdefault("spec", {})
    for key in ("containers", "initContainers"):
        for container in overrides.get(key) or []:
            if find_container(container.get("name", ""), spec.get(key)) is None:
                saved = normalize_container(container) if normalize_container else container
                spec[key] = list(spec.get(key) or []) + [saved]
    return pod


def remove_container(containers: list[dict[str, Any]] | None, name: str) -> list[dict[str, Any]]:
    """Every container but those named name (Istio's modifyContainers with Remove)."""
    return [c for c in containers or [] if c.get("name") != name]


def find_container(name: str, containers: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    for container in containers or []:
        if isinstance(container, dict) and container.get("name") == name:
            return container
    return None


_NOT_LABEL_CHAR = re.compile(r"[^a-zA-Z0-9_]")


def sanitize_label_name(name: str) -> str:
    """Prometheus' SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`. (Called
    for every annotation of every pod, several times: one regex pass, not a generator per character.)"""
    return _NOT_LABEL_CHAR.sub("_", name)


def prometheus_port(annotations: dict[str, str]) -> str | None:
    for key, value in annotations.items():
        if sanitize_label_name(key) == "prometheus_io_port":
            return value
    return None


def clear_prometheus_annotations(annotations: dict[str, str]) -> None:
    """Remove every spelling of prometheus.io/{scrape,port,path} (prometheus-io/port, ...)."""
    for key in [k for k in annotations if sanitize_label_name(k) in PROMETHEUS_KEYS]:
        del annotations[key]


def _decode_status(raw: dict[str, Any]) -> dict[str, Any] | None:
    """encoding/json into SidecarInjectionStatus: case-insensitive keys, typed fields."""
    status: dict[str, Any] = {}
    for key, value in raw.items():
        field = _match_field(key)
        if field is None:
            continue
        if field == "revision":
            if value is not None and not isinstance(value, str):
                return None
            status[field] = value or ""
        elif value is None:
            status[field] = None
        elif isinstance(value, list) and all(v is None or isinstance(v, str) for v in value):
            status[field] = [v or "" for v in value]
        else:
            return None  # a type error: Go's Unmarshal fails and Istio ignores the annotation
    return status


def _match_field(key: str) -> str | None:
    if key in _STATUS_FIELDS:
        return key
    for field in _STATUS_FIELDS:
        if field.lower() == key.lower():
            return field
    return None


def _parse_overrides(annotations: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    value = annotations.get(OVERRIDES_ANNOTATION)
    if value is None:
        return {}
    try:
        raw = json.loads(value)
    except ValueError as err:
        raise InjectionError(f"invalid {OVERRIDES_ANNOTATION} annotation: {err}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InjectionError(f"invalid {OVERRIDES_ANNOTATION} annotation: not a JSON object")
    out: dict[str, list[dict[str, Any]]] = {}
    for key in ("containers", "initContainers"):
        items = raw.get(key)
        if items is not None and (not isinstance(items, list) or not all(isinstance(c, dict) for c in items)):
            raise InjectionError(f"invalid {OVERRIDES_ANNOTATION} annotation: {key} is not a list of containers")
        out[key] = items or []
    return out
