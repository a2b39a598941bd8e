"""The stream pipeline with stand-ins for YAML, Kubernetes typing and rendering."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml

from sidecarctl.errors import InjectionError, InputError
from sidecarctl.inject.pipeline import Engine, KubeInject, mesh_facts


class FakeYamlError(Exception):
    pass


def load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise FakeYamlError(f"error converting YAML to JSON: {err}") from None


def split(text: str) -> list[str]:
    docs, current = [], []
    for line in text.splitlines(keepends=True):
        if line.rstrip("\r\n") == "---":
            if current:
                docs.append("".join(current))
            current = []
        else:
            current.append(line)
    if current:
        docs.append("".join(current))
    return docs


def run_template(
    pod: Any, type_meta: Any, deploy_meta: Any, settings: Any, native: bool, envs: Any, revision: str, **choice: Any
) -> tuple[Any, Any]:
    """Adds an istio-proxy container (init container when native) and a label."""
    if settings.get("fail"):
        raise InjectionError('requested template "x" not found; have sidecar')
    proxy = {"name": "istio-proxy", "image": "proxyv2", "env": [{"name": "KIND", "value": type_meta["kind"]}]}
    template = {
        "metadata": {"labels": {"injected": deploy_meta["name"]}},
        "spec": {"initContainers" if native else "containers": [proxy]},
    }
    merged = copy.deepcopy(pod)
    merged["metadata"].setdefault("labels", {}).update(template["metadata"]["labels"])
    key = "initContainers" if native else "containers"
    merged["spec"][key] = list(merged["spec"].get(key) or []) + [copy.deepcopy(proxy)]
    return merged, template


def normalize_as(value: Any, go_type: str) -> Any:
    """Identity, except TypeMeta: only a mapping (or nothing) decodes into it."""
    if go_type == "meta.TypeMeta":
        if value is not None and not isinstance(value, dict):
            raise FakeYamlError(f"json: cannot unmarshal {type(value).__name__} into Go value of type v1.TypeMeta")
        return {k: str(v) for k, v in (value or {}).items() if k in ("kind", "apiVersion")}
    return value


def engine() -> Engine:
    return Engine(
        split_documents=split,
        load_document=load,
        dump_yaml=lambda obj: json.dumps(obj, sort_keys=True) + "\n",
        normalize_as=normalize_as,
        strategic_merge=lambda pod, _patch, _type: pod,
        run_template=run_template,
        apply_proxy_config=lambda settings, text: {**settings, "proxy": text},
        input_errors=(FakeYamlError,),
    )


def kube_inject(**settings: Any) -> KubeInject:
    return KubeInject(
        settings={"values": {}, "mesh": {"defaultConfig": {"statusPort": 15020}}, **settings}, engine=engine()
    )


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
"""


def test_kind_is_read_as_a_string() -> None:
    assert kube_inject().inject_stream("kind: 5\nmetadata: {name: x}\n") == "kind: 5\nmetadata: {name: x}\n---\n"


def test_passthrough_and_injection() -> None:
    service = "# a comment\r\nkind: Service\nmetadata: {name: s}"
    out = kube_inject().inject_stream(service + "\n---\n" + DEPLOYMENT)
    first, second, rest = out.split("---\n")
    assert first == service + "\n"
    assert rest == ""
    obj = json.loads(second)
    template = obj["spec"]["template"]
    assert [c["name"] for c in template["spec"]["containers"]] == ["web", "istio-proxy"]
    assert template["metadata"]["labels"]["injected"] == "web"
    assert "sidecar.istio.io/status" in template["metadata"]["annotations"]


def test_skipped_workloads_warn_and_stay_uninjected() -> None:
    run = kube_inject()
    host = DEPLOYMENT.replace("    spec:\n", "    spec:\n      hostNetwork: true\n")
    off = DEPLOYMENT.replace("labels: {app: web}", "annotations: {sidecar.istio.io/inject: 'false'}")
    out = run.inject_stream(host + "---\n" + off)
    assert "istio-proxy" not in out
    assert run.warnings == [
        '===> Skipping injection because Deployment "shop/web" has host networking enabled\n',
        '===> Skipping injection because Deployment "shop/web" has sidecar injection disabled\n',
    ]


