"""kube-inject's plain output (no view) streamed through a spool, so memory does not grow with N.

Each output document is written, as it is made, to one spool (`Spool`: memory up to
`SPOOL_MEMORY`, a temporary file past it); the input is split lazily, and a regular file is read a
block at a time, never whole (`inputs.collect_sources(streamed=True)`; with `--in-place` the files
are read whole, as each is compared with its output). Only when every document of every source
succeeded is the spool copied to stdout or to `-o`, or, with `--in-place`, each source's part
into its file (`sidecarctl.workflow.files`: atomic, one transaction). An error anywhere closes the spool:
nothing is written anywhere (the no-partial-output rule).

JSON output is the same bytes `outputs.to_json` gives: one object, or a `v1 List` whose items are
written one by one (the first is held back until a second shows it is a List).
"""

from __future__ import annotations

import io
import os
from typing import IO, Any

from sidecarctl.errors import FileError
from sidecarctl.workflow.files import replace_files, write_all, write_output, write_stdout
from sidecarctl.workflow.inputs import Source
from sidecarctl.workflow.outputs import JSON, OutputOptions
from sidecarctl.workflow.progress import for_files

SPOOL_MEMORY = 1 << 20  # bytes kept in memory before the spool moves to a temporary file
_ITEM_INDENT = "\n" + " " * 8
_MARK = "\x00item\x00"


class Spool:
    """Bytes in memory until they pass `limit`, then in an anonymous temporary file: what
    tempfile.SpooledTemporaryFile does, without importing tempfile (and shutil, random, bz2, lzma:
    milliseconds of every run; see `_anonymous_file`)."""

    def __init__(self, limit: int | None = None) -> None:
        self._limit = SPOOL_MEMORY if limit is None else limit
        self._file: IO[bytes] = io.BytesIO()

    def write(self, data: bytes) -> int:
        try:
            write_all(self._file, data)  # a short write past `ulimit -f` must not leave a hole
            if not self.on_disk and self._file.tell() > self._limit:
                disk = _anonymous_file()
                write_all(disk, self._file.getvalue())  # type: ignore[attr-defined]
                disk.seek(self._file.tell())
                self._file = disk
        except OSError as err:  # $TMPDIR full, `ulimit -f`, ...: the user's to fix
            raise spool_error(err) from None
        return len(data)

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int) -> int:
        return self._file.seek(offset)

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    @property
    def on_disk(self) -> bool:
        return not isinstance(self._file, io.BytesIO)


def spool_error(err: OSError) -> FileError:
    from sidecarctl.errors import os_error

    directory = os.environ.get("TMPDIR") or "/tmp"
    message = str(os_error("write a temporary file in", directory, err))
    return FileError(f"{message}; set TMPDIR to a directory with room for the output")


def _anonymous_file() -> IO[bytes]:
    """A temporary file without a name, as tempfile.TemporaryFile makes it on Linux (O_TMPFILE), in
    $TMPDIR or /tmp, without importing tempfile: with shutil, random, bz2 and lzma it is ~1 MiB of
    memory, spent only by large outputs (memory that grew with N). Elsewhere, or where that fails,
    tempfile, which looks for a usable directory more thoroughly."""
    try:
        fd = os.open(os.environ.get("TMPDIR") or "/tmp", os.O_TMPFILE | os.O_RDWR, 0o600)
    except (AttributeError, OSError):  # no O_TMPFILE on this platform or file system, or no such directory
        import tempfile

        return tempfile.TemporaryFile(mode="w+b")
    return open(fd, "w+b")


class Part:
    """One source's bytes in the spool, and what kube-inject found in it."""

    __slots__ = ("source", "start", "end", "outcomes")

    def __init__(self, source: Source, start: int = 0) -> None:
        self.source = source
        self.start = start
        self.end = 0
        self.outcomes = 0  # how many of the injector's results came from this source


