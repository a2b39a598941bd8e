"""Istio's RunTemplate (pkg/kube/inject/inject.go): render the selected injection templates for
one pod and overlay each result onto the pod with a strategic merge patch.

The caller (Istio's injectPod: `pipeline.inject_pod`) has already merged the pod's
`proxy.istio.io/config` into `settings.mesh`, validated the annotations and resolved the
cluster/network proxy envs; it also prefixes errors with `failed to run injection template: `.
Here: undo a previous injection (strip + reinsert overrides), build SidecarTemplateData, pick
the templates, execute each and apply its output in Istio's order, returning
`(merged_pod, template_pod)`.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple

from sidecarctl import kube, yamlio
from sidecarctl.config.settings import Settings
from sidecarctl.config.values import ValuesConfig
from sidecarctl.errors import InjectionError
from sidecarctl.inject import strip
from sidecarctl.inject.data import build_template_data
from sidecarctl.yamlio.read import DocumentMemo

PROXY_CONTAINER = "istio-proxy"
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
NATIVE_SIDECAR_ANNOTATION = "sidecar.istio.io/nativeSidecar"
PROXY_IMAGE_TYPE_ANNOTATION = "sidecar.istio.io/proxyImageType"
SIDECAR_TEMPLATE = "sidecar"
POD_TYPE = "v1.Pod"
_KNOWN_IMAGE_TYPES = ("distroless", "debug")


class InjectionParams(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to define at startup
    """Istio's InjectionParameters, as kube-inject fills them.

    `default_templates`/`aliases` left as None mean kube-inject's choice (template `sidecar`, no
    aliases: istioctl ignores the config's); the webhook passes the config's.
    """

    pod: dict[str, Any]
    type_meta: dict[str, Any]
    deploy_meta: dict[str, Any]
    settings: Settings
    native_sidecars: bool
    proxy_envs: dict[str, str]
    revision: str = ""
    default_templates: list[str] | None = None
    aliases: dict[str, list[str]] | None = None


def run_template(params: InjectionParams) -> tuple[dict[str, Any], dict[str, Any]]:
    """(merged_pod, template_pod): the pod with every selected template applied, and the
    templates' output alone (applied onto an empty pod)."""
    settings = params.settings
    mesh = settings.mesh
    stripped = _stripped_pod(params.pod, mesh)
    annotations = (stripped.get("metadata") or {}).get("annotations") or {}
    proxy = mesh.values.get("default_config")
    data = build_template_data(
        type_meta=params.type_meta,
        deploy_meta=params.deploy_meta,
        pod=stripped,
        mesh=mesh,
        values=settings.values.as_map,
        revision=params.revision,
        native_sidecars=params.native_sidecars,
        proxy_image=proxy_image(settings.values, proxy.values.get("image") if proxy is not None else None, annotations),
    )
    merged: dict[str, Any] = params.pod
    template_pod: dict[str, Any] = kube.normalize_as({}, POD_TYPE)  # json.Marshal(&corev1.Pod{})
    templates = settings.inject_config.templates
    # Istio runs and applies every listed name, repeats included (`sidecar,sidecar,...`), each run on
    # the same data. Running name N on a state S is a function of (S, N); once it left S unchanged,
    # running N again on S changes nothing either, so it is skipped until the state changes. Istio's
    # result, without 9,000 runs for a 64 KB annotation of one repeated name.
    idle: set[str] = set()
    for name in select_templates(params):
        if name not in templates:
            known = ", ".join(sorted(templates))
            raise InjectionError(f'requested template "{name}" not found; have {known}')
        if name in idle:
            continue
        before = (merged, template_pod)
        overlay = decode_overlay(execute(templates[name], data), "failed applying injection overlay")
        if settings.inject_config.legacy:
            overlay = legacy_spec_as_pod(overlay)
        template_pod = apply_overlay(template_pod, overlay, "failed applying injection overlay")
        if _native(params, merged) and _has(template_pod, "initContainers") and _has(merged, "containers"):
            merged = _move_proxy_to_init_containers(merged)
        merged = apply_overlay(
            merged, overlay, "failed parsing generated injected YAML (check Istio sidecar injector configuration)"
        )
        if (merged, template_pod) == before:
            idle.add(name)
        else:
            idle = set()
    return merged, template_pod


def execute(template: Any, data: Any) -> str:
    from sidecarctl.gotemplate import TemplateError

    try:
        return str(template.execute(data))
    except TemplateError as err:
        raise InjectionError(str(err)) from None


def _stripped_pod(pod: dict[str, Any], mesh: Any) -> dict[str, Any]:
    """stripPod then reinsertOverrides: the pod as the templates should see it."""
    proxy = mesh.values.get("default_config")
    status_port = int(proxy.get("status_port")) if proxy is not None else 0
    stripped = strip.strip_pod(pod, status_port)
    return strip.reinsert_overrides(stripped, lambda c: kube.normalize_as(c, "v1.Container"))


def select_templates(params: InjectionParams) -> list[str]:
    """The `inject.istio.io/templates` annotation (comma-separated), else the defaults;
    aliases expand one level."""
    annotations = (params.pod.get("metadata") or {}).get("annotations") or {}
    if TEMPLATES_ANNOTATION in annotations:
        names = [n.strip() for n in str(annotations[TEMPLATES_ANNOTATION]).split(",")]
    else:
        names = list(params.default_templates or [SIDECAR_TEMPLATE])
    aliases = params.aliases or {}
    out: list[str] = []
    for name in names:
        out.extend(aliases[name] if name in aliases else [name])
    return out


