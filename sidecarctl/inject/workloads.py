"""Where each workload kind keeps its pod template, and what istioctl calls the workload.

istioctl decodes a document into a Go type chosen by `kind` alone (its scheme registers every
injectable type as unversioned), so `apiVersion` never matters. A CronJob's pod metadata is
`spec.jobTemplate.metadata` (not the pod template's), and two kinds whose template is a pointer
(ReplicationController, DeploymentConfig) fail without one instead of injecting an empty pod.

Beyond istioctl: custom resources whose pod template sits at a known path. Argo Rollouts'
`Rollout` (`spec.template`) is registered by default (istioctl passes it through untouched; no
conformance case has one), and `--pod-template-path KIND=PATH` registers others. Such a kind has
no Go type here: the object is kept as raw JSON (every field preserved) and only its pod template
is typed, as a `core.PodTemplateSpec`, when it is located.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sidecarctl.errors import InjectionError, UsageError

LIST_KIND = "List"

# kind -> the Go type istioctl decodes it into (sidecarctl.kube's names).
KUBE_TYPES: dict[str, str] = {
    "Pod": "core.Pod",
    "ReplicationController": "core.ReplicationController",
    "Deployment": "apps.Deployment",
    "DaemonSet": "apps.DaemonSet",
    "ReplicaSet": "apps.ReplicaSet",
    "StatefulSet": "apps.StatefulSet",
    "Job": "batch.Job",
    "CronJob": "batch.CronJob",
    "DeploymentConfig": "oapps.DeploymentConfig",
    LIST_KIND: "core.List",
}

# Custom kinds: kind -> path of the pod template (a PodTemplateSpec). Kept whole as raw JSON.
RAW_TYPE = "runtime.RawExtension"
POD_TEMPLATE_TYPE = "core.PodTemplateSpec"
DEFAULT_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {"Rollout": ("spec", "template")}
_template_paths: dict[str, tuple[str, ...]] = dict(DEFAULT_TEMPLATE_PATHS)

# Kinds whose spec.template is a Go pointer: absent means an error, not an empty pod.
_POINTER_TEMPLATE_KINDS = frozenset({"ReplicationController", "DeploymentConfig"})

_METADATA_PATH: dict[str, tuple[str, ...]] = {"Pod": ("metadata",), "CronJob": ("spec", "jobTemplate", "metadata")}
_SPEC_PATH: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_DEFAULT_METADATA_PATH = ("spec", "template", "metadata")
_DEFAULT_SPEC_PATH = ("spec", "template", "spec")

# A Job created by a CronJob is named <cronjob>-<8 to 10 digit timestamp>.
_CRONJOB_JOB_NAME = re.compile(r"(.+)-\d{8,10}$")


class PodTemplate:
    """The pod inside a workload: what istioctl hands to the injector, and where it goes back.
    (A plain class, not a dataclass: generating one costs startup time.)"""

    __slots__ = ("kind", "type_meta", "deploy_meta", "metadata", "spec")

    def __init__(
        self,
        kind: str,
        type_meta: dict[str, str],
        deploy_meta: dict[str, str],
        metadata: dict[str, Any],
        spec: dict[str, Any],
    ) -> None:
        self.kind = kind
        self.type_meta = type_meta  # {"apiVersion", "kind"}: the workload's, or the pod's guessed owner
        self.deploy_meta = deploy_meta  # {"name", "namespace"}: the workload's
        self.metadata = metadata
        self.spec = spec

    @property
    def full_name(self) -> str:
        """`namespace/name` as istioctl's warnings print it (the template's own name wins)."""
        name = self.metadata.get("name") or self.deploy_meta["name"]
        namespace = self.deploy_meta["namespace"]
        return f"{namespace}/{name}" if namespace else name

    def pod(self) -> dict[str, Any]:
        """The pod istioctl builds from the template: metadata and spec only."""
        return {"metadata": self.metadata, "spec": self.spec}


def is_injectable(kind: Any) -> bool:
    return isinstance(kind, str) and (kind in KUBE_TYPES or kind in _template_paths)


def kube_type(kind: str) -> str:
    """The Go type a kind decodes into; custom kinds stay raw JSON (nothing dropped)."""
    return KUBE_TYPES[kind] if kind in KUBE_TYPES else RAW_TYPE


def parse_pod_template_path(text: str) -> tuple[str, tuple[str, ...]]:
    """`KIND=PATH` (`MyCRD=spec.workload.template`) -> (kind, path keys); UsageError otherwise."""
    kind, sep, path = text.partition("=")
    kind, keys = kind.strip(), tuple(path.strip().split("."))
    if not sep or not kind or not all(keys):
        raise UsageError(f"invalid --pod-template-path {text!r}: give KIND=PATH, e.g. MyCRD=spec.workload.template")
    if kind in KUBE_TYPES:
        raise UsageError(f"invalid --pod-template-path {text!r}: {kind} is a built-in kind with a fixed pod template")
    return kind, keys


def register_pod_template_paths(specs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Register `KIND=PATH` specs (on top of the defaults: Rollout); returns the previous registry,
    for `restore_pod_template_paths`. A later spec for the same kind wins."""
    parsed = [parse_pod_template_path(spec) for spec in specs]  # all valid before any is applied
    previous = dict(_template_paths)
    _template_paths.update(parsed)
    return previous


