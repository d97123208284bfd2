"""One phase of the monthly-cycle benchmark in its own process (`bench.cycle` drives it).

Reads a JSON spec on stdin (connections travel here, never in argv) and prints one JSON
line. The parent has already put AIRFLOW_HOME and the AIRFLOW_CONN_* variables into this
process's environment, so Airflow reads them at import, as a deployment would.

    {"phase": "prepare", "n": N, "departments": D, "seed": S, "db_url": "...", "work_dir": "...",
     "first_sync": [run]}
        migrate the Airflow metadata DB, load the directory (a first directory_sync run),
        import the roster, seed the month's evidence
    {"phase": "run", "runs": [{"dag_id": ..., "at": ISO, "conf": {...} | null}, ...]}
        each DAG run with dag.test() at its logical time (the process travels there),
        after starting the in-process execution API (timed apart, see
        `start_execution_api`); figures per run: wall, CPU of this process and of the
        database server, time in the garbage collector, task instances and their states;
        peak RSS of the phase at the end
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.children import peak_rss_bytes

# Seeded evidence: a quarterly refresher due mid-month, done on time by most people.
TRAINING_DUE = "2026-03-13T18:00:00+08:00"
TRAINING_PERIOD = "2026-Q1"
TRAINING_DONE_SHARE = 0.9


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def db_server_cpu_s() -> float:
    """CPU seconds used so far by the PostgreSQL server processes serving the records DB.

    On PostgreSQL part of the work runs in the server, and it is compute too. Only the
    backends connected to this run's database count (their command line names it), so
    another benchmark on the same server is not charged here. 0 on SQLite.
    """
    database = os.environ.get("WECOMPLY_BENCH_PG_DATABASE")
    if not database:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            if not cmdline.startswith("postgres") or f" {database} " not in f" {cmdline} ":
                continue
            text = (proc / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def prepare(spec: dict[str, Any]) -> dict[str, Any]:
    from airflow.utils import db

    from demo_company.build import build_company
    from demo_company.month import seed_company_records
    from wecomply.records.db import make_engine, session_factory

    start = time.perf_counter()
    db.initdb()
    # The first sync loads the directory; HR's roster names departments it brought.
    first_sync = run_dags({"runs": spec["first_sync"]})["runs"]
    company = build_company(spec["n"], spec["departments"], seed=spec["seed"], month="2026-03")
    engine = make_engine(spec["db_url"])
    sessions = session_factory(engine)
    seeded = seed_company_records(company, sessions, Path(spec["work_dir"]) / "roster.csv")
    seeded["training_assignments"] = seed_training(company, sessions)
    engine.dispose()
    return {"prepare_s": round(time.perf_counter() - start, 2), "seeded": seeded, "first_sync": first_sync}


def seed_training(company: Any, sessions: Any) -> int:
    """March's evidence for the assessment: everyone's quarterly refresher, 90% done on
    time, as the training DAG and the employees' clicks would have left it."""
    import sqlalchemy as sa

    from wecomply.duties.model import Duty
    from wecomply.records.assignments import AssignmentSpec, ensure_assignments
    from wecomply.records.models import Assignment, AssignmentStatus

    due = datetime.fromisoformat(TRAINING_DUE)
    people = [e for e in company.employees.values() if e.leave_date is None]
    specs = [
        AssignmentSpec(Duty.PERIODIC_TRAINING.value, e.userid, TRAINING_PERIOD, due, e.department_id) for e in people
    ]
    done = [e.userid for i, e in enumerate(people) if i % 10 < TRAINING_DONE_SHARE * 10]
    with sessions.begin() as session:
        created = ensure_assignments(specs, session=session, now=due - timedelta(days=10))
        table = Assignment.__table__
        for i in range(0, len(done), 5000):
            session.execute(
                sa.update(table)
                .where(table.c.kind == Duty.PERIODIC_TRAINING.value, table.c.period == TRAINING_PERIOD)
                .where(table.c.subject_userid.in_(done[i : i + 5000]))
                .values(status=AssignmentStatus.COMPLETED.value, completed_at=due - timedelta(days=2))
            )
    return created


