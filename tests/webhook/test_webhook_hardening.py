"""The webhook under bad settings, hostile reviews and malformed traffic: it fails closed, keeps
serving other pods, answers 400 for what is no review, and logs one JSON line per event."""

from __future__ import annotations

import base64
import copy
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from webhook_certs import CertPair
from webhook_support import Client, ServerFactory, client_context, review_of

from sidecarctl.releases import newest
from sidecarctl.webhook import logs
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags
from sidecarctl.webhook.service import InjectionService

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "sidecarctl" / "defaults" / newest().defaults  # the built-in settings --offline uses
DEFAULT_CONFIG = yaml.safe_load((DEFAULTS / "inject-config.yaml").read_text())

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "app", "image": "nginx"}]},
}


def config_with(**templates: str) -> str:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["templates"].update(templates)
    return yaml.safe_dump(config)


def pod_with_templates(names: str, name: str = "web") -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["metadata"]["name"] = name
    pod["metadata"]["annotations"] = {"inject.istio.io/templates": names}
    return pod


# Each kind of settings that gives no usable injector: (flag, file contents, words of the one line).
BAD_SETTINGS = [
    pytest.param("--injectConfigFile", "policy: [\n", "not valid YAML", id="unparsable-yaml"),
    pytest.param("--injectConfigFile", "", "is empty", id="empty-file"),
    pytest.param(
        "--injectConfigFile",
        "policy: sometimes\ntemplates:\n  sidecar: 'a: b'\n",
        "policy 'sometimes'",
        id="illegal-policy",
    ),
    pytest.param("--injectConfigFile", "policy: enabled\n", "no `templates`", id="no-templates"),
    pytest.param(
        "--injectConfigFile",
        "policy: enabled\ntemplates:\n  sidecar: '{{ .Values '\n",
        'template "sidecar"',
        id="template-does-not-parse",
    ),
    pytest.param(
        "--injectConfigFile",
        "policy: enabled\ndefaultTemplates: [gone]\ntemplates:\n  sidecar: 'a: b'\n",
        "defaultTemplates names template 'gone'",
        id="missing-default-template",
    ),
    pytest.param("--valuesFile", "[", "--valuesFile", id="unparsable-values"),
    pytest.param("--valuesFile", "", "fail to inject a plain pod", id="empty-values"),
    pytest.param("--meshConfigFile", "defaultConfig: [", "--meshConfigFile", id="unparsable-mesh-config"),
]


def _serve(certs: CertPair, port: int, *args: str) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "sidecarctl",
        "webhook",
        "serve",
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        "--tls-cert-file",
        str(certs.cert),
        "--tls-key-file",
        str(certs.key),
        "--offline",
        *args,
    ]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "ENABLE_NATIVE_SIDECARS": "false"}
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("flag", "text", "words"), BAD_SETTINGS)
def test_bad_settings_refuse_to_start(certs: CertPair, tmp_path: Path, flag: str, text: str, words: str) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    proc = _serve(certs, _free_port(), flag, str(path))
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 1, err.decode()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert words in lines[0] and str(path) in lines[0]


