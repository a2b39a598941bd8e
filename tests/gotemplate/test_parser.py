"""Parser: trees print back as Go prints them; errors carry Go's exact text."""

from __future__ import annotations

import pytest

from sidecarctl.gotemplate.builtins import BUILTINS
from sidecarctl.gotemplate.errors import ParseError
from sidecarctl.gotemplate.parser import parse_trees


class Err(str):
    """An expected parse error (Go's err.Error()) in the same table as the trees."""


def tree_text(text: str) -> str:
    """The tree printed back as Go prints it, or Err(message)."""
    try:
        return str(parse_trees("t", text, BUILTINS)["t"].root)
    except ParseError as e:
        return Err(str(e))


@pytest.mark.parametrize(
    "text, want",
    [
        pytest.param("x{{ .a.b }}y", "x{{.a.b}}y", id="field-chain"),
        pytest.param("{{ $x := 1 }}{{ $x }}", "{{$x := 1}}{{$x}}", id="declare"),
        pytest.param('{{ (index .m "c").d }}', '{{(index .m "c").d}}', id="chain-on-pipeline"),
        pytest.param('{{ .a | printf "%s" }}', '{{.a | printf "%s"}}', id="pipeline"),
        pytest.param(
            "{{ if .a }}1{{ else if .b }}2{{ else }}3{{ end }}",
            "{{if .a}}1{{else}}{{if .b}}2{{else}}3{{end}}{{end}}",
            id="else-if",
        ),
        pytest.param("{{ range $i, $e := .l }}{{ $e }}{{ end }}", "{{range $i, $e := .l}}{{$e}}{{end}}", id="range"),
        pytest.param("{{ with .a }}{{ . }}{{ end }}", "{{with .a}}{{.}}{{end}}", id="with"),
        pytest.param('{{ template "x" . }}', '{{template "x" .}}', id="template"),
        pytest.param("{{ 0x1F }}{{ 'a' }}{{ `r` }}", "{{0x1F}}{{'a'}}{{`r`}}", id="literals-keep-text"),
        # errors
        pytest.param("{{ .name }", Err('template: t:1: unexpected "}" in operand'), id="single-brace"),
        pytest.param("{{", Err("template: t:1: unclosed action"), id="unclosed"),
        pytest.param("{{ }}", Err("template: t:1: missing value for command"), id="empty"),
        pytest.param("{{ end }}", Err("template: t:1: unexpected {{end}}"), id="stray-end"),
        pytest.param("a\n{{ if true }}\n", Err("template: t:3: unexpected EOF"), id="eof-line"),
        pytest.param("{{ nope }}", Err('template: t:1: function "nope" not defined'), id="undefined-func"),
        pytest.param("{{ $u }}", Err('template: t:1: undefined variable "$u"'), id="undefined-var"),
        pytest.param("{{ 08 }}", Err('template: t:1: integer overflow: "08"'), id="octal-overflow"),
        pytest.param(
            "{{ 99999999999999999999 }}", Err('template: t:1: integer overflow: "99999999999999999999"'), id="too-big"
        ),
        pytest.param("{{ 0x }}", Err('template: t:1: illegal number syntax: "0x"'), id="bad-hex"),
        pytest.param('{{ "\\q" }}', Err("template: t:1: invalid syntax"), id="bad-escape"),
        pytest.param("{{ 'ab' }}", Err("template: t:1: malformed character constant: 'ab'"), id="bad-char"),
        pytest.param("{{ .a..b }}", Err("template: t:1: unexpected <.> in operand"), id="double-dot"),
        pytest.param("{{ true.x }}", Err('template: t:1: unexpected . after term "true"'), id="field-on-literal"),
        pytest.param(
            "{{ .a | 3 }}", Err("template: t:1: non executable command in pipeline stage 2"), id="literal-stage"
        ),
        pytest.param("{{ break }}", Err("template: t:1: {{break}} outside {{range}}"), id="break-outside"),
        pytest.param("{{ $a, $b := 1 }}", Err("template: t:1: too many declarations in command"), id="two-decls"),
        pytest.param(
            '{{ if true }}{{ define "a" }}{{ end }}{{ end }}',
            Err("template: t:1: unexpected <define> in command"),
            id="nested-define",
        ),
        pytest.param(
            '{{ define "a" }}A{{ end }}{{ define "a" }}B{{ end }}',
            Err('template: t:1: template: multiple definition of template "a"'),
            id="redefinition",
        ),
        pytest.param('{{ "a\nb" }}', Err("template: t:1: unterminated quoted string"), id="newline-in-string"),
    ],
)
def test_parse(text: str, want: str) -> None:
    got = tree_text(text)
    assert (type(got), got) == (type(want), want)
