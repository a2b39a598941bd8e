"""kube-inject's decisions and the webhook's injectRequired."""

from __future__ import annotations

import pytest

from sidecarctl.inject import policy


def meta(labels: dict | None = None, annotations: dict | None = None, namespace: str = "") -> dict:
    return {"labels": labels or {}, "annotations": annotations or {}, "namespace": namespace}


@pytest.mark.parametrize(
    "metadata,spec,inject,reason",
    [
        pytest.param(meta(), {}, True, "", id="default-enabled"),
        pytest.param(meta(), {"hostNetwork": True}, False, policy.HOST_NETWORK, id="host-network"),
        pytest.param(meta(namespace="kube-system"), {}, False, policy.INJECTION_DISABLED, id="kube-system"),
        pytest.param(meta(namespace="local-path-storage"), {}, False, policy.INJECTION_DISABLED, id="local-path"),
        pytest.param(
            meta(annotations={"sidecar.istio.io/inject": "false"}),
            {},
            False,
            policy.INJECTION_DISABLED,
            id="annotation-false",
        ),
        pytest.param(
            meta(labels={"sidecar.istio.io/inject": "true"}, annotations={"sidecar.istio.io/inject": "false"}),
            {},
            True,
            "",
            id="label-beats-annotation",
        ),
        pytest.param(
            meta(labels={"sidecar.istio.io/inject": "false"}), {}, False, policy.INJECTION_DISABLED, id="label-false"
        ),
        pytest.param(meta(annotations={"sidecar.istio.io/inject": "no"}), {}, True, "", id="invalid-falls-back"),
    ],
)
def test_kube_inject_decision(metadata: dict, spec: dict, inject: bool, reason: str) -> None:
    decision = policy.kube_inject_decision(metadata, spec)
    assert (decision.inject, decision.reason) == (inject, reason)


def test_invalid_value_warns() -> None:
    decision = policy.kube_inject_decision(meta(annotations={"sidecar.istio.io/inject": "yes"}), {})
    want = (
        "Invalid value for sidecar.istio.io/inject: \"yes\". Only 'true' and 'false' "
        "are accepted. Falling back to default injection policy."
    )
    assert decision.warnings == (want,)


SELECT_APP = {"matchLabels": {"app": "x"}}


@pytest.mark.parametrize(
    "labels,pol,never,always,inject",
    [
        pytest.param({}, "disabled", [], [], False, id="disabled-policy"),
        pytest.param({"app": "x"}, "disabled", [], [SELECT_APP], True, id="always-selector"),
        pytest.param({"app": "x"}, "enabled", [SELECT_APP], [], False, id="never-selector"),
        pytest.param({"app": "x"}, "enabled", [SELECT_APP], [SELECT_APP], False, id="never-beats-always"),
        pytest.param(
            {"app": "x", "sidecar.istio.io/inject": "true"},
            "enabled",
            [SELECT_APP],
            [],
            True,
            id="label-beats-selector",
        ),
        pytest.param({"app": "x"}, "enabled", [{}], [], True, id="empty-selector-matches-nothing"),
        pytest.param(
            {"tier": "a"},
            "disabled",
            [],
            [{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}],
            True,
            id="expr-in",
        ),
        pytest.param(
            {"tier": "a"},
            "disabled",
            [],
            [{"matchExpressions": [{"key": "gone", "operator": "DoesNotExist"}]}],
            True,
            id="expr-does-not-exist",
        ),
        pytest.param({}, "bogus", [], [], False, id="illegal-policy"),
    ],
)
def test_inject_required_with_selectors(labels: dict, pol: str, never: list, always: list, inject: bool) -> None:
    decision = policy.inject_required(meta(labels=labels), {}, policy=pol, never=never, always=always)
    assert decision.inject is inject


@pytest.mark.parametrize(
    "kind,name,reason,want",
    [
        (
            "Deployment",
            "sample/hello",
            policy.HOST_NETWORK,
            '===> Skipping injection because Deployment "sample/hello" has host networking enabled\n',
        ),
        (
            "",
            "hello",
            policy.INJECTION_DISABLED,
            '===> Skipping injection because "hello" has sidecar injection disabled\n',
        ),
        (
            "Pod",
            'we"ird\n',
            policy.INJECTION_DISABLED,
            '===> Skipping injection because Pod "we\\"ird\\n" has sidecar injection disabled\n',
        ),
    ],
)
def test_skip_warning(kind: str, name: str, reason: str, want: str) -> None:
    assert policy.skip_warning(kind, name, reason) == want
