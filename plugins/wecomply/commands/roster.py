"""`python -m wecomply roster import FILE [--dry-run]`: load HR's roster, all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from wecomply.commands.db import add_url_argument


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("roster", help="HR 花名册 / the HR roster")
    actions = parser.add_subparsers(dest="roster_command", required=True, metavar="<action>")
    imp = actions.add_parser(
        "import",
        help="导入花名册 (CSV/XLSX, UTF-8/GBK) / import a roster file",
        description="任何一行有问题则整个文件不导入，并逐行列出问题。/ Any bad row rejects the whole "
        "file, listing every problem by row and column.",
    )
    imp.add_argument("file", type=Path, help="花名册文件 / roster file (.csv or .xlsx)")
    imp.add_argument("--dry-run", action="store_true", help="只检查不写入 / validate and show changes only")
    add_url_argument(imp)
    imp.set_defaults(handler=_import)


def _import(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from wecomply.records.db import make_engine, resolve_records_url, session_factory
    from wecomply.records.models import Department
    from wecomply.roster import import_roster

    engine = make_engine(args.url or resolve_records_url())
    try:
        sessions = session_factory(engine)
        with sessions.begin() as session:
            result = import_roster(args.file, session=session, now=datetime.now(timezone.utc), dry_run=args.dry_run)
            names = {r.id: r.name for r in session.execute(sa.select(Department.id, Department.name))}
    finally:
        engine.dispose()
    for change in result.changes:
        print(change.describe(names))
    mode = "（试运行，未写入 / dry run, nothing written）" if args.dry_run else ""
    print(
        f"花名册 {result.path}：{result.rows} 行，新增 {result.created}，更新 {result.updated}，"
        f"未变 {result.unchanged}{mode} / roster {result.path}: {result.rows} rows, "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0
