"""Meeting and check-in records the fake corp holds (what get_info / getcheckindata read)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# 1 pending, 2 in progress, 3 ended, 4 cancelled, 5 expired (facts sheet §8).
MEETING_STATUSES = (1, 2, 3, 4, 5)
COMMUTE_TYPES = frozenset({"上班打卡", "下班打卡"})
OUTSIDE_TYPE = "外出打卡"


@dataclass
class Meeting:
    meetingid: str
    admin_userid: str
    title: str
    start: int
    duration: int
    invitees: list[str]
    status: int = 1
    description: str = ""
    location: str = ""
    created_by_app: bool = True
    # userid -> seconds attended; members absent from it did not join
    attended: dict[str, int] = field(default_factory=dict)
    meeting_code: str = ""

    def participants(self) -> set[str]:
        return {self.admin_userid.lower(), *(u.lower() for u in self.invitees)}

    def as_api(self) -> dict[str, object]:
        return {
            "admin_userid": self.admin_userid,
            "title": self.title,
            "meeting_start": self.start,
            "meeting_duration": self.duration,
            "description": self.description,
            "location": self.location,
            "status": self.status,
            "meeting_code": self.meeting_code,
            "meeting_type": 0,
            "invitees": {"userid": list(self.invitees)},
            "attendees": {
                "member": [
                    {"userid": userid, "status": 1 if userid in self.attended else 2,
                     "cumulative_time": self.attended.get(userid, 0)}
                    for userid in self.invitees
                ],
            },
            "settings": {"remind_scope": 1},
        }


@dataclass
class Checkin:
    userid: str
    checkin_time: int
    checkin_type: str = "上班打卡"
    exception_type: str = ""
    groupname: str = "默认打卡规则"
    location_title: str = ""
    location_detail: str = ""
    wifiname: str = ""
    notes: str = ""
    sch_checkin_time: int | None = None

    def matches(self, data_type: int) -> bool:
        if data_type == 1:
            return self.checkin_type in COMMUTE_TYPES
        if data_type == 2:
            return self.checkin_type == OUTSIDE_TYPE
        return True

    def as_api(self) -> dict[str, object]:
        return {
            "userid": self.userid,
            "groupname": self.groupname,
            "checkin_type": self.checkin_type,
            "exception_type": self.exception_type,
            "checkin_time": self.checkin_time,
            "location_title": self.location_title,
            "location_detail": self.location_detail,
            "wifiname": self.wifiname,
            "notes": self.notes,
            "wifimac": "",
            "mediaids": [],
            "sch_checkin_time": self.sch_checkin_time or self.checkin_time,
            "groupid": 1,
            "schedule_id": 0,
            "timeline_id": 1,
            "lat": 0,
            "lng": 0,
            "deviceid": "",
        }


class OfficeRecords:
    def __init__(self) -> None:
        self.meetings: dict[str, Meeting] = {}
        self.checkins: dict[str, list[Checkin]] = {}

    def add_meeting(self, meeting: Meeting) -> Meeting:
        if meeting.status not in MEETING_STATUSES:
            raise ValueError(f"meeting status must be one of {MEETING_STATUSES}")
        if meeting.meetingid in self.meetings:
            raise ValueError(f"meeting {meeting.meetingid} already exists")
        self.meetings[meeting.meetingid] = meeting
        return meeting

    def user_meetings(self, userid: str, begin: int, end: int) -> list[Meeting]:
        key = userid.lower()
        found = [
            m for m in self.meetings.values()
            if m.created_by_app and begin <= m.start <= end and key in m.participants()
        ]
        return sorted(found, key=lambda m: (m.start, m.meetingid))

    def add_checkin(self, checkin: Checkin) -> Checkin:
        self.checkins.setdefault(checkin.userid.lower(), []).append(checkin)
        return checkin

    def checkin_data(self, userids: Iterable[str], start: int, end: int, data_type: int) -> list[Checkin]:
        out: list[Checkin] = []
        for userid in userids:
            for record in self.checkins.get(userid.lower(), []):
                if start <= record.checkin_time <= end and record.matches(data_type):
                    out.append(record)
        return sorted(out, key=lambda c: (c.checkin_time, c.userid))
