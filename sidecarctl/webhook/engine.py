"""The seam between the webhook and the injection engine (`sidecarctl.config`, `sidecarctl.inject`).

The webhook needs two things from the engine: settings loaded from the same flags as kube-inject,
and Istio's `injectPod` without its last step (the pod after templates, container overrides and
post-processing; the webhook diffs it itself). Everything the server does goes through the
`Injector` protocol, so the server is tested with a stand-in and the conformance tests with this.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from sidecarctl.errors import ConfigError
from sidecarctl.webhook.decision import InjectPolicy

# Template functions whose result is not a function of the pod and the settings (Sprig's random,
# clock and key-generating functions, and getHostByName: DNS, one address picked at random):
# settings whose templates call one are never answered from the result cache, so each pod gets its
# own draw, as from Istio.
_NOT_DETERMINISTIC = re.compile(
    r"\b(?:rand\w*|uuidv4|now|date\w*|ago|gen\w+|bcrypt|htpasswd|shuffle|"
    r"encryptAES|derivePassword|getHostByName)\b"
)


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
        return [f for f in (self.inject_config_file, self.values_file, self.mesh_config_file, self.operator_file) if f]

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
        check_usable(settings)
        self.settings = settings
        self.native_sidecars = native_sidecars  # what the cluster's nodes support, when detected
        from sidecarctl.inject.pipeline import settings_mesh_facts

        # what post-processing reads of the mesh config: the same for every pod, derived once
        self._mesh_facts = settings_mesh_facts(settings)
        config = settings.inject_config
        # the same pod and path give the same answer: the server may answer repeats from its cache
        self.deterministic = not any(_NOT_DETERMINISTIC.search(t) for t in config.raw_templates.values())
        self._policy = InjectPolicy(
            policy=config.policy,
            never_inject_selector=tuple(config.never_inject_selector or ()),
            always_inject_selector=tuple(config.always_inject_selector or ()),
        )

    @classmethod
    def load(cls, flags: SettingsFlags) -> EngineInjector:
        from sidecarctl.config import load_settings

        cluster = _ClusterPieces(flags) if flags.from_cluster or flags.detect_native_sidecars else None
        settings = load_settings(
            inject_config_file=flags.inject_config_file,
            values_file=flags.values_file,
            mesh_config_file=flags.mesh_config_file,
            operator_file=flags.operator_file,
            offline=flags.offline,
            revision=template_revision(flags.revision),
            cluster=cluster if flags.from_cluster else None,
            istio_version=flags.istio_version,
        )
        native = cluster.source.native_sidecars_supported() if cluster and flags.detect_native_sidecars else None
        injector = cls(settings, native)
        injector.check_injects(template_revision(flags.revision))
        if settings.notes:  # e.g. the Istio release of the settings cannot be told
            from sidecarctl.webhook import logs

            # only for settings that will serve: settings refused are one line, the refusal's
            for note in settings.notes:
                logs.get("settings").warning(note)
        return injector

    def check_injects(self, revision: str = "") -> None:
        """Inject a plain pod once: settings whose every piece parses may still fail every pod (empty
        values, a mesh config the templates cannot use); a webhook serving them would deny every pod."""
        pod = self.normalize(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "settings-check", "namespace": "default"},
                "spec": {"containers": [{"name": "app", "image": "app"}]},
            }
        )
        try:
            self.inject(InjectRequest(pod, {}, revision, bool(self.native_sidecars)))
        except Exception as err:
            sources = ", ".join(getattr(self.settings, "sources", {}).values()) or "the settings"
            raise ConfigError(
                f"{sources}: these settings fail to inject a plain pod: {err}; fix the values, mesh config or templates"
            ) from None

    def policy(self) -> InjectPolicy:
        return self._policy

    def normalize(self, pod: dict[str, Any]) -> dict[str, Any]:
        """The pod as Go's corev1.Pod would marshal it: what Istio diffs on both sides."""
        from sidecarctl.kube import normalize_as

        return normalize_as(pod, "v1.Pod")

    def inject(self, request: InjectRequest) -> dict[str, Any]:
        from sidecarctl.inject.pipeline import inject_pod

        return inject_pod(
            request.pod,
            self.settings,
            proxy_envs=dict(request.proxy_envs),
            revision=request.revision,
            native_sidecars=request.native_sidecars,
            warn=request.warnings.append,
            webhook=True,
            facts=self._mesh_facts,
        )


def check_usable(settings: Any) -> None:
    """Refuse settings that load but inject no pod, or fail every pod: the webhook fails closed.

    kube-inject takes an inject config that is not one (not YAML, empty, no `templates`) as one bare
    template, as istioctl does; Istio's webhook refuses it, and so does this one. A `policy` other than
    `enabled`/`disabled` makes Istio's webhook admit every pod uninjected (it logs "Illegal value"),
    and a default template the config lacks fails every pod: both are refused up front here."""
    config = settings.inject_config
    source = getattr(settings, "sources", {}).get("config", "the injector config")
    fix = "give the `config` key of ConfigMap istio-sidecar-injector (policy, templates)"
    if config.bare:
        text = next(iter(config.raw_templates.values()), "")
        if not text.strip():
            raise ConfigError(f"{source}: the injector config is empty; {fix}")
        from sidecarctl.config.yamltext import YamlTextError, load_yaml

        try:
            load_yaml(text)
        except YamlTextError as err:
            raise ConfigError(f"{source}: the injector config is not valid YAML: {err}; {fix}") from None
        raise ConfigError(
            f"{source}: not an injector config: no `templates` map of template name to template text; {fix}"
        )
    if config.policy not in ("enabled", "disabled"):
        raise ConfigError(
            f"{source}: policy {config.policy!r} is neither `enabled` nor `disabled` "
            "(Istio would admit every pod uninjected); set `policy: enabled` or `policy: disabled`"
        )
    aliases = config.aliases or {}
    for name in config.default_templates:
        for template in aliases.get(name, [name]):
            if template not in config.templates:
                have = ", ".join(sorted(config.templates))
                raise ConfigError(
                    f"{source}: defaultTemplates names template {template!r}, which the config "
                    f"does not define (have {have}); add it under `templates` or fix defaultTemplates"
                )


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
