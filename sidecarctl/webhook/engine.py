"""The seam between the webhook and the injection engine (`sidecarctl.config`, `sidecarctl.inject`).

The webhook needs two things from the engine: settings loaded from the same flags as kube-inject,
and Istio's `injectPod` without its last step (the pod after templates, container overrides and
post-processing; the webhook diffs it itself). Everything the server does goes through the
`Injector` protocol, so the server is tested with a stand-in and the conformance tests with this.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sidecarctl.webhook.decision import InjectPolicy


class EngineUnavailable(RuntimeError):
    """The injection engine does not (yet) provide what the webhook calls."""


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

    def files(self) -> list[str]:
        return [f for f in (self.inject_config_file, self.values_file, self.mesh_config_file,
                            self.operator_file) if f]

    @property
    def from_cluster(self) -> bool:
        """Settings come (partly) from ConfigMaps unless every piece is a file or --offline."""
        return not self.offline and not (self.inject_config_file and self.values_file and self.mesh_config_file)


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


def _call(func: Callable[..., Any], values: Mapping[str, Any]) -> Any:
    """Call `func` with the values its signature names (engine signatures are keyword-based)."""
    params = inspect.signature(func).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return func(**values)
    return func(**{k: v for k, v in values.items() if k in params})


def _field(obj: Any, *names: str, default: Any = None) -> Any:
    """Attribute or key, the first of several spellings that is present."""
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


class EngineInjector:
    """The real engine behind the `Injector` protocol."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        config = _field(settings, "inject_config", "config", default=settings)
        self._policy = InjectPolicy(
            policy=str(_field(config, "policy", default="") or ""),
            never_inject_selector=tuple(_field(config, "never_inject_selector", "neverInjectSelector") or ()),
            always_inject_selector=tuple(_field(config, "always_inject_selector", "alwaysInjectSelector") or ()),
        )

    @classmethod
    def load(cls, flags: SettingsFlags) -> EngineInjector:
        try:
            config = importlib.import_module("sidecarctl.config")
            load_settings = config.load_settings
        except (ImportError, AttributeError) as e:
            raise EngineUnavailable(f"sidecarctl.config.load_settings is not available: {e}") from None
        values = dict(vars(flags))
        values.update(inject_file=flags.inject_config_file, mesh_file=flags.mesh_config_file,
                      operator_file_name=flags.operator_file, namespace=flags.istio_namespace)
        return cls(_call(load_settings, values))

    def policy(self) -> InjectPolicy:
        return self._policy

    def inject(self, request: InjectRequest) -> dict[str, Any]:
        func = _engine_inject_pod()
        return _call(func, {"pod": request.pod, "settings": self.settings, "proxy_envs": request.proxy_envs,
                            "revision": request.revision, "native_sidecars": request.native_sidecars,
                            "native_sidecar": request.native_sidecars, "warnings": request.warnings,
                            "warn": request.warnings.append, "webhook": True})


def _engine_inject_pod() -> Callable[..., dict[str, Any]]:
    try:
        pipeline = importlib.import_module("sidecarctl.inject.pipeline")
    except ImportError as e:
        raise EngineUnavailable(f"sidecarctl.inject.pipeline is not available: {e}") from None
    func = getattr(pipeline, "inject_pod", None)
    if func is None:
        raise EngineUnavailable("sidecarctl.inject.pipeline has no inject_pod (Istio's injectPod before createPatch)")
    return func  # type: ignore[no-any-return]


def native_sidecars_from_env(value: str | None = None) -> bool:
    """ENABLE_NATIVE_SIDECARS as kube-inject reads it: only `true` turns them on without a cluster."""
    value = os.environ.get("ENABLE_NATIVE_SIDECARS", "auto") if value is None else value
    return value == "true"
