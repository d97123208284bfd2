"""The company inside the WeCom simulator, read back over the real HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests

from demo_company import build_company, manual_meetings, meetings_for_api, populate_simulator, refresh_meetings
from demo_company.model import Company
from demo_company.workdays import SHANGHAI
from wecom_simulator import WeComSimulator


def _get(sim: WeComSimulator, path: str, **params: Any) -> dict[str, Any]:
    reply = requests.get(sim.base_url + path, params=params, timeout=10).json()
    assert reply["errcode"] == 0, reply
    return reply


def _post(sim: WeComSimulator, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    reply = requests.post(sim.base_url + path, params={"access_token": token}, json=body, timeout=10).json()
    assert reply["errcode"] == 0, reply
    return reply


@pytest.fixture
def company() -> Company:
    return build_company()


@pytest.fixture
def sim(make_wecom_sim: Callable[..., WeComSimulator], company: Company) -> WeComSimulator:
    sim = make_wecom_sim(sample=False)
    populate_simulator(company, sim, now=datetime(2026, 3, 31, 20, 0, tzinfo=SHANGHAI))
    return sim


def test_directory_matches_the_company(sim: WeComSimulator, company: Company) -> None:
    token = _get(sim, "/cgi-bin/gettoken", corpid=sim.corp_id, corpsecret=sim.contacts_secret)["access_token"]
    departments = _get(sim, "/cgi-bin/department/list", access_token=token)["department"]
    assert {d["id"]: d["name"] for d in departments} == {d.id: d.name for d in company.departments.values()}
    assert {d["id"]: d["parentid"] for d in departments if d["id"] != 1} == {
        d.id: d.parent_id for d in company.departments.values() if d.id != 1
    }
    for dept in departments:
        head = company.departments[dept["id"]].head
        assert dept["department_leader"] == ([head] if head else [])

    users = {u["userid"]: u for u in _get(sim, "/cgi-bin/user/list", access_token=token, department_id=1, fetch_child=1)["userlist"]}
    expected = {e.userid for e in company.employees.values() if e.wecom_status is not None}
    assert set(users) == expected
    scenario = company.scenario
    assert scenario.no_account not in users
    assert users[scenario.not_activated]["status"] == 4
    assert users[scenario.leaver.userid]["status"] == 1
    assert [users[u]["status"] for u in scenario.former_employees] == [2, 5]
    mover = users[scenario.mover.userid]
    assert mover["department"] == [scenario.mover.wecom_department_id]
    assert mover["direct_leader"] == [company.departments[scenario.mover.wecom_department_id].head]
    for userid, user in users.items():
        emp = company.employees[userid]
        if userid != scenario.mover.userid:
            assert user["department"] == [emp.department_id]
            assert user["direct_leader"] == ([emp.direct_leader] if emp.direct_leader else [])
        assert user["name"] == emp.name


def test_meeting_api_reports_all_but_the_hand_registered_meeting(sim: WeComSimulator, company: Company) -> None:
    token = _get(sim, "/cgi-bin/gettoken", corpid=sim.corp_id, corpsecret=sim.secret)["access_token"]
    month_start = int(datetime(2026, 3, 1, tzinfo=SHANGHAI).timestamp())
    found: dict[str, dict[str, Any]] = {}
    for meeting in company.scenario.meetings:
        reply = _post(sim, "/cgi-bin/meeting/get_user_meetingid",
                      {"userid": meeting.organiser, "begin_time": month_start, "end_time": month_start + 31 * 86400}, token)
        for meetingid in reply["meetingid_list"]:
            found[meetingid] = _post(sim, "/cgi-bin/meeting/get_info", {"meetingid": meetingid}, token)
    api = meetings_for_api(company)
    assert set(found) == {m["meetingid"] for m in api}
    assert [m.key for m in manual_meetings(company)] == [company.scenario.manual_meeting]
    for meeting in company.scenario.meetings:
        if meeting.source != "api":
            continue
        info = found[meeting.meetingid]
        assert info["title"] == meeting.title and info["admin_userid"] == meeting.organiser
        assert info["meeting_start"] == int(meeting.start.timestamp())
        assert info["meeting_duration"] == meeting.duration_s
        assert info["status"] == 3
        absent = {m["userid"] for m in info["attendees"]["member"] if m["status"] == 2}
        assert absent == set(meeting.absent)


def test_refuses_a_simulator_that_already_has_the_sample(wecom_sim: WeComSimulator, company: Company) -> None:
    with pytest.raises(ValueError, match="sample=False"):
        populate_simulator(company, wecom_sim)


def test_meetings_move_from_pending_to_ended_as_time_passes(
    make_wecom_sim: Callable[..., WeComSimulator], company: Company
) -> None:
    sim = make_wecom_sim(sample=False)
    populate_simulator(company, sim)
    m1 = company.scenario.meeting("m1")
    assert sim.office.meetings[m1.meetingid].status == 1
    assert refresh_meetings(company, sim, now=m1.start) == [m1.meetingid]
    assert sim.office.meetings[m1.meetingid].status == 2
    changed = refresh_meetings(company, sim, now=m1.end)
    assert changed == [m1.meetingid]
    held = sim.office.meetings[m1.meetingid]
    assert held.status == 3 and set(held.attended) == {m1.organiser, *m1.attendees} - set(m1.absent)
    assert refresh_meetings(company, sim, now=m1.end) == []
