"""Engines and sessions for the records database (never Airflow's metadata DB).

The records DB is named by the Airflow connection `wecomply_db`. Tasks read it from the
environment (`AIRFLOW_CONN_WECOMPLY_DB`, URI or JSON form) so that nothing here needs
Airflow's metadata DB, which Airflow 3 tasks may not touch. Without that variable the
records live in a SQLite file under `$WECOMPLY_DATA_DIR` (default `<repo>/data`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from wecomply.errors import UserFacingError

CONN_ID = "wecomply_db"
CONN_ENV = "AIRFLOW_CONN_WECOMPLY_DB"
DATA_DIR_ENV = "WECOMPLY_DATA_DIR"

# How long a SQLite writer waits for another writer's lock before giving up. Workers queue
# behind each other instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 60


def default_data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "data"


def resolve_records_url() -> str:
    """The SQLAlchemy URL of the records DB, from `wecomply_db` or the SQLite default."""
    raw = os.environ.get(CONN_ENV, "").strip()
    if not raw:
        return f"sqlite:///{default_data_dir() / 'wecomply.db'}"
    if raw.startswith("{"):
        return _url_from_json(raw)
    return _url_from_uri(raw)


def _bad_conn(detail: str) -> UserFacingError:
    return UserFacingError(
        f"连接 {CONN_ID} ({CONN_ENV}) 无效 / connection {CONN_ID} is invalid: {detail}. "
        "请使用 postgresql://user:pass@host:5432/db 或 sqlite:////abs/path.db / "
        "use a postgresql:// or sqlite:/// URI, or Airflow's JSON form"
    )


def _url_from_json(raw: str) -> str:
    try:
        spec = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _bad_conn(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(spec, dict):
        raise _bad_conn("the JSON form must be an object")
    conn_type = str(spec.get("conn_type") or "").lower()
    if conn_type == "sqlite":
        path = spec.get("host") or spec.get("schema")
        if not path:
            raise _bad_conn('conn_type "sqlite" needs "host" = the database file path')
        return f"sqlite:///{path}"
    if conn_type in {"postgres", "postgresql"}:
        extra = spec.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra) if extra.strip() else {}
        query = {k: str(v) for k, v in extra.items() if isinstance(v, (str, int))}
        url = URL.create(
            "postgresql+psycopg2",
            username=spec.get("login") or None,
            password=spec.get("password") or None,
            host=spec.get("host") or None,
            port=int(spec["port"]) if spec.get("port") else None,
            database=spec.get("schema") or None,
            query=query,
        )
        return url.render_as_string(hide_password=False)
    raise _bad_conn(f'unsupported conn_type "{conn_type}" (use "postgres" or "sqlite")')


def _url_from_uri(raw: str) -> str:
    scheme = raw.split(":", 1)[0].lower()
    if scheme in {"postgres", "postgresql", "postgresql+psycopg2"}:
        parts = urlsplit(raw)
        query = dict(parse_qsl(parts.query))
        query.pop("__extra__", None)
        url = URL.create(
            "postgresql+psycopg2",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname,
            port=parts.port,
            database=unquote(parts.path.lstrip("/")) or None,
            query=query,
        )
        return url.render_as_string(hide_password=False)
    if scheme == "sqlite":
        parts = urlsplit(raw)
        if parts.netloc:
            # Airflow's own URI form percent-encodes the file path into the host part.
            return f"sqlite:///{unquote(parts.netloc + parts.path)}"
        return raw
    raise _bad_conn(f'unsupported scheme "{scheme}"')


def make_engine(url: str | URL | None = None, *, echo: bool = False) -> Engine:
    """An engine for the records DB, configured for several concurrent workers.

    SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and
    every transaction starts with `BEGIN IMMEDIATE` so a writer takes the write lock up
    front and waits for it, instead of failing mid-transaction when another worker wrote
    first. Read-only work can opt out with `engine.execution_options(sqlite_begin="DEFERRED")`.
    """
    if url is None:
        url = resolve_records_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        # execute_batch for executemany UPDATE/DELETE (bulk updates of the directory sync).
        return sa.create_engine(parsed, echo=echo, pool_pre_ping=True, executemany_mode="values_plus_batch")
    raise UserFacingError(
        f"记录库只支持 SQLite 和 PostgreSQL / the records DB must be SQLite or PostgreSQL, "
        f"got {parsed.get_backend_name()!r}; fix connection {CONN_ID}"
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" hook below (pysqlite would
        # otherwise issue a plain deferred BEGIN itself).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = str(conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")).upper()
        if mode not in {"IMMEDIATE", "DEFERRED", "EXCLUSIVE"}:
            raise ValueError(f"sqlite_begin must be IMMEDIATE, DEFERRED or EXCLUSIVE, got {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (tasks read them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def describe_url(url: str | URL) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)
