"""Account review: the HR roster against the latest WeCom directory sync, findings recorded.

One run: requests whose reminder card IT clicked are marked reviewed; the pure decision
(`duties.accounts.review_accounts`) runs over the records; its findings are recorded in
`account_findings` (first-seen kept, gone ones resolved); new password-attestation cycles
become assignments (the employee's click completes them); leavers still active are
disabled only when `wecom_actions.auto_disable_leavers` is on; everything else is sent
through the outbox.

Where the inputs come from, and why:
- WeCom's side is the `employees.wecom_*` columns the directory sync keeps current, so a
  review never calls WeCom to read; a member whose departments were never synced is
  given their roster department (no evidence of a wrong department is no finding).
- Every active department is expected to have a department account (一部门一账号,
  v1 §3.1); its owner is `departments.account_owner_userid`.
- WeCom exposes no password age. Before the first attestation, a person's cycle starts
  when the records first knew them (or their hire, if later): deploying WeComply does not
  declare the whole company 90 days overdue on day one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from wecomply.duties.accounts import (
    AccountRequest,
    DepartmentAccount,
    FindingKind,
    WeComMember,
    review_accounts,
)
from wecomply.duties.escalation import send_time
from wecomply.duties.model import Action, ActionKind, Directory, Duty, Person
from wecomply.flows.context import RunContext
from wecomply.flows.people import load_people, record_assignments
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.records import findings as repo
from wecomply.wecom.errors import WeComApiError

log = logging.getLogger(__name__)

USER_NOT_FOUND = 60111
OUTBOX_PERIOD = re.compile(r"[A-Za-z0-9_-]{1,64}")
DISABLED_NOTICE_STEP = "notify-disabled"
# How long after an automatic disable its notice to admin and HR may still go out (a
# run outside working hours holds it; a later in-hours run sends it).
DISABLED_NOTICE_WINDOW = timedelta(days=14)


class ContactsWriter(Protocol):
    def disable_user(self, userid: str) -> None: ...


def review_moment(now: datetime, calendar: WorkCalendar, *, has_logical_date: bool) -> datetime:
    """The instant a review decides for.

    A scheduled run decides at its logical time (a run outside working hours holds its
    messages). A run without a logical date (triggered by a directory sync at 08:30, or
    by hand) reviews at the start of the next working window instead, and the DAG waits
    for it: otherwise every post-sync review would fall before 09:00 and hold everything.
    """
    return now if has_logical_date else calendar.next_working_window(now).astimezone(SHANGHAI)


def review_context(ctx: RunContext, *, has_logical_date: bool) -> RunContext:
    return replace(ctx, now=review_moment(ctx.now, ctx.calendar, has_logical_date=has_logical_date))


def ready_to_review(ctx: RunContext, *, has_logical_date: bool) -> bool:
    """Whether the real clock has reached the review moment (the DAG's sensor)."""
    return ctx.clock() >= review_context(ctx, has_logical_date=has_logical_date).now


def run_account_review(ctx: RunContext, *, contacts: Callable[[], ContactsWriter]) -> dict[str, int]:
    """Review, record, disable (only where allowed), send. `contacts` is called only to disable."""
    with ctx.sessions.begin() as session:
        clicked_reviews = repo.requests_reviewed_by_click(str(Duty.ACCOUNT_REQUEST), session=session)
        people = load_people(session)
        directory = Directory(people)
        member_rows = repo.wecom_members(session=session)
        members = [
            WeComMember(m.userid, m.name, m.department_ids if m.department_ids is not None else _roster_departments(m), m.status)
            for m in member_rows
        ]
        accounts = [DepartmentAccount(i, name, owner) for i, name, owner in repo.department_accounts(session=session)]
        request_rows = repo.open_requests(session=session)
        requests = [
            AccountRequest(
                request_id=repo.request_key(r.id, r.external_id),
                requested_by=r.requester_userid,
                department_id=r.department_id or 0,
                submitted_at=r.requested_at,
            )
            for r in request_rows
        ]
        attested = repo.last_attestations(str(Duty.PASSWORD_ATTESTATION), session=session)
        attestations = _attestation_baseline(people, attested, repo.record_starts(session=session), ctx.calendar)
        open_before = repo.open_findings(session=session)
        review = review_accounts(
            people,
            members,
            now=ctx.now,
            policy=ctx.policy,
            calendar=ctx.calendar,
            department_accounts=accounts,
            requests=requests,
            attestations=attestations,
            first_seen=repo.first_seen(open_before.values()),
        )
        departments = {m.userid: (m.department_ids or (None,))[0] for m in member_rows}
        departments.update({p.userid: p.department_id for p in people})
        departments.update({repo.request_key(r.id, r.external_id): r.department_id for r in request_rows})
        specs = [
            repo.FindingSpec(
                kind=str(f.kind), subject=f.subject, period=f.period, detail=f.detail, detected_at=f.detected_at,
                due_at=f.due_at, department_id=_department_of(f.subject, departments),
            )
            for f in review.findings
        ]

        def resolution(row: repo.OpenFinding) -> str:
            if row.kind == FindingKind.PASSWORD_ATTESTATION_DUE and attested.get(row.subject, row.opened_at) > row.opened_at:
                return repo.RESOLVED_ATTESTED
            return repo.RESOLVED_CLEARED

        synced = repo.record_findings(specs, session=session, now=ctx.now, resolution_for=resolution)
        new_cycles = record_assignments(session, review.new_assignments, people, now=ctx.now)

    disables = [a for a in review.actions if a.kind is ActionKind.DISABLE]
    disabled = _disable_leavers(ctx, disables, contacts) if disables else []
    done = {(a.subject, a.period) for a in disables if a.subject in disabled}
    actions = [
        a for a in review.actions
        if a.kind is not ActionKind.DISABLE and not (a.duty is Duty.ACCOUNT_REVIEW and (a.subject, a.period) in done)
    ]
    with ctx.sessions.begin() as session:
        actions.extend(_disabled_notices(ctx, directory, session))
    sent = send_actions(ctx, outbox_safe(actions), directory)
    return {
        **synced.summary(),
        "findings_found": len(review.findings),
        "auto_disabled": len(disabled),
        "requests_reviewed_on_card": clicked_reviews,
        "new_password_cycles": new_cycles,
        **sent,
    }


def outbox_period(period: str) -> str:
    """The finding ladders' periods (`<kind>:<period>`) as the outbox accepts them.

    The outbox keys allow letters, digits, `_` and `-` (≤ 64): the kind separator becomes
    `-`, and a period with other characters (an owner's userid with a dot, "无 / none") is
    replaced by a digest of it, so the key stays stable from run to run.
    """
    kind, sep, rest = period.partition(":")
    candidate = f"{kind}-{rest}" if sep else period
    if OUTBOX_PERIOD.fullmatch(candidate):
        return candidate
    digest = hashlib.sha256(period.encode("utf-8")).hexdigest()[:16]
    return f"{kind[:40]}-{digest}" if sep else digest


def outbox_safe(actions: Iterable[Action]) -> list[Action]:
    return [a if OUTBOX_PERIOD.fullmatch(a.period) else replace(a, period=outbox_period(a.period)) for a in actions]


def _roster_departments(member: repo.MemberRow) -> tuple[int, ...]:
    return (member.roster_department_id,) if member.roster_department_id is not None else ()


def _department_of(subject: str, departments: dict[str, Any]) -> int | None:
    if subject.startswith("dept-") and subject[5:].isdigit():
        return int(subject[5:])
    value = departments.get(subject)
    return int(value) if value is not None else None


def _attestation_baseline(
    people: list[Person], attested: dict[str, datetime], starts: dict[str, datetime], calendar: WorkCalendar
) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for person in people:
        if person.userid in attested:
            out[person.userid] = attested[person.userid]
        elif person.userid in starts:
            out[person.userid] = max(starts[person.userid], calendar.window_start(person.hire_date))
    return out


def _disable_leavers(ctx: RunContext, disables: list[Action], contacts: Callable[[], ContactsWriter]) -> list[str]:
    """Disable each leaver's account, then resolve the finding (one transaction per person).

    Returns who was disabled. A crash between the WeCom call and the commit repeats the call on retry, which is
    harmless: disabling a disabled member changes nothing.
    """
    client = contacts()
    disabled: list[str] = []
    for action in disables:
        resolution = repo.RESOLVED_AUTO_DISABLED
        try:
            client.disable_user(action.subject)
        except WeComApiError as exc:
            if exc.errcode != USER_NOT_FOUND:
                # No write permission, a wrong secret...: the finding stays open and its
                # ladder tells admin and HR to do it by hand, as with the switch off.
                log.warning("could not disable %s automatically (%s); escalating instead", action.subject, exc)
                continue
            resolution = repo.RESOLVED_CLEARED
        with ctx.sessions.begin() as session:
            repo.resolve_finding(
                str(FindingKind.LEAVER_ACTIVE), action.subject, session=session, at=ctx.clock(), resolution=resolution
            )
            repo.mark_account_disabled(action.subject, session=session, at=ctx.clock())
        disabled.append(action.subject)
    return disabled


def _disabled_notices(ctx: RunContext, directory: Directory, session: Any) -> list[Action]:
    """Tell admin and HR about each recent automatic disable (from the records, so a notice
    held for working hours is derived again by the next run)."""
    today = ctx.now.astimezone(SHANGHAI).date()
    recipients_for = lambda userid: directory.resolve(("admin", "hr"), userid, ctx.policy, today)  # noqa: E731
    return [
        Action(
            kind=ActionKind.NOTIFY,
            duty=Duty.ACCOUNT_REVIEW,
            subject=row.subject,
            period=f"{FindingKind.LEAVER_ACTIVE}:{row.period}",
            step=DISABLED_NOTICE_STEP,
            recipients=recipients_for(row.subject),
            template=f"{Duty.ACCOUNT_REVIEW}/leaver_disabled",
            deadline=None,
            urgent=False,
            send_at=send_time(ctx.now, ctx.calendar, urgent=False),
            assignee=row.subject,
        )
        for row in repo.resolved_since(
            str(FindingKind.LEAVER_ACTIVE), repo.RESOLVED_AUTO_DISABLED, ctx.now - DISABLED_NOTICE_WINDOW, session=session
        )
    ]
