"""Checks a custom resource against its CustomResourceDefinition's structural schema.

The parts of OpenAPI v3 that CRD schemas use and that catch mistakes in written manifests: types,
`required`, `enum`, and fields the schema does not declare (the API server prunes those silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def load_crds(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema, for every served version of every CRD in the folder."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schemas[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return schemas


def problems(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    if schema.get("x-kubernetes-int-or-string"):
        ok = isinstance(value, (int, str)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: want an integer or a string, got {value!r}"]
    want = schema.get("type")
    if want and (not isinstance(value, _TYPES[want]) or (want in ("integer", "number") and isinstance(value, bool))):
        return [f"{path}: want {want}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {schema['enum']}"]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in problems(v, schema.get("items") or {}, f"{path}[{i}]")]
    if isinstance(value, dict):
        return _object_problems(value, schema, path)
    return []


def _object_problems(value: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    found = [f"{path}.{key}: required" for key in schema.get("required") or [] if key not in value]
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if properties is not None and key in properties:
            found += problems(item, properties[key], f"{path}.{key}")
        elif isinstance(extra, dict):
            found += problems(item, extra, f"{path}.{key}")
        elif properties is not None and not schema.get("x-kubernetes-preserve-unknown-fields"):
            found.append(f"{path}.{key}: unknown field")
    return found


def validate(obj: dict[str, Any], schemas: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    if key not in schemas:
        return [f"no CRD serves {key}"]
    return problems(obj, schemas[key], obj["kind"])
