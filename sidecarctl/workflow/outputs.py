"""Where results go: stdout, `-o FILE`, or back into each input file (`--in-place`); YAML or JSON.

Callers build every result first and write last, so an error anywhere writes nothing anywhere.
Files are written through a sibling temporary file renamed into place (mode kept).

JSON output is what `kubectl get -o json` users script against: one document gives that object,
any other number gives a `v1 List` of them (comment-only documents have no object and vanish),
indented by 4 spaces like kubectl, key order as in the YAML.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import click

from sidecarctl.errors import InputError, UsageError
from sidecarctl.workflow.inputs import Source

F = TypeVar("F", bound=Callable[..., Any])

YAML, JSON = "yaml", "json"


class OutputOptions(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to define at startup
    output: str | None = None
    output_format: str | None = None  # None: YAML (in place: JSON for a .json file)
    in_place: bool = False
    quiet: bool = False

    def check(self, sources: list[Source]) -> None:
        """Usage errors (exit 2) found before anything is processed."""
        if self.in_place and self.output:
            raise UsageError("--in-place and -o/--output cannot be used together")
        if self.in_place and any(source.path is None for source in sources):
            raise UsageError("--in-place needs files (-f FILE or -f DIR), not stdin")

    def format_for(self, source: Source | None) -> str:
        if self.output_format:
            return self.output_format
        return JSON if self.in_place and source is not None and source.is_json else YAML


def output_options(func: F) -> F:
    """`-o/--output`, `--output-format`, `--in-place`, `-q/--quiet`, passed as an `OutputOptions`
    named `out` (the four parameters are folded into it)."""
    options = [
        click.option("-q", "--quiet", is_flag=True, help="No summary on stderr."),
        click.option("--in-place", "in_place", is_flag=True,
                     help="Rewrite each input file (atomically; nothing is written if any document fails)."),
        click.option("--output-format", "output_format", type=click.Choice([YAML, JSON]), default=None,
                     help="yaml (default) or json: one object, or a v1 List when there are several."),
        click.option("-o", "--output", "output", metavar="FILE", help="Write the output to FILE instead of stdout."),
    ]
    for option in options:
        func = option(func)
    return _fold_output_options(func)


def _fold_output_options(func: F) -> F:
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["out"] = OutputOptions(output=kwargs.pop("output"), output_format=kwargs.pop("output_format"),
                                      in_place=kwargs.pop("in_place"), quiet=kwargs.pop("quiet"))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def render(yaml_stream: str, output_format: str) -> str:
    """A YAML stream (istioctl's `doc\\n---\\n` shape) in the requested format."""
    return yaml_stream if output_format == YAML else to_json(yaml_stream)


def to_json(yaml_stream: str) -> str:
    from sidecarctl.yamlio import load_document, split_documents

    objects = [value for value in (load_document(doc) for doc in split_documents(yaml_stream)) if value is not None]
    value = objects[0] if len(objects) == 1 else {"apiVersion": "v1", "kind": "List", "items": objects,
                                                     "metadata": {"resourceVersion": ""}}
    import json

    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def write(results: list[tuple[Source, str]], out: OutputOptions) -> None:
    """Write YAML streams, one per source: back to each file, or all together to -o / stdout."""
    if out.in_place:
        for source, text in results:
            rendered = render(text, out.format_for(source))
            if source.path is not None and rendered != source.text:  # unchanged files keep their mtime
                write_atomically(source.path, rendered)
        return
    text = render("".join(text for _, text in results), out.format_for(None))
    write_text(text, out.output)


def write_text(text: str, output: str | None) -> None:
    if output:
        write_atomically(output, text)
        return
    # Bytes, not text: the output is UTF-8 whatever the locale says.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def write_atomically(path: str, text: str) -> None:
    """Write a sibling temporary file and rename it over path: all or nothing, input never truncated.

    A symlink is followed, so the file it points to is replaced and the link kept.
    """
    write_atomically_with(path, lambda handle: handle.write(text.encode("utf-8")))


def write_atomically_with(path: str, fill: Callable[[Any], Any]) -> None:
    """write_atomically, the bytes written by `fill(binary_handle)` (a spool copied, say)."""
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    mode = _target_mode(path)
    import tempfile  # only when writing files: it costs milliseconds of every run's startup

    try:
        fd, temp = tempfile.mkstemp(prefix=".sidecarctl-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputError(f"open {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as err:
        _remove_quietly(temp)
        raise InputError(f"write {path}: {err.strerror or err}") from None
    except BaseException:
        _remove_quietly(temp)
        raise


def _target_mode(path: str) -> int:
    """Keep an existing file's permissions; a new file gets 0666 less the umask, as os.Create."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
