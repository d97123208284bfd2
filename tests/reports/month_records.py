"""A small company's records for March 2026 (and a little of February), with known numbers.

Seeded straight into the records tables, so the aggregation is checked against rows whose
every figure is worked out by hand in `tests/reports/test_aggregate.py`. Two departments:
销售部 (10, head s_head) and 技术部 (20, head t_head); the root department 1 carries the
company's name and holds leadership and HR.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from wecomply.records import models

SH = ZoneInfo("Asia/Shanghai")
COMPANY_NAME = "示例科技"
SALES, TECH = 10, 20


def at(text: str) -> datetime:
    """'2026-03-02 09:00' in Asia/Shanghai."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


PEOPLE: tuple[tuple[str, str, int, str], ...] = (
    ("boss", "高总", 1, "leadership"),
    ("hr1", "何人事", 1, "hr"),
    ("s_head", "王芳", SALES, "department_head"),
    ("s1", "陈晓明", SALES, "employee"),
    ("s2", "刘洋", SALES, "employee"),
    ("s3", "赵磊", SALES, "employee"),
    ("s4", "孙丽", SALES, "employee"),
    ("n0", "新人零", SALES, "employee"),
    ("n1", "新人一", SALES, "employee"),
    ("n2", "新人二", SALES, "employee"),
    ("t_head", "李强", TECH, "department_head"),
    ("t1", "周杰", TECH, "employee"),
    ("t2", "吴敏", TECH, "employee"),
    ("t3", "郑爽", TECH, "employee"),
    ("n3", "新人三", TECH, "employee"),
)
LEAVER = ("x1", "钱离", SALES)
RETRAINED = ("s_head", "s1", "s2", "s3", "s4", "t_head", "t1", "t2", "t3")


def seed_month(session: Session) -> None:
    created = at("2026-01-01 09:00")
    session.add_all([
        models.Department(id=1, name=COMPANY_NAME, parent_id=None, head_userid=None, updated_at=created),
        models.Department(id=SALES, name="销售部", parent_id=1, head_userid="s_head", updated_at=created),
        models.Department(id=TECH, name="技术部", parent_id=1, head_userid="t_head", updated_at=created),
    ])
    hires = {"n0": date(2026, 2, 2), "n1": date(2026, 3, 2), "n2": date(2026, 3, 10), "n3": date(2026, 3, 20)}
    for userid, name, dept, role in PEOPLE:
        session.add(models.Employee(
            userid=userid, name=name, department_id=dept, role=role, hire_date=hires.get(userid, date(2020, 1, 1)),
            status="active", source="roster", in_roster=True, wecom_status=1,
        ))
    session.add(models.Employee(
        userid=LEAVER[0], name=LEAVER[1], department_id=LEAVER[2], role="employee", hire_date=date(2020, 1, 1),
        leave_date=date(2026, 2, 27), status="left", source="roster", in_roster=True, wecom_status=1,
    ))
    session.flush()
    _assignments(session)
    _assessments(session)
    _findings(session)
    _meetings(session)
    _incidents(session)


def _assignment(kind: str, subject: str, period: str, assigned: str, due: str, *, dept: int | None,
                completed: str | None = None, status: str | None = None) -> models.Assignment:
    return models.Assignment(
        kind=kind, subject_userid=subject, period=period, department_id=dept, assigned_at=at(assigned),
        due_at=at(due), completed_at=at(completed) if completed else None,
        status=status or ("completed" if completed else "open"),
    )


def _assignments(session: Session) -> None:
    dept = {userid: d for userid, _, d, _ in PEOPLE}
    session.add_all([
        # Onboarding: March is due for n1 (on time), n2 (late), n3 (never); February for n0.
        _assignment("onboarding", "n0", "2026-02-02", "2026-02-02 09:00", "2026-02-09 09:00", dept=SALES, completed="2026-02-04 10:00"),
        _assignment("onboarding", "n1", "2026-03-02", "2026-03-02 09:00", "2026-03-09 09:00", dept=SALES, completed="2026-03-05 11:00"),
        _assignment("onboarding", "n2", "2026-03-10", "2026-03-10 09:00", "2026-03-17 09:00", dept=SALES, completed="2026-03-19 15:00"),
        _assignment("onboarding", "n3", "2026-03-20", "2026-03-20 09:00", "2026-03-27 09:00", dept=TECH),
        # Due in April: not March's business.
        _assignment("onboarding", "s4", "2026-03-30", "2026-03-30 09:00", "2026-04-06 09:00", dept=SALES),
        # Cancelled (left in week one): counts nowhere.
        _assignment("onboarding", "x1", "2026-03-03", "2026-03-03 09:00", "2026-03-10 09:00", dept=SALES, status="cancelled"),
    ])
    completions = {
        "s1": "2026-01-20 10:00", "s2": "2026-02-10 10:00", "s3": "2026-03-15 10:00",
        "t1": "2026-03-31 23:00", "t2": "2026-04-02 10:00",
    }
    for userid in RETRAINED:
        session.add(_assignment(
            "periodic_training", userid, "2026Q1", "2026-01-05 09:00", "2026-03-31 18:00",
            dept=dept[userid], completed=completions.get(userid),
        ))
    # Notices: N1 (s1, t1 acknowledged; s2 not), N2 (s1 acknowledged; t2 only in April), N0 in February.
    session.add_all([
        _assignment("notice", "s1", "notice-1", "2026-03-02 10:00", "2026-03-05 10:00", dept=SALES, completed="2026-03-03 10:00"),
        _assignment("notice", "s2", "notice-1", "2026-03-02 10:00", "2026-03-05 10:00", dept=SALES),
        _assignment("notice", "t1", "notice-1", "2026-03-02 10:00", "2026-03-05 10:00", dept=TECH, completed="2026-03-04 10:00"),
        _assignment("notice", "s1", "notice-2", "2026-03-16 10:00", "2026-03-19 10:00", dept=SALES, completed="2026-03-16 11:00"),
        _assignment("notice", "t2", "notice-2", "2026-03-16 10:00", "2026-03-19 10:00", dept=TECH, completed="2026-04-02 10:00"),
        _assignment("notice", "s1", "notice-0", "2026-02-05 10:00", "2026-02-08 10:00", dept=SALES, completed="2026-02-05 12:00"),
    ])


