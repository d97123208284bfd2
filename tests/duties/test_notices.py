"""Notices that must be acknowledged: audience, nagging, escalation, urgency."""

from __future__ import annotations

from datetime import date

from tests.duties.company import at, staff
from wecomply.duties.notices import Audience, Notice, notice_due, plan_notice, resolve_audience

PARENTS = {1: None, 10: 1, 11: 10, 20: 1}
REVISION = Notice("notice-1", "制度修订：企业微信管理制度 v2", published_at=at(2026, 3, 2, 10))


def test_audience_from_departments_tags_and_users(company):
    leaver = staff("leaver", leave_date=date(2026, 2, 1), status="left")
    people = [*company, leaver]
    sales = resolve_audience(Audience(departments=frozenset({10})), people, on=date(2026, 3, 2), department_parents=PARENTS)
    assert sales == ("bob", "carol", "lead10", "sales_head")  # includes Sales East (11); not the leaver
    top_only = resolve_audience(
        Audience(departments=frozenset({10}), include_subdepartments=False), people, on=date(2026, 3, 2), department_parents=PARENTS
    )
    assert "carol" not in top_only
    mixed = resolve_audience(
        Audience(tags=frozenset({7}), users=frozenset({"boss", "leaver", "contractor9"})),
        people,
        on=date(2026, 3, 2),
        tag_members={7: ["hr1", "admin1"]},
    )
    assert mixed == ("admin1", "boss", "contractor9", "hr1")


def plan(notice, recipients, acknowledged, now, policy, calendar, people):
    return plan_notice(notice, recipients, people, acknowledged=acknowledged, now=now, policy=policy, calendar=calendar)


def test_nag_until_acknowledged_then_escalate(policy, calendar, company):
    recipients = ("bob", "carol")
    assert notice_due(REVISION, policy, calendar) == at(2026, 3, 5, 10)  # 3 working days
    first = plan(REVISION, recipients, {}, at(2026, 3, 2, 10, 5), policy, calendar, company)
    assert [(a.subject, a.step) for a in first] == [("bob", "assign"), ("carol", "assign")]
    acked = {"carol": at(2026, 3, 2, 11)}
    early = plan(REVISION, recipients, acked, at(2026, 3, 5, 6, 30), policy, calendar, company)
    assert [(a.subject, a.step) for a in early] == [("bob", "assign"), ("bob", "remind-1")]
    assert {a.send_at for a in early} == {at(2026, 3, 5, 9)}  # early-morning run: held for the working day
    # remind-2 (4 h before the deadline, 06:00) moved to the window start, 09:00.
    reminded = plan(REVISION, recipients, acked, at(2026, 3, 5, 9, 5), policy, calendar, company)
    assert [a.step for a in reminded] == ["assign", "remind-1", "remind-2"]
    overdue = plan(REVISION, recipients, acked, at(2026, 3, 5, 10, 5), policy, calendar, company)
    assert overdue[-1].step == "escalate-leader" and overdue[-1].recipients == ("bob", "lead10")


def test_urgent_notice_ignores_quiet_hours(policy, calendar, company):
    urgent = Notice("notice-2", "紧急：账号被盗", published_at=at(2026, 3, 7, 22), urgent=True)
    normal = Notice("notice-3", "周末通知", published_at=at(2026, 3, 7, 22))
    now = at(2026, 3, 7, 22, 1)  # Saturday night
    sent = plan(urgent, ("bob",), {}, now, policy, calendar, company)
    assert [(a.step, a.urgent, a.send_at) for a in sent] == [("assign", True, now)]
    assert plan(normal, ("bob",), {}, now, policy, calendar, company) == ()
    monday = plan(normal, ("bob",), {}, at(2026, 3, 9, 9, 1), policy, calendar, company)
    assert [a.step for a in monday] == ["assign"]


def test_deadline_over_a_public_holiday(policy, calendar, company):
    national_day = Notice("notice-4", "国庆值班安排", published_at=at(2025, 9, 30, 10))
    # 3 working days: 10/9, 10/10, Sat 10/11 (调休).
    assert notice_due(national_day, policy, calendar) == at(2025, 10, 11, 10)
    during = plan(national_day, ("bob",), {}, at(2025, 10, 5, 10), policy, calendar, company)
    assert [a.step for a in during] == ["assign"]
    back = plan(national_day, ("bob",), {}, at(2025, 10, 9, 10, 30), policy, calendar, company)
    assert [a.step for a in back] == ["assign", "remind-1"]


def test_leavers_are_not_nagged(policy, calendar, company):
    leaver = staff("leaver", leave_date=date(2026, 3, 3), status="left")
    actions = plan(REVISION, ("bob", "leaver"), {}, at(2026, 3, 4, 10), policy, calendar, [*company, leaver])
    assert {a.subject for a in actions} == {"bob"}
