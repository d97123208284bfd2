"""The assessment flow's bulk path gives exactly what the per-person decision gives.

A generated company with mixed evidence (every duty kind, months either side, cancelled
assignments, sent and unsent reminders, violations) is scored through the records DB;
each stored result must equal `score(collect_evidence(...))` computed straight from the
generated data, one person at a time.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from wecomply.duties.assessment import collect_evidence, score
from wecomply.duties.model import Assignment, Duty
from wecomply.flows.assessment import has_work, is_assessment_day, run_assessment
from wecomply.flows.context import RunContext
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import load_policy
from wecomply.records import models

KINDS = [Duty.ONBOARDING, Duty.PERIODIC_TRAINING, Duty.REMEDIAL_TRAINING, Duty.NOTICE, Duty.MEETING_RECEIPT,
         Duty.PASSWORD_ATTESTATION, Duty.MEETING_MINUTES]


class RefusingSender:
    """Scoring must not message anyone; sending is its own task."""

    def send_message(self, body: dict[str, Any]) -> Any:
        raise AssertionError("run_assessment must not send")


def context(records_db, now: datetime) -> RunContext:
    policy = load_policy()
    return RunContext(policy=policy, calendar=WorkCalendar(policy), sessions=records_db.sessions,
                      connect=RefusingSender, now=now, worker_id="test")


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def generate(session, rng: random.Random, people: int) -> tuple[list[Assignment], dict[str, int]]:
    """Write a company and its evidence; return the evidence as the decision sees it."""
    session.add(models.Department(id=10, name="部门", head_userid="u0000"))
    userids = [f"u{i:04d}" for i in range(people)]
    session.add_all(
        models.Employee(userid=u, name=u, department_id=10, role="employee", hire_date=date(2025, 1, 1),
                        status="active", source="roster", in_roster=True)
        for u in userids
    )
    expected: list[Assignment] = []
    violations: dict[str, int] = {}
    for n, userid in enumerate(userids):
        for k in range(rng.randint(0, 6)):
            kind = rng.choice(KINDS)
            assigned = local(date(2026, 2, 20) + timedelta(days=rng.randint(0, 45)), rng.choice((9, 14, 17)))
            due = assigned + timedelta(days=rng.randint(1, 6))
            completed = rng.choice([None, assigned + timedelta(hours=rng.randint(1, 150))])
            cancelled = rng.random() < 0.05
            period = f"p{n}-{k}"
            session.add(models.Assignment(
                kind=str(kind), subject_userid=userid, period=period, assigned_at=assigned, due_at=due,
                completed_at=completed, status="cancelled" if cancelled else ("completed" if completed else "open"),
            ))
            sent = 0
            for step in ("assign", "remind-1", "remind-2", "escalate-leader"):
                if rng.random() < 0.5:
                    status = rng.choice(["sent", "sent", "queued", "failed"])
                    session.add(models.Delivery(duty=str(kind), subject=userid, period=period, step=step,
                                                recipients=[userid], status=status))
                    sent += step.startswith("remind") and status == "sent"
            if not cancelled:
                expected.append(Assignment(kind, userid, period, assigned, due, completed, reminders_sent=sent))
        if rng.random() < 0.2:
            day = date(2026, 3, 1) + timedelta(days=rng.randint(-3, 33))
            session.add(models.Violation(userid=userid, occurred_on=day, kind="x", recorded_by="hr"))
            if day.month == 3:
                violations[userid] = violations.get(userid, 0) + 1
    return expected, violations


def test_bulk_scores_equal_the_per_person_decision(records_db) -> None:
    rng = random.Random(7)
    with records_db.sessions.begin() as session:
        expected, violations = generate(session, rng, people=250)
    ctx = context(records_db, local(date(2026, 4, 1), 9))

    summary = run_assessment(ctx)

    with records_db.sessions() as session:
        stored = {a.userid: a for a in session.scalars(sa.select(models.Assessment))}
    assert summary["assessed"] == len(stored) == 250 and summary["period"] == "2026-03"
    mismatches = []
    for userid, row in sorted(stored.items()):
        own = [a for a in expected if a.subject == userid]
        want = score(collect_evidence(userid, "2026-03", own, violations=violations.get(userid, 0),
                                      policy=ctx.policy, calendar=ctx.calendar), ctx.policy)
        got = (row.total, row.passed, row.scores)
        if got != (want.total, want.passed, {str(s.dimension): s.score for s in want.scores}):
            mismatches.append((userid, got, want))
    assert mismatches == []
    assert summary["failed"] == sum(not r.passed for r in stored.values()) > 0, "the data must exercise fails"


def test_rerun_replaces_results_and_assigns_remedial_once(records_db) -> None:
    with records_db.sessions.begin() as session:
        session.add(models.Department(id=10, name="部门"))
        session.add(models.Employee(userid="bob", name="Bob", department_id=10, role="employee",
                                    hire_date=date(2025, 1, 1), status="active", source="roster", in_roster=True))
        session.add(models.Assessment(userid="bob", period="2026-02", scores={}, total=10.0, passed=False))
        session.add(models.Violation(userid="bob", occurred_on=date(2026, 3, 3), kind="x", recorded_by="hr"))
        session.add(models.Violation(userid="bob", occurred_on=date(2026, 3, 4), kind="x", recorded_by="hr"))
    ctx = context(records_db, local(date(2026, 4, 1), 9))
    first, again = run_assessment(ctx), run_assessment(ctx)
    assert first["remedial_assigned"] == 1 and again["remedial_assigned"] == 0
    assert first["results_written"] == 1 and again["results_written"] == 0
    assert first["failed_consecutively"] == again["failed_consecutively"] == 1
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(models.Assessment)) == 2
        remedial = session.scalars(sa.select(models.Assignment)).one()
    assert (remedial.kind, remedial.period) == ("remedial_training", "remedial-2026-03")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 4), True),  # Sunday, but a make-up working day (调休) and January's first
        (date(2026, 1, 5), False),
        (date(2026, 2, 2), True),
        (date(2026, 5, 1), False),  # Labour Day holiday
        (date(2026, 5, 6), True),  # first working day after it
        (date(2026, 10, 8), True),
    ],
)
def test_assessment_day_follows_the_china_calendar(records_db, day: date, expected: bool) -> None:
    ctx = context(records_db, local(day, 9))
    assert is_assessment_day(ctx) is expected
    assert has_work(ctx) is expected, "without stored results only the first working day has work"


def test_result_payload_is_rendered_once_per_distinct_result_and_names_no_one() -> None:
    from wecomply.flows.assessment import _result_message, result_payload
    from wecomply.records.assessment_evidence import StoredResult
    from wecomply.templating import render

    _result_message.cache_clear()
    scores = {"training": 100.0, "acknowledgement": None}
    same = [StoredResult(u, "2026-03", scores, 90.0, True, {"excellent": True}) for u in ("u1", "u2", "u3")]
    payloads = [result_payload(r, remedial=False, pass_mark=60, locale="zh") for r in same]
    assert _result_message.cache_info().misses == 1 and _result_message.cache_info().hits == 2
    direct = render(
        "assessment/result.md.j2", locale="zh", period="2026-03", total=90.0, passed=True,
        pass_mark=60, excellent=True, scores=list(scores.items()), remedial=False,
    ).strip()
    assert payloads[0] == payloads[1] == payloads[2] == {"msgtype": "markdown", "markdown": {"content": direct}}
    # One object for everyone with this result: the outbox hashes each payload object once.
    assert payloads[0] is payloads[1] is payloads[2]
    other = StoredResult("u4", "2026-03", scores, 90.0, True, {"excellent": True})
    assert result_payload(other, remedial=True, pass_mark=60, locale="zh") != payloads[0]


def stored_scores(records_db) -> dict[str, tuple[float, bool]]:
    with records_db.sessions() as session:
        return {a.userid: (a.total, a.passed) for a in session.scalars(sa.select(models.Assessment).where(
            models.Assessment.period == "2026-03"))}


def test_a_rerun_scores_again_only_when_what_the_scores_read_changed(records_db) -> None:
    rng = random.Random(11)
    with records_db.sessions.begin() as session:
        generate(session, rng, people=60)
    ctx = context(records_db, local(date(2026, 4, 1), 9))
    first = run_assessment(ctx)
    scores = stored_scores(records_db)
    assert first["scored"] is True and first["results_written"] == 60

    again = run_assessment(ctx)
    assert again["scored"] is False and again["results_written"] == 0
    assert again == first | {"scored": False, "results_written": 0}, "the stored outcome is reported as it was"

    # Each input the scores read, and the stored scores themselves, makes the next run score again.
    edited = min(scores)
    victim = min(userid for userid, (_, passed) in scores.items() if passed and userid != edited)
    changes = {
        "violation": lambda s: s.add(models.Violation(userid=victim, occurred_on=date(2026, 3, 9), kind="x", recorded_by="hr")),
        "leaver": lambda s: s.execute(sa.update(models.Employee).where(models.Employee.userid == victim)
                                      .values(leave_date=date(2026, 3, 20), status="left")),
        "stored score edited": lambda s: s.execute(sa.update(models.Assessment).where(
            models.Assessment.userid == edited).values(total=0.0)),
        "stored result deleted": lambda s: s.execute(sa.delete(models.Assessment).where(
            models.Assessment.userid == edited)),
        "reminder sent": lambda s: s.execute(sa.update(models.Delivery).where(
            models.Delivery.step == "remind-1", models.Delivery.status != "sent").values(status="sent")),
    }
    reruns = {}
    for what, change in changes.items():
        with records_db.sessions.begin() as session:
            change(session)
        reruns[what] = run_assessment(ctx)
        assert reruns[what]["scored"] is True, f"{what}: not scored again"
        assert run_assessment(ctx)["scored"] is False, f"{what}: scored a second time with nothing changed"
    assert reruns["violation"]["results_written"] == 1 and stored_scores(records_db)[victim] != scores[victim]
    assert reruns["leaver"]["assessed"] == 59, "the leaver is no longer assessed"
    assert stored_scores(records_db)[edited] == scores[edited], "an edited or deleted stored score is put back"


def test_rows_digest_sees_every_value_and_ignores_order(records_db) -> None:
    from wecomply.records.stamps import rows_digest

    e = models.Employee.__table__
    rows = [("a,", "b"), ("a", ",b"), ("x", None)]

    def digest(values) -> str:
        with records_db.sessions.begin() as session:
            session.execute(sa.delete(e))
            session.add_all(
                models.Employee(userid=u, name=u, direct_leader_userid=leader, status="active", source="roster",
                                in_roster=True)
                for u, leader in values
            )
            session.flush()
            return rows_digest(session, sa.select(e.c.userid, e.c.direct_leader_userid))

    base = digest(rows)
    assert digest(rows) == base, "the same rows, the same digest"
    if records_db.engine.dialect.name == "postgresql":
        assert digest(list(reversed(rows))) == base, "PostgreSQL digests the rows sorted"
    assert digest([]) != base
    assert digest([("a,", "b")]) != digest([("a", ",b")]), "a separator inside a value shifted a boundary"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            edited = [list(r) for r in rows]
            edited[i][j] = "NULL" if value is None else value + "z"  # NULL must not read as the text "NULL"
            assert digest([tuple(r) for r in edited]) != base, f"editing row {i} column {j} went unnoticed"


@pytest.mark.parametrize(("stored", "close"), [(0.1 + 0.2, 0.3), (89.99999999999999, 90.0)])
def test_rows_digest_tells_apart_totals_one_bit_apart(records_db, stored: float, close: float) -> None:
    """A score's total is a float: the digest must see its last bit (SQLite's `quote` and
    PostgreSQL's float8 text give the exact value), or a corrected score would keep a
    stale stamp."""
    from wecomply.records.stamps import rows_digest

    t = models.Assessment.__table__

    def digest(total: float) -> str:
        with records_db.sessions.begin() as session:
            session.execute(sa.delete(t))
            session.add(models.Assessment(userid="u1", period="2026-03", scores={}, total=total, passed=True))
            session.flush()
            return rows_digest(session, sa.select(t.c.userid, t.c.total))

    assert stored != close
    assert digest(stored) == digest(stored)
    assert digest(stored) != digest(close)


def test_combine_and_sources_digest_keep_their_parts_apart(tmp_path) -> None:
    from wecomply.records.stamps import combine, sources_digest

    assert combine("a\nb") != combine("a", "b") != combine("a", "", "b")
    assert combine("ab", "c") != combine("a", "bc")
    first, second = tmp_path / "rules.py", tmp_path / "flow.py"
    first.write_text("x = 1\n", encoding="utf-8")
    second.write_text("y = 2\n", encoding="utf-8")
    base = sources_digest([first, second])
    assert sources_digest([str(first), str(second)]) == base
    # A line moved from one file to the next, or a renamed file, is another release.
    first.write_text("x = 1\ny = 2\n", encoding="utf-8")
    second.write_text("", encoding="utf-8")
    assert sources_digest([first, second]) != base
    first.write_text("x = 1\n", encoding="utf-8")
    second.write_text("y = 2\n", encoding="utf-8")
    renamed = second.rename(tmp_path / "flow2.py")
    assert sources_digest([first, renamed]) != base
