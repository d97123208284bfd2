"""Roster import: all-or-nothing validation, encodings, and an idempotent upsert."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.cli import main
from wecomply.records.directory import DepartmentRecord, upsert_departments
from wecomply.records.models import DirectoryChange, DirectorySyncRun, Employee
from wecomply.roster import RosterError, import_roster

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)
HEADER = ["userid", "name", "department", "direct_leader", "role", "hire_date", "leave_date", "transfer_date"]


def seed(db: RecordsDB) -> None:
    with db.sessions.begin() as session:
        upsert_departments(
            [
                DepartmentRecord(1, "总部"),
                DepartmentRecord(2, "研发部", 1),
                DepartmentRecord(3, "销售部", 1),
                DepartmentRecord(4, "支持", 2),
                DepartmentRecord(5, "支持", 3),
            ],
            session=session,
            now=NOW,
        )
        session.add_all(
            [
                Employee(userid="dbleader", name="老板", department_id=1, role="leadership", status="active", source="roster", in_roster=True),
                Employee(userid="oldboss", name="前任", department_id=1, status="left", leave_date=date(2024, 1, 1), source="roster", in_roster=True),
            ]
        )


def write_csv(path: Path, rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def row(userid: str, name: str = "张三", department: str = "研发部", leader: str = "dbleader", role: str = "employee",
        hire: str = "2024-01-01", leave: str = "", transfer: str = "") -> list[str]:
    return [userid, name, department, leader, role, hire, leave, transfer]


# (row number in the file, column, a phrase of the English message) — one per kind of problem.
BAD_ROWS: list[tuple[list[str], str | None, str]] = [
    (row("alice"), None, ""),  # a good row: still nothing may be written
    (row(""), "userid", "userid is empty"),
    (row("carol"), "userid", "duplicates row(s) 5"),
    (row("Carol"), "userid", "duplicates row(s) 4"),
    (row("dan!"), "userid", "characters WeCom does not allow"),
    (row("x" * 65), "userid", "longer than 64 bytes"),
    (row("_eve"), "userid", "must start with a letter or digit"),
    (row("frank", name=""), "name", "name is empty"),
    (row("gina", name="名" * 65), "name", "longer than 64 characters"),
    (row("hank", name="Ha\nnk"), "name", "line break"),
    (row("ivy", department=""), "department", "department is empty"),
    (row("jack", department="市场部"), "department", "unknown department"),
    (row("kate", department="支持"), "department", "is ambiguous"),
    (row("liam", leader="nobody"), "direct_leader", "unknown direct leader 'nobody'"),
    (row("mia", leader="mia"), "direct_leader", "cannot be the employee themself"),
    (row("noah", leader="oldboss"), "direct_leader", "has left"),
    (row("olga", role="保安"), "role", "unknown role"),
    (row("pete", hire=""), "hire_date", "hire_date is empty"),
    (row("quin", hire="next monday"), "hire_date", "unparseable date"),
    (row("rita", hire="2025-02-30"), "hire_date", "impossible date"),
    (row("sam", hire="1899-05-01"), "hire_date", "outside 1950-2100"),
    (row("tina", leave="soon"), "leave_date", "unparseable date"),
    (row("uma", leave="2025-13-01"), "leave_date", "impossible date"),
    (row("vic", hire="2024-05-01", leave="2024-04-01"), "leave_date", "is before hire_date"),
    (row("wes", hire="2024-05-01", transfer="2024-03-01"), "transfer_date", "is before hire_date"),
    (row("xena", leave="2024-06-01", transfer="2024-07-01"), "transfer_date", "is after leave_date"),
    (row("yuri") + ["stray"], None, "beyond the header"),
    (row("zoe1", leader="zoe2"), "direct_leader", "form a loop"),
    (row("zoe2", leader="zoe1"), "direct_leader", "form a loop"),
    (row("q1", leader="q2"), "direct_leader", "left on 2024-01-01"),
    (row("q2", leave="2024-01-01"), None, ""),
]


def test_a_roster_with_many_kinds_of_bad_rows_is_rejected_whole(records_db: RecordsDB, tmp_path: Path) -> None:
    seed(records_db)
    path = write_csv(tmp_path / "bad.csv", [r for r, _, _ in BAD_ROWS])

    with pytest.raises(RosterError) as caught, records_db.sessions.begin() as session:
        import_roster(path, session=session, now=NOW)

    problems = caught.value.problems
    expected = [(n, col, phrase) for n, (_, col, phrase) in enumerate(BAD_ROWS, start=2) if phrase]
    assert len({phrase for _, _, phrase in expected}) >= 20
    for number, column, phrase in expected:
        hits = [p for p in problems if p.row == number and phrase in p.en]
        assert hits, f"row {number}: no problem mentioning {phrase!r}; got {[str(p) for p in problems if p.row == number]}"
        if column:
            assert all(p.column and column in p.column for p in hits)
    assert {p.row for p in problems} == {n for n, _, _ in expected}
    assert str(path) in str(caught.value) and "nothing was imported" in str(caught.value)
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Employee)) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(DirectorySyncRun)) == 0


def test_the_cli_lists_every_problem_and_exits_non_zero(
    records_db: RecordsDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(records_db)
    path = write_csv(tmp_path / "bad.csv", [r for r, _, _ in BAD_ROWS])

    assert main(["roster", "import", str(path), "--url", records_db.url]) == 2

    err = capsys.readouterr().err
    problem_lines = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(problem_lines) == sum(1 for _, _, phrase in BAD_ROWS if phrase)
    assert any("第 21 行，列 hire_date：不存在的日期" in line for line in problem_lines)


def test_a_valid_import_upserts_and_records_who_joined_left_or_moved(
    records_db: RecordsDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(records_db)
    first = write_csv(tmp_path / "roster.csv", [row("alice"), row("bob", leader="alice"), row("cindy", department="销售部")])
    assert main(["roster", "import", str(first), "--url", records_db.url]) == 0
    out = capsys.readouterr().out
    assert out.count("入职 / joined") == 3

    second = write_csv(
        tmp_path / "roster2.csv",
        [row("alice", department="销售部", transfer="2025-02-01"), row("bob", leader="alice", leave="2025-02-28"),
         row("cindy", department="销售部"), row("dave", department="2")],
    )
    assert main(["roster", "import", str(second), "--url", records_db.url, "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main(["roster", "import", str(second), "--url", records_db.url]) == 0
    out = capsys.readouterr().out
    assert "调岗 / moved: alice 研发部 → 销售部 (2025-02-01)" in out
    assert "离职 / left: bob" in out and "入职 / joined: dave 研发部" in out

    with records_db.sessions() as session:
        changes = session.execute(
            sa.select(DirectoryChange.userid, DirectoryChange.kind).order_by(DirectoryChange.id)
        ).all()
        bob = session.scalar(sa.select(Employee).where(Employee.userid == "bob"))
        runs = session.scalar(sa.select(sa.func.count()).select_from(DirectorySyncRun))
        stamp = session.scalar(sa.select(sa.func.max(Employee.updated_at)))
    assert [tuple(c) for c in changes] == [
        ("alice", "joined"), ("bob", "joined"), ("cindy", "joined"),
        ("alice", "moved"), ("bob", "left"), ("dave", "joined"),
    ]
    assert (bob.status, bob.leave_date) == ("left", date(2025, 2, 28))

    # Re-importing the same file writes nothing at all.
    with records_db.sessions.begin() as session:
        result = import_roster(second, session=session, now=NOW)
    assert (result.created, result.updated, result.unchanged, result.changes) == (0, 0, 4, [])
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(DirectorySyncRun)) == runs
        assert session.scalar(sa.select(sa.func.max(Employee.updated_at))) == stamp


def test_gbk_csv_and_xlsx_with_chinese_headers(records_db: RecordsDB, tmp_path: Path) -> None:
    import openpyxl

    seed(records_db)
    chinese = ["工号", "姓名", "部门", "直属上级", "角色", "入职日期", "离职日期"]
    gbk = write_csv(tmp_path / "gbk.csv", [["wang", "王五", "总部/研发部", "", "经理", "2024年3月1日", ""]], header=chinese, encoding="gbk")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + write_csv(tmp_path / "plain.csv", [["li", "李四", "3", "wang", "", "2024/3/2", ""]], header=chinese).read_bytes())

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(chinese)
    sheet.append([1001, "赵六", "销售部", "wang", "员工", datetime(2024, 3, 4), None])
    xlsx = tmp_path / "roster.xlsx"
    workbook.save(xlsx)

    with records_db.sessions.begin() as session:
        for path in (gbk, bom, xlsx):
            import_roster(path, session=session, now=NOW)
    with records_db.sessions() as session:
        people = {e.userid: e for e in session.scalars(sa.select(Employee))}
    assert (people["wang"].name, people["wang"].department_id, people["wang"].role) == ("王五", 2, "manager")
    assert (people["li"].department_id, people["li"].hire_date, people["li"].role) == (3, date(2024, 3, 2), "employee")
    assert (people["1001"].name, people["1001"].hire_date, people["1001"].direct_leader_userid) == ("赵六", date(2024, 3, 4), "wang")


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("userid,name\n".encode("utf-16"), "UTF-16"),
        (b"\xef\xbb\xbfuserid,name\n\xff\xfe\n", "invalid UTF-8"),
        (b"userid,name\n\x81\x20\xff\n", "neither UTF-8 nor GBK"),
    ],
)
def test_a_wrong_encoding_names_the_file_and_the_fix(
    records_db: RecordsDB, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, phrase: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    assert main(["roster", "import", str(path), "--url", records_db.url]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and phrase in err and "CSV UTF-8" in err


def test_missing_columns_are_reported_with_their_chinese_aliases(records_db: RecordsDB, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["a", "b"]], header=["工号", "姓名"])
    with pytest.raises(RosterError, match="department = 部门") as caught, records_db.sessions.begin() as session:
        import_roster(path, session=session, now=NOW)
    assert caught.value.problems[0].row == 1
