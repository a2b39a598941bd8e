"""Injection settings from files: the inject config forms, values, mesh config, IstioOperator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sidecarctl.config import load_settings, parse_inject_config, parse_values
from sidecarctl.config.inject_config import InjectConfigError
from sidecarctl.config.mesh import MeshError, apply_mesh_config, apply_proxy_config, default_mesh_config
from sidecarctl.config.operator import read_operator
from sidecarctl.config.proto import to_json
from sidecarctl.config.values import ValuesError
from sidecarctl.errors import ConfigError

needs_engine = pytest.mark.skipif(
    not hasattr(__import__("sidecarctl.gotemplate", fromlist=["parse"]), "parse"),
    reason="the template engine (sidecarctl.gotemplate.parse) is not in this tree yet",
)

FULL = """\
policy: enabled
defaultTemplates: [a, b]
alwaysInjectSelector:
- matchLabels: {x: "1"}
neverInjectSelector: []
injectedAnnotations:
  k: v
aliases:
  both: [a, b]
templates:
  a: |
    metadata:
      labels: {a: "{{ .Revision }}"}
  b: "spec: {}"
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- inject config --------------------------------------------------------------------------


@needs_engine
def test_full_config() -> None:
    c = parse_inject_config(FULL)
    assert not c.bare
    assert c.policy == "enabled"
    assert c.default_templates == ["a", "b"]
    assert c.aliases == {"both": ["a", "b"]}
    assert c.always_inject_selector == [{"matchLabels": {"x": "1"}}]
    assert c.injected_annotations == {"k": "v"}
    assert set(c.raw_templates) == set(c.templates) == {"a", "b"}


@needs_engine
def test_default_templates_default_to_sidecar() -> None:
    c = parse_inject_config("templates:\n  sidecar: 'spec: {}'\n")
    assert c.default_templates == ["sidecar"] and c.policy == ""


@needs_engine
@pytest.mark.parametrize(
    "text",
    [
        "metadata:\n  labels:\n    a: {{ .Revision }}\n",  # not YAML at all
        "spec:\n  containers: []\n",  # YAML, but no templates
        "templates: [a, b]\n",  # templates of the wrong type: the decode fails
        "policy: 5\ntemplates: {a: b}\n",  # any field of the wrong type
        "",
    ],
)
def test_bare_template(text: str) -> None:
    c = parse_inject_config(text)
    assert c.bare and c.raw_templates == {"sidecar": text} and c.default_templates == ["sidecar"]


@needs_engine
def test_legacy_single_template_becomes_sidecar() -> None:
    c = parse_inject_config("policy: enabled\ntemplate: |\n  spec: {}\n")
    assert not c.bare and c.raw_templates == {"sidecar": "spec: {}\n"}


@needs_engine
def test_templates_win_over_legacy_template() -> None:
    c = parse_inject_config('template: "{{ Broken }}"\ntemplates:\n  x: "spec: {}"\n')
    assert set(c.raw_templates) == {"x"}


@needs_engine
def test_parse_error_names_the_template() -> None:
    with pytest.raises(InjectConfigError) as info:
        parse_inject_config("templates:\n  good: 'x'\n  bad: '{{ if }}'\n")
    assert info.value.template == "bad"
    assert str(info.value).startswith("template: inject:1:")


