"""Argo Rollouts and other CRDs: the pod template at a known path is injected, the rest kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from beyond_support import run

from sidecarctl.errors import UsageError
from sidecarctl.inject import workloads

ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {duration: 1h}
      analysis: {templates: [{templateName: rate}], unknownField: 1.50}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
"""

MY_CRD = """apiVersion: example.com/v1
kind: MyCRD
metadata:
  name: job
spec:
  workload:
    size: large
    template:
      metadata:
        labels: {app: job}
      spec:
        containers:
        - name: job
          image: busybox
"""


@pytest.fixture
def registry() -> Iterator[None]:
    previous = workloads.pod_template_paths()
    yield
    workloads.restore_pod_template_paths(previous)


def injected(manifest: str, specs: list[str] | tuple[str, ...] = ()) -> list[Any]:
    flags = [arg for spec in specs for arg in ("--pod-template-path", spec)]
    result = run("kube-inject", "--offline", *flags, "-f", "-", stdin=manifest)
    assert result.exit_code == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def containers(template: dict[str, Any]) -> list[str]:
    return [c["name"] for c in template["spec"]["containers"]]


CASES = [
    ("Rollout by default", [], ROLLOUT, ("spec", "template"), ("strategy", "canary", "analysis", "unknownField"), 1.5),
    (
        "a CRD by --pod-template-path",
        ["MyCRD=spec.workload.template"],
        MY_CRD,
        ("spec", "workload", "template"),
        ("workload", "size"),
        "large",
    ),
]


@pytest.mark.parametrize("title,specs,manifest,path,kept,value", CASES, ids=[c[0] for c in CASES])
def test_custom_kinds_are_injected(
    registry: None,
    title: str,
    specs: list[str],
    manifest: str,
    path: tuple[str, ...],
    kept: tuple[str, ...],
    value: Any,
) -> None:
    [doc] = injected(manifest, specs)
    template = doc
    for key in path:
        template = template[key]
    assert containers(template)[-1] == "istio-proxy", title
    assert "sidecar.istio.io/status" in template["metadata"]["annotations"]
    other = doc["spec"]
    for key in kept:
        other = other[key]
    assert other == value  # fields sidecarctl has no type for are kept as they were


def test_unregistered_crd_passes_through_verbatim(registry: None) -> None:
    result = run("kube-inject", "--offline", "-f", "-", stdin=MY_CRD)
    assert result.exit_code == 0
    assert result.stdout == MY_CRD + "---\n"


def test_rollout_in_a_list_and_uninject(registry: None) -> None:
    items = yaml.safe_load(ROLLOUT)
    listed = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [items]})
    [doc] = injected(listed)
    assert containers(doc["items"][0]["spec"]["template"])[-1] == "istio-proxy"
    undone = run("uninject", "-f", "-", stdin=yaml.safe_dump(doc))
    assert undone.exit_code == 0, undone.stderr
    [back] = [d for d in yaml.safe_load_all(undone.stdout) if d]
    assert containers(back["items"][0]["spec"]["template"]) == ["web"]


def test_missing_template_is_one_line_error(registry: None) -> None:
    result = run(
        "kube-inject", "--offline", "--pod-template-path", "MyCRD=spec.nothing.template", "-f", "-", stdin=MY_CRD
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "spec.nothing.template is required value" in result.stderr


@pytest.mark.parametrize(
    "spec", ["MyCRD", "=spec.template", "MyCRD=", "MyCRD=spec..template", "Deployment=spec.template"]
)
def test_bad_specs_are_usage_errors(registry: None, spec: str) -> None:
    with pytest.raises(UsageError, match="invalid --pod-template-path"):
        workloads.register_pod_template_paths([spec])
    assert workloads.pod_template_paths() == workloads.DEFAULT_TEMPLATE_PATHS


def test_the_option_registers_for_check_and_uninject(registry: None) -> None:
    flag = ["--pod-template-path", "MyCRD=spec.workload.template"]
    checked = run("check", "--offline", *flag, "-f", "-", "-o", "json", stdin=MY_CRD)
    assert checked.exit_code == 0, checked.stderr
    assert [(r["kind"], r["name"], r["inject"]) for r in yaml.safe_load(checked.stdout)] == [("MyCRD", "job", True)]
    workloads.register_pod_template_paths(["MyCRD=spec.workload.template"])
    [doc] = injected(MY_CRD)
    undone = run("uninject", *flag, "-f", "-", stdin=yaml.safe_dump(doc))
    assert undone.exit_code == 0, undone.stderr
    [back] = [d for d in yaml.safe_load_all(undone.stdout) if d]
    assert containers(back["spec"]["workload"]["template"]) == ["job"]


def test_bad_option_is_a_one_line_usage_error(registry: None) -> None:
    result = run("check", "--offline", "--pod-template-path", "bad", "-f", "-", stdin=MY_CRD)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: invalid --pod-template-path 'bad': give KIND=PATH, e.g. MyCRD=spec.workload.template"
    ]
