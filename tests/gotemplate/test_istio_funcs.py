"""Istio's template functions (template.go), called directly with Go-model values."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.gotemplate import istio
from sidecarctl.gotemplate.gotypes import MISSING, GoError, GoMap, GoObject, GoSlice, Int32, Int64
from sidecarctl.gotemplate.istio import ISTIO_FUNCS

F = ISTIO_FUNCS


class Struct(GoObject):
    """A minimal Go struct view: fields by Go name, optional getters."""

    def __init__(self, go_type: str = "struct {}", **fields: Any) -> None:
        self.go_type = go_type
        self.fields = fields

    def go_field(self, name: str) -> Any:
        if name not in self.fields:
            raise AttributeError(name)
        return self.fields[name]

    def go_method(self, name: str) -> Any:
        if name.startswith("Get") and name[3:] in self.fields:
            return lambda: self.fields[name[3:]]
        return None


class Enum(GoObject):
    def __init__(self, name: str) -> None:
        self.name = name

    def go_string(self) -> str:
        return self.name


def container(name: str, image: str = "", ports: list[tuple[int, str]] = ()) -> Struct:  # type: ignore[assignment]
    plist = GoSlice(
        [Struct("v1.ContainerPort", ContainerPort=Int32(p), Protocol=proto) for p, proto in ports],
        elem="v1.ContainerPort",
    )
    return Struct("v1.Container", Name=name, Image=image, Ports=plist)


def test_every_function_is_declared_with_its_go_signature() -> None:
    assert sorted(F) == sorted(
        [
            "formatDuration",
            "isset",
            "excludeInboundPort",
            "includeInboundPorts",
            "kubevirtInterfaces",
            "excludeInterfaces",
            "applicationPorts",
            "annotation",
            "valueOrDefault",
            "toJSON",
            "fromJSON",
            "structToJSON",
            "protoToJSON",
            "toYaml",
            "indent",
            "directory",
            "contains",
            "toLower",
            "appendMultusNetwork",
            "env",
            "omit",
            "strdict",
            "toJsonMap",
            "mergeMaps",
            "omitNil",
            "otelResourceAttributes",
        ]
    )
    assert F["annotation"].params == ("v1.ObjectMeta", "string", "interface {}")
    assert F["includeInboundPorts"].params == ("[]v1.Container",)
    assert F["omit"].variadic and F["omit"].params == ("map[string]string", "string")
    assert F["indent"].params == ("int", "string")
    assert F["otelResourceAttributes"].params[0] == "*v1alpha1.MeshConfig"


@pytest.mark.parametrize(
    "port, excluded, want",
    [
        (15020.0, "", "15020"),
        (15020.0, "1,2", "1,2,15020"),
        ("15020", "15020,1", "15020,1"),  # already excluded: unchanged text
        ("15020", " 1 , ,2", "1,2,15020"),  # spaces trimmed, empties dropped
        ("0", "1", "1"),
        ("", "1", "1"),
        (" 7 ", "", "7"),
        (None, "", "<nil>"),  # fmt.Sprint(nil)
        (Int64(15021), "a", "a,15021"),
    ],
)
def test_exclude_inbound_port(port: Any, excluded: str, want: str) -> None:
    assert F["excludeInboundPort"](port, excluded) == want


@pytest.mark.parametrize(
    "value, default, want",
    [
        ("", "d", "d"),
        (None, "d", "d"),
        (MISSING, "d", "d"),
        ("x", "d", "x"),
        (0.0, "d", 0.0),
        (False, "d", False),
    ],
)
def test_value_or_default(value: Any, default: Any, want: Any) -> None:
    assert F["valueOrDefault"](value, default) == want


@pytest.mark.parametrize(
    "m, key, want",
    [
        (GoMap({"a": ""}), "a", True),
        (GoMap({"a": "1"}), "b", False),
        (None, "a", False),
        (GoMap(), "a", False),
    ],
)
def test_isset(m: Any, key: str, want: bool) -> None:
    assert F["isset"](m, key) is want


def test_annotation_uses_the_default_printed_by_fmt() -> None:
    meta = Struct("v1.ObjectMeta", Annotations=GoMap({"a": "x", "empty": ""}))
    assert F["annotation"](meta, "a", "d") == "x"
    assert F["annotation"](meta, "empty", "d") == ""
    assert F["annotation"](meta, "b", 15020.0) == "15020"
    assert F["annotation"](meta, "b", Enum("REDIRECT")) == "REDIRECT"
    assert F["annotation"](meta, "b", None) == "<nil>"
    assert F["annotation"](meta, "b", True) == "true"
    assert F["annotation"](Struct("v1.ObjectMeta", Annotations=GoMap()), "b", 1e6) == "1e+06"


@pytest.mark.parametrize(
    "fn, arg, want",
    [
        ("toJSON", None, "{}"),
        ("toJSON", GoMap(), "{}"),
        ("toJSON", GoMap({"b": "<2>", "a": "1&"}), '{"a":"1\\u0026","b":"\\u003c2\\u003e"}'),
        ("structToJSON", None, "{}"),
        ("structToJSON", {"b": 1.0, "a": [1.5, None, True]}, '{"a":[1.5,null,true],"b":1}'),
        ("structToJSON", {"x": float("nan")}, "{}"),  # json: unsupported value
        (
            "structToJSON",
            {"big": 1e21, "small": 1e-7, "mid": 1e20},
            '{"big":1e+21,"mid":100000000000000000000,"small":1e-7}',
        ),
        ("structToJSON", 'a\n"b"', '"a\\n\\"b\\""'),
    ],
)
def test_json_encoders(fn: str, arg: Any, want: str) -> None:
    assert F[fn](arg) == want


def test_struct_to_json_uses_the_views_go_json() -> None:
    class Port(GoObject):
        def go_json(self) -> str:
            return '{"name":"http","containerPort":80}'

    assert F["structToJSON"](Port()) == '{"name":"http","containerPort":80}'


@pytest.mark.parametrize(
    "text, want",
    [
        ('{"a": 1, "b": [true, null, "x"]}', {"a": 1.0, "b": [True, None, "x"]}),
        ("3", 3.0),
        ('"s"', "s"),
        ("", "{}"),  # invalid: Istio logs and returns the string "{}"
        ("{bad", "{}"),
        ("NaN", "{}"),
    ],
)
def test_from_json(text: str, want: Any) -> None:
    got = F["fromJSON"](text)
    assert got == want and type(got) is type(want)


def test_from_json_numbers_are_float64() -> None:
    assert isinstance(F["fromJSON"]('{"n": 5}')["n"], float)


@pytest.mark.parametrize(
    "spaces, source, want",
    [
        (4, "a\nb\n", "a\n    b\n    "),
        (2, "single", "single"),
        (0, "a\nb", "a\nb"),
        (-2, "a\nb", "a\n  b"),  # `% -2s`: still padded to width 2
    ],
)
def test_indent(spaces: int, source: str, want: str) -> None:
    assert F["indent"](spaces, source) == want


@pytest.mark.parametrize(
    "path, want",
    [
        ("/etc/certs/root.pem", "/etc/certs/"),
        ("root.pem", ""),
        ("/a/", "/a/"),
        ("", ""),
    ],
)
def test_directory(path: str, want: str) -> None:
    assert F["directory"](path) == want


def test_contains_is_flipped_and_small_string_helpers() -> None:
    assert F["contains"]("/", "a/b") is True
    assert F["contains"]("a/b", "/") is False
    assert F["toLower"]("ReplicaSet") == "replicaset"
    assert F["kubevirtInterfaces"]("eth1") == "eth1"
    assert F["excludeInterfaces"]("eth2") == "eth2"


@pytest.mark.parametrize(
    "existing, network, want",
    [
        ("", "default/istio-cni", "default/istio-cni"),
        ("macvlan", "default/istio-cni", "macvlan, default/istio-cni"),
        ("macvlan, default/istio-cni", "default/istio-cni", "macvlan, default/istio-cni"),
        (
            '[{"name": "macvlan"}]',
            "default/istio-cni",
            '[{"name": "macvlan"}, {"name": "istio-cni", "namespace": "default"}]',
        ),
        ('[{"name": "macvlan"}]', "istio-cni", '[{"name": "macvlan"}, {"name": "istio-cni"}]'),
        (
            '[{"name": "istio-cni", "namespace": "default"}]',
            "default/istio-cni",
            '[{"name": "istio-cni", "namespace": "default"}]',
        ),
        ('[{"name": "istio-cni"}]', "istio-cni", '[{"name": "istio-cni"}]'),
        ("[not json]", "default/istio-cni", "[not json]"),  # logged, left alone
    ],
)
def test_append_multus_network(existing: str, network: str, want: str) -> None:
    assert F["appendMultusNetwork"](existing, network) == want


def test_container_ports() -> None:
    containers = GoSlice(
        [
            container("app", ports=[(80, "TCP"), (53, "UDP"), (9000, ""), (132, "SCTP")]),
            container("istio-proxy", ports=[(15090, "TCP")]),
        ],
        elem="v1.Container",
    )
    assert F["includeInboundPorts"](containers) == "80,9000,15090"
    assert F["applicationPorts"](containers) == "80,9000"
    assert F["includeInboundPorts"](GoSlice([], elem="v1.Container")) == ""


def test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDECARCTL_T", "v")
    monkeypatch.setenv("SIDECARCTL_EMPTY", "")
    assert F["env"]("SIDECARCTL_T", "d") == "v"
    assert F["env"]("SIDECARCTL_EMPTY", "d") == "d"
    assert F["env"]("SIDECARCTL_UNSET_XYZ", "d") == "d"


def test_map_helpers() -> None:
    got = F["omit"](GoMap({"a": "1", "b": "2", "c": "3"}), "a", "c")
    assert got == {"b": "2"} and isinstance(got, GoMap)
    assert F["omit"](None) == {}
    assert F["strdict"]("a", "1", "b") == {"a": "1", "b": ""}
    assert F["strdict"]() == {}
    assert F["mergeMaps"](GoMap({"a": "1", "b": "1"}), GoMap({"b": "2"})) == {"a": "1", "b": "2"}
    assert F["mergeMaps"]() == {}
    assert F["toJsonMap"](GoMap({"b": "2"}), GoMap({"a": "1"})) == '{"a":"1","b":"2"}'
    assert F["toJsonMap"]() == "null"  # mergeMaps of nothing is a nil map


@pytest.mark.parametrize(
    "value, want",
    [
        (None, None),
        ({"a": None}, None),  # everything removed: nil
        ({"a": 1.0, "b": None}, {"a": 1.0}),
        ({"limits": {"cpu": None, "memory": "1Gi"}, "requests": {"cpu": None}}, {"limits": {"memory": "1Gi"}}),
        ([1.0, None, [None]], [1.0]),
        ({"a": {}}, {"a": {}}),  # an empty map without nils is kept
        ("s", "s"),
    ],
)
def test_omit_nil(value: Any, want: Any) -> None:
    assert F["omitNil"](value) == want


def test_omit_nil_returns_the_same_object_when_nothing_changes() -> None:
    value = {"a": {"b": 1.0}}
    assert F["omitNil"](value) is value


@pytest.mark.parametrize(
    "seconds, nanos, want",
    [
        (45, 0, "45s"),
        (0, 0, "0s"),
        (3723, 500_000_000, "1h2m3.5s"),
        (0, 1_500_000, "1.5ms"),
        (0, 1_000, "1µs"),
        (0, 5, "5ns"),
        (-90, 0, "-1m30s"),
        (60, 0, "1m0s"),
    ],
)
def test_format_duration(seconds: int, nanos: int, want: str) -> None:
    assert F["formatDuration"](Struct("*durationpb.Duration", Seconds=Int64(seconds), Nanos=Int32(nanos))) == want


def test_format_duration_of_nil_is_zero() -> None:
    assert F["formatDuration"](None) == "0s"


def test_proto_to_json() -> None:
    class Proxy(GoObject):
        def go_proto_json(self) -> str:
            return '{"interceptionMode":"TPROXY"}'

    class NilProxy(Proxy):
        def go_is_nil(self) -> bool:
            return True

    assert F["protoToJSON"](Proxy()) == '{"interceptionMode":"TPROXY"}'
    assert F["protoToJSON"](NilProxy()) == "{}"
    assert F["protoToJSON"](None) == "{}"
    assert F["protoToJSON"](MISSING) == "{}"
    with pytest.raises(GoError, match=r"^wrong type for value; expected proto.Message; got map\[string\]string$"):
        F["protoToJSON"](GoMap())


def test_to_yaml_goes_through_json_then_the_installed_encoder() -> None:
    seen: list[Any] = []

    def dumper(data: Any) -> str:
        seen.append(data)
        return "dumped\n"

    old = istio._yaml_dumper
    istio.set_yaml_dumper(dumper)
    try:
        assert F["toYaml"]({"cpu": 2000.0, "x": [1.5]}) == "dumped\n"
        assert seen == [{"cpu": 2000, "x": [1.5]}] and isinstance(seen[0]["cpu"], int)
        assert F["toYaml"]({"bad": float("inf")}) == ""  # marshal error: logged, empty
    finally:
        istio._yaml_dumper = old


def _mesh(enrichment: str | None) -> Struct:
    providers = [Struct("*v1alpha1.MeshConfig_ExtensionProvider", Opentelemetry=None)]
    if enrichment is not None:
        otel = Struct("*otel", ServiceAttributeEnrichment=Enum(enrichment))
        providers.append(Struct("*v1alpha1.MeshConfig_ExtensionProvider", Opentelemetry=otel))
    return Struct("*v1alpha1.MeshConfig", ExtensionProviders=GoSlice(providers, elem="*p"))


@pytest.mark.parametrize(
    "annotations, labels, namespace, containers, want",
    [
        (
            {},
            {},
            "ns",
            [container("app", "nginx:1.21")],
            "service.namespace=ns,service.version=1.21,service.instance.id=ns.$(POD_NAME).app",
        ),
        (
            {},
            {},
            "ns",
            [container("app", "reg:5000/nginx@sha256:abc")],
            "service.namespace=ns,service.version=sha256:abc,service.instance.id=ns.$(POD_NAME).app",
        ),
        (
            {},
            {},
            "ns",
            [container("app", "nginx:1.21@sha256:abc")],
            "service.namespace=ns,service.version=1.21@sha256:abc,service.instance.id=ns.$(POD_NAME).app",
        ),
        ({}, {}, "", [container("a", "x:1"), container("b", "y:2")], "service.instance.id=.$(POD_NAME).a"),
        (
            {
                "resource.opentelemetry.io/service.namespace": "n2",
                "resource.opentelemetry.io/service.version": "v9",
                "resource.opentelemetry.io/service.instance.id": "id",
            },
            {"app.kubernetes.io/version": "v1"},
            "ns",
            [],
            "service.namespace=n2,service.version=v9,service.instance.id=id",
        ),
        ({}, {"app.kubernetes.io/version": "v1"}, "ns", [], "service.namespace=ns,service.version=v1"),
        ({}, {}, "ns", [container("app", "nginx")], "service.namespace=ns,service.instance.id=ns.$(POD_NAME).app"),
    ],
)
def test_otel_resource_attributes(
    annotations: dict[str, str], labels: dict[str, str], namespace: str, containers: list[Any], want: str
) -> None:
    got = F["otelResourceAttributes"](
        _mesh("OTEL_SEMANTIC_CONVENTIONS"),
        GoMap(annotations),
        GoMap(labels),
        namespace,
        GoSlice(containers, elem="v1.Container"),
    )
    assert got == want


def test_otel_resource_attributes_needs_semantic_conventions() -> None:
    args = (GoMap(), GoMap(), "ns", GoSlice([container("a", "x:1")], elem="v1.Container"))
    assert F["otelResourceAttributes"](_mesh(None), *args) == ""
    assert F["otelResourceAttributes"](_mesh("NONE"), *args) == ""
    assert F["otelResourceAttributes"](None, *args) == ""


def test_go_json_helpers() -> None:
    assert istio.go_json_string("\u2028\b\x01") == '"\\u2028\\b\\u0001"'
    assert istio.go_json(b"hi") == '"aGk="'
    assert istio.go_json(GoMap({"b": "1", "a": "2"})) == '{"a":"2","b":"1"}'
