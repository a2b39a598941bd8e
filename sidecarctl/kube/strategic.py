"""Strategic merge patch as k8s.io/apimachinery/pkg/util/strategicpatch v0.35.3 applies it.

`strategic_merge(original, patch)` is `StrategicMergeMapPatchUsingLookupPatchMeta` with the patch meta
of a Go struct (`NewPatchMetaFromStruct(corev1.Pod{})`): lists tagged `patchStrategy:"merge"` merge
by their `patchMergeKey` (containers by name, ports by containerPort, volumeMounts by mountPath...),
other lists and scalars are replaced, maps merge recursively, `null` deletes a key, and the
directives `$patch` (replace/delete/merge), `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
`$setElementOrder/<field>` are honoured. Merged values are JSON-like (as from json.Unmarshal into a
map): the caller decodes the result into the Go type again (see `apply_overlay`).

Order of a merged list (mergeSlice -> normalizeElementOrder -> mergeSortedSlice): the items named by
the patch come in patch order, the original-only items in original order, and the two are
interleaved by walking both: an original-only item goes first only while it stood before the
current patch item in the original list; a patch item the original lacked never waits. So with
original [a, b] and patch [x, b'] the result is [x, a, b+b']; with patch [b', x] it is [a, b+b', x].
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sidecarctl.golang.strconv import INT64_MAX, INT64_MIN, format_float
from sidecarctl.kube.errors import StrategicMergeError
from sidecarctl.kube.typed import (
    Node,
    PtrNode,
    SliceNode,
    StructNode,
    fold_name,
    normalize_as,
    raw_json,
    struct_node,
)

DIRECTIVE = "$patch"
DELETE = "delete"
REPLACE = "replace"
MERGE = "merge"
RETAIN_KEYS_STRATEGY = "retainKeys"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_SET_ORDER = "invalid patch format of setElementOrder list"
ERR_LIST_OF_LISTS = "lists of lists are not supported"


# --- Go's spelling of JSON values in error messages ---------------------------------------------


def _go_type(v: Any) -> str:
    """reflect.TypeOf(v).String() for a value from json.Unmarshal into interface{}."""
    if v is None:
        return "%!s(<nil>)"
    if v is True or v is False:
        return "bool"
    if isinstance(v, (int, float)):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    return "[]interface {}"


def _go_v(v: Any) -> str:
    """fmt's %v for a JSON value (maps print sorted, as fmt does)."""
    if v is None:
        return "<nil>"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return _go_float_v(float(v))
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_v(v[k])}" for k in sorted(v)) + "]"
    return "[" + " ".join(_go_v(x) for x in v) + "]"


def _go_float_v(f: float) -> str:
    """%v of a JSON number as apimachinery's util/json decodes it: an integral float64 that fits
    becomes an int64 (printed as an integer), any other stays float64 (%v: shortest 'g')."""
    if f.is_integer() and INT64_MIN <= f < INT64_MAX:
        return str(int(f))
    return format_float(f, "g", -1, 64)


def _bad_arg(expected: str, actual: Any) -> StrategicMergeError:
    return StrategicMergeError(f"expected a {expected}, but received a {_go_type(actual)}")


def _no_merge_key(m: dict, key: str) -> StrategicMergeError:
    return StrategicMergeError(f"map: {_go_v(m)} does not contain declared merge key: {key}")


def _bad_patch_type(t: Any, m: dict) -> StrategicMergeError:
    return StrategicMergeError(f"unknown patch type: {_go_v(t)} in map: {_go_v(m)}")


_JTYPES = {dict: "map", list: "slice", str: "string", bool: "bool", int: "number", float: "number", type(None): "nil"}


def _jtype(v: Any) -> str:
    """The Go dynamic type of a JSON value; ints and floats are both float64."""
    t = _JTYPES.get(v.__class__)
    if t is not None:
        return t
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    return "slice"


def _eq(a: Any, b: Any) -> bool:
    """Go's == on two interface{} values holding JSON scalars (true is not 1)."""
    if a.__class__ is b.__class__:
        return a == b
    return _jtype(a) == _jtype(b) and a == b


def _hashkey(v: Any) -> tuple[str, Any]:
    """A dict key that compares like Go's interface{} map keys."""
    t = _jtype(v)
    if t in ("map", "slice"):
        raise StrategicMergeError(f"runtime error: hash of unhashable type {_go_type(v)}")
    return t, v


# --- patch meta from the Go struct -------------------------------------------------------------


