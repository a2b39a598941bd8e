"""--patch over one file of several workloads (a Deployment, a skipped one, a List's StatefulSet),
applied by the real kubectl kustomize: what docs/gitops.md says of it.

kustomize before 5.1 (kubectl 1.27 ... 1.30) takes one strategic patch per `patches:` file, so a
strategic stream of several workloads fails there; the json6902 Component carries any number on
every kubectl."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from beyond_support import run

from real_tools import kubectl_versions

VERSIONS = kubectl_versions()
pytestmark = pytest.mark.skipif(not VERSIONS, reason="kubectl not found on PATH")
OLDEST_AND_NEWEST = sorted(set(list(VERSIONS)[:1] + list(VERSIONS)[-1:]))
BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}, annotations: {sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: b, image: nginx}]}
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: c}
  spec:
    serviceName: c
    selector: {matchLabels: {app: c}}
    template:
      metadata: {labels: {app: c}}
      spec: {containers: [{name: c, image: nginx}]}
"""


def _containers(stream: str) -> dict[str, list[str]]:
    out = {}
    for doc in yaml.safe_load_all(stream):
        if doc:
            out[doc["metadata"]["name"]] = [c["name"] for c in doc["spec"]["template"]["spec"]["containers"]]
    return out


def _build(version: str, tmp_path: Path, form: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    result = run("kube-inject", "--offline", "-q", "--patch-format", form, "-f", str(tmp_path / "base.yaml"))
    assert result.exit_code == 0, result.stderr
    if form == "json6902":
        (tmp_path / "sidecar").mkdir()
        (tmp_path / "sidecar" / "kustomization.yaml").write_text(result.stdout, encoding="utf-8")
        listed = "components: [sidecar]\n"
    else:
        (tmp_path / "patch.yaml").write_text(result.stdout, encoding="utf-8")
        listed = "patches:\n- path: patch.yaml\n"
    (tmp_path / "kustomization.yaml").write_text("resources: [base.yaml]\n" + listed, encoding="utf-8")
    return subprocess.run(
        [str(VERSIONS[version]), "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST, ids=OLDEST_AND_NEWEST or None)
def test_json6902_carries_several_workloads_on_every_kubectl(version: str, tmp_path: Path) -> None:
    built = _build(version, tmp_path, "json6902")
    assert built.returncode == 0, built.stderr
    assert _containers(built.stdout) == {"a": ["a", "istio-proxy"], "b": ["b"], "c": ["c", "istio-proxy"]}


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST, ids=OLDEST_AND_NEWEST or None)
def test_a_strategic_stream_of_several_needs_kustomize_5_1(version: str, tmp_path: Path) -> None:
    built = _build(version, tmp_path, "strategic")
    if version != "default" and tuple(int(p) for p in version.split(".")) < (1, 31):
        assert built.returncode != 0 and "unable to parse SM or JSON patch" in built.stderr
    else:
        assert built.returncode == 0, built.stderr
        assert _containers(built.stdout)["c"] == ["c", "istio-proxy"]
