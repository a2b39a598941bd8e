"""RunTemplate over Istio's own injection templates and the conformance inputs.

The conformance settings live outside the repo (`../shared/conformance/istio-1.30.3` from the repo
root); the tests that need them skip when it is absent.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared_suite import SUITE, needs_suite, require_suite
from sidecarctl.config import load_settings
from sidecarctl.config.mesh import apply_mesh_config, apply_proxy_config, default_mesh_config
from sidecarctl.config.settings import Settings
from sidecarctl.config.values import parse_values
from sidecarctl.errors import InjectionError
from sidecarctl.gotemplate import istio
from sidecarctl.gotemplate.gotypes import GoMap, GoSlice, Int32, format_v
from sidecarctl.inject import render
from sidecarctl.inject.data import KubeView, NamespacedName, ProtoView, build_template_data
from sidecarctl.inject.render import InjectionParams, proxy_image, select_templates

ROOT = Path(__file__).resolve().parents[2]


def _has_merge() -> bool:
    import sidecarctl.kube
    import sidecarctl.yamlio

    return hasattr(sidecarctl.kube, "apply_overlay") and hasattr(sidecarctl.yamlio, "load_document")


needs_merge = pytest.mark.skipif(not _has_merge(), reason="kube.apply_overlay / yamlio.load_document not in tree")


@pytest.fixture(scope="module")
def settings() -> Settings:
    require_suite()
    return suite_settings("default")


def suite_settings(name: str) -> Settings:
    d = SUITE / "settings" / name
    return load_settings(
        inject_config_file=str(d / "inject-config.yaml"),
        values_file=str(d / "inject-values.yaml"),
        mesh_config_file=str(d / "mesh-config.yaml"),
    )


@pytest.fixture(autouse=True, scope="module")
def yaml_dumper() -> None:
    from sidecarctl.yamlio import dump_yaml

    istio.set_yaml_dumper(dump_yaml)


def deployment(name: str) -> dict[str, Any]:
    return yaml.safe_load((SUITE / "cases" / name).read_text())  # type: ignore[no-any-return]


def golden_pod(name: str) -> dict[str, Any]:
    doc = next(d for d in yaml.safe_load_all((SUITE / "cases" / name).read_text()) if d)
    return doc["spec"]["template"]  # type: ignore[no-any-return]


def render_one(
    settings: Settings, doc: dict[str, Any], template: str, native: bool = True, mesh: Any = None
) -> dict[str, Any]:
    pod = doc["spec"]["template"]
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    data = build_template_data(
        type_meta={"kind": doc["kind"], "apiVersion": doc["apiVersion"]},
        deploy_meta={"name": doc["metadata"]["name"], "namespace": doc["metadata"].get("namespace", "")},
        pod=pod,
        mesh=mesh or settings.mesh,
        values=settings.values.as_map,
        revision="",
        native_sidecars=native,
        proxy_image=proxy_image(settings.values, None, annotations),
    )
    out = yaml.safe_load(render.execute(settings.templates[template], data))
    assert isinstance(out, dict)
    return out


def find(containers: list[dict[str, Any]] | None, name: str) -> dict[str, Any]:
    return next(c for c in containers or [] if c["name"] == name)


_OMITEMPTY_INTS = {"initialDelaySeconds"}  # int32 omitempty; the *int64 runAsUser: 0 stays


def prune(value: Any) -> Any:
    """What Go's typed round trip drops: omitempty zero values, nulls, empty maps and lists."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {
            k: v
            for k, v in out.items()
            if not (v is None or v == {} or v == [] or v == "" or (k in _OMITEMPTY_INTS and v == 0))
        }
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def canonical_resources(container: dict[str, Any]) -> None:
    from sidecarctl.kube.quantity import parse_quantity

    for section in (container.get("resources") or {}).values():
        for key, q in section.items():
            section[key] = str(parse_quantity(str(q)))


# --- templates ------------------------------------------------------------------------------


@needs_suite
def test_every_template_parses(settings: Settings) -> None:
    assert sorted(settings.templates) == sorted(
        ["sidecar", "gateway", "grpc-simple", "grpc-agent", "waypoint", "kube-gateway", "agentgateway"]
    )
    assert settings.inject_config.default_templates == ["sidecar"]


@needs_suite
@pytest.mark.parametrize(
    "template, container_key, proxy_args",
    [
        ("sidecar", "initContainers", ["proxy", "sidecar"]),
        ("gateway", "containers", ["proxy", "router"]),
        ("grpc-agent", "containers", ["proxy", "sidecar"]),
    ],
)
def test_templates_render_the_proxy(
    settings: Settings, template: str, container_key: str, proxy_args: list[str]
) -> None:
    out = render_one(settings, deployment("hello.yaml"), template)
    proxy = find(out["spec"][container_key], "istio-proxy")
    assert proxy["image"] == "registry.istio.io/testing/proxyv2:latest"
    assert proxy["args"][:2] == proxy_args


