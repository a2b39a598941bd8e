"""`sidecarctl krm-fn`: kube-inject as a kpt/kustomize KRM function, or a kustomize exec plugin.

Without an argument (a KRM function, as kpt and `kustomize --enable-exec` run it): reads a
`config.kubernetes.io/v1` ResourceList on stdin, injects every item of `items` (other kinds pass
through untouched), and writes the ResourceList on stdout with its `functionConfig` kept and a
`results` entry per skipped workload (severity info) or failure (severity error, exit 1, items
left as they came).

With CONFIG (a kustomize exec plugin, as `kubectl kustomize --enable-alpha-plugins` runs one:
the plugin's config file as the only argument, the resources as a YAML stream on stdin): writes
the resources back as a YAML stream, injected, kustomize's annotations kept; a skipped workload
is a line on stderr, a failure a one-line error and exit 1 (kustomize then stops and shows it).

A function runs hermetically: it never contacts a cluster; settings missing from the
functionConfig come from the built-in defaults (as `--offline`).

functionConfig: a ConfigMap whose `data` (or any kind whose `spec`, or top level) holds
    injectConfigFile, meshConfigFile, valuesFile, operatorFileName   paths to settings files
    config, values, mesh                                            the same settings inline
    revision, nativeSidecars ("true"/"false"), istioVersion (as --istio-version: "1.28", ...)
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from sidecarctl.errors import InputError, SidecarError
from sidecarctl.workflow.progname import ProgramCommand

RESOURCE_LIST = ("config.kubernetes.io/v1", "ResourceList")
FILE_KEYS = {
    "injectConfigFile": "inject_config_file",
    "meshConfigFile": "mesh_config_file",
    "valuesFile": "values_file",
    "operatorFileName": "operator_file",
}
INLINE_KEYS = {"config": "inject_config_file", "mesh": "mesh_config_file", "values": "values_file"}
KNOWN_KEYS = (*FILE_KEYS, *INLINE_KEYS, "revision", "nativeSidecars", "istioVersion")


@click.command("krm-fn", cls=ProgramCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("config", required=False, type=click.Path(dir_okay=False))
def krm_fn(config: str | None) -> None:
    """Run as a KRM function (ResourceList on stdin, injected ResourceList on stdout), or with
    CONFIG as a kustomize exec plugin (resources on stdin, injected resources on stdout)."""
    from sidecarctl.errors import UsageError
    from sidecarctl.workflow.inputs import read_stdin
    from sidecarctl.yamlio import dump_yaml

    if sys.stdin is not None and sys.stdin.isatty():
        raise UsageError("krm-fn reads resources on stdin (run by kustomize or kpt)")
    if config is not None:
        exec_plugin(config, read_stdin(sys.stdin))
        return
    resource_list = read_resource_list(read_stdin(sys.stdin))
    failed = process(resource_list)
    sys.stdout.buffer.write(dump_yaml(resource_list).encode("utf-8"))
    sys.stdout.buffer.flush()
    if failed:
        sys.exit(1)


def exec_plugin(config_path: str, text: str) -> None:
    """kustomize's exec plugin protocol: resources in and out as a YAML stream."""
    from sidecarctl.yamlio import YamlError, dump_yaml, load_document, split_documents

    try:
        with open(config_path, encoding="utf-8") as handle:
            function_config = load_document(handle.read())
    except OSError as err:
        raise InputError(f"{config_path}: {err.strerror or err} (the plugin's config file)") from None
    except (YamlError, UnicodeDecodeError) as err:
        raise InputError(f"{config_path}: {err} (the plugin's config file)") from None
    try:
        items = [item for item in (load_document(doc) for doc in split_documents(text)) if item is not None]
    except YamlError as err:
        raise InputError(f"stdin: {err}") from None
    injected, outcomes = inject_items(items, function_settings(function_config))
    for _item, outcome in outcomes:
        if not outcome.injected:
            click.echo(f"{outcome.kind.lower()}/{outcome.name}: sidecar injection skipped: {outcome.reason}", err=True)
    sys.stdout.buffer.write("---\n".join(dump_yaml(item) for item in injected).encode("utf-8"))
    sys.stdout.buffer.flush()


def read_resource_list(text: str) -> dict[str, Any]:
    from sidecarctl.yamlio import YamlError, load_document

    try:
        value = load_document(text)
    except YamlError as err:
        raise InputError(f"stdin: {err}") from None
    if not isinstance(value, dict) or (value.get("apiVersion"), value.get("kind")) != RESOURCE_LIST:
        raise InputError("stdin: expected a config.kubernetes.io/v1 ResourceList")
    if not isinstance(value.get("items") or [], list):
        raise InputError("stdin: ResourceList items must be a list")
    return value


