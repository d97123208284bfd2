"""Put the demo company into a `WeComSimulator`: WeCom's side of the story.

WeCom knows what it knows: the mover still sits in their old department, the leaver is
still active, the employee without an account is absent, and the hand-registered meeting
is invisible to the meeting API (it was booked outside the app).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from demo_company.model import ROOT_DEPARTMENT_ID, Company, Meeting

if TYPE_CHECKING:
    from wecom_simulator import WeComSimulator

# Tags WeCom admins typically keep for the functions the policy notifies.
FUNCTION_TAGS: tuple[tuple[int, str, str], ...] = (
    (101, "人力资源", "hr"),
    (102, "行政管理员", "admins"),
    (103, "信息技术", "it"),
    (104, "信息安全", "infosec"),
    (105, "公司领导", "leadership"),
)


def _meeting_status(meeting: Meeting, now: datetime | None) -> int:
    # WeCom meeting status: 1 pending, 2 in progress, 3 ended.
    if now is None or now < meeting.start:
        return 1
    return 2 if now < meeting.end else 3


def _meeting_kwargs(meeting: Meeting, now: datetime | None) -> dict[str, Any]:
    absent = set(meeting.absent)
    return {
        "admin_userid": meeting.organiser,
        "title": meeting.title,
        "start": int(meeting.start.timestamp()),
        "duration": meeting.duration_s,
        "invitees": list(meeting.attendees),
        "status": _meeting_status(meeting, now),
        # A hand-registered meeting was booked outside the app; it still needs an id in WeCom.
        "meetingid": meeting.meetingid or f"manual-{meeting.key}",
        "location": meeting.location,
        "created_by_app": meeting.source == "api",
        "attended": {
            u: meeting.duration_s for u in (meeting.organiser, *meeting.attendees) if u not in absent
        } if now is not None and now >= meeting.end else {},
    }


def meetings_for_api(company: Company, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """`sim.add_meeting(**kwargs)` arguments for the meetings WeCom's meeting API reports.

    With `now`, statuses and attendance reflect that moment (ended meetings have status 3
    and record who joined); without it every meeting is still pending.
    """
    return [_meeting_kwargs(m, now) for m in company.scenario.meetings if m.source == "api"]


def manual_meetings(company: Company) -> list[Meeting]:
    """Meetings HR registers by hand: the meeting API does not report them."""
    return [m for m in company.scenario.meetings if m.source == "manual"]


def populate_simulator(
    company: Company,
    sim: WeComSimulator,
    *,
    meetings: bool = True,
    tags: bool = True,
    now: datetime | None = None,
) -> None:
    """Add the departments, members (as WeCom has them), function tags and meetings.

    The simulator must not already hold any of the company's department ids (2 upwards)
    or userids: start it with `sample=False` (`make_wecom_sim(sample=False)`).
    """
    clash = [d for d in company.departments if d != ROOT_DEPARTMENT_ID and d in sim.directory.departments]
    if clash:
        raise ValueError(
            f"the simulator already has departments {clash[:5]}; start it empty "
            "(WeComSimulator() without populate_sample, or make_wecom_sim(sample=False))"
        )
    sim.load_directory({"departments": [{"id": ROOT_DEPARTMENT_ID, "name": company.name}]})
    for dept in company.departments.values():
        if dept.id != ROOT_DEPARTMENT_ID:
            sim.add_department(dept.id, dept.name, dept.parent_id, order=dept.id)
    heads = {dept.head: dept.id for dept in company.departments.values() if dept.head}
    for emp in company.wecom_members():
        dept_id = emp.in_wecom_department
        leader = emp.leader_in_wecom
        sim.add_user(
            emp.userid,
            emp.name,
            [dept_id],
            direct_leader=[leader] if leader else [],
            status=emp.wecom_status or 1,
            is_leader_in_dept=[1 if heads.get(emp.userid) == dept_id else 0],
            position=emp.position,
        )
    if tags:
        for tagid, tagname, attr in FUNCTION_TAGS:
            sim.add_tag(tagid, tagname, userids=list(getattr(company.cast, attr)))
    if meetings:
        for kwargs in (_meeting_kwargs(m, now) for m in company.scenario.meetings):
            sim.add_meeting(**kwargs)


def refresh_meetings(company: Company, sim: WeComSimulator, *, now: datetime) -> list[str]:
    """Bring the simulator's meetings up to `now` (status, who joined), as WeCom would.

    Returns the meetingids whose status changed. Meetings the simulator does not hold
    (populated with `meetings=False`) are skipped.
    """
    changed: list[str] = []
    for meeting in company.scenario.meetings:
        kwargs = _meeting_kwargs(meeting, now)
        held = sim.office.meetings.get(kwargs["meetingid"])
        if held is None or held.status == kwargs["status"]:
            continue
        held.status = kwargs["status"]
        held.attended = dict(kwargs["attended"])
        changed.append(held.meetingid)
    return changed
