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
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sidecarctl.gotemplate.builtins import BUILTINS
from sidecarctl.gotemplate.errors import ExecError, ParseError, TemplateError
from sidecarctl.gotemplate.exec import Compiler, compile_trees, deep_recursion, execute
from sidecarctl.gotemplate.gotypes import FuncMap, GoError, GoFunc
from sidecarctl.gotemplate.nodes import Tree

__all__ = [
    "TemplateError",
    "ParseError",
    "ExecError",
    "Template",
    "parse",
    "funcmap",
    "FuncMap",
    "Funcs",
    "denied_functions",
    "function_names",
]

Funcs = Mapping[str, GoFunc]  # a FuncMap, or a lazy or layered view of some

MISSINGKEY_OPTIONS = ("default", "invalid", "zero", "error")
_COMPILE_LOCK = threading.Lock()


class Template:
    """A parsed template set; `execute` runs the one called `name`. The trees are compiled on
    construction, or (`compiler=None`, templates parsed with `persist=True`) on first execute.
    A persisted template whose text parsed before may also come without trees (`trees=None`):
    `load_trees` reads them (from the on-disk cache, else by parsing) when first needed."""

    def __init__(
        self,
        name: str,
        trees: dict[str, Tree] | None,
        compiler: Compiler | None,
        missingkey: str,
        funcs: Funcs | None = None,
        load_trees: Callable[[bool], dict[str, Tree]] | None = None,
    ) -> None:
        self.name = name
        self._trees = trees
        self._load_trees = load_trees
        self._compiler = compiler
        self._funcs = funcs
        self._missingkey = "default" if missingkey == "invalid" else missingkey

    def _ensure_trees(self) -> dict[str, Tree]:
        trees = self._trees
        if trees is None:
            with _COMPILE_LOCK:  # the webhook executes from several threads
                if self._trees is None and self._load_trees is not None:
                    self._trees = self._load_trees(False)
                trees = self._trees
            assert trees is not None
        return trees

    def execute(self, data: Any) -> str:
        compiler = self._compiler
        trees = self._ensure_trees()
        if compiler is None:
            with _COMPILE_LOCK:
                if self._compiler is None:
                    try:
                        self._compiler = _compile(trees, self._funcs or {}, trees[self.name].parse_name)
                    except TemplateError:
                        raise
                    except Exception:
                        # Trees read from the on-disk cache that do not compile (a crafted or
                        # damaged entry: a node where another kind belongs) are parsed afresh;
                        # anything else is an engine bug and propagates.
                        if self._load_trees is None:
                            raise
                        trees = self._trees = self._load_trees(True)
                        self._compiler = _compile(trees, self._funcs or {}, trees[self.name].parse_name)
                compiler = self._compiler
        return execute(trees, self.name, data, self._missingkey, compiler)

    def defined_templates(self) -> list[str]:
        return sorted(self._ensure_trees())


def _compile(trees: dict[str, Tree], merged: Funcs, name: str) -> Compiler:
    try:
        with deep_recursion():
            return compile_trees(trees, merged)
    except RecursionError:
        raise ParseError(f"template: {name}: actions nested too deeply") from None


_CACHE: dict[tuple[str, str, int, str], tuple[Template, Funcs | None]] = {}
_CACHE_LIMIT = 256


def parse(
    text: str, name: str = "inject", funcs: Funcs | None = None, missingkey: str = "default", persist: bool = False
) -> Template:
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
        raise TemplateError(f"unrecognized option: missingkey={missingkey}")
    # funcs win over builtins (Sprig's slice); ChainMap only reads them, so a Mapping does
    merged: Funcs = ChainMap(funcs, BUILTINS) if funcs else BUILTINS  # type: ignore[arg-type]
    if persist:
        tmpl = _parse_persisted(text, name, merged, missingkey)
    else:
        from sidecarctl.gotemplate.parser import parse_trees

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


