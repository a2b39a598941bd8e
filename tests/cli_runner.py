"""Run `sidecarctl ARGS` in-process through the CLI's own error handling, as a user sees it."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from click.testing import CliRunner

from sidecarctl.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Exit code and streams of one run; stdin piped (not a terminal); native sidecars off unless
    `env` says otherwise."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env={"ENABLE_NATIVE_SIDECARS": "false", **(env or {})}) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, out.getvalue().decode(), err.getvalue().decode())
