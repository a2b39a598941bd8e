"""`kubectl sidecar ... --istio-version <TAB>` offers the supported releases, not file names."""

from __future__ import annotations

import pytest

from sidecarctl.commands.completion import cobra_completions
from sidecarctl.releases import supported

NAMES = [r.name for r in supported()]


@pytest.mark.parametrize(
    "args,expected",
    [
        (["kube-inject", "--istio-version", ""], NAMES),
        (["check", "--istio-version", ""], NAMES),
        (["webhook", "serve", "--istio-version", ""], NAMES),
        (["webhook", "manifests", "--istio-version", "1.2"], [n for n in NAMES if n.startswith("1.2")]),
    ],
    ids=["kube-inject", "check", "webhook-serve", "prefix"],
)
def test_istio_version_values_are_completed(args: list[str], expected: list[str]) -> None:
    lines = cobra_completions(args).splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == expected
    assert lines[-1] == ":4"  # no file names


def test_an_unsupported_release_from_the_environment_names_the_variable() -> None:
    from cli_runner import run_cli

    result = run_cli("kube-inject", "--offline", "-f", "/nonexistent/x.yaml", env={"SIDECARCTL_ISTIO_VERSION": "1.27"})
    assert result.exit_code == 1
    # refused before anything is read (docs/releases.md), naming where the value came from
    assert result.stderr.startswith("Error: SIDECARCTL_ISTIO_VERSION 1.27: Istio 1.27 is not supported"), result.stderr


def test_an_unsupported_release_flag_is_refused_before_files_are_read() -> None:
    from cli_runner import run_cli

    result = run_cli("kube-inject", "--offline", "--istio-version", "1.27", "-f", "/nonexistent/x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --istio-version 1.27: Istio 1.27 is not supported"), result.stderr
