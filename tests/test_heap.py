"""`freeze_startup_heap`: once per process, so `dag.test()`'s shared process does not
freeze what each task leaves behind; again in a forked child, which starts its own."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

from wecomply.airflow_glue import heap


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.unfreeze()
    monkeypatch.setattr(heap, "_frozen_in", None)
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_the_start_up_heap_is_frozen_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    heap.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0

    left_by_a_task = [[] for _ in range(1000)]  # noqa: F841 - tracked objects made after the freeze
    heap.freeze_startup_heap()
    assert gc.get_freeze_count() == frozen

    monkeypatch.setattr(heap, "_frozen_in", os.getpid() + 1)  # as a child forked from a frozen parent finds it
    heap.freeze_startup_heap()
    assert gc.get_freeze_count() >= frozen + 1000
