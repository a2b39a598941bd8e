"""Whether a pod template gets a sidecar, and why not: istioctl kube-inject's decisions.

kube-inject checks host networking first (its own warning), then runs the injector's
`injectRequired` with the policy forced to `enabled` and no selectors: the config's policy,
neverInjectSelector and alwaysInjectSelector only matter to the admission webhook, which calls
`inject_required` with them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sidecarctl.inject.goutil import quote

# Namespaces Kubernetes reserves for itself; checked against the pod template's own namespace.
IGNORED_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "local-path-storage")
INJECT_KEY = "sidecar.istio.io/inject"  # both the label and the annotation
POLICY_ENABLED = "enabled"
POLICY_DISABLED = "disabled"

HOST_NETWORK = "has host networking enabled"
INJECTION_DISABLED = "has sidecar injection disabled"


class Decision(NamedTuple):  # a NamedTuple, not a frozen dataclass: cheaper to define at startup
    """The outcome for one pod: `reason` is istioctl's warning tail when it is skipped."""

    inject: bool
    reason: str = ""
    why: str = ""  # what decided, for logs and tests
    warnings: tuple[str, ...] = ()


def kube_inject_decision(metadata: dict[str, Any], spec: dict[str, Any]) -> Decision:
    """istioctl kube-inject: host networking, then injectRequired with policy `enabled`."""
    if spec.get("hostNetwork") is True:
        return Decision(False, HOST_NETWORK, "spec.hostNetwork is true")
    return inject_required(metadata, spec, policy=POLICY_ENABLED)


def inject_required(
    metadata: dict[str, Any],
    spec: dict[str, Any],
    policy: str = POLICY_ENABLED,
    never: list[Any] | None = None,
    always: list[Any] | None = None,
    ignored: tuple[str, ...] = IGNORED_NAMESPACES,
) -> Decision:
    """Istio's injectRequired: host network, ignored namespace, label/annotation, selectors, policy."""
    inject, _, why, warnings = _explain(metadata, spec, policy, never or [], always or [], ignored)
    return Decision(inject, "" if inject else INJECTION_DISABLED, why, warnings)


def explain_required(
    metadata: dict[str, Any],
    spec: dict[str, Any],
    policy: str = POLICY_ENABLED,
    never: list[Any] | None = None,
    always: list[Any] | None = None,
    ignored: tuple[str, ...] = IGNORED_NAMESPACES,
) -> tuple[bool, str, str]:
    """injectRequired as (inject, rule, detail): the rule (one of RULES) that decided, and in
    words how (`label sidecar.istio.io/inject=false`). The webhook's decision is built on the same
    steps (`inject_required`), so `sidecarctl check` explains exactly what the webhook does."""
    inject, rule, detail, _ = _explain(metadata, spec, policy, never or [], always or [], ignored)
    return inject, rule, detail


# What decided, in Istio's order (the names `sidecarctl check` prints).
RULE_HOST_NETWORK = "host-network"
RULE_IGNORED_NAMESPACE = "ignored-namespace"
RULE_POD_LABEL = "pod-label"
RULE_POD_ANNOTATION = "pod-annotation"
RULE_NEVER_SELECTOR = "neverInjectSelector"
RULE_ALWAYS_SELECTOR = "alwaysInjectSelector"
RULE_DEFAULT_POLICY = "default-policy"
RULES = (
    RULE_HOST_NETWORK,
    RULE_IGNORED_NAMESPACE,
    RULE_POD_LABEL,
    RULE_POD_ANNOTATION,
    RULE_NEVER_SELECTOR,
    RULE_ALWAYS_SELECTOR,
    RULE_DEFAULT_POLICY,
)


def _explain(
    metadata: dict[str, Any],
    spec: dict[str, Any],
    policy: str,
    never: list[Any],
    always: list[Any],
    ignored: tuple[str, ...],
) -> tuple[bool, str, str, tuple[str, ...]]:
    """(inject, rule, detail, warnings): the one implementation of injectRequired."""
    if spec.get("hostNetwork") is True:
        return False, RULE_HOST_NETWORK, "spec.hostNetwork is true", ()
    namespace = metadata.get("namespace") or ""
    if namespace in ignored:
        return False, RULE_IGNORED_NAMESPACE, f"namespace {namespace} is never injected", ()
    explicit, why, warnings = _explicit_choice(metadata)
    rule = RULE_POD_LABEL if why.startswith("label") else RULE_POD_ANNOTATION
    if explicit is None:
        explicit, why = _selector_choice(metadata.get("labels") or {}, never, always)
        rule = RULE_NEVER_SELECTOR if explicit is False else RULE_ALWAYS_SELECTOR
    decision = _apply_policy(policy, explicit, why, warnings)
    if explicit is None or policy not in (POLICY_ENABLED, POLICY_DISABLED):
        rule = RULE_DEFAULT_POLICY  # an illegal policy disables injection whatever the pod says
    return decision.inject, rule, decision.why, warnings


def skip_warning(kind: str, full_name: str, reason: str) -> str:
    """istioctl's warning for a skipped workload (it ends with a newline of its own)."""
    subject = f"{kind} {quote(full_name)}" if kind else quote(full_name)
    return f"===> Skipping injection because {subject} {reason}\n"


def _explicit_choice(metadata: dict[str, Any]) -> tuple[bool | None, str, tuple[str, ...]]:
    """The label beats the annotation; anything but true/false falls back to the default."""
    labels = metadata.get("labels") or {}
    annotations = metadata.get("annotations") or {}
    source, value = "annotation", annotations.get(INJECT_KEY, "")
    if INJECT_KEY in labels:
        source, value = "label", labels[INJECT_KEY]
    if value == "true":
        return True, f"{source} {INJECT_KEY}=true", ()
    if value == "false":
        return False, f"{source} {INJECT_KEY}=false", ()
    if value == "":
        return None, "", ()
    warning = (
        f"Invalid value for {INJECT_KEY}: {quote(value)}. Only 'true' and 'false' are accepted. "
        "Falling back to default injection policy."
    )
    return None, "", (warning,)


def _selector_choice(labels: dict[str, str], never: list[Any], always: list[Any]) -> tuple[bool | None, str]:
    for selector in never:
        if _selects(selector, labels):
            return False, "neverInjectSelector matches"
    for selector in always:
        if _selects(selector, labels):
            return True, "alwaysInjectSelector matches"
    return None, ""


def _apply_policy(policy: str, explicit: bool | None, why: str, warnings: tuple[str, ...]) -> Decision:
    if policy not in (POLICY_ENABLED, POLICY_DISABLED):
        return Decision(False, INJECTION_DISABLED, f"illegal policy {policy!r}", warnings)
    if explicit is None:
        inject = policy == POLICY_ENABLED
        why = f"policy {policy}"
    else:
        inject = explicit
    return Decision(inject, "" if inject else INJECTION_DISABLED, why, warnings)


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    """metav1.LabelSelector matching; an empty or invalid selector selects nothing here."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(key) != value for key, value in match_labels.items()):
        return False
    return all(_expression_matches(expr, labels) for expr in expressions)


def _expression_matches(expr: Any, labels: dict[str, str]) -> bool:
    if not isinstance(expr, dict):
        return False
    key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if operator in ("In", "NotIn") and not values:
        return False  # an invalid selector: Istio warns and skips it
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False
