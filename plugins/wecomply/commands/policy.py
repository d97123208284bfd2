"""`python -m wecomply policy check [FILE]`: validate the policy file and summarise it."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import Policy


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("policy", help="策略文件 / the policy file")
    actions = parser.add_subparsers(dest="policy_command", required=True, metavar="<action>")
    check = actions.add_parser(
        "check",
        help="校验策略文件并打印摘要 / validate the policy file and print a summary",
    )
    check.add_argument(
        "file",
        nargs="?",
        help="策略文件路径；默认 $WECOMPLY_POLICY 或 include/policy.yaml / "
        "policy file; default $WECOMPLY_POLICY or include/policy.yaml",
    )
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from wecomply.policy.calendar import SHANGHAI, WorkCalendar
    from wecomply.policy.config import load_policy, resolve_policy_path

    path = resolve_policy_path(args.file)
    policy = load_policy(path)
    calendar = WorkCalendar(policy)
    for line in summary_lines(policy, calendar) + notice_lines(policy):
        print(line)
    for line in calendar_warnings(policy, calendar, datetime.now(SHANGHAI).date()):
        print(line)
    print(f"策略文件有效 / policy file is valid: {path}")
    return 0


def calendar_warnings(policy: Policy, calendar: WorkCalendar, today: date) -> list[str]:
    """What HR should act on about the official calendar, as of `today`: a year this run
    or next (from November) has no official days for, and entered notices the installed
    chinesecalendar now covers."""
    if policy.calendar.source != "chinese_calendar":
        return []
    last = calendar.covered_years[-1]
    lines = [
        f"警告 / warning: 还没有 {year} 年的国务院节假日安排（chinesecalendar 收录到 {last} 年），"
        f"{year} 年的期限按周一至周五（法定节假日除外）计算，补假、连休与调休都不知道。通知发布后，"
        f"升级 chinesecalendar，或把通知正文粘贴到 calendar.official_notices.{year}.text / "
        f"no official holidays for {year} yet (chinesecalendar covers up to "
        f"{last}), so {year}'s deadlines count Monday to Friday less the statutory days off, "
        f"without substitute days, bridging days or make-up working days. Once the "
        f"State Council's notice is out, upgrade chinesecalendar or paste its text under "
        f"calendar.official_notices.{year}.text"
        for year in calendar.years_awaiting_notice(today)
    ]
    lines += [
        f"提示 / note: chinesecalendar 已收录 {year} 年，calendar.official_notices.{year} 不再使用，可以删除 / "
        f"chinesecalendar now covers {year}: calendar.official_notices.{year} is not used and can be removed"
        for year in calendar.superseded_notices
    ]
    return lines


def notice_lines(policy: Policy) -> list[str]:
    """Each entered notice as read, run by run, so HR can hold it against the published text."""
    from wecomply.policy.config import NoticeDays

    def runs(days: list[NoticeDays]) -> str:
        return NoticeDays.listed(days, "、", "无 / none")

    return [
        f"{year} 年通知 / notice for {year}: 放假 / days off {len(notice.holiday_dates)} 天: {runs(notice.holidays)}；"
        f"调休上班 / make-up working days: {runs(notice.working_days)}"
        for year, notice in sorted(policy.calendar.official_notices.items())
    ]


def summary_lines(policy: Policy, calendar: WorkCalendar) -> list[str]:
    hours = policy.working_hours
    lunch = (
        f"，午休 {hours.lunch.start:%H:%M}–{hours.lunch.end:%H:%M}" if hours.lunch else "，无午休"
    )
    covered = calendar.covered_years
    notices = "、".join(map(str, sorted(policy.calendar.official_notices)))
    entered = f"；策略文件录入的通知：{notices} 年" if notices else ""
    source = (
        f"国家法定节假日与调休（chinesecalendar，{covered.start}–{covered.stop - 1} 年{entered}）"
        if policy.calendar.source == "chinese_calendar"
        else "仅周末"
    )
    a = policy.assessment
    weights = "、".join(f"{k} {v}" for k, v in a.weights.as_dict().items())
    return [
        f"时区 {policy.timezone}，语言 {policy.locale}",
        f"工作时间 {hours.start:%H:%M}–{hours.end:%H:%M}{lunch}；工作日：{source}",
        f"公司额外假日 {len(policy.calendar.extra_holidays)} 天，额外工作日 "
        f"{len(policy.calendar.extra_working_days)} 天",
        f"入职培训 {policy.onboarding.deadline} 内完成，提醒/升级 {len(policy.onboarding.ladder)} 步",
        f"定期培训 {policy.periodic_training.cadence}，{policy.periodic_training.deadline} 内完成",
        f"补训 {policy.remedial_training.deadline} 内完成；连续 {a.consecutive_fails_for_remedial} "
        f"次考核不合格触发",
        f"考核权重 {weights}；及格 {a.pass_mark:g}，优秀 {a.excellent_mark:g}",
        f"消息 {policy.messages.reply_within} 内回复；会议纪要 {policy.meetings.minutes_within} 内发送，"
        f"参会人 {policy.meetings.receipt_within} 内确认",
        f"账号申请 {policy.accounts.request_review_within} 内审核；密码 "
        f"{policy.accounts.password_max_age} 确认一次；问题 {policy.accounts.findings_fix_within} 内处理",
        f"安全事件 {policy.incidents.report_within} 内上报信息安全，逾期升级至公司领导",
        "离职账号自动停用："
        + ("开启" if policy.wecom_actions.auto_disable_leavers else "关闭（改为通知行政与 HR）")
        + f"；重复消息检查窗口 {policy.wecom_actions.duplicate_check_interval_s} 秒",
    ]
