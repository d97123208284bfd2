"""Security incidents (v1 §4.3, v1 §3).

Urgent throughout: the ladder ignores working hours and days. When an incident is
reported, information security and the reporter's department head are notified at once;
if nobody from information security acknowledges within `incidents.report_within` (30
minutes) leadership is escalated to. Handling then walks the v1 §4.3 checklist in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Action, Assignment, Directory, Duty, Person
from wecomply.errors import UserFacingError
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import Policy


class IncidentStage(IntEnum):
    """The v1 §4.3 handling steps, in the only order they may happen."""

    REPORTED = 0
    INITIAL_JUDGEMENT = 1  # 初步判断
    EMERGENCY_RESPONSE = 2  # 应急响应
    INVESTIGATION = 3  # 调查分析
    RECOVERY = 4  # 修复恢复
    SUMMARY_REPORT = 5  # 总结报告
    ACCOUNTABILITY = 6  # 责任追究
    CLOSED = 7

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    IncidentStage.REPORTED: "已上报 / reported",
    IncidentStage.INITIAL_JUDGEMENT: "初步判断 / initial judgement",
    IncidentStage.EMERGENCY_RESPONSE: "应急响应 / emergency response",
    IncidentStage.INVESTIGATION: "调查分析 / investigation",
    IncidentStage.RECOVERY: "修复恢复 / repair and recovery",
    IncidentStage.SUMMARY_REPORT: "总结报告 / summary report",
    IncidentStage.ACCOUNTABILITY: "责任追究 / accountability",
    IncidentStage.CLOSED: "已关闭 / closed",
}


class IncidentTransitionError(UserFacingError):
    """A checklist step was skipped, repeated or taken backwards."""


@dataclass(frozen=True, slots=True)
class StageRecord:
    stage: IncidentStage
    at: datetime
    by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    """The report's fields are the v1 §4.3 report: time, place and scope, impact, first
    measures, people and departments involved."""

    incident_id: str
    reporter: str
    reported_at: datetime
    what: str
    where: str = ""
    scope: str = ""
    impact: str = ""
    measures: str = ""
    people_involved: tuple[str, ...] = ()
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    history: tuple[StageRecord, ...] = ()

    @property
    def stage(self) -> IncidentStage:
        return self.history[-1].stage if self.history else IncidentStage.REPORTED


def next_stage(incident: Incident) -> IncidentStage | None:
    current = incident.stage
    return None if current is IncidentStage.CLOSED else IncidentStage(current + 1)


def advance(incident: Incident, to: IncidentStage, *, at: datetime, by: str, note: str = "") -> Incident:
    """The incident with `to` recorded; only the next checklist step is allowed."""
    expected = next_stage(incident)
    if to != expected:
        allowed = expected.label if expected is not None else "无（已关闭）/ none (closed)"
        raise IncidentTransitionError(
            f"安全事件 {incident.incident_id}: 不能从「{incident.stage.label}」进入「{to.label}」/ "
            f"incident {incident.incident_id}: cannot go from {incident.stage.name} to {to.name}; "
            f"allowed next step: {allowed}"
        )
    if incident.history and at < incident.history[-1].at:
        raise IncidentTransitionError(
            f"安全事件 {incident.incident_id}: 步骤时间 {at.isoformat()} 早于上一步 / "
            f"step time is before the previous step's {incident.history[-1].at.isoformat()}"
        )
    if incident.acknowledged_at is None:
        # Working the checklist is itself the acknowledgement that stops the 30-minute clock.
        incident = replace(incident, acknowledged_at=at, acknowledged_by=by)
    return replace(incident, history=(*incident.history, StageRecord(to, at, by, note)))


def incident_assignment(incident: Incident, policy: Policy, calendar: WorkCalendar) -> Assignment:
    return Assignment(
        kind=Duty.INCIDENT,
        subject=incident.incident_id,
        period=incident.reported_at.astimezone(SHANGHAI).date().isoformat(),
        assigned_at=incident.reported_at,
        due_at=calendar.deadline(incident.reported_at, policy.incidents.report_within),
        completed_at=incident.acknowledged_at,
        assignee_id=incident.reporter,
    )


def plan_incident(
    incident: Incident,
    people: Iterable[Person],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Action, ...]:
    """The urgent notifications due by `now`; none once someone has acknowledged."""
    return ladder_actions(
        incident_assignment(incident, policy, calendar),
        policy.incidents.ladder,
        now=now,
        policy=policy,
        calendar=calendar,
        directory=Directory(people),
        urgent=True,
        include_assign=False,
    )