class PatchMeta:
    """PatchMetaFromStruct: a Go type to look field strategies and merge keys up in."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def name(self) -> str:
        """reflect.Kind of the type, as Go's error messages print it."""
        node = self.node
        if isinstance(node, PtrNode):
            return "ptr"
        return {
            "string": "string",
            "bool": "bool",
            "int": _int_kind(node),
            "float": "float64",
            "slice": "slice",
            "map": "map",
        }.get(node.kind, "struct")

    def _field(self, key: str) -> tuple[Node, list[str], str]:
        node = self.node
        if isinstance(node, PtrNode):
            node = node.elem
        if not isinstance(node, StructNode):
            raise StrategicMergeError(
                "merging an object in json but data type is not struct, instead is: " + PatchMeta(node).name()
            )
        f = node.fields.get(key) or node.folded.get(fold_name(key))
        if f is None:
            raise StrategicMergeError(f'unable to find api field in struct {node.name} for the json field "{key}"')
        return f.node, f.strategy.split(","), f.merge_key

    def for_struct(self, key: str) -> tuple[PatchMeta, list[str], str]:
        node, strategies, merge_key = self._field(key)
        return PatchMeta(node), strategies, merge_key

    def for_slice(self, key: str) -> tuple[PatchMeta, list[str], str]:
        node, strategies, merge_key = self._field(key)
        if isinstance(node, SliceNode):
            if isinstance(node.elem, SliceNode):
                raise StrategicMergeError("unexpected slice of slice")
            return PatchMeta(node.elem), strategies, merge_key
        if isinstance(node, PtrNode):
            inner = node.elem
            return PatchMeta(inner.elem if isinstance(inner, SliceNode) else inner), strategies, merge_key
        raise StrategicMergeError("expected slice or array type, but got: " + self.name())


def _int_kind(node: Node) -> str:
    hi = getattr(node, "hi", (1 << 63) - 1)
    return {127: "int8", 32767: "int16", (1 << 31) - 1: "int32"}.get(hi, "int64")


def _other_strategy(strategies: list[str]) -> str:
    """extractRetainKeysPatchStrategy: the strategy besides retainKeys ('' if none)."""
    if len(strategies) == 0:
        return ""
    if len(strategies) == 1:
        return "" if strategies[0] == RETAIN_KEYS_STRATEGY else strategies[0]
    if len(strategies) == 2:
        if strategies[0] == RETAIN_KEYS_STRATEGY:
            return strategies[1]
        if strategies[1] == RETAIN_KEYS_STRATEGY:
            return strategies[0]
    raise StrategicMergeError(f"unexpected patch strategy: [{' '.join(strategies)}]")


# --- public API ---------------------------------------------------------------------------------


def strategic_merge(original: dict, patch: dict, go_type: str = "v1.Pod") -> dict:
    """StrategicMergeMapPatch(original, patch, <go_type>{}); neither argument is modified.

    Raises StrategicMergeError with apimachinery's message.
    """
    original = copy_json(original)
    patch = copy_json(patch)
    return _merge_map(original, patch, PatchMeta(struct_node(go_type)))


def apply_overlay(pod: dict, overlay: dict) -> dict:
    """Istio's applyOverlay / applyOverlayYAML: merge an overlay into a typed pod, decode it again.

    `pod` is a normalised v1.Pod (json.Marshal of the Go struct), `overlay` a decoded template or
    container overlay. Errors carry Istio's prefixes ("strategic merge: ", "unmarshal patched pod: ").
    """
    try:
        # raw_json builds a new value (dicts, lists, immutable leaves): the merge may own it uncopied
        merged = _merge_map(copy_json(pod), raw_json(overlay), PatchMeta(struct_node("core.Pod")))
    except StrategicMergeError as e:
        raise StrategicMergeError("strategic merge: " + str(e)) from None
    from sidecarctl.kube.errors import KubeTypeError

    try:
        return normalize_as(merged, "core.Pod", coerce=False)
    except KubeTypeError as e:
        raise KubeTypeError("unmarshal patched pod: " + e.go_message) from None


_ATOMS = frozenset((str, int, float, bool, type(None)))


def copy_json(v: Any) -> Any:
    """A deep copy of JSON-like data (faster than copy.deepcopy for dicts and lists)."""
    cls = v.__class__
    if cls is dict:
        return {k: (x if x.__class__ in _ATOMS else copy_json(x)) for k, x in v.items()}
    if cls is list:
        return [(x if x.__class__ in _ATOMS else copy_json(x)) for x in v]
    if cls in _ATOMS:
        return v
    return copy.deepcopy(v)


