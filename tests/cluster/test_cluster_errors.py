"""Every failure is one actionable line: unreachable, 401, 403, missing ConfigMap or key, bad data."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cluster_fakeapi import (
    Certs,
    FakeCluster,
    closed_port,
    cluster_entry,
    silent_port,
    token_user,
    webhook,
    write_kubeconfig,
)

from sidecarctl.config.cluster import ClusterSource
from sidecarctl.errors import ConfigError


def failure(call: Callable[[], object]) -> str:
    with pytest.raises(ConfigError) as err:
        call()
    message = str(err.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert err.value.exit_code == 1
    return message


def kubeconfig_for(url: str, certs: Certs, tmp_path: Path, token: str = "good-token") -> str:
    path = write_kubeconfig(tmp_path / "config", {"ctx": (cluster_entry(url, certs), token_user(token))}, "ctx")
    return str(path)


# --- the cluster cannot be reached -----------------------------------------------------------------


def test_connection_refused(certs: Certs, tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{closed_port()}"
    message = failure(ClusterSource(kubeconfig=kubeconfig_for(url, certs, tmp_path)).mesh_config)
    assert message.startswith("cluster unreachable")
    assert url in message and "connection refused" in message and "context 'ctx'" in message


def test_timeout_is_honoured(certs: Certs, tmp_path: Path) -> None:
    sock, port = silent_port()
    try:
        url = f"https://127.0.0.1:{port}"
        source = ClusterSource(kubeconfig=kubeconfig_for(url, certs, tmp_path), timeout=0.5)
        started = time.monotonic()
        message = failure(source.mesh_config)
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    assert elapsed < 5, elapsed
    assert message.startswith("cluster unreachable") and "0.5s" in message and "--kubeclient-timeout" in message


def test_unreachable_while_resolving_the_default_revision(certs: Certs, tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{closed_port()}"
    message = failure(lambda: ClusterSource(kubeconfig=kubeconfig_for(url, certs, tmp_path)).resolve_revision(""))
    assert message.startswith("cluster unreachable")


# --- credentials and permissions ----------------------------------------------------------------


def test_unauthorized(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": ""})
    source = ClusterSource(kubeconfig=kubeconfig_for(cluster.url, certs, tmp_path, token="expired"))
    message = failure(source.mesh_config)
    assert message.startswith("unauthorized (HTTP 401)")
    assert "ctx-user" in message and "context 'ctx'" in message and cluster.url in message
    assert "log in again" in message


def test_unauthorized_stops_default_revision_lookup(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    source = ClusterSource(kubeconfig=kubeconfig_for(cluster.url, certs, tmp_path, token="expired"))
    assert "HTTP 401" in failure(lambda: source.resolve_revision(""))


def test_forbidden_names_verb_resource_and_namespace(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.forbidden.add(("get", "configmaps", "istio-system"))
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).inject_config)
    assert message.startswith("forbidden (HTTP 403)")
    assert "get configmaps 'istio-sidecar-injector' in namespace 'istio-system'" in message
    assert 'User "token-user" cannot get resource "configmaps"' in message  # the server's own words
    assert "--injectConfigFile" in message


def test_forbidden_mesh_suggests_mesh_file(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.forbidden.add(("get", "configmaps", "istio-system"))
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).mesh_config)
    assert "get configmaps 'istio' in namespace 'istio-system'" in message and "--meshConfigFile" in message


def test_forbidden_nodes(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.forbidden.add(("list", "nodes", ""))
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).native_sidecars_supported)
    assert message.startswith("forbidden (HTTP 403)")
    assert "list nodes (cluster-scoped)" in message and "ENABLE_NATIVE_SIDECARS" in message


# --- ConfigMaps and keys --------------------------------------------------------------------------


def test_configmap_not_found(cluster: FakeCluster, kubeconfig: Path) -> None:
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).inject_config)
    assert message.startswith("ConfigMap 'istio-sidecar-injector' not found in namespace 'istio-system'")
    assert "--revision" in message and "--injectConfigFile" in message


def test_revision_configmap_not_found(cluster: FakeCluster, kubeconfig: Path) -> None:
    message = failure(lambda: ClusterSource(kubeconfig=str(kubeconfig)).mesh_config(revision="canary"))
    assert "ConfigMap 'istio-canary' not found" in message
    assert "revision 'canary'" in message and "--meshConfigFile" in message


def test_revision_that_is_a_tag(cluster: FakeCluster, kubeconfig: Path) -> None:
    # istioctl reads istio-sidecar-injector-<tag>, which no install has; say which revision to use.
    cluster.webhooks.append(webhook("istio-revision-tag-prod", {"istio.io/rev": "1-30-3", "istio.io/tag": "prod"}))
    message = failure(lambda: ClusterSource(kubeconfig=str(kubeconfig)).inject_config(revision="prod"))
    assert "'prod' is a revision tag for revision '1-30-3'" in message and "--revision 1-30-3" in message


def test_configmap_in_other_namespace_hint(cluster: FakeCluster, kubeconfig: Path) -> None:
    message = failure(lambda: ClusterSource(kubeconfig=str(kubeconfig)).mesh_config("istio-system"))
    assert "-i <namespace>" in message


@pytest.mark.parametrize(
    ("data", "call", "key", "flag"),
    [
        ({"values": "{}"}, "inject_template", "config", "--injectConfigFile"),
        ({"config": "a: 1"}, "inject_values", "values", "--valuesFile"),
    ],
)
def test_injector_key_missing(
    cluster: FakeCluster, kubeconfig: Path, data: dict[str, str], call: str, key: str, flag: str
) -> None:
    cluster.add_configmap("istio-system", "istio-sidecar-injector", data)
    message = failure(getattr(ClusterSource(kubeconfig=str(kubeconfig)), call))
    assert f"ConfigMap 'istio-sidecar-injector' in namespace 'istio-system' has no key '{key}'" in message
    assert flag in message and "--revision" in message


def test_mesh_key_missing(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"meshNetworks": "networks: {}"})
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).mesh_config)
    assert "ConfigMap 'istio' in namespace 'istio-system' has no key 'mesh'" in message
    assert "--meshConfigFile" in message


# --- malformed data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "expect"),
    [
        ("config", "templates:\n  sidecar: |\n    x\n bad: [", "malformed YAML at line"),
        ("values", '{"global": {"hub": "x",}', "malformed YAML at line"),
        ("config", "- just\n- a list\n", "expected a mapping, found list"),
        ("values", '"a string"', "expected a mapping, found str"),
    ],
)
def test_malformed_injector_data(cluster: FakeCluster, kubeconfig: Path, key: str, text: str, expect: str) -> None:
    data = {"config": "templates: {}", "values": "{}", key: text}
    cluster.add_configmap("istio-system", "istio-sidecar-injector", data)
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).inject_config)
    assert f"ConfigMap 'istio-sidecar-injector' in namespace 'istio-system', key '{key}'" in message
    assert expect in message


def test_malformed_mesh(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "defaultConfig:\n\tdiscoveryAddress: x\n"})
    message = failure(ClusterSource(kubeconfig=str(kubeconfig)).mesh_config)
    assert "ConfigMap 'istio' in namespace 'istio-system', key 'mesh': malformed YAML" in message


def test_empty_data_is_accepted(cluster: FakeCluster, kubeconfig: Path) -> None:
    # istioctl takes empty mesh and values as "all defaults"; the loader decides about content.
    cluster.add_configmap("istio-system", "istio", {"mesh": ""})
    assert ClusterSource(kubeconfig=str(kubeconfig)).mesh_config() == ""
