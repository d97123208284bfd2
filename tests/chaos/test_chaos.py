"""The chaos run, a few seeds: heavy WeCom faults, task retries and a worker killed
mid-send; afterwards every message was delivered exactly once, no member's limit was
exceeded, and every click was acknowledged once. `make bench` runs many more seeds."""

from __future__ import annotations

import json

import pytest

from bench.chaos import FAULT_KINDS, ChaosConfig, ChaosOutcome, run_chaos, totals
from tests.fixtures.records import RecordsDB

SEEDS = (11, 12)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_deliveries_and_acknowledgements_survive_faults_retries_and_a_killed_worker(
    seed: int, records_db: RecordsDB
) -> None:
    outcome = run_chaos(ChaosConfig(seed=seed), records_db.url, backend=records_db.dialect)
    summary = json.dumps(outcome.summary(), ensure_ascii=False, indent=1)

    # The run was as hostile as intended, or the checks below prove nothing.
    assert outcome.killed_mid_send, summary
    assert sum(outcome.faults.values()) >= 30, summary
    assert len(set(outcome.faults) & set(FAULT_KINDS)) >= 6, summary
    assert outcome.task_tries >= 2, summary  # the killed worker's batch needed a later try
    assert outcome.dedup_answers >= 1, summary  # its resend was answered by WeCom's dedup

    assert outcome.expected > 500 and outcome.clicks > 200, summary
    assert (outcome.delivered_once, outcome.duplicates, outcome.missing, outcome.stray) == (
        outcome.expected, 0, 0, 0
    ), summary
    assert outcome.drops == 0, summary
    assert outcome.callback_posts > outcome.clicks, summary  # WeCom-style retries happened
    assert (outcome.acks_recorded, outcome.acks_duplicated, outcome.inbox_events) == (
        outcome.clicks, 0, outcome.clicks
    ), summary
    assert not outcome.problems, summary


def test_totals_fail_a_seed_whose_killed_send_was_not_answered_by_the_duplicate_check() -> None:
    def seed(n: int, dedup: int) -> ChaosOutcome:
        return ChaosOutcome(seed=n, backend="sqlite", expected=5, delivered_once=5, killed_mid_send=True,
                            dedup_answers=dedup)

    met = {t.metric: t.met for t in totals([seed(1, 1), seed(2, 2)], "sqlite", "cmd").targets}
    assert met == dict.fromkeys(met, True)
    met = {t.metric: t.met for t in totals([seed(1, 1), seed(2, 0)], "sqlite", "cmd").targets}
    assert met["dedup_answers"] is False
    assert [m for m, ok in met.items() if not ok] == ["dedup_answers"]
