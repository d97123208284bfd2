"""Meeting minutes follow-up (v1 §5.1): collect meetings, distribute minutes, chase receipts.

- `sync_meetings`: meetings WeCom's meeting API knows (only those our app created), for the
  people who organise meetings, over the last `LOOKBACK`; hand-registered meetings are
  already in the records (`register_manual_meeting`, `python -m wecomply meetings register`).
- `distribute_minutes`: the organiser triggers the distribution either by the 「发送纪要」
  button on their card or through the DAG's form (meeting + minutes text/link). Either way
  `minutes_sent_at` is recorded once; the attendees' cards follow in `follow_up_meetings`.
- `follow_up_meetings`: the organiser's card, reminders and escalations while minutes are
  missing; the attendees' minutes cards with 「确认收到」 and their reminders.

Cards and deliveries call a meeting `m<id>` (`wecomply.records.meetings.meeting_key`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.duties.meetings import Meeting as MeetingFacts
from wecomply.duties.meetings import minutes_assignment, plan_meeting_followup, receipt_assignments
from wecomply.duties.model import Action, Directory, Duty, Person
from wecomply.errors import UserFacingError
from wecomply.flows.context import RunContext
from wecomply.flows.people import load_people
from wecomply.flows.render import format_time
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI
from wecomply.records import meetings as repo
from wecomply.records.assignments import AssignmentSpec, complete_assignment, ensure_assignments
from wecomply.records.models import Acknowledgement, Assignment, AssignmentStatus, Delivery, Meeting
from wecomply.templating import clip
from wecomply.wecom.errors import WeComApiError, WeComConfigError, WeComRateLimited, WeComTransientError

# How far back each run asks WeCom for meetings: covers a week of missed runs.
LOOKBACK = timedelta(days=14)
# Meetings recorded as ended this long ago are not fetched again.
SETTLE_AFTER = timedelta(days=1)
# WeCom meeting status: 4 cancelled, 5 expired (nobody held it).
CANCELLED_STATUSES = frozenset({4, 5})
ORGANISER_ROLES = frozenset({"manager", "department_head", "hr", "admin", "leadership"})
MINUTES_CARD_CHARS = 300


# --- collecting meetings ------------------------------------------------------------------


def organiser_candidates(people: Iterable[Person], known: Iterable[str], on: date) -> list[str]:
    """Whose meetings to ask WeCom about: leaders and functions, plus past organisers."""
    people = list(people)
    directory = Directory(people)
    chosen = set(known)
    for person in directory.active(on):
        if person.role in ORGANISER_ROLES:
            chosen.add(person.userid)
        for leader in (person.direct_leader, person.department_head):
            if leader and directory.is_active(leader, on):
                chosen.add(leader)
    return sorted(chosen)


def _epoch_to_time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), timezone.utc)


def spec_from_api(meetingid: str, info: dict[str, Any]) -> repo.MeetingSpec:
    start = _epoch_to_time(info["meeting_start"])
    organiser = str(info.get("admin_userid") or "")
    invitees = [str(u) for u in (info.get("invitees") or {}).get("userid", []) or []]
    return repo.MeetingSpec(
        source=repo.API,
        external_id=meetingid,
        title=str(info.get("title") or meetingid),
        organiser=organiser,
        start_at=start,
        end_at=start + timedelta(seconds=int(info.get("meeting_duration") or 0)),
        attendees=tuple(u for u in invitees if u != organiser),
        cancelled=int(info.get("status") or 0) in CANCELLED_STATUSES,
    )


def _skippable(exc: WeComApiError) -> bool:
    """One member's failure (no such user, no meeting rights) must not stop the others;
    configuration, rate-limit and transient errors fail the task so Airflow retries it."""
    return not isinstance(exc, (WeComConfigError, WeComRateLimited, WeComTransientError))


def sync_meetings(ctx: RunContext) -> dict[str, int]:
    client: Any = ctx.sender
    with ctx.sessions.begin() as session:
        people = load_people(session)
        today = ctx.now.astimezone(SHANGHAI).date()
        candidates = organiser_candidates(people, repo.known_organisers(session=session), today)
    begin, end = ctx.now - LOOKBACK, ctx.now
    found: list[str] = []
    skipped_members = 0
    for userid in candidates:
        try:
            found.extend(client.get_user_meeting_ids(userid, begin, end))
        except WeComApiError as exc:
            if not _skippable(exc):
                raise
            skipped_members += 1
    found = list(dict.fromkeys(found))
    with ctx.sessions.begin() as session:
        settled = repo.settled_api_meetings(found, session=session, ended_before=ctx.now - SETTLE_AFTER)
    specs = []
    for meetingid in found:
        if meetingid in settled:
            continue
        try:
            specs.append(spec_from_api(meetingid, client.get_meeting_info(meetingid)))
        except WeComApiError as exc:
            if not _skippable(exc):
                raise
    created = 0
    with ctx.sessions.begin() as session:
        for spec in specs:
            if spec.organiser:
                created += repo.upsert_meeting(spec, session=session)[1]
    return {"members_asked": len(candidates), "members_skipped": skipped_members,
            "meetings_seen": len(found), "meetings_fetched": len(specs), "meetings_new": created}


def register_manual_meeting(
    session: Session,
    *,
    title: str,
    organiser: str,
    start_at: datetime,
    end_at: datetime,
    attendees: Sequence[str],
    external_id: str | None = None,
) -> tuple[str, bool]:
    """Record a meeting booked outside the app; returns (meeting key, created)."""
    if not title.strip() or not organiser.strip():
        raise UserFacingError("会议需要标题和组织者 / a meeting needs a title and an organiser (--title, --organiser)")
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise UserFacingError("会议时间需要时区 / meeting times must be timezone-aware")
    spec = repo.MeetingSpec(
        source=repo.MANUAL,
        external_id=external_id or repo.manual_external_id(organiser, start_at, title),
        title=title.strip(),
        organiser=organiser.strip(),
        start_at=start_at,
        end_at=end_at,
        attendees=tuple(a.strip() for a in attendees if a.strip() and a.strip() != organiser.strip()),
    )
    row, created = repo.upsert_meeting(spec, session=session)
    return repo.meeting_key(row.id), created


# --- distributing the minutes -----------------------------------------------------------------


def _organiser_clicks(session: Session) -> list[tuple[Meeting, datetime | None, str]]:
    """Clicks on minutes cards of meetings whose minutes are not out yet, earliest first."""
    waiting = {
        repo.meeting_key(row.id): row
        for row in session.scalars(
            sa.select(Meeting).where(Meeting.minutes_sent_at.is_(None), Meeting.cancelled.is_(False))
        )
    }
    if not waiting:
        return []
    stmt = (
        sa.select(Delivery.subject, Acknowledgement.clicked_at, Acknowledgement.userid)
        .join(Delivery, Delivery.id == Acknowledgement.delivery_id)
        .where(Delivery.duty == str(Duty.MEETING_MINUTES), Delivery.subject.in_(sorted(waiting)))
        .order_by(Acknowledgement.clicked_at, Acknowledgement.id)
    )
    return [(waiting[subject], clicked_at, userid) for subject, clicked_at, userid in session.execute(stmt)]


def distribute_minutes(
    ctx: RunContext, *, meeting: str = "", minutes: str = "", minutes_url: str = "", by: str = ""
) -> dict[str, int]:
    """Record the distributions the organisers triggered (card button) and the one this run's
    form asks for; the attendees' cards go out in `follow_up_meetings`."""
    recorded = 0
    with ctx.sessions.begin() as session:
        for row, clicked_at, userid in _organiser_clicks(session):
            if userid.lower() == row.organiser_userid.lower() and row.minutes_sent_at is None:
                recorded += _record(session, row, at=clicked_at or ctx.now, ref=None,
                                    evidence={"via": "button", "by": userid})
        if meeting.strip():
            row = repo.find_meeting(meeting, session=session)
            ref = "\n".join(p for p in (minutes.strip(), minutes_url.strip()) if p) or None
            recorded += _record(session, row, at=ctx.now, ref=ref,
                                evidence={"via": "form", "by": by or ctx.worker_id})
        elif minutes.strip() or minutes_url.strip():
            raise UserFacingError(
                "表单参数 meeting 为空：请填写会议编号（如 m12）或企业微信 meetingid / param `meeting` is empty: "
                "give the meeting key (e.g. m12) or its WeCom meetingid to distribute these minutes"
            )
    return {"minutes_recorded": recorded}


