"""Cases recorded from sigs.k8s.io/yaml itself around what yamlio reads and writes by yaml.v2's own rules.

`oracle_cases/read.jsonl` and `oracle_cases/emit.jsonl` were made with the shared oracle
(`../shared/yaml-oracle/make_cases.py`, sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2 2.4.2, built by its
`build.sh` with Debian's Go 1.19; no case holds a timestamp, where Go < 1.20 differs). Inputs: `.`-scalars
with `_` (Go's ParseFloat), `-0`, float keys at float32's edges, `!!binary` padding and invalid UTF-8,
`!!float`/`!!int` on 64-bit edges, `%YAML`/`%TAG` directives, every escape character, flow collections
of `a?:, `, tags holding flow indicators, U+FEFF at line starts and at the reader's 512-byte refills,
control characters around that window after the first document, empty flow collections as keys.

Rows: {"id", "yaml"|"json", "want"}; want is Go's JSON (read) or YAML (emit) text, null where Go fails.
Numbers are compared as Go's encoding/json writes them; error wording is not compared here.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sidecarctl.yamlio import YamlError, dump_yaml, load_document, read

_HERE = Path(__file__).resolve().parent / "oracle_cases"


def _rows(kind: str) -> list[dict[str, Any]]:
    with open(_HERE / f"{kind}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _GoNumber(str):
    """A number of the expected JSON, kept as the text Go wrote."""


def _go_json_float(f: float) -> str:
    """encoding/json's text for a finite float64: shortest digits, exponent form below 1e-6 or from 1e21."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    sign, digits, exponent = Decimal(repr(f)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)  # |f| = 0.ds * 10**point
    neg = "-" if sign else ""
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        x = point - 1
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return "%s%se%s%02d" % (neg, mant, "-" if x < 0 else "+", abs(x))
    if point <= 0:
        return neg + "0." + "0" * -point + ds
    if point >= len(ds):
        return neg + ds + "0" * (point - len(ds))
    return neg + ds[:point] + "." + ds[point:]


def _same(got: Any, want: Any) -> bool:
    """got (yamlio's value) equals want (Go's JSON, numbers as _GoNumber), without recursion."""
    todo = [(got, want)]
    while todo:
        g, w = todo.pop()
        if isinstance(w, _GoNumber):
            if isinstance(g, bool) or not isinstance(g, (int, float)):
                return False
            if (str(g) if isinstance(g, int) else _go_json_float(g)) != w:
                return False
        elif isinstance(w, list):
            if not isinstance(g, list) or len(g) != len(w):
                return False
            todo.extend(zip(g, w))
        elif isinstance(w, dict):
            if not isinstance(g, dict) or set(g) != set(w):
                return False
            todo.extend((g[k], w[k]) for k in w)
        elif type(g) is not type(w) or g != w:
            return False
    return True


_READ = _rows("read")
_EMIT = _rows("emit")


@pytest.fixture(params=["screened", "goparse-only"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each read case as load_document reads it (libyaml where certain), and with yaml.v2's own parser
    (goparse) for every document, which must agree with Go on its own."""
    if request.param == "goparse-only":
        monkeypatch.setattr(read, "_libyaml_may_differ", lambda text: True)
    return str(request.param)


@pytest.mark.parametrize("row", _READ, ids=[row["id"] for row in _READ])
def test_read_as_go(row: dict[str, Any], reader: str) -> None:
    if row["want"] is None:
        with pytest.raises(YamlError):
            load_document(row["yaml"])
        return
    want = json.loads(row["want"], parse_int=_GoNumber, parse_float=_GoNumber)
    assert _same(load_document(row["yaml"]), want)


@pytest.mark.parametrize("row", _EMIT, ids=[row["id"] for row in _EMIT])
def test_write_as_go(row: dict[str, Any]) -> None:
    value = json.loads(row["json"])
    if row["want"] is None:
        with pytest.raises(YamlError):
            dump_yaml(value)
        return
    assert dump_yaml(value) == row["want"]


def test_read_table_holds_accepted_and_refused_documents() -> None:
    assert {row["want"] is None for row in _READ} == {True, False}


@pytest.mark.parametrize(
    ("got", "want", "same"),
    [
        (0, "-0", False),
        (-0.0, "-0", True),
        (0.5, "0.5", True),
        (1e21, "1e+21", True),
        (1e-7, "1e-07", True),
        (120.0, "120", True),
        (1, "1.0", False),
        (True, "1", False),
    ],
    ids=[
        "int-zero-is-not-minus-zero",
        "minus-zero",
        "half",
        "1e21",
        "1e-7",
        "integral-float",
        "int-vs-text",
        "bool-is-not-a-number",
    ],
)
def test_number_comparison_is_go_json_text(got: Any, want: str, same: bool) -> None:
    assert _same(got, _GoNumber(want)) is same
