"""The chaos month's killed worker: one DAG run's worker dies in the middle of a send.

From a seeded moment of the first working day on (the 09:30 runs, or the weekly account
review at 10:05, which sends a batch per department), each DAG run of that day is run by
a worker process of its own (`dag.test()` in a child, at the scenario's clock) until one
of them sends after a seeded number of `message/send` calls: WeCom carries that send out
and holds its answer, and the worker is SIGKILLed while it waits. The batch is then
SENDING under the dead worker's lease, and its members have the message.

Then the run is run again after the outbox's lease has run out (`RETRY_AFTER`): in a
deployment the scheduler would find the task without a heartbeat and retry it; here
`dag.test()` replaces the run of that logical date with a new one, in which every task
runs again (as after a clear), which asks more of idempotency than retrying the one task.
The batch is claimed as "maybe sent" and resent with WeCom's duplicate check on, so the
member still has the message once: `demo_company.chaos.compare` checks that against the
clean month.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import time_machine

SEND_PATH = "/cgi-bin/message/send"
# Where the seed may arm the kill on the first working day: the first runs that may send
# (onboarding, quarterly training) and the account review (Mondays), then how many of the
# run's message/send calls go through first (the morning outage's count among them).
ARMED_FROM = ((9, 30), (10, 5))
MAX_SENDS_BEFORE = 3
# WeCom holds the killed send's answer this long; the worker is killed while it waits.
HOLD_S = 20.0
# The killed worker's client waits longer than the hold (the chaos month's 0.5 s would
# time out first and resend: no kill in the middle of a send).
WORKER_TIMEOUT_S = 30.0
# The outbox's lease is 5 minutes (wecomply.delivery.DEFAULT_LEASE); Airflow's default
# heartbeat timeout is 300 s. A retry before the lease runs out finds the batch still
# SENDING under the dead worker and fails every try of the compressed retry schedule.
RETRY_AFTER = timedelta(minutes=6)
CHILD_TIMEOUT_S = 600.0


@dataclass
class KilledWorker:
    """Which DAG runs go to a worker process of their own, until one is killed: the first
    to send after `sends_before` of its `message/send` calls."""

    armed_from: datetime
    armed_until: datetime
    sends_before: int = 0
    record: dict[str, Any] = field(default_factory=lambda: {"killed": False})

    def intercept(self, world: Any, dag_id: str, when: datetime, conf: dict[str, Any] | None) -> bool:
        """Run `dag_id` at `when` in a worker process if the kill is still to come; False
        leaves the run to the caller."""
        if self.record["killed"] or not self.armed_from <= when < self.armed_until:
            return False
        real_start = time.time()  # the worker's clock starts at `when` as of this real time
        with time_machine.travel(when, tick=True):
            killed_at = self._run_in_worker(world, dag_id, when, conf, real_start)
        if killed_at is None:
            world.count_run(dag_id, when)
            return True
        tasks = _running_tasks(dag_id, when)
        world.count_tries(dag_id, when)  # the killed run's tries; the rerun replaces it
        rerun_at = killed_at + RETRY_AFTER
        self.record = {
            "killed": True, "armed_from": self.armed_from.isoformat(), "sends_before": self.sends_before,
            "dag_id": dag_id, "logical_date": when.isoformat(), "tasks": tasks,
            "killed_at": killed_at.isoformat(timespec="seconds"), "rerun_at": rerun_at.isoformat(timespec="seconds"),
        }
        world.log(f"worker of {dag_id}@{when.isoformat()} killed mid-send at {killed_at:%H:%M:%S} ({', '.join(tasks)}); rerun at {rerun_at:%H:%M:%S}")
        world.run_dag(dag_id, when, conf, at=rerun_at)
        return True

    def _run_in_worker(
        self, world: Any, dag_id: str, when: datetime, conf: dict[str, Any] | None, real_start: float
    ) -> datetime | None:
        """Run the DAG in a child; kill it once a send is held. The scenario time of the
        kill, or None when the run finished without sending."""
        from airflow import settings

        sim = world.sim
        # The parent's Airflow session must not hold SQLite's lock while the child writes.
        settings.Session.remove()
        calls_before = sim.calls(SEND_PATH)
        rule = None
        spec = {"dag_id": dag_id, "logical_date": when.isoformat(), "conf": conf, "real_start": real_start}
        child = subprocess.Popen(
            [sys.executable, "-m", "demo_company.killed_worker"], stdin=subprocess.PIPE, env=_worker_env(), text=True,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(spec))
        child.stdin.close()
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        try:
            while child.poll() is None and (rule is None or rule.times > 0):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the worker running {dag_id} did not finish in {CHILD_TIMEOUT_S:.0f} s")
                if rule is None and sim.calls(SEND_PATH) - calls_before >= self.sends_before:
                    rule = sim.faults.add(SEND_PATH, "timeout", after_processing=True, hold=HOLD_S)
                time.sleep(0.005)
            if rule is None or rule.times > 0:
                if rule is not None:
                    sim.faults.discard(rule)  # this run sent no more: the next run's send is held
                child.wait()  # a failed run is counted from Airflow's records, as any run
                return None
            # WeCom has carried the send out and holds the answer: the worker is waiting.
            time.sleep(0.1)
            killed_at = datetime.now(when.tzinfo)
            child.send_signal(signal.SIGKILL)
            if child.wait(10) != -signal.SIGKILL:
                raise RuntimeError(f"the worker running {dag_id} was not killed mid-send (exit {child.returncode})")
            return killed_at
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(10)


def _worker_env() -> dict[str, str]:
    """This environment, with the worker's longer timeout on the WeCom connection."""
    name = "AIRFLOW_CONN_WECOM_DEFAULT"
    conn = json.loads(os.environ[name])
    conn.setdefault("extra", {})["timeout_s"] = WORKER_TIMEOUT_S
    return dict(os.environ) | {name: json.dumps(conn)}


