"""Keeping the official holiday calendar current: HR and admin hear in WeCom when a year's
State Council notice is missing.

chinesecalendar learns a year's days off and 调休 from a package release, which can come
after the year has begun; until then the company enters the notice in the policy
(`calendar.official_notices`). A year with neither counts Monday to Friday less the
statutory days off (`WorkCalendar`, `wecomply.policy.statutory`), so its deadlines and
quiet hours are wrong around every 补假, bridging day and 调休. A warning in task logs and in `policy check` is
not where HR looks: this tells them in WeCom, from the notice season on, until the year's
official days are known. Once a notice is entered, they hear once what was read from it
(again if it is changed), so a misread day is caught against the published text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

from wecomply.duties.model import Action, ActionKind, Duty
from wecomply.policy.calendar import NOTICE_SEASON_MONTH, SHANGHAI, WorkCalendar

STEP = "notify-missing-notice"
TEMPLATE = "calendar/missing_notice"
CONFIRM_STEP = "confirm-entered-notice"
CONFIRM_TEMPLATE = "calendar/entered_notice"


def reminder_period(year: int, today: date) -> str:
    """The outbox period of a reminder about `year`'s notice sent on `today`: one
    reminder per period. In November, the month: next year's notice may not be out yet,
    and weekly reminders of something HR cannot act on teach them to ignore it. From
    December, and all through a year begun without its notice, the ISO week."""
    if year > today.year and today.month == NOTICE_SEASON_MONTH:
        return f"{today:%Y-%m}"
    iso = today.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def missing_notice_actions(*, now: datetime, calendar: WorkCalendar, recipients: Sequence[str]) -> tuple[Action, ...]:
    """A text to `recipients` (HR and admin) for each year awaiting its notice as of `now`,
    held to the working window like every non-urgent message."""
    today = now.astimezone(SHANGHAI).date()
    periods = {year: reminder_period(year, today) for year in calendar.years_awaiting_notice(today)}
    return _texts(periods, STEP, TEMPLATE, now=now, calendar=calendar, recipients=recipients)


def entered_notice_period(calendar: WorkCalendar, year: int) -> str:
    """The outbox period of a confirmation: the year and a digest of the notice as read,
    so a corrected notice is confirmed again and an unchanged one never twice."""
    notice = calendar.settings.official_notices[year]
    digest = hashlib.sha256(notice.model_dump_json().encode("utf-8")).hexdigest()[:12]
    return f"{year}-{digest}"


def entered_notice_actions(*, now: datetime, calendar: WorkCalendar, recipients: Sequence[str]) -> tuple[Action, ...]:
    """A text to `recipients` for each notice the policy enters for this year or, from
    November, the next, that the calendar uses (the package does not cover the year)."""
    years = calendar.years_on_entered_notice(calendar.years_in_notice_season(now.astimezone(SHANGHAI).date()))
    periods = {year: entered_notice_period(calendar, year) for year in years}
    return _texts(periods, CONFIRM_STEP, CONFIRM_TEMPLATE, now=now, calendar=calendar, recipients=recipients)


def _texts(
    periods: dict[int, str], step: str, template: str, *, now: datetime, calendar: WorkCalendar,
    recipients: Sequence[str],
) -> tuple[Action, ...]:
    """One non-urgent text per year (its period given) to `recipients`."""
    if not periods or not recipients:
        return ()
    send_at = calendar.next_working_window(now)
    return tuple(
        Action(
            kind=ActionKind.NOTIFY, duty=Duty.CALENDAR, subject=str(year), period=period, step=step,
            recipients=tuple(recipients), template=template, deadline=None, urgent=False, send_at=send_at,
        )
        for year, period in periods.items()
    )
