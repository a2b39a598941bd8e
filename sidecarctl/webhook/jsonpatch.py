"""RFC 6902 JSON Patch: the diff the webhook answers with, and an applier for tests and tools.

`create_patch(original, modified)` walks both JSON values like the JSON diff Istio's `createPatch`
uses: objects key by key, a `replace` where the values differ in kind. Arrays are aligned on a
longest common subsequence of their elements (named elements by name), so inserting `istio-init`
before the user's init containers is one `add`, not a rewrite of every element after it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

Patch = list[dict[str, Any]]


class PatchError(ValueError):
    """A patch that cannot be applied to the document (bad pointer, failed test, bad op)."""


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: `true` is not `1` (Python's `True == 1` is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def create_patch(original: Any, modified: Any) -> Patch:
    """The operations taking `original` to `modified`. Their values are `modified`'s own (not
    copies: the webhook encodes the patch at once); copy the patch before changing either."""
    ops: Patch = []
    _diff(original, modified, "", ops)
    return ops


def _diff(a: Any, b: Any, path: str, ops: Patch) -> None:
    if json_equal(a, b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        _diff_objects(a, b, path, ops)
    elif isinstance(a, list) and isinstance(b, list):
        _diff_arrays(a, b, path, ops)
    else:
        ops.append({"op": "replace", "path": path, "value": b})


def _diff_objects(a: dict[str, Any], b: dict[str, Any], path: str, ops: Patch) -> None:
    for key in a:
        if key not in b:
            ops.append({"op": "remove", "path": f"{path}/{escape(key)}"})
    for key, value in b.items():
        if key in a:
            _diff(a[key], value, f"{path}/{escape(key)}", ops)
        else:
            ops.append({"op": "add", "path": f"{path}/{escape(key)}", "value": value})


def _diff_arrays(a: list[Any], b: list[Any], path: str, ops: Patch) -> None:
    pairs = _matching(a, b)
    if pairs is None:
        _diff_positions(a, b, path, ops)
        return
    kept = {i for i, _ in pairs}
    # removals from the end keep the lower indexes valid; what remains is a's matched elements
    for i in reversed(range(len(a))):
        if i not in kept:
            ops.append({"op": "remove", "path": f"{path}/{i}"})
    partner = {j: i for i, j in pairs}
    for j, value in enumerate(b):
        if j in partner:
            _diff(a[partner[j]], value, f"{path}/{j}", ops)
        else:
            ops.append({"op": "add", "path": f"{path}/{j}", "value": value})


# Past this many element comparisons, arrays are diffed position by position (still correct).
_LCS_LIMIT = 250_000


def _matching(a: list[Any], b: list[Any]) -> list[tuple[int, int]] | None:
    """Pairs (i, j) of a longest common subsequence of element identities: a container, volume or
    env var is identified by its `name` (so a changed container is patched, not replaced), any
    other element by its value. None when the arrays are too long to align."""
    if len(a) * len(b) > _LCS_LIMIT:
        return None
    ka, kb = [_identity(x) for x in a], [_identity(y) for y in b]
    table = [[0] * (len(kb) + 1) for _ in range(len(ka) + 1)]
    for i in range(len(ka) - 1, -1, -1):
        for j in range(len(kb) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if ka[i] == kb[j] else max(table[i + 1][j], table[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < len(ka) and j < len(kb):
        if ka[i] == kb[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _identity(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return "name:" + str(value["name"])
    return "value:" + json.dumps(value, sort_keys=True)


def _diff_positions(a: list[Any], b: list[Any], path: str, ops: Patch) -> None:
    for i in range(min(len(a), len(b))):
        _diff(a[i], b[i], f"{path}/{i}", ops)
    for j in range(len(a), len(b)):
        ops.append({"op": "add", "path": f"{path}/{j}", "value": b[j]})
    for _ in range(len(b), len(a)):
        ops.append({"op": "remove", "path": f"{path}/{len(b)}"})


def apply_patch(doc: Any, patch: Patch) -> Any:
    """Apply `patch` to a copy of `doc` (RFC 6902: add, remove, replace, move, copy, test)."""
    doc = copy.deepcopy(doc)
    for op in patch:
        doc = _apply_one(doc, op)
    return doc


def _apply_one(doc: Any, op: dict[str, Any]) -> Any:
    kind = op.get("op")
    path = op.get("path")
    if not isinstance(path, str):
        raise PatchError(f"operation {op!r} has no path")
    if kind == "add":
        return _add(doc, path, copy.deepcopy(_value(op)))
    if kind == "remove":
        return _remove(doc, path)[0]
    if kind == "replace":
        doc = _remove(doc, path)[0] if path else doc
        return _add(doc, path, copy.deepcopy(_value(op)))
    if kind in ("move", "copy"):
        source = _get(doc, _from(op))
        if kind == "move":
            doc = _remove(doc, _from(op))[0]
        return _add(doc, path, copy.deepcopy(source))
    if kind == "test":
        if not json_equal(_get(doc, path), _value(op)):
            raise PatchError(f"test failed at {path!r}")
        return doc
    raise PatchError(f"unknown operation {kind!r}")


def _value(op: dict[str, Any]) -> Any:
    if "value" not in op:
        raise PatchError(f"operation {op.get('op')!r} at {op.get('path')!r} has no value")
    return op["value"]


def _from(op: dict[str, Any]) -> str:
    source = op.get("from")
    if not isinstance(source, str):
        raise PatchError(f"operation {op.get('op')!r} has no 'from'")
    return source


def _tokens(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(container: list[Any], token: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (token.startswith("0") and token != "0"):
        raise PatchError(f"invalid array index {token!r}")
    i = int(token)
    if i > len(container) or (i == len(container) and not allow_end):
        raise PatchError(f"array index {i} out of range")
    return i


def _parent(doc: Any, path: str) -> tuple[Any, str]:
    tokens = _tokens(path)
    target = doc
    for token in tokens[:-1]:
        target = _child(target, token)
    return target, tokens[-1]


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise PatchError(f"no member {token!r}")
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token, allow_end=False)]
    raise PatchError(f"cannot descend into {type(node).__name__} with {token!r}")


def _get(doc: Any, path: str) -> Any:
    node = doc
    for token in _tokens(path):
        node = _child(node, token)
    return node


def _add(doc: Any, path: str, value: Any) -> Any:
    if path == "":
        return value
    parent, last = _parent(doc, path)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, allow_end=True), value)
    else:
        raise PatchError(f"cannot add at {path!r}")
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    if path == "":
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, path)
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"no member at {path!r}")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, allow_end=False))
    raise PatchError(f"cannot remove at {path!r}")
