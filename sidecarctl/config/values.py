"""Helm values handed to the templates (`values` key of istio-sidecar-injector, or --valuesFile).

Istio's NewValuesConfig keeps the raw text, decodes it into `map[string]any` for the templates
(every number a float64) and into the typed `Values` proto for the few settings Go code reads
(proxy image, cluster and network). The typed decode allows unknown fields, so only the shapes
of the settings read here are checked.
"""

from __future__ import annotations

from typing import Any

from sidecarctl.config.yamltext import YamlTextError, load_yaml, to_go_numbers
from sidecarctl.golang.json import json_kind
from sidecarctl.gotemplate.gotypes import format_v

_MISSING = object()


class ValuesError(Exception):
    """Values Istio cannot parse; the message is Istio's."""


class ValuesConfig:
    __slots__ = ("raw", "as_map")

    def __init__(self, raw: str, as_map: dict[str, Any] | None = None) -> None:
        self.raw = raw
        self.as_map: dict[str, Any] = {} if as_map is None else as_map

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValuesConfig) and (self.raw, self.as_map) == (other.raw, other.as_map)

    __hash__ = None  # type: ignore[assignment]

    def _get(self, *path: str) -> Any:
        node: Any = self.as_map
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return _MISSING
            node = node[key]
        return node

    def _string(self, *path: str) -> str:
        value = self._get(*path)
        return value if isinstance(value, str) else ""

    @property
    def hub(self) -> str:
        return self._string("global", "hub")

    @property
    def tag(self) -> str:
        """`fmt.Sprintf("%v", global.GetTag().AsInterface())`: a structpb.Value printed by Go."""
        value = self._get("global", "tag")
        if value is _MISSING:
            return ""
        return format_v(value)

    @property
    def variant(self) -> str:
        return self._string("global", "variant")

    @property
    def proxy_image(self) -> str:
        return self._string("global", "proxy", "image")

    @property
    def cluster_name(self) -> str:
        return self._string("global", "multiCluster", "clusterName")

    @property
    def network(self) -> str:
        return self._string("global", "network")


# Typed fields of the Values proto that Go reads; a value of another JSON type fails the decode.
_TYPED = {
    ("global", "hub"): "string",
    ("global", "variant"): "string",
    ("global", "network"): "string",
    ("global", "proxy", "image"): "string",
    ("global", "multiCluster", "clusterName"): "string",
}


def parse_values(text: str) -> ValuesConfig:
    """NewValuesConfig: the raw text, the `map[string]any` view, Go's decode errors."""
    try:
        data = load_yaml(text)
    except YamlTextError as err:
        raise ValuesError(f"could not parse configuration values: {err}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "array" if isinstance(data, list) else json_kind(data)
        raise ValuesError(
            f"could not parse configuration values: json: cannot unmarshal {kind} into Go value of type map[string]json.RawMessage"
        )
    _check_typed(data)
    return ValuesConfig(raw=text, as_map=to_go_numbers(data))


def _check_typed(data: dict[str, Any]) -> None:
    for path, kind in _TYPED.items():
        node: Any = data
        for key in path:
            if node is None:
                break
            if not isinstance(node, dict):
                raise ValuesError(
                    f"could not parse configuration values: json: cannot unmarshal {json_kind(node)} "
                    f"into Go value of type map[string]json.RawMessage"
                )
            node = node.get(key)
        else:
            if node is not None and json_kind(node) != kind:
                raise ValuesError(
                    f"could not parse configuration values: json: cannot unmarshal {json_kind(node)} "
                    f"into Go value of type {kind}"
                )
