"""The documented nesting limit (1,000 levels, docs/errors.md) holds in every command: a document
nested up to it is processed, in a List item and in `metadata.managedFields` as at the top, and
never meets Python's recursion limit (the walks of the typed decoder, the JSON output, diff, patch,
preserve, uninject and check all run below it)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from reliability_support import run

LIMIT = 1000
COMMANDS = {
    "kube-inject": ["kube-inject", "--offline", "-q"],
    "diff": ["kube-inject", "--offline", "-q", "--diff"],
    "patch": ["kube-inject", "--offline", "-q", "--patch"],
    "preserve": ["kube-inject", "--offline", "-q", "--preserve-formatting"],
    "json": ["kube-inject", "--offline", "-q", "--output-format", "json"],
    "uninject": ["uninject"],
    "uninject-json": ["uninject", "--output-format", "json"],
    "check": ["check", "--offline"],
    "check-json": ["check", "--offline", "-o", "json"],
}
WORKLOAD = (
    "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
    "      - name: web\n        image: nginx\n"
)


def nested(levels: int, kind: str) -> str:
    """A flow value `levels` collections deep."""
    return "{a: " * levels + "1" + "}" * levels if kind == "map" else "[" * levels + "1" + "]" * levels


def list_item(depth: int, kind: str) -> str:
    """A List whose Deployment item holds a value nested so that the document is `depth` deep
    (root, items, the item, its spec: four levels above the value)."""
    return (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n"
        f"    name: web\n  spec:\n    x: {nested(depth - 4, kind)}\n" + textwrap.indent(WORKLOAD, "  ")
    )


def managed_fields(depth: int, kind: str) -> str:
    """A Deployment whose managedFields entry is nested so that the document is `depth` deep
    (root, metadata, managedFields, the entry: four levels above fieldsV1's value)."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  managedFields:\n"
        f"  - manager: kubectl\n    fieldsV1: {nested(depth - 4, kind)}\nspec:\n" + WORKLOAD
    )


SHAPES = {"list-item": list_item, "managedFields": managed_fields}
CASES = [
    pytest.param(command, shape, depth, kind, id=f"{command}-{shape}-{depth}-{kind}")
    for command in COMMANDS
    for shape in SHAPES
    for depth, kind in ((LIMIT - 1, "map"), (LIMIT, "map"), (LIMIT, "seq"))
]


@pytest.mark.parametrize("command,shape,depth,kind", CASES)
def test_nesting_up_to_the_limit_is_processed(tmp_path: Path, command: str, shape: str, depth: int, kind: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(SHAPES[shape](depth, kind))
    result = run([*COMMANDS[command], "-f", str(path)])
    assert result.code == 0, result.err
    assert "Error" not in result.err and "Recursion" not in result.err, result.err
    assert result.stdout


@pytest.mark.parametrize("shape", SHAPES)
def test_nesting_past_the_limit_is_the_readers_error(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(SHAPES[shape](LIMIT + 2, "map"))
    result = run(["kube-inject", "--offline", "-q", "-f", str(path)])
    assert result.code == 1 and f"exceeded max depth of {LIMIT}" in result.err, result.err


def test_the_documents_are_as_deep_as_claimed() -> None:
    """The generators' depth, counted as libyaml counts collections (the root is level 1)."""
    import yaml

    for shape in SHAPES.values():
        for kind in ("map", "seq"):
            depth = deepest = 0
            for event in yaml.parse(shape(LIMIT - 1, kind)):
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                    deepest = max(deepest, depth)
                elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    depth -= 1
            assert deepest == LIMIT - 1


@pytest.mark.parametrize("depth,kind", [(LIMIT - 1, "map"), (LIMIT, "seq")], ids=["999-map", "1000-seq"])
def test_krm_function_at_the_limit(depth: int, kind: str) -> None:
    """krm-fn reads a ResourceList on stdin: its items are as deep as a List's."""
    resource_list = list_item(depth, kind).replace(
        "apiVersion: v1\nkind: List\n", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n", 1
    )
    result = run(["krm-fn"], stdin=resource_list.encode())
    assert result.code == 0, result.err
    assert b"istio-proxy" in result.stdout
