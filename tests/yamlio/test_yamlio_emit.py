"""dump_yaml against sigs.k8s.io/yaml.Marshal: the expected texts in yamlio_emit_cases.py come from the Go
library itself; the hand-written cases below pin the rules those tables exercise, one at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yamlio_emit_cases as cases

from sidecarctl.yamlio import YamlError, dump_yaml


def _check(value: Any, expected: str | None, error: str | None) -> None:
    if error is not None:
        with pytest.raises(YamlError) as info:
            dump_yaml(value)
        assert str(info.value) == error
    else:
        assert dump_yaml(value) == expected


def _table(rows: list, wrap: Callable[[Any], Any]) -> list:
    return [pytest.param(wrap(item), out, err, id=repr(item)[:40]) for item, out, err in rows]


@pytest.mark.parametrize("value,expected,error", _table(cases.SCALARS, lambda s: {"k": s}))
def test_scalar_quoting(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize(
    "value,expected,error", _table(cases.MULTILINE, lambda s: {"k": s, "seq": [s], "nested": {"deeper": {"k": s}}})
)
def test_multiline_strings(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize(
    "value,expected,error",
    _table(cases.LONG, lambda s: {"k": s, "a-much-longer-key-name": s, "seq": [s], "n": {"m": {"o": s}}}),
)
def test_folding_at_width_80(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize("value,expected,error", _table(cases.KEYS, lambda s: {s: "v", "other": 1}))
def test_keys(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize("value,expected,error", _table(cases.ORDERS, lambda ks: {k: i for i, k in enumerate(ks)}))
def test_natural_key_order(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize("value,expected,error", _table(cases.STRUCT, lambda v: v))
def test_structures_and_numbers(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


@pytest.mark.parametrize("value,expected,error", _table(cases.JSON_REREAD, lambda v: v))
def test_json_to_yaml_reread(value: Any, expected: str | None, error: str | None) -> None:
    _check(value, expected, error)


# --- single rules, spelled out -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("15020", 'k: "15020"\n'),  # would read back as an int
        ("on", 'k: "on"\n'),  # YAML 1.1 boolean
        ("1:20", 'k: "1:20"\n'),  # base 60 is quoted although yaml.v2 reads it as a string
        ("2021-01-31", 'k: "2021-01-31"\n'),  # a timestamp
        ("2021-02-31", "k: 2021-02-31\n"),  # not a valid date for Go's time.Parse: a plain string
        ("*", "k: '*'\n"),  # an alias indicator: single-quoted
        ("a: b", "k: 'a: b'\n"),
        ("it's", "k: it's\n"),
        ("'x'", "k: '''x'''\n"),
        ("a\tb", 'k: "a\\tb"\n'),  # a tab is not printable for libyaml: double-quoted with escapes
        ("é", "k: é\n"),  # unicode is written as is
        ("\U0001f600", 'k: "\\U0001F600"\n'),  # but not beyond the BMP
        ("", 'k: ""\n'),
        ("<<", "k: <<\n"),  # '<' has no resolve hint in yaml.v2
    ],
)
def test_quoting_rules(value: str, expected: str) -> None:
    assert dump_yaml({"k": value}) == expected


def test_literal_block_chomping_and_indentation_indicator() -> None:
    assert dump_yaml({"k": "a\nb"}) == "k: |-\n  a\n  b\n"
    assert dump_yaml({"k": "a\nb\n"}) == "k: |\n  a\n  b\n"
    assert dump_yaml({"k": "a\nb\n\n"}) == "k: |+\n  a\n  b\n\n"
    assert dump_yaml({"k": " a\nb"}) == "k: |2-\n   a\n  b\n"


def test_block_scalar_followed_by_key_does_not_add_blank_line() -> None:
    assert dump_yaml({"a": "x\n", "b": 1}) == "a: |\n  x\nb: 1\n"
    assert dump_yaml({"a": "x\n\n", "b": 1}) == "a: |+\n  x\n\nb: 1\n"


def test_multiline_string_with_trailing_space_or_tab_is_double_quoted() -> None:
    assert dump_yaml({"k": "a \nb"}) == 'k: "a \\nb"\n'
    assert dump_yaml({"k": "a\n\tb"}) == 'k: "a\\n\\tb"\n'


def test_sequence_dash_sits_at_parent_key_indent() -> None:
    value = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}], "args": ["x", ["y"]]}}
    assert dump_yaml(value) == (
        'spec:\n  args:\n  - x\n  - - "y"\n  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n'
    )


def test_empty_collections_and_null() -> None:
    assert dump_yaml({"status": {}, "items": [], "x": None}) == "items: []\nstatus: {}\nx: null\n"
    assert dump_yaml({}) == "{}\n"
    assert dump_yaml([]) == "[]\n"
    assert dump_yaml(None) == "null\n"


def test_natural_order_compares_digit_runs_as_numbers() -> None:
    assert dump_yaml({"a10": 1, "a9": 2, "b": 3, "_": 4, "A": 5}) == "_: 4\nA: 5\na9: 2\na10: 1\nb: 3\n"


def test_numbers_as_go_json_then_yaml_v2_write_them() -> None:
    assert dump_yaml([1, 2.0, 2.5, 1e6, 1e6 + 0.5, 1e21, 1e-7, 2**64 - 1, 2**64]) == (
        "- 1\n- 2\n- 2.5\n- 1000000\n- 1.0000005e+06\n- 1e+21\n- 1e-07\n- 18446744073709551615\n"
        "- 1.8446744073709552e+19\n"
    )


def test_nan_is_refused_like_go_json() -> None:
    with pytest.raises(YamlError, match="unsupported value: NaN"):
        dump_yaml({"k": float("nan")})


def test_long_plain_scalar_folds_after_column_80_at_a_single_space() -> None:
    words = " ".join("w%02d" % i for i in range(30))
    text = dump_yaml({"k": words})
    first, second = text.split("\n")[:2]
    assert first == "k: " + " ".join("w%02d" % i for i in range(20))
    assert second == "  " + " ".join("w%02d" % i for i in range(20, 30))


def test_long_key_becomes_a_complex_key() -> None:
    key = "k" * 129
    assert dump_yaml({key: "v"}) == "? " + key + "\n: v\n"
    assert dump_yaml({"k" * 128: "v"}) == "k" * 128 + ": v\n"


def test_multiline_key() -> None:
    assert dump_yaml({"a\nb": {"c": 1}}) == "? |-\n  a\n  b\n: c: 1\n"


def test_python_conveniences_are_converted_like_json() -> None:
    assert dump_yaml({"t": (1, 2), 3: "int key", True: "bool key"}) == '"3": int key\nt:\n- 1\n- 2\n"true": bool key\n'


def test_lone_surrogates_become_replacement_characters() -> None:
    assert dump_yaml({"k": "a\udcffb"}) == "k: a\ufffdb\n"


def test_deep_nesting_is_written() -> None:
    value: Any = "leaf"
    for _ in range(1500):
        value = {"k": value}
    assert dump_yaml(value).count("\n") == 1500


def test_cyclic_value_is_refused_like_go_json() -> None:
    value: dict = {}
    value["self"] = value
    with pytest.raises(YamlError, match="cycle"):
        dump_yaml(value)


@pytest.mark.parametrize(
    ("depth", "refused"), [(10_000, False), (10_001, True)], ids=["10000-written", "10001-refused"]
)
@pytest.mark.parametrize("shape", ["list", "dict"])
def test_nesting_past_go_reread_limit_is_refused(depth: int, refused: bool, shape: str) -> None:
    """Marshal's re-read of its JSON (yaml.v2) refuses more than 10,000 nested flow collections."""
    value: Any = 1
    for _ in range(depth):
        value = [value] if shape == "list" else {"k": value}
    if refused:
        with pytest.raises(YamlError, match="exceeded max depth of 10000"):
            dump_yaml(value)
    else:
        assert dump_yaml(value).endswith(" 1\n")


def test_repeated_calls_use_cached_decisions_consistently() -> None:
    value = {"k": "x " * 50, "seq": ["x " * 50], "deep": {"deeper": {"k": "x " * 50}}}
    assert dump_yaml(value) == dump_yaml(value)
