"""Running `sidecarctl` in-process through its own error handling, and the conformance suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_runner import Result, run_cli  # noqa: F401 - Result is used by the tests

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO.parent / "shared" / "conformance" / "istio-1.30.3"


run = run_cli


def conformance_cases() -> list[dict[str, Any]]:
    """The public cases (empty when the suite is not checked out next to the repository)."""
    listed = SUITE / "cases.yaml"
    if not listed.is_file():
        return []
    return list(yaml.safe_load(listed.read_text()) or [])


def require_suite() -> Path:
    if not (SUITE / "cases.yaml").is_file():
        pytest.skip(f"conformance suite not found at {SUITE}")
    return SUITE


def settings_flags(case: dict[str, Any]) -> list[str]:
    folder = SUITE / "settings" / case["settings"]
    return ["--injectConfigFile", str(folder / "inject-config.yaml"), "--meshConfigFile",
            str(folder / "mesh-config.yaml"), "--valuesFile", str(folder / "inject-values.yaml")]


def one_error_line(result: Result) -> str:
    """The single `Error: ...` line a failing command prints (and nothing on stdout)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