@needs_suite
def test_grpc_simple_renders_its_bootstrap_init_container(settings: Settings) -> None:
    out = render_one(settings, deployment("hello.yaml"), "grpc-simple")
    init = find(out["spec"]["initContainers"], "grpc-bootstrap-init")
    assert init["env"][-1]["value"].strip() == "istio-system"
    assert out["metadata"]["annotations"]["sidecar.istio.io/rewriteAppHTTPProbers"] == "false"


@needs_suite
def test_sidecar_proxy_container_matches_the_golden(settings: Settings) -> None:
    out = render_one(settings, deployment("hello.yaml"), "sidecar")
    got = prune(find(out["spec"]["initContainers"], "istio-proxy"))
    canonical_resources(got)
    want = find(golden_pod("hello.yaml.injected")["spec"]["initContainers"], "istio-proxy")
    assert got == want


@needs_suite
def test_sidecar_init_container_and_volumes_match_the_golden(settings: Settings) -> None:
    out = render_one(settings, deployment("hello.yaml"), "sidecar")
    golden = golden_pod("hello.yaml.injected")
    got = prune(find(out["spec"]["initContainers"], "istio-init"))
    canonical_resources(got)
    assert got == find(golden["spec"]["initContainers"], "istio-init")
    assert prune(out["spec"]["volumes"]) == prune(golden["spec"]["volumes"])
    assert out["metadata"]["labels"] == {
        k: v for k, v in golden["metadata"]["labels"].items() if k.startswith(("security.istio.io", "service.istio.io"))
    }


@needs_suite
def test_sidecar_without_native_sidecars_matches_the_old_version_golden(settings: Settings) -> None:
    out = render_one(settings, deployment("daemonset.yaml"), "sidecar", native=False)
    got = prune(find(out["spec"]["containers"], "istio-proxy"))
    canonical_resources(got)
    want = find(golden_pod("daemonset-old-version.yaml.injected")["spec"]["containers"], "istio-proxy")
    assert got == want


@needs_suite
def test_tproxy_mesh_reaches_proxy_config_and_iptables() -> None:
    settings = suite_settings("interception-mode-tproxy")
    out = render_one(settings, deployment("hello.yaml"), "sidecar")
    proxy = find(out["spec"]["initContainers"], "istio-proxy")
    env = {e["name"]: e.get("value") for e in proxy["env"]}
    assert env["PROXY_CONFIG"].strip() == '{"interceptionMode":"TPROXY"}'
    assert env["ISTIO_META_INTERCEPTION_MODE"] == "TPROXY"
    init = find(out["spec"]["initContainers"], "istio-init")
    assert init["args"][init["args"].index("-m") + 1] == "TPROXY"


@needs_suite
def test_pod_proxy_config_annotation_reaches_the_template(settings: Settings) -> None:
    mesh = apply_proxy_config({"holdApplicationUntilProxyStarts": True}, settings.mesh)
    out = render_one(settings, deployment("hello.yaml"), "sidecar", native=False, mesh=mesh)
    proxy = find(out["spec"]["containers"], "istio-proxy")
    env = {e["name"]: e.get("value") for e in proxy["env"]}
    assert env["PROXY_CONFIG"].strip() == '{"holdApplicationUntilProxyStarts":true}'
    assert proxy["lifecycle"]["postStart"]["exec"]["command"] == ["pilot-agent", "wait"]


@needs_suite
def test_otel_semantic_conventions_add_resource_attributes() -> None:
    settings = suite_settings("otel-semconv")
    out = render_one(settings, deployment("hello.yaml"), "sidecar")
    env = {e["name"]: e.get("value") for e in find(out["spec"]["initContainers"], "istio-proxy")["env"]}
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == ("service.version=1.0,service.instance.id=.$(POD_NAME).hello")


@needs_suite
def test_every_conformance_pod_renders_with_its_templates() -> None:
    cases = yaml.safe_load((SUITE / "cases.yaml").read_text())
    cache: dict[str, Settings] = {}
    rendered = 0
    for case in cases:
        settings = cache.setdefault(case["settings"], suite_settings(case["settings"]))
        for doc in yaml.safe_load_all((SUITE / "cases" / case["input"]).read_text()):
            for owner, pod in _pods(doc):
                rendered += _render_pod(settings, owner, pod, case["native_sidecars"])
    assert rendered >= 70


