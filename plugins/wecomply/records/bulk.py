"""Dialect-aware bulk writes: one statement per chunk, never one round trip per row."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
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
    return _insert(session.connection(), table, rows, f"ON CONFLICT ({_cols(conflict)}) DO NOTHING")


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows (no conflict expected); returns rows inserted."""
    return _insert(connection, table, rows, "")


def upsert(
    session: Session,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    conflict: Iterable[str],
    update: Iterable[str],
) -> None:
    """Insert rows, or overwrite the `update` columns of rows whose `conflict` columns exist."""
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    _insert(session.connection(), table, rows, f"ON CONFLICT ({_cols(conflict)}) DO UPDATE SET {sets}")


def _cols(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


# Rows go to the driver directly, after SQLAlchemy's own bind processing of each column
# type (JSON, UTC instants, booleans). SQLAlchemy's batched "insertmanyvalues" does not
# apply to ON CONFLICT statements, so on PostgreSQL psycopg2 would do one round trip per
# row; psycopg2's `execute_values` sends 1000 rows per statement instead. On SQLite the
# C executemany is fast, but SQLAlchemy building a parameter dict per row cost as much
# as the insert itself (10k deliveries: ~0.1 s of ~0.25 s).
_PG_PAGE = 1000
# From this many rows on, PostgreSQL gets them through COPY into a temporary table and one
# INSERT … SELECT: the server parses no 1000-row VALUES lists (100k delivery rows: 2.5 s
# instead of 5–6 s here, a third of it client CPU); below it a temporary table costs more
# than it saves.
_PG_COPY_FROM = 500


def _csv_field(value: Any) -> str:
    # Unquoted empty is NULL in COPY's CSV format; every value is quoted, so "" is ''.
    if value is None:
        return ""
    return '"' + str(value).replace('"', '""') + '"'


def _csv_column(values: list[Any]) -> list[str]:
    """One column's COPY fields. Built column by column because most columns of a bulk
    write hold one object in every row (the run's instant, a status: formatted once) or
    plain integers (need no quotes): 100k delivery rows are 1.1M fields, and quoting each
    one was ~1.7 s of a 100k PostgreSQL month end under the profiler."""
    first = values[0]
    if all(value is first for value in values):
        return [_csv_field(first)] * len(values)
    if all(type(value) is int for value in values):
        return list(map(str, values))
    return list(map(_csv_field, values))


def _pg_copy_insert(cursor: Any, table: str, names: list[str], columns_values: list[list[Any]], tail: str) -> int:
    columns = _cols(names)
    staging = f"wecomply_bulk_{table}_{hashlib.blake2b(columns.encode(), digest_size=4).hexdigest()}"
    fields = [_csv_column(values) for values in columns_values]
    data = io.StringIO("".join(f"{line}\n" for line in map(",".join, zip(*fields))))
    # The written columns only, without constraints or defaults (an id default would draw
    # from the table's sequence). Per connection and transaction (ON COMMIT DROP), emptied
    # after each use, so several bulk writes in a transaction share it.
    cursor.execute(
        f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DROP AS SELECT {columns} FROM "{table}" WITH NO DATA'
    )
    cursor.copy_expert(f'COPY "{staging}" ({columns}) FROM STDIN WITH (FORMAT csv)', data)
    cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{staging}" {tail}')
    inserted = max(cursor.rowcount, 0)
    cursor.execute(f'TRUNCATE "{staging}"')
    return inserted


def _bound(raw: list[Any], processor: Any) -> list[Any]:
    """One column's values as the driver takes them. A column often holds the same object
    in every row (the run's instant, a status): that one is processed once."""
    if processor is None or not raw:
        return raw
    first = raw[0]
    if all(value is first for value in raw):
        return [processor(first)] * len(raw)
    return list(map(processor, raw))


def _insert(connection: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], tail: str) -> int:
    if not rows:
        return 0
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"records DB dialect {dialect.name!r}")
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
    columns = []
    for name in names:
        if name in defaults:
            raw = [defaults[name]] * len(rows)
        elif name in callables:
            raw = [callables[name](None) for _ in rows]
        else:
            raw = [row.get(name) for row in rows]
        columns.append(_bound(raw, table.c[name].type._cached_bind_processor(dialect)))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    inserted = 0
    try:
        if dialect.name == "postgresql" and len(rows) >= _PG_COPY_FROM:
            return _pg_copy_insert(cursor, table.name, names, columns, tail)
        values = list(zip(*columns))
        if dialect.name == "postgresql":
            from psycopg2.extras import execute_values

            sql = f'INSERT INTO "{table.name}" ({_cols(names)}) VALUES %s {tail}'
            for chunk in chunks(values, _PG_PAGE):
                execute_values(cursor, sql, chunk, page_size=_PG_PAGE)
                inserted += max(cursor.rowcount, 0)
        else:
            marks = ", ".join("?" for _ in names)
            sql = f'INSERT INTO "{table.name}" ({_cols(names)}) VALUES ({marks}) {tail}'
            for chunk in chunks(values):
                cursor.executemany(sql, chunk)
                inserted += max(cursor.rowcount, 0)
    finally:
        cursor.close()
    return inserted
