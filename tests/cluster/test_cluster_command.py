"""`sidecarctl kube-inject` against a cluster: revision, context and native-sidecar detection
chosen by the command's flags, observed in its output."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from cluster_fakeapi import Certs, FakeCluster, cluster_entry, token_user, write_kubeconfig

from sidecarctl.cli import cli

POD = """apiVersion: v1
kind: Pod
metadata:
  name: app
  labels: {app: app}
spec:
  containers:
  - name: app
    image: app:1
"""


def inject(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["kube-inject", "-f", "-", *args], input=POD, env=env or {})
    return result.exit_code, result.stdout, result.stderr


def settings(conformance: Path, variant: str) -> Path:
    return conformance / "settings" / variant


def test_revision_canary_reads_the_canary_configmaps(cluster: FakeCluster, kubeconfig: Path, conformance: Path) -> None:
    cluster.load_settings(settings(conformance, "default"))
    cluster.load_settings(settings(conformance, "proxy-image-proxytest"), revision="canary")
    code, out, err = inject(
        "--kubeconfig", str(kubeconfig), "--revision", "canary", env={"ENABLE_NATIVE_SIDECARS": "false"}
    )
    assert code == 0, err
    assert "proxyTest" in out
    assert '"revision":"canary"' in out
    code, out, err = inject("--kubeconfig", str(kubeconfig), env={"ENABLE_NATIVE_SIDECARS": "false"})
    assert code == 0, err
    assert "proxyTest" not in out and "proxyv2" in out


def test_context_picks_the_cluster(
    make_cluster: Callable[[str], FakeCluster], certs: Certs, conformance: Path, tmp_path: Path
) -> None:
    one, two = make_cluster("one"), make_cluster("two")
    one.load_settings(settings(conformance, "default"))
    two.load_settings(settings(conformance, "image-pull-policy-always"))
    path = write_kubeconfig(
        tmp_path / "kubeconfig",
        {
            "one": (cluster_entry(one.url, certs), token_user()),
            "two": (cluster_entry(two.url, certs), token_user()),
        },
        current="one",
    )
    env = {"ENABLE_NATIVE_SIDECARS": "false"}
    _, current, _ = inject("--kubeconfig", str(path), env=env)
    code, chosen, err = inject("--kubeconfig", str(path), "--context", "two", env=env)
    assert code == 0, err
    assert "imagePullPolicy: Always" not in current
    assert "imagePullPolicy: Always" in chosen


@pytest.mark.parametrize(
    "versions,native",
    [
        pytest.param(["v1.33.1", "v1.34.0"], True, id="all-nodes-new"),
        pytest.param(["v1.33.1", "v1.28.3"], False, id="an-old-node"),
    ],
)
def test_auto_native_sidecars_follow_the_nodes(
    cluster: FakeCluster, kubeconfig: Path, conformance: Path, versions: list[str], native: bool
) -> None:
    cluster.load_settings(settings(conformance, "default"))
    cluster.set_nodes(versions)
    code, out, err = inject("--kubeconfig", str(kubeconfig), env={"ENABLE_NATIVE_SIDECARS": "auto"})
    assert code == 0, err
    assert ("restartPolicy: Always" in out) is native


def test_unreachable_cluster_is_one_line(tmp_path: Path, certs: Certs) -> None:
    path = write_kubeconfig(
        tmp_path / "kubeconfig", {"gone": (cluster_entry("https://127.0.0.1:1", certs), token_user())}, current="gone"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sidecarctl",
            "kube-inject",
            "-f",
            "-",
            "--kubeconfig",
            str(path),
            "--kubeclient-timeout",
            "2s",
        ],
        input=POD,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("Error: "), proc.stderr
    assert "127.0.0.1:1" in proc.stderr
