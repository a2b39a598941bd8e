"""Fixtures for the cluster tests: certificates, fake API servers, kubeconfig files, a clean env."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cluster_fakeapi import Certs, FakeCluster, cluster_entry, token_user, write_kubeconfig

from shared_suite import require_suite


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No developer kubeconfig, no in-cluster variables, no proxy between us and loopback."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    if not Certs.available():
        pytest.skip("the openssl command is needed to make test certificates")
    return Certs(tmp_path_factory.mktemp("certs")).make()


@pytest.fixture
def make_cluster(certs: Certs) -> Iterator[Callable[[str], FakeCluster]]:
    started: list[FakeCluster] = []

    def make(name: str = "cluster") -> FakeCluster:
        cluster = FakeCluster(certs, name).start()
        started.append(cluster)
        return cluster

    yield make
    for cluster in started:
        cluster.stop()


@pytest.fixture
def cluster(make_cluster: Callable[[str], FakeCluster]) -> FakeCluster:
    return make_cluster("main")


@pytest.fixture
def kubeconfig(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> Path:
    """A kubeconfig whose current context reaches `cluster` with a bearer token."""
    return write_kubeconfig(
        tmp_path / "kubeconfig", {"main": (cluster_entry(cluster.url, certs), token_user())}, current="main"
    )


@pytest.fixture(scope="session")
def conformance() -> Path:
    return require_suite()


@pytest.fixture
def default_settings(conformance: Path) -> Path:
    return conformance / "settings" / "default"
