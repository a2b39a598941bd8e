"""Errors raised while decoding documents into the Kubernetes object model."""

from __future__ import annotations

from sidecarctl.errors import InputError


class KubeTypeError(InputError):
    """A value Go's decoder rejects; the message is the Go error text, verbatim.

    `stage` tells which step of sigs.k8s.io/yaml's Unmarshal failed, so callers can add its prefix:
    "convert" (YAML to JSON: "error converting YAML to JSON: ") or "decode" (JSON into the Go struct:
    "error unmarshaling JSON: while decoding JSON: ").
    """

    def __init__(self, message: str, stage: str = "decode") -> None:
        super().__init__(message)
        self.go_message = message
        self.stage = stage

    def yaml_message(self) -> str:
        """The text sigs.k8s.io/yaml.Unmarshal would return for this error."""
        if self.stage == "convert":
            return "error converting YAML to JSON: " + self.go_message
        return "error unmarshaling JSON: while decoding JSON: " + self.go_message


class QuantityError(ValueError):
    """An invalid resource.Quantity; the message is apimachinery's error text."""


class StrategicMergeError(InputError):
    """A strategic merge patch that apimachinery refuses; the message is its error text."""
