"""One admission request, start to finish, without HTTP: parse, decide, inject, diff, answer.

`InjectionService.answer` is what a render worker runs (sidecarctl.webhook.pool): it returns the
outcome and the fields to log, and leaves logging and counting to the server, which knows the
whole request (queueing, deadline, cache). `review` runs it in-process, logged and counted, for
tools and tests. The HTTP layer only maps `BadReview` to 400.

`ResultCache` remembers answers by what they depend on: pods of one ReplicaSet are identical, so
a Deployment's pods are answered from the first one's injection.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sidecarctl.webhook import admission, logs
from sidecarctl.webhook.decision import decide, parse_inject_envs, potential_pod_name
from sidecarctl.webhook.engine import Injector, InjectRequest
from sidecarctl.webhook.jsonpatch import create_patch
from sidecarctl.webhook.metrics import Metrics

log = logs.get("inject")

# (result, the AdmissionReview answering, fields for the log line)
Answer = tuple[str, dict[str, Any], dict[str, Any]]


@dataclass
class Options:
    revision: str = ""
    native_sidecars: bool | None = False  # None: what the injector detected in the cluster


class InjectionService:
    def __init__(self, injector: Injector, metrics: Metrics | None = None, options: Options | None = None) -> None:
        self.injector = injector
        self.metrics = metrics or Metrics()
        self.options = options or Options()

    def review(self, body: bytes, path: str) -> dict[str, Any]:
        """The AdmissionReview answering `body`, logged and counted; raises BadReview for a body
        that is not one."""
        t0 = time.perf_counter()
        try:
            result, answer, fields = self.answer(body, path)
        except admission.BadReview as e:
            self.metrics.record("bad_request", time.perf_counter() - t0)
            log.warning("bad admission request", extra={"path": path, "reason": str(e)})
            raise
        elapsed = time.perf_counter() - t0
        self.metrics.record(result, elapsed)
        level = log.error if result == "failed" else log.info
        level(
            "admission request answered",
            extra={"path": path, "result": result, "duration_ms": round(elapsed * 1000, 3), **fields},
        )
        return answer

    def answer(self, body: bytes | admission.AdmissionRequest, path: str) -> Answer:
        """(result, review, log fields) for a body or an already parsed request; BadReview when it
        is no review of a Pod. Engine failures deny the pod; nothing else escapes."""
        req = body if isinstance(body, admission.AdmissionRequest) else admission.parse_review(body)
        pod = self._decode_pod(req)
        try:
            result, answer, fields = self._answer(req, pod, path)
        except Exception as e:  # a bug of ours still gets the API server an answer, and is logged
            log.exception("internal error", extra={"path": path, "uid": req.uid})
            result, answer, fields = "failed", admission.denied(req, f"internal error: {e}"), {"error": str(e)}
        fields["uid"] = req.uid
        return result, answer, fields

    def _decode_pod(self, req: admission.AdmissionRequest) -> dict[str, Any]:
        """The pod as Go would decode it; JSON that is no Pod is a bad request."""
        try:
            pod = self.injector.normalize(_prepare(req))
        except ImportError:  # an incomplete installation is the server's fault, not the request's
            raise
        except RecursionError:
            raise admission.BadReview("the request's object is not a valid Pod: nested too deeply") from None
        except Exception as e:  # the typing layer's errors say which field is wrong
            raise admission.BadReview(f"the request's object is not a valid Pod: {e}") from None
        pod.setdefault("metadata", {})
        return pod

    def _answer(self, req: admission.AdmissionRequest, pod: dict[str, Any], path: str) -> Answer:
        meta = pod["metadata"]
        fields: dict[str, Any] = {"pod": f"{meta.get('namespace', '')}/{potential_pod_name(meta)}"}
        warnings: list[str] = []
        envs = parse_inject_envs(path, warnings)
        decision = decide(pod, self.injector.policy())
        warnings += decision.warnings
        fields["decision"] = decision.why
        if not decision.inject:
            return "skipped", admission.allowed(req, None, warnings), fields
        try:
            injected = self.injector.inject(
                InjectRequest(copy_json(pod), envs, self.options.revision, self._native_sidecars(), warnings)
            )
            patch = create_patch(pod, self.injector.normalize(injected))
        except Exception as e:  # any engine failure denies this pod only, as Istio's webhook does
            fields["error"] = str(e)
            return "failed", admission.denied(req, str(e) or type(e).__name__, warnings), fields
        return "injected", admission.allowed(req, patch, warnings), fields

    def _native_sidecars(self) -> bool:
        if self.options.native_sidecars is not None:
            return self.options.native_sidecars
        return bool(getattr(self.injector, "native_sidecars", False))


def _prepare(req: admission.AdmissionRequest) -> dict[str, Any]:
    """The pod Istio diffs against: managedFields dropped (large, irrelevant), namespace filled in."""
    pod = copy_json(req.pod)
    meta = pod.get("metadata")
    if not isinstance(meta, dict):
        meta = pod["metadata"] = {}
    meta.pop("managedFields", None)
    if not meta.get("namespace") and req.namespace:
        meta["namespace"] = req.namespace
    return pod


def copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON (dicts, lists, immutable leaves): ~5x copy.deepcopy's speed."""
    cls = value.__class__
    if cls is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if cls is list:
        return [copy_json(v) for v in value]
    return value


class ResultCache:
    """Answers by what they depend on: the settings generation, the URL path, the request's
    namespace and operation, and the pod object exactly as sent. Bounded (least recently used
    out). Only injected and skipped answers are kept: a denial may be a deadline's."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, tuple[str, dict[str, Any], dict[str, Any], int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(generation: int, path: str, req: admission.AdmissionRequest, encoded_pod: bytes) -> bytes:
        digest = hashlib.blake2b(encoded_pod, digest_size=20, person=b"sidecarctl-wh")
        digest.update(f"\0{generation}\0{path}\0{req.namespace}\0{req.operation}".encode())
        return digest.digest()

    def get(self, key: bytes) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0], entry[1], entry[2]

    def put(self, key: bytes, result: str, response: dict[str, Any], fields: dict[str, Any]) -> None:
        """`response` is the review's `response` without its uid."""
        if self.max_entries <= 0:
            return
        # everything kept: the patch, warnings (they may echo a pod's annotation), the log fields
        size = len(json.dumps(response)) + sum(len(str(v)) for v in fields.values()) + 512
        if key in self._entries:
            self._bytes -= self._entries.pop(key)[3]
        self._entries[key] = (result, response, fields, size)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._bytes -= self._entries.popitem(last=False)[1][3]

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
