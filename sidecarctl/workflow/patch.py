"""--patch: per injected workload, what injection changes in it, in a form kustomize applies faithfully.

Two formats (`--patch-format`):

strategic (default)
    One strategic-merge patch document per workload (apiVersion, kind, metadata.name/namespace,
    so kustomize's `patches:` targets it). Maps carry only changed and new keys (`null` for a
    removed one); a changed list is given whole, and a list that has a merge key in the Go type
    (containers, initContainers, volumes ... by name) and is already in the original starts with
    `$patch: replace`, so the result has Istio's order whatever the merger. kustomize (kyaml)
    ignores `$setElementOrder` and puts new merge items elsewhere than apimachinery does, but
    honours `$patch: replace`; apimachinery (`kubectl patch`) honours it too. No other directive
    is written. A `$patch: replace` on a list the original lacks would stay in kustomize's output,
    so a new list is given plain.
json6902
    A kustomize `Component` whose `patches:` hold, per workload, a `target` and JSON 6902
    operations (RFC 6902: `add`, `replace`, `remove` on the paths injection changed, a list as a
    whole). For `components:` in an overlay; any tool that applies JSON patches applies them.

Every patch is checked before it is printed: applied (with `sidecarctl.kube.strategic_merge`, or
the operations one by one) to the original, it must give the injected object once both are
normalised as istioctl normalises them; otherwise the command fails rather than print it.
"""

from __future__ import annotations

import copy
from typing import Any

from sidecarctl.errors import InjectionError
from sidecarctl.workflow.documents import Document, SourceRun

STRATEGIC, JSON6902 = "strategic", "json6902"
FORMATS = (STRATEGIC, JSON6902)
REPLACE = {"$patch": "replace"}
COMPONENT = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}


def patch_stream(run: SourceRun, injector: Any) -> str:
    """The strategic patches of one source as a YAML stream (`---` after each)."""
    from sidecarctl.yamlio import dump_yaml

    return "".join(
        dump_yaml(patch) + "---\n"
        for document in run.documents
        for patch in document_patches(document, injector, run.source.name)
    )


def component_stream(runs: list[SourceRun], injector: Any) -> str:
    """The JSON 6902 patches of every source as one kustomize Component: a kustomization.yaml
    file, so one document without a closing `---`."""
    from sidecarctl.yamlio import dump_yaml

    entries = [
        entry
        for run in runs
        for document in run.documents
        for entry in document_patches(document, injector, run.source.name, JSON6902)
    ]
    return dump_yaml({**COMPONENT, "patches": entries})


def document_patches(
    document: Document, injector: Any, source: str = "-", form: str = STRATEGIC
) -> list[dict[str, Any]]:
    from sidecarctl.yamlio import load_document

    original = injector.decode(document.raw)
    if original is None:
        return []
    injected = load_document(document.body)
    raw = load_document(document.raw)
    where = f"{source}: document {document.index}"
    make = workload_patch if form == STRATEGIC else workload_operations
    return [
        patch
        for old, new, given in workload_triples(original, injected, raw)
        if (patch := make(old, new, where, given)) is not None
    ]


