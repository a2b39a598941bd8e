"""Injection settings read from a Kubernetes cluster, as `istioctl kube-inject` reads them.

This is the only module that talks to a cluster and the only one that imports the official
`kubernetes` client. The import happens inside functions: it costs far more than the rest of the
tool, and most runs (all settings from files, or --offline) never need it.

What is read, and from where (istioctl 1.30 `kubeinject.go`):

* inject config and values: ConfigMap `istio-sidecar-injector` (keys `config`, `values`);
* mesh config: ConfigMap `istio` (key `mesh`);
* both in the Istio namespace (`-i`, default `istio-system`); a revision `r` reads
  `istio-sidecar-injector-r` and `istio-r`, but only when the ConfigMap name is the default one;
* with no `--revision`, the revision the `default` tag points at: the `istio.io/rev` label of the
  MutatingWebhookConfiguration `istio-revision-tag-default`, else the default revision;
* native sidecars in `auto` mode: on when every node's kubelet is 1.33 or newer (Istio's
  `DetectNativeSidecar`), or only the pod's node when it names one that exists.

Methods return the raw texts; parsing belongs to the settings loader. Every failure is a one-line
`ConfigError` that says what to do next.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

from sidecarctl.errors import ConfigError, UsageError
from sidecarctl.golang.duration import parse_duration
from sidecarctl.golang.errors import GoError

DEFAULT_TIMEOUT_SECONDS = 15.0
DEFAULT_ISTIO_NAMESPACE = "istio-system"
DEFAULT_INJECT_CONFIGMAP = "istio-sidecar-injector"
DEFAULT_MESH_CONFIGMAP = "istio"
CONFIG_KEY = "config"
VALUES_KEY = "values"
MESH_KEY = "mesh"

DEFAULT_REVISION = "default"
DEFAULT_TAG_WEBHOOK = "istio-revision-tag-default"
REVISION_LABEL = "istio.io/rev"
TAG_LABEL = "istio.io/tag"

# Kubernetes made native sidecars stable in 1.33; Istio compares the kubelet's minor version only.
NATIVE_SIDECAR_MIN_MINOR = 33

# Which flag gives each piece of settings locally, for the hints in error messages.
FILE_FLAG = {CONFIG_KEY: "--injectConfigFile", VALUES_KEY: "--valuesFile", MESH_KEY: "--meshConfigFile"}
NAME_FLAG = {CONFIG_KEY: "--injectConfigMapName", VALUES_KEY: "--injectConfigMapName", MESH_KEY: "--meshConfigMapName"}

_NODE_PAGE = 500


# --- flag values --------------------------------------------------------------------------------


def parse_timeout(text: str | float | None) -> float | None:
    """`--kubeclient-timeout` in Go duration syntax ("15s", "1m30s", "500ms") -> seconds.

    Empty means the default (15s, as istioctl); zero means no timeout, as in client-go.
    """
    if text is None or text == "":
        return DEFAULT_TIMEOUT_SECONDS
    if isinstance(text, (int, float)):
        return float(text) or None
    seconds = _parse_go_duration(text.strip())
    if seconds is None or seconds < 0:
        raise UsageError(f"invalid --kubeclient-timeout {text!r}: give a duration such as 15s, 500ms or 1m30s")
    return seconds or None


def _parse_go_duration(text: str) -> float | None:
    """time.ParseDuration in seconds; None where Go returns an error."""
    try:
        return parse_duration(text) / 1e9
    except GoError:
        return None


def configmap_name(name: str, default: str, revision: str) -> str:
    """The ConfigMap to read: istioctl appends `-<revision>` to the default name only."""
    if revision and name == default:
        return f"{name}-{revision}"
    return name


# --- native sidecars ----------------------------------------------------------------------------

# hashicorp/go-version's pattern, which Istio uses to read kubelet versions.
_GO_VERSION = (
    r"v?([0-9]+(?:\.[0-9]+)*?)"
    r"(?:-([0-9]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)|(?:-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)))?"
    r"(?:\+([0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?"
)


def kubelet_supports_native_sidecars(version: str) -> bool:
    """Istio's per-node test: the minor version is at least 33 (the major is not looked at)."""
    match = re.fullmatch(_GO_VERSION, version or "")
    if match is None:
        return False
    segments = match.group(1).split(".") + ["0", "0"]
    minor = int(segments[1])
    if minor >= 1 << 63:  # Go's ParseInt would fail, and Istio treats that as unsupported
        return False
    return minor >= NATIVE_SIDECAR_MIN_MINOR


