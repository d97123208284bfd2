"""`python -m wecomply meetings register|minutes`: meetings booked outside the app (v1 §5.1).

WeCom's meeting API only reports meetings our app created; HR registers the others here so
that `meeting_minutes_followup` chases their minutes too. `minutes` records that the
organiser distributed the minutes; the next hourly run sends the attendees' cards.
"""

from __future__ import annotations

import argparse

from wecomply.commands.db import add_url_argument


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("meetings", help="会议与纪要 / meetings and minutes")
    actions = parser.add_subparsers(dest="meetings_command", required=True, metavar="<action>")

    reg = actions.add_parser("register", help="手工登记会议 / register a meeting booked outside the app")
    reg.add_argument("--title", required=True, help="会议主题 / topic")
    reg.add_argument("--organiser", required=True, help="组织者企业微信账号 / organiser's WeCom userid")
    reg.add_argument("--start", required=True, help='开始时间 / start, "YYYY-MM-DD HH:MM" (Asia/Shanghai)')
    reg.add_argument("--end", required=True, help='结束时间 / end, "YYYY-MM-DD HH:MM" (Asia/Shanghai)')
    reg.add_argument("--attendees", required=True, help="参会人账号，逗号分隔 / attendees' userids, comma-separated")
    reg.add_argument("--id", dest="external_id", help="外部编号（可选）/ your own id for it (optional)")
    add_url_argument(reg)
    reg.set_defaults(handler=_register)

    minutes = actions.add_parser("minutes", help="记录纪要已分发 / record that the minutes were distributed")
    minutes.add_argument("meeting", help="会议编号（如 m12）或 meetingid / meeting key (e.g. m12) or meetingid")
    minutes.add_argument("--text", default="", help="纪要要点 / the minutes (first 300 characters shown)")
    minutes.add_argument("--link", default="", help="纪要链接 / link to the minutes")
    add_url_argument(minutes)
    minutes.set_defaults(handler=_minutes)


def _sessions(url: str | None):
    from wecomply.records.db import make_engine, resolve_records_url, session_factory

    engine = make_engine(url or resolve_records_url())
    return engine, session_factory(engine)


def _register(args: argparse.Namespace) -> int:
    from wecomply.flows.form_values import id_list, parse_time
    from wecomply.flows.meetings import register_manual_meeting

    start = parse_time(args.start, "--start", required=True)
    end = parse_time(args.end, "--end", required=True)
    attendees = id_list(args.attendees, "--attendees")
    engine, sessions = _sessions(args.url)
    try:
        with sessions.begin() as session:
            key, created = register_manual_meeting(
                session, title=args.title, organiser=args.organiser, start_at=start, end_at=end,
                attendees=attendees, external_id=args.external_id,
            )
    finally:
        engine.dispose()
    state = "已登记 / registered" if created else "已更新 / updated"
    print(f"{state} {key}: {args.title} ({len(attendees)} 位参会人 / attendees)")
    return 0


def _minutes(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from wecomply.records.meetings import find_meeting, meeting_key, record_minutes

    ref = "\n".join(p for p in (args.text.strip(), args.link.strip()) if p) or None
    engine, sessions = _sessions(args.url)
    try:
        with sessions.begin() as session:
            row = find_meeting(args.meeting, session=session)
            recorded = record_minutes(row, at=datetime.now(timezone.utc), ref=ref)
            key = meeting_key(row.id)
    finally:
        engine.dispose()
    if recorded:
        print(f"{key}: 已记录纪要分发，下一次整点运行发送参会人卡片 / minutes recorded; the next hourly run sends the cards")
    else:
        print(f"{key}: 纪要此前已分发 / the minutes were already distributed")
    return 0
