"""Account findings and requests in a real records DB (SQLite and PostgreSQL), and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 9, 10, 0, tzinfo=SH)


def spec(kind: str, subject: str, period: str = "p1", detected: datetime = T0 - timedelta(days=3)):
    from wecomply.records.findings import FindingSpec

    return FindingSpec(kind, subject, period, f"{kind} {subject}", detected, detected + timedelta(days=2), 10)


def test_findings_open_keep_first_seen_resolve_and_supersede(records_db) -> None:
    from wecomply.records.findings import (
        RESOLVED_CLEARED,
        RESOLVED_SUPERSEDED,
        first_seen,
        list_findings,
        open_findings,
        record_findings,
    )

    with records_db.sessions.begin() as session:
        first = record_findings([spec("leaver_active", "eve"), spec("no_account", "bob")], session=session, now=T0)
    assert (first.opened, first.kept, first.resolved) == (2, 0, 0)

    with records_db.sessions.begin() as session:
        seen = first_seen(open_findings(session=session).values())
        assert seen[("leaver_active", "eve", "p1")] == T0 - timedelta(days=3)
        # Next run: eve persists (reported with a later detection time, which must not win),
        # bob is fixed, and a new cycle replaces an old one.
        later = T0 + timedelta(days=1)
        second = record_findings(
            [spec("leaver_active", "eve", detected=later), spec("password_attestation_due", "amy", "2026-03-10")],
            session=session, now=later,
        )
    assert (second.opened, second.kept, second.resolved) == (1, 1, 1)
    with records_db.sessions.begin() as session:
        third = record_findings(
            [spec("leaver_active", "eve"), spec("password_attestation_due", "amy", "2026-06-08")], session=session, now=later
        )
    assert (third.opened, third.kept, third.superseded) == (1, 1, 1)

    with records_db.sessions() as session:
        rows = {(f.kind, f.subject, (f.details or {})["period"]): f for f in list_findings(session=session)}
    eve = rows[("leaver_active", "eve", "p1")]
    assert (eve.opened_at, eve.resolved_at) == (T0 - timedelta(days=3), None)
    assert rows[("no_account", "bob", "p1")].resolution == RESOLVED_CLEARED
    assert rows[("password_attestation_due", "amy", "2026-03-10")].resolution == RESOLVED_SUPERSEDED
    assert rows[("password_attestation_due", "amy", "2026-06-08")].resolved_at is None
    assert len(rows) == 4


def test_at_most_one_open_finding_per_kind_and_subject(records_db) -> None:
    from wecomply.records.findings import record_findings

    with records_db.sessions.begin() as session:
        record_findings([spec("leaver_active", "eve")], session=session, now=T0)
    with pytest.raises(sa.exc.IntegrityError), records_db.sessions.begin() as session:
        # Written behind the repository's back, the database itself refuses a second open row.
        from wecomply.records.models import AccountFinding

        session.add(AccountFinding(kind="leaver_active", subject="eve", opened_at=T0))


def test_request_cli_register_review_and_list(records_db, capsys) -> None:
    from wecomply.cli import main

    url = records_db.url
    assert main(["accounts", "request", "--requester", "head1", "--name", "新同事", "--at", "2026-03-02 10:00", "--url", url]) == 0
    assert main(["accounts", "request", "--requester", "head1", "--name", "实习生", "--id", "SP-7", "--url", url]) == 0
    assert main(["accounts", "request", "--requester", "head1", "--name", "重复", "--id", "SP-7", "--url", url]) == 2
    assert "SP-7" in capsys.readouterr().err
    assert main(["accounts", "request", "--requester", "x", "--name", "y", "--at", "03/02", "--url", url]) == 2
    assert "YYYY-MM-DD HH:MM" in capsys.readouterr().err
    assert main(["accounts", "review", "req-1", "--reviewer", "it1", "--at", "2026-03-03 15:00", "--url", url]) == 0
    assert main(["accounts", "review", "req-1", "--reviewer", "it1", "--url", url]) == 1
    assert main(["accounts", "review", "nope", "--reviewer", "it1", "--url", url]) == 2
    capsys.readouterr()
    assert main(["accounts", "list", "--url", url]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("req-1\thead1\t新同事\t2026-03-02 10:00\t2026-03-03 15:00 approved")
    assert lines[1].startswith("SP-7\thead1\t实习生") and lines[1].endswith("待审核 / open")


@pytest.mark.parametrize(
    "period, expected",
    [
        ("leaver_active:2026-03-05", "leaver_active-2026-03-05"),
        ("unknown_account:roster", "unknown_account-roster"),
        ("review", "review"),
    ],
)
def test_outbox_period_keeps_readable_keys(period: str, expected: str) -> None:
    from wecomply.flows.accounts import outbox_period

    assert outbox_period(period) == expected


def test_outbox_period_digests_other_characters_stably() -> None:
    from wecomply.flows.accounts import OUTBOX_PERIOD, outbox_period

    odd = "department_account_no_owner:无 / none"
    assert outbox_period(odd) == outbox_period(odd) != outbox_period("department_account_no_owner:li.si")
    assert OUTBOX_PERIOD.fullmatch(outbox_period(odd)) and outbox_period(odd).startswith("department_account_no_owner-")
