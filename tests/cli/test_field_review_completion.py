"""`kubectl sidecar ... --istio-version <TAB>` offers the supported releases, not file names."""

from __future__ import annotations

import pytest

from sidecarctl.commands.completion import cobra_completions
from sidecarctl.releases import supported

NAMES = [r.name for r in supported()]


@pytest.mark.parametrize("args,expected", [
    (["kube-inject", "--istio-version", ""], NAMES),
    (["check", "--istio-version", ""], NAMES),
    (["webhook", "serve", "--istio-version", ""], NAMES),
    (["webhook", "manifests", "--istio-version", "1.2"], [n for n in NAMES if n.startswith("1.2")]),
], ids=["kube-inject", "check", "webhook-serve", "prefix"])
def test_istio_version_values_are_completed(args: list[str], expected: list[str]) -> None:
    lines = cobra_completions(args).splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == expected
    assert lines[-1] == ":4"  # no file names
