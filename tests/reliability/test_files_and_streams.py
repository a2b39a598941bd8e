"""Files, streams and usage: missing and odd paths, -o and --in-place never truncating anything,
closed stdin, a reader that goes away, usage errors (exit 2), and no traceback from any command."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from reliability_support import ROOT, SIDECARCTL, assert_error, kube_inject, run, run_closed_stdin

DEPLOYMENT = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n"
    b"      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)
BAD = b'apiVersion: v1\nkind: Pod\nspec: {containers: "x"}\n'


def test_directory_as_input(tmp_path: Path) -> None:
    assert_error(kube_inject(tmp_path), str(tmp_path), "directory")


def test_missing_input(tmp_path: Path) -> None:
    assert_error(kube_inject(tmp_path / "nope.yaml"), "nope.yaml", "No such file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_input(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_bytes(DEPLOYMENT)
    path.chmod(0)
    assert_error(kube_inject(path), "secret.yaml", "Permission denied")


def test_output_into_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(DEPLOYMENT)
    assert_error(kube_inject(path, "-o", str(tmp_path / "no" / "out.yaml")), "out.yaml", "No such file")
    assert not (tmp_path / "no").exists()


def test_output_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(DEPLOYMENT)
    (tmp_path / "out").mkdir()
    assert_error(kube_inject(path, "-o", str(tmp_path / "out")), "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_output_same_as_input_on_error_keeps_the_input(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(DEPLOYMENT + b"---\n" + BAD)
    assert_error(kube_inject(path, "-o", str(path)), "document 2")
    assert path.read_bytes() == DEPLOYMENT + b"---\n" + BAD
    assert [p.name for p in tmp_path.iterdir()] == ["in.yaml"]


def test_output_same_as_input_replaces_it_whole(tmp_path: Path) -> None:
    path, reference = tmp_path / "in.yaml", tmp_path / "ref.yaml"
    path.write_bytes(DEPLOYMENT)
    expected = kube_inject(path).stdout
    result = kube_inject(path, "-o", str(path))
    assert result.code == 0 and result.stdout == b"", result.err
    assert path.read_bytes() == expected and b"istio-proxy" in expected
    assert not reference.exists()


def test_output_through_a_symlink_replaces_the_target(tmp_path: Path) -> None:
    path, target, link = tmp_path / "in.yaml", tmp_path / "target.yaml", tmp_path / "link.yaml"
    path.write_bytes(DEPLOYMENT)
    target.write_bytes(b"old\n")
    link.symlink_to(target)
    assert kube_inject(path, "-o", str(link)).code == 0
    assert link.is_symlink() and b"istio-proxy" in target.read_bytes()


def test_input_through_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    assert_error(kube_inject(link), "link.yaml", "No such file")


def test_in_place_on_error_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(BAD)
    result = run(["kube-inject", "--offline", "--in-place", "-f", str(path)])
    if "No such option" in result.err:
        pytest.skip("--in-place not available in this build")
    assert_error(result, "in.yaml")
    assert path.read_bytes() == BAD


def test_stdin_closed() -> None:
    assert_error(run_closed_stdin(["kube-inject", "--offline", "-f", "-"]), "stdin")


def test_reader_going_away_is_quiet(tmp_path: Path) -> None:
    """`sidecarctl kube-inject ... | head -1`: no traceback, no message, SIGPIPE's exit status."""
    path = tmp_path / "many.yaml"
    path.write_bytes(b"---\n".join(DEPLOYMENT.replace(b"name: web", b"name: w%d" % i) for i in range(300)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        SIDECARCTL + ["kube-inject", "--offline", "-f", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    # 141 when a write fails with EPIPE; a reader that leaves during the one final write of a
    # large stream may be noticed by no write at all (the kernel reports a short write), then 0.
    assert code in (0, 141, -signal.SIGPIPE), (code, stderr)


@pytest.mark.parametrize(
    "args,mentions",
    [
        (["kube-inject", "--offline"], ("filename not specified",)),
        (["kube-inject", "--bogus"], ("No such option", "--bogus")),
        (["kube-inject", "-f"], ("requires an argument",)),
        (["no-such-command"], ("No such command",)),
        (["template", "render", "--funcs", "nope", "x"], ("--funcs",)),
    ],
    ids=["no-filename", "unknown-flag", "flag-without-value", "unknown-command", "bad-choice"],
)
def test_bad_usage_is_exit_2_in_one_line(args: list[str], mentions: tuple[str, ...]) -> None:
    assert_error(run(args), *mentions, code=2)


@pytest.mark.parametrize("command", ["uninject", "check", "krm-fn", "completion", "webhook", "template"])
def test_every_command_answers_without_a_traceback(tmp_path: Path, command: str) -> None:
    """Each command with a missing file, a bad flag and closed stdin: never a traceback."""
    for args in ([command, "-f", str(tmp_path / "nope.yaml")], [command, "--bogus"], [command, "-f", "-"]):
        result = run_closed_stdin(args)
        assert "Traceback" not in result.err, (args, result.err)
        assert result.code in (0, 1, 2), (args, result.code, result.err)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_closed_stdin(["--debug", "kube-inject", "--offline", "-f", str(tmp_path / "nope.yaml")])
    assert result.code == 1
    assert "Traceback" in result.err
