"""The golden suites of older Istio releases (tests/conformance/istio-R), run in-process.

CI also runs them with the shared runner and a ratchet (.ci/run); here every case listed in
tests/conformance_passing_R.txt must pass with Istio's own comparison: the output, after
util.StripVersion and the white-space trim of util.Compare, equals the golden byte for byte. Error
cases must fail with the expected text, as the shared runner checks them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_runner import run_cli

REPO = Path(__file__).resolve().parents[2]
SUITES = sorted((REPO / "tests" / "conformance").glob("istio-*"))
STATUS_VERSION = re.compile(r'sidecar.istio.io/status: \'{"version":"([0-9a-f]+)",')


def _listed(release: str) -> set[str]:
    path = REPO / "tests" / f"conformance_passing_{release}.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _cases() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for suite in SUITES:
        for case in yaml.safe_load((suite / "cases.yaml").read_text(encoding="utf-8")):
            out.append((suite, case))
    return out


CASES = _cases()


def _stripped(text: str) -> str:
    return STATUS_VERSION.sub('sidecar.istio.io/status: \'{"version":"",', text).strip()


@pytest.mark.parametrize("suite,case", CASES, ids=[f"{s.name}/{c['name']}" for s, c in CASES])
def test_golden_case(suite: Path, case: dict[str, Any]) -> None:
    release = suite.name.removeprefix("istio-")
    if case["name"] not in _listed(release):
        pytest.skip(f"not in tests/conformance_passing_{release}.txt")
    settings = suite / "settings" / case["settings"]
    result = run_cli(
        "kube-inject",
        "--injectConfigFile",
        str(settings / "inject-config.yaml"),
        "--meshConfigFile",
        str(settings / "mesh-config.yaml"),
        "--valuesFile",
        str(settings / "inject-values.yaml"),
        "-f",
        str(suite / "cases" / case["input"]),
        env={"ENABLE_NATIVE_SIDECARS": "true" if case["native_sidecars"] else "false"},
    )
    if case.get("expected_error"):
        assert result.exit_code != 0 and case["expected_error"] in result.stderr.lower(), result.stderr
        return
    assert result.exit_code == 0, result.stderr
    if case.get("expected_log"):
        assert case["expected_log"] in result.stderr
    golden = (suite / "cases" / case["golden"]).read_text(encoding="utf-8")
    assert _stripped(result.stdout) == _stripped(golden)


@pytest.mark.parametrize("suite", SUITES, ids=[s.name for s in SUITES])
def test_ratchet_lists_name_real_cases(suite: Path) -> None:
    names = {c["name"] for s, c in CASES if s == suite}
    listed = _listed(suite.name.removeprefix("istio-"))
    assert listed and listed <= names, sorted(listed - names)
