"""Native sidecars in `auto` mode from the nodes' kubelet versions (Istio's DetectNativeSidecar),
plus the small pure helpers of the module and its import cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cluster_fakeapi import FakeCluster, node

from sidecarctl.config.cluster import (
    ClusterSource,
    configmap_name,
    kubelet_supports_native_sidecars,
    nodes_support_native_sidecars,
    parse_timeout,
)
from sidecarctl.errors import UsageError


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        (["v1.33.0", "v1.34.0"], True),  # Istio's own test table
        (["v1.28.0", "v1.29.0"], False),
        (["v1.33.0", "v1.28.0"], False),  # one old node turns it off for the cluster
        ([""], False),  # a node without a readable version
        ([], True),  # no node is below 1.33
        (["v1.33.5-gke.1200", "v1.35.0+k3s1", "1.34"], True),  # vendor suffixes parse
        (["v1.32.9-eks-113cf36"], False),
    ],
)
def test_cluster_wide_decision(cluster: FakeCluster, kubeconfig: Path, versions: list[str], expected: bool) -> None:
    cluster.set_nodes(versions)
    assert ClusterSource(kubeconfig=str(kubeconfig)).native_sidecars_supported() is expected


def test_pod_node_decides_when_it_exists(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.set_nodes(["v1.28.0", "v1.33.0"])
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.native_sidecars_supported("node-2") is True
    assert source.native_sidecars_supported("node-1") is False
    assert source.native_sidecars_supported("gone") is False  # unknown node: the cluster-wide check
    assert source.native_sidecars_supported() is False
    assert len(cluster.requests) == 1  # nodes are listed once


def test_node_list_pages(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.set_nodes(["v1.33.0"] * 5 + ["v1.27.1"])
    cluster.node_page_size = 2
    assert ClusterSource(kubeconfig=str(kubeconfig)).native_sidecars_supported() is False
    assert len(cluster.requests) == 3
    assert all("limit=" in path for path, _, _ in cluster.requests)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("v1.33.0", True),
        ("1.33", True),
        ("v1.100.0", True),
        ("v1.32.99", False),
        ("v2.0.0", False),  # Istio compares the minor version alone
        ("v1", False),  # padded to 1.0.0
        ("garbage", False),
        (" v1.33.0", False),  # go-version does not trim
        ("v1.33.0-rc.1+build.5", True),
    ],
)
def test_kubelet_version_rule(version: str, expected: bool) -> None:
    assert kubelet_supports_native_sidecars(version) is expected


def test_nodes_without_status() -> None:
    assert nodes_support_native_sidecars([{"metadata": {"name": "n"}}]) is False
    assert nodes_support_native_sidecars([node("a", "v1.34.1")], "a") is True


# --- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("", 15.0), (None, 15.0), ("15s", 15.0), ("500ms", 0.5), ("1m30s", 90.0), ("1.5h", 5400.0), ("0", None)],
)
def test_parse_timeout(text: str | None, seconds: float | None) -> None:
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize("text", ["15", "abc", "-1s", "5 s", "s"])
def test_parse_timeout_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="--kubeclient-timeout"):
        parse_timeout(text)


def test_configmap_name() -> None:
    assert configmap_name("istio", "istio", "") == "istio"
    assert configmap_name("istio", "istio", "canary") == "istio-canary"
    assert configmap_name("custom", "istio", "canary") == "custom"


def test_importing_the_module_does_not_import_kubernetes() -> None:
    code = "import sys, sidecarctl.config.cluster; print(any(m.split('.')[0] == 'kubernetes' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_constructing_a_source_does_not_import_kubernetes() -> None:
    code = (
        "import sys; from sidecarctl.config.cluster import ClusterSource; ClusterSource(kubeconfig='x'); "
        "print('kubernetes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