def restore_pod_template_paths(previous: dict[str, tuple[str, ...]] | None = None) -> None:
    """Back to `previous` (the defaults when None): in-process callers (tests) undo a registration."""
    _template_paths.clear()
    _template_paths.update(DEFAULT_TEMPLATE_PATHS if previous is None else previous)


def pod_template_paths() -> dict[str, tuple[str, ...]]:
    return dict(_template_paths)


def locate(obj: dict[str, Any]) -> PodTemplate:
    """Find the pod template of a decoded (normalised) workload; raise when it has none."""
    kind = obj["kind"]
    if kind == "Pod":
        return _locate_pod(obj)
    if kind not in KUBE_TYPES and kind in _template_paths:
        return _locate_custom(obj, _template_paths[kind])
    spec = obj.get("spec")
    if kind in _POINTER_TEMPLATE_KINDS and (not isinstance(spec, dict) or spec.get("template") is None):
        raise InjectionError("spec.template is required value")
    meta = obj.get("metadata") or {}
    return PodTemplate(
        kind=kind,
        type_meta=_type_meta(obj),
        deploy_meta={"name": meta.get("name") or "", "namespace": meta.get("namespace") or ""},
        metadata=_ensure_path(obj, _METADATA_PATH.get(kind, _DEFAULT_METADATA_PATH)),
        spec=_ensure_path(obj, _SPEC_PATH.get(kind, _DEFAULT_SPEC_PATH)),
    )


def write_back(obj: dict[str, Any], template: PodTemplate, pod: dict[str, Any]) -> None:
    """Put an injected pod's metadata and spec where the workload keeps them."""
    kind = obj["kind"]
    if kind not in KUBE_TYPES and kind in _template_paths:
        _set_path(obj, _template_paths[kind], {"metadata": pod.get("metadata") or {}, "spec": pod.get("spec") or {}})
        return
    _set_path(obj, _METADATA_PATH.get(kind, _DEFAULT_METADATA_PATH), pod.get("metadata") or {})
    _set_path(obj, _SPEC_PATH.get(kind, _DEFAULT_SPEC_PATH), pod.get("spec") or {})


def list_items(obj: dict[str, Any]) -> list[Any]:
    items = obj.get("items")
    return items if isinstance(items, list) else []