class JsonList:
    """`outputs.to_json` of a stream of YAML output documents, written as they come."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.first: str | None = None
        self.count = 0

    def add(self, output: str) -> None:
        from sidecarctl.yamlio import load_document, split_documents

        for doc in split_documents(output):
            value = load_document(doc)
            if value is not None:
                self._item(_json_dumps(value, indent=4, ensure_ascii=False))

    def _item(self, text: str) -> None:
        self.count += 1
        if self.count == 1:
            self.first = text
            return
        if self.count == 2:
            head, _ = _list_frame()
            self._write(head + self.first.replace("\n", _ITEM_INDENT))  # type: ignore[union-attr]
            self.first = None
        self._write("," + _ITEM_INDENT + text.replace("\n", _ITEM_INDENT))

    def close(self) -> None:
        if self.count == 0:
            self._write(
                _json_dumps(
                    {"apiVersion": "v1", "kind": "List", "items": [], "metadata": {"resourceVersion": ""}},
                    indent=4,
                    ensure_ascii=False,
                )
                + "\n"
            )
        elif self.count == 1:
            self._write(self.first + "\n")  # type: ignore[operator]
        else:
            self._write(_list_frame()[1] + "\n")

    def _write(self, text: str) -> None:
        self.spool.write(text.encode("utf-8"))


def _list_frame() -> tuple[str, str]:
    """The List's text before its first item and after its last, as json.dumps lays it out."""
    text = _json_dumps(
        {"apiVersion": "v1", "kind": "List", "items": [_MARK], "metadata": {"resourceVersion": ""}},
        indent=4,
        ensure_ascii=False,
    )
    head, tail = text.split(_json_dumps(_MARK))
    return head, tail


def _json_dumps(value: Any, **options: Any) -> str:
    import json  # only for JSON output

    return json.dumps(value, **options)


def inject_to_spool(injector: Any, sources: list[Source], out: OutputOptions) -> tuple[Spool, list[Part]]:
    """Every source through the injector into one spool; the first error closes it and propagates."""
    spool = Spool()
    parts: list[Part] = []
    progress = for_files(len(sources))
    shared = None if out.in_place else _writer(spool, out.format_for(None))
    try:
        for done, source in enumerate(sources, start=1):
            writer = shared or _writer(spool, out.format_for(source))
            part = Part(source, start=spool.tell())
            results = len(injector.results)
            stream = source.pieces or source.text  # a streamed file is read again, a block at a time
            for _, output in injector.iter_documents(stream, source=source.name):
                writer.add(output)
            if writer is not shared:
                writer.close()
            part.end = spool.tell()
            part.outcomes = len(injector.results) - results
            parts.append(part)
            progress.step(done)
        if shared is not None:
            shared.close()
    except BaseException:
        spool.close()
        raise
    finally:
        progress.close()
    return spool, parts


class _Yaml:
    def __init__(self, spool: Spool) -> None:
        self.spool = spool

    def add(self, output: str) -> None:
        self.spool.write(output.encode("utf-8"))

    def close(self) -> None:
        pass


def _writer(spool: Spool, output_format: str) -> Any:
    return JsonList(spool) if output_format == JSON else _Yaml(spool)


def commit(spool: Spool, parts: list[Part], out: OutputOptions) -> None:
    """Write what the spool holds: every document succeeded."""
    try:
        if out.in_place:  # its sources are read whole (collect_sources without streamed): compared here
            changed: list[tuple[str, Any]] = []
            for part in parts:
                if part.source.path is None:
                    continue
                data = _read_part(spool, part)
                if data != part.source.text.encode("utf-8"):  # unchanged files keep their mtime
                    changed.append((part.source.path, lambda handle, data=data: write_all(handle, data)))
            replace_files(changed, out.policy)
        elif out.output:
            write_output(out.output, lambda handle: _copy(spool, handle), out.policy)
        else:
            write_stdout(lambda handle: _copy(spool, handle))
    finally:
        spool.close()


def _read_part(spool: Spool, part: Part) -> bytes:
    try:
        spool.seek(part.start)
        return spool.read(part.end - part.start)
    except OSError as err:
        raise spool_error(err) from None


def _copy(spool: Spool, handle: IO[bytes]) -> None:
    spool.seek(0)
    while True:
        try:
            chunk = spool.read(1 << 16)
        except OSError as err:
            raise spool_error(err) from None
        if not chunk:
            return
        write_all(handle, chunk)
