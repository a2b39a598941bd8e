"""Writing results into files without damaging any (docs/errors.md, "Files are never damaged").

Two ways a result reaches a path, both only once the whole output is ready:

- `write_output(path, fill)` (`-o PATH`): a regular file, or a path that does not exist yet, is
  replaced atomically (below). Anything else is opened as the shell's `>` would and written
  through: a character device (`/dev/null`), a FIFO (a socket is ENXIO, as for `>`); `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and
  `/proc/self/fd/N` name a descriptor this process already has, and are written through that
  descriptor (a pipe, a terminal, a file the shell opened). A device is never replaced by a file.
- `replace_files(items)` (`--in-place`, and `-o` onto a regular file): one transaction. Every new
  text is first written to a temporary file beside its target (`.sidecarctl-*.tmp`, given the
  target's mode, owner and group), then the targets are replaced one by one with rename(2), each
  old file kept under a hard link (`.sidecarctl-*.bak`) until all succeeded. If any replacement
  fails, or a signal ends the run, the files already replaced are put back and the error names the
  file that failed.

A file that cannot be replaced faithfully is refused before anything is written: a hard-linked
file (rename would leave the other names with the old text) unless `--break-hardlinks`; a
read-only file, or one whose owner or group this process cannot give to a new file, unless
`--force`. A symlink is followed: the file it points to is replaced and the link kept (`sed -i
--follow-symlinks`). Extended attributes and ACLs are not carried over.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import sys
from collections.abc import Callable
from typing import IO, Any, NamedTuple

from sidecarctl.errors import FileError, os_error

Fill = Callable[[IO[bytes]], Any]  # writes the output into a binary handle

TEMP_PREFIX = ".sidecarctl-"
# Test hook (tests/reliability/test_file_guarantees.py): when set, once every temporary file is
# written and before any target is replaced, the process creates the file this names and waits
# up to a minute, so a test can signal it in the middle of its write phase. Nothing else reads it.
TEST_PAUSE_ENV = "SIDECARCTL_TEST_PAUSE_BEFORE_REPLACE"
_DESCRIPTOR_DIRS = ("/dev/fd/", "/proc/self/fd/")
_STDIO_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


class FilePolicy(NamedTuple):
    """What the user allowed beyond a faithful replacement."""

    break_hardlinks: bool = False  # replace a file with several hard links by a new file
    force: bool = False  # replace read-only files, and files whose owner or group cannot be kept


def write_output(path: str, fill: Fill, policy: FilePolicy = FilePolicy()) -> None:
    """`-o PATH`: atomically for a regular (or new) file, written through for anything else."""
    descriptor = descriptor_named(path)
    if descriptor is not None:
        _write_descriptor(descriptor, path, fill)
        return
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        if path.endswith("/"):  # `> new/` is "Is a directory" too: realpath would drop the slash
            raise os_error("write", path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))) from None
        st = None
    except OSError as err:
        raise os_error("write", path, err) from None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        _write_through(path, fill)
        return
    replace_files([(path, fill)], policy)


def descriptor_named(path: str) -> int | None:
    """The descriptor a path such as /dev/stdout or /dev/fd/3 stands for, or None."""
    if path in _STDIO_NAMES:
        return _STDIO_NAMES[path]
    for prefix in _DESCRIPTOR_DIRS:
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            return int(path[len(prefix) :])
    return None


def _write_descriptor(descriptor: int, path: str, fill: Fill) -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()  # what was printed before comes first
    try:
        handle = os.fdopen(os.dup(descriptor), "wb")
    except OSError as err:
        raise os_error("write", path, err) from None
    _fill_and_close(handle, path, fill)


def _write_through(path: str, fill: Fill) -> None:
    """What `> PATH` does: open for writing (creating, truncating), write, close."""
    try:
        handle = open(path, "wb")
    except OSError as err:
        raise os_error("write", path, err) from None
    _fill_and_close(handle, path, fill)


def _fill_and_close(handle: IO[bytes], path: str, fill: Fill) -> None:
    try:
        with handle:
            fill(handle)
    except BrokenPipeError:
        raise  # the reader went away: quiet, as for stdout (cli.main)
    except OSError as err:
        raise os_error("write", path, err) from None


def write_stdout(fill: Fill) -> None:
    """The output on stdout; a full disk or a size limit there is one line, EPIPE stays quiet."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise FileError("write stdout: stdout is closed; redirect it (> FILE) or give -o FILE")
    try:
        sys.stdout.flush()
        fill(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise os_error("write", "stdout", err) from None


def write_all(handle: IO[bytes], data: bytes) -> None:
    """Write every byte. A buffered handle returns a short count when write(2) stored only part (a
    `ulimit -f` reached, a disk filling up) and swallows the error; writing the rest gets it."""
    view = memoryview(data)
    while view:
        written = handle.write(view)
        if not written:  # no byte stored and no error: say so rather than lose the rest
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


class _Staged:
    """One target of a transaction: its new text in `temp`, its old file kept as `backup`."""

    __slots__ = ("name", "target", "temp", "backup", "existed", "attempted", "seen")

    def __init__(self, name: str, target: str) -> None:
        self.name = name  # as the user gave it, for messages
        self.target = target  # the regular file itself (symlinks resolved)
        self.temp: str | None = None
        self.backup: str | None = None
        self.existed = False
        self.attempted = False  # rename started: roll it back on failure
        self.seen: tuple[int, ...] | None = None  # the target as staged (see _unchanged_since_staged)


def replace_files(items: list[tuple[str, Fill]], policy: FilePolicy = FilePolicy()) -> None:
    """Replace every path with what its fill writes, all or none (see the module docstring)."""
    staged: list[_Staged] = []
    try:
        for name, fill in items:
            staged.append(_Staged(name, os.path.realpath(name)))
            _stage(staged[-1], fill, policy)
            _drop_if_given_twice(staged)
        _pause_for_tests()
        for entry in staged:
            _swap(entry)
    except BaseException as exc:
        with _SignalsHeld():  # a signal now would leave the roll back half done; it comes after it
            kept = _roll_back(staged)
            _remove_all(staged, backups=kept)  # a backup that could not be put back stays, named
        if isinstance(exc, FileError) and any(entry.attempted for entry in staged):
            raise FileError(_rolled_back_message(str(exc), staged, kept)) from None
        raise
    with _SignalsHeld():
        _remove_all(staged, backups=True)


class _SignalsHeld:
    """Hold SIGINT, SIGTERM and SIGHUP back while files are being put back or cleaned up: the
    handler (cli.Interrupted) would otherwise stop that work in the middle. A signal that came
    meanwhile is delivered when the block ends."""

    _SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}

    def __enter__(self) -> None:
        self._old = signal.pthread_sigmask(signal.SIG_BLOCK, self._SIGNALS) if _CAN_MASK else None

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._old)


