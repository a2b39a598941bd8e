"""Whether Istio's admission webhook would inject a pod, and which rule decided: `sidecarctl check`.

Two stages, as in a cluster:

1. whether the API server calls the webhook at all: the selectors of Istio's
   MutatingWebhookConfiguration on the namespace labels (`istio-injection`, `istio.io/rev`) and
   the pod labels (`sidecar.istio.io/inject`, `istio.io/rev`). Skipped when the namespace's
   labels are unknown (a manifest file without its Namespace document);
2. the webhook's own `injectRequired` (`policy.explain_required`, the very steps the webhook runs):
   host networking, ignored namespaces, the pod's label/annotation, neverInjectSelector,
   alwaysInjectSelector, the config's policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sidecarctl import kube
from sidecarctl.inject import policy

INJECTION_LABEL = "istio-injection"
REVISION_LABEL = "istio.io/rev"
DEFAULT_REVISION = "default"
RULE_NAMESPACE_LABEL = "namespace-label"
STATUS_ANNOTATION = "sidecar.istio.io/status"
COLUMNS = ("KIND", "NAME", "NAMESPACE", "INJECT", "RULE", "REASON")


@dataclass(frozen=True)
class Verdict:
    """One row of `sidecarctl check`."""

    kind: str
    name: str
    namespace: str
    inject: bool
    rule: str
    reason: str


@dataclass(frozen=True)
class InjectPolicy:
    """The inject config's deciding parts, and the revision whose webhook is asked about."""

    policy: str = policy.POLICY_ENABLED
    never: tuple[Any, ...] = ()
    always: tuple[Any, ...] = ()
    revision: str = ""  # "" is the default revision
    # From a cluster: revision tags (tag -> revision), and the revision the `default` tag points
    # at (the one `istio-injection=enabled` and `sidecar.istio.io/inject=true` pods get).
    tags: Mapping[str, str] = field(default_factory=dict)
    default_revision: str = ""

    @classmethod
    def from_settings(cls, settings: Any, revision: str = "") -> InjectPolicy:
        config = settings.inject_config
        return cls(
            config.policy,
            tuple(config.never_inject_selector or ()),
            tuple(config.always_inject_selector or ()),
            revision,
        )


def webhook_called(
    namespace_labels: Mapping[str, str],
    pod_labels: Mapping[str, str],
    revision: str = "",
    tags: Mapping[str, str] | None = None,
    default_revision: str = "",
) -> tuple[bool, str, str]:
    """(called, rule, detail) from Istio's webhook selectors (istiod chart: a revision's namespace
    and object webhooks, and the default revision's `istio-injection` and plain-object ones).
    `istio.io/rev` values may name a revision tag (`tags`: tag -> revision)."""
    rev = revision or DEFAULT_REVISION
    is_default = rev in (DEFAULT_REVISION, default_revision or DEFAULT_REVISION)
    pod_inject = pod_labels.get(policy.INJECT_KEY)
    if pod_inject == "false":
        return False, policy.RULE_POD_LABEL, f"label {policy.INJECT_KEY}=false: the webhook is not called"
    injection = namespace_labels.get(INJECTION_LABEL)
    if injection is not None:
        if injection != "enabled":
            return False, RULE_NAMESPACE_LABEL, f"namespace label {INJECTION_LABEL}={injection}"
        if not is_default:
            return (
                False,
                RULE_NAMESPACE_LABEL,
                (f"namespace label {INJECTION_LABEL}=enabled selects the default revision, not {rev}"),
            )
        return True, RULE_NAMESPACE_LABEL, f"namespace label {INJECTION_LABEL}=enabled"
    for rule, labels, what in (
        (RULE_NAMESPACE_LABEL, namespace_labels, "namespace label"),
        (policy.RULE_POD_LABEL, pod_labels, "label"),
    ):
        value = labels.get(REVISION_LABEL)
        if value is not None:
            target = (tags or {}).get(value, value)
            detail = f"{what} {REVISION_LABEL}={value}" + (f" (tag of revision {target})" if target != value else "")
            return target == rev, rule, detail if target == rev else f"{detail}, not {rev}"
    if pod_inject == "true" and is_default:
        return True, policy.RULE_POD_LABEL, f"label {policy.INJECT_KEY}=true"
    return (
        False,
        RULE_NAMESPACE_LABEL,
        (f"namespace has no {INJECTION_LABEL} or {REVISION_LABEL} label and the pod does not opt in"),
    )


