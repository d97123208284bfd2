"""Local helpers for the WeCom client tests: a fake clock whose sleep moves time."""

from __future__ import annotations

import pytest


class FakeClock:
    """Epoch seconds that only move when a test (or the code under test) sleeps."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
