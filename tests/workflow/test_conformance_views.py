"""--patch and --preserve-formatting over every public conformance input (skipped when ../shared is absent).

Patch property: the patch applied with sidecarctl.kube.strategic_merge to the normalised original
gives the injected object. Preserve property: the preserved document reads back as the same object
as istioctl's output.
"""

from __future__ import annotations

from typing import Any

import pytest
from workflow_support import SUITE, case_injector, cases

from shared_suite import needs_suite
from sidecarctl.kube import normalize_as, strategic_merge
from sidecarctl.workflow.documents import inject_sources
from sidecarctl.workflow.inputs import Source
from sidecarctl.workflow.patch import document_patches, workload_pairs
from sidecarctl.workflow.preserve import preserve_document
from sidecarctl.yamlio import load_document

CASES = cases()
pytestmark = needs_suite


def _run(case: dict[str, Any]) -> tuple[Any, Any]:
    injector = case_injector(case)
    path = SUITE / "cases" / case["input"]
    source = Source(str(path), path.read_text(encoding="utf-8"), str(path))
    return injector, inject_sources(injector, [source])[0]


def _typed(obj: dict[str, Any]) -> dict[str, Any]:
    from sidecarctl.inject import workloads

    return normalize_as(obj, workloads.kube_type(obj["kind"]), coerce=False)  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES] or None)
def test_patch_applied_to_the_original_gives_the_injected_object(case: dict[str, Any]) -> None:
    injector, run = _run(case)
    checked = 0
    for document in run.documents:
        original = injector.decode(document.raw)
        if original is None:
            continue
        patches = iter(document_patches(document, injector))
        for old, new in workload_pairs(original, load_document(document.body)):
            if _typed(old) == _typed(new):
                continue  # skipped: no patch
            patch = next(patches)
            assert (patch["kind"], patch["metadata"].get("name")) == (
                old["kind"],
                (old.get("metadata") or {}).get("name"),
            )
            merged = strategic_merge(old, patch, _go_type(old))
            assert _typed(merged) == _typed(new)
            checked += 1
        assert next(patches, None) is None
    assert checked == sum(1 for outcome in run.outcomes if outcome.injected)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES] or None)
def test_preserved_documents_read_back_as_the_injected_objects(case: dict[str, Any]) -> None:
    injector, run = _run(case)
    for document in run.documents:
        preserved = preserve_document(document, injector)
        assert injector.decode(preserved) == injector.decode(document.body), f"document {document.index}"


def _go_type(obj: dict[str, Any]) -> str:
    from sidecarctl.inject import workloads

    return workloads.kube_type(obj["kind"])
