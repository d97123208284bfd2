"""Apply the records DB migrations (Alembic, shipped inside the package)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

# Our own version table, so the records DB can never be mistaken for (or collide with)
# a database that Airflow's migrations manage.
VERSION_TABLE = "wecomply_alembic_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> str | None:
    """Migrate the records DB to `revision`; returns the revision it ends at."""
    from wecomply.records.db import make_engine

    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        return current(engine=engine)
    finally:
        if own_engine:
            engine.dispose()


def current(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the records DB is at, or None for an empty database."""
    from wecomply.records.db import make_engine

    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()
    finally:
        if own_engine:
            engine.dispose()


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
