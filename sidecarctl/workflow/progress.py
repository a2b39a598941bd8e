"""`\\r`-counter on stderr for long runs, only when stderr is a terminal (never in logs or CI)."""

from __future__ import annotations

import sys
from typing import Any, TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, label: str = "files") -> None:
        self.stream: Any = stream if stream is not None else sys.stderr
        self.total = total
        self.label = label
        self.enabled = total > 1 and _is_terminal(self.stream)
        self.shown = False

    def step(self, done: int) -> None:
        if self.enabled:
            self.stream.write(f"\r{done}/{self.total} {self.label}")
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        """Erase the counter so the lines after it start clean."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