_CAN_MASK = hasattr(signal, "pthread_sigmask")


def _stage(entry: _Staged, fill: Fill, policy: FilePolicy) -> None:
    """Refuse what cannot be replaced faithfully, then write the new text beside the target."""
    try:
        st: os.stat_result | None = os.stat(entry.target)
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise os_error("write", entry.name, err) from None
    if st is not None:
        _check_replaceable(entry.name, entry.target, st, policy)
        entry.existed = True
        entry.seen = _identity(st)
    import tempfile  # only when writing files: it costs milliseconds of every run's startup

    try:
        with _SignalsHeld():  # a signal between creating the file and noting its name would leave it
            fd, entry.temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=os.path.dirname(entry.target))
    except OSError as err:
        raise os_error("write", entry.name, err) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
        if st is not None:
            _keep_owner(entry, st, policy)
        os.chmod(entry.temp, st.st_mode & 0o7777 if st is not None else 0o666 & ~_umask())
    except OSError as err:
        raise os_error("write", entry.name, err) from None


def _drop_if_given_twice(staged: list[_Staged]) -> None:
    """One file under two names (`-f a.yaml -f ./a.yaml`, a symlink): staged once. Two different
    new texts for it (a symlink a.json -> a.yaml asks for JSON and YAML) are refused."""
    entry = staged[-1]
    earlier = next((other for other in staged[:-1] if other.target == entry.target), None)
    if earlier is None:
        return
    assert entry.temp is not None and earlier.temp is not None
    try:
        with open(entry.temp, "rb") as mine, open(earlier.temp, "rb") as theirs:
            same = mine.read() == theirs.read()
    except OSError as err:
        raise os_error("write", entry.name, err) from None
    if not same:
        raise FileError(
            f"write {entry.name}: it is the same file as {earlier.name}, and the two names ask for "
            "different outputs; give the file once"
        )
    os.unlink(entry.temp)
    staged.pop()


