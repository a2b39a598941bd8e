"""Annotation checks as Go's validate.go makes them, where Python's regex and str.strip differ from
Go's: `$` also matching before a final newline, len counting characters not bytes, strip taking
characters strings.TrimSpace keeps."""

from __future__ import annotations

import pytest

from sidecarctl.inject.validate import annotation_errors


@pytest.mark.parametrize(
    "name,value,why",
    [
        (
            "readiness.status.sidecar.istio.io/periodSeconds",
            "10\n",
            'strconv.ParseUint: parsing "10\\n": invalid syntax',
        ),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8\n", 'bad bits after slash: "8\\n"'),
        ("traffic.sidecar.istio.io/excludeInterfaces", "eth0\n\x1f", "contains invalid characters"),
        ("traffic.sidecar.istio.io/excludeInterfaces", "\u00e9" * 9, "too long (max 15 chars)"),
    ],
    ids=["uint32-final-newline", "cidr-bits-final-newline", "interface-unit-separator", "interface-bytes"],
)
def test_values_go_refuses(name: str, value: str, why: str) -> None:
    errors = annotation_errors({name: value})
    assert len(errors) == 1 and why in errors[0], errors


@pytest.mark.parametrize(
    "name,value",
    [
        ("readiness.status.sidecar.istio.io/periodSeconds", "10"),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8"),
        ("traffic.sidecar.istio.io/excludeInterfaces", " eth0 ,\u00a0net1\n"),
    ],
    ids=["uint32", "cidr", "interfaces-go-spaces"],
)
def test_values_go_accepts(name: str, value: str) -> None:
    assert annotation_errors({name: value}) == []
