"""Sidecar annotation validation (validate.go)."""

from __future__ import annotations

import pytest

from sidecarctl.inject import validate


@pytest.mark.parametrize(
    "name,value,error",
    [
        ("traffic.sidecar.istio.io/includeInboundPorts", "*", None),
        ("traffic.sidecar.istio.io/includeInboundPorts", "80, 443", None),
        ("traffic.sidecar.istio.io/includeInboundPorts", "", None),
        ("traffic.sidecar.istio.io/includeInboundPorts", "bad", "includeInboundPorts invalid"),
        ("traffic.sidecar.istio.io/excludeInboundPorts", "*", "excludeInboundPorts invalid"),
        ("traffic.sidecar.istio.io/excludeOutboundPorts", "70000", "value out of range"),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "*", None),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,::1/128", None),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0", "includeIPRanges invalid"),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", "excludeIPRanges invalid"),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "1.2.3.4/33", "excludeIPRanges invalid"),
        ("sidecar.istio.io/interceptionMode", "TPROXY", None),
        ("sidecar.istio.io/interceptionMode", "tproxy", "interceptionMode invalid"),
        ("status.sidecar.istio.io/port", "0", None),
        ("status.sidecar.istio.io/port", "-1", "invalid syntax"),
        ("readiness.status.sidecar.istio.io/periodSeconds", "4294967296", "out of range"),
        ("traffic.sidecar.istio.io/kubevirtInterfaces", "net1, net2", None),
        ("traffic.sidecar.istio.io/kubevirtInterfaces", "1net", "invalid characters"),
        ("traffic.sidecar.istio.io/excludeInterfaces", "a,,b", "empty interface name"),
        ("prometheus.istio.io/merge-metrics", "yes", "ParseBool"),
        ("sidecar.istio.io/proxyCPU", "100m", None),
        ("sidecar.istio.io/proxyMemory", "1.5Gi", None),
        ("sidecar.istio.io/proxyMemory", "lots", "quantities must match"),
        ("sidecar.istio.io/proxyMemoryLimit", "1Ki2", "suffix"),
        ("sidecar.istio.io/proxyCPULimit", "1\n", "control characters"),
        ("unrelated", "anything", None),
    ],
)
def test_annotation_errors(name: str, value: str, error: str | None) -> None:
    errors = validate.annotation_errors({name: value})
    if error is None:
        assert errors == []
    else:
        assert len(errors) == 1 and error in errors[0]
        assert errors[0].startswith(f"invalid value '{value}' for annotation '{name}': ")


def test_port_error_text_is_istios() -> None:
    want = (
        "invalid value 'bad' for annotation 'traffic.sidecar.istio.io/includeInboundPorts': includeInboundPorts "
        "invalid: failed parsing port 'bad': failed parsing port 'bad': strconv.ParseUint: parsing \"bad\": "
        "invalid syntax"
    )
    assert validate.annotation_errors({"traffic.sidecar.istio.io/includeInboundPorts": "bad"}) == [want]