def _wait_for(predicate: Any, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.parametrize(("flag", "text", "words"), BAD_SETTINGS)
def test_bad_settings_are_refused_on_reload(
    start_server: ServerFactory, tmp_path: Path, capfd: pytest.CaptureFixture[str], flag: str, text: str, words: str
) -> None:
    logs.setup("info")
    try:
        path = tmp_path / "settings.yaml"
        field = {
            "--injectConfigFile": "inject_config_file",
            "--valuesFile": "values_file",
            "--meshConfigFile": "mesh_config_file",
        }[flag]
        if flag == "--injectConfigFile":
            path.write_text(config_with())
        else:  # the built-in piece, as a file
            name = {"--valuesFile": "values.json", "--meshConfigFile": "mesh-config.yaml"}[flag]
            path.write_text((DEFAULTS / name).read_text())
        flags = SettingsFlags(offline=True, **{field: str(path)})
        server, client = start_server(loader=EngineInjector.load, flags=flags, reload_interval=0.1)
        assert "patch" in client.review(review_of(POD))["response"]
        path.write_text(text)
        _wait_for(
            lambda: server.metrics.render().count('what="settings",result="error"') == 1, "the reload was not refused"
        )
        response = client.review(review_of(POD, uid="after"))["response"]
        assert response["uid"] == "after" and "patch" in response, "the previous settings keep serving"
        assert 'what="settings",result="ok"' not in server.metrics.render()
        refusals = [
            json.loads(line)
            for line in capfd.readouterr().err.splitlines()
            if line.startswith("{") and "settings reload failed" in line
        ]
        assert len(refusals) == 1 and words in refusals[0]["reason"]
    finally:
        logs.setup("info")


HOSTILE = {
    # runs 100 million times unless the template budget stops it
    "hostile-range": "{{ range until 100000000 }}{{ end }}\n",
    # a native call no budget can interrupt: only killing the worker stops it
    "hostile-regex": '{{ if regexMatch "^(a+)+$" (repeat 40 "a" | printf "%sb") }}x: y{{ end }}\n',
}


def test_hostile_reviews_do_not_stop_other_pods(start_server: ServerFactory, tmp_path: Path) -> None:
    path = tmp_path / "inject-config.yaml"
    path.write_text(config_with(**HOSTILE))
    flags = SettingsFlags(offline=True, inject_config_file=str(path))
    server, client = start_server(
        loader=EngineInjector.load, flags=flags, request_timeout=1.5, workers=2, max_workers=6
    )
    hostile = [
        pod_with_templates("sidecar,hostile-range", "range"),
        pod_with_templates("sidecar,hostile-regex", "regex"),
        pod_with_templates(",".join(["sidecar"] * 8000), "names"),
    ]
    answers: dict[str, dict[str, Any]] = {}

    def send(pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        answers[name] = client.review(review_of(pod, uid=name))["response"]

    threads = [threading.Thread(target=send, args=(pod,)) for pod in hostile]
    for thread in threads:
        thread.start()
    normal = [client.review(review_of(POD, uid=f"n{i}"))["response"] for i in range(8)]
    assert client.request("/healthz") == (200, b"ok\n")
    for thread in threads:
        thread.join(60)
    assert all(r["allowed"] is True and "patch" in r for r in normal)
    range_answer, regex_answer = answers["range"], answers["regex"]
    assert range_answer["uid"] == "range" and range_answer["allowed"] is False and "patch" not in range_answer
    assert "template" in range_answer["status"]["message"]  # the budget's limit, named
    # Python's backtracking `re` runs this past any deadline inside one native call: the worker is
    # killed; with a linear-time (RE2) regexMatch the pod is simply injected. Never admitted bare.
    assert regex_answer["uid"] == "regex" and (regex_answer["allowed"] is True) == ("patch" in regex_answer)
    if not regex_answer["allowed"]:
        assert "deadline" in regex_answer["status"]["message"]
        assert server.pool is not None and server.pool.killed >= 1
    assert answers["names"]["allowed"] is True and "patch" in answers["names"]  # as Istio: injected once


def test_repeated_template_names_inject_as_one() -> None:
    """Istio applies `sidecar` as often as it is named; applying it again changes nothing, so
    8,000 repeats give the patch of two (both really applied)."""
    service = InjectionService(EngineInjector.load(SettingsFlags(offline=True)))

    def patch(names: str) -> Any:
        answer = service.review(json.dumps(review_of(pod_with_templates(names))).encode(), "/inject")
        return json.loads(base64.b64decode(answer["response"]["patch"]))

    assert patch(",".join(["sidecar"] * 8000)) == patch("sidecar,sidecar")


DEEP = (
    b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
)
HUGE_INT = json.dumps(review_of(POD)).replace('"uid-1"', "1" + "0" * 5000).encode()


def _without(key: str) -> bytes:
    review = review_of(POD)
    del review["request"][key]
    return json.dumps(review).encode()


MALFORMED = [
    pytest.param(b"{not json", "not JSON", id="invalid-json"),
    pytest.param(DEEP[:50_000] + b"]" * 10, "nested too deeply", id="deeply-nested-json"),
    pytest.param(DEEP, "nested too deeply", id="deeply-nested-json-parsed-by-a-worker"),
    pytest.param(HUGE_INT, "4300 digits", id="5000-digit-integer"),
    pytest.param(
        json.dumps({**review_of(POD), "kind": "Pod"}).encode(), "expected kind AdmissionReview", id="wrong-kind"
    ),
    pytest.param(
        json.dumps({**review_of(POD), "apiVersion": "admission.k8s.io/v9"}).encode(),
        "expected kind AdmissionReview",
        id="wrong-api-version",
    ),
    pytest.param(
        json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).encode(),
        "has no request",
        id="missing-request",
    ),
    pytest.param(_without("uid"), "has no uid", id="missing-uid"),
    pytest.param(json.dumps(review_of(POD, uid="")).encode(), "has no uid", id="empty-uid"),
    pytest.param(
        json.dumps(review_of({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}})).encode(),
        "only Pods",
        id="non-pod-object",
    ),
]