# --- mergeMap -----------------------------------------------------------------------------------


def _merge_map(original: dict | None, patch: dict, schema: PatchMeta) -> dict:
    """mergeMap with MergeParallelList and IgnoreUnmatchedNulls (how patches are applied)."""
    if DIRECTIVE in patch:
        return _directive_in_map(patch[DIRECTIVE], patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_set_element_order(original, patch, schema)
    for key, patch_v in list(patch.items()):
        _merge_key(original, key, patch_v, schema)
    return original


def _merge_key(original: dict, key: str, patch_v: Any, schema: PatchMeta) -> None:
    """One key of mergeMap's loop."""
    is_delete_list = False
    if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
        key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST)
        is_delete_list = True
    if patch_v is None:
        original.pop(key, None)
        return
    if key not in original or _jtype(original[key]) != _jtype(patch_v):
        if not is_delete_list:
            # discardNullValuesFromPatch, then removeDirectives (the patch is the merge's own)
            if (patch_v.__class__ is not dict and patch_v.__class__ is not list) or _settle(patch_v):
                original[key] = patch_v
            else:
                original.pop(key, None)
        return
    orig_v = original[key]
    if orig_v.__class__ is dict:
        sub, strategies, _ = schema.for_struct(key)
        original[key] = _merge_map_handler(orig_v, patch_v, sub, _other_strategy(strategies))
    elif orig_v.__class__ is list:
        sub, strategies, merge_key = schema.for_slice(key)
        original[key] = _merge_slice_handler(
            orig_v, patch_v, sub, _other_strategy(strategies), merge_key, is_delete_list
        )
    else:
        _set_without_directives(original, key, patch_v)


def _set_without_directives(original: dict, key: str, value: Any) -> None:
    v, keep = _remove_directives(value)
    if keep:
        original[key] = v
    else:
        original.pop(key, None)


def _directive_in_map(directive: Any, patch: dict) -> dict:
    """handleDirectiveInMergeMap: `$patch: replace` keeps the patch, `$patch: delete` empties."""
    if _eq(directive, REPLACE):
        del patch[DIRECTIVE]
        return patch
    if _eq(directive, DELETE):
        return {}
    raise _bad_patch_type(directive, patch)


def _extract_key(key: str, prefix: str) -> str:
    parts = key.split("/", 1)
    if len(parts) <= 1 or parts[0] != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST:
            raise StrategicMergeError(ERR_BAD_PRIMITIVE_LIST)
        raise StrategicMergeError(ERR_BAD_SET_ORDER)
    return parts[1]


def _apply_retain_keys(original: dict, patch: dict) -> None:
    """applyRetainKeysDirective: drop original keys the `$retainKeys` list does not name."""
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if retain.__class__ is not list:
        raise StrategicMergeError(ERR_BAD_RETAIN_KEYS)
    keep = {_hashkey(v) for v in retain}
    for k, v in patch.items():
        if v is None or k.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if ("string", k) not in keep:
            raise StrategicMergeError(ERR_BAD_RETAIN_KEYS)
    for k in list(original):
        if ("string", k) not in keep:
            del original[k]


def _remove_directives(obj: Any) -> tuple[Any, bool]:
    """removeDirectives: drop maps carrying `$patch` (and their entries/items); lists stay lists."""
    if obj is None:
        return None, True
    if obj.__class__ is dict:
        if DIRECTIVE in obj:
            return None, False
        for k, x in list(obj.items()):
            if x.__class__ is dict or x.__class__ is list:  # anything else stays as it is
                v, keep = _remove_directives(x)
                if keep:
                    obj[k] = v
                else:
                    del obj[k]
        return obj, True
    if obj.__class__ is list:
        out = []
        for x in obj:
            if x.__class__ is dict or x.__class__ is list:
                v, keep = _remove_directives(x)
                if keep:
                    out.append(v)
            else:
                out.append(x)
        return out, True
    return obj, True


def _settle(obj: Any) -> bool:
    """discardNullValuesFromPatch then removeDirectives, in one walk and in place, on a map or list
    of the patch (the merge's own copy) that lands where the original has nothing: whether `obj`
    stays, i.e. is not a map carrying `$patch`. Lists always stay; a `$patch: null` is a null."""
    if obj.__class__ is dict:
        if obj.get(DIRECTIVE) is not None:
            return False
        gone = [
            k for k, x in obj.items() if x is None or ((x.__class__ is dict or x.__class__ is list) and not _settle(x))
        ]
        for k in gone:
            del obj[k]
        return True
    kept = [x for x in obj if (x.__class__ is not dict and x.__class__ is not list) or _settle(x)]
    if len(kept) != len(obj):
        obj[:] = kept
    return True


