"""`python -m wecomply <command>`: what operators do outside DAGs.

Each module in `wecomply.commands` contributes one command group through
`register(subparsers)`. Discovery keeps this file stable as commands are added, and each
command imports its heavy dependencies only when it runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import wecomply.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wecomply",
        description="WeComply 运维命令 / operator commands",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for info in sorted(pkgutil.iter_modules(wecomply.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"wecomply.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's job is a clear one-line error
        from wecomply.errors import UserFacingError

        if isinstance(exc, UserFacingError):
            print(f"错误 / error: {exc}", file=sys.stderr)
            return 2
        raise
