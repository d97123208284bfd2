"""Everything a flow needs for one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from wecomply.delivery import Sender
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import Policy


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RunContext:
    """One run of one duty.

    `now` is the run's logical time (its data interval's end): every decision and period
    derives from it, so a retry, a clear or a backfill decides exactly the same things.
    `clock` is only for evidence of when an effect really happened (send attempts).
    `connect` builds the WeCom client on first use of `sender`: most steps (scoring,
    rendering, archiving, waiting) never call WeCom, and then never read the WeCom
    connection and its secret either.
    """

    policy: Policy
    calendar: WorkCalendar
    sessions: sessionmaker[Session]
    connect: Callable[[], Sender]
    now: datetime
    worker_id: str
    clock: Callable[[], datetime] = field(default=wall_clock)

    @cached_property
    def sender(self) -> Sender:
        # Frozen dataclass: cached_property stores in __dict__, past the frozen __setattr__.
        return self.connect()

    @property
    def locale(self) -> str:
        return "en" if self.policy.locale == "en" else "zh"

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("RunContext.now must be timezone-aware")
