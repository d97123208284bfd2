"""Meetings, their attendees, the minutes and the receipts (v1 §5.1).

A meeting is known by its row id; duties, deliveries and cards call it `m<id>`
(`meeting_key`). Meetings come from WeCom's meeting API (`source="api"`, `external_id` =
WeCom's meetingid) or are registered by hand (`source="manual"`, an `external_id` the
registrar chose or one derived from the registration, so registering twice is harmless).

Repository functions take `*, session` and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.errors import UserFacingError
from wecomply.records.models import Meeting, MeetingAttendee, Source

KEY_PREFIX = "m"
MANUAL = Source.MANUAL.value
API = Source.API.value


class UnknownMeeting(UserFacingError):
    """A meeting reference that matches no recorded meeting."""


@dataclass(frozen=True)
class MeetingSpec:
    source: str  # API or MANUAL
    external_id: str
    title: str
    organiser: str
    start_at: datetime
    end_at: datetime
    attendees: tuple[str, ...]
    cancelled: bool = False


def meeting_key(meeting_id: int) -> str:
    return f"{KEY_PREFIX}{meeting_id}"


def manual_external_id(organiser: str, start_at: datetime, title: str) -> str:
    """Stable id for a hand-registered meeting: the same registration twice is one meeting."""
    digest = hashlib.sha256(f"{organiser}\x1f{start_at.isoformat()}\x1f{title}".encode()).hexdigest()
    return f"manual-{digest[:16]}"


def upsert_meeting(spec: MeetingSpec, *, session: Session) -> tuple[Meeting, bool]:
    """Create the meeting or refresh its title, times and cancellation; add new attendees.

    Attendees are never removed (someone who received the minutes stays on record) and the
    minutes fields are never touched here. Returns (row, created).
    """
    if spec.end_at < spec.start_at:
        raise UserFacingError(
            f"会议「{spec.title}」结束时间早于开始时间 / meeting {spec.external_id}: end "
            f"{spec.end_at.isoformat()} is before start {spec.start_at.isoformat()}; fix the times"
        )
    row = session.scalar(
        sa.select(Meeting).where(Meeting.source == spec.source, Meeting.external_id == spec.external_id)
    )
    created = row is None
    if row is None:
        row = Meeting(source=spec.source, external_id=spec.external_id, title=spec.title[:255],
                      organiser_userid=spec.organiser, start_at=spec.start_at, end_at=spec.end_at,
                      cancelled=spec.cancelled)
        session.add(row)
        session.flush()
    else:
        row.title = spec.title[:255]
        row.organiser_userid = spec.organiser
        row.start_at = spec.start_at
        row.end_at = spec.end_at
        row.cancelled = spec.cancelled
    known = set(session.scalars(sa.select(MeetingAttendee.userid).where(MeetingAttendee.meeting_id == row.id)))
    for userid in dict.fromkeys(spec.attendees):
        if userid and userid not in known:
            session.add(MeetingAttendee(meeting_id=row.id, userid=userid))
    session.flush()
    return row, created


def find_meeting(reference: str, *, session: Session) -> Meeting:
    """A meeting by `m<id>`, `<id>` or WeCom meetingid / registered external id."""
    ref = (reference or "").strip()
    row: Meeting | None = None
    digits = ref[len(KEY_PREFIX):] if ref.startswith(KEY_PREFIX) else ref
    if digits.isdigit():
        row = session.get(Meeting, int(digits))
    if row is None and ref:
        row = session.scalar(sa.select(Meeting).where(Meeting.external_id == ref).order_by(Meeting.id).limit(1))
    if row is None:
        raise UnknownMeeting(
            f"找不到会议 {ref!r} / no meeting {ref!r}: give the key shown on the cards (e.g. m12) or the "
            "WeCom meetingid; register hand-booked meetings first with `python -m wecomply meetings register`"
        )
    return row


def record_minutes(meeting: Meeting, *, at: datetime, ref: str | None = None) -> bool:
    """Mark the minutes as distributed at `at` (once); a later call may only add the text/link."""
    if ref and not meeting.minutes_ref:
        meeting.minutes_ref = ref[:1024]
    if meeting.minutes_sent_at is not None:
        return False
    meeting.minutes_sent_at = at
    return True


def meetings_to_follow(*, session: Session, ended_by: datetime) -> list[Meeting]:
    """Ended, not cancelled meetings whose minutes are missing or not confirmed by everyone."""
    unconfirmed = (
        sa.select(MeetingAttendee.id)
        .where(MeetingAttendee.meeting_id == Meeting.id, MeetingAttendee.confirmed_at.is_(None))
        .exists()
    )
    stmt = (
        sa.select(Meeting)
        .where(Meeting.cancelled.is_(False), Meeting.end_at <= ended_by)
        .where(sa.or_(Meeting.minutes_sent_at.is_(None), unconfirmed))
        .order_by(Meeting.id)
    )
    return list(session.scalars(stmt))


def attendees_of(meeting_ids: Sequence[int], *, session: Session) -> dict[int, list[MeetingAttendee]]:
    out: dict[int, list[MeetingAttendee]] = {i: [] for i in meeting_ids}
    if not meeting_ids:
        return out
    rows = session.scalars(
        sa.select(MeetingAttendee).where(MeetingAttendee.meeting_id.in_(list(meeting_ids))).order_by(MeetingAttendee.id)
    )
    for row in rows:
        out[row.meeting_id].append(row)
    return out


def known_organisers(*, session: Session) -> list[str]:
    return sorted(set(session.scalars(sa.select(Meeting.organiser_userid).where(Meeting.source == API))))


def settled_api_meetings(external_ids: Iterable[str], *, session: Session, ended_before: datetime) -> set[str]:
    """Of these WeCom meetingids, those recorded as cancelled or as ended before `ended_before`:
    their details no longer change, so they need not be fetched again."""
    ids = list(dict.fromkeys(external_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(Meeting.external_id).where(
                Meeting.source == API,
                Meeting.external_id.in_(ids),
                sa.or_(Meeting.cancelled.is_(True), Meeting.end_at < ended_before),
            )
        )
    )


