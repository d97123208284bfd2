"""Notices that must be acknowledged (v1 §3.2, §7.1): policy revisions, important notices.

The audience (departments, tags, users) is resolved once, when the notice is published,
and the resolved list is what the records keep: people joining the department later are
not retro-actively nagged. Each recipient gets the card (step "assign") and the notice
ladder until they acknowledge. An urgent notice ignores quiet hours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Action, Assignment, Directory, Duty, Person
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import Policy


@dataclass(frozen=True, slots=True)
class Audience:
    departments: frozenset[int] = field(default_factory=frozenset)
    tags: frozenset[int] = field(default_factory=frozenset)
    users: frozenset[str] = field(default_factory=frozenset)
    include_subdepartments: bool = True


@dataclass(frozen=True, slots=True)
class Notice:
    notice_id: str
    title: str
    published_at: datetime
    deadline: datetime | None = None  # None: `notices.default_deadline` after publishing
    urgent: bool = False


def resolve_audience(
    audience: Audience,
    people: Iterable[Person],
    *,
    on: date,
    tag_members: Mapping[int, Collection[str]] | None = None,
    department_parents: Mapping[int, int | None] | None = None,
) -> tuple[str, ...]:
    """Userids the notice goes to, sorted.

    Department members (and, with `include_subdepartments`, members of departments below
    them per `department_parents`: child → parent), tag members, and named users. Only
    people active `on` that day; a named user or tag member absent from the roster is kept,
    since the sender chose them explicitly.
    """
    directory = Directory(people)
    parents = department_parents or {}
    chosen: set[str] = set()

    def under(department: int) -> bool:
        seen: set[int] = set()
        current: int | None = department
        while current is not None and current not in seen:
            if current in audience.departments:
                return True
            if not audience.include_subdepartments:
                return False
            seen.add(current)
            current = parents.get(current)
        return False

    if audience.departments:
        chosen.update(p.userid for p in directory.active(on) if under(p.department_id))
    explicit = set(audience.users)
    for tag in audience.tags:
        explicit.update((tag_members or {}).get(tag, ()))
    chosen.update(u for u in explicit if u not in directory or directory.is_active(u, on))
    return tuple(sorted(chosen))


def notice_due(notice: Notice, policy: Policy, calendar: WorkCalendar) -> datetime:
    return notice.deadline or calendar.deadline(notice.published_at, policy.notices.default_deadline)


def notice_assignments(
    notice: Notice,
    recipients: Iterable[str],
    acknowledged: Mapping[str, datetime],
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Assignment, ...]:
    due = notice_due(notice, policy, calendar)
    return tuple(
        Assignment(
            kind=Duty.NOTICE,
            subject=userid,
            period=notice.notice_id,
            assigned_at=notice.published_at,
            due_at=due,
            completed_at=acknowledged.get(userid),
        )
        for userid in dict.fromkeys(recipients)
    )


def plan_notice(
    notice: Notice,
    recipients: Iterable[str],
    people: Iterable[Person],
    *,
    acknowledged: Mapping[str, datetime],
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Action, ...]:
    """Card, reminders and escalations for everyone in `recipients` who has not acknowledged
    (`acknowledged`: userid → when). Recipients who have since left are dropped."""
    directory = Directory(people)
    today = now.astimezone(SHANGHAI).date()
    actions: list[Action] = []
    for assignment in notice_assignments(notice, recipients, acknowledged, policy, calendar):
        if assignment.subject in directory and not directory.is_active(assignment.subject, today):
            continue
        actions.extend(
            ladder_actions(
                assignment,
                policy.notices.ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
                urgent=notice.urgent,
            )
        )
    return tuple(actions)
