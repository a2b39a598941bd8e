"""Modules loaded on first attribute access, for the function maps' rarely used dependencies
(certificates, crypt(3), DNS...): a kube-inject run that never calls genCA should not pay for them."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    """`name` (absolute) as a module that is executed when first used; the loaded one if any."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class LazyPattern:
    """A regular expression compiled on first use, on RE2 (linear time, as Go's regexp, whose
    syntax it takes: `\\z`, not Python's `\\Z`); match, fullmatch, finditer... pass through to the
    `re2` module's pattern, which mirrors Python's `re` API. Patterns are ours; the text they
    match may come from a template, so no backtracking engine may see it."""

    __slots__ = ("_source", "_compiled")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: Any = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            import re2

            options = re2.Options()
            options.log_errors = False
            compiled = self._compiled = re2.compile(self._source, options)
        return getattr(compiled, name)