def _parse_persisted(text: str, name: str, merged: Funcs, missingkey: str) -> Template:
    from sidecarctl.gotemplate import diskcache

    if not diskcache.enabled():
        return Template(name, _parse_fresh(text, name, merged), None, missingkey, merged)
    cache_key = diskcache.key(text, name, merged)

    def load_or_parse(fresh: bool) -> dict[str, Tree]:
        """The stored trees, or (`fresh`, or none usable) the text parsed again and stored."""
        trees = None if fresh else diskcache.load(cache_key, text)
        if trees is None or name not in trees:  # removed or damaged since: parse (it parsed before)
            trees = _parse_fresh(text, name, merged)
            diskcache.store(cache_key, text, trees)
        return trees

    if diskcache.exists(cache_key):  # parsed without error by an earlier run: read the trees on first use
        return Template(name, None, None, missingkey, merged, load_trees=load_or_parse)
    trees = _parse_fresh(text, name, merged)
    diskcache.store(cache_key, text, trees)
    return Template(name, trees, None, missingkey, merged)


def _parse_fresh(text: str, name: str, merged: Funcs) -> dict[str, Tree]:
    # The lexer and parser are imported only here: a run whose templates all come from the
    # on-disk cache never loads them.
    from sidecarctl.gotemplate.parser import parse_trees

    try:
        with deep_recursion():
            return parse_trees(name, text, merged)
    except RecursionError:
        raise ParseError(f"template: {name}: actions nested too deeply") from None


_FUNCMAPS: dict[str, Funcs] = {}
_DENIED: tuple[frozenset[str], str] = (frozenset(), "")
_DENIED_MAPS: dict[tuple[str, frozenset[str], str], Funcs] = {}


def funcmap(kind: str) -> Funcs:
    """The function map for "go" (builtins only), "sprig" or "istio" (Sprig + Istio's additions,
    Istio's winning a shared name). Sprig's functions are imported on first use (`funcs.LazyFuncMap`).
    Inside `denied_functions`, the denied names are replaced by functions that fail when called.

    The same mapping is returned on every call, so that `parse`'s cache recognises it.
    """
    if kind not in ("go", "sprig", "istio"):
        raise ValueError(f"unknown function set {kind!r} (want go, sprig or istio)")
    names, flag = _DENIED
    if names:
        key = (kind, names, flag)
        denied = _DENIED_MAPS.get(key)
        if denied is None:
            base = _funcmap(kind)
            stubs = {
                name: _denied_stub(base.get(name) or BUILTINS[name], flag)
                for name in names
                if name in base or name in BUILTINS
            }
            denied = _DENIED_MAPS[key] = ChainMap(stubs, base)  # type: ignore[arg-type]  # read only
        return denied
    return _funcmap(kind)


def _funcmap(kind: str) -> Funcs:
    cached = _FUNCMAPS.get(kind)
    if cached is not None:
        return cached
    maps: list[Funcs] = []
    if kind == "istio":
        from sidecarctl.gotemplate.istio import ISTIO_FUNCS

        maps.append(ISTIO_FUNCS)
    if kind in ("sprig", "istio"):
        from sidecarctl.gotemplate.sprig import SPRIG_FUNCS

        maps.append(SPRIG_FUNCS)
    result: Funcs = ChainMap(*maps) if maps else {}  # type: ignore[arg-type]  # read only
    _FUNCMAPS[kind] = result
    return result


def _denied_stub(fn: GoFunc, flag: str) -> GoFunc:
    """`fn`'s signature (the parser and the argument checks see no difference) with a body that
    fails: a denied call is an error naming the function and the option, never a silent value."""
    name = fn.name

    def denied(*args: Any) -> Any:
        raise GoError(f"function {name!r} is denied by {flag}")

    return GoFunc(name, denied, fn.params, fn.variadic, fn.returns_error, fn.result)


def function_names() -> frozenset[str]:
    """Every function name a template may call (builtins, Sprig, Istio's)."""
    return frozenset(BUILTINS) | frozenset(_funcmap("istio"))


@contextmanager
def denied_functions(names: Iterable[str], flag: str = "--deny-template-funcs") -> Iterator[None]:
    """While the block runs, `funcmap` gives maps in which calling any of `names` fails the
    execution with an error naming the function and `flag` (templates still parse: a template
    that never calls a denied function on its path renders as before). ValueError for a name no
    function map defines. Process-wide (the webhook's worker threads see it), restored after."""
    global _DENIED
    wanted = frozenset(n for n in names if n)
    unknown = sorted(wanted - function_names())
    if unknown:
        raise ValueError(f"unknown template function{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    saved = _DENIED
    _DENIED = (wanted, flag)
    try:
        yield
    finally:
        _DENIED = saved
