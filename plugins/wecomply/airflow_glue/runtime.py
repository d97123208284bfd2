"""Build a flow's `RunContext` from an Airflow task's context."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from wecomply.flows.context import RunContext


def plain_datetime(value: datetime) -> datetime:
    """A stdlib aware datetime from Airflow's pendulum one.

    pendulum's `astimezone(ZoneInfo(...))` keeps the wall time and drops the zone on
    arithmetic (`+ timedelta(0)` gives a naive value), which breaks the calendar maths.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"naive run time {value!r}: Airflow run times are timezone-aware")
    utc = value.replace(tzinfo=None) - offset
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=timezone.utc)


def logical_time(context: Any) -> datetime:
    """The instant a run decides for: its data interval's end, else its logical date.

    Never the wall clock, so a retry, a clear or a backfill of the run decides the same.
    """
    for key in ("data_interval_end", "logical_date"):
        value = context.get(key)
        if value is not None:
            return plain_datetime(value)
    # Asset-triggered runs (and manual ones without a date) have neither in Airflow 3; their
    # `run_after` is fixed when the run is created, so a clear still decides the same.
    dag_run = context.get("dag_run")
    run_after = getattr(dag_run, "run_after", None)
    if run_after is not None:
        return plain_datetime(run_after)
    raise RuntimeError("the run has neither a data interval, a logical date nor a run_after")


def run_context(context: Any, *, wecom_conn_id: str = "wecom_default") -> RunContext:
    from wecomply.airflow_glue.heap import freeze_startup_heap
    from wecomply.airflow_glue.hooks import WeComHook
    from wecomply.airflow_glue.records import records_engine
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy
    from wecomply.records.db import session_factory

    policy = load_policy()
    # The task's start-up ends here: what follows is its own work.
    freeze_startup_heap()
    ti = context["ti"]
    return RunContext(
        policy=policy,
        calendar=WorkCalendar(policy),
        sessions=session_factory(records_engine()),
        # The hook reads its connection (and the secret) when the client is first asked for.
        connect=WeComHook(wecom_conn_id).get_conn,
        now=logical_time(context),
        worker_id=f"{ti.dag_id}.{ti.task_id}.{ti.run_id}.{ti.try_number}",
    )
