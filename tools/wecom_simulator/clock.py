"""The simulator's clock: real time plus an offset, or frozen, and movable by tests.

Every time-dependent rule (token expiry, per-member windows, duplicate-check intervals,
response_code and media lifetimes, the daily cap) reads this clock, so a test can jump two
hours ahead instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SimClock:
    """Epoch seconds. Running by default (follows `source`); `freeze()` stops it."""

    def __init__(
        self,
        start: float | None = None,
        *,
        frozen: bool = False,
        source: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start - source()
        self._frozen_at: float | None = None
        if frozen:
            self.freeze()

    def now(self) -> float:
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        return self._source() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (or back, if negative) and return the new time."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
            return self.now()

    def set(self, epoch: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = float(epoch)
            else:
                self._offset = epoch - self._source()

    def freeze(self) -> None:
        with self._lock:
            self._frozen_at = self.now()

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._source()
                self._frozen_at = None

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


def as_clock(clock: SimClock | Callable[[], float] | None) -> SimClock:
    """Accept a SimClock, any zero-argument epoch-seconds callable, or None (real time)."""
    if clock is None:
        return SimClock()
    if isinstance(clock, SimClock):
        return clock
    return SimClock(source=clock)
