"""`python -m bench rerun --repeat K` reports the pair with the median share, not the best."""

from __future__ import annotations

from bench.cycle import Phase
from bench.rerun import median_pair, share_of


def phase(wall_s: float) -> Phase:
    run = {"dag_id": "report_monthly", "wall_s": wall_s, "cpu_s": wall_s, "db_server_cpu_s": 0.0, "task_states": []}
    return Phase(runs=[run], peak_rss_mib=1.0, api_calls={}, employees=10, departments=1, recipients_reached=0, api_start_s=0.0)


def test_the_median_pair_is_reported() -> None:
    pairs = [(phase(20.0), phase(5.0)), (phase(20.0), phase(3.0)), (phase(10.0), phase(2.1))]
    assert [share_of(*p) for p in pairs] == [0.25, 0.15, 0.21]
    first, again = median_pair(pairs)
    assert (first.wall_s, again.wall_s) == (10.0, 2.1)


def test_of_an_even_count_the_upper_middle_is_reported() -> None:
    pairs = [(phase(10.0), phase(1.0)), (phase(10.0), phase(3.0)), (phase(10.0), phase(2.0)), (phase(10.0), phase(4.0))]
    assert share_of(*median_pair(pairs)) == 0.3
