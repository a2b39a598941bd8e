"""Undoing kube-inject: the workload as it was before injection, as far as the pod records it.

Istio records some of what it added and some of what it replaced; the rest follows from how its
default `sidecar` template behaves. What is undone, and how it is known:

* containers, init containers, volumes and image pull secrets named in `sidecar.istio.io/status`
  are removed; a container the user had under one of those names (an `istio-proxy` override, or
  an app container a custom template changed) comes back from `proxy.istio.io/overrides`;
* app probes and HTTP/TCP lifecycle hooks pointed at the agent come back from the sidecar's
  `ISTIO_KUBE_APP_PROBERS` (named ports: by the container port's name, when one has that number);
* Prometheus annotations: the originals from the sidecar's `ISTIO_PROMETHEUS_ANNOTATIONS`; when
  that is absent, injection's own trio (agent port, `/stats/prometheus`, `true`) is removed;
* the status, overrides and `istio.io/rev` annotations;
* labels and annotations the template derives from the pod when the user did not set them
  (`security.istio.io/tlsMode`, `service.istio.io/canonical-*`, `kubectl.kubernetes.io/default-*`,
  the CNI annotations): removed only when their value is exactly what the template would derive,
  because a value the user set and the derived one cannot be told apart. A user label equal to
  the derived value is therefore removed too (see docs/uninject.md).

Init container user changes (`-u`, runAsUser) live in containers that are removed anyway.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from sidecarctl import kube, yamlio
from sidecarctl.inject import probes, strip

PROXY = "istio-proxy"
VALIDATION = "istio-validation"
REVISION_ANNOTATION = "istio.io/rev"
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
DEFAULT_LOGS_CONTAINER = "kubectl.kubernetes.io/default-logs-container"
PROMETHEUS_ENV = "ISTIO_PROMETHEUS_ANNOTATIONS"
MULTUS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
MULTUS_ISTIO_NETWORK = "default/istio-cni"
AGENT_METRICS_PATH = "/stats/prometheus"
AUTO_IMAGE = "auto"

TLS_MODE_LABEL = "security.istio.io/tlsMode"
CANONICAL_NAME_LABEL = "service.istio.io/canonical-name"
CANONICAL_REVISION_LABEL = "service.istio.io/canonical-revision"

# Annotations the sidecar template writes with CNI, from the pod's own value or a default: when
# the CNI validation container was injected they are taken as injection's.
CNI_ANNOTATIONS = (
    "sidecar.istio.io/interceptionMode",
    "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    "traffic.sidecar.istio.io/includeInboundPorts",
    "traffic.sidecar.istio.io/excludeInboundPorts",
    "traffic.sidecar.istio.io/includeOutboundPorts",
    "traffic.sidecar.istio.io/excludeOutboundPorts",
)


@dataclass
class Undone:
    """What uninjection did to one pod, for messages and tests."""

    injected: bool = False
    removed: list[str] = field(default_factory=list)
    revision: str = ""  # the status annotation's ("" for the default revision)
    native_sidecar: bool = False  # istio-proxy was an init container


def uninject_pod(pod: dict[str, Any], workload_name: str = "") -> Undone:
    """Remove what injection added to a typed pod (metadata and spec), in place."""
    metadata = pod.setdefault("metadata", {})
    annotations = metadata.get("annotations") or {}
    status = strip.injection_status(annotations)
    if status is None:
        return Undone()
    spec = pod.setdefault("spec", {})
    sidecar_env = _env(_find(spec, PROXY))
    overrides = _overrides(annotations)
    revision = status.get("revision") or ""
    undone = Undone(
        injected=True,
        revision="" if revision == "default" else revision,
        native_sidecar=PROXY in (status.get("initContainers") or []),
    )
    _restore_containers(spec, status, overrides, undone)
    _remove_named(spec, "volumes", status.get("volumes"), undone)
    _remove_named(spec, "imagePullSecrets", status.get("imagePullSecrets"), undone)
    _restore_probes(spec, sidecar_env.get(probes.KUBE_APP_PROBERS_ENV))
    _restore_prometheus(annotations, sidecar_env.get(PROMETHEUS_ENV))
    _remove_annotations(annotations, spec, status)
    _remove_labels(metadata.get("labels") or {}, workload_name)
    if VALIDATION in (status.get("initContainers") or []):
        _remove_cni_annotations(annotations)
    _tidy(metadata, spec)
    return undone


# --- containers ---------------------------------------------------------------------------------


def _restore_containers(
    spec: dict[str, Any], status: dict[str, Any], overrides: dict[str, list[Any]], undone: Undone
) -> None:
    """Drop every recorded container; the user's own version of one (its override) goes back where
    the injected one is, except `istio-proxy`, which users write last in `containers`."""
    saved = {c.get("name"): c for key in ("containers", "initContainers") for c in overrides.get(key) or []}
    proxy_override = None
    for name in [*(status.get("initContainers") or []), *(status.get("containers") or [])]:
        user = saved.pop(name, None)
        if user is not None and name == PROXY:
            proxy_override = user
            user = None
        for key in ("initContainers", "containers"):
            spec[key], placed = _replace(spec.get(key), name, user)
            user = None if placed else user  # the user's container goes back once
        undone.removed.append(f"container {name}")
    if proxy_override is not None:
        spec["containers"] = list(spec.get("containers") or []) + [proxy_override]


def _replace(containers: list[Any] | None, name: str, user: dict[str, Any] | None) -> tuple[list[Any], bool]:
    """The containers without `name`, the user's version (if any) in the first one's place; and
    whether it was placed."""
    out = []
    placed = False
    for container in containers or []:
        if isinstance(container, dict) and container.get("name") == name:
            if user is not None and not placed:
                out.append(user)
                placed = True
            continue
        out.append(container)
    return out, placed


def _overrides(annotations: dict[str, str]) -> dict[str, list[Any]]:
    """The user's containers saved by injection; `image: auto` was dropped from them, so an
    istio-* container without an image gets it back (Kubernetes requires an image)."""
    from sidecarctl.errors import InjectionError

    try:
        parsed = strip._parse_overrides(annotations)  # one parser for every direction
    except InjectionError:  # a malformed annotation: nothing to restore from
        return {}
    out: dict[str, list[Any]] = {}
    for key, items in parsed.items():
        restored = []
        for container in items:
            container = copy.deepcopy(container)
            if str(container.get("name", "")).startswith("istio-") and not container.get("image"):
                container["image"] = AUTO_IMAGE
            restored.append(container)
        out[key] = restored
    return out


def _remove_named(spec: dict[str, Any], key: str, names: list[str] | None, undone: Undone) -> None:
    if not names or not isinstance(spec.get(key), list):
        return
    wanted = set(names)
    spec[key] = [item for item in spec[key] if not (isinstance(item, dict) and item.get("name") in wanted)]
    undone.removed.extend(f"{key} {name}" for name in names)


def _find(spec: dict[str, Any], name: str) -> dict[str, Any] | None:
    return strip.find_container(name, spec.get("containers")) or strip.find_container(name, spec.get("initContainers"))


def _env(container: dict[str, Any] | None) -> dict[str | None, str]:
    return {
        var.get("name"): var.get("value") or "" for var in (container or {}).get("env") or [] if isinstance(var, dict)
    }


# --- probes -------------------------------------------------------------------------------------


def _restore_probes(spec: dict[str, Any], probers_json: str | None) -> None:
    """Put back every probe and hook the agent took over (the originals are in the sidecar's env)."""
    probers = _json_object(probers_json)
    if not probers:
        return
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                _restore_container_probes(container, probers)


def _restore_container_probes(container: dict[str, Any], probers: dict[str, Any]) -> None:
    urls = probes.prober_urls(container.get("name") or "")
    ports = {
        p.get("containerPort"): p.get("name")
        for p in container.get("ports") or []
        if isinstance(p, dict) and p.get("name")
    }
    for field_name, _ in probes._PROBES:
        _restore_one(container, field_name, probers.get(urls[field_name]), urls[field_name], ports)
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook, _ in probes._HOOKS:
            _restore_one(lifecycle, hook, probers.get(urls[hook]), urls[hook], ports)


def _restore_one(holder: dict[str, Any], key: str, prober: Any, url: str, ports: dict[Any, Any]) -> None:
    probe = holder.get(key)
    if not isinstance(probe, dict) or not isinstance(prober, dict):
        return
    if (probe.get("httpGet") or {}).get("path") != url:
        return  # not one injection rewrote
    probe.pop("httpGet", None)
    for action in ("httpGet", "tcpSocket", "grpc"):
        if isinstance(prober.get(action), dict):
            original = dict(prober[action])
            if action != "grpc" and isinstance(original.get("port"), int) and original["port"] in ports:
                original["port"] = ports[original["port"]]  # Istio resolved the port's name
            probe[action] = original
            return


# --- metadata -----------------------------------------------------------------------------------


def _restore_prometheus(annotations: dict[str, str], saved_json: str | None) -> None:
    """Istio's Prometheus merge replaced the scrape annotations; it saved the originals (when there
    were any) in the sidecar's env, under the canonical `prometheus.io/` spellings."""
    saved = _json_object(saved_json)
    if saved:
        strip.clear_prometheus_annotations(annotations)
        for key in ("scrape", "path", "port"):
            if saved.get(key):
                annotations[f"prometheus.io/{key}"] = str(saved[key])
        return
    # Injection's trio points at the agent: its port is the mesh's status port, which a pod's
    # proxy config may change, so the path and scrape flag identify it.
    found = {
        strip.sanitize_label_name(k): v
        for k, v in annotations.items()
        if strip.sanitize_label_name(k) in strip.PROMETHEUS_KEYS
    }
    if (
        found.get("prometheus_io_path") == AGENT_METRICS_PATH
        and found.get("prometheus_io_scrape") == "true"
        and (found.get("prometheus_io_port") or "").isdigit()
    ):
        strip.clear_prometheus_annotations(annotations)


def _remove_annotations(annotations: dict[str, str], spec: dict[str, Any], status: dict[str, Any]) -> None:
    annotations.pop(strip.STATUS_ANNOTATION, None)
    annotations.pop(strip.OVERRIDES_ANNOTATION, None)
    if annotations.get(REVISION_ANNOTATION) == (status.get("revision") or "default"):
        del annotations[REVISION_ANNOTATION]
    first = _first_app_container(spec)
    for key in (DEFAULT_CONTAINER, DEFAULT_LOGS_CONTAINER):
        if first is not None and annotations.get(key) == first:
            del annotations[key]


def _first_app_container(spec: dict[str, Any]) -> str | None:
    for container in spec.get("containers") or []:
        if isinstance(container, dict) and container.get("name") != PROXY:
            return str(container.get("name") or "")
    return None


def _remove_labels(labels: dict[str, str], workload_name: str) -> None:
    """The sidecar template's labels, when their value is what it derives without a user label."""
    if labels.get(TLS_MODE_LABEL) == "istio":
        del labels[TLS_MODE_LABEL]
    if labels.get(CANONICAL_NAME_LABEL) == canonical_name(labels, workload_name):
        del labels[CANONICAL_NAME_LABEL]
    if labels.get(CANONICAL_REVISION_LABEL) == canonical_revision(labels):
        del labels[CANONICAL_REVISION_LABEL]


def canonical_name(labels: dict[str, str], workload_name: str) -> str:
    """The template's `app.kubernetes.io/name | app | workload name`, trunc 63, trimSuffix "-"."""
    from sidecarctl.gotemplate.sprig.strings import trunc

    name = labels.get("app.kubernetes.io/name") or labels.get("app") or workload_name
    name = trunc(63, name)
    return name[:-1] if name.endswith("-") else name


def canonical_revision(labels: dict[str, str]) -> str:
    return labels.get("app.kubernetes.io/version") or labels.get("version") or "latest"


def _remove_cni_annotations(annotations: dict[str, str]) -> None:
    for key in CNI_ANNOTATIONS:
        annotations.pop(key, None)
    networks = annotations.get(MULTUS_ANNOTATION)
    if networks is not None:
        remaining = _without_istio_network(networks)
        if remaining:
            annotations[MULTUS_ANNOTATION] = remaining
        else:
            del annotations[MULTUS_ANNOTATION]


def _without_istio_network(networks: str) -> str:
    """Istio's appendMultusNetwork, undone: its `default/istio-cni` entry (list or JSON form) out."""
    text = networks.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            return networks
        kept = [
            i
            for i in items
            if not (isinstance(i, dict) and i.get("name") == "istio-cni" and i.get("namespace", "default") == "default")
        ]
        return json.dumps(kept, separators=(",", ":")) if kept else ""
    parts = [p.strip() for p in networks.split(",")]
    return ", ".join(p for p in parts if p and p != MULTUS_ISTIO_NETWORK)


def _tidy(metadata: dict[str, Any], spec: dict[str, Any]) -> None:
    """Empty maps and lists as absent, as the user's manifest most likely had them."""
    for key in ("annotations", "labels"):
        if not metadata.get(key):
            metadata.pop(key, None)
    for key in ("initContainers", "volumes", "imagePullSecrets"):
        if not spec.get(key):
            spec.pop(key, None)


def _json_object(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- what the templates add (with settings) ------------------------------------------------------

# Keys of the template's pod spec that the status annotation already accounts for.
_RECORDED_SPEC_KEYS = frozenset({"containers", "initContainers", "volumes", "imagePullSecrets"})


def subtract_templates(pod: dict[str, Any], settings: Any, template: Any, undone: Undone) -> None:
    """Take away what the injection templates add that no annotation records: labels, annotations
    and pod spec fields (a custom template's annotations, the gateway template's sysctls).

    The templates are rendered over the uninjected pod. A label or annotation they write with the
    pod's own value is removed only when they write the same value without it (a constant of the
    template, not a copy of the user's); spec fields are removed where they equal the template's.
    Nothing is removed when the templates cannot be rendered (the structural result stands).
    """
    rendered = _render_templates(pod, settings, template, undone)
    if rendered is None:
        return
    metadata = pod.setdefault("metadata", {})
    added = {key: (rendered.get("metadata") or {}).get(key) or {} for key in ("labels", "annotations")}
    same = {key: [k for k, v in added[key].items() if (metadata.get(key) or {}).get(k) == v] for key in added}
    if any(same.values()):
        bare = copy.deepcopy(pod)
        for key, names in same.items():
            for name in names:
                bare["metadata"][key].pop(name, None)
        constant = _render_templates(bare, settings, template, undone)
        for key, names in same.items():
            written = ((constant or {}).get("metadata") or {}).get(key) or {}
            for name in names:
                if written.get(name) == added[key][name]:
                    metadata[key].pop(name, None)
    _remove_injected_annotations(metadata, settings)
    spec = pod.setdefault("spec", {})
    for key, value in (rendered.get("spec") or {}).items():
        if key not in _RECORDED_SPEC_KEYS and value not in (None, {}, []):
            _subtract(spec, key, value)
    _tidy(metadata, spec)


def _render_templates(pod: dict[str, Any], settings: Any, template: Any, undone: Undone) -> dict[str, Any] | None:
    """The templates' output alone (Istio's templatePod) for this pod, or None when it fails."""
    from sidecarctl.errors import SidecarError
    from sidecarctl.inject import render

    config = settings.inject_config
    params = render.InjectionParams(
        pod=copy.deepcopy(pod),
        type_meta=template.type_meta,
        deploy_meta=template.deploy_meta,
        settings=settings,
        native_sidecars=undone.native_sidecar,
        proxy_envs={},
        revision=undone.revision,
        default_templates=config.default_templates,
        aliases=config.aliases,
    )
    try:
        _, rendered = render.run_template(params)
    except SidecarError:
        return None
    return rendered if isinstance(rendered, dict) else None


def _remove_injected_annotations(metadata: dict[str, Any], settings: Any) -> None:
    """The webhook adds the config's injectedAnnotations as they are."""
    annotations = metadata.get("annotations") or {}
    for key, value in (getattr(settings.inject_config, "injected_annotations", None) or {}).items():
        if annotations.get(key) == value:
            del annotations[key]


def _subtract(parent: dict[str, Any], key: str, added: Any) -> None:
    """Remove `added` from parent[key]: equal values go, maps recursively, list items that equal one
    of the added items; what becomes empty goes too."""
    current = parent.get(key)
    if current == added:
        del parent[key]
    elif isinstance(current, dict) and isinstance(added, dict):
        for name, value in added.items():
            if name in current:
                _subtract(current, name, value)
        if not current:
            del parent[key]
    elif isinstance(current, list) and isinstance(added, list):
        remaining = [item for item in current if item not in added]
        if remaining:
            parent[key] = remaining
        else:
            del parent[key]


# --- manifests ----------------------------------------------------------------------------------


def uninject_stream(text: str, source: str = "-", settings: Any = None) -> str:
    """Every document uninjected (kinds kube-inject injects; others written back as they came).

    Nothing is returned unless every document succeeded; an error names the source and document.
    """
    from sidecarctl.errors import InputError, SidecarError

    out = []
    for index, raw in enumerate(yamlio.split_documents(text), start=1):
        try:
            out.append(uninject_document(raw, settings))
        except SidecarError as err:
            raise type(err)(f"{source}: document {index}: {err}") from None
        except Exception as err:  # a bug: one line for the user, the cause kept for --debug
            raise InputError(
                f"{source}: document {index}: internal error ({type(err).__name__}: {err}); "
                "rerun with --debug and report it"
            ) from err
    return "".join(out)


def uninject_document(raw: str, settings: Any = None) -> str:
    obj = decode_workload(raw)
    if obj is None:
        return (raw if raw.endswith("\n") else raw + "\n") + "---\n"
    return str(yamlio.dump_yaml(uninject_object(obj, settings))) + "---\n"


def decode_workload(raw: str) -> dict[str, Any] | None:
    """The document typed as kube-inject types it, or None for one it passes through."""
    from sidecarctl.errors import InputError
    from sidecarctl.inject import workloads

    try:
        value = yamlio.load_document(raw, max_depth=yamlio.MANIFEST_MAX_DEPTH)
        kind = workload_kind(value)
        if kind is None or not workloads.is_injectable(kind):
            return None
        return kube.normalize_as(value, workloads.kube_type(kind))
    except (yamlio.YamlError, kube.KubeTypeError) as err:
        raise InputError(str(err)) from None


def workload_kind(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = kube.normalize_as(value, "meta.TypeMeta").get("kind")
    return kind if isinstance(kind, str) and kind else None


def uninject_object(obj: dict[str, Any], settings: Any = None) -> dict[str, Any]:
    """A typed workload (or List of them) with every pod template uninjected, in place; with the
    injection settings, what their templates add is taken away too (`subtract_templates`)."""
    from sidecarctl.inject import workloads

    if obj.get("kind") == workloads.LIST_KIND:
        items = workloads.list_items(obj)
        for index, item in enumerate(items):
            kind = workload_kind(item)
            if kind is not None and kind != workloads.LIST_KIND and workloads.is_injectable(kind):
                items[index] = uninject_object(kube.normalize_as(item, workloads.kube_type(kind)), settings)
        return obj
    template = workloads.locate(obj)
    pod = template.pod()
    undone = uninject_pod(pod, template.deploy_meta.get("name") or "")
    if settings is not None and undone.injected:
        pod = kube.normalize_as(pod, "core.Pod")
        subtract_templates(pod, settings, template, undone)
    workloads.write_back(obj, template, kube.normalize_as(pod, "core.Pod"))
    return obj
