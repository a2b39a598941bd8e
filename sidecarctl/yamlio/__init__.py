"""Manifests in (YAML/JSON streams, split and decoded as istioctl does) and istioctl-identical YAML out."""

from sidecarctl.yamlio.emit import dump_yaml
from sidecarctl.yamlio.read import YamlError, load_document, split_documents

__all__ = ["YamlError", "dump_yaml", "load_document", "split_documents"]