@pytest.mark.parametrize(("body", "reason"), MALFORMED)
def test_malformed_reviews_get_400(start_server: ServerFactory, body: bytes, reason: str) -> None:
    server, client = start_server(injector=None)
    status, answer = client.request("/inject", body)
    assert status == 400 and reason in answer.decode(), answer[:300]
    assert server.metrics.result_count("bad_request") == 1
    assert client.review(review_of(POD))["response"]["allowed"] is True


def _tls(port: int, ca: Path) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(ca))
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return context.wrap_socket(sock, server_hostname="127.0.0.1")


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    return data


MALFORMED_HTTP = [
    pytest.param(b"GARBAGE\r\n\r\n", id="bad-request-line"),
    pytest.param(b"POST /inject HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", id="bad-content-length"),
    pytest.param(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n", id="header-too-long"),
    pytest.param(
        b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n", id="too-many-headers"
    ),
    pytest.param(b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", id="bad-chunk"),
]


def test_malformed_http_is_logged_as_json_lines(certs: CertPair) -> None:
    port = _free_port()
    proc = _serve(certs, port, "--header-timeout", "0.5", "--max-connections", "8")
    try:
        client = Client(f"https://127.0.0.1:{port}", client_context(certs.ca))
        _wait_for(lambda: _ready(client, proc), "the server did not become ready", 60)
        for param in MALFORMED_HTTP:
            with _tls(port, certs.ca) as tls:
                tls.sendall(param.values[0])
                answer = _read_all(tls)
            assert answer.startswith(b"HTTP/1.") and answer.split(b" ", 2)[1].startswith(b"4"), (param.id, answer[:200])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as plain:  # no TLS at all
            plain.sendall(b"GET /healthz HTTP/1.1\r\n\r\n")
            _read_all(plain)
        with _tls(port, certs.ca) as slow:  # a request head that never completes
            slow.sendall(b"POST /inject HTTP/1.1\r\n")
            assert _read_all(slow) == b"", "closed after the header timeout"
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as over_cap:
            assert _read_all(over_cap) == b"", "a connection past the cap is closed at once"
        for sock in held:
            sock.close()
        assert client.review(review_of(POD, uid="still"))["response"]["allowed"] is True
        metrics = client.request("/metrics")[1].decode()
        assert 'event="connection_refused"} 1' in metrics and 'event="header_timeout"}' in metrics
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert "Traceback" not in text
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one JSON object
    messages = [entry["msg"] for entry in entries]
    assert "TLS handshake failed" in messages
    assert messages.count("bad HTTP request") == len(MALFORMED_HTTP)
    assert "connection closed: no complete request head within the header timeout" in messages
    assert "connection refused: at the connection cap" in messages


def _ready(client: Client, proc: subprocess.Popen[bytes]) -> bool:
    assert proc.poll() is None, proc.communicate()[1].decode()
    try:
        return client.request("/readyz")[0] == 200
    except OSError:
        return False


@pytest.mark.parametrize(
    ("template", "deterministic"),
    [
        pytest.param("x: {{ .Values.global.hub }}\n", True, id="values-only"),
        pytest.param("x: {{ randAlphaNum 5 }}\n", False, id="random"),
        pytest.param('x: {{ now | date "2006" }}\n', False, id="clock"),
        pytest.param("x: {{ uuidv4 }}\n", False, id="uuid"),
    ],
)
def test_settings_with_random_templates_are_not_cached(tmp_path: Path, template: str, deterministic: bool) -> None:
    path = tmp_path / "inject-config.yaml"
    path.write_text(config_with(extra=template))
    assert EngineInjector.load(SettingsFlags(offline=True, inject_config_file=str(path))).deterministic is deterministic


def test_a_reload_that_changes_nothing_keeps_workers_and_cache(tmp_path: Path) -> None:
    """A comment added to the file (or the periodic re-read of unchanged ConfigMaps) loads the same
    settings: no new generation, so the workers and the answer cache stay."""
    from sidecarctl.webhook.reload import SettingsReloader

    path = tmp_path / "inject-config.yaml"
    path.write_text(config_with())
    reloader = SettingsReloader(SettingsFlags(offline=True, inject_config_file=str(path)), EngineInjector.load)
    path.write_text("# a comment\n" + config_with())
    assert reloader.check() is None
    path.write_text(config_with(extra="x: y\n"))
    assert reloader.check() is not None
