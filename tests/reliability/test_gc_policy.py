"""The collector policy: startup raises the first-generation threshold, kube-inject's batch sets its own,
and a program that turned collection off (threshold 0) keeps it off."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from sidecarctl.commands.kube_inject import BATCH_GC_THRESHOLD, long_lived_heap
from sidecarctl.limits import STARTUP_GC_THRESHOLD, startup_gc


@pytest.fixture(autouse=True)
def restore_threshold() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


@pytest.mark.parametrize(
    "before,after",
    [
        ((700, 10, 10), (STARTUP_GC_THRESHOLD, 10, 10)),
        ((90_000, 10, 10), (90_000, 10, 10)),  # never lowered
        ((0, 10, 10), (0, 10, 10)),  # collection off stays off
    ],
)
def test_startup_threshold(before: tuple[int, int, int], after: tuple[int, int, int]) -> None:
    gc.set_threshold(*before)
    startup_gc()
    assert gc.get_threshold() == after


@pytest.mark.parametrize(
    "before,inside",
    [
        ((STARTUP_GC_THRESHOLD, 10, 10), (BATCH_GC_THRESHOLD, 10, 10)),
        ((0, 10, 10), (0, 10, 10)),
    ],
)
def test_batch_sets_its_own_threshold_and_restores(before: tuple[int, int, int], inside: tuple[int, int, int]) -> None:
    gc.set_threshold(*before)
    with long_lived_heap():
        assert gc.get_threshold() == inside
    assert gc.get_threshold() == before
