"""Dialect-aware bulk writes: one statement per chunk, never one round trip per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")

CHUNK = 5000


def dialect_insert(session: Session, table: sa.Table) -> Any:
    """`INSERT` supporting `on_conflict_do_nothing/do_update` on both backends."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"records DB dialect {name!r}")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignore(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: Iterable[str]) -> int:
    """Insert rows, skipping those whose `conflict` columns already exist; returns rows inserted."""
    if not rows:
        return 0
    conflict = list(conflict)
    if _is_pg(session):
        return _pg_insert(session, table, rows, f"ON CONFLICT ({_cols(conflict)}) DO NOTHING")
    stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)
    inserted = 0
    for chunk in chunks(rows):
        inserted += max(session.execute(stmt, list(chunk)).rowcount or 0, 0)
    return inserted


def upsert(
    session: Session,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    conflict: Iterable[str],
    update: Iterable[str],
) -> None:
    """Insert rows, or overwrite the `update` columns of rows whose `conflict` columns exist."""
    if not rows:
        return
    conflict, update = list(conflict), list(update)
    if _is_pg(session):
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
        _pg_insert(session, table, rows, f"ON CONFLICT ({_cols(conflict)}) DO UPDATE SET {sets}")
        return
    base = sqlite.insert(table)
    stmt = base.on_conflict_do_update(index_elements=conflict, set_={c: getattr(base.excluded, c) for c in update})
    for chunk in chunks(rows):
        session.execute(stmt, list(chunk))


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _cols(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


# SQLAlchemy's batched "insertmanyvalues" does not apply to ON CONFLICT statements, so
# psycopg2 would do one round trip per row, and compiling a multi-row VALUES construct
# costs more than the insert itself. So on PostgreSQL rows go through psycopg2's
# `execute_values` (one statement per 1000 rows), after SQLAlchemy's own bind processing
# of each column type (JSON, UTC instants). SQLite's executemany runs in C and is fast.
_PG_PAGE = 1000


def _pg_insert(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], tail: str) -> int:
    from psycopg2.extras import execute_values

    connection = session.connection()
    dialect = connection.dialect
    names = list(dict.fromkeys(k for row in rows[:1] for k in row))
    defaults = {
        c.name: c.default.arg
        for c in table.columns
        if c.name not in names and c.default is not None and not c.primary_key and c.default.is_scalar
    }
    callables = {
        c.name: c.default.arg
        for c in table.columns
        if c.name not in names and c.default is not None and not c.primary_key and c.default.is_callable
    }
    names += [*defaults, *callables]
    processors = [table.c[n].type._cached_bind_processor(dialect) for n in names]
    values = []
    for row in rows:
        filled = {**defaults, **{n: fn(None) for n, fn in callables.items()}, **row}
        values.append(tuple(p(filled.get(n)) if p else filled.get(n) for n, p in zip(names, processors)))
    sql = f'INSERT INTO "{table.name}" ({_cols(names)}) VALUES %s {tail}'
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    inserted = 0
    try:
        for chunk in chunks(values, _PG_PAGE):
            execute_values(cursor, sql, chunk, page_size=_PG_PAGE)
            inserted += max(cursor.rowcount, 0)
    finally:
        cursor.close()
    return inserted
