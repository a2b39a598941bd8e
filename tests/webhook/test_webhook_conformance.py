"""Istio 1.30.3's injection golden tests through a running webhook, one test per case marked
`webhook: true` (skipped when ../shared/conformance is absent)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from webhook_certs import CertPair, make_ca, make_server_cert, openssl_available
from webhook_conformance import comparable, injectable_docs, load_cases, metajson_envs, object_to_pod
from webhook_support import SERVER_LIFETIME, Client, client_context, review_of

from shared_suite import SUITE, needs_suite
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags
from sidecarctl.webhook.jsonpatch import apply_patch
from sidecarctl.webhook.reload import SettingsReloader
from sidecarctl.webhook.server import BackgroundServer, ServerConfig, WebhookServer

CASES = load_cases()


def _engine_missing() -> str:
    """Why the injection engine cannot run yet ("" when it can): its modules land separately."""
    for module, name in (
        ("sidecarctl.kube", "normalize_as"),
        ("sidecarctl.inject.render", "run_template"),
        ("sidecarctl.yamlio", "load_document"),
    ):
        try:
            getattr(__import__(module, fromlist=[name]), name)
        except (ImportError, AttributeError) as e:
            return f"injection engine incomplete: {module}.{name}: {e}"
    return ""


pytestmark = [needs_suite, pytest.mark.skipif(bool(_engine_missing()), reason=_engine_missing() or "-")]


def _flags(settings: str) -> SettingsFlags:
    folder = SUITE / "settings" / settings
    return SettingsFlags(
        inject_config_file=str(folder / "inject-config.yaml"),
        values_file=str(folder / "inject-values.yaml"),
        mesh_config_file=str(folder / "mesh-config.yaml"),
    )


class Servers:
    """One server per (settings, native sidecars), started on first use, all stopped at the end."""

    def __init__(self, pair: CertPair) -> None:
        self.pair = pair
        self.running: dict[tuple[str, bool], tuple[BackgroundServer, Client]] = {}

    def get(self, settings: str, native: bool) -> Client:
        key = (settings, native)
        if key not in self.running:
            reloader = SettingsReloader(_flags(settings), EngineInjector.load)
            cfg = ServerConfig(
                host="127.0.0.1",
                port=0,
                cert_file=str(self.pair.cert),
                key_file=str(self.pair.key),
                revision="default",
                native_sidecars=native,
                lifetime=SERVER_LIFETIME * 5,
            )
            background = BackgroundServer(WebhookServer(cfg, reloader))
            server = background.__enter__()
            self.running[key] = (background, Client(f"https://127.0.0.1:{server.port}", client_context(self.pair.ca)))
        return self.running[key][1]

    def stop(self) -> None:
        for background, _ in self.running.values():
            background.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not openssl_available():
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("conformance-tls")
    pool = Servers(make_server_cert(folder, make_ca(folder)))
    yield pool
    pool.stop()


def _normalize(pod: dict[str, Any]) -> dict[str, Any]:
    """The pod as Go's corev1.Pod marshals it (Istio's test marshals typed objects)."""
    from sidecarctl.kube import normalize_as

    return normalize_as(pod, "v1.Pod")  # type: ignore[no-any-return]


def _webhook_result(client: Client, doc: dict[str, Any]) -> dict[str, Any]:
    pod = _normalize(object_to_pod(doc))
    namespace = (doc.get("metadata") or {}).get("namespace", "")
    answer = client.review(review_of(pod, uid="conformance", namespace=namespace))["response"]
    assert answer["uid"] == "conformance"
    assert answer["allowed"] is True, answer.get("status")
    if "patch" not in answer:
        return pod
    assert answer["patchType"] == "JSONPatch"
    # as Istio's test: the patched JSON is decoded into a Pod again before comparing
    return _normalize(apply_patch(pod, json.loads(base64.b64decode(answer["patch"]))))


def _case_id(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.mark.parametrize("case", [c for c in CASES if "expected_error" not in c], ids=_case_id)
def test_golden(case: dict[str, Any], servers: Servers) -> None:
    client = servers.get(case["settings"], case["native_sidecars"])
    inputs = injectable_docs((SUITE / "cases" / case["input"]).read_text())
    wants = injectable_docs((SUITE / "cases" / case["golden"]).read_text())
    assert len(inputs) == len(wants) and inputs, "input and golden must have the same injectable parts"
    for i, (doc, want_doc) in enumerate(zip(inputs, wants)):
        got = _webhook_result(client, doc)
        for name, value in metajson_envs(got):
            assert isinstance(json.loads(value), dict), f"{name} is not a JSON object"
        want = _normalize(object_to_pod(want_doc))
        assert comparable(got, got=True) == comparable(want, got=False), f"yamlPart[{i}]"


@pytest.mark.parametrize("case", [c for c in CASES if "expected_error" in c], ids=_case_id)
def test_error_denies(case: dict[str, Any], servers: Servers) -> None:
    """Istio's webhook refuses a pod it cannot inject, with the error's text."""
    client = servers.get(case["settings"], case["native_sidecars"])
    for doc in injectable_docs((SUITE / "cases" / case["input"]).read_text()):
        pod = _normalize(object_to_pod(doc))
        answer = client.review(review_of(pod, uid="err"))["response"]
        assert answer["allowed"] is False and answer["uid"] == "err"
        assert case["expected_error"] in answer["status"]["message"].lower()


def test_comparison_sees_a_missing_sidecar() -> None:
    """The golden comparison is not vacuous: an uninjected pod does not pass for an injected one."""
    case = next(c for c in CASES if c["name"] == "hello.yaml")
    doc = injectable_docs((SUITE / "cases" / case["input"]).read_text())[0]
    want = injectable_docs((SUITE / "cases" / case["golden"]).read_text())[0]
    pod = _normalize(object_to_pod(doc))
    assert comparable(pod, got=True) != comparable(_normalize(object_to_pod(want)), got=False)
