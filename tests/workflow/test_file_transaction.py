"""--in-place as one transaction (sidecarctl.workflow.files), in-process so that a failure can be
injected into one rename(2): the files already replaced are put back, the error names the file
that failed, and no temporary or backup file is left."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from workflow_support import invoke

from sidecarctl.workflow import files

DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: NAME\nspec:\n  template:\n    metadata:\n"
    "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)
OTHER_UID, OTHER_GID = 4321, 4322


def _three(tmp_path: Path, injected: bool = False) -> list[Path]:
    paths = []
    for i in range(3):
        path = tmp_path / f"f{i}.yaml"
        path.write_text(DEPLOYMENT.replace("NAME", f"web{i}"))
        if injected:
            result = invoke("kube-inject", "--offline", "-q", "-f", str(path))
            assert result.exit_code == 0, result.stderr
            path.write_text(result.stdout)
        paths.append(path)
    return paths


def _failing_replace(monkeypatch: pytest.MonkeyPatch, victim: Path, error: OSError) -> list[str]:
    """os.replace fails when it would put a file at `victim`; returns every target it was asked for."""
    real: Callable[..., None] = os.replace
    asked: list[str] = []

    def replace(src: str, dst: str) -> None:
        asked.append(str(dst))
        if str(dst) == str(victim.resolve()) and ".sidecarctl-" in str(src) and str(src).endswith(".tmp"):
            raise error
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    return asked


COMMANDS = [
    pytest.param(("kube-inject", "--offline", "-q"), False, id="kube-inject"),
    pytest.param(("kube-inject", "--offline", "-q", "--preserve-formatting"), False, id="preserve-formatting"),
    pytest.param(("kube-inject", "--offline", "-q", "--output-format", "json"), False, id="json"),
    pytest.param(("uninject",), True, id="uninject"),
]


@pytest.mark.parametrize("command,injected", COMMANDS)
def test_failure_in_the_second_of_three_replacements_puts_the_first_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], injected: bool
) -> None:
    paths = _three(tmp_path, injected)
    before = [path.read_bytes() for path in paths]
    inodes = [path.stat().st_ino for path in paths]
    asked = _failing_replace(monkeypatch, paths[1], PermissionError(13, "Permission denied"))
    result = invoke(*command, "--in-place", *[a for p in paths for a in ("-f", str(p))])
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: replace {paths[1]}: Permission denied"), lines
    assert f"put back as they were: {paths[0]}" in lines[0] and "no file was changed" in lines[0]
    assert str(paths[0].resolve()) in asked  # the first really had been replaced
    assert [path.read_bytes() for path in paths] == before
    assert [path.stat().st_ino for path in paths] == inodes  # the very same files, not copies
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f1.yaml", "f2.yaml"]


def test_a_file_that_cannot_be_put_back_is_named_with_its_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _three(tmp_path)
    real: Callable[..., None] = os.replace

    def replace(src: str, dst: str) -> None:
        if str(dst) == str(paths[1].resolve()) or str(src).endswith(".bak"):
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    result = invoke("kube-inject", "--offline", "-q", "--in-place", *[a for p in paths for a in ("-f", str(p))])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert f"replace {paths[1]}: Input/output error" in line and f"could not put back {paths[0]}" in line
    backup = line.split("old text in ")[1].split(")")[0]
    assert Path(backup).read_text() == DEPLOYMENT.replace("NAME", "web0")  # the old text is not lost


def test_a_new_output_file_that_fails_to_arrive_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, target = tmp_path / "in.yaml", tmp_path / "out.yaml"
    source.write_text(DEPLOYMENT.replace("NAME", "web"))
    _failing_replace(monkeypatch, target, OSError(28, "No space left on device"))
    result = invoke("kube-inject", "--offline", "-q", "-f", str(source), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: replace {target}: No space left on device (free some space or write elsewhere); no file was changed"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file owned by another user")
def test_an_owner_that_cannot_be_kept_is_refused_unless_forced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a user who may write the file but not give a new one to its owner (chown refused)."""
    (path, *_) = _three(tmp_path)
    os.chown(path, OTHER_UID, OTHER_GID)
    before = path.read_bytes()

    def chown(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "chown", chown)
    result = invoke("kube-inject", "--offline", "-q", "--in-place", "-f", str(path))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert f"{path}: the file belongs to {OTHER_UID}:{OTHER_GID}" in line and "--force" in line
    assert path.read_bytes() == before
    assert invoke("kube-inject", "--offline", "-q", "--in-place", "--force", "-f", str(path)).exit_code == 0
    assert path.read_bytes() != before and path.stat().st_uid == os.geteuid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f1.yaml", "f2.yaml"]


def test_two_names_of_one_file_are_put_back_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-f target -f link-to-target -f third: the third fails; the target holds its first text again."""
    target, third = tmp_path / "f0.yaml", tmp_path / "f2.yaml"
    target.write_text(DEPLOYMENT.replace("NAME", "web0"))
    third.write_text(DEPLOYMENT.replace("NAME", "web2"))
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    before = target.read_bytes()
    _failing_replace(monkeypatch, third, OSError(28, "No space left on device"))
    result = invoke(
        "kube-inject", "--offline", "-q", "--in-place", "-f", str(target), "-f", str(link), "-f", str(third)
    )
    assert result.exit_code == 1, result.stderr
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f2.yaml", "link.yaml"]
