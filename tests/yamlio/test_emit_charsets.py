"""The emitter's character checks answer ASCII with str methods and the rest with regular
expressions: both must agree with the character classes, for every code point."""

from __future__ import annotations

import re

import pytest

from sidecarctl.yamlio import emit

CHECKS = [
    (emit._has_special, emit._SPECIAL, True),
    (emit._dq_safe, emit._DQ_UNSAFE, False),
    (emit._needs_json_fix, emit._JSON_FIX, True),
]
SAMPLES = [
    "",
    "plain text",
    "a\nb",
    "tab\there",
    'q"uote',
    "back\\slash",
    "del\x7f",
    "caf\u00e9",
    "\u2028",
    "\ufeffbom",
    "emoji \U0001f600",
    "nel\x85",
    "\ud800",
]


@pytest.mark.parametrize("check,pattern,matches", CHECKS, ids=["special", "dq-safe", "json-fix"])
def test_every_code_point_agrees_with_the_class(check, pattern, matches) -> None:  # type: ignore[no-untyped-def]
    compiled = re.compile(pattern)
    for code in range(0x110000):
        c = chr(code)
        assert check(c) is ((compiled.search(c) is not None) is matches), hex(code)


@pytest.mark.parametrize("check,pattern,matches", CHECKS, ids=["special", "dq-safe", "json-fix"])
@pytest.mark.parametrize("text", SAMPLES)
def test_strings_agree_with_the_class(check, pattern, matches, text: str) -> None:  # type: ignore[no-untyped-def]
    assert check(text) is ((re.search(pattern, text) is not None) is matches)
