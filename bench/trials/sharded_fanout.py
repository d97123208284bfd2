"""Trial, not a benchmark of `make bench`: the 10k fan-out split over K worker processes of
N/K people each (as K mapped Airflow tasks would split it), on one records DB and one
simulator, started together after their imports. The wall time is the span from the first
start to the last end; the naive loop is measured in each round, as in benchmark 1.

    PYTHONPATH=.:tools:plugins .venv/bin/python bench/trials/sharded_fanout.py --rounds 3

With `batch_members.patch` applied, `BATCHROWS=members` (or `narrow`) in the environment
reaches the workers, and each round then runs both sides: the code as it is and that trial
mode. See docs/performance.md, "1. Reminder fan-out", 2026-12-07 13:59-14:01 UTC.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.children import child_env
from bench.databases import records_db
from bench.fanout import measure_naive
from bench.simulation import api_figures, connection_spec, start_simulator

# A worker: its imports before it says "ready", then the benchmark's own run on "go".
_WORKER = """
import json, sys
spec = json.loads(sys.stdin.readline())
from bench.fanout_child import run_ours
import wecomply.delivery, wecomply.records.shared_stores, wecomply.wecom.client
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps(run_ours(spec)), flush=True)
"""


def sharded_run(sim: Any, backend: str, n: int, shards: int, period: str, env: dict[str, str]) -> float:
    """One fan-out of `n` people in `shards` processes; the span from first start to last end."""
    sim.reset(tokens=True)
    size = n // shards
    with records_db(backend, label="shards") as url:
        workers: list[subprocess.Popen[str]] = []
        try:
            for shard in range(shards):
                worker = subprocess.Popen(
                    [sys.executable, "-c", _WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
                )
                workers.append(worker)
                spec = {"mode": "ours", "n": size, "first": shard * size, "period": period, "db_url": url,
                        "conn": connection_spec(sim)}
                worker.stdin.write(json.dumps(spec) + "\n")
                worker.stdin.flush()
            for worker in workers:
                if worker.stdout.readline().strip() != "ready":
                    raise RuntimeError("a worker failed before its start")
            for worker in workers:
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results = [json.loads(worker.stdout.readline()) for worker in workers]
            for worker in workers:
                worker.wait()
        finally:
            # A worker that failed leaves the others waiting for "go" (and the records DB
            # in use, which records_db then cannot drop): stop them.
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        figures = api_figures(sim)
    if not all(r["complete"] and r["summary"]["sent"] == size for r in results) or figures["drops"]:
        raise RuntimeError(f"not everyone reminded once: {results} {figures}")
    return max(r["started_at"] + r["wall_s"] for r in results) - min(r["started_at"] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--db", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is reported")
    args = parser.parse_args()
    # The trial's mode (batch_members.patch) against the code as it is, in each round.
    modes = ["", os.environ["BATCHROWS"]] if os.environ.get("BATCHROWS") else [""]
    sim = start_simulator(args.n)
    try:
        for rnd in range(args.rounds):
            naive = measure_naive(sim, args.n, args.n)["wall_s"]
            print(f"round {rnd + 1}, {time.strftime('%H:%M:%S', time.gmtime())} UTC: naive loop {naive:.2f} s", flush=True)
            for backend in args.db:
                for mode in modes:
                    env = child_env(BATCHROWS=mode)
                    for shards in args.shards:
                        walls = [
                            sharded_run(sim, backend, args.n, shards, f"r{rnd}{backend}{mode}{shards}x{i}", env)
                            for i in range(args.repeat)
                        ]
                        median = statistics.median(walls)
                        print(
                            f"  {backend:10} {mode or 'as it is':8} {shards} process(es): {median:.3f} s,"
                            f" {naive / median:.1f}x (runs {', '.join(f'{w:.3f}' for w in walls)})",
                            flush=True,
                        )
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
