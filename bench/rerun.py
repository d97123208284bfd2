"""Benchmark 4, re-run cost: clear a completed month and run it again.

Targets: 0 messages sent, in at most 20% of the first run's time. Needs the monthly DAGs
(see `bench.cycle`). Its runner is not written yet: each case reports why, with no figure.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from bench.databases import BACKENDS
from bench.pending import missing_dags, not_ready, why_not_ready
from bench.results import Case

NAME = "rerun"
GOALS = {"messages_sent": "= 0", "share_of_first_run": "≤ 20% of the first run's time"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, nargs="+", default=[10_000])
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=["sqlite"])


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    note = why_not_ready(missing_dags())
    for n in args.n:
        for backend in args.db:
            yield not_ready(NAME, f"N={n:,} {backend}", note, GOALS, command)
