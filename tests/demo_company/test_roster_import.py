"""The demo roster goes through the real importer into a real records DB, all of it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from demo_company import build_company, write_roster_csv
from tests.fixtures.records import RecordsDB
from wecomply.records.directory import DepartmentRecord, upsert_departments
from wecomply.records.models import Department, Employee
from wecomply.roster import import_roster

# The first day of the scenario month, 09:00 in Shanghai.
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_roster_imports_cleanly(records_db: RecordsDB, tmp_path: Path, encoding: str) -> None:
    company = build_company()
    scenario = company.scenario
    path = write_roster_csv(company, tmp_path / "roster.csv", encoding=encoding)
    with records_db.sessions.begin() as session:
        # Departments come from the WeCom directory sync before any roster is imported.
        upsert_departments(
            [
                DepartmentRecord(d.id, d.name, d.parent_id or None, d.head, d.account_owner)
                for d in company.departments.values()
            ],
            session=session,
            now=NOW,
        )
    with records_db.sessions.begin() as session:
        result = import_roster(path, session=session, now=NOW)
    assert (result.rows, result.created, result.updated) == (200, 200, 0)

    with records_db.sessions() as session:
        rows = {e.userid: e for e in session.scalars(sa.select(Employee))}
        assert session.scalar(sa.select(sa.func.count()).select_from(Department)) == 11
    assert set(rows) == set(company.employees)
    for userid, emp in company.employees.items():
        row = rows[userid]
        assert (row.name, row.department_id, row.direct_leader_userid, row.role, row.hire_date, row.leave_date) == (
            emp.name, emp.department_id, emp.direct_leader, emp.role, emp.hire_date, emp.leave_date,
        )
    # The leaver leaves later this month, so on the 2nd they are still active.
    assert rows[scenario.leaver.userid].status == "active"
    assert {u for u, r in rows.items() if r.status == "left"} == set(scenario.former_employees)

    # Importing the same file again writes nothing.
    with records_db.sessions.begin() as session:
        again = import_roster(path, session=session, now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 200)
