"""Where manifests come from: `-f` (repeatable, files, directories, `-`) or a piped stdin.

istioctl keeps only the last `-f`; here every `-f` is read, in order. A directory gives its
`.yaml`, `.yml` and `.json` files in sorted order (with `-R`, its subdirectories too), as kubectl
does. JSON needs nothing special: a JSON document is YAML to the reader, and a `List` is walked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import click

from sidecarctl.errors import InputError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

STDIN = "-"
MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")
NO_FILENAME = "filename not specified (see --filename or -f)"


class Source(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to define at startup
    """One input: `name` for messages ("-" for stdin), `path` when it is a file (for --in-place)."""

    name: str
    text: str
    path: str | None = None

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
                    stdin: Any = None) -> list[Source]:
    """Every input, read in full (nothing is processed before all inputs could be read).

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
            sources.extend(Source(path, read_file(path), path) for path in paths)
        else:
            sources.append(Source(name, read_file(name), name))
    return sources


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
        raise InputError(f"{name}:{line}:{column}: not UTF-8 text (byte {err.start})") from None


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
