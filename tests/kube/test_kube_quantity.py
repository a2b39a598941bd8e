"""resource.Quantity: the text istioctl writes for each quantity it reads (apimachinery v0.35.3)."""

from __future__ import annotations

import pytest

from sidecarctl.kube import QuantityError, canonical_quantity, parse_quantity
from sidecarctl.kube.quantity import ERR_FORMAT, ERR_NUMERIC, ERR_SUFFIX

CANONICAL = [
    # canonical form: largest exponent that loses nothing
    ("2000m", "2"),
    ("1024Mi", "1Gi"),
    ("0.5", "500m"),
    ("1.5", "1500m"),
    ("1.5Gi", "1536Mi"),
    ("0.5Ki", "512"),
    ("1000", "1k"),
    ("1001", "1001"),
    ("1.0001", "1000100u"),
    ("0.001m", "1u"),
    ("0.1n", "1n"),  # finer than nano rounds away from zero
    ("-0.1n", "-1n"),
    ("-2048Ki", "-2Mi"),
    ("1.5e3", "1500"),
    ("1e-7", "100e-9"),
    ("8Ei", "9223372036854775807"),  # binary values are capped at 2^63-1
    ("100000000000000000000", "100E"),
    ("1000000000000000000000", "1"),  # no decimal suffix for 10^21: apimachinery drops it
    # kept as written: the fast path caches text that already looks canonical
    ("100m", "100m"),
    ("100Mi", "100Mi"),
    ("128Mi", "128Mi"),
    ("1e3", "1e3"),
    ("12e6", "12e6"),
    ("+5", "+5"),
    ("1.500", "1.500"),
    ("10G", "10G"),
    ("0", "0"),
    # zero in any spelling prints 0
    ("0.0", "0"),
    ("-0", "0"),
    ("0Mi", "0"),
    ("Mi", "0"),
    (".", "0"),
    # surrounding blanks are trimmed before parsing
    (" 1 ", "1"),
    # YAML numbers arrive as Go spells them in JSON
    (1, "1"),
    (0.5, "500m"),
    (1000.0, "1k"),
    (1e-7, "100e-9"),
    (1e21, "1e+21"),
    (-1, "-1"),
    (None, "0"),
]


@pytest.mark.parametrize(("value", "want"), CANONICAL)
def test_canonical(value: object, want: str) -> None:
    assert canonical_quantity(value) == want


ERRORS = [
    ("abc", ERR_FORMAT),
    ("1.5.5", ERR_FORMAT),
    ("", ERR_FORMAT),
    ("  ", ERR_FORMAT),
    ("1Mx", ERR_FORMAT),
    ("1ki", ERR_SUFFIX),
    ("1e", ERR_SUFFIX),
    ("1e+", ERR_SUFFIX),
    ("5Mi3", ERR_SUFFIX),
    (".e-10", ERR_NUMERIC),
    (True, ERR_FORMAT),
    ([1], ERR_FORMAT),
    ({"a": 1}, ERR_FORMAT),
]


@pytest.mark.parametrize(("value", "message"), ERRORS)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(QuantityError) as exc:
        canonical_quantity(value)
    assert str(exc.value) == message


def test_error_text_is_apimachinerys() -> None:
    assert ERR_FORMAT == ("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


def test_parse_keeps_format_and_amount() -> None:
    q = parse_quantity("1.5Gi")
    assert (q.format, str(q)) == ("BinarySI", "1536Mi")
    assert parse_quantity("100m").cached == "100m"
    assert parse_quantity("2000m").cached is None