def _check_replaceable(name: str, target: str, st: os.stat_result, policy: FilePolicy) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise os_error("write", name, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if not stat.S_ISREG(st.st_mode):
        raise FileError(
            f"write {name}: not a regular file; --in-place rewrites regular files only "
            "(use -o to write through a device or FIFO)"
        )
    if st.st_nlink > 1 and not policy.break_hardlinks:
        raise FileError(
            f"write {name}: the file has {st.st_nlink} hard links, which replacing it would "
            "break (the other names would keep the old text); use --break-hardlinks to "
            "replace it anyway"
        )
    if policy.force:
        return
    if not st.st_mode & 0o222:
        raise FileError(
            f"write {name}: the file is read-only (mode {stat.S_IMODE(st.st_mode):04o}); "
            "use --force to replace it anyway"
        )
    if not os.access(target, os.W_OK):
        raise FileError(f"write {name}: the file is read-only for uid {os.geteuid()}; use --force to replace it anyway")


def _keep_owner(entry: _Staged, st: os.stat_result, policy: FilePolicy) -> None:
    """Give the new file the old one's owner and group; refuse (unless --force) where not allowed."""
    assert entry.temp is not None
    made = os.stat(entry.temp)
    if (made.st_uid, made.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.chown(entry.temp, st.st_uid, st.st_gid)
    except PermissionError:
        if not policy.force:
            raise FileError(
                f"write {entry.name}: the file belongs to {st.st_uid}:{st.st_gid} (uid:gid), which "
                f"a new file made by uid {os.geteuid()} cannot keep; run as its owner or root, "
                "or use --force to replace it anyway"
            ) from None


def _swap(entry: _Staged) -> None:
    """Keep the old file under a hard link, then rename the new one over it. Signals wait until
    the names made are noted (a backup made but not yet known would be left behind)."""
    assert entry.temp is not None
    with _SignalsHeld():
        _unchanged_since_staged(entry)
        if entry.existed:
            entry.backup = _backup(entry)
        entry.attempted = True
        try:
            os.replace(entry.temp, entry.target)
        except OSError as err:
            raise os_error("replace", entry.name, err) from None
        entry.temp = None


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _unchanged_since_staged(entry: _Staged) -> None:
    """Refuse to replace a target another program rewrote (or created) since it was staged: its
    edit would be lost without a word. (A change in the microseconds before rename(2) is not seen.)"""
    try:
        now: tuple[int, ...] | None = _identity(os.stat(entry.target))
    except FileNotFoundError:
        now = None
    except OSError as err:
        raise os_error("replace", entry.name, err) from None
    if now != entry.seen:
        raise FileError(
            f"replace {entry.name}: the file changed while sidecarctl was writing it (another "
            "program wrote, replaced or removed it); it was left as that program made it; run again"
        )


def _backup(entry: _Staged) -> str:
    """A second name for the old file in its directory (a copy where it cannot be linked)."""
    directory = os.path.dirname(entry.target)
    for _ in range(100):
        backup = os.path.join(directory, f"{TEMP_PREFIX}{os.urandom(6).hex()}.bak")
        try:
            os.link(entry.target, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:  # no hard links here (EMLINK, EPERM, a file system without them): copy it
            break
    import shutil
    import tempfile

    try:
        fd, backup = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".bak", dir=directory)
        with os.fdopen(fd, "wb") as handle, open(entry.target, "rb") as old:
            shutil.copyfileobj(old, handle)
        st = os.stat(entry.target)
        try:
            os.chown(backup, st.st_uid, st.st_gid)
        except PermissionError:
            pass
        os.chmod(backup, st.st_mode & 0o7777)
        return backup
    except OSError as err:
        raise os_error("keep a copy of", entry.name, err) from None


def _roll_back(staged: list[_Staged]) -> bool:
    """Put back every file already replaced; False if one could not be (its backup is kept)."""
    ok = True
    for entry in reversed(staged):  # last first: two names of one file come back in order
        if not entry.attempted:
            continue
        try:
            if entry.backup is not None and _same_file(entry.backup, entry.target):
                os.unlink(entry.backup)  # the rename never happened (and rename(2) between links is a no-op)
                entry.backup = None
            elif entry.backup is not None:
                os.replace(entry.backup, entry.target)
                entry.backup = None
            elif not entry.existed and (entry.temp is None or not os.path.lexists(entry.temp)):
                os.unlink(entry.target)  # a file this run created (its rename went through)
        except OSError:
            ok = False
    return ok


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samestat(os.stat(one), os.stat(other))
    except OSError:
        return False


def _rolled_back_message(message: str, staged: list[_Staged], kept: bool) -> str:
    others = [
        entry.name
        for entry in staged
        if entry.attempted
        and entry.existed
        and entry.backup is None
        and not message.startswith(f"replace {entry.name}:")
    ]
    if not kept:
        left = [f"{entry.name} (old text in {entry.backup})" for entry in staged if entry.backup is not None]
        return f"{message}; could not put back {', '.join(left)}"
    if others:
        return f"{message}; put back as they were: {', '.join(others)}; no file was changed"
    return f"{message}; no file was changed"


def _remove_all(staged: list[_Staged], backups: bool) -> None:
    for entry in staged:
        for path in (entry.temp, entry.backup if backups else None):
            if path is not None:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _pause_for_tests() -> None:
    marker = os.environ.get(TEST_PAUSE_ENV)
    if not marker:
        return
    import time

    with open(marker, "w"):
        pass
    time.sleep(60)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
