"""`build_company`: the demo company and its scenario month, deterministic from a seed.

One `random.Random(seed)` drives the organisation; the scenario's actors are then picked
from ordinary employees in fixed functions, so the same seed always casts the same people
and the same seed at another size still has every scenario role filled.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, time, timedelta
from typing import Literal

from demo_company.behaviour import ANY_DUTY, Behaviour, Persona, Plan
from demo_company.model import (
    ROOT_DEPARTMENT_ID,
    Cast,
    Company,
    Employee,
    Incident,
    Joiner,
    Leaver,
    Meeting,
    Mover,
    Notice,
    Scenario,
    Violation,
)
from demo_company.org import OrgChart, build_org, chinese_number
from demo_company.workdays import at, is_working_day, month_bounds, previous_month, working_days

COMPANY_NAME = "示例科技有限公司"
# Above this size userids are `u000123` rather than pinyin: nobody reads 100k of them.
PINYIN_USERIDS_UP_TO = 5000
MIN_EMPLOYEES = 60
# How the month's joiners treat their onboarding card (the rest click promptly).
JOINER_PERSONAS: dict[str, Persona] = {"never_trains": "never", "after_reminder": "after_reminder"}


def default_departments(n_employees: int) -> int:
    """About one department per 20 people, at least the 10 functions, at most 1000."""
    return max(10, min(1000, round(n_employees / 20)))


def build_company(
    n_employees: int = 200,
    n_departments: int | None = None,
    *,
    seed: int = 7,
    month: str = "2026-03",
    incident_variant: Literal["acknowledged", "silent"] = "acknowledged",
    mix: tuple[float, float, float] = (0.80, 0.15, 0.05),
) -> Company:
    """The company, its people, the `month`'s scenario and the click behaviour plan.

    `incident_variant="silent"`: nobody acknowledges the security incident within 30
    minutes (the responder clicks after 47 minutes, after the escalation to leadership).
    """
    if n_employees < MIN_EMPLOYEES:
        raise ValueError(f"n_employees={n_employees}: the scenario needs at least {MIN_EMPLOYEES} people")
    if incident_variant not in ("acknowledged", "silent"):
        raise ValueError(f"incident_variant={incident_variant!r}: use 'acknowledged' or 'silent'")
    n_departments = default_departments(n_employees) if n_departments is None else n_departments
    if n_departments < 10:
        raise ValueError(f"n_departments={n_departments}: at least 10 (one per function)")
    first, last = month_bounds(month)
    rng = random.Random(seed)
    org = build_org(
        rng,
        n_employees=n_employees,
        n_departments=n_departments,
        root_name=COMPANY_NAME,
        # Existing staff joined well before the month, so none of them is still onboarding.
        latest_hire=first - timedelta(days=60),
        numbered_userids=n_employees > PINYIN_USERIDS_UP_TO,
    )
    return _cast_scenario(org, random.Random(f"{seed}|scenario"), seed=seed, month=month,
                          first=first, last=last, incident_variant=incident_variant, mix=mix)


class _Picker:
    """Draws distinct ordinary employees (role "employee") from given functions."""

    def __init__(self, org: OrgChart, rng: random.Random) -> None:
        self.rng = rng
        self.pool: dict[str, list[str]] = {}
        for emp in org.employees:
            if emp.role == "employee":
                self.pool.setdefault(org.function_of[emp.department_id], []).append(emp.userid)
        self.taken: set[str] = set()

    def pick(self, function: str, k: int = 1) -> list[str]:
        free = [u for u in self.pool.get(function, []) if u not in self.taken]
        if len(free) < k:
            raise ValueError(f"not enough ordinary employees in {function} for the scenario")
        # Sample from a bounded prefix so a 100k company does not shuffle 30k ids.
        chosen = self.rng.sample(free[: max(k * 20, 50)], k)
        self.taken.update(chosen)
        return chosen

    def one(self, function: str) -> str:
        return self.pick(function)[0]


def _cast_scenario(
    org: OrgChart,
    rng: random.Random,
    *,
    seed: int,
    month: str,
    first: date,
    last: date,
    incident_variant: Literal["acknowledged", "silent"],
    mix: tuple[float, float, float],
) -> Company:
    people: dict[str, Employee] = {e.userid: e for e in org.employees}
    departments = dict(org.departments)
    top = org.top_ids
    heads = org.heads
    days = working_days(first, last)
    if len(days) < 12:
        raise ValueError(f"month {month} has only {len(days)} working days; the scenario needs 12")

    def d(index: int) -> date:
        # Positions are written for a 22-working-day month (March 2026) and stretched or
        # squeezed to this month's, so October's Golden Week still gets every event.
        return days[round(index * (len(days) - 1) / 21)]
    prev = previous_month(month)
    prev_first, prev_last = month_bounds(prev)

    def update(userid: str, **changes: object) -> None:
        people[userid] = dataclasses.replace(people[userid], **changes)

    by_role: dict[str, list[str]] = {}
    for emp in org.employees:
        by_role.setdefault(emp.role, []).append(emp.userid)
    ceo = heads[top["总经办"]]
    cast = Cast(
        ceo=ceo,
        leadership=tuple(by_role["leadership"]),
        hr=tuple(by_role["hr"]),
        admins=tuple(by_role["admin"]),
        it=tuple(by_role["it"]),
        infosec=tuple(by_role["infosec"]),
        department_heads=dict(heads),
    )
    picker = _Picker(org, rng)
    overrides: dict[tuple[str, str], Plan] = {}

    # --- joiners: hire dates spread over the month -------------------------------------------
    eve_of_weekend = next(day for day in days[4:] if not is_working_day(day + timedelta(days=1)))
    joiner_days = [
        (d(0), "研发部", "first_day"),
        (d(1), "客服部", "never_trains"),
        (eve_of_weekend, "销售部", "before_weekend"),
        (d(8), "市场部", "after_reminder"),
        (d(13), "财务部", "mid_month"),
        (d(17), "研发部", "late_month"),
    ]
    joiners: list[Joiner] = []
    for hire, function, note in joiner_days:
        userid = picker.one(function)
        update(userid, hire_date=hire)
        joiners.append(Joiner(userid, hire, people[userid].department_id, note))
        overrides[(userid, "onboarding")] = Plan(JOINER_PERSONAS.get(note, "prompt"))
    joiners.sort(key=lambda j: (j.hire_date, j.userid))
    by_note = {j.note: j.userid for j in joiners}
    training_never = by_note["never_trains"]
    before_weekend = by_note["before_weekend"]

    # --- leaver whose WeCom account stays active ------------------------------------------------
    leaver_id = picker.one("销售部")
    leave_date = d(9)
    update(leaver_id, leave_date=leave_date, wecom_status=1)
    leaver = Leaver(leaver_id, leave_date, 1)

    # --- mover: HR moved them to 市场部, WeCom still has them in their old department ---------
    mover_id = picker.one("销售部")
    old = people[mover_id]
    new_dept = top["市场部"]
    transfer = working_days(prev_first, prev_last)[-1]
    update(mover_id, department_id=new_dept, direct_leader=heads[new_dept],
           wecom_department_id=old.department_id, wecom_direct_leader=old.direct_leader)
    mover = Mover(mover_id, new_dept, old.department_id, transfer)

    # --- accounts never set up -------------------------------------------------------------
    onboarded_long_ago = first - timedelta(days=40)
    while not is_working_day(onboarded_long_ago):
        onboarded_long_ago += timedelta(days=1)
    no_account = picker.one("客服部")
    update(no_account, wecom_status=None, hire_date=onboarded_long_ago)
    not_activated = picker.one("研发部")
    update(not_activated, wecom_status=4, hire_date=onboarded_long_ago)

    # --- former employees: left last month, accounts closed (nothing to find) ---------------
    former = picker.pick("研发部", 1) + picker.pick("客服部", 1)
    prev_days = working_days(prev_first, prev_last)
    # One account an admin disabled (2), one whose owner quit the corp in WeCom (5).
    for userid, left_on, status in zip(former, (prev_days[2], prev_days[-3]), (2, 5)):
        update(userid, leave_date=left_on, wecom_status=status)

    # --- the department account without an owner ----------------------------------------
    legal = top["法务部"]
    departments[legal] = dataclasses.replace(departments[legal], account_owner=None)
    departments[ROOT_DEPARTMENT_ID] = dataclasses.replace(
        departments[ROOT_DEPARTMENT_ID], account_owner=cast.admins[0]
    )

    # --- assessment history: who failed last month ---------------------------------------
    repeat_failers = picker.pick("销售部", 1) + picker.pick("研发部", 1)
    recovered = picker.pick("客服部", 1) + picker.pick("市场部", 1)
    for userid in repeat_failers:
        overrides[(userid, ANY_DUTY)] = Plan("never")
    for userid in recovered:
        overrides[(userid, ANY_DUTY)] = Plan("prompt")
    admin = cast.admins[0]
    violations = [
        Violation(repeat_failers[0], d(3), "message_outside_hours", "非工作时间向客户群发送非紧急营销消息", 1, admin),
        Violation(repeat_failers[0], d(11), "account_sharing", "将企业微信账号借给实习生使用", 2, admin),
        Violation(repeat_failers[1], d(5), "unapproved_publication", "未经审核在全员群发布产品路线图", 2, admin),
        Violation(repeat_failers[1], d(14), "message_outside_hours", "周末多次在项目群发送非紧急工作消息", 1, admin),
    ]
    one_off = picker.one("市场部")
    violations.append(Violation(one_off, d(6), "message_outside_hours", "深夜在部门群转发非紧急通知", 1, admin))

    # --- meetings ---------------------------------------------------------------------
    rd_head, sales_head, hr_head = heads[top["研发部"]], heads[top["销售部"]], heads[top["人力资源部"]]
    rd_team = picker.pick("研发部", 5)
    sales_team = picker.pick("销售部", 4)
    month_cn = f"{chinese_number(first.month)}月"
    meeting_ids = [f"wm{rng.getrandbits(96):024x}" for _ in range(3)]
    meetings = (
        Meeting(
            key="m1", title="研发部周例会", organiser=rd_head,
            attendees=(*rd_team, repeat_failers[1]),
            start=at(d(2), time(10)), end=at(d(2), time(11)), location="5楼大会议室",
            source="api", meetingid=meeting_ids[0], minutes_after_end=timedelta(hours=3),
            absent=(rd_team[-1],),
        ),
        Meeting(
            key="m2", title=f"销售部{month_cn}客户复盘会", organiser=sales_head,
            attendees=(*sales_team, repeat_failers[0]),
            start=at(d(7), time(14)), end=at(d(7), time(15, 30)), location="线上（企业微信会议）",
            source="api", meetingid=meeting_ids[1], minutes_after_end=timedelta(hours=30),
        ),
        Meeting(
            key="m3", title="新员工入职须知说明会", organiser=hr_head,
            attendees=(*[j.userid for j in joiners if j.hire_date < d(10)][:3], *cast.hr[1:]),
            start=at(d(10), time(15)), end=at(d(10), time(16)), location="3楼培训室",
            source="manual", meetingid=None, minutes_after_end=timedelta(hours=2),
        ),
        Meeting(
            key="m4", title=f"{month_cn}经营分析会", organiser=ceo,
            attendees=(*cast.leadership[1:], *(heads[top[f]] for f in ("研发部", "销售部", "市场部", "客服部", "财务部"))),
            start=at(d(18), time(9, 30)), end=at(d(18), time(11)), location="总部1号会议室",
            source="api", meetingid=meeting_ids[2], minutes_after_end=timedelta(hours=4),
        ),
    )
    for meeting in meetings:
        minutes_persona: Persona = "after_reminder" if meeting.minutes_late else "prompt"
        overrides.setdefault((meeting.organiser, "meeting_minutes"), Plan(minutes_persona))

    # --- the security incident, reported in the evening ---------------------------------
    reporter, victim = picker.pick("销售部", 2)
    incident_day = d(12)
    responder = cast.infosec[1]
    ack_after = timedelta(minutes=8) if incident_variant == "acknowledged" else timedelta(minutes=47)
    overrides[(responder, "incident")] = Plan("prompt", ack_after)
    victim_name = people[victim].name
    incident = Incident(
        what=f"销售部员工{victim_name}的企业微信账号疑似被盗，向外部客户群发送了仿冒登录页面的钓鱼链接",
        when=f"{incident_day.isoformat()} 19:05",
        where="销售部（上海办公室）；企业微信外部客户群",
        scope="1 个员工账号；约 35 位外部联系人、3 个客户群收到消息",
        impact="可能泄露客户联系方式与报价信息；业务未中断",
        measures="已联系本人修改密码并退出所有设备登录，已撤回可撤回的消息，已提醒客户勿点击链接",
        people=(victim, reporter),
        departments=(people[victim].department_id,),
        reporter=reporter,
        reporter_department_head=people[reporter].direct_leader or sales_head,
        occurred_at=at(incident_day, time(19, 5)),
        reported_at=at(incident_day, time(19, 20)),
        variant=incident_variant,
        responder=responder,
        acknowledged_after=ack_after,
    )

    # --- an all-staff notice to acknowledge (v1 §3.2, §7.1) --------------------------------
    notices = (
        Notice(
            key="n1",
            title="关于修订《公司企业微信管理制度》的通知",
            body="公司企业微信管理制度已完成修订，自下月 1 日起施行。请全体员工阅读修订内容，并于截止时间前点击「我已阅读」确认。",
            audience_departments=(ROOT_DEPARTMENT_ID,),
            published_at=at(d(5), time(10)),
            deadline=at(d(8), time(18)),
        ),
    )

    behaviour = Behaviour(
        seed=seed,
        mix=mix,
        overrides=overrides,
        active_until={leaver_id: at(leave_date, time(18))},
    )
    scenario = Scenario(
        month=month,
        previous_month=prev,
        working_days=tuple(days),
        joiners=tuple(joiners),
        joiner_before_weekend=before_weekend,
        training_never=training_never,
        leaver=leaver,
        mover=mover,
        no_account=no_account,
        not_activated=not_activated,
        former_employees=tuple(former),
        dept_without_owner=legal,
        meetings=meetings,
        late_minutes_meeting="m2",
        manual_meeting="m3",
        incident=incident,
        failed_last_month=tuple(sorted([*repeat_failers, *recovered])),
        repeat_failers=tuple(repeat_failers),
        recovered=tuple(recovered),
        violations=tuple(violations),
        notices=notices,
    )
    actors = {
        "joiner_before_weekend": before_weekend,
        "training_never": training_never,
        "leaver": leaver_id,
        "mover": mover_id,
        "no_account": no_account,
        "not_activated": not_activated,
        "late_minutes_organiser": scenario.meeting(scenario.late_minutes_meeting).organiser,
        "manual_meeting_organiser": scenario.meeting(scenario.manual_meeting).organiser,
        "incident_reporter": reporter,
        "incident_responder": responder,
        "violation_one_off": one_off,
        **{f"repeat_failer_{i + 1}": u for i, u in enumerate(repeat_failers)},
        **{f"recovered_{i + 1}": u for i, u in enumerate(recovered)},
    }
    return Company(
        name=COMPANY_NAME,
        seed=seed,
        departments=dict(sorted(departments.items())),
        employees=people,
        cast=dataclasses.replace(cast, actors=actors),
        scenario=scenario,
        behaviour=behaviour,
    )
