"""Istio's webhook golden test (`runWebhook` in inject_test.go), rewritten for a running server.

Each workload in a case's input and golden is turned into the pod its controller would create
(Istio's `objectToPod`: generateName and a controller owner reference; a Deployment's pod looks
owned by a ReplicaSet `<name>-fake` with `pod-template-hash: fake`). The input pod goes to the
server in an AdmissionReview; the returned JSONPatch is applied to it and the result compared with
the golden pod, the status annotation left out, as Istio compares them.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from shared_suite import conformance_cases

INJECTABLE = (
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "ReplicaSet",
    "ReplicationController",
    "CronJob",
    "Pod",
)
STATUS = "sidecar.istio.io/status"


def load_cases() -> list[dict[str, Any]]:
    """The suite's cases Istio also runs through its webhook (shared_suite's one table)."""
    return conformance_cases(webhook=True)


def injectable_docs(text: str) -> list[dict[str, Any]]:
    """Istio's splitYamlBytes: documents split on `\\n---`, Lists opened, other kinds dropped."""
    out: list[dict[str, Any]] = []
    for part in text.split("\n---"):
        doc = yaml.safe_load(part)
        out += _injectables(doc)
    return out


def _injectables(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") in INJECTABLE:
        return [doc]
    if doc.get("kind") == "List":
        return [d for item in doc.get("items") or [] for d in _injectables(item)]
    return []


def _owned(meta: dict[str, Any] | None, name: str, api_version: str, kind: str) -> dict[str, Any]:
    meta = copy.deepcopy(meta or {})
    meta["generateName"] = name
    meta["ownerReferences"] = [{"apiVersion": api_version, "kind": kind, "name": name, "controller": True}]
    return meta


def object_to_pod(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod a controller makes from `obj`, as Istio's test fakes it."""
    kind, name = obj["kind"], (obj.get("metadata") or {}).get("name", "")
    api_version = obj.get("apiVersion", "")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return copy.deepcopy(obj)
    if kind == "CronJob":
        template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        return _pod(_owned(template.get("metadata"), name, api_version, kind), template.get("spec"))
    template = spec.get("template") or {}
    if kind == "Deployment":
        meta = _owned(template.get("metadata"), name + "-fake", "apps/v1", "ReplicaSet")
        meta["generateName"] += "-"
        meta.setdefault("labels", {})["pod-template-hash"] = "fake"
        return _pod(meta, template.get("spec"))
    return _pod(_owned(template.get("metadata"), name, api_version, kind), template.get("spec"))


def _pod(meta: dict[str, Any], spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": copy.deepcopy(spec or {})}


def comparable(pod: dict[str, Any], got: bool) -> dict[str, Any]:
    """Istio's normalizeAndCompareDeployments on typed pods: no status annotation; on the result,
    env fieldRefs lose their apiVersion (the API server's defaulting, absent from goldens)."""
    pod = copy.deepcopy(pod)
    pod.pop("apiVersion", None)
    pod.pop("kind", None)
    (pod.get("metadata") or {}).get("annotations", {}).pop(STATUS, None)
    if got:
        for container in (pod.get("spec") or {}).get("containers") or []:
            for env in container.get("env") or []:
                field_ref = (env.get("valueFrom") or {}).get("fieldRef")
                if field_ref:
                    field_ref.pop("apiVersion", None)
    return pod


def metajson_envs(pod: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["name"], e.get("value", ""))
        for c in (pod.get("spec") or {}).get("containers") or []
        for e in c.get("env") or []
        if e.get("name", "").startswith("ISTIO_METAJSON_")
    ]