def _merge_map_handler(original: Any, patch: Any, schema: PatchMeta, strategy: str) -> dict:
    if original.__class__ is not dict:
        raise _bad_arg("map[string]interface {}", original)
    if patch.__class__ is not dict:
        raise _bad_arg("map[string]interface {}", patch)
    if strategy != REPLACE:
        return _merge_map(original, patch, schema)
    return patch


def _merge_slice_handler(
    original: Any, patch: Any, schema: PatchMeta, strategy: str, merge_key: str, is_delete_list: bool
) -> list:
    if original.__class__ is not list:
        raise _bad_arg("[]interface {}", original)
    if patch.__class__ is not list:
        raise _bad_arg("[]interface {}", patch)
    if strategy == MERGE or is_delete_list:
        return _merge_slice(original, patch, schema, merge_key, is_delete_list)
    return patch


# --- lists --------------------------------------------------------------------------------------


def _element_kind(*lists: list) -> str:
    """sliceElementType: the one JSON type all items share ('map', 'string', 'number', ...)."""
    prev = None
    for lst in lists:
        for v in lst:
            t = _jtype(v)
            if prev is None:
                if t == "nil":
                    raise StrategicMergeError("runtime error: invalid memory address or nil pointer dereference")
                if t == "slice":
                    raise StrategicMergeError(ERR_LIST_OF_LISTS)
                prev = t
            elif prev != t:
                raise StrategicMergeError(
                    "list element types are not identical: [" + " ".join(_go_v(x) for x in lists) + "]"
                )
    if prev is None:
        raise StrategicMergeError("no elements in any of the given slices")
    return prev


