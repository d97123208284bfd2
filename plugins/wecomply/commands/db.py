"""`python -m wecomply db upgrade|current`: the records DB schema (Alembic)."""

from __future__ import annotations

import argparse


def add_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help="记录库 SQLAlchemy URL；默认取连接 wecomply_db (AIRFLOW_CONN_WECOMPLY_DB)，否则 "
        "$WECOMPLY_DATA_DIR/wecomply.db / records DB URL (default: connection wecomply_db, "
        "else the SQLite file in the data folder)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="记录库迁移 / records DB migrations")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="<action>")
    upgrade = actions.add_parser("upgrade", help="升级到最新版本 / migrate to the latest revision")
    add_url_argument(upgrade)
    upgrade.set_defaults(handler=_upgrade)
    current = actions.add_parser("current", help="显示当前版本 / show the current revision")
    add_url_argument(current)
    current.set_defaults(handler=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from wecomply.records.db import describe_url, resolve_records_url
    from wecomply.records.migrate import upgrade

    url = args.url or resolve_records_url()
    revision = upgrade(url)
    print(f"记录库已升级 / records DB upgraded: {describe_url(url)} @ {revision}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from wecomply.records.db import describe_url, resolve_records_url
    from wecomply.records.migrate import current, head

    url = args.url or resolve_records_url()
    revision = current(url)
    latest = head()
    state = "最新 / up to date" if revision == latest else f"需要升级到 / needs upgrade to {latest}"
    print(f"{describe_url(url)}: {revision or '(空 / empty)'} ({state})")
    return 0 if revision == latest else 1
