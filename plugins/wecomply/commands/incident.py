"""`python -m wecomply incident step|show`: the v1 §4.3 handling checklist of an incident.

Information security records each step in order (初步判断 → 应急响应 → 调查分析 → 修复恢复 →
总结报告 → 责任追究); the last one closes the incident. Recording a step also counts as
taking the incident, which stops its 30-minute clock.
"""

from __future__ import annotations

import argparse

from wecomply.commands.db import add_url_argument


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("incident", help="安全事件处置 / security incident checklist")
    actions = parser.add_subparsers(dest="incident_command", required=True, metavar="<action>")

    step = actions.add_parser("step", help="记录一个处置步骤 / record the next checklist step")
    step.add_argument("key", help="事件编号（卡片上的 INC-…） / incident key (INC-… on the card)")
    step.add_argument(
        "step",
        help="initial_judgement | response | investigation | recovery | summary_report | accountability "
        "（或 初步判断 应急响应 调查分析 修复恢复 总结报告 责任追究）",
    )
    step.add_argument("--by", required=True, help="处理人企业微信账号 / who did it (userid)")
    step.add_argument("--note", default="", help="说明 / notes")
    step.add_argument("--at", default="", help='完成时间，默认现在 / when, default now: "YYYY-MM-DD HH:MM"')
    add_url_argument(step)
    step.set_defaults(handler=_step)

    show = actions.add_parser("show", help="查看事件与处置进度 / show an incident and its checklist")
    show.add_argument("key", help="事件编号 / incident key")
    add_url_argument(show)
    show.set_defaults(handler=_show)


def _sessions(url: str | None):
    from wecomply.records.db import make_engine, resolve_records_url, session_factory

    engine = make_engine(url or resolve_records_url())
    return engine, session_factory(engine)


def _step(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from wecomply.flows.form_values import parse_time
    from wecomply.flows.incidents import advance_step

    at = parse_time(args.at, "--at") or datetime.now(timezone.utc)
    engine, sessions = _sessions(args.url)
    try:
        done = advance_step(sessions, args.key, args.step, by=args.by, at=at, note=args.note)
    finally:
        engine.dispose()
    state = "，事件已关闭 / closed" if done["closed"] else ""
    print(f"{done['incident']}: 已记录 / recorded {done['steps'][-1]} ({len(done['steps'])}/6){state}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from wecomply.records.incidents import get_incident
    from wecomply.policy.calendar import SHANGHAI

    def when(value) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"

    engine, sessions = _sessions(args.url)
    try:
        with sessions() as session:
            row = get_incident(args.key, session=session)
            lines = [
                f"{row.key}: {row.what}",
                f"  上报 / reported {when(row.clock_started_at)}  通知 / notified {when(row.notified_at)}",
                f"  接手 / taken {when(row.acknowledged_at)} {row.acknowledged_by or ''}  "
                f"升级 / escalated {when(row.escalated_at)}  关闭 / closed {when(row.closed_at)}",
                *(f"  {s.seq}. {s.step} {when(s.completed_at)} {s.completed_by or ''} {s.notes}".rstrip()
                  for s in sorted(row.steps, key=lambda s: s.seq)),
            ]
    finally:
        engine.dispose()
    print("\n".join(lines))
    return 0
