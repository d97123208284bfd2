"""Security incidents (v1 §4.3): report, notify at once, run the 30-minute clock, escalate.

`report_from_form` records the incident the form describes (once: the key comes from the
report). `watch_incidents` — every run, triggered or scheduled — stops the clock of
incidents whose card information security clicked, and sends what the ladder says is due:
the report to information security and the reporter's department head at once, a
reminder after 15 minutes, leadership at 30 minutes. Everything here is urgent, so quiet
hours and holidays never hold it. The handling checklist is advanced with
`python -m wecomply incident step` (see `advance_step`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from wecomply.duties.incidents import plan_incident
from wecomply.duties.model import Action, ActionKind, Directory
from wecomply.errors import UserFacingError
from wecomply.flows.context import RunContext
from wecomply.flows.form_values import id_list, parse_time, text_value
from wecomply.flows.people import load_people
from wecomply.flows.render import format_time
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI
from wecomply.records import incidents as repo
from wecomply.records.models import Incident
from wecomply.templating import clip

FIELD_CHARS = 200
FORM_FIELDS = ("what", "when", "where", "scope", "impact", "measures", "people", "reporter")


def report_from_form(form: Mapping[str, Any]) -> repo.IncidentReport | None:
    """The report in the form, or None when the form is empty (a scheduled run)."""
    if not any(form.get(k) for k in FORM_FIELDS):
        return None
    department = form.get("department_id")
    if department in ("", None):
        department_id = None
    else:
        ids = id_list([department], "department_id", kind=int)
        department_id = ids[0] if ids else None
    when_text = text_value(form.get("when"), "when", required=True, limit=64)
    return repo.IncidentReport(
        what=text_value(form.get("what"), "what", required=True, limit=2000),
        when_text=when_text,
        occurred_at=parse_time(when_text, "when", required=True),
        where=text_value(form.get("where"), "where", limit=255),
        scope=text_value(form.get("scope"), "scope", limit=2000),
        impact=text_value(form.get("impact"), "impact", limit=2000),
        measures=text_value(form.get("measures"), "measures", limit=2000),
        people=tuple(id_list(form.get("people"), "people")),
        department_id=department_id,
        reporter=text_value(form.get("reporter"), "reporter", required=True, limit=64),
    )


def record_incident(ctx: RunContext, form: Mapping[str, Any]) -> dict[str, Any]:
    report = report_from_form(form)
    if report is None:
        return {"reported": 0}
    if report.occurred_at is not None and report.occurred_at > ctx.now:
        raise UserFacingError(
            f"表单字段 when（{report.when_text}）晚于上报时间 / field when is after the report time "
            f"{ctx.now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}; give the time the incident happened"
        )
    with ctx.sessions.begin() as session:
        row, created = repo.record_report(report, session=session, now=ctx.now)
        key = row.key
    return {"reported": int(created), "already_reported": int(not created), "incident": key}


def _as_card(action: Action) -> Action:
    """The first notification carries the 「已接手处理」 button: taking it stops the clock."""
    return replace(action, kind=ActionKind.ASSIGN) if action.kind is ActionKind.NOTIFY else action


def _values(row: Incident, directory: Directory, locale: str) -> dict[str, Any]:
    def name(userid: str) -> str:
        person = directory.get(userid)
        return f"{person.name}（{userid}）" if person and locale != "en" else (f"{person.name} ({userid})" if person else userid)

    people = [str(p["id"]) for p in row.people_involved or [] if isinstance(p, dict) and p.get("kind") == "person"]
    departments = [str(p["id"]) for p in row.people_involved or [] if isinstance(p, dict) and p.get("kind") == "department"]
    involved = "、".join([*(name(u) for u in people), *(f"部门 {d}" for d in departments)]) or "—"
    return {
        "incident": row.key,
        "what": clip(row.what, FIELD_CHARS),
        "when": format_time(row.occurred_at, locale),
        "where": clip(row.location or "—", FIELD_CHARS),
        "scope": clip(row.scope or "—", FIELD_CHARS),
        "impact": clip(row.impact or "—", FIELD_CHARS),
        "measures": clip(row.measures_taken or "—", FIELD_CHARS),
        "involved": clip(involved, FIELD_CHARS),
        "reporter": name(row.reporter_userid or "—"),
        "reported": format_time(row.clock_started_at, locale),
    }


def watch_incidents(ctx: RunContext) -> dict[str, int]:
    today = ctx.now.astimezone(SHANGHAI).date()
    with ctx.sessions.begin() as session:
        people = load_people(session)
        directory = Directory(people)
        responders = directory.group(ctx.policy, "infosec", today)
        acknowledged = repo.acknowledge_from_clicks(session=session, responders=responders)
        rows = repo.unacknowledged(session=session)
        work = [(row.key, repo.facts(row), _values(row, directory, ctx.locale)) for row in rows]
    summary: dict[str, int] = {"acknowledged_now": acknowledged, "on_the_clock": len(work)}
    for key, incident, values in work:
        actions = [_as_card(a) for a in plan_incident(incident, people, now=ctx.now, policy=ctx.policy, calendar=ctx.calendar)]
        for name, value in send_actions(ctx, actions, directory, extra_values=values).items():
            summary[name] = summary.get(name, 0) + value
        with ctx.sessions.begin() as session:
            repo.mark_sent_steps(repo.get_incident(key, session=session), session=session)
    return summary


def advance_step(sessions: Any, key: str, step: str, *, by: str, at: datetime, note: str = "") -> dict[str, Any]:
    """Record one checklist step (CLI and tests); raises if it is not the next one."""
    with sessions.begin() as session:
        row = repo.advance_incident(key, repo.parse_step(step), session=session, at=at, by=by, note=note)
        return {
            "incident": row.key,
            "steps": [s.step for s in sorted(row.steps, key=lambda s: s.seq)],
            "acknowledged_by": row.acknowledged_by,
            "closed": row.closed_at is not None,
        }
