"""Directory sync (joined/left/moved) and bulk assessments."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.records.assessment_evidence import (
    SettledResults,
    results_awaiting_delivery,
    settled_result_deliveries,
    stored_results,
)
from wecomply.records.assessments import AssessmentRow, failed_in_all, results_for, upsert_assessments
from wecomply.records.directory import DepartmentRecord, MemberRecord, sync_directory
from wecomply.records.models import DeliveryStatus, DirectoryChange, Employee, WeComAccountSnapshot

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
DEPTS = [DepartmentRecord(1, "总部"), DepartmentRecord(2, "研发部", 1), DepartmentRecord(3, "销售部", 1)]


def test_sync_detects_joined_left_and_moved_and_keeps_hr_fields(records_db: RecordsDB) -> None:
    with records_db.sessions.begin() as session:
        session.add(Employee(userid="hrperson", name="HR 名", department_id=None, role="hr", source="roster",
                             in_roster=True, hire_date=date(2020, 1, 1)))
    first = [
        MemberRecord("alice", "Alice", 1, (2,), 2),
        MemberRecord("bob", "Bob", 1, (3,), 3, direct_leaders=("alice",)),
        MemberRecord("hrperson", "WeCom 名", 4, (1,), 1),
        MemberRecord("carol", "Carol", 1, (2,), 2),
    ]
    with records_db.sessions.begin() as session:
        r1 = sync_directory(DEPTS, first, session=session, now=NOW)
    with records_db.sessions.begin() as session:
        same = sync_directory(DEPTS, first, session=session, now=NOW + timedelta(days=1))
    second = [
        MemberRecord("alice", "Alice", 1, (3,), 3),  # moved
        MemberRecord("bob", "Bob", 5, (3,), 3),  # left the company
        MemberRecord("hrperson", "WeCom 名", 1, (1,), 1),
        MemberRecord("dave", "Dave", 4, (2,), 2),  # joined; carol vanished
    ]
    with records_db.sessions.begin() as session:
        r2 = sync_directory(DEPTS, second, session=session, now=NOW + timedelta(days=2))

    assert sorted(r1.joined) == ["alice", "bob", "carol"] and r1.left == r1.moved == []
    assert (same.joined, same.left, same.moved, same.written) == ([], [], [], 0)
    assert (r2.joined, sorted(r2.left), r2.moved) == (["dave"], ["bob", "carol"], ["alice"])
    with records_db.sessions() as session:
        people = {e.userid: e for e in session.scalars(sa.select(Employee))}
        snapshots = session.execute(
            sa.select(WeComAccountSnapshot.sync_run_id, WeComAccountSnapshot.userid).order_by(WeComAccountSnapshot.id)
        ).all()
        kinds = session.execute(sa.select(DirectoryChange.userid, DirectoryChange.kind)).all()
    # A snapshot row on first sight and on every change, none for an unchanged account.
    assert [(run, userid) for run, userid in snapshots] == [
        *((r1.sync_run_id, u) for u in ("alice", "bob", "hrperson", "carol")),
        *((r2.sync_run_id, u) for u in ("alice", "bob", "hrperson", "dave")),
    ]
    assert (people["hrperson"].name, people["hrperson"].role, people["hrperson"].wecom_status) == ("HR 名", "hr", 1)
    assert people["hrperson"].department_id is None  # HR's view is not overwritten
    assert (people["alice"].department_id, people["alice"].wecom_main_department_id) == (3, 3)
    assert people["bob"].status == "left" and people["carol"].status == "left" and people["carol"].wecom_status is None
    assert ("dave", "joined") in [tuple(k) for k in kinds]


def test_a_sync_rewrites_and_snapshots_only_accounts_whose_wecom_view_changed(records_db: RecordsDB) -> None:
    members = [MemberRecord("alice", "Alice", 1, (2,), 2, direct_leaders=("bob",)), MemberRecord("bob", "Bob", 1, (2,), 2)]
    with records_db.sessions.begin() as session:
        sync_directory(DEPTS, members, session=session, now=NOW)
    renamed = [MemberRecord("alice", "Alice Wang", 1, (2,), 2, direct_leaders=("bob",)), members[1]]
    with records_db.sessions.begin() as session:
        again = sync_directory(DEPTS, renamed, session=session, now=NOW + timedelta(days=1))
    with records_db.sessions() as session:
        latest = session.execute(
            sa.select(WeComAccountSnapshot.userid, WeComAccountSnapshot.name).where(
                WeComAccountSnapshot.sync_run_id == again.sync_run_id
            )
        ).all()
        alice = session.scalar(sa.select(Employee).where(Employee.userid == "alice"))
    # Only the name changed: still a change of WeCom's view, so one row and one snapshot.
    assert (again.joined, again.left, again.moved, again.written) == ([], [], [], 1)
    assert [tuple(r) for r in latest] == [("alice", "Alice Wang")]
    assert alice.wecom_updated_at == NOW + timedelta(days=1)


def test_a_roster_persons_added_department_is_recorded_though_the_main_one_stays(records_db: RecordsDB) -> None:
    # Only the department list changes: status, enabled and main department are the same,
    # so the digest over what WeCom reported is what tells the sync to rewrite the row.
    with records_db.sessions.begin() as session:
        session.add(Employee(userid="erin", name="Erin", department_id=None, role="employee", source="roster",
                             in_roster=True, hire_date=date(2020, 1, 1)))
    with records_db.sessions.begin() as session:
        sync_directory(DEPTS, [MemberRecord("erin", "Erin", 1, (2,), 2)], session=session, now=NOW)
    with records_db.sessions.begin() as session:
        again = sync_directory(
            DEPTS, [MemberRecord("erin", "Erin", 1, (2, 3), 2)], session=session, now=NOW + timedelta(days=1)
        )
    with records_db.sessions() as session:
        erin = session.scalar(sa.select(Employee).where(Employee.userid == "erin"))
    assert (again.written, again.moved) == (1, [])
    assert (erin.wecom_department_ids, erin.wecom_main_department_id, erin.department_id) == ([2, 3], 2, None)


def test_assessments_upsert_and_two_consecutive_fails(records_db: RecordsDB) -> None:
    def rows(period: str, failing: set[str]) -> list[AssessmentRow]:
        return [
            AssessmentRow(u, period, {"training": 100.0 if u not in failing else 20.0}, 90.0 if u not in failing else 40.0,
                          u not in failing)
            for u in ("alice", "bob", "carol")
        ]

    with records_db.sessions.begin() as session:
        assert upsert_assessments(rows("2025-01", {"bob", "carol"}), session=session, now=NOW) == 3
        assert upsert_assessments(rows("2025-02", {"bob"}), session=session, now=NOW) == 3
        # A re-run on the same inputs writes nothing; one whose inputs changed rewrites those rows.
        assert upsert_assessments(rows("2025-02", {"bob"}), session=session, now=NOW + timedelta(days=1)) == 0
        assert upsert_assessments(rows("2025-02", {"bob", "alice"}), session=session, now=NOW + timedelta(days=2)) == 1
        assert upsert_assessments(rows("2025-02", {"bob"}), session=session, now=NOW + timedelta(days=3)) == 1
    with records_db.sessions() as session:
        assert failed_in_all(["2025-01", "2025-02"], session=session) == {"bob"}
        feb = results_for("2025-02", session=session)
    assert len(feb) == 3 and feb["bob"].scores == {"training": 20.0} and not feb["bob"].passed
    assert feb["alice"].passed and feb["alice"].computed_at == NOW + timedelta(days=3)
    assert feb["carol"].computed_at == NOW  # unchanged since the first run


def test_stored_results_and_the_owed_count_cover_only_people_employed_that_day(records_db: RecordsDB) -> None:
    on = date(2025, 3, 3)
    people = {
        "alice": {"hire_date": date(2020, 1, 1)},
        "bob": {"hire_date": date(2020, 1, 1), "leave_date": date(2025, 3, 2)},  # left the day before
        "carol": {"hire_date": date(2020, 1, 1), "leave_date": on},  # her last day: still employed
        "dave": {"hire_date": date(2025, 3, 4)},  # starts tomorrow
        "erin": {"hire_date": date(2020, 1, 1), "status": "left"},
        "frank": {"hire_date": date(2020, 1, 1), "in_roster": False},  # only WeCom knows him
    }
    with records_db.sessions.begin() as session:
        for userid, fields in people.items():
            session.add(Employee(userid=userid, name=userid, role="employee", source="roster",
                                 **{"in_roster": True, "status": "active", **fields}))
        upsert_assessments([AssessmentRow(u, "2025-02", {"training": 90.0}, 90.0, True) for u in people],
                           session=session, now=NOW)
    with records_db.sessions() as session:
        stored = [r.userid for r in stored_results("2025-02", employed_on=on, session=session)]
        owed = results_awaiting_delivery("2025-02", "result", duty="assessment", on=on, session=session)
    assert stored == ["alice", "carol"]
    assert owed == 2


def test_settled_result_deliveries_only_when_nobody_is_owed_anything(records_db: RecordsDB) -> None:
    from wecomply.records.models import Delivery

    on = date(2025, 3, 3)
    with records_db.sessions.begin() as session:
        for userid in ("alice", "bob", "carol"):
            session.add(Employee(userid=userid, name=userid, role="employee", source="roster", in_roster=True,
                                 status="active", hire_date=date(2020, 1, 1)))
        upsert_assessments([AssessmentRow(u, "2025-02", {"training": 90.0}, 90.0, True) for u in ("alice", "bob", "carol")],
                           session=session, now=NOW)

    def settled() -> SettledResults | None:
        with records_db.sessions() as session:
            return settled_result_deliveries("2025-02", "result", duty="assessment", on=on, session=session)

    def delivery(userid: str, status: str) -> None:
        with records_db.sessions.begin() as session:
            session.execute(sa.delete(Delivery).where(Delivery.subject == userid))
            session.add(Delivery(duty="assessment", subject=userid, period="2025-02", step="result",
                                 recipients=[userid], status=status, urgent=False, attempts=1, created_at=NOW))

    assert settled() is None  # nobody has a delivery row yet
    delivery("alice", "sent")
    delivery("bob", "invalid")
    assert settled() is None  # carol's is still to be planned
    delivery("carol", "queued")
    assert settled() is None  # carol's is planned but not sent
    delivery("carol", "in_doubt")
    assert settled() == SettledResults(3, {DeliveryStatus.SENT: 1, DeliveryStatus.INVALID: 1,
                                           DeliveryStatus.IN_DOUBT: 1})
