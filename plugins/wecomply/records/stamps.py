"""Stamps: a digest of what a derived record was computed from, kept next to it, so a
re-run whose inputs are unchanged can report the stored outcome instead of recomputing.

The digest is taken by the database over exactly the rows the computation reads (the
same select statements it runs), not from a change counter that every writer would have
to remember to bump: whatever changes those rows — a roster import, a click, an edit by
hand — changes the digest. Reading a digest costs one sort of the rows in the database
instead of building them as Python objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from wecomply.records.bulk import upsert
from wecomply.records.models import WorkStamp


@dataclass(frozen=True)
class Stamp:
    digest: str
    summary: dict[str, Any]


def rows_digest(session: Session, stmt: sa.Select[Any]) -> str:
    """A digest of the rows `stmt` returns, whatever their order."""
    sub = stmt.subquery()
    line = _row_text(sub)
    if session.get_bind().dialect.name == "postgresql":
        # md5 of the sorted rows on the server: only 32 characters come back.
        digest = session.scalar(
            sa.select(sa.func.md5(sa.func.string_agg(line, aggregate_order_by(sa.literal("\n"), line)))).select_from(sub)
        )
        return digest or "empty"
    h = hashlib.blake2b(digest_size=16)
    for text in session.scalars(sa.select(line).select_from(sub).order_by(line)):
        h.update(text.encode())
        h.update(b"\n")
    return h.hexdigest()


def _row_text(sub: sa.Subquery) -> sa.ColumnElement[str]:
    """One row as text that no other row can give: each value is written with its length
    (so a `|` inside a value cannot shift a boundary) and NULL is not the text "NULL"."""
    parts: list[sa.ColumnElement[str]] = []
    for column in sub.c:
        text = sa.cast(column, sa.Text)
        parts.append(sa.case((column.is_(None), sa.literal("n")), else_=sa.cast(sa.func.length(text), sa.Text) + ":" + text))
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def combine(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def load_stamp(key: str, *, session: Session) -> Stamp | None:
    row = session.get(WorkStamp, key)
    return Stamp(row.digest, dict(row.summary or {})) if row is not None else None


def save_stamp(key: str, digest: str, summary: Mapping[str, Any], *, session: Session, now: datetime) -> None:
    upsert(
        session, WorkStamp.__table__,
        [{"key": key, "digest": digest, "summary": dict(summary), "written_at": now}],
        ("key",), ("digest", "summary", "written_at"),
    )