def process(resource_list: dict[str, Any]) -> bool:
    """Inject the items in place and add results; True when an error result was added."""
    items = resource_list.get("items") or []
    results = list(resource_list.get("results") or [])
    try:
        injected, outcomes = inject_items(items, function_settings(resource_list.get("functionConfig")))
    except SidecarError as err:
        results.append({"message": str(err), "severity": "error"})
        resource_list["results"] = results
        return True
    resource_list["items"] = injected
    results.extend(skip_result(item, outcome) for item, outcome in outcomes if not outcome.injected)
    if results:
        resource_list["results"] = results
    return False


def inject_items(items: list[Any], config: dict[str, Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Every item through kube-inject (one document each); (items, [(item, outcome)])."""
    from sidecarctl.inject.pipeline import KubeInject
    from sidecarctl.workflow import settings as settings_mod
    from sidecarctl.yamlio import dump_yaml, load_document

    with settings_source(config) as source:
        resolved = settings_mod.resolve(source, _native(config))
    injector = KubeInject(
        settings=resolved.settings,
        native_sidecars=resolved.native_sidecars,
        revision=resolved.revision,
        log=lambda line: click.echo(line, err=True),
    )
    out: list[Any] = []
    outcomes: list[Any] = []
    for index, item in enumerate(items):
        start = len(injector.results)
        ((_, document),) = injector.inject_documents(dump_yaml(item), source=f"items[{index}]")
        is_workload = len(injector.results) > start
        out.append(load_document(document[: -len("---\n")]) if is_workload else item)
        outcomes.extend((item, outcome) for outcome in injector.results[start:])
    return out, outcomes


def skip_result(item: dict[str, Any], outcome: Any) -> dict[str, Any]:
    meta = item.get("metadata") or {}
    ref = {"apiVersion": item.get("apiVersion") or "", "kind": outcome.kind, "name": outcome.name}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return {"message": f"sidecar injection skipped: {outcome.reason}", "severity": "info", "resourceRef": ref}


def function_settings(function_config: Any) -> dict[str, Any]:
    """The settings mapping of a functionConfig: ConfigMap data, a spec, or the top level."""
    if not isinstance(function_config, dict):
        return {}
    for key in ("data", "spec"):
        if isinstance(function_config.get(key), dict):
            return dict(function_config[key])
    return {key: value for key, value in function_config.items() if key not in ("apiVersion", "kind", "metadata")}


@contextmanager
def settings_source(config: dict[str, Any]) -> Iterator[Any]:
    """A SettingsSource (offline) for the functionConfig; inline settings go through temporary files."""
    from sidecarctl.errors import ConfigError
    from sidecarctl.workflow.settings import SettingsSource

    for key in config:  # a misspelt key would silently give the default release or settings
        if key not in KNOWN_KEYS:
            raise ConfigError(f"functionConfig: unknown key {str(key)!r}; the keys are {', '.join(KNOWN_KEYS)}")
    files: dict[str, str | None] = {field: _text(config.get(key)) for key, field in FILE_KEYS.items()}
    with tempfile.TemporaryDirectory(prefix="sidecarctl-krm-") as folder:
        for key, field in INLINE_KEYS.items():
            if config.get(key) is not None:
                files[field] = _inline_file(folder, key, config[key])
        yield SettingsSource(
            **files,
            offline=True,
            revision=_text(config.get("revision")) or "",
            istio_namespace="istio-system",
            kubeconfig=None,
            context=None,
            mesh_configmap="istio",
            inject_configmap="istio-sidecar-injector",
            webhook_config="istio-sidecar-injector",
            kubeclient_timeout="15s",
            istio_version=_istio_version(config),
        )


def _inline_file(folder: str, key: str, value: Any) -> str:
    from sidecarctl.yamlio import dump_yaml

    path = os.path.join(folder, f"{key}.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(value if isinstance(value, str) else dump_yaml(value))
    return path


def _istio_version(config: dict[str, Any]) -> str | None:
    """istioVersion as text; an unquoted number that lost its trailing zero (YAML reads 1.30 as 1.3)
    is refused with the fix, rather than reported as the unsupported Istio 1.3."""
    from sidecarctl.errors import ConfigError
    from sidecarctl.releases import release

    value = config.get("istioVersion")
    if isinstance(value, float):
        try:
            release(str(value))
        except ConfigError:
            raise ConfigError(
                f"functionConfig istioVersion: {value} was read as a YAML number (1.30 reads as 1.3); "
                'quote it, e.g. istioVersion: "1.30"'
            ) from None
    return _text(value)


def _native(config: dict[str, Any]) -> bool | None:
    from sidecarctl.errors import ConfigError

    value = config.get("nativeSidecars")
    if value is None:
        return None
    text = str(value).lower()
    if text not in ("true", "false"):  # a typo must not turn native sidecars off unsaid
        raise ConfigError(
            f"functionConfig nativeSidecars: {value!r} is not true or false; "
            "give one, or leave it out for ENABLE_NATIVE_SIDECARS"
        )
    return text == "true"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
