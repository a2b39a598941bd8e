"""What a user applies to run the webhook in a cluster, and the commands that remove it again.

Names follow the seed guide's uninstall section (`istio-sidecar-injector`, and the service account
`istio-sidecar-injector-service-account`), suffixed with `-<revision>` for a revision. The webhook
selectors are Istio's: namespaces labelled `istio-injection=enabled` (or `istio.io/rev=<rev>`),
plus pods labelled `sidecar.istio.io/inject=true` in unlabelled namespaces; a pod labelled
`sidecar.istio.io/inject=false` is never even sent to the webhook.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import yaml

BASE_NAME = "istio-sidecar-injector"
INJECT_LABEL = "sidecar.istio.io/inject"
REV_LABEL = "istio.io/rev"
NS_LABEL = "istio-injection"
CONTAINER_PORT = 9443
TLS_DIR = "/etc/sidecarctl/tls"


@dataclass(frozen=True)
class InstallOptions:
    ca_bundle: bytes
    namespace: str = "istio-system"
    revision: str = ""
    image: str = "sidecarctl:0.1.0"
    replicas: int = 2
    failure_policy: str = "Fail"
    timeout_seconds: int = 10
    native_sidecars: bool | None = None  # None: detect from the nodes' kubelet versions, as Istio
    offline: bool = False  # the server injects with built-in settings, not the ConfigMaps
    istio_version: str = ""  # the Istio release the server injects as (`1.28`, ...); "" the newest

    @property
    def name(self) -> str:
        return f"{BASE_NAME}-{self.revision}" if self.revision else BASE_NAME

    @property
    def service_account(self) -> str:
        return f"{self.name}-service-account"

    @property
    def tls_secret(self) -> str:
        return f"{self.name}-tls"


def _labels(opts: InstallOptions) -> dict[str, str]:
    labels = {"app": "sidecar-injector", "app.kubernetes.io/name": "sidecarctl-webhook",
              "app.kubernetes.io/instance": opts.name}
    if opts.revision:
        labels[REV_LABEL] = opts.revision
    return labels


def _meta(opts: InstallOptions, namespaced: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": opts.name}
    if namespaced:
        meta["namespace"] = opts.namespace
    meta["labels"] = _labels(opts)
    return meta


def _expr(key: str, op: str, *values: str) -> dict[str, Any]:
    e: dict[str, Any] = {"key": key, "operator": op}
    if values:
        e["values"] = list(values)
    return e


def _selectors(opts: InstallOptions) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(webhook name prefix, namespaceSelector, objectSelector) pairs, as Istio's chart sets them."""
    not_disabled = _expr(INJECT_LABEL, "NotIn", "false")
    if opts.revision:
        return [
            ("rev.namespace", {"matchExpressions": [_expr(REV_LABEL, "In", opts.revision), _expr(NS_LABEL, "DoesNotExist")]},
             {"matchExpressions": [not_disabled]}),
            ("rev.object", {"matchExpressions": [_expr(REV_LABEL, "DoesNotExist"), _expr(NS_LABEL, "DoesNotExist")]},
             {"matchExpressions": [not_disabled, _expr(REV_LABEL, "In", opts.revision)]}),
        ]
    return [
        ("namespace", {"matchExpressions": [_expr(NS_LABEL, "In", "enabled")]}, {"matchExpressions": [not_disabled]}),
        ("object", {"matchExpressions": [_expr(NS_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist")]},
         {"matchExpressions": [_expr(INJECT_LABEL, "In", "true"), _expr(REV_LABEL, "DoesNotExist")]}),
    ]


def mutating_webhook_configuration(opts: InstallOptions) -> dict[str, Any]:
    ca = base64.b64encode(opts.ca_bundle).decode("ascii")
    hooks = []
    for prefix, ns_selector, obj_selector in _selectors(opts):
        hooks.append({
            "name": f"{prefix}.sidecar-injector.istio.io",
            "clientConfig": {"service": {"name": opts.name, "namespace": opts.namespace, "path": "/inject", "port": 443},
                             "caBundle": ca},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
            "failurePolicy": opts.failure_policy,
            "sideEffects": "None",
            "admissionReviewVersions": ["v1", "v1beta1"],
            "reinvocationPolicy": "Never",
            "timeoutSeconds": opts.timeout_seconds,
            "namespaceSelector": ns_selector,
            "objectSelector": obj_selector,
        })
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": opts.name, "labels": _labels(opts)}, "webhooks": hooks}


def service(opts: InstallOptions) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(opts),
            "spec": {"selector": {"app.kubernetes.io/instance": opts.name},
                     "ports": [{"name": "https-webhook", "port": 443, "targetPort": CONTAINER_PORT}]}}


def service_account(opts: InstallOptions) -> dict[str, Any]:
    meta = _meta(opts)
    meta["name"] = opts.service_account
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


def role(opts: InstallOptions) -> dict[str, Any]:
    """Read access to the settings ConfigMaps the webhook follows (namespaced: nothing cluster-wide)."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta(opts),
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]}


def cluster_role(opts: InstallOptions) -> dict[str, Any]:
    """Only for native sidecar detection: Istio reads the nodes' kubelet versions."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": _meta(opts, namespaced=False),
            "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}


def cluster_role_binding(opts: InstallOptions) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": _meta(opts, namespaced=False),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": opts.name},
            "subjects": [{"kind": "ServiceAccount", "name": opts.service_account, "namespace": opts.namespace}]}


