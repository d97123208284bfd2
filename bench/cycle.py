"""Benchmark 2, the monthly cycle at scale: directory sync, assessment and reports for
N employees across ~1,000 departments, on SQLite and on PostgreSQL.

The month end as production runs it, on 1 April 2026 (the first working day after March):
`directory_sync` at 08:30, `assessment_monthly` at 09:00 (scores March for everyone, assigns
remedial training, sends every employee their own result), `report_monthly` at 09:30 for
March (aggregate, render ~1,000 reports, archive, deliver). Each runs with `dag.test()` in a
child process with its own Airflow home, against the WeCom simulator (demo company of N
people, served from this process) and a fresh records DB holding the roster, February's
results and March's training evidence.

Compute = CPU seconds of the child (all its threads) plus, on PostgreSQL, of the database
server; the simulator runs in this process, so its latency is in the wall time only. The
baseline, measured in the same run on the same backend, is the same cycle at `--baseline-n`
employees: the ratio shows how cost grows with N, and its task count is what "independent
of N" is checked against.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import children
from bench.databases import BACKENDS, records_db
from bench.results import Case, Target, ratio

NAME = "cycle"
SEED = 7
TARGET_N = 100_000
COMPUTE_TARGET_S = 60.0
RSS_TARGET_MIB = 1024.0
CHILD_TIMEOUT_S = 3 * 3600
# Endpoints that put a message in front of someone.
SEND_PATHS = ("/cgi-bin/message/send", "/cgi-bin/webhook/send", "/cgi-bin/appchat/send")
# Before the month: the directory is loaded, then HR imports the roster against it.
FIRST_SYNC = {"dag_id": "directory_sync", "at": "2026-03-02T08:30:00+08:00"}
MONTH_END: tuple[dict[str, Any], ...] = (
    {"dag_id": "directory_sync", "at": "2026-04-01T08:30:00+08:00"},
    {"dag_id": "assessment_monthly", "at": "2026-04-01T09:00:00+08:00"},
    {"dag_id": "report_monthly", "at": "2026-04-01T09:30:00+08:00", "conf": {"period": "2026-03"}},
)


def cycle_dags_folder(home: Path) -> Path:
    """A DAG folder under `home` holding the files of the DAGs the cycle runs, and no other.

    Each `dag.test()` parses and serialises every DAG of its bundle again and writes them
    to the metadata DB (apache/airflow#64884), not only the DAG it runs. With all ten of
    our files, that was 0.6-0.8 s of a 4.5 s re-run of the month end at 10k (two A/B pairs,
    2026-12-06): a cost of the test harness, not of the month, since a deployment's DAG
    processor parses on its own loop and a task parses only its own DAG's file.
    """
    folder = home / "dags"
    folder.mkdir(exist_ok=True)
    for dag_id in sorted({run["dag_id"] for run in (FIRST_SYNC, *MONTH_END)}):
        shutil.copy2(children.ROOT / "dags" / f"{dag_id}.py", folder)
    return folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000], help="employees")
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile of each measured month end here")
    parser.add_argument(
        "--rerun", action="store_true",
        help="also run each month end again (benchmark 4, `bench.rerun`) on the same records, without a second first run",
    )
    parser.add_argument(
        "--baseline-n", type=int, default=1000,
        help="the same cycle at this size (the demo company's usual department count), same run",
    )


@dataclass
class Phase:
    """What one child phase measured, with the simulator's view of the same interval."""

    runs: list[dict[str, Any]]
    peak_rss_mib: float
    api_calls: dict[str, int]
    employees: int
    departments: int
    recipients_reached: int
    # dag.test()'s in-process execution API, started before the clock (not in wall or compute).
    api_start_s: float

    @property
    def wall_s(self) -> float:
        return round(sum(r["wall_s"] for r in self.runs), 3)

    @property
    def cpu_s(self) -> float:
        return round(sum(r["cpu_s"] for r in self.runs), 3)

    @property
    def db_server_cpu_s(self) -> float:
        return round(sum(r["db_server_cpu_s"] for r in self.runs), 3)

    @property
    def compute_s(self) -> float:
        return round(self.cpu_s + self.db_server_cpu_s, 3)

    @property
    def in_tasks_s(self) -> float:
        """The runs' task instances' durations, as Airflow timed them; the rest of the
        wall time is `dag.test()` around them (serialising the DAG, creating or clearing
        the run, scheduling each task)."""
        return round(sum(t["duration_s"] for r in self.runs for t in r["task_states"]), 3)

    @property
    def gc_s(self) -> float:
        """Of the wall time, the garbage collector's (see `bench.cycle_child.GcClock`)."""
        return round(sum(r["gc_s"] for r in self.runs), 3)

    @property
    def full_gcs(self) -> int:
        return sum(r["full_gcs"] for r in self.runs)

    @property
    def messages_sent(self) -> int:
        return sum(self.api_calls.get(p, 0) for p in SEND_PATHS)

    @property
    def tasks_per_run(self) -> dict[str, int]:
        return {r["dag_id"]: r["task_instances"] for r in self.runs}

    def figures(self) -> dict[str, Any]:
        return {
            "employees": self.employees,
            "departments": self.departments,
            "compute_s": self.compute_s,
            "wall_s": self.wall_s,
            "in_tasks_s": self.in_tasks_s,
            "gc_s": self.gc_s,
            "full_gcs": self.full_gcs,
            "cpu_s": self.cpu_s,
            "db_server_cpu_s": self.db_server_cpu_s,
            "peak_rss_mib": self.peak_rss_mib,
            # Compact for the table; per DAG in `runs`.
            "tasks_per_run": " · ".join(str(count) for count in self.tasks_per_run.values()),
            "messages_sent": self.messages_sent,
            # A result message may go to several people with the same result.
            "recipients_reached": self.recipients_reached,
            "api_calls": sum(self.api_calls.values()),
            "api_start_s": self.api_start_s,
            "api_calls_by_path": self.api_calls,
            "runs": [
                {k: r[k] for k in ("dag_id", "state", "wall_s", "cpu_s", "db_server_cpu_s", "gc_s", "full_gcs", "tasks", "task_instances")}
                | {"task_instances_detail": sorted(r["task_states"], key=lambda t: -t["duration_s"])}
                for r in self.runs
            ],
        }


class CycleWorld:
    """The simulator with the demo company of N people, a records DB and an Airflow home:
    what the child phases run against. Use as a context manager."""

    def __init__(self, n: int, departments: int | None, backend: str) -> None:
        self.n, self.departments, self.backend = n, departments, backend

    def __enter__(self) -> CycleWorld:
        from demo_company.build import build_company
        from demo_company.simulator_setup import populate_simulator
        from wecom_simulator import WeComSimulator

        company = build_company(self.n, self.departments, seed=SEED, month="2026-03")
        self.company_size = (len(company.employees), len(company.departments))
        self.sim = WeComSimulator(seed=SEED)
        self.robot_key = self.sim.add_robot()
        populate_simulator(company, self.sim, meetings=False)
        self.sim.start()
        self._db = records_db(self.backend, label="cycle")
        self.db_url = self._db.__enter__()
        self._home = tempfile.TemporaryDirectory(prefix="wecomply-bench-cycle-")
        self.home = Path(self._home.name)
        self.dags_folder = cycle_dags_folder(self.home)
        return self

    def __exit__(self, *exc: object) -> None:
        self.sim.stop()
        self._db.__exit__(*exc)
        self._home.cleanup()

    def child(self, spec: dict[str, Any]) -> dict[str, Any]:
        from demo_company.month import connections

        extra = connections(self.sim, self.db_url, self.robot_key)
        if self.backend == "postgresql":
            # Whose server CPU counts (see bench.cycle_child.db_server_cpu_s).
            extra["WECOMPLY_BENCH_PG_DATABASE"] = self.db_url.rsplit("/", 1)[-1]
        env = children.child_env(self.home, dags_folder=self.dags_folder, **extra)
        return children.run_child(
            "bench.cycle_child", spec, env=env, timeout_s=CHILD_TIMEOUT_S,
            what=f"cycle child ({spec['phase']}, N={self.n})",
        )

    def prepare(self) -> dict[str, Any]:
        return self.child({
            "phase": "prepare", "n": self.n, "departments": self.departments, "seed": SEED,
            "db_url": self.db_url, "work_dir": str(self.home), "first_sync": [FIRST_SYNC],
        })

    def month_end(self, profile_dir: str | None = None, label: str = "month-end") -> Phase:
        spec: dict[str, Any] = {"phase": "run", "runs": list(MONTH_END)}
        if profile_dir:
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
            spec["profile"] = str(Path(profile_dir) / f"{label}-{self.n}-{self.backend}.prof")
        before, reached_before = self.sim.calls_by_path(), self.sim.recipients_reached()
        out = self.child(spec)
        after, reached = self.sim.calls_by_path(), self.sim.recipients_reached() - reached_before
        calls = {path: after[path] - before.get(path, 0) for path in after if after[path] != before.get(path, 0)}
        return Phase(
            out["runs"], round(out["peak_rss_bytes"] / 2**20, 1), calls, *self.company_size, reached, out["api_start_s"]
        )


def failed_runs(phase: Phase) -> list[str]:
    return [f"{r['dag_id']}: {r['state']}" for r in phase.runs if r["state"] != "success"]


def measure(
    n: int, departments: int | None, backend: str, profile_dir: str | None = None, *, rerun: bool = False
) -> tuple[Phase, Phase | None]:
    """The month end's first run, and with `rerun` the same runs again afterwards."""
    with CycleWorld(n, departments, backend) as world:
        world.prepare()
        first = world.month_end(profile_dir)
        return first, world.month_end(profile_dir, "rerun") if rerun else None


def evaluate(n: int, backend: str, ours: Phase, base: Phase, base_n: int, command: str) -> Case:
    case = Case(NAME, f"N={n:,} {backend}", ours=ours.figures(), command=command)
    case.baseline = {"n": base_n} | base.figures()
    case.ratio = {
        "compute_s": ratio(base.compute_s, ours.compute_s),
        "wall_s": ratio(base.wall_s, ours.wall_s),
        "peak_rss_mib": ratio(base.peak_rss_mib, ours.peak_rss_mib),
    }
    failed = failed_runs(ours) + [f"baseline {f}" for f in failed_runs(base)]
    case.targets.append(Target("runs", "every DAG run succeeds", not failed, "; ".join(failed)))
    if n >= TARGET_N:
        case.targets.append(Target("compute_s", f"< {COMPUTE_TARGET_S:g} s at 100k", ours.compute_s < COMPUTE_TARGET_S))
        case.targets.append(
            Target("peak_rss_mib", f"< {RSS_TARGET_MIB:g} MiB at 100k", ours.peak_rss_mib < RSS_TARGET_MIB)
        )
    else:
        case.notes.append(f"the compute and RSS targets apply at N={TARGET_N:,}; shown here for the trend")
    # Independent of N: the same task instances as at the baseline's size, and no task
    # expanded per person or per department (mapped tasks would outnumber the DAG's tasks).
    expanded = [r["dag_id"] for r in ours.runs if r["task_instances"] != r["tasks"]]
    same = ours.tasks_per_run == base.tasks_per_run
    note = "" if same and not expanded else f"at {base_n:,}: {base.tasks_per_run}; expanded: {expanded}"
    case.targets.append(Target("tasks_per_run", f"= at N={base_n:,}, 1 per task", same and not expanded, note))
    case.notes.append(
        f"compute = CPU of the Airflow process running dag.test() ({ours.cpu_s} s) + database server "
        f"CPU ({ours.db_server_cpu_s} s); wall {ours.wall_s} s includes the simulator's answers "
        f"({sum(ours.api_calls.values()):,} calls, {ours.messages_sent:,} messages); not counted: starting "
        f"dag.test()'s in-process execution API, {ours.api_start_s} s, once per process (a deployment's "
        "api-server starts once, not per month)"
    )
    return case


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    for backend in args.db:
        # The demo company's own department count at the baseline's size (~1,000 would
        # leave some departments empty at 1k people).
        base, _ = measure(args.baseline_n, None, backend)
        for n in args.n:
            ours, again = measure(n, args.departments, backend, args.profile, rerun=args.rerun)
            yield evaluate(n, backend, ours, base, args.baseline_n, command)
            if again is not None:
                from bench import rerun

                yield rerun.evaluate(n, backend, ours, again, command)
