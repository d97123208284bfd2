"""Alembic environment for the records DB.

The URL is never read from a file: `wecomply.records.migrate` hands over an open
connection (through `config.attributes["connection"]`), built with `make_engine` so the
SQLite pragmas apply to migrations too.
"""

from __future__ import annotations

from alembic import context

from wecomply.records.models import Base
from wecomply.records.migrate import VERSION_TABLE

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through wecomply.records.migrate (python -m wecomply db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
