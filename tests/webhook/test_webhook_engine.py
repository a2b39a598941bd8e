"""The webhook with the real injection engine, over HTTPS: Istio's decisions end to end, the
config's injectedAnnotations, per-pod templates, names from owner references, URL parameters."""

from __future__ import annotations

import base64
import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from webhook_support import Client, ServerFactory, review_of

from sidecarctl.releases import newest
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags
from sidecarctl.webhook.jsonpatch import apply_patch

INJECTED_BY = "example.com/injected-by"


@pytest.fixture
def client(tmp_path: Path, start_server: ServerFactory) -> Client:
    config = yaml.safe_load(
        resources.files("sidecarctl.defaults").joinpath(newest().defaults).joinpath("inject-config.yaml").read_text()
    )
    config.update(
        policy="disabled",
        neverInjectSelector=[{"matchLabels": {"role": "build"}}],
        alwaysInjectSelector=[{"matchExpressions": [{"key": "team", "operator": "In", "values": ["mesh"]}]}],
        injectedAnnotations={INJECTED_BY: "sidecarctl"},
    )
    config["templates"]["marker"] = 'metadata:\n  labels:\n    marker: "yes"\n'
    path = tmp_path / "inject-config.yaml"
    path.write_text(yaml.safe_dump(config))
    flags = SettingsFlags(inject_config_file=str(path), offline=True)
    _, c = start_server(loader=EngineInjector.load, flags=flags, native_sidecars=False)
    return c


def pod(
    labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None, host_network: bool = False
) -> dict[str, Any]:
    """A pod as a Deployment's ReplicaSet creates it: generateName and a controller reference."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": "web-5f7c9-",
            "labels": {"app": "web", "pod-template-hash": "5f7c9", **(labels or {})},
            "annotations": annotations or {},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5f7c9", "uid": "1", "controller": True}
            ],
        },
        "spec": {"hostNetwork": host_network, "containers": [{"name": "web", "image": "nginx"}]},
    }


def admit(
    client: Client, the_pod: dict[str, Any], path: str = "/inject", api_version: str = "admission.k8s.io/v1"
) -> dict[str, Any] | None:
    """The pod after the webhook's patch, or None when it was not injected."""
    answer = client.review(review_of(the_pod, uid="e2e", namespace="shop", api_version=api_version), path)
    response = answer["response"]
    assert answer["apiVersion"] == api_version and response["uid"] == "e2e" and response["allowed"] is True
    if "patch" not in response:
        return None
    sent = copy.deepcopy(the_pod)
    sent["metadata"]["namespace"] = "shop"
    return apply_patch(sent, json.loads(base64.b64decode(response["patch"])))  # type: ignore[no-any-return]


def env_of(the_pod: dict[str, Any], name: str) -> str | None:
    proxy = next(c for c in the_pod["spec"]["containers"] if c["name"] == "istio-proxy")
    return next((e.get("value") for e in proxy.get("env") or [] if e["name"] == name), None)


@pytest.mark.parametrize(
    ("the_pod", "injected"),
    [
        pytest.param(pod(), False, id="policy-disabled"),
        pytest.param(pod({"team": "mesh"}), True, id="always-selector"),
        pytest.param(pod({"team": "mesh", "role": "build"}), False, id="never-before-always"),
        pytest.param(pod({"role": "build"}, {"sidecar.istio.io/inject": "true"}), True, id="annotation-before-never"),
        pytest.param(pod({"team": "mesh", "sidecar.istio.io/inject": "false"}), False, id="label-before-always"),
        pytest.param(pod({"sidecar.istio.io/inject": "true"}, host_network=True), False, id="host-network-first"),
    ],
)
def test_decision_order_end_to_end(client: Client, the_pod: dict[str, Any], injected: bool) -> None:
    assert (admit(client, the_pod) is not None) is injected


def test_injected_pod(client: Client) -> None:
    got = admit(client, pod({"team": "mesh"}))
    assert got is not None
    assert [c["name"] for c in got["spec"]["containers"]] == ["web", "istio-proxy"]
    assert [c["name"] for c in got["spec"]["initContainers"]] == ["istio-init"]
    assert got["metadata"]["annotations"][INJECTED_BY] == "sidecarctl"
    status = json.loads(got["metadata"]["annotations"]["sidecar.istio.io/status"])
    assert status["containers"] == ["istio-proxy"] and status["revision"] == "default"
    # the workload is the Deployment behind the ReplicaSet, found from the owner reference
    assert env_of(got, "ISTIO_META_WORKLOAD_NAME") == "web"
    assert env_of(got, "ISTIO_META_OWNER") == "kubernetes://apis/apps/v1/namespaces/shop/deployments/web"


def test_per_pod_templates(client: Client) -> None:
    got = admit(client, pod({"team": "mesh"}, {"inject.istio.io/templates": "sidecar,marker"}))
    assert got is not None and got["metadata"]["labels"]["marker"] == "yes"
    assert any(c["name"] == "istio-proxy" for c in got["spec"]["containers"])


def test_path_parameters(client: Client) -> None:
    got = admit(client, pod({"team": "mesh"}), path="/inject/cluster/east/net/net-1")
    assert got is not None
    assert env_of(got, "ISTIO_META_CLUSTER_ID") == "east"
    assert env_of(got, "ISTIO_META_NETWORK") == "net-1"
    assert got["metadata"]["labels"]["topology.istio.io/network"] == "net-1"


def test_v1beta1_and_reinjection_is_idempotent(client: Client) -> None:
    once = admit(client, pod({"team": "mesh"}), api_version="admission.k8s.io/v1beta1")
    assert once is not None
    # the status annotation lets Istio strip what it injected before: a second pass changes nothing,
    # so the answer carries no patch
    assert admit(client, once) is None


def test_injection_error_denies(client: Client) -> None:
    bad = pod({"team": "mesh"}, {"traffic.sidecar.istio.io/includeInboundPorts": "not-a-port"})
    response = client.review(review_of(bad, uid="bad"))["response"]
    assert response["allowed"] is False and response["uid"] == "bad"
    assert "includeinboundports" in response["status"]["message"].lower()


def test_istio_warnings_reach_the_response(client: Client) -> None:
    the_pod = pod({"team": "mesh"})
    the_pod["spec"]["dnsPolicy"] = "Default"
    response = client.review(review_of(the_pod, uid="w", namespace="shop"))["response"]
    assert "patch" in response
    assert any('DNSPolicy is not "ClusterFirst"' in w for w in response["warnings"])
