"""Review cases of the --in-place transaction (sidecarctl.workflow.files), in-process so that a
signal can be sent at an exact point: the clean-up after a failure must not be cut short by it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sidecarctl import cli
from sidecarctl.errors import FileError
from sidecarctl.workflow import files


@pytest.fixture
def ending_signals() -> Iterator[None]:
    previous = cli._handle_ending_signals()
    try:
        yield
    finally:
        cli._restore_signals(previous)


def test_a_signal_during_the_roll_back_does_not_cut_it_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending_signals: None
) -> None:
    paths = [tmp_path / f"f{i}.yaml" for i in range(3)]
    for path in paths:
        path.write_bytes(b"old %s\n" % path.name.encode())
    real: Callable[..., None] = os.replace

    def replace(src: str, dst: str) -> None:
        if dst == str(paths[1]) and src.endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        if src.endswith(".bak"):  # the roll back begins: SIGTERM arrives now
            os.kill(os.getpid(), signal.SIGTERM)
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(cli.Interrupted):  # the signal is not lost: it ends the run once all is back
        files.replace_files([(str(path), lambda handle: handle.write(b"new\n")) for path in paths])
    assert [path.read_bytes() for path in paths] == [b"old %s\n" % path.name.encode() for path in paths]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f1.yaml", "f2.yaml"]


def test_a_file_replaced_by_someone_else_after_staging_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program renames its own version over f1.yaml once sidecarctl has staged its text:
    overwriting it would lose that edit without a word. The run stops, putting f0.yaml back."""
    paths = [tmp_path / f"f{i}.yaml" for i in range(3)]
    for path in paths:
        path.write_bytes(b"old\n")

    def someone_else() -> None:
        theirs = tmp_path / "theirs"
        theirs.write_bytes(b"their edit\n")
        os.replace(theirs, paths[1])

    monkeypatch.setattr(files, "_pause_for_tests", someone_else)
    with pytest.raises(FileError) as caught:
        files.replace_files([(str(path), lambda handle: handle.write(b"new\n")) for path in paths])
    assert str(caught.value).startswith(f"replace {paths[1]}: the file changed"), str(caught.value)
    assert [path.read_bytes() for path in paths] == [b"old\n", b"their edit\n", b"old\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f1.yaml", "f2.yaml"]


@pytest.mark.parametrize("call", ["link", "mkstemp"])
def test_a_signal_right_after_a_name_is_made_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending_signals: None, call: str
) -> None:
    """SIGTERM just as os.link made a backup name (or mkstemp a temporary file) but before the
    transaction has noted it: that name must not be left behind."""
    import tempfile

    paths = [tmp_path / f"f{i}.yaml" for i in range(2)]
    for path in paths:
        path.write_bytes(b"old\n")
    module, name = (files.os, "link") if call == "link" else (tempfile, "mkstemp")
    real: Callable[..., object] = getattr(module, name)

    def made_then_signalled(*args: object, **kwargs: object) -> object:
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return made

    monkeypatch.setattr(module, name, made_then_signalled)
    with pytest.raises(cli.Interrupted):
        files.replace_files([(str(path), lambda handle: handle.write(b"new\n")) for path in paths])
    assert [path.read_bytes() for path in paths] == [b"old\n", b"old\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.yaml", "f1.yaml"]
