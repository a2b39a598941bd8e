"""--patch: per injected workload, the strategic-merge patch that injection applies to it.

The patch is computed as apimachinery's two-way merge patch would be (maps: changed and new keys,
`null` for removed ones; lists with a merge key in the Go type, such as containers by name: only
the changed or new items, removed ones as `$patch: delete`; other lists whole), then checked:
applied with `sidecarctl.kube.strategic_merge` to the normalised original it must give the
injected object. Where list order matters (`$setElementOrder`) it is added only when needed.
Each patch is a document with apiVersion, kind and metadata.name/namespace, so kustomize's
`patches:` can target it.
"""

from __future__ import annotations

from typing import Any

from sidecarctl.errors import InjectionError
from sidecarctl.workflow.documents import Document, SourceRun

DELETE = {"$patch": "delete"}
ORDER = "$setElementOrder/"


def patch_stream(run: SourceRun, injector: Any) -> str:
    """The patches of one source as a YAML stream (`---` after each)."""
    from sidecarctl.yamlio import dump_yaml

    return "".join(dump_yaml(patch) + "---\n" for document in run.documents
                   for patch in document_patches(document, injector, run.source.name))


def document_patches(document: Document, injector: Any, source: str = "-") -> list[dict[str, Any]]:
    from sidecarctl.yamlio import load_document

    original = injector.decode(document.raw)
    if original is None:
        return []
    injected = load_document(document.body)
    where = f"{source}: document {document.index}"
    return [patch for old, new in workload_pairs(original, injected)
            if (patch := workload_patch(old, new, where)) is not None]


def workload_pairs(original: dict[str, Any], injected: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(before, after) per workload; a List contributes its items (Lists in Lists too)."""
    if original.get("kind") != "List":
        return [(original, injected)]
    pairs = []
    for old, new in zip(original.get("items") or [], injected.get("items") or []):
        if isinstance(old, dict) and isinstance(new, dict):
            pairs.extend(workload_pairs(old, new))
    return pairs


def workload_patch(original: dict[str, Any], injected: dict[str, Any], where: str = "") -> dict[str, Any] | None:
    """The patch document for one workload, None when injection changed nothing (skipped)."""
    from sidecarctl.inject import workloads

    if original == injected or not workloads.is_injectable(original.get("kind")):
        return None
    go_type = workloads.kube_type(original["kind"])
    for ordered in (False, True):
        patch = with_identity(two_way(original, injected, _meta(go_type), ordered), original)
        if applies(original, patch, injected, go_type):
            return patch
    raise InjectionError(f"{where}: no strategic-merge patch reproduces the injection; use the full output")


def with_identity(patch: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind, metadata.name/namespace first: what kustomize targets a patch by."""
    meta = original.get("metadata") or {}
    identity = {key: meta[key] for key in ("name", "namespace") if meta.get(key)}
    out: dict[str, Any] = {"apiVersion": original.get("apiVersion") or "v1", "kind": original["kind"]}
    out["metadata"] = {**identity, **(patch.pop("metadata", None) or {})}
    out.update(patch)
    return out


def applies(original: dict[str, Any], patch: dict[str, Any], injected: dict[str, Any], go_type: str) -> bool:
    from sidecarctl.kube import normalize_as, strategic_merge

    try:
        merged = strategic_merge(original, patch, go_type)
        return bool(normalize_as(merged, go_type, coerce=False) == normalize_as(injected, go_type, coerce=False))
    except Exception:  # any failure to apply means this candidate is not the patch
        return False


def two_way(old: dict[str, Any], new: dict[str, Any], meta: Any, ordered: bool) -> dict[str, Any]:
    """CreateTwoWayMergePatch's shape for two maps of the same Go type (`meta`: PatchMeta or None)."""
    patch: dict[str, Any] = {}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value or type(old[key]) is not type(value):
            patch[key] = _field_patch(old[key], value, meta, key, ordered, patch)
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def _field_patch(old: Any, new: Any, meta: Any, key: str, ordered: bool, patch: dict[str, Any]) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return two_way(old, new, _child(meta, key, "for_struct"), ordered)
    if isinstance(old, list) and isinstance(new, list):
        merge_key = _merge_key(meta, key)
        if merge_key and all(isinstance(item, dict) and merge_key in item for item in old + new):
            items = _list_patch(old, new, merge_key, _child(meta, key, "for_slice"), ordered)
            if ordered or _order_differs(old, items, new, key, merge_key, meta):
                patch[ORDER + key] = [{merge_key: item[merge_key]} for item in new]
            return items
    return new


def _list_patch(old: list[Any], new: list[Any], merge_key: str, meta: Any, ordered: bool) -> list[Any]:
    before = {item[merge_key]: item for item in old}
    after = {item[merge_key] for item in new}
    items = []
    for item in new:
        previous = before.get(item[merge_key])
        if previous is None:
            items.append(item)
        elif previous != item:
            items.append({merge_key: item[merge_key], **two_way(previous, item, meta, ordered)})
    items.extend({merge_key: item[merge_key], **DELETE} for item in old if item[merge_key] not in after)
    return items


def _order_differs(old: list[Any], items: list[Any], new: list[Any], key: str, merge_key: str, meta: Any) -> bool:
    """Whether merging these items alone leaves the list in another order than injection's
    (a new item goes before the original ones it does not follow), so $setElementOrder is needed."""
    from sidecarctl.kube import strategic

    try:
        merged = strategic._merge_map({key: strategic._copy(old)}, {key: strategic._copy(items)}, meta)[key]
    except Exception:  # cannot tell: say so, and let the directive decide the order
        return True
    return [item.get(merge_key) for item in merged] != [item[merge_key] for item in new]


def _meta(go_type: str) -> Any:
    from sidecarctl.kube.strategic import PatchMeta
    from sidecarctl.kube.typed import struct_node

    return PatchMeta(struct_node(go_type))


def _child(meta: Any, key: str, how: str) -> Any:
    if meta is None:
        return None
    try:
        return getattr(meta, how)(key)[0]
    except Exception:  # maps of strings and unknown fields: no strategy below this point
        return None


def _merge_key(meta: Any, key: str) -> str:
    if meta is None:
        return ""
    try:
        _, strategies, merge_key = meta.for_slice(key)
    except Exception:
        return ""
    return merge_key if "merge" in strategies else ""
