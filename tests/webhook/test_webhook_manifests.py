"""`sidecarctl webhook manifests` and `uninstall`: names, shape, API validity, cert-manager, removal."""

from __future__ import annotations

import base64
import re
import shlex
from pathlib import Path
from typing import Any

import crd_schema
import k8s_models
import pytest
import yaml
from click.testing import CliRunner

from sidecarctl.cli import cli
from sidecarctl.errors import UsageError
from sidecarctl.webhook.manifests import InstallOptions, install_manifests, render

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
IMAGE = "registry.example/sidecarctl:1"
CERT_MANAGER_CRDS = Path(__file__).parent / "data" / "cert-manager-v1.21.1"
OURS = {"app.kubernetes.io/managed-by": "sidecarctl"}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.crt"
    path.write_bytes(CA)
    return path


def output(ca_file: Path | None, *extra: str) -> str:
    ca = ["--ca-bundle-file", str(ca_file)] if ca_file and "--cert-manager" not in extra else []
    result = run("webhook", "manifests", "--image", IMAGE, *ca, *extra)
    assert result.exit_code == 0, result.output
    return str(result.output)


def objects(ca_file: Path | None, *extra: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(output(ca_file, *extra)) if d]


def by_kind(ca_file: Path | None, *extra: str) -> dict[str, dict[str, Any]]:
    """One object per kind (the serving Certificate and CA Issuer where cert-manager has two)."""
    out: dict[str, dict[str, Any]] = {}
    for obj in objects(ca_file, *extra):
        out.setdefault(obj["kind"], obj)
        if obj["kind"] in ("Certificate", "Issuer") and "spec" in obj and not obj["spec"].get("selfSigned"):
            out[obj["kind"]] = obj
    return out


def pod_spec(out: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return out["Deployment"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]


# --- names ----------------------------------------------------------------------------------------

NAME_CASES = [
    pytest.param([], "sidecarctl-injector", id="default"),
    pytest.param(["-r", "canary"], "sidecarctl-injector-canary", id="revision"),
    pytest.param(["--name", "mesh-injector"], "mesh-injector", id="custom"),
    pytest.param(["--name", "mesh-injector", "-r", "b"], "mesh-injector-b", id="custom-revision"),
    pytest.param(["--name", "istio-sidecar-injector"], "istio-sidecar-injector", id="istio-names-when-asked"),
]


@pytest.mark.parametrize(("flags", "name"), NAME_CASES)
def test_every_object_is_named_and_labelled_for_the_install(ca_file: Path, flags: list[str], name: str) -> None:
    docs = objects(ca_file, *flags)
    for obj in docs:
        expected = f"{name}-service-account" if obj["kind"] == "ServiceAccount" else name
        assert obj["metadata"]["name"] == expected, obj["kind"]
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == name
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "sidecarctl"
    out = {d["kind"]: d for d in docs}
    assert {h["clientConfig"]["service"]["name"] for h in out["MutatingWebhookConfiguration"]["webhooks"]} == {name}
    assert pod_spec(out)["volumes"][0]["secret"]["secretName"] == f"{name}-tls"
    assert pod_spec(out)["serviceAccountName"] == f"{name}-service-account"
    assert out["RoleBinding"]["subjects"][0]["name"] == f"{name}-service-account"
    assert out["ClusterRoleBinding"]["roleRef"]["name"] == out["ClusterRole"]["metadata"]["name"]


def test_default_names_are_not_istios(ca_file: Path) -> None:
    text = output(ca_file)
    names = [o["metadata"]["name"] for o in yaml.safe_load_all(text) if o]
    assert not [n for n in names if n.startswith("istio")]
    # Istio labels its injector's objects `app: sidecar-injector` and `istio.io/rev`; ours carry neither
    assert "app: sidecar-injector" not in text and "istio.io/rev:" not in text
    assert all(
        h["name"].endswith(".sidecarctl-injector.sidecarctl.io")
        for h in by_kind(ca_file)["MutatingWebhookConfiguration"]["webhooks"]
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--name", "Istio_Injector"], "--name 'Istio_Injector'"),
        (["--name", "x" * 50, "-r", "canary"], "at most 52 characters"),
        (["-i", "Not A Namespace"], "--istioNamespace 'Not A Namespace'"),
        (["-r", "Canary"], "--revision 'Canary'"),
        (["--cert-manager-issuer", "ClusterIssuer/ca"], "--cert-manager-issuer needs --cert-manager"),
        (["--cert-manager", "--cert-manager-issuer", "Vault/ca"], "give Issuer/NAME"),
    ],
)
def test_bad_options_are_refused_with_the_flag(ca_file: Path, flags: list[str], message: str) -> None:
    ca = [] if "--cert-manager" in flags else ["--ca-bundle-file", str(ca_file)]
    with pytest.raises(UsageError, match=re.escape(message)):
        run("webhook", "manifests", "--image", IMAGE, *ca, *flags)


