"""The small company every duty test uses.

Departments: 1 company root; 10 Sales (head `sales_head`) under it, 11 Sales East under 10;
20 HR. Functions by roster role: hr1 (hr), admin1 (admin), it1 (it), sec1 (infosec),
boss (leadership). Staff report to `lead10`, who reports to `sales_head`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from wecomply.duties.model import Person
from wecomply.policy.calendar import SHANGHAI


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def staff(userid: str, **changes) -> Person:
    base = Person(
        userid=userid,
        name=userid.title(),
        department_id=10,
        direct_leader="lead10",
        department_head="sales_head",
        role="staff",
        hire_date=date(2024, 1, 2),
    )
    return replace(base, **changes)


COMPANY = (
    staff("boss", department_id=1, direct_leader=None, department_head=None, role="leadership"),
    staff("sales_head", direct_leader="boss", department_head="sales_head", role="manager"),
    staff("lead10", direct_leader="sales_head", role="manager"),
    staff("hr1", department_id=20, direct_leader="boss", department_head="hr1", role="hr"),
    staff("admin1", department_id=20, direct_leader="boss", department_head="hr1", role="admin"),
    staff("it1", department_id=20, direct_leader="boss", department_head="hr1", role="it"),
    staff("sec1", department_id=20, direct_leader="boss", department_head="hr1", role="infosec"),
    staff("bob"),
    staff("carol", department_id=11),
)