def deploy_meta_from_pod(metadata: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Guess the owning workload of a bare pod from its controller reference, as Istio does.

    Only pods with generateName are investigated; the guesses (Deployment from a ReplicaSet with
    pod-template-hash, Argo Rollout, OpenShift DeploymentConfig, CronJob from a timestamped Job)
    name the workload in template data and warnings.
    """
    name = metadata.get("name") or ""
    deploy = {"name": name, "namespace": metadata.get("namespace") or ""}
    type_meta = {"apiVersion": "v1", "kind": "Pod"}
    ref = _controller_ref(metadata) if metadata.get("generateName") else None
    if ref is not None:
        type_meta = {"apiVersion": ref.get("apiVersion") or "", "kind": ref.get("kind") or ""}
        deploy["name"] = ref.get("name") or ""
        _guess_owner(ref, metadata.get("labels") or {}, deploy, type_meta)
    if not deploy["name"]:
        deploy["name"] = name
    return deploy, type_meta


def _guess_owner(
    ref: dict[str, Any], labels: dict[str, str], deploy: dict[str, str], type_meta: dict[str, str]
) -> None:
    ref_name, kind = ref.get("name") or "", type_meta["kind"]
    hash_ = labels.get("pod-template-hash", "")
    rollout_hash = labels.get("rollouts-pod-template-hash", "")
    if kind == "ReplicaSet" and hash_ and ref_name.endswith(hash_):
        deploy["name"] = _trim_suffix(ref_name, "-" + hash_)
        type_meta["kind"] = "Deployment"
    elif kind == "ReplicaSet" and rollout_hash and ref_name.endswith(rollout_hash):
        deploy["name"] = _trim_suffix(ref_name, "-" + rollout_hash)
        type_meta.update(kind="Rollout", apiVersion="v1alpha1")
    elif kind == "ReplicationController" and labels.get("deploymentconfig"):
        deploy["name"] = labels["deploymentconfig"]
        type_meta["kind"] = "DeploymentConfig"
    elif kind == "Job":
        match = _CRONJOB_JOB_NAME.search(ref_name)
        if match:
            deploy["name"] = match.group(1)
            type_meta.update(kind="CronJob", apiVersion="batch/v1")


def _locate_pod(obj: dict[str, Any]) -> PodTemplate:
    metadata = _ensure_path(obj, ("metadata",))
    deploy, type_meta = deploy_meta_from_pod(metadata)
    return PodTemplate(
        kind="Pod", type_meta=type_meta, deploy_meta=deploy, metadata=metadata, spec=_ensure_path(obj, ("spec",))
    )


def _locate_custom(obj: dict[str, Any], path: tuple[str, ...]) -> PodTemplate:
    """A custom kind's template, typed in place as the PodTemplateSpec it holds."""
    raw = _get_path(obj, path)
    if not isinstance(raw, dict):
        raise InjectionError(f"{'.'.join(path)} is required value (the pod template of a {obj['kind']})")
    from sidecarctl.kube import normalize_as  # the typed model is heavy; kube-inject has it loaded anyway

    template = normalize_as(raw, POD_TEMPLATE_TYPE)
    _set_path(obj, path, template)
    meta = obj.get("metadata") or {}
    return PodTemplate(
        kind=obj["kind"],
        type_meta=_type_meta(obj),
        deploy_meta={"name": meta.get("name") or "", "namespace": meta.get("namespace") or ""},
        metadata=_ensure_path(template, ("metadata",)),
        spec=_ensure_path(template, ("spec",)),
    )


def _get_path(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _controller_ref(metadata: dict[str, Any]) -> dict[str, Any] | None:
    for ref in metadata.get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller") is True:
            return ref
    return None


def _type_meta(obj: dict[str, Any]) -> dict[str, str]:
    return {"apiVersion": obj.get("apiVersion") or "", "kind": obj.get("kind") or ""}


def _trim_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _ensure_path(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at path, created empty where missing (Go's zero-valued structs)."""
    current = obj
    for key in path:
        child = current.get(key)
        if not isinstance(child, dict):
            child = {}
            current[key] = child
        current = child
    return current


def _set_path(obj: dict[str, Any], path: tuple[str, ...], value: dict[str, Any]) -> None:
    parent = _ensure_path(obj, path[:-1])
    parent[path[-1]] = value
