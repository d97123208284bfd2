"""The WeCom client's shared state on the records DB, for a fleet of workers.

`SqlTokenStore` keeps one sealed access token per (corp, app) so every worker reuses it,
and serialises refreshes: `refresh_lock` holds a database lock (a row `SELECT … FOR
UPDATE` on PostgreSQL; the write lock via `BEGIN IMMEDIATE` on SQLite) while one worker
fetches, and the others wait, then find the fresh token. On SQLite that lock is the whole
database's write lock for the length of one gettoken call, which is acceptable for the
single-host deployments SQLite serves.

`SqlPacingStore` is the sliding log of `wecomply.wecom.pacing` in a table: one row per
reservation (scope, time, its up to 1000 members). A reservation is one locked
transaction: a read of the rows written since this worker last looked, one insert, and,
when some have expired, one delete.

These stores manage their own short transactions on the engine they are given; they
never join a task's transaction, so a task must not hold a SQLite write transaction open
while the client sends (the outbox orchestration commits before each send for this reason).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from wecomply.records.models import PacingDay, PacingReservation, StoreLock, TokenCacheEntry
from wecomply.wecom.pacing import DEFAULT_MARGIN_S, SlidingLog, longest_window, windows_for_scope
from wecomply.wecom.stores import CachedToken


def _insert(conn: Connection, table: sa.Table):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


@functools.cache
def _stmt_token() -> sa.Select:
    # Read before every WeCom call: built once (see _stmt_rows_after).
    t = TokenCacheEntry.__table__
    return sa.select(t.c.sealed, t.c.expires_at).where(t.c.key == sa.bindparam("p_key"))


class SqlTokenStore:
    """`wecomply.wecom.stores.TokenStore` on the records DB. Rows hold only sealed tokens."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SqlTokenStore({self._engine.url.render_as_string(hide_password=True)})"

    @contextmanager
    def _conn(self) -> Iterator[Connection]:
        held: Connection | None = getattr(self._local, "conn", None)
        if held is not None:
            # Inside refresh_lock: reuse its transaction (a second connection would wait
            # for the lock this thread itself holds).
            yield held
            return
        with self._engine.begin() as conn:
            yield conn

    def get(self, key: str) -> CachedToken | None:
        with self._conn() as conn:
            row = conn.execute(_stmt_token(), {"p_key": key}).first()
        return CachedToken(sealed=row.sealed, expires_at=row.expires_at) if row else None

    def put(self, key: str, token: CachedToken) -> None:
        t = TokenCacheEntry.__table__
        with self._conn() as conn:
            stmt = _insert(conn, t).values(
                key=key, sealed=token.sealed, expires_at=token.expires_at, updated_at=datetime.now(timezone.utc)
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"sealed": stmt.excluded.sealed, "expires_at": stmt.excluded.expires_at,
                          "updated_at": stmt.excluded.updated_at},
                )
            )

    def delete(self, key: str) -> None:
        t = TokenCacheEntry.__table__
        with self._conn() as conn:
            conn.execute(sa.delete(t).where(t.c.key == key))

    @contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield  # re-entrant within one thread
            return
        lock = StoreLock.__table__
        name = f"token:{key}"
        with self._engine.connect() as conn:
            with conn.begin():  # SQLite: BEGIN IMMEDIATE (see records.db) = the write lock
                if conn.dialect.name == "postgresql":
                    conn.execute(_insert(conn, lock).values(name=name).on_conflict_do_nothing())
                    conn.execute(sa.select(lock.c.name).where(lock.c.name == name).with_for_update())
                self._local.conn = conn
                try:
                    yield
                finally:
                    self._local.conn = None


# Built once per process: a report run reserves once per message, and building a
# statement costs more than running a built one (see records.outbox).
@functools.cache
def _stmt_rows_after() -> sa.Select:
    t = PacingReservation.__table__
    return (
        sa.select(t.c.id, t.c.sent_at, t.c.members)
        .where(t.c.scope == sa.bindparam("p_scope"), t.c.id > sa.bindparam("p_after"))
        .order_by(t.c.id)
    )


