"""The monthly assessment (v1 §6.3, v2 §7): score last month, assign remedial training,
tell each employee their own result.

Runs on the month's first working day (China's calendar, 调休 included) for the previous
month. Reads are one query per table and scoring is plain Python over grouped rows, so a
100k-person company costs seconds, not one round trip per person. Results are upserted, so
a re-run of the month replaces them with the same values; remedial assignments and result
messages go through keyed rows (assignments, outbox) and are never doubled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib.metadata import version
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from wecomply.delivery import DeliveryRequest, deliver, settled_summary
from wecomply.duties import assessment as assessment_rules
from wecomply.duties import model as duty_model
from wecomply.duties import training as training_rules
from wecomply.duties.assessment import AssessmentResult, collect_evidence, consecutive_fails, previous_month, score
from wecomply.duties.model import Assignment, Directory, Duty, Person
from wecomply.duties.training import RemedialNeed, new_remedial_assignments, period_bounds, remedial_period
from wecomply.flows.context import RunContext
from wecomply.flows.people import load_assignments, load_people, record_assignments, roster_statement
from wecomply.flows.send import DeliveriesStillOwed
from wecomply.policy import calendar as calendar_rules
from wecomply.policy.calendar import SHANGHAI
from wecomply.records.assessment_evidence import (
    StoredResult,
    assignments_due_between,
    assignments_due_statement,
    earliest_assigned,
    fail_histories,
    reminder_counts_statement,
    results_awaiting_delivery,
    results_tally_statement,
    settled_result_deliveries,
    stored_results,
    violation_counts,
    violation_counts_statement,
)
from wecomply.records.assessments import AssessmentRow, upsert_assessments
from wecomply.records.evidence import month_bounds
from wecomply.records.stamps import combine, load_stamp, rows_digest, save_stamp, sources_digest
from wecomply.templating import render
from wecomply.wecom import messages

RESULT_STEP = "result"
RESULT_TEMPLATE = "assessment/result.md.j2"
STAMP_PREFIX = "assessment:"
MAX_LISTED_PEOPLE = 5000
_CALENDAR_RELEASE = f"chinesecalendar {version('chinesecalendar')}"
# The code a score depends on: the scoring rules, the types they take, the month's bounds,
# the working-day calendar, this flow.
_SCORING_SOURCES = (
    assessment_rules.__file__, duty_model.__file__, training_rules.__file__, calendar_rules.__file__, __file__,
)


def assessed_period(ctx: RunContext) -> str:
    """The month a run assesses: the one before the run's (Asia/Shanghai) month."""
    return previous_month(ctx.now)


def is_assessment_day(ctx: RunContext) -> bool:
    """The month's first working day by China's calendar (a 调休 Saturday can be it)."""
    today = ctx.now.astimezone(SHANGHAI).date()
    return ctx.calendar.first_working_day_on_or_after(today.replace(day=1)) == today


def has_work(ctx: RunContext) -> bool:
    """Assessment day, or a later working day of the month with results still to deliver
    (a run outside working hours holds them; the next in-hours run sends them)."""
    if is_assessment_day(ctx):
        return True
    today = ctx.now.astimezone(SHANGHAI).date()
    if not ctx.calendar.is_working_day(today):
        return False
    with ctx.sessions() as session:
        return results_awaiting_delivery(
            assessed_period(ctx), RESULT_STEP, duty=str(Duty.ASSESSMENT), on=today, session=session
        ) > 0


def assessed_people(people: Iterable[Person], period: str) -> list[Person]:
    """Everyone employed on the month's last day (joiners of the month included)."""
    last_day = period_bounds(period)[1]
    return [p for p in people if p.is_active(last_day)]


def score_people(
    people: Iterable[Person],
    assignments: Iterable[Assignment],
    violations: dict[str, int],
    period: str,
    ctx: RunContext,
) -> list[AssessmentResult]:
    by_assignee: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_assignee[assignment.assignee].append(assignment)
    return [
        score(
            collect_evidence(
                p.userid, period, by_assignee.get(p.userid, ()), violations=violations.get(p.userid, 0),
                policy=ctx.policy, calendar=ctx.calendar,
            ),
            ctx.policy,
        )
        for p in people
    ]


