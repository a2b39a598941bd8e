"""The Istio releases sidecarctl injects for, and what their Go code does differently.

    release("1.28")              -> Release("1.28.10"): a supported release, by minor or full version
    newest()                     -> the newest supported release (the default)
    detect(values)               -> (Release, note): the release injection settings were made for
    release.has(FEATURE)         -> whether that release's Go code has the behaviour

A release's injection templates come with its settings (files, the cluster, or the built-in
`sidecarctl/defaults/<version>/`, generated from the release's chart by `hack/istio_release.py`);
only what Istio does in Go differs here. `hack/istio_release.py add X.Y.Z` adds a release to SUPPORTED.
This module imports nothing of sidecarctl but its errors: every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sidecarctl.errors import ConfigError

# Every supported release, oldest first, one patch per minor (rewritten by `hack/istio_release.py add`).
SUPPORTED: tuple[str, ...] = ("1.28.10", "1.29.6", "1.30.3")

# Go behaviour by the first minor that has it (pkg/kube/inject at the release's tag).
INTERFACE_ANNOTATIONS_VALIDATED = "interface-annotations-validated"  # validate.go ValidateExcludeInterfaces
OTEL_RESOURCE_ATTRIBUTES = "otelResourceAttributes"  # template.go's template function
FEATURES: Mapping[str, tuple[int, int]] = {
    INTERFACE_ANNOTATIONS_VALIDATED: (1, 30),
    OTEL_RESOURCE_ATTRIBUTES: (1, 30),
}

# Mesh and proxy config fields (JSON names) of istio.io/api that some supported releases lack: the
# first minor that has each. Istio applies a mesh or proxy config with unknown fields allowed, so an
# older release ignores them (e.g. `fileFlushInterval` never reaches its PROXY_CONFIG).
MESH_FIELDS_SINCE: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "MeshConfig": {"hboneIdleTimeout": (1, 29)},
    "ProxyConfig": {"fileFlushInterval": (1, 29), "fileFlushMinSizeKb": (1, 29), "statsCompression": (1, 29)},
}
# ... and the fields a release still has that the newest lacks: the last minor that has each.
MESH_FIELDS_UNTIL: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "MeshConfig": {"fileFlushInterval": (1, 28), "fileFlushMinSize": (1, 28)},
}

_MINOR = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


class Release:
    """One supported Istio release (a plain class: records on the startup path are not dataclasses)."""

    __slots__ = ("version", "minor")

    def __init__(self, version: str) -> None:
        self.version = version
        major, minor = version.split(".")[:2]
        self.minor = (int(major), int(minor))

    def __repr__(self) -> str:
        return f"Release({self.version!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Release) and other.version == self.version

    def __hash__(self) -> int:
        return hash(self.version)

    @property
    def name(self) -> str:
        """`1.28`: the minor, as --istio-version takes it."""
        return f"{self.minor[0]}.{self.minor[1]}"

    @property
    def defaults(self) -> str:
        """The folder of its built-in settings inside the sidecarctl.defaults package."""
        return self.version

    def has(self, feature: str) -> bool:
        return self.minor >= FEATURES[feature]

    def unknown_fields(self, message: str) -> list[str]:
        """JSON names of the fields of MeshConfig or ProxyConfig this release's Istio does not know."""
        return [name for name, since in MESH_FIELDS_SINCE.get(message, {}).items() if self.minor < since]

    def retired_fields(self, message: str) -> list[str]:
        """JSON names of fields this release knows and the newest release no longer has."""
        return [name for name, until in MESH_FIELDS_UNTIL.get(message, {}).items() if self.minor <= until]


_RELEASES = {Release(v).minor: Release(v) for v in SUPPORTED}


def supported() -> list[Release]:
    return [_RELEASES[k] for k in sorted(_RELEASES)]


def newest() -> Release:
    return _RELEASES[max(_RELEASES)]


def names() -> str:
    """`1.28, 1.29, 1.30`: for messages and help."""
    return ", ".join(r.name for r in supported())


def release(text: str) -> Release:
    """The supported release a --istio-version value names (`1.28`, `1.28.10`, `v1.28`; any patch of
    a supported minor means that minor); a ConfigError saying what is supported otherwise."""
    m = _MINOR.match(text.strip())
    if not m or m.end() != len(text.strip()):
        raise ConfigError(f"--istio-version {text}: not an Istio version; give one of {names()}")
    found = _RELEASES.get((int(m.group(1)), int(m.group(2))))
    if found is None:
        raise ConfigError(
            f"--istio-version {text}: Istio {m.group(1)}.{m.group(2)} is not supported by this "
            f"sidecarctl (supported: {names()}); pick one of those, or see docs/releases.md"
        )
    return found


def detect(values: Mapping[str, Any] | None) -> tuple[Release, str | None]:
    """The release injection values were made for, from `global.tag` (else a tag in
    `global.proxy.image`); with a one-line note when it cannot be told and the newest is used."""
    global_ = values.get("global") if isinstance(values, Mapping) else None
    global_ = global_ if isinstance(global_, Mapping) else {}
    tag = global_.get("tag")
    proxy = global_.get("proxy")
    image = proxy.get("image") if isinstance(proxy, Mapping) else None
    candidates = [_text(tag)]
    if isinstance(image, str) and ":" in image.rsplit("/", 1)[-1]:
        candidates.append(image.rsplit(":", 1)[-1])
    for candidate in candidates:
        m = _MINOR.match(candidate)
        if m:
            found = _RELEASES.get((int(m.group(1)), int(m.group(2))))
            if found is not None:
                return found, None
            return newest(), (
                f"note: the settings are for Istio {m.group(1)}.{m.group(2)} (values global.tag "
                f"{candidate!r}), which this sidecarctl does not support (supported: {names()}); "
                f"injecting as Istio {newest().name} does"
            )
    shown = candidates[0] or "unset"
    return newest(), (
        f"note: cannot tell the Istio release of the settings (values global.tag {shown!r}); "
        f"injecting as Istio {newest().name} does; pass --istio-version to choose"
    )


def without_fields(data: Any, names: list[str]) -> tuple[Any, list[str]]:
    """A shallow copy of a decoded config without the named fields (JSON or proto names); the names
    that were there."""
    if not isinstance(data, Mapping) or not names:
        return data, []
    keys = {name: (name, _snake(name)) for name in names}
    present = [name for name, forms in keys.items() if any(form in data for form in forms)]
    if not present:
        return data, []
    drop = {form for name in present for form in keys[name]}
    return {k: v for k, v in data.items() if k not in drop}, present


def for_release(mesh: Any, release: Release) -> tuple[Any, list[str]]:
    """A decoded mesh config as `release` reads it: without the fields it does not know (top level and
    defaultConfig; returned by path, for a note) and without the fields it knows that the newest
    lacks (they do not affect injection)."""
    mesh, _ = without_fields(mesh, release.retired_fields("MeshConfig"))
    mesh, dropped = without_fields(mesh, release.unknown_fields("MeshConfig"))
    if isinstance(mesh, Mapping):
        for key in ("defaultConfig", "default_config"):
            if key in mesh:
                proxy, gone = without_fields(mesh[key], release.unknown_fields("ProxyConfig"))
                if gone:
                    mesh = {**mesh, key: proxy}
                    dropped += [f"{key}.{name}" for name in gone]
    return mesh, dropped


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a YAML tag of 1 is a number
        return str(int(value))
    return str(value)
