"""`kube-inject --patch`, applied by the real kustomize (kubectl's, 1.27 ... 1.33), gives what
kube-inject writes, for every public conformance input kube-inject injects.

Both patch forms are tried over every such input in one `kubectl kustomize` run per kubectl
version: a top-level kustomization lists, per case and form, a kustomization that sets the
namespace `<form>-<case number>` (so the cases' objects, mostly named alike, do not collide) over
one holding the case's input and its patches (`patches:` for strategic, `components:` for the
json6902 Component). Each object kustomize prints is compared with kube-inject's output for it
(a List's items one by one, as kustomize takes them), both normalised as the Go types decode
them and with null values and empty maps dropped (what Kubernetes stores); containers and init
containers therefore in Istio's order.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from beyond_support import SUITE, conformance_cases, run, settings_flags

from real_tools import kubectl_versions
from sidecarctl.inject import workloads
from sidecarctl.kube import normalize_as

FORMS = ("strategic", "json6902")
CASES = [case for case in conformance_cases() if not case.get("expected_error")]
VERSIONS = kubectl_versions()
pytestmark = [
    pytest.mark.skipif(not CASES, reason=f"conformance suite not found at {SUITE}"),
    pytest.mark.skipif(not VERSIONS, reason="kubectl not found on PATH"),
]


def kube_inject(case: dict[str, Any], *args: str) -> str:
    env = {"ENABLE_NATIVE_SIDECARS": "true" if case["native_sidecars"] else "false"}
    result = run("kube-inject", "-q", *settings_flags(case), "-f", str(SUITE / "cases" / case["input"]), *args, env=env)
    assert result.exit_code == 0, f"{case['name']}: {result.stderr}"
    return result.stdout


def objects(stream: str) -> list[dict[str, Any]]:
    """The objects of a stream as kustomize holds them: a List's items one by one."""
    out: list[dict[str, Any]] = []
    for document in yaml.safe_load_all(stream):
        if isinstance(document, dict) and document.get("kind") == "List":
            out.extend(item for item in document.get("items") or [] if isinstance(item, dict))
        elif isinstance(document, dict):
            out.append(document)
    return out


def stored(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API server would keep it, without its namespace (the test sets one)."""
    kind = obj.get("kind")
    typed = normalize_as(obj, workloads.kube_type(kind), coerce=False) if workloads.is_injectable(kind) else obj
    pruned = prune(typed)
    pruned.get("metadata", {}).pop("namespace", None)
    return pruned  # type: ignore[no-any-return]


def prune(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {key: prune(item) for key, item in value.items() if item is not None}
        return {key: item for key, item in kept.items() if item != {}}
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def identity(obj: dict[str, Any]) -> tuple[str, str]:
    return str(obj.get("kind")), str((obj.get("metadata") or {}).get("name"))


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """The kustomization tree, and per namespace the objects kube-inject writes for its case."""
    root = tmp_path_factory.mktemp("kustomize")
    expected: dict[str, list[dict[str, Any]]] = {}
    entries = []
    for number, case in enumerate(CASES):
        source = (SUITE / "cases" / case["input"]).read_text(encoding="utf-8")
        injected = objects(kube_inject(case))
        for form in FORMS:
            namespace = f"{form}-{number}"
            base = root / namespace / "base"
            base.mkdir(parents=True)
            (base / "input.yaml").write_text(source, encoding="utf-8")
            patch = kube_inject(case, "--patch-format", form)
            if form == "strategic":
                (base / "patch.yaml").write_text(patch, encoding="utf-8")
                listed = {"resources": ["input.yaml"], "patches": [{"path": "patch.yaml"}] if patch else []}
            else:
                (base / "sidecar").mkdir()
                (base / "sidecar" / "kustomization.yaml").write_text(patch, encoding="utf-8")
                listed = {"resources": ["input.yaml"], "components": ["sidecar"]}
            (base / "kustomization.yaml").write_text(yaml.safe_dump(listed), encoding="utf-8")
            (root / namespace / "kustomization.yaml").write_text(
                yaml.safe_dump({"resources": ["base"], "namespace": namespace}), encoding="utf-8"
            )
            entries.append(namespace)
            expected[namespace] = injected
    (root / "kustomization.yaml").write_text(yaml.safe_dump({"resources": entries}), encoding="utf-8")
    return root, expected


def test_the_inputs_that_inject_give_patches() -> None:
    """Every input with an injected workload gives patches (the others, whose workloads are all
    skipped, are compared below too: kustomize must then leave them as kube-inject does)."""
    for case in CASES:
        env = {"ENABLE_NATIVE_SIDECARS": "true" if case["native_sidecars"] else "false"}
        summary = run(
            "kube-inject", *settings_flags(case), "-f", str(SUITE / "cases" / case["input"]), env=env
        ).stderr.splitlines()[-1]
        injected = int(summary.split(": ")[-1].split()[0])
        assert bool(kube_inject(case, "--patch").strip()) == (injected > 0), f"{case['name']}: {summary}"


@pytest.mark.parametrize("version", list(VERSIONS), ids=list(VERSIONS) or None)
def test_kustomize_applies_the_patches_as_kube_inject_writes(
    version: str, layout: tuple[Path, dict[str, list[dict[str, Any]]]]
) -> None:
    root, expected = layout
    result = subprocess.run(
        [str(VERSIONS[version]), "kustomize", str(root)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    built: dict[str, list[dict[str, Any]]] = {}
    for obj in objects(result.stdout):
        built.setdefault(obj["metadata"]["namespace"], []).append(obj)
    assert sorted(built) == sorted(expected)
    for namespace, want in expected.items():
        case = CASES[int(namespace.rpartition("-")[2])]["name"]
        got = {identity(obj): stored(obj) for obj in built[namespace]}
        assert sorted(got) == sorted(identity(obj) for obj in want), f"{namespace} ({case})"
        for obj in want:
            assert got[identity(obj)] == stored(obj), f"{namespace} ({case}): {identity(obj)}"
            names = [
                c["name"]
                for c in got[identity(obj)].get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
            ]
            assert names.count("istio-proxy") <= 1


OLDEST_AND_NEWEST = sorted(set(list(VERSIONS)[:1] + list(VERSIONS)[-1:]))


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST, ids=OLDEST_AND_NEWEST or None)
def test_custom_kinds_through_json6902(version: str, tmp_path: Path) -> None:
    """Rollouts and registered kinds have no Go type: the JSON 6902 form carries them."""
    samples = Path(__file__).resolve().parents[2] / "samples" / "custom"
    flags = ["--offline", "--pod-template-path", "MyCRD=spec.workload.template"]
    sources = [samples / "rollout.yaml", samples / "mycrd.yaml"]
    inputs = [arg for source in sources for arg in ("-f", str(source))]
    component = run("kube-inject", "-q", *flags, "--patch-format", "json6902", *inputs)
    injected = run("kube-inject", "-q", *flags, *inputs)
    assert component.exit_code == 0 and injected.exit_code == 0, component.stderr + injected.stderr
    for source in sources:
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "sidecar").mkdir()
    (tmp_path / "sidecar" / "kustomization.yaml").write_text(component.stdout)
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": [s.name for s in sources], "components": ["sidecar"]})
    )
    result = subprocess.run(
        [str(VERSIONS[version]), "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    got = {identity(obj): prune(obj) for obj in objects(result.stdout)}
    want = {identity(obj): prune(obj) for obj in objects(injected.stdout)}
    assert got == want
