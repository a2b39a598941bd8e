"""What Istio does to a pod after the template is merged in (webhook.go's injectPod tail).

1. user overrides: an `istio-proxy`/`istio-init` the user wrote in the pod is merged back over the
   injected one and remembered in `proxy.istio.io/overrides`; a custom proxy user flows to the
   init container's `-u`;
2. cluster/network variables forced onto the sidecar;
3. Prometheus "merge metrics": the app's scrape annotations move into the sidecar's env;
4. app probes pointed at the agent (probes.py);
5. the `sidecar.istio.io/status` annotation and the network label;
6. container order: the proxy last (first when it must hold the application), init containers
   arranged so that iptables never blackholes them.
Every function works on plain pod dicts in place or returns a new pod; nothing reads settings
files: the caller passes the mesh config (after the pod's proxy.istio.io/config), values and
revision.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sidecarctl.inject import probes
from sidecarctl.inject.goutil import get_path, json_dumps, parse_bool
from sidecarctl.inject.strip import (
    OVERRIDES_ANNOTATION,
    STATUS_ANNOTATION,
    clear_prometheus_annotations,
    find_container,
    prometheus_port,
    sanitize_label_name,
)

PROXY = "istio-proxy"
INIT = "istio-init"
VALIDATION = "istio-validation"
CORE_DUMP = "enable-core-dump"
AUTO_IMAGE = "auto"  # an override's image meaning "keep the injected image"
NETWORK_LABEL = "topology.istio.io/network"
PROMETHEUS_ENV = "ISTIO_PROMETHEUS_ANNOTATIONS"
MERGE_METRICS_ANNOTATION = "prometheus.istio.io/merge-metrics"
INTERCEPTION_ANNOTATION = "sidecar.istio.io/interceptionMode"

Pod = dict[str, Any]
Merge = Callable[[Pod, Pod], Pod]  # strategic merge of a patch over a pod, giving a typed pod
Normalize = Callable[[Any], Any]  # Go's typed shape of a container
EncodeContainer = Callable[[Any], str]  # encoding/json of a typed container (Go field order)


class PostProcessContext:
    """The injection request as the post-processing steps see it.

    The mesh facts come from the mesh config after the pod's proxy.istio.io/config is merged in.
    (A plain class, not a dataclass: generating one costs startup time.)
    """

    def __init__(
        self,
        values: dict[str, Any],
        status_port: int = 15020,
        interception_mode: str = "REDIRECT",
        hold_application: bool = False,
        prometheus_merge: bool | None = None,
        revision: str = "",
        proxy_envs: dict[str, str] | None = None,
        injected_annotations: dict[str, str] | None = None,
    ) -> None:
        self.values = values
        self.status_port = status_port
        self.interception_mode = interception_mode
        self.hold_application = hold_application  # the proxy config's holdApplicationUntilProxyStarts
        self.prometheus_merge = prometheus_merge  # the mesh's enablePrometheusMerge; None when unset
        self.revision = revision
        self.proxy_envs: dict[str, str] = {} if proxy_envs is None else proxy_envs
        self.injected_annotations: dict[str, str] = {} if injected_annotations is None else injected_annotations


# --- 1. overrides ---------------------------------------------------------------------------


def reapply_overwritten_containers(
    final: Pod,
    original: Pod,
    template: Pod,
    interception_mode: str,
    merge: Merge,
    normalize_container: Normalize,
    encode_container: EncodeContainer = json_dumps,
) -> Pod:
    """Merge the user's own versions of injected containers back over the injected ones."""
    original_annotations = (original.get("metadata") or {}).get("annotations") or {}
    existing = _overrides(original_annotations, normalize_container)
    already_injected = STATUS_ANNOTATION in original_annotations
    injected = _status_names(original_annotations) if already_injected else {}
    found: dict[str, list[Any]] = {"containers": [], "initContainers": []}
    template_spec = template.get("spec") or {}
    for key in ("containers", "initContainers"):
        for container in template_spec.get(key) or []:
            overlay = _user_version(container.get("name", ""), key, original, existing, injected)
            if overlay is None:
                continue
            overlay = normalize_container(overlay)
            found[key].append(overlay)
            final = merge(final, _overlay_patch(key, overlay))
    if not already_injected and (found["containers"] or found["initContainers"]):
        _annotations(final)[OVERRIDES_ANNOTATION] = _overrides_json(found, encode_container)
    adjust_init_container_user(final, original, interception_mode)
    return final


