"""A faithful Python implementation of Go 1.19's text/template (plus Sprig and Istio's functions).

    tmpl = parse(text, name="inject", funcs=funcmap("istio"))
    out = tmpl.execute(data)          # str; raises TemplateError with Go's exact error text

`parse` caches compiled templates, so calling it for every pod costs one dictionary lookup.

One stage per module, as in Go: `lexer` (tokens), `parser` + `nodes` (trees, parse errors),
`exec` (trees compiled to closures; execution errors), `builtins` (and, or, index, eq, ...),
`gofmt` (fmt's Sprint/Sprintf/Sprintln, also used by Sprig), `gotypes` (the Go view of Python
values shared with the function maps in `sprig/` and `istio.py`).
"""

from __future__ import annotations

import threading
from typing import Any

from sidecarctl.gotemplate.builtins import BUILTINS
from sidecarctl.gotemplate.errors import ExecError, ParseError, TemplateError
from sidecarctl.gotemplate.exec import Compiler, compile_trees, deep_recursion, execute
from sidecarctl.gotemplate.gotypes import FuncMap
from sidecarctl.gotemplate.nodes import Tree
from sidecarctl.gotemplate.parser import parse_trees

__all__ = ["TemplateError", "ParseError", "ExecError", "Template", "parse", "funcmap", "FuncMap"]

MISSINGKEY_OPTIONS = ("default", "invalid", "zero", "error")
_COMPILE_LOCK = threading.Lock()


class Template:
    """A parsed template set; `execute` runs the one called `name`. The trees are compiled on
    construction, or (`compiler=None`, templates parsed with `persist=True`) on first execute."""

    def __init__(self, name: str, trees: dict[str, Tree], compiler: Compiler | None, missingkey: str,
                 funcs: FuncMap | None = None) -> None:
        self.name = name
        self._trees = trees
        self._compiler = compiler
        self._funcs = funcs
        self._missingkey = "default" if missingkey == "invalid" else missingkey

    def execute(self, data: Any) -> str:
        compiler = self._compiler
        if compiler is None:
            with _COMPILE_LOCK:  # the webhook executes from several threads
                if self._compiler is None:
                    self._compiler = _compile(self._trees, self._funcs or {}, self._trees[self.name].parse_name)
                compiler = self._compiler
        return execute(self._trees, self.name, data, self._missingkey, compiler)

    def defined_templates(self) -> list[str]:
        return sorted(self._trees)


def _compile(trees: dict[str, Tree], merged: FuncMap, name: str) -> Compiler:
    try:
        with deep_recursion():
            return compile_trees(trees, merged)
    except RecursionError:
        raise ParseError(f"template: {name}: actions nested too deeply") from None


_CACHE: dict[tuple[str, str, int, str], tuple[Template, FuncMap | None]] = {}
_CACHE_LIMIT = 256


def parse(text: str, name: str = "inject", funcs: FuncMap | None = None, missingkey: str = "default",
          persist: bool = False) -> Template:
    """Parse and compile `text` as template `name`; builtins are always available.

    `persist=True` (kube-inject's injector templates, which seldom change between runs): reuse
    the parse trees of an earlier run from the on-disk cache (`diskcache`; a hit means the text
    parsed without error before) and compile them only when first executed.
    """
    key = (text, name, id(funcs), missingkey)
    hit = _CACHE.get(key)
    if hit is not None and hit[1] is funcs:
        return hit[0]
    if missingkey not in MISSINGKEY_OPTIONS:
        raise TemplateError(f'unrecognized option: missingkey={missingkey}')
    merged: FuncMap = {**BUILTINS, **(funcs or {})}
    if persist:
        tmpl = _parse_persisted(text, name, merged, missingkey)
    else:
        try:
            with deep_recursion():
                trees = parse_trees(name, text, merged)
                compiler = compile_trees(trees, merged)
        except RecursionError:
            raise ParseError(f"template: {name}: actions nested too deeply") from None
        tmpl = Template(name, trees, compiler, missingkey)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (tmpl, funcs)
    return tmpl


def _parse_persisted(text: str, name: str, merged: FuncMap, missingkey: str) -> Template:
    from sidecarctl.gotemplate import diskcache

    use_disk = diskcache.enabled()
    cache_key = diskcache.key(text, name, merged) if use_disk else ""
    trees = diskcache.load(cache_key, text) if use_disk else None
    if trees is None or name not in trees:
        try:
            with deep_recursion():
                trees = parse_trees(name, text, merged)
        except RecursionError:
            raise ParseError(f"template: {name}: actions nested too deeply") from None
        if use_disk:
            diskcache.store(cache_key, text, trees)
    return Template(name, trees, None, missingkey, merged)


_FUNCMAPS: dict[str, FuncMap] = {}


def funcmap(kind: str) -> FuncMap:
    """The function map for "go" (builtins only), "sprig" or "istio" (Sprig + Istio's additions).

    The same dict is returned on every call, so that `parse`'s cache recognises it.
    """
    if kind not in ("go", "sprig", "istio"):
        raise ValueError(f"unknown function set {kind!r} (want go, sprig or istio)")
    cached = _FUNCMAPS.get(kind)
    if cached is not None:
        return cached
    result: FuncMap = {}
    complete = True
    if kind in ("sprig", "istio"):
        complete &= _optional(result, "sidecarctl.gotemplate.sprig", "SPRIG_FUNCS")
    if kind == "istio":
        complete &= _optional(result, "sidecarctl.gotemplate.istio", "ISTIO_FUNCS")
    if complete:  # a map missing a sibling module is not remembered: it may appear later
        _FUNCMAPS[kind] = result
    return result


def _optional(into: FuncMap, module: str, attr: str) -> bool:
    """Add a sibling function map; False (adding nothing) while it is still being written."""
    import importlib

    try:
        into.update(getattr(importlib.import_module(module), attr))
    except (ImportError, AttributeError):
        return False
    return True
