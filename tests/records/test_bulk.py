"""Bulk writes keep every value exactly, on both backends and both write paths (small
batches as statements; on PostgreSQL, large ones through COPY and a staging table)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.records.bulk import insert_ignore, upsert
from wecomply.records.models import Delivery

KEY = ("duty", "subject", "period", "step")
AWKWARD = ['quote " inside', "comma, and\nnewline", "\\N", "back\\slash", "中文 全角，标点", "", "tab\there"]
T0 = datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=timezone.utc)


def rows(n: int, period: str) -> list[dict]:
    out = []
    for i in range(n):
        text = AWKWARD[i % len(AWKWARD)]
        out.append({
            "duty": "training",
            "subject": f"{text}#{i}",
            "period": period,
            "step": "remind1",
            "recipients": [text, f"u{i}"] if i % 3 else [],
            "assignment_id": None,
            "status": "queued",
            "urgent": i % 2 == 0,
            "attempts": i,
            "created_at": T0,
        })
    return out


def stored(db: RecordsDB, period: str) -> dict[str, tuple]:
    d = Delivery.__table__
    with db.sessions() as session:
        result = session.execute(
            sa.select(d.c.subject, d.c.recipients, d.c.assignment_id, d.c.urgent, d.c.attempts, d.c.created_at)
            .where(d.c.period == period)
        )
        return {r.subject: (r.recipients, r.assignment_id, r.urgent, r.attempts, r.created_at) for r in result}


@pytest.mark.parametrize("n", [7, 1200], ids=["statements", "bulk"])
def test_values_round_trip_and_a_second_insert_is_skipped(records_db: RecordsDB, n: int) -> None:
    written = rows(n, f"p{n}")
    with records_db.sessions.begin() as session:
        assert insert_ignore(session, Delivery.__table__, written, conflict=KEY) == n
        # A second bulk write in the same transaction (PostgreSQL reuses its staging table).
        assert insert_ignore(session, Delivery.__table__, written, conflict=KEY) == 0

    expected = {r["subject"]: (r["recipients"], None, r["urgent"], r["attempts"], T0) for r in written}
    assert stored(records_db, f"p{n}") == expected


@pytest.mark.parametrize("n", [7, 1200], ids=["statements", "bulk"])
def test_upsert_overwrites_only_the_named_columns(records_db: RecordsDB, n: int) -> None:
    first = rows(n, f"u{n}")
    with records_db.sessions.begin() as session:
        insert_ignore(session, Delivery.__table__, first, conflict=KEY)
    changed = [dict(r, recipients=["new", 'quo"te'], attempts=-1) for r in first]
    with records_db.sessions.begin() as session:
        upsert(session, Delivery.__table__, changed, conflict=KEY, update=("recipients",))

    expected = {r["subject"]: (["new", 'quo"te'], None, r["urgent"], r["attempts"], T0) for r in first}
    assert stored(records_db, f"u{n}") == expected
