"""Istio's own kube-inject inputs and goldens against the typed round trip.

istioctl wrote every golden through the Go types, so each golden document must be a fixed point of
`normalize`; every input must keep its content; and app containers istioctl leaves alone must come
out as the golden shows them. Uses the shared conformance fixtures (skipped when absent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared_suite import SUITE, conformance_cases, needs_suite
from sidecarctl.kube import (
    canonical_quantity,
    is_supported,
    marshal_json,
    normalize,
    normalize_as,
)

ROOT = SUITE
CASES = ROOT / "cases"

pytestmark = needs_suite


def documents(path: Path) -> list[Any]:
    """The YAML documents of a file, split on `---` lines as istioctl's reader does."""
    chunks = re.split(r"^---\s*$", path.read_text(), flags=re.MULTILINE)
    return [d for d in (yaml.safe_load(c) for c in chunks) if d is not None]


def supported(path: Path) -> list[dict]:
    return [d for d in documents(path) if isinstance(d, dict) and is_supported(d)]


def goldens() -> list[Path]:
    return sorted(CASES.glob("*.injected")) if CASES.is_dir() else []


def inputs() -> list[Path]:
    if not CASES.is_dir():
        return []
    return sorted(p for p in CASES.glob("*.yaml") if not p.name.endswith(".iop.yaml"))


@pytest.mark.parametrize("path", goldens(), ids=lambda p: p.name)
def test_golden_is_a_fixed_point(path: Path) -> None:
    for doc in supported(path):
        assert normalize(doc) == doc


def test_goldens_cover_every_kind() -> None:
    kinds = {d["kind"] for p in goldens() for d in supported(p)}
    assert {
        "Pod",
        "Deployment",
        "DaemonSet",
        "ReplicaSet",
        "StatefulSet",
        "Job",
        "CronJob",
        "DeploymentConfig",
        "List",
    } <= kinds  # no ReplicationController case upstream


QUANTITY_PARENTS = {"limits", "requests", "overhead", "capacity", "allocatable"}


def missing(given: Any, got: Any, path: str = "") -> Iterator[str]:
    """Paths of non-empty input content the normalised document lost or changed."""
    if isinstance(given, dict):
        if not isinstance(got, dict):
            yield path
            return
        for k, v in given.items():
            if v in (None, "", [], {}, False, 0):
                continue
            if k not in got:
                yield f"{path}.{k}"
            elif path.rsplit(".", 1)[-1] in QUANTITY_PARENTS:
                if canonical_quantity(v) != got[k]:
                    yield f"{path}.{k}"
            else:
                yield from missing(v, got[k], f"{path}.{k}")
    elif isinstance(given, list):
        if not isinstance(got, list) or len(got) != len(given):
            yield path
            return
        for i, (x, y) in enumerate(zip(given, got)):
            yield from missing(x, y, f"{path}[{i}]")
    elif given != got:
        yield path


@pytest.mark.parametrize("path", inputs(), ids=lambda p: p.name)
def test_input_keeps_its_content(path: Path) -> None:
    for doc in supported(path):
        assert list(missing(doc, normalize(doc))) == []


def pod_specs(doc: dict) -> Iterator[dict]:
    kind = doc["kind"]
    if kind == "List":
        for item in doc.get("items") or []:
            if isinstance(item, dict) and is_supported(item):
                yield from pod_specs(item)
    elif kind == "Pod":
        yield doc["spec"]
    elif kind == "CronJob":
        yield doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    else:
        yield doc["spec"]["template"]["spec"]


def case_files(name: str) -> tuple[Path, Path]:
    for case in conformance_cases():
        if case["name"] == name:
            return CASES / case["input"], CASES / case["golden"]
    raise KeyError(name)


# Cases whose app containers istioctl does not touch (no probe rewrite), one or more per kind.
UNTOUCHED = [
    "hello.yaml",
    "frontend.yaml",
    "multi-container.yaml",
    "statefulset-old-version.yaml",
    "replicaset.yaml",
    "job.yaml",
    "cronjob-old-version.yaml",
    "daemonset-old-version.yaml",
    "deploymentconfig-multi.yaml",
    "list-frontend.yaml",
    "proxy-override.yaml",
    "proxy-resources-zero.yaml",
    "explicit-security-context.yaml",
]


@pytest.mark.parametrize("name", UNTOUCHED)
def test_app_containers_match_the_golden(name: str) -> None:
    src, golden = case_files(name)
    ins, outs = [normalize(d) for d in supported(src)], supported(golden)
    assert len(ins) == len(outs)
    checked = 0
    for got, want in zip(ins, outs):
        for spec_in, spec_out in zip(pod_specs(got), pod_specs(want)):
            by_name = {c["name"]: c for c in spec_out["containers"]}
            for c in spec_in["containers"]:
                if not c["name"].startswith("istio-"):
                    assert c == by_name[c["name"]]
                    checked += 1
    assert checked


def override_annotations() -> list[str]:
    found = []
    for path in goldens():
        for doc in supported(path):
            for spec_meta in _template_metas(doc):
                value = (spec_meta.get("annotations") or {}).get("proxy.istio.io/overrides")
                if value:
                    found.append(value)
    return found


def _template_metas(doc: dict) -> Iterator[dict]:
    kind = doc["kind"]
    if kind == "List":
        for item in doc.get("items") or []:
            if isinstance(item, dict) and is_supported(item):
                yield from _template_metas(item)
    elif kind == "Pod":
        yield doc.get("metadata") or {}
    elif kind == "CronJob":
        yield doc["spec"]["jobTemplate"]["spec"]["template"].get("metadata") or {}
    else:
        yield doc["spec"]["template"].get("metadata") or {}


def test_override_annotations_reencode_byte_for_byte() -> None:
    """Istio json.Marshals the user's containers into proxy.istio.io/overrides: Go field order."""
    annotations = override_annotations()
    assert annotations
    for text in annotations:
        parsed = json.loads(text)
        parts = []
        for key in ("containers", "initContainers"):
            if key in parsed:
                containers = normalize_as(parsed[key], "[]v1.Container", coerce=False)
                parts.append(f'"{key}":' + marshal_json(containers, "[]v1.Container"))
        assert "{" + ",".join(parts) + "}" == text