def _merge_slice(original: list, patch: list, schema: PatchMeta, merge_key: str, is_delete_list: bool) -> list:
    """mergeSlice: merge by key (maps) or union (scalars), then restore the order."""
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind != "map":
        if is_delete_list:
            drop = {_hashkey(v) for v in patch}
            return [v for v in original if _hashkey(v) not in drop]
        merged = _dedupe_scalars(original + patch)
    else:
        if not merge_key:
            raise StrategicMergeError("cannot merge lists without merge key for " + schema.name())
        original, patch = _special_elements(original, patch, merge_key)
        merged = _merge_by_key(original, patch, merge_key, schema)
    if not merge_key:
        patch_items, server_only = _partition_scalars(merged, patch)
    else:
        patch_items, server_only = _partition_maps(merged, patch, merge_key)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _dedupe_scalars(s: list) -> list:
    """deduplicateScalars, including the way it moves the last item into a duplicate's slot."""
    s = list(s)
    length = len(s) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if _eq(s[i], s[j]):
                s[j] = s[length]
                s = s[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return s


def _special_elements(original: list, patch: list, merge_key: str) -> tuple[list, list]:
    """mergeSliceWithSpecialElements: apply `$patch: delete` items, honour `$patch: replace`."""
    plain = []
    replace = False
    for v in patch:
        if DIRECTIVE not in v:
            plain.append(v)
            continue
        directive = v[DIRECTIVE]
        if _eq(directive, DELETE):
            if merge_key not in v:
                raise _no_merge_key(v, merge_key)
            original = _delete_matching(original, merge_key, v[merge_key])
        elif _eq(directive, REPLACE):
            replace = True
        elif _eq(directive, MERGE):
            raise StrategicMergeError("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, v)
    if replace:
        return plain, []
    return original, plain


def _delete_matching(original: list, merge_key: str, value: Any) -> list:
    while True:
        idx = _find_by_key(original, merge_key, value)
        if idx < 0:
            return original
        original = original[:idx] + original[idx + 1 :]


def _find_by_key(items: list, merge_key: str, value: Any) -> int:
    """findMapInSliceBasedOnKeyValue: index of the first map whose merge key equals value, or -1."""
    for i, v in enumerate(items):
        if v.__class__ is not dict:
            raise StrategicMergeError(f"value for key {i} is not a map")
        if merge_key in v and _eq(v[merge_key], value):
            return i
    return -1


def _merge_by_key(original: list, patch: list, merge_key: str, schema: PatchMeta) -> list:
    """mergeSliceWithoutSpecialElements: merge into the item with the same key, else append.

    As in Go, merged items replace the original's slots (the caller's list sees them, it later
    serves as the order of the original) while appended items only extend the result.
    """
    merged = list(original)
    for v in patch:
        if merge_key not in v:
            raise _no_merge_key(v, merge_key)
        idx = _find_by_key(merged, merge_key, v[merge_key])
        if idx >= 0:
            merged[idx] = _merge_map(merged[idx], v, schema)
            if idx < len(original):
                original[idx] = merged[idx]
        else:
            merged.append(v)
    return merged


def _partition_scalars(items: list, by: list) -> tuple[list, list]:
    present = {_hashkey(v) for v in by}
    inside = [v for v in items if _hashkey(v) in present]
    outside = [v for v in items if _hashkey(v) not in present]
    return inside, outside


def _partition_maps(items: list, by: list, merge_key: str) -> tuple[list, list]:
    inside: list = []
    outside: list = []
    for v in items:
        if v.__class__ is not dict:
            raise _bad_arg("map[string]interface {}", v)
        if merge_key not in v:
            raise _no_merge_key(v, merge_key)
        (inside if _find_by_key(by, merge_key, v[merge_key]) >= 0 else outside).append(v)
    return inside, outside


def _index(items: list, value: Any, merge_key: str, kind: str) -> int:
    """index(): position of value in items, comparing merge key values for maps."""
    if kind == "map":
        want = value.get(merge_key) if value.__class__ is dict else None
        for i, v in enumerate(items):
            got = v.get(merge_key) if v.__class__ is dict else None
            if _eq(got, want):
                return i
        return -1
    for i, v in enumerate(items):
        if _eq(v, value):
            return i
    return -1


def _normalize_element_order(
    patch: list, server_only: list, patch_order: list, server_order: list, merge_key: str, kind: str
) -> list:
    patch = _normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted(server_only, patch, _positions(server_order, merge_key, kind))


def _positions(order: list, merge_key: str, kind: str) -> Callable[[Any], int]:
    """index() against `order` as a function, with a table when the compared values are hashable."""
    try:
        table: dict = {}
        for i, v in enumerate(order):
            table.setdefault(_hashkey(_compared(v, merge_key, kind)), i)
    except StrategicMergeError:
        return lambda item: _index(order, item, merge_key, kind)
    return lambda item: table.get(_hashkey(_compared(item, merge_key, kind)), -1)


def _compared(item: Any, merge_key: str, kind: str) -> Any:
    """What index() compares: the merge key value of a map, or the item itself."""
    if kind == "map":
        return item.get(merge_key) if item.__class__ is dict else None
    return item


def _normalize_slice_order(to_sort: list, order: list, merge_key: str, kind: str) -> list:
    """normalizeSliceOrder: stable sort by position in `order`, `$patch: delete` items last."""
    to_delete: list = []
    if kind == "map":
        for lst in (to_sort, order):
            for item in lst:
                if item.__class__ is not dict:
                    raise _bad_arg("map[string]interface {}", item)
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key)
        keep = [v for v in to_sort if not _eq(v.get(DIRECTIVE), DELETE)]
        to_delete = [v for v in to_sort if _eq(v.get(DIRECTIVE), DELETE)]
        to_sort = keep
    pos = _positions(order, merge_key, kind)

    def less(a: Any, b: Any) -> bool:
        ia = pos(a)
        if ia >= 0:
            ib = pos(b)
            if ib >= 0:
                return ia < ib
        return True

    return _go_stable_sort(list(to_sort), less) + to_delete


def _merge_sorted(left: list, right: list, pos: Callable[[Any], int]) -> list:
    """mergeSortedSlice: interleave server-only items (left) into patch items (right)."""
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = pos(left[i]), pos(right[j])
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _go_stable_sort(data: list, less: Callable[[Any, Any], bool]) -> list:
    """sort.SliceStable's algorithm (insertion-sorted blocks of 20, then SymMerge).

    Reproduced step for step because `less` above is not a strict order when an item is missing
    from the order list, and then the result depends on the algorithm.
    """
    n = len(data)
    block = 20
    a, b = 0, block
    while b <= n:
        _insertion_sort(data, a, b, less)
        a, b = b, b + block
    _insertion_sort(data, a, n, less)
    while block < n:
        a, b = 0, 2 * block
        while b <= n:
            _sym_merge(data, a, a + block, b, less)
            a, b = b, b + 2 * block
        m = a + block
        if m < n:
            _sym_merge(data, a, m, n, less)
        block *= 2
    return data


def _insertion_sort(data: list, a: int, b: int, less: Callable[[Any, Any], bool]) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(data[j], data[j - 1]):
            data[j], data[j - 1] = data[j - 1], data[j]
            j -= 1


def _sym_merge(data: list, a: int, m: int, b: int, less: Callable[[Any, Any], bool]) -> None:
    if m - a == 1:
        i, j = m, b
        while i < j:
            h = (i + j) // 2
            if less(data[h], data[a]):
                i = h + 1
            else:
                j = h
        for k in range(a, i - 1):
            data[k], data[k + 1] = data[k + 1], data[k]
        return
    if b - m == 1:
        i, j = a, m
        while i < j:
            h = (i + j) // 2
            if not less(data[m], data[h]):
                i = h + 1
            else:
                j = h
        for k in range(m, i, -1):
            data[k], data[k - 1] = data[k - 1], data[k]
        return
    mid = (a + b) // 2
    n = mid + m
    if m > mid:
        start, r = n - b, mid
    else:
        start, r = a, m
    p = n - 1
    while start < r:
        c = (start + r) // 2
        if not less(data[p - c], data[c]):
            start = c + 1
        else:
            r = c
    end = n - start
    if start < m < end:
        _rotate(data, start, m, end)
    if a < start < mid:
        _sym_merge(data, a, start, mid, less)
    if mid < end < b:
        _sym_merge(data, mid, end, b, less)


def _rotate(data: list, a: int, m: int, b: int) -> None:
    data[a:b] = data[m:b] + data[a:m]


# --- $setElementOrder ---------------------------------------------------------------------------


def _merge_set_element_order(original: dict, patch: dict, schema: PatchMeta) -> None:
    """mergePatchIntoOriginal: merge each list named by `$setElementOrder/<key>` in that order."""
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if order.__class__ is not list:
            raise _bad_arg("[]interface {}", order)
        field = _extract_key(key, SET_ELEMENT_ORDER)
        found_orig, found_patch = field in original, field in patch
        orig_list = _as_list(original.get(field)) if found_orig else []
        patch_list = _as_list(patch.get(field)) if found_patch else []
        sub, strategies, merge_key = schema.for_slice(field)
        strategy = _other_strategy(strategies)
        _validate_set_order(patch_list, order, merge_key)
        if found_orig and not found_patch:
            merged = orig_list
        elif found_patch and not found_orig:
            merged, _ = _remove_directives(patch_list)
        elif found_orig and found_patch:
            merged = _merge_slice_handler(original[field], patch[field], sub, strategy, merge_key, False)
        else:
            continue
        if not merge_key:
            inside, outside = _partition_scalars(merged, order)
        else:
            inside, outside = _partition_maps(merged, order, merge_key)
        kind = _element_kind(orig_list, patch_list)
        original[field] = _normalize_element_order(inside, outside, order, orig_list, merge_key, kind)
        patch.pop(field, None)


def _as_list(v: Any) -> list:
    if v.__class__ is not list:
        raise _bad_arg("[]interface {}", v)
    return v


def _validate_set_order(patch_list: list, order: list, merge_key: str) -> None:
    """validatePatchWithSetOrderList: patch items must appear in the order list, in its order."""
    if not order or not patch_list:
        return
    items = patch_list
    if merge_key:
        for v in items:
            if v.__class__ is not dict:
                raise _bad_arg("map[string]interface {}", v)
        items = [v for v in items if not _eq(v.get(DIRECTIVE), DELETE)]
    pi = oi = 0
    while pi < len(items) and oi < len(order):
        if items[pi].__class__ is dict and DIRECTIVE in items[pi]:
            pi += 1
            continue
        if _merge_key_equal(items[pi], order[oi], merge_key):
            pi += 1
        oi += 1
    if pi < len(items) and oi >= len(order):
        raise StrategicMergeError(
            f"The order in patch list:\n{_go_v(patch_list)}\n doesn't match {SET_ELEMENT_ORDER} list:\n{_go_v(order)}\n"
        )


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _eq(left, right)
    if left.__class__ is not dict:
        raise _bad_arg("map[string]interface {}", left)
    if right.__class__ is not dict:
        raise _bad_arg("map[string]interface {}", right)
    if merge_key not in left:
        raise _no_merge_key(left, merge_key)
    if merge_key not in right:
        raise _no_merge_key(right, merge_key)
    return _eq(left[merge_key], right[merge_key])
