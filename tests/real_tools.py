"""Finding the real clients the tests run (kubectl at each version, kpt): on PATH first, then in the
folder the `kubectl` on PATH links into (the Google Cloud SDK's bin keeps kubectl.1.27 ... kubectl.1.33
and kpt there, with only `kubectl` itself on PATH). Tests skip with a reason where a tool is absent."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def kubectl_folder() -> Path | None:
    """The folder the `kubectl` on PATH really lives in (symbolic links followed)."""
    found = shutil.which("kubectl")
    return Path(os.path.realpath(found)).parent if found else None


def find_tool(name: str) -> Path | None:
    """`name` on PATH, else in the kubectl folder (executable), else None."""
    found = shutil.which(name)
    if found:
        return Path(found)
    folder = kubectl_folder()
    candidate = folder / name if folder else None
    return candidate if candidate is not None and os.access(candidate, os.X_OK) else None


def kubectl_versions() -> dict[str, Path]:
    """`kubectl.1.NN` executables by version ("1.27": path), oldest first; the plain `kubectl` as
    "default" when no versioned one is found."""
    folder = kubectl_folder()
    found: dict[tuple[int, int], Path] = {}
    for entry in sorted(folder.iterdir()) if folder else []:
        match = re.fullmatch(r"kubectl\.(\d+)\.(\d+)", entry.name)
        if match and os.access(entry, os.X_OK):
            found[int(match[1]), int(match[2])] = entry
    if not found and shutil.which("kubectl"):
        return {"default": Path(shutil.which("kubectl") or "kubectl")}
    return {f"{major}.{minor}": found[major, minor] for major, minor in sorted(found)}
