"""Training completion snapshots, and the refresher for a deployment mid-quarter."""

from __future__ import annotations

from datetime import date, datetime

from wecomply.duties.model import Person
from wecomply.duties.training import plan_periodic_training
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import load_policy
from wecomply.records.training import CompletionSnapshot, latest_completion, record_completion

NOW = datetime(2026, 4, 2, 9, 30, tzinfo=SHANGHAI)


def snap(dept: int, day: date, completed: int, period: str = "2026Q2") -> CompletionSnapshot:
    return CompletionSnapshot("periodic_training", period, dept, day, assigned=4, completed=completed,
                              completed_on_time=completed)


def test_same_day_overwrites_and_latest_is_per_department(records_db) -> None:
    with records_db.sessions.begin() as session:
        record_completion([snap(10, date(2026, 4, 1), 0), snap(20, date(2026, 4, 1), 1)], session=session, now=NOW)
        record_completion([snap(10, date(2026, 4, 2), 1)], session=session, now=NOW)
        record_completion([snap(10, date(2026, 4, 2), 3)], session=session, now=NOW)  # a re-run of the day
        record_completion([snap(10, date(2026, 5, 6), 4), snap(10, date(2026, 4, 2), 4, "2026Q1")],
                          session=session, now=NOW)
    with records_db.sessions() as session:
        april = latest_completion("periodic_training", "2026Q2", on_or_before=date(2026, 4, 30), session=session)
        first_day = latest_completion("periodic_training", "2026Q2", on_or_before=date(2026, 4, 1), session=session)
    assert {d: (s.as_of, s.completed, s.rate) for d, s in april.items()} == {
        10: (date(2026, 4, 2), 3, 75.0),
        20: (date(2026, 4, 1), 1, 25.0),
    }
    assert {d: s.completed for d, s in first_day.items()} == {10: 0, 20: 1}


def test_first_run_after_the_quarters_deadline_is_not_born_overdue() -> None:
    """Deployed on 2 March: Q1's own deadline (30 Jan) has passed, so 20 working days count
    from that morning; deployed on 10 March they no longer fit before 31 March: no Q1."""
    policy = load_policy()
    calendar = WorkCalendar(policy)
    bob = Person("bob", "Bob", 10, None, None, "employee", date(2025, 1, 1))
    at = lambda d, h=9, m=30: datetime(2026, d[0], d[1], h, m, tzinfo=SHANGHAI)  # noqa: E731
    march = plan_periodic_training([bob], [], now=at((3, 2)), policy=policy, calendar=calendar)
    assert [(a.assigned_at, a.due_at) for a in march.new_assignments] == [(at((3, 2), 9, 0), at((3, 30), 9, 0))]
    assert [a.step for a in march.actions] == ["assign"], "no reminder or escalation on the first day"
    assert plan_periodic_training([bob], [], now=at((3, 10)), policy=policy, calendar=calendar).new_assignments == ()
    on_time = plan_periodic_training([bob], [], now=at((1, 14)), policy=policy, calendar=calendar)
    assert [a.due_at for a in on_time.new_assignments] == [at((1, 30), 9, 0)], "within the deadline nothing moves"