def _task_instances(dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """Each task instance of the run: state, tries, duration and what it returned (the
    summaries the tasks push, e.g. how many results were sent or reports re-rendered)."""
    import sqlalchemy as sa
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.execute(
            sa.select(TaskInstance.task_id, TaskInstance.state, TaskInstance.try_number, TaskInstance.duration)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).all()
        returned = dict(session.execute(
            sa.select(XComModel.task_id, XComModel.value)
            .where(XComModel.dag_id == dag_id, XComModel.run_id == run_id, XComModel.key == "return_value")
        ).all())
    return [
        {
            "task_id": r.task_id, "state": str(r.state), "tries": r.try_number,
            "duration_s": round(r.duration or 0, 3), "returned": _decoded(returned.get(r.task_id)),
        }
        for r in rows
    ]


def _decoded(value: Any) -> Any:
    # XCom values are stored as JSON text; keep small ones readable in the bench output.
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if len(json.dumps(value, default=str)) <= 400 else None


def start_execution_api() -> float:
    """Start dag.test()'s in-process execution API; returns the seconds it took.

    dag.test() answers the task runner's API calls from an in-process FastAPI app that
    builds every versioned route (Cadwyn) on its first request: 4-9 s of wall time here
    (measured by this function in every cycle run), once per process. A deployment's
    api-server pays that once when it starts, not per month, so it is measured here,
    before the clock starts, and reported apart (`api_start_s`).
    """
    import httpx
    from airflow.sdk.execution_time.supervisor import in_process_api_server

    start = time.perf_counter()
    with httpx.Client(transport=in_process_api_server().transport, base_url="http://in-process.invalid.") as client:
        client.get("/health").raise_for_status()
    return round(time.perf_counter() - start, 3)


class GcClock:
    """Seconds this process spends in the garbage collector, and its full (generation 2)
    collections, from `gc.callbacks`. Under `dag.test()` our tasks share one heap with the
    in-process API server and every earlier run's objects, and a full collection walks
    them all. A deployment's task process holds none of them; its collector is not
    measured here."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.full += info["generation"] == 2


def run_dags(spec: dict[str, Any]) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag
    from demo_company.dag_runs import run_at

    dagbag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    api_start_s = start_execution_api()
    gc_clock = GcClock()
    results = []
    for item in spec["runs"]:
        dag = dagbag.dags[item["dag_id"]]
        for task in dag.tasks:
            # A retry would show in the figures (tries); waiting for it would not be compute.
            task.retry_delay = timedelta(0)
        when = datetime.fromisoformat(item["at"])
        gc_s, full_gcs = gc_clock.seconds, gc_clock.full
        cpu, server, wall = _cpu_s(), db_server_cpu_s(), time.perf_counter()
        run = run_at(dag, when, conf=item.get("conf"))
        wall = time.perf_counter() - wall
        cpu, server = _cpu_s() - cpu, db_server_cpu_s() - server
        gc_s, full_gcs = gc_clock.seconds - gc_s, gc_clock.full - full_gcs
        tis = _task_instances(item["dag_id"], run.run_id)
        results.append({
            "dag_id": item["dag_id"], "at": item["at"], "state": str(run.state),
            "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "db_server_cpu_s": round(server, 3),
            "gc_s": round(gc_s, 3), "full_gcs": full_gcs, "tasks": len(dag.tasks), "task_instances": len(tis), "task_states": tis,
        })
    return {"runs": results, "api_start_s": api_start_s}


def main() -> int:
    spec = json.loads(sys.stdin.read())
    phase = prepare if spec["phase"] == "prepare" else run_dags
    if spec.get("profile"):
        # `python -m bench cycle --profile DIR`: where the compute goes, per phase.
        import cProfile

        with cProfile.Profile() as profiler:
            result = phase(spec)
        profiler.dump_stats(spec["profile"])
    else:
        result = phase(spec)
    result["peak_rss_bytes"] = peak_rss_bytes()
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