@needs_engine
def test_unknown_function_fails_at_load(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "templates:\n  sidecar: '{{ nosuchfunc }}'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(inject_config_file=path, offline=True)
    message = str(info.value)
    assert "\n" not in message and path in message and 'template "sidecar"' in message
    assert 'function "nosuchfunc" not defined' in message


# --- values ---------------------------------------------------------------------------------


def test_values_json_and_yaml_give_the_same_map_with_float_numbers() -> None:
    as_json = parse_values('{"global": {"hub": "h", "tag": 130, "proxy": {"statusPort": 15020}}, "list": [1]}')
    as_yaml = parse_values("global:\n  hub: h\n  tag: 130\n  proxy:\n    statusPort: 15020\nlist: [1]\n")
    assert as_json.as_map == as_yaml.as_map
    assert isinstance(as_yaml.as_map["global"]["proxy"]["statusPort"], float)
    assert as_yaml.as_map["list"] == [1.0]
    assert as_yaml.raw.startswith("global:")


@pytest.mark.parametrize(
    "tag, want",
    [
        ('"1.30.3"', "1.30.3"),
        ("1.3", "1.3"),
        ("130", "130"),
        ("true", "true"),
        ("null", "<nil>"),
        ('""', ""),
    ],
)
def test_values_tag_prints_as_go_does(tag: str, want: str) -> None:
    assert parse_values(f'{{"global": {{"tag": {tag}}}}}').tag == want


def test_values_accessors_and_empty_values() -> None:
    v = parse_values(
        '{"global": {"hub": "h", "variant": "distroless", "proxy": {"image": "p"},'
        ' "multiCluster": {"clusterName": "c"}, "network": "n"}}'
    )
    assert (v.hub, v.variant, v.proxy_image, v.cluster_name, v.network) == ("h", "distroless", "p", "c", "n")
    assert parse_values("").as_map == {} and parse_values("").tag == ""


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[1, 2]", "cannot unmarshal array"),
        ('{"global": {"hub": 5}}', "cannot unmarshal number into Go value of type string"),
        ('{"global": "x"}', "cannot unmarshal string"),
        ("{unclosed", "could not parse configuration values"),
    ],
)
def test_values_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValuesError) as info:
        parse_values(text)
    assert fragment in str(info.value) and str(info.value).startswith("could not parse configuration values: ")


# --- mesh config ----------------------------------------------------------------------------


def mesh_json(data: Any) -> dict[str, Any]:
    return json.loads(to_json(apply_mesh_config(data)))  # type: ignore[no-any-return]


def test_mesh_defaults() -> None:
    m = mesh_json(None)
    assert m["proxyListenPort"] == 15001 and m["proxyInboundListenPort"] == 15006
    assert m["trustDomain"] == "cluster.local" and m["rootNamespace"] == "istio-system"
    assert m["defaultConfig"] == {
        "configPath": "./etc/istio/proxy",
        "binaryPath": "/usr/local/bin/envoy",
        "serviceCluster": "istio-proxy",
        "drainDuration": "45s",
        "discoveryAddress": "istiod.istio-system.svc:15012",
        "proxyAdminPort": 15000,
        "controlPlaneAuthPolicy": "MUTUAL_TLS",
        "statNameLength": 189,
        "statusPort": 15020,
        "terminationDrainDuration": "5s",
    }
    assert [p["name"] for p in m["extensionProviders"]] == ["prometheus", "stackdriver", "envoy"]
    assert m["protocolDetectionTimeout"] == "0s" and m["connectTimeout"] == "10s"
    assert "inboundTrafficPolicy" in m and m["inboundTrafficPolicy"] == {}  # PASSTHROUGH is the zero enum


def test_mesh_fields_override_and_default_config_merges() -> None:
    m = mesh_json(
        {
            "trustDomain": "td",
            "proxyListenPort": 16001,
            "defaultConfig": {"interceptionMode": "TPROXY", "proxyMetadata": {"A": "1"}},
        }
    )
    assert m["trustDomain"] == "td" and m["proxyListenPort"] == 16001
    pc = m["defaultConfig"]
    assert pc["interceptionMode"] == "TPROXY" and pc["proxyMetadata"] == {"A": "1"}
    assert pc["drainDuration"] == "45s" and pc["discoveryAddress"] == "istiod.istio-system.svc:15012"


def test_mesh_extension_providers_merge_by_name_and_aliases_union() -> None:
    m = mesh_json(
        {
            "extensionProviders": [
                {"name": "envoy", "envoyFileAccessLog": {"path": "/dev/stderr"}},
                {"name": "otel", "opentelemetry": {"service": "s", "port": 4317}},
            ],
            "trustDomainAliases": ["b", "a", "b"],
        }
    )
    providers = {p["name"]: p for p in m["extensionProviders"]}
    assert list(providers) == ["prometheus", "stackdriver", "envoy", "otel"]
    assert providers["envoy"]["envoyFileAccessLog"] == {"path": "/dev/stderr"}
    assert m["trustDomainAliases"] == ["a", "b"]