def _assessments(session: Session) -> None:
    march = {"s_head": 90.0, "s1": 85.0, "s2": 55.0, "s3": 45.0, "s4": 72.0, "t1": 95.0, "t2": 58.0, "t3": 60.0}
    february = {"s_head": 88.0, "s1": 80.0, "s2": 50.0, "s3": 70.0, "s4": 75.0, "t1": 90.0, "t2": 40.0}
    dept = {userid: d for userid, _, d, _ in PEOPLE}
    for period, scores in (("2026-03", march), ("2026-02", february)):
        for userid, total in scores.items():
            session.add(models.Assessment(
                userid=userid, period=period, department_id=dept[userid], scores={"training": total},
                total=total, passed=total >= 60, computed_at=at("2026-04-01 08:00"),
            ))


def _findings(session: Session) -> None:
    session.add_all([
        models.AccountFinding(kind="leaver_active", subject="x1", department_id=SALES, opened_at=at("2026-03-02 10:00"),
                              due_at=at("2026-03-04 10:00")),
        models.AccountFinding(kind="no_account", subject="t3", department_id=TECH, opened_at=at("2026-03-05 10:00"),
                              due_at=at("2026-03-09 10:00"), resolved_at=at("2026-03-08 10:00"), resolution="fixed"),
        models.AccountFinding(kind="wrong_department", subject="s1", department_id=None, opened_at=at("2026-02-10 10:00"),
                              due_at=at("2026-02-12 10:00"), resolved_at=at("2026-03-03 10:00"), resolution="fixed"),
        models.AccountFinding(kind="dept_account_no_owner", subject=str(TECH), department_id=TECH,
                              opened_at=at("2026-03-20 10:00"), due_at=at("2026-04-02 10:00")),
    ])


def _meeting(title: str, organiser: str, start: str, end: str, sent: str | None,
             attendees: dict[str, str | None], *, cancelled: bool = False) -> models.Meeting:
    meeting = models.Meeting(
        source="manual", external_id=f"m-{title}", title=title, organiser_userid=organiser, start_at=at(start),
        end_at=at(end), minutes_sent_at=at(sent) if sent else None, cancelled=cancelled, created_at=at(start),
    )
    meeting.attendees = [
        models.MeetingAttendee(userid=userid, confirmed_at=at(confirmed) if confirmed else None)
        for userid, confirmed in attendees.items()
    ]
    return meeting


def _meetings(session: Session) -> None:
    session.add_all([
        _meeting("销售周会", "s_head", "2026-03-03 09:00", "2026-03-03 10:00", "2026-03-03 15:00",
                 {"s_head": None, "s1": "2026-03-03 16:00", "s2": None, "t1": "2026-03-04 09:00"}),
        # Friday 17:00 end: the working-day clock makes Monday 17:00 the deadline.
        _meeting("技术评审", "t_head", "2026-03-06 16:00", "2026-03-06 17:00", "2026-03-09 16:00",
                 {"t1": "2026-03-09 17:00", "t2": None}),
        _meeting("客户复盘", "s1", "2026-03-12 09:00", "2026-03-12 10:00", "2026-03-14 10:00",
                 {"s2": "2026-03-16 10:00"}),
        _meeting("上线讨论", "t1", "2026-03-25 14:00", "2026-03-25 15:00", None, {"t2": None}),
        _meeting("取消的会", "s2", "2026-03-26 14:00", "2026-03-26 15:00", None, {"s1": None}, cancelled=True),
        _meeting("二月例会", "s_head", "2026-02-10 09:00", "2026-02-10 10:00", "2026-02-10 12:00",
                 {"s1": "2026-02-10 13:00"}),
    ])


def _incidents(session: Session) -> None:
    def incident(key: str, what: str, reporter: str, started: str, acknowledged: str | None) -> models.Incident:
        return models.Incident(
            key=key, what=what, reporter_userid=reporter, occurred_at=at(started), clock_started_at=at(started),
            notified_at=at(started), acknowledged_at=at(acknowledged) if acknowledged else None,
        )

    session.add_all([
        incident("INC-1", "钓鱼邮件点击", "s1", "2026-03-11 14:00", "2026-03-11 14:18"),
        incident("INC-2", "客户资料误发外部群", "t1", "2026-03-26 19:40", "2026-03-26 20:32"),
        incident("INC-3", "笔记本丢失", "s2", "2026-03-28 22:00", None),
        incident("INC-0", "二月事件", "s1", "2026-02-14 10:00", "2026-02-14 10:10"),
    ])
