"""Istio's checks of a pod's sidecar annotations (validate.go), with its error texts.

An invalid value fails the injection of that workload: istioctl stops with
`invalid value 'V' for annotation 'NAME': <why>`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from sidecarctl.inject.goutil import parse_bool, quote
from sidecarctl.releases import INTERFACE_ANNOTATIONS_VALIDATED, Release

Validator = Callable[[str], "str | None"]  # the error text, or None when valid

# \Z, not $: Go's `$` is the end of the text, Python's also matches before a final newline.
_INTERFACE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.\-]*\Z")
_DIGITS = re.compile(r"^[0-9]+\Z")
# strings.TrimSpace trims Unicode White_Space; str.strip() also takes \x1c-\x1f, which Go keeps.
_GO_SPACES = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def parse_uint(text: str, bits: int) -> tuple[int | None, str]:
    """strconv.ParseUint(text, 10, bits): the value, or None and Go's error text."""
    if not _DIGITS.match(text):
        return None, f"strconv.ParseUint: parsing {quote(text)}: invalid syntax"
    value = int(text)
    if value >= 1 << bits:
        return None, f"strconv.ParseUint: parsing {quote(text)}: value out of range"
    return value, ""


def validate_interception_mode(mode: str) -> str | None:
    if mode in ("REDIRECT", "TPROXY", "NONE"):
        return None
    return f"interceptionMode invalid, use REDIRECT,TPROXY,NONE: {mode}"


def validate_status_port(port: str) -> str | None:
    err = _parse_port(port)
    return f"excludeInboundPorts invalid: {err}" if err else None


def validate_uint32(value: str) -> str | None:
    return parse_uint(value, 32)[1] or None


def validate_bool(value: str) -> str | None:
    if parse_bool(value) is None:
        return f"strconv.ParseBool: parsing {quote(value)}: invalid syntax"
    return None


def validate_include_ip_ranges(ranges: str) -> str | None:
    if ranges == "*":
        return None
    err = _validate_cidr_list(ranges)
    return f"includeIPRanges invalid: {err}" if err else None


def validate_exclude_ip_ranges(ranges: str) -> str | None:
    err = _validate_cidr_list(ranges)
    return f"excludeIPRanges invalid: {err}" if err else None


def validate_include_inbound_ports(ports: str) -> str | None:
    return None if ports == "*" else _validate_port_list("includeInboundPorts", ports)


def validate_exclude_inbound_ports(ports: str) -> str | None:
    return _validate_port_list("excludeInboundPorts", ports)


def validate_exclude_outbound_ports(ports: str) -> str | None:
    return _validate_port_list("excludeOutboundPorts", ports)


def validate_interfaces(interfaces: str) -> str | None:
    if not interfaces:
        return None
    for name in interfaces.split(","):
        name = name.strip(_GO_SPACES)
        if not name:
            return "empty interface name"
        if len(name.encode("utf-8", "surrogatepass")) > 15:  # Go's len: bytes
            return f"interface name {quote(name)} too long (max 15 chars)"
        if not _INTERFACE_NAME.match(name):
            return f"interface name {quote(name)} contains invalid characters"
    return None


def validate_quantity(value: str) -> str | None:
    """resource.ParseQuantity (sidecarctl.kube), after Istio's own control character check."""
    from sidecarctl.kube import QuantityError, parse_quantity  # imported lazily: most pods never need it

    if any(unicodedata.category(c) == "Cc" for c in value):
        return "value contains control characters"
    try:
        parse_quantity(value)
    except QuantityError as err:
        return str(err)
    return None


def validate_proxy_config(value: str, unknown: list[str] | None = None) -> str | None:
    """proxy.istio.io/config applied over Istio's default proxy config must parse and validate;
    `unknown` fields (those an older release's Istio does not know) are ignored, as there."""
    from sidecarctl.config import mesh, proto, yamltext  # imported lazily: only pods that use it pay
    from sidecarctl.releases import without_fields

    try:
        config = mesh.default_proxy_config()
        proto.apply_json(config, without_fields(yamltext.load_yaml(value), unknown or [])[0])
    except (yamltext.YamlTextError, proto.ProtoError) as err:
        return f"failed to convert to apply proxy config: {err}"
    errors = mesh.proxy_config_errors(config)
    return "; ".join(errors) if errors else None


