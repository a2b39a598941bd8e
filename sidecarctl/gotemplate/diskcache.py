"""Parse trees kept on disk across runs (`sidecarctl.diskcache`, kind "templates"): a stored entry
means "this text parsed without error before".

kube-inject parses every template of the injector config on every run (Istio reports a parse error
in any of them), although the config rarely changes between runs. The entries hold the parse trees
(not the compiled closures, which are rebuilt on first use). The key hashes the text, the template
name, the set of function names the parser accepted and the engine's own parser sources, so a
changed engine or function map never reuses old trees; only successful parses are stored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sidecarctl import diskcache as _disk
from sidecarctl.diskcache import enabled

__all__ = ["enabled", "directory", "key", "exists", "load", "store"]

KIND = "templates"
_HERE = os.path.dirname(os.path.abspath(__file__))
_ENGINE_FILES = tuple(os.path.join(_HERE, name) for name in ("lexer.py", "parser.py", "nodes.py"))


def directory() -> str:
    return _disk.directory(KIND)


def key(text: str, name: str, func_names: Iterable[str]) -> str:
    return _disk.content_key(_disk.code_stamp(*_ENGINE_FILES), name, "\0".join(sorted(func_names)), text)


def exists(cache_key: str) -> bool:
    return _disk.exists(KIND, cache_key)


def load(cache_key: str, text: str) -> dict[str, Any] | None:
    """The trees stored under the key, or None (never an error)."""
    trees = _disk.load(KIND, cache_key, text)
    return trees if isinstance(trees, dict) else None


def store(cache_key: str, text: str, trees: dict[str, Any]) -> None:
    """Write the trees without their compiled closures; any failure is ignored."""
    compiled = {n: t.compiled for n, t in trees.items()}
    try:
        for t in trees.values():
            t.compiled = None
        _disk.store(KIND, cache_key, text, trees)
    finally:
        for n, t in trees.items():
            t.compiled = compiled[n]
