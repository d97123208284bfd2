"""What a task's `run_context` reads: the run's logical time always, the WeCom connection
only when the step sends. Scoring, rendering, archiving and waiting never load the app's
secret, and a missing WeCom connection does not fail them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

import pendulum
import pytest

from wecomply.airflow_glue.runtime import run_context


def test_the_wecom_connection_is_read_when_the_step_first_sends(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from airflow.sdk.exceptions import AirflowNotFoundException

    from wecomply.records.db import CONN_ENV
    from wecomply.wecom.client import WeComClient

    monkeypatch.setenv(CONN_ENV, f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.delenv("AIRFLOW_CONN_WECOM_DEFAULT", raising=False)
    ti = SimpleNamespace(dag_id="assessment_monthly", task_id="score_month", run_id="scheduled__2026-03-31", try_number=2)
    end = pendulum.datetime(2026, 3, 31, 18, tz="Asia/Shanghai")

    ctx = run_context({"ti": ti, "data_interval_end": end})

    assert ctx.now == datetime(2026, 3, 31, 10, tzinfo=timezone.utc)
    assert ctx.worker_id == "assessment_monthly.score_month.scheduled__2026-03-31.2"
    with pytest.raises(AirflowNotFoundException, match="wecom_default"):
        ctx.sender  # noqa: B018 - the first send is what reads the connection

    monkeypatch.setenv("AIRFLOW_CONN_WECOM_DEFAULT", json.dumps({
        "conn_type": "wecom", "host": "http://127.0.0.1:9", "login": "ww1", "password": "s3cret",
        "extra": {"agent_id": 1000002},
    }))
    client = ctx.sender
    assert isinstance(client, WeComClient)
    assert client._transport.base_url == "http://127.0.0.1:9"
    assert ctx.sender is client  # built once per task


def test_a_task_freezes_its_start_up_heap_once_its_context_is_built(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import gc
    import os

    from wecomply.airflow_glue import heap
    from wecomply.records.db import CONN_ENV

    monkeypatch.setenv(CONN_ENV, f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.setattr(heap, "_frozen_in", None)
    gc.unfreeze()  # an earlier test's freeze in this worker would satisfy the count below
    ti = SimpleNamespace(dag_id="assessment_monthly", task_id="score_month", run_id="manual__1", try_number=1)
    try:
        run_context({"ti": ti, "logical_date": pendulum.datetime(2026, 3, 31, tz="Asia/Shanghai")})
        assert heap._frozen_in == os.getpid()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
