"""The JSON patch the webhook answers with: diff then apply gives back the modified document."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidecarctl.webhook.jsonpatch import PatchError, apply_patch, create_patch, json_equal

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "a", "b/c", "d~e"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "c/d", "e~f", ""]), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values, json_values)
def test_diff_then_apply_round_trips(a: Any, b: Any) -> None:
    assert json_equal(apply_patch(a, create_patch(a, b)), b)


@pytest.mark.parametrize(
    ("a", "b", "ops"),
    [
        pytest.param(
            {"c": [{"n": "app"}]},
            {"c": [{"n": "app"}, {"n": "istio-proxy"}]},
            [{"op": "add", "path": "/c/1", "value": {"n": "istio-proxy"}}],
            id="append-container",
        ),
        pytest.param(
            {"c": [{"n": "app"}]},
            {"c": [{"n": "istio-init"}, {"n": "app"}]},
            [{"op": "add", "path": "/c/0", "value": {"n": "istio-init"}}],
            id="prepend-container",
        ),
        pytest.param(
            {"m": {}}, {"m": {"a/b": "1"}}, [{"op": "add", "path": "/m/a~1b", "value": "1"}], id="escaped-key"
        ),
        pytest.param({"x": 1}, {"x": True}, [{"op": "replace", "path": "/x", "value": True}], id="bool-is-not-int"),
        pytest.param({"x": 1, "y": 2}, {"y": 2}, [{"op": "remove", "path": "/x"}], id="remove-key"),
        pytest.param({"x": [1, 2, 3]}, {"x": [1, 3]}, [{"op": "remove", "path": "/x/1"}], id="remove-middle"),
        pytest.param({"a": 1}, {"a": 1}, [], id="equal"),
    ],
)
def test_minimal_operations(a: Any, b: Any, ops: list[dict[str, Any]]) -> None:
    assert create_patch(a, b) == ops


@pytest.mark.parametrize(
    "op",
    [
        pytest.param({"op": "remove", "path": "/missing"}, id="remove-missing"),
        pytest.param({"op": "add", "path": "/l/9", "value": 1}, id="index-out-of-range"),
        pytest.param({"op": "test", "path": "/l/0", "value": 2}, id="failed-test"),
        pytest.param({"op": "frobnicate", "path": "/l"}, id="unknown-op"),
        pytest.param({"op": "add", "path": "l", "value": 1}, id="bad-pointer"),
    ],
)
def test_bad_patches_raise(op: dict[str, Any]) -> None:
    with pytest.raises(PatchError):
        apply_patch({"l": [1]}, [op])


def test_move_copy_and_apply_leaves_input_alone() -> None:
    doc = {"a": {"b": 1}, "l": [1]}
    out = apply_patch(
        doc,
        [
            {"op": "copy", "from": "/a", "path": "/c"},
            {"op": "move", "from": "/a/b", "path": "/l/-"},
            {"op": "test", "path": "/c/b", "value": 1},
        ],
    )
    assert out == {"a": {}, "l": [1, 1], "c": {"b": 1}}
    assert doc == {"a": {"b": 1}, "l": [1]}
