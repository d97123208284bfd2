"""Probe DAG for the CeleryExecutor test: records which process ran its task."""

import os
from pathlib import Path

from airflow.sdk import dag, task


@dag(schedule=None, catchup=False, tags=["test"])
def celery_probe():
    @task
    def where_am_i() -> str:
        marker = Path(os.environ["WECOMPLY_PROBE_MARKER"])
        marker.write_text(os.environ.get("WECOMPLY_PROBE_WORKER", "not-a-worker"), encoding="utf-8")
        return "ok"

    where_am_i()


celery_probe()
