"""Application probe rewriting (app_probe.go)."""

from __future__ import annotations

import json

import pytest

from sidecarctl.inject import probes


def pod(*containers: dict, init: list | None = None) -> dict:
    return {"metadata": {}, "spec": {"containers": list(containers), "initContainers": init or []}}


HTTP = {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTPS"}, "timeoutSeconds": 3}


@pytest.mark.parametrize(
    "annotations,setting,want",
    [
        ({}, True, True),
        ({}, False, False),
        ({"sidecar.istio.io/rewriteAppHTTPProbers": "false"}, True, False),
        ({"sidecar.istio.io/rewriteAppHTTPProbers": "T"}, False, True),
        ({"sidecar.istio.io/rewriteAppHTTPProbers": "maybe"}, True, True),
    ],
)
def test_should_rewrite(annotations: dict, setting: bool, want: bool) -> None:
    assert probes.should_rewrite(annotations, setting) is want


@pytest.mark.parametrize(
    "container,want",
    [
        pytest.param(
            {"name": "app", "readinessProbe": HTTP},
            {
                "/app-health/app/readyz": {
                    "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTPS"},
                    "timeoutSeconds": 3,
                }
            },
            id="http",
        ),
        pytest.param(
            {
                "name": "app",
                "livenessProbe": {"tcpSocket": {"port": "web"}},
                "ports": [{"name": "web", "containerPort": 80}],
            },
            {"/app-health/app/livez": {"tcpSocket": {"port": 80}}},
            id="named-port-resolved",
        ),
        pytest.param(
            {"name": "app", "livenessProbe": {"tcpSocket": {"port": "nope"}}}, None, id="unknown-name-dropped"
        ),
        pytest.param({"name": "app", "startupProbe": {"httpGet": {"port": 15020}}}, None, id="already-rewritten"),
        pytest.param({"name": "app", "readinessProbe": {"exec": {"command": ["true"]}}}, None, id="exec-ignored"),
        pytest.param(
            {"name": "app", "readinessProbe": {"grpc": {"port": 9000}}},
            {"/app-health/app/readyz": {"grpc": {"port": 9000, "service": None}}},
            id="grpc",
        ),
        pytest.param(
            {
                "name": "app",
                "lifecycle": {"preStop": {"httpGet": {"port": 91}}, "postStart": {"tcpSocket": {"port": 93}}},
            },
            {
                "/app-lifecycle/app/poststartz": {"tcpSocket": {"port": 93}},
                "/app-lifecycle/app/prestopz": {"httpGet": {"port": 91}},
            },
            id="lifecycle",
        ),
        pytest.param({"name": "istio-proxy", "readinessProbe": HTTP}, None, id="proxy-skipped"),
    ],
)
def test_dump_app_probers(container: dict, want: dict | None) -> None:
    out = probes.dump_app_probers(pod(container), 15020)
    assert (json.loads(out) if out else None) == want


def test_dump_is_go_json_with_sorted_keys() -> None:
    out = probes.dump_app_probers(
        pod(
            {"name": "b", "readinessProbe": {"httpGet": {"port": 1, "path": "/a&b"}}},
            {"name": "a", "livenessProbe": {"httpGet": {"port": 2}}},
        ),
        15020,
    )
    assert out == (
        '{"/app-health/a/livez":{"httpGet":{"port":2}},'
        '"/app-health/b/readyz":{"httpGet":{"path":"/a\\u0026b","port":1}}}'
    )


def test_patch_rewrite_probes() -> None:
    app = {
        "name": "app",
        "readinessProbe": dict(HTTP),
        "livenessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5},
        "startupProbe": {"grpc": {"port": 9}},
        "lifecycle": {"preStop": {"tcpSocket": {"port": 1}}},
    }
    target = pod(app, {"name": "istio-proxy", "readinessProbe": {"httpGet": {"port": 15021}}})
    probes.patch_rewrite_probes({}, target, 15020)
    got = target["spec"]["containers"][0]
    assert got["readinessProbe"] == {
        "httpGet": {"path": "/app-health/app/readyz", "port": 15020, "scheme": "HTTP"},
        "timeoutSeconds": 3,
    }
    assert got["livenessProbe"] == {"httpGet": {"path": "/app-health/app/livez", "port": 15020}, "periodSeconds": 5}
    assert got["startupProbe"] == {"httpGet": {"path": "/app-health/app/startupz", "port": 15020}}
    assert got["lifecycle"]["preStop"] == {"httpGet": {"path": "/app-lifecycle/app/prestopz", "port": 15020}}
    assert target["spec"]["containers"][1]["readinessProbe"] == {"httpGet": {"port": 15021}}


@pytest.mark.parametrize("annotation,port", [("123", 123), (" 7", 0), ("x", 0)])
def test_status_port_annotation(annotation: str, port: int) -> None:
    target = pod({"name": "a", "readinessProbe": {"httpGet": {"port": 1}}})
    probes.patch_rewrite_probes({"status.sidecar.istio.io/port": annotation}, target, 15020)
    assert target["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] == port


def test_merge_or_append_probers() -> None:
    new = '{"/app-health/a/readyz":{"httpGet":{"port":1}},"/app-health/b/readyz":{"httpGet":{"port":2}}}'
    env = [{"name": "X", "value": "1"}]
    assert probes.merge_or_append_probers(False, env, new)[-1] == {"name": "ISTIO_KUBE_APP_PROBERS", "value": new}
    old = [{"name": "ISTIO_KUBE_APP_PROBERS", "value": '{"/app-health/a/readyz":{"httpGet":{"port":7}}}'}]
    merged = probes.merge_or_append_probers(True, old, new)
    assert merged == [
        {
            "name": "ISTIO_KUBE_APP_PROBERS",
            "value": '{"/app-health/a/readyz":{"httpGet":{"port":7}},"/app-health/b/readyz":{"httpGet":{"port":2}}}',
        }
    ]
    assert probes.merge_or_append_probers(True, [], new) == [{"name": "ISTIO_KUBE_APP_PROBERS", "value": new}]
