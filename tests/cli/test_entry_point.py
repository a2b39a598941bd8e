"""The console scripts' entry point (`sidecarctl.cli.run`): main's result becomes the exit status,
streams are flushed, and the process leaves with os._exit (no interpreter teardown)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from sidecarctl import cli


class Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.mark.parametrize(
    "outcome,status,stderr",
    [
        (None, 0, ""),
        (3, 3, ""),
        (SystemExit(2), 2, ""),
        (SystemExit(None), 0, ""),
        (SystemExit("bad thing"), 1, "bad thing\n"),
    ],
)
def test_status_from_main(
    outcome: Any, status: int, stderr: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_main() -> Any:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def fake_exit(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    with pytest.raises(Exited) as exited:
        cli.run()
    assert exited.value.status == status
    assert capsys.readouterr().err == stderr


def test_output_is_complete_and_status_kept_in_a_real_process() -> None:
    ok = subprocess.run([sys.executable, "-m", "sidecarctl", "--version"], capture_output=True, text=True)
    assert (ok.returncode, ok.stdout.strip().startswith("sidecarctl, version"), ok.stderr) == (0, True, "")
    bad = subprocess.run(
        [sys.executable, "-m", "sidecarctl", "kube-inject", "--offline", "-f", "/nonexistent.yaml"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and "/nonexistent.yaml" in bad.stderr
