"""One injection run over one input, kept per document so that views can relate output to input.

`inject_sources` is the loop every command shares: each source through `KubeInject`, outcomes and
document pairs recorded, a progress counter when there are many files. Separator lines (`---`,
with any comment on them) are recovered from the input, so a view that writes unchanged documents
back (preserved formatting) loses nothing: input == concat(document + separator), up to CRLF.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sidecarctl.workflow.inputs import Source
from sidecarctl.workflow.progress import for_files

SEPARATOR = "---\n"


class Document(NamedTuple):  # NamedTuple and a plain class, not dataclasses: cheaper at startup
    index: int  # type: ignore[assignment]  # 1-based, as error messages count; shadows tuple.index
    raw: str  # the input document as the splitter gives it
    output: str  # istioctl's output for it (ends with "---\n")
    separator: str = ""  # the separator line that ended it in the input, "" for the last

    @property
    def body(self) -> str:
        """The output without istioctl's trailing separator."""
        return self.output[: -len(SEPARATOR)] if self.output.endswith(SEPARATOR) else self.output


class SourceRun:
    __slots__ = ("source", "documents", "outcomes")

    def __init__(self, source: Source, documents: list[Document], outcomes: list[Any] | None = None) -> None:
        self.source = source
        self.documents = documents
        self.outcomes: list[Any] = [] if outcomes is None else outcomes

    def stream(self) -> str:
        """istioctl's output for this source, byte for byte."""
        return "".join(document.output for document in self.documents)


def inject_sources(injector: Any, sources: list[Source]) -> list[SourceRun]:
    """Every source through the injector, in order; the first error stops everything."""
    runs = []
    progress = for_files(len(sources))
    try:
        for done, source in enumerate(sources, start=1):
            start = len(injector.results)
            pairs = injector.inject_documents(source.text, source=source.name)
            runs.append(SourceRun(source, documents(source.text, pairs), injector.results[start:]))
            progress.step(done)
    finally:
        progress.close()
    return runs


def documents(text: str, pairs: list[tuple[str, str]]) -> list[Document]:
    separators = _separators(text, [raw for raw, _ in pairs])
    return [
        Document(index, raw, output, separator)
        for index, ((raw, output), separator) in enumerate(zip(pairs, separators), start=1)
    ]


def _separators(text: str, raws: list[str]) -> list[str]:
    """The line after each raw document in the (LF-normalised) input: the `---` line that ended it."""
    normalised = text.replace("\r\n", "\n")
    if normalised and not normalised.endswith("\n"):
        normalised += "\n"
    found = []
    pos = 0
    for raw in raws:
        start = normalised.find(raw, pos)
        pos = (start if start >= 0 else pos) + len(raw)
        end = normalised.find("\n", pos)
        line = normalised[pos : end + 1] if end >= 0 else ""
        if line.startswith("---"):
            found.append(line)
            pos += len(line)
        else:
            found.append("")
    return found
