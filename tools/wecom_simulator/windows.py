"""Sliding-window counters, O(1) amortized per event (a deque of event times)."""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    """At most `limit` events in any `span` seconds (an event at t counts while now - t < span)."""

    __slots__ = ("span", "limit", "_times")

    def __init__(self, span: float, limit: int) -> None:
        self.span = span
        self.limit = limit
        self._times: deque[float] = deque()

    def _prune(self, now: float) -> None:
        times = self._times
        edge = now - self.span
        while times and times[0] <= edge:
            times.popleft()

    def count(self, now: float) -> int:
        self._prune(now)
        return len(self._times)

    def allows(self, now: float, n: int = 1) -> bool:
        self._prune(now)
        return len(self._times) + n <= self.limit

    def add(self, now: float) -> None:
        self._times.append(now)

    def try_add(self, now: float) -> bool:
        if self.allows(now):
            self._times.append(now)
            return True
        return False


class MemberWindow:
    """WeCom's per-app, per-member pacing: 30 a minute and 1000 an hour, then silent drops.

    One list of delivery times with a moving head (a benchmark holds 100k of these, and a
    deque costs ~600 bytes even when empty); the minute count scans back from the newest
    entry, which stops after at most `per_minute` steps.
    """

    __slots__ = ("per_minute", "per_hour", "_times", "_head")

    def __init__(self, per_minute: int, per_hour: int) -> None:
        self.per_minute = per_minute
        self.per_hour = per_hour
        self._times: list[float] = []
        self._head = 0

    def try_deliver(self, now: float) -> bool:
        # Only deliveries count: a dropped message does not extend the block.
        times = self._times
        head = self._head
        size = len(times)
        hour_edge = now - 3600.0
        while head < size and times[head] <= hour_edge:
            head += 1
        if head > 64 and head * 2 > size:
            del times[:head]
            head = 0
            size = len(times)
        self._head = head
        if size - head >= self.per_hour:
            return False
        minute_edge = now - 60.0
        recent = 0
        i = size - 1
        while i >= head and times[i] > minute_edge:
            recent += 1
            if recent >= self.per_minute:
                return False
            i -= 1
        times.append(now)
        return True
