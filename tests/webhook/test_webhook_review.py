"""Defects found by the adversarial review of the webhook server (issue #12): each test failed
before its fix."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from webhook_certs import CertPair, make_server_cert
from webhook_support import FakeInjector, ServerFactory, client_context, review_of

from sidecarctl.releases import newest
from sidecarctl.webhook.engine import EngineInjector, InjectRequest, SettingsFlags
from sidecarctl.webhook.service import ResultCache

DEFAULTS = Path(__file__).resolve().parents[2] / "sidecarctl" / "defaults" / newest().defaults


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "app"}]},
    }


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, what
        time.sleep(0.02)


class StuckInjector(FakeInjector):
    """Pods named `stuck-*` block in one native call (a sleep) until the worker is killed."""

    def inject(self, request: InjectRequest) -> dict[str, Any]:
        if request.pod["metadata"]["name"].startswith("stuck"):
            time.sleep(300)
        return super().inject(request)


def test_more_hostile_reviews_than_max_workers_do_not_starve_other_pods(start_server: ServerFactory) -> None:
    """Each slow review gets a stand-in worker, up to --max-workers; once that many slow reviews
    run, a normal pod used to queue until its own deadline and be refused. Now the slow review
    that has run longest is stopped (and refused) to make room for a waiting one."""
    server, client = start_server(StuckInjector(), workers=1, max_workers=2, request_timeout=8.0)
    assert server.pool is not None
    stop = threading.Event()

    def hostile(i: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                client.request("/inject", json.dumps(review_of(_pod(f"stuck-{i}-{n}"), uid=f"h{i}")).encode())
            except OSError:  # the server stopped at the test's end
                return

    threads = [threading.Thread(target=hostile, args=(i,), daemon=True) for i in range(3)]
    for thread in threads:
        thread.start()
    try:
        pool = server.pool
        _wait_for(
            lambda: pool.killed > 0 or (pool.live == 2 and not pool._idle and all(w.niced for w in pool._busy)),
            "the hostile reviews never held every worker",
        )
        answers = [client.review(review_of(_pod(f"normal-{i}"), uid=f"n{i}"))["response"] for i in range(3)]
    finally:
        stop.set()
    assert [(a["uid"], a["allowed"], "patch" in a) for a in answers] == [(f"n{i}", True, True) for i in range(3)]
    assert server.pool.killed >= 1


def _config_with(**templates: str) -> str:
    config = yaml.safe_load((DEFAULTS / "inject-config.yaml").read_text())
    config["templates"].update(templates)
    return yaml.safe_dump(config)


@pytest.mark.parametrize(
    "template",
    [
        # Sprig's getHostByName picks one of the name's addresses at random, as Go's does
        pytest.param('x: {{ getHostByName "localhost" }}\n', id="getHostByName"),
    ],
)
def test_templates_with_a_random_pick_are_not_cached(tmp_path: Path, template: str) -> None:
    path = tmp_path / "inject-config.yaml"
    path.write_text(_config_with(extra=template))
    assert EngineInjector.load(SettingsFlags(offline=True, inject_config_file=str(path))).deterministic is False


def test_a_worker_that_died_while_idle_costs_no_pod(start_server: ServerFactory) -> None:
    """A render worker killed while idle (the OOM killer, a stray signal) used to be handed the
    next review, which was then refused as an internal error."""
    server, client = start_server(workers=2)
    pool = server.pool
    assert pool is not None
    idle = list(pool._idle)
    assert len(idle) == 2
    for worker in idle:
        os.kill(worker.pid, signal.SIGKILL)
    _wait_for(lambda: all(worker.reader.at_eof() for worker in idle), "the server never saw the workers go")
    answers = [client.review(review_of(_pod(f"after-{i}"), uid=f"a{i}"))["response"] for i in range(3)]
    assert [(a["allowed"], "patch" in a) for a in answers] == [(True, True)] * 3


def test_idle_keepalive_connections_cannot_hold_the_connection_cap(
    start_server: ServerFactory, certs: CertPair
) -> None:
    """Connections that sent one request and then idle used to keep their slot for --idle-timeout
    (60 s): anyone able to reach the Service could fill --max-connections with them, and the API
    server's own connections were refused at accept. At the cap, the connection that has idled
    longest now gives way to the new one."""
    server, client = start_server(max_connections=3)
    context = client_context(certs.ca)
    held = []
    for _ in range(3):
        conn = context.wrap_socket(
            socket.create_connection(("127.0.0.1", server.port), timeout=10), server_hostname="127.0.0.1"
        )
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        held.append(conn)
    _wait_for(lambda: server.open_connections == 3, "the idle connections are not all open")
    response = client.review(review_of(_pod("web"), uid="after"))["response"]
    assert response["uid"] == "after" and "patch" in response
    for conn in held:
        conn.close()


def test_a_client_that_leaves_mid_body_is_no_internal_error(
    start_server: ServerFactory, certs: CertPair, caplog: pytest.LogCaptureFixture
) -> None:
    """A client closing its connection halfway through the body is the client's doing: it used to be
    logged as the server's `internal error` (level error, the alerting kind)."""
    caplog.set_level(logging.INFO, logger="sidecarctl.webhook")
    server, _ = start_server()
    context = client_context(certs.ca)
    with context.wrap_socket(
        socket.create_connection(("127.0.0.1", server.port), timeout=10), server_hostname="127.0.0.1"
    ) as conn:
        conn.sendall(
            b"POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"apiVersion":'
        )
        time.sleep(0.2)  # the handler is reading the body
    _wait_for(
        lambda: any(
            "body" in r.getMessage() or r.getMessage() == "internal error"
            for r in caplog.records
            if r.name.startswith("sidecarctl.webhook")
        ),
        "the server logged nothing",
    )
    errors = [
        r.getMessage() for r in caplog.records if r.name.startswith("sidecarctl.webhook") and r.levelname == "ERROR"
    ]
    assert errors == []


