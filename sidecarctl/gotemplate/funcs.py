"""A function map whose functions are imported on first use.

Sprig has some 200 functions in 13 modules (cryptography, semver, regular expressions, dates, ...); a
sidecar template calls a dozen of them. The parser only needs the names (an unknown name is a parse
error) and the executor looks a function up once, when it compiles the call, so the modules
defining the functions are imported when a template first uses one of theirs, not at startup.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from sidecarctl.gotemplate.gotypes import GoFunc


class LazyFuncMap(Mapping[str, GoFunc]):
    """Names -> GoFunc, where `names_by_module` maps each module of `package` (which defines a
    `FUNCS` dict) to the names it defines, as one space-separated string."""

    def __init__(self, package: str, names_by_module: Mapping[str, str]) -> None:
        self._package = package
        self._module_of = {name: module for module, names in names_by_module.items() for name in names.split()}
        self._loaded: dict[str, GoFunc] = {}

    def modules(self) -> list[str]:
        return sorted(set(self._module_of.values()))

    def __getitem__(self, name: str) -> GoFunc:
        fn = self._loaded.get(name)
        if fn is None:
            module = self._module_of[name]  # KeyError for an unknown name, as a Mapping should
            defined: dict[str, GoFunc] = importlib.import_module(f"{self._package}.{module}").FUNCS
            self._loaded.update({n: f for n, f in defined.items() if self._module_of.get(n) == module})
            fn = self._loaded[name]
        return fn

    def __contains__(self, name: object) -> bool:
        return name in self._module_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._module_of)

    def __len__(self) -> int:
        return len(self._module_of)
