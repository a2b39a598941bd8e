"""Running the real CLI under the error contract (docs/errors.md), with bounded memory and time.

Every case runs `sidecarctl` in a subprocess with an address-space limit and a CPU-time limit set
in the child (resource.setrlimit), and a wall-clock timeout: a case that would exhaust either fails
as a crash or timeout, never by a timed assertion.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIDECARCTL = [sys.executable, "-m", "sidecarctl"]
MEMORY_LIMIT = 1536 * 1024 * 1024  # far above a normal run (~100 MB), far below a runaway one
CPU_SECONDS = 60
WALL_SECONDS = 120


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: bytes

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run(
    args: list[str], stdin: bytes | None = b"", cwd: Path | None = None, env: dict[str, str] | None = None
) -> Result:
    """`sidecarctl ARGS` with stdin (None: closed), bounded memory, CPU and wall time."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "ENABLE_NATIVE_SIDECARS": "false", **(env or {})}
    proc = subprocess.run(
        SIDECARCTL + args,
        input=stdin if stdin is not None else None,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=WALL_SECONDS,
        preexec_fn=_limits,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_closed_stdin(args: list[str], cwd: Path | None = None) -> Result:
    """`sidecarctl ARGS <&-`: file descriptor 0 not open at all."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["/bin/sh", "-c", 'exec "$@" <&-', "sh", *SIDECARCTL, *args],
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=WALL_SECONDS,
        preexec_fn=_limits,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_error(result: Result, *mentions: str, code: int = 1) -> str:
    """The contract: exit code, nothing on stdout, exactly one stderr line `Error: ...` naming
    what it should, and no traceback. Returns the line."""
    assert "Traceback" not in result.err, result.err
    assert result.code == code, (result.code, result.err)
    assert result.stdout == b"", result.stdout[:200]
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    assert line.startswith("Error: "), line
    for text in mentions:
        assert text in line, (text, line)
    return line


def kube_inject(path: Path | str, *flags: str, stdin: bytes | None = b"") -> Result:
    return run(["kube-inject", "--offline", "-f", str(path), *flags], stdin=stdin)
