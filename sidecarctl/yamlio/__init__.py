"""Manifests in (YAML/JSON streams, split and decoded as istioctl does) and istioctl-identical YAML out.

split_documents(stream)  -> raw documents, as apimachinery's YAMLReader returns them to istioctl
load_document(doc)       -> the untyped value sigs.k8s.io/yaml.Unmarshal gives (JSON-shaped);
                            strict=True / max_depth=MANIFEST_MAX_DEPTH for the CLI's manifest limits
dump_yaml(value)         -> the bytes sigs.k8s.io/yaml.Marshal writes (istioctl appends "---\\n")
YamlError                -> an InputError whose text is istioctl's (Go's) wording, with line/column
"""

from sidecarctl.yamlio.emit import dump_yaml
from sidecarctl.yamlio.read import MANIFEST_MAX_DEPTH, iter_documents, load_document, split_documents
from sidecarctl.yamlio.yamlerror import YamlError

__all__ = ["MANIFEST_MAX_DEPTH", "YamlError", "dump_yaml", "iter_documents", "load_document", "split_documents"]