def run_assessment(ctx: RunContext) -> dict[str, Any]:
    """Score the previous month, store the results, record remedial assignments."""
    period = assessed_period(ctx)
    with ctx.sessions.begin() as session:
        scored = _score_month(ctx, period, session)
        remedial = _assign_remedial(ctx, period, session)
    return {"period": period} | scored | remedial


def _score_month(ctx: RunContext, period: str, session: Session) -> dict[str, Any]:
    """Score everyone employed at the month's end and store the results, unless neither
    what the scores are computed from nor the stored results (their tally) changed since
    they were written (a cleared or backfilled month): then the stored outcome is reported
    as is."""
    key, window = f"{STAMP_PREFIX}{period}", _Window.of(period)
    inputs = _scoring_inputs_digest(ctx, window, session)

    def stamp_digest() -> str:  # the inputs, and the results as stored now
        return combine(inputs, rows_digest(session, results_tally_statement(period)))

    stamp = load_stamp(key, session=session)
    if stamp is not None and stamp.digest == stamp_digest():
        return stamp.summary | {"results_written": 0, "scored": False}

    assessed = assessed_people(load_people(session), period)
    evidence_assignments = assignments_due_between(window.start, window.end, session=session)
    violations = violation_counts(window.first_day, window.day_after, session=session)
    results = score_people(assessed, evidence_assignments, violations, period, ctx)
    department = {p.userid: p.department_id for p in assessed}
    columns: _Columns = {}
    written = upsert_assessments([_row(r, department.get(r.userid), columns) for r in results], session=session, now=ctx.now)
    summary = {
        "assessed": len(results),
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "excellent": sum(r.excellent for r in results),
    }
    save_stamp(key, stamp_digest(), summary, session=session, now=ctx.now)
    return summary | {"results_written": written, "scored": True}  # 0 written when nothing changed


class _Window(NamedTuple):
    """What `_score_month` reads of a month: assignments due in [start, end), violations on
    first_day <= day < day_after."""

    start: datetime
    end: datetime
    first_day: date
    day_after: date

    @classmethod
    def of(cls, period: str) -> _Window:
        start, end = month_bounds(period)
        first_day, last_day = period_bounds(period)
        return cls(start, end, first_day, last_day + timedelta(days=1))


def _scoring_inputs_digest(ctx: RunContext, window: _Window, session: Session) -> str:
    """Everything a month's scores are computed from: the rows `_score_month` reads (the
    roster, the assignments due in the month and their reminders, the violations), the
    policy, the holiday calendar's release and the scoring code itself."""
    return combine(
        rows_digest(session, roster_statement()),
        rows_digest(session, assignments_due_statement(window.start, window.end)),
        rows_digest(session, reminder_counts_statement(earliest_assigned(window.start, window.end))),
        rows_digest(session, violation_counts_statement(window.first_day, window.day_after)),
        ctx.policy.model_dump_json(),
        _CALENDAR_RELEASE,
        _scoring_code_digest(),
    )


@lru_cache(maxsize=1)
def _scoring_code_digest() -> str:
    # A release that scores differently must not be told its predecessor's results are current.
    return sources_digest(_SCORING_SOURCES)


def _assign_remedial(ctx: RunContext, period: str, session: Session) -> dict[str, int]:
    """Remedial training for whoever failed this month and the ones before (v2 §7.3).
    Always decided afresh: it reads only the people who failed, and `ensure_assignments`
    keeps an existing assignment (and its deadline) as it is."""
    history = [
        AssessmentResult(h.userid, h.period, (), 0.0, h.passed, False)
        for h in fail_histories(period, session=session)
    ]
    failing_twice = consecutive_fails(history, ctx.policy.assessment.consecutive_fails_for_remedial, period=period)
    if not failing_twice:
        return {"failed_consecutively": 0, "remedial_assigned": 0}
    # Few people fail twice; past a bound, one read of everyone beats a long IN list.
    people = load_people(session, among=failing_twice if len(failing_twice) <= MAX_LISTED_PEOPLE else None)
    taken = {
        (a.subject, a.period)
        for a in load_assignments(session, Duty.REMEDIAL_TRAINING, period=remedial_period(period))
    }
    new = new_remedial_assignments(
        [RemedialNeed(userid, period) for userid in failing_twice], Directory(people), taken,
        now=ctx.now, policy=ctx.policy, calendar=ctx.calendar,
    )
    return {
        "failed_consecutively": len(failing_twice),
        "remedial_assigned": record_assignments(session, new, people, now=ctx.now),
    }


