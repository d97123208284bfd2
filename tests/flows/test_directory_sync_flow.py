"""The directory sync flow over real HTTP (simulator) into a real records DB, at growing size.

Scale is checked without timing: the number of SQL statements the sync issues must not
grow with the number of members, and the WeCom calls are one per department plus paging.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def context(records_db, now: datetime = NOW):
    from wecomply.flows.context import RunContext
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    policy = load_policy()
    return RunContext(
        policy=policy, calendar=WorkCalendar(policy), sessions=records_db.sessions, sender=object(),  # type: ignore[arg-type]
        now=now, worker_id="test",
    )


def contacts_client(sim):
    from wecomply.wecom.client import WeComClient

    return WeComClient(sim.base_url, sim.corp_id, sim.contacts_secret, None, conn_id="wecom_contacts")


def populate(sim, departments: int, per_department: int) -> None:
    for d in range(departments):
        sim.add_department(100 + d, f"部门{d}")
        for i in range(per_department):
            sim.add_user(f"u{d}_{i}", f"员工{d}-{i}", [100 + d], status=1 if i % 7 else 4)
    sim.add_user("twohats", "兼职", [100, 101], main_department=101)


def count_statements(engine):
    counter = {"n": 0}

    def before(*_args) -> None:
        counter["n"] += 1

    sa.event.listen(engine, "before_cursor_execute", before)
    return counter, lambda: sa.event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("per_department", [5, 60])
def test_sync_cost_does_not_grow_with_members(records_db, make_wecom_sim, per_department: int) -> None:
    from wecomply.flows.directory import run_directory_sync
    from wecomply.records.models import Employee

    sim = make_wecom_sim(sample=False)
    populate(sim, 20, per_department)
    counter, stop = count_statements(records_db.engine)
    try:
        summary = run_directory_sync(context(records_db), contacts_client(sim), run_id="r1")
    finally:
        stop()
    members = 20 * per_department + 1
    assert summary["members"] == members and summary["joined"] == members and summary["departments"] == 21
    # One listing per department (root included), one user/list_id page, no user/get.
    assert sim.calls("/cgi-bin/user/list") == 21
    assert sim.calls("/cgi-bin/user/list_id") == 1 and sim.calls("/cgi-bin/user/get") == 0
    assert counter["n"] <= 20, f"{counter['n']} SQL statements for {members} members: not bulk"
    with records_db.sessions() as session:
        twohats = session.scalars(sa.select(Employee).where(Employee.userid == "twohats")).one()
        assert (twohats.wecom_main_department_id, twohats.wecom_department_ids) == (101, [100, 101])
        assert session.scalar(sa.select(sa.func.count()).select_from(Employee)) == members


def test_member_missing_from_every_listing_is_fetched_alone(records_db, make_wecom_sim) -> None:
    from wecomply.flows.directory import fetch_directory

    sim = make_wecom_sim(sample=False)
    populate(sim, 2, 3)

    class RacingClient:
        """WeCom as seen while a member is created between user/list_id and the listings."""

        def __init__(self, inner) -> None:
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def list_department_users(self, department_id: int):
            return [u for u in self.inner.list_department_users(department_id) if u["userid"] != "u1_2"]

    departments, details = fetch_directory(RacingClient(contacts_client(sim)))
    assert "u1_2" in details and details["u1_2"]["department"] == [101]
    assert sim.calls("/cgi-bin/user/get") == 1
    assert len(details) == 7 and len(departments) == 3


def test_an_empty_directory_refuses_to_mark_everyone_left(records_db, make_wecom_sim) -> None:
    from wecomply.errors import UserFacingError
    from wecomply.flows.directory import run_directory_sync

    sim = make_wecom_sim(sample=False)
    with pytest.raises(UserFacingError, match="wecom_contacts"):
        run_directory_sync(context(records_db), contacts_client(sim))


def test_member_record_maps_wecom_fields() -> None:
    from wecomply.flows.directory import member_record

    record = member_record({
        "userid": "zs", "name": "张三", "department": [3, 4], "main_department": 4, "status": 2, "enable": 0,
        "direct_leader": ["boss"], "position": "",
    })
    assert (record.department_ids, record.main_department_id, record.enabled, record.direct_leaders, record.position) == (
        (3, 4), 4, False, ("boss",), None,
    )
