"""The cluster as the settings source end to end: the settings loader and `sidecarctl kube-inject`.

With the conformance settings loaded as ConfigMaps, reading them from the cluster must give exactly
what the files give: the same parsed settings, and the same kube-inject output for every case.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cluster_fakeapi import Certs, FakeCluster, cluster_entry, token_user, write_kubeconfig

from sidecarctl.config.cluster import ClusterSource


def variant_namespace(name: str) -> str:
    return "istio-system" if name == "default" else f"variant-{name}"


@pytest.fixture(scope="module")
def loaded(conformance: Path, certs: Certs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """One fake cluster with every settings variant (default in istio-system, the others in
    `variant-<name>`), and a kubeconfig for it. Module-scoped: the ConfigMaps are large."""
    cluster = FakeCluster(certs, "conformance").start()
    for folder in (conformance / "settings").iterdir():
        if folder.is_dir():
            cluster.load_settings(folder, namespace=variant_namespace(folder.name))
    path = tmp_path_factory.mktemp("kube") / "config"
    write_kubeconfig(path, {"ci": (cluster_entry(cluster.url, certs), token_user())}, current="ci")
    yield conformance, path
    cluster.stop()


def test_loader_gets_the_same_settings(loaded: tuple[Path, Path]) -> None:
    settings_mod = pytest.importorskip("sidecarctl.config.settings")
    proto = pytest.importorskip("sidecarctl.config.proto")
    conformance, kubeconfig = loaded
    source = ClusterSource(kubeconfig=str(kubeconfig))
    for folder in sorted(p for p in (conformance / "settings").iterdir() if p.is_dir()):
        from_cluster = settings_mod.load_settings(cluster=source.bind(variant_namespace(folder.name)))
        from_files = settings_mod.load_settings(
            inject_config_file=str(folder / "inject-config.yaml"),
            values_file=str(folder / "inject-values.yaml"),
            mesh_config_file=str(folder / "mesh-config.yaml"),
        )
        assert from_cluster.inject_config == from_files.inject_config, folder.name
        assert from_cluster.values == from_files.values, folder.name
        assert proto.to_json(from_cluster.mesh) == proto.to_json(from_files.mesh), folder.name


# --- the command -----------------------------------------------------------------------------------


def cases(conformance_root: Path) -> list[dict[str, Any]]:
    listed = conformance_root / "cases.yaml"
    return yaml.safe_load(listed.read_text()) if listed.is_file() else []


def invoke(args: list[str], native: bool) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from sidecarctl.cli import main

    runner = CliRunner()
    env = {"ENABLE_NATIVE_SIDECARS": "true" if native else "false"}
    with runner.isolation(env=env) as (out, err, _):
        try:
            main(["kube-inject", *args])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except Exception as crash:  # an engine bug shows in both modes alike; report, do not abort
            return -1, "", f"{type(crash).__name__}: {crash}"
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


def test_kube_inject_from_cluster_equals_from_files(loaded: tuple[Path, Path]) -> None:
    """`kube-inject -f X --kubeconfig K` (no settings files) == with the files, for every public case."""
    conformance, kubeconfig = loaded
    all_cases = cases(conformance)
    if not all_cases:
        pytest.skip("cases.yaml not found")
    mismatches: list[str] = []
    for case in all_cases:
        folder = conformance / "settings" / case["settings"]
        given = ["-f", str(conformance / "cases" / case["input"])]
        files = [
            "--injectConfigFile", str(folder / "inject-config.yaml"),
            "--meshConfigFile", str(folder / "mesh-config.yaml"),
            "--valuesFile", str(folder / "inject-values.yaml"),
        ]  # fmt: skip
        cluster = ["--kubeconfig", str(kubeconfig), "-i", variant_namespace(case["settings"])]
        with_cluster = invoke(given + cluster, case["native_sidecars"])
        with_files = invoke(given + files, case["native_sidecars"])
        if with_cluster != with_files:
            codes = f"files exit {with_files[0]}, cluster exit {with_cluster[0]}"
            mismatches.append(f"{case['name']}: {codes}: {with_cluster[2][:200]}")
    assert not mismatches, "\n".join(mismatches)
