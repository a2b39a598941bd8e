"""`sidecarctl webhook`: run the admission webhook, print what installs it, print what removes it."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import click

from sidecarctl.commands import template_options as template_opts
from sidecarctl.config.cluster import DEFAULT_INJECT_CONFIGMAP, DEFAULT_MESH_CONFIGMAP
from sidecarctl.errors import ConfigError, SidecarError, UsageError
from sidecarctl.webhook.manifests import DEFAULT_NAME
from sidecarctl.workflow.settings import istio_version_option


@click.group("webhook")
def webhook_group() -> None:
    """Run or install the automatic-injection admission webhook."""


def _settings_options(func: Any) -> Any:
    """The settings flags of `kube-inject`, under the same names."""
    options = [
        click.option(
            "--injectConfigFile",
            "inject_config_file",
            type=click.Path(dir_okay=False),
            help="Injector config file (ConfigMap istio-sidecar-injector, key config).",
        ),
        click.option(
            "--valuesFile",
            "values_file",
            type=click.Path(dir_okay=False),
            help="Helm values file (ConfigMap istio-sidecar-injector, key values).",
        ),
        click.option(
            "--meshConfigFile",
            "mesh_config_file",
            type=click.Path(dir_okay=False),
            help="Mesh config file (ConfigMap istio, key mesh).",
        ),
        click.option(
            "--operatorFileName",
            "operator_file",
            type=click.Path(dir_okay=False),
            help="An IstioOperator whose values and meshConfig override the files.",
        ),
        click.option("--offline", is_flag=True, help="Built-in defaults for every piece not given as a file."),
        click.option("-r", "--revision", default="", help="Control plane revision."),
        click.option(
            "-i",
            "--istioNamespace",
            "istio_namespace",
            default="istio-system",
            show_default=True,
            help="Namespace of the settings ConfigMaps.",
        ),
        click.option("-c", "--kubeconfig", default=None, help="Kubeconfig file (in-cluster config when absent)."),
        click.option("--context", default=None, help="Kubeconfig context."),
        click.option(
            "--injectConfigMapName",
            "inject_configmap_name",
            default="istio-sidecar-injector",
            show_default=True,
            help="ConfigMap with the injector config and values.",
        ),
        click.option(
            "--meshConfigMapName",
            "mesh_configmap_name",
            default="istio",
            show_default=True,
            help="ConfigMap with the mesh config.",
        ),
        click.option(
            "--native-sidecars/--no-native-sidecars",
            "native_sidecars",
            default=None,
            help="Inject istio-proxy as a native sidecar; default from ENABLE_NATIVE_SIDECARS.",
        ),
        istio_version_option(envvar=None),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@webhook_group.command("serve")
@click.option("--port", default=9443, show_default=True, type=click.IntRange(0, 65535), help="HTTPS port.")
@click.option("--address", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option(
    "--tls-cert-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Server certificate (PEM), reloaded when it changes.",
)
@click.option(
    "--tls-key-file", required=True, type=click.Path(dir_okay=False), help="Server key (PEM), reloaded when it changes."
)
@click.option(
    "--max-body-bytes",
    default=6 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest request accepted (413 beyond).",
)
@click.option(
    "--request-timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Each review's deadline in seconds, from its arrival; keep it below the webhook's timeoutSeconds (10). Past it the render is stopped and the pod refused.",
)
@click.option(
    "--reload-interval",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds between checks of certificate and settings files.",
)
@click.option(
    "--shutdown-timeout",
    default=15.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds in-flight requests get on SIGTERM.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Render processes kept ready (one per core).",
)
@click.option(
    "--max-workers",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Render processes at most, forked while all are busy.",
)
@click.option(
    "--cache-entries",
    default=1024,
    show_default=True,
    type=click.IntRange(0),
    help="Answers remembered by pod content (pods of one ReplicaSet are identical); 0 disables.",
)
@click.option(
    "--header-timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds for the TLS handshake, and for a request head to arrive.",
)
@click.option(
    "--idle-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Open connections at most; more are closed at accept.",
)
@click.option(
    "--max-header-bytes",
    default=16 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Longest request line or header line.",
)
@click.option(
    "--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"])
)
@_settings_options
@template_opts.template_options
def serve(
    port: int,
    address: str,
    tls_cert_file: str,
    tls_key_file: str,
    max_body_bytes: int,
    request_timeout: float,
    reload_interval: float,
    shutdown_timeout: float,
    workers: int,
    max_workers: int,
    cache_entries: int,
    header_timeout: float,
    idle_timeout: float,
    max_connections: int,
    max_header_bytes: int,
    log_level: str,
    native_sidecars: bool | None,
    **settings: Any,
) -> None:
    """Serve /inject (AdmissionReview v1 and v1beta1) over HTTPS, with /healthz, /readyz, /metrics."""
    from sidecarctl.webhook import logs
    from sidecarctl.webhook.engine import EngineInjector, SettingsFlags, native_sidecars_from_env, template_revision
    from sidecarctl.webhook.reload import SettingsReloader
    from sidecarctl.webhook.server import ServerConfig, WebhookServer
    from sidecarctl.webhook.server import serve as run

    # the template limits and denied functions for every review (each opens its own budget)
    click.get_current_context().with_resource(
        template_opts.template_safety(**template_opts.pick(settings), scope=False)
    )
    logs.setup(log_level)
    native = native_sidecars_from_env() if native_sidecars is None else native_sidecars
    flags = SettingsFlags(**settings)
    if native is None:  # auto: Istio asks the nodes; without a cluster that means off
        native = None if flags.from_cluster else False
        flags = SettingsFlags(**settings, detect_native_sidecars=native is None)
    config = ServerConfig(
        host=address,
        port=port,
        cert_file=tls_cert_file,
        key_file=tls_key_file,
        max_body_bytes=max_body_bytes,
        request_timeout=request_timeout,
        reload_interval=reload_interval,
        shutdown_timeout=shutdown_timeout,
        workers=workers,
        max_workers=max_workers,
        cache_entries=cache_entries,
        header_timeout=header_timeout,
        idle_timeout=idle_timeout,
        max_connections=max_connections,
        max_header_bytes=max_header_bytes,
        revision=template_revision(flags.revision),
        native_sidecars=native,
    )
    reloader = _load_settings(flags, EngineInjector.load, SettingsReloader)
    try:
        server = WebhookServer(config, reloader)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"cannot load the TLS certificate {tls_cert_file} / key {tls_key_file}: {e}") from None
    try:
        asyncio.run(run(server))
    except OSError as e:
        raise ConfigError(f"cannot listen on {address}:{port}: {e.strerror or e}") from None
    except KeyboardInterrupt:
        pass


def _load_settings(flags: Any, loader: Any, reloader_cls: Any) -> Any:
    try:
        return reloader_cls(flags, loader)
    except SidecarError:
        raise
    except Exception as e:  # the engine's own errors, shown as one line
        raise ConfigError(f"cannot load injection settings: {e}") from None


@webhook_group.command("manifests")
@click.option(
    "--image",
    required=True,
    help="The sidecarctl image you built and pushed (see docs/webhook.md, Building the image).",
)
@click.option(
    "--ca-bundle-file",
    type=click.Path(dir_okay=False),
    help="PEM CA bundle the API server uses to verify the webhook's certificate (not with --cert-manager).",
)
@click.option(
    "--cert-manager",
    is_flag=True,
    help="Have cert-manager issue and rotate the serving certificate and fill in the CA bundle.",
)
@click.option(
    "--cert-manager-issuer",
    default="",
    metavar="KIND/NAME",
    help="With --cert-manager: sign with this Issuer or ClusterIssuer instead of a CA of the install's own.",
)
@click.option(
    "--name",
    "base_name",
    default=DEFAULT_NAME,
    show_default=True,
    help="Name of every object (with -<revision> appended); Istio's names only if you give them here.",
)
@click.option(
    "-i",
    "--istioNamespace",
    "namespace",
    default="istio-system",
    show_default=True,
    help="Namespace to run the webhook in (where the settings ConfigMaps are).",
)
@click.option(
    "-r",
    "--revision",
    default="",
    help="Select namespaces labelled istio.io/rev=REV instead of istio-injection=enabled.",
)
@click.option(
    "--injectConfigMapName",
    "inject_configmap",
    default=DEFAULT_INJECT_CONFIGMAP,
    show_default=True,
    help="ConfigMap with the injector config and values.",
)
@click.option(
    "--meshConfigMapName",
    "mesh_configmap",
    default=DEFAULT_MESH_CONFIGMAP,
    show_default=True,
    help="ConfigMap with the mesh config.",
)
@click.option("--replicas", default=2, show_default=True, type=click.IntRange(1))
@click.option("--failure-policy", default="Fail", show_default=True, type=click.Choice(["Fail", "Ignore"]))
@click.option(
    "--native-sidecars/--no-native-sidecars",
    default=None,
    help="Inject istio-proxy as a Kubernetes native sidecar (default: when every node's kubelet is 1.33+).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="The webhook injects with the built-in settings of --istio-version instead of the ConfigMaps.",
)
@istio_version_option(envvar=None)
def manifests(
    image: str,
    ca_bundle_file: str | None,
    cert_manager: bool,
    cert_manager_issuer: str,
    base_name: str,
    namespace: str,
    revision: str,
    inject_configmap: str,
    mesh_configmap: str,
    replicas: int,
    failure_policy: str,
    native_sidecars: bool | None,
    offline: bool,
    istio_version: str | None,
) -> None:
    """Print what runs the webhook: ServiceAccount, RBAC, Service, Deployment, PodDisruptionBudget, the
    MutatingWebhookConfiguration, and with --cert-manager its Issuers and Certificates (YAML)."""
    from sidecarctl.releases import newest, release
    from sidecarctl.webhook.manifests import InstallOptions, install_manifests, render

    if cert_manager and ca_bundle_file:
        raise UsageError("--ca-bundle-file and --cert-manager exclude each other: cert-manager fills in the CA bundle")
    ca = _read_ca_bundle(ca_bundle_file) if ca_bundle_file else b""
    version = release(istio_version).name if istio_version else ""  # an unsupported release fails here
    if offline and not version:
        # Pin the release the printed Deployment injects as: built-in settings must not move every
        # proxy to a newer Istio when a later sidecarctl image is rolled out under the same manifests.
        version = newest().name
    opts = InstallOptions(
        image=image,
        ca_bundle=ca,
        namespace=namespace,
        revision=revision,
        base_name=base_name,
        replicas=replicas,
        failure_policy=failure_policy,
        native_sidecars=native_sidecars,
        cert_manager=cert_manager,
        issuer=cert_manager_issuer,
        inject_configmap=inject_configmap,
        mesh_configmap=mesh_configmap,
        offline=offline,
        istio_version=version,
    )
    click.echo(render(install_manifests(opts)), nl=False)


def _read_ca_bundle(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f"cannot read --ca-bundle-file {path}: {e.strerror or e}") from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise UsageError(f"--ca-bundle-file {path} holds no PEM certificate")
    return data


@webhook_group.command("uninstall")
@click.option("--name", "base_name", default=DEFAULT_NAME, show_default=True, help="The --name given to `manifests`.")
@click.option("-i", "--istioNamespace", "namespace", default="istio-system", show_default=True)
@click.option("-r", "--revision", default="")
@click.option(
    "--cert-manager", is_flag=True, help="Also delete the Certificates and Issuers (`manifests --cert-manager`)."
)
def uninstall(base_name: str, namespace: str, revision: str, cert_manager: bool) -> None:
    """Print the kubectl commands that delete what `webhook manifests` created, selected by its labels."""
    from sidecarctl.webhook.manifests import uninstall_commands

    for command in uninstall_commands(namespace, revision, base_name, cert_manager):
        click.echo(command)
