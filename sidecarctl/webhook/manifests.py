"""What a user applies to run the webhook in a cluster, and the commands that remove it again.

Every object has names of its own (`sidecarctl-injector` by default, `-<revision>` appended for a
revision), never Istio's unless `name` asks for them, and carries the labels `uninstall_commands`
selects on: `app.kubernetes.io/managed-by=sidecarctl` and `app.kubernetes.io/instance=<name>`, so
uninstalling removes exactly what these manifests created.

The webhook's selectors are Istio's: namespaces labelled `istio-injection=enabled` (or
`istio.io/rev=<rev>`), plus pods labelled `sidecar.istio.io/inject=true` in unlabelled namespaces;
a pod labelled `sidecar.istio.io/inject=false` is never even sent to the webhook.

The Deployment meets the Pod Security "restricted" level; the Role may only `get` the two
settings ConfigMaps (the server reads them with GET, see `sidecarctl.config.cluster`). The serving
certificate comes from a Secret the user makes (`ca_bundle` is its CA) or from cert-manager.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from sidecarctl.config.cluster import (
    DEFAULT_INJECT_CONFIGMAP,
    DEFAULT_MESH_CONFIGMAP,
    configmap_name,
)
from sidecarctl.errors import UsageError
from sidecarctl.yamlio import dump_yaml

DEFAULT_NAME = "sidecarctl-injector"
APP_NAME = "sidecarctl-injector"
MANAGED_BY = "sidecarctl"
INSTANCE_LABEL = "app.kubernetes.io/instance"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
INJECT_LABEL = "sidecar.istio.io/inject"
REV_LABEL = "istio.io/rev"
NS_LABEL = "istio-injection"
CONTAINER_PORT = 9443
TLS_DIR = "/etc/sidecarctl/tls"
RUN_AS = 1337  # the image's user (Containerfile)
WEBHOOK_DOMAIN = "sidecarctl.io"  # webhook names must be qualified; they only need to be unique
CERT_MANAGER_API = "cert-manager.io/v1"
INJECT_CA_FROM = "cert-manager.io/inject-ca-from"
ISSUER_KINDS = ("Issuer", "ClusterIssuer")

# A Service name is an RFC 1035 label; the longest suffix added to it is "-selfsigned".
_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_MAX_NAME = 63 - len("-selfsigned")


@dataclass(frozen=True)
class InstallOptions:
    """What `sidecarctl webhook manifests` takes; see docs/webhook.md for each choice."""

    image: str
    ca_bundle: bytes = b""  # PEM; not used with cert-manager, whose cainjector fills it in
    namespace: str = "istio-system"
    revision: str = ""
    base_name: str = DEFAULT_NAME
    replicas: int = 2
    failure_policy: str = "Fail"
    timeout_seconds: int = 10
    native_sidecars: bool | None = None  # None: detect from the nodes' kubelet versions, as Istio
    cert_manager: bool = False
    issuer: str = ""  # with cert_manager: "Issuer/NAME" or "ClusterIssuer/NAME"; "" makes a CA of its own
    inject_configmap: str = DEFAULT_INJECT_CONFIGMAP
    mesh_configmap: str = DEFAULT_MESH_CONFIGMAP
    offline: bool = False  # the server injects with built-in settings, not the ConfigMaps
    istio_version: str = ""  # the Istio release the server injects as (`1.28`, ...); "" the newest

    @property
    def name(self) -> str:
        return f"{self.base_name}-{self.revision}" if self.revision else self.base_name

    @property
    def service_account(self) -> str:
        return f"{self.name}-service-account"

    @property
    def tls_secret(self) -> str:
        return f"{self.name}-tls"

    @property
    def settings_configmaps(self) -> list[str]:
        """The ConfigMaps the server reads, as `sidecarctl.config.cluster` names them."""
        return [
            configmap_name(self.inject_configmap, DEFAULT_INJECT_CONFIGMAP, self.revision),
            configmap_name(self.mesh_configmap, DEFAULT_MESH_CONFIGMAP, self.revision),
        ]


def _check_names(opts: InstallOptions) -> None:
    if not _DNS_LABEL.fullmatch(opts.namespace) or len(opts.namespace) > 63:
        raise UsageError(
            f"--istioNamespace {opts.namespace!r} is not a namespace name (lowercase letters, digits, '-')"
        )
    if opts.revision and (not _DNS_LABEL.fullmatch(opts.revision) or len(opts.revision) > 63):
        raise UsageError(f"--revision {opts.revision!r} is not a revision name (lowercase letters, digits, '-')")
    if not _LABEL.fullmatch(opts.name) or len(opts.name) > _MAX_NAME:
        shown = f"--name {opts.base_name!r}" + (f" with --revision gives {opts.name!r}" if opts.revision else "")
        raise UsageError(
            f"{shown}: object names start with a letter, have only lowercase letters, digits and '-', "
            f"and are at most {_MAX_NAME} characters with -<revision>"
        )


def check_options(opts: InstallOptions) -> None:
    """Refuse what the API server would refuse later, naming the flag."""
    _check_names(opts)
    if not opts.image.strip():
        raise UsageError("--image is empty: give the image you built and pushed (see docs/webhook.md)")
    if opts.cert_manager:
        _issuer_ref(opts.issuer)  # validates
    elif opts.issuer:
        raise UsageError("--cert-manager-issuer needs --cert-manager")
    elif b"-----BEGIN CERTIFICATE-----" not in opts.ca_bundle:
        raise UsageError(
            "no CA bundle: give --ca-bundle-file, or --cert-manager to have cert-manager issue the certificate"
        )


def labels(opts: InstallOptions) -> dict[str, str]:
    """On every object; the first two select the pods, the last two are what `uninstall` selects."""
    return {
        "app.kubernetes.io/name": APP_NAME,
        INSTANCE_LABEL: opts.name,
        "app.kubernetes.io/component": "webhook",
        MANAGED_BY_LABEL: MANAGED_BY,
    }


def selector(opts: InstallOptions) -> dict[str, str]:
    """The pods of this install (Deployment, Service, PodDisruptionBudget, spreading)."""
    return {"app.kubernetes.io/name": APP_NAME, INSTANCE_LABEL: opts.name}


def uninstall_selector(name: str) -> str:
    return f"{MANAGED_BY_LABEL}={MANAGED_BY},{INSTANCE_LABEL}={name}"


def _meta(opts: InstallOptions, name: str = "", namespaced: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name or opts.name}
    if namespaced:
        meta["namespace"] = opts.namespace
    meta["labels"] = labels(opts)
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
            (
                "rev.namespace",
                {"matchExpressions": [_expr(REV_LABEL, "In", opts.revision), _expr(NS_LABEL, "DoesNotExist")]},
                {"matchExpressions": [not_disabled]},
            ),
            (
                "rev.object",
                {"matchExpressions": [_expr(REV_LABEL, "DoesNotExist"), _expr(NS_LABEL, "DoesNotExist")]},
                {"matchExpressions": [not_disabled, _expr(REV_LABEL, "In", opts.revision)]},
            ),
        ]
    return [
        ("namespace", {"matchExpressions": [_expr(NS_LABEL, "In", "enabled")]}, {"matchExpressions": [not_disabled]}),
        (
            "object",
            {"matchExpressions": [_expr(NS_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist")]},
            {"matchExpressions": [_expr(INJECT_LABEL, "In", "true"), _expr(REV_LABEL, "DoesNotExist")]},
        ),
    ]


def _client_config(opts: InstallOptions) -> dict[str, Any]:
    config: dict[str, Any] = {
        "service": {"name": opts.name, "namespace": opts.namespace, "path": "/inject", "port": 443}
    }
    if not opts.cert_manager:
        config["caBundle"] = base64.b64encode(opts.ca_bundle).decode("ascii")
    return config


def mutating_webhook_configuration(opts: InstallOptions) -> dict[str, Any]:
    hooks = [
        {
            "name": f"{prefix}.{opts.name}.{WEBHOOK_DOMAIN}",
            "clientConfig": _client_config(opts),
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
            "failurePolicy": opts.failure_policy,
            "sideEffects": "None",
            "admissionReviewVersions": ["v1", "v1beta1"],
            "reinvocationPolicy": "Never",
            "timeoutSeconds": opts.timeout_seconds,
            "namespaceSelector": ns_selector,
            "objectSelector": obj_selector,
        }
        for prefix, ns_selector, obj_selector in _selectors(opts)
    ]
    meta = _meta(opts, namespaced=False)
    if opts.cert_manager:  # cert-manager's cainjector keeps caBundle in step with the serving certificate
        meta["annotations"] = {INJECT_CA_FROM: f"{opts.namespace}/{opts.name}"}
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": meta,
        "webhooks": hooks,
    }


def service(opts: InstallOptions) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(opts),
        "spec": {
            "selector": selector(opts),
            "ports": [{"name": "https-webhook", "port": 443, "targetPort": "https-webhook"}],
        },
    }


def service_account(opts: InstallOptions) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(opts, opts.service_account)}


def role(opts: InstallOptions) -> dict[str, Any]:
    """GET on the two settings ConfigMaps by name: the server reads them with GET every 30 s and
    lists or watches nothing in the namespace."""
    rule = {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": opts.settings_configmaps, "verbs": ["get"]}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta(opts), "rules": [rule]}


def role_binding(opts: InstallOptions) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(opts),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": opts.name},
        "subjects": [{"kind": "ServiceAccount", "name": opts.service_account, "namespace": opts.namespace}],
    }


def cluster_role(opts: InstallOptions) -> dict[str, Any]:
    """Only for native sidecar detection: Istio's rule reads the kubelet version of every node (LIST)."""
    rule = {"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]}
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(opts, namespaced=False),
        "rules": [rule],
    }


