"""Post-processing after the template merge (webhook.go: overrides, postProcessPod)."""

from __future__ import annotations

import copy
import json

import pytest

from sidecarctl.inject import postprocess
from sidecarctl.inject.postprocess import PostProcessContext


def merge_by_name(pod: dict, patch: dict) -> dict:
    """A stand-in strategic merge: containers/initContainers merged by name, fields replaced."""
    out = copy.deepcopy(pod)
    for key, items in patch.get("spec", {}).items():
        current = out["spec"].setdefault(key, [])
        for item in items:
            match = next((c for c in current if c["name"] == item["name"]), None)
            if match is None:
                current.append(copy.deepcopy(item))
            else:
                match.update(copy.deepcopy(item))
    return out


def identity(container: dict) -> dict:
    return container


def names(containers: list | None) -> list[str]:
    return [c["name"] for c in containers or []]


def test_status_annotation() -> None:
    spec = {"initContainers": [{"name": "istio-init"}], "volumes": [{"name": "a"}, {"name": "b"}]}
    assert postprocess.injection_status(spec, "") == (
        '{"initContainers":["istio-init"],"containers":null,"volumes":["a","b"],"imagePullSecrets":null,'
        '"revision":"default"}'
    )
    assert json.loads(postprocess.injection_status({}, "canary"))["revision"] == "canary"


@pytest.mark.parametrize(
    "containers,init,hold,want_containers,want_init",
    [
        pytest.param(
            ["istio-proxy", "app"],
            ["istio-init", "user"],
            False,
            ["app", "istio-proxy"],
            ["user", "istio-init"],
            id="proxy-last-init-last",
        ),
        pytest.param(["app", "istio-proxy"], [], True, ["istio-proxy", "app"], [], id="hold-moves-proxy-first"),
        pytest.param(
            ["app"],
            ["user", "istio-proxy", "enable-core-dump", "istio-init"],
            False,
            ["app"],
            ["istio-init", "istio-proxy", "enable-core-dump", "user"],
            id="native-order",
        ),
        pytest.param(
            ["app"],
            ["enable-core-dump", "user", "istio-validation"],
            False,
            ["app"],
            ["istio-validation", "user", "enable-core-dump"],
            id="validation-first-core-dump-last",
        ),
        pytest.param(None, None, False, [], [], id="absent-lists-become-empty"),
    ],
)
def test_reorder(
    containers: list | None, init: list | None, hold: bool, want_containers: list, want_init: list
) -> None:
    pod = {
        "spec": {
            "containers": None if containers is None else [{"name": n} for n in containers],
            "initContainers": None if init is None else [{"name": n} for n in init],
        }
    }
    postprocess.reorder_pod(pod, PostProcessContext(values={}, hold_application=hold))
    assert names(pod["spec"]["containers"]) == want_containers
    assert names(pod["spec"]["initContainers"]) == want_init


def test_hold_from_values() -> None:
    pod = {"spec": {"containers": [{"name": "app"}, {"name": "istio-proxy"}]}}
    ctx = PostProcessContext(values={"global": {"proxy": {"holdApplicationUntilProxyStarts": True}}})
    postprocess.reorder_pod(pod, ctx)
    assert names(pod["spec"]["containers"]) == ["istio-proxy", "app"]


def prometheus_pod(annotations: dict) -> dict:
    return {"metadata": {"annotations": dict(annotations)}, "spec": {"containers": [{"name": "istio-proxy"}]}}


def test_prometheus_merge_moves_scrape_settings_to_env() -> None:
    pod = prometheus_pod({"prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus-io/path": "/m"})
    postprocess.apply_prometheus_merge(pod, 15020, None)
    assert pod["metadata"]["annotations"] == {
        "prometheus.io/port": "15020",
        "prometheus.io/path": "/stats/prometheus",
        "prometheus.io/scrape": "true",
    }
    assert pod["spec"]["containers"][0]["env"] == [
        {"name": "ISTIO_PROMETHEUS_ANNOTATIONS", "value": '{"scrape":"true","path":"/m","port":"9090"}'}
    ]


@pytest.mark.parametrize(
    "annotations,mesh",
    [
        pytest.param({"prometheus.io/scrape": "false"}, None, id="scrape-false"),
        pytest.param({"prometheus.istio.io/merge-metrics": "false"}, True, id="annotation-off"),
        pytest.param({}, False, id="mesh-off"),
        pytest.param({"prometheus.io/port": "15020"}, None, id="already-agent"),
    ],
)
def test_prometheus_merge_skipped(annotations: dict, mesh: bool | None) -> None:
    pod = prometheus_pod(annotations)
    postprocess.apply_prometheus_merge(pod, 15020, mesh)
    assert pod["metadata"]["annotations"] == annotations


def test_prometheus_merge_without_user_annotations_adds_no_env() -> None:
    pod = prometheus_pod({})
    postprocess.apply_prometheus_merge(pod, 15020, None)
    assert "env" not in pod["spec"]["containers"][0]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "15020"


