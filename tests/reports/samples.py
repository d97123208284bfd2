"""Hand-built reports with known numbers, shared by the report tests.

The numbers are chosen so every figure moves: some improve, some worsen, one stays, and one
has no previous month, which exercises every tone the templates colour.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from wecomply.reports.model import (
    AccountReviewSection,
    AssessmentResult,
    AssessmentSection,
    Better,
    Figure,
    Incident,
    IncidentsSection,
    LateMinutes,
    MeetingsSection,
    Month,
    MonthlyReport,
    NoticesSection,
    OnboardingMiss,
    OnboardingSection,
    OverdueFinding,
    Person,
    RetrainingSection,
    Scope,
    ScopeKind,
    ScoreBand,
    Unit,
)

SH = ZoneInfo("Asia/Shanghai")
PERIOD = Month(2025, 3)


def percent(*trend: float | None, better: Better = Better.HIGHER) -> Figure:
    return Figure.from_trend(trend, Unit.PERCENT, better)


def count(*trend: float | None, better: Better = Better.HIGHER) -> Figure:
    return Figure.from_trend(trend, Unit.COUNT, better)


def person(name: str, department: str = "销售部", userid: str | None = None) -> Person:
    return Person(userid or f"u{zlib.crc32(name.encode()):08x}", name, department)


def sample_report(
    *,
    scope: Scope | None = None,
    failed_names: tuple[str, ...] = ("陈晓明", "刘洋", "赵磊"),
    failed_twice_names: tuple[str, ...] = ("赵磊",),
) -> MonthlyReport:
    failed = tuple(
        AssessmentResult(person(name), 52.0 + (index % 7)) for index, name in enumerate(failed_names)
    )
    failed_twice = tuple(
        AssessmentResult(person(name), 55.0, previous_score=48.5) for name in failed_twice_names
    )
    return MonthlyReport(
        scope=scope or Scope(ScopeKind.DEPARTMENT, "dept-sales", "销售部", person("王芳")),
        period=PERIOD,
        generated_at=datetime(2025, 4, 1, 9, 30, tzinfo=SH),
        onboarding=OnboardingSection(
            due=12,
            finished_on_time=count(6, 8, 7, 9, 9, 10),
            on_time_rate=percent(75.0, 80.0, 70.0, 81.8, 75.0, 83.3),
            missed=(
                OnboardingMiss(person("孙丽"), date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 12)),
                OnboardingMiss(person("周杰"), date(2025, 3, 17), date(2025, 3, 24), None),
            ),
        ),
        retraining=RetrainingSection(
            quarter="2025Q1",
            required=48,
            completed=count(None, None, 10, 22, 31, 42),
            completion_rate=percent(None, None, 20.8, 45.8, 64.6, 87.5),
            quarter_ends_on=date(2025, 3, 31),
        ),
        assessment=AssessmentSection(
            assessed=46,
            pass_mark=60,
            mean_score=Figure(78.4, 76.1, (72.0, 74.5, 75.2, 73.9, 76.1, 78.4), Unit.SCORE),
            pass_rate=percent(86.0, 88.4, 90.2, 89.1, 91.3, 93.5),
            failed_count=count(6, 5, 4, 5, 4, 3, better=Better.LOWER),
            distribution=(
                ScoreBand("<50", 0, 50, 1, True),
                ScoreBand("50–59", 50, 60, 2, True),
                ScoreBand("60–69", 60, 70, 7, False),
                ScoreBand("70–79", 70, 80, 15, False),
                ScoreBand("80–89", 80, 90, 14, False),
                ScoreBand("90–100", 90, 100, 7, False),
            ),
            failed=failed,
            failed_twice=failed_twice,
        ),
        account_review=AccountReviewSection(
            opened=count(4, 6, 3, 5, 2, 7, better=Better.NEUTRAL),
            closed=count(3, 5, 4, 4, 3, 6),
            overdue=count(1, 2, 1, 2, 1, 2, better=Better.LOWER),
            overdue_items=(
                OverdueFinding("离职员工账号未停用", person("李强"), date(2025, 3, 20), 11),
                OverdueFinding("共享账号 sales-01", person("王芳"), date(2025, 3, 25), 6),
            ),
        ),
        meetings=MeetingsSection(
            meetings=count(14, 12, 15, 13, 16, 18, better=Better.NEUTRAL),
            minutes_on_time_rate=percent(78.6, 83.3, 80.0, 84.6, 87.5, 83.3),
            acknowledgement_rate=percent(88.0, 90.5, 91.0, 92.4, 92.4, 92.4),
            late=(
                LateMinutes("季度销售复盘会", person("陈晓明"), date(2025, 3, 7), 6.5),
                LateMinutes("客户投诉处理会", person("刘洋"), date(2025, 3, 21), None),
            ),
        ),
        notices=NoticesSection(
            notices=count(9, 7, 10, 8, 11, 12, better=Better.NEUTRAL),
            acknowledgement_rate=percent(93.1, 94.0, 95.2, 94.8, 96.0, 97.1),
            unacknowledged=count(28, 22, 19, 21, 16, 11, better=Better.LOWER),
        ),
        incidents=IncidentsSection(
            count=count(1, 0, 2, 1, 0, 2, better=Better.NEUTRAL),
            on_time_rate=percent(100.0, None, 50.0, 100.0, None, 50.0),
            incidents=(
                Incident("INC-2025-031", "钓鱼邮件点击", "销售部", datetime(2025, 3, 11, 14, 5, tzinfo=SH), 18.0, True),
                Incident("INC-2025-037", "客户资料误发外部群", "销售部", datetime(2025, 3, 26, 19, 40, tzinfo=SH), 52.0, False),
            ),
        ),
    )
