"""The seam between the webhook and the injection engine (`sidecarctl.config`, `sidecarctl.inject`).

The webhook needs two things from the engine: settings loaded from the same flags as kube-inject,
and Istio's `injectPod` without its last step (the pod after templates, container overrides and
post-processing; the webhook diffs it itself). Everything the server does goes through the
`Injector` protocol, so the server is tested with a stand-in and the conformance tests with this.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from sidecarctl.webhook.decision import InjectPolicy


@dataclass(frozen=True)
class SettingsFlags:
    """kube-inject's settings flags, under their istioctl names' Python spelling."""

    inject_config_file: str | None = None
    values_file: str | None = None
    mesh_config_file: str | None = None
    operator_file: str | None = None
    offline: bool = False
    revision: str = ""
    istio_namespace: str = "istio-system"
    kubeconfig: str | None = None
    context: str | None = None
    inject_configmap_name: str = "istio-sidecar-injector"
    mesh_configmap_name: str = "istio"
    detect_native_sidecars: bool = False  # ENABLE_NATIVE_SIDECARS=auto: ask the cluster's nodes
    istio_version: str | None = None  # --istio-version: the release's built-in settings and Go behaviour

    def files(self) -> list[str]:
        return [f for f in (self.inject_config_file, self.values_file, self.mesh_config_file,
                            self.operator_file) if f]

    @property
    def from_cluster(self) -> bool:
        """As kube-inject: ConfigMaps give every piece not given as a file (an IstioOperator may give
        the values and mesh config), unless --offline."""
        if self.offline:
            return False
        mesh_and_values = (self.mesh_config_file and self.values_file) or self.operator_file
        return not (self.inject_config_file and mesh_and_values)


@dataclass
class InjectRequest:
    pod: dict[str, Any]  # namespace filled in, managedFields dropped
    proxy_envs: dict[str, str]  # from the URL path
    revision: str
    native_sidecars: bool
    warnings: list[str] = field(default_factory=list)


class Injector(Protocol):
    """What the server needs: the deciding policy and a pod -> injected pod function."""

    def policy(self) -> InjectPolicy: ...

    def inject(self, request: InjectRequest) -> dict[str, Any]: ...

    def normalize(self, pod: dict[str, Any]) -> dict[str, Any]: ...


def fingerprint(flags: SettingsFlags) -> str:
    """Changes whenever a settings file changes (contents, not only mtime: ConfigMap volumes swap links)."""
    digest = hashlib.sha256()
    for path in flags.files():
        digest.update(path.encode())
        try:
            with open(path, "rb") as f:
                digest.update(f.read())
        except OSError as e:
            digest.update(f"unreadable: {e}".encode())
    return digest.hexdigest()


class EngineInjector:
    """The real engine behind the `Injector` protocol: settings from `sidecarctl.config`, the pod
    from `sidecarctl.inject.pipeline.inject_pod` (Istio's injectPod up to the patch)."""

    def __init__(self, settings: Any, native_sidecars: bool | None = None) -> None:
        self.settings = settings
        self.native_sidecars = native_sidecars  # what the cluster's nodes support, when detected
        config = settings.inject_config
        self._policy = InjectPolicy(policy=config.policy,
                                    never_inject_selector=tuple(config.never_inject_selector or ()),
                                    always_inject_selector=tuple(config.always_inject_selector or ()))

    @classmethod
    def load(cls, flags: SettingsFlags) -> EngineInjector:
        from sidecarctl.config import load_settings

        cluster = _ClusterPieces(flags) if flags.from_cluster or flags.detect_native_sidecars else None
        settings = load_settings(inject_config_file=flags.inject_config_file, values_file=flags.values_file,
                                 mesh_config_file=flags.mesh_config_file, operator_file=flags.operator_file,
                                 offline=flags.offline, revision=template_revision(flags.revision),
                                 cluster=cluster if flags.from_cluster else None, istio_version=flags.istio_version)
        if settings.notes:  # e.g. the Istio release of the settings cannot be told
            from sidecarctl.webhook import logs

            for note in settings.notes:
                logs.get("settings").warning(note)
        native = cluster.source.native_sidecars_supported() if cluster and flags.detect_native_sidecars else None
        return cls(settings, native)

    def policy(self) -> InjectPolicy:
        return self._policy

    def normalize(self, pod: dict[str, Any]) -> dict[str, Any]:
        """The pod as Go's corev1.Pod would marshal it: what Istio diffs on both sides."""
        from sidecarctl.kube import normalize_as

        return normalize_as(pod, "v1.Pod")  # type: ignore[no-any-return]

    def inject(self, request: InjectRequest) -> dict[str, Any]:
        from sidecarctl.inject.pipeline import inject_pod

        return inject_pod(request.pod, self.settings, proxy_envs=dict(request.proxy_envs),
                          revision=request.revision, native_sidecars=request.native_sidecars,
                          warn=request.warnings.append, webhook=True)


class _ClusterPieces:
    """The cluster's ConfigMaps as `load_settings` asks for them, for the flags' namespace,
    names and revision. A new one per load: the client caches what it read."""

    def __init__(self, flags: SettingsFlags) -> None:
        from sidecarctl.config.cluster import ClusterSource

        self.flags = flags
        self.source = ClusterSource(kubeconfig=flags.kubeconfig, context=flags.context)
        self.revision = template_revision(flags.revision)

    def inject_template(self) -> str:
        return self.source.inject_template(self.flags.istio_namespace, self.flags.inject_configmap_name, self.revision)

    def inject_values(self) -> str:
        return self.source.inject_values(self.flags.istio_namespace, self.flags.inject_configmap_name, self.revision)

    def mesh_config(self) -> str:
        return self.source.mesh_config(self.flags.istio_namespace, self.flags.mesh_configmap_name, self.revision)


def template_revision(revision: str) -> str:
    """The revision this server injects for; `default` is rendered as no revision, as istioctl does.
    (A server serves its own revision: unlike kube-inject it does not follow the `default` tag.)"""
    return "" if revision == "default" else revision


def native_sidecars_from_env(value: str | None = None) -> bool | None:
    """ENABLE_NATIVE_SIDECARS: `true`/`false`, or None for `auto` (unset): detect from the nodes,
    as Istio's webhook does. Any other value means off, as in Istio."""
    value = os.environ.get("ENABLE_NATIVE_SIDECARS", "auto") if value is None else value
    if value == "auto":
        return None
    return value == "true"
