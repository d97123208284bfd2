"""Each benchmark runs end to end at a tiny size through `python -m bench` and prints
its JSON line and the table. No timing is asserted here: speed is what bench/ reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str, timeout: float = 300) -> tuple[list[dict[str, Any]], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert re.search(r"^benchmark +case +metric", proc.stdout, re.M), proc.stdout  # the table's header
    return lines, proc.stdout


def test_fanout_sends_one_call_per_thousand_and_measures_the_naive_baseline() -> None:
    lines, table = run_bench(
        "fanout", "--n", "1200", "--naive-sample", "50", "--db", "sqlite", "--latency-ms", "0", "--repeat", "1"
    )
    (case,) = lines
    assert case["benchmark"] == "fanout" and case["case"] == "N=1,200 sqlite"
    assert case["ours"]["send_calls"] == 2 and case["ours"]["drops"] == 0
    assert case["ours"]["summary"]["sent"] == 1200
    # The baseline ran on a 50-employee sample and says it was extrapolated.
    assert case["baseline"]["measured_n"] == 50 and case["baseline"]["extrapolated"] is True
    assert case["baseline"]["send_calls"] == 1200 and case["notes"]
    assert case["ratio"]["send_calls"] == 600.0
    assert {t["metric"]: t["met"] for t in case["targets"]}["api_calls"] is True
    assert "fanout" in table and case["command"].startswith("python -m bench fanout")


def test_a_child_reports_its_own_peak_rss_not_its_parents() -> None:
    # Linux carries a process's pre-exec high-water mark into ru_maxrss, and subprocess
    # starts children with vfork: with ru_maxrss this child read at least 300 MiB.
    ballast = b"\x01" * (300 * 2**20)  # written, so resident
    code = "from bench.children import peak_rss_bytes; print(peak_rss_bytes())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert 0 < int(out) < 100 * 2**20
    del ballast


def test_fanout_with_latency_makes_both_sides_wait_each_round_trip() -> None:
    lines, _ = run_bench(
        "fanout", "--n", "1200", "--db", "sqlite", "--latency-ms", "0", "40", "--latency-naive-sample", "20",
        "--repeat", "1",
    )
    loopback, far = lines
    assert loopback["case"] == "N=1,200 sqlite" and far["case"] == "N=1,200 sqlite, 40 ms a call"
    assert loopback["baseline"]["measured_n"] == 1200 and far["baseline"]["measured_n"] == 20
    assert far["baseline"]["extrapolated"] is True and far["baseline"]["send_calls"] == 1200
    # The delay is really served: 20 naive sends and a gettoken wait ≥ 21 × 40 ms, and our
    # gettoken and two sends ≥ 3 × 40 ms. (Lower bounds only: no upper bound on speed.)
    assert far["baseline"]["measured_wall_s"] >= 21 * 0.040
    assert far["ours"]["wall_s"] >= 3 * 0.040 and far["ours"]["latency_ms"] == 40
    assert far["ours"]["send_calls"] == 2 and far["ours"]["summary"]["sent"] == 1200 and far["ours"]["drops"] == 0


@pytest.mark.postgres
def test_fanout_on_postgresql(pg_available: None) -> None:
    lines, _ = run_bench("fanout", "--n", "30", "--naive-sample", "30", "--db", "postgresql", "--latency-ms", "0")
    (case,) = lines
    assert case["case"] == "N=30 postgresql" and case["ours"]["summary"]["sent"] == 30
    assert case["baseline"]["extrapolated"] is False and case["baseline"]["send_calls"] == 30
    # The default: each side three times, the median reported (the other cases here pass 1).
    assert len(case["ours"]["runs_wall_s"]) == 3 and len(case["baseline"]["runs_wall_s"]) == 3
    assert case["ours"]["wall_s"] == sorted(case["ours"]["runs_wall_s"])[1]


def test_parse_measures_each_dag_file_against_a_bare_dag() -> None:
    dag_file = sorted(p.name for p in (ROOT / "dags").glob("*.py") if not p.name.startswith("_"))[0]
    lines, _ = run_bench("parse", "--repeat", "1", "--files", dag_file)
    sdk, parsed = lines
    assert sdk["case"] == "import airflow.sdk" and sdk["ours"]["import_s"] > 0
    assert parsed["case"] == dag_file and "error" not in parsed["ours"], parsed
    assert parsed["ours"]["dags"] >= 1
    assert parsed["baseline"]["file"].startswith("bare_dag.py")
    assert [t["metric"] for t in parsed["targets"]] == ["over_bare_ms"]


def test_chaos_totals_for_one_small_seed() -> None:
    lines, _ = run_bench("chaos", "--seeds", "1", "--people", "30", "--db", "sqlite")
    (case,) = lines
    assert case["benchmark"] == "chaos" and case["ours"]["seeds"] == 1
    assert case["ours"]["workers_killed_mid_send"] == 1
    assert case["ours"]["expected_messages"] > 30 and sum(case["ours"]["faults_injected"].values()) > 0
    assert case["ours"]["dedup_answers"] >= 1  # the killed worker's resend met the duplicate check
    assert {t["metric"] for t in case["targets"]} >= {"delivered_exactly_once", "acks_once", "drops", "dedup_answers"}


def test_cycle_and_its_rerun_run_the_month_end_with_dag_test() -> None:
    lines, table = run_bench(
        "cycle", "--n", "260", "--baseline-n", "200", "--departments", "20", "--db", "sqlite", "--rerun", timeout=900
    )
    case, again = lines
    assert case["benchmark"] == "cycle" and case["case"] == "N=260 sqlite"
    ours, base = case["ours"], case["baseline"]
    assert [r["dag_id"] for r in ours["runs"]] == ["directory_sync", "assessment_monthly", "report_monthly"]
    assert all(r["state"] == "success" for r in ours["runs"] + base["runs"]), ours["runs"]
    assert ours["employees"] == 260 and ours["departments"] == 21 and base["employees"] == 200
    # The directory was read department by department, and everyone got their result.
    assert ours["api_calls_by_path"]["/cgi-bin/user/list"] == ours["departments"]
    # Identical results share one call, so there are fewer calls than people reached.
    assert ours["recipients_reached"] >= 260 > ours["messages_sent"] > 0
    assert ours["compute_s"] > 0 and ours["peak_rss_mib"] > 0
    # dag.test()'s in-process API is started before the clock and reported apart.
    assert ours["api_start_s"] > 0 and "in-process execution API" in " ".join(case["notes"])
    targets = {t["metric"]: t["met"] for t in case["targets"]}
    assert targets == {"runs": True, "tasks_per_run": True}  # compute and RSS are judged at 100k
    assert "cycle" in table and "tasks_per_run" in table

    # Benchmark 4 on the same records: the re-run sends nothing and every task ran again.
    assert again["benchmark"] == "rerun" and again["baseline"]["messages_sent"] == ours["messages_sent"]
    rerun_targets = {t["metric"]: t for t in again["targets"]}
    assert rerun_targets["runs"]["met"] and rerun_targets["re_executed"]["met"], rerun_targets
    assert again["ours"]["messages_sent"] == 0 and rerun_targets["messages_sent"]["met"]
    assert again["ours"]["recipients_reached"] == 0
    assert 0 < again["ours"]["share_of_first_run"] and rerun_targets["share_of_first_run"]["met"] is not None
    report_tasks = {
        t["task_id"]: t["returned"] for r in again["ours"]["runs"] if r["dag_id"] == "report_monthly"
        for t in r["task_instances_detail"]
    }
    assert report_tasks["render"]["rendered"] == 0, report_tasks  # unchanged reports are not rendered again
    assert report_tasks["aggregate"]["data_written"] == 0, report_tasks  # nor their data written again
    # The re-run read no directory (its instant is synced) and scored no one (inputs unchanged).
    assert "/cgi-bin/user/list" not in again["ours"]["api_calls_by_path"]
    notes = " ".join(again["notes"])
    assert "directory not read again" in notes and "assessment not scored again" in notes, notes
    assert "report data written 0" in notes, notes


def test_per_message_counts_our_statements_and_commits_against_bare_sends() -> None:
    lines, table = run_bench("per-message", "--n", "20", "--repeat", "1", "--db", "sqlite")
    (case,) = lines
    assert case["benchmark"] == "per-message" and case["case"] == "N=20 sqlite"
    ours, base = case["ours"], case["baseline"]
    # One message per person on both sides, everyone reached once.
    assert ours["send_calls"] == base["send_calls"] == 20 and base["failures"] == 0
    assert ours["summary"]["sent"] == 20 and ours["drops"] == 0
    # Claim + record the answer, and the pacing reservation: at least two commits a message.
    assert ours["commits_per_message"] >= 2 and ours["statements_per_message"] >= ours["commits_per_message"]
    assert {t["metric"]: t["met"] for t in case["targets"]} == {"delivered": True, "drops": True}
    assert "statements_per_message" in table


def test_directory_read_compares_listings_in_flight_with_one_at_a_time() -> None:
    lines, table = run_bench("directory", "--n", "300", "--departments", "30", "--latency-ms", "20", "--repeat", "1")
    (case,) = lines
    assert case["benchmark"] == "directory" and case["case"] == "N=300 latency 20 ms"
    ours, base = case["ours"], case["baseline"]
    assert (ours["workers"], base["workers"]) == (4, 1)
    # department/list + user/list_id + 31 listings (root included) + gettoken, on both sides.
    assert ours["api_calls"] == base["api_calls"] == 34 and ours["members"] == base["members"] == 300
    assert {t["metric"]: t["met"] for t in case["targets"]} == {"same_directory": True, "api_calls": True}
    assert case["ratio"]["wall_s"] is not None and "same_directory" in table
