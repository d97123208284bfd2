"""Pacing: the sliding log never lets any window exceed WeCom's per-member limits."""

from __future__ import annotations

import random
import threading
from bisect import bisect_left

import pytest

from tests.wecom.conftest import FakeClock
from wecomply.wecom.errors import WeComDailyCapExceeded, WeComPacingTimeout
from wecomply.wecom.memory_stores import MemoryPacingStore
from wecomply.wecom.pacing import (
    DailyCap,
    Pacer,
    SlidingLog,
    Window,
    app_scope,
    china_day,
    daily_cap_for_seats,
    robot_scope,
    wait_needed,
)

SCOPE = app_scope("ww_corp", 1000002)


def max_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of events inside any half-open window [t, t + seconds)."""
    times = sorted(times)
    return max(bisect_left(times, t + seconds) - i for i, t in enumerate(times))


def test_wait_needed_points_at_the_event_that_must_age_out() -> None:
    windows = (Window(3, 60.0),)
    assert wait_needed([0.0, 10.0], 20.0, windows) == 0.0
    assert wait_needed([0.0, 10.0, 20.0], 30.0, windows) == pytest.approx(30.0)
    assert wait_needed([0.0, 10.0, 20.0], 60.0, windows) == 0.0


def test_one_member_never_exceeds_30_per_minute_or_1000_per_hour(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=0.0)
    pacer = Pacer(store, SCOPE, clock=clock, sleep=clock.sleep, max_wait_s=3600)
    rng = random.Random(3)
    sent: list[float] = []
    for _ in range(1500):
        pacer.acquire(["zhangsan"])
        sent.append(clock.now)
        clock.now += rng.choice([0.0, 0.0, 0.01, 0.5, 3.0])  # bursts and gaps
    assert max_in_any_window(sent, 60.0) == 30
    assert max_in_any_window(sent, 3600.0) <= 1000
    assert clock.sleeps, "a burst of 1500 must have waited"


def test_margin_widens_the_window(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=10.0)
    pacer = Pacer(store, SCOPE, clock=clock, sleep=clock.sleep, max_wait_s=3600)
    sent = []
    for _ in range(90):
        pacer.acquire(["lisi"])
        sent.append(clock.now)
    assert max_in_any_window(sent, 70.0) == 30


def test_reservation_is_all_or_nothing(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=0.0)
    for _ in range(30):
        assert store.reserve(SCOPE, ["busy"], clock.now) == 0.0
    wait = store.reserve(SCOPE, ["free", "busy"], clock.now)
    assert wait == pytest.approx(60.0)
    assert store.history(SCOPE, "free") == []  # nothing reserved for the free member either
    assert store.reserve(SCOPE, ["free"], clock.now) == 0.0


def test_members_and_apps_are_paced_independently(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=0.0)
    for _ in range(30):
        store.reserve(SCOPE, ["a"], clock.now)
    assert store.reserve(SCOPE, ["b"], clock.now) == 0.0
    assert store.reserve(app_scope("ww_corp", 1000003), ["a"], clock.now) == 0.0


def test_robot_scope_allows_20_per_minute(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=0.0)
    scope = robot_scope("abc")
    granted = [store.reserve(scope, ["robot"], clock.now) == 0.0 for _ in range(25)]
    assert granted.count(True) == 20


def test_pacer_gives_up_with_a_clear_error(clock: FakeClock) -> None:
    store = MemoryPacingStore(margin_s=0.0)
    pacer = Pacer(store, SCOPE, clock=clock, sleep=clock.sleep, max_wait_s=5.0)
    for _ in range(30):
        pacer.acquire(["wangwu"])
    with pytest.raises(WeComPacingTimeout) as info:
        pacer.acquire(["wangwu"])
    assert "30/min" in str(info.value) and SCOPE in str(info.value)
    assert clock.sleeps == []  # it did not sleep knowing the wait was too long


def test_store_is_thread_safe() -> None:
    store = MemoryPacingStore(margin_s=0.0)
    granted: list[int] = []

    def worker() -> None:
        count = sum(store.reserve(SCOPE, ["shared"], 1000.0) == 0.0 for _ in range(20))
        granted.append(count)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 30


def test_daily_cap(clock: FakeClock) -> None:
    store = MemoryPacingStore()
    cap = DailyCap(store, SCOPE, daily_cap_for_seats(5), clock=clock)  # 1000 person-times
    day = cap.charge(900)
    with pytest.raises(WeComDailyCapExceeded) as info:
        cap.charge(101)
    assert "1000" in str(info.value) and "900" in str(info.value)
    assert store.count_day(SCOPE, day, 0) == 900  # the refused charge was taken back
    cap.refund(day, 100)
    assert cap.charge(200) == day
    clock.now += 86400
    assert cap.charge(1000) != day


def test_china_day_boundary() -> None:
    # 2024-06-01 00:30 in Shanghai is still 2024-05-31 in UTC.
    assert china_day(1717173000) == "2024-06-01"


def test_the_log_stays_sorted_and_prunes_only_what_expired_when_a_clock_runs_behind() -> None:
    log = SlidingLog()
    log.record(("a", "b"), 100.0)
    log.record(("a",), 50.0)  # another worker's clock, behind
    assert log.times("a") == [50.0, 100.0]
    assert log.prune(60.0) == 0  # the oldest reservation recorded (t=100) is still live
    assert log.wait(["a"], 101.0, (Window(2, 60.0),)) == pytest.approx(9.0)  # both in (41, 101]: until 50 + 60
    assert log.prune(100.0) == 2
    assert log.times("a") == [] and log.times("b") == []