def adjust_init_container_user(final: Pod, original: Pod, interception_mode: str) -> None:
    """Carry a user-set proxy runAsUser/runAsGroup to istio-init's `-u` / istio-validation."""
    user = _find_in_pod(PROXY, original)
    context = (user or {}).get("securityContext") or {}
    uid, gid = context.get("runAsUser"), context.get("runAsGroup")
    if uid is None and gid is None:
        return
    init_containers = (final.get("spec") or {}).get("initContainers")
    init = find_container(INIT, init_containers) or find_container(VALIDATION, init_containers)
    if init is None:
        return
    tproxy = interception_mode == "TPROXY" or _annotations(final).get(INTERCEPTION_ANNOTATION) == "TPROXY"
    if tproxy and uid is not None:
        sidecar = _find_in_pod(PROXY, final)
        if sidecar is not None:
            sidecar.setdefault("securityContext", {})["runAsUser"] = 0  # TPROXY needs root
    if not tproxy and init.get("name") == VALIDATION:
        init_context = init.setdefault("securityContext", {})
        if uid is not None:
            init_context["runAsUser"] = uid
        if gid is not None:
            init_context["runAsGroup"] = gid
    if uid:  # iptables' --uid-owner must not be 0
        _replace_uid_arg(init, uid)


def _replace_uid_arg(init: dict[str, Any], uid: int) -> None:
    args = init.get("args") or []
    for index, arg in enumerate(args):
        if arg == "-u" and index + 1 < len(args):
            args[index + 1] = str(uid)
            return


def _overrides_json(found: dict[str, list[Any]], encode_container: EncodeContainer) -> str:
    """ParsedContainers as encoding/json writes it: both lists omitempty, containers in Go order."""
    members = [
        f'"{key}":[' + ",".join(encode_container(c) for c in items) + "]" for key, items in found.items() if items
    ]
    return "{" + ",".join(members) + "}"


def _user_version(
    name: str, key: str, original: Pod, existing: dict[str, list[Any]], injected: dict[str, list[str]]
) -> dict[str, Any] | None:
    """The user's container of that name: a saved override, else one in the pod."""
    if name in injected.get(key, []):
        return None  # re-injection: the new template wins over what we injected last time
    match = find_container(name, existing.get(key))
    if match is None:
        spec = original.get("spec") or {}
        if key == "containers":
            match = find_container(name, spec.get("containers"))
        else:  # with native sidecars the proxy moves from containers to initContainers
            match = _find_in_pod(name, original)
    if match is None:
        return None
    overlay = copy.deepcopy(match)
    if overlay.get("image") == AUTO_IMAGE:
        overlay.pop("image")
    return overlay


def _overlay_patch(key: str, container: dict[str, Any]) -> Pod:
    # An explicit empty containers list keeps the merge from treating containers as deleted.
    spec: dict[str, Any] = (
        {"containers": [container]} if key == "containers" else {"containers": [], "initContainers": [container]}
    )
    return {"spec": spec}


def _overrides(annotations: dict[str, str], normalize_container: Normalize) -> dict[str, list[Any]]:
    from sidecarctl.inject.strip import _parse_overrides  # one parser for both directions

    parsed = _parse_overrides(annotations)
    return {key: [normalize_container(c) for c in items] for key, items in parsed.items()}


def _status_names(annotations: dict[str, str]) -> dict[str, list[str]]:
    """Container names in a status annotation; anything malformed reads as none (Istio logs)."""
    import json

    try:
        raw = json.loads(annotations.get(STATUS_ANNOTATION) or "")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key in ("containers", "initContainers"):
        value = raw.get(key)
        out[key] = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return out


