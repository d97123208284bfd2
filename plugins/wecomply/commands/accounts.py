"""`python -m wecomply accounts request|review|list|findings`: account requests (v2 §3.1).

A supervisor's request is registered here (or from an approval flow's number via `--id`);
IT has 3 working days to review it. The account review DAG reminds IT and escalates, and
records an overdue request as a finding until it is reviewed, here or by clicking 已审核
on the reminder card.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from wecomply.commands.db import add_url_argument


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("accounts", help="账号申请与检查结果 / account requests and review findings")
    actions = parser.add_subparsers(dest="accounts_command", required=True, metavar="<action>")

    request = actions.add_parser("request", help="登记账号申请 / register an account request")
    request.add_argument("--requester", required=True, help="申请人（直属上级）企业微信账号 / requester's userid")
    request.add_argument("--name", required=True, help="新账号使用人姓名 / name of the person the account is for")
    request.add_argument("--department", type=int, help="部门 ID / department id")
    request.add_argument("--reason", default="", help="申请理由、岗位 / reason and post")
    request.add_argument("--id", dest="external_id", help="审批单号等外部编号 / external id, e.g. the approval number")
    request.add_argument("--at", help="提交时间 'YYYY-MM-DD HH:MM'（北京时间），默认现在 / submitted at (Beijing time), default now")
    add_url_argument(request)
    request.set_defaults(handler=_request)

    review = actions.add_parser("review", help="登记 IT 审核结果 / record IT's review")
    review.add_argument("request_id", help="申请编号（req-N 或外部编号）/ request id (req-N or the external id)")
    review.add_argument("--reviewer", required=True, help="审核人企业微信账号 / reviewer's userid")
    review.add_argument("--outcome", default="approved", choices=("approved", "rejected"), help="审核结果 / outcome")
    review.add_argument("--at", help="审核时间 'YYYY-MM-DD HH:MM'（北京时间），默认现在 / reviewed at, default now")
    add_url_argument(review)
    review.set_defaults(handler=_review)

    listing = actions.add_parser("list", help="列出账号申请 / list account requests")
    add_url_argument(listing)
    listing.set_defaults(handler=_list)

    found = actions.add_parser("findings", help="列出账号检查发现 / list account review findings")
    found.add_argument("--open", action="store_true", help="只列未解决的 / open ones only")
    add_url_argument(found)
    found.set_defaults(handler=_findings)


def parse_local_time(text: str | None, option: str = "--at") -> datetime:
    from wecomply.errors import UserFacingError
    from wecomply.policy.calendar import SHANGHAI

    if not text:
        return datetime.now(SHANGHAI)
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise UserFacingError(f"{option} {text!r}: use 'YYYY-MM-DD HH:MM' in Beijing time, e.g. '2026-03-02 10:00'") from None


def _sessions(url: str | None):
    from wecomply.records.db import make_engine, resolve_records_url, session_factory

    return session_factory(make_engine(url or resolve_records_url()))


def _request(args: argparse.Namespace) -> int:
    from wecomply.records.findings import register_request

    submitted = parse_local_time(args.at)
    with _sessions(args.url).begin() as session:
        key = register_request(
            session=session, requester_userid=args.requester, subject_name=args.name, requested_at=submitted,
            department_id=args.department, reason=args.reason, external_id=args.external_id,
        )
    print(f"账号申请已登记 / account request registered: {key} ({submitted:%Y-%m-%d %H:%M})")
    return 0


def _review(args: argparse.Namespace) -> int:
    from wecomply.records.findings import review_request

    with _sessions(args.url).begin() as session:
        changed = review_request(
            args.request_id, session=session, reviewer_userid=args.reviewer, at=parse_local_time(args.at),
            outcome=args.outcome,
        )
    if not changed:
        print(f"{args.request_id}: 已审核过 / already reviewed")
        return 1
    print(f"{args.request_id}: 已记录审核 / review recorded ({args.outcome})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from wecomply.policy.calendar import SHANGHAI
    from wecomply.records.findings import all_requests, request_key

    with _sessions(args.url)() as session:
        for r in all_requests(session=session):
            reviewed = f"{r.reviewed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} {r.outcome}" if r.reviewed_at else "待审核 / open"
            print(f"{request_key(r.id, r.external_id)}\t{r.requester_userid}\t{r.subject_name}\t"
                  f"{r.requested_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t{reviewed}")
    return 0


def _findings(args: argparse.Namespace) -> int:
    from wecomply.policy.calendar import SHANGHAI
    from wecomply.records.findings import list_findings

    def local(value: datetime | None) -> str:
        return f"{value.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if value else "—"

    with _sessions(args.url)() as session:
        for f in list_findings(session=session, open_only=args.open):
            print(f"{f.kind}\t{f.subject}\t{local(f.opened_at)}\t{local(f.due_at)}\t{local(f.resolved_at)}\t{f.resolution or ''}")
    return 0
