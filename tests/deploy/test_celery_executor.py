"""The distributed mode, proven: a DAG runs through CeleryExecutor → Redis → a worker.

Uses the PostgreSQL and Redis already running on loopback, a fresh metadata database,
an Airflow API server (execution API only) and a Celery worker that this test starts.
Everything runs in subprocesses, so the test session's own Airflow configuration
(SQLite, no executor) is untouched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.databases import create_pg_database, drop_pg_database

pytestmark = [pytest.mark.celery, pytest.mark.postgres]

PROBE_DAGS = Path(__file__).with_name("celery_dags")
REDIS_BASE = os.environ.get("WECOMPLY_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def _stop(proc: subprocess.Popen) -> None:
    # SIGTERM to the whole group: the worker forks children that must not be orphaned.
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def redis_available() -> Iterator[str]:
    """A Redis database of its own (a random index, emptied before and after use).

    Airflow 3.3's SDK puts tasks on the "default" queue whatever [operators] default_queue
    says in the CLI process, so isolation comes from the Redis database, not the queue.
    """
    import random

    import redis

    url = f"{REDIS_BASE}/{random.randint(8, 15)}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.flushdb()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and Redis unreachable at {url}: {exc}", pytrace=False)
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    yield url
    client.flushdb()


@pytest.fixture
def celery_env(pg_available, redis_available, tmp_path: Path) -> Iterator[dict[str, str]]:
    meta_url = create_pg_database("wecomply_celery_meta")
    run = uuid.uuid4().hex[:8]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env |= {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROBE_DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": os.environ["AIRFLOW__API_AUTH__JWT_SECRET"],
        "AIRFLOW__CELERY__BROKER_URL": redis_available,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta_url.replace("+psycopg2", ""),
        "WECOMPLY_PROBE_MARKER": str(tmp_path / "marker.txt"),
    }
    airflow = [sys.executable, "-m", "airflow"]
    subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    logs = tmp_path / "logs"
    logs.mkdir()
    # The children hold their own copies of the log files; ours close when they are started.
    with open(logs / "api.log", "w") as api_log, open(logs / "worker.log", "w") as worker_log:
        api = subprocess.Popen(
            [*airflow, "api-server", "--apps", "execution", "-H", "127.0.0.1", "-p", str(port)],
            env=env, start_new_session=True, stdout=api_log, stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [*airflow, "celery", "worker", "--concurrency", "2", "--skip-serve-logs"],
            env=env | {"WECOMPLY_PROBE_WORKER": f"celery-worker-{run}"},
            start_new_session=True, stdout=worker_log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, api, timeout=120)
        yield env | {"WECOMPLY_TEST_RUN": run}
    finally:
        _stop(worker)
        _stop(api)
        drop_pg_database(meta_url)


def test_dag_runs_on_a_celery_worker(celery_env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", "--use-executor", "celery_probe", "2026-11-02"],
        env=celery_env, capture_output=True, text=True, timeout=240,
    )
    worker_log = (tmp_path / "logs" / "worker.log").read_text(errors="replace")[-3000:]
    assert result.returncode == 0, f"dags test failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n--- worker ---\n{worker_log}"
    marker = Path(celery_env["WECOMPLY_PROBE_MARKER"]).read_text(encoding="utf-8")
    assert marker == f"celery-worker-{celery_env['WECOMPLY_TEST_RUN']}", f"the task did not run on the test's Celery worker: {marker!r}"
