"""The server over real HTTPS: admission answers, bad requests, operations endpoints, reloads."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from webhook_certs import make_server_cert
from webhook_support import FakeInjector, ServerFactory, review_of

from sidecarctl.webhook.decision import InjectPolicy
from sidecarctl.webhook.engine import SettingsFlags
from sidecarctl.webhook.jsonpatch import apply_patch

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "app", "image": "nginx"}]},
}


def patch_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(base64.b64decode(response["patch"]))  # type: ignore[no-any-return]


@pytest.mark.parametrize("api_version", ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"])
def test_injects_and_echoes_uid(start_server: ServerFactory, api_version: str) -> None:
    _, client = start_server()
    answer = client.review(review_of(POD, uid="abc-123", api_version=api_version))
    assert answer["apiVersion"] == api_version and answer["kind"] == "AdmissionReview"
    response = answer["response"]
    assert response["uid"] == "abc-123" and response["allowed"] is True and response["patchType"] == "JSONPatch"
    patched = apply_patch(POD, patch_of(response))
    assert [c["name"] for c in patched["spec"]["containers"]] == ["app", "istio-proxy"]
    assert "namespace" not in patched["metadata"], "the namespace filled in from the request is no change"


def test_managed_fields_are_left_alone(start_server: ServerFactory) -> None:
    """Istio drops managedFields before diffing (large, and irrelevant to injection)."""
    injector = FakeInjector()
    _, client = start_server(injector)
    pod = {**POD, "metadata": {**POD["metadata"], "managedFields": [{"manager": "kubectl", "operation": "Update"}]}}
    ops = patch_of(client.review(review_of(pod))["response"])
    assert ops and not any(op["path"].startswith("/metadata/managedFields") for op in ops)
    assert "managedFields" not in injector.requests[0].pod["metadata"]


def test_not_injected_means_no_patch(start_server: ServerFactory) -> None:
    injector = FakeInjector(InjectPolicy("enabled", ({"matchLabels": {"app": "web"}},)))
    _, client = start_server(injector)
    response = client.review(review_of(POD))["response"]
    assert response == {"uid": "uid-1", "allowed": True}
    assert injector.requests == []


def test_ignored_namespace_from_request(start_server: ServerFactory) -> None:
    injector = FakeInjector()
    _, client = start_server(injector)
    assert "patch" not in client.review(review_of(POD, namespace="kube-system"))["response"]
    assert injector.requests == []


def test_path_parameters_reach_the_engine(start_server: ServerFactory) -> None:
    injector = FakeInjector()
    _, client = start_server(injector)
    client.review(review_of(POD), path="/inject/cluster/east/net/net1")
    assert injector.requests[0].proxy_envs == {"ISTIO_META_CLUSTER_ID": "east", "ISTIO_META_NETWORK": "net1"}


def test_warnings_are_returned(start_server: ServerFactory) -> None:
    _, client = start_server()
    pod = {**POD, "metadata": {**POD["metadata"], "labels": {"sidecar.istio.io/inject": "maybe"}}}
    response = client.review(review_of(pod))["response"]
    assert any("Invalid value for sidecar.istio.io/inject" in w for w in response["warnings"])
    response = client.review(review_of(POD), path="/inject/cluster")["response"]
    assert any("Odd number of inject env entries" in w for w in response["warnings"])


def test_engine_failure_denies_with_reason(start_server: ServerFactory) -> None:
    server, client = start_server(FakeInjector(fail="failed to run injection template: boom"))
    response = client.review(review_of(POD, uid="u9"))["response"]
    assert response == {"uid": "u9", "allowed": False, "status": {"message": "failed to run injection template: boom"}}
    assert server.metrics.result_count("failed") == 1


BAD_REQUESTS = [
    pytest.param(b"{not json", "application/json", 400, "not JSON", id="not-json"),
    pytest.param(b"[1,2]", "application/json", 400, "not a JSON object", id="json-array"),
    pytest.param(
        json.dumps({"apiVersion": "v1", "kind": "Pod"}).encode(),
        "application/json",
        400,
        "expected kind AdmissionReview",
        id="wrong-kind",
    ),
    pytest.param(
        json.dumps({"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview", "request": {}}).encode(),
        "application/json",
        400,
        "expected kind AdmissionReview",
        id="wrong-version",
    ),
    pytest.param(
        json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).encode(),
        "application/json",
        400,
        "has no request",
        id="missing-request",
    ),
    pytest.param(
        json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "x"}}).encode(),
        "application/json",
        400,
        "has no object",
        id="missing-object",
    ),
    pytest.param(
        json.dumps(review_of({"kind": "Deployment", "metadata": {}})).encode(),
        "application/json",
        400,
        "only Pods",
        id="object-not-a-pod",
    ),
    pytest.param(
        json.dumps(
            {
                **review_of(POD),
                "request": {
                    **review_of(POD)["request"],
                    "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                },
            }
        ).encode(),
        "application/json",
        400,
        "only core/v1 Pods",
        id="request-for-deployments",
    ),
    pytest.param(
        json.dumps(review_of({"metadata": {"labels": ["a"]}})).encode(),
        "application/json",
        400,
        "metadata.labels",
        id="labels-not-a-map",
    ),
    pytest.param(b"", "application/json", 400, "no body", id="empty-body"),
    pytest.param(b"{}", "text/plain", 415, "Content-Type", id="wrong-content-type"),
]


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), BAD_REQUESTS)
def test_bad_requests_get_a_reason_and_the_server_lives_on(
    start_server: ServerFactory, body: bytes, content_type: str, status: int, reason: str
) -> None:
    server, client = start_server()
    got_status, got_body = client.request("/inject", body, content_type=content_type)
    assert got_status == status and reason in got_body.decode()
    assert "Traceback" not in got_body.decode()
    assert client.review(review_of(POD))["response"]["allowed"] is True
    assert server.metrics.result_count("bad_request") == 1


def test_huge_body_is_refused(start_server: ServerFactory) -> None:
    _, client = start_server(max_body_bytes=64 * 1024)
    pod = {**POD, "metadata": {**POD["metadata"], "annotations": {"big": "x" * 200_000}}}
    status, body = client.request("/inject", json.dumps(review_of(pod)).encode())
    assert status == 413 and b"larger than 65536 bytes" in body
    assert client.review(review_of(POD))["response"]["allowed"] is True


def test_get_on_inject_is_not_allowed(start_server: ServerFactory) -> None:
    _, client = start_server()
    assert client.request("/inject")[0] == 405
    assert client.request("/nowhere")[0] == 404


def test_slow_injection_is_killed_at_the_deadline(start_server: ServerFactory) -> None:
    """A render no budget can stop (a native call: here a sleep) is killed at the review's deadline;
    the pod is refused, not admitted without its sidecar, and the next pod is injected."""

    class Slow(FakeInjector):
        def inject(self, request: Any) -> dict[str, Any]:
            if request.pod["metadata"].get("name") == "slow":
                time.sleep(60)
            return super().inject(request)

    server, client = start_server(Slow(), request_timeout=0.5)
    slow = {**POD, "metadata": {**POD["metadata"], "name": "slow"}}
    response = client.review(review_of(slow, uid="slow-1"))["response"]
    assert response["uid"] == "slow-1" and response["allowed"] is False
    assert "deadline of 0.5s" in response["status"]["message"] and "patch" not in response
    assert client.request("/healthz") == (200, b"ok\n")
    assert client.review(review_of(POD))["response"]["allowed"] is True
    assert server.pool is not None and server.pool.killed == 1
    assert 'sidecar_injection_requests_total{result="timeout"} 1' in client.request("/metrics")[1].decode()


def test_healthz_fails_once_workers_cannot_be_forked(start_server: ServerFactory) -> None:
    server, client = start_server()
    assert server.pool is not None and client.request("/healthz") == (200, b"ok\n")
    os.kill(server.pool.zygote.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while client.request("/healthz")[0] != 503:
        assert time.monotonic() < deadline, "/healthz still ok without a zygote"
        time.sleep(0.05)


def test_health_ready_and_metrics(start_server: ServerFactory) -> None:
    _, client = start_server()
    assert client.request("/healthz") == (200, b"ok\n")
    assert client.request("/readyz") == (200, b"ok\n")
    client.review(review_of(POD))
    client.request("/inject", b"nope")
    status, body = client.request("/metrics")
    text = body.decode()
    assert status == 200
    assert 'sidecar_injection_requests_total{result="injected"} 1' in text
    assert 'sidecar_injection_requests_total{result="bad_request"} 1' in text
    assert 'sidecar_injection_time_seconds_bucket{le="+Inf"} 2' in text
    assert "# TYPE sidecar_injection_time_seconds histogram" in text


def test_graceful_shutdown_finishes_in_flight_requests(start_server: ServerFactory) -> None:
    class Slow(FakeInjector):
        def inject(self, request: Any) -> dict[str, Any]:
            pod = super().inject(request)  # recorded: the test sees the review has started
            time.sleep(0.5)
            return pod

    injector = Slow()
    server, client = start_server(injector)
    results: list[Any] = []
    worker = threading.Thread(
        target=lambda: results.append(client.request("/inject", json.dumps(review_of(POD)).encode()))
    )
    worker.start()
    deadline = time.monotonic() + 10
    while not injector.requests:
        assert time.monotonic() < deadline, "the request never reached the engine"
        time.sleep(0.02)
    server.stop_from_thread()  # returns once stopped: the in-flight request was answered first
    worker.join(10)
    assert results and results[0][0] == 200
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def _wait_for_metric(client: Any, text: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while text not in client.request("/metrics")[1].decode():
        assert time.monotonic() < deadline, f"no {text} in /metrics"
        time.sleep(0.05)


def _served_cn(port: int, ca: Path) -> str:
    context = ssl.create_default_context(cafile=str(ca))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as sock,
        context.wrap_socket(sock, server_hostname="127.0.0.1") as tls,
    ):
        cert: dict[str, Any] = tls.getpeercert() or {}
        subject = {name: value for rdn in cert["subject"] for name, value in rdn}
        return str(subject["commonName"])


def test_certificate_reload(start_server: ServerFactory, certs: Any, tmp_path: Path, ca: tuple[Path, Path]) -> None:
    live = tmp_path / "live"
    live.mkdir()
    cert, key = live / "tls.crt", live / "tls.key"
    shutil.copy(certs.cert, cert)
    shutil.copy(certs.key, key)
    pair = type(certs)(certs.ca, cert, key)
    server, client = start_server(pair=pair, reload_interval=0.1)
    assert _served_cn(server.port, certs.ca) == "127.0.0.1"
    rotated = make_server_cert(tmp_path, ca, name="rotated", cn="rotated.test")
    # a half-written pair (new cert, old key) must not take the server down
    shutil.copy(rotated.cert, cert)
    _wait_for_metric(client, 'what="tls",result="error"')
    assert _served_cn(server.port, certs.ca) == "127.0.0.1"
    shutil.copy(rotated.key, key)
    deadline = time.monotonic() + 10
    while _served_cn(server.port, certs.ca) != "rotated.test":
        assert time.monotonic() < deadline, "certificate was not reloaded"
        time.sleep(0.1)
    assert client.review(review_of(POD))["response"]["allowed"] is True
    text = client.request("/metrics")[1].decode()
    assert 'what="tls",result="ok"' in text and 'what="tls",result="error"' in text


def test_settings_reload(start_server: ServerFactory, tmp_path: Path) -> None:
    config = tmp_path / "inject-config.yaml"
    config.write_text("policy: enabled\n")
    flags = SettingsFlags(inject_config_file=str(config), offline=True)

    def loader(f: SettingsFlags) -> FakeInjector:
        text = Path(str(f.inject_config_file)).read_text()
        if "broken" in text:
            raise ValueError("cannot parse")
        return FakeInjector(InjectPolicy(text.split(":")[1].strip()))

    _, client = start_server(loader=loader, flags=flags, reload_interval=0.1)
    assert "patch" in client.review(review_of(POD))["response"]
    config.write_text("broken")
    _wait_for_metric(client, 'what="settings",result="error"')
    assert "patch" in client.review(review_of(POD))["response"], "a bad file keeps the previous settings"
    config.write_text("policy: disabled\n")
    deadline = time.monotonic() + 10
    while "patch" in client.review(review_of(POD))["response"]:
        assert time.monotonic() < deadline, "settings were not reloaded"
        time.sleep(0.1)
    text = client.request("/metrics")[1].decode()
    assert 'what="settings",result="ok"' in text and 'what="settings",result="error"' in text


def test_result_cache_answers_repeats_and_keeps_pods_apart(start_server: ServerFactory) -> None:
    injector = FakeInjector()
    server, client = start_server(injector)
    first = client.review(review_of(POD, uid="a"))["response"]
    again = client.review(review_of(POD, uid="b"))["response"]
    assert again["uid"] == "b" and {**again, "uid": "a"} == first
    assert server.metrics.event_count("cache_hit") == 1 and len(injector.requests) == 1
    other = {**POD, "metadata": {**POD["metadata"], "annotations": {"x": "1"}}}
    client.review(review_of(other, uid="c"))
    client.review(review_of(POD, uid="d"), path="/inject/cluster/east")
    client.review(review_of(POD, uid="e", namespace="other"))
    assert server.metrics.event_count("cache_hit") == 1 and len(injector.requests) == 4


def test_templates_that_draw_random_values_are_not_cached(start_server: ServerFactory) -> None:
    injector = FakeInjector()
    injector.deterministic = False
    server, client = start_server(injector)
    for uid in ("a", "b"):
        assert "patch" in client.review(review_of(POD, uid=uid))["response"]
    assert server.metrics.event_count("cache_hit") == 0 and len(injector.requests) == 2
