"""`python -m wecomply version`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("version", help="打印版本 / print the version")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import wecomply

    print(wecomply.__version__)
    return 0
