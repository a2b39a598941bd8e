"""The Go differential corpus, in process: every case listed in corpus_passing.txt must pass.

The list is a ratchet: add names as cases start passing (`pytest --corpus-report` is not needed;
run this file with `-s` to see the overall count, or `python -m tests.gotemplate.test_corpus`
to print the names of every passing case).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from shared_suite import CORPUS, needs_corpus
from sidecarctl.gotemplate import TemplateError, funcmap, parse

CASES = CORPUS
PASSING = Path(__file__).with_name("corpus_passing.txt")


def load_cases() -> list[dict[str, Any]]:
    if not CASES.is_file():
        return []
    with CASES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_case(case: dict[str, Any]) -> tuple[bool, str]:
    """Render one case as the CLI would (JSON numbers as float64); returns (ok, output or error)."""
    data = json.loads(json.dumps(case.get("data")), parse_int=float)
    try:
        return True, parse(case["template"], "inject", funcmap(case["funcs"])).execute(data)
    except TemplateError as e:
        return False, str(e)


def case_passes(case: dict[str, Any]) -> bool:
    ok, text = run_case(case)
    expect = case["expect"]
    if expect["ok"]:
        return ok and text == expect["output"]
    return not ok and text == expect["error"]


def passing_names() -> list[str]:
    if not PASSING.is_file():
        return []
    return [n.strip() for n in PASSING.read_text().splitlines() if n.strip() and not n.startswith("#")]


CASE_LIST = load_cases()
BY_NAME = {c["name"]: c for c in CASE_LIST}
pytestmark = needs_corpus


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus was recorded with TZ=UTC (Sprig's date functions use the local zone)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize("name", passing_names())
def test_listed_case_passes(name: str) -> None:
    case = BY_NAME.get(name)
    if case is None:
        pytest.skip(f"{name} is not in the corpus file")
    ok, text = run_case(case)
    assert case_passes(case), f"{name}: got {'output' if ok else 'error'} {text!r}, want {case['expect']!r}"


def test_overall_count(capsys: pytest.CaptureFixture[str]) -> None:
    passed = [c["name"] for c in CASE_LIST if case_passes(c)]
    by_funcs = {f: sum(1 for c in CASE_LIST if c["funcs"] == f and c["name"] in set(passed)) for f in ("go", "sprig")}
    with capsys.disabled():
        print(
            f"\ngotemplate corpus: {len(passed)}/{len(CASE_LIST)} pass (go {by_funcs['go']}, sprig {by_funcs['sprig']})"
        )
    assert set(passing_names()) <= set(passed)


if __name__ == "__main__":
    for c in CASE_LIST:
        if case_passes(c):
            print(c["name"])