def _record(session: Session, row: Meeting, *, at: datetime, ref: str | None, evidence: dict[str, Any]) -> int:
    if not repo.record_minutes(row, at=at, ref=ref):
        return 0
    assignment_id = session.scalar(
        sa.select(Assignment.id).where(
            Assignment.kind == str(Duty.MEETING_MINUTES),
            Assignment.subject_userid == row.organiser_userid,
            Assignment.period == repo.meeting_key(row.id),
        )
    )
    if assignment_id is not None:
        complete_assignment(assignment_id, session=session, at=at, evidence=evidence)
    return 1


# --- reminders and escalations ------------------------------------------------------------------


def _facts(row: Meeting, attendees: Sequence[Any]) -> MeetingFacts:
    return MeetingFacts(
        meeting_id=repo.meeting_key(row.id),
        title=row.title,
        organiser=row.organiser_userid,
        attendees=tuple(a.userid for a in attendees),
        start=row.start_at,
        end=row.end_at,
        minutes_sent_at=row.minutes_sent_at,
        confirmed=frozenset(a.userid for a in attendees if a.confirmed_at is not None),
        cancelled=row.cancelled,
    )


def _record_assignments(session: Session, row: Meeting, facts: MeetingFacts, people: Directory, ctx: RunContext) -> int:
    key = repo.meeting_key(row.id)
    minutes = minutes_assignment(facts, ctx.policy, ctx.calendar)
    organiser = people.get(row.organiser_userid)
    created = ensure_assignments(
        [AssignmentSpec(kind=str(Duty.MEETING_MINUTES), subject_userid=row.organiser_userid, period=key,
                        due_at=minutes.due_at, department_id=organiser.department_id if organiser else None,
                        ref_type="meeting", ref_id=str(row.id))],
        session=session, now=row.end_at,
    )
    if row.minutes_sent_at is not None:
        # A distribution recorded before this assignment existed still completes it.
        session.execute(
            sa.update(Assignment)
            .where(Assignment.kind == str(Duty.MEETING_MINUTES), Assignment.period == key,
                   Assignment.status == AssignmentStatus.OPEN.value)
            .values(status=AssignmentStatus.COMPLETED.value, completed_at=row.minutes_sent_at,
                    evidence={"via": "minutes_sent_at"})
        )
        receipts = receipt_assignments(facts, ctx.policy, ctx.calendar)
        specs = [
            AssignmentSpec(kind=str(Duty.MEETING_RECEIPT), subject_userid=r.subject, period=key, due_at=r.due_at,
                           department_id=(people.get(r.subject).department_id if people.get(r.subject) else None),
                           ref_type="meeting", ref_id=str(row.id))
            for r in receipts
        ]
        created += ensure_assignments(specs, session=session, now=row.minutes_sent_at)
    return created


