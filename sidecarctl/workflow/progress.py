"""A workload counter on stderr for long runs, only when stderr is a terminal (never in logs or CI).

`Progress` counts workloads as the injector records them (`CountingResults` is the injector's
results list) and, with several files, the files done: `1200 workloads (3/10 files)`. It shows
nothing during the first second (`DELAY`), then rewrites its line at most ten times a second with
`\\r`, and erases it with spaces at the end: no escape sequences, so it is the same with
`NO_COLOR` set. The file loops of `sidecarctl.workflow` report to the display a command made
active (`showing`); without one, `for_files` gives a counter that stays silent.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

DELAY = 1.0  # seconds before the counter appears: short runs print nothing
INTERVAL = 0.1  # seconds between two updates


class Progress:
    def __init__(
        self,
        total: int = 0,
        stream: TextIO | None = None,
        label: str = "files",
        *,
        enabled: bool | None = None,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream: Any = stream if stream is not None else sys.stderr
        self.total = total  # files
        self.label = label
        self.done = 0
        self.workloads = 0
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.start = clock()
        self.delay = DELAY if delay is None else delay
        self.last: float | None = None
        self.width = 0

    def step(self, done: int) -> None:
        """`done` files of `total` are finished."""
        self.done = done
        self._show()

    def count(self, workloads: int) -> None:
        """`workloads` workloads are finished (injected or skipped)."""
        self.workloads = workloads
        self._show()

    def text(self) -> str:
        noun = "workload" if self.workloads == 1 else "workloads"
        files = f" ({self.done}/{self.total} {self.label})" if self.total > 1 else ""
        return f"{self.workloads} {noun}{files}"

    def _show(self) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.start < self.delay or (self.last is not None and now - self.last < INTERVAL):
            return
        self.last = now
        text = self.text()
        self.stream.write("\r" + text + " " * max(0, self.width - len(text)))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        """Erase the counter so the lines after it start clean."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


class CountingResults(list[Any]):
    """The injector's results list (one outcome per workload), telling a Progress of each."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def append(self, outcome: Any) -> None:
        super().append(outcome)
        self.progress.count(len(self))


_active: list[Progress] = []


@contextlib.contextmanager
def showing(progress: Progress) -> Iterator[Progress]:
    """Make `progress` the display the file loops report to, and erase it at the end."""
    _active.append(progress)
    try:
        yield progress
    finally:
        _active.remove(progress)
        progress.close()


def for_files(total: int) -> Progress:
    """The active display told of `total` files, or a silent counter when none is active."""
    if _active:
        _active[-1].total = total
        return _active[-1]
    return Progress(total, enabled=False)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
