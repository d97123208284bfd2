"""The holiday calendar check: HR and admin told which years await their notice, and what
was read from a notice once entered."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from wecomply import templating
from wecomply.duties.calendar_upkeep import entered_notice_actions, missing_notice_actions
from wecomply.duties.model import Directory
from wecomply.flows.context import RunContext
from wecomply.flows.people import function_members
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI
from wecomply.policy.config import NoticeDays

log = logging.getLogger(__name__)

RECIPIENT_ROLES = ("hr", "admin")


def run_calendar_check(ctx: RunContext) -> dict[str, Any]:
    today = ctx.now.astimezone(SHANGHAI).date()
    years = ctx.calendar.years_awaiting_notice(today)
    entered = ctx.calendar.years_on_entered_notice(ctx.calendar.years_in_notice_season(today))
    result: dict[str, Any] = {"years_awaiting_notice": years} | ({"notices_entered": entered} if entered else {})
    if not years and not entered:
        log.info("需要的年份都有法定节假日与调休数据 / every year needed has its official days")
        return result
    for year in years:
        log.warning(
            "还没有 %s 年的国务院节假日安排：请把通知正文粘贴到 calendar.official_notices.%s.text / no "
            "official holidays for %s yet: paste its notice under calendar.official_notices.%s.text",
            year, year, year, year,
        )
    with ctx.sessions() as session:
        recipients = function_members(session, ctx.policy, RECIPIENT_ROLES, today)
    if not recipients:
        # Nobody to tell in WeCom: the policy's roles name no HR or admin. The task log
        # above is then the only trace, so say how to fix the roles too.
        log.warning("roles.hr 与 roles.admin 都没有人，无法在企业微信提醒 / roles.hr and roles.admin are empty: nobody to remind")
        return result | {"unaddressed": len(years) + len(entered)}
    summary: Counter[str] = Counter()
    covered_until = ctx.calendar.covered_years[-1]
    # One send per year: each text names its own year (and an entered notice its own days).
    for action in missing_notice_actions(now=ctx.now, calendar=ctx.calendar, recipients=recipients):
        summary.update(send_actions(
            ctx, [action], Directory(()), extra_values={"year": action.subject, "covered_until": covered_until},
        ))
    for action in entered_notice_actions(now=ctx.now, calendar=ctx.calendar, recipients=recipients):
        summary.update(send_actions(ctx, [action], Directory(()), extra_values=_as_read(ctx, int(action.subject))))
    return result | dict(summary)


def _as_read(ctx: RunContext, year: int) -> dict[str, Any]:
    notice = ctx.policy.calendar.official_notices[year]
    separator = "、" if ctx.locale == "zh" else ", "
    nothing = templating.message("calendar", "none", ctx.locale)
    return {
        "year": year,
        "days_off": NoticeDays.listed(notice.holidays, separator, nothing),
        "working_days": NoticeDays.listed(notice.working_days, separator, nothing),
    }