def cluster_role_binding(opts: InstallOptions) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(opts, namespaced=False),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": opts.name},
        "subjects": [{"kind": "ServiceAccount", "name": opts.service_account, "namespace": opts.namespace}],
    }


def _native_env(value: bool | None) -> str:
    return "auto" if value is None else ("true" if value else "false")


def _args(opts: InstallOptions) -> list[str]:
    args = [
        "webhook",
        "serve",
        f"--port={CONTAINER_PORT}",
        f"--tls-cert-file={TLS_DIR}/tls.crt",
        f"--tls-key-file={TLS_DIR}/tls.key",
        f"--istioNamespace={opts.namespace}",
    ]
    if opts.revision:
        args.append(f"--revision={opts.revision}")
    if opts.offline:
        args.append("--offline")
    if opts.istio_version:
        args.append(f"--istio-version={opts.istio_version}")
    if opts.inject_configmap != DEFAULT_INJECT_CONFIGMAP:
        args.append(f"--injectConfigMapName={opts.inject_configmap}")
    if opts.mesh_configmap != DEFAULT_MESH_CONFIGMAP:
        args.append(f"--meshConfigMapName={opts.mesh_configmap}")
    return args


def _probe(path: str, period: int, failures: int = 3) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "https-webhook", "scheme": "HTTPS"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