def explain_pod(
    metadata: Mapping[str, Any],
    spec: Mapping[str, Any],
    rules: InjectPolicy,
    namespace_labels: Mapping[str, str] | None = None,
) -> tuple[bool, str, str]:
    """(inject, rule, detail) for a pod about to be created in its namespace (metadata.namespace)."""
    labels = metadata.get("labels") or {}
    called_by = None
    if namespace_labels is not None:
        called, rule, detail = webhook_called(
            namespace_labels, labels, rules.revision, rules.tags, rules.default_revision
        )
        if not called:
            return False, rule, detail
        called_by = (rule, detail)
    inject, rule, detail = policy.explain_required(
        dict(metadata), dict(spec), policy=rules.policy, never=list(rules.never), always=list(rules.always)
    )
    if called_by is not None and inject and rule == policy.RULE_DEFAULT_POLICY:
        # Nothing in the pod decided: the label that made the webhook run did, the policy agreeing.
        return True, called_by[0], f"{called_by[1]} ({detail})"
    return inject, rule, detail


def verdict_for_template(
    kind: str,
    name: str,
    namespace: str,
    metadata: Mapping[str, Any],
    spec: Mapping[str, Any],
    rules: InjectPolicy,
    namespace_labels: Mapping[str, str] | None = None,
) -> Verdict:
    """A workload's pod template decided as its pods will be: in the workload's namespace."""
    pod_meta = dict(metadata)
    pod_meta["namespace"] = metadata.get("namespace") or namespace
    inject, rule, detail = explain_pod(pod_meta, spec, rules, namespace_labels)
    if STATUS_ANNOTATION in (metadata.get("annotations") or {}):
        detail += " (already injected)"
    return Verdict(kind, name, pod_meta["namespace"], inject, rule, detail)


def table(verdicts: list[Verdict]) -> str:
    """kubectl-style columns: left-aligned, two spaces apart."""
    rows = [COLUMNS] + [(v.kind, v.name, v.namespace, "yes" if v.inject else "no", v.rule, v.reason) for v in verdicts]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths)) + "  " + row[-1] for row in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def as_json(verdicts: list[Verdict]) -> str:
    import json

    return json.dumps([asdict(v) for v in verdicts], indent=2) + "\n"


# --- manifests ------------------------------------------------------------------------------------


def file_verdicts(text: str, source: str, rules: InjectPolicy) -> list[Verdict]:
    """One verdict per workload of a manifest stream (List items included). Namespace documents
    in the stream give their labels to the workloads in them; otherwise those are not known and
    only the webhook's own decision is shown."""
    from sidecarctl.errors import SidecarError
    from sidecarctl.inject import uninject, workloads
    from sidecarctl.yamlio import MANIFEST_MAX_DEPTH, load_document, split_documents

    objects: list[dict[str, Any]] = []
    namespaces: dict[str, dict[str, str]] = {}
    for index, raw in enumerate(split_documents(text), start=1):
        try:
            _collect_namespace(load_document(raw, max_depth=MANIFEST_MAX_DEPTH), namespaces)
            obj = uninject.decode_workload(raw)  # typed as kube-inject types it
        except SidecarError as err:
            raise type(err)(f"{source}: document {index}: {err}") from None
        if obj is not None:
            objects.extend(_workloads(obj))
    verdicts = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        try:
            template = workloads.locate(obj)
        except SidecarError as err:
            raise type(err)(f"{source}: {obj.get('kind')} {meta.get('name') or ''}: {err}") from None
        namespace = meta.get("namespace") or ""
        verdicts.append(
            verdict_for_template(
                obj.get("kind") or "",
                meta.get("name") or meta.get("generateName") or "",
                namespace,
                template.metadata,
                template.spec,
                rules,
                namespaces.get(namespace),
            )
        )
    return verdicts


def _collect_namespace(value: Any, namespaces: dict[str, dict[str, str]]) -> None:
    if isinstance(value, dict) and value.get("kind") == "Namespace":
        meta = value.get("metadata") or {}
        labels = meta.get("labels") or {}
        namespaces[str(meta.get("name") or "")] = {str(k): str(v) for k, v in labels.items()}


def _workloads(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The object itself, or a List's injectable items typed."""
    from sidecarctl.inject import uninject, workloads

    if obj.get("kind") != workloads.LIST_KIND:
        return [obj]
    out = []
    for item in workloads.list_items(obj):
        kind = uninject.workload_kind(item)
        if kind is not None and kind != workloads.LIST_KIND and workloads.is_injectable(kind):
            out.append(kube.normalize_as(item, workloads.kube_type(kind)))
    return out
