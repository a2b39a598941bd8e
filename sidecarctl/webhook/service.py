"""One admission request, start to finish, without HTTP: parse, decide, inject, diff, answer.

Runs in a worker thread. Every outcome is counted and logged once, with the pod's name as Istio
logs it; the HTTP layer only maps `BadReview` to 400.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

from sidecarctl.webhook import admission, logs
from sidecarctl.webhook.decision import decide, parse_inject_envs, potential_pod_name
from sidecarctl.webhook.engine import Injector, InjectRequest
from sidecarctl.webhook.jsonpatch import create_patch
from sidecarctl.webhook.metrics import Metrics

log = logs.get("inject")


@dataclass
class Options:
    revision: str = ""
    native_sidecars: bool | None = False  # None: what the injector detected in the cluster


class InjectionService:
    def __init__(self, injector: Injector, metrics: Metrics, options: Options | None = None) -> None:
        self.injector = injector
        self.metrics = metrics
        self.options = options or Options()

    def review(self, body: bytes, path: str) -> dict[str, Any]:
        """The AdmissionReview answering `body`; raises BadReview for a body that is not one."""
        t0 = time.perf_counter()
        try:
            req = admission.parse_review(body)
            pod = self._decode_pod(req)
        except admission.BadReview as e:
            self.metrics.record("bad_request", time.perf_counter() - t0)
            log.warning("bad admission request", extra={"path": path, "reason": str(e)})
            raise
        except Exception:
            self.metrics.record("failed", time.perf_counter() - t0)
            raise
        try:
            result, answer, fields = self._answer(req, pod, path)
        except Exception as e:  # a bug of ours still gets the API server an answer, and is logged
            log.exception("internal error", extra={"path": path, "uid": req.uid})
            result, answer, fields = "failed", admission.denied(req, f"internal error: {e}"), {"error": str(e)}
        elapsed = time.perf_counter() - t0
        self.metrics.record(result, elapsed)
        level = log.error if result == "failed" else log.info
        level("admission request answered", extra={"path": path, "uid": req.uid, "result": result,
                                                   "duration_ms": round(elapsed * 1000, 3), **fields})
        return answer

    def _decode_pod(self, req: admission.AdmissionRequest) -> dict[str, Any]:
        """The pod as Go would decode it; JSON that is no Pod is a bad request."""
        try:
            pod = self.injector.normalize(_prepare(req))
        except ImportError:  # an incomplete installation is the server's fault, not the request's
            raise
        except Exception as e:  # the typing layer's errors say which field is wrong
            raise admission.BadReview(f"the request's object is not a valid Pod: {e}") from None
        pod.setdefault("metadata", {})
        return pod

    def _answer(self, req: admission.AdmissionRequest, pod: dict[str, Any],
                path: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
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
            injected = self.injector.inject(InjectRequest(copy.deepcopy(pod), envs, self.options.revision,
                                                          self._native_sidecars(), warnings))
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
    pod = copy.deepcopy(req.pod)
    meta = pod.get("metadata")
    if not isinstance(meta, dict):
        meta = pod["metadata"] = {}
    meta.pop("managedFields", None)
    if not meta.get("namespace") and req.namespace:
        meta["namespace"] = req.namespace
    return pod
