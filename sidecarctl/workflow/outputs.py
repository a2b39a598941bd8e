"""Where results go: stdout, `-o FILE`, or back into each input file (`--in-place`); YAML or JSON.

Callers build every result first and write last, so an error anywhere writes nothing anywhere.
How files are written (atomically, as one transaction for `--in-place`, through devices and
pipes for `-o`) is `sidecarctl.workflow.files`.

JSON output is what `kubectl get -o json` users script against: one document gives that object,
any other number gives a `v1 List` of them (comment-only documents have no object and vanish),
indented by 4 spaces like kubectl, key order as in the YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import click

from sidecarctl.errors import UsageError
from sidecarctl.workflow.files import FilePolicy, replace_files, write_all, write_output, write_stdout
from sidecarctl.workflow.inputs import Source

F = TypeVar("F", bound=Callable[..., Any])

YAML, JSON = "yaml", "json"


class OutputOptions(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to define at startup
    output: str | None = None
    output_format: str | None = None  # None: YAML (in place: JSON for a .json file)
    in_place: bool = False
    quiet: bool = False
    break_hardlinks: bool = False
    force: bool = False

    @property
    def policy(self) -> FilePolicy:
        return FilePolicy(break_hardlinks=self.break_hardlinks, force=self.force)

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
    """`-o/--output`, `--output-format`, `--in-place`, `-q/--quiet`, `--break-hardlinks`, `--force`,
    passed as an `OutputOptions` named `out` (the parameters are folded into it)."""
    options = [
        click.option(
            "--force",
            is_flag=True,
            help="Replace read-only files, and files whose owner or group cannot be kept (-o, --in-place).",
        ),
        click.option(
            "--break-hardlinks",
            "break_hardlinks",
            is_flag=True,
            help="Replace files that have other hard links with new files (the other names keep "
            "the old text); refused without it.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No summary on stderr."),
        click.option(
            "--in-place",
            "in_place",
            is_flag=True,
            help="Rewrite each input file: all files or none, each keeping its mode, owner and group "
            "(a symlink's target is rewritten, the link kept).",
        ),
        click.option(
            "--output-format",
            "output_format",
            type=click.Choice([YAML, JSON]),
            default=None,
            help="yaml (default) or json: one object, or a v1 List when there are several.",
        ),
        click.option(
            "-o",
            "--output",
            "output",
            metavar="FILE",
            help="Write the output to FILE instead of stdout (a regular file is replaced atomically; "
            "a device, FIFO or /dev/stdout is written through).",
        ),
    ]
    for option in options:
        func = option(func)
    return _fold_output_options(func)


def _fold_output_options(func: F) -> F:
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["out"] = OutputOptions(
            output=kwargs.pop("output"),
            output_format=kwargs.pop("output_format"),
            in_place=kwargs.pop("in_place"),
            quiet=kwargs.pop("quiet"),
            break_hardlinks=kwargs.pop("break_hardlinks"),
            force=kwargs.pop("force"),
        )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def render(yaml_stream: str, output_format: str) -> str:
    """A YAML stream (istioctl's `doc\\n---\\n` shape) in the requested format."""
    return yaml_stream if output_format == YAML else to_json(yaml_stream)


def to_json(yaml_stream: str) -> str:
    from sidecarctl.yamlio import load_document, split_documents

    objects = [value for value in (load_document(doc) for doc in split_documents(yaml_stream)) if value is not None]
    value = (
        objects[0]
        if len(objects) == 1
        else {"apiVersion": "v1", "kind": "List", "items": objects, "metadata": {"resourceVersion": ""}}
    )
    import json

    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def write(results: list[tuple[Source, str]], out: OutputOptions) -> None:
    """Write YAML streams, one per source: back to each file, or all together to -o / stdout."""
    if out.in_place:
        changed = []
        for source, text in results:
            rendered = render(text, out.format_for(source))
            if source.path is not None and rendered != source.text:  # unchanged files keep their mtime
                changed.append((source.path, _filler(rendered.encode("utf-8"))))
        replace_files(changed, out.policy)
        return
    text = render("".join(text for _, text in results), out.format_for(None))
    write_text(text, out.output, out.policy)


def write_text(text: str, output: str | None, policy: FilePolicy = FilePolicy()) -> None:
    """Text (UTF-8, whatever the locale says) to `-o` or stdout."""
    fill = _filler(text.encode("utf-8"))
    if output:
        write_output(output, fill, policy)
    else:
        write_stdout(fill)


def write_atomically(path: str, text: str) -> None:
    """Replace the regular file at path (or create it) with text, all or nothing; a symlink is
    followed, so the file it points to is replaced and the link kept."""
    replace_files([(path, _filler(text.encode("utf-8")))])


def _filler(data: bytes) -> Callable[[Any], Any]:
    return lambda handle: write_all(handle, data)
