"""The injection-settings flags (istioctl's names) and where settings come from, for every command
that renders sidecars (kube-inject, check, krm-fn).

Each settings flag also reads a `SIDECARCTL_*` environment variable, for callers that pass the same
arguments to every invocation (a Helm post-renderer): SIDECARCTL_INJECT_CONFIG_FILE,
SIDECARCTL_MESH_CONFIG_FILE, SIDECARCTL_VALUES_FILE, SIDECARCTL_OPERATOR_FILE, SIDECARCTL_OFFLINE,
SIDECARCTL_REVISION, SIDECARCTL_ISTIO_NAMESPACE, SIDECARCTL_KUBECONFIG, SIDECARCTL_CONTEXT,
SIDECARCTL_ISTIO_VERSION.
A flag on the command line wins over its variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
ENV_PREFIX = "SIDECARCTL_"
NATIVE_SIDECARS_ENV = "ENABLE_NATIVE_SIDECARS"


# Records on every run's startup path are NamedTuples or plain classes: a dataclass costs ~0.3 ms
# (frozen ~0.5 ms) to generate at import time, and a run imports a few dozen.
class SettingsSource(NamedTuple):
    """Where settings come from: files, built-in defaults, and a cluster."""

    inject_config_file: str | None
    mesh_config_file: str | None
    values_file: str | None
    operator_file: str | None
    offline: bool
    revision: str
    istio_namespace: str
    kubeconfig: str | None
    context: str | None
    mesh_configmap: str
    inject_configmap: str
    webhook_config: str
    kubeclient_timeout: str
    istio_version: str | None = None  # the Istio release (1.28, ...): built-in settings and Go behaviour

    def needs_cluster(self) -> bool:
        """istioctl asks the cluster for any piece not given as a file (an IstioOperator may give
        the mesh config and values)."""
        if self.offline:
            return False
        has_mesh_and_values = (self.mesh_config_file and self.values_file) or self.operator_file
        return not (self.inject_config_file and has_mesh_and_values)


SETTINGS_FIELDS = SettingsSource._fields


def _env(name: str) -> dict[str, Any]:
    """The option's environment variable, shown in --help."""
    return {"envvar": ENV_PREFIX + name, "show_envvar": True}


