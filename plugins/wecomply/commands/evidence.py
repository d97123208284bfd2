"""`python -m wecomply evidence export --month YYYY-MM --out FILE`: the auditors' CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from wecomply.commands.db import add_url_argument


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("evidence", help="审计证据 / audit evidence")
    actions = parser.add_subparsers(dest="evidence_command", required=True, metavar="<action>")
    export = actions.add_parser(
        "export", help="导出某月的发送、确认与升级记录 (CSV) / export a month's deliveries, acknowledgements, escalations"
    )
    export.add_argument("--month", required=True, help="YYYY-MM（北京时间 / Asia/Shanghai）")
    export.add_argument("--out", required=True, type=Path, help="输出 CSV 文件 / output CSV file")
    add_url_argument(export)
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    from wecomply.records.db import make_engine, resolve_records_url, session_factory
    from wecomply.records.evidence import export_evidence, month_bounds

    month_bounds(args.month)  # a bad month fails before touching the database
    engine = make_engine(args.url or resolve_records_url())
    try:
        # A long read must not hold SQLite's write lock.
        reader = engine.execution_options(sqlite_begin="DEFERRED")
        with session_factory(reader)() as session:
            count = export_evidence(args.month, args.out, session=session)
    finally:
        engine.dispose()
    print(f"已导出 {count} 条记录到 {args.out} / exported {count} records to {args.out}")
    return 0
