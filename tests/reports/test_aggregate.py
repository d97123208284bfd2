"""Every number of March 2026's company and department reports, against seeded records.

The records are in `tests/reports/month_records.py`; each expected value below is worked
out by hand from them (the comments say how). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tests.reports.month_records import COMPANY_NAME, SALES, TECH, at, seed_month
from wecomply.policy.calendar import UncoveredYearWarning, WorkCalendar
from wecomply.policy.config import load_policy
from wecomply.reports.aggregate import build_reports, collect_month, reports_from, score_bands
from wecomply.reports.model import Better, Month, MonthlyReport, ScopeKind, Unit
from wecomply.reports.render import render_html, render_markdown_summary

MARCH = Month(2026, 3)
AS_OF = at("2026-04-01 09:00")
N = None


@pytest.fixture
def reports(records_db) -> dict[str, MonthlyReport]:
    with records_db.sessions.begin() as session:
        seed_month(session)
    policy = load_policy()
    with records_db.sessions.begin() as session:
        built = build_reports(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=AS_OF)
    return {report.scope.id: report for report in built}


def trend(figure) -> tuple:
    return figure.trend


def test_scopes_company_first_then_departments_with_heads(reports: dict[str, MonthlyReport]) -> None:
    assert list(reports) == ["company", "dept-1", f"dept-{SALES}", f"dept-{TECH}"]
    company = reports["company"]
    assert company.scope.kind is ScopeKind.COMPANY and company.scope.name == COMPANY_NAME
    assert company.departments == (COMPANY_NAME, "销售部", "技术部")
    sales, tech = reports[f"dept-{SALES}"], reports[f"dept-{TECH}"]
    assert (sales.scope.name, sales.scope.head.userid, sales.scope.head.name) == ("销售部", "s_head", "王芳")
    assert (tech.scope.name, tech.scope.head.userid) == ("技术部", "t_head")
    assert reports["dept-1"].scope.head is None  # root holds leadership and HR, has no head
    assert all(r.period == MARCH for r in reports.values())


def test_onboarding(reports: dict[str, MonthlyReport]) -> None:
    # Due in March: n1 (on time), n2 (done 2 days late), n3 (never); n0 was due in February
    # (on time); s4's deadline is in April and x1's assignment was cancelled.
    company = reports["company"].onboarding
    assert company.due == 3 and company.deadline_days == 7
    assert trend(company.finished_on_time) == (N, N, N, N, 1, 1)
    assert trend(company.on_time_rate) == (N, N, N, N, 100.0, 33.3)
    assert company.on_time_rate.unit is Unit.PERCENT
    assert [(m.person.userid, m.person.name, m.person.department, m.joined_on, m.deadline, m.completed_on)
            for m in company.missed] == [
        ("n2", "新人二", "销售部", date(2026, 3, 10), date(2026, 3, 17), date(2026, 3, 19)),
        ("n3", "新人三", "技术部", date(2026, 3, 20), date(2026, 3, 27), None),
    ]
    sales = reports[f"dept-{SALES}"].onboarding
    assert (sales.due, sales.finished_on_time.value, sales.on_time_rate.value) == (2, 1, 50.0)
    assert sales.on_time_rate.previous == 100.0
    assert [m.person.userid for m in sales.missed] == ["n2"]
    tech = reports[f"dept-{TECH}"].onboarding
    assert (tech.due, tech.finished_on_time.value, tech.on_time_rate.value) == (1, 0, 0.0)
    assert tech.on_time_rate.previous is None  # nobody was due in February
    assert [m.person.userid for m in tech.missed] == ["n3"]
    root = reports["dept-1"].onboarding
    assert (root.due, root.finished_on_time.value, root.on_time_rate.value, root.missed) == (0, None, None, ())


def test_quarterly_retraining_is_cumulative_within_the_quarter(reports: dict[str, MonthlyReport]) -> None:
    # 9 people owe 2026Q1; done: s1 in January, s2 in February, s3 and t1 (23:00 on 31 March)
    # in March; t2 only on 2 April. December belongs to 2025Q4, which nobody owed.
    company = reports["company"].retraining
    assert (company.quarter, company.required, company.quarter_ends_on) == ("2026Q1", 9, date(2026, 3, 31))
    assert trend(company.completed) == (N, N, N, 1, 2, 4)
    assert trend(company.completion_rate) == (N, N, N, 11.1, 22.2, 44.4)
    sales = reports[f"dept-{SALES}"].retraining
    assert sales.required == 5
    assert trend(sales.completed) == (N, N, N, 1, 2, 3)
    assert trend(sales.completion_rate) == (N, N, N, 20.0, 40.0, 60.0)
    tech = reports[f"dept-{TECH}"].retraining
    assert tech.required == 4
    assert trend(tech.completion_rate) == (N, N, N, 0.0, 0.0, 25.0)


def test_assessment(reports: dict[str, MonthlyReport]) -> None:
    # March: 90 85 55 45 72 | 95 58 60 (pass mark 60): 3 fail; mean 560/8 = 70.0.
    # February: 88 80 50 70 75 | 90 40: 2 fail; mean 493/7 = 70.4.
    company = reports["company"].assessment
    assert (company.assessed, company.pass_mark) == (8, 60.0)
    assert trend(company.mean_score) == (N, N, N, N, 70.4, 70.0) and company.mean_score.unit is Unit.SCORE
    assert trend(company.pass_rate) == (N, N, N, N, 71.4, 62.5)
    assert trend(company.failed_count) == (N, N, N, N, 2, 3)
    assert company.failed_count.better is Better.LOWER
    assert [(b.label, b.count, b.failing) for b in company.distribution] == [
        ("<50", 1, True), ("50–59", 2, True), ("60–69", 1, False),
        ("70–79", 1, False), ("80–89", 1, False), ("90–100", 2, False),
    ]
    assert [(r.person.userid, r.score) for r in company.failed] == [("s3", 45.0), ("s2", 55.0), ("t2", 58.0)]
    # s2 and t2 failed in February too; s3 passed then.
    assert [(r.person.userid, r.score, r.previous_score) for r in company.failed_twice] == [
        ("s2", 55.0, 50.0), ("t2", 58.0, 40.0),
    ]
    sales = reports[f"dept-{SALES}"].assessment
    assert sales.assessed == 5
    assert (sales.mean_score.value, sales.mean_score.previous) == (69.4, 72.6)  # 347/5, 363/5
    assert (sales.pass_rate.value, sales.pass_rate.previous) == (60.0, 80.0)
    assert [b.count for b in sales.distribution] == [1, 1, 0, 1, 1, 1]
    assert [r.person.userid for r in sales.failed] == ["s3", "s2"]
    assert [r.person.userid for r in sales.failed_twice] == ["s2"]
    tech = reports[f"dept-{TECH}"].assessment
    assert (tech.assessed, tech.mean_score.value, tech.mean_score.previous) == (3, 71.0, 65.0)
    assert (tech.pass_rate.value, tech.failed_count.value) == (66.7, 1)
    assert [b.count for b in tech.distribution] == [0, 1, 1, 0, 0, 1]
    assert [r.person.userid for r in tech.failed_twice] == ["t2"]


def test_score_bands_split_at_the_pass_mark() -> None:
    assert score_bands(65.0) == ((0.0, 50.0), (50.0, 60.0), (60.0, 65.0), (65.0, 70.0), (70.0, 80.0), (80.0, 90.0), (90.0, 100.0))
    assert score_bands(60.0)[2] == (60.0, 70.0)


def test_account_review_findings(reports: dict[str, MonthlyReport]) -> None:
    # leaver_active x1: opened 2 Mar, due 4 Mar, open -> overdue 27 days at 31 Mar.
    # no_account t3: opened 5 Mar, closed 8 Mar. dept account (技术部): opened 20 Mar, due 2 Apr.
    # wrong_department s1 (no department on the finding: s1's): opened Feb, overdue at Feb's end, closed 3 Mar.
    company = reports["company"].account_review
    assert trend(company.opened) == (0, 0, 0, 0, 1, 3)
    assert trend(company.closed) == (0, 0, 0, 0, 0, 2)
    assert trend(company.overdue) == (0, 0, 0, 0, 1, 1)
    assert company.opened.better is Better.NEUTRAL and company.overdue.better is Better.LOWER
    assert [(f.title, f.owner.userid, f.due_on, f.days_overdue) for f in company.overdue_items] == [
        ("离职员工账号未停用：钱离", "x1", date(2026, 3, 4), 27),
    ]
    sales = reports[f"dept-{SALES}"].account_review
    assert (sales.opened.value, sales.closed.value, sales.overdue.value) == (1, 1, 1)
    assert (sales.opened.previous, sales.overdue.previous) == (1, 1)
    assert len(sales.overdue_items) == 1
    tech = reports[f"dept-{TECH}"].account_review
    assert (tech.opened.value, tech.closed.value, tech.overdue.value, tech.overdue_items) == (2, 1, 0, ())


def test_meetings(reports: dict[str, MonthlyReport]) -> None:
    # 销售周会 (on time), 技术评审 (Friday 17:00 end, Monday 16:00 minutes: on time on the
    # working-day clock), 客户复盘 (minutes Saturday 10:00, due Friday 10:00: 24 h late),
    # 上线讨论 (never sent); the cancelled one does not count. Receipts of sent minutes,
    # organisers excluded: s1 ✓ s2 ✗ t1 ✓ | t1 ✓ t2 ✗ | s2 ✓ -> 4 of 6.
    company = reports["company"].meetings
    assert trend(company.meetings) == (0, 0, 0, 0, 1, 4)
    assert trend(company.minutes_on_time_rate) == (N, N, N, N, 100.0, 50.0)
    assert trend(company.acknowledgement_rate) == (N, N, N, N, 100.0, 66.7)
    assert company.deadline_hours == 24
    assert [(late.meeting, late.recorder.userid, late.held_on, late.hours_late) for late in company.late] == [
        ("客户复盘", "s1", date(2026, 3, 12), 24.0), ("上线讨论", "t1", date(2026, 3, 25), None),
    ]
    sales = reports[f"dept-{SALES}"].meetings  # organised by sales: 销售周会, 客户复盘
    assert (sales.meetings.value, sales.minutes_on_time_rate.value) == (2, 50.0)
    assert sales.acknowledgement_rate.value == 66.7  # sales attendees: s1 ✓ s2 ✗ s2 ✓
    assert [late.meeting for late in sales.late] == ["客户复盘"]
    tech = reports[f"dept-{TECH}"].meetings
    assert (tech.meetings.value, tech.minutes_on_time_rate.value, tech.acknowledgement_rate.value) == (2, 50.0, 66.7)
    assert tech.minutes_on_time_rate.previous is None


def test_notices(reports: dict[str, MonthlyReport]) -> None:
    # notice-1: s1 ✓ s2 ✗ t1 ✓; notice-2: s1 ✓, t2 acknowledged only on 2 April (after as_of).
    company = reports["company"].notices
    assert trend(company.notices) == (0, 0, 0, 0, 1, 2)  # each notice once, however many departments
    assert trend(company.acknowledgement_rate) == (N, N, N, N, 100.0, 60.0)
    assert trend(company.unacknowledged) == (N, N, N, N, 0, 2)
    sales = reports[f"dept-{SALES}"].notices
    assert (sales.notices.value, sales.acknowledgement_rate.value, sales.unacknowledged.value) == (2, 66.7, 1)
    tech = reports[f"dept-{TECH}"].notices
    assert (tech.notices.value, tech.acknowledgement_rate.value, tech.unacknowledged.value) == (2, 50.0, 1)


def test_incidents_and_their_30_minute_clock(reports: dict[str, MonthlyReport]) -> None:
    company = reports["company"].incidents
    assert company.clock_minutes == 30
    assert trend(company.count) == (0, 0, 0, 0, 1, 3)
    assert trend(company.on_time_rate) == (N, N, N, N, 100.0, 33.3)
    assert [(i.reference, i.title, i.department, i.minutes_to_report, i.met_clock) for i in company.incidents] == [
        ("INC-1", "钓鱼邮件点击", "销售部", 18.0, True),
        ("INC-2", "客户资料误发外部群", "技术部", 52.0, False),
        ("INC-3", "笔记本丢失", "销售部", None, False),
    ]
    assert company.incidents[0].occurred_at == at("2026-03-11 14:00")
    sales = reports[f"dept-{SALES}"].incidents
    assert (sales.count.value, sales.on_time_rate.value) == (2, 50.0)
    assert [i.reference for i in sales.incidents] == ["INC-1", "INC-3"]
    tech = reports[f"dept-{TECH}"].incidents
    assert (tech.count.value, tech.on_time_rate.value) == (1, 0.0)


def test_as_of_decides_what_is_known(records_db) -> None:
    """A later as_of sees t2's acknowledgement of notice-2 (2 April)."""
    with records_db.sessions.begin() as session:
        seed_month(session)
    policy = load_policy()
    with records_db.sessions.begin() as session:
        facts = collect_month(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy),
                              as_of=at("2026-04-03 09:00"))
    company = reports_from(facts)[0]
    assert company.notices.acknowledgement_rate.value == 80.0
    assert company.notices.unacknowledged.value == 1