def test_slow_bodies_cannot_hold_the_connection_cap(start_server: ServerFactory, certs: CertPair) -> None:
    """A connection that sends its head and then trickles its body is in a request for up to the
    review's deadline, so idle-connection eviction cannot free it: a few hundred such connections a
    second kept the cap full. At the cap, a body that has been arriving for over a second now gives
    way too (the API server sends its body at once)."""
    server, client = start_server(max_connections=3, request_timeout=60.0)
    context = client_context(certs.ca)
    held = []
    for _ in range(3):
        conn = context.wrap_socket(
            socket.create_connection(("127.0.0.1", server.port), timeout=10), server_hostname="127.0.0.1"
        )
        conn.sendall(
            b"POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        held.append(conn)
    _wait_for(lambda: server.open_connections == 3, "the slow bodies are not all open")
    time.sleep(1.2)  # older than the grace a body gets
    response = client.review(review_of(_pod("web"), uid="after"))["response"]
    assert response["uid"] == "after" and "patch" in response
    for conn in held:
        conn.close()


def test_stalled_tls_handshakes_cannot_hold_the_connection_cap(start_server: ServerFactory) -> None:
    """A TCP connection that never sends its TLS ClientHello holds a slot for --header-timeout and
    costs its sender nothing: a couple of hundred a second kept the cap full. At the cap, a
    handshake stalled for over a second now gives way to the new connection."""
    server, client = start_server(max_connections=3)
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3)]
    _wait_for(lambda: server.open_connections == 3, "the stalled handshakes are not all open")
    time.sleep(1.2)  # older than the grace a handshake gets
    response = client.review(review_of(_pod("web"), uid="after"))["response"]
    assert response["uid"] == "after" and "patch" in response
    for conn in held:
        conn.close()


def test_the_result_cache_counts_every_byte_it_keeps() -> None:
    """The cache's byte bound counted only the patch: a pod's warnings (Istio echoes an invalid
    `sidecar.istio.io/inject` value, up to the 256 KiB a review parsed in the loop may carry) and
    its logged name were kept uncounted, so hostile pods could hold 1,024 x 256 KiB."""
    cache = ResultCache(max_entries=1024, max_bytes=200_000)
    for i in range(10):
        response = {"allowed": True, "warnings": ["Invalid value for sidecar.istio.io/inject: " + "x" * 50_000]}
        cache.put(bytes([i]), "injected", response, {"pod": "default/" + "p" * 10_000})
    assert 1 <= len(cache) <= 3


def test_the_live_tls_context_is_changed_only_on_the_event_loop_thread(
    start_server: ServerFactory, certs: CertPair, ca: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A certificate rotation loaded the new pair into the live SSLContext from an executor thread,
    with the GIL released, while the event loop thread made SSL objects from that context for new
    connections: OpenSSL's context is not safe to change under them (a handshake could take the new
    certificate with the old key, or read a freed chain). The loop thread is the only one that
    makes connections, so the live context is now changed there."""
    live = tmp_path / "live"
    live.mkdir()
    shutil.copy(certs.cert, live / "tls.crt")
    shutil.copy(certs.key, live / "tls.key")
    server, client = start_server(pair=CertPair(certs.ca, live / "tls.crt", live / "tls.key"), reload_interval=0.1)
    threads: list[str] = []
    original = ssl.SSLContext.load_cert_chain

    def recording(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        if context is server.tls.context:
            threads.append(threading.current_thread().name)
        original(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", recording)
    rotated = make_server_cert(tmp_path, ca, name="rotated", cn="rotated.test")
    shutil.copy(rotated.key, live / "tls.key")
    shutil.copy(rotated.cert, live / "tls.crt")
    _wait_for(lambda: 'what="tls",result="ok"' in server.metrics.render(), "the certificate was not reloaded")
    assert threads and set(threads) == {"webhook-server"}


def test_readyz_fails_once_workers_cannot_be_forked(start_server: ServerFactory) -> None:
    """Without its zygote (its workers die with it) a replica refuses every pod at the deadline; it
    stayed ready until the liveness probe restarted it, so its Service kept sending it reviews that
    another replica would have answered."""
    server, client = start_server()
    assert server.pool is not None and client.request("/readyz") == (200, b"ok\n")
    os.kill(server.pool.zygote.pid, signal.SIGKILL)
    _wait_for(lambda: client.request("/healthz")[0] == 503, "/healthz still ok without a zygote")
    assert client.request("/readyz")[0] == 503
