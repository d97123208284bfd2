"""HR roster import: CSV or XLSX, UTF-8 (with or without BOM) or GBK, all-or-nothing.

Columns (English or Chinese headers; order free; unknown columns ignored):

| column          | 中文别名           | required | notes                                              |
|-----------------|--------------------|----------|----------------------------------------------------|
| `userid`        | 工号 / 账号         | yes      | WeCom userid: 1-64 of letters, digits, `_-@.`      |
| `name`          | 姓名               | yes      |                                                    |
| `department`    | 部门               | yes      | WeCom department id, name, or path `总部/研发部`     |
| `direct_leader` | 直属上级 / 直接上级 | column   | a userid in this file or already in the records    |
| `role`          | 角色               | column   | empty = employee; see `ROLE_ALIASES`               |
| `hire_date`     | 入职日期           | yes      | YYYY-MM-DD (also YYYY/M/D, YYYY.M.D, YYYYMMDD, YYYY年M月D日) |
| `leave_date`    | 离职日期           | column   | empty while employed                               |
| `transfer_date` | 调岗日期           | no       | when the department last changed                   |
| `position`      | 职位 / 岗位         | no       |                                                    |

Departments come from the WeCom directory sync; a roster cannot invent one. Someone
missing from a later roster is not assumed to have left: HR sets `leave_date`.

Any problem in any row fails the whole import, listing every problem by row and column,
and nothing is written. A valid import is an upsert that records who joined, left or
moved; re-importing the same file writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.errors import UserFacingError
from wecomply.records.bulk import upsert
from wecomply.records.models import (
    ChangeKind,
    Department,
    DirectoryChange,
    DirectorySyncRun,
    Employee,
    EmployeeStatus,
    Role,
    Source,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "userid": ("userid", "user_id", "工号", "账号", "企业微信账号", "成员账号"),
    "name": ("name", "姓名"),
    "department": ("department", "dept", "部门"),
    "direct_leader": ("direct_leader", "leader", "直属上级", "直接上级", "上级"),
    "role": ("role", "角色"),
    "hire_date": ("hire_date", "入职日期"),
    "leave_date": ("leave_date", "离职日期"),
    "transfer_date": ("transfer_date", "调岗日期", "转岗日期"),
    "position": ("position", "职位", "岗位"),
}
REQUIRED_COLUMNS = ("userid", "name", "department", "direct_leader", "role", "hire_date", "leave_date")

ROLE_ALIASES: dict[str, Role] = {
    **{r.value: r for r in Role},
    "员工": Role.EMPLOYEE,
    "普通员工": Role.EMPLOYEE,
    "经理": Role.MANAGER,
    "主管": Role.MANAGER,
    "部门负责人": Role.DEPARTMENT_HEAD,
    "部门主管": Role.DEPARTMENT_HEAD,
    "部门经理": Role.DEPARTMENT_HEAD,
    "人事": Role.HR,
    "人力资源": Role.HR,
    "行政": Role.ADMIN,
    "管理员": Role.ADMIN,
    "信息技术": Role.IT,
    "信息安全": Role.INFOSEC,
    "领导": Role.LEADERSHIP,
    "公司领导": Role.LEADERSHIP,
    "管理层": Role.LEADERSHIP,
}

_USERID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-@.]{0,63}")
_USERID_CHARS = re.compile(r"[A-Za-z0-9_\-@.]+")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100
NAME_MAX = 64


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1 = the header row; None = the file as a whole
    column: str | None
    zh: str
    en: str

    def __str__(self) -> str:
        where_zh = "文件" if self.row is None else f"第 {self.row} 行"
        where_en = "file" if self.row is None else f"row {self.row}"
        if self.column:
            where_zh += f"，列 {self.column}"
            where_en += f", column {self.column}"
        return f"{where_zh}：{self.zh} / {where_en}: {self.en}"


class RosterError(UserFacingError):
    """The roster was rejected; `problems` lists every one, nothing was written."""

    def __init__(self, path: Path | str, problems: Sequence[Problem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"花名册 {self.path} 有 {len(self.problems)} 个问题，未导入任何数据，请修正后重新导入"
            f" / roster {self.path} has {len(self.problems)} problem(s); nothing was imported, "
            f"fix them and import again:\n{lines}"
        )


@dataclass(frozen=True)
class RosterRow:
    row: int
    userid: str
    name: str
    department_id: int
    direct_leader: str | None
    role: Role
    hire_date: date
    leave_date: date | None
    transfer_date: date | None
    position: str | None


@dataclass(frozen=True)
class Change:
    userid: str
    kind: ChangeKind
    from_department_id: int | None
    to_department_id: int | None
    effective_on: date | None

    def describe(self, departments: Mapping[int, str]) -> str:
        labels = {
            ChangeKind.JOINED: "入职 / joined",
            ChangeKind.LEFT: "离职 / left",
            ChangeKind.MOVED: "调岗 / moved",
            ChangeKind.REJOINED: "返聘 / rejoined",
        }
        dept = lambda i: departments.get(i, str(i)) if i is not None else "-"  # noqa: E731
        where = f"{dept(self.from_department_id)} → {dept(self.to_department_id)}" if self.kind is ChangeKind.MOVED else dept(self.to_department_id)
        when = f" ({self.effective_on.isoformat()})" if self.effective_on else ""
        return f"{labels[self.kind]}: {self.userid} {where}{when}"


@dataclass
class ImportResult:
    path: str
    rows: int
    changes: list[Change] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    sync_run_id: int | None = None

    @property
    def wrote(self) -> bool:
        return not self.dry_run and (self.created + self.updated) > 0


# --- reading -------------------------------------------------------------------------------


def read_table(path: Path) -> list[tuple[int, list[Any]]]:
    """The file's non-empty rows as (row number, cells); row 1 is the header."""
    if not path.is_file():
        raise UserFacingError(f"找不到花名册文件 {path} / roster file {path} not found; check the path")
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserFacingError(
            f"{path} 是旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV UTF-8 / {path} is a legacy .xls "
            "workbook; save it as .xlsx or CSV UTF-8"
        )
    text = _decode(path, data)
    rows = []
    for index, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if any(c.strip() for c in cells):
            rows.append((index, list(cells)))
    return rows