def test_empty_records_show_dashes_not_zeros(records_db) -> None:
    policy = load_policy()
    with records_db.sessions.begin() as session:
        (company,) = build_reports(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy))
    assert company.onboarding.due == 0 and company.onboarding.on_time_rate.value is None
    assert company.assessment.mean_score.value is None and company.assessment.failed_count.value is None
    assert company.incidents.count.value == 0 and company.incidents.on_time_rate.value is None
    assert company.scope.name == "全公司"
    assert "全公司" in render_html(company)


def test_english_labels_and_rendering(records_db) -> None:
    with records_db.sessions.begin() as session:
        seed_month(session)
    policy = load_policy()
    with records_db.sessions.begin() as session:
        facts = collect_month(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=AS_OF)
    zh, en = reports_from(facts, locale="zh"), reports_from(facts, locale="en")
    assert en[0].account_review.overdue_items[0].title == "Leaver's account still enabled: 钱离"
    assert en[0].onboarding == zh[0].onboarding  # only labels differ between locales
    for locale, built in (("zh", zh), ("en", en)):
        for report in built:
            assert report.scope.name in render_html(report, locale=locale)
            assert len(render_markdown_summary(report, locale=locale).encode("utf-8")) <= 2048
    assert "钱离" in render_html(zh[2]) and "Leaver&#39;s account still enabled" in render_html(en[2], locale="en")


