"""Sprig semver functions against Go: semver.go over Masterminds/semver 3.2.0.

Each row calls SPRIG_FUNCS[name](*args) directly; `expected` is what Go 1.19 + Sprig 3.2.3 (the
oracle in shared/gotemplate-oracle) printed for the same call: `v` is `{{ name args }}`, `type`
is `typeOf`, `kind` is `kindOf`, `json` is `toJson` of the result; `err` rows hold the text after
`error calling name: `. Regenerate expectations with the oracle when a row is added."""

from __future__ import annotations

from typing import Any

import pytest
from sprig_rows import Lazy, check, utc  # noqa: F401 - utc is an autouse fixture

from sidecarctl.gotemplate.gotypes import GoError, GoMap, GoSlice, Int64, Uint8, format_v, kind_name, type_name
from sidecarctl.gotemplate.sprig import SPRIG_FUNCS
from sidecarctl.gotemplate.sprig._util import NilList

_ = (Any, GoError, GoMap, GoSlice, Int64, Uint8, NilList, format_v, kind_name, type_name, SPRIG_FUNCS)

CASES = [
    pytest.param("v", "semver", ["v1.2.3-rc.1+build.5"], "ok", "1.2.3-rc.1+build.5", id="semver"),
    pytest.param("v", "semver", ["1.2"], "ok", "1.2.0", id="semver-short"),
    pytest.param("type", "semver", ["1.0.0"], "ok", "*semver.Version", id="semver-type"),
    pytest.param("kind", "semver", ["1.0.0"], "ok", "ptr", id="semver-kind"),
    pytest.param("json", "semver", ["v2.0"], "ok", '"2.0.0"', id="semver-json"),
    pytest.param("v", "semver", ["not-a-version"], "err", "Invalid Semantic Version", id="semver-bad"),
    pytest.param("v", "semver", ["1.2.3-01"], "err", "Version segment starts with 0", id="semver-bad-prerelease"),
    pytest.param(
        "v",
        "semver",
        ["99999999999999999999.0.0"],
        "err",
        'Error parsing version segment: strconv.ParseUint: parsing "99999999999999999999": value out of range',
        id="semver-overflow",
    ),
    pytest.param("v", "semverCompare", [">=1.2", "1.3.0"], "ok", "true", id="compare-ge"),
    pytest.param("v", "semverCompare", ["^1.2.3", "1.9"], "ok", "true", id="compare-caret"),
    pytest.param("v", "semverCompare", ["^0.2.3", "0.3.0"], "ok", "false", id="compare-caret-zero"),
    pytest.param("v", "semverCompare", ["^0.0.3", "0.0.3"], "ok", "true", id="compare-caret-zero-zero"),
    pytest.param("v", "semverCompare", ["~1.2.3", "1.3.0"], "ok", "false", id="compare-tilde"),
    pytest.param("v", "semverCompare", ["~1", "1.9.9"], "ok", "true", id="compare-tilde-major"),
    pytest.param("v", "semverCompare", ["1.2 - 1.4", "1.3.5"], "ok", "true", id="compare-range"),
    pytest.param("v", "semverCompare", [">1.x", "2.0.0"], "ok", "true", id="compare-x"),
    pytest.param("v", "semverCompare", ["!=1.2.x", "1.2.5"], "ok", "false", id="compare-not-x"),
    pytest.param("v", "semverCompare", [">=1.0", "v1.0.0-rc1"], "ok", "false", id="compare-prerelease-excluded"),
    pytest.param("v", "semverCompare", ["<2.0.0-0", "1.9.9-beta"], "ok", "true", id="compare-prerelease-included"),
    pytest.param("v", "semverCompare", [">= 1.0, < 2", "1.5"], "ok", "true", id="compare-and"),
    pytest.param("v", "semverCompare", [">= 1.0 < 2 || 3.x", "3.4.1"], "ok", "true", id="compare-or"),
    pytest.param("v", "semverCompare", ["*", "4.5.6"], "ok", "true", id="compare-wildcard"),
    pytest.param("v", "semverCompare", ["<=1.2", "1.2.9"], "ok", "true", id="compare-le-dirty"),
    pytest.param("v", "semverCompare", ["=1.2.3", "1.2.3+meta"], "ok", "true", id="compare-eq"),
    pytest.param(
        "v", "semverCompare", [">1.0.0-alpha.10", "1.0.0-alpha.9"], "ok", "false", id="compare-prerelease-order"
    ),
    pytest.param("v", "semverCompare", ["!=1.2.3", "2.0.0-rc.1"], "ok", "true", id="compare-not-equal-prerelease"),
    pytest.param(
        "v", "semverCompare", ["!=1.2.x", "1.3.0-rc.1"], "ok", "false", id="compare-not-equal-wildcard-prerelease"
    ),
    pytest.param(
        "v",
        "semverCompare",
        ["bad constraint!", "1.0.0"],
        "err",
        "improper constraint: bad constraint!",
        id="compare-bad-constraint",
    ),
    pytest.param("v", "semverCompare", [">1", "x"], "err", "Invalid Semantic Version", id="compare-bad-version"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)


def _v(text: str) -> Any:
    return SPRIG_FUNCS["semver"](text)


def _call(obj: Any, method: str, *args: Any) -> Any:
    fn = obj.go_method(method)
    assert fn is not None, method
    return fn(*args)


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        pytest.param([("Major",)], "1", id="major"),
        pytest.param([("Prerelease",)], "rc.1", id="prerelease"),
        pytest.param([("Metadata",)], "b", id="metadata"),
        pytest.param([("Original",)], "v1.2.3-rc.1+b", id="original"),
        pytest.param([("IncPatch",)], "1.2.3", id="incpatch-drops-prerelease"),
        pytest.param([("IncMinor",)], "1.3.0", id="incminor"),
        pytest.param([("IncMajor",)], "2.0.0", id="incmajor"),
        pytest.param([("SetPrerelease", "beta")], "1.2.3-beta+b", id="setprerelease"),
        pytest.param([("SetMetadata", "")], "1.2.3-rc.1", id="setmetadata"),
    ],
)
def test_version_methods(chain: list[tuple[Any, ...]], expected: str) -> None:
    # Values from Go: {{ (semver "v1.2.3-rc.1+b").METHOD }}
    value: Any = _v("v1.2.3-rc.1+b")
    for method, *args in chain:
        value = _call(value, method, *args)
    assert format_v(value) == expected


def test_version_value_has_no_pointer_methods() -> None:
    inc = _call(_v("1.2.3"), "IncPatch")
    assert type_name(inc) == "semver.Version"
    assert inc.go_method("Original") is None  # Go: can't evaluate field Original in type semver.Version


def test_version_comparisons() -> None:
    a, b = _v("1.2.3"), _v("1.10.0")
    assert _call(a, "LessThan", b) is True
    assert _call(a, "Compare", b) == -1
    assert _call(b, "GreaterThan", a) is True
    assert _call(a, "Equal", _v("v1.2.3")) is True
