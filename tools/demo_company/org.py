"""The organisation chart: departments, heads, and everyone's place and leader.

Ten functions form the top level under the root. Larger companies grow sub-departments
(研发一部, 研发一部二组, …) inside the big functions, so names stay unique and the roster
can name a department instead of quoting its id.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo_company.model import ROOT_DEPARTMENT_ID, Department, Employee, Role
from demo_company.names import UseridAllocator, random_name
from demo_company.workdays import is_working_day

# (name, share of staff, share of sub-departments, stem for sub-department names)
FUNCTIONS: tuple[tuple[str, float, float, str], ...] = (
    ("总经办", 0.03, 0.0, "总经办"),
    ("人力资源部", 0.04, 0.03, "人力资源"),
    ("行政部", 0.04, 0.03, "行政"),
    ("财务部", 0.05, 0.05, "财务"),
    ("法务部", 0.02, 0.0, "法务"),
    ("信息安全部", 0.03, 0.03, "信息安全"),
    ("研发部", 0.32, 0.34, "研发"),
    ("销售部", 0.20, 0.22, "销售"),
    ("市场部", 0.10, 0.10, "市场"),
    ("客服部", 0.17, 0.20, "客服"),
)
FUNCTION_NAMES = tuple(f[0] for f in FUNCTIONS)

POSITIONS: dict[str, tuple[str, ...]] = {
    "总经办": ("总经理助理", "秘书"),
    "人力资源部": ("招聘专员", "薪酬专员", "培训专员"),
    "行政部": ("行政专员", "前台"),
    "财务部": ("会计", "出纳", "财务分析师"),
    "法务部": ("法务专员", "法律顾问"),
    "信息安全部": ("安全工程师", "运维工程师"),
    "研发部": ("软件工程师", "高级工程师", "测试工程师", "产品经理"),
    "销售部": ("销售代表", "客户经理", "大客户经理"),
    "市场部": ("市场专员", "品牌经理"),
    "客服部": ("客服专员", "客服组长"),
}
# Heads of these functions hold the function's role rather than plain "manager".
HEAD_ROLES: dict[str, Role] = {"总经办": "leadership", "人力资源部": "hr", "行政部": "admin", "信息安全部": "infosec"}
# How many people beyond the head hold each function's role.
FUNCTION_STAFF: dict[str, tuple[tuple[Role, int, str], ...]] = {
    "总经办": (("leadership", 2, "副总经理"),),
    "人力资源部": (("hr", 2, "HRBP"),),
    "行政部": (("admin", 1, "行政主管"),),
    "信息安全部": (("infosec", 2, "信息安全工程师"), ("it", 2, "IT 工程师")),
}
EARLIEST_HIRE = date(2012, 1, 1)
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五; 100 and more stay in digits."""
    if not 1 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十"))
    return text + (_DIGITS[ones] if ones else "")


def _largest_remainder(total: int, shares: list[float]) -> list[int]:
    weight = sum(shares)
    if total <= 0 or weight <= 0:
        return [0] * len(shares)
    raw = [total * s / weight for s in shares]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class OrgChart:
    departments: dict[int, Department]
    employees: list[Employee]
    function_of: dict[int, str]  # department id → top-level function name
    top_ids: dict[str, int]  # function name → its top-level department id
    heads: dict[int, str]


def build_departments(n_departments: int, root_name: str) -> tuple[list[tuple[int, str, int, str]], dict[str, int]]:
    """(id, name, parent id, function) for every department, parents first; ids from 2."""
    rows: list[tuple[int, str, int, str]] = [(ROOT_DEPARTMENT_ID, root_name, 0, "")]
    top_ids: dict[str, int] = {}
    next_id = 2
    for name, *_ in FUNCTIONS:
        rows.append((next_id, name, ROOT_DEPARTMENT_ID, name))
        top_ids[name] = next_id
        next_id += 1
    subs = _largest_remainder(n_departments - len(FUNCTIONS), [f[2] for f in FUNCTIONS])
    for (name, _, _, stem), count in zip(FUNCTIONS, subs):
        if count == 0:
            continue
        # Sub-departments form a second level, and a third one when there are many.
        level2 = count if count <= 3 else math.ceil(math.sqrt(count))
        level3 = count - level2
        per_unit = _largest_remainder(level3, [1.0] * level2)
        for i in range(level2):
            unit_id, unit_name = next_id, f"{stem}{chinese_number(i + 1)}部"
            rows.append((unit_id, unit_name, top_ids[name], name))
            next_id += 1
            for j in range(per_unit[i]):
                rows.append((next_id, f"{unit_name}{chinese_number(j + 1)}组", unit_id, name))
                next_id += 1
    return rows, top_ids


