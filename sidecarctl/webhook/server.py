"""The HTTPS server: aiohttp behind an accept loop of our own, injection in killable processes.

Routes: POST `/inject` and `/inject/<k>/<v>/...` (AdmissionReview), GET `/healthz`, `/readyz`,
`/metrics`.

Shape (one acceptor, a pool of render processes; see sidecarctl.webhook.pool):
- The event loop only does network work and small JSON: TLS, HTTP, parsing a review up to
  `PARSE_IN_LOOP` bytes (larger bodies are parsed by a worker, so no body stalls the loop), the
  result cache, logging and metrics. It never runs a template, so /healthz and other pods are
  answered while any review renders.
- Every review has a deadline (`request_timeout` from its arrival, below the webhook's
  timeoutSeconds). The worker's template budget stops at it; a worker still busy then is killed
  and replaced, and the review is answered `allowed: false` with the reason (never admitted
  without its sidecar).
- Injection uses both cores: the acceptor and the workers are separate processes, and the
  workers render in parallel.
- Connections are bounded: at most `max_connections` open (at the cap the one idle longest makes
  room; a new one is closed at accept only when all are in a request), a request head must arrive
  within `header_timeout` of the connection or of its first byte, an idle keep-alive connection is
  closed after `idle_timeout`, request lines and headers are capped (`max_header_bytes`,
  `max_headers`), bodies by `max_body_bytes`. asyncio's TLS layer reads into a
  buffer it allocates per connection (256 KiB); it is lowered to `TLS_READ_BUFFER` (a TLS record is
  at most 16 KiB), so 2,000 stalled connections hold ~90 MiB, not ~600.
- Malformed HTTP and reviews are answered 4xx by aiohttp or by us, logged as one JSON line each.

SIGTERM drains: not ready, no new connections, in-flight reviews finish, then the workers stop.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import json
import logging
import signal
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from sidecarctl.webhook import admission, logs
from sidecarctl.webhook.metrics import Metrics
from sidecarctl.webhook.pool import WorkerLost, WorkerPool, Zygote
from sidecarctl.webhook.reload import SettingsReloader
from sidecarctl.webhook.service import Options, ResultCache
from sidecarctl.webhook.tls import TLSReloader

log = logs.get("server")
http_log = logs.get("http")
_SILENT = logs.get("http.aiohttp")  # aiohttp's own report of what handle_error has logged already
_SILENT.disabled = True

# Kubernetes caps a request at 3 MiB of etcd value; the review wraps the pod, so allow some more.
DEFAULT_MAX_BODY = 6 * 1024 * 1024
# Reviews up to this size are parsed in the event loop (~1 ms at most); larger ones by a worker.
PARSE_IN_LOOP = 256 * 1024
TLS_READ_BUFFER = 16 * 1024
# At the connection cap, a request body still arriving after this long may be cut off to make room
# (the API server sends its body at once; a trickled one holds a slot for the whole deadline).
SLOW_BODY_SECONDS = 1.0


@dataclass
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 9443
    cert_file: str = ""
    key_file: str = ""
    max_body_bytes: int = DEFAULT_MAX_BODY
    request_timeout: float = 5.0  # each review's deadline; the manifests' timeoutSeconds is 10
    reload_interval: float = 2.0
    shutdown_timeout: float = 15.0
    workers: int = 2  # render processes kept ready
    max_workers: int = 8  # forked on demand while all are busy
    slow_after: float = 0.1  # a render running this long gets a lower CPU priority, and a stand-in
    cache_entries: int = 1024  # answers remembered by pod content; 0: no cache
    header_timeout: float = 5.0
    idle_timeout: float = 60.0
    max_connections: int = 1000
    max_header_bytes: int = 16 * 1024
    max_headers: int = 64
    revision: str = ""
    native_sidecars: bool | None = False  # None: detect from the cluster's nodes
    lifetime: float | None = None  # stop by itself after this many seconds (tests, benchmarks)


class WebhookServer:
    def __init__(self, config: ServerConfig, settings: SettingsReloader) -> None:
        self.config = config
        self.settings = settings
        self.metrics = Metrics()
        self.options = Options(config.revision, config.native_sidecars)
        self.tls = TLSReloader(config.cert_file, config.key_file, on_load=self.metrics.certificate_loaded)
        self.cache = ResultCache(config.cache_entries)
        self.deterministic = bool(getattr(settings.injector, "deterministic", False))
        self.port = 0
        self.draining = False
        self.pool: WorkerPool | None = None
        self._runner: web.AppRunner | None = None
        self._listener: socket.socket | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._handshakes: dict[asyncio.Task[None], float] = {}  # TLS handshakes under way: since when
        self._open = 0
        self._connections: set[_Connection] = set()
        self._stopped = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_body_bytes, middlewares=[_errors])
        app.router.add_post("/inject", self.inject)
        app.router.add_post("/inject/{params:.*}", self.inject)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_page)
        return app

    async def start(self) -> int:
        loop = self._loop = asyncio.get_running_loop()
        loop.set_exception_handler(_loop_errors)
        asyncio.sslproto.SSLProtocol.max_size = TLS_READ_BUFFER
        # the zygote first: forked before this process has connections or executor threads
        self.pool = WorkerPool(
            Zygote(self.settings, self.options), self.config.workers, self.config.max_workers, self.config.slow_after
        )
        try:
            await self.pool.start()
            self._runner = web.AppRunner(
                self.app(), access_log=None, shutdown_timeout=self.config.shutdown_timeout, handle_signals=False
            )
            await self._runner.setup()
            self._listener = socket.create_server((self.config.host, self.config.port), backlog=1024)
        except BaseException:
            self.pool.close()
            raise
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._tasks = [asyncio.create_task(self._accept(self._listener)), asyncio.create_task(self._watch())]
        if self.config.lifetime:
            self._tasks.append(asyncio.create_task(self._expire(self.config.lifetime)))
        log.info(
            "serving",
            extra={
                "host": self.config.host,
                "port": self.port,
                "workers": self.config.workers,
                "deadline_seconds": self.config.request_timeout,
            },
        )
        return self.port

    # --- connections -------------------------------------------------------------------------

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, peer = await loop.sock_accept(listener)
            except OSError as e:  # EMFILE and the like: pause a little, never spin
                log.error("accept failed", extra={"reason": str(e)})
                await asyncio.sleep(0.1)
                continue
            if self._open >= self.config.max_connections and not self._evict_idle():
                conn.close()
                self.metrics.event("connection_refused")
                http_log.warning(
                    "connection refused: at the connection cap",
                    extra={"peer": peer[0], "max_connections": self.config.max_connections},
                )
                continue
            self._open += 1
            task = asyncio.create_task(self._handshake(conn, peer))
            self._handshakes[task] = loop.time()
            task.add_done_callback(self._handshake_done)

    async def _handshake(self, conn: socket.socket, peer: Any) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.connect_accepted_socket(
                lambda: _Connection(self), conn, ssl=self.tls.context, ssl_handshake_timeout=self.config.header_timeout
            )
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError, asyncio.CancelledError) as e:
            self._open -= 1
            conn.close()
            if not isinstance(e, asyncio.CancelledError):
                http_log.info("TLS handshake failed", extra={"peer": peer[0], "reason": str(e) or type(e).__name__})

    def _evict_idle(self) -> bool:
        """At the connection cap: close the connection that has waited longest for a request head
        (an idle keep-alive, or a slow head), else the one whose request body has been trickling in
        longest (past SLOW_BODY_SECONDS), so that connections doing nothing cannot keep the API
        server's out. False when every connection is in a request that is moving."""
        live = [c for c in self._connections if c.transport is not None and not c.transport.is_closing()]
        candidates = [(c.last_active, c) for c in live if c._awaiting_head()]
        why = "it was idle"
        stale = asyncio.get_running_loop().time() - SLOW_BODY_SECONDS
        if not candidates:
            candidates = [(c.body_since, c) for c in live if c.body_since is not None and c.body_since < stale]
            why = "its request body was still arriving"
        if not candidates:
            stalled = [(since, task) for task, since in self._handshakes.items() if since < stale and not task.done()]
            if not stalled:
                return False
            self.metrics.event("connection_evicted")
            http_log.info(
                "connection closed: its TLS handshake had stalled and the connection cap was reached",
                extra={"max_connections": self.config.max_connections},
            )
            min(stalled, key=lambda pair: pair[0])[1].cancel()  # the handshake's task closes it
            return True
        victim = min(candidates, key=lambda pair: pair[0])[1]
        self.metrics.event("connection_evicted")
        peer = victim.transport.get_extra_info("peername") if victim.transport else None
        http_log.info(
            f"connection closed: {why} and the connection cap was reached",
            extra={"peer": peer[0] if peer else "", "max_connections": self.config.max_connections},
        )
        victim.force_close()
        if victim.transport is not None:
            victim.transport.abort()  # now: a graceful TLS close would hold the slot a while longer
        return True

    def _handshake_done(self, task: asyncio.Task[None]) -> None:
        self._handshakes.pop(task, None)

    def _connection_closed(self) -> None:
        self._open -= 1

    @property
    def open_connections(self) -> int:
        return self._open

    # --- lifecycle ---------------------------------------------------------------------------

    async def stop(self) -> None:
        """Graceful: not ready any more, no new connections, in-flight requests finish."""
        if self.draining:
            return
        self.draining = True
        log.info("shutting down", extra={"grace_seconds": self.config.shutdown_timeout})
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        if self._listener is not None:
            self._listener.close()
        for task in list(self._handshakes):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.pool is not None:
            self.pool.close()
        self._stopped.set()
        log.info("stopped")

    def stop_from_thread(self, timeout: float = 60.0) -> None:
        """Stop a server whose event loop runs in another thread; returns once it has stopped."""
        loop = self._loop
        if self.draining or loop is None or loop.is_closed() or not loop.is_running():
            return  # stopped, stopping, or never started: nothing to wait for here
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout)

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def _expire(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        log.warning("lifetime reached, stopping", extra={"lifetime_seconds": seconds})
        await self.stop()

    async def _watch(self) -> None:
        """Poll the certificate and settings sources; settings loads run off the event loop (in the
        zygote, which forks the workers). The certificate check runs on the loop's thread (two small
        files): it changes the live SSLContext, which must not change while another thread makes
        connections from it, and the loop's thread is the one that does."""
        while True:
            await asyncio.sleep(self.config.reload_interval)
            try:
                tls = self.tls.check()
                if tls is not None:
                    self.metrics.reloaded("tls", "ok" if tls else "error")
                await self._check_settings()
            except RuntimeError:  # the executor is shut down: the server is stopping
                return
            except Exception as e:  # never let one bad check end the watching
                log.error("reload check failed", extra={"reason": f"{type(e).__name__}: {e}"})

    async def _check_settings(self) -> None:
        assert self.pool is not None
        reply = await asyncio.get_running_loop().run_in_executor(None, self.pool.zygote.check)
        if reply[0] == "failed":  # the zygote logged why; the previous settings keep serving
            self.metrics.reloaded("settings", "error")
        elif reply[0] == "reloaded":
            self.deterministic = bool(reply[1])
            self.cache.clear()
            self.pool.new_generation()
            self.metrics.reloaded("settings", "ok")

    # --- handlers ----------------------------------------------------------------------------

    async def inject(self, request: web.Request) -> web.Response:
        t0 = time.perf_counter()
        deadline = time.monotonic() + self.config.request_timeout
        if request.content_type != "application/json":
            return self._reject(415, "invalid Content-Type, want `application/json`", request.path)
        conn = request.protocol if isinstance(request.protocol, _Connection) else None
        if conn is not None:
            conn.body_since = asyncio.get_running_loop().time()
        try:
            body = await asyncio.wait_for(request.read(), self.config.request_timeout)
        except web.HTTPRequestEntityTooLarge:
            return self._reject(413, f"request body larger than {self.config.max_body_bytes} bytes", request.path)
        except TimeoutError:
            return self._reject(408, "timed out reading the request body", request.path)
        except ConnectionResetError:  # the client left (or was cut off at the cap): nobody to answer
            http_log.info(
                "connection closed before its request body arrived",
                extra={"path": request.path, "peer": request.remote or ""},
            )
            return web.Response(status=400)
        finally:
            if conn is not None:
                conn.body_since = None
        if not body:
            return self._reject(400, "no body found", request.path)
        path = request.path
        req: admission.AdmissionRequest | None = None
        key: bytes | None = None
        generation = self.pool.generation if self.pool else 0
        if len(body) <= PARSE_IN_LOOP:
            try:
                req = admission.parse_review(body)
            except admission.BadReview as e:
                return self._reject(400, str(e), path)
            if self.deterministic and self.cache.max_entries > 0:
                key = ResultCache.key(generation, path, req, json.dumps(req.pod, separators=(",", ":")).encode())
                hit = self.cache.get(key)
                if hit is not None:
                    result, response, fields = hit
                    self.metrics.event("cache_hit")
                    answer = {
                        "apiVersion": req.api_version,
                        "kind": "AdmissionReview",
                        "response": {"uid": req.uid, **response},
                    }
                    return self._answered(result, answer, {**fields, "uid": req.uid, "cached": True}, path, t0)
        assert self.pool is not None
        try:
            reply = await self.pool.run(body, path, deadline)
        except TimeoutError:
            self.metrics.event("deadline")
            reason = (
                f"sidecarctl webhook: injection did not finish within the review's deadline of "
                f"{self.config.request_timeout:g}s; the pod is refused rather than admitted without its sidecar"
            )
            if req is None:
                return self._reject(504, reason, path, "timeout")
            return self._answered("timeout", admission.denied(req, reason), {"uid": req.uid, "error": reason}, path, t0)
        except WorkerLost as e:
            reason = f"sidecarctl webhook: internal error: {e}"
            if req is None:
                return self._reject(500, reason, path, "failed")
            return self._answered("failed", admission.denied(req, reason), {"uid": req.uid, "error": str(e)}, path, t0)
        if reply[0] == "bad":
            return self._reject(400, reply[1], path)
        if reply[0] == "error":
            reason = f"sidecarctl webhook: internal error: {reply[1]}"
            if req is None:
                return self._reject(500, reason, path, "failed")
            return self._answered(
                "failed", admission.denied(req, reason), {"uid": req.uid, "error": reply[1]}, path, t0
            )
        _, result, answer, fields = reply
        if key is not None and result in ("injected", "skipped") and self.pool.generation == generation:
            response = {k: v for k, v in answer["response"].items() if k != "uid"}
            self.cache.put(key, result, response, {k: v for k, v in fields.items() if k != "uid"})
        return self._answered(result, answer, fields, path, t0)

    def _answered(
        self, result: str, answer: dict[str, Any], fields: dict[str, Any], path: str, t0: float
    ) -> web.Response:
        elapsed = time.perf_counter() - t0
        self.metrics.record(result, elapsed)
        level = log.error if result in ("failed", "timeout") else log.info
        level(
            "admission request answered",
            extra={"path": path, "result": result, "duration_ms": round(elapsed * 1000, 3), **fields},
        )
        return web.Response(body=json.dumps(answer, separators=(",", ":")).encode(), content_type="application/json")

    def _reject(self, status: int, reason: str, path: str, result: str = "bad_request") -> web.Response:
        self.metrics.record(result, 0.0)
        log.warning("request rejected", extra={"status": status, "path": path, "reason": reason})
        return web.Response(status=status, text=reason + "\n")

    async def healthz(self, request: web.Request) -> web.Response:
        if self.pool is not None and not self.draining and not self.pool.zygote.alive():
            # no worker can be forked any more: a restart is the remedy
            return web.Response(status=503, text="the render zygote has exited\n")
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        if self.draining:
            return web.Response(status=503, text="shutting down\n")
        if self.pool is not None and not self.pool.zygote.alive():  # every review would be refused
            return web.Response(status=503, text="the render zygote has exited\n")
        return web.Response(text="ok\n")

    async def metrics_page(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self.metrics.render(),
            content_type="text/plain",
            charset="utf-8",
            headers={"X-Content-Type-Options": "nosniff"},
        )


class _Connection(RequestHandler):
    """aiohttp's connection handler with the limits it lacks: a request head must arrive within
    the header timeout (from the connection's start, or from the first byte of a later request),
    and the server's connection count follows the connection's life."""

    def __init__(self, server: WebhookServer) -> None:
        assert server._runner is not None and server._runner.server is not None
        config = server.config
        super().__init__(
            server._runner.server,
            loop=asyncio.get_running_loop(),
            keepalive_timeout=config.idle_timeout,
            access_log=None,  # type: ignore[arg-type]  # None: no access log
            logger=http_log,
            max_line_size=config.max_header_bytes,
            max_field_size=config.max_header_bytes,
            max_headers=config.max_headers,
        )
        self._webhook = server
        self._head_timer: asyncio.TimerHandle | None = None
        self.last_active = self._loop.time()  # the last bytes received (the connection cap evicts the stalest)
        self.body_since: float | None = None  # while a handler reads the request body: since when

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._webhook._connections.add(self)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        self.last_active = self._loop.time()
        super().data_received(data)
        if self._head_timer is None and self._awaiting_head():
            self._arm_head_timer()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)
        self._webhook._connections.discard(self)
        self._webhook._connection_closed()

    def handle_error(
        self, request: Any, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        """aiohttp answers a malformed request 4xx (or a failed handler 500) and logs it, at
        debug or with its traceback; here it is one line, a warning for the client's fault."""
        reason = (f"{type(exc).__name__}: {exc}" if exc is not None else message or "").splitlines()
        http_log.log(
            logging.WARNING if status < 500 else logging.ERROR,
            "bad HTTP request" if status < 500 else "HTTP handler error",
            extra={"status": status, "peer": request.remote or "", "reason": " ".join(reason)[:500]},
        )
        own, self.logger = self.logger, _SILENT
        try:
            return super().handle_error(request, status, exc, message)
        finally:
            self.logger = own

    def _awaiting_head(self) -> bool:
        waiter = getattr(self, "_waiter", None)
        return not getattr(self, "_messages", None) and waiter is not None and not waiter.done()

    def _arm_head_timer(self) -> None:
        served = getattr(self, "_request_count", 0)
        self._head_timer = self._loop.call_later(self._webhook.config.header_timeout, self._head_timeout, served)

    def _head_timeout(self, served: int) -> None:
        self._head_timer = None
        if self.transport is None or getattr(self, "_request_count", 0) != served or not self._awaiting_head():
            return
        self._webhook.metrics.event("header_timeout")
        peer = self.transport.get_extra_info("peername")
        http_log.info(
            "connection closed: no complete request head within the header timeout",
            extra={"peer": peer[0] if peer else "", "header_timeout": self._webhook.config.header_timeout},
        )
        self.force_close()
        self.transport.close()


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Anything unexpected is a 500 with one line of reason: never a traceback, never a dead server."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as e:
        log.error("internal error", extra={"path": request.path, "reason": f"{type(e).__name__}: {e}"})
        return web.Response(status=500, text=f"internal error: {type(e).__name__}: {e}\n")


def _loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's own reports (a transport's fatal error, a task's lost exception): one JSON line."""
    exc = context.get("exception")
    log.error(
        str(context.get("message", "event loop error")), extra={"reason": f"{type(exc).__name__}: {exc}" if exc else ""}
    )


async def serve(server: WebhookServer) -> None:
    """Run until SIGTERM/SIGINT (or the configured lifetime), then shut down gracefully."""
    loop = asyncio.get_running_loop()
    await server.start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(server.stop()))
    await server.wait_stopped()


class BackgroundServer:
    """A server on its own event loop thread: for tests and the load script. Stops on exit."""

    def __init__(self, server: WebhookServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="webhook-server", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.server.start())
        except BaseException as e:  # reported to the starting thread
            self._error = e
            self._started.set()
            return
        self._started.set()
        self._loop.run_until_complete(self.server.wait_stopped())

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise self._error
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.server.stop_from_thread()
            self._thread.join(30)
        if not self._loop.is_closed() and not self._thread.is_alive():
            self._loop.close()
