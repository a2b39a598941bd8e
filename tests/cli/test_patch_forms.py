"""The two --patch forms piece by piece (kustomize applying them to every conformance input is
tests/beyond/test_kustomize_patch.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from cli_runner import run_cli
from sidecarctl.workflow.patch import REPLACE, _meta, apply_operations, json_operations, pointer_token, target, two_way

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: nginx\n"


@pytest.mark.parametrize(
    "obj,expected",
    [
        pytest.param(
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "s"}},
            {"group": "apps", "version": "v1", "kind": "Deployment", "name": "w", "namespace": "s"},
            id="group",
        ),
        pytest.param(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
            {"group": "", "version": "v1", "kind": "Pod", "name": "p"},
            id="core-no-namespace",
        ),
    ],
)
def test_target(obj: dict[str, Any], expected: dict[str, str]) -> None:
    assert target(obj) == expected


def test_pointer_token_escapes_as_rfc_6901() -> None:
    assert pointer_token("sidecar.istio.io/status") == "sidecar.istio.io~1status"
    assert pointer_token("a~b/c") == "a~0b~1c"


@pytest.mark.parametrize(
    "old,new,given,expected",
    [
        pytest.param({"a": 1}, {"a": 2}, {"a": 1}, [{"op": "replace", "path": "/a", "value": 2}], id="replace"),
        pytest.param({"a": 1}, {"a": 1, "b": 2}, {"a": 1}, [{"op": "add", "path": "/b", "value": 2}], id="add"),
        pytest.param({"a": 1, "b": 2}, {"a": 1}, {"a": 1, "b": 2}, [{"op": "remove", "path": "/b"}], id="remove"),
        pytest.param({"a": 1, "s": None}, {"a": 1}, {"a": 1}, [], id="removed-but-not-in-the-file"),
        pytest.param(
            {"m": {"x/y": 1}},
            {"m": {"x/y": 2}},
            {"m": {"x/y": 1}},
            [{"op": "replace", "path": "/m/x~1y", "value": 2}],
            id="nested-escaped",
        ),
        pytest.param(
            {"m": {}},
            {"m": {"k": 1}},
            {},
            [{"op": "add", "path": "/m", "value": {"k": 1}}],
            id="map-missing-in-the-file-added-whole",
        ),
        pytest.param(
            {"l": [1, 2]},
            {"l": [2, 1, 3]},
            {"l": [1, 2]},
            [{"op": "replace", "path": "/l", "value": [2, 1, 3]}],
            id="list-whole",
        ),
    ],
)
def test_json_operations(
    old: dict[str, Any], new: dict[str, Any], given: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    operations = json_operations(old, new, given)
    assert operations == expected
    applied = apply_operations(given, operations)
    assert {k: v for k, v in applied.items() if v is not None} == {k: v for k, v in new.items() if v is not None}


def test_replace_of_a_missing_key_is_refused() -> None:
    with pytest.raises(KeyError):
        apply_operations({}, [{"op": "replace", "path": "/a", "value": 1}])


@pytest.mark.parametrize(
    "field,given_has_it,first",
    [
        pytest.param("containers", True, REPLACE, id="merge-list-in-the-file-replaced"),
        pytest.param("containers", False, None, id="merge-list-not-in-the-file-plain"),
        pytest.param("tolerations", True, None, id="atomic-list-plain"),
    ],
)
def test_strategic_lists(field: str, given_has_it: bool, first: dict[str, str] | None) -> None:
    old_items: list[Any] = [{"name": "app", "key": "a"}]
    new_items = [{"name": "app", "key": "a"}, {"name": "istio-proxy", "key": "b"}]
    given = {field: old_items} if given_has_it else {}
    patch = two_way({field: old_items}, {field: new_items}, _meta("v1.PodSpec"), given)
    assert patch[field][0] == first if first else patch[field] == new_items
    assert not [key for key in patch if key.startswith("$")]


def test_json6902_is_a_component_for_components() -> None:
    result = run_cli("kube-inject", "--offline", "-q", "--patch-format", "json6902", stdin=POD)
    assert result.exit_code == 0, result.stderr
    component = yaml.safe_load(result.stdout)
    assert (component["apiVersion"], component["kind"]) == ("kustomize.config.k8s.io/v1alpha1", "Component")
    (entry,) = component["patches"]
    assert entry["target"] == {"group": "", "version": "v1", "kind": "Pod", "name": "p"}
    paths = {op["path"]: op["op"] for op in yaml.safe_load(entry["patch"])}
    assert paths["/spec/containers"] == "replace" and paths["/metadata/annotations"] == "add"


@pytest.mark.parametrize(
    "args,message",
    [
        pytest.param(
            ["--diff", "--patch-format", "json6902"], "--diff and --patch cannot be used together", id="with-diff"
        ),
        pytest.param(["--patch-format", "xml"], "xml", id="unknown-format"),
    ],
)
def test_patch_format_usage_errors(args: list[str], message: str) -> None:
    result = run_cli("kube-inject", "--offline", *args, stdin=POD)
    assert result.exit_code == 2 and message in result.stderr


def test_strategic_patch_of_a_custom_kind_points_to_json6902() -> None:
    rollout = POD.replace("apiVersion: v1\nkind: Pod", "apiVersion: argoproj.io/v1alpha1\nkind: Rollout").replace(
        "spec:\n  containers:\n  - name: app\n    image: nginx\n",
        "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n",
    )
    result = run_cli("kube-inject", "--offline", "--patch", stdin=rollout)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "Error: -: document 1: Rollout is a custom kind, which kustomize merges without knowing "
        "its lists; use --patch-format json6902 for it\n"
    )