# --- 2..6: postProcessPod ------------------------------------------------------------------------


def post_process_pod(pod: Pod, template: Pod, ctx: PostProcessContext) -> None:
    """Istio's postProcessPod, in its order, on the merged pod (in place)."""
    metadata = pod.setdefault("metadata", {})
    metadata["annotations"] = metadata.get("annotations") or {}
    metadata["labels"] = metadata.get("labels") or {}
    overwrite_cluster_info(pod, ctx.proxy_envs)
    apply_prometheus_merge(pod, ctx.status_port, ctx.prometheus_merge)
    apply_rewrite(pod, ctx)
    apply_metadata(pod, template, ctx)
    reorder_pod(pod, ctx)


def cluster_and_network(
    values: dict[str, Any], labels: dict[str, str] | None, proxy_envs: dict[str, str]
) -> dict[str, str]:
    """The proxy variables RunTemplate forces: cluster and network from values, URL, label."""
    envs = dict(proxy_envs)
    cluster = _string(get_path(values, ("global", "multiCluster", "clusterName")))
    network = _string(get_path(values, ("global", "network")))
    cluster = envs.get("ISTIO_META_CLUSTER_ID") or cluster
    network = envs.get("ISTIO_META_NETWORK") or network
    if labels and NETWORK_LABEL in labels:
        network = labels[NETWORK_LABEL]
    if cluster:
        envs["ISTIO_META_CLUSTER_ID"] = cluster
    if network:
        envs["ISTIO_META_NETWORK"] = network
    return envs


def overwrite_cluster_info(pod: Pod, proxy_envs: dict[str, str]) -> None:
    """Replace the sidecar's cluster/network variables, appended in name order."""
    sidecar = _find_in_pod(PROXY, pod)
    if sidecar is None or not proxy_envs:
        return
    env = [var for var in sidecar.get("env") or [] if var.get("name") not in proxy_envs]
    env += [{"name": key, "value": proxy_envs[key]} for key in sorted(proxy_envs)]
    sidecar["env"] = env


def apply_prometheus_merge(pod: Pod, status_port: int, mesh_setting: bool | None) -> None:
    """Point Prometheus at the agent, which merges the app's metrics (scrape settings in env)."""
    annotations = _annotations(pod)
    if not (_prometheus_scrape(annotations) and _merge_enabled(mesh_setting, annotations)):
        return
    target = str(status_port)
    if prometheus_port(annotations) == target:
        return  # already pointed at the agent: re-injection, or the user's choice
    scrape = _scrape_configuration(annotations)
    sidecar = _find_in_pod(PROXY, pod)
    if sidecar is not None and any(scrape.values()):
        sidecar["env"] = list(sidecar.get("env") or []) + [{"name": PROMETHEUS_ENV, "value": json_dumps(scrape)}]
    clear_prometheus_annotations(annotations)
    annotations["prometheus.io/port"] = target
    annotations["prometheus.io/path"] = "/stats/prometheus"
    annotations["prometheus.io/scrape"] = "true"


def apply_rewrite(pod: Pod, ctx: PostProcessContext) -> None:
    sidecar = _find_in_pod(PROXY, pod)
    if sidecar is None:
        return
    annotations = _annotations(pod)
    setting = get_path(ctx.values, ("sidecarInjectorWebhook", "rewriteAppHTTPProbe")) is True
    if not probes.should_rewrite(annotations, setting):
        return
    probers = probes.dump_app_probers(pod, ctx.status_port)
    if probers:
        sidecar["env"] = probes.merge_or_append_probers(STATUS_ANNOTATION in annotations, sidecar.get("env"), probers)
    probes.patch_rewrite_probes(annotations, pod, ctx.status_port)