# --- API validity ---------------------------------------------------------------------------------

VARIANTS = [
    pytest.param([], id="default"),
    pytest.param(["-r", "canary", "-i", "mesh"], id="revision"),
    pytest.param(["--no-native-sidecars", "--failure-policy", "Ignore", "--replicas", "3"], id="no-node-access"),
    pytest.param(["--injectConfigMapName", "inject", "--meshConfigMapName", "mesh"], id="configmap-names"),
    pytest.param(["--cert-manager"], id="cert-manager"),
    pytest.param(["--cert-manager", "--cert-manager-issuer", "ClusterIssuer/corp-ca", "-r", "x"], id="cluster-issuer"),
    pytest.param(["--offline", "--istio-version", "1.28"], id="offline"),
]


@pytest.mark.parametrize("flags", VARIANTS)
def test_every_object_is_valid_for_its_api(ca_file: Path, flags: list[str]) -> None:
    schemas = crd_schema.load_crds(CERT_MANAGER_CRDS)
    docs = objects(ca_file, *flags)
    for obj in docs:
        if obj["apiVersion"].startswith("cert-manager.io/"):
            assert crd_schema.validate(obj, schemas) == [], obj["metadata"]["name"]
        else:
            assert k8s_models.validate(obj) == [], obj["kind"]
    # each kind's name is unique within its scope, so nothing is silently overwritten on apply
    keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in docs]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"portz": []}},
            "Service.spec.portz: unknown field of V1ServiceSpec",
            id="unknown-field",
        ),
        pytest.param(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": "r"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role"},
            },
            "V1RoleRef name",
            id="missing-required",
        ),
        pytest.param(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": "p"},
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"a": 1}}},
            },
            "PodDisruptionBudget.spec.selector.matchLabels.a: want str",
            id="wrong-type",
        ),
    ],
)
def test_the_model_check_catches_mistakes(obj: dict[str, Any], want: str) -> None:
    assert any(want in p for p in k8s_models.validate(obj)), k8s_models.validate(obj)


def test_the_crd_check_catches_mistakes() -> None:
    schemas = crd_schema.load_crds(CERT_MANAGER_CRDS)
    bad = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "c"},
        "spec": {"secretName": "s", "dnsName": ["a"], "privateKey": {"algorithm": "DSA"}},
    }
    assert crd_schema.validate(bad, schemas) == [
        "Certificate.spec.issuerRef: required",
        "Certificate.spec.dnsName: unknown field",
        "Certificate.spec.privateKey.algorithm: 'DSA' is not one of ['RSA', 'ECDSA', 'Ed25519']",
    ]


def test_no_yaml_anchors_or_aliases(ca_file: Path) -> None:
    """Shared selector and label dicts used to come out as `&id001` / `*id001` with -r."""
    for flags in (["-r", "canary"], ["--cert-manager", "-r", "canary"]):
        text = output(ca_file, *flags)
        assert not re.search(r"[&*]id\d", text)
        assert not any(isinstance(e, (yaml.AliasEvent)) or getattr(e, "anchor", None) for e in yaml.parse(text))


def test_render_writes_sorted_keys_in_documents() -> None:
    opts = InstallOptions(image=IMAGE, ca_bundle=CA)
    text = render(install_manifests(opts))
    assert text.startswith("---\napiVersion: v1\nkind: ServiceAccount\n")
    assert text.count("---\n") == len(install_manifests(opts))


# --- the webhook configuration ------------------------------------------------------------------------


