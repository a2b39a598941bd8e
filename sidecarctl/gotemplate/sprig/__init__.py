"""Sprig 3.2.3's `TxtFuncMap` in Python: `SPRIG_FUNCS` maps every Sprig name to a GoFunc that
declares the Go parameter types of Sprig's own function, so the executor can reproduce Go's
argument conversion and type errors. Behaviour follows Sprig 3.2.3 with the dependency versions
Debian 12 ships (cast 1.5.0, mergo 0.3.12, xstrings 1.3.3, semver 3.2.0, decimal 1.2.0,
goutils 1.1.1). Sprig's `slice` replaces text/template's builtin `slice` in this map."""

from __future__ import annotations

from sidecarctl.gotemplate.gotypes import GoFunc

from . import (
    crypto,
    dates,
    defaults,
    dicts,
    encoding,
    lists,
    numeric,
    osnet,
    paths,
    reflection,
    regex,
    semver,
    strings,
)

SPRIG_FUNCS: dict[str, GoFunc] = {}
for _module in (strings, lists, dicts, numeric, defaults, encoding, reflection, regex, semver, dates,
                crypto, paths, osnet):
    SPRIG_FUNCS.update(_module.FUNCS)

__all__ = ["SPRIG_FUNCS"]