def _meeting_of(action: Action) -> str:
    return action.subject if action.duty == Duty.MEETING_MINUTES else action.period


def follow_up_meetings(ctx: RunContext) -> dict[str, int]:
    with ctx.sessions.begin() as session:
        people = load_people(session)
        directory = Directory(people)
        rows = repo.meetings_to_follow(session=session, ended_by=ctx.now)
        attendees = repo.attendees_of([r.id for r in rows], session=session)
        facts = [_facts(row, attendees[row.id]) for row in rows]
        created = sum(_record_assignments(session, row, f, directory, ctx) for row, f in zip(rows, facts, strict=True))
        extras = {repo.meeting_key(row.id): _values(row, directory, ctx.locale) for row in rows}
    actions = plan_meeting_followup(
        facts, people, now=ctx.now, policy=ctx.policy, calendar=ctx.calendar, request_minutes=True
    )
    by_meeting: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        by_meeting[_meeting_of(action)].append(action)
    summary: dict[str, int] = {"meetings_followed": len(rows), "new_assignments": created}
    # One call per meeting: the card names the meeting, so cards of different meetings
    # never share a batch anyway.
    for key in sorted(by_meeting):
        for name, value in send_actions(ctx, by_meeting[key], directory, extra_values=extras[key]).items():
            summary[name] = summary.get(name, 0) + value
    return summary


def _values(row: Meeting, directory: Directory, locale: str) -> dict[str, Any]:
    organiser = directory.get(row.organiser_userid)
    text = (row.minutes_ref or "").strip()
    if locale == "en":
        minutes = f"Minutes: {clip(text, MINUTES_CARD_CHARS)}\n" if text else "The minutes are in the meeting's WeCom page. "
    else:
        minutes = f"纪要：{clip(text, MINUTES_CARD_CHARS)}\n" if text else "纪要见企业微信会议详情。"
    return {
        "title": row.title,
        "meeting": repo.meeting_key(row.id),
        "end": format_time(row.end_at, locale),
        "organiser": organiser.name if organiser else row.organiser_userid,
        "organiser_id": row.organiser_userid,
        "minutes": minutes,
    }
