"""Per-member pacing and the daily cap.

WeCom *silently drops* app messages above 30 per minute or 1000 per hour from one app to
one member, and robots above 20 per minute. We cannot observe the drop, so we must never
cross the limit, whichever way WeCom slices time.

Why a sliding log: every reservation's timestamp is kept (per scope and member) for the
longest window, and a new one is granted at time t only if fewer than `limit` timestamps
fall in (t - window, t]. Checking at every event bounds *every* window of that length
(the fullest window always ends at an event), so calendar minutes and rolling minutes are
both safe. A token bucket of 30 would let 30 go at once and 30 more as it refills inside
the same minute (60 per rolling minute); fixed windows allow 2 × limit across a boundary;
weighted "sliding window counters" only approximate. The log costs at most 1000 floats per
member per hour, which is nothing next to what the messages themselves cost.

Each window is widened by a margin (default 10 s) because WeCom counts arrivals, not our
reservations: an attempt can arrive up to the request timeout after it was reserved, and
hosts' clocks differ slightly. The client reserves again before every retry attempt, so a
delayed retry is never counted at its old time. Over-counting only slows us down.
"""

from __future__ import annotations

import time
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from wecomply.wecom.errors import WeComDailyCapExceeded, WeComPacingTimeout
from wecomply.wecom.stores import PacingStore

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_MARGIN_S = 10.0
DAILY_PERSON_TIMES_PER_SEAT = 200


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: float


APP_MEMBER_WINDOWS = (Window(30, 60.0), Window(1000, 3600.0))
ROBOT_WINDOWS = (Window(20, 60.0),)


def app_scope(corp_id: str, agent_id: int | str) -> str:
    return f"app:{corp_id}:{agent_id}"


def robot_scope(key_fingerprint: str) -> str:
    return f"robot:{key_fingerprint}"


def windows_for_scope(scope: str, margin_s: float = DEFAULT_MARGIN_S) -> tuple[Window, ...]:
    """The limits a store applies to `scope`: robots 20/min, app members 30/min + 1000/h."""
    base = ROBOT_WINDOWS if scope.startswith("robot:") else APP_MEMBER_WINDOWS
    return tuple(Window(w.limit, w.seconds + margin_s) for w in base)


def wait_needed(history: Sequence[float], now: float, windows: Sequence[Window]) -> float:
    """Seconds until one more event at `now` fits every window (0.0 if it fits now).

    `history` is one member's reservation times in ascending order. Times after `now`
    (another host's clock running ahead) count as inside the window, which is the safe side.
    """
    wait = 0.0
    for window in windows:
        start = bisect_right(history, now - window.seconds)
        in_window = len(history) - start
        if in_window >= window.limit:
            blocking = history[len(history) - window.limit]
            wait = max(wait, blocking + window.seconds - now)
    return wait


class SlidingLog:
    """One scope's reservations, indexed by member, kept only as long as a window can see them.

    `record` adds a reservation (many members at one time); `wait` answers `wait_needed` for
    a set of members; `prune` forgets reservations at or before a horizon. Not thread-safe:
    each store serialises access to its logs.
    """

    def __init__(self) -> None:
        # Lists, not deques: a 100k fan-out keeps 100k members here, and a one-element
        # deque takes 760 bytes against a one-element list's 64 (`sys.getsizeof`).
        self._times: dict[str, list[float]] = {}
        # In the order recorded, so pruning walks only what expired, not every member.
        self._reservations: deque[tuple[float, Sequence[str]]] = deque()

    def record(self, members: Sequence[str], at: float) -> None:
        for member in members:
            times = self._times.get(member)
            if times is None:
                self._times[member] = [at]
            elif times[-1] > at:
                # Keep each member's times sorted when a caller's clock runs behind an earlier one.
                insort(times, at)
            else:
                times.append(at)
        self._reservations.append((at, members))

    def wait(self, members: Iterable[str], now: float, windows: Sequence[Window]) -> float:
        """Seconds until every member has room for one more at `now` (0.0: room now).

        A member with no time in the log fits every window: only the others can make us wait.
        """
        wait = 0.0
        for member in members:
            times = self._times.get(member)
            if times is not None:
                wait = max(wait, wait_needed(times, now, windows))
        return wait

    def prune(self, horizon: float) -> int:
        """Forget the reservations recorded at or before `horizon`; return how many went.

        Each member's oldest time goes with one: it is at or before the reservation's own
        (the member's times are sorted), so it is past the horizon as well.
        """
        pruned = 0
        while self._reservations and self._reservations[0][0] <= horizon:
            _, members = self._reservations.popleft()
            for member in members:
                times = self._times[member]
                del times[0]  # at most ~1,000 times a member (the hourly limit)
                if not times:
                    del self._times[member]
            pruned += 1
        return pruned

    def times(self, member: str) -> list[float]:
        return list(self._times.get(member, ()))


def longest_window(windows: Sequence[Window]) -> float:
    return max(w.seconds for w in windows)


def china_day(epoch_s: float) -> str:
    """WeCom's daily quotas reset at midnight China time."""
    return datetime.fromtimestamp(epoch_s, CHINA).date().isoformat()


def daily_cap_for_seats(seats: int) -> int:
    """An app may send `seats × 200` person-times a day (doc 90454)."""
    return seats * DAILY_PERSON_TIMES_PER_SEAT


class Pacer:
    """Reserves per-member quota before a send, waiting (boundedly) when a member is full."""

    def __init__(
        self,
        store: PacingStore,
        scope: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_s: float = 120.0,
    ) -> None:
        self.store = store
        self.scope = scope
        self._clock = clock
        self._sleep = sleep
        self.max_wait_s = max_wait_s

    def acquire(self, userids: Sequence[str]) -> float:
        """Reserve one message for every userid; returns the seconds waited."""
        waited = 0.0
        while True:
            wait = self.store.reserve(self.scope, userids, self._clock())
            if wait <= 0:
                return waited
            if waited + wait > self.max_wait_s:
                raise WeComPacingTimeout(self.scope, waited + wait, self.max_wait_s)
            self._sleep(wait)
            waited += wait


class DailyCap:
    """Counts person-times per China day through the store; refuses before the cap."""

    def __init__(
        self,
        store: PacingStore,
        scope: str,
        cap: int | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.scope = scope
        self.cap = cap
        self._clock = clock

    def charge(self, recipients: int) -> str | None:
        """Count `recipients` for today; returns the day charged (None when uncapped).

        The store adds first (so concurrent processes cannot both slip under the cap) and
        the charge is taken back if it went over.
        """
        if self.cap is None or recipients <= 0:
            return None
        day = china_day(self._clock())
        total = self.store.count_day(self.scope, day, recipients)
        if total > self.cap:
            self.store.count_day(self.scope, day, -recipients)
            raise WeComDailyCapExceeded(self.scope, day, total - recipients, recipients, self.cap)
        return day

    def refund(self, day: str | None, recipients: int) -> None:
        """Give back a charge for a send that WeCom definitely did not deliver."""
        if day is not None and recipients > 0:
            self.store.count_day(self.scope, day, -recipients)