def _pods(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return
    if doc.get("kind") == "List":
        for item in doc.get("items") or []:
            yield from _pods(item)
    elif doc.get("kind") == "Pod":
        yield doc, doc
    elif doc.get("kind") == "CronJob":
        yield doc, doc["spec"]["jobTemplate"]["spec"]["template"]
    elif isinstance(doc.get("spec"), dict) and "template" in doc["spec"]:
        yield doc, doc["spec"]["template"]


def _render_pod(settings: Settings, owner: dict[str, Any], pod: dict[str, Any], native: bool) -> int:
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    mesh = settings.mesh
    if "proxy.istio.io/config" in annotations:
        mesh = apply_proxy_config(yaml.safe_load(annotations["proxy.istio.io/config"]), mesh)
    params = InjectionParams(
        pod=pod, type_meta={}, deploy_meta={}, settings=settings, native_sidecars=native, proxy_envs={}
    )
    data = build_template_data(
        type_meta={"kind": owner.get("kind", ""), "apiVersion": owner.get("apiVersion", "")},
        deploy_meta={"name": owner["metadata"].get("name", ""), "namespace": owner["metadata"].get("namespace", "")},
        pod=pod,
        mesh=mesh,
        values=settings.values.as_map,
        revision="",
        native_sidecars=native,
        proxy_image=proxy_image(settings.values, None, annotations),
    )
    for name in select_templates(params):
        if name in settings.templates:
            assert isinstance(yaml.safe_load(render.execute(settings.templates[name], data)), (dict, type(None)))
    return 1


# --- selection and errors -------------------------------------------------------------------


def _params(annotations: dict[str, str] | None = None, **kw: Any) -> InjectionParams:
    pod = {"metadata": {"annotations": annotations or {}}, "spec": {"containers": [{"name": "app"}]}}
    return InjectionParams(
        pod=pod,
        type_meta={},
        deploy_meta={},
        settings=None,
        native_sidecars=False,  # type: ignore[arg-type]
        proxy_envs={},
        **kw,
    )


@pytest.mark.parametrize(
    "annotations, kw, want",
    [
        ({}, {}, ["sidecar"]),
        ({"inject.istio.io/templates": "gateway, spire"}, {}, ["gateway", "spire"]),
        ({"inject.istio.io/templates": "both"}, {"aliases": {"both": ["a", "b"]}}, ["a", "b"]),
        ({}, {"default_templates": ["x", "both"], "aliases": {"both": ["a", "both"]}}, ["x", "a", "both"]),
        ({"inject.istio.io/templates": ""}, {}, [""]),
    ],
)
def test_select_templates(annotations: dict[str, str], kw: dict[str, Any], want: list[str]) -> None:
    assert select_templates(_params(annotations, **kw)) == want


def _tiny_settings(templates: str) -> Settings:
    from sidecarctl.config.inject_config import parse_inject_config

    return Settings(inject_config=parse_inject_config(templates), values=parse_values("{}"), mesh=default_mesh_config())


def test_unknown_template_lists_the_known_ones() -> None:
    params = _params({"inject.istio.io/templates": "nope"})
    params = params._replace(settings=_tiny_settings("templates:\n  b: 'x: 1'\n  a: 'x: 1'\n"))
    with pytest.raises(InjectionError) as info:
        render.run_template(params)
    assert str(info.value) == 'requested template "nope" not found; have a, b'


def test_template_execution_errors_keep_gos_text() -> None:
    params = _params()
    params = params._replace(settings=_tiny_settings("templates:\n  sidecar: '{{ .NoSuchField }}'\n"))
    with pytest.raises(InjectionError) as info:
        render.run_template(params)
    assert str(info.value).startswith(
        'template: inject:1:3: executing "inject" at <.NoSuchField>: can\'t evaluate field NoSuchField'
    )


@needs_merge
@needs_suite
def test_run_template_merges_onto_the_pod(settings: Settings) -> None:
    doc = deployment("hello.yaml")
    params = InjectionParams(
        pod=copy.deepcopy(doc["spec"]["template"]),
        type_meta={"kind": "Deployment", "apiVersion": "apps/v1"},
        deploy_meta={"name": "hello", "namespace": ""},
        settings=settings,
        native_sidecars=True,
        proxy_envs={},
    )
    merged, template = render.run_template(params)
    assert [c["name"] for c in merged["spec"]["initContainers"]] == ["istio-init", "istio-proxy"]
    assert [c["name"] for c in merged["spec"]["containers"]] == ["hello"]
    assert [c["name"] for c in template["spec"]["initContainers"]] == ["istio-init", "istio-proxy"]


# --- proxy image ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, annotations, image_type, want",
    [
        ({"global": {"hub": "h", "tag": "1.30.3"}}, {}, None, "h/proxyv2:1.30.3"),
        ({"global": {"hub": "h", "tag": "1.30.3", "variant": "distroless"}}, {}, None, "h/proxyv2:1.30.3-distroless"),
        ({"global": {"hub": "h", "tag": "1.30.3-distroless", "variant": "debug"}}, {}, None, "h/proxyv2:1.30.3-debug"),
        (
            {"global": {"hub": "h", "tag": "1.30.3-debug"}},
            {"sidecar.istio.io/proxyImageType": "default"},
            None,
            "h/proxyv2:1.30.3",
        ),
        ({"global": {"hub": "h", "tag": 1.3, "proxy": {"image": "custom"}}}, {}, None, "h/custom:1.3"),
        (
            {"global": {"hub": "h", "tag": "t", "variant": "debug"}},
            {},
            "",
            "h/proxyv2:t",
        ),  # proxy config wins, even empty
        ({}, {}, None, "/proxyv2:"),
    ],
)
def test_proxy_image(values: dict[str, Any], annotations: dict[str, str], image_type: str | None, want: str) -> None:
    image = None
    if image_type is not None:
        mesh = apply_mesh_config({"defaultConfig": {"image": {"imageType": image_type}}})
        image = mesh.get("default_config").values.get("image")
        assert image is not None
    assert proxy_image(parse_values(json.dumps(values)), image, annotations) == want


