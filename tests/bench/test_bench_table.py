"""`make bench` without arguments runs every benchmark at its default sizes and prints ONE
table that a person can read. The real runs take over an hour, so the benchmarks' `run` is
replaced here by one that records its arguments and returns a case; what is tested is the
dispatch, the exit status and the table."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Iterator

import pytest

from bench import __main__ as bench_main
from bench.results import Case, Target, render_table


@pytest.fixture(autouse=True)
def _wecomply_log_level() -> Iterator[None]:
    # `main` quiets the wecomply logger for the whole process (fault runs log thousands of
    # retries); later tests in this worker must find it as it was.
    logger = logging.getLogger("wecomply")
    level = logger.level
    yield
    logger.setLevel(level)


def _recording_runs(monkeypatch: pytest.MonkeyPatch, *, crash: str = "", miss: str = "") -> list[tuple[str, argparse.Namespace]]:
    seen: list[tuple[str, argparse.Namespace]] = []
    for name, module in bench_main.BENCHMARKS.items():

        def run(args: argparse.Namespace, command: str, name: str = name) -> Iterator[Case]:
            seen.append((name, args))
            if name == crash:
                raise RuntimeError(f"{name} broke")
            yield Case(name, "case", ours={"figure": 1}, targets=[Target("figure", "= 1", name != miss)], command=command)

        monkeypatch.setattr(module, "run", run)
    return seen


def test_no_arguments_runs_every_benchmark_at_its_defaults_and_prints_one_table(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    seen = _recording_runs(monkeypatch)
    assert bench_main.main([]) == 0
    assert logging.getLogger("wecomply").level == logging.ERROR  # what the fixture undoes
    assert [name for name, _ in seen] == list(bench_main.BENCHMARKS)
    defaults = dict(seen)
    assert defaults["fanout"].n == [1000, 10_000, 100_000] and defaults["fanout"].db == ["sqlite", "postgresql"]
    assert defaults["fanout"].repeat == 3 and defaults["rerun"].repeat == 3
    assert defaults["chaos"].seeds == 20 and defaults["chaos-month"].seeds == 3
    out = capfd.readouterr().out
    headers = [m.start() for m in re.finditer(r"^benchmark +case +metric", out, re.M)]
    assert len(headers) == 1  # one table, after every JSON line
    assert out.rindex("{") < headers[0]
    assert all(re.search(rf"^{re.escape(name)} +case +figure", out, re.M) for name in bench_main.BENCHMARKS)


def test_a_crashed_benchmark_does_not_hide_the_others_and_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    seen = _recording_runs(monkeypatch, crash="cycle")
    assert bench_main.main([]) == 1
    assert [name for name, _ in seen] == list(bench_main.BENCHMARKS)
    assert "cycle broke" in capfd.readouterr().out


def test_a_missed_target_fails_the_run_only_when_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    _recording_runs(monkeypatch, miss="fanout")
    assert bench_main.main([]) == 0
    assert bench_main.main(["--strict"]) == 1


def test_figures_that_do_not_fit_a_cell_stay_out_of_the_table() -> None:
    # As the chaos month reports them: faults by kind; the directory read: every run's time.
    month = Case("chaos-month", "1 seeds sqlite", ours={"dag_runs": 227, "faults_injected": {"http503": 300, "reset": 118}})
    directory = Case("directory", "N=10,000", ours={"wall_s": 0.86, "runs_wall_s": [0.86, 0.9, 0.85]})
    table = render_table([month, directory])
    assert "dag_runs" in table and "wall_s" in table
    assert "faults_injected" not in table and "runs_wall_s" not in table
    assert max(len(line) for line in table.splitlines()) < 100
