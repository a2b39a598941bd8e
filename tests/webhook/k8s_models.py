"""Checks Kubernetes objects against the `kubernetes` package's API models, strictly.

The client's own deserializer fills a model from a dict and refuses missing required fields and
values of the wrong type, but drops keys it does not know; `problems` walks the dict beside the
model's `openapi_types` to report those (and the plain values' types, for a second opinion). The
models are generated from Kubernetes' OpenAPI spec: an unknown key is one the API server would drop.
"""

from __future__ import annotations

import re
from typing import Any

import kubernetes.client as k8s

KINDS = {
    ("v1", "ServiceAccount"): "V1ServiceAccount",
    ("v1", "Service"): "V1Service",
    ("v1", "Secret"): "V1Secret",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("policy/v1", "PodDisruptionBudget"): "V1PodDisruptionBudget",
    ("rbac.authorization.k8s.io/v1", "Role"): "V1Role",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "V1RoleBinding",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "V1ClusterRole",
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): "V1ClusterRoleBinding",
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"): "V1MutatingWebhookConfiguration",
}
_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (int, float),
    "datetime": (str,),
    "date": (str,),
    "bytearray": (str,),
    "bytes": (str,),
}  # base64 in JSON
_LIST = re.compile(r"list\[(.+)\]", re.IGNORECASE)
_DICT = re.compile(r"dict\((?:str), *(.+)\)|dict\[str, *(.+)\]", re.IGNORECASE)


def model_name(obj: dict[str, Any]) -> str:
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key not in KINDS:
        raise KeyError(f"no model known for {key}")
    return KINDS[key]


def problems(value: Any, type_name: str, path: str = "") -> list[str]:
    """Unknown keys and wrongly typed values in `value` read as `type_name`, with their paths."""
    list_match, dict_match = _LIST.fullmatch(type_name), _DICT.fullmatch(type_name)
    if list_match:
        if not isinstance(value, list):
            return [f"{path}: want a list, got {type(value).__name__}"]
        return [p for i, v in enumerate(value) for p in problems(v, list_match.group(1), f"{path}[{i}]")]
    if dict_match:
        if not isinstance(value, dict):
            return [f"{path}: want a map, got {type(value).__name__}"]
        inner = dict_match.group(1) or dict_match.group(2)
        return [p for k, v in value.items() for p in problems(v, inner, f"{path}.{k}")]
    if type_name == "object":
        return []
    if type_name in _PRIMITIVES:
        ok = isinstance(value, _PRIMITIVES[type_name]) and not (type_name == "int" and isinstance(value, bool))
        return [] if ok else [f"{path}: want {type_name}, got {value!r}"]
    return _model_problems(value, getattr(k8s, type_name), path)


def _model_problems(value: Any, model: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: want an object ({model.__name__}), got {type(value).__name__}"]
    by_json = {json_key: attr for attr, json_key in model.attribute_map.items()}
    found = []
    for key, item in value.items():
        if key not in by_json:
            found.append(f"{path}.{key}: unknown field of {model.__name__}")
        else:
            found += problems(item, model.openapi_types[by_json[key]], f"{path}.{key}")
    return found


def deserialize(obj: dict[str, Any]) -> Any:
    """The client's own reading of `obj` (raises ValueError on a missing required field)."""
    return k8s.ApiClient()._ApiClient__deserialize(obj, model_name(obj))  # type: ignore[attr-defined]


def validate(obj: dict[str, Any]) -> list[str]:
    """Everything wrong with `obj` as its kind's model sees it; [] when valid."""
    name = model_name(obj)
    try:
        deserialize(obj)
        found = []
    except (ValueError, TypeError) as e:
        found = [f"{name}: {' '.join(str(e).split())}"]
    return found + problems(obj, name, obj["kind"])
