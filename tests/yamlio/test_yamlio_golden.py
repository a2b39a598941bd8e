"""Round trip of istioctl's real output: every `*.injected` golden of the conformance suite is split, each
document decoded and written again, and the stream must come out byte for byte.

Documents of kinds istioctl does not decode (e.g. a Service) are its verbatim input, not Marshal output;
they are checked to decode and are otherwise passed through, as istioctl itself does."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_suite import SUITE, needs_suite
from sidecarctl.yamlio import dump_yaml, load_document, split_documents

_CASES = SUITE / "cases"
_GOLDENS = sorted(_CASES.glob("*.injected")) if _CASES.is_dir() else []

# What istioctl decodes into typed objects and writes with sigs.k8s.io/yaml.Marshal.
_RESERIALISED = {
    "Pod",
    "Deployment",
    "DaemonSet",
    "ReplicaSet",
    "StatefulSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "DeploymentConfig",
    "List",
}


def _round_trip(text: str) -> tuple[str, int, int]:
    """The stream rebuilt from its documents, with counts of re-serialised and passed-through documents."""
    out = []
    written = passed = 0
    for doc in split_documents(text):
        value = load_document(doc)
        if isinstance(value, dict) and value.get("kind") in _RESERIALISED:
            out.append(dump_yaml(value))
            written += 1
        else:
            out.append(doc)
            passed += 1
        out.append("---\n")
    return "".join(out), written, passed


@needs_suite
@pytest.mark.parametrize("golden", _GOLDENS, ids=lambda p: p.name)
def test_golden_round_trip(golden: Path) -> None:
    text = golden.read_text(encoding="utf-8")
    rebuilt, written, _ = _round_trip(text)
    assert written > 0
    assert rebuilt == text


@needs_suite
def test_goldens_cover_the_expected_documents() -> None:
    totals = [_round_trip(p.read_text(encoding="utf-8"))[1:] for p in _GOLDENS]
    written = sum(w for w, _ in totals)
    passed = sum(p for _, p in totals)
    assert len(_GOLDENS) >= 70
    assert written >= len(_GOLDENS) and passed >= 1