def test_a_month_counted_without_its_holiday_notice_says_so(records_db, package_covering) -> None:
    """With the package ending in 2025 and no notice entered, March 2026's deadlines are
    counted on the fallback: the same figures here (March 2026 has no holiday or
    调休), and every report names 2026 as estimated, in both renderings."""
    with records_db.sessions.begin() as session:
        seed_month(session)
    policy = load_policy()
    with records_db.sessions.begin() as session:
        official = collect_month(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=AS_OF)
    package_covering(2025)
    with records_db.sessions.begin() as session, pytest.warns(UncoveredYearWarning):
        fallback = collect_month(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=AS_OF)
    assert official.estimated_calendar_years == () and fallback.estimated_calendar_years == (2026,)
    for known, estimated in zip(reports_from(official), reports_from(fallback), strict=True):
        assert estimated.estimated_calendar_years == (2026,)
        assert dataclasses.replace(estimated, estimated_calendar_years=()) == known
    company = reports_from(fallback)[0]
    assert "2026 年的国务院节假日安排通知尚未录入" in render_html(company)
    assert "2026 年放假通知未录入" in render_markdown_summary(company)
    assert "国务院节假日安排通知" not in render_html(reports_from(official)[0])


@pytest.mark.parametrize(
    ("month", "last_covered", "estimated"),
    [(Month(2027, 1), 2026, (2027,)), (Month(2027, 1), 2025, (2026, 2027)), (Month(2026, 12), 2026, ())],
)
def test_january_also_depends_on_the_year_before(records_db, package_covering, month, last_covered, estimated) -> None:
    """A deadline that ran out in January was counted from a start in December."""
    package_covering(last_covered)
    policy = load_policy()
    with records_db.sessions.begin() as session:
        facts = collect_month(month, session=session, policy=policy, calendar=WorkCalendar(policy))
    assert facts.estimated_calendar_years == estimated
