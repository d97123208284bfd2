"""The records DB as Airflow tasks see it: the `wecomply_db` connection.

Tasks resolve the connection through Airflow (environment, secrets backend or the API
server), so an operator can define it wherever they keep connections. Without it, the
records default to the SQLite file under the project's data folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

CONN_ID = "wecomply_db"


def records_url() -> str:
    from airflow.sdk.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    from wecomply.records.db import CONN_ENV, resolve_records_url

    if os.environ.get(CONN_ENV):
        # The environment form (URI or JSON), parsed by the records layer itself.
        return resolve_records_url()
    try:
        conn = BaseHook.get_connection(CONN_ID)
    except AirflowNotFoundException:
        return resolve_records_url()
    if conn.password:
        from airflow.sdk.log import mask_secret

        mask_secret(conn.password)
    kind = (conn.conn_type or "").lower()
    if kind == "sqlite":
        return f"sqlite:///{conn.host}"
    if kind in ("postgres", "postgresql"):
        return URL.create(
            "postgresql+psycopg2", username=conn.login, password=conn.password, host=conn.host,
            port=conn.port, database=conn.schema,
        ).render_as_string(hide_password=False)
    from wecomply.errors import UserFacingError

    raise UserFacingError(
        f"connection {CONN_ID}: type {conn.conn_type!r} is not supported; use postgres or sqlite"
    )


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    from wecomply.records.db import make_engine

    return make_engine(url)


def records_engine() -> Engine:
    """One engine per URL per process: pools are reused across tasks in a worker."""
    return _engine_for(records_url())


@contextmanager
def records_session() -> Iterator[Session]:
    """One task = one unit of work: commit on success, roll back on any error."""
    from wecomply.records.db import session_factory

    session = session_factory(records_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
