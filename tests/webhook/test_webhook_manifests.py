"""`sidecarctl webhook manifests` and `uninstall`: what a user applies, and what removes it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sidecarctl.cli import cli

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.crt"
    path.write_bytes(CA)
    return path


def docs(ca_file: Path, *extra: str) -> dict[str, dict[str, Any]]:
    result = run("webhook", "manifests", "--ca-bundle-file", str(ca_file), *extra)
    assert result.exit_code == 0, result.output
    return {d["kind"]: d for d in yaml.safe_load_all(result.output) if d}


def test_manifests_kinds_and_ca_bundle(ca_file: Path) -> None:
    out = docs(ca_file)
    namespaced = {"ServiceAccount", "Role", "RoleBinding", "Service", "Deployment", "MutatingWebhookConfiguration"}
    # reading nodes is only needed to detect native sidecar support (ENABLE_NATIVE_SIDECARS=auto)
    assert set(out) == namespaced | {"ClusterRole", "ClusterRoleBinding"}
    assert out["ClusterRole"]["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]
    assert set(docs(ca_file, "--no-native-sidecars")) == namespaced
    hooks = out["MutatingWebhookConfiguration"]["webhooks"]
    assert {base64.b64decode(h["clientConfig"]["caBundle"]) for h in hooks} == {CA}
    for hook in hooks:
        assert hook["clientConfig"]["service"] == {"name": "istio-sidecar-injector", "namespace": "istio-system",
                                                   "path": "/inject", "port": 443}
        assert hook["admissionReviewVersions"] == ["v1", "v1beta1"]
        assert hook["rules"] == [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]
        assert hook["sideEffects"] == "None"


def test_default_selects_istio_injection_enabled(ca_file: Path) -> None:
    namespace_hook = docs(ca_file)["MutatingWebhookConfiguration"]["webhooks"][0]
    assert namespace_hook["namespaceSelector"] == {
        "matchExpressions": [{"key": "istio-injection", "operator": "In", "values": ["enabled"]}]}
    assert namespace_hook["objectSelector"] == {
        "matchExpressions": [{"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]}]}


def test_revision_selects_istio_io_rev(ca_file: Path) -> None:
    out = docs(ca_file, "--revision", "canary")
    hooks = out["MutatingWebhookConfiguration"]["webhooks"]
    assert out["MutatingWebhookConfiguration"]["metadata"]["name"] == "istio-sidecar-injector-canary"
    assert {"key": "istio.io/rev", "operator": "In", "values": ["canary"]} in hooks[0]["namespaceSelector"]["matchExpressions"]
    assert {"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]} in hooks[0]["objectSelector"]["matchExpressions"]
    assert "--revision=canary" in out["Deployment"]["spec"]["template"]["spec"]["containers"][0]["args"]


def test_deployment_runs_the_webhook(ca_file: Path) -> None:
    out = docs(ca_file, "--image", "registry.example/sidecarctl:1", "-i", "mesh")
    pod = out["Deployment"]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["image"] == "registry.example/sidecarctl:1"
    assert container["args"][:2] == ["webhook", "serve"] and "--istioNamespace=mesh" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert pod["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"
    assert pod["spec"]["serviceAccountName"] == "istio-sidecar-injector-service-account"
    assert out["Service"]["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert out["RoleBinding"]["subjects"][0] == {"kind": "ServiceAccount", "namespace": "mesh",
                                                 "name": "istio-sidecar-injector-service-account"}


def test_uninstall_prints_the_seed_commands_first() -> None:
    result = run("webhook", "uninstall")
    assert result.exit_code == 0
    assert result.output.splitlines()[:4] == [
        "kubectl delete mutatingwebhookconfiguration istio-sidecar-injector",
        "kubectl -n istio-system delete service istio-sidecar-injector",
        "kubectl -n istio-system delete deployment istio-sidecar-injector",
        "kubectl -n istio-system delete serviceaccount istio-sidecar-injector-service-account",
    ]
    assert "kubectl -n istio-system delete role istio-sidecar-injector" in result.output


def test_uninstall_covers_what_manifests_created(ca_file: Path) -> None:
    out = docs(ca_file, "-r", "canary", "-i", "mesh")
    commands = run("webhook", "uninstall", "-r", "canary", "-i", "mesh").output
    for kind, doc in out.items():
        assert f"delete {kind.lower()} {doc['metadata']['name']}" in commands


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), (b"not a pem", "no PEM certificate")])
def test_bad_ca_bundle(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "ca.crt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Exception) as info:
        run("webhook", "manifests", "--ca-bundle-file", str(path))
    assert message in str(info.value)
