"""Contacts (departments, members, list_id paging, update), meetings and check-in data."""

from __future__ import annotations

from tests.simulator.helpers import get, post, send, text, token
from wecom_simulator import WeComSimulator

DAY = 86_400
T0 = 1_772_409_600  # 2026-03-02 08:00 Asia/Shanghai


def test_department_list_and_simplelist(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = get(wecom_sim, "/cgi-bin/department/list", access_token=tok)
    assert [(d["id"], d["parentid"]) for d in reply["department"]] == [(1, 0), (2, 1), (4, 2), (3, 1)]
    assert reply["department"][1]["name"] == "研发部"
    assert reply["department"][1]["department_leader"] == ["zhangsan"]
    sub = get(wecom_sim, "/cgi-bin/department/simplelist", id=2, access_token=tok)
    assert sub["department_id"] == [{"id": 2, "parentid": 1, "order": 0}, {"id": 4, "parentid": 2, "order": 0}]
    assert get(wecom_sim, "/cgi-bin/department/list", id=99, access_token=tok)["errcode"] == 60003


def test_user_get(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    lisi = get(wecom_sim, "/cgi-bin/user/get", userid="lisi", access_token=tok)
    assert lisi["errcode"] == 0
    assert (lisi["name"], lisi["department"], lisi["direct_leader"], lisi["status"]) == ("李四", [4], ["zhangsan"], 1)
    boss = get(wecom_sim, "/cgi-bin/user/get", userid="zhangsan", access_token=tok)
    assert boss["is_leader_in_dept"] == [1]
    assert get(wecom_sim, "/cgi-bin/user/get", userid="disabled", access_token=tok)["status"] == 2
    assert get(wecom_sim, "/cgi-bin/user/get", userid="ghost", access_token=tok)["errcode"] == 60111
    assert get(wecom_sim, "/cgi-bin/user/get", userid="outsider", access_token=tok)["errcode"] == 60011
    contacts = token(wecom_sim, wecom_sim.contacts_secret)
    assert get(wecom_sim, "/cgi-bin/user/get", userid="outsider", access_token=contacts)["errcode"] == 0


def test_user_list_per_department_respects_visibility(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    members = get(wecom_sim, "/cgi-bin/user/list", department_id=2, access_token=tok)["userlist"]
    assert [m["userid"] for m in members] == ["zhangsan"]  # outsider is not visible; 4 not recursed
    deep = get(wecom_sim, "/cgi-bin/user/list", department_id=2, fetch_child=1, access_token=tok)["userlist"]
    assert [m["userid"] for m in deep] == ["zhangsan", "lisi", "zhaoliu", "inactive"]


def test_user_list_id_pages_with_a_cursor(wecom_sim: WeComSimulator) -> None:
    wecom_sim.add_user("multi", "两部门", [2, 3])
    contacts = token(wecom_sim, wecom_sim.contacts_secret)
    seen: list[tuple[str, int]] = []
    cursor = ""
    pages = 0
    while True:
        reply = post(wecom_sim, "/cgi-bin/user/list_id", {"cursor": cursor, "limit": 3}, access_token=contacts)
        assert reply["errcode"] == 0
        seen += [(e["userid"], e["department"]) for e in reply["dept_user"]]
        pages += 1
        cursor = reply["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == 9 and ("multi", 2) in seen and ("multi", 3) in seen
    assert post(wecom_sim, "/cgi-bin/user/list_id", {"limit": 10_001}, access_token=contacts)["errcode"] == 40058


def test_user_update_disables_a_member(wecom_sim: WeComSimulator) -> None:
    contacts = token(wecom_sim, wecom_sim.contacts_secret)
    assert post(wecom_sim, "/cgi-bin/user/update", {"userid": "lisi", "enable": 0},
                access_token=contacts)["errcode"] == 0
    tok = token(wecom_sim)
    assert get(wecom_sim, "/cgi-bin/user/get", userid="lisi", access_token=tok)["status"] == 2
    assert send(wecom_sim, tok, text("lisi"))["errcode"] == 81013
    assert post(wecom_sim, "/cgi-bin/user/update", {"userid": "ghost", "enable": 0},
                access_token=contacts)["errcode"] == 60111
    assert wecom_sim.user_updates()[0]["userid"] == "lisi"


def test_meetings(wecom_sim: WeComSimulator) -> None:
    mid = wecom_sim.add_meeting(admin_userid="zhangsan", title="周会", start=T0 + 3600, duration=1800,
                                invitees=["lisi", "zhaoliu"], status=3, attended={"lisi": 1700})
    wecom_sim.add_meeting(admin_userid="zhangsan", title="别的应用的会", start=T0 + 7200, duration=600,
                          invitees=["lisi"], created_by_app=False)
    for day in range(3):
        wecom_sim.add_meeting(admin_userid="wangwu", title=f"面谈{day}", start=T0 + day * DAY, duration=900,
                              invitees=["lisi"])
    tok = token(wecom_sim)
    info = post(wecom_sim, "/cgi-bin/meeting/get_info", {"meetingid": mid}, access_token=tok)
    assert (info["title"], info["admin_userid"], info["status"], info["meeting_duration"]) == ("周会", "zhangsan", 3,
                                                                                              1800)
    assert info["invitees"]["userid"] == ["lisi", "zhaoliu"]
    assert {m["userid"]: m["status"] for m in info["attendees"]["member"]} == {"lisi": 1, "zhaoliu": 2}
    body = {"userid": "lisi", "cursor": "0", "begin_time": T0 - DAY, "end_time": T0 + 10 * DAY, "limit": 2}
    first = post(wecom_sim, "/cgi-bin/meeting/get_user_meetingid", body, access_token=tok)
    second = post(wecom_sim, "/cgi-bin/meeting/get_user_meetingid", {**body, "cursor": first["next_cursor"]},
                  access_token=tok)
    assert len(first["meetingid_list"]) == 2 and len(second["meetingid_list"]) == 2
    assert second["next_cursor"] == ""
    assert mid in first["meetingid_list"] + second["meetingid_list"]
    too_long = {**body, "end_time": body["begin_time"] + 181 * DAY}
    assert post(wecom_sim, "/cgi-bin/meeting/get_user_meetingid", too_long, access_token=tok)["errcode"] == 40058
    assert post(wecom_sim, "/cgi-bin/meeting/get_user_meetingid", {**body, "limit": 101},
                access_token=tok)["errcode"] == 40058


def test_checkin_data(wecom_sim: WeComSimulator) -> None:
    wecom_sim.add_checkin("lisi", T0 + 60, checkin_type="上班打卡", exception_type="时间异常")
    wecom_sim.add_checkin("lisi", T0 + 9 * 3600, checkin_type="下班打卡")
    wecom_sim.add_checkin("wangwu", T0 + 7200, checkin_type="外出打卡")
    wecom_sim.add_checkin("lisi", T0 + 40 * DAY)
    tok = token(wecom_sim)
    body = {"opencheckindatatype": 3, "starttime": T0, "endtime": T0 + DAY, "useridlist": ["lisi", "wangwu"]}
    reply = post(wecom_sim, "/cgi-bin/checkin/getcheckindata", body, access_token=tok)
    assert [(r["userid"], r["checkin_type"]) for r in reply["checkindata"]] == [
        ("lisi", "上班打卡"), ("wangwu", "外出打卡"), ("lisi", "下班打卡")]
    assert reply["checkindata"][0]["exception_type"] == "时间异常"
    commute = post(wecom_sim, "/cgi-bin/checkin/getcheckindata", {**body, "opencheckindatatype": 1},
                   access_token=tok)
    assert len(commute["checkindata"]) == 2
    assert post(wecom_sim, "/cgi-bin/checkin/getcheckindata", {**body, "endtime": T0 + 31 * DAY},
                access_token=tok)["errcode"] == 301024
    assert post(wecom_sim, "/cgi-bin/checkin/getcheckindata", {**body, "useridlist": [f"u{i}" for i in range(101)]},
                access_token=tok)["errcode"] == 301023
