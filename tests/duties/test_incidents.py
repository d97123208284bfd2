"""Security incidents: immediate notification, the 30-minute clock, the §4.3 checklist."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.duties.company import at
from wecomply.duties.incidents import (
    Incident,
    IncidentStage,
    IncidentTransitionError,
    advance,
    next_stage,
    plan_incident,
)
from wecomply.errors import UserFacingError

LEAK = Incident(
    incident_id="inc-1",
    reporter="bob",
    reported_at=at(2026, 3, 7, 23),  # Saturday night
    what="客户名单疑似外泄",
    where="销售部共享盘",
    scope="约 300 条客户记录",
    impact="数据泄露",
    measures="已关闭共享链接",
    people_involved=("bob", "carol"),
)


def plan(incident, now, policy, calendar, people):
    return plan_incident(incident, people, now=now, policy=policy, calendar=calendar)


def test_infosec_is_told_at_once_even_on_saturday_night(policy, calendar, company):
    now = at(2026, 3, 7, 23, 1)
    [action] = plan(LEAK, now, policy, calendar, company)
    assert action.key == ("incident", "inc-1", "2026-03-07", "notify-infosec")
    assert action.recipients == ("sec1", "sales_head")
    assert action.urgent and action.send_at == now
    assert action.deadline == at(2026, 3, 7, 23, 30)


def test_unacknowledged_after_30_minutes_goes_to_leadership(policy, calendar, company):
    steps = [a.step for a in plan(LEAK, at(2026, 3, 7, 23, 29), policy, calendar, company)]
    assert steps == ["notify-infosec", "remind-infosec"]
    late = plan(LEAK, at(2026, 3, 7, 23, 30), policy, calendar, company)
    assert late[-1].step == "escalate-leadership"
    assert late[-1].recipients == ("boss", "sec1") and late[-1].level == 1


def test_acknowledgement_stops_the_clock(policy, calendar, company):
    handled = advance(LEAK, IncidentStage.INITIAL_JUDGEMENT, at=at(2026, 3, 7, 23, 12), by="sec1")
    assert handled.acknowledged_at == at(2026, 3, 7, 23, 12) and handled.acknowledged_by == "sec1"
    assert plan(handled, at(2026, 3, 8, 0, 30), policy, calendar, company) == ()


def test_public_holiday_does_not_delay_an_incident(policy, calendar, company):
    national_day = replace(LEAK, incident_id="inc-2", reported_at=at(2025, 10, 1, 3))
    [action] = plan(national_day, at(2025, 10, 1, 3), policy, calendar, company)
    assert action.step == "notify-infosec" and action.send_at == at(2025, 10, 1, 3)


def test_checklist_runs_in_order_to_closure():
    incident, t = LEAK, at(2026, 3, 7, 23, 10)
    order = [
        IncidentStage.INITIAL_JUDGEMENT,
        IncidentStage.EMERGENCY_RESPONSE,
        IncidentStage.INVESTIGATION,
        IncidentStage.RECOVERY,
        IncidentStage.SUMMARY_REPORT,
        IncidentStage.ACCOUNTABILITY,
        IncidentStage.CLOSED,
    ]
    for minutes, stage in enumerate(order):
        assert next_stage(incident) is stage
        incident = advance(incident, stage, at=t.replace(minute=10 + minutes), by="sec1")
    assert incident.stage is IncidentStage.CLOSED and next_stage(incident) is None
    assert [r.stage for r in incident.history] == order
    assert "总结报告" in IncidentStage.SUMMARY_REPORT.label


def test_skipping_or_reversing_a_step_is_refused():
    with pytest.raises(IncidentTransitionError, match="allowed next step: 初步判断") as caught:
        advance(LEAK, IncidentStage.INVESTIGATION, at=at(2026, 3, 7, 23, 10), by="sec1")
    assert isinstance(caught.value, UserFacingError)
    judged = advance(LEAK, IncidentStage.INITIAL_JUDGEMENT, at=at(2026, 3, 7, 23, 10), by="sec1")
    with pytest.raises(IncidentTransitionError, match="before the previous step"):
        advance(judged, IncidentStage.EMERGENCY_RESPONSE, at=at(2026, 3, 7, 23, 5), by="sec1")
    with pytest.raises(IncidentTransitionError):
        advance(judged, IncidentStage.INITIAL_JUDGEMENT, at=at(2026, 3, 7, 23, 20), by="sec1")
