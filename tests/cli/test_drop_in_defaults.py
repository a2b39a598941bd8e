"""kube-inject as a drop-in: stderr holds istioctl's lines plus one count line (per-workload lines
with -v), a workload counter only on a terminal and only for runs past a second, NO_COLOR honoured,
and ENABLE_NATIVE_SIDECARS read as Istio reads it (exact values, a warning for any other)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

from cli_runner import run_cli
from sidecarctl.workflow import progress as progress_mod
from sidecarctl.workflow.progress import CountingResults, Progress

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: nginx\n"
HOST_POD = POD.replace("name: p\n", "name: h\n") + "  hostNetwork: true\n"
ISTIO_WARNING = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\twarn\tUnknown value for ENABLE_NATIVE_SIDECARS: "
    r"(?P<value>.*), defaulting to false$"
)


def pods(count: int) -> str:
    return "---\n".join(POD.replace("name: p\n", f"name: p{index}\n") for index in range(count))


# --- stderr by default, with -v, with -q ----------------------------------------------------------

ISTIOCTL = '\n===> Skipping injection because Pod "h" has host networking enabled\n\n'  # istioctl's own lines


@pytest.mark.parametrize(
    "args,stderr",
    [
        pytest.param([], ISTIOCTL + "2 workloads: 1 injected, 1 skipped\n", id="default"),
        pytest.param(
            ["-v"],
            ISTIOCTL + "pod/p injected\npod/h skipped: host networking\n2 workloads: 1 injected, 1 skipped\n",
            id="verbose",
        ),
        pytest.param(["-q"], ISTIOCTL, id="quiet"),
    ],
)
def test_stderr_is_istioctls_plus_one_line(args: list[str], stderr: str) -> None:
    result = run_cli("kube-inject", "--offline", *args, stdin=POD + "---\n" + HOST_POD)
    assert result.exit_code == 0
    assert result.stderr == stderr


def test_many_workloads_still_one_line() -> None:
    result = run_cli("kube-inject", "--offline", stdin=pods(50))
    assert result.exit_code == 0
    assert result.stderr == "50 workloads: 50 injected, 0 skipped\n"


# --- the workload counter -------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "stream,elapsed,shown",
    [
        pytest.param(Terminal(), 1.5, True, id="terminal-long-run"),
        pytest.param(Terminal(), 0.5, False, id="terminal-short-run"),
        pytest.param(io.StringIO(), 5.0, False, id="not-a-terminal"),
    ],
)
def test_counter_only_on_a_terminal_and_after_a_second(stream: io.StringIO, elapsed: float, shown: bool) -> None:
    clock = Clock()
    progress = Progress(stream=stream, clock=clock)
    results = CountingResults(progress)
    for _ in range(3):
        clock.now += elapsed / 3
        results.append(object())
    assert ("\r3 workloads" in stream.getvalue()) is shown
    progress.close()
    text = stream.getvalue()
    assert text.endswith("\r" + " " * len("3 workloads") + "\r") is shown
    assert "\033" not in text, "no escape sequences: nothing for NO_COLOR to turn off"


def test_counter_counts_workloads_and_names_files() -> None:
    clock = Clock()
    stream = Terminal()
    progress = Progress(stream=stream, clock=clock)
    clock.now += 2
    progress.total = 4
    progress.done = 1
    progress.count(1200)
    assert stream.getvalue().endswith("\r1200 workloads (1/4 files)")
    clock.now += 0.05
    progress.count(1201)
    assert "1201" not in stream.getvalue(), "at most ten updates a second"
    clock.now += 0.1
    progress.step(2)
    assert stream.getvalue().endswith("\r1201 workloads (2/4 files)")


def test_kube_inject_counts_workloads_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Through the command: stderr a terminal, the delay gone; the counter counts workloads in
    both loops (the streamed plain output and the views), then is erased before the count line."""
    monkeypatch.setattr(progress_mod, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    monkeypatch.setattr(progress_mod, "INTERVAL", 0.0)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(pods(3))
    for extra in ([], ["--diff"]):
        result = run_cli("kube-inject", "--offline", *extra, "-f", str(tmp_path))
        assert result.exit_code == 0, result.stderr
        assert "\r6 workloads (2/2 files)" in result.stderr
        assert (
            result.stderr.endswith("\r6 workloads in 2 files: 6 injected, 0 skipped\n"[1:])
            and "\r" + " " * 23 + "\r" in result.stderr
        )


# --- NO_COLOR -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "no_color,coloured",
    [
        pytest.param(None, True, id="unset"),
        pytest.param("", True, id="empty-is-unset"),
        pytest.param("1", False, id="set"),
    ],
)
def test_diff_colour_follows_no_color(monkeypatch: pytest.MonkeyPatch, no_color: str | None, coloured: bool) -> None:
    from sidecarctl.commands import kube_inject
    from sidecarctl.workflow.outputs import OutputOptions

    monkeypatch.setattr(kube_inject.sys, "stdout", Terminal())
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    out = OutputOptions(output=None, output_format=None, in_place=False, quiet=False)
    assert kube_inject._color(out) is coloured


