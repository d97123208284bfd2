"""A fresh, migrated records DB per measured run: a SQLite file, or a PostgreSQL database.

PostgreSQL is the local server on 127.0.0.1:5432 (trust auth, user postgres, overridable
with WECOMPLY_BENCH_PG_URL); each run creates its own database and drops it afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BACKENDS = ("sqlite", "postgresql")
PG_ADMIN_URL = os.environ.get("WECOMPLY_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def _admin_engine():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@contextmanager
def records_db(backend: str, *, label: str = "bench") -> Iterator[str]:
    """Yield the URL of an empty records DB migrated to head; remove it afterwards."""
    from wecomply.records.migrate import upgrade

    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"wecomply-{label}-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'records.db'}"
            upgrade(url)
            yield url
        return
    if backend != "postgresql":
        raise ValueError(f"unknown database backend {backend!r}; use one of {', '.join(BACKENDS)}")
    import sqlalchemy as sa

    name = f"wecomply_{label}_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        try:
            upgrade(url)
            yield url
        finally:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
