"""Bad settings through the real CLI: templates (parse, execution, runaway, non-YAML output,
Python attributes), values, mesh config and selectors. One line naming the setting, its template
and position; Go's own message kept inside it; nothing on stdout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import assert_error, run

DEPLOYMENT = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n"
    b"      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)


def inject_config(template: str) -> str:
    body = "".join(f"    {line}\n" for line in template.splitlines())
    return f"policy: enabled\ntemplates:\n  sidecar: |\n{body}"


@dataclass(frozen=True)
class BadTemplate:
    name: str
    template: str
    mentions: tuple[str, ...]


TEMPLATES = [
    BadTemplate(
        "parse-unclosed",
        "spec:\n  containers:\n  - name: x{{ .Foo",
        ('template "sidecar" (line 4, column 1)', "inject:4", "unclosed action"),
    ),
    BadTemplate(
        "parse-bad-function",
        "{{ nosuchfunc . }}",
        ('template "sidecar" (line 1, column 4)', "inject:1", '"nosuchfunc" not defined'),
    ),
    BadTemplate("parse-unexpected-end", "{{ end }}", ('template "sidecar"', "unexpected {{end}}")),
    BadTemplate(
        "exec-index",
        "spec:\n  containers:\n  - name: {{ index .Values 1 }}",
        ("document 1 (Deployment web)", "inject:3:13", "executing", "error calling index"),
    ),
    BadTemplate("exec-fail", '{{ fail "stop here" }}', ("document 1", "stop here")),
    BadTemplate(
        "recursion",
        '{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}',
        ("document 1", "exceeded maximum template depth"),
    ),
    BadTemplate(
        "fan-out-recursion",
        '{{ define "a" }}{{ template "a" . }}{{ template "a" . }}{{ end }}{{ template "a" . }}',
        ("document 1", "exceeded maximum template depth"),
    ),
    BadTemplate(
        "runaway-loop",
        "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}",
        ("document 1", "range iterations"),
    ),
    BadTemplate(
        "huge-output",
        "{{ range until 5000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}",
        ("document 1", "output larger than"),
    ),
    BadTemplate(
        "memory-bomb",
        '{{ $s := "xxxxxxxx" }}{{ range until 40 }}{{ $s = printf "%s%s" $s $s }}{{ end }}',
        ("document 1", "printf"),
    ),
    BadTemplate("huge-repeat", '{{ repeat 1000000000 "abcdefgh" }}', ("document 1", "repeat")),
    BadTemplate(
        "not-yaml",
        "spec:\n  containers:\n  - name: x\n   bad: {{ .Revision }} : :",
        ("document 1", "invalid JSON document", "rendered template line 4"),
    ),
    BadTemplate("not-a-mapping", "- a\n- b", ("document 1", "invalid JSON document", "not a mapping")),
    BadTemplate("python-attribute", "{{ .ObjectMeta.__class__ }}", ("document 1", "can't evaluate field __class__")),
    BadTemplate("python-method", "{{ .ObjectMeta.Name.upper }}", ("document 1", "can't evaluate field upper")),
    BadTemplate("python-dunder-call", "{{ call .ObjectMeta.__init__ }}", ("document 1", "__init__")),
]


@pytest.mark.parametrize("case", TEMPLATES, ids=[c.name for c in TEMPLATES])
def test_bad_template(tmp_path: Path, case: BadTemplate) -> None:
    config, manifest, out = tmp_path / "config.yaml", tmp_path / "in.yaml", tmp_path / "out.yaml"
    config.write_text(inject_config(case.template))
    manifest.write_bytes(DEPLOYMENT)
    out.write_bytes(b"previous\n")
    result = run(["kube-inject", "--offline", "--injectConfigFile", str(config), "-f", str(manifest), "-o", str(out)])
    line = assert_error(result, *case.mentions)
    assert str(config) in line or str(manifest) in line, line
    assert out.read_bytes() == b"previous\n"


@dataclass(frozen=True)
class BadFile:
    name: str
    flag: str
    content: bytes
    mentions: tuple[str, ...]


FILES = [
    BadFile("values-not-yaml", "--valuesFile", b'{"global": ', ("could not parse configuration values",)),
    BadFile("values-not-utf8", "--valuesFile", b'{"global": "\xff"}', ()),
    BadFile("values-a-list", "--valuesFile", b"[1, 2]\n", ()),
    BadFile("mesh-not-yaml", "--meshConfigFile", b"a: [\n", ("fix the mesh config",)),
    BadFile("mesh-unknown-field", "--meshConfigFile", b"foo: bar\n", ('unknown field "foo"', "MeshConfig")),
    BadFile(
        "mesh-unknown-nested-field",
        "--meshConfigFile",
        b"defaultConfig:\n  tracing: {zipkin: {adress: x}}\n",
        ('unknown field "adress"', "defaultConfig.tracing.zipkin.adress"),
    ),
    BadFile(
        "mesh-wrong-type", "--meshConfigFile", b"defaultConfig: {concurrency: abc}\n", ("failed to convert to proto",)
    ),
    BadFile(
        "selector-operator",
        "--injectConfigFile",
        b"policy: enabled\nneverInjectSelector:\n- matchExpressions: [{key: a, operator: Bogus}]\n"
        b"templates: {sidecar: '{}'}\n",
        ("neverInjectSelector[0]", '"Bogus" is not a valid label selector operator'),
    ),
    BadFile(
        "selector-in-without-values",
        "--injectConfigFile",
        b"policy: enabled\nalwaysInjectSelector:\n- matchExpressions: [{key: a, operator: In}]\n"
        b"templates: {sidecar: '{}'}\n",
        ("alwaysInjectSelector[0]", "values set can't be empty"),
    ),
    BadFile(
        "selector-bad-key",
        "--injectConfigFile",
        b"policy: enabled\nneverInjectSelector:\n- matchLabels: {'bad key': x}\ntemplates: {sidecar: '{}'}\n",
        ("neverInjectSelector[0]", '"bad key"'),
    ),
    BadFile("operator-not-yaml", "--operatorFileName", b"spec: [\n", ("--operatorFileName",)),
]


@pytest.mark.parametrize("case", FILES, ids=[c.name for c in FILES])
def test_bad_settings_file(tmp_path: Path, case: BadFile) -> None:
    settings, manifest = tmp_path / "settings", tmp_path / "in.yaml"
    settings.write_bytes(case.content)
    manifest.write_bytes(DEPLOYMENT)
    result = run(["kube-inject", "--offline", case.flag, str(settings), "-f", str(manifest)])
    assert_error(result, case.flag, str(settings), *case.mentions)


@pytest.mark.parametrize("flag", ["--injectConfigFile", "--valuesFile", "--meshConfigFile", "--operatorFileName"])
def test_settings_file_missing_or_a_directory(tmp_path: Path, flag: str) -> None:
    manifest = tmp_path / "in.yaml"
    manifest.write_bytes(DEPLOYMENT)
    assert_error(run(["kube-inject", "--offline", flag, str(tmp_path / "nope"), "-f", str(manifest)]), flag, "nope")
    assert_error(run(["kube-inject", "--offline", flag, str(tmp_path), "-f", str(manifest)]), flag, str(tmp_path))


@pytest.mark.parametrize(
    "template,data,expected",
    [
        ("{{ .a", b"{}", "template: inject:1: unclosed action"),
        (
            "{{ index . 1 }}",
            b'{"a": 1}',
            'template: inject:1:3: executing "inject" at <index . 1>: error calling index',
        ),
        ("{{ range until 5000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}", b"{}", "output larger than"),
        ("{{ .a }}", b'{"a": ', "bad data in"),
        ("{{ .a }}", b"\xff", "bad data in"),
    ],
    ids=["parse", "exec", "output-limit", "data-not-json", "data-not-utf8"],
)
def test_template_render_errors_keep_go_text(tmp_path: Path, template: str, data: bytes, expected: str) -> None:
    """`template render` prints Go's message as its last line (the corpus compares it exactly)."""
    (tmp_path / "inject").write_text(template)
    (tmp_path / "data.json").write_bytes(data)
    result = run(["template", "render", "--data", str(tmp_path / "data.json"), str(tmp_path / "inject")])
    assert result.code == 1 and result.stdout == b"", result.err
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) == 1 and expected in result.err, result.err


def test_template_with_raw_bytes_is_a_parse_error(tmp_path: Path) -> None:
    """Regression (bench/fuzz.py): a non-UTF-8 byte in a token of a parse error message."""
    (tmp_path / "inject").write_bytes(b'{{ get .m "\x80"` .m "\x80"`raw` }}raw` }}')
    (tmp_path / "data.json").write_bytes(b"{}")
    result = run(["template", "render", "--data", str(tmp_path / "data.json"), str(tmp_path / "inject")])
    assert result.code == 1 and "internal error" not in result.err and "Traceback" not in result.err, result.err
    assert result.err.startswith("template: inject:1: unexpected"), result.err


@pytest.mark.parametrize("name", ["on", "yes", "true", "123"])
def test_built_in_template_with_a_container_named_like_a_yaml_scalar(tmp_path: Path, name: str) -> None:
    """Regression (property tests): the built-in template wrote container names unquoted."""
    manifest = tmp_path / "in.yaml"
    manifest.write_bytes(DEPLOYMENT.replace(b"- name: web", b'- name: "%s"' % name.encode()))
    result = run(["kube-inject", "--offline", "-q", "-f", str(manifest)])
    assert result.code == 0, result.err
    assert b'value: "%s"' % name.encode() in result.stdout
