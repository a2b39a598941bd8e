"""Running `sidecarctl` in-process through its own error handling, and the conformance suite."""

from __future__ import annotations

from pathlib import Path

from cli_runner import Result, run_cli  # noqa: F401 - Result is used by the tests
from shared_suite import SUITE, conformance_cases, require_suite, settings_flags  # noqa: F401 - re-exported

REPO = Path(__file__).resolve().parents[2]


run = run_cli


def one_error_line(result: Result) -> str:
    """The single `Error: ...` line a failing command prints (and nothing on stdout)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
