"""Bulk writes keep every value exactly, on both backends and both write paths (small
batches as statements; on PostgreSQL, large ones through COPY and a staging table)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.records.bulk import Same, insert_columns, insert_columns_ignore, insert_ignore, insert_rows, upsert
from wecomply.records.models import Delivery, PacingReservation

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


@pytest.mark.parametrize("n", [7, 1200], ids=["statements", "bulk"])
def test_columns_with_same_values_round_trip_and_userid_lists_are_stored_as_json_dumps_writes_them(
    records_db: RecordsDB, n: int
) -> None:
    # Plain userids take the JSON shortcut; one awkward value sends the column the general way.
    plain = [(f"u{i:06d}",) if i % 4 else (f"a.b-{i}", f"u{i}@x") for i in range(n)]
    awkward = [*plain[:-1], ('quo"te', "中文")]
    # Spaces at either end and the text "NULL" stay text on both paths (COPY reads an unquoted
    # empty field as NULL).
    subjects = ["NULL" if i == 0 else f" s{i} " if i % 2 else f"s{i}" for i in range(n)]
    for period, recipients in (("plain", plain), ("awkward", awkward)):
        columns = {
            "duty": Same("training"),
            "subject": subjects,
            "period": Same(f"{period}{n}"),
            "step": Same("remind1"),
            "recipients": recipients,
            "status": Same("queued"),
            "urgent": [i % 2 == 0 for i in range(n)],
            "attempts": Same(0),
            "created_at": Same(T0),
        }
        with records_db.sessions.begin() as session:
            assert insert_columns_ignore(session, Delivery.__table__, columns, n, conflict=KEY) == n
            assert insert_columns_ignore(session, Delivery.__table__, columns, n, conflict=KEY) == 0

        d = Delivery.__table__
        with records_db.sessions() as session:
            texts = dict(session.execute(
                sa.select(d.c.subject, sa.cast(d.c.recipients, sa.Text)).where(d.c.period == f"{period}{n}")
            ).all())
        assert texts == {subjects[i]: json.dumps(list(r)) for i, r in enumerate(recipients)}
        expected = {subjects[i]: (list(r), None, i % 2 == 0, 0, T0) for i, r in enumerate(recipients)}
        assert stored(records_db, f"{period}{n}") == expected


def test_a_column_of_the_wrong_length_is_refused_before_anything_is_written(records_db: RecordsDB) -> None:
    columns = {"scope": Same("app"), "sent_at": [1.0, 2.0], "members": [["u1"]]}
    with records_db.sessions.begin() as session, pytest.raises(ValueError, match="column members has 1 values for 2 rows"):
        insert_columns(session.connection(), PacingReservation.__table__, columns, 2)
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PacingReservation.__table__)) == 0


@pytest.mark.parametrize("n", [7, 1200], ids=["statements", "bulk"])
def test_rows_without_a_conflict_clause_round_trip(records_db: RecordsDB, n: int) -> None:
    # On PostgreSQL, 1,200 rows go straight into the table by COPY (no staging table).
    written = [
        {"scope": AWKWARD[i % len(AWKWARD)] + str(i), "sent_at": i / 3, "members": [f"run{n}", AWKWARD[-i % len(AWKWARD)]]}
        for i in range(n)
    ]
    with records_db.sessions.begin() as session:
        assert insert_rows(session.connection(), PacingReservation.__table__, written) == n
    t = PacingReservation.__table__
    with records_db.sessions() as session:
        got = {
            (r.scope, r.sent_at, tuple(r.members))
            for r in session.execute(sa.select(t.c.scope, t.c.sent_at, t.c.members))
            if r.members[0] == f"run{n}"
        }
    assert got == {(r["scope"], r["sent_at"], tuple(r["members"])) for r in written}
