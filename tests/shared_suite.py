"""../shared, found once for every test: Istio's conformance suite (the one case table that drives the
kube-inject, webhook, workflow and typed-model golden tests), the Go template corpus and the oracles.

It lives next to the repository (`/work/shared` beside `/work/<tree>`), or where SIDECARCTL_SHARED
points. When it is absent, every test that needs it skips with the one reason ABSENT (`pytest -rs`
then shows a single line for all of them), and the session header says so once.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIDECARCTL_SHARED") or REPO.parent / "shared")
SUITE = SHARED / "conformance" / "istio-1.30.3"
CORPUS = SHARED / "gotemplate-corpus" / "cases.jsonl"
ABSENT = (
    f"../shared is absent (looked for {SHARED}; set SIDECARCTL_SHARED to its path): "
    "the conformance suite, template corpus and oracles live there"
)


def have_suite() -> bool:
    return (SUITE / "cases.yaml").is_file()


needs_suite = pytest.mark.skipif(not have_suite(), reason=ABSENT)
needs_corpus = pytest.mark.skipif(not CORPUS.is_file(), reason=ABSENT)


def require_suite() -> Path:
    """The suite's folder, or skip the calling test with ABSENT."""
    if not have_suite():
        pytest.skip(ABSENT)
    return SUITE


@functools.cache
def _table() -> tuple[dict[str, Any], ...]:
    if not have_suite():
        return ()
    return tuple(yaml.safe_load((SUITE / "cases.yaml").read_text(encoding="utf-8")) or [])


def conformance_cases(*, webhook: bool | None = None, golden: bool | None = None) -> list[dict[str, Any]]:
    """The suite's case table (see its README for the fields), in its order; empty when absent.
    `webhook=True`: the cases Istio also runs through its webhook; `golden=True`: the ones with a
    golden output (the rest expect an error)."""
    rows = [dict(case) for case in _table()]
    if webhook is not None:
        rows = [case for case in rows if bool(case.get("webhook")) == webhook]
    if golden is not None:
        rows = [case for case in rows if bool(case.get("golden")) == golden]
    return rows


def case_path(name: str) -> Path:
    """A file under the suite's cases/ folder."""
    return SUITE / "cases" / name


def settings_dir(case: dict[str, Any] | str) -> Path:
    return SUITE / "settings" / (case if isinstance(case, str) else case["settings"])


def settings_flags(case: dict[str, Any] | str) -> list[str]:
    """kube-inject's flags for a case's settings files."""
    folder = settings_dir(case)
    return [
        "--injectConfigFile",
        str(folder / "inject-config.yaml"),
        "--meshConfigFile",
        str(folder / "mesh-config.yaml"),
        "--valuesFile",
        str(folder / "inject-values.yaml"),
    ]
