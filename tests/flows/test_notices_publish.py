"""Publishing a notice from the form: audience resolved once, validation errors name the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from wecomply.errors import UserFacingError
from wecomply.flows.form_values import parse_time
from wecomply.policy.calendar import SHANGHAI

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def context(records_db):
    from wecomply.flows.context import RunContext
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy
    from wecomply.wecom.client import WeComClient

    policy = load_policy()
    # Publishing never calls WeCom for departments and users; nothing listens here.
    client = WeComClient("http://127.0.0.1:9", "corp", "secret", 1000002)
    return RunContext(policy=policy, calendar=WorkCalendar(policy), sessions=records_db.sessions, connect=lambda: client,
                      now=NOW, worker_id="test")


def seed(records_db) -> None:
    from wecomply.records.directory import DepartmentRecord, upsert_departments
    from wecomply.records.models import Employee

    with records_db.sessions.begin() as session:
        upsert_departments([DepartmentRecord(10, "销售部", 1), DepartmentRecord(11, "华东销售", 10),
                            DepartmentRecord(20, "研发部", 1)], session=session, now=NOW)
        for userid, dept, left in (("s1", 10, None), ("e1", 11, None), ("gone", 11, date(2026, 2, 1)), ("d1", 20, None)):
            session.add(Employee(userid=userid, name=userid, department_id=dept, hire_date=date(2020, 1, 1),
                                 leave_date=left, status="left" if left else "active", source="roster", in_roster=True))


def form(**overrides: Any) -> dict[str, Any]:
    return {"title": "通知", "body": "正文", "audience_departments": [10], "deadline": "2026-03-06 18:00"} | overrides


def test_audience_includes_sub_departments_and_is_kept(records_db) -> None:
    from wecomply.flows.notices import publish_notice
    from wecomply.records.models import Assignment, Notice

    seed(records_db)
    ctx = context(records_db)
    assert publish_notice(ctx, form(notice_key="n1", audience_users=["d1"])) == {"published": 1, "recipients": 3}
    assert publish_notice(ctx, form(notice_key="n1", audience_departments=[20])) == {"published": 0, "already_published": 1}
    with records_db.sessions() as session:
        notice = session.scalars(sa.select(Notice)).one()
        subjects = sorted(session.scalars(sa.select(Assignment.subject_userid).where(Assignment.period == "n1")))
    assert notice.audience["resolved"] == ["d1", "e1", "s1"] == subjects
    assert publish_notice(ctx, {}) == {"published": 0}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": "2026-03-01 18:00"}, "deadline"),
        ({"deadline": "next friday"}, "deadline"),
        ({"title": ""}, "title"),
        ({"audience_departments": []}, "audience"),
        ({"audience_departments": [99]}, "empty"),
        ({"notice_key": "n 1"}, "notice_key"),
    ],
)
def test_bad_forms_are_refused_with_the_field_named(records_db, overrides, field) -> None:
    from wecomply.flows.notices import publish_notice
    from wecomply.records.models import Notice

    seed(records_db)
    with pytest.raises(UserFacingError, match=field):
        publish_notice(context(records_db), form(**overrides))
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_times_are_read_in_shanghai_unless_an_offset_is_given() -> None:
    assert parse_time("2026-03-12 19:05", "when") == datetime(2026, 3, 12, 19, 5, tzinfo=SHANGHAI)
    assert parse_time("2026-03-08T18:00:00+08:00", "deadline") == datetime(2026, 3, 8, 18, tzinfo=SHANGHAI)
    assert parse_time("", "deadline") is None
    with pytest.raises(UserFacingError, match="when"):
        parse_time("", "when", required=True)


def test_audience_by_tag_asks_wecom_and_an_unknown_tag_names_the_field(records_db, wecom_sim) -> None:
    from dataclasses import replace

    from wecomply.flows.notices import publish_notice
    from wecomply.wecom.client import WeComClient

    seed(records_db)
    wecom_sim.add_user("s1", "s1", [1])
    wecom_sim.add_tag(104, "销售骨干", userids=["s1"], partyids=[])
    client = WeComClient(wecom_sim.base_url, wecom_sim.corp_id, wecom_sim.secret, wecom_sim.agent_id)
    ctx = replace(context(records_db), connect=lambda: client)
    assert publish_notice(ctx, form(notice_key="t1", audience_departments=[], audience_tags=[104])) == {
        "published": 1, "recipients": 1,
    }
    with pytest.raises(UserFacingError, match="audience_tags"):
        publish_notice(ctx, form(notice_key="t2", audience_departments=[], audience_tags=[999]))
