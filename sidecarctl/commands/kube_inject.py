"""`sidecarctl kube-inject`: istioctl kube-inject's flags over the injection pipeline.

The command reads the input, loads the settings, runs `sidecarctl.inject.pipeline` over the whole
stream, and only then writes: stdout, or `-o` through a temporary file renamed into place, so a
failure never leaves half a stream behind nor truncates the input when `-o` names it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import click

from sidecarctl.errors import InputError, UsageError

NATIVE_SIDECARS_ENV = "ENABLE_NATIVE_SIDECARS"


@dataclass(frozen=True)
class SettingsSource:
    """Where settings come from: files, built-in defaults, and (later) a cluster."""

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

    def needs_cluster(self) -> bool:
        """istioctl asks the cluster for any piece not given as a file (an IstioOperator may give
        the mesh config and values)."""
        if self.offline:
            return False
        has_mesh_and_values = (self.mesh_config_file and self.values_file) or self.operator_file
        return not (self.inject_config_file and has_mesh_and_values)


@click.command("kube-inject", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-f", "--filename", "filename", metavar="FILE", help="Input Kubernetes resource filename ('-' for stdin).")
@click.option("-o", "--output", "output", metavar="FILE", help="Modified output Kubernetes resource filename.")
@click.option("--injectConfigFile", "inject_config_file", metavar="FILE", help="Injection configuration filename.")
@click.option("--meshConfigFile", "mesh_config_file", metavar="FILE", help="Mesh configuration filename.")
@click.option("--valuesFile", "values_file", metavar="FILE", help="Injection values configuration filename.")
@click.option("--operatorFileName", "operator_file", metavar="FILE",
              help="IstioOperator file; its values and meshConfig override the files above.")
@click.option("-r", "--revision", default="", help="Control plane revision.")
@click.option("-i", "--istioNamespace", "istio_namespace", default="istio-system", show_default=True,
              help="Istio system namespace.")
@click.option("-c", "--kubeconfig", default=None, help="Kubernetes configuration file.")
@click.option("--context", default=None, help="Kubernetes configuration context.")
@click.option("--meshConfigMapName", "mesh_configmap", default="istio", show_default=True,
              help="ConfigMap name for the mesh configuration (key 'mesh').")
@click.option("--injectConfigMapName", "inject_configmap", default="istio-sidecar-injector", show_default=True,
              help="ConfigMap name for sidecar injection (key 'config').")
@click.option("--webhookConfig", "webhook_config", default="istio-sidecar-injector", show_default=True,
              help="MutatingWebhookConfiguration name for Istio.")
@click.option("--kubeclient-timeout", "kubeclient_timeout", default="15s", show_default=True,
              help="Timeout of each request to the cluster (Go duration; 0 for none).")
@click.option("--offline", is_flag=True, help="Use the built-in defaults for any settings file not given.")
@click.option("--native-sidecars/--no-native-sidecars", "native_sidecars", default=None,
              help="Inject istio-proxy as a native sidecar (default: ENABLE_NATIVE_SIDECARS=true).")
def kube_inject(filename: str | None, output: str | None, native_sidecars: bool | None, **flags: Any) -> None:
    """Inject the Istio sidecar into Kubernetes workloads, byte for byte as istioctl kube-inject."""
    if not filename:
        raise UsageError("filename not specified (see --filename or -f)")
    source = SettingsSource(**flags)
    text = read_input(filename)
    cluster = open_cluster(source) if source.needs_cluster() else None
    revision = cluster.resolve_revision(source.revision) if cluster else _revision(source.revision)
    settings = load_settings(source, revision, cluster)
    result = run(text, filename, settings, _native_sidecars(native_sidecars, cluster), revision)
    write_output(result, output)


def run(text: str, filename: str, settings: Any, native_sidecars: bool, revision: str) -> str:
    """The injected stream; warnings go to stderr after the run, as istioctl prints them."""
    from sidecarctl.inject.pipeline import KubeInject

    injector = KubeInject(settings=settings, native_sidecars=native_sidecars, revision=revision,
                          log=lambda line: click.echo(line, err=True))
    try:
        return injector.inject_stream(text, source=filename)
    finally:
        if injector.warnings:
            sys.stderr.write("\n" + "".join(w + "\n" for w in injector.warnings))
            sys.stderr.flush()


def open_cluster(source: SettingsSource) -> Any:
    """The cluster that provides the settings not given as files (kubernetes is imported only here)."""
    from sidecarctl.config.cluster import ClusterSource, parse_timeout

    return ClusterSource(kubeconfig=source.kubeconfig, context=source.context,
                         timeout=parse_timeout(source.kubeclient_timeout))


def load_settings(source: SettingsSource, revision: str, cluster: Any = None) -> Any:
    """Files first; the pieces not given come from the cluster's ConfigMaps, or with --offline
    from the built-in defaults."""
    from sidecarctl.config import load_settings as load

    bound = None
    if cluster is not None:
        bound = cluster.bind(source.istio_namespace, source.inject_configmap, source.mesh_configmap, revision)
    return load(inject_config_file=source.inject_config_file, values_file=source.values_file,
                mesh_config_file=source.mesh_config_file, operator_file=source.operator_file,
                offline=source.offline, revision=revision, cluster=bound)


def read_input(filename: str) -> str:
    from sidecarctl.limits import read_bounded

    try:
        if filename == "-":
            if sys.stdin is None:  # started with stdin closed (`<&-`)
                raise InputError("open -: stdin is closed")
            data = read_bounded(sys.stdin.buffer, filename)
        else:
            with open(filename, "rb") as handle:
                data = read_bounded(handle, filename)
    except OSError as err:
        raise InputError(f"open {filename}: {err.strerror or err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(f"{filename}:{line}:{column}: not UTF-8 text (byte {err.start})") from None


def write_output(text: str, output: str | None) -> None:
    if not output:
        # Bytes, not text: the output is UTF-8 whatever the locale says.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    write_atomically(output, text)


def write_atomically(path: str, text: str) -> None:
    """Write a sibling temporary file and rename it over path: all or nothing, input never truncated.

    A symlink is followed, so the file it points to is replaced and the link kept.
    """
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    mode = _target_mode(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=".sidecarctl-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as err:
        _remove_quietly(temp)
        raise InputError(f"write {path}: {err.strerror or err}") from None
    except BaseException:
        _remove_quietly(temp)
        raise


def _target_mode(path: str) -> int:
    """Keep an existing file's permissions; a new file gets 0666 less the umask, as os.Create."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _native_sidecars(flag: bool | None, cluster: Any = None) -> bool:
    """Explicit flag, else ENABLE_NATIVE_SIDECARS: `true` enables them; `auto` (the default) asks
    the cluster's nodes when a cluster is in use and means off without one; anything else is off."""
    if flag is not None:
        return flag
    mode = os.environ.get(NATIVE_SIDECARS_ENV, "auto")
    if mode == "auto" and cluster is not None:
        return bool(cluster.native_sidecars_supported())
    return mode == "true"


def _revision(revision: str) -> str:
    """istioctl renders the `default` revision as no revision."""
    return "" if revision == "default" else revision
