#!/usr/bin/env python3
"""Load on `sidecarctl webhook serve` over loopback: requests/s, latency, errors, memory.

    python3 bench/bench_webhook.py [--seconds 20] [--clients 16] [--hostile 4] [--phases ...]

Starts the real server (`sidecarctl webhook serve`, its acceptor and render processes) on
127.0.0.1 with a throwaway certificate and the built-in settings plus two hostile templates, and
drives it with keep-alive HTTPS clients (aiohttp) that send AdmissionReviews of the sleep pod
(samples/sleep, as its ReplicaSet creates it) and check every answer (HTTP 200, the request's uid,
allowed, a patch). Phases, each against a server with the result cache on (the default) and one
with `--cache-entries 0`:

- sleep: the sleep pod, every request injected (or, with the cache, answered from it);
- floor: the same stack answering a review it does not inject (the pod says
  `sidecar.istio.io/inject: "false"`): TLS, HTTP, parsing, the decision, the worker round trip;
- hostile: the sleep pod again while `--hostile` more clients send hostile reviews, each pod
  distinct so no cache helps them: a 64 KB `inject.istio.io/templates: sidecar,sidecar,...`
  annotation, a template matching a catastrophic regular expression against a long input, and a
  template ranging over `until 100000000`; those must be answered (injected or refused at the
  deadline), never hang, and the normal pods must keep their figures;
- memory: 2,000 connections that complete TLS and then send a request head a byte at a time,
  against a server whose cap and header timeout would let all of them stay (the worst case):
  the server's memory (PSS and RSS summed over its processes) while they are open.

Both clients and server share this machine's cores, so the figures include the clients' own
CPU. Beside each figure: CPU milliseconds per answered request, of the server's processes and of the
clients, which do not depend on the machine's other load as wall-clock figures do: two cores divided
by their sum bound what a quiet machine can reach. A measurement script, not a test: bounded by
--seconds; exits 1 when a request failed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
try:
    import aiohttp  # noqa: F401
    import yaml
except ImportError:  # run by a python3 without the project's dependencies: use the venv's
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

import argparse
import asyncio
import copy
import json
import platform
import resource
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from typing import Any

import aiohttp

SERVER_PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
REGEX_TEMPLATE = '{{ if regexMatch "^(a+)+$" (repeat 50000 "a" | printf "%sb") }}x: y{{ end }}\n'
RANGE_TEMPLATE = "{{ range until 100000000 }}{{ end }}\n"


def sleep_pod() -> dict[str, Any]:
    """The pod the sleep Deployment's ReplicaSet creates (generateName, owner reference, hash label)."""
    docs = list(yaml.safe_load_all((ROOT / "samples" / "sleep" / "sleep.yaml").read_text()))
    deployment = next(d for d in docs if d and d.get("kind") == "Deployment")
    template = copy.deepcopy(deployment["spec"]["template"])
    meta = template["metadata"]
    meta["labels"]["pod-template-hash"] = "7d9c6f8b5"
    meta.update(
        {
            "generateName": "sleep-7d9c6f8b5-",
            "namespace": "default",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "sleep-7d9c6f8b5",
                    "uid": "0b1c2d3e",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        }
    )
    return {"apiVersion": "v1", "kind": "Pod", **template}


def review(pod: dict[str, Any], uid: str) -> bytes:
    return json.dumps(
        {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": uid,
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "namespace": "default",
                "operation": "CREATE",
                "object": pod,
            },
        }
    ).encode()


