"""Bounds on what one run may consume, so hostile or broken input fails fast with one line
instead of exhausting memory or time (docs/errors.md lists every limit).

Other limits live next to the code they bound: YAML nesting and alias expansion in
`sidecarctl.yamlio.read`, template depth and output size in `sidecarctl.gotemplate`.
"""

from __future__ import annotations

import gc
import resource
from typing import BinaryIO

from sidecarctl.errors import InputError

# The Kubernetes API server refuses request bodies over 3 MiB, so no manifest worth injecting is
# anywhere near this; it only stops a runaway stream (or /dev/zero) from filling memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024

# Address space for one run: a template or input that would need more fails with MemoryError,
# reported as one line, instead of the kernel's OOM killer taking the process (or the CI runner).
MAX_MEMORY_BYTES = 4 * 1024 * 1024 * 1024


def read_bounded(stream: BinaryIO, name: str, limit: int | None = None) -> bytes:
    """At most `limit` (MAX_INPUT_BYTES) bytes of `stream`; more is an InputError naming `name`
    (never read whole)."""
    limit = MAX_INPUT_BYTES if limit is None else limit  # looked up now: one cap for every reader
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise input_too_large(name, limit)
    return data


def input_too_large(name: str, limit: int) -> InputError:
    """What a reader that counts the bytes itself (a file read line by line) raises past `limit`."""
    return InputError(f"{name}: input larger than {limit // (1024 * 1024)} MiB (sidecarctl's limit; split the stream)")


# The cyclic collector's first-generation threshold while a command starts (see startup_gc).
STARTUP_GC_THRESHOLD = 50_000


def startup_gc() -> None:
    """Let startup allocate without cyclic collections: a run's first ~40,000 container objects
    (modules, functions, click's options, settings, parse trees) all live to the end, yet at
    Python's threshold of 700 the collector walked them ~45 times, ~10 ms of a ~100 ms run, and
    freed nothing. Garbage is still collected, every STARTUP_GC_THRESHOLD net allocations;
    commands with a steady state of their own (kube-inject's batch) set their own threshold."""
    threshold = gc.get_threshold()
    if threshold[0]:  # 0: the embedding program turned collection off; leave it so
        gc.set_threshold(max(threshold[0], STARTUP_GC_THRESHOLD), *threshold[1:])


def bound_memory(limit: int = MAX_MEMORY_BYTES) -> None:
    """Lower the soft address-space limit to `limit` (never raise a limit the user set lower)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > wanted:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (OSError, ValueError):
        pass  # a platform without RLIMIT_AS: the limit is a safety net, not a requirement