# --- the Go views ---------------------------------------------------------------------------


def test_proto_views_have_go_getters_and_nil_safety() -> None:
    view = ProtoView("istio.mesh.v1alpha1.ProxyConfig", default_mesh_config().get("default_config"))
    assert view.go_type == "*v1alpha1.ProxyConfig"
    mode = view.go_field("InterceptionMode")
    assert format_v(mode) == "REDIRECT" and mode.go_method("String")() == "REDIRECT"
    tracing = view.go_method("GetTracing")()
    assert tracing.go_is_nil()
    tls = tracing.go_method("GetTlsSettings")()
    assert tls.go_is_nil() and tls.go_method("GetCaCertificates")() == ""
    hold = view.go_field("HoldApplicationUntilProxyStarts")
    assert hold.go_is_nil() and hold.go_method("GetValue")() is False
    assert isinstance(view.go_field("ProxyMetadata"), GoMap) and view.go_field("ProxyMetadata") == {}
    assert view.go_field("StatusPort") == 15020 and isinstance(view.go_field("StatusPort"), Int32)
    assert view.go_method("GetServiceCluster")() == "istio-proxy"
    assert view.go_field("ClusterName").go_field("ServiceCluster") == "istio-proxy"
    with pytest.raises(AttributeError):
        view.go_field("ServiceCluster")  # oneof members are not struct fields


def test_proto_to_json_cleans_proxy_config_defaults() -> None:
    pc = apply_mesh_config({"defaultConfig": {"concurrency": 2, "proxyMetadata": {}}}).get("default_config")
    assert istio.ISTIO_FUNCS["protoToJSON"](ProtoView("istio.mesh.v1alpha1.ProxyConfig", pc)) == '{"concurrency":2}'


def test_kube_views_give_go_zero_values_and_json() -> None:
    spec = KubeView(
        "core.PodSpec",
        {
            "containers": [
                {
                    "name": "app",
                    "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 53, "protocol": "UDP"}],
                }
            ]
        },
    )
    assert spec.go_field("ServiceAccountName") == ""
    assert spec.go_field("SecurityContext").go_is_nil()
    containers = spec.go_field("Containers")
    assert isinstance(containers, GoSlice) and containers.go_type == "[]v1.Container"
    ports = containers[0].go_field("Ports")
    assert istio.ISTIO_FUNCS["structToJSON"](ports[0]) == '{"name":"http","containerPort":80}'
    assert istio.ISTIO_FUNCS["includeInboundPorts"](containers) == "80"
    meta = KubeView("meta.ObjectMeta", {"name": "p"})
    assert meta.go_field("Annotations") == {} and meta.go_field("Annotations").go_type == "map[string]string"
    assert KubeView("meta.TypeMeta", {"apiVersion": "apps/v1"}).go_field("APIVersion") == "apps/v1"
    assert format_v(NamespacedName("ns", "n")) == "ns/n"


def test_kube_view_json_follows_encoding_json() -> None:
    assert KubeView("core.Pod", {}).go_json() == '{"metadata":{},"spec":{"containers":null},"status":{}}'
    assert KubeView("core.Container", {"name": "a", "ports": [{"containerPort": 1}]}).go_json() == (
        '{"name":"a","ports":[{"containerPort":1}],"resources":{}}'
    )
    assert format_v(KubeView("core.PodSpec", {}).go_field("TerminationGracePeriodSeconds")) == "<nil>"
