"""`sidecarctl template render`: data decoding, exact output, Go's error as the last stderr line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecarctl.cli import cli


class Err(str):
    """The expected last line of stderr for a failing render."""


def run(tmp_path: Path, template: str, data: str, *flags: str, data_name: str = "data.json") -> tuple[int, str, str]:
    (tmp_path / "inject").write_text(template, encoding="utf-8")
    (tmp_path / data_name).write_text(data, encoding="utf-8")
    args = ["template", "render", *flags, str(tmp_path / "inject"), "--data", str(tmp_path / data_name)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "template, data, flags, want",
    [
        pytest.param('{{ .n }} {{ printf "%T" .n }}', '{"n": 1000000}', (), "1e+06 float64", id="json-numbers-float"),
        pytest.param("{{ .a }}|{{ .b }}", "a: 3\nb: [x, 2]\n", (), "3|[x 2]", id="yaml-data"),
        pytest.param("{{ upper .s }}", '{"s": "x"}', ("--funcs", "sprig"), "X", id="sprig"),
        pytest.param("a\n", "{}", ("--funcs", "go"), "a\n", id="exact-bytes"),
        pytest.param("{{ .s }}", '{"s": "héllo ☃"}', (), "héllo ☃", id="utf8"),
        pytest.param("{{ .zz }}", "{}", ("--missingkey", "zero"), "<no value>", id="missingkey-zero"),
        # errors: exit 1, nothing on stdout, Go's error as the last line of stderr
        pytest.param(
            "{{ .a.b }}",
            '{"a": "x"}',
            (),
            Err('template: inject:1:5: executing "inject" at <.a.b>: can\'t evaluate field b in type interface {}'),
            id="exec-error",
        ),
        pytest.param("{{ if }}", "{}", (), Err("template: inject:1: missing value for if"), id="parse-error"),
        pytest.param(
            "{{ upper .a }}",
            "{}",
            ("--funcs", "go"),
            Err('template: inject:1: function "upper" not defined'),
            id="go-funcs-only",
        ),
        pytest.param(
            "{{ .a.b }}",
            '{"a": 1}',
            ("--name", "sidecar"),
            Err('template: sidecar:1:5: executing "sidecar" at <.a.b>: can\'t evaluate field b in type interface {}'),
            id="name-flag",
        ),
        pytest.param(
            "{{ .zz }}",
            "{}",
            ("--missingkey", "error"),
            Err('template: inject:1:3: executing "inject" at <.zz>: map has no entry for key "zz"'),
            id="missingkey-error",
        ),
    ],
)
def test_render(tmp_path: Path, template: str, data: str, flags: tuple[str, ...], want: str) -> None:
    code, out, err = run(tmp_path, template, data, *flags)
    if isinstance(want, Err):
        assert (code, out, err.rstrip("\n").splitlines()[-1]) == (1, "", want)
    else:
        assert (code, out, err) == (0, want, "")


def test_unreadable_data_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "inject").write_text("x")
    result = CliRunner().invoke(
        cli, ["template", "render", str(tmp_path / "inject"), "--data", str(tmp_path / "missing.json")]
    )
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "render", "--funcs", "nope", "x", "--data", "y"])
    assert result.exit_code == 2
