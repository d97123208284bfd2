"""`dag.test()` of one run at a chosen clock, leaving the DAG as it found it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine


def run_at(dag: Any, when: datetime, *, conf: dict[str, Any] | None = None, clock: datetime | None = None) -> Any:
    """`dag.test()` the run of logical date `when`, the process travelling to `clock`
    (default `when`) so the simulator, the receiver and the outbox share the run's time.

    `dag.test()` resolves the run's conf into the DAG's and its tasks' own Param objects
    (Airflow's `process_params` shares them). A DAG parsed once and run many times in one
    process (the demo month, the tests, the benchmarks) would give one run's form values
    to every later run, so the defaults are put back. A deployment parses the DAG afresh
    in each task process and is not affected.
    """
    params = [dag.params, *(task.params for task in dag.tasks)]
    defaults = [(p, key, p.get_param(key).value) for p in params for key in p]
    try:
        with time_machine.travel(clock or when, tick=True):
            return dag.test(logical_date=when, run_conf=conf)
    finally:
        for p, key, value in defaults:
            p.get_param(key).value = value
