"""Cases found by the adversarial review of the file guarantees (docs/errors.md, "Files are never
damaged") that the first round of tests did not cover: each drives the real CLI in a subprocess,
inside tmp_path only."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

from reliability_support import ROOT, SIDECARCTL, WALL_SECONDS, Result, assert_error, run

DEPLOYMENT = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n"
    b"      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ENABLE_NATIVE_SIDECARS": "false"}


def test_file_size_limit_below_one_buffer_on_stdout_is_an_error(tmp_path: Path) -> None:
    """One document (~7 KB, less than the 8 KiB stdout buffer) over a 4 KiB `ulimit -f`: write(2)
    stores 4 KiB and returns a short count; that must not pass as a whole output with exit 0."""
    source, target = tmp_path / "in.yaml", tmp_path / "out.yaml"
    source.write_bytes(DEPLOYMENT)
    limit = 4096

    def small_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with open(target, "wb") as stdout:
        proc = subprocess.run(
            [*SIDECARCTL, "kube-inject", "--offline", "-q", "-f", str(source)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=WALL_SECONDS,
            preexec_fn=small_limit,
        )
    assert target.stat().st_size == limit  # the output really is longer than the limit
    assert_error(Result(proc.returncode, b"", proc.stderr), "write stdout", "File too large", "ulimit -f")


def test_a_fifo_inside_a_directory_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A FIFO named like a manifest in a directory given with -f (-R): opening it would wait
    forever for a writer; it is refused by name instead, before anything is read."""
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.yaml").write_bytes(DEPLOYMENT)
    os.mkfifo(tree / "sub" / "b.yaml")
    result = run(["kube-inject", "--offline", "-q", "-R", "-f", str(tree)])
    assert_error(result, "sub/b.yaml", "FIFO", "not a regular file")


def test_output_onto_a_new_name_with_a_trailing_slash_is_not_a_file(tmp_path: Path) -> None:
    """`-o out/` names a directory, as the shell's `> out/` reads it: no regular file `out` is made."""
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    result = run(["kube-inject", "--offline", "-q", "-f", str(source), "-o", str(tmp_path / "out") + "/"])
    assert_error(result, "out/", "Is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml"]


def test_in_place_with_one_file_given_twice_rewrites_it_once(tmp_path: Path) -> None:
    """`-f a.yaml -f ./a.yaml -f link.yaml` (link.yaml -> a.yaml): one file, three names, one
    output; the second and third must not be taken for another program's change of the first."""
    target = tmp_path / "a.yaml"
    target.write_bytes(DEPLOYMENT)
    (tmp_path / "link.yaml").symlink_to("a.yaml")
    expected = run(["kube-inject", "--offline", "-q", "-f", str(target)])
    assert expected.code == 0 and b"istio-proxy" in expected.stdout, expected.err
    result = run(
        ["kube-inject", "--offline", "-q", "--in-place", "-f", "a.yaml", "-f", "./a.yaml", "-f", "link.yaml"],
        cwd=tmp_path,
    )
    assert (result.code, result.err) == (0, "")
    assert target.read_bytes() == expected.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "link.yaml"]