def run_dag_in_worker(spec: dict[str, Any]) -> int:
    """The worker process: parse the DAGs, then `dag.test()` one run at the parent's
    scenario clock (the parent travelled to the logical date at real time `real_start`)."""
    from demo_company.chaos import compress_retries
    from demo_company.dag_runs import run_at
    from demo_company.month import demo_dagbag

    dagbag = demo_dagbag()
    compress_retries(dagbag)
    when = datetime.fromisoformat(spec["logical_date"])
    clock = when + timedelta(seconds=time.time() - spec["real_start"])
    run = run_at(dagbag.dags[spec["dag_id"]], when, conf=spec["conf"], clock=clock)
    return 0 if str(run.state) == "success" else 1


def _running_tasks(dag_id: str, when: datetime) -> list[str]:
    """The tasks of the run at `when` that Airflow still has running (the killed one)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    from demo_company.month import run_of

    with create_session() as session:
        run_id, _state = run_of(session, dag_id, when)
        running = session.scalars(
            select(TaskInstance.task_id).where(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id,
                TaskInstance.state == TaskInstanceState.RUNNING,
            )
        ).all()
        return sorted(running)


def plan(world: Any, days: int | None, seed: int) -> KilledWorker | None:
    """Armed on the first working day at a seeded moment (if the run covers that day)."""
    from demo_company.month import SHANGHAI

    first = world.company.scenario.working_days[0]
    if days is not None and (first - first.replace(day=1)).days >= days:
        return None
    rng = random.Random(f"killed-worker:{seed}")
    start = datetime(first.year, first.month, first.day, *rng.choice(ARMED_FROM), tzinfo=SHANGHAI)
    return KilledWorker(start, start.replace(hour=23, minute=59), sends_before=rng.randint(0, MAX_SENDS_BEFORE))


if __name__ == "__main__":
    sys.exit(run_dag_in_worker(json.loads(sys.stdin.read())))
