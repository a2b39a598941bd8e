"""Jinja2 injection templates (`{# jinja2 #}` first line): same data, same functions, sandboxed."""

from __future__ import annotations

from pathlib import Path

import pytest
from beyond_support import one_error_line, run

POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    app: shop-web\n"
    "  annotations:\n    sidecar.istio.io/proxyCPU: 50m\nspec:\n  containers:\n  - name: web\n    image: nginx\n"
    "  - name: side\n    image: busybox\n"
)


def config(template: str) -> str:
    body = "".join("    " + line + "\n" for line in template.splitlines())
    return "policy: enabled\ntemplates:\n  sidecar: |\n" + body


def inject(tmp_path: Path, template: str, manifest: str = POD) -> tuple[int, str, str]:
    path = tmp_path / "inject-config.yaml"
    path.write_text(config(template))
    result = run("kube-inject", "--offline", "--injectConfigFile", str(path), "-f", "-", stdin=manifest)
    return result.exit_code, result.stdout, result.stderr


# The same template in both dialects must give the same output.
EQUIVALENT = [
    (
        "labels, default, quote",
        'metadata:\n  labels:\n    a: {{ index .ObjectMeta.Labels "app" | default "none" | quote }}\n'
        '    b: {{ index .ObjectMeta.Labels "missing" | default "none" | quote }}\n',
        '{# jinja2 #}\nmetadata:\n  labels:\n    a: {{ ObjectMeta.Labels["app"] | default("none") | quote }}\n'
        '    b: {{ ObjectMeta.Labels["missing"] | default("none") | quote }}\n',
    ),
    (
        "Istio's annotation function and Go printing of enums and ints",
        'metadata:\n  annotations:\n    cpu: {{ annotation .ObjectMeta "sidecar.istio.io/proxyCPU" "100m" | quote }}\n'
        '    mode: "{{ .ProxyConfig.InterceptionMode }}"\n    uid: "{{ .ProxyUID }}"\n',
        "{# jinja2 #}\nmetadata:\n  annotations:\n"
        '    cpu: {{ annotation(ObjectMeta, "sidecar.istio.io/proxyCPU", "100m") | quote }}\n'
        '    mode: "{{ ProxyConfig.InterceptionMode }}"\n    uid: "{{ ProxyUID }}"\n',
    ),
    (
        "ranging over containers, Sprig's list/join/toJson",
        "spec:\n  containers:\n  {{- range .Spec.Containers }}\n  - name: {{ .Name }}\n"
        '    env:\n    - name: ALL\n      value: {{ list "x" .Name | join "," | quote }}\n  {{- end }}\n'
        "  - name: istio-proxy\n    image: {{ .ProxyImage }}\n    args: {{ toJson (list .DeploymentMeta.Name) }}\n",
        "{# jinja2 #}\nspec:\n  containers:\n  {% for c in Spec.Containers %}\n  - name: {{ c.Name }}\n"
        '    env:\n    - name: ALL\n      value: {{ list("x", c.Name) | join(",") | quote }}\n  {% endfor %}\n'
        "  - name: istio-proxy\n    image: {{ ProxyImage }}\n    args: {{ toJson(list(DeploymentMeta.Name)) }}\n",
    ),
    (
        "methods without arguments are called, as in Go",
        'metadata:\n  annotations:\n    hold: "{{ .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }}"\n',
        "{# jinja2 #}\nmetadata:\n  annotations:\n"
        '    hold: "{{ ProxyConfig.HoldApplicationUntilProxyStarts.GetValue }}"\n',
    ),
]


@pytest.mark.parametrize("title,go,jinja", EQUIVALENT, ids=[t for t, _, _ in EQUIVALENT])
def test_jinja_matches_go(tmp_path: Path, title: str, go: str, jinja: str) -> None:
    go_code, go_out, go_err = inject(tmp_path, go)
    jinja_code, jinja_out, jinja_err = inject(tmp_path, jinja)
    assert go_code == 0 and jinja_code == 0, (go_err, jinja_err)
    assert jinja_out == go_out, title


# Sandbox: only the Go views' fields and the function map are reachable.
REFUSED = [
    ("python attribute of a Go struct", "{{ ObjectMeta.__class__ }}", "can't evaluate field __class__"),
    ("python attribute of a map", "{{ Values.__class__.__mro__ }}", "jinja2"),
    ("python attribute of a string", '{{ "x".__class__ }}', "jinja2"),
    ("jinja global's internals", "{{ cycler.__init__.__globals__ }}", "jinja2"),
    ("unknown Go field", "{{ ObjectMeta.Labelz }}", "can't evaluate field Labelz in type"),
    ("a Sprig function's own error", '{{ fail("stop here") }}', "stop here"),
    ("wrong argument count", "{{ upper() }}", "wrong number of args for upper: want 1 got 0"),
]


@pytest.mark.parametrize("title,expression,text", REFUSED, ids=[t for t, _, _ in REFUSED])
def test_sandbox_refuses(tmp_path: Path, title: str, expression: str, text: str) -> None:
    code, out, err = inject(tmp_path, '{# jinja2 #}\nmetadata:\n  annotations:\n    x: "' + expression + '"\n')
    assert code == 1 and out == "", title
    line = one_error_line(type("R", (), {"stderr": err})())  # type: ignore[arg-type]
    assert "failed to run injection template" in line and text in line


def test_syntax_error_names_the_template(tmp_path: Path) -> None:
    code, out, err = inject(tmp_path, "{# jinja2 #}\nmetadata: {% if %}\n")
    assert code == 1 and out == ""
    line = one_error_line(type("R", (), {"stderr": err})())  # type: ignore[arg-type]
    assert 'template "sidecar"' in line and "jinja2: line 2" in line


def test_without_the_marker_the_template_is_go(tmp_path: Path) -> None:
    code, out, err = inject(tmp_path, '# {# jinja2 #}\nmetadata:\n  labels:\n    go: {{ "yes" | quote }}\n')
    assert code == 0, err
    assert 'go: "yes"' in out
