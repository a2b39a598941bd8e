"""kube-inject finds pod templates of other CRDs with --pod-template-path KIND=PATH."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from sidecarctl.cli import cli

WIDGET = """apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  annotations: {note: kept}
spec:
  extra: {kept: true}
  workload:
    template:
      metadata:
        labels: {app: w}
      spec:
        containers:
        - name: w
          image: w:1
"""


def inject(*flags: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["kube-inject", "--offline", "-q", "-f", "-", *flags], input=WIDGET)
    return result.exit_code, result.stdout


def test_custom_kind_is_injected_at_its_path_and_keeps_its_other_fields() -> None:
    code, out = inject("--pod-template-path", "Widget=spec.workload.template")
    assert code == 0
    doc = yaml.safe_load(out.split("---\n")[0])
    containers = doc["spec"]["workload"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["w", "istio-proxy"]
    assert doc["spec"]["extra"] == {"kept": True}
    assert doc["metadata"]["annotations"] == {"note": "kept"}


def test_without_the_flag_the_crd_passes_through_verbatim() -> None:
    code, out = inject()
    assert code == 0
    assert out == WIDGET + "---\n"


@pytest.mark.parametrize("value", ["Widget", "=spec.template", "Widget="])
def test_malformed_flag_is_a_usage_error(value: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarctl", "kube-inject", "--offline", "-f", "-", "--pod-template-path", value],
        input=WIDGET,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "KIND=PATH" in proc.stderr
