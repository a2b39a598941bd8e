"""Executor: Go's semantics over JSON-shaped data, and Go's execution errors."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.gotemplate import TemplateError, parse
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoMap, GoObject, GoSlice, Int32, Int64

DATA: dict[str, Any] = {
    "name": "demo",
    "n": 3.0,
    "big": 1e6,
    "nil": None,
    "list": ["a", "b", "c"],
    "nums": [1.0, 2.0, 3.0],
    "mixed": [1.0, "two", None],
    "m": {"a": 1.0, "c": {"d": "deep"}},
    "empty": "",
    "t": True,
    "f": False,
    "labels": GoMap({"app": "x"}),
    "strs": GoSlice(["p", "q"]),
}


class Point(GoObject):
    go_type = "main.Point"

    def go_field(self, name: str) -> Any:
        if name == "X":
            return 7
        raise AttributeError(name)

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Scale":
            return GoFunc("Scale", lambda k: 7 * k, ("int",), result="int")
        return None


class Err(str):
    """An expected error text (Go's err.Error()) in a table whose other rows expect output."""


class NilPoint(Point):
    go_type = "*main.Point"
    go_kind = "ptr"

    def go_is_nil(self) -> bool:
        return True

    def go_field(self, name: str) -> Any:
        if name == "X":
            raise GoError("nil")
        raise AttributeError(name)


class PointPtr(Point):
    go_type = "*main.Point"
    go_kind = "ptr"

    def go_fields_for_print(self) -> list[Any]:
        return [7]


class Enum(GoObject):
    """A named int type with a String method, like a protobuf enum."""

    go_type = "mesh.Mode"
    go_kind = "int32"

    def __init__(self, n: int) -> None:
        self.n = n

    def go_value(self) -> Any:
        return Int32(self.n)

    def go_string(self) -> str:
        return ["ZERO", "ONE"][self.n]


def render(text: str, data: Any = DATA, **kw: Any) -> str:
    return parse(text, "inject", **kw).execute(data)


def outcome(text: str, data: Any = DATA, **kw: Any) -> str:
    """The output, or Err(message) when the template fails."""
    try:
        return render(text, data, **kw)
    except TemplateError as e:
        return Err(str(e))


@pytest.mark.parametrize(
    "text, want",
    [
        pytest.param("{{ .name }}", "demo", id="field"),
        pytest.param("{{ .big }}", "1e+06", id="float-printing"),
        pytest.param("{{ .missing }}", "<no value>", id="missing-key"),
        pytest.param("{{ .missing.x.y }}", "<no value>", id="chain-after-missing"),
        pytest.param("{{ .nil }}", "<no value>", id="nil-in-pipeline"),
        pytest.param("{{ print .nil .missing }}", "<nil> <nil>", id="nil-as-argument"),
        pytest.param("{{ range .mixed }}<{{ . }}>{{ end }}", "<1><two><<no value>>", id="range-nil-element"),
        pytest.param("{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", "a=1;c=map[d:deep];", id="range-map"),
        pytest.param('{{ range .list }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', "a", id="break"),
        pytest.param('{{ range .list }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', "ac", id="continue"),
        pytest.param('{{ and 1 0 2 }}|{{ or 0 "" "x" }}', "0|x", id="and-or-operand"),
        pytest.param("{{ or true (index .list 10) }}", "true", id="or-short-circuit"),
        pytest.param("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2", id="assign-outer"),
        pytest.param("{{ with .m }}{{ .c.d }}{{ $.name }}{{ end }}", "deepdemo", id="with-dollar"),
        pytest.param('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .name }}', "[demo]", id="template"),
        pytest.param('{{ index .labels "zz" | printf "%q" }}', '""', id="typed-map-zero"),
        pytest.param("{{ .labels.zz }}", "<no value>", id="typed-map-field-missing"),
        pytest.param("{{ .p.X }} {{ .p.Scale 3 }}", "7 21", id="go-object"),
        pytest.param("{{ eq .n 3.0 }} {{ lt .n 5.0 }}", "true true", id="float-compare"),
        pytest.param("{{ len .name }}{{ index .name 0 }}", "4100", id="bytes"),
        # errors
        pytest.param(
            "{{ .name.x }}",
            Err('template: inject:1:8: executing "inject" at <.name.x>: can\'t evaluate field x in type interface {}'),
            id="field-on-string",
        ),
        pytest.param(
            "{{ .nil.x }}",
            Err('template: inject:1:7: executing "inject" at <.nil.x>: nil pointer evaluating interface {}.x'),
            id="field-on-nil",
        ),
        pytest.param(
            '{{ (index .m "c").d.e }}',
            Err('template: inject:1:13: executing "inject" at <"c">: can\'t evaluate field e in type interface {}'),
            id="last-visited-node",
        ),
        pytest.param(
            "{{ eq .n 3 }}",
            Err(
                'template: inject:1:3: executing "inject" at <eq .n 3>: '
                "error calling eq: incompatible types for comparison"
            ),
            id="float-vs-int",
        ),
        pytest.param(
            "{{ index .list 3 }}",
            Err(
                'template: inject:1:3: executing "inject" at <index .list 3>: '
                "error calling index: reflect: slice index out of range"
            ),
            id="index-at-len",
        ),
        pytest.param(
            "{{ len 1 2 }}",
            Err('template: inject:1:3: executing "inject" at <len>: wrong number of args for len: want 1 got 2'),
            id="arity",
        ),
        pytest.param(
            "{{ printf 5 }}",
            Err('template: inject:1:10: executing "inject" at <5>: expected string; found 5'),
            id="literal-type",
        ),
        pytest.param(
            "{{ printf .n }}",
            Err(
                'template: inject:1:10: executing "inject" at <.n>: wrong type for value; expected string; got float64'
            ),
            id="data-type",
        ),
        pytest.param(
            "{{ printf .missing }}",
            Err('template: inject:1:10: executing "inject" at <.missing>: invalid value; expected string'),
            id="missing-to-string",
        ),
        pytest.param(
            "{{ .p.Scale .n }}",
            Err('template: inject:1:12: executing "inject" at <.n>: wrong type for value; expected int; got float64'),
            id="method-arg-type",
        ),
        pytest.param(
            "{{ .p.Y }}",
            Err('template: inject:1:5: executing "inject" at <.p.Y>: can\'t evaluate field Y in type interface {}'),
            id="object-in-map-no-field",
        ),
        pytest.param(
            "{{ with .p }}{{ .Y }}{{ end }}",
            Err('template: inject:1:16: executing "inject" at <.Y>: can\'t evaluate field Y in type main.Point'),
            id="object-no-field",
        ),
        pytest.param(
            "{{ range .name }}{{ end }}",
            Err('template: inject:1:9: executing "inject" at <.name>: range can\'t iterate over demo'),
            id="range-string",
        ),
        pytest.param(
            '{{ template "nope" }}',
            Err('template: inject:1:12: executing "inject" at <{{template "nope"}}>: template "nope" not defined'),
            id="no-template",
        ),
        pytest.param(
            "{{ $x = 1 }}",
            Err('template: inject:1:8: executing "inject" at <1>: undefined variable: $x'),
            id="assign-undeclared",
        ),
        pytest.param(
            '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
            Err(
                'template: inject:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)'
            ),
            id="recursion",
        ),
        pytest.param(
            "{{ slice .list .m.a }}",
            Err(
                'template: inject:1:3: executing "inject" at <slice .list .m.a>: '
                "error calling slice: cannot index slice/array with type interface {}"
            ),
            id="slice-iface-index",
        ),
        pytest.param(
            "{{ .np.X }}",
            Err('template: inject:1:6: executing "inject" at <.np.X>: nil pointer evaluating *main.Point.X'),
            id="nil-pointer-field",
        ),
        pytest.param(
            "{{ .np.Nope }}",
            Err(
                'template: inject:1:6: executing "inject" at <.np.Nope>: '
                "can't evaluate field Nope in type interface {}"
            ),
            id="nil-pointer-missing-field",
        ),
        pytest.param(
            '{{ .e }} {{ eq .e 1 }} {{ printf "%d" .e }} {{ if .z }}t{{ else }}f{{ end }}',
            "ONE true 1 f",
            id="named-basic-type",
        ),
        pytest.param("{{ .pp }} {{ print .pp }}", "{7} &{7}", id="pointer-printing"),
        pytest.param("{{ if true }}" * 1000 + "x" + "{{ end }}" * 1000, "x", id="deeply-nested-ifs"),
        pytest.param("{{ print " + "(print " * 1000 + "1" + ")" * 1000 + " }}", "1", id="deeply-nested-parens"),
        pytest.param(
            "{{ if true }}" * 20000 + "{{ end }}" * 20000,
            Err("template: inject: actions nested too deeply"),
            id="too-deep-is-one-line-error",
        ),
    ],
)
def test_execute(text: str, want: str) -> None:
    data = dict(DATA, p=Point(), np=NilPoint(), pp=PointPtr(), e=Enum(1), z=Enum(0))
    got = outcome(text, data)
    assert (type(got), got) == (type(want), want)


def boom() -> str:
    raise ValueError("kaput")


@pytest.mark.parametrize(
    "funcs, text, want",
    [
        pytest.param(
            {"rep": GoFunc("rep", lambda n, s: s * n, ("int", "string"))},
            '{{ rep 2 "ab" }}',
            "abab",
            id="int-literal-to-int",
        ),
        pytest.param(
            {"i64": GoFunc("i64", lambda n: n, ("int64",))}, '{{ i64 5 | printf "%T" }}', "int64", id="literal-to-int64"
        ),
        pytest.param(
            {"one": GoFunc("one", lambda: Int64(1), ())}, '{{ one | printf "%T" }}', "int64", id="sized-result"
        ),
    ],
)
def test_funcs(funcs: dict[str, GoFunc], text: str, want: str) -> None:
    assert render(text, funcs=funcs) == want


def test_python_exception_becomes_go_error() -> None:
    funcs = {"boom": GoFunc("boom", boom, ())}
    with pytest.raises(TemplateError) as e:
        render("{{ boom }}", funcs=funcs)
    assert str(e.value) == 'template: inject:1:3: executing "inject" at <boom>: error calling boom: kaput'


@pytest.mark.parametrize(
    "option, text, want",
    [
        pytest.param("zero", "{{ .missing }}", "<no value>", id="zero-iface"),
        pytest.param("zero", '{{ .labels.zz | printf "%q" }}', '""', id="zero-typed"),
        pytest.param(
            "error",
            "{{ .missing }}",
            Err('template: inject:1:3: executing "inject" at <.missing>: map has no entry for key "missing"'),
            id="error",
        ),
    ],
)
def test_missingkey(option: str, text: str, want: str) -> None:
    got = outcome(text, missingkey=option)
    assert (type(got), got) == (type(want), want)


def test_parse_is_cached() -> None:
    assert parse("{{ . }}", "x") is parse("{{ . }}", "x")


def test_typed_slices_keep_their_type() -> None:
    assert render('{{ printf "%T" .strs }} {{ slice .strs 1 | printf "%T" }}') == "[]string []string"
