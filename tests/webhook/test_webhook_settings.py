"""Where the webhook's settings come from: kube-inject's flags, cluster ConfigMaps, native sidecars."""

from __future__ import annotations

from importlib import resources
from typing import Any, ClassVar

import pytest

from sidecarctl.config import cluster
from sidecarctl.releases import newest
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags, native_sidecars_from_env, template_revision

DEFAULTS = resources.files("sidecarctl.defaults").joinpath(newest().defaults)


class FakeCluster:
    """Stands in for ClusterSource: serves the built-in settings and records what was asked."""

    calls: ClassVar[list[tuple[str, ...]]] = []

    def __init__(self, kubeconfig: str | None = None, context: str | None = None, **_: Any) -> None:
        FakeCluster.calls.append(("client", str(kubeconfig), str(context)))

    def inject_template(self, namespace: str, name: str, revision: str) -> str:
        FakeCluster.calls.append(("config", namespace, name, revision))
        return DEFAULTS.joinpath("inject-config.yaml").read_text()

    def inject_values(self, namespace: str, name: str, revision: str) -> str:
        FakeCluster.calls.append(("values", namespace, name, revision))
        return DEFAULTS.joinpath("values.json").read_text()

    def mesh_config(self, namespace: str, name: str, revision: str) -> str:
        FakeCluster.calls.append(("mesh", namespace, name, revision))
        return DEFAULTS.joinpath("mesh-config.yaml").read_text()

    def native_sidecars_supported(self, node_name: str = "") -> bool:
        FakeCluster.calls.append(("nodes",))
        return True


@pytest.fixture
def fake_cluster(monkeypatch: pytest.MonkeyPatch) -> type[FakeCluster]:
    FakeCluster.calls = []
    monkeypatch.setattr(cluster, "ClusterSource", FakeCluster)
    return FakeCluster


def test_settings_from_configmaps(fake_cluster: type[FakeCluster]) -> None:
    flags = SettingsFlags(
        istio_namespace="mesh",
        revision="canary",
        kubeconfig="kc",
        context="ctx",
        inject_configmap_name="injector",
        mesh_configmap_name="meshcm",
        detect_native_sidecars=True,
    )
    injector = EngineInjector.load(flags)
    assert ("client", "kc", "ctx") in fake_cluster.calls
    assert ("config", "mesh", "injector", "canary") in fake_cluster.calls
    assert ("values", "mesh", "injector", "canary") in fake_cluster.calls
    assert ("mesh", "mesh", "meshcm", "canary") in fake_cluster.calls
    assert injector.native_sidecars is True
    assert injector.policy().policy == "enabled"


def test_files_need_no_cluster(fake_cluster: type[FakeCluster]) -> None:
    flags = SettingsFlags(
        inject_config_file=str(DEFAULTS.joinpath("inject-config.yaml")),
        values_file=str(DEFAULTS.joinpath("values.json")),
        mesh_config_file=str(DEFAULTS.joinpath("mesh-config.yaml")),
    )
    injector = EngineInjector.load(flags)
    assert fake_cluster.calls == [] and injector.native_sidecars is None


@pytest.mark.parametrize(
    ("flags", "from_cluster"),
    [
        (SettingsFlags(), True),
        (SettingsFlags(offline=True), False),
        (SettingsFlags(inject_config_file="c", values_file="v"), True),
        (SettingsFlags(inject_config_file="c", values_file="v", mesh_config_file="m"), False),
        (SettingsFlags(inject_config_file="c", operator_file="op"), False),
    ],
)
def test_which_settings_come_from_the_cluster(flags: SettingsFlags, from_cluster: bool) -> None:
    assert flags.from_cluster is from_cluster


@pytest.mark.parametrize(("value", "want"), [("true", True), ("false", False), ("auto", None), ("yes", False)])
def test_enable_native_sidecars(value: str, want: bool | None) -> None:
    assert native_sidecars_from_env(value) is want


def test_default_revision_renders_as_none() -> None:
    assert template_revision("default") == "" and template_revision("canary") == "canary"
