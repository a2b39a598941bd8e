"""The report on stderr after a run.

By default one line, the counts (istioctl prints nothing of its own but its warnings, so a
drop-in adds no more than this):

    2 workloads: 1 injected, 1 skipped

With `-v`, one line per workload before it (prefixed with its file when there are several):

    deployment/web (shop) injected
    pod/x skipped: host networking
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def line(outcome: Any) -> str:
    namespace = f" ({outcome.namespace})" if outcome.namespace else ""
    subject = f"{outcome.kind.lower()}/{outcome.name}{namespace}"
    return f"{subject} injected" if outcome.injected else f"{subject} skipped: {outcome.reason}"


def summary(outcomes: Sequence[Any], files: int = 1, names: Sequence[str] | None = None, verbose: bool = False) -> str:
    """The report text (ends with a newline). `verbose`: a line per workload first; with several
    files, `names` (the file of each outcome) prefixes those lines. The count says how many files
    were read when there were several."""
    injected = sum(1 for outcome in outcomes if outcome.injected)
    skipped = len(outcomes) - injected
    noun = "workload" if len(outcomes) == 1 else "workloads"
    where = f" in {files} files" if files > 1 else ""
    lines = []
    if verbose:
        prefixes = [f"{name}: " for name in names] if names is not None and files > 1 else [""] * len(outcomes)
        lines = [prefix + line(outcome) for prefix, outcome in zip(prefixes, outcomes)]
    lines.append(f"{len(outcomes)} {noun}{where}: {injected} injected, {skipped} skipped")
    return "".join(text + "\n" for text in lines)


def any_skipped(outcomes: Sequence[Any]) -> bool:
    return any(not outcome.injected for outcome in outcomes)
