"""The shipped migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wecomply.records import migrate
from wecomply.records.db import make_engine
from wecomply.records.models import Base


def test_upgrade_reaches_head_and_matches_models(records_url: str) -> None:
    assert migrate.current(records_url) is None

    assert migrate.upgrade(records_url) == migrate.head()

    engine = make_engine(records_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "version_table": migrate.VERSION_TABLE}), Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) | {migrate.VERSION_TABLE} == tables


def test_upgrade_twice_is_a_no_op(records_url: str) -> None:
    first = migrate.upgrade(records_url)
    assert migrate.upgrade(records_url) == first == migrate.current(records_url)
