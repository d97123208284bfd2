"""Plain data the duty decisions take and return.

Nothing here touches a database, WeCom or Airflow: the records layer builds these from
rows, the decision functions return `Action`s and new `Assignment`s, and the delivery layer
turns actions into outbox rows keyed by `Action.key`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from wecomply.policy.config import GROUP_ROLES, Policy, RecipientRole


class Duty(StrEnum):
    """The first part of the outbox key and of template names (`<duty>/<topic>`)."""

    ONBOARDING = "onboarding"
    PERIODIC_TRAINING = "periodic_training"
    REMEDIAL_TRAINING = "remedial_training"
    MEETING_MINUTES = "meeting_minutes"
    MEETING_RECEIPT = "meeting_receipt"
    NOTICE = "notice"
    ACCOUNT_REVIEW = "account_review"
    ACCOUNT_REQUEST = "account_request"
    PASSWORD_ATTESTATION = "password_attestation"
    INCIDENT = "incident"
    ASSESSMENT = "assessment"
    CALENDAR = "calendar"  # upkeep of the official holiday calendar, not a handbook duty


class ActionKind(StrEnum):
    ASSIGN = "assign"  # the first card, usually with a button that becomes an acknowledgement
    REMIND = "remind"  # to the assignee again
    NOTIFY = "notify"  # informs a function (IT, admin, infosec) without blaming anyone
    ESCALATE = "escalate"  # the deadline passed: tell people above the assignee
    DISABLE = "disable"  # a WeCom write (user/update enable=0); only when the policy allows it


PersonStatus = Literal["active", "left"]


@dataclass(frozen=True, slots=True)
class Person:
    """One employee as HR's roster (merged with the directory) describes them.

    `leave_date` is the last working day: the person is active through it.
    """

    userid: str
    name: str
    department_id: int
    direct_leader: str | None
    department_head: str | None
    role: str
    hire_date: date
    leave_date: date | None = None
    status: PersonStatus = "active"
    transfer_date: date | None = None

    def is_active(self, on: date) -> bool:
        return (
            self.status == "active"
            and self.hire_date <= on
            and (self.leave_date is None or on <= self.leave_date)
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """A duty someone must complete: a training, an acknowledgement, minutes, a review.

    `subject` + `period` identify it within its duty (with `kind` they form the key the
    actions inherit). `assignee` is who must act; it defaults to `subject`, which differs
    only when the subject is not a person (a meeting, an account request, an incident).
    """

    kind: Duty
    subject: str
    period: str
    assigned_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    reminders_sent: int = 0
    escalation_level: int = 0
    assignee_id: str | None = None

    @property
    def assignee(self) -> str:
        return self.assignee_id or self.subject

    @property
    def key(self) -> tuple[str, str, str]:
        return (str(self.kind), self.subject, self.period)

    def is_done(self, at: datetime) -> bool:
        return self.completed_at is not None and self.completed_at <= at

    def on_time(self) -> bool:
        return self.completed_at is not None and self.completed_at <= self.due_at


@dataclass(frozen=True, slots=True)
class Action:
    """One message (or WeCom write) a duty wants done.

    `key` = (duty, subject, period, step) is the outbox's unique key: returning the same
    action on every run is safe and expected, the outbox sends it once. `send_at` is the
    earliest moment it may go: the run's time, or for a non-urgent action computed outside
    working hours, the next working window (hold it, or drop it and let an in-hours run
    derive it again). `template` is `<duty>/<topic>`; the renderer adds channel and format.
    """

    kind: ActionKind
    duty: Duty
    subject: str
    period: str
    step: str
    recipients: tuple[str, ...]
    template: str
    deadline: datetime | None
    urgent: bool
    send_at: datetime
    level: int = 0
    assignee: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (str(self.duty), self.subject, self.period, self.step)


@dataclass(frozen=True, slots=True)
class DutyPlan:
    """What a run decided: assignments to record (new ones only) and actions to send."""

    new_assignments: tuple[Assignment, ...] = ()
    actions: tuple[Action, ...] = ()


class Directory:
    """Lookup over the people, and resolution of ladder roles to WeCom userids."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._by_id = {p.userid: p for p in people}

    def __contains__(self, userid: object) -> bool:
        return userid in self._by_id

    def __iter__(self):  # noqa: ANN204 - an iterator of Person
        return iter(self._by_id.values())

    def get(self, userid: str | None) -> Person | None:
        return self._by_id.get(userid) if userid else None

    def active(self, on: date) -> list[Person]:
        return [p for p in self._by_id.values() if p.is_active(on)]

    def is_active(self, userid: str | None, on: date) -> bool:
        person = self.get(userid)
        return person is not None and person.is_active(on)

    def group(self, policy: Policy, role: str, on: date) -> tuple[str, ...]:
        """Members of a function (hr, admin, it, infosec, leadership): explicit userids, which
        are trusted even when absent from the roster, plus active people holding a roster role."""
        spec = getattr(policy.roles, role)
        by_role = [p.userid for p in self._by_id.values() if p.role in spec.roster_roles and p.is_active(on)]
        explicit = [u for u in spec.userids if u not in self._by_id or self._by_id[u].is_active(on)]
        return _unique([*explicit, *by_role])

    def resolve(
        self, roles: Sequence[RecipientRole], assignee: str, policy: Policy, on: date
    ) -> tuple[str, ...]:
        """The userids behind a ladder step's `notify` list, in order, without repeats.

        Leaders who have left are skipped. When nobody resolves (no leader on file, an empty
        function), HR and then admin receive it, so an escalation is never silently lost.
        """
        person = self.get(assignee)
        out: list[str] = []
        for role in roles:
            if role == "assignee":
                if person is None or person.is_active(on):
                    out.append(assignee)
            elif role in ("direct_leader", "department_head"):
                leader = getattr(person, role) if person else None
                if leader and leader != assignee and self.is_active(leader, on):
                    out.append(leader)
            elif role in GROUP_ROLES:
                out.extend(self.group(policy, role, on))
        if not out:
            out.extend(self.group(policy, "hr", on) or self.group(policy, "admin", on))
        return _unique(out)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