def _decode(path: Path, data: bytes) -> str:
    fix = (
        "请在 Excel 中「另存为 → CSV UTF-8（逗号分隔）」，或保存为 GBK 编码的 CSV / re-save it from "
        'Excel as "CSV UTF-8 (Comma delimited)", or as GBK-encoded CSV'
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise UserFacingError(f"文件 {path} 是 UTF-16 或二进制编码，无法读取。{fix}")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserFacingError(
                f"文件 {path} 声明为 UTF-8 但第 {exc.start} 字节起不是有效的 UTF-8 / file {path} has a "
                f"UTF-8 BOM but invalid UTF-8 at byte {exc.start}. {fix}"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gbk")
    except UnicodeDecodeError as exc:
        raise UserFacingError(
            f"文件 {path} 的编码既不是 UTF-8 也不是 GBK（第 {exc.start} 字节无法解码）/ file {path} is "
            f"neither UTF-8 nor GBK (undecodable byte at {exc.start}). {fix}"
        ) from None


def _read_xlsx(path: Path) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise UserFacingError(
            f"无法打开 Excel 文件 {path}：{type(exc).__name__} / cannot open workbook {path}: "
            f"{exc}; save it again from Excel as .xlsx"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in values]
            if any(str(c).strip() for c in cells):
                rows.append((index, cells))
        return rows
    finally:
        workbook.close()


# --- validating ---------------------------------------------------------------------------


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _map_header(cells: Sequence[Any]) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    lookup = {alias.lower(): canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases}
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        label = _clean(cell)
        canonical = lookup.get(label.lower())
        if canonical is None:
            continue
        if canonical in positions:
            problems.append(
                Problem(1, label, f"列 {canonical} 出现了两次", f"column {canonical} appears twice; keep one")
            )
            continue
        positions[canonical] = index
        labels[canonical] = label if label.lower() == canonical else f"{label} ({canonical})"
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        aliases = "; ".join(
            f"{c} = {'/'.join(a for a in COLUMN_ALIASES[c] if not a.isascii())}" for c in missing
        )
        problems.append(
            Problem(
                1,
                None,
                f"缺少必需的列：{', '.join(missing)}（可用中文表头：{aliases}）",
                f"missing required column(s): {', '.join(missing)} (Chinese headers accepted: {aliases}); "
                "if the header looks right, check the file's encoding (UTF-8 or GBK)",
            )
        )
    return positions, labels, problems


def parse_date(value: Any) -> tuple[date | None, str | None]:
    """(date, None), (None, None) for empty, or (None, reason) for a bad value."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        from datetime import timedelta

        return date(1899, 12, 30) + timedelta(days=int(value)), None  # an Excel serial day
    text = _clean(value)
    if not text:
        return None, None
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                parsed = date(year, month, day)
            except ValueError:
                return None, "impossible"
            if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
                return None, "implausible"
            return parsed, None
    return None, "unparseable"


@dataclass
class _Departments:
    by_id: dict[int, str]
    by_name: dict[str, list[int]]
    by_path: dict[str, int]

    @classmethod
    def load(cls, session: Session) -> _Departments:
        rows = session.execute(sa.select(Department.id, Department.name, Department.parent_id)).all()
        by_id = {r.id: r.name for r in rows}
        parents = {r.id: r.parent_id for r in rows}
        by_name: dict[str, list[int]] = {}
        by_path: dict[str, int] = {}
        for r in rows:
            by_name.setdefault(r.name, []).append(r.id)
            names, node, seen = [], r.id, set()
            while node in by_id and node not in seen:
                seen.add(node)
                names.append(by_id[node])
                node = parents.get(node)
            by_path["/".join(reversed(names))] = r.id
        return cls(by_id, by_name, by_path)

    def resolve(self, text: str) -> tuple[int | None, str | None]:
        if text.isdigit() and int(text) in self.by_id:
            return int(text), None
        if "/" in text:
            found = self.by_path.get(text.strip("/"))
            if found is not None:
                return found, None
            # A path may also start below the root department.
            matches = [i for p, i in self.by_path.items() if p.endswith("/" + text.strip("/"))]
            if len(matches) == 1:
                return matches[0], None
            return None, "unknown"
        ids = self.by_name.get(text, [])
        if len(ids) == 1:
            return ids[0], None
        return None, "ambiguous" if ids else "unknown"


def validate(
    table: Sequence[tuple[int, Sequence[Any]]], *, session: Session, today: date
) -> tuple[list[RosterRow], list[Problem]]:
    """Check every row against the rules and the records; return the rows and all problems."""
    if not table:
        return [], [Problem(None, None, "文件是空的", "the file is empty; it needs a header row and data rows")]
    header_row, header = table[0]
    positions, labels, problems = _map_header(header)
    if any(p.row == 1 and p.column is None for p in problems):
        return [], problems
    if len(table) == 1:
        return [], [*problems, Problem(None, None, "只有表头没有数据", "the file has a header but no data rows")]
    departments = _Departments.load(session)
    known = {
        r.userid.lower(): r
        for r in session.execute(sa.select(Employee.userid, Employee.leave_date, Employee.status))
    }

    raw_rows: list[dict[str, Any]] = []
    width = len(header)
    for number, cells in table[1:]:
        values = {c: (cells[i] if i < len(cells) else "") for c, i in positions.items()}
        values["_row"] = number
        raw_rows.append(values)
        extra = [c for c in cells[width:] if _clean(c)]
        if extra:
            problems.append(
                Problem(number, None, f"比表头多出 {len(extra)} 个值（可能是未加引号的逗号）",
                        f"{len(extra)} value(s) beyond the header (an unquoted comma?)")
            )

    counts: dict[str, list[int]] = {}
    for values in raw_rows:
        uid = _clean(values["userid"])
        if uid:
            counts.setdefault(uid.lower(), []).append(values["_row"])

    def col(name: str) -> str:
        return labels.get(name, name)

    rows: list[RosterRow] = []
    leaders: dict[str, tuple[int, str]] = {}
    in_file: dict[str, dict[str, Any]] = {}
    for values in raw_rows:
        n = values["_row"]
        before = len(problems)

        def bad(column: str, zh: str, en: str, _n: int = n) -> None:
            problems.append(Problem(_n, col(column), zh, en))

        userid = _clean(values["userid"])
        if not userid:
            bad("userid", "userid 为空", "userid is empty; every employee needs their WeCom userid")
        elif len(userid.encode("utf-8")) > 64:
            bad("userid", f"userid {userid!r} 超过 64 字节", f"userid {userid!r} is longer than 64 bytes")
        elif not _USERID_CHARS.fullmatch(userid):
            bad("userid", f"userid {userid!r} 含有不允许的字符（只能用字母、数字和 _-@.）",
                f"userid {userid!r} has characters WeCom does not allow (only letters, digits and _-@.)")
        elif not _USERID.fullmatch(userid):
            bad("userid", f"userid {userid!r} 必须以字母或数字开头", f"userid {userid!r} must start with a letter or digit")
        elif len(counts[userid.lower()]) > 1:
            others = [r for r in counts[userid.lower()] if r != n]
            bad("userid", f"userid {userid!r} 与第 {', '.join(map(str, others))} 行重复（不区分大小写）",
                f"userid {userid!r} duplicates row(s) {', '.join(map(str, others))} (WeCom ignores case)")

        name = _clean(values["name"])
        if not name:
            bad("name", "姓名为空", "name is empty")
        elif len(name) > NAME_MAX:
            bad("name", f"姓名超过 {NAME_MAX} 个字符", f"name is longer than {NAME_MAX} characters")
        elif _CONTROL.search(str(values["name"])):
            bad("name", "姓名含有换行或控制字符", "name contains a line break or control character")

        department_text = _clean(values["department"])
        department_id: int | None = None
        if not department_text:
            bad("department", "部门为空", "department is empty")
        else:
            department_id, why = departments.resolve(department_text)
            if why == "ambiguous":
                bad("department", f"部门名 {department_text!r} 不唯一，请填写部门 ID 或完整路径（如 总部/研发部）",
                    f"department name {department_text!r} is ambiguous; use its id or full path (e.g. HQ/R&D)")
            elif why == "unknown":
                bad("department", f"未知部门 {department_text!r}：请先同步企业微信通讯录，或填写已有部门的 ID/名称",
                    f"unknown department {department_text!r}; sync the WeCom directory first or use an existing id/name")

        role_text = _clean(values["role"])
        role = ROLE_ALIASES.get(role_text.lower() if role_text.isascii() else role_text) if role_text else Role.EMPLOYEE
        if role is None:
            allowed = ", ".join(r.value for r in Role)
            bad("role", f"未知角色 {role_text!r}，可选：{allowed}（或中文：员工、经理、部门负责人、人事、行政、信息安全、领导）",
                f"unknown role {role_text!r}; allowed: {allowed} (or their Chinese names)")

        dates: dict[str, date | None] = {}
        for column in ("hire_date", "leave_date", "transfer_date"):
            if column not in positions:
                dates[column] = None
                continue
            parsed, why = parse_date(values[column])
            dates[column] = parsed
            shown = _clean(values[column])
            if why == "unparseable":
                bad(column, f"无法识别的日期 {shown!r}，请使用 YYYY-MM-DD", f"unparseable date {shown!r}; use YYYY-MM-DD")
            elif why == "impossible":
                bad(column, f"不存在的日期 {shown!r}", f"impossible date {shown!r} (no such day)")
            elif why == "implausible":
                bad(column, f"日期 {shown!r} 不在 {EARLIEST_YEAR}-{LATEST_YEAR} 年之间",
                    f"date {shown!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
        hire, leave, transfer = dates["hire_date"], dates["leave_date"], dates["transfer_date"]
        if hire is None and not _clean(values["hire_date"]):
            bad("hire_date", "入职日期为空", "hire_date is empty")
        if hire and leave and leave < hire:
            bad("leave_date", f"离职日期 {leave} 早于入职日期 {hire}", f"leave_date {leave} is before hire_date {hire}")
        if hire and transfer and transfer < hire:
            bad("transfer_date", f"调岗日期 {transfer} 早于入职日期 {hire}", f"transfer_date {transfer} is before hire_date {hire}")
        if leave and transfer and transfer > leave:
            bad("transfer_date", f"调岗日期 {transfer} 晚于离职日期 {leave}", f"transfer_date {transfer} is after leave_date {leave}")

        leader = _clean(values["direct_leader"]) or None
        if leader and userid and leader.lower() == userid.lower():
            bad("direct_leader", "直属上级不能是本人", "direct_leader cannot be the employee themself")
            leader = None
        if leader:
            leaders[userid.lower()] = (n, leader)

        if len(problems) == before:
            assert hire is not None and department_id is not None and role is not None
            in_file[userid.lower()] = {"row": n, "leave_date": leave}
            rows.append(
                RosterRow(
                    row=n,
                    userid=userid,
                    name=name,
                    department_id=department_id,
                    direct_leader=leader,
                    role=role,
                    hire_date=hire,
                    leave_date=leave,
                    transfer_date=transfer,
                    position=_clean(values.get("position")) or None,
                )
            )
        elif userid:
            in_file.setdefault(userid.lower(), {"row": n, "leave_date": None})

    file_userids = {_clean(v["userid"]).lower() for v in raw_rows if _clean(v["userid"])}
    for _subject, (n, leader) in sorted(leaders.items(), key=lambda item: item[1][0]):
        key = leader.lower()
        if key in file_userids:
            leave = in_file.get(key, {}).get("leave_date")
            if leave is not None and leave <= today:
                problems.append(Problem(n, col("direct_leader"), f"直属上级 {leader!r} 已于 {leave} 离职",
                                        f"direct leader {leader!r} left on {leave}; name their successor"))
        elif key in known:
            record = known[key]
            if record.status == EmployeeStatus.LEFT or (record.leave_date and record.leave_date <= today):
                problems.append(Problem(n, col("direct_leader"), f"直属上级 {leader!r} 已离职",
                                        f"direct leader {leader!r} has left; name their successor"))
        else:
            problems.append(Problem(n, col("direct_leader"), f"未知的直属上级 {leader!r}：既不在本文件中，也不在已有记录中",
                                    f"unknown direct leader {leader!r}: not in this file nor in the records"))
    problems.extend(_leader_cycles(leaders, col("direct_leader")))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return rows, problems


def _leader_cycles(leaders: Mapping[str, tuple[int, str]], column: str) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[str] = set()
    for start in leaders:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in leaders and node not in path:
            path.append(node)
            node = leaders[node][1].lower()
        if node is not None and node in path:
            cycle = path[path.index(node):]
            if reported.isdisjoint(cycle):
                reported.update(cycle)
                chain = " → ".join([*cycle, cycle[0]])
                for member in cycle:
                    problems.append(Problem(leaders[member][0], column, f"直属上级形成循环：{chain}",
                                            f"direct leaders form a loop: {chain}"))
    return problems


# --- applying --------------------------------------------------------------------------------


def _status(leave: date | None, today: date) -> str:
    return EmployeeStatus.LEFT.value if leave is not None and leave <= today else EmployeeStatus.ACTIVE.value


def import_roster(path: Path | str, *, session: Session, now: datetime, dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then upsert it (unless `dry_run`); never commits.

    Raises `RosterError` listing every problem when any row is bad (nothing written).
    """
    path = Path(path)
    today = now.astimezone(SHANGHAI).date()
    rows, problems = validate(read_table(path), session=session, today=today)
    if problems:
        raise RosterError(path, problems)

    e = Employee.__table__
    existing = {
        r.userid.lower(): r
        for r in session.execute(
            sa.select(
                e.c.userid, e.c.name, e.c.department_id, e.c.direct_leader_userid, e.c.role, e.c.position,
                e.c.hire_date, e.c.leave_date, e.c.transfer_date, e.c.status, e.c.in_roster,
            )
        )
    }
    result = ImportResult(path=str(path), rows=len(rows), dry_run=dry_run)
    writes: list[dict[str, Any]] = []
    for row in rows:
        old = existing.get(row.userid.lower())
        userid = old.userid if old else row.userid
        values = {
            "userid": userid,
            "name": row.name,
            "department_id": row.department_id,
            "direct_leader_userid": row.direct_leader,
            "role": row.role.value,
            "position": row.position,
            "hire_date": row.hire_date,
            "leave_date": row.leave_date,
            "transfer_date": row.transfer_date,
            "status": _status(row.leave_date, today),
            "in_roster": True,
        }
        if old is None:
            result.created += 1
            result.changes.append(Change(userid, ChangeKind.JOINED, None, row.department_id, row.hire_date))
            writes.append({**values, "source": Source.ROSTER.value, "created_at": now, "updated_at": now})
            continue
        if row.transfer_date is None:
            # The file does not say when: keep what the records know.
            values["transfer_date"] = old.transfer_date
        if all(getattr(old, k) == v for k, v in values.items() if k != "userid"):
            result.unchanged += 1
            continue
        result.updated += 1
        if old.department_id != row.department_id:
            if row.transfer_date is None:
                values["transfer_date"] = today
            result.changes.append(
                Change(userid, ChangeKind.MOVED, old.department_id, row.department_id, values["transfer_date"])
            )
        if row.leave_date is not None and row.leave_date != old.leave_date:
            result.changes.append(Change(userid, ChangeKind.LEFT, row.department_id, row.department_id, row.leave_date))
        elif row.leave_date is None and old.leave_date is not None:
            result.changes.append(Change(userid, ChangeKind.REJOINED, None, row.department_id, row.hire_date))
        writes.append({**values, "source": Source.ROSTER.value, "created_at": now, "updated_at": now})

    if dry_run or not writes:
        return result
    upsert(
        session,
        e,
        writes,
        conflict=("userid",),
        update=(
            "name", "department_id", "direct_leader_userid", "role", "position", "hire_date",
            "leave_date", "transfer_date", "status", "in_roster", "updated_at",
        ),
    )
    run = DirectorySyncRun(
        source=Source.ROSTER.value,
        run_id=path.name[:250],
        started_at=now,
        finished_at=now,
        counts={"rows": result.rows, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, **_count_kinds(result.changes)},
    )
    session.add(run)
    session.flush()
    result.sync_run_id = run.id
    if not result.changes:
        return result
    session.execute(
        sa.insert(DirectoryChange.__table__),
        [
            {
                "sync_run_id": run.id,
                "userid": c.userid,
                "kind": c.kind.value,
                "source": Source.ROSTER.value,
                "from_department_id": c.from_department_id,
                "to_department_id": c.to_department_id,
                "effective_on": c.effective_on,
                "detected_at": now,
            }
            for c in result.changes
        ],
    )
    return result


def _count_kinds(changes: Iterable[Change]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind.value] = counts.get(change.kind.value, 0) + 1
    return counts
