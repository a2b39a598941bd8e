"""kube-inject from text to text: stream -> documents -> objects -> injected objects -> YAML.

The shape is Istio's `IntoResourceFile` / `IntoObject` / `injectPod`: every document is split off
the stream, decoded by kind into its Kubernetes type (other kinds and comment-only documents are
written back as they came), its pod template is decided on, rendered (`render.run_template`),
post-processed, and the whole object marshalled again. Unlike istioctl, nothing is returned until
every document succeeded: an error names the source and document and the caller writes nothing.

The collaborators (YAML, Kubernetes typing, template rendering, proxy config merging) are reached
through `Engine`, so each step can be tested with stand-ins.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from sidecarctl import kube, releases, yamlio
from sidecarctl.config import mesh as mesh_module
from sidecarctl.config import yamltext
from sidecarctl.errors import InjectionError, InputError, SidecarError
from sidecarctl.inject import data, goutil, policy, postprocess, render, validate, workloads
from sidecarctl.yamlio.read import DocumentMemo

Warn = Callable[[str], None]
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
TYPE_META = "meta.TypeMeta"
POD_TYPE = "core.Pod"
CONTAINER_TYPE = "core.Container"


# The records here are NamedTuples and plain classes, not dataclasses: generating a dataclass costs
# ~0.3 ms of every run's startup.
class Engine:
    """The modules kube-inject builds on, as plain functions (stand-ins in unit tests)."""

    def __init__(
        self,
        split_documents: Callable[[str], list[str]],
        load_document: Callable[[str], Any],
        dump_yaml: Callable[[Any], str],
        normalize_as: Callable[[Any, str], Any],
        strategic_merge: Callable[[Any, Any, str], Any],
        run_template: Callable[..., tuple[Any, Any]],  # (pod, type_meta, deploy_meta, settings, native, envs, rev)
        apply_proxy_config: Callable[[Any, str], Any],  # settings with the pod's proxy config merged in
        input_errors: tuple[type[BaseException], ...] = (),  # YAML and Kubernetes typing errors
        normalize_container: Callable[[Any], Any] | None = None,  # a container from JSON (no YAML coercion)
        container_json: Callable[[Any], str] | None = None,  # encoding/json of a container, Go field order
        # split_documents, lazily; also of a stream given as a function giving it in pieces
        iter_documents: Callable[[str | Callable[[], Iterable[str]]], Iterable[str]] | None = None,
    ) -> None:
        self.split_documents = split_documents
        self.load_document = load_document
        self.dump_yaml = dump_yaml
        self.normalize_as = normalize_as
        self.strategic_merge = strategic_merge
        self.run_template = run_template
        self.apply_proxy_config = apply_proxy_config
        self.input_errors = input_errors
        self.normalize_container = normalize_container
        self.container_json = container_json
        self.iter_documents = iter_documents

    @classmethod
    def default(cls) -> Engine:
        """The real modules, imported on first use so that `--help` stays fast."""
        # A batch's workloads often differ from an earlier one in a few values (names, images):
        # those are not parsed again. The decoded values are shared, and only read (typing copies).
        documents = DocumentMemo()
        return cls(
            split_documents=yamlio.split_documents,
            # strict: a key written twice is an error, not istioctl's silent last-one-wins
            load_document=lambda doc: documents.load(doc, strict=True),
            dump_yaml=yamlio.dump_yaml,
            normalize_as=kube.normalize_as,
            strategic_merge=kube.strategic_merge,
            run_template=_render_run_template,
            apply_proxy_config=_settings_with_proxy_config,
            input_errors=(yamlio.YamlError, kube.KubeTypeError),
            normalize_container=lambda c: kube.normalize_as(c, CONTAINER_TYPE, coerce=False),
            container_json=_container_json,
            iter_documents=yamlio.iter_documents,
        )


class Outcome(NamedTuple):
    """What kube-inject did with one workload (a List's items each count): for summaries and CI."""

    kind: str
    namespace: str
    name: str
    injected: bool
    reason: str = ""  # why it was skipped, in words ("spec.hostNetwork is true")


class KubeInject:
    """One kube-inject run: settings, switches, and the warnings istioctl prints at the end."""

    def __init__(
        self,
        settings: Any,
        native_sidecars: bool = False,
        revision: str = "",
        engine: Engine | None = None,
        log: Warn | None = None,
        warnings: list[str] | None = None,
        results: list[Outcome] | None = None,
    ) -> None:
        self.settings = settings
        self.native_sidecars = native_sidecars
        self.revision = revision
        self.engine = Engine.default() if engine is None else engine
        self.log = log  # istioctl's log lines (stderr, immediately)
        self.warnings: list[str] = [] if warnings is None else warnings  # "===> Skipping ..." lines, printed last
        self.results: list[Outcome] = [] if results is None else results  # one per workload, in stream order
        self._where = ""  # the current document, for error messages

    def inject_stream(self, text: str, source: str = "-") -> str:
        """The whole output, or an error naming `source` and the document that failed."""
        return "".join(out for _, out in self.inject_documents(text, source))

    def inject_documents(self, text: str, source: str = "-") -> list[tuple[str, str]]:
        """(input document, output document) pairs: what workflows (diff, patch, preserved
        formatting) need to relate each output to its input. Same errors as inject_stream."""
        return list(self.iter_documents(text, source))

    def iter_documents(self, text: str | Callable[[], Iterable[str]], source: str = "-") -> Iterator[tuple[str, str]]:
        """inject_documents one pair at a time: a long stream's documents are never all held. The
        input is split lazily when the engine can (a bad `---` line is still reported first).
        `text` may also be a function giving the stream's text afresh in pieces of whole lines (a
        file read a block at a time, see yamlio.iter_documents): then the stream itself is never
        held whole either."""
        lazy = self.engine.iter_documents
        whole = ""
        if lazy is None:  # an engine without a lazy splitter takes the whole text
            whole = text if isinstance(text, str) else "".join(text())
        try:
            raws = lazy(text) if lazy is not None else self.engine.split_documents(whole)
        except SidecarError as err:  # a bad `---` line: name the file and the line in it
            line = getattr(err, "line", None)
            raise type(err)(f"{source}:{line}: {err}" if line else f"{source}: {err}") from None
        for index, raw in enumerate(raws, start=1):
            self._where = ""
            try:
                pair = (raw, self.inject_document(raw))
            except SidecarError as err:
                raise type(err)(f"{source}: document {index}{self._where}: {err}") from None
            except Exception as err:  # a bug: still one line for the user, the cause kept for --debug
                raise InjectionError(
                    f"{source}: document {index}{self._where}: internal error "
                    f"({type(err).__name__}: {err}); rerun with --debug and report it"
                ) from err
            yield pair

    def inject_document(self, raw: str) -> str:
        obj = self._decode(raw)
        if obj is None:  # written back as it came, as istioctl does
            return (raw if raw.endswith("\n") else raw + "\n") + "---\n"
        self._where = f" ({_describe(obj)})"
        return self.engine.dump_yaml(self.inject_object(obj)) + "---\n"

    def inject_object(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Istio's IntoObject on a typed object: Lists item by item, else its pod template."""
        if obj.get("kind") == workloads.LIST_KIND:
            return self._inject_list(obj)
        template = workloads.locate(obj)
        if template.spec.get("hostNetwork") is True:
            return self._skip(obj, template, policy.HOST_NETWORK, "host networking")
        pod = template.pod()
        settings = self._pod_settings(pod)
        decision = policy.kube_inject_decision(template.metadata, template.spec)
        for line in decision.warnings:
            self._log(f"{line}\tpod={template.metadata.get('namespace') or ''}/{_pod_name(template.metadata)}")
        if not decision.inject:
            return self._skip(obj, template, decision.reason, decision.why)
        if not template.spec.get("containers"):
            # istioctl injects a pod of nothing but the sidecar; Kubernetes would refuse it anyway
            raise InputError(
                "the pod template has no containers (its spec or template is missing, null or "
                "empty): nothing to inject beside; Kubernetes requires spec.containers"
            )
        injected = inject_pod(
            pod,
            settings,
            revision=self.revision,
            native_sidecars=self.native_sidecars,
            deploy_meta=template.deploy_meta,
            type_meta=template.type_meta,
            engine=self.engine,
            warn=self._log,
            proxy_config_applied=True,
        )
        # The rest of the object is typed already: only the pod needs Go's shape again.
        workloads.write_back(obj, template, self.engine.normalize_as(injected, POD_TYPE))
        self.results.append(_outcome(obj, True))
        return obj

    def decode(self, raw: str) -> dict[str, Any] | None:
        """A document as injection sees it before injecting (typed; a List's injectable items typed
        too), or None for one written back verbatim: what workflows compare the output with."""
        obj = self._decode(raw)
        return self._typed_items(obj) if obj is not None else None

    def _typed_items(self, obj: dict[str, Any]) -> dict[str, Any]:
        if obj.get("kind") == workloads.LIST_KIND:
            items = workloads.list_items(obj)
            for index, item in enumerate(items):
                kind = self._kind(item)
                if kind is not None and workloads.is_injectable(kind):
                    items[index] = self._typed_items(self._typed(item, kind))
        return obj

    def _inject_list(self, obj: dict[str, Any]) -> dict[str, Any]:
        items = workloads.list_items(obj)
        for index, item in enumerate(items):
            kind = self._kind(item)
            if kind is not None and workloads.is_injectable(kind):
                typed = self._typed(item, kind)
                items[index] = self.inject_object(typed)
        return obj

    def _decode(self, raw: str) -> dict[str, Any] | None:
        """The typed object, or None for a document istioctl passes through untouched."""
        try:
            value = self.engine.load_document(raw)
        except self.engine.input_errors as err:
            raise InputError(_go_text(err)) from None
        kind = self._kind(value)
        if kind is None or not workloads.is_injectable(kind):
            return None
        return self._typed(value, kind)

    def _kind(self, value: Any) -> str | None:
        """The kind as Go's decode into TypeMeta sees it (keys case-insensitive, scalars coerced
        to strings); a document that is not a mapping is an error, as in istioctl."""
        try:
            meta = self.engine.normalize_as(value, TYPE_META)
        except self.engine.input_errors as err:
            raise InputError(_go_text(err)) from None
        kind = meta.get("kind") if isinstance(meta, dict) else None
        return kind if isinstance(kind, str) and kind else None

    def _typed(self, value: Any, kind: str) -> dict[str, Any]:
        try:
            return self.engine.normalize_as(value, workloads.kube_type(kind))
        except self.engine.input_errors as err:
            raise InputError(_go_text(err)) from None

    def _pod_settings(self, pod: dict[str, Any]) -> Any:
        annotation = ((pod.get("metadata") or {}).get("annotations") or {}).get(PROXY_CONFIG_ANNOTATION)
        if annotation is None:
            return self.settings
        return self.engine.apply_proxy_config(self.settings, annotation)

    def _skip(self, obj: dict[str, Any], template: workloads.PodTemplate, reason: str, why: str = "") -> dict[str, Any]:
        self.warnings.append(policy.skip_warning(template.type_meta.get("kind", ""), template.full_name, reason))
        self.results.append(_outcome(obj, False, why or reason))
        return obj

    def _log(self, message: str) -> None:
        if self.log is not None:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self.log(f"{stamp}\twarn\t{message}")


def inject_pod(
    pod: dict[str, Any],
    settings: Any,
    proxy_envs: dict[str, str] | None = None,
    revision: str = "",
    native_sidecars: bool = False,
    deploy_meta: dict[str, str] | None = None,
    type_meta: dict[str, str] | None = None,
    engine: Engine | None = None,
    warn: Warn | None = None,
    proxy_config_applied: bool = False,
    webhook: bool = False,
    facts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Istio's injectPod up to the patch: render, re-apply user overrides, post-process.

    Shared by kube-inject and the webhook (which diffs the result itself). The pod's
    proxy.istio.io/config is merged into the mesh config unless the caller already did. The
    webhook differs in two ways Istio has: its mesh config for Prometheus and probe ports is not
    the pod-merged one, and the config's injectedAnnotations are added. `facts` is
    `mesh_facts(settings' mesh)` when the caller keeps it (the webhook's settings serve many pods).
    """
    engine = engine or Engine.default()
    metadata = pod.get("metadata") or {}
    if deploy_meta is None or type_meta is None:
        deploy_meta, type_meta = workloads.deploy_meta_from_pod(metadata)
    annotations = metadata.get("annotations") or {}
    merged_settings = settings
    if not proxy_config_applied and PROXY_CONFIG_ANNOTATION in annotations:
        merged_settings = engine.apply_proxy_config(settings, annotations[PROXY_CONFIG_ANNOTATION])
    _check_preconditions(pod, warn)
    errors = validate.annotation_errors(annotations, getattr(settings, "release", None))
    if errors:
        raise InjectionError("failed to run injection template: " + "; ".join(errors))
    envs = postprocess.cluster_and_network(_values(settings), metadata.get("labels"), proxy_envs or {})
    original = kube.copy_json(pod)
    merged, template = _run_template(
        engine,
        pod,
        type_meta,
        deploy_meta,
        merged_settings,
        native_sidecars,
        envs,
        revision,
        _template_choice(settings) if webhook else {},
    )
    if facts is None:
        facts = mesh_facts(_mesh(settings))
    ctx = _context(merged_settings, revision, envs, facts if merged_settings is settings else None)
    if webhook:
        unmerged = facts
        ctx.status_port, ctx.prometheus_merge = unmerged["status_port"], unmerged["prometheus_merge"]
        ctx.injected_annotations = dict(_injected_annotations(settings))
    merged = postprocess.reapply_overwritten_containers(
        merged,
        original,
        template,
        ctx.interception_mode,
        merge=lambda target, patch: engine.strategic_merge(target, patch, POD_TYPE),
        normalize_container=engine.normalize_container or (lambda c: engine.normalize_as(c, CONTAINER_TYPE)),
        encode_container=engine.container_json or goutil.json_dumps,
    )
    postprocess.post_process_pod(merged, template, ctx)
    return merged


def _injected_annotations(settings: Any) -> dict[str, str]:
    config = getattr(settings, "inject_config", None)
    annotations = getattr(config, "injected_annotations", None)
    return annotations if isinstance(annotations, dict) else {}


def _template_choice(settings: Any) -> dict[str, Any]:
    """The webhook renders the config's default templates and aliases (kube-inject: `sidecar`)."""
    config = getattr(settings, "inject_config", None)
    return {
        "default_templates": getattr(config, "default_templates", None),
        "aliases": getattr(config, "aliases", None),
    }


def _run_template(
    engine: Engine,
    pod: dict[str, Any],
    type_meta: dict[str, str],
    deploy_meta: dict[str, str],
    settings: Any,
    native: bool,
    envs: dict[str, str],
    revision: str,
    choice: dict[str, Any],
) -> tuple[Any, Any]:
    try:
        merged, template = engine.run_template(
            pod, type_meta, deploy_meta, settings, native, dict(envs), revision, **choice
        )
    except SidecarError as err:
        raise InjectionError(f"failed to run injection template: {err}") from None
    return merged, template


def _context(
    settings: Any, revision: str, envs: dict[str, str], facts: dict[str, Any] | None = None
) -> postprocess.PostProcessContext:
    facts = mesh_facts(_mesh(settings)) if facts is None else facts
    return postprocess.PostProcessContext(values=_values(settings), revision=revision, proxy_envs=envs, **facts)


def settings_mesh_facts(settings: Any) -> dict[str, Any]:
    """`mesh_facts` of the settings' mesh config: what `inject_pod(facts=...)` takes."""
    return mesh_facts(_mesh(settings))


def mesh_facts(mesh: Any) -> dict[str, Any]:
    """The few mesh settings post-processing reads, from a config Message or a JSON-shaped dict."""
    proxy = _field(mesh, "default_config", "defaultConfig")
    mode = _field(proxy, "interception_mode", "interceptionMode")
    return {
        "status_port": int(_field(proxy, "status_port", "statusPort") or 0),
        "interception_mode": _enum_name(mode, ("REDIRECT", "TPROXY", "NONE")),
        "hold_application": _wrapped(
            _field(proxy, "hold_application_until_proxy_starts", "holdApplicationUntilProxyStarts")
        )
        is True,
        "prometheus_merge": _wrapped(_field(mesh, "enable_prometheus_merge", "enablePrometheusMerge")),
    }


def _outcome(obj: dict[str, Any], injected: bool, reason: str = "") -> Outcome:
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or ""
    return Outcome(str(obj.get("kind") or ""), meta.get("namespace") or "", name, injected, reason)


def _describe(obj: dict[str, Any]) -> str:
    """`Deployment shop/web`: how an error names the object it happened in."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or ""
    namespace = meta.get("namespace") or ""
    return f"{obj.get('kind')} {namespace + '/' if namespace else ''}{name}".rstrip()


def _go_text(err: BaseException) -> str:
    """The error as sigs.k8s.io/yaml.Unmarshal words it, when the error knows its stage."""
    yaml_message = getattr(err, "yaml_message", None)
    return yaml_message() if callable(yaml_message) else str(err)


def _check_preconditions(pod: dict[str, Any], warn: Warn | None) -> None:
    dns_policy = (pod.get("spec") or {}).get("dnsPolicy") or ""
    if warn is not None and dns_policy not in ("", "ClusterFirst"):
        metadata = pod.get("metadata") or {}
        name = f"{metadata.get('namespace') or ''}/{_pod_name(metadata)}"
        warn(
            f'{goutil.quote(name)}\'s DNSPolicy is not "ClusterFirst". '
            "The Envoy sidecar may not able to connect to Istio Pilot"
        )


def _pod_name(metadata: dict[str, Any]) -> str:
    if metadata.get("name"):
        return str(metadata["name"])
    if metadata.get("generateName"):
        return f"{metadata['generateName']}***** (actual name not yet known)"
    return ""


def _field(obj: Any, *names: str) -> Any:
    if obj is None:
        return None
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, "has") and _has(obj, name):
            return obj.get(name)
    return None


def _has(message: Any, name: str) -> bool:
    try:
        return bool(message.has(name)) or message.get(name) is not None
    except (KeyError, AttributeError, ValueError):
        return False


def _wrapped(value: Any) -> Any:
    """A protobuf wrapper (BoolValue...) as its scalar; None when unset."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return _field(value, "value")


def _enum_name(value: Any, names: tuple[str, ...]) -> str:
    if isinstance(value, int) and 0 <= value < len(names):
        return names[value]
    return value if isinstance(value, str) else names[0]


def _values(settings: Any) -> dict[str, Any]:
    """The Helm values as a map (config's ValuesConfig keeps it in `as_map`)."""
    values = settings.get("values") if isinstance(settings, dict) else getattr(settings, "values", None)
    values = getattr(values, "as_map", values)
    return values if isinstance(values, dict) else {}


def _mesh(settings: Any) -> Any:
    if isinstance(settings, dict):
        return settings.get("mesh") or settings.get("mesh_config")
    return getattr(settings, "mesh", None) or getattr(settings, "mesh_config", None)


def _render_run_template(
    pod: Any,
    type_meta: Any,
    deploy_meta: Any,
    settings: Any,
    native: bool,
    envs: dict[str, str],
    revision: str,
    **choice: Any,
) -> tuple[Any, Any]:
    params = render.InjectionParams(
        pod=pod,
        type_meta=type_meta,
        deploy_meta=deploy_meta,
        settings=settings,
        native_sidecars=native,
        proxy_envs=envs,
        revision=revision,
        **choice,
    )
    return render.run_template(params)


def _container_json(container: Any) -> str:
    """A typed container as encoding/json writes it (the template data's Go view knows the order)."""
    return str(data.KubeView("core.Container", container).go_json())


def _settings_with_proxy_config(settings: Any, annotation: str) -> Any:
    """A copy of the settings whose mesh config has the pod's proxy config merged in."""
    release = getattr(settings, "release", None)
    try:
        data = yamltext.load_yaml(annotation)
        if release is not None:  # an older release ignores the proxy config fields its Istio does not know
            data, _ = releases.without_fields(data, release.unknown_fields("ProxyConfig"))
        mesh = mesh_module.apply_proxy_config(data, _mesh(settings))
    except yamltext.YamlTextError as err:
        raise InjectionError(f"could not parse proxy config: {err}") from None
    except mesh_module.MeshError as err:
        raise InjectionError(str(err)) from None
    updated = copy.copy(settings)
    attr = "mesh" if hasattr(settings, "mesh") else "mesh_config"
    setattr(updated, attr, mesh)
    return updated