def proxy_image(values: ValuesConfig, image: Any, annotations: dict[str, str]) -> str:
    """Istio's ProxyImage: `hub/image:tag[-type]` from values, the proxy config's image type and
    the `sidecar.istio.io/proxyImageType` annotation."""
    image_type = values.variant
    if image is not None:
        image_type = str(image.get("image_type"))
    name = values.proxy_image or "proxyv2"
    if PROXY_IMAGE_TYPE_ANNOTATION in annotations:
        image_type = annotations[PROXY_IMAGE_TYPE_ANNOTATION]
    return f"{values.hub}/{name}:{_image_tag(values.tag, image_type)}"


def _image_tag(tag: str, image_type: str) -> str:
    if not image_type:
        return tag
    for known in _KNOWN_IMAGE_TYPES:
        if tag.endswith("-" + known):
            tag = tag[: -len(known) - 1]
            break
    return tag if image_type == "default" else f"{tag}-{image_type}"


def apply_overlay(target: dict[str, Any], overlay: dict[str, Any], context: str) -> dict[str, Any]:
    """applyOverlayYAML: strategic-merge the decoded template output onto the typed pod and
    decode the result as a corev1.Pod again (errors carry Istio's `strategic merge: ` and
    `unmarshal patched pod: ` prefixes)."""
    try:
        return kube.apply_overlay(target, overlay)
    except (kube.StrategicMergeError, kube.KubeTypeError) as err:
        raise InjectionError(f"{context}: {err}") from None


# The fields of the pre-1.8 SidecarInjectionSpec that a legacy `template:` renders at top level.
_LEGACY_SPEC_FIELDS = ("initContainers", "containers", "volumes", "imagePullSecrets", "dnsConfig")


def legacy_spec_as_pod(overlay: dict[str, Any]) -> dict[str, Any]:
    """A legacy template's SidecarInjectionSpec (`containers:` at top level, as in Istio's
    "Installing the Sidecar" guide) as the partial Pod that current injection merges.

    istioctl 1.30 would treat such a config as one bare template and drop those unknown Pod
    fields, injecting nothing; sidecarctl honours the documented legacy format instead.
    """
    if "spec" in overlay or "metadata" in overlay:
        return overlay
    spec = {k: overlay[k] for k in _LEGACY_SPEC_FIELDS if k in overlay}
    return {"spec": spec} if spec else overlay


_OVERLAYS: list[Any] = []  # the DocumentMemo of rendered templates, made on first use


def _overlay_memo() -> Any:
    """Rendered templates differ from pod to pod in a few values (names, ports): each is decoded
    from the last one of its shape rather than parsed again. Its values are shared: read only."""
    if not _OVERLAYS:
        _OVERLAYS.append(DocumentMemo())
    return _OVERLAYS[0]


def decode_overlay(text: str, context: str) -> dict[str, Any]:
    """yaml.Unmarshal into map[string]any; anything but a mapping is mergepatch.ErrBadJSONDoc
    (reported by the first overlay Istio applies, the one onto the template pod). The result is
    shared with other decodes (see _overlay_memo): callers copy before changing it."""
    try:
        patch = _overlay_memo().load(text)
    except yamlio.YamlError as err:
        raise InjectionError(
            f"{context}: strategic merge: invalid JSON document{_rendered_line(text, err.line, err.problem)}"
        ) from None
    if patch is None:
        return {}
    if not isinstance(patch, dict):
        raise InjectionError(
            f"{context}: strategic merge: invalid JSON document"
            f"{_rendered_line(text, 1, 'the rendered template is not a mapping')}"
        )
    return patch


def _rendered_line(text: str, line: int | None, problem: str) -> str:
    """Istio's message says nothing about where; name the rendered line that broke (after Go's text)."""
    problem = re.sub(r"^line \d+: ", "", problem)  # yaml.v2 counts some lines from 0; the mark is exact
    lines = text.split("\n")
    if line is None or not 1 <= line <= len(lines):
        return f" ({problem})"
    shown = lines[line - 1] if len(lines[line - 1]) <= 200 else lines[line - 1][:200] + "..."
    return f" (rendered template line {line}: {shown!r}: {problem})"


def _native(params: InjectionParams, merged: dict[str, Any]) -> bool:
    """The sidecar.istio.io/nativeSidecar annotation overrides the global setting."""
    value = ((merged.get("metadata") or {}).get("annotations") or {}).get(NATIVE_SIDECAR_ANNOTATION)
    if value == "true":
        return True
    if value == "false":
        return False
    return params.native_sidecars


def _has(pod: dict[str, Any], key: str) -> bool:
    return strip.find_container(PROXY_CONTAINER, (pod.get("spec") or {}).get(key)) is not None


def _move_proxy_to_init_containers(pod: dict[str, Any]) -> dict[str, Any]:
    """A user's istio-proxy customisation in `containers` follows the native sidecar into
    `initContainers` (appended last), so the template's container merges with it."""
    pod = copy.deepcopy(pod)
    spec = pod.setdefault("spec", {})
    containers = list(spec.get("containers") or [])
    for i, c in enumerate(containers):
        if c.get("name") == PROXY_CONTAINER:
            spec["containers"] = containers[:i] + containers[i + 1 :]
            spec["initContainers"] = list(spec.get("initContainers") or []) + [c]
            break
    return pod
