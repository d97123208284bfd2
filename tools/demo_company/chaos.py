"""The chaos month: the demo month with WeCom failing often and Airflow retrying tasks.

`python -m demo_company run --chaos-seed S` runs the same month as `make demo`, through the
same DAGs with `dag.test()`, while the simulator faults a share of *every* API call
(`--fault-rate`, default 0.3): HTTP 500/502/503, errcode -1 and 45009, timeouts,
connection resets and token revocations. On odd days the faults come *after* WeCom has
carried a call out (the answer is lost, the effect is not); on even days before. Each
morning WeCom is also down for long enough that a directory sync and a send fail a try.
On the first working day one DAG run's worker process is killed in the middle of a send
(`demo_company.killed_worker`).

Time is compressed the way the delivery chaos run (`bench/chaos.py`) compresses it:
Airflow's retry delay (2 minutes, doubling) becomes 1 s, each task may be tried
`TASK_TRIES` times instead of 3, and the client's own backoff waits tens of milliseconds
(through the connections' `timeout_s`/`retry` extras, as an operator would set them).
What is not compressed is the work itself: every task try is Airflow's own retry of the
real task, against the real records DB.

`compare(clean, chaos)` then holds the chaos month to the clean month of the same company:
the same messages reached the same people, each as often (a digest over every member's
received messages, media compared by content), the same outbox, acknowledgements,
escalations, findings and assessment outcome, no run failed, nothing was dropped, and the
worker was killed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

FAULT_KINDS = ("http500", "http502", "http503", "errcode-1", "errcode45009", "timeout", "reset", "revoke_token")
TASK_TRIES = 8
RETRY_DELAY = timedelta(seconds=1)
CLIENT_TIMEOUT_S = 0.5
# A "timeout" fault holds the answer longer than the client waits for it.
FAULT_HOLD_S = 1.0
# Shorter waits, the production attempt count (as in bench/chaos.py). With 2 attempts a
# 30 % fault rate fails 9 % of calls, and collecting meetings (a call per organiser, 15
# in that run, then one per meeting) failed all 8 of its tries (seed 22, 2026-12-05): a
# WeCom that failing stops the run, and the next hour's run collects instead.
CLIENT_EXTRA = {
    "timeout_s": CLIENT_TIMEOUT_S,
    "retry": {"max_attempts": 4, "initial_wait_s": 0.02, "rate_limited_initial_wait_s": 0.05, "max_wait_s": 0.2, "jitter_s": 0.02},
}
OUTAGE_PATHS = ("/cgi-bin/department/list", "/cgi-bin/message/send")
# What two runs of one month must agree on (the rest of the summary describes the run).
COMPARED = (
    "dag_runs", "wecom_messages_delivered", "deliveries_by_duty", "deliveries_by_status", "clicks",
    "acknowledgements", "escalations_by_duty", "account_findings", "assessment_failed", "received",
)


@dataclass(frozen=True)
class ChaosSettings:
    seed: int
    fault_rate: float = 0.3

    def arm(self, sim: Any, day: date) -> None:
        """The day's faults: a random stream of its own seed, and a morning outage."""
        after = day.day % 2 == 1
        sim.faults.clear()  # yesterday's outage ends, even where nothing called (a weekend)
        sim.faults.timeout_seconds = FAULT_HOLD_S
        sim.faults.random(rate=self.fault_rate, seed=self.seed * 100 + day.day, kinds=FAULT_KINDS, after_processing=after)
        # The random faults alone rarely outlast the client's attempts, so Airflow would
        # seldom retry a task. Each morning the first department listing and the first
        # send fail as many times in a row as the client tries: those tasks fail their
        # first try, and Airflow's retry must finish the job without a second message.
        attempts = CLIENT_EXTRA["retry"]["max_attempts"]
        for path in OUTAGE_PATHS:
            sim.faults.add(path, "http503", times=attempts, after_processing=after)

    def day_events(self, world: Any, days: int | None) -> list[Any]:
        """An event at 00:00 of each day of the month that re-arms the faults."""
        from demo_company.month import SHANGHAI, Event

        first = date.fromisoformat(world.company.scenario.month + "-01")
        out = []
        day = first
        while day.month == first.month and (days is None or (day - first).days < days):
            out.append(Event(datetime.combine(day, time(0, 0), SHANGHAI), "call", call=lambda d=day: self.arm(world.sim, d)))
            day += timedelta(days=1)
        return out


def compress_retries(dagbag: Any) -> None:
    """Every task retried up to TASK_TRIES times, RETRY_DELAY apart (see the module doc)."""
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            task.retries = TASK_TRIES - 1
            task.retry_delay = RETRY_DELAY
            task.retry_exponential_backoff = False


def killed_mid_send(summary: dict[str, Any]) -> bool:
    """Whether the month's summary records its worker killed in the middle of a send."""
    return bool((summary.get("killed_worker") or {}).get("killed"))


def compare(clean: dict[str, Any], chaos: dict[str, Any]) -> list[str]:
    """Where the chaos month's outcome differs from the clean month's (empty: none)."""
    problems = [f"{run} did not succeed" for run in chaos["failed_runs"]]
    if not killed_mid_send(chaos):
        problems.append("no worker was killed in the middle of a send")
    if chaos["wecom_drops"]:
        problems.append(f"{chaos['wecom_drops']} messages dropped by WeCom's per-member limit")
    if chaos["acknowledgements"] != chaos["clicks"]:
        problems.append(f"{chaos['acknowledgements']} acknowledgements recorded for {chaos['clicks']} clicks")
    problems += [
        f"{key}: clean {clean.get(key)!r}, chaos {chaos.get(key)!r}" for key in COMPARED if clean.get(key) != chaos.get(key)
    ]
    return problems
