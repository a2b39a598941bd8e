"""Removing a previous injection (stripPod, reinsertOverrides)."""

from __future__ import annotations

import pytest

from sidecarctl.errors import InjectionError
from sidecarctl.inject import strip

STATUS = '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["v"],"revision":"default"}'


def injected_pod(annotations: dict) -> dict:
    return {
        "metadata": {"annotations": annotations},
        "spec": {
            "containers": [{"name": "app"}, {"name": "istio-proxy"}],
            "initContainers": [{"name": "istio-init"}],
            "volumes": [{"name": "v"}],
        },
    }


def test_strip_removes_recorded_containers_not_volumes() -> None:
    original = injected_pod(
        {strip.STATUS_ANNOTATION: STATUS, "prometheus.io/port": "15020", "prometheus-io/path": "/x", "keep": "1"}
    )
    stripped = strip.strip_pod(original, 15020)
    assert stripped["spec"]["containers"] == [{"name": "app"}]
    assert stripped["spec"]["initContainers"] is None
    assert stripped["spec"]["volumes"] == [{"name": "v"}]
    assert stripped["metadata"]["annotations"] == {"keep": "1"}
    assert original["spec"]["containers"][1] == {"name": "istio-proxy"}, "the input is not modified"


@pytest.mark.parametrize(
    "annotations,unchanged",
    [
        pytest.param({}, True, id="no-status"),
        pytest.param({strip.STATUS_ANNOTATION: "not json"}, True, id="bad-json"),
        pytest.param({strip.STATUS_ANNOTATION: '{"containers":"istio-proxy"}'}, True, id="type-error"),
        pytest.param({strip.STATUS_ANNOTATION: '{"Containers":["istio-proxy"]}'}, False, id="case-insensitive-key"),
    ],
)
def test_strip_only_with_a_valid_status(annotations: dict, unchanged: bool) -> None:
    pod = injected_pod(annotations)
    assert (strip.strip_pod(pod, 15020) is pod) is unchanged


def test_prometheus_port_kept_when_user_owned() -> None:
    pod = injected_pod({strip.STATUS_ANNOTATION: STATUS, "prometheus.io/port": "9090"})
    assert strip.strip_pod(pod, 15020)["metadata"]["annotations"] == {"prometheus.io/port": "9090"}


def test_reinsert_overrides_appends_missing_containers_only() -> None:
    pod = {
        "metadata": {
            "annotations": {
                strip.OVERRIDES_ANNOTATION: '{"containers":[{"name":"istio-proxy","image":"x"},{"name":"app"}]}'
            }
        },
        "spec": {"containers": [{"name": "app", "image": "mine"}]},
    }
    out = strip.reinsert_overrides(pod)
    assert out["spec"]["containers"] == [{"name": "app", "image": "mine"}, {"name": "istio-proxy", "image": "x"}]


def test_reinsert_overrides_rejects_bad_json() -> None:
    with pytest.raises(InjectionError, match="proxy.istio.io/overrides"):
        strip.reinsert_overrides({"metadata": {"annotations": {strip.OVERRIDES_ANNOTATION: "{"}}, "spec": {}})


@pytest.mark.parametrize(
    "name,want", [("prometheus.io/port", "prometheus_io_port"), ("a-b.c/d", "a_b_c_d"), ("é", "_")]
)
def test_sanitize_label_name(name: str, want: str) -> None:
    assert strip.sanitize_label_name(name) == want