def hostile_pod(base: dict[str, Any], i: int) -> dict[str, Any]:
    pod = copy.deepcopy(base)
    meta = pod["metadata"]
    meta["labels"] = {**meta["labels"], "hostile": str(i)}  # distinct: the cache cannot help
    kind = i % 3
    if kind == 0:
        names = ",".join(["sidecar"] * (64 * 1024 // len("sidecar,")))
    elif kind == 1:
        names = "sidecar,hostile-regex"
    else:
        names = "sidecar,hostile-range"
    meta["annotations"] = {"inject.istio.io/templates": names}
    return pod


# --- the server ---------------------------------------------------------------------------------


def make_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def inject_config(folder: Path) -> Path:
    """The built-in inject config plus the hostile templates (only pods that ask get them)."""
    from sidecarctl.releases import newest

    defaults = ROOT / "sidecarctl" / "defaults" / newest().defaults  # what --offline uses
    config = yaml.safe_load((defaults / "inject-config.yaml").read_text())
    config["templates"]["hostile-regex"] = REGEX_TEMPLATE
    config["templates"]["hostile-range"] = RANGE_TEMPLATE
    path = folder / "inject-config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


class Server:
    def __init__(self, folder: Path, cert: Path, key: Path, config: Path, extra: list[str], log_name: str) -> None:
        self.port = free_port()
        self.log_path = folder / log_name
        self._log = open(self.log_path, "wb")
        cmd = [
            SERVER_PYTHON,
            "-m",
            "sidecarctl",
            "webhook",
            "serve",
            "--address",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--tls-cert-file",
            str(cert),
            "--tls-key-file",
            str(key),
            "--offline",
            "--injectConfigFile",
            str(config),
            "--no-native-sidecars",
            *extra,
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._log, cwd=ROOT)
        self.context = ssl.create_default_context(cafile=str(cert))

    async def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=self.context)) as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise SystemExit(f"error: the server exited: {self.log_path.read_text()[-2000:]}")
                try:
                    async with session.get(f"https://127.0.0.1:{self.port}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit("error: the server did not become ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def cpu_seconds(self) -> dict[int, float]:
        """User and system CPU of each of the server's processes so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        out: dict[int, float] = {}
        for pid in descendants(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                pass
        return out

    def tracebacks(self) -> int:
        return self.log_path.read_text(errors="replace").count("Traceback")

    def memory(self) -> tuple[float, float, int, float]:
        """(PSS MiB, RSS MiB, processes) summed over the server and its descendants, and the RSS
        of the acceptor (the process holding the connections) alone."""
        pids = descendants(self.proc.pid)
        pss = rss = 0
        acceptor = 0.0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
                        if pid == self.proc.pid:
                            acceptor = int(line.split()[1]) / 1024
            except OSError:
                pass
        return pss / 1024, rss / 1024, len(pids), acceptor


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the clients --------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.outcomes: dict[str, int] = {}
        self.cpu_ms = (0.0, 0.0)  # CPU per answered request: the server's processes, these clients


async def drive(
    server: Server, pod: dict[str, Any], clients: int, seconds: float, expect_patch: bool, hostile: int = 0
) -> tuple[Tally, Tally, float]:
    """`clients` sending `pod` (and `hostile` clients sending hostile pods) for `seconds`."""
    normal, bad = Tally(), Tally()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))
    url = f"https://127.0.0.1:{server.port}/inject"
    headers = {"Content-Type": "application/json"}

    async def client(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < stop_at:
            i = next(counter)
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=review(pod, f"b-{i}"), headers=headers) as resp:
                    body = await resp.read()
                normal.latencies.append(time.perf_counter() - t0)
                check(resp.status, body, f"b-{i}", expect_patch, normal.errors)
            except (TimeoutError, aiohttp.ClientError) as e:
                normal.errors.append(f"request {i}: {type(e).__name__}: {e}")

    async def attacker(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < stop_at:
            i = next(counter)
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=review(hostile_pod(pod, i), f"h-{i}"), headers=headers) as resp:
                    body = await resp.read()
                bad.latencies.append(time.perf_counter() - t0)
                response = json.loads(body).get("response") or {} if resp.status == 200 else {}
                if response.get("uid") != f"h-{i}" or (response.get("allowed") is True and "patch" not in response):
                    bad.errors.append(f"hostile {i}: HTTP {resp.status} {body[:200]!r}")
                outcome = "injected" if response.get("allowed") else "refused"
                bad.outcomes[outcome] = bad.outcomes.get(outcome, 0) + 1
            except (TimeoutError, aiohttp.ClientError) as e:
                bad.errors.append(f"hostile {i}: {type(e).__name__}: {e}")

    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=server.context, limit=clients), timeout=timeout
        ) as session,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=server.context, limit=max(1, hostile)), timeout=timeout
        ) as hostile_session,
    ):
        # sampled through the phase: a worker killed at a deadline takes its counts with it
        # (what it spent in its last quarter second is missed)
        start_cpu, own = server.cpu_seconds(), os.times()
        seen = dict(start_cpu)

        async def sample() -> None:
            while True:
                seen.update(server.cpu_seconds())
                await asyncio.sleep(0.25)

        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        await asyncio.gather(
            *(client(session) for _ in range(clients)), *(attacker(hostile_session) for _ in range(hostile))
        )
        elapsed = time.perf_counter() - started
        sampler.cancel()
        seen.update(server.cpu_seconds())
        now = os.times()
        answered = max(1, len(normal.latencies) + len(bad.latencies))
        spent = sum(cpu - start_cpu.get(pid, 0.0) for pid, cpu in seen.items())
        normal.cpu_ms = (spent * 1000 / answered, ((now.user + now.system) - (own.user + own.system)) * 1000 / answered)
    return normal, bad, elapsed


def check(status: int, body: bytes, uid: str, expect_patch: bool, errors: list[str]) -> None:
    if status != 200:
        errors.append(f"{uid}: HTTP {status}: {body[:200]!r}")
        return
    response = json.loads(body).get("response") or {}
    if response.get("uid") != uid or response.get("allowed") is not True or ("patch" in response) != expect_patch:
        errors.append(f"{uid}: unexpected answer {str(response)[:200]}")


async def slow_heads(server: Server, count: int, hold: float) -> tuple[int, float, float, int, float]:
    """`count` TLS connections each sending a request head a byte at a time; the server's memory
    once all are open. Returns (connections open, PSS MiB, RSS MiB, server processes, acceptor RSS MiB)."""
    head = b"POST /inject HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    writers: list[asyncio.StreamWriter] = []
    semaphore = asyncio.Semaphore(64)

    async def connect() -> None:
        async with semaphore:
            try:
                _, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", server.port, ssl=server.context), 30
                )
                writer.write(head[:1])
                await writer.drain()
                writers.append(writer)
            except (OSError, TimeoutError, ssl.SSLError):
                pass

    await asyncio.gather(*(connect() for _ in range(count)))
    stop_at = time.monotonic() + hold
    peak = (0.0, 0.0, 0, 0.0)
    position = 1
    while time.monotonic() < stop_at:
        for writer in writers:
            if position < len(head) and not writer.is_closing():
                writer.write(head[position : position + 1])
        position += 1
        await asyncio.sleep(1.0)
        sample = server.memory()
        if sample[0] > peak[0]:
            peak = sample
    open_now = sum(1 for w in writers if not w.is_closing())
    for writer in writers:
        writer.close()
    return open_now, *peak


# --- report -------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def line(label: str, tally: Tally, elapsed: float) -> str:
    n = len(tally.latencies)
    return (
        f"  {label:<34} {n / elapsed:8.1f} req/s   p50 {pct(tally.latencies, 0.5):6.1f} ms   "
        f"p99 {pct(tally.latencies, 0.99):7.1f} ms   max {pct(tally.latencies, 1):7.1f} ms   "
        f"errors {len(tally.errors)}   CPU/request: server {tally.cpu_ms[0]:.2f} ms, clients {tally.cpu_ms[1]:.2f} ms"
    )


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


async def run(args: argparse.Namespace) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    base = sleep_pod()
    floor_pod = copy.deepcopy(base)
    floor_pod["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
    failed = False
    goals: list[str] = []
    print(f"webhook bench: {machine()}")
    print(
        f"  {args.clients} keep-alive HTTPS clients over loopback, {args.seconds:g} s a phase; "
        f"hostile phase adds {args.hostile} clients; the clients share the machine's cores"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert, key = make_cert(folder)
        config = inject_config(folder)
        variants = [("cached", []), ("uncached", ["--cache-entries", "0"])]
        for name, extra in variants:
            if not {"sleep", "floor", "hostile"} & set(args.phases):
                break
            server = Server(folder, cert, key, config, [*extra, *args.server_args], f"server-{name}.log")
            try:
                await server.wait_ready()
                await drive(server, base, 2, 1.0, True)  # warm-up: workers forked, caches filled
                print(f"server {name}: sidecarctl webhook serve {' '.join(extra + args.server_args) or '(defaults)'}")
                if "sleep" in args.phases:
                    normal, _, elapsed = await drive(server, base, args.clients, args.seconds, True)
                    print(line(f"sleep pod ({name})", normal, elapsed))
                    failed |= report_errors(normal)
                    goals.append(
                        f"sleep pod ({name}): >= 800 req/s and p99 <= 30 ms, 0 errors: "
                        + verdict(
                            len(normal.latencies) / elapsed >= 800
                            and pct(normal.latencies, 0.99) <= 30
                            and not normal.errors
                        )
                    )
                if "floor" in args.phases:
                    normal, _, elapsed = await drive(server, floor_pod, args.clients, args.seconds, False)
                    print(line(f"floor: not injected ({name})", normal, elapsed))
                    failed |= report_errors(normal)
                if "hostile" in args.phases:
                    normal, bad, elapsed = await drive(server, base, args.clients, args.seconds, True, args.hostile)
                    print(line(f"sleep pod under attack ({name})", normal, elapsed))
                    goals.append(
                        f"under attack ({name}): normal pods p99 <= 100 ms, 0 errors: "
                        + verdict(pct(normal.latencies, 0.99) <= 100 and not normal.errors and not bad.errors)
                    )
                    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(bad.outcomes.items()))
                    print(
                        f"  {'  hostile reviews':<34} {len(bad.latencies) / elapsed:8.1f} req/s   "
                        f"p50 {pct(bad.latencies, 0.5):6.1f} ms   max {pct(bad.latencies, 1):7.1f} ms   "
                        f"({outcomes}) errors {len(bad.errors)}"
                    )
                    failed |= report_errors(normal) | report_errors(bad)
            finally:
                server.stop()
            if server.tracebacks():
                print(f"  !! {server.tracebacks()} tracebacks in the server log")
                failed = True
        if "memory" in args.phases:
            count = args.slow_connections
            extra = ["--max-connections", str(count + 100), "--header-timeout", "120", "--idle-timeout", "120"]
            server = Server(folder, cert, key, config, extra, "server-memory.log")
            try:
                await server.wait_ready()
                idle_pss, idle_rss, _, idle_acceptor = server.memory()
                open_now, pss, rss, procs, acceptor = await slow_heads(server, count, args.hold)
            finally:
                server.stop()
            goals.append(
                f"{count} slow-header connections: server memory <= 256 MiB (PSS): "
                + verdict(open_now >= count and pss <= 256)
            )
            print(f"memory: {open_now} slow-header connections open (server run with {' '.join(extra)}):")
            print(
                f"  server total PSS {pss:.0f} MiB over {procs} processes (RSS summed {rss:.0f} MiB counts the "
                f"pages the forked processes share once each); acceptor RSS {acceptor:.0f} MiB"
            )
            print(
                f"  idle before: total PSS {idle_pss:.0f} MiB (RSS summed {idle_rss:.0f}), acceptor RSS "
                f"{idle_acceptor:.0f} MiB"
            )
    print("goals (issue #12; the wall-clock ones need a quiet machine):")
    for goal in goals:
        print(f"  {goal}")
    return 1 if failed else 0


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report_errors(tally: Tally) -> bool:
    for error in tally.errors[:5]:
        print(f"    {error}")
    return bool(tally.errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
    parser.add_argument("--clients", type=int, default=16, help="keep-alive clients sending normal pods")
    parser.add_argument("--hostile", type=int, default=4, help="clients sending hostile reviews in the hostile phase")
    parser.add_argument(
        "--phases",
        nargs="+",
        default=["sleep", "floor", "hostile", "memory"],
        choices=["sleep", "floor", "hostile", "memory"],
    )
    parser.add_argument("--slow-connections", type=int, default=2000)
    parser.add_argument("--hold", type=float, default=8.0, help="seconds the slow connections are held")
    parser.add_argument(
        "--server-args", nargs=argparse.REMAINDER, default=[], help="more `webhook serve` flags (last on the line)"
    )
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
