"""Last month's assessment results, so that "two consecutive fails" can happen this month.

Generated lazily (a 100k company would otherwise hold 100k score dicts) and deterministic
per person. Scores use the default policy weights; the scenario's `failed_last_month`
people score 53.5 and fail the pass mark of 60, everyone else scores at least 70.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from demo_company.model import AssessmentRecord, Company
from demo_company.workdays import month_bounds

WEIGHTS: dict[str, int] = {"training": 30, "acknowledgement": 25, "minutes": 15, "reminders": 10, "violations": 20}
PASS_MARK = 60.0
FAILING_SCORES: dict[str, float] = {"training": 40, "acknowledgement": 50, "minutes": 100, "reminders": 40, "violations": 50}


def weighted_total(scores: dict[str, float], weights: dict[str, int] = WEIGHTS) -> float:
    return round(sum(scores[k] * w for k, w in weights.items()) / sum(weights.values()), 2)


def previous_assessments(company: Company) -> Iterator[AssessmentRecord]:
    """One record per person employed through the end of the previous month."""
    period = company.scenario.previous_month
    _, last = month_bounds(period)
    failed = set(company.scenario.failed_last_month)
    for emp in company.employees.values():
        if not emp.employed_on(last):
            continue
        if emp.userid in failed:
            scores = dict(FAILING_SCORES)
        else:
            rng = random.Random(f"{company.seed}|assessment|{period}|{emp.userid}")
            scores = {k: float(rng.choice((70, 80, 90, 100))) for k in WEIGHTS}
        total = weighted_total(scores)
        yield AssessmentRecord(
            userid=emp.userid,
            period=period,
            department_id=emp.department_id,
            scores=scores,
            total=total,
            passed=total >= PASS_MARK,
        )
