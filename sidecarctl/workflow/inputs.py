"""Where manifests come from: `-f` (repeatable, files, directories, `-`) or a piped stdin.

istioctl keeps only the last `-f`; here every `-f` is read, in order. A directory gives its
`.yaml`, `.yml` and `.json` files in sorted order (with `-R`, its subdirectories too), as kubectl
does. JSON needs nothing special: a JSON document is YAML to the reader, and a `List` is walked.

Inputs are read whole, except for kube-inject's streamed output (`collect_sources(streamed=True)`):
a regular file is then read through once to check it (opened, within the input cap, UTF-8: the
same errors, in the same order, as reading it whole) and not kept; its text is read again from the
file, a block at a time, as it is injected (`Source.pieces`), so a long stream is never held in
memory. Stdin and files that can be read only once (pipes, `-f <(...)`) are still read whole.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple, TypeVar

import click

from sidecarctl.errors import InputError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

STDIN = "-"
MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")
NO_FILENAME = "filename not specified (see --filename or -f)"


class Source(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to define at startup
    """One input: `name` for messages ("-" for stdin), `path` when it is a file (for --in-place).

    `text` is the whole input, or "" when `pieces` is set: a streamed file, whose text each call to
    `pieces` reads afresh from the file, a block at a time (see `file_text`)."""

    name: str
    text: str
    path: str | None = None
    pieces: Callable[[], Iterator[str]] | None = None

    @property
    def is_json(self) -> bool:
        return (self.path or "").endswith(".json")


def input_options(func: F) -> F:
    """`-f/--filename` (repeatable) and `-R/--recursive`, passed as `filenames` and `recursive`."""
    func = click.option("-R", "--recursive", is_flag=True, help="Read directories given with -f recursively.")(func)
    func = click.option(
        "-f",
        "--filename",
        "filenames",
        metavar="FILE",
        multiple=True,
        help="Input manifests: a file, a directory (.yaml/.yml/.json) or '-' for stdin; "
        "repeatable. Without -f, a piped stdin is read.",
    )(func)
    return func


def collect_sources(
    filenames: tuple[str, ...] | list[str], recursive: bool = False, stdin: Any = None, streamed: bool = False
) -> list[Source]:
    """Every input, read in full (nothing is processed before all inputs could be read); with
    `streamed`, regular files are checked in full but not held (see the module docstring).

    Without `-f`, a stdin that is not a terminal is read (Helm post-renderers, pipes); a terminal,
    or a stdin that gives no bytes at all, is istioctl's usage error, so a forgotten `-f` in a
    script never passes silently as an empty result.
    """
    stream = stdin if stdin is not None else sys.stdin
    if not filenames:
        if stream is None or _is_terminal(stream):
            raise UsageError(NO_FILENAME)
        source = Source(STDIN, read_stdin(stream))
        if not source.text:
            raise UsageError(NO_FILENAME)
        return [source]
    if list(filenames).count(STDIN) > 1:
        raise UsageError("stdin ('-') can be given only once")
    sources: list[Source] = []
    for name in filenames:
        if name == STDIN:
            sources.append(Source(STDIN, read_stdin(stream)))
        elif os.path.isdir(name):
            paths = manifest_files(name, recursive)
            if not paths:
                raise InputError(
                    f"{name}: no {', '.join(MANIFEST_EXTENSIONS)} files"
                    + ("" if recursive else " (use -R for subdirectories)")
                )
            sources.extend(file_source(path, streamed) for path in paths)
        else:
            sources.append(file_source(name, streamed))
    return sources


def file_source(path: str, streamed: bool = False) -> Source:
    if streamed and os.path.isfile(path):  # a regular file: it can be read again
        check_file(path)
        return Source(path, "", path, pieces=lambda: file_text(path))
    return Source(path, read_file(path), path)


def manifest_files(directory: str, recursive: bool) -> list[str]:
    """A directory's manifest files in lexical order, subdirectories where they sort (as kubectl's walk).

    Symbolic links to directories are followed; one that leads back to a directory being walked
    (a loop, which would never end) is an error naming both, as `find -L` reports it."""
    return _walk(directory, recursive, {})


def _walk(directory: str, recursive: bool, ancestors: dict[tuple[int, int], str]) -> list[str]:
    found: list[str] = []
    try:
        st = os.stat(directory)
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as err:
        from sidecarctl.errors import os_error

        raise os_error("open", directory, err) from None
    key = (st.st_dev, st.st_ino)
    if key in ancestors:
        raise InputError(
            f"{directory}: file system loop: it is {ancestors[key]} again (a symbolic link to a "
            "directory that contains it); remove the link or leave out -R"
        )
    ancestors[key] = directory
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:  # a link whose target cannot be looked at: read as a file, which names the error
            is_dir = False
        if is_dir:
            if recursive:
                found.extend(_walk(entry.path, recursive, ancestors))
        elif entry.name.endswith(MANIFEST_EXTENSIONS):
            _refuse_special(entry)
            found.append(entry.path)
    del ancestors[key]
    return found


def _refuse_special(entry: os.DirEntry[str]) -> None:
    """A FIFO, device or socket named like a manifest inside a directory is refused: opening a FIFO
    would wait for a writer forever. (Given by name with -f, as `-f <(...)`, it is read.)"""
    try:
        mode = entry.stat().st_mode
    except OSError:  # a dangling link: reading it names the error
        return
    if stat.S_ISREG(mode):
        return
    kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    raise InputError(
        f"{entry.path}: a {kind}, not a regular file; a directory given with -f is read for "
        "regular files only (give it by name with -f to read it, or remove it)"
    )


def read_file(path: str) -> str:
    from sidecarctl.limits import read_bounded

    try:
        with open(path, "rb") as handle:
            data = read_bounded(handle, path)
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None
    return decode(data, path)


def decode(data: bytes, name: str, line: int = 1, offset: int = 0) -> str:
    """UTF-8 text, or an error naming the line and column of the first bad byte. `data` may be a
    block of a file that starts a line: `line` is that line's number, `offset` its byte offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line += data.count(b"\n", 0, err.start)
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(f"{name}:{line}:{column}: not UTF-8 text (byte {offset + err.start})") from None


