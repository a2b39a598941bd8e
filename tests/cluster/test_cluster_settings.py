"""Settings read from a cluster: ConfigMaps, revisions and tags, through real kubeconfig files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cluster_fakeapi import FakeCluster, webhook

from sidecarctl.config.cluster import ClusterSource

PIECES = ("inject-config.yaml", "inject-values.yaml", "mesh-config.yaml")


def read_all(source: ClusterSource, namespace: str = "istio-system", revision: str = "") -> tuple[str, str, str]:
    config, values = source.inject_config(namespace, revision=revision)
    return config, values, source.mesh_config(namespace, revision=revision)


def files(folder: Path) -> tuple[str, str, str]:
    return tuple((folder / name).read_text() for name in PIECES)  # type: ignore[return-value]


def test_reads_config_values_and_mesh_byte_for_byte(
    cluster: FakeCluster, kubeconfig: Path, default_settings: Path
) -> None:
    cluster.load_settings(default_settings)
    assert read_all(ClusterSource(kubeconfig=str(kubeconfig))) == files(default_settings)


def test_every_conformance_settings_variant(cluster: FakeCluster, kubeconfig: Path, conformance: Path) -> None:
    # One namespace per variant, so a single server holds them all (read with -i).
    variants = sorted(p for p in (conformance / "settings").iterdir() if p.is_dir())
    for folder in variants:
        cluster.load_settings(folder, namespace=f"variant-{folder.name}")
    source = ClusterSource(kubeconfig=str(kubeconfig))
    for folder in variants:
        assert read_all(source, f"variant-{folder.name}") == files(folder), folder.name


def test_configmap_read_once_for_config_and_values(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.add_configmap("istio-system", "istio-sidecar-injector", {"config": "a: 1", "values": "{}"})
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.inject_config() == ("a: 1", "{}")
    assert source.inject_template() == "a: 1"
    assert len(cluster.requests) == 1


def test_one_piece_without_the_other_key(cluster: FakeCluster, kubeconfig: Path) -> None:
    # --valuesFile given: a ConfigMap without `values` is fine, and the other way round.
    cluster.add_configmap("istio-system", "istio-sidecar-injector", {"config": "templates: {}"})
    assert ClusterSource(kubeconfig=str(kubeconfig)).inject_template() == "templates: {}"
    cluster.add_configmap("istio-system", "istio-sidecar-injector", {"values": '{"global": {}}'})
    assert ClusterSource(kubeconfig=str(kubeconfig)).inject_values() == '{"global": {}}'


def test_custom_namespace(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.add_configmap("mesh-ns", "istio", {"mesh": "trustDomain: example.org"})
    assert ClusterSource(kubeconfig=str(kubeconfig)).mesh_config("mesh-ns") == "trustDomain: example.org"


# --- revisions and tags --------------------------------------------------------------------------


def canary_cluster(cluster: FakeCluster) -> None:
    cluster.add_configmap("istio-system", "istio-sidecar-injector", {"config": "rev: default", "values": "{}"})
    cluster.add_configmap("istio-system", "istio", {"mesh": "rev: default"})
    cluster.add_configmap("istio-system", "istio-sidecar-injector-canary", {"config": "rev: canary", "values": "{}"})
    cluster.add_configmap("istio-system", "istio-canary", {"mesh": "rev: canary"})


def test_revision_canary_reads_the_canary_configmaps(cluster: FakeCluster, kubeconfig: Path) -> None:
    canary_cluster(cluster)
    source = ClusterSource(kubeconfig=str(kubeconfig))
    revision = source.resolve_revision("canary")
    assert revision == "canary"
    assert read_all(source, revision=revision) == ("rev: canary", "{}", "rev: canary")
    paths = [p for p, _, _ in cluster.requests]
    assert "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector-canary" in paths
    assert "/api/v1/namespaces/istio-system/configmaps/istio-canary" in paths
    assert not any(p.endswith("/configmaps/istio") or p.endswith("/istio-sidecar-injector") for p in paths)


def test_revision_canary_with_conformance_settings(
    cluster: FakeCluster, kubeconfig: Path, conformance: Path, default_settings: Path
) -> None:
    cluster.load_settings(default_settings)
    cluster.load_settings(conformance / "settings" / "traffic-params", revision="canary")
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert read_all(source, revision="canary") == files(conformance / "settings" / "traffic-params")


def test_custom_configmap_name_is_not_suffixed(cluster: FakeCluster, kubeconfig: Path) -> None:
    # As istioctl: `-<revision>` only goes on the default names.
    cluster.add_configmap("istio-system", "my-injector", {"config": "x: 1", "values": "{}"})
    cluster.add_configmap("istio-system", "my-mesh", {"mesh": "y: 2"})
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.inject_config(name="my-injector", revision="canary") == ("x: 1", "{}")
    assert source.mesh_config(name="my-mesh", revision="canary") == "y: 2"


def test_no_default_tag_means_default_revision(cluster: FakeCluster, kubeconfig: Path) -> None:
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.default_revision() == "default"
    assert source.resolve_revision("") == ""
    queries = [parse_qs(urlsplit(p).query) for p, _, _ in cluster.requests]
    assert {"labelSelector": ["istio.io/tag=default"]} in queries


def test_default_tag_points_at_canary(cluster: FakeCluster, kubeconfig: Path) -> None:
    canary_cluster(cluster)
    cluster.webhooks.append(
        webhook("istio-revision-tag-default", {"istio.io/rev": "canary", "istio.io/tag": "default"})
    )
    source = ClusterSource(kubeconfig=str(kubeconfig))
    revision = source.resolve_revision("")
    assert revision == "canary"
    assert read_all(source, revision=revision) == ("rev: canary", "{}", "rev: canary")


def test_explicit_default_revision_ignores_the_tag(cluster: FakeCluster, kubeconfig: Path) -> None:
    # istioctl: `--revision default` renders and reads with the empty revision, tag or not.
    cluster.webhooks.append(
        webhook("istio-revision-tag-default", {"istio.io/rev": "canary", "istio.io/tag": "default"})
    )
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.resolve_revision("default") == ""
    assert source.resolve_revision("stable") == "stable"
    assert cluster.requests == []  # an explicit revision needs no lookup


def test_default_tag_only_counts_under_its_own_name(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.webhooks.append(webhook("some-other-hook", {"istio.io/rev": "canary", "istio.io/tag": "default"}))
    assert ClusterSource(kubeconfig=str(kubeconfig)).resolve_revision("") == ""


def test_default_revision_falls_back_when_webhooks_are_forbidden(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.forbidden.add(("list", "mutatingwebhookconfigurations", ""))
    assert ClusterSource(kubeconfig=str(kubeconfig)).resolve_revision("") == ""


def test_tag_revision(cluster: FakeCluster, kubeconfig: Path) -> None:
    cluster.webhooks.append(webhook("istio-revision-tag-prod", {"istio.io/rev": "canary", "istio.io/tag": "prod"}))
    source = ClusterSource(kubeconfig=str(kubeconfig))
    assert source.tag_revision("prod") == "canary"
    assert source.tag_revision("nope") is None


def test_bound_settings_for_the_loader(cluster: FakeCluster, kubeconfig: Path) -> None:
    canary_cluster(cluster)
    bound = ClusterSource(kubeconfig=str(kubeconfig)).bind("istio-system", revision="canary")
    assert (bound.inject_template(), bound.inject_values(), bound.mesh_config()) == ("rev: canary", "{}", "rev: canary")
    assert bound.describe("mesh") == "ConfigMap istio-system/istio-canary key mesh"
    assert bound.describe("values") == "ConfigMap istio-system/istio-sidecar-injector-canary key values"
