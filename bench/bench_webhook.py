#!/usr/bin/env python3
"""Load on `sidecarctl webhook serve` over loopback: requests/s, p50/p99 latency, errors.

    .venv/bin/python bench/bench_webhook.py [--concurrency 16] [--requests 2000] [--duration 60] [--fake-engine]

The server runs in a child process (so client and server do not share a GIL) on 127.0.0.1 with a
throwaway certificate, with the built-in settings (`--offline`), or with `--fake-engine` a stand-in
that adds one container (the server's own overhead: TLS, JSON, decision, patch). The clients send
AdmissionReviews of the seed's sleep pod, as the API server would, over keep-alive HTTPS
connections, and check each answer (HTTP 200, the request's uid, allowed, a patch).

A measurement script, not a test: bounded by --requests and --duration, it prints figures and exits
non-zero only when a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLEEP_POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "sleep-7d9c6f8b5-", "namespace": "default",
                 "labels": {"app": "sleep", "pod-template-hash": "7d9c6f8b5"},
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "sleep-7d9c6f8b5",
                                      "uid": "0b1c", "controller": True, "blockOwnerDeletion": True}]},
    "spec": {"serviceAccountName": "sleep", "terminationGracePeriodSeconds": 0,
             "containers": [{"name": "sleep", "image": "curlimages/curl", "command": ["/bin/sleep", "infinity"],
                             "imagePullPolicy": "IfNotPresent",
                             "volumeMounts": [{"mountPath": "/etc/sleep/tls", "name": "secret-volume"}]}],
             "volumes": [{"name": "secret-volume", "secret": {"secretName": "sleep-secret", "optional": True}}]},
}


def make_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class FakeInjector:
    def policy(self) -> Any:
        from sidecarctl.webhook.decision import InjectPolicy
        return InjectPolicy()

    def normalize(self, pod: dict[str, Any]) -> dict[str, Any]:
        return pod

    def inject(self, request: Any) -> dict[str, Any]:
        request.pod["spec"]["containers"].append({"name": "istio-proxy", "image": "proxyv2"})
        return request.pod  # type: ignore[no-any-return]


def serve_child(conn: Any, cert: str, key: str, fake: bool, workers: int, lifetime: float) -> None:
    """The server process: reports its port (or why it could not start) through `conn`."""
    from sidecarctl.webhook import logs
    from sidecarctl.webhook.engine import EngineInjector, SettingsFlags
    from sidecarctl.webhook.reload import SettingsReloader
    from sidecarctl.webhook.server import ServerConfig, WebhookServer

    logs.setup("error")
    try:
        loader = (lambda _f: FakeInjector()) if fake else EngineInjector.load
        reloader = SettingsReloader(SettingsFlags(offline=True), loader)
        server = WebhookServer(ServerConfig(host="127.0.0.1", port=0, cert_file=cert, key_file=key, workers=workers,
                                            lifetime=lifetime), reloader)
    except Exception as e:  # reported to the parent, which prints it
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return

    async def main() -> None:
        conn.send(("port", await server.start()))
        loop = asyncio.get_running_loop()
        import signal
        loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(server.stop()))
        await server.wait_stopped()

    asyncio.run(main())


def review(i: int) -> bytes:
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                       "request": {"uid": f"bench-{i}", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                   "resource": {"group": "", "version": "v1", "resource": "pods"},
                                   "namespace": "default", "operation": "CREATE", "object": SLEEP_POD}}).encode()


async def load(port: int, cert: Path, concurrency: int, total: int, duration: float) -> tuple[list[float], list[str], float]:
    import aiohttp

    context = ssl.create_default_context(cafile=str(cert))
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(total))
    deadline = time.monotonic() + duration

    async def client(session: aiohttp.ClientSession) -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            try:
                async with session.post(f"https://127.0.0.1:{port}/inject", data=review(i),
                                        headers={"Content-Type": "application/json"}) as resp:
                    body = await resp.read()
                latencies.append(time.perf_counter() - t0)
                check(resp.status, body, i, errors)
            except (TimeoutError, aiohttp.ClientError) as e:
                errors.append(f"request {i}: {type(e).__name__}: {e}")

    connector = aiohttp.TCPConnector(ssl=context, limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def check(status: int, body: bytes, i: int, errors: list[str]) -> None:
    if status != 200:
        errors.append(f"request {i}: HTTP {status}: {body[:200]!r}")
        return
    response = json.loads(body).get("response") or {}
    if response.get("uid") != f"bench-{i}" or response.get("allowed") is not True or "patch" not in response:
        errors.append(f"request {i}: unexpected answer {str(response)[:200]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=60.0, help="stop sending after this many seconds")
    parser.add_argument("--workers", type=int, default=4, help="the server's injection threads")
    parser.add_argument("--fake-engine", action="store_true", help="measure the server without the injection engine")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cert, key = make_cert(Path(tmp))
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=serve_child, args=(child, str(cert), str(key), args.fake_engine, args.workers,
                                                      args.duration + 60), daemon=True)
        proc.start()
        try:
            if not parent.poll(60):
                print("error: the server did not start within 60 s", file=sys.stderr)
                return 2
            kind, value = parent.recv()
            if kind == "error":
                print(f"error: the server could not start: {value}", file=sys.stderr)
                return 2
            asyncio.run(load(value, cert, 2, min(50, args.requests), args.duration))  # warm-up
            latencies, errors, elapsed = asyncio.run(load(value, cert, args.concurrency, args.requests, args.duration))
        finally:
            if proc.pid is not None and proc.is_alive():
                os.kill(proc.pid, 15)  # SIGTERM: the server drains and stops
            proc.join(30)
    report(args, latencies, errors, elapsed)
    return 1 if errors else 0


def report(args: argparse.Namespace, latencies: list[float], errors: list[str], elapsed: float) -> None:
    engine = "stand-in engine" if args.fake_engine else "built-in settings (--offline)"
    done = len(latencies)
    print(f"webhook load: {done} requests, concurrency {args.concurrency}, {engine}, {args.workers} workers")
    print(f"  throughput: {done / elapsed:.1f} requests/s over {elapsed:.2f} s")
    if latencies:
        print(f"  latency: p50 {percentile(latencies, 0.50) * 1000:.2f} ms, p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
              f"mean {statistics.fmean(latencies) * 1000:.2f} ms, max {max(latencies) * 1000:.2f} ms")
    print(f"  errors: {len(errors)}")
    for line in errors[:10]:
        print(f"    {line}")


if __name__ == "__main__":
    sys.exit(main())