def nodes_support_native_sidecars(nodes: list[dict[str, Any]], node_name: str = "") -> bool:
    """Istio's `DetectNativeSidecar` in auto mode, over Node objects as the API returns them."""
    if node_name:
        for node in nodes:
            if _get(node, "metadata", "name") == node_name:
                return kubelet_supports_native_sidecars(_kubelet_version(node))
        # A pod bound to an unknown node falls through to the cluster-wide check, as in Istio.
    return all(kubelet_supports_native_sidecars(_kubelet_version(n)) for n in nodes)


def _kubelet_version(node: dict[str, Any]) -> str:
    version = _get(node, "status", "nodeInfo", "kubeletVersion")
    return version if isinstance(version, str) else ""


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


# --- kubeconfig ---------------------------------------------------------------------------------


class Target(NamedTuple):
    """Where requests go, for messages: server URL, kubeconfig context and user."""

    server: str
    context: str = ""
    user: str = ""

    def describe(self) -> str:
        where = f"the API server at {self.server}"
        return f"{where} (context {self.context!r})" if self.context else where


def kubeconfig_paths(flag: str | None, environ: Mapping[str, str]) -> list[str]:
    """The kubeconfig files kubectl would read, in merge order.

    `--kubeconfig` names one file that must exist; `KUBECONFIG` lists files (missing ones are
    skipped, as kubectl does); otherwise `~/.kube/config` when it exists.
    """
    if flag:
        path = os.path.expanduser(flag)
        if not os.path.isfile(path):
            raise ConfigError(f"kubeconfig file {flag!r} (--kubeconfig) does not exist")
        return [path]
    listed = environ.get("KUBECONFIG", "")
    if listed:
        paths = [os.path.expanduser(p) for p in listed.split(os.pathsep) if p]
        return _unique([p for p in paths if os.path.isfile(p)])
    home = os.path.expanduser(os.path.join("~", ".kube", "config"))
    return [home] if os.path.isfile(home) else []


