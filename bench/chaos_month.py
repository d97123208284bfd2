"""The chaos month: the scenario month through the real DAGs, WeCom faulting every API,
Airflow retrying tasks, one worker killed mid-send; its outcome held to the clean
month's (`demo_company.chaos`).

Per records DB: one clean month (the reference, same company and seed as `make demo`),
then one chaos month per seed, each `python -m demo_company run` in a process and an
Airflow home of its own. A seed passes when `demo_company.chaos.compare` finds nothing:
the same messages reached the same people as often (media compared by content), the same
outbox, acknowledgements (one per click), escalations, findings and assessment outcome,
every run succeeded and WeCom dropped nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.children import ROOT
from bench.databases import BACKENDS, records_db
from bench.results import Case, Target
from demo_company.chaos import compare, killed_mid_send
from demo_company.environment import isolated_env

NAME = "chaos-month"
MONTH_TIMEOUT_S = 3600


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, default=3, help="chaos months per records DB (seeds 1..N)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--days", type=int, help="only the month's first DAYS days, then its month end")
    parser.add_argument("--rate", type=float, default=0.3, help="fault probability per API call")
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS))


def run_month(
    backend: str, *, chaos_seed: int | None = None, rate: float = 0.3, days: int | None = None
) -> dict[str, Any]:
    """One month (`python -m demo_company run`) in a fresh Airflow home and records DB;
    returns its summary, with `elapsed_s`."""
    with tempfile.TemporaryDirectory(prefix="wecomply-chaos-month-") as tmp, records_db(backend, label="month") as url:
        home = Path(tmp)
        env = isolated_env(home, log_level="ERROR", WECOMPLY_DEMO_RECORDS_URL=url)
        command = [sys.executable, "-m", "demo_company", "run", "--out", str(home / "out")]
        if days:
            command += ["--days", str(days)]
        if chaos_seed is not None:
            command += ["--chaos-seed", str(chaos_seed), "--fault-rate", str(rate)]
        started = time.monotonic()
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=MONTH_TIMEOUT_S)
        summary_path = home / "out" / "summary.json"
        if not summary_path.exists():
            raise RuntimeError(f"{' '.join(command[1:])} on {backend} wrote no summary:\n{proc.stderr[-3000:]}")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["elapsed_s"] = round(time.monotonic() - started, 1)
    return summary


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    for backend in args.db:
        clean = run_month(backend, days=args.days)
        months = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            chaos = run_month(backend, chaos_seed=seed, rate=args.rate, days=args.days)
            months.append((seed, chaos, compare(clean, chaos)))
        yield totals(clean, months, backend, command)


def totals(clean: dict[str, Any], months: list[tuple[int, dict[str, Any], list[str]]], backend: str, command: str) -> Case:
    chaoses = [chaos for _seed, chaos, _problems in months]
    problems = {seed: found for seed, _chaos, found in months if found}
    faults: Counter[str] = Counter()
    tries: Counter[str] = Counter()
    for chaos in chaoses:
        faults.update(chaos["faults_by_kind"])
        tries.update(chaos["task_tries"])

    killed = [killed_mid_send(chaos) for chaos in chaoses]

    def total(key: str) -> int:
        return sum(chaos[key] for chaos in chaoses)

    case = Case(NAME, f"{len(months)} seeds {backend}", command=command)
    case.ours = {
        "seeds": len(months),
        "dag_runs": sum(sum(chaos["dag_runs"].values()) for chaos in chaoses),
        "failed_runs": sum(len(chaos["failed_runs"]) for chaos in chaoses),
        "messages_received": sum(chaos["received"]["messages_received"] for chaos in chaoses),
        "same_as_clean": len(months) - len(problems),
        "acknowledgements": total("acknowledgements"),
        "clicks": total("clicks"),
        "drops": total("wecom_drops"),
        "faults_injected": dict(faults),
        "tasks_retried": tries["retried"],
        "workers_killed_mid_send": sum(killed),
        "task_tries": tries["tries"],
        "task_instances": tries["task_instances"],
        "problems": problems,
        "elapsed_s": round(total("elapsed_s"), 1),
    }
    case.baseline = {
        "clean_month": True,
        "dag_runs": sum(clean["dag_runs"].values()),
        "messages_received": clean["received"]["messages_received"],
        "acknowledgements": clean["acknowledgements"],
        "tasks_retried": clean["task_tries"].get("retried", 0),
        "elapsed_s": clean["elapsed_s"],
    }
    case.targets = [
        Target("same_as_clean", "every seed: same messages to the same people, once each; same records", not problems),
        Target("acks_once", "every click, once", all(c["acknowledgements"] == c["clicks"] for c in chaoses)),
        Target("drops", "= 0", all(c["wecom_drops"] == 0 for c in chaoses)),
        # Without faults and Airflow retries in every seed, the comparison proves less.
        Target("tasks_retried", "≥ 1 Airflow task retry per seed",
               all(c["task_tries"].get("retried", 0) >= 1 for c in chaoses)),
        Target("workers_killed_mid_send", "one per seed", all(killed)),
    ]
    case.notes.append(
        f"clean month {clean['elapsed_s']} s; chaos months {case.ours['elapsed_s']} s in all; "
        f"{sum(faults.values()):,} faults over {len(faults)} kinds"
    )
    return case
