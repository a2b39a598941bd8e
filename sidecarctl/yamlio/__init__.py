"""Manifests in (YAML/JSON streams, split and decoded as istioctl does) and istioctl-identical YAML out."""

from sidecarctl.yamlio.emit import dump_yaml

__all__ = ["dump_yaml"]
