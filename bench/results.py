"""What a benchmark reports: JSON lines as it goes, table rows for the end.

A `Case` is one measured situation (one benchmark at one size on one database). Its JSON
line carries every figure for ours and for the baseline measured in the same run, the
ratios, and each target with whether it was met; the same data becomes table rows.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    metric: str
    goal: str  # human-readable, e.g. "≤ 12" or "≥ 50× baseline"
    met: bool | None  # None: could not be evaluated in this run (say why in `note`)
    note: str = ""


@dataclass
class Case:
    benchmark: str
    case: str
    ours: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    ratio: dict[str, float | None] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    command: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "case": self.case,
            "ours": self.ours,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "targets": [t.__dict__ for t in self.targets],
            "notes": self.notes,
            "command": self.command,
        }

    @property
    def all_met(self) -> bool:
        return all(t.met is not False for t in self.targets)


def ratio(baseline: float | int | None, ours: float | int | None) -> float | None:
    """How many times better ours is (baseline / ours); None when it cannot be computed."""
    if baseline is None or ours is None or ours <= 0:
        return None
    return round(float(baseline) / float(ours), 2)


def median_item(items: Sequence[T], key: Callable[[T], float]) -> T:
    """The item with the median key (the upper middle of an even count): a repeated run
    reports its middle, not its best."""
    return sorted(items, key=key)[len(items) // 2]


def emit(case: Case, out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up per call: a default bound at import misses a redirect
    out.write(json.dumps(case.to_json(), ensure_ascii=False, sort_keys=False) + "\n")
    out.flush()


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# Metrics shown in the table, in this order, when a case has them.
TABLE_METRICS: dict[str, tuple[str, ...]] = {
    "fanout": ("api_calls", "send_calls", "wall_s", "peak_rss_mib", "drops"),
    "per-message": ("ms_per_message", "statements_per_message", "commits_per_message", "drops"),
    "parse": ("import_s", "over_bare_ms"),
    "cycle": ("compute_s", "peak_rss_mib", "tasks_per_run"),
    "rerun": ("messages_sent", "wall_s", "share_of_first_run"),
    "chaos": (
        "seeds", "expected_messages", "delivered_exactly_once", "duplicates", "missing", "drops", "clicks", "acks_once",
        "workers_killed_mid_send", "dedup_answers",
    ),
}


def _scalar_metrics(ours: dict[str, Any]) -> tuple[str, ...]:
    """A case's figures that fit a cell. Lists and dicts (every run's wall time, faults by
    kind) stay in the JSON line: one 140-character cell widened the whole table."""
    return tuple(metric for metric, value in ours.items() if not isinstance(value, (list, tuple, dict)))


def table_rows(cases: list[Case]) -> list[list[str]]:
    rows: list[list[str]] = []
    for case in cases:
        targets = {t.metric: t for t in case.targets}
        metrics = TABLE_METRICS.get(case.benchmark) or _scalar_metrics(case.ours)
        for metric in metrics:
            if metric not in case.ours and metric not in case.baseline and metric not in targets:
                continue
            target = targets.get(metric)
            verdict = "" if target is None else {True: "met", False: "MISSED", None: "n/a"}[target.met]
            rows.append(
                [
                    case.benchmark,
                    case.case,
                    metric,
                    _fmt(case.ours.get(metric)),
                    _fmt(case.baseline.get(metric)),
                    _fmt(case.ratio.get(metric)),
                    target.goal if target else "",
                    verdict,
                ]
            )
        for metric, target in targets.items():
            if metric not in metrics:
                verdict = {True: "met", False: "MISSED", None: "n/a"}[target.met]
                rows.append([case.benchmark, case.case, metric, "", "", "", target.goal, verdict])
    return rows


HEADER = ["benchmark", "case", "metric", "ours", "baseline", "ratio", "target", "result"]


def render_table(cases: list[Case]) -> str:
    rows = [HEADER, *table_rows(cases)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