def workload_pairs(original: dict[str, Any], injected: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(before, after) per workload; a List contributes its items (Lists in Lists too)."""
    return [(old, new) for old, new, _ in workload_triples(original, injected, original)]


def workload_triples(
    original: dict[str, Any], injected: dict[str, Any], raw: Any
) -> list[tuple[dict[str, Any], dict[str, Any], Any]]:
    """(before, after, as written in the file) per workload; kustomize, like istioctl, takes a
    List's items one by one."""
    if original.get("kind") != "List":
        return [(original, injected, raw)]
    raw_items = (raw.get("items") if isinstance(raw, dict) else None) or []
    triples = []
    for index, (old, new) in enumerate(zip(original.get("items") or [], injected.get("items") or [])):
        if isinstance(old, dict) and isinstance(new, dict):
            given = raw_items[index] if index < len(raw_items) else old
            triples.extend(workload_triples(old, new, given))
    return triples


# --- strategic merge ------------------------------------------------------------------------------


def workload_patch(
    original: dict[str, Any], injected: dict[str, Any], where: str = "", raw: Any = None
) -> dict[str, Any] | None:
    """The strategic patch document for one workload, None when injection changed nothing (skipped)."""
    from sidecarctl.inject import workloads

    if original == injected or not workloads.is_injectable(original.get("kind")):
        return None
    go_type = workloads.kube_type(original["kind"])
    if go_type == workloads.RAW_TYPE:
        raise InjectionError(
            f"{where}: {original['kind']} is a custom kind, which kustomize merges without "
            "knowing its lists; use --patch-format json6902 for it"
        )
    given = raw if isinstance(raw, dict) else original
    patch = with_identity(two_way(original, injected, _meta(go_type), given), original)
    if not applies(given, patch, injected, go_type):
        raise InjectionError(f"{where}: no strategic-merge patch reproduces the injection; use the full output")
    return patch


def with_identity(patch: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind, metadata.name/namespace first: what kustomize targets a patch by."""
    meta = original.get("metadata") or {}
    identity = {key: meta[key] for key in ("name", "namespace") if meta.get(key)}
    out: dict[str, Any] = {"apiVersion": original.get("apiVersion") or "v1", "kind": original["kind"]}
    out["metadata"] = {**identity, **(patch.pop("metadata", None) or {})}
    out.update(patch)
    return out


def applies(original: dict[str, Any], patch: dict[str, Any], injected: dict[str, Any], go_type: str) -> bool:
    from sidecarctl.kube import strategic_merge

    try:
        return same_object(strategic_merge(original, patch, go_type), injected, go_type)
    except Exception:  # any failure to apply means this is not the patch
        return False


def same_object(merged: dict[str, Any], injected: dict[str, Any], go_type: str) -> bool:
    from sidecarctl.kube import normalize_as

    return bool(normalize_as(merged, go_type, coerce=False) == normalize_as(injected, go_type, coerce=False))


def two_way(old: dict[str, Any], new: dict[str, Any], meta: Any, given: Any = None) -> dict[str, Any]:
    """Changed and new keys of two maps of the same Go type (`meta`: PatchMeta or None); `given`:
    the same map as written in the file (whether a list is there to replace)."""
    given = given if isinstance(given, dict) else {}
    patch: dict[str, Any] = {}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value or type(old[key]) is not type(value):
            patch[key] = _field_patch(old[key], value, meta, key, given.get(key))
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def _field_patch(old: Any, new: Any, meta: Any, key: str, given: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return two_way(old, new, _child(meta, key, "for_struct"), given)
    if (
        isinstance(new, list)
        and isinstance(given, list)
        and _merge_key(meta, key)
        and all(isinstance(item, dict) for item in new)
    ):
        return [dict(REPLACE), *new]
    return new


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


# --- JSON 6902 ------------------------------------------------------------------------------------


def workload_operations(
    original: dict[str, Any], injected: dict[str, Any], where: str = "", raw: Any = None
) -> dict[str, Any] | None:
    """A kustomize `patches:` entry (target + JSON 6902 operations) for one workload, None when
    injection changed nothing."""
    from sidecarctl.inject import workloads

    if original == injected or not workloads.is_injectable(original.get("kind")):
        return None
    given = raw if isinstance(raw, dict) else original
    operations = json_operations(original, injected, given)
    try:
        applied = apply_operations(given, operations)
        ok = same_object(applied, injected, workloads.kube_type(original["kind"]))
    except (KeyError, IndexError, TypeError, ValueError):
        ok = False
    if not ok:
        raise InjectionError(f"{where}: no JSON patch reproduces the injection; use the full output")
    from sidecarctl.yamlio import dump_yaml

    return {"target": target(original), "patch": dump_yaml(operations)}


def target(obj: dict[str, Any]) -> dict[str, str]:
    """kustomize's patch target: group, version, kind, name, namespace (when set)."""
    group, _, version = str(obj.get("apiVersion") or "v1").rpartition("/")
    meta = obj.get("metadata") or {}
    out = {"group": group, "version": version, "kind": obj["kind"], "name": str(meta.get("name") or "")}
    if meta.get("namespace"):
        out["namespace"] = str(meta["namespace"])
    return out


def json_operations(old: dict[str, Any], new: dict[str, Any], given: Any, path: str = "") -> list[dict[str, Any]]:
    """Operations turning `given` (the object as written; `old` is it decoded) into `new`: maps key
    by key, anything else (lists, scalars) replaced whole. `add` where the file lacks the key."""
    given = given if isinstance(given, dict) else {}
    operations: list[dict[str, Any]] = []
    for key, value in new.items():
        where = f"{path}/{pointer_token(key)}"
        if key in old and old[key] == value and type(old[key]) is type(value):
            continue
        if key in old and isinstance(old[key], dict) and isinstance(value, dict) and isinstance(given.get(key), dict):
            operations.extend(json_operations(old[key], value, given[key], where))
        else:
            operations.append({"op": "replace" if key in given else "add", "path": where, "value": value})
    operations.extend(
        {"op": "remove", "path": f"{path}/{pointer_token(key)}"} for key in old if key not in new and key in given
    )
    return operations


def pointer_token(key: str) -> str:
    """RFC 6901: `~` as `~0`, `/` as `~1` (annotation keys hold slashes)."""
    return key.replace("~", "~0").replace("/", "~1")


def apply_operations(obj: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """The operations applied to a copy (maps only: what `json_operations` writes)."""
    out = copy.deepcopy(obj)
    for operation in operations:
        *parents, last = [token.replace("~1", "/").replace("~0", "~") for token in operation["path"].split("/")[1:]]
        node = out
        for token in parents:
            node = node[token]
        if operation["op"] == "remove":
            del node[last]
        elif operation["op"] == "replace" and last not in node:
            raise KeyError(operation["path"])
        else:
            node[last] = copy.deepcopy(operation["value"])
    return out
