"""Benchmark 2, the monthly cycle at scale: directory sync, assessment and reports for
10k and 100k employees across ~1,000 departments, on SQLite and PostgreSQL.

Targets at 100k on a 2-core machine: < 60 s of compute (simulator latency excluded),
peak RSS < 1 GiB, and the number of tasks per DAG run independent of N. Needs
`dags/directory_sync.py`, `dags/assessment_monthly.py` and `dags/report_monthly.py`.
Its runner is not written yet: each case reports why, with no figure.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from bench.databases import BACKENDS
from bench.pending import missing_dags, not_ready, why_not_ready
from bench.results import Case

NAME = "cycle"
GOALS = {"compute_s": "< 60 s at 100k", "peak_rss_mib": "< 1024 at 100k", "tasks_per_run": "independent of N"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS))


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    note = why_not_ready(missing_dags())
    for n in args.n:
        for backend in args.db:
            yield not_ready(NAME, f"N={n:,} {backend}", note, GOALS, command)
