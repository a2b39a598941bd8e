"""The webhook's decision order (Istio's injectRequired), and the /inject/... path parameters."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.webhook.decision import InjectPolicy, decide, parse_inject_envs, potential_pod_name

NEVER_APP = {"matchLabels": {"app": "builder"}}
ALWAYS_APP = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["builder", "web"]}]}
ALWAYS_TIER = {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}


def pod(
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    namespace: str = "default",
    host_network: bool = False,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": "p",
        "namespace": namespace,
        "labels": labels or {},
        "annotations": annotations or {},
    }
    return {"metadata": meta, "spec": {"hostNetwork": host_network, "containers": [{"name": "app"}]}}


ON = "sidecar.istio.io/inject"


@pytest.mark.parametrize(
    ("the_pod", "policy", "want"),
    [
        # 1. host networking beats everything, even an explicit request
        pytest.param(pod({ON: "true"}, host_network=True), InjectPolicy("enabled"), False, id="host-network"),
        # 2. namespaces Istio never injects
        pytest.param(pod({ON: "true"}, namespace="kube-system"), InjectPolicy("enabled"), False, id="kube-system"),
        pytest.param(pod(namespace="local-path-storage"), InjectPolicy("enabled"), False, id="local-path-storage"),
        # 3. label/annotation beat selectors and policy; the label beats the annotation
        pytest.param(pod({ON: "true"}), InjectPolicy("disabled", (), ()), True, id="label-true-policy-disabled"),
        pytest.param(
            pod(annotations={ON: "false"}),
            InjectPolicy("enabled", (), (ALWAYS_TIER,)),
            False,
            id="annotation-false-beats-always",
        ),
        pytest.param(
            pod({ON: "true", "app": "builder"}),
            InjectPolicy("enabled", (NEVER_APP,)),
            True,
            id="label-true-beats-never",
        ),
        pytest.param(pod({ON: "false"}, {ON: "true"}), InjectPolicy("enabled"), False, id="label-beats-annotation"),
        pytest.param(pod({ON: "yes"}), InjectPolicy("disabled"), False, id="invalid-value-falls-back"),
        # 4. neverInjectSelector before alwaysInjectSelector
        pytest.param(
            pod({"app": "builder"}),
            InjectPolicy("enabled", (NEVER_APP,), (ALWAYS_APP,)),
            False,
            id="never-beats-always",
        ),
        pytest.param(
            pod({"app": "web"}),
            InjectPolicy("disabled", (NEVER_APP,), (ALWAYS_APP,)),
            True,
            id="always-beats-policy-disabled",
        ),
        pytest.param(
            pod({"tier": "x"}), InjectPolicy("disabled", (), ({}, ALWAYS_TIER)), True, id="empty-selector-skipped"
        ),
        pytest.param(
            pod({"app": "web"}),
            InjectPolicy("enabled", ({"matchExpressions": [{"key": "app", "operator": "In"}]},)),
            True,
            id="invalid-selector-skipped",
        ),
        # 5. the default policy
        pytest.param(pod(), InjectPolicy("enabled"), True, id="policy-enabled"),
        pytest.param(pod(), InjectPolicy("disabled"), False, id="policy-disabled"),
        pytest.param(pod(), InjectPolicy("sometimes"), False, id="policy-invalid"),
        pytest.param(pod({ON: "true"}), InjectPolicy("sometimes"), False, id="policy-invalid-even-with-label"),
    ],
)
def test_decision_order(the_pod: dict[str, Any], policy: InjectPolicy, want: bool) -> None:
    assert decide(the_pod, policy).inject is want


def test_invalid_value_warns() -> None:
    decision = decide(pod({ON: "maybe"}), InjectPolicy("enabled"))
    assert decision.inject and any("Only 'true' and 'false'" in w for w in decision.warnings)


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("/inject", {}),
        ("/inject/", {}),
        ("/inject/cluster/c1/net/n1", {"ISTIO_META_CLUSTER_ID": "c1", "ISTIO_META_NETWORK": "n1"}),
        ("/inject/cluster/c1/net/a--slash--b/", {"ISTIO_META_CLUSTER_ID": "c1", "ISTIO_META_NETWORK": "a/b"}),
        ("/inject/foo/bar/odd", {"FOO": "bar"}),
        (
            "/inject/:ENV:cluster=c2:ENV:net=n2:ENV:=bad:ENV:empty=",
            {"ISTIO_META_CLUSTER_ID": "c2", "ISTIO_META_NETWORK": "n2", "EMPTY": ""},
        ),
    ],
)
def test_inject_path_parameters(path: str, want: dict[str, str]) -> None:
    assert parse_inject_envs(path) == want


def test_pod_names() -> None:
    assert potential_pod_name({"name": "a", "generateName": "b-"}) == "a"
    assert potential_pod_name({"generateName": "b-"}) == "b-***** (actual name not yet known)"
    assert potential_pod_name({}) == ""
