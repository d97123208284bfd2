"""Meeting minutes follow-up (v1 §5.1).

- Minutes: due `meetings.minutes_within` after the meeting ends (on `meetings.clock`).
  Until the organiser distributes them, the minutes ladder reminds the organiser, then
  escalates. Duty "meeting_minutes", subject = meeting id, period = the end date. With
  `request_minutes`, the organiser also gets a card (step "assign") when the meeting ends.
- Receipts: once distributed, each attendee (the organiser excluded) gets the minutes card
  with a 确认收到 button (step "assign"), and the receipt ladder reminds whoever has not
  confirmed `meetings.receipt_within` later. Duty "meeting_receipt", subject = attendee,
  period = meeting id.
Cancelled meetings and meetings that have not ended yield nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Action, Assignment, Directory, Duty, Person
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import Policy


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: str
    title: str
    organiser: str
    attendees: tuple[str, ...]
    start: datetime
    end: datetime
    minutes_sent_at: datetime | None = None
    confirmed: frozenset[str] = field(default_factory=frozenset)  # attendees who confirmed receipt
    cancelled: bool = False


def minutes_assignment(meeting: Meeting, policy: Policy, calendar: WorkCalendar) -> Assignment:
    return Assignment(
        kind=Duty.MEETING_MINUTES,
        subject=meeting.meeting_id,
        period=meeting.end.astimezone(SHANGHAI).date().isoformat(),
        assigned_at=meeting.end,
        due_at=calendar.deadline(meeting.end, policy.meetings.minutes_within, clock=policy.meetings.clock),
        completed_at=meeting.minutes_sent_at,
        assignee_id=meeting.organiser,
    )


def receipt_assignments(
    meeting: Meeting, policy: Policy, calendar: WorkCalendar, *, confirmed_at: datetime | None = None
) -> tuple[Assignment, ...]:
    """One per attendee once the minutes are out. `confirmed_at` stands in for the (unknown
    here) confirmation time of those in `meeting.confirmed`; records hold the real ones."""
    if meeting.minutes_sent_at is None:
        return ()
    sent = meeting.minutes_sent_at
    due = calendar.deadline(sent, policy.meetings.receipt_within, clock=policy.meetings.clock)
    return tuple(
        Assignment(
            kind=Duty.MEETING_RECEIPT,
            subject=userid,
            period=meeting.meeting_id,
            assigned_at=sent,
            due_at=due,
            completed_at=(confirmed_at or sent) if userid in meeting.confirmed else None,
        )
        for userid in dict.fromkeys(meeting.attendees)
        if userid != meeting.organiser
    )


def plan_meeting_followup(
    meetings: Iterable[Meeting],
    people: Iterable[Person],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    request_minutes: bool = False,
) -> tuple[Action, ...]:
    """`request_minutes`: also give the organiser a card (step "assign") once the meeting
    has ended, whose button is how they trigger the distribution before any reminder."""
    directory = Directory(people)
    actions: list[Action] = []
    for meeting in sorted(meetings, key=lambda m: m.meeting_id):
        if meeting.cancelled or meeting.end > now:
            continue
        actions.extend(
            ladder_actions(
                minutes_assignment(meeting, policy, calendar),
                policy.meetings.minutes_ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
                include_assign=request_minutes,
            )
        )
        for receipt in receipt_assignments(meeting, policy, calendar):
            actions.extend(
                ladder_actions(
                    receipt,
                    policy.meetings.receipt_ladder,
                    now=now,
                    policy=policy,
                    calendar=calendar,
                    directory=directory,
                )
            )
    return tuple(actions)
