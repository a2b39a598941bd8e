"""Helpers for the webhook tests: a stand-in injector, an HTTPS client, AdmissionReviews.

(Not in conftest.py: test modules import these by a name no other test folder uses.)
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sidecarctl.webhook.decision import InjectPolicy
from sidecarctl.webhook.engine import InjectRequest
from sidecarctl.webhook.server import WebhookServer

# a safety net: a test server never outlives its test by more than this
SERVER_LIFETIME = 120.0


class FakeInjector:
    """Adds an `istio-proxy` container and a status annotation: enough to test the server.

    Injection runs in the server's render processes, so the requests it saw are kept in a file
    (one JSON line each) and read back by `requests`."""

    def __init__(self, policy: InjectPolicy | None = None, fail: str = "") -> None:
        self._policy = policy or InjectPolicy()
        self.fail = fail
        self.deterministic = True
        fd, self._record = tempfile.mkstemp(prefix="fake-injector-", suffix=".jsonl")
        os.close(fd)

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.unlink(self._record)

    @property
    def requests(self) -> list[InjectRequest]:
        with open(self._record) as f:
            return [InjectRequest(**json.loads(line)) for line in f]

    def policy(self) -> InjectPolicy:
        return self._policy

    def normalize(self, pod: dict[str, Any]) -> dict[str, Any]:
        return pod

    def inject(self, request: InjectRequest) -> dict[str, Any]:
        with open(self._record, "a") as f:
            f.write(
                json.dumps(
                    {
                        "pod": request.pod,
                        "proxy_envs": request.proxy_envs,
                        "revision": request.revision,
                        "native_sidecars": request.native_sidecars,
                    }
                )
                + "\n"
            )
        if self.fail:
            raise ValueError(self.fail)
        pod = request.pod
        pod.setdefault("spec", {}).setdefault("containers", []).append({"name": "istio-proxy", "image": "proxy"})
        pod["metadata"].setdefault("annotations", {})["sidecar.istio.io/status"] = "{}"
        for k, v in request.proxy_envs.items():
            pod["metadata"]["annotations"][f"env/{k}"] = v
        return pod


@dataclass
class Client:
    """HTTPS requests to the server under test, verifying its certificate against the test CA."""

    base: str
    context: ssl.SSLContext

    def request(
        self, path: str, body: bytes | None = None, content_type: str = "application/json", method: str | None = None
    ) -> tuple[int, bytes]:
        req = urllib.request.Request(
            self.base + path, data=body, method=method or ("POST" if body is not None else "GET")
        )
        if body is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.context, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def review(self, review: dict[str, Any], path: str = "/inject") -> dict[str, Any]:
        status, body = self.request(path, json.dumps(review).encode())
        assert status == 200, body
        return json.loads(body)  # type: ignore[no-any-return]


def client_context(ca_cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_cert))


ServerFactory = Callable[..., tuple[WebhookServer, Client]]


def review_of(
    pod: dict[str, Any], uid: str = "uid-1", namespace: str = "default", api_version: str = "admission.k8s.io/v1"
) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": namespace,
            "operation": "CREATE",
            "object": pod,
        },
    }
