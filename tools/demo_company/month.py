"""Run the demo company's month through the real DAGs, with dag.test() at each run's time.

The process travels in time (time-machine) to every scheduled moment of the month, so the
simulator, the callback receiver and the outbox all see the scenario's clock, exactly as a
production deployment sees the real one. Employees click through real encrypted callbacks.
Used by `make demo`, the scenario test and the benchmarks.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from demo_company.build import build_company
from demo_company.clicking import click_due_cards
from demo_company.dag_runs import run_at
from demo_company.history import previous_assessments
from demo_company.model import Company
from demo_company.roster_csv import write_roster_csv
from demo_company.simulator_setup import populate_simulator

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The schedule of one working day, as the DAGs' timetables would trigger them.
MORNING = [(time(8, 30), "directory_sync"), (time(9, 30), "onboarding_week_one"), (time(9, 30), "training_quarterly")]
HOURLY = [time(10, 0), time(14, 0), time(17, 30)]


@dataclass
class Event:
    at: datetime
    kind: str  # "dag" | "clicks" | "call"
    dag_id: str = ""
    conf: dict[str, Any] | None = None
    call: Callable[[], Any] | None = None


def demo_dagbag() -> Any:
    """The project's DAGs, parsed from Airflow's DAGs folder (the demo's Airflow home sets it)."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", "dags"))


def run_of(session: Any, dag_id: str, when: datetime) -> tuple[str, str]:
    """The run_id and state of `dag_id`'s run at logical date `when`, from Airflow's metadata DB."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    run_id, state = session.execute(
        select(DagRun.run_id, DagRun.state).where(DagRun.dag_id == dag_id, DagRun.logical_date == when)
    ).one()
    return run_id, str(state)


@dataclass
class MonthWorld:
    company: Company
    sim: Any
    sessions: Any
    records_url: str
    callback_url: str
    dagbag: Any
    out_dir: Path
    log: Callable[[str], None] = print
    runs: Counter = field(default_factory=Counter)
    failed_runs: list[str] = field(default_factory=list)
    clicks: int = 0
    # Airflow's task instances of every run, and how many tries they took in all.
    task_tries: Counter = field(default_factory=Counter)
    # The chaos month's worker to kill mid-send (demo_company.killed_worker), if any.
    killed_worker: Any = None

    def has(self, dag_id: str) -> bool:
        return dag_id in self.dagbag.dags

    def run_dag(self, dag_id: str, when: datetime, conf: dict[str, Any] | None = None, *, at: datetime | None = None) -> str:
        """`dag.test()` the run of logical date `when`, at the clock `at` (default `when`)."""
        run_at(self.dagbag.dags[dag_id], when, conf=conf, clock=at)
        return self.count_run(dag_id, when)

    def count_run(self, dag_id: str, when: datetime) -> str:
        """Count the run of `dag_id` at `when` as Airflow's metadata DB has it (also when a
        worker process ran it) and return its state."""
        state = self.count_tries(dag_id, when)
        self.runs[dag_id] += 1
        if state != "success":
            self.failed_runs.append(f"{dag_id}@{when.isoformat()}: {state}")
        return state

    def count_tries(self, dag_id: str, when: datetime) -> str:
        """Add the tries of the run's task instances to `task_tries`; the run's state."""
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.session import create_session
        from sqlalchemy import select

        with create_session() as session:
            run_id, state = run_of(session, dag_id, when)
            tries = session.scalars(
                select(TaskInstance.try_number).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
            ).all()
        self.task_tries["task_instances"] += len(tries)
        self.task_tries["tries"] += sum(tries)
        self.task_tries["retried"] += sum(1 for t in tries if t > 1)
        return str(state)

    def click(self, when: datetime) -> int:
        with time_machine.travel(when, tick=True):
            made = click_due_cards(self.company, self.sim, self.callback_url, now=when)
        ok = sum(1 for c in made if c.status == 200)
        self.clicks += ok
        return ok


def connections(sim: Any, records_url: str, robot_key: str, client_extra: dict[str, Any] | None = None) -> dict[str, str]:
    """The Airflow connections of the demo, as AIRFLOW_CONN_* values (JSON form).
    `client_extra` (timeout_s, retry) goes into every WeCom connection's extra."""
    tuning = dict(client_extra or {})
    wecom = {
        "conn_type": "wecom", "host": sim.base_url, "login": sim.corp_id, "password": sim.secret,
        "extra": {"agent_id": sim.agent_id, "token": sim.token, "encoding_aes_key": sim.encoding_aes_key, **tuning},
    }
    contacts = {"conn_type": "wecom_contacts", "host": sim.base_url, "login": sim.corp_id, "password": sim.contacts_secret}
    webhook = {"conn_type": "wecom_webhook", "host": sim.base_url, "password": robot_key}
    if tuning:
        contacts["extra"] = webhook["extra"] = tuning
    return {
        "AIRFLOW_CONN_WECOM_DEFAULT": json.dumps(wecom),
        "AIRFLOW_CONN_WECOM_CONTACTS": json.dumps(contacts),
        "AIRFLOW_CONN_WECOM_WEBHOOK_DEFAULT": json.dumps(webhook),
        "AIRFLOW_CONN_WECOMPLY_DB": records_url,
    }


