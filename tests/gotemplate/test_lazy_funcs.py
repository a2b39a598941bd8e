"""Sprig's functions are imported on first use: the name table must match the modules exactly."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from sidecarctl.gotemplate import funcmap, parse
from sidecarctl.gotemplate.sprig import _NAMES_BY_MODULE, SPRIG_FUNCS


@pytest.mark.parametrize("module", sorted(_NAMES_BY_MODULE))
def test_name_table_matches_the_module(module: str) -> None:
    defined = importlib.import_module(f"sidecarctl.gotemplate.sprig.{module}").FUNCS
    listed = set(_NAMES_BY_MODULE[module].split())
    assert sorted(set(defined) - listed) == [], f"add these names to _NAMES_BY_MODULE[{module!r}] in sprig/__init__.py"
    assert sorted(listed - set(defined)) == [], f"sprig/{module}.py does not define these listed names"
    for name, fn in defined.items():
        assert SPRIG_FUNCS[name] is fn


def test_no_name_is_defined_twice() -> None:
    names = [n for names in _NAMES_BY_MODULE.values() for n in names.split()]
    assert len(names) == len(set(names)) == len(SPRIG_FUNCS)


def test_every_sprig_module_with_functions_is_in_the_table() -> None:
    """A new module of functions needs its line in the table too (helpers start with `_`)."""
    folder = Path(importlib.import_module("sidecarctl.gotemplate.sprig").__file__ or "").parent
    modules = {p.stem for p in folder.glob("[a-z]*.py")}
    with_funcs = {m for m in modules if hasattr(importlib.import_module(f"sidecarctl.gotemplate.sprig.{m}"), "FUNCS")}
    assert sorted(with_funcs - set(_NAMES_BY_MODULE)) == []


def test_unknown_name_is_a_key_error_and_not_contained() -> None:
    assert "nosuch" not in SPRIG_FUNCS
    assert SPRIG_FUNCS.get("nosuch") is None
    with pytest.raises(KeyError):
        SPRIG_FUNCS["nosuch"]


def test_istio_functions_win_and_builtins_stay_available() -> None:
    funcs = funcmap("istio")
    assert "toYaml" in funcs and "upper" in funcs
    assert parse('{{ slice (list 1 2 3) 1 }} {{ len "abc" }} {{ upper "x" }}', funcs=funcs).execute({}) == "[2 3] 3 X"


def test_modules_are_imported_only_when_a_template_uses_them() -> None:
    probe = (
        "import sys; from sidecarctl.gotemplate import parse, funcmap;"
        "t = parse('{{ upper .x }}{{ semver \"1.2.3\" }}', funcs=funcmap('istio'));"
        "loaded = lambda m: ('sidecarctl.gotemplate.sprig.' + m) in sys.modules;"
        "print(loaded('strings'), loaded('semver'), loaded('crypto'));"
        "t.execute({'x': 'a'});"
        "print(loaded('strings'), loaded('semver'), loaded('crypto'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "False", "True", "True", "False"]
