"""Per-message cost: N employees, each with a card of their own (one message per person).

This is the path a month end's ~2,000 report messages and any personal notice take, and
where PostgreSQL was slowest in the cycle benchmark: each message is claimed, paced and
recorded in the records DB around its own `message/send`. Ours: `wecomply.delivery.deliver`
through the real client and SQL stores (`bench.fanout_child`, personal mode). Baseline,
same run: the same N personal cards, one `message/send` each through `HttpHook` with no
records at all. Reported: ms per message on each side, our records-DB statements and
commits per message (SQLAlchemy's engine events; pool pings are not counted), and what
our bookkeeping adds per message. There is no target in issue 7 for this; it explains
benchmark 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from bench import fanout
from bench.databases import BACKENDS, records_db
from bench.results import Case, Target, ratio
from bench.simulation import api_figures, connection_spec, start_simulator

NAME = "per-message"
DEFAULT_N = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="employees, one message each")
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="records DB backends")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median is reported")


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    return dict(ordered[len(ordered) // 2], runs_wall_s=[round(r["wall_s"], 3) for r in runs])


def _measure(sim: Any, spec: dict[str, Any], backend: str | None, repeat: int) -> tuple[dict[str, Any], dict[str, int]]:
    runs = []
    figures: dict[str, int] = {}
    for attempt in range(repeat):
        sim.reset(tokens=True)
        run = dict(spec, period=f"{spec['mode']}{spec['n']}r{attempt}", conn=connection_spec(sim))
        if backend is None:
            runs.append(fanout.run_child(run))
        else:
            with records_db(backend, label="permsg") as url:
                runs.append(fanout.run_child(dict(run, db_url=url)))
        figures = api_figures(sim)
    return _median(runs), figures


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    n = args.n
    sim = start_simulator(n)
    try:
        naive, naive_api = _measure(sim, {"mode": "naive", "n": n, "personal": True}, None, args.repeat)
        baseline = {
            "ms_per_message": round(naive["wall_s"] / n * 1000, 3),
            "wall_s": round(naive["wall_s"], 3),
            "send_calls": naive_api["send_calls"],
            "failures": naive["failures"],
            "runs_wall_s": naive["runs_wall_s"],
        }
        for backend in args.db:
            child, api = _measure(sim, {"mode": "ours", "n": n, "personal": True}, backend, args.repeat)
            ours = {
                "ms_per_message": round(child["wall_s"] / n * 1000, 3),
                "wall_s": round(child["wall_s"], 3),
                "send_calls": api["send_calls"],
                "statements_per_message": round(child["statements"] / n, 2),
                "commits_per_message": round(child["commits"] / n, 2),
                "bookkeeping_ms_per_message": round((child["wall_s"] - naive["wall_s"]) / n * 1000, 3),
                "drops": api["drops"],
                "summary": child["summary"],
                "runs_wall_s": child["runs_wall_s"],
            }
            case = Case(NAME, f"N={n:,} {backend}", ours=ours, baseline=baseline, command=command)
            case.ratio = {"ms_per_message": ratio(baseline["ms_per_message"], ours["ms_per_message"])}
            case.targets.append(Target("delivered", "all N, once", child["complete"] and child["summary"]["sent"] == n))
            case.targets.append(Target("drops", "= 0", api["drops"] == 0))
            case.notes.append(
                f"one message per person; ours {ours['statements_per_message']} statements and "
                f"{ours['commits_per_message']} commits per message on {backend}, "
                f"{ours['bookkeeping_ms_per_message']} ms per message more than a bare send"
            )
            yield case
    finally:
        sim.stop()