def apply_metadata(pod: Pod, template: Pod, ctx: PostProcessContext) -> None:
    if "ISTIO_META_NETWORK" in ctx.proxy_envs:
        pod["metadata"].setdefault("labels", {})[NETWORK_LABEL] = ctx.proxy_envs["ISTIO_META_NETWORK"]
    _annotations(pod)[STATUS_ANNOTATION] = injection_status(template.get("spec") or {}, ctx.revision)
    _annotations(pod).update(ctx.injected_annotations)


def injection_status(spec: dict[str, Any], revision: str) -> str:
    """The status annotation: names of what the template added (null for none) and the revision."""

    def names(key: str) -> list[str] | None:
        items = [item.get("name", "") for item in spec.get(key) or []]
        return items or None

    status: dict[str, Any] = {
        key: names(key) for key in ("initContainers", "containers", "volumes", "imagePullSecrets")
    }
    status["revision"] = revision or "default"
    return json_dumps(status)


def reorder_pod(pod: Pod, ctx: PostProcessContext) -> None:
    """Proxy last (first when holding the app); native proxy right after iptables setup."""
    hold = ctx.hold_application or _bool_value(
        get_path(ctx.values, ("global", "proxy", "holdApplicationUntilProxyStarts"))
    )
    spec = pod.setdefault("spec", {})
    spec["containers"] = _move(spec.get("containers"), PROXY, first=hold)
    init = spec.get("initContainers")
    if find_container(PROXY, init) is not None:
        for name in (CORE_DUMP, PROXY, VALIDATION, INIT):
            init = _move(init, name, first=True)
    else:
        init = _move(init, VALIDATION, first=True)
        init = _move(init, INIT, first=False)
        init = _move(init, CORE_DUMP, first=False)
    spec["initContainers"] = init


def _move(containers: list[dict[str, Any]] | None, name: str, first: bool) -> list[dict[str, Any]]:
    """Istio's modifyContainers(MoveFirst/MoveLast); the last container of that name moves.

    Like Go it always returns a list, so absent containers come back as `[]`, not null.
    """
    rest = [c for c in containers or [] if c.get("name") != name]
    matches = [c for c in containers or [] if c.get("name") == name]
    if not matches:
        return rest
    return [matches[-1]] + rest if first else rest + [matches[-1]]


def _prometheus_scrape(annotations: dict[str, str]) -> bool:
    for key, value in annotations.items():
        if sanitize_label_name(key) == "prometheus_io_scrape":
            parsed = parse_bool(value)
            if parsed is not None:
                return parsed
    return True


def _merge_enabled(mesh_setting: bool | None, annotations: dict[str, str]) -> bool:
    if MERGE_METRICS_ANNOTATION in annotations:
        parsed = parse_bool(annotations[MERGE_METRICS_ANNOTATION])
        if parsed is not None:
            return parsed
    return True if mesh_setting is None else mesh_setting


def _scrape_configuration(annotations: dict[str, str]) -> dict[str, str]:
    """PrometheusScrapeConfiguration in its field order: scrape, path, port."""
    found = {"prometheus_io_scrape": "", "prometheus_io_path": "", "prometheus_io_port": ""}
    for key, value in annotations.items():
        name = sanitize_label_name(key)
        if name in found:
            found[name] = value
    return {
        "scrape": found["prometheus_io_scrape"],
        "path": found["prometheus_io_path"],
        "port": found["prometheus_io_port"],
    }


def _find_in_pod(name: str, pod: Pod) -> dict[str, Any] | None:
    """Istio's FindContainerFromPod: containers first, then init containers."""
    spec = pod.get("spec") or {}
    return find_container(name, spec.get("containers")) or find_container(name, spec.get("initContainers"))


def _annotations(pod: Pod) -> dict[str, str]:
    metadata = pod.setdefault("metadata", {})
    if not isinstance(metadata.get("annotations"), dict):
        metadata["annotations"] = {}
    annotations: dict[str, str] = metadata["annotations"]
    return annotations


def _bool_value(value: Any) -> bool:
    """A protobuf BoolValue as JSON gives it: a bool (or {"value": bool})."""
    if isinstance(value, dict):
        value = value.get("value")
    return value is True


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""
