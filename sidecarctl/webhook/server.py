"""The HTTPS server: aiohttp, as kopf (the reference Python operator framework) serves its webhooks.

Routes: POST `/inject` and `/inject/<k>/<v>/...` (AdmissionReview), GET `/healthz`, `/readyz`,
`/metrics`. Injection runs in a thread pool so health checks and metrics answer while templates
render; each request is bounded in size and time; SIGTERM drains in-flight requests before exit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import signal
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sidecarctl.webhook import admission, logs
from sidecarctl.webhook.metrics import Metrics
from sidecarctl.webhook.reload import SettingsReloader
from sidecarctl.webhook.service import InjectionService, Options
from sidecarctl.webhook.tls import TLSReloader

log = logs.get("server")

# Kubernetes caps a request at 3 MiB of etcd value; the review wraps the pod, so allow some more.
DEFAULT_MAX_BODY = 6 * 1024 * 1024


@dataclass
class ServerConfig:
    host: str = "0.0.0.0"
    port: int = 9443
    cert_file: str = ""
    key_file: str = ""
    max_body_bytes: int = DEFAULT_MAX_BODY
    request_timeout: float = 10.0  # the API server's default webhook timeout
    reload_interval: float = 2.0
    shutdown_timeout: float = 15.0
    workers: int = 4
    revision: str = ""
    native_sidecars: bool | None = False  # None: detect from the cluster's nodes
    lifetime: float | None = None  # stop by itself after this many seconds (tests, benchmarks)


class WebhookServer:
    def __init__(self, config: ServerConfig, settings: SettingsReloader) -> None:
        self.config = config
        self.settings = settings
        self.metrics = Metrics()
        self.service = InjectionService(settings.injector, self.metrics,
                                        Options(config.revision, config.native_sidecars))
        self.tls = TLSReloader(config.cert_file, config.key_file)
        self.port = 0
        self.draining = False
        self._pool = concurrent.futures.ThreadPoolExecutor(config.workers, thread_name_prefix="inject")
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
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
        self._loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=self.config.shutdown_timeout,
                                     handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port, ssl_context=self.tls.context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._tasks = [asyncio.create_task(self._watch())]
        if self.config.lifetime:
            self._tasks.append(asyncio.create_task(self._expire(self.config.lifetime)))
        log.info("serving", extra={"host": self.config.host, "port": self.port})
        return self.port

    async def stop(self) -> None:
        """Graceful: not ready any more, no new connections, in-flight requests finish."""
        if self.draining:
            return
        self.draining = True
        log.info("shutting down", extra={"grace_seconds": self.config.shutdown_timeout})
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        self._pool.shutdown(wait=False, cancel_futures=True)
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
        """Poll the certificate and settings sources; file reads and loads run off the event loop."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.config.reload_interval)
            try:
                tls = await loop.run_in_executor(self._pool, self.tls.check)
                if tls is not None:
                    self.metrics.reloaded("tls", "ok" if tls else "error")
                await loop.run_in_executor(self._pool, self._check_settings)
            except RuntimeError:  # the pool is shut down: the server is stopping
                return
            except Exception:  # never let one bad check end the watching
                log.exception("reload check failed")

    def _check_settings(self) -> None:
        try:
            injector = self.settings.check()
        except Exception:  # already logged by the reloader; keep serving the old settings
            self.metrics.reloaded("settings", "error")
            return
        if injector is not None:
            self.service.injector = injector
            self.metrics.reloaded("settings", "ok")

    async def inject(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _reject(415, "invalid Content-Type, want `application/json`", self.metrics)
        try:
            body = await asyncio.wait_for(request.read(), self.config.request_timeout)
        except web.HTTPRequestEntityTooLarge:
            return _reject(413, f"request body larger than {self.config.max_body_bytes} bytes", self.metrics)
        except TimeoutError:
            return _reject(408, "timed out reading the request body", self.metrics)
        if not body:
            return _reject(400, "no body found", self.metrics)
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self._pool, self.service.review, body, request.path)
        try:
            review = await asyncio.wait_for(call, self.config.request_timeout)
        except admission.BadReview as e:
            return web.Response(status=400, text=f"{e}\n")
        except TimeoutError:
            # the worker thread finishes (and counts its result) on its own; count the late answer too
            return _reject(504, f"injection took longer than {self.config.request_timeout}s", self.metrics,
                           "timeout")
        return web.Response(body=json.dumps(review, separators=(",", ":")).encode(), content_type="application/json")

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        if self.draining:
            return web.Response(status=503, text="shutting down\n")
        return web.Response(text="ok\n")

    async def metrics_page(self, request: web.Request) -> web.Response:
        return web.Response(text=self.metrics.render(), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})


def _reject(status: int, reason: str, metrics: Metrics, result: str = "bad_request") -> web.Response:
    metrics.record(result, 0.0)
    log.warning("request rejected", extra={"status": status, "reason": reason})
    return web.Response(status=status, text=reason + "\n")


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Anything unexpected is a 500 with one line of reason: never a traceback, never a dead server."""
    try:
        return await handler(request)  # type: ignore[no-any-return]
    except web.HTTPException:
        raise
    except Exception as e:
        log.exception("internal error", extra={"path": request.path})
        return web.Response(status=500, text=f"internal error: {type(e).__name__}: {e}\n")


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