ANNOTATION_VALIDATORS: dict[str, Validator] = {
    "sidecar.istio.io/interceptionMode": validate_interception_mode,
    "status.sidecar.istio.io/port": validate_status_port,
    "readiness.status.sidecar.istio.io/initialDelaySeconds": validate_uint32,
    "readiness.status.sidecar.istio.io/periodSeconds": validate_uint32,
    "readiness.status.sidecar.istio.io/failureThreshold": validate_uint32,
    "traffic.sidecar.istio.io/includeOutboundIPRanges": validate_include_ip_ranges,
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": validate_exclude_ip_ranges,
    "traffic.sidecar.istio.io/includeInboundPorts": validate_include_inbound_ports,
    "traffic.sidecar.istio.io/excludeInboundPorts": validate_exclude_inbound_ports,
    "traffic.sidecar.istio.io/excludeOutboundPorts": validate_exclude_outbound_ports,
    "traffic.sidecar.istio.io/excludeInterfaces": validate_interfaces,
    "traffic.sidecar.istio.io/kubevirtInterfaces": validate_interfaces,
    "istio.io/reroute-virtual-interfaces": validate_interfaces,
    "prometheus.istio.io/merge-metrics": validate_bool,
    "proxy.istio.io/config": validate_proxy_config,
    "sidecar.istio.io/proxyCPU": validate_quantity,
    "sidecar.istio.io/proxyMemory": validate_quantity,
    "sidecar.istio.io/proxyCPULimit": validate_quantity,
    "sidecar.istio.io/proxyMemoryLimit": validate_quantity,
}


# Checked only from Istio 1.30 (validate.go ValidateExcludeInterfaces); 1.28 and 1.29 take any value.
INTERFACE_ANNOTATIONS = frozenset(
    {
        "traffic.sidecar.istio.io/excludeInterfaces",
        "traffic.sidecar.istio.io/kubevirtInterfaces",
        "istio.io/reroute-virtual-interfaces",
    }
)


def annotation_errors(annotations: dict[str, str] | None, release: Release | None = None) -> list[str]:
    """Every invalid annotation, in name order (Go visits a map in random order), as `release`'s
    validate.go checks them (default: the newest release)."""
    skip = frozenset() if release is None or release.has(INTERFACE_ANNOTATIONS_VALIDATED) else INTERFACE_ANNOTATIONS
    errors = []
    for name in sorted(annotations or {}):
        validator = None if name in skip else ANNOTATION_VALIDATORS.get(name)
        value = (annotations or {})[name]
        if validator is validate_proxy_config and release is not None:
            problem = validate_proxy_config(value, release.unknown_fields("ProxyConfig"))
        else:
            problem = validator(value) if validator else None
        if problem:
            errors.append(f"invalid value '{value}' for annotation '{name}': {problem}")
    return errors


def _parse_port(text: str) -> str | None:
    _, err = parse_uint(text.strip(_GO_SPACES), 16)
    return f"failed parsing port '{text}': {err}" if err else None


def _validate_port_list(parameter: str, ports: str) -> str | None:
    ports = ports.strip(_GO_SPACES)
    if not ports:
        return None
    for port in ports.split(","):
        err = _parse_port(port)
        if err:
            return f"{parameter} invalid: failed parsing port '{port}': {err}"
    return None


def _validate_cidr_list(cidrs: str) -> str | None:
    if not cidrs:
        return None
    for cidr in cidrs.split(","):
        err = _parse_prefix(cidr)
        if err:
            return f"failed parsing cidr '{cidr}': netip.ParsePrefix({quote(cidr)}): {err}"
    return None


def _parse_prefix(text: str) -> str | None:
    """netip.ParsePrefix's acceptance: ADDR/BITS, no zone, bits without sign or leading zero."""
    import ipaddress  # only when an address is checked: it costs ~1 ms of startup

    addr, slash, bits = text.rpartition("/")
    if not slash:
        return "no '/'"
    if "%" in addr:
        return "IPv6 zones cannot be present in a prefix"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return f"ParseAddr({quote(addr)}): unable to parse IP"
    if not _DIGITS.match(bits) or (len(bits) > 1 and bits[0] == "0") or int(bits) > ip.max_prefixlen:
        return f"bad bits after slash: {quote(bits)}"
    return None