def _container(opts: InstallOptions) -> dict[str, Any]:
    return {
        "name": "webhook",
        "image": opts.image,
        "args": _args(opts),
        "env": [{"name": "ENABLE_NATIVE_SIDECARS", "value": _native_env(opts.native_sidecars)}],
        "ports": [{"name": "https-webhook", "containerPort": CONTAINER_PORT, "protocol": "TCP"}],
        # settings may come from the API server: give loading a minute before liveness counts
        "startupProbe": _probe("/healthz", 2, failures=30),
        "readinessProbe": _probe("/readyz", 5),
        "livenessProbe": _probe("/healthz", 10),
        # no CPU limit: throttling an admission webhook delays every pod of the cluster
        "resources": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}, {"name": "tmp", "mountPath": "/tmp"}],
    }


def _spread(opts: InstallOptions) -> list[dict[str, Any]]:
    """Replicas on different nodes and zones where there are any; a one-node cluster still runs them all."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector(opts)},
        }
        for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
    ]


def _pod_spec(opts: InstallOptions) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": opts.service_account,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": 30,
        "topologySpreadConstraints": _spread(opts),
        "containers": [_container(opts)],
        # the key readable by the server's group only (fsGroup), not by every user in the pod
        "volumes": [
            {"name": "tls", "secret": {"secretName": opts.tls_secret, "defaultMode": 0o440}},
            # the root filesystem is read-only: a small scratch space for anything that needs one
            {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}},
        ],
    }
    if opts.offline:  # it talks to no API server: no token in the pod
        spec["automountServiceAccountToken"] = False
    return spec


def deployment(opts: InstallOptions) -> dict[str, Any]:
    pod_labels = {**labels(opts), INJECT_LABEL: "false"}  # never inject the injector itself
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(opts),
        "spec": {
            "replicas": opts.replicas,
            "selector": {"matchLabels": selector(opts)},
            # a new replica is ready before an old one goes: no gap in admission during a rollout
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {"metadata": {"labels": pod_labels}, "spec": _pod_spec(opts)},
        },
    }


def pod_disruption_budget(opts: InstallOptions) -> dict[str, Any]:
    """Voluntary disruptions (node drains) take one replica at a time; maxUnavailable, not
    minAvailable, so a single replica never blocks a drain; a crash-looping pod may always go."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(opts),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(opts)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def _issuer_ref(issuer: str) -> tuple[str, str]:
    kind, _, name = issuer.partition("/")
    if not issuer:
        return "", ""
    if kind not in ISSUER_KINDS or not _DNS_LABEL.fullmatch(name.replace(".", "-")):
        raise UsageError(
            f"--cert-manager-issuer {issuer!r}: give Issuer/NAME (in the webhook's namespace) or ClusterIssuer/NAME"
        )
    return kind, name