def _unique(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _in_cluster(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("KUBERNETES_SERVICE_HOST") and environ.get("KUBERNETES_SERVICE_PORT"))


@contextmanager
def _captured_client_logs() -> Iterator[list[str]]:
    """Collect what the client logs while loading credentials (it logs exec plugin failures
    instead of raising them), so they become one error line rather than stray stderr output."""
    import logging

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    root = logging.getLogger()
    handler = Collect(logging.WARNING)
    root.addHandler(handler)
    try:
        yield messages
    finally:
        root.removeHandler(handler)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _load_kubeconfig(paths: list[str], context: str | None, configuration: Any) -> Target:
    """Merge the files as kubectl does, pick the context, and fill the client configuration."""
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader, KubeConfigMerger

    shown = os.pathsep.join(paths)
    try:
        merger = KubeConfigMerger("")
        for path in paths:
            if _is_blank(path):  # kubectl accepts empty files; the client refuses them
                continue
            merger.load_config(path)
    except Exception as e:  # YAML errors, unreadable files, wrong shapes
        raise ConfigError(f"cannot read kubeconfig {shown}: {_one_line(e)}") from None
    if merger.config is None:
        raise ConfigError(f"kubeconfig {shown} is empty; pass --kubeconfig or set KUBECONFIG")
    name = context or _first_current_context(merger.config_files, paths)
    _check_context(name, merger.config, shown)
    try:
        with _captured_client_logs() as logs:
            loader = KubeConfigLoader(config_dict=merger.config, active_context=name, config_base_path=None)
            loader.load_and_set(configuration)
    except (ConfigException, OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"kubeconfig {shown}, context {name!r}: {_one_line(e)}") from None
    user = _context_user(merger.config, name)
    if logs:  # the client logs credential failures and carries on without credentials
        raise ConfigError(f"kubeconfig {shown}, user {user!r}: {_credential_failure(merger.config, user, logs[0])}")
    if "://" not in (configuration.host or ""):
        # client-go guesses the scheme from the TLS settings; the Python client cannot. Ask instead.
        raise ConfigError(
            f"kubeconfig {shown}, context {name!r}: server {configuration.host!r} has no scheme; "
            f"write it as https://{configuration.host}"
        )
    return Target(server=configuration.host, context=name, user=user)


def _credential_failure(config: Any, user: str, logged: str) -> str:
    exec_config = _get(_named(config, "users", user), "user", "exec")
    if not isinstance(exec_config, dict):
        return f"cannot load the credentials: {_one_line(logged)}"
    hint = exec_config.get("installHint")
    hint_text = f"; {_one_line(hint)}" if hint and "No such file" in logged else ""
    command = exec_config.get("command", "")
    return f"the exec credential plugin {command!r} failed: {_one_line(logged)}{hint_text}"


def _named(config: Any, section: str, name: str) -> Any:
    """The plain dict of entry `name` in a merged kubeconfig section (clusters, users, contexts)."""
    for entry in config.value.get(section) or []:
        value = entry.value if hasattr(entry, "value") else entry
        if _get(value, "name") == name:
            return value
    return None


def _is_blank(path: str) -> bool:
    with open(path, "rb") as f:
        return not f.read().strip()


def _first_current_context(files: dict[str, Any], paths: list[str]) -> str:
    # kubectl takes the first non-empty current-context; the client would take the last one.
    for path in paths:
        doc = files.get(path)
        if isinstance(doc, dict) and doc.get("current-context"):
            return str(doc["current-context"])
    return ""


def _context_names(config: Any) -> list[str]:
    return [str(_get(c.value if hasattr(c, "value") else c, "name")) for c in config.value.get("contexts") or []]


def _check_context(name: str, config: Any, shown: str) -> None:
    names = _context_names(config)
    available = ", ".join(names) or "none"
    if not name:
        raise ConfigError(f"kubeconfig {shown} sets no current-context; pass --context (contexts: {available})")
    if name not in names:
        raise ConfigError(f"context {name!r} not found in kubeconfig {shown} (contexts: {available})")


def _context_user(config: Any, name: str) -> str:
    return str(_get(_named(config, "contexts", name), "context", "user") or "")


def _load_in_cluster(configuration: Any) -> Target:
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import (
        SERVICE_CERT_FILENAME,
        SERVICE_TOKEN_FILENAME,
        InClusterConfigLoader,
    )

    try:
        InClusterConfigLoader(SERVICE_TOKEN_FILENAME, SERVICE_CERT_FILENAME).load_and_set(configuration)
    except (ConfigException, OSError) as e:
        raise ConfigError(f"in-cluster configuration (service account) unusable: {_one_line(e)}") from None
    return Target(server=configuration.host, user="in-cluster service account")


# --- requests -----------------------------------------------------------------------------------


class Request(NamedTuple):
    """One API call, described as RBAC sees it, for error messages."""

    verb: str
    resource: str
    namespace: str = ""
    name: str = ""

    def describe(self) -> str:
        what = f"{self.resource} {self.name!r}" if self.name else self.resource
        where = f" in namespace {self.namespace!r}" if self.namespace else " (cluster-scoped)"
        return f"{self.verb} {what}{where}"


class _NotFound(Exception):
    """HTTP 404; the caller knows which hint to give."""


class ClusterSource:
    """Reads injection settings from the cluster a kubeconfig (or the pod's service account) names.

    The client is built on first use, so constructing this costs nothing. Every request carries the
    timeout; ConfigMaps and the node list are read at most once per instance.
    """

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.kubeconfig = kubeconfig or None
        self.context = context or None
        self.timeout = timeout if timeout and timeout > 0 else None
        self._environ = environ if environ is not None else os.environ
        self._api: Any = None
        self.target: Target | None = None
        self._configmaps: dict[tuple[str, str], dict[str, Any]] = {}
        self._nodes: list[dict[str, Any]] | None = None

    def bind(
        self,
        namespace: str = DEFAULT_ISTIO_NAMESPACE,
        inject_configmap: str = DEFAULT_INJECT_CONFIGMAP,
        mesh_configmap: str = DEFAULT_MESH_CONFIGMAP,
        revision: str = "",
    ) -> ClusterSettings:
        """This cluster's pieces with namespace, ConfigMap names and revision fixed, in the shape
        `sidecarctl.config.load_settings(cluster=...)` asks for."""
        return ClusterSettings(self, namespace, inject_configmap, mesh_configmap, revision)

    # -- revisions --

    def resolve_revision(self, revision: str = "") -> str:
        """The revision to read and render with; "" stands for the default revision.

        As istioctl: an explicit `--revision` is used as given ("default" meaning ""); without one,
        the revision the `default` tag points at, else the default revision.
        """
        if not revision:
            revision = self.default_revision()
        return "" if revision == DEFAULT_REVISION else revision

    def default_revision(self) -> str:
        """The `istio.io/rev` label of webhook `istio-revision-tag-default`, else "default".

        istioctl falls back to "default" whenever it cannot tell (no such webhook, or no right to
        list webhooks), so only an unreachable cluster or rejected credentials stop us here.
        """
        try:
            hooks = self._webhooks_tagged(DEFAULT_REVISION)
        except (_NotFound, _Forbidden):
            return DEFAULT_REVISION
        for hook in hooks:
            if _get(hook, "metadata", "name") == DEFAULT_TAG_WEBHOOK:
                return str(_get(hook, "metadata", "labels", REVISION_LABEL) or "") or DEFAULT_REVISION
        return DEFAULT_REVISION

    def tag_revision(self, tag: str) -> str | None:
        """The revision a revision tag points at, or None when `tag` is not a tag (or unknown)."""
        try:
            hooks = self._webhooks_tagged(tag)
        except (_NotFound, ConfigError):
            return None
        for hook in hooks:
            revision = _get(hook, "metadata", "labels", REVISION_LABEL)
            if revision:
                return str(revision)
        return None

    # -- settings --

    def inject_config(
        self, namespace: str = DEFAULT_ISTIO_NAMESPACE, name: str = DEFAULT_INJECT_CONFIGMAP, revision: str = ""
    ) -> tuple[str, str]:
        """(config, values): keys `config` and `values` of the injector ConfigMap."""
        return (
            self.inject_template(namespace, name, revision),
            self.inject_values(namespace, name, revision),
        )

    def inject_template(
        self, namespace: str = DEFAULT_ISTIO_NAMESPACE, name: str = DEFAULT_INJECT_CONFIGMAP, revision: str = ""
    ) -> str:
        """Key `config` of the injector ConfigMap (for when --valuesFile gives the values)."""
        cm = configmap_name(name, DEFAULT_INJECT_CONFIGMAP, revision)
        return self._key(namespace, cm, CONFIG_KEY, revision)

    def inject_values(
        self, namespace: str = DEFAULT_ISTIO_NAMESPACE, name: str = DEFAULT_INJECT_CONFIGMAP, revision: str = ""
    ) -> str:
        """Key `values` of the injector ConfigMap (for when --injectConfigFile gives the config)."""
        cm = configmap_name(name, DEFAULT_INJECT_CONFIGMAP, revision)
        return self._key(namespace, cm, VALUES_KEY, revision)

    def mesh_config(
        self, namespace: str = DEFAULT_ISTIO_NAMESPACE, name: str = DEFAULT_MESH_CONFIGMAP, revision: str = ""
    ) -> str:
        """Key `mesh` of the mesh ConfigMap."""
        cm = configmap_name(name, DEFAULT_MESH_CONFIGMAP, revision)
        return self._key(namespace, cm, MESH_KEY, revision)

    def native_sidecars_supported(self, node_name: str = "") -> bool:
        """Native sidecars in `auto` mode, decided from the nodes' kubelet versions as Istio does."""
        if self._nodes is None:
            self._nodes = self._list_nodes()
        return nodes_support_native_sidecars(self._nodes, node_name)

    # -- ConfigMaps --

    def _key(self, namespace: str, name: str, key: str, revision: str) -> str:
        data = self._configmap_data(namespace, name, key, revision)
        if key not in data:
            raise ConfigError(
                f"ConfigMap {name!r} in namespace {namespace!r} has no key {key!r}; check --revision and "
                f"{NAME_FLAG[key]}, or give the settings with {FILE_FLAG[key]}"
            )
        text = data[key]
        if not isinstance(text, str):
            raise ConfigError(f"ConfigMap {name!r} in namespace {namespace!r}: key {key!r} is not a string")
        _check_syntax(text, name, namespace, key)
        return text

    def _configmap_data(self, namespace: str, name: str, key: str, revision: str) -> dict[str, Any]:
        cached = self._configmaps.get((namespace, name))
        if cached is not None:
            return cached
        request = Request("get", "configmaps", namespace, name)
        try:
            obj = self._call(request, lambda api, **kw: _core(api).read_namespaced_config_map(name, namespace, **kw))
        except _NotFound:
            raise ConfigError(self._missing_configmap(namespace, name, key, revision)) from None
        except _Forbidden as e:
            raise ConfigError(f"{e}, or give the settings with {FILE_FLAG[key]}") from None
        data = obj.get("data") or {}
        if not isinstance(data, dict):
            raise ConfigError(f"ConfigMap {name!r} in namespace {namespace!r}: malformed data field")
        self._configmaps[(namespace, name)] = data
        return data

    def _missing_configmap(self, namespace: str, name: str, key: str, revision: str) -> str:
        base = f"ConfigMap {name!r} not found in namespace {namespace!r}"
        remedy = f"or give the settings with {FILE_FLAG[key]}"
        if revision:
            target = self.tag_revision(revision)
            if target and target != revision:
                tag = f"{revision!r} is a revision tag for revision {target!r}"
                return f"{base}: {tag}; pass --revision {target}, {remedy}"
            return f"{base}: is revision {revision!r} installed in that namespace? Check --revision and -i, {remedy}"
        return (
            f"{base}; if Istio is installed with a revision pass --revision <revision>, "
            f"if in another namespace pass -i <namespace>, {remedy}"
        )

    # -- other reads --

    def _webhooks_tagged(self, tag: str) -> list[dict[str, Any]]:
        request = Request("list", "mutatingwebhookconfigurations")
        selector = f"{TAG_LABEL}={tag}"
        obj = self._call(
            request,
            lambda api, **kw: _admission(api).list_mutating_webhook_configuration(label_selector=selector, **kw),
        )
        items = obj.get("items") or []
        return [i for i in items if isinstance(i, dict)]

    def _list_nodes(self) -> list[dict[str, Any]]:
        request = Request("list", "nodes")
        nodes: list[dict[str, Any]] = []
        token = ""
        while True:
            page = self._call_nodes(request, token)
            nodes.extend(n for n in page.get("items") or [] if isinstance(n, dict))
            token = str(_get(page, "metadata", "continue") or "")
            if not token:
                return nodes

    def _call_nodes(self, request: Request, token: str) -> dict[str, Any]:
        def list_page(api: Any, **kw: Any) -> Any:
            if token:
                kw["_continue"] = token
            return _core(api).list_node(limit=_NODE_PAGE, **kw)

        try:
            return self._call(request, list_page)
        except _NotFound:
            return {}
        except _Forbidden as e:
            raise ConfigError(
                f"{e}, or set ENABLE_NATIVE_SIDECARS=true or false to skip detecting native sidecar support"
            ) from None

    # -- workloads (sidecarctl check) --

    def list_pods(self, namespace: str = "") -> list[dict[str, Any]]:
        """Every pod of a namespace ("" = all namespaces), as the API returns them (paged)."""
        request = Request("list", "pods", namespace)

        def page(api: Any, token: str, **kw: Any) -> Any:
            if namespace:
                return _core(api).list_namespaced_pod(namespace, **_paging(token), **kw)
            return _core(api).list_pod_for_all_namespaces(**_paging(token), **kw)

        return self._list_all(request, page)

    def list_namespaces(self) -> list[dict[str, Any]]:
        """Every namespace (for their istio-injection / istio.io/rev labels)."""
        return self._list_all(
            Request("list", "namespaces"), lambda api, token, **kw: _core(api).list_namespace(**_paging(token), **kw)
        )

    def _list_all(self, request: Request, page: Callable[..., Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            try:
                answer = self._call(request, lambda api, **kw: page(api, token, **kw))  # noqa: B023 - called at once
            except _NotFound:
                return items
            items.extend(i for i in answer.get("items") or [] if isinstance(i, dict))
            token = str(_get(answer, "metadata", "continue") or "")
            if not token:
                return items

    # -- transport --

    def _client(self) -> Any:
        if self._api is None:
            self._api = self._build_client()
        return self._api

    def _build_client(self) -> Any:
        from kubernetes.client import ApiClient, Configuration

        configuration = Configuration()
        paths = kubeconfig_paths(self.kubeconfig, self._environ)
        if paths:
            self.target = _load_kubeconfig(paths, self.context, configuration)
        elif _in_cluster(self._environ):
            self.target = _load_in_cluster(configuration)
        else:
            raise ConfigError(
                "no cluster to read settings from: no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) "
                "and not running in a pod; give all of --injectConfigFile, --valuesFile and --meshConfigFile, "
                "or use --offline"
            )
        _trim_tokens(configuration)
        # One attempt per request: the timeout is the user's bound on waiting for the cluster.
        configuration.retries = 0
        return ApiClient(configuration)

    def _call(self, request: Request, fn: Callable[..., Any]) -> dict[str, Any]:
        """Run one API call and return the decoded JSON object, or raise a one-line error."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        api = self._client()
        try:
            with warnings.catch_warnings():
                # insecure-skip-tls-verify is the user's explicit choice; kubectl does not nag either
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                response = fn(api, _preload_content=False, _request_timeout=self.timeout)
                body = response.data
        except ApiException as e:
            raise self._api_error(request, e) from None
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise ConfigError(self._unreachable(e)) from None
        except ValueError as e:  # e.g. a header value http.client refuses
            where = self._target().describe()
            raise ConfigError(f"cannot send {request.describe()} to {where}: {_one_line(e)}") from None
        try:
            obj = json.loads(body)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            where = self._target().describe()
            raise ConfigError(f"{where} answered {request.describe()} with something that is not a JSON object")
        return obj

    def _target(self) -> Target:
        return self.target or Target(server="?")

    def _api_error(self, request: Request, e: Any) -> Exception:
        status = int(e.status or 0)
        detail = _status_message(e.body) or _one_line(e.reason or "")
        target = self._target()
        if status == 0:
            return ConfigError(self._unreachable(e))
        if status == 401:
            who = f" of user {target.user!r}" if target.user else ""
            return ConfigError(
                f"unauthorized (HTTP 401): {target.describe()} rejected the credentials{who} to {request.describe()}; "
                "log in again or fix the user's token/certificate in your kubeconfig"
            )
        if status == 403:
            return _Forbidden(
                f"forbidden (HTTP 403): not allowed to {request.describe()} on {target.describe()}"
                + (f" ({detail})" if detail else "")
                + f"; ask for RBAC permission to {request.verb} {request.resource}"
                + (f" in namespace {request.namespace!r}" if request.namespace else "")
            )
        if status == 404:
            return _NotFound()
        return ConfigError(
            f"{target.describe()} answered HTTP {status} to {request.describe()}" + (f": {detail}" if detail else "")
        )

    def _unreachable(self, e: Any) -> str:
        target = self._target()
        reason = _transport_reason(e)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
            return (
                f"cannot verify the TLS certificate of {target.describe()}: {reason}; check the cluster's "
                "certificate-authority in your kubeconfig"
            )
        if "timed out" in reason.lower() or "timeout" in reason.lower():
            limit = f"within {self.timeout:g}s" if self.timeout else "in time"
            return (
                f"cluster unreachable: {target.describe()} did not answer {limit}; "
                "check the network or --context, or raise --kubeclient-timeout"
            )
        return f"cluster unreachable: cannot connect to {target.describe()}: {reason}; check --kubeconfig and --context"


class ClusterSettings(NamedTuple):
    """Zero-argument readers over one cluster, namespace and revision (see `ClusterSource.bind`)."""

    source: ClusterSource
    namespace: str
    inject_configmap: str
    mesh_configmap: str
    revision: str

    def inject_template(self) -> str:
        return self.source.inject_template(self.namespace, self.inject_configmap, self.revision)

    def inject_values(self) -> str:
        return self.source.inject_values(self.namespace, self.inject_configmap, self.revision)

    def mesh_config(self) -> str:
        return self.source.mesh_config(self.namespace, self.mesh_configmap, self.revision)

    def describe(self, piece: str) -> str:
        """Where a piece comes from, for messages: `ConfigMap istio-system/istio key mesh`."""
        default, flag_name = (
            (DEFAULT_MESH_CONFIGMAP, self.mesh_configmap) if piece == MESH_KEY
            else (DEFAULT_INJECT_CONFIGMAP, self.inject_configmap)
        )  # fmt: skip
        return f"ConfigMap {self.namespace}/{configmap_name(flag_name, default, self.revision)} key {piece}"


class _Forbidden(ConfigError):
    """HTTP 403, already worded; some callers add a remedy or fall back."""


def _trim_tokens(configuration: Any) -> None:
    """Strip whitespace around bearer tokens, as client-go does for token files; the Python client
    would send a token file's trailing newline, which is not a valid header value."""
    refresh = configuration.refresh_api_key_hook

    def trim(conf: Any) -> None:
        if refresh is not None:
            refresh(conf)
        for key, value in list(conf.api_key.items()):
            if isinstance(value, str):
                conf.api_key[key] = value.strip()

    # The client calls this hook before every request, so tokens are trimmed each time they are set.
    configuration.refresh_api_key_hook = trim


def _status_message(body: Any) -> str:
    """The `message` of a Kubernetes Status object, on one line."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        obj = json.loads(body) if body else None
    except ValueError:
        return ""
    message = obj.get("message") if isinstance(obj, dict) else None
    return _one_line(message) if message else ""


def _transport_reason(e: Any) -> str:
    """The innermost useful cause of a transport failure, on one line."""
    reason = getattr(e, "reason", None)
    if reason is not None and reason is not e and not isinstance(reason, str):
        return _transport_reason(reason)
    text = _one_line(reason if isinstance(reason, str) else e)
    for marker in ("Connection refused", "Name or service not known", "No route to host", "timed out"):
        if marker in text:
            return marker.lower() if marker != "timed out" else "timed out"
    return text[:300]


def _paging(token: str) -> dict[str, Any]:
    return {"limit": _NODE_PAGE, **({"_continue": token} if token else {})}


def _core(api: Any) -> Any:
    from kubernetes.client import CoreV1Api

    return CoreV1Api(api)


def _admission(api: Any) -> Any:
    from kubernetes.client import AdmissionregistrationV1Api

    return AdmissionregistrationV1Api(api)


# --- data checks --------------------------------------------------------------------------------


def _check_syntax(text: str, name: str, namespace: str, key: str) -> None:
    """Refuse data that is not a YAML (or JSON) mapping, naming the ConfigMap and key.

    Only syntax and the top-level shape are checked here; the settings loader validates content.
    Empty data is left to the loader too: istioctl accepts it (mesh and values default).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        raise ConfigError(
            f"ConfigMap {name!r} in namespace {namespace!r}, key {key!r}: malformed YAML{_yaml_position(e)}: "
            f"{_one_line(getattr(e, 'problem', None) or e)}"
        ) from None
    if doc is not None and not isinstance(doc, dict):
        raise ConfigError(
            f"ConfigMap {name!r} in namespace {namespace!r}, key {key!r}: expected a mapping, "
            f"found {type(doc).__name__}"
        )


def _yaml_position(e: Any) -> str:
    mark = getattr(e, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
