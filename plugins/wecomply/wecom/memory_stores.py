"""In-process token and pacing stores (thread-safe); one process only.

A fleet of workers needs the database stores in `wecomply.records.shared_stores`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from wecomply.wecom.pacing import DEFAULT_MARGIN_S, SlidingLog, longest_window, windows_for_scope
from wecomply.wecom.stores import CachedToken


class MemoryTokenStore:
    def __init__(self) -> None:
        self._tokens: dict[str, CachedToken] = {}
        self._guard = threading.Lock()
        self._refresh_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)

    def get(self, key: str) -> CachedToken | None:
        with self._guard:
            return self._tokens.get(key)

    def put(self, key: str, token: CachedToken) -> None:
        with self._guard:
            self._tokens[key] = token

    def delete(self, key: str) -> None:
        with self._guard:
            self._tokens.pop(key, None)

    @contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._refresh_locks[key]
        with lock:
            yield


class MemoryPacingStore:
    """Sliding-log pacing (see `wecomply.wecom.pacing`) kept in memory."""

    def __init__(self, *, margin_s: float = DEFAULT_MARGIN_S) -> None:
        self.margin_s = margin_s
        self._logs: dict[str, SlidingLog] = defaultdict(SlidingLog)
        self._days: dict[tuple[str, str], int] = defaultdict(int)
        self._lock = threading.Lock()

    def reserve(self, scope: str, userids: Sequence[str], now: float) -> float:
        windows = windows_for_scope(scope, self.margin_s)
        members = tuple(set(userids))
        with self._lock:
            log = self._logs[scope]
            log.prune(now - longest_window(windows))
            wait = log.wait(members, now, windows)
            if wait > 0:
                return wait
            log.record(members, now)
            return 0.0

    def count_day(self, scope: str, day: str, recipients: int) -> int:
        with self._lock:
            self._days[(scope, day)] += recipients
            return self._days[(scope, day)]

    def history(self, scope: str, userid: str) -> list[float]:
        """Reservation times of one member (for inspection and tests)."""
        with self._lock:
            return self._logs[scope].times(userid) if scope in self._logs else []