def test_mesh_default_providers_merge() -> None:
    m = mesh_json({"defaultProviders": {"metrics": ["prometheus"]}})
    assert m["defaultProviders"] == {"metrics": ["prometheus"]}


def test_mesh_accepts_proto_names_quoted_numbers_and_ignores_unknown_fields() -> None:
    m = mesh_json({"proxy_listen_port": "15002", "notAField": 1, "defaultConfig": {"alsoUnknown": True}})
    assert m["proxyListenPort"] == 15002 and "notAField" not in m


def test_mesh_null_keeps_the_default() -> None:
    assert mesh_json({"trustDomain": None})["trustDomain"] == "cluster.local"


@pytest.mark.parametrize(
    "data, fragment",
    [
        (
            {"proxyListenPort": 1.5},
            "failed to convert to proto. json: cannot unmarshal number 1.5 into Go value of type int32",
        ),
        ({"enableTracing": "yes"}, "cannot unmarshal string into Go value of type bool"),
        (
            {"ingressControllerMode": "BOGUS"},
            'unknown value "\\"BOGUS\\"" for enum istio.mesh.v1alpha1.MeshConfig.IngressControllerMode',
        ),
        ({"connectTimeout": "ten"}, 'bad Duration: time: invalid duration "ten"'),
        ({"defaultConfig": {"statusPort": "x"}}, "failed to convert to proto. invalid character 'x'"),
        ({"proxyListenPort": 0}, "invalid proxy listen port: port number 0 must be in the range 1..65535"),
        ({"defaultConfig": {"discoveryAddress": ""}}, "discovery address must be set"),
        (
            {"defaultConfig": {"discoveryAddress": "nohost"}},
            'invalid discovery address: unable to split "nohost": address nohost: missing port in address',
        ),
        ({"defaultConfig": {"drainDuration": "1.5s"}}, "drain time only supports durations to seconds precision"),
        ({"connectTimeout": "2h"}, "invalid connect timeout: time 2h0m0s must be >1ms and <1h0m0s"),
        ({"trustDomain": "Bad_Domain"}, 'trustDomain: trust domain name "Bad_Domain" invalid'),
        (
            {"defaultConfig": {"controlPlaneAuthPolicy": "INHERIT"}},
            'invalid authentication policy: unrecognized control plane auth policy "INHERIT"',
        ),
        ([1], "cannot unmarshal array into Go value of type map[string]json.RawMessage"),
    ],
)
def test_mesh_errors(data: Any, fragment: str) -> None:
    with pytest.raises(MeshError) as info:
        apply_mesh_config(data)
    assert fragment in str(info.value)


def test_apply_proxy_config_merges_metadata_and_keeps_the_mesh() -> None:
    mesh = apply_mesh_config({"defaultConfig": {"proxyMetadata": {"A": "1", "B": "1"}}})
    out = apply_proxy_config({"proxyMetadata": {"B": "2"}, "holdApplicationUntilProxyStarts": True}, mesh)
    pc = json.loads(to_json(out.get("default_config")))
    assert pc["proxyMetadata"] == {"A": "1", "B": "2"} and pc["holdApplicationUntilProxyStarts"] is True
    assert json.loads(to_json(mesh.get("default_config")))["proxyMetadata"] == {"A": "1", "B": "1"}


def test_oneof_members_replace_each_other() -> None:
    out = apply_proxy_config({"tracingServiceName": "CANONICAL_NAME_ONLY"}, default_mesh_config())
    pc = json.loads(to_json(out.get("default_config")))
    assert pc["tracingServiceName"] == "CANONICAL_NAME_ONLY" and "serviceCluster" not in pc


# --- IstioOperator --------------------------------------------------------------------------


def test_operator_values_over_profile_and_release_hub_tag() -> None:
    op = read_operator(
        "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n"
        "  values:\n    global:\n      proxy:\n        image: custom\n"
    )
    values = json.loads(op.values_json)
    assert values["global"]["proxy"] == {"image": "custom"}
    assert values["global"]["hub"] == "docker.io/istio" and values["global"]["tag"] == "1.30.3"
    assert values["global"]["istioNamespace"] == "istio-system"
    assert values["pilot"] == {"enabled": True, "cni": {"enabled": False}}
    assert op.mesh_config is None


