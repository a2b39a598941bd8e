"""`sidecarctl webhook serve` as a user runs it: a real process, real HTTPS, SIGTERM to stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from webhook_certs import CertPair
from webhook_support import Client, client_context, review_of

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "sleep", "namespace": "default"},
    "spec": {"containers": [{"name": "sleep", "image": "curlimages/curl"}]},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(*args: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "sidecarctl", "webhook", "serve", "--address", "127.0.0.1", *args]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "ENABLE_NATIVE_SIDECARS": "false"}
    )


def _wait_ready(client: Client, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1].decode()
        try:
            if client.request("/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")


def _stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err.decode()


def _exit_of(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Exit code and stderr of a server expected to fail at start; stopped if it does not."""
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        return _stop(proc)
    return proc.returncode, err.decode()


def test_serve_offline_injects_and_stops_on_sigterm(certs: CertPair) -> None:
    port = _free_port()
    proc = _serve(
        "--port", str(port), "--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key), "--offline"
    )
    try:
        client = Client(f"https://127.0.0.1:{port}", client_context(certs.ca))
        _wait_ready(client, proc)
        response = client.review(review_of(POD, uid="cli-1"))["response"]
        assert response["uid"] == "cli-1" and response["allowed"] is True and response["patchType"] == "JSONPatch"
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    answered = [entry for entry in lines if entry["msg"] == "admission request answered"]
    assert answered and answered[0]["uid"] == "cli-1" and answered[0]["result"] == "injected"
    assert answered[0]["pod"] == "default/sleep"
    assert any(entry["msg"] == "stopped" for entry in lines)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--tls-cert-file", "/nonexistent.crt", "--tls-key-file", "/nonexistent.key", "--offline"],
            "cannot load the TLS certificate",
            id="missing-certificate",
        ),
        pytest.param(
            ["--offline", "--injectConfigFile", "/nonexistent.yaml"], "nonexistent.yaml", id="missing-settings"
        ),
    ],
)
def test_serve_errors_are_one_line(certs: CertPair, args: list[str], message: str) -> None:
    if "--tls-cert-file" not in args:
        args = ["--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key), *args]
    code, err = _exit_of(_serve("--port", str(_free_port()), *args))
    assert code != 0
    assert message in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Error: ")


def test_port_in_use(certs: CertPair) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = _exit_of(
            _serve(
                "--port", str(port), "--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key), "--offline"
            )
        )
    assert code != 0 and f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