def test_webhooks_carry_the_ca_bundle_and_istios_rules(ca_file: Path) -> None:
    hooks = by_kind(ca_file)["MutatingWebhookConfiguration"]["webhooks"]
    assert len(hooks) == 2
    for hook in hooks:
        assert base64.b64decode(hook["clientConfig"]["caBundle"]) == CA
        assert hook["clientConfig"]["service"] == {
            "name": "sidecarctl-injector",
            "namespace": "istio-system",
            "path": "/inject",
            "port": 443,
        }
        assert hook["rules"] == [
            {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}
        ]
        assert (hook["sideEffects"], hook["failurePolicy"], hook["timeoutSeconds"]) == ("None", "Fail", 10)
        assert hook["admissionReviewVersions"] == ["v1", "v1beta1"]


def test_default_selects_istio_injection_enabled(ca_file: Path) -> None:
    namespace_hook, object_hook = by_kind(ca_file)["MutatingWebhookConfiguration"]["webhooks"]
    assert namespace_hook["namespaceSelector"] == {
        "matchExpressions": [{"key": "istio-injection", "operator": "In", "values": ["enabled"]}]
    }
    assert namespace_hook["objectSelector"] == {
        "matchExpressions": [{"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]}]
    }
    assert object_hook["objectSelector"]["matchExpressions"][0] == {
        "key": "sidecar.istio.io/inject",
        "operator": "In",
        "values": ["true"],
    }


def test_revision_selects_istio_io_rev(ca_file: Path) -> None:
    out = by_kind(ca_file, "--revision", "canary")
    namespace_hook, object_hook = out["MutatingWebhookConfiguration"]["webhooks"]
    assert namespace_hook["namespaceSelector"]["matchExpressions"] == [
        {"key": "istio.io/rev", "operator": "In", "values": ["canary"]},
        {"key": "istio-injection", "operator": "DoesNotExist"},
    ]
    assert {"key": "istio.io/rev", "operator": "In", "values": ["canary"]} in object_hook["objectSelector"][
        "matchExpressions"
    ]
    assert "--revision=canary" in pod_spec(out)["containers"][0]["args"]


# --- the Deployment: Pod Security "restricted", resources, probes, spreading ------------------------


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """The Pod Security Standards "restricted" profile (Kubernetes 1.30 definition) for one pod spec."""
    found = []
    pod_sc = pod.get("securityContext") or {}
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(flag):
            found.append(flag)
    allowed_volumes = {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
    found += [f"volume {v['name']}" for v in pod.get("volumes", []) if not set(v) - {"name"} <= allowed_volumes]
    for c in containers:
        sc = c.get("securityContext") or {}
        if sc.get("privileged") or (sc.get("capabilities") or {}).get("add", []) not in ([], ["NET_BIND_SERVICE"]):
            found.append(f"{c['name']}: privileged or added capabilities")
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{c['name']}: allowPrivilegeEscalation must be false")
        if "ALL" not in (sc.get("capabilities") or {}).get("drop", []):
            found.append(f"{c['name']}: capabilities must drop ALL")
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
            found.append(f"{c['name']}: runAsNonRoot must be true")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            found.append(f"{c['name']}: runAsUser 0")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{c['name']}: seccompProfile must be RuntimeDefault or Localhost")
    return found


def test_deployment_meets_pod_security_restricted(ca_file: Path) -> None:
    pod = pod_spec(by_kind(ca_file))
    assert restricted_violations(pod) == []
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["runAsUser"] == 1337  # the image's user
    # a read-only root keeps a writable /tmp, and the key is readable by the server's group only
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert pod["volumes"] == [
        {"name": "tls", "secret": {"secretName": "sidecarctl-injector-tls", "defaultMode": 0o440}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}},
    ]
    assert pod["securityContext"]["fsGroup"] == 1337


@pytest.mark.parametrize(
    ("change", "violation"),
    [
        (
            lambda pod: (
                pod["securityContext"].pop("seccompProfile")
                and pod["containers"][0]["securityContext"].pop("seccompProfile")
            ),
            "seccompProfile",
        ),
        (
            lambda pod: pod["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
            "allowPrivilegeEscalation",
        ),
        (lambda pod: pod["containers"][0]["securityContext"].update(capabilities={"drop": ["NET_RAW"]}), "drop ALL"),
        (lambda pod: pod["volumes"].append({"name": "h", "hostPath": {"path": "/"}}), "volume h"),
    ],
)
def test_the_restricted_check_catches_each_rule(ca_file: Path, change: Any, violation: str) -> None:
    pod = pod_spec(by_kind(ca_file))
    change(pod)
    assert any(violation in v for v in restricted_violations(pod))


def test_deployment_resources_probes_and_rollout(ca_file: Path) -> None:
    out = by_kind(ca_file, "-i", "mesh")
    container = pod_spec(out)["containers"][0]
    assert container["image"] == IMAGE
    assert container["args"][:2] == ["webhook", "serve"] and "--istioNamespace=mesh" in container["args"]
    assert container["resources"] == {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
    probes = {k: (v["httpGet"]["path"], v["httpGet"]["scheme"]) for k, v in container.items() if k.endswith("Probe")}
    assert probes == {
        "startupProbe": ("/healthz", "HTTPS"),
        "readinessProbe": ("/readyz", "HTTPS"),
        "livenessProbe": ("/healthz", "HTTPS"),
    }
    assert out["Deployment"]["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    labels = out["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert labels["sidecar.istio.io/inject"] == "false"  # never inject the injector
    assert out["Service"]["spec"]["selector"].items() <= labels.items()
    assert out["Deployment"]["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_replicas_are_spread_and_disruptions_bounded(ca_file: Path) -> None:
    out = by_kind(ca_file, "--replicas", "3")
    selector = out["Deployment"]["spec"]["selector"]
    assert out["Deployment"]["spec"]["replicas"] == 3
    spread = pod_spec(out)["topologySpreadConstraints"]
    assert [(s["topologyKey"], s["maxSkew"], s["whenUnsatisfiable"]) for s in spread] == [
        ("kubernetes.io/hostname", 1, "ScheduleAnyway"),
        ("topology.kubernetes.io/zone", 1, "ScheduleAnyway"),
    ]
    assert all(s["labelSelector"] == selector for s in spread)
    assert out["PodDisruptionBudget"]["spec"] == {
        "maxUnavailable": 1,
        "selector": selector,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


# --- RBAC: exactly what the server reads --------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "namespace", "configmaps"),
    [
        pytest.param([], "istio-system", ["istio-sidecar-injector", "istio"], id="default"),
        pytest.param(
            ["-r", "canary", "-i", "mesh"], "mesh", ["istio-sidecar-injector-canary", "istio-canary"], id="revision"
        ),
        pytest.param(
            ["--injectConfigMapName", "inj", "--meshConfigMapName", "m", "-r", "c"],
            "istio-system",
            ["inj", "m"],
            id="configmap-names",
        ),
    ],
)
def test_rbac_rules_exactly(ca_file: Path, flags: list[str], namespace: str, configmaps: list[str]) -> None:
    out = by_kind(ca_file, *flags)
    assert out["Role"]["metadata"]["namespace"] == namespace
    assert out["Role"]["rules"] == [
        {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": configmaps, "verbs": ["get"]}
    ]
    assert out["ClusterRole"]["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]}]
    assert (
        out["RoleBinding"]["subjects"]
        == out["ClusterRoleBinding"]["subjects"]
        == [{"kind": "ServiceAccount", "name": out["ServiceAccount"]["metadata"]["name"], "namespace": namespace}]
    )


@pytest.mark.parametrize("flag", ["--native-sidecars", "--no-native-sidecars"])
def test_nodes_are_not_readable_unless_native_sidecars_are_detected(ca_file: Path, flag: str) -> None:
    out = by_kind(ca_file, flag)
    assert "ClusterRole" not in out and "ClusterRoleBinding" not in out
    env = pod_spec(out)["containers"][0]["env"]
    assert env == [{"name": "ENABLE_NATIVE_SIDECARS", "value": "true" if flag == "--native-sidecars" else "false"}]


def test_offline_server_gets_no_api_access(ca_file: Path) -> None:
    """With --offline the server reads no ConfigMap and asks no node (auto native sidecars mean off)."""
    out = by_kind(ca_file, "--offline", "--istio-version", "1.29")
    assert not {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"} & set(out)
    spec = pod_spec(out)
    assert spec["automountServiceAccountToken"] is False
    assert {"--offline", "--istio-version=1.29"} <= set(spec["containers"][0]["args"])
    assert "automountServiceAccountToken" not in pod_spec(by_kind(ca_file))


# --- cert-manager -------------------------------------------------------------------------------------


def test_cert_manager_issues_the_serving_certificate_from_a_ca_of_its_own(ca_file: Path) -> None:
    docs = objects(None, "--cert-manager", "-i", "mesh")
    issuers = {o["metadata"]["name"]: o["spec"] for o in docs if o["kind"] == "Issuer"}
    certs = {o["metadata"]["name"]: o["spec"] for o in docs if o["kind"] == "Certificate"}
    assert issuers == {
        "sidecarctl-injector-selfsigned": {"selfSigned": {}},
        "sidecarctl-injector-ca": {"ca": {"secretName": "sidecarctl-injector-ca"}},
    }
    ca, serving = certs["sidecarctl-injector-ca"], certs["sidecarctl-injector"]
    assert ca["isCA"] is True and ca["issuerRef"]["name"] == "sidecarctl-injector-selfsigned"
    assert ca["secretName"] == "sidecarctl-injector-ca"
    assert serving["issuerRef"] == {"group": "cert-manager.io", "kind": "Issuer", "name": "sidecarctl-injector-ca"}
    assert serving["dnsNames"] == [
        "sidecarctl-injector",
        "sidecarctl-injector.mesh",
        "sidecarctl-injector.mesh.svc",
        "sidecarctl-injector.mesh.svc.cluster.local",
    ]
    assert serving["secretTemplate"]["labels"]["app.kubernetes.io/managed-by"] == "sidecarctl"
    out = {o["kind"]: o for o in docs}
    assert pod_spec(out)["volumes"][0]["secret"]["secretName"] == serving["secretName"] == "sidecarctl-injector-tls"
    mwc = out["MutatingWebhookConfiguration"]
    assert mwc["metadata"]["annotations"] == {"cert-manager.io/inject-ca-from": "mesh/sidecarctl-injector"}
    assert all("caBundle" not in h["clientConfig"] for h in mwc["webhooks"])


def test_cert_manager_with_an_issuer_of_the_users(ca_file: Path) -> None:
    docs = objects(None, "--cert-manager", "--cert-manager-issuer", "ClusterIssuer/corp-ca")
    assert [o["kind"] for o in docs if o["apiVersion"].startswith("cert-manager.io/")] == ["Certificate"]
    cert = next(o for o in docs if o["kind"] == "Certificate")
    assert cert["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "corp-ca"}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "no CA bundle: give --ca-bundle-file, or --cert-manager"),
        (["--cert-manager", "--ca-bundle-file", "{ca}"], "exclude each other"),
    ],
)
def test_certificate_source_is_required_and_single(ca_file: Path, flags: list[str], message: str) -> None:
    flags = [f.replace("{ca}", str(ca_file)) for f in flags]
    with pytest.raises(UsageError, match=re.escape(message)):
        run("webhook", "manifests", "--image", IMAGE, *flags)


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), (b"not a pem", "no PEM certificate")])
def test_bad_ca_bundle(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "ca.crt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        run("webhook", "manifests", "--image", IMAGE, "--ca-bundle-file", str(path))


def test_image_is_required() -> None:
    result = CliRunner().invoke(cli, ["webhook", "manifests", "--cert-manager"])
    assert result.exit_code == 2 and "--image" in result.output


# --- uninstall: by label, only this install's objects -------------------------------------------------

PLURALS = {
    "mutatingwebhookconfigurations": "MutatingWebhookConfiguration",
    "clusterroles": "ClusterRole",
    "clusterrolebindings": "ClusterRoleBinding",
    "deployments": "Deployment",
    "services": "Service",
    "poddisruptionbudgets": "PodDisruptionBudget",
    "rolebindings": "RoleBinding",
    "roles": "Role",
    "serviceaccounts": "ServiceAccount",
    "secrets": "Secret",
    "certificates.cert-manager.io": "Certificate",
    "issuers.cert-manager.io": "Issuer",
}
CLUSTER_SCOPED = {"MutatingWebhookConfiguration", "ClusterRole", "ClusterRoleBinding"}


def deleted_by(commands: list[str], cluster: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """What `kubectl delete KINDS -l SELECTOR [-n NS]` would delete from `cluster`, as kubectl selects."""
    gone = []
    for command in commands:
        words = shlex.split(command)
        assert words[0] == "kubectl" and "delete" in words
        namespace = words[words.index("-n") + 1] if "-n" in words else None
        kinds = {PLURALS[k] for k in words[words.index("delete") + 1].split(",")}
        wanted = dict(term.split("=") for term in words[words.index("-l") + 1].split(","))
        for obj in cluster:
            meta = obj["metadata"]
            if (
                obj["kind"] in kinds
                and wanted.items() <= (meta.get("labels") or {}).items()
                and (obj["kind"] in CLUSTER_SCOPED or meta.get("namespace") == namespace)
            ):
                gone.append((obj["kind"], meta.get("namespace", ""), meta["name"]))
    return gone


def key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def istio_injector() -> list[dict[str, Any]]:
    """Istio's own injector objects, labelled as its chart labels them."""
    labels = {"app": "sidecar-injector", "istio.io/rev": "default", "release": "istiod"}
    return [
        {
            "kind": kind,
            "metadata": {
                "name": "istio-sidecar-injector",
                "labels": labels,
                **({} if kind in CLUSTER_SCOPED else {"namespace": "istio-system"}),
            },
        }
        for kind in ("MutatingWebhookConfiguration", "ClusterRole", "Deployment", "Service", "Secret")
    ]


@pytest.mark.parametrize(
    ("flags", "uninstall_flags"),
    [
        pytest.param([], [], id="default"),
        pytest.param(["-r", "canary", "-i", "mesh"], ["-r", "canary", "-i", "mesh"], id="revision"),
        pytest.param(["--name", "istio-sidecar-injector"], ["--name", "istio-sidecar-injector"], id="istio-names"),
        pytest.param(["--cert-manager"], ["--cert-manager"], id="cert-manager"),
    ],
)
def test_uninstall_deletes_exactly_what_manifests_created(
    ca_file: Path, flags: list[str], uninstall_flags: list[str]
) -> None:
    ours = objects(ca_file, *flags)
    # cert-manager writes the Secrets of its Certificates, with their secretTemplate labels
    ours += [
        {
            "kind": "Secret",
            "metadata": {
                "name": o["spec"]["secretName"],
                "namespace": o["metadata"]["namespace"],
                "labels": o["spec"]["secretTemplate"]["labels"],
            },
        }
        for o in ours
        if o["kind"] == "Certificate"
    ]
    others = (
        istio_injector() + objects(ca_file, *flags, "--name", "other-injector") + objects(ca_file, "-r", "other-rev")
    )
    commands = run("webhook", "uninstall", *uninstall_flags).output.splitlines()
    assert sorted(deleted_by(commands, ours + others)) == sorted(key(o) for o in ours)
    assert commands[0].startswith("kubectl delete mutatingwebhookconfigurations,")  # pods stop coming first


def test_uninstall_prints_label_selected_commands() -> None:
    assert run("webhook", "uninstall").output.splitlines() == [
        (
            "kubectl delete mutatingwebhookconfigurations,clusterrolebindings,clusterroles "
            "-l app.kubernetes.io/managed-by=sidecarctl,app.kubernetes.io/instance=sidecarctl-injector"
        ),
        (
            "kubectl -n istio-system delete deployments,poddisruptionbudgets,services,rolebindings,roles,"
            "serviceaccounts,secrets -l app.kubernetes.io/managed-by=sidecarctl,app.kubernetes.io/instance=sidecarctl-injector"
        ),
    ]


def test_uninstall_without_cert_manager_names_no_cert_manager_kinds() -> None:
    """Those kinds exist only where cert-manager is installed; kubectl fails on unknown kinds."""
    assert "cert-manager" not in run("webhook", "uninstall").output
    assert (
        "certificates.cert-manager.io,issuers.cert-manager.io" in run("webhook", "uninstall", "--cert-manager").output
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-i", "Istio System"], "--istioNamespace 'Istio System'"),
        (["--name", "Bad_Name"], "--name 'Bad_Name'"),
    ],
)
def test_uninstall_refuses_names_manifests_would_refuse(flags: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        run("webhook", "uninstall", *flags)


def test_offline_server_is_pinned_to_the_release_it_was_printed_for(ca_file: Path) -> None:
    """--offline without --istio-version pins the newest release this sidecarctl knows, so rolling
    out a later image under the same manifests does not move every proxy to a newer Istio."""
    from sidecarctl.releases import newest

    args = pod_spec(by_kind(ca_file, "--offline"))["containers"][0]["args"]
    assert f"--istio-version={newest().name}" in args
    assert not any(a.startswith("--istio-version") for a in pod_spec(by_kind(ca_file))["containers"][0]["args"])