# --- ENABLE_NATIVE_SIDECARS as Istio reads it -----------------------------------------------------


@pytest.mark.parametrize(
    "value,native,warned",
    [
        pytest.param("true", True, False, id="true"),
        pytest.param("false", False, False, id="false"),
        pytest.param("auto", False, False, id="auto-without-a-cluster"),
        pytest.param(None, False, False, id="unset-is-auto"),
        pytest.param("TRUE", False, True, id="TRUE-warns"),
        pytest.param("True", False, True, id="True-warns"),
        pytest.param("1", False, True, id="1-warns"),
        pytest.param("yes", False, True, id="yes-warns"),
    ],
)
def test_native_sidecars_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, native: bool, warned: bool
) -> None:
    from click.testing import CliRunner

    from sidecarctl.cli import main

    env = {} if value is None else {"ENABLE_NATIVE_SIDECARS": value}
    monkeypatch.delenv("ENABLE_NATIVE_SIDECARS", raising=False)
    runner = CliRunner()
    with runner.isolation(input=POD, env=env) as (out, err, _):
        try:
            main(["kube-inject", "--offline"])
        except SystemExit as stop:
            assert not stop.code
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    spec = next(yaml.safe_load_all(stdout))["spec"]
    assert ("istio-proxy" in [c["name"] for c in spec.get("initContainers", [])]) is native
    warnings = [line for line in stderr.splitlines() if ISTIO_WARNING.match(line)]
    assert warnings == ([ISTIO_WARNING.match(warnings[0])[0]] if warned else [])  # type: ignore[index]
    if warned:
        assert ISTIO_WARNING.match(warnings[0])["value"] == value  # type: ignore[index]


def test_native_sidecars_flag_overrides_without_a_warning() -> None:
    result = run_cli("kube-inject", "--offline", "--native-sidecars", stdin=POD, env={"ENABLE_NATIVE_SIDECARS": "TRUE"})
    assert result.exit_code == 0 and "Unknown value" not in result.stderr


def test_help_states_the_real_default() -> None:
    text = " ".join(run_cli("kube-inject", "--help").stdout.split())
    assert "ENABLE_NATIVE_SIDECARS=true" not in text
    assert "`auto` (the default when unset)" in text and "any other value warns and is off" in text


# --- -q silences everything but errors and istioctl's own lines; -q with -v is a contradiction -------


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    result = run_cli("kube-inject", "--offline", "-q", "-v", stdin=POD)
    assert result.exit_code == 2
    assert "-q/--quiet and -v/--verbose cannot be used together" in result.stderr


def test_quiet_shows_no_counter_on_a_terminal() -> None:
    """A real pseudo-terminal as stderr and a run past the counter's delay: with -q nothing of the
    counter (nor the summary) reaches the terminal."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = dict(os.environ, SIDECARCTL_NO_CACHE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarctl", "kube-inject", "--offline", "-q", "-f", "-"],
        input=pods(1500).encode(),
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        timeout=300,
        check=False,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"workload" not in seen, seen[:200]
