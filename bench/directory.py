"""Directory read: the whole WeCom directory, as `directory_sync` reads it every working day.

N members in about 1,000 departments: `department/list`, `user/list_id` and one
`user/list` per department. Ours: the listings `LISTING_WORKERS` at a time
(`wecomply.flows.directory.fetch_directory`). Baseline, same run, same simulator: the same
read one listing at a time (`workers=1`, how the sync read until 2026-12-04). Each read in
a child process of its own (`bench.directory_child`), median of `--repeat` runs.

`--latency-ms` makes the simulator answer each call that much later, as WeCom does across
the internet (0 is loopback: what benchmarks 2 and 4 measure). There is no target in
issue 7 for this; it explains where the directory sync's time goes in benchmarks 2 and 4,
and what it costs against a WeCom that is not on loopback.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from typing import Any

from bench import children
from bench.results import Case, Target, median_item, ratio
from bench.simulation import start_simulator

NAME = "directory"
CHILD_TIMEOUT_S = 1800


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000], help="members")
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument(
        "--latency-ms", type=float, nargs="+", default=[0.0, 30.0],
        help="the simulator's answer delay per call (a network round trip)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median is reported")


def _read(sim: Any, workers: int, repeat: int) -> tuple[dict[str, Any], set[str]]:
    """The median run's figures, and the digests of what every run read."""
    runs = []
    for _ in range(repeat):
        sim.reset(tokens=True)
        spec = {"workers": workers, "conn": {"base_url": sim.base_url, "corp_id": sim.corp_id, "secret": sim.contacts_secret}}
        child = children.run_child(
            "bench.directory_child", spec, env=children.child_env(), timeout_s=CHILD_TIMEOUT_S,
            what=f"directory child (workers={workers})",
        )
        runs.append(dict(child, api_calls=sim.calls(), api_errors=sim.errors()))
    median = median_item(runs, key=lambda r: r["wall_s"])
    return {
        "workers": workers,
        "wall_s": median["wall_s"],
        "cpu_s": median["cpu_s"],
        "api_calls": median["api_calls"],
        "api_errors": median["api_errors"],
        "departments": median["departments"],
        "members": median["members"],
        "peak_rss_mib": round(max(r["peak_rss_bytes"] for r in runs) / 2**20, 1),
        "runs_wall_s": [r["wall_s"] for r in runs],
    }, {r["members_digest"] for r in runs}


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    from wecomply.flows.directory import LISTING_WORKERS

    for n in args.n:
        sim = start_simulator(n, members_per_department=math.ceil(n / args.departments))
        try:
            for latency_ms in args.latency_ms:
                sim.config.latency_s = latency_ms / 1000
                baseline, read_alone = _read(sim, 1, args.repeat)
                ours, read_together = _read(sim, LISTING_WORKERS, args.repeat)
                case = Case(NAME, f"N={n:,} latency {latency_ms:g} ms", ours=ours, baseline=baseline, command=command)
                case.ratio = {"wall_s": ratio(baseline["wall_s"], ours["wall_s"])}
                same = read_together == read_alone and len(read_alone) == 1
                case.targets.append(Target("same_directory", "every member, same details as one at a time", same and ours["members"] == n))
                case.targets.append(Target("api_calls", "= one at a time (no extra calls)", ours["api_calls"] == baseline["api_calls"]))
                case.notes.append(
                    f"{ours['departments']:,} departments, {ours['api_calls']:,} calls; {ours['workers']} listings in flight: "
                    f"{ours['wall_s']} s against {baseline['wall_s']} s one at a time at {latency_ms:g} ms a call"
                )
                yield case
        finally:
            sim.stop()
