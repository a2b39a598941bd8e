"""Fixtures for the beyond-istioctl tests: the fake API server of tests/cluster, reused."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cluster"))  # cluster_fakeapi

from cluster_fakeapi import Certs, FakeCluster, cluster_entry, token_user, write_kubeconfig  # noqa: E402


@pytest.fixture(autouse=True)
def no_developer_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer kubeconfig, in-cluster variables, proxies or SIDECARCTL_* defaults leak in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    if not Certs.available():
        pytest.skip("the openssl command is needed to make test certificates")
    return Certs(tmp_path_factory.mktemp("certs")).make()


@pytest.fixture
def fake_cluster(certs: Certs) -> Iterator[FakeCluster]:
    cluster = FakeCluster(certs, "check").start()
    yield cluster
    cluster.stop()


@pytest.fixture
def kubeconfig(fake_cluster: FakeCluster, certs: Certs, tmp_path: Path) -> Path:
    return write_kubeconfig(
        tmp_path / "kubeconfig", {"main": (cluster_entry(fake_cluster.url, certs), token_user())}, current="main"
    )


MakeCluster = Callable[[], FakeCluster]
