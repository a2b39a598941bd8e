"""`sidecarctl uninject`: uninject(kube-inject(x)) == x for Istio's conformance inputs, compared as
Kubernetes stores them; plus the pieces one at a time and the command's errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from beyond_support import SUITE, conformance_cases, one_error_line, require_suite, run, settings_flags

from shared_suite import needs_suite
from sidecarctl import kube
from sidecarctl.inject import workloads
from sidecarctl.yamlio import load_document, split_documents

# Custom templates that add metadata or pod fields the status annotation does not record
# (see docs/uninject.md, "Known limits"): without settings the round trip keeps those additions;
# with the settings (kube-inject's flags) uninject renders the templates and takes them away.
TEMPLATE_ADDITIONS = {
    "custom-template.yaml": "the custom template's annotations (foo, merge-metrics, rewriteAppHTTPProbers)",
    "grpc-agent.yaml": "the grpc-agent template's rewriteAppHTTPProbers annotation",
    "gateway.yaml": "the gateway template's pod securityContext sysctl",
    "gateway-spire.yaml": "the gateway template's pod securityContext sysctl",
}
# A probe on port 8008 that a container port named http also has comes back as `port: http`.
PROBE_PORT_BY_NAME = {
    "merge-probers.yaml": "a numeric probe port comes back by the name of the container port with that number",
}


def stored(text: str) -> list[Any]:
    """Every non-empty document as Kubernetes would store it (kinds sidecarctl types are typed;
    a custom kind's pod template as the PodTemplateSpec it is)."""
    out = []
    for raw in split_documents(text):
        value = load_document(raw)
        if value is None:
            continue
        try:
            out.append(kube.normalize(value))
        except KeyError:  # a kind istioctl does not decode: as written, its pod template typed
            path = workloads.pod_template_paths().get(value.get("kind"))
            if path:
                parent = value
                for key in path[:-1]:
                    parent = parent[key]
                parent[path[-1]] = kube.normalize_as(parent[path[-1]], workloads.POD_TEMPLATE_TYPE)
            out.append(value)
    return out


def injected_cases(mode: str) -> list[Any]:
    """Every case that injects; known gaps of the mode are strict xfails."""
    params = []
    for case in conformance_cases():
        if "golden" not in case:
            continue  # error cases: kube-inject writes nothing to undo
        marks = []
        if case["input"] in TEMPLATE_ADDITIONS and mode == "manifest-only":
            marks.append(pytest.mark.xfail(reason=TEMPLATE_ADDITIONS[case["input"]], strict=True))
        if case["input"] in PROBE_PORT_BY_NAME:
            marks.append(pytest.mark.xfail(reason=PROBE_PORT_BY_NAME[case["input"]], strict=True))
        params.append(pytest.param(case, mode, id=f"{mode}:{case['name']}", marks=marks))
    return params


@functools.cache
def kube_inject(name: str) -> str:
    case = next(c for c in conformance_cases() if c["name"] == name)
    native = "true" if case["native_sidecars"] else "false"
    source = SUITE / "cases" / case["input"]
    injected = run("kube-inject", *settings_flags(case), "-f", str(source), env={"ENABLE_NATIVE_SIDECARS": native})
    assert injected.exit_code == 0, injected.stderr
    return injected.stdout


@needs_suite
@pytest.mark.parametrize("case,mode", injected_cases("manifest-only") + injected_cases("with-settings"))
def test_uninject_undoes_kube_inject(case: dict[str, Any], mode: str) -> None:
    require_suite()
    flags = settings_flags(case) if mode == "with-settings" else []
    undone = run("uninject", *flags, "-f", "-", stdin=kube_inject(case["name"]))
    assert undone.exit_code == 0, undone.stderr
    source = SUITE / "cases" / case["input"]
    original = source.read_text()
    if "sidecar.istio.io/status" in original:
        # The input was injected already: the round trip gives what uninject makes of it.
        again = run("uninject", *flags, "-f", str(source))
        assert again.exit_code == 0, again.stderr
        original = again.stdout
    assert stored(undone.stdout) == stored(original)


def test_every_public_case_is_counted() -> None:
    require_suite()
    assert len(injected_cases("with-settings")) == sum(1 for c in conformance_cases() if "golden" in c) > 0


POD_HEAD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n"


def pod(annotations: str = "", labels: str = "", containers: str = "  - name: web\n    image: nginx\n") -> str:
    meta = ""
    if labels:
        meta += "  labels:\n" + labels
    if annotations:
        meta += "  annotations:\n" + annotations
    return POD_HEAD + meta + "spec:\n  containers:\n" + containers


PROBED = (
    "  - name: web\n    image: nginx\n    ports:\n    - name: http\n      containerPort: 8080\n"
    "    readinessProbe:\n      httpGet:\n        port: http\n        path: /ready\n"
    "    livenessProbe:\n      tcpSocket:\n        port: 8081\n"
)

ROUND_TRIPS = [
    ("plain pod", pod()),
    (
        "user labels differing from the derived ones are kept",
        pod(
            labels="    app: web\n    service.istio.io/canonical-name: shop-web\n"
            "    service.istio.io/canonical-revision: v2\n    security.istio.io/tlsMode: disabled\n"
        ),
    ),
    (
        "user prometheus annotations come back from the sidecar's env",
        pod(
            annotations='    prometheus.io/scrape: "true"\n    prometheus.io/port: "9090"\n'
            "    prometheus.io/path: /metrics\n"
        ),
    ),
    (
        "user default-container naming another container is kept",
        pod(
            annotations="    kubectl.kubernetes.io/default-container: side\n",
            containers="  - name: web\n    image: nginx\n  - name: side\n    image: busybox\n",
        ),
    ),
    ("http and tcp probes come back, named port by name", pod(containers=PROBED)),
    (
        "pull secrets and volumes of the user stay",
        pod(
            containers="  - name: web\n    image: nginx\n  volumes:\n  - name: data\n    emptyDir: {}\n"
            "  imagePullSecrets:\n  - name: mine\n"
        ),
    ),
    (
        "a user istio-proxy override comes back with image auto",
        pod(
            containers="  - name: web\n    image: nginx\n  - name: istio-proxy\n    image: auto\n"
            "    resources:\n      limits:\n        cpu: 300m\n"
        ),
    ),
]


@pytest.mark.parametrize("settings", ["offline", "istio-default"])
@pytest.mark.parametrize("native", ["false", "true"])
@pytest.mark.parametrize("title,manifest", ROUND_TRIPS, ids=[t for t, _ in ROUND_TRIPS])
def test_round_trip(title: str, manifest: str, native: str, settings: str) -> None:
    if settings == "offline":  # the built-in settings are Istio's own (sidecarctl/defaults/)
        flags = ["--offline"]
    else:
        require_suite()
        flags = settings_flags({"settings": "default"})
    injected = run("kube-inject", *flags, "-f", "-", stdin=manifest, env={"ENABLE_NATIVE_SIDECARS": native})
    assert injected.exit_code == 0, injected.stderr
    assert "sidecar.istio.io/status" in injected.stdout
    for uninject_flags in ([], flags):  # from the manifest alone, and with the settings
        undone = run("uninject", *uninject_flags, "-f", "-", stdin=injected.stdout)
        assert undone.exit_code == 0, undone.stderr
        assert stored(undone.stdout) == stored(manifest), (title, uninject_flags)


def test_other_documents_pass_through_and_rollouts_round_trip(tmp_path: Path) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n"
    rollout = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n"
        "  strategy:\n    canary:\n      steps:\n      - setWeight: 20\n"
        "  template:\n    metadata:\n      labels:\n        app: r\n    spec:\n      containers:\n"
        "      - name: r\n        image: nginx\n"
    )
    injected = run("kube-inject", "--offline", "-f", "-", stdin=service + "---\n" + rollout)
    assert injected.exit_code == 0, injected.stderr
    out = tmp_path / "out.yaml"
    undone = run("uninject", "-f", "-", "-o", str(out), stdin=injected.stdout)
    assert undone.exit_code == 0 and undone.stdout == ""
    assert stored(out.read_text()) == stored(service + "---\n" + rollout)


ERRORS = [
    (["uninject", "-f", "-", "-f", "-"], 2, "stdin"),
    (["uninject", "-f", "/nonexistent/x.yaml"], 1, "open /nonexistent/x.yaml"),
    (["uninject", "-f", "-"], 1, "document 1"),
]


@pytest.mark.parametrize("args,code,text", ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS])
def test_errors_are_one_line(args: list[str], code: int, text: str) -> None:
    result = run(*args, stdin="kind: Pod\nspec: [1\n")
    assert result.exit_code == code
    assert text in one_error_line(result)
    assert result.stdout == ""
