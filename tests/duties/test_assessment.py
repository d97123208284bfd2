"""The monthly assessment: evidence, dimension formulas, weights, pass mark, fail streaks."""

from __future__ import annotations

import pytest

from tests.duties.company import at
from wecomply.duties.assessment import (
    AssessmentResult,
    Dimension,
    Evidence,
    collect_evidence,
    consecutive_fails,
    previous_month,
    score,
)
from wecomply.duties.model import Assignment, Duty


def test_perfect_month_scores_100_and_is_excellent(policy):
    result = score(
        Evidence("bob", "2026-03", trainings_due=1, trainings_on_time=1, acknowledgements_due=3,
                 acknowledged_on_time=3, meetings_organised=2, minutes_on_time=2),
        policy,
    )
    assert result.total == 100.0 and result.passed and result.excellent


def test_weighted_total_with_a_not_applicable_dimension(policy):
    evidence = Evidence(
        "bob", "2026-03", trainings_due=2, trainings_on_time=1, acknowledgements_due=4,
        acknowledged_on_time=2, acknowledged_late=1, reminders_received=3, violations=1,
    )
    result = score(evidence, policy)
    by_dimension = {s.dimension: s.score for s in result.scores}
    assert by_dimension == {
        Dimension.TRAINING: 50.0,
        Dimension.ACKNOWLEDGEMENT: 62.5,  # (2 + 1 × 50%) / 4
        Dimension.MINUTES: None,  # organised no meeting: its weight is shared out
        Dimension.REMINDERS: 70.0,
        Dimension.VIOLATIONS: 50.0,
    }
    # (30×50 + 25×62.5 + 10×70 + 20×50) / (30 + 25 + 10 + 20) = 4762.5 / 85
    assert result.total == pytest.approx(56.0)
    assert not result.passed and not result.excellent


def test_penalties_floor_at_zero_and_pass_mark_is_inclusive(policy):
    floor = score(Evidence("bob", "2026-03", reminders_received=50, violations=9), policy)
    assert floor.total == 0.0
    # reminders 100 and violations 50 → (10×100 + 20×50) / 30 = 66.7: a pass.
    one_violation = score(Evidence("bob", "2026-03", violations=1), policy)
    assert one_violation.total == pytest.approx(66.7) and one_violation.passed
    strict = policy.model_copy(update={"assessment": policy.assessment.model_copy(update={"pass_mark": 66.7})})
    assert score(Evidence("bob", "2026-03", violations=1), strict).passed


def test_evidence_from_recorded_assignments_with_quiet_weekends_and_holidays(policy, calendar):
    assignments = [
        # Training due in March: one on time, one late.
        Assignment(Duty.PERIODIC_TRAINING, "bob", "2026Q1", at(2026, 1, 4, 9), at(2026, 3, 2, 9), completed_at=at(2026, 3, 1, 9), reminders_sent=1),
        Assignment(Duty.REMEDIAL_TRAINING, "bob", "remedial-2026-02", at(2026, 3, 2, 10), at(2026, 3, 16, 10), completed_at=at(2026, 3, 17, 9), reminders_sent=2),
        # A notice sent Friday 17:00, acknowledged Monday 16:00: on time, the clock pauses at weekends.
        Assignment(Duty.NOTICE, "bob", "n-1", at(2026, 3, 6, 17), at(2026, 3, 11, 17), completed_at=at(2026, 3, 9, 16)),
        # Acknowledged Tuesday: late.
        Assignment(Duty.NOTICE, "bob", "n-2", at(2026, 3, 6, 17), at(2026, 3, 11, 17), completed_at=at(2026, 3, 10, 9)),
        # Never acknowledged.
        Assignment(Duty.MEETING_RECEIPT, "bob", "m-1", at(2026, 3, 10, 9), at(2026, 3, 11, 9)),
        # Minutes for a meeting bob organised, sent late.
        Assignment(Duty.MEETING_MINUTES, "m-2", "2026-03-12", at(2026, 3, 12, 16), at(2026, 3, 13, 16), completed_at=at(2026, 3, 14, 9), assignee_id="bob"),
        # Out of scope: another month, another person.
        Assignment(Duty.NOTICE, "bob", "n-0", at(2026, 2, 2, 9), at(2026, 2, 5, 9)),
        Assignment(Duty.NOTICE, "carol", "n-1", at(2026, 3, 6, 17), at(2026, 3, 11, 17)),
    ]
    evidence = collect_evidence("bob", "2026-03", assignments, violations=0, policy=policy, calendar=calendar)
    assert evidence == Evidence(
        "bob", "2026-03", trainings_due=2, trainings_on_time=1, acknowledgements_due=3,
        acknowledged_on_time=1, acknowledged_late=1, meetings_organised=1, minutes_on_time=0,
        reminders_received=3, violations=0,
    )


def test_acknowledgement_clock_pauses_over_national_day(policy, calendar):
    # Sent Tue 2025-09-30 17:00; the 24 h working-day clock ends Thu 2025-10-09 17:00.
    notice = Assignment(Duty.NOTICE, "bob", "n-9", at(2025, 9, 30, 17), at(2025, 10, 13, 17), completed_at=at(2025, 10, 9, 10))
    evidence = collect_evidence("bob", "2025-10", [notice], violations=0, policy=policy, calendar=calendar)
    assert (evidence.acknowledged_on_time, evidence.acknowledged_late) == (1, 0)


def _result(userid: str, period: str, passed: bool) -> AssessmentResult:
    return AssessmentResult(userid, period, (), 80.0 if passed else 40.0, passed, False)


def test_two_consecutive_fails_trigger_remedial_training():
    history = [
        _result("bob", "2026-01", False), _result("bob", "2026-02", False),  # two in a row
        _result("carol", "2026-01", False), _result("carol", "2026-02", True),  # recovered
        _result("dan", "2026-01", True), _result("dan", "2026-02", False),  # only one
    ]
    assert consecutive_fails(history, 2) == ("bob",)
    assert consecutive_fails(history, 1) == ("bob", "dan")


def test_a_third_fail_does_not_retrigger_but_a_fourth_does():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    three = [_result("bob", m, False) for m in months[:3]]
    assert consecutive_fails(three, 2) == ()
    assert consecutive_fails([*three, _result("bob", months[3], False)], 2) == ("bob",)


def test_period_makes_old_months_reproducible():
    history = [_result("bob", "2026-01", False), _result("bob", "2026-02", False), _result("bob", "2026-03", True)]
    assert consecutive_fails(history, 2) == ()
    assert consecutive_fails(history, 2, period="2026-02") == ("bob",)
    assert consecutive_fails(history, 2, period="2026-04") == ()  # nobody assessed in April


def test_previous_month_crosses_the_year():
    assert previous_month(at(2026, 1, 5, 9)) == "2025-12"
    assert previous_month(at(2026, 3, 2, 9)) == "2026-02"
