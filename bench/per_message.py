"""Per-message cost: N employees, each with a card of their own (one message per person).

This is the path a month end's ~2,000 report messages and any personal notice take, and
where PostgreSQL was slowest in the cycle benchmark: each message is claimed, paced and
recorded in the records DB around its own `message/send`. Ours: `wecomply.delivery.deliver`
through the real client and SQL stores (`bench.fanout`'s measuring, personal mode). Baseline,
same run: the same N personal cards, one `message/send` each through `HttpHook` with no
records at all. Reported: ms per message on each side, our records-DB statements and
commits per message (SQLAlchemy's engine events; pool pings are not counted), and what
our bookkeeping adds per message. There is no target in issue 7 for this; it explains
benchmark 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from bench import fanout
from bench.databases import BACKENDS
from bench.results import Case, Target, ratio
from bench.simulation import start_simulator

NAME = "per-message"
DEFAULT_N = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="employees, one message each")
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="records DB backends")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median is reported")


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    n = args.n
    sim = start_simulator(n)
    try:
        naive = fanout.measure_naive(sim, n, n, args.repeat, personal=True)
        baseline = {"ms_per_message": round(naive["wall_s"] / n * 1000, 3), **naive}
        for backend in args.db:
            measured = fanout.measure_ours(sim, n, backend, args.repeat, personal=True)
            ours = {
                "ms_per_message": round(measured["wall_s"] / n * 1000, 3),
                "statements_per_message": round(measured["db_statements"] / n, 2),
                "commits_per_message": round(measured["db_commits"] / n, 2),
                "bookkeeping_ms_per_message": round((measured["wall_s"] - naive["wall_s"]) / n * 1000, 3),
                **measured,
            }
            case = Case(NAME, f"N={n:,} {backend}", ours=ours, baseline=baseline, command=command)
            case.ratio = {"ms_per_message": ratio(baseline["ms_per_message"], ours["ms_per_message"])}
            delivered = bool(ours["complete"]) and ours["summary"]["sent"] == n
            case.targets.append(Target("delivered", "all N, once", delivered))
            case.targets.append(Target("drops", "= 0", ours["drops"] == 0))
            case.notes.append(
                f"one message per person; ours {ours['statements_per_message']} statements and "
                f"{ours['commits_per_message']} commits per message on {backend}, "
                f"{ours['bookkeeping_ms_per_message']} ms per message more than a bare send"
            )
            yield case
    finally:
        sim.stop()
