"""`kubectl sidecar <TAB>`: the `kubectl_complete-sidecar` executable answers kubectl's plugin
completion (kubectl 1.26 and later) in cobra's `__complete` format, checked in-process and through
the real kubectl (each version found) with the plugin on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from real_tools import kubectl_versions
from sidecarctl.commands.completion import cobra_completions

BIN = Path(sys.executable).parent
COMPLETER = BIN / "kubectl_complete-sidecar"
VERSIONS = {
    version: path
    for version, path in kubectl_versions().items()
    if version == "default" or tuple(map(int, version.split("."))) >= (1, 26)
}


def candidates(answer: str) -> tuple[list[str], str]:
    lines = answer.splitlines()
    assert lines and lines[-1].startswith(":"), answer
    return [line.split("\t")[0] for line in lines[:-1]], lines[-1]


@pytest.mark.parametrize(
    "args,expected,directive",
    [
        pytest.param(
            [""],
            ["check", "completion", "krm-fn", "kube-inject", "template", "uninject", "webhook"],
            ":4",
            id="commands",
        ),
        pytest.param(["kube"], ["kube-inject"], ":4", id="command-prefix"),
        pytest.param(["kube-inject", "--patch"], ["--patch", "--patch-format"], ":4", id="options"),
        pytest.param(["kube-inject", "--patch-format", ""], ["strategic", "json6902"], ":4", id="choice-values"),
        pytest.param(["kube-inject", "--output-format", "j"], ["json"], ":4", id="choice-prefix"),
        pytest.param(["kube-inject", "-f", ""], [], ":0", id="file-argument-leaves-files-to-the-shell"),
    ],
)
def test_cobra_format(args: list[str], expected: list[str], directive: str) -> None:
    assert candidates(cobra_completions(args)) == (expected, directive)


def test_descriptions_follow_a_tab_on_one_line() -> None:
    lines = cobra_completions(["kube-inject", "--verb"]).splitlines()
    assert lines[0].startswith("--verbose\tA line per workload") and "\n" not in lines[0]


@pytest.mark.skipif(not COMPLETER.exists(), reason="the kubectl_complete-sidecar console script is not installed")
@pytest.mark.skipif(not VERSIONS, reason="no kubectl 1.26 or later found (PATH, or the folder kubectl links into)")
@pytest.mark.parametrize("version", list(VERSIONS), ids=list(VERSIONS) or None)
def test_real_kubectl_completes_the_plugin(version: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(VERSIONS[version]), "__complete", "sidecar", "kube-inject", "--fail"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert candidates(result.stdout) == (["--fail-on-skip"], ":4")
    assert "kubectl_complete-sidecar" in result.stderr  # kubectl's debug line: it asked our executable
