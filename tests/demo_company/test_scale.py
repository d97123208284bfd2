"""The benchmark sizes: 100k people across ~1000 departments, written as one streamed CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from demo_company import build_company, write_roster_csv


@pytest.mark.slow
def test_100k_company_and_roster(tmp_path: Path) -> None:
    company = build_company(100_000, 1000, seed=7)
    assert len(company.employees) == 100_000
    assert len(company.departments) == 1001  # 1000 plus the root
    path = write_roster_csv(company, tmp_path / "roster-100k.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100_000
    userids = [r["userid"] for r in rows]
    assert len(set(userids)) == 100_000 and all(re.fullmatch(r"u\d{6}", u) for u in userids)
    known = set(userids)
    assert all(r["direct_leader"] in known for r in rows if r["direct_leader"])
    names = {d.name for d in company.departments.values()}
    assert len(names) == 1001 and all(r["department"] in names for r in rows)
    assert company.scenario.leaver.userid in known and company.scenario.mover.userid in known
