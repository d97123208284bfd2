"""Meetings (`meeting/get_info`, `meeting/get_user_meetingid`) and check-in data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wecom_simulator.errcodes import (
    CHECKIN_BAD_USERIDLIST,
    CHECKIN_SPAN_TOO_LONG,
    INVALID_PARAMETER,
    USER_NOT_FOUND,
    ApiError,
)
from wecom_simulator.http_types import Request
from wecom_simulator.state import IssuedToken

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

DAY = 86_400
SHANGHAI_OFFSET = 8 * 3600
MAX_MEETING_SPAN = 180 * DAY
MAX_CHECKIN_SPAN = 30 * DAY


def _int(body: dict[str, Any], key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None:
        raise ApiError(INVALID_PARAMETER, f"{key} missing")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(INVALID_PARAMETER, f"{key} must be an integer") from exc


def meeting_get_info(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    meeting = sim.office.meetings.get(str(body.get("meetingid", "")))
    if meeting is None and body.get("meeting_code"):
        code = str(body["meeting_code"])
        meeting = next((m for m in sim.office.meetings.values() if m.meeting_code == code), None)
    if meeting is None:
        raise ApiError(INVALID_PARAMETER, "invalid meetingid")
    return meeting.as_api()


def get_user_meetingid(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    userid = str(body.get("userid", ""))
    if not userid or sim.directory.get(userid) is None:
        raise ApiError(USER_NOT_FOUND, userid)
    limit = _int(body, "limit", 100)
    if not 1 <= limit <= 100:
        raise ApiError(INVALID_PARAMETER, "limit must be 1-100")
    # Without a range the current Shanghai day is listed.
    today = int((now + SHANGHAI_OFFSET) // DAY * DAY - SHANGHAI_OFFSET)
    begin = _int(body, "begin_time", today)
    end = _int(body, "end_time", begin + DAY - 1)
    if end < begin or end - begin > MAX_MEETING_SPAN:
        raise ApiError(INVALID_PARAMETER, "end_time - begin_time must be 0-180 days")
    cursor = str(body.get("cursor", "0") or "0")
    if not cursor.isdigit():
        raise ApiError(INVALID_PARAMETER, "invalid cursor")
    offset = int(cursor)
    meetings = sim.office.user_meetings(userid, begin, end)
    page = meetings[offset : offset + limit]
    end_offset = offset + len(page)
    return {
        "next_cursor": str(end_offset) if end_offset < len(meetings) else "",
        "meetingid_list": [m.meetingid for m in page],
    }


def getcheckindata(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    data_type = _int(body, "opencheckindatatype")
    if data_type not in (1, 2, 3):
        raise ApiError(INVALID_PARAMETER, "opencheckindatatype must be 1, 2 or 3")
    start = _int(body, "starttime")
    end = _int(body, "endtime")
    if end < start:
        raise ApiError(INVALID_PARAMETER, "endtime before starttime")
    if end - start > MAX_CHECKIN_SPAN:
        raise ApiError(CHECKIN_SPAN_TOO_LONG, "the span may not exceed 30 days")
    userids = body.get("useridlist")
    if not isinstance(userids, list) or not userids or len(userids) > 100:
        raise ApiError(CHECKIN_BAD_USERIDLIST, "useridlist must hold 1-100 userids")
    records = sim.office.checkin_data([str(u) for u in userids], start, end, data_type)
    return {"checkindata": [r.as_api() for r in records]}