def test_cluster_and_network() -> None:
    values = {"global": {"multiCluster": {"clusterName": "c1"}, "network": "n1"}}
    assert postprocess.cluster_and_network(values, {}, {}) == {
        "ISTIO_META_CLUSTER_ID": "c1",
        "ISTIO_META_NETWORK": "n1",
    }
    assert postprocess.cluster_and_network(
        values, {"topology.istio.io/network": "n2"}, {"ISTIO_META_CLUSTER_ID": "u"}
    ) == {"ISTIO_META_CLUSTER_ID": "u", "ISTIO_META_NETWORK": "n2"}
    assert postprocess.cluster_and_network({}, None, {}) == {}


def test_overwrite_cluster_info_moves_vars_last_sorted() -> None:
    pod = {
        "spec": {
            "containers": [
                {
                    "name": "istio-proxy",
                    "env": [{"name": "ISTIO_META_NETWORK", "value": "old"}, {"name": "A", "value": "1"}],
                }
            ]
        }
    }
    postprocess.overwrite_cluster_info(pod, {"ISTIO_META_NETWORK": "n", "ISTIO_META_CLUSTER_ID": "c"})
    assert pod["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "ISTIO_META_CLUSTER_ID", "value": "c"},
        {"name": "ISTIO_META_NETWORK", "value": "n"},
    ]


def template_pod() -> dict:
    return {
        "spec": {
            "initContainers": [{"name": "istio-init", "args": ["-u", "1337"]}],
            "containers": [{"name": "istio-proxy", "image": "proxyv2", "securityContext": {"runAsUser": 1337}}],
        }
    }


def test_user_proxy_is_reapplied_and_remembered() -> None:
    original = {
        "metadata": {"annotations": {}},
        "spec": {
            "containers": [
                {"name": "app"},
                {"name": "istio-proxy", "image": "auto", "securityContext": {"runAsUser": 1234}},
            ]
        },
    }
    final = merge_by_name({"metadata": {"annotations": {}}, "spec": {"containers": [{"name": "app"}]}}, template_pod())
    out = postprocess.reapply_overwritten_containers(
        final, original, template_pod(), "REDIRECT", merge_by_name, identity
    )
    proxy = out["spec"]["containers"][1]
    assert proxy["image"] == "proxyv2" and proxy["securityContext"] == {"runAsUser": 1234}
    assert out["metadata"]["annotations"]["proxy.istio.io/overrides"] == (
        '{"containers":[{"name":"istio-proxy","securityContext":{"runAsUser":1234}}]}'
    )
    assert out["spec"]["initContainers"][0]["args"] == ["-u", "1234"]


def test_tproxy_forces_root_proxy() -> None:
    original = {
        "metadata": {},
        "spec": {"containers": [{"name": "istio-proxy", "securityContext": {"runAsUser": 1234}}]},
    }
    final = merge_by_name({"metadata": {}, "spec": {"containers": []}}, template_pod())
    out = postprocess.reapply_overwritten_containers(final, original, template_pod(), "TPROXY", merge_by_name, identity)
    assert out["spec"]["containers"][0]["securityContext"]["runAsUser"] == 0
    assert out["spec"]["initContainers"][0]["args"] == ["-u", "1234"]


def test_reinjection_uses_the_new_template() -> None:
    status = '{"containers":["istio-proxy"],"initContainers":["istio-init"]}'
    original = {
        "metadata": {"annotations": {"sidecar.istio.io/status": status}},
        "spec": {"containers": [{"name": "istio-proxy", "image": "old"}]},
    }
    final = merge_by_name(copy.deepcopy(original), template_pod())
    out = postprocess.reapply_overwritten_containers(
        final, original, template_pod(), "REDIRECT", merge_by_name, identity
    )
    assert out["spec"]["containers"][0]["image"] == "proxyv2"
    assert "proxy.istio.io/overrides" not in out["metadata"]["annotations"]


def test_native_proxy_override_found_in_containers() -> None:
    template = {"spec": {"initContainers": [{"name": "istio-proxy", "image": "proxyv2"}]}}
    original = {"metadata": {}, "spec": {"containers": [{"name": "istio-proxy", "image": "custom"}]}}
    final = merge_by_name({"metadata": {}, "spec": {"containers": []}}, template)
    out = postprocess.reapply_overwritten_containers(final, original, template, "REDIRECT", merge_by_name, identity)
    assert out["spec"]["initContainers"][0]["image"] == "custom"
    assert json.loads(out["metadata"]["annotations"]["proxy.istio.io/overrides"]) == {
        "initContainers": [{"name": "istio-proxy", "image": "custom"}]
    }


def test_post_process_pod_sets_status_and_rewrites_probes() -> None:
    pod = {
        "metadata": {},
        "spec": {"containers": [{"name": "istio-proxy"}, {"name": "app", "readinessProbe": {"httpGet": {"port": 80}}}]},
    }
    template = {"spec": {"containers": [{"name": "istio-proxy"}]}}
    ctx = PostProcessContext(values={"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": True}})
    postprocess.post_process_pod(pod, template, ctx)
    assert names(pod["spec"]["containers"]) == ["app", "istio-proxy"]
    assert pod["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] == 15020
    assert pod["spec"]["containers"][1]["env"] == [
        {"name": "ISTIO_KUBE_APP_PROBERS", "value": '{"/app-health/app/readyz":{"httpGet":{"port":80}}}'}
    ]
    assert json.loads(pod["metadata"]["annotations"]["sidecar.istio.io/status"])["containers"] == ["istio-proxy"]
