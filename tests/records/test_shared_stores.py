"""Token and pacing stores shared by a fleet of workers, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.records.models import PacingReservation, TokenCacheEntry
from wecomply.records.shared_stores import SqlPacingStore, SqlTokenStore
from wecomply.wecom.stores import CachedToken

SCOPE = "app:wwcorp:1000002"


def store_times(records_db: RecordsDB) -> list[float]:
    """The times of every reservation row in the table."""
    t = PacingReservation.__table__
    with records_db.sessions() as session:
        return sorted(session.scalars(sa.select(t.c.sent_at)))


def test_token_round_trip_keeps_only_the_sealed_value(records_db: RecordsDB) -> None:
    store = SqlTokenStore(records_db.engine)
    assert store.get("k") is None
    store.put("k", CachedToken(sealed="sealed-1", expires_at=100.0))
    store.put("k", CachedToken(sealed="sealed-2", expires_at=200.0))
    assert store.get("k") == CachedToken(sealed="sealed-2", expires_at=200.0)
    with records_db.sessions() as session:
        assert session.scalars(sa.select(TokenCacheEntry.sealed)).all() == ["sealed-2"]
    store.delete("k")
    assert store.get("k") is None


def test_refresh_lock_lets_one_worker_fetch_and_the_others_reuse(records_db: RecordsDB) -> None:
    fetches: list[str] = []
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        store = SqlTokenStore(records_db.engine)  # one store per "process"
        try:
            start.wait()
            with store.refresh_lock("corp:agent"):
                if store.get("corp:agent") is None:
                    time.sleep(0.2)  # the gettoken call
                    fetches.append(name)
                    store.put("corp:agent", CachedToken(sealed=f"sealed-by-{name}", expires_at=7200.0))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(fetches) == 1
    assert SqlTokenStore(records_db.engine).get("corp:agent").sealed == f"sealed-by-{fetches[0]}"


def test_pacing_never_lets_a_member_exceed_30_per_minute(records_db: RecordsDB) -> None:
    store = SqlPacingStore(records_db.engine, margin_s=0)
    for i in range(30):
        assert store.reserve(SCOPE, ["alice"], 1000.0 + i) == 0.0
    wait = store.reserve(SCOPE, ["alice", "bob"], 1035.0)
    assert wait == 1000.0 + 60 - 1035.0  # when alice's first message leaves the window
    assert store.history(SCOPE, "bob") == []  # all or nothing
    assert store.reserve(SCOPE, ["alice", "bob"], 1060.0) == 0.0
    assert store.reserve(SCOPE, ["alice"], 1060.0) > 0  # still 30 in (1000, 1060]


def test_pacing_hourly_limit_and_bulk_reservations(records_db: RecordsDB) -> None:
    store = SqlPacingStore(records_db.engine, margin_s=0)
    members = [f"u{i:04d}" for i in range(1000)]
    t = 0.0
    for _ in range(1000):
        assert store.reserve(SCOPE, members[:3], t) == 0.0
        t += 3.5  # 18 per minute: only the hourly limit can bind
    assert store.reserve(SCOPE, members, 3500.0) == 3600.0 - 3500.0
    assert store.reserve(SCOPE, members[3:], 3500.0) == 0.0  # 997 members in one call
    assert len(store.history(SCOPE, "u0999")) == 1


def test_a_reservation_deletes_the_reservations_no_window_can_see(records_db: RecordsDB) -> None:
    store = SqlPacingStore(records_db.engine, margin_s=0)
    assert store.reserve(SCOPE, ["alice", "bob"], 0.0) == 0.0
    assert store.reserve(SCOPE, ["alice", "bob"], 1800.0) == 0.0
    # Past the hour: the reservation at t=0 is out of every window and goes, whoever it
    # named; the one at t=1800 is still inside the hour.
    assert store.reserve(SCOPE, ["alice", "carol"], 3700.0) == 0.0
    assert store.history(SCOPE, "alice") == [1800.0, 3700.0]
    assert store.history(SCOPE, "bob") == [1800.0]
    assert store.history(SCOPE, "carol") == [3700.0]
    assert store_times(records_db) == [1800.0, 3700.0]


def test_a_fresh_worker_deletes_what_expired_before_it_started(records_db: RecordsDB) -> None:
    # A task process lives for one task: its first reservation must prune, or no worker would.
    assert SqlPacingStore(records_db.engine, margin_s=0).reserve(SCOPE, ["alice"], 0.0) == 0.0
    assert SqlPacingStore(records_db.engine, margin_s=0).reserve(SCOPE, ["bob"], 3700.0) == 0.0
    assert store_times(records_db) == [3700.0]


def test_a_reservation_that_must_wait_still_deletes_what_expired(records_db: RecordsDB) -> None:
    store = SqlPacingStore(records_db.engine, margin_s=0)
    assert store.reserve(SCOPE, ["bob"], 0.0) == 0.0
    for i in range(30):
        assert store.reserve(SCOPE, ["alice"], 3570.0 + i) == 0.0  # bob's t=0 still inside the hour
    assert store.reserve(SCOPE, ["alice"], 3601.0) > 0  # the first past it, and it must wait
    assert 0.0 not in store_times(records_db)


def test_each_worker_sees_the_reservations_of_the_others(records_db: RecordsDB) -> None:
    first, second = (SqlPacingStore(records_db.engine, margin_s=0) for _ in range(2))
    for i in range(15):
        assert first.reserve(SCOPE, ["alice"], 100.0 + i) == 0.0
        assert second.reserve(SCOPE, ["alice", "bob"], 100.5 + i) == 0.0
    # 30 for alice in the minute, written half by each: neither worker may grant a 31st.
    assert first.reserve(SCOPE, ["alice"], 130.0) == pytest.approx(30.0)
    assert second.reserve(SCOPE, ["alice"], 130.0) == pytest.approx(30.0)
    assert first.reserve(SCOPE, ["bob"], 130.0) == 0.0  # bob has 15: room for more
    assert store_times(records_db) == sorted([100.0 + i for i in range(15)] + [100.5 + i for i in range(15)] + [130.0])
def test_a_worker_still_sees_reservations_written_after_a_prune_emptied_the_table(records_db: RecordsDB) -> None:
    # Workers catch up by id; SQLite without AUTOINCREMENT would give the next row an id
    # that `late` has already read past, once the prune deleted the largest one.
    early, late, fresh = (SqlPacingStore(records_db.engine, margin_s=0) for _ in range(3))
    assert early.reserve(SCOPE, ["alice"], 0.0) == 0.0
    assert late.reserve(SCOPE, ["bob"], 1.0) == 0.0  # has read the first row
    for i in range(30):
        assert fresh.reserve(SCOPE, ["alice"], 3700.0 + i) == 0.0  # the first prunes both rows
    assert late.reserve(SCOPE, ["alice"], 3730.0) == pytest.approx(30.0)


def test_concurrent_reservations_grant_exactly_the_limit(records_db: RecordsDB) -> None:
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        store = SqlPacingStore(records_db.engine, margin_s=0)
        mine = sum(1 for _ in range(25) if store.reserve(SCOPE, ["alice"], 500.0) == 0.0)
        with lock:
            granted.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(granted) == 30


def test_count_day_accumulates_per_scope_and_day(records_db: RecordsDB) -> None:
    store = SqlPacingStore(records_db.engine)
    assert store.count_day(SCOPE, "2025-03-03", 1000) == 1000
    assert store.count_day(SCOPE, "2025-03-03", 500) == 1500
    assert store.count_day(SCOPE, "2025-03-03", -500) == 1000
    assert store.count_day(SCOPE, "2025-03-04", 1) == 1