def settings_options(func: F) -> F:
    """istioctl's settings flags; the callback receives them as keyword arguments named after
    SettingsSource's fields (build it with `SettingsSource(**pick(kwargs))`)."""
    options = [
        click.option(
            "--injectConfigFile",
            "inject_config_file",
            metavar="FILE",
            **_env("INJECT_CONFIG_FILE"),
            help="Injection configuration filename.",
        ),
        click.option(
            "--meshConfigFile",
            "mesh_config_file",
            metavar="FILE",
            **_env("MESH_CONFIG_FILE"),
            help="Mesh configuration filename.",
        ),
        click.option(
            "--valuesFile",
            "values_file",
            metavar="FILE",
            **_env("VALUES_FILE"),
            help="Injection values configuration filename.",
        ),
        click.option(
            "--operatorFileName",
            "operator_file",
            metavar="FILE",
            **_env("OPERATOR_FILE"),
            help="IstioOperator file; its values and meshConfig override the files above.",
        ),
        click.option("-r", "--revision", default="", **_env("REVISION"), help="Control plane revision."),
        click.option(
            "-i",
            "--istioNamespace",
            "istio_namespace",
            default="istio-system",
            show_default=True,
            **_env("ISTIO_NAMESPACE"),
            help="Istio system namespace.",
        ),
        click.option("-c", "--kubeconfig", default=None, **_env("KUBECONFIG"), help="Kubernetes configuration file."),
        click.option("--context", default=None, **_env("CONTEXT"), help="Kubernetes configuration context."),
        click.option(
            "--meshConfigMapName",
            "mesh_configmap",
            default="istio",
            show_default=True,
            help="ConfigMap name for the mesh configuration (key 'mesh').",
        ),
        click.option(
            "--injectConfigMapName",
            "inject_configmap",
            default="istio-sidecar-injector",
            show_default=True,
            help="ConfigMap name for sidecar injection (key 'config').",
        ),
        click.option(
            "--webhookConfig",
            "webhook_config",
            default="istio-sidecar-injector",
            show_default=True,
            help="MutatingWebhookConfiguration name for Istio.",
        ),
        click.option(
            "--kubeclient-timeout",
            "kubeclient_timeout",
            default="15s",
            show_default=True,
            help="Timeout of each request to the cluster (Go duration; 0 for none).",
        ),
        click.option(
            "--offline",
            is_flag=True,
            **_env("OFFLINE"),
            help="Use the built-in defaults for any settings file not given.",
        ),
        istio_version_option(),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def istio_version_option(envvar: str | None = ENV_PREFIX + "ISTIO_VERSION") -> Any:
    """--istio-version: the Istio release to inject as (its built-in settings with --offline, and its
    Go behaviour); default the newest for built-in settings, else the release the settings are for."""
    from sidecarctl.releases import names

    return click.option(
        "--istio-version",
        "istio_version",
        default=None,
        metavar="X.Y",
        envvar=envvar,
        show_envvar=envvar is not None,
        shell_complete=_complete_release,
        callback=_check_release,
        help=f"Istio release to inject as ({names()}; default: the newest, or the "
        "release the settings files or cluster are for).",
    )


def _check_release(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An unsupported release is refused before anything is read, naming where it came from (the
    flag, or its environment variable)."""
    from click.core import ParameterSource

    from sidecarctl.errors import ConfigError
    from sidecarctl.releases import release

    if value is None:
        return None
    try:
        release(value)
    except ConfigError as err:
        envvar = param.envvar if isinstance(param.envvar, str) else None
        if envvar and ctx.get_parameter_source(param.name or "") is ParameterSource.ENVIRONMENT:
            raise ConfigError(f"{envvar}{str(err).removeprefix('--istio-version')}") from None
        raise
    return value


def _complete_release(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The supported releases by minor, for shell (and `kubectl sidecar`) completion."""
    from sidecarctl.releases import supported

    return [r.name for r in supported() if r.name.startswith(incomplete)]


def pick(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The settings flags out of a callback's keyword arguments (removed from kwargs)."""
    return {name: kwargs.pop(name) for name in SETTINGS_FIELDS}


def open_cluster(source: SettingsSource) -> Any:
    """The cluster that provides the settings not given as files (kubernetes is imported only here)."""
    from sidecarctl.config.cluster import ClusterSource, parse_timeout

    return ClusterSource(
        kubeconfig=source.kubeconfig, context=source.context, timeout=parse_timeout(source.kubeclient_timeout)
    )


def load_settings(source: SettingsSource, revision: str, cluster: Any = None) -> Any:
    """Files first; the pieces not given come from the cluster's ConfigMaps, or with --offline
    from the built-in defaults."""
    from sidecarctl.config import load_settings as load

    bound = None
    if cluster is not None:
        bound = cluster.bind(source.istio_namespace, source.inject_configmap, source.mesh_configmap, revision)
    settings = load(
        inject_config_file=source.inject_config_file,
        values_file=source.values_file,
        mesh_config_file=source.mesh_config_file,
        operator_file=source.operator_file,
        offline=source.offline,
        revision=revision,
        cluster=bound,
        istio_version=source.istio_version,
    )
    for note in settings.notes:  # e.g. the Istio release of the settings cannot be told
        click.echo(note, err=True)
    return settings


class Resolved(NamedTuple):
    settings: Any
    revision: str
    native_sidecars: bool


def resolve(source: SettingsSource, native_sidecars: bool | None) -> Resolved:
    """Settings, revision and native-sidecar mode, asking the cluster only when files are missing."""
    cluster = open_cluster(source) if source.needs_cluster() else None
    revision = cluster.resolve_revision(source.revision) if cluster else revision_name(source.revision)
    settings = load_settings(source, revision, cluster)
    return Resolved(settings, revision, native_sidecars_mode(native_sidecars, cluster))


def native_sidecars_mode(flag: bool | None, cluster: Any = None) -> bool:
    """Explicit flag, else ENABLE_NATIVE_SIDECARS: `true` enables them; `auto` (the default) asks
    the cluster's nodes when a cluster is in use and means off without one; anything else is off."""
    if flag is not None:
        return flag
    mode = os.environ.get(NATIVE_SIDECARS_ENV, "auto")
    if mode == "auto" and cluster is not None:
        return bool(cluster.native_sidecars_supported())
    return mode == "true"


def revision_name(revision: str) -> str:
    """istioctl renders the `default` revision as no revision."""
    return "" if revision == "default" else revision
