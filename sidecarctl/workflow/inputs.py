"""Where manifests come from: `-f` (repeatable, files, directories, `-`) or a piped stdin.

istioctl keeps only the last `-f`; here every `-f` is read, in order. A directory gives its
`.yaml`, `.yml` and `.json` files in sorted order (with `-R`, its subdirectories too), as kubectl
does. JSON needs nothing special: a JSON document is YAML to the reader, and a `List` is walked.

Inputs are read whole, except for kube-inject's streamed output (`collect_sources(streamed=True)`):
a regular file is then read through once to check it (opened, within the input cap, UTF-8: the
same errors, in the same order, as reading it whole) and not kept; its lines are read again from
the file when it is injected (`Source.lines`), so a long stream is never held in memory. Stdin and
other files that can be read only once (pipes, `<(...)`) are still read whole.
"""

from __future__ import annotations

import os
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

    `text` is the whole input, or "" when `lines` is set: a streamed file, whose decoded lines
    (see `file_lines`) each call to `lines` reads afresh from the file."""

    name: str
    text: str
    path: str | None = None
    lines: Callable[[], Iterator[str]] | None = None

    @property
    def is_json(self) -> bool:
        return (self.path or "").endswith(".json")


def input_options(func: F) -> F:
    """`-f/--filename` (repeatable) and `-R/--recursive`, passed as `filenames` and `recursive`."""
    func = click.option("-R", "--recursive", is_flag=True,
                        help="Read directories given with -f recursively.")(func)
    func = click.option("-f", "--filename", "filenames", metavar="FILE", multiple=True,
                        help="Input manifests: a file, a directory (.yaml/.yml/.json) or '-' for stdin; "
                             "repeatable. Without -f, a piped stdin is read.")(func)
    return func


def collect_sources(filenames: tuple[str, ...] | list[str], recursive: bool = False,
                    stdin: Any = None, streamed: bool = False) -> list[Source]:
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
                raise InputError(f"{name}: no {', '.join(MANIFEST_EXTENSIONS)} files"
                                 + ("" if recursive else " (use -R for subdirectories)"))
            sources.extend(file_source(path, streamed) for path in paths)
        else:
            sources.append(file_source(name, streamed))
    return sources


def file_source(path: str, streamed: bool = False) -> Source:
    if streamed and os.path.isfile(path):  # a regular file: it can be read again
        check_file(path)
        return Source(path, "", path, lines=lambda: file_lines(path))
    return Source(path, read_file(path), path)


def manifest_files(directory: str, recursive: bool) -> list[str]:
    """A directory's manifest files in lexical order, subdirectories where they sort (as kubectl's walk)."""
    found: list[str] = []
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as err:
        raise InputError(f"open {directory}: {err.strerror or err}") from None
    for entry in entries:
        if entry.is_dir():
            if recursive:
                found.extend(manifest_files(entry.path, recursive))
        elif entry.name.endswith(MANIFEST_EXTENSIONS):
            found.append(entry.path)
    return found


def read_file(path: str) -> str:
    from sidecarctl.limits import read_bounded

    try:
        with open(path, "rb") as handle:
            data = read_bounded(handle, path)
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None
    return decode(data, path)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or an error naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise _not_utf8(name, line, column, err.start) from None


def _not_utf8(name: str, line: int, column: int, offset: int) -> InputError:
    return InputError(f"{name}:{line}:{column}: not UTF-8 text (byte {offset})")


def check_file(path: str) -> None:
    """What `read_file` would raise, without holding the file: the open error, then the cap, then
    the first byte that is not UTF-8 (a file over the cap is refused before its bytes are judged)."""
    bad: InputError | None = None
    for number, offset, data in _binary_lines(path):
        if bad is None and not data.isascii():
            bad = _decode_line(data, path, number, offset)[1]
    if bad is not None:
        raise bad


def file_lines(path: str) -> Iterator[str]:
    """The file's lines, each with its line end, decoded as `decode` decodes the whole file (same
    error, raised when its line is reached) and within the same cap as `read_file`."""
    for number, offset, data in _binary_lines(path):
        text, bad = _decode_line(data, path, number, offset)
        if bad is not None:
            raise bad
        yield text


def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None


def _decode_line(data: bytes, name: str, number: int, offset: int) -> tuple[str, InputError | None]:
    # No UTF-8 sequence contains a b"\n" byte, so decoding line by line fails at the same byte as
    # decoding the whole file, and the line's own offset is the column.
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return "", _not_utf8(name, number, err.start + 1, offset + err.start)


def _binary_lines(path: str) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, line with its b"\\n") of a file; read_bounded's cap and its error
    hold for the file as a whole, and no line is read past it."""
    from sidecarctl import limits

    cap = limits.MAX_INPUT_BYTES
    with _open(path) as handle:
        offset = 0
        number = 0
        while True:
            try:
                data = handle.readline(cap - offset + 1)
            except OSError as err:
                raise InputError(f"open {path}: {err.strerror or err}") from None
            if not data:
                return
            number += 1
            if offset + len(data) > cap:
                raise limits.input_too_large(path, cap)
            yield number, offset, data
            offset += len(data)


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
