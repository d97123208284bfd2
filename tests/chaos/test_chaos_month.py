"""The chaos month, short: the scenario month's first days and its month end through the
real DAGs with `dag.test()`, WeCom faulting 30 % of every API's calls, Airflow retrying the
tasks that fail, one DAG run's worker process killed in the middle of a send. Its outcome
must be the clean month's: the same messages reached the same people, each as often, and
the records agree. `make bench` runs whole months, more seeds.
"""

from __future__ import annotations

import json

import pytest

from bench.chaos_month import run_month
from demo_company.chaos import FAULT_KINDS, compare

DAYS = 4
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def clean_month() -> dict:
    summary = run_month("sqlite", days=DAYS)
    assert not summary["failed_runs"] and not summary["faults_by_kind"], summary
    assert summary["task_tries"]["retried"] == 0, summary
    assert summary["killed_worker"] is None, summary
    return summary


@pytest.mark.parametrize(
    ("backend", "seed"), [("sqlite", 21), pytest.param("postgresql", 22, marks=pytest.mark.postgres)]
)
def test_a_month_under_faults_and_task_retries_ends_as_the_clean_month(clean_month: dict, backend: str, seed: int) -> None:
    chaos = run_month(backend, chaos_seed=seed, days=DAYS)
    summary = json.dumps(
        {k: chaos[k] for k in ("failed_runs", "faults_by_kind", "task_tries", "received", "killed_worker")}, indent=1
    )

    # As hostile as intended, or the comparison proves nothing.
    assert sum(chaos["faults_by_kind"].values()) >= 50, summary
    assert len(set(chaos["faults_by_kind"]) & set(FAULT_KINDS)) >= 6, summary
    # Each working day's outage (2-4 March) fails the directory sync's first try at least.
    assert chaos["task_tries"]["retried"] >= 3, summary
    # A worker died holding a send WeCom had carried out, with its task still running.
    kill = chaos["killed_worker"]
    assert kill["killed"] and kill["tasks"], summary
    # Enough happened to compare: runs, messages, clicks.
    assert sum(clean_month["dag_runs"].values()) >= 25, clean_month
    assert clean_month["received"]["messages_received"] >= 200 and clean_month["clicks"] >= 50, clean_month

    assert compare(clean_month, chaos) == [], summary


def test_compare_names_what_differs() -> None:
    clean = {
        "failed_runs": [], "wecom_drops": 0, "acknowledgements": 3, "clicks": 3,
        "received": {"digest": "a", "messages_received": 5}, "deliveries_by_status": {"sent": 5},
    }
    assert compare(clean, dict(clean, killed_worker={"killed": True})) == []
    assert compare(clean, dict(clean, killed_worker={"killed": False})) == ["no worker was killed in the middle of a send"]
    chaos = dict(clean, received={"digest": "b", "messages_received": 6}, acknowledgements=4, wecom_drops=1,
                 failed_runs=["report_monthly@2026-04-01: failed"])
    problems = compare(clean, chaos)
    assert problems[0] == "report_monthly@2026-04-01: failed did not succeed"
    assert "1 messages dropped by WeCom's per-member limit" in problems
    assert "4 acknowledgements recorded for 3 clicks" in problems
    assert any(p.startswith("received: clean") for p in problems)
    assert any(p.startswith("acknowledgements: clean 3, chaos 4") for p in problems)


def test_bench_totals_fail_a_seed_that_differs_or_was_never_retried() -> None:
    from bench.chaos_month import totals

    def month(retried: int, acks: int = 3, killed: bool = True) -> dict:
        return {
            "killed_worker": {"killed": killed},
            "dag_runs": {"directory_sync": 2}, "failed_runs": [], "received": {"messages_received": 5},
            "acknowledgements": acks, "clicks": 3, "wecom_drops": 0, "faults_by_kind": {"reset": 4},
            "task_tries": {"retried": retried, "tries": 2 + retried, "task_instances": 2}, "elapsed_s": 1.0,
        }

    clean = month(0)
    met = {t.metric: t.met for t in totals(clean, [(1, month(1), []), (2, month(2), [])], "sqlite", "cmd").targets}
    assert met == dict.fromkeys(met, True)
    case = totals(
        clean, [(1, month(1), []), (2, month(0, acks=4, killed=False), ["acknowledgements: clean 3, chaos 4"])], "sqlite", "cmd"
    )
    met = {t.metric: t.met for t in case.targets}
    assert [m for m, ok in met.items() if not ok] == ["same_as_clean", "acks_once", "tasks_retried", "workers_killed_mid_send"]
    assert case.ours["workers_killed_mid_send"] == 1
    assert case.ours["problems"] == {2: ["acknowledgements: clean 3, chaos 4"]}
    assert case.ours["faults_injected"] == {"reset": 8}