def _hire_date(rng: random.Random, latest: date) -> date:
    day = date.fromordinal(rng.randint(EARLIEST_HIRE.toordinal(), latest.toordinal()))
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def build_org(
    rng: random.Random,
    *,
    n_employees: int,
    n_departments: int,
    root_name: str,
    latest_hire: date,
    numbered_userids: bool,
) -> OrgChart:
    rows, top_ids = build_departments(n_departments, root_name)
    parents = {dept_id: parent for dept_id, _, parent, _ in rows}
    function_of = {dept_id: function for dept_id, _, _, function in rows if dept_id != ROOT_DEPARTMENT_ID}
    by_function: dict[str, list[int]] = {name: [] for name in FUNCTION_NAMES}
    for dept_id, function in function_of.items():
        by_function[function].append(dept_id)
    has_children = {parent for parent in parents.values()}

    staff = _largest_remainder(n_employees, [f[1] for f in FUNCTIONS])
    for (name, *_), count in zip(FUNCTIONS, staff):
        needed = len(by_function[name]) + sum(k for _, k, _ in FUNCTION_STAFF.get(name, ()))
        if count < needed + 1:
            raise ValueError(
                f"{n_employees} employees are too few for {n_departments} departments: {name} gets "
                f"{count} people but needs at least {needed + 1}; give more employees or fewer departments"
            )

    ids = UseridAllocator(numbered=numbered_userids)
    employees: list[Employee] = []
    heads: dict[int, str] = {}

    def person(department_id: int, leader: str | None, role: Role, position: str) -> Employee:
        name, pinyin = random_name(rng)
        emp = Employee(
            userid=ids.allocate(pinyin),
            name=name,
            department_id=department_id,
            direct_leader=leader,
            role=role,
            hire_date=_hire_date(rng, latest_hire),
            position=position,
        )
        employees.append(emp)
        return emp

    # Heads first, top-down (rows are parents-first), so every leader exists before use.
    ceo_dept = top_ids["总经办"]
    for dept_id, _, parent, function in rows[1:]:
        if dept_id == ceo_dept:
            leader, role, position = None, "leadership", "总经理"
        else:
            leader = heads[parent] if parent != ROOT_DEPARTMENT_ID else heads[ceo_dept]
            is_top = parent == ROOT_DEPARTMENT_ID
            role = HEAD_ROLES.get(function, "manager") if is_top else "manager"
            position = f"{function}负责人" if is_top else "经理"
        heads[dept_id] = person(dept_id, leader, role, position).userid

    for (function, *_), count in zip(FUNCTIONS, staff):
        top = top_ids[function]
        remaining = count - len(by_function[function])
        for role, k, position in FUNCTION_STAFF.get(function, ()):
            for _ in range(k):
                person(top, heads[top], role, position)
            remaining -= k
        depts = by_function[function]
        # Leaf teams hold most people; units with teams below them keep a few of their own.
        weights = [1.0 if d in has_children else 3.0 for d in depts]
        positions = POSITIONS[function]
        for dept_id in rng.choices(depts, weights=weights, k=remaining):
            person(dept_id, heads[dept_id], "employee", rng.choice(positions))

    departments = {
        dept_id: Department(
            id=dept_id,
            name=name,
            parent_id=parent,
            head=heads.get(dept_id),
            account_owner=heads.get(dept_id),
            function=function,
        )
        for dept_id, name, parent, function in rows
    }
    return OrgChart(departments=departments, employees=employees, function_of=function_of, top_ids=top_ids, heads=heads)
