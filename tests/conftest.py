"""Shared test helpers live beside this file (e.g. `cli_runner`, `shared_suite`); pytest puts this
folder on sys.path."""

from __future__ import annotations

import pytest

from shared_suite import ABSENT, SHARED, have_suite


def pytest_report_header() -> str:
    """Say at the top (without -q) whether the shared suite is there: without it many tests skip."""
    return f"shared data: {SHARED}" if have_suite() else f"shared data: {ABSENT}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """And at the end, even with -q, how many tests that absence skipped."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if ABSENT in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped: {ABSENT}", yellow=True)