def check_file(path: str) -> None:
    """What `read_file` raises, without holding the file: the open error, then the cap, then the
    first byte that is not UTF-8 (a file over the cap is refused before its bytes are judged)."""
    bad: InputError | None = None
    for line, offset, data in _blocks(path):
        if bad is None and not data.isascii():
            try:
                decode(data, path, line, offset)
            except InputError as err:
                bad = err
    if bad is not None:
        raise bad


def file_text(path: str) -> Iterator[str]:
    """The file's text a block of whole lines at a time (`yamlio.iter_documents` takes it so),
    decoded as `read_file` decodes it whole (the same error, raised when its block is reached),
    within the same cap."""
    for line, offset, data in _blocks(path):
        yield decode(data, path, line, offset)


BLOCK_BYTES = 1 << 16


def _blocks(path: str) -> Iterator[tuple[int, int, bytes]]:
    """(number of its first line, byte offset, bytes) of each block of a file: ~BLOCK_BYTES, ending
    at a b"\n" (or the end), so that no UTF-8 sequence is cut. read_bounded's cap and its error hold
    for the file as a whole, and nothing is read past it."""
    from sidecarctl import limits

    cap = limits.MAX_INPUT_BYTES
    with _open(path) as handle:
        line, offset = 1, 0
        while True:
            try:
                data = handle.read(min(BLOCK_BYTES, cap - offset + 1))
                if data and not data.endswith(b"\n") and offset + len(data) <= cap:
                    data += handle.readline(cap - offset - len(data) + 1)  # the rest of the line
            except OSError as err:
                raise InputError(f"open {path}: {err.strerror or err}") from None
            if not data:
                return
            if offset + len(data) > cap:
                raise limits.input_too_large(path, cap)
            yield line, offset, data
            line += data.count(b"\n")
            offset += len(data)


def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None


def read_stdin(stream: Any) -> str:
    from sidecarctl.limits import read_bounded

    if stream is None:  # started with stdin closed (`<&-`)
        raise InputError("open -: stdin is closed")
    try:
        data = read_bounded(stream.buffer if hasattr(stream, "buffer") else stream, STDIN)
    except OSError as err:
        raise InputError(f"open -: {err.strerror or err}") from None
    return decode(data, STDIN) if isinstance(data, bytes) else str(data)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
