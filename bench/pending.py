"""Benchmarks that need DAGs from other areas: report plainly when they cannot run yet."""

from __future__ import annotations

from pathlib import Path

from bench.results import Case, Target

ROOT = Path(__file__).resolve().parent.parent
MONTHLY_DAGS = ("directory_sync.py", "assessment_monthly.py", "report_monthly.py")


def missing_dags(names: tuple[str, ...] = MONTHLY_DAGS) -> list[str]:
    return [name for name in names if not (ROOT / "dags" / name).is_file()]


def why_not_ready(missing: list[str]) -> str:
    if missing:
        return "not run: missing " + ", ".join(f"dags/{name}" for name in missing)
    return "not run: the monthly DAGs exist now, but this benchmark's runner is not written yet"


def not_ready(benchmark: str, case: str, note: str, goals: dict[str, str], command: str) -> Case:
    result = Case(benchmark, case, command=command, notes=[note])
    result.targets = [Target(metric, goal, None, note) for metric, goal in goals.items()]
    return result