@functools.cache
def _stmt_reserve() -> sa.Insert:
    return sa.insert(PacingReservation.__table__)


@functools.cache
def _stmt_forget() -> sa.Delete:
    t = PacingReservation.__table__
    return sa.delete(t).where(t.c.scope == sa.bindparam("p_scope"), t.c.sent_at <= sa.bindparam("p_horizon"))


class SqlPacingStore:
    """`wecomply.wecom.stores.PacingStore` on the records DB: a log of reservations.

    Each reservation is one row (its members as a JSON list). Every worker keeps each
    scope's log in memory (`SlidingLog`) and, inside the scope's lock, reads only the rows
    written since it last looked: ids grow in the order reservations commit, because every
    writer of a scope holds that lock from its insert to its commit (and SQLite's
    AUTOINCREMENT never reuses an id). So a fan-out's tenth reservation reads one row, not
    the 9,000 member entries before it.
    """

    def __init__(self, engine: Engine, *, margin_s: float = DEFAULT_MARGIN_S) -> None:
        self._engine = engine
        self.margin_s = margin_s
        self._logs: dict[str, tuple[int, SlidingLog]] = {}  # scope → (last id read, log)
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"SqlPacingStore({self._engine.url.render_as_string(hide_password=True)})"

    def _lock_scope(self, conn: Connection, scope: str) -> None:
        if conn.dialect.name == "postgresql":
            # Serialise reservations of one app; SQLite's BEGIN IMMEDIATE already did.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(scope, 0))))

    def _caught_up(self, conn: Connection, scope: str) -> SlidingLog:
        """The scope's log with every row committed so far (call with the scope locked)."""
        last_id, log = self._logs.get(scope) or (0, SlidingLog())
        for row_id, sent_at, members in conn.execute(_stmt_rows_after(), {"p_scope": scope, "p_after": last_id}):
            log.record(members, sent_at)
            last_id = row_id
        self._logs[scope] = (last_id, log)
        return log

    def reserve(self, scope: str, userids: Sequence[str], now: float) -> float:
        members = sorted(set(userids))
        if not members:
            return 0.0
        windows = windows_for_scope(scope, self.margin_s)
        horizon = now - longest_window(windows)
        with self._engine.begin() as conn:
            self._lock_scope(conn, scope)
            with self._guard:
                log = self._caught_up(conn, scope)
                expired = log.prune(horizon)
                wait = log.wait(members, now, windows)
            if expired:
                # Deleted even when the reservation must wait: the log has forgotten them, so
                # this worker would not see them to delete again. A log with nothing expired
                # (a first fan-out) runs no delete.
                conn.execute(_stmt_forget(), {"p_scope": scope, "p_horizon": horizon})
            if wait > 0:
                return wait
            # Not recorded in the log here: the next reservation reads it back by id, so a
            # transaction that fails to commit leaves nothing behind in memory either.
            conn.execute(_stmt_reserve(), {"scope": scope, "sent_at": now, "members": members})
        return 0.0

    def count_day(self, scope: str, day: str, recipients: int) -> int:
        t = PacingDay.__table__
        with self._engine.begin() as conn:
            stmt = _insert(conn, t).values(scope=scope, day=day, recipients=recipients)
            stmt = stmt.on_conflict_do_update(
                index_elements=["scope", "day"], set_={"recipients": t.c.recipients + stmt.excluded.recipients}
            ).returning(t.c.recipients)
            return int(conn.execute(stmt).scalar_one())

    def history(self, scope: str, userid: str) -> list[float]:
        """Reservation times of one member still in the table (for inspection and tests)."""
        t = PacingReservation.__table__
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.sent_at, t.c.members).where(t.c.scope == scope))
            return sorted(sent_at for sent_at, members in rows if userid in members)
