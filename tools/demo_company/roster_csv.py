"""HR's roster as a CSV file, in the shape `wecomply.roster.import_roster` reads.

The department column holds the department *name* (names are unique in the demo company,
and a real HR export names departments); the importer resolves it against the directory
synced from WeCom. Rows are streamed, so a 100k roster never sits in memory as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from demo_company.model import Company, Employee

HEADER = ("userid", "name", "department", "direct_leader", "role", "hire_date", "leave_date")


def roster_rows(company: Company, *, department: Literal["name", "id", "path"] = "name") -> Iterable[tuple[str, ...]]:
    departments = company.departments
    paths: dict[int, str] = {}

    def label(dept_id: int) -> str:
        if department == "id":
            return str(dept_id)
        if department == "path":
            if dept_id not in paths:
                paths[dept_id] = company.department_path(dept_id)
            return paths[dept_id]
        return departments[dept_id].name

    for emp in company.employees.values():
        yield _row(emp, label(emp.department_id))


def _row(emp: Employee, department: str) -> tuple[str, ...]:
    return (
        emp.userid,
        emp.name,
        department,
        emp.direct_leader or "",
        emp.role,
        emp.hire_date.isoformat(),
        emp.leave_date.isoformat() if emp.leave_date else "",
    )


def write_roster_csv(
    company: Company,
    path: str | Path,
    *,
    encoding: str = "utf-8-sig",
    department: Literal["name", "id", "path"] = "name",
) -> Path:
    """Write the roster (header `userid,name,department,direct_leader,role,hire_date,leave_date`).

    `utf-8-sig` adds the BOM Excel needs to show Chinese; `gbk` gives the other encoding HR
    files commonly come in. Lines end in CRLF, as Excel writes them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(company, department=department))
    return path
