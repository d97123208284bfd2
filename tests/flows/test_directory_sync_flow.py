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
        policy=policy, calendar=WorkCalendar(policy), sessions=records_db.sessions, connect=object,  # type: ignore[arg-type]
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
        summary = run_directory_sync(context(records_db), lambda: contacts_client(sim), run_id="r1")
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


def test_a_synced_instant_is_reported_without_building_the_contacts_client(records_db, make_wecom_sim) -> None:
    from wecomply.flows.directory import run_directory_sync

    sim = make_wecom_sim(sample=False)
    populate(sim, 2, 3)
    first = run_directory_sync(context(records_db), lambda: contacts_client(sim), run_id="r1")

    def no_client():
        raise AssertionError("the contacts client was built for an instant already synced")

    again = run_directory_sync(context(records_db), no_client, run_id="r2")
    assert again == first | {"read_wecom": False}
    with pytest.raises(AssertionError, match="already synced"):
        run_directory_sync(context(records_db), no_client, run_id="r3", reread=True)


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
        run_directory_sync(context(records_db), lambda: contacts_client(sim))


def test_member_record_maps_wecom_fields() -> None:
    from wecomply.flows.directory import member_record

    record = member_record({
        "userid": "zs", "name": "张三", "department": [3, 4], "main_department": 4, "status": 2, "enable": 0,
        "direct_leader": ["boss"], "position": "",
    })
    assert (record.department_ids, record.main_department_id, record.enabled, record.direct_leaders, record.position) == (
        (3, 4), 4, False, ("boss",), None,
    )


class ObservedListings:
    """The contacts client, counting the department listings in flight at once."""

    def __init__(self, inner, *, on_listing=None) -> None:
        import threading

        self.inner = inner
        self.on_listing = on_listing
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.started: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def list_department_users(self, department_id: int):
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.started.append(department_id)
        try:
            if self.on_listing is not None:
                self.on_listing(department_id)
            return self.inner.list_department_users(department_id)
        finally:
            with self._lock:
                self.in_flight -= 1


def test_listings_are_read_a_few_at_a_time_with_the_same_result(records_db, make_wecom_sim) -> None:
    from wecomply.flows.directory import LISTING_WORKERS, fetch_directory

    sim = make_wecom_sim(sample=False)
    populate(sim, 12, 4)
    _, one_by_one = fetch_directory(contacts_client(sim), workers=1)
    # A round trip long enough that the listings overlap as they would across the internet.
    sim.config.latency_s = 0.05
    observed = ObservedListings(contacts_client(sim))
    departments, concurrent = fetch_directory(observed, workers=LISTING_WORKERS)
    assert concurrent == one_by_one and len(concurrent) == 12 * 4 + 1
    assert sorted(observed.started) == sorted(int(d["id"]) for d in departments)
    assert observed.most_in_flight == LISTING_WORKERS


def test_a_member_in_several_departments_keeps_the_first_departments_details(make_wecom_sim) -> None:
    """Listings finish in any order; the details kept are still those of the first department
    in WeCom's order, as when they were read one by one."""
    import time

    from wecomply.flows.directory import fetch_directory

    sim = make_wecom_sim(sample=False)
    populate(sim, 3, 2)

    class Staggered(ObservedListings):
        def list_department_users(self, department_id: int):
            users = super().list_department_users(department_id)
            return [dict(u, position=f"listed by {department_id}") for u in users]

    # The first department's listing (100, which holds "twohats") answers last.
    client = Staggered(contacts_client(sim), on_listing=lambda d: time.sleep(0.3 if d == 100 else 0))
    _, details = fetch_directory(client, workers=4)
    assert details["twohats"]["position"] == "listed by 100"
    assert client.most_in_flight > 1


def test_a_failed_listing_stops_the_sync_and_writes_nothing(records_db, make_wecom_sim) -> None:
    import time

    from wecomply.flows.directory import LISTING_WORKERS, run_directory_sync
    from wecomply.records.models import Employee
    from wecomply.wecom.errors import WeComApiError

    sim = make_wecom_sim(sample=False)
    populate(sim, 40, 2)

    def listing(department_id: int) -> None:
        if department_id == 101:
            raise WeComApiError(60011, "no privilege to access/modify contact/party/agent", "user/list")
        time.sleep(0.05)

    client = ObservedListings(contacts_client(sim), on_listing=listing)
    with pytest.raises(WeComApiError, match="60011"):
        run_directory_sync(context(records_db), lambda: client, run_id="r1")
    # The listings not yet started were cancelled; a few in flight may have finished.
    assert len(client.started) <= 3 * LISTING_WORKERS < 41
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Employee)) == 0


def test_a_token_revoked_under_concurrent_listings_is_refreshed_once(records_db, make_wecom_sim) -> None:
    """With the token store the DAG uses (SQL, shared by processes): four threads refused
    at once, one gettoken."""
    from wecomply.flows.directory import fetch_directory
    from wecomply.records.shared_stores import SqlTokenStore
    from wecomply.wecom.client import WeComClient

    sim = make_wecom_sim(sample=False)
    populate(sim, 12, 3)
    sim.config.latency_s = 0.02

    class RevokedBeforeListings(ObservedListings):
        def list_user_ids(self, **kwargs):
            ids = self.inner.list_user_ids(**kwargs)
            sim.revoke_tokens()  # every listing in flight now holds a refused token
            return ids

    client = RevokedBeforeListings(WeComClient(
        sim.base_url, sim.corp_id, sim.contacts_secret, None, conn_id="wecom_contacts",
        token_store=SqlTokenStore(records_db.engine),
    ))
    _, details = fetch_directory(client, workers=4)
    assert len(details) == 12 * 3 + 1
    assert sim.errors("/cgi-bin/user/list") >= 1, "no listing met the revoked token"
    assert sim.calls("/cgi-bin/gettoken") == 2, "one token at the start, one refresh for all four threads"
    assert client.most_in_flight == 4
