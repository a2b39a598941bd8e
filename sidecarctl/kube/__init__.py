"""The Kubernetes object model istioctl kube-inject round-trips documents through.

normalize / normalize_as: a document after Go's typed decode and json.Marshal (KubeTypeError with
Go's message on type mismatches). canonical_quantity / parse_quantity: resource.Quantity.
strategic_merge / apply_overlay: strategicpatch as Istio applies its injection template.
"""

from sidecarctl.kube.errors import KubeTypeError, QuantityError, StrategicMergeError
from sidecarctl.kube.quantity import Quantity, canonical_quantity, parse_quantity
from sidecarctl.kube.strategic import apply_overlay, copy_json, strategic_merge
from sidecarctl.kube.typed import (
    KINDS,
    is_supported,
    kind_of,
    marshal_json,
    normalize,
    normalize_as,
    raw_json,
)

__all__ = [
    "copy_json",
    "KINDS",
    "KubeTypeError",
    "Quantity",
    "QuantityError",
    "StrategicMergeError",
    "apply_overlay",
    "canonical_quantity",
    "is_supported",
    "kind_of",
    "marshal_json",
    "normalize",
    "normalize_as",
    "parse_quantity",
    "raw_json",
    "strategic_merge",
]
