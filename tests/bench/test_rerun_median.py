"""`python -m bench rerun`: the pair with the median share is reported, not the best, and where its time went."""

from __future__ import annotations

from typing import Any

from bench.cycle import Phase
from bench.rerun import evaluate, median_pair, share_of, time_split


def phase(wall_s: float, tasks: list[dict[str, Any]] | None = None, gc_s: float = 0.3, full_gcs: int = 2) -> Phase:
    run = {
        "dag_id": "report_monthly", "state": "success", "wall_s": wall_s, "cpu_s": wall_s, "db_server_cpu_s": 0.0,
        "gc_s": gc_s, "full_gcs": full_gcs, "tasks": 0, "task_instances": 0, "task_states": tasks or [{"task_id": "aggregate", "state": "success", "duration_s": wall_s / 2}],
    }
    return Phase(runs=[run], peak_rss_mib=1.0, api_calls={}, employees=10, departments=1, recipients_reached=0, api_start_s=0.0)


def test_the_median_pair_is_reported() -> None:
    pairs = [(phase(20.0), phase(5.0)), (phase(20.0), phase(3.0)), (phase(10.0), phase(2.1))]
    assert [share_of(*p) for p in pairs] == [0.25, 0.15, 0.21]
    first, again = median_pair(pairs)
    assert (first.wall_s, again.wall_s) == (10.0, 2.1)


def test_the_notes_list_every_pairs_share_times_and_garbage_collection() -> None:
    pairs = [
        (phase(20.0), phase(5.0, gc_s=0.9, full_gcs=1)),
        (phase(20.0), phase(3.0, gc_s=0.1, full_gcs=0)),
        (phase(10.0), phase(2.1)),
    ]
    case = evaluate(10, "sqlite", *median_pair(pairs), "python -m bench rerun --repeat 3", pairs)
    assert case.ours["share_of_first_run"] == 0.21
    assert case.ours["shares_of_first_run"] == [0.25, 0.15, 0.21]
    assert case.ours["reruns_gc_s"] == [0.9, 0.1, 0.3]
    assert (
        "shares 25.0%, 15.0%, 21.0%; re-run / first run 5.00 / 20.00 s, 3.00 / 20.00 s, 2.10 / 10.00 s; "
        "the re-runs' garbage collection 0.90 s (1 full), 0.10 s (0 full), 0.30 s (2 full)"
    ) in case.notes[-1]


def test_of_an_even_count_the_upper_middle_is_reported() -> None:
    pairs = [(phase(10.0), phase(1.0)), (phase(10.0), phase(3.0)), (phase(10.0), phase(2.0)), (phase(10.0), phase(4.0))]
    assert share_of(*median_pair(pairs)) == 0.3


def test_the_rerun_note_splits_wall_time_into_tasks_and_dag_test_around_them() -> None:
    tasks = [
        {"task_id": "aggregate", "duration_s": 0.5}, {"task_id": "render", "duration_s": 0.25},
        {"task_id": "archive", "duration_s": 0.2}, {"task_id": "wait", "duration_s": 0.1},
    ]
    again = phase(2.0, tasks)
    assert again.in_tasks_s == 1.05
    assert time_split(again) == (
        "2.00 s wall = 1.05 s in 4 task instances + 0.95 s of dag.test() around them; "
        "heaviest report_monthly.aggregate 0.50 s, report_monthly.render 0.25 s, report_monthly.archive 0.20 s; "
        "lightest report_monthly.wait 0.10 s (an upper bound on a task's start); "
        "the garbage collector 0.30 s of the wall (2 full collections)"
    )


def test_the_gc_clock_times_collections_and_counts_only_full_ones() -> None:
    import gc

    from bench.cycle_child import GcClock

    heap = [[i] for i in range(200_000)]  # something for the collector to walk
    gc.disable()  # only the collections asked for below
    clock = GcClock()
    try:
        gc.collect(0)
        assert clock.full == 0 and clock.seconds > 0
        young = clock.seconds
        gc.collect()
        assert clock.full == 1 and clock.seconds > young, (clock.full, clock.seconds)
    finally:
        gc.callbacks.remove(clock._on)
        gc.enable()
    assert len(heap) == 200_000
