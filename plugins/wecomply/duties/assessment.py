"""The monthly assessment (v1 §6.3, v2 §7): per-dimension scores, total, pass/fail.

An assignment counts in the month its `due_at` falls in (Asia/Shanghai). Each dimension
scores 0–100; a dimension with no evidence that month is "not applicable" (None) and its
weight is shared out over the others, so nobody gains or loses for a duty they never had.

- training        = 100 × trainings completed by their deadline / trainings due
                    (onboarding, periodic, remedial). N/A when none was due.
- acknowledgement = 100 × (on-time + late × late_credit%) / acknowledgements due
                    (notices, minutes receipts, password attestations). On time means by
                    `messages.reply_within` after the card was assigned, on the
                    `messages.clock`; late = acknowledged after that; never = 0.
                    N/A when none was due.
- minutes         = 100 × meetings whose minutes went out by the deadline / meetings
                    organised. N/A for people who organised none.
- reminders       = max(0, 100 − reminder_penalty × reminders the person needed).
- violations      = max(0, 100 − violation_penalty × violations recorded by admins).

total = Σ weightᵢ × scoreᵢ / Σ weightᵢ over the applicable dimensions, rounded to 0.1;
passed = total ≥ pass_mark; excellent = total ≥ excellent_mark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from wecomply.duties.model import Assignment, Duty
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import AssessmentPolicy, Policy

TRAINING_DUTIES = frozenset({Duty.ONBOARDING, Duty.PERIODIC_TRAINING, Duty.REMEDIAL_TRAINING})
ACKNOWLEDGEMENT_DUTIES = frozenset({Duty.NOTICE, Duty.MEETING_RECEIPT, Duty.PASSWORD_ATTESTATION})


class Dimension(StrEnum):
    TRAINING = "training"
    ACKNOWLEDGEMENT = "acknowledgement"
    MINUTES = "minutes"
    REMINDERS = "reminders"
    VIOLATIONS = "violations"


@dataclass(frozen=True, slots=True)
class Evidence:
    userid: str
    period: str  # "2026-03"
    trainings_due: int = 0
    trainings_on_time: int = 0
    acknowledgements_due: int = 0
    acknowledged_on_time: int = 0
    acknowledged_late: int = 0
    meetings_organised: int = 0
    minutes_on_time: int = 0
    reminders_received: int = 0
    violations: int = 0


@dataclass(frozen=True, slots=True)
class DimensionScore:
    dimension: Dimension
    score: float | None  # None: not applicable this month
    weight: int


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    userid: str
    period: str
    scores: tuple[DimensionScore, ...]
    total: float
    passed: bool
    excellent: bool


def month_period(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def previous_month(now: datetime) -> str:
    """The month a run at `now` assesses (the one before the run's month)."""
    today = now.astimezone(SHANGHAI).date()
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def collect_evidence(
    userid: str,
    period: str,
    assignments: Iterable[Assignment],
    *,
    violations: int,
    policy: Policy,
    calendar: WorkCalendar,
) -> Evidence:
    """Evidence for one person and month from their recorded assignments (any duty).

    Minutes assignments count for their assignee (the organiser); `reminders_sent` of every
    assignment due in the month counts as reminders needed.
    """
    counts: dict[str, int] = defaultdict(int)
    for a in assignments:
        if a.assignee != userid or month_period(a.due_at.astimezone(SHANGHAI).date()) != period:
            continue
        counts["reminders_received"] += a.reminders_sent
        if a.kind in TRAINING_DUTIES:
            counts["trainings_due"] += 1
            counts["trainings_on_time"] += a.on_time()
        elif a.kind in ACKNOWLEDGEMENT_DUTIES:
            counts["acknowledgements_due"] += 1
            if a.completed_at is not None:
                limit = calendar.deadline(
                    a.assigned_at, policy.messages.reply_within, clock=policy.messages.clock
                )
                counts["acknowledged_on_time" if a.completed_at <= limit else "acknowledged_late"] += 1
        elif a.kind == Duty.MEETING_MINUTES:
            counts["meetings_organised"] += 1
            counts["minutes_on_time"] += a.on_time()
    return Evidence(userid=userid, period=period, violations=violations, **counts)


def score(evidence: Evidence, policy: Policy) -> AssessmentResult:
    e = evidence
    scores, total, passed, excellent = _scored(
        policy.assessment, e.trainings_due, e.trainings_on_time, e.acknowledgements_due, e.acknowledged_on_time,
        e.acknowledged_late, e.meetings_organised, e.minutes_on_time, e.reminders_received, e.violations,
    )
    return AssessmentResult(
        userid=e.userid, period=e.period, scores=scores, total=total, passed=passed, excellent=excellent
    )


# A score depends only on the counts, and most people share theirs with many others (a
# 100k company has a few thousand distinct count sets): each is computed once.
@lru_cache(maxsize=16384)
def _scored(
    settings: AssessmentPolicy,
    trainings_due: int,
    trainings_on_time: int,
    acknowledgements_due: int,
    acknowledged_on_time: int,
    acknowledged_late: int,
    meetings_organised: int,
    minutes_on_time: int,
    reminders_received: int,
    violations: int,
) -> tuple[tuple[DimensionScore, ...], float, bool, bool]:
    weights = settings.weights.as_dict()
    raw: dict[Dimension, float | None] = {
        Dimension.TRAINING: _ratio(trainings_on_time, trainings_due),
        Dimension.ACKNOWLEDGEMENT: _ratio(
            acknowledged_on_time + acknowledged_late * settings.acknowledgement_late_credit / 100,
            acknowledgements_due,
        ),
        Dimension.MINUTES: _ratio(minutes_on_time, meetings_organised),
        Dimension.REMINDERS: max(0.0, 100.0 - settings.reminder_penalty * reminders_received),
        Dimension.VIOLATIONS: max(0.0, 100.0 - settings.violation_penalty * violations),
    }
    scores = tuple(DimensionScore(d, raw[d], weights[d.value]) for d in Dimension)
    applicable = [s for s in scores if s.score is not None and s.weight > 0]
    weight_sum = sum(s.weight for s in applicable)
    total = round(sum(s.weight * s.score for s in applicable) / weight_sum, 1) if weight_sum else 100.0  # type: ignore[operator]
    return scores, total, total >= settings.pass_mark, total >= settings.excellent_mark


def _ratio(part: float, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def consecutive_fails(
    history: Iterable[AssessmentResult], n: int = 2, *, period: str | None = None
) -> tuple[str, ...]:
    """Who has just completed a run of `n` failed assessments in a row (v1 §6.3).

    Per person, results are ordered by period (gaps, such as a month on leave, do not
    break a run: "consecutive" means consecutive assessments). A person is named when their
    latest result fails and their current run of fails is a multiple of `n`, so a third
    fail after remedial training does not trigger again but a fourth does. With `period`,
    later results are ignored and only people assessed in that period are considered, so
    re-running an old month gives the answer it gave then.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    by_person: dict[str, list[AssessmentResult]] = defaultdict(list)
    for result in history:
        if period is None or result.period <= period:
            by_person[result.userid].append(result)
    due: list[str] = []
    for userid, results in sorted(by_person.items()):
        results.sort(key=lambda r: r.period)
        if period is not None and results[-1].period != period:
            continue
        streak = 0
        for result in reversed(results):
            if result.passed:
                break
            streak += 1
        if streak and streak % n == 0:
            due.append(userid)
    return tuple(due)
