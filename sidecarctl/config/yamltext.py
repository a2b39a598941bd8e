"""YAML text to JSON-shaped data, as sigs.k8s.io/yaml's Unmarshal sees it (via sidecarctl.yamlio)."""

from __future__ import annotations

from typing import Any


class YamlTextError(ValueError):
    """Text that is not YAML; the message is the decoder's."""


def load_yaml(text: str) -> Any:
    """One YAML (or JSON) document as JSON-shaped data; None for an empty document."""
    from sidecarctl.yamlio import YamlError, load_document

    try:
        return load_document(text)
    except YamlError as err:
        raise YamlTextError(str(err)) from None


def to_go_numbers(value: Any) -> Any:
    """JSON decoded into `any` by Go: every number is a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {str(k): to_go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_go_numbers(v) for v in value]
    return value