@contextmanager
def demo_world(
    records_url: str, out_dir: Path, *, n_employees: int = 200, seed: int = 7, month: str = "2026-03",
    log: Callable[[str], None] = print, dagbag: Any = None, client_extra: dict[str, Any] | None = None,
) -> Iterator[MonthWorld]:
    """Start the simulator (loopback) and the receiver, seed the records, set the connections."""
    import uvicorn  # noqa: F401 - fail early if the receiver cannot be served

    from wecom_simulator import WeComSimulator
    from wecomply.receiver.app import CALLBACK_PATH, Receiver, ReceiverSettings, create_app
    from wecomply.records.db import make_engine, session_factory
    from wecomply.records.migrate import upgrade

    company = build_company(n_employees, seed=seed, month=month)
    first_day = company.scenario.working_days[0]
    start = datetime.combine(first_day, time(8, 0), SHANGHAI)
    with time_machine.travel(start, tick=True):
        sim = WeComSimulator(seed=seed)
        robot_key = sim.add_robot()
        populate_simulator(company, sim, now=start)
        sim.start()
    upgrade(records_url)
    engine = make_engine(records_url)
    sessions = session_factory(engine)
    conns = connections(sim, records_url, robot_key, client_extra)
    saved_env = {k: os.environ.get(k) for k in conns}
    os.environ.update(conns)
    receiver = Receiver(
        settings=ReceiverSettings(token=sim.token, encoding_aes_key=sim.encoding_aes_key, corp_id=sim.corp_id),
        sessions=sessions,
    )
    server = _serve(create_app(lambda: receiver, clock=sim.clock.now))
    if dagbag is None:
        dagbag = demo_dagbag()
    world = MonthWorld(
        company=company, sim=sim, sessions=sessions, records_url=records_url,
        callback_url=server.base_url + CALLBACK_PATH, dagbag=dagbag, out_dir=out_dir, log=log,
    )
    try:
        yield world
    finally:
        server.stop()
        sim.stop()
        engine.dispose()
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _serve(app: Any):
    import socket
    import threading

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the callback receiver did not start")
        threading.Event().wait(0.02)
    server.base_url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    server.stop = stop  # type: ignore[attr-defined]
    return server


def seed_records(world: MonthWorld, roster_path: Path) -> dict[str, int]:
    """HR's side: the roster, last month's assessments and the admins' violations."""
    return seed_company_records(world.company, world.sessions, roster_path)


def seed_company_records(company: Company, sessions: Any, roster_path: Path) -> dict[str, int]:
    """`seed_records` without a running world: the benchmarks seed a records DB this way."""
    import sqlalchemy as sa

    from wecomply.records.assessments import AssessmentRow, record_violation, upsert_assessments
    from wecomply.records.models import Department
    from wecomply.roster import import_roster

    first_day = company.scenario.working_days[0]
    now = datetime.combine(first_day, time(8, 45), SHANGHAI)
    write_roster_csv(company, roster_path)
    with sessions.begin() as session:
        result = import_roster(roster_path, session=session, now=now)
        upsert_assessments(
            [
                AssessmentRow(userid=r.userid, period=r.period, scores=r.scores, total=r.total, passed=r.passed, department_id=r.department_id)
                for r in previous_assessments(company)
            ],
            session=session, now=now,
        )
        for v in company.scenario.violations:
            record_violation(
                session=session, userid=v.userid, occurred_on=v.occurred_on, kind=v.kind,
                recorded_by=v.recorded_by, now=now, description=v.description, severity=v.severity,
            )
        # Department accounts (一部门一账号, v1 §3.1) are registered by HR with their owners.
        for dept in company.departments.values():
            if dept.account_owner:
                session.execute(
                    sa.update(Department).where(Department.id == dept.id).values(account_owner_userid=dept.account_owner)
                )
    return {"roster_rows": len(company.employees), "imported": getattr(result, "created", 0) or 0}


def month_events(world: MonthWorld, extra: list[Event] | None = None, *, days: int | None = None) -> list[Event]:
    """Every scheduled run and click round of the month (of its first `days` days), in time order."""
    company = world.company
    events: list[Event] = []
    month_start = date.fromisoformat(company.scenario.month + "-01")
    end = month_start + timedelta(days=days) if days else None
    day = month_start
    while day.month == month_start.month and (end is None or day < end):
        start = datetime.combine(day, time(0, 0), SHANGHAI)
        for at, dag_id in MORNING:
            events.append(Event(start.replace(hour=at.hour, minute=at.minute), "dag", dag_id))
        if day.weekday() == 0:
            events.append(Event(start.replace(hour=10, minute=5), "dag", "account_review"))
        for at in HOURLY:
            moment = start.replace(hour=at.hour, minute=at.minute)
            events.append(Event(moment, "dag", "meeting_minutes_followup"))
            events.append(Event(moment + timedelta(minutes=20), "clicks"))
        events.append(Event(start.replace(hour=11, minute=0), "dag", "notice_acknowledgement"))
        events.append(Event(start.replace(hour=21, minute=0), "clicks"))
        day += timedelta(days=1)
    events.extend(e for e in extra or [] if end is None or e.at.date() < end)
    return sorted(events, key=lambda e: (e.at, e.kind != "dag"))


def run_month(world: MonthWorld, extra: list[Event] | None = None, *, days: int | None = None) -> None:
    day = None
    for event in month_events(world, extra, days=days):
        if event.at.date() != day:
            if day is not None:
                world.log(f"{day.isoformat()}  runs so far {sum(world.runs.values()):4d}  clicks {world.clicks:4d}  failed {len(world.failed_runs)}")
            day = event.at.date()
        if event.kind == "clicks":
            world.click(event.at)
        elif event.kind == "call" and event.call is not None:
            with time_machine.travel(event.at, tick=True):
                event.call()
        elif event.kind == "dag" and world.has(event.dag_id):
            killer = world.killed_worker
            if killer is None or not killer.intercept(world, event.dag_id, event.at, event.conf):
                world.run_dag(event.dag_id, event.at, event.conf)
