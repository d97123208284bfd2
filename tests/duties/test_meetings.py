"""Meeting minutes within 24 h, and attendees' confirmation of receipt."""

from __future__ import annotations

from dataclasses import replace

from tests.duties.company import at
from wecomply.duties.meetings import Meeting, minutes_assignment, plan_meeting_followup

WEEKLY = Meeting(
    meeting_id="mtg-1",
    title="销售周会",
    organiser="lead10",
    attendees=("lead10", "bob", "carol"),
    start=at(2026, 3, 3, 15),
    end=at(2026, 3, 3, 16),  # Tuesday
)


def plan(meetings, people, now, policy, calendar):
    return plan_meeting_followup(meetings, people, now=now, policy=policy, calendar=calendar)


def test_minutes_on_time_need_no_reminder(policy, calendar, company):
    sent = replace(WEEKLY, minutes_sent_at=at(2026, 3, 3, 17))
    actions = plan([sent], company, at(2026, 3, 3, 17, 5), policy, calendar)
    # Only the minutes cards to the attendees (the organiser excluded).
    assert [(a.duty.value, a.subject, a.period, a.step) for a in actions] == [
        ("meeting_receipt", "bob", "mtg-1", "assign"),
        ("meeting_receipt", "carol", "mtg-1", "assign"),
    ]


def test_overdue_minutes_remind_then_escalate(policy, calendar, company):
    assert plan([WEEKLY], company, at(2026, 3, 4, 15, 59), policy, calendar) == ()
    due = plan([WEEKLY], company, at(2026, 3, 4, 16, 30), policy, calendar)
    assert [(a.key, a.recipients, a.template) for a in due] == [
        (("meeting_minutes", "mtg-1", "2026-03-03", "remind-1"), ("lead10",), "meeting_minutes/remind")
    ]
    later = plan([WEEKLY], company, at(2026, 3, 5, 16, 30), policy, calendar)
    assert later[-1].step == "escalate-leader"
    assert later[-1].recipients == ("lead10", "sales_head")


def test_unconfirmed_attendees_are_reminded(policy, calendar, company):
    sent = replace(WEEKLY, minutes_sent_at=at(2026, 3, 3, 18), confirmed=frozenset({"carol"}))
    # Due Wed 18:00; a run at 18:05 finds the reminder not yet due (it waits for Thursday 09:00).
    evening = plan([sent], company, at(2026, 3, 4, 18, 5), policy, calendar)
    assert [(a.subject, a.step, a.send_at) for a in evening] == [("bob", "assign", at(2026, 3, 5, 9))]
    actions = plan([sent], company, at(2026, 3, 5, 9, 5), policy, calendar)
    assert [(a.subject, a.step) for a in actions] == [("bob", "assign"), ("bob", "remind-1")]


def test_friday_meeting_minutes_are_not_due_over_the_weekend(policy, calendar, company):
    friday = replace(WEEKLY, start=at(2026, 3, 6, 16), end=at(2026, 3, 6, 17))
    assert minutes_assignment(friday, policy, calendar).due_at == at(2026, 3, 9, 17)
    assert plan([friday], company, at(2026, 3, 8, 10), policy, calendar) == ()
    assert [a.step for a in plan([friday], company, at(2026, 3, 9, 17, 30), policy, calendar)] == ["remind-1"]


def test_public_holiday_pauses_the_minutes_clock(policy, calendar, company):
    # Ends Tue 2025-09-30 16:00: 8 h run out at midnight, the rest resumes on Thu 2025-10-09.
    before_break = replace(WEEKLY, start=at(2025, 9, 30, 15), end=at(2025, 9, 30, 16))
    assert minutes_assignment(before_break, policy, calendar).due_at == at(2025, 10, 9, 16)
    assert plan([before_break], company, at(2025, 10, 3, 12), policy, calendar) == ()


def test_cancelled_and_future_meetings_yield_nothing(policy, calendar, company):
    cancelled = replace(WEEKLY, cancelled=True)
    upcoming = replace(WEEKLY, meeting_id="mtg-2", start=at(2026, 3, 20, 15), end=at(2026, 3, 20, 16))
    assert plan([cancelled, upcoming], company, at(2026, 3, 10, 10), policy, calendar) == ()
