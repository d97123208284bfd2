"""Build a flow's `RunContext` from an Airflow task's context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wecomply.flows.context import RunContext


def logical_time(context: Any) -> datetime:
    """The instant a run decides for: its data interval's end, else its logical date.

    Never the wall clock, so a retry, a clear or a backfill of the run decides the same.
    """
    for key in ("data_interval_end", "logical_date"):
        value = context.get(key)
        if value is not None:
            return value
    raise RuntimeError("the run has neither a data interval nor a logical date")


def run_context(context: Any, *, wecom_conn_id: str = "wecom_default") -> RunContext:
    from wecomply.airflow_glue.hooks import WeComHook
    from wecomply.airflow_glue.records import records_engine
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy
    from wecomply.records.db import session_factory

    policy = load_policy()
    ti = context["ti"]
    return RunContext(
        policy=policy,
        calendar=WorkCalendar(policy),
        sessions=session_factory(records_engine()),
        sender=WeComHook(wecom_conn_id).client,
        now=logical_time(context),
        worker_id=f"{ti.dag_id}.{ti.task_id}.{ti.run_id}.{ti.try_number}",
    )
