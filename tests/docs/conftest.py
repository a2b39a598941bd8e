"""Report the docs examples the runner skipped, with their reasons, at the end of every run (not
only with -rs), so a skip mark stays visible in CI's log."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "test_docs_examples.py::test_example_runs_as_written" in getattr(report, "nodeid", "")
    ]
    if not skipped:
        return
    terminalreporter.write_sep("-", f"docs examples not run ({len(skipped)}, marked docs-runner: skip)")
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(reason.removeprefix("Skipped: "))