def test_list_items_are_injected_recursively() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
    inner = {"kind": "List", "items": [pod, {"kind": "Service", "metadata": {"name": "s"}}]}
    out = json.loads(kube_inject().inject_stream(json.dumps({"kind": "List", "items": [inner]})).split("---\n")[0])
    items = out["items"][0]["items"]
    assert [c["name"] for c in items[0]["spec"]["containers"]] == ["a", "istio-proxy"]
    assert items[1] == {"kind": "Service", "metadata": {"name": "s"}}


def test_native_sidecars_reach_the_template() -> None:
    run = kube_inject()
    run.native_sidecars = True
    obj = json.loads(run.inject_stream(DEPLOYMENT).split("---\n")[0])
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["initContainers"]] == ["istio-proxy"]


def test_proxy_config_annotation_reaches_the_settings() -> None:
    seen = []
    run = kube_inject()
    original = run.engine.run_template
    run.engine.run_template = lambda pod, tm, dm, settings, *rest: (
        seen.append(settings) or original(pod, tm, dm, settings, *rest)
    )
    run.inject_stream(DEPLOYMENT.replace("labels: {app: web}", "annotations: {proxy.istio.io/config: 'x: 1'}"))
    assert seen[0]["proxy"] == "x: 1"


@pytest.mark.parametrize(
    "text,error,message",
    [
        pytest.param("kind: Pod\nmetadata: [\n", InputError, "document 1: error converting YAML", id="bad-yaml"),
        pytest.param("- a\n- b\n", InputError, "cannot unmarshal list into Go value of type v1.TypeMeta", id="array"),
        pytest.param(
            "kind: ReplicationController\nmetadata: {name: r}\nspec: {}\n",
            InjectionError,
            "document 1 (ReplicationController r): spec.template is required value",
            id="missing-template",
        ),
        pytest.param(
            "kind: Service\n---\n"
            + DEPLOYMENT.replace(
                "labels: {app: web}", "annotations: {traffic.sidecar.istio.io/includeInboundPorts: bad}"
            ),
            InjectionError,
            "in.yaml: document 2 (Deployment shop/web): failed to run injection template: invalid value 'bad'",
            id="bad-annotation",
        ),
    ],
)
def test_errors_name_the_document(text: str, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        kube_inject().inject_stream(text, source="in.yaml")


def test_render_errors_are_wrapped() -> None:
    with pytest.raises(InjectionError, match='failed to run injection template: requested template "x"'):
        kube_inject(fail=True).inject_stream(DEPLOYMENT)


def test_mesh_facts_from_json_shape() -> None:
    facts = mesh_facts(
        {
            "defaultConfig": {"statusPort": 123, "interceptionMode": "TPROXY", "holdApplicationUntilProxyStarts": True},
            "enablePrometheusMerge": False,
        }
    )
    assert facts == {
        "status_port": 123,
        "interception_mode": "TPROXY",
        "hold_application": True,
        "prometheus_merge": False,
    }


def test_webhook_variant_uses_config_templates_and_injected_annotations() -> None:
    from types import SimpleNamespace

    from sidecarctl.inject.pipeline import inject_pod

    seen: dict[str, Any] = {}
    fake = engine()
    fake.run_template = lambda *args, **choice: seen.update(choice) or run_template(*args)
    config = SimpleNamespace(
        default_templates=["sidecar", "extra"], aliases={"a": ["b"]}, injected_annotations={"psp": "x"}
    )
    settings = SimpleNamespace(
        inject_config=config, values={}, mesh={"defaultConfig": {"statusPort": 15020}}, get=lambda key: None
    )
    pod = {"metadata": {"name": "p-1", "namespace": "ns"}, "spec": {"containers": [{"name": "app"}]}}
    out = inject_pod(pod, settings, engine=fake, webhook=True)
    assert seen == {"default_templates": ["sidecar", "extra"], "aliases": {"a": ["b"]}}
    assert out["metadata"]["annotations"]["psp"] == "x"
    seen.clear()
    inject_pod(pod, settings, engine=fake)
    assert seen == {}


def test_unexpected_exceptions_become_one_line_errors() -> None:
    run = kube_inject()
    run.engine.run_template = lambda *args, **kw: {}["boom"]
    with pytest.raises(InjectionError, match=r"document 1 \(Deployment shop/web\): internal error \(KeyError"):
        run.inject_stream(DEPLOYMENT)