def _native_env(value: bool | None) -> str:
    return "auto" if value is None else ("true" if value else "false")


def role_binding(opts: InstallOptions) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta(opts),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": opts.name},
            "subjects": [{"kind": "ServiceAccount", "name": opts.service_account, "namespace": opts.namespace}]}


def _args(opts: InstallOptions) -> list[str]:
    args = ["webhook", "serve", f"--port={CONTAINER_PORT}", f"--tls-cert-file={TLS_DIR}/tls.crt",
            f"--tls-key-file={TLS_DIR}/tls.key", f"--istioNamespace={opts.namespace}"]
    if opts.revision:
        args.append(f"--revision={opts.revision}")
    if opts.offline:
        args.append("--offline")
    if opts.istio_version:
        args.append(f"--istio-version={opts.istio_version}")
    return args


def _probe(path: str, period: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": CONTAINER_PORT, "scheme": "HTTPS"}, "periodSeconds": period}


def _container(opts: InstallOptions) -> dict[str, Any]:
    return {
        "name": "webhook", "image": opts.image, "args": _args(opts),
        "env": [{"name": "ENABLE_NATIVE_SIDECARS", "value": _native_env(opts.native_sidecars)}],
        "ports": [{"name": "https-webhook", "containerPort": CONTAINER_PORT}],
        "readinessProbe": _probe("/readyz", 5), "livenessProbe": _probe("/healthz", 10),
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1337, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}],
    }


def deployment(opts: InstallOptions) -> dict[str, Any]:
    pod_labels = {**_labels(opts), INJECT_LABEL: "false"}  # never inject the injector itself
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(opts),
        "spec": {
            "replicas": opts.replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/instance": opts.name}},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {"serviceAccountName": opts.service_account,
                         "terminationGracePeriodSeconds": 30,
                         "containers": [_container(opts)],
                         "volumes": [{"name": "tls", "secret": {"secretName": opts.tls_secret}}]},
            },
        },
    }


def install_manifests(opts: InstallOptions) -> list[dict[str, Any]]:
    """In apply order: identity and RBAC, the server, then the webhook that sends it pods."""
    rbac = [role(opts), role_binding(opts)]
    if opts.native_sidecars is None:
        rbac += [cluster_role(opts), cluster_role_binding(opts)]
    return [service_account(opts), *rbac, service(opts), deployment(opts), mutating_webhook_configuration(opts)]


def render(docs: list[dict[str, Any]]) -> str:
    return "".join("---\n" + yaml.safe_dump(d, sort_keys=False, default_flow_style=False) for d in docs)


def uninstall_commands(namespace: str = "istio-system", revision: str = "") -> list[str]:
    """The seed guide's uninstall commands, then the RBAC objects `install_manifests` adds."""
    opts = InstallOptions(ca_bundle=b"", namespace=namespace, revision=revision)
    ns = f"-n {namespace}"
    return [
        f"kubectl delete mutatingwebhookconfiguration {opts.name}",
        f"kubectl {ns} delete service {opts.name}",
        f"kubectl {ns} delete deployment {opts.name}",
        f"kubectl {ns} delete serviceaccount {opts.service_account}",
        f"kubectl {ns} delete rolebinding {opts.name}",
        f"kubectl {ns} delete role {opts.name}",
        # only made when native sidecar support is detected from the nodes (the default)
        f"kubectl delete clusterrolebinding {opts.name} --ignore-not-found",
        f"kubectl delete clusterrole {opts.name} --ignore-not-found",
    ]
