"""Dialect-aware bulk writes: one statement per chunk, never one round trip per row."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

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


class Same(NamedTuple):
    """A column holding one value in every row, given once (see `Columns`)."""

    value: Any


# Rows given column by column: each column is a sequence with one value per row, or
# `Same(value)`. A writer of 10k rows then builds a few lists instead of 10k dicts (under
# cProfile, building them and taking them apart again was 0.14 s of a 10k fan-out's 0.43 s
# plan; every SQLite insert of that fan-out, pacing entries included, took 0.13 s).
Columns = Mapping[str, "Sequence[Any] | Same"]


def insert_ignore(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: Iterable[str]) -> int:
    """Insert rows, skipping those whose `conflict` columns already exist; returns rows inserted."""
    return insert_columns_ignore(session, table, _columns_of(rows), len(rows), conflict)


def insert_columns_ignore(session: Session, table: sa.Table, columns: Columns, count: int, conflict: Iterable[str]) -> int:
    """`insert_ignore` of `count` rows given as `Columns`."""
    return _insert(session.connection(), table, columns, count, f"ON CONFLICT ({_cols(conflict)}) DO NOTHING")


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows (no conflict expected); returns rows inserted."""
    return insert_columns(connection, table, _columns_of(rows), len(rows))


def insert_columns(connection: Connection, table: sa.Table, columns: Columns, count: int) -> int:
    """`insert_rows` of `count` rows given as `Columns`."""
    return _insert(connection, table, columns, count, "")


def upsert(
    session: Session,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    conflict: Iterable[str],
    update: Iterable[str],
) -> None:
    """Insert rows, or overwrite the `update` columns of rows whose `conflict` columns exist."""
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    _insert(session.connection(), table, _columns_of(rows), len(rows), f"ON CONFLICT ({_cols(conflict)}) DO UPDATE SET {sets}")


def _cols(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _columns_of(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as `Columns`: the first row's keys name the columns; a key missing is NULL."""
    names = list(rows[0]) if rows else []
    return {name: [row.get(name) for row in rows] for name in names}


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
    if not tail:
        # No conflict to resolve: straight into the table (10k delivery rows: 0.23-0.26 s,
        # against 0.30-0.32 s through the staging table and INSERT … SELECT).
        cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)', data)
        return max(cursor.rowcount, 0)
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


def _bound(raw: Sequence[Any] | Same, count: int, column: sa.Column[Any], dialect: Any) -> list[Any]:
    """One column's values as the driver takes them. A column often holds the same object
    in every row (the run's instant, a status): that one is processed once."""
    processor = column.type._cached_bind_processor(dialect)
    if isinstance(raw, Same):
        return [raw.value if processor is None else processor(raw.value)] * count
    raw = list(raw)
    if processor is None or not raw:
        return raw
    first = raw[0]
    if all(value is first for value in raw):
        return [processor(first)] * len(raw)
    if isinstance(column.type, sa.JSON):
        texts = _json_string_lists(raw)
        if texts is not None:
            return texts
    return list(map(processor, raw))


# Characters `json.dumps` writes as they are (no escape, with or without ensure_ascii).
_JSON_PLAIN = re.compile(r"[A-Za-z0-9 _.,:;@#+=/()\[\]{}~!$%&*?^`'|-]*")


def _json_string_lists(values: list[Any]) -> list[str] | None:
    """`json.dumps` of each value when every value is a non-empty list or tuple of plain
    strings (a delivery's recipients: userids), else None for the general path.

    Why: 10k one-person recipient lists take 17 ms through `json.dumps` and 2.7 ms here
    (timeit on this machine), against ~0.3 s for a whole 10k fan-out on SQLite.
    """
    if not all(type(value) in (list, tuple) and value for value in values):
        return None
    items = list(itertools.chain.from_iterable(values))
    if not all(type(item) is str for item in items) or not _JSON_PLAIN.fullmatch("".join(items)):
        return None
    return ['["' + '", "'.join(value) + '"]' for value in values]


def _insert(connection: Connection, table: sa.Table, given: Columns, count: int, tail: str) -> int:
    if not count:
        return 0
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"records DB dialect {dialect.name!r}")
    names = list(given)
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
            raw: Sequence[Any] | Same = Same(defaults[name])
        elif name in callables:
            raw = [callables[name](None) for _ in range(count)]
        else:
            raw = given[name]
            if not isinstance(raw, Same) and len(raw) != count:
                raise ValueError(f"bulk insert into {table.name}: column {name} has {len(raw)} values for {count} rows")
        columns.append(_bound(raw, count, table.c[name], dialect))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    inserted = 0
    try:
        if dialect.name == "postgresql" and count >= _PG_COPY_FROM:
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
