"""Engine set-up, the `wecomply_db` connection, and the `db` CLI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.cli import main
from wecomply.errors import UserFacingError
from wecomply.records.db import make_engine, resolve_records_url
from wecomply.records.models import Notice


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgresql://app:p%40ss@db.internal:5433/records", "postgresql+psycopg2://app:p%40ss@db.internal:5433/records"),
        ("postgres://app@localhost/records?sslmode=require", "postgresql+psycopg2://app@localhost/records?sslmode=require"),
        ("sqlite:////var/lib/wecomply/r.db", "sqlite:////var/lib/wecomply/r.db"),
        ("sqlite://%2Fvar%2Flib%2Fr.db", "sqlite:////var/lib/r.db"),
        ('{"conn_type": "postgres", "host": "h", "login": "u", "password": "s/cret", "schema": "d", "port": 5432}',
         "postgresql+psycopg2://u:s%2Fcret@h:5432/d"),
        ('{"conn_type": "sqlite", "host": "/data/r.db"}', "sqlite:////data/r.db"),
    ],
)
def test_wecomply_db_connection_forms(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_WECOMPLY_DB", value)
    assert resolve_records_url() == expected


def test_default_is_a_sqlite_file_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_WECOMPLY_DB", raising=False)
    monkeypatch.setenv("WECOMPLY_DATA_DIR", str(tmp_path))
    assert resolve_records_url() == f"sqlite:///{tmp_path}/wecomply.db"


def test_a_bad_connection_names_it_and_hides_nothing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_WECOMPLY_DB", "mysql://u:topsecret@h/d")
    with pytest.raises(UserFacingError, match="wecomply_db") as caught:
        resolve_records_url()
    assert "topsecret" not in str(caught.value)


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'r.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    finally:
        engine.dispose()


def test_naive_datetimes_are_refused_and_aware_ones_come_back_utc(records_db: RecordsDB) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), records_db.sessions.begin() as session:
        session.add(Notice(key="n1", title="t", body="b", audience={}, deadline_at=datetime(2025, 3, 3, 9)))
        session.flush()
    from zoneinfo import ZoneInfo

    local = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with records_db.sessions.begin() as session:
        session.add(Notice(key="n2", title="t", body="b", audience={}, deadline_at=local))
    with records_db.sessions() as session:
        stored = session.scalar(sa.select(Notice.deadline_at).where(Notice.key == "n2"))
    assert stored == local and stored.utcoffset().total_seconds() == 0


def test_db_cli_upgrade_and_current(records_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--url", records_url]) == 1
    assert "needs upgrade" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", records_url]) == 0
    assert "records DB upgraded" in capsys.readouterr().out
    assert main(["db", "current", "--url", records_url]) == 0
    assert "up to date" in capsys.readouterr().out
