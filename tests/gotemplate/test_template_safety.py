"""The template safety options end to end: the budget's limits and --deny-template-funcs on
`template render`, `kube-inject` and `webhook serve`, bounded --data loading and toYaml."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecarctl import gotemplate
from sidecarctl.cli import cli, main
from sidecarctl.gotemplate.budget import DEFAULT_MAX_OUTPUT, DEFAULT_MAX_STEPS, DEFAULT_SECONDS, Budget

DENY = "--deny-template-funcs"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def sidecarctl(*args: str) -> Result:
    """Run the CLI in-process through its own error handling (`main`)."""
    runner = CliRunner()
    with runner.isolation(env={"ENABLE_NATIVE_SIDECARS": "false"}) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


def render(tmp_path: Path, template: str, *flags: str, data: str = "{}", data_name: str = "data.json") -> Result:
    (tmp_path / "inject").write_text(template)
    (tmp_path / data_name).write_text(data)
    return sidecarctl("template", "render", *flags, "--data", str(tmp_path / data_name), str(tmp_path / "inject"))


# --- deny ---------------------------------------------------------------------------------------

DENIED = [
    ("istio-env", '{{ env "HOME" "x" }}', "env"),
    ("expandenv", '{{ expandenv "$HOME" }}', "expandenv"),
    ("getHostByName", '{{ getHostByName "localhost" }}', "getHostByName"),
    ("builtin", '{{ printf "%d" 1 }}', "printf"),
    ("in-branch-taken", '{{ if true }}{{ env "A" "" }}{{ end }}', "env"),
]


@pytest.mark.parametrize("template,name", [c[1:] for c in DENIED], ids=[c[0] for c in DENIED])
def test_a_denied_call_fails_naming_the_function_and_the_flag(tmp_path: Path, template: str, name: str) -> None:
    result = render(tmp_path, template, DENY, "env,expandenv,getHostByName,printf")
    assert (result.code, result.stdout) == (1, "")
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and f"function '{name}' is denied by {DENY}" in line, line
    assert line.startswith("template: inject:1:"), line


def test_denied_functions_still_parse_and_untaken_branches_render(tmp_path: Path) -> None:
    result = render(tmp_path, '{{ if false }}{{ env "A" "" }}{{ end }}ok', DENY, "env")
    assert (result.code, result.stdout) == (0, "ok")


def test_an_unknown_name_is_a_usage_error(tmp_path: Path) -> None:
    result = render(tmp_path, "x", DENY, "env,nosuch")
    assert result.code == 2 and "unknown template function nosuch" in result.stderr


def test_denial_ends_with_the_command() -> None:
    with gotemplate.denied_functions(["env"]):
        assert gotemplate.funcmap("istio")["env"].fn is not gotemplate._funcmap("istio")["env"].fn
    assert gotemplate.funcmap("istio") is gotemplate._funcmap("istio")


# --- limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags,template,message",
    [
        (("--template-max-steps", "100"), "{{ range until 200 }}{{ end }}", "limit of 100 template steps"),
        (("--template-max-output", "10"), "{{ range until 20 }}x{{ end }}", "limit of 10 characters"),
        ((), "{{ range until 100000000 }}{{ end }}", f"limit of {DEFAULT_MAX_STEPS} template steps"),
        ((), "{{ seq 1 100000000 }}", f"limit of {DEFAULT_MAX_STEPS} template steps"),
        ((), "{{ randAlphaNum 50000000 }}", f"limit of {DEFAULT_MAX_OUTPUT} characters"),
    ],
    ids=["steps-flag", "output-flag", "range-until", "seq", "randAlphaNum"],
)
def test_limits_stop_the_render_naming_the_limit(
    tmp_path: Path, flags: tuple[str, ...], template: str, message: str
) -> None:
    result = render(tmp_path, template, *flags)
    assert (result.code, result.stdout) == (1, "") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_limit_flags_are_checked() -> None:
    for flag in ("--template-timeout", "--template-max-steps", "--template-max-output"):
        result = CliRunner().invoke(cli, ["template", "render", flag, "0", "--data", "x", "y"])
        assert result.exit_code == 2, (flag, result.output)


def test_the_flags_set_the_process_defaults_only_while_the_command_runs(tmp_path: Path) -> None:
    render(tmp_path, "x", "--template-timeout", "3", "--template-max-steps", "5")
    budget = Budget()
    assert (budget.seconds, budget.max_steps, budget.max_output) == (
        DEFAULT_SECONDS,
        DEFAULT_MAX_STEPS,
        DEFAULT_MAX_OUTPUT,
    )


# --- data and toYaml -------------------------------------------------------------------------------

BOMB = (
    "a: &a ["
    + ", ".join(["lol"] * 9)
    + "]\n"
    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
)  # 9**9 leaves


def test_a_yaml_alias_bomb_in_data_fails_at_once(tmp_path: Path) -> None:
    result = render(tmp_path, "{{ .a }}", data=BOMB, data_name="data.yaml")
    assert result.code == 1 and "bad data in" in result.stderr and "excessive aliasing" in result.stderr


def test_data_larger_than_the_input_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sidecarctl import limits

    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 100)
    result = render(tmp_path, "{{ .a }}", data='{"a": "' + "x" * 200 + '"}')
    assert result.code == 1 and "input larger than" in result.stderr


def test_deeply_nested_json_data_is_one_line(tmp_path: Path) -> None:
    result = render(tmp_path, "{{ .a }}", data="[" * 100000 + "]" * 100000)
    assert result.code == 1 and "bad data in" in result.stderr and "Traceback" not in result.stderr


def test_to_yaml_works_in_template_render(tmp_path: Path) -> None:
    result = render(tmp_path, "{{ toYaml . }}", data='{"b": [1, "x"], "a": {"c": true}}')
    assert (result.code, result.stdout) == (0, "a:\n  c: true\nb:\n- 1\n- x\n"), result.stderr


# --- kube-inject and webhook serve ------------------------------------------------------------------

DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n"
    "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)


def inject_config(template: str) -> str:
    body = "".join(f"    {line}\n" for line in template.splitlines())
    return f"policy: enabled\ntemplates:\n  sidecar: |\n{body}"


def test_kube_inject_denies_functions(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(inject_config('metadata:\n  labels:\n    home: "{{ env "HOME" "" }}"'))
    (tmp_path / "in.yaml").write_text(DEPLOYMENT)
    args = (
        "kube-inject",
        "--offline",
        "--injectConfigFile",
        str(tmp_path / "config.yaml"),
        "-f",
        str(tmp_path / "in.yaml"),
    )
    assert sidecarctl(*args).code == 0
    denied = sidecarctl(*args, DENY, "env")
    assert denied.code == 1 and f"function 'env' is denied by {DENY}" in denied.stderr, denied.stderr


def test_kube_inject_limits(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(inject_config("{{ range until 50 }}{{ end }}{}"))
    (tmp_path / "in.yaml").write_text(DEPLOYMENT)
    args = (
        "kube-inject",
        "--offline",
        "--injectConfigFile",
        str(tmp_path / "config.yaml"),
        "-f",
        str(tmp_path / "in.yaml"),
    )
    assert sidecarctl(*args, "--template-max-steps", "1000").code == 0
    limited = sidecarctl(*args, "--template-max-steps", "20")
    assert limited.code == 1 and "limit of 20 template steps" in limited.stderr, limited.stderr


def test_webhook_serve_has_the_options() -> None:
    out = CliRunner().invoke(cli, ["webhook", "serve", "--help"]).output
    for flag in ("--template-timeout", "--template-max-steps", "--template-max-output", DENY):
        assert flag in out
