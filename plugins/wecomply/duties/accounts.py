"""Account review (v2 §3.1; v1 §2.2, §3.1, §5.2): the HR roster against the WeCom snapshot.

Findings (each keyed by (kind, subject, period), stable across runs while it persists, so
the records layer can keep `first_seen` and mark it resolved when a run no longer finds it):

- leaver_active: left (past `leave_date`, or status "left") but the WeCom account is
  still enabled (status 1) or pending (4). With `wecom_actions.auto_disable_leavers` a
  `disable` action is returned too; either way admin and HR are told, with a deadline.
- wrong_department: an active person whose WeCom departments miss their roster department.
- no_account / not_activated: no WeCom member, or status 4, `accounts.activation_within`
  after the hire date; HR and the direct leader are told (the person cannot be reached).
- unknown_account: an enabled WeCom member nobody in the roster matches (a shared account?).
- department_account_no_owner: a department account (一部门一账号) whose owner is missing
  or no longer active.
- request_overdue: an account request not reviewed `accounts.request_review_within` after
  submission. Requests have their own ladder (notify IT at once, remind, escalate).
- password_attestation_due: `accounts.password_max_age` since the last attestation (or
  the hire date). The employee confirms on a card, sent `password_notice_before` ahead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Action, ActionKind, Assignment, Directory, Duty, Person
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import Policy

STATUS_ACTIVE = 1
STATUS_DISABLED = 2
STATUS_NOT_ACTIVATED = 4
STATUS_LEFT = 5
_ENABLED = frozenset({STATUS_ACTIVE, STATUS_NOT_ACTIVATED})


@dataclass(frozen=True, slots=True)
class WeComMember:
    """One member from the WeCom directory snapshot (`user/get` fields that matter here)."""

    userid: str
    name: str
    department_ids: tuple[int, ...]
    status: int  # 1 activated, 2 disabled, 4 not activated, 5 left the company


@dataclass(frozen=True, slots=True)
class DepartmentAccount:
    department_id: int
    name: str
    owner_userid: str | None


@dataclass(frozen=True, slots=True)
class AccountRequest:
    request_id: str
    requested_by: str
    department_id: int
    submitted_at: datetime
    reviewed_at: datetime | None = None


class FindingKind(StrEnum):
    LEAVER_ACTIVE = "leaver_active"
    WRONG_DEPARTMENT = "wrong_department"
    NO_ACCOUNT = "no_account"
    NOT_ACTIVATED = "not_activated"
    UNKNOWN_ACCOUNT = "unknown_account"
    DEPARTMENT_ACCOUNT_NO_OWNER = "department_account_no_owner"
    REQUEST_OVERDUE = "request_overdue"
    PASSWORD_ATTESTATION_DUE = "password_attestation_due"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    subject: str
    period: str
    detail: str  # Chinese first, then English
    detected_at: datetime  # first_seen when known, else this run's time
    due_at: datetime | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (str(self.kind), self.subject, self.period)


@dataclass(frozen=True, slots=True)
class AccountReview:
    findings: tuple[Finding, ...]
    actions: tuple[Action, ...]
    new_assignments: tuple[Assignment, ...]  # password attestations to record


def review_accounts(
    people: Iterable[Person],
    members: Iterable[WeComMember],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    department_accounts: Iterable[DepartmentAccount] = (),
    requests: Iterable[AccountRequest] = (),
    attestations: Mapping[str, datetime] | None = None,
    first_seen: Mapping[tuple[str, str, str], datetime] | None = None,
) -> AccountReview:
    """Reconcile roster and WeCom at `now`.

    `attestations`: userid → last password attestation. `first_seen`: finding key → when a
    previous run first recorded it, which anchors the fix deadline; unknown findings start now.
    """
    directory = Directory(people)
    by_member = {m.userid: m for m in members}
    today = now.astimezone(SHANGHAI).date()
    seen = first_seen or {}
    accounts = policy.accounts
    findings: list[Finding] = []
    actions: list[Action] = []

    def found(kind: FindingKind, subject: str, period: str, detail: str, *, anchor: datetime | None = None) -> Finding:
        detected = seen.get((str(kind), subject, period), anchor or now)
        finding = Finding(
            kind, subject, period, detail, detected, calendar.deadline(detected, accounts.findings_fix_within)
        )
        findings.append(finding)
        assignment = Assignment(
            kind=Duty.ACCOUNT_REVIEW,
            subject=subject,
            period=f"{kind}:{period}",
            assigned_at=detected,
            due_at=finding.due_at,  # type: ignore[arg-type]
        )
        actions.extend(
            ladder_actions(
                assignment,
                accounts.findings_ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
                include_assign=False,
                topic=str(kind),
            )
        )
        return finding

    for person in sorted(directory, key=lambda p: p.userid):
        member = by_member.get(person.userid)
        left = person.status == "left" or (person.leave_date is not None and person.leave_date < today)
        if left:
            if member is not None and member.status in _ENABLED:
                # Without a leave date the key must still be stable across runs: "left".
                leave_day = person.leave_date
                anchor = calendar.window_start(leave_day + timedelta(days=1)) if leave_day else now
                finding = found(
                    FindingKind.LEAVER_ACTIVE,
                    person.userid,
                    leave_day.isoformat() if leave_day else "left",
                    f"{person.name}（{person.userid}）已离职（{leave_day or '日期未知'}），企业微信账号仍启用 / "
                    f"left ({leave_day or 'date unknown'}) but the WeCom account is still enabled",
                    anchor=min(anchor, now),
                )
                if policy.wecom_actions.auto_disable_leavers:
                    actions.append(
                        Action(
                            kind=ActionKind.DISABLE,
                            duty=Duty.ACCOUNT_REVIEW,
                            subject=person.userid,
                            period=f"{finding.kind}:{finding.period}",
                            step="disable",
                            recipients=(person.userid,),
                            template=f"{Duty.ACCOUNT_REVIEW}/{finding.kind}",
                            deadline=finding.due_at,
                            urgent=False,
                            send_at=now,  # a directory write disturbs nobody
                            assignee=person.userid,
                        )
                    )
            continue
        if not person.is_active(today):
            continue  # not started yet
        activation_due = calendar.deadline(calendar.window_start(person.hire_date), accounts.activation_within)
        if member is None:
            if now >= activation_due:
                found(
                    FindingKind.NO_ACCOUNT,
                    person.userid,
                    person.hire_date.isoformat(),
                    f"{person.name}（{person.userid}）在花名册中但没有企业微信账号 / on the roster but has no WeCom account",
                    anchor=min(activation_due, now),
                )
            continue
        if member.status == STATUS_NOT_ACTIVATED and now >= activation_due:
            found(
                FindingKind.NOT_ACTIVATED,
                person.userid,
                person.hire_date.isoformat(),
                f"{person.name}（{person.userid}）的企业微信账号尚未激活 / WeCom account never activated",
                anchor=min(activation_due, now),
            )
        if member.status in _ENABLED and person.department_id not in member.department_ids:
            found(
                FindingKind.WRONG_DEPARTMENT,
                person.userid,
                str(person.department_id),
                f"{person.name}（{person.userid}）花名册部门 {person.department_id}，企业微信部门 "
                f"{list(member.department_ids)} / roster department {person.department_id}, WeCom "
                f"departments {list(member.department_ids)}",
                anchor=min(calendar.window_start(person.transfer_date), now) if person.transfer_date else None,
            )

    for member in sorted(by_member.values(), key=lambda m: m.userid):
        if member.userid not in directory and member.status in _ENABLED:
            found(
                FindingKind.UNKNOWN_ACCOUNT,
                member.userid,
                "roster",
                f"企业微信成员 {member.name}（{member.userid}）不在花名册中 / WeCom member not on the roster",
            )

    for account in sorted(department_accounts, key=lambda a: a.department_id):
        if not directory.is_active(account.owner_userid, today):
            owner = account.owner_userid or "无 / none"
            found(
                FindingKind.DEPARTMENT_ACCOUNT_NO_OWNER,
                f"dept-{account.department_id}",
                owner,
                f"部门账号「{account.name}」没有在职的负责人（{owner}）/ department account "
                f"{account.name!r} has no active owner ({owner})",
            )

    for request in sorted(requests, key=lambda r: r.request_id):
        assignment = Assignment(
            kind=Duty.ACCOUNT_REQUEST,
            subject=request.request_id,
            period="review",
            assigned_at=request.submitted_at,
            due_at=calendar.deadline(request.submitted_at, accounts.request_review_within),
            completed_at=request.reviewed_at,
            assignee_id=request.requested_by,
        )
        if not assignment.is_done(now) and now > assignment.due_at:
            findings.append(
                Finding(
                    FindingKind.REQUEST_OVERDUE,
                    request.request_id,
                    "review",
                    f"账号申请 {request.request_id}（{request.requested_by} 提交）超过 "
                    f"{accounts.request_review_within} 未审核 / account request not reviewed within "
                    f"{accounts.request_review_within}",
                    request.submitted_at,
                    assignment.due_at,
                )
            )
        actions.extend(
            ladder_actions(
                assignment,
                accounts.request_ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
                include_assign=False,
            )
        )

    attestation_assignments = password_attestations(
        directory.active(today), attestations or {}, now=now, policy=policy, calendar=calendar
    )
    for assignment in attestation_assignments:
        if now > assignment.due_at:
            findings.append(
                Finding(
                    FindingKind.PASSWORD_ATTESTATION_DUE,
                    assignment.subject,
                    assignment.period,
                    f"{assignment.subject} 的密码确认已于 {assignment.due_at:%Y-%m-%d} 到期 / password "
                    f"attestation due since {assignment.due_at:%Y-%m-%d}",
                    assignment.assigned_at,
                    assignment.due_at,
                )
            )
        actions.extend(
            ladder_actions(
                assignment,
                accounts.password_ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
            )
        )
    return AccountReview(tuple(findings), tuple(actions), attestation_assignments)


def password_attestations(
    people: Iterable[Person],
    attestations: Mapping[str, datetime],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Assignment, ...]:
    """The open attestation cycle of each person whose card should already be out.

    Due = last attestation (or the hire date's working start) + `password_max_age`; the
    card goes `password_notice_before` earlier; period = the due date, so every 90-day
    cycle is a new duty and a fresh attestation ends the current one.
    """
    accounts = policy.accounts
    out: list[Assignment] = []
    for person in sorted(people, key=lambda p: p.userid):
        since = attestations.get(person.userid) or calendar.window_start(person.hire_date)
        due = calendar.deadline(since, accounts.password_max_age)
        assigned = calendar.before(due, accounts.password_notice_before)
        if calendar.next_working_window(assigned) <= now:
            out.append(
                Assignment(
                    kind=Duty.PASSWORD_ATTESTATION,
                    subject=person.userid,
                    period=due.astimezone(SHANGHAI).date().isoformat(),
                    assigned_at=assigned,
                    due_at=due,
                )
            )
    return tuple(out)