# A result's `scores` and `details` columns by its (scores, excellent). `score` returns one
# memoised `scores` tuple per set of counts, and a 100k company has a few thousand of them:
# built per person, the columns held 200k dicts at once. The rows share them; nothing
# mutates them (they are only compared and written).
_Columns = dict[tuple[tuple[Any, ...], bool], tuple[dict[str, Any], dict[str, Any]]]


def _row(result: AssessmentResult, department_id: int | None, columns: _Columns) -> AssessmentRow:
    key = (result.scores, result.excellent)
    built = columns.get(key)
    if built is None:
        built = columns[key] = (
            {str(s.dimension): s.score for s in result.scores},  # None = not applicable this month
            {"excellent": result.excellent, "weights": {str(s.dimension): s.weight for s in result.scores}},
        )
    scores, details = built
    return AssessmentRow(
        userid=result.userid,
        period=result.period,
        scores=scores,
        total=result.total,
        passed=result.passed,
        department_id=department_id,
        details=details,
    )


def result_payload(result: StoredResult, *, remedial: bool, pass_mark: float, locale: str) -> dict[str, Any]:
    """The private markdown message for one person's stored result.

    It names no one, so everyone with the same result gets a byte-identical payload and
    the outbox sends them one call per 1,000 (each still receives it alone, in the app's
    chat with them). Memoised: 100k results are a few thousand distinct payloads, and
    people with the same result share one payload object, which the outbox hashes once
    (it never changes a payload). Hashing 100k separate copies took ~1 s.
    """
    return _result_message(
        result.period, result.total, result.passed, pass_mark, bool(result.details.get("excellent")),
        tuple(result.scores.items()), remedial, locale,
    )


@lru_cache(maxsize=4096)
def _result_message(
    period: str, total: float, passed: bool, pass_mark: float, excellent: bool,
    scores: tuple[tuple[str, Any], ...], remedial: bool, locale: str,
) -> dict[str, Any]:
    return messages.markdown(render(
        RESULT_TEMPLATE, locale=locale, period=period, total=total, passed=passed,
        pass_mark=pass_mark, excellent=excellent, scores=list(scores), remedial=remedial,
    ).strip())


def send_results(ctx: RunContext) -> dict[str, int]:
    """Each active employee's own result, privately: one delivery row per person; people
    with identical results share a message/send call.

    Results are not urgent: outside working hours they are held (no delivery row is
    written), and the next in-hours run of this DAG sends them.
    """
    period = assessed_period(ctx)
    today = ctx.now.astimezone(SHANGHAI).date()
    with ctx.sessions() as session:
        settled = settled_result_deliveries(period, RESULT_STEP, duty=str(Duty.ASSESSMENT), on=today, session=session)
        if settled is not None:
            return settled_summary(settled.employed, settled.by_status) | {"held_for_working_hours": 0}
        results = list(stored_results(period, employed_on=today, session=session))
        remedial = {a.subject for a in load_assignments(session, Duty.REMEDIAL_TRAINING, period=remedial_period(period))}
    if not ctx.calendar.is_working_time(ctx.now):
        return {"requests": 0, "sent": 0, "held_for_working_hours": len(results)}
    pass_mark = ctx.policy.assessment.pass_mark
    requests = [
        DeliveryRequest(
            duty=str(Duty.ASSESSMENT), subject=r.userid, period=period, step=RESULT_STEP, recipients=(r.userid,),
            payload=result_payload(r, remedial=r.userid in remedial, pass_mark=pass_mark, locale=ctx.locale),
        )
        for r in results
    ]
    report = deliver(
        ctx.sessions, ctx.sender, requests, now=ctx.clock, worker_id=ctx.worker_id,
        duplicate_check_interval=ctx.policy.wecom_actions.duplicate_check_interval_s,
    )
    if report.pending:
        raise DeliveriesStillOwed(
            f"{len(report.pending)} assessment results still owed after this attempt ({report.errors[:3]}); "
            "the task will be retried and sends only what is owed"
        )
    return report.summary() | {"held_for_working_hours": 0}