def _issuer(opts: InstallOptions, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": CERT_MANAGER_API, "kind": "Issuer", "metadata": _meta(opts, name), "spec": spec}


def _certificate(opts: InstallOptions, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": CERT_MANAGER_API, "kind": "Certificate", "metadata": _meta(opts, name), "spec": spec}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"group": "cert-manager.io", "kind": kind, "name": name}


def cert_manager_objects(opts: InstallOptions) -> list[dict[str, Any]]:
    """The serving Certificate (into the Secret the Deployment mounts), issued by the given issuer,
    else by a CA of this install's own: a self-signed Issuer signs the CA Certificate, and a CA
    Issuer with that CA signs the serving certificate. The CA outlives many serving certificates,
    so the webhook's caBundle changes rarely while the serving certificate rotates often."""
    kind, name = _issuer_ref(opts.issuer)
    objects: list[dict[str, Any]] = []
    if not kind:
        kind, name = "Issuer", f"{opts.name}-ca"
        objects += [
            _issuer(opts, f"{opts.name}-selfsigned", {"selfSigned": {}}),
            _certificate(
                opts,
                f"{opts.name}-ca",
                {
                    "isCA": True,
                    "commonName": f"{opts.name}-ca",
                    "secretName": f"{opts.name}-ca",
                    "duration": "87600h",
                    "renewBefore": "720h",
                    "privateKey": {"algorithm": "ECDSA", "size": 256},
                    "issuerRef": _ref("Issuer", f"{opts.name}-selfsigned"),
                    "secretTemplate": {"labels": labels(opts)},
                },
            ),
            _issuer(opts, name, {"ca": {"secretName": f"{opts.name}-ca"}}),
        ]
    service_dns = [
        opts.name,
        f"{opts.name}.{opts.namespace}",
        f"{opts.name}.{opts.namespace}.svc",
        f"{opts.name}.{opts.namespace}.svc.cluster.local",
    ]
    objects.append(
        _certificate(
            opts,
            opts.name,
            {
                "secretName": opts.tls_secret,
                "commonName": service_dns[2],
                "dnsNames": service_dns,
                "duration": "2160h",
                "renewBefore": "360h",
                "usages": ["server auth", "digital signature"],
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                "issuerRef": _ref(kind, name),
                "secretTemplate": {"labels": labels(opts)},
            },
        )
    )
    return objects


def install_manifests(opts: InstallOptions) -> list[dict[str, Any]]:
    """In apply order: identity and RBAC, the certificate, the server, then the webhook that sends it pods."""
    check_options(opts)
    rbac = []
    # --offline: built-in settings, no ConfigMap read; and `auto` native sidecars then mean off
    # (the server asks the nodes only when it reads the cluster), so no API access at all
    if not opts.offline:
        rbac += [role(opts), role_binding(opts)]
        if opts.native_sidecars is None:
            rbac += [cluster_role(opts), cluster_role_binding(opts)]
    certs = cert_manager_objects(opts) if opts.cert_manager else []
    return [
        service_account(opts),
        *rbac,
        *certs,
        service(opts),
        deployment(opts),
        pod_disruption_budget(opts),
        mutating_webhook_configuration(opts),
    ]


def render(docs: list[dict[str, Any]]) -> str:
    """YAML as kubectl writes it (sorted keys, no anchors or aliases: each object is written out in full)."""
    return "".join("---\n" + dump_yaml(d) for d in docs)


# Removal order: stop sending pods first, then the server, then identity and RBAC.
CLUSTER_KINDS = ("mutatingwebhookconfigurations", "clusterrolebindings", "clusterroles")
NAMESPACED_KINDS = (
    "deployments",
    "poddisruptionbudgets",
    "services",
    "rolebindings",
    "roles",
    "serviceaccounts",
    "secrets",
)
CERT_MANAGER_KINDS = ("certificates.cert-manager.io", "issuers.cert-manager.io")


def uninstall_commands(
    namespace: str = "istio-system", revision: str = "", base_name: str = DEFAULT_NAME, cert_manager: bool = False
) -> list[str]:
    """kubectl commands deleting, by label, only the objects `install_manifests` labelled for this
    name: Istio's objects and other installs are never selected, whatever their names."""
    opts = InstallOptions(image="-", namespace=namespace, revision=revision, base_name=base_name)
    _check_names(opts)
    sel = uninstall_selector(opts.name)
    kinds = NAMESPACED_KINDS + (CERT_MANAGER_KINDS if cert_manager else ())
    return [
        f"kubectl delete {','.join(CLUSTER_KINDS)} -l {sel}",
        f"kubectl -n {namespace} delete {','.join(kinds)} -l {sel}",
    ]