def test_operator_spec_hub_tag_components_and_mesh() -> None:
    op = read_operator(
        "spec:\n  hub: my.hub\n  tag: 1.2.3\n  components:\n    cni:\n      enabled: true\n"
        "  meshConfig:\n    trustDomain: td\n  values:\n    global:\n      hub: wins\n"
    )
    values = json.loads(op.values_json)
    assert values["global"]["hub"] == "wins" and values["global"]["tag"] == "1.2.3"
    assert values["pilot"]["cni"]["enabled"] is True
    assert op.mesh_config == {"trustDomain": "td"}


def test_operator_overrides_files(tmp_path: Path) -> None:
    values = write(tmp_path, "v.json", '{"global": {"hub": "from-file"}}')
    mesh = write(tmp_path, "m.yaml", "trustDomain: from-file\n")
    op = write(
        tmp_path,
        "op.yaml",
        "spec:\n  meshConfig:\n    trustDomain: from-op\n  values:\n    global:\n      hub: from-op\n",
    )
    s = load_settings(values_file=values, mesh_config_file=mesh, operator_file=op, offline=True)
    assert s.values.hub == "from-op" and s.mesh.get("trust_domain") == "from-op"
    assert s.sources["values"].startswith("--operatorFileName") and s.sources["mesh"].startswith("--operatorFileName")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("spec:\n  profile: nosuch\n", 'profile "nosuch" not found'),
        ("spec: {}\n---\nspec: {}\n", "contains multiple IstioOperator CRs"),
    ],
)
def test_operator_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, "op.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(operator_file=path, offline=True)
    assert fragment in str(info.value) and path in str(info.value) and "\n" not in str(info.value)


# --- load_settings --------------------------------------------------------------------------


def test_offline_uses_the_built_in_defaults() -> None:
    s = load_settings(offline=True)
    assert s.sources == {
        "config": "built-in 1.30.3/inject-config.yaml",
        "values": "built-in 1.30.3/values.json",
        "mesh": "built-in 1.30.3/mesh-config.yaml",
    }
    assert "sidecar" in s.inject_config.raw_templates
    assert s.values.hub and s.mesh.get("trust_domain") == "cluster.local"


def test_files_win_over_offline_defaults(tmp_path: Path) -> None:
    values = write(tmp_path, "values.yaml", "global:\n  hub: mine\n")
    s = load_settings(values_file=values, offline=True)
    assert s.values.hub == "mine" and s.sources["values"] == f"--valuesFile {values}"


def test_cluster_seam_is_used_when_not_offline() -> None:
    class Cluster:
        def inject_template(self) -> str:
            return "templates:\n  sidecar: 'spec: {}'\n"

        def inject_values(self) -> str:
            return '{"global": {"hub": "cluster"}}'

        def mesh_config(self) -> str:
            return "trustDomain: cluster.td\n"

    s = load_settings(cluster=Cluster(), revision="canary")
    assert s.values.hub == "cluster" and s.mesh.get("trust_domain") == "cluster.td" and s.revision == "canary"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({}, "no --injectConfigFile given"),
        (
            {"values_file": "/nonexistent/v.json", "offline": True},
            "open /nonexistent/v.json: no such file or directory",
        ),
    ],
)
def test_load_settings_errors(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(**kwargs)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_mesh_file_error_is_one_line_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "mesh.yaml", "proxyListenPort: abc\n")
    with pytest.raises(ConfigError) as info:
        load_settings(mesh_config_file=path, offline=True)
    message = str(info.value)
    assert message.startswith(f"--meshConfigFile {path}: failed to convert to proto.") and "\n" not in message


def test_values_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "v.json", '{"global": {"hub": ["x"]}}')
    with pytest.raises(ConfigError) as info:
        load_settings(values_file=path, offline=True)
    assert f"--valuesFile {path}: could not parse configuration values" in str(info.value)


def test_mesh_yaml_syntax_error_reads_as_istios(tmp_path: Path) -> None:
    path = write(tmp_path, "mesh.yaml", "a: [1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(mesh_config_file=path, offline=True)
    assert str(info.value).startswith(
        f"--meshConfigFile {path}: failed to convert to proto. error converting YAML to JSON: yaml: line "
    )
