"""The scenario's one-off moments: the notice, the incident, hand-registered meetings,
and the month end (assessment, then the reports)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from demo_company.month import SHANGHAI, Event, MonthWorld
from demo_company.simulator_setup import manual_meetings


def scenario_events(world: MonthWorld) -> list[Event]:
    scenario = world.company.scenario
    events: list[Event] = []
    for notice in scenario.notices:
        events.append(Event(notice.published_at, "dag", "notice_acknowledgement", conf=notice_conf(world, notice)))
    for meeting in manual_meetings(world.company):
        # HR registers the hand-booked meeting the morning it takes place.
        registered_at = meeting.start.replace(hour=9, minute=0)
        events.append(Event(registered_at, "call", call=lambda m=meeting: register_meeting(world, m)))
    incident = scenario.incident
    events.append(Event(incident.reported_at, "dag", "security_incident", conf=incident_conf(incident)))
    events.append(Event(incident.reported_at + timedelta(minutes=5), "clicks"))
    events.append(Event(incident.reported_at + timedelta(minutes=31), "dag", "security_incident", conf=incident_conf(incident)))
    return events


def register_meeting(world: MonthWorld, meeting: Any) -> None:
    from wecomply.flows.meetings import register_manual_meeting

    with world.sessions.begin() as session:
        register_manual_meeting(
            session, title=meeting.title, organiser=meeting.organiser, start_at=meeting.start,
            end_at=meeting.end, attendees=list(meeting.attendees), external_id=meeting.key,
        )


def notice_conf(world: MonthWorld, notice: Any) -> dict[str, Any]:
    everyone = notice.audience_departments == (1,)
    return {
        "notice_key": notice.key,
        "title": notice.title,
        "body": notice.body,
        "audience_departments": [] if everyone else list(notice.audience_departments),
        "audience_all": everyone,
        "audience_users": [],
        "audience_tags": [],
        "deadline": notice.deadline.isoformat(),
        "urgent": notice.urgent,
    }


def incident_conf(incident: Any) -> dict[str, Any]:
    return {
        "what": incident.what,
        "when": incident.when,
        "where": incident.where,
        "scope": incident.scope,
        "impact": incident.impact,
        "measures": incident.measures,
        "people": list(incident.people),
        "department_id": incident.departments[0] if incident.departments else None,
        "reporter": incident.reporter,
    }


def month_end(world: MonthWorld) -> list[Path]:
    """The first working day after the month: assess the month, then write the reports."""
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    scenario = world.company.scenario
    year, month = map(int, scenario.month.split("-"))
    next_month = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SHANGHAI).date()
    first = WorkCalendar(load_policy()).first_working_day_on_or_after(next_month)
    assess_at = datetime.combine(first, time(9, 0), SHANGHAI)
    if world.has("assessment_monthly"):
        world.run_dag("assessment_monthly", assess_at)
    world.click(assess_at + timedelta(hours=1))
    if world.has("report_monthly"):
        world.run_dag("report_monthly", assess_at + timedelta(minutes=30))
    from wecomply.reports.archive import write_reports

    return list(write_reports(scenario.month, world.out_dir, sessions=world.sessions))
