"""--operatorFileName: values and mesh config from an IstioOperator file, as istioctl's
getIOPConfigs reads them through operator/pkg/render.MergeInputs.

MergeInputs lays the user's file over the chosen profile (every profile starts from `default`),
over the hub/tag compiled into a release istioctl, translates `spec.hub`/`spec.tag`/
`spec.revision` and component enablement into Helm values, and puts the user's own `spec.values`
on top again. kube-inject then uses `spec.values` (as JSON) and, when present, `spec.meshConfig`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from sidecarctl.config.yamltext import YamlTextError, load_yaml

RELEASE_HUB = "docker.io/istio"
RELEASE_TAG = "1.30.3"

_INGRESS_OFF = [{"name": "istio-ingressgateway", "enabled": False}]
# manifests/profiles/*.yaml at 1.30.3: only what reaches spec.values, spec.hub/tag and components.
_DEFAULT = {
    "apiVersion": "install.istio.io/v1alpha1",
    "kind": "IstioOperator",
    "metadata": {"namespace": "istio-system"},
    "spec": {
        "hub": "registry.istio.io/testing",
        "tag": "latest",
        "components": {
            "base": {"enabled": True},
            "pilot": {"enabled": True},
            "ingressGateways": [{"name": "istio-ingressgateway", "enabled": True}],
            "egressGateways": [{"name": "istio-egressgateway", "enabled": False}],
        },
        "values": {
            "defaultRevision": "",
            "global": {"istioNamespace": "istio-system", "configValidation": True},
            "gateways": {"istio-ingressgateway": {}, "istio-egressgateway": {}},
            "ztunnel": {"resourceName": "ztunnel"},
        },
    },
}
_PROFILES: dict[str, dict[str, Any]] = {
    "default": {},
    "ambient": {
        "components": {"cni": {"enabled": True}, "ztunnel": {"enabled": True}, "ingressGateways": _INGRESS_OFF},
        "values": {"profile": "ambient"},
    },
    "demo": {
        "components": {"egressGateways": [{"name": "istio-egressgateway", "enabled": True}]},
        "values": {"profile": "demo"},
    },
    "empty": {"components": {"base": {"enabled": False}, "pilot": {"enabled": False}, "ingressGateways": _INGRESS_OFF}},
    "minimal": {"components": {"ingressGateways": _INGRESS_OFF}},
    "openshift-ambient": {
        "components": {
            "cni": {"enabled": True, "namespace": "kube-system"},
            "ztunnel": {"enabled": True, "namespace": "kube-system"},
            "ingressGateways": _INGRESS_OFF,
        },
        "values": {"profile": "ambient", "global": {"platform": "openshift"}},
    },
    "openshift": {
        "components": {"cni": {"enabled": True, "namespace": "kube-system"}},
        "values": {"global": {"platform": "openshift"}},
    },
    "preview": {"values": {"profile": "preview"}},
    "remote": {
        "components": {"base": {"enabled": True}, "pilot": {"enabled": True}, "ingressGateways": _INGRESS_OFF},
        "values": {"profile": "remote"},
    },
    "stable": {"values": {"profile": "stable"}},
}


class OperatorError(Exception):
    """An IstioOperator file istioctl refuses; the message is istioctl's."""


@dataclass
class OperatorSettings:
    values_json: str  # `spec.values` as JSON text, what kube-inject hands to NewValuesConfig
    mesh_config: Any  # `spec.meshConfig` (JSON-shaped) or None when absent


def merge_from(base: dict[str, Any], other: dict[str, Any]) -> None:
    """values.Map.MergeFrom: maps merge recursively, anything else overwrites."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_from(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def read_operator(text: str) -> OperatorSettings:
    user = _user_config(text)
    given = user.get("spec")
    spec: dict[str, Any] = given if isinstance(given, dict) else {}
    user_values = spec.get("values") if isinstance(spec.get("values"), dict) else None
    base = _profile(_str(spec.get("profile")))
    base["spec"]["hub"], base["spec"]["tag"] = RELEASE_HUB, RELEASE_TAG
    merge_from(base, user)
    _translate(base)
    if user_values is not None:
        merge_from(base, {"spec": {"values": user_values}})
    spec = base["spec"]
    values = spec.get("values") if isinstance(spec.get("values"), dict) else {}
    mesh = spec.get("meshConfig") if isinstance(spec.get("meshConfig"), dict) else None
    return OperatorSettings(json.dumps(values, sort_keys=True, separators=(",", ":")), mesh)


def _user_config(text: str) -> dict[str, Any]:
    docs = [d for d in text.split("\n---") if d.strip() and d.strip() != "---"]
    if len(docs) > 1:
        raise OperatorError("contains multiple IstioOperator CRs, only one per file is supported")
    try:
        data = load_yaml(text)
    except YamlTextError as err:
        raise OperatorError(f"unable to parse file: {err}") from None
    user: dict[str, Any] = {
        "apiVersion": "install.istio.io/v1alpha1",
        "kind": "IstioOperator",
        "metadata": {},
        "spec": {},
    }
    if data is None:
        return user
    if not isinstance(data, dict):
        raise OperatorError("json: cannot unmarshal non-object into Go value of type values.Map")
    data = dict(data)
    if data.get("spec") is None:
        data.pop("spec", None)  # istioctl lets an empty spec through
    merge_from(user, data)
    return user


def _profile(name: str) -> dict[str, Any]:
    name = name or "default"
    if name not in _PROFILES:
        raise OperatorError(f'profile "{name}" not found: open profiles/{name}.yaml: file does not exist')
    base: dict[str, Any] = copy.deepcopy(_DEFAULT)
    merge_from(base["spec"], copy.deepcopy(_PROFILES[name]))
    return base


def _translate(base: dict[str, Any]) -> None:
    """translateIstioOperatorToHelm, the parts that reach `spec.values`."""
    spec = base["spec"]
    values = spec.setdefault("values", {})
    for key, (section, name) in {
        "hub": ("global", "hub"),
        "tag": ("global", "tag"),
        "revision": ("", "revision"),
    }.items():
        if key not in spec:
            continue
        value = spec[key]
        if isinstance(value, dict):
            continue
        target = values.setdefault(section, {}) if section else values
        if not isinstance(target, dict):
            continue
        target[name] = _str(value) if key == "tag" else _parse_value(_str(value))
    pilot = values.setdefault("pilot", {}) if isinstance(values.get("pilot", {}), dict) else {}
    pilot["enabled"] = _component_enabled(spec, "pilot")
    cni = pilot.setdefault("cni", {}) if isinstance(pilot.get("cni", {}), dict) else {}
    cni["enabled"] = _component_enabled(spec, "cni")


def _component_enabled(spec: dict[str, Any], name: str) -> bool:
    comp = (spec.get("components") or {}).get(name) if isinstance(spec.get("components"), dict) else None
    return isinstance(comp, dict) and comp.get("enabled") is True


def _str(value: Any) -> str:
    from sidecarctl.gotemplate.gotypes import format_v

    return "" if value is None else format_v(value)


def _parse_value(text: str) -> Any:
    """values.parseValue for `--set`-style strings: int, float, bool, else the string."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return text.replace("\\,", ",")
