"""AdmissionReview in, AdmissionReview out (`admission.k8s.io/v1` and `v1beta1`, same shape).

A body that is not a review of a Pod raises `BadReview`, which the server answers with HTTP 400 and
the reason; a review it can read is always answered with a review carrying the request's `uid`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sidecarctl.webhook.jsonpatch import Patch

API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")


class BadReview(ValueError):
    """The request body is not an AdmissionReview of a Pod this webhook can answer."""


@dataclass
class AdmissionRequest:
    api_version: str
    uid: str
    namespace: str
    operation: str
    pod: dict[str, Any]


def decode_json(body: bytes) -> Any:
    """The body's JSON; BadReview for anything json cannot take, including what it refuses to build
    (nesting past the recursion limit, integers of more than 4,300 digits)."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadReview(f"body is not JSON: {e}") from None
    except RecursionError:
        raise BadReview("body is not a review: JSON nested too deeply") from None
    except ValueError as e:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise BadReview(f"body is not a review: {e}") from None


def parse_review(body: bytes) -> AdmissionRequest:
    return parse_review_object(decode_json(body))


def parse_review_object(review: Any) -> AdmissionRequest:
    if not isinstance(review, dict):
        raise BadReview("body is not a JSON object")
    api_version, kind = review.get("apiVersion"), review.get("kind")
    if kind != "AdmissionReview" or api_version not in API_VERSIONS:
        raise BadReview(
            f"expected kind AdmissionReview of {' or '.join(API_VERSIONS)}, got kind {kind!r} of {api_version!r}"
        )
    request = review.get("request")
    if not isinstance(request, dict):
        raise BadReview("the AdmissionReview has no request")
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadReview("the request has no uid (the API server always sends one; the answer must echo it)")
    _check_resource(request)
    pod = request.get("object")
    if not isinstance(pod, dict):
        raise BadReview("the request has no object (a Pod)")
    if pod.get("kind") not in (None, "Pod"):
        raise BadReview(f"the request's object is a {pod.get('kind')!r}; only Pods are injected")
    _check_pod_shape(pod)
    return AdmissionRequest(
        api_version=api_version,
        uid=uid,
        namespace=_text(request.get("namespace")),
        operation=_text(request.get("operation")),
        pod=pod,
    )


def _check_pod_shape(pod: dict[str, Any]) -> None:
    """Reject what no Pod can be, so the decision and the engine only see Pod-shaped JSON."""
    for key in ("metadata", "spec"):
        if not isinstance(pod.get(key, {}), dict):
            raise BadReview(f"the Pod's {key} is not an object")
    meta = pod.get("metadata") or {}
    for key in ("labels", "annotations"):
        values = meta.get(key) or {}
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise BadReview(f"the Pod's metadata.{key} is not a map of strings")


def _check_resource(request: dict[str, Any]) -> None:
    gvk = request.get("kind")
    if gvk is None:
        return
    if not isinstance(gvk, dict) or (gvk.get("group") or "", gvk.get("kind")) != ("", "Pod"):
        raise BadReview(f"the request is for {_describe_gvk(gvk)}; only core/v1 Pods are injected")


def _describe_gvk(gvk: Any) -> str:
    if not isinstance(gvk, dict):
        return repr(gvk)
    group = gvk.get("group") or "core"
    return f"{group}/{gvk.get('version', '')} {gvk.get('kind', '')}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def allowed(req: AdmissionRequest, patch: Patch | None = None, warnings: list[str] | None = None) -> dict[str, Any]:
    """The review that admits the pod, with its JSONPatch when it was injected."""
    response: dict[str, Any] = {"uid": req.uid, "allowed": True}
    if patch:
        encoded = json.dumps(patch, separators=(",", ":"), ensure_ascii=False).encode()
        response["patchType"] = "JSONPatch"
        response["patch"] = base64.b64encode(encoded).decode("ascii")
    if warnings:
        response["warnings"] = list(dict.fromkeys(warnings))
    return _review(req.api_version, response)


def denied(req: AdmissionRequest, message: str, warnings: list[str] | None = None) -> dict[str, Any]:
    """The review for a pod the injector failed on: Istio refuses it with the error's text."""
    response: dict[str, Any] = {"uid": req.uid, "allowed": False, "status": {"message": message}}
    if warnings:
        response["warnings"] = list(dict.fromkeys(warnings))
    return _review(req.api_version, response)


def _review(api_version: str, response: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": "AdmissionReview", "response": response}
