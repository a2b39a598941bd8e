"""Shared by the generated Sprig tables (tests/gotemplate/test_sprig_<area>.py): how a row's result
is rendered and checked against what the Go oracle printed for the same call."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.gotemplate.gotypes import GoError, format_v, kind_name, type_name
from sidecarctl.gotemplate.sprig import SPRIG_FUNCS


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle ran with TZ=UTC, as the corpus runner does; time.Local follows $TZ.
    Imported by each table module so that it applies there (autouse)."""
    monkeypatch.setenv("TZ", "UTC")


def render(kind: str, name: str, result: Any) -> str:
    if kind == "type":
        return type_name(result)
    if kind == "kind":
        return kind_name(result)
    if kind == "json":
        return str(SPRIG_FUNCS["toJson"](result))
    if result is None and SPRIG_FUNCS[name].result == "interface {}":
        return "<no value>"  # Go's executor drops a nil interface result to an invalid value
    return format_v(result)


class Lazy:
    """An argument computed when the test runs, e.g. a time.Time in the zone $TZ names then."""

    def __init__(self, make: Any) -> None:
        self.make = make


def check(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    func = SPRIG_FUNCS[name]
    args = [a.make() if isinstance(a, Lazy) else a for a in args]
    if status == "err":
        with pytest.raises(GoError) as info:
            func(*args)
        assert str(info.value) == expected
        return
    assert render(kind, name, func(*args)) == expected
