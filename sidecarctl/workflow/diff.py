"""--diff: a unified diff per changed document, input as given against what would be written.

Labels name the file and document (`a/deploy.yaml#2`), so a multi-document file reads as several
small diffs. Colour (ANSI) only when writing to a terminal.
"""

from __future__ import annotations

import difflib

from sidecarctl.workflow.documents import SEPARATOR, SourceRun

_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def diff_run(run: SourceRun, written: list[str], color: bool = False) -> str:
    """`written`: per document, the text that would be written for it (no trailing separator)."""
    chunks = []
    for document, new in zip(run.documents, written):
        old = _as_document(document.raw)
        new = _as_document(new)
        if old != new:
            label = f"{run.source.name}#{document.index}"
            chunks.append(unified(old, new, f"a/{label}", f"b/{label}", color))
    return "".join(chunks)


def unified(old: str, new: str, old_label: str, new_label: str, color: bool = False) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label)
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return colorize(text) if color else text


def colorize(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        start = _BOLD if line.startswith(("+++", "---")) else _COLORS.get(line[:1])
        out.append(f"{start}{line[:-1]}{_RESET}\n" if start and line.endswith("\n") else line)
    return "".join(out)


def _as_document(text: str) -> str:
    """A leading `---` line belongs to the separator, not to the document."""
    return text[len(SEPARATOR) :] if text.startswith(SEPARATOR) else text
