"""Conventions every WeComply DAG shares: owner, retries, tags, failure alerts.

DAG files import only this module and `airflow.sdk` at parse time; everything heavier is
imported inside tasks.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

OWNER = "wecomply-hr-admin"
TIMEZONE = "Asia/Shanghai"


class DagTag(StrEnum):
    """The one tag taxonomy: what area of the handbook a DAG serves.

    Tests reject any tag outside this set, so the Airflow UI's tag filter stays useful.
    """

    TRAINING = "培训 training"
    ASSESSMENT = "考核 assessment"
    ACCOUNTS = "账号 accounts"
    MEETINGS = "会议 meetings"
    NOTICES = "通知 notices"
    SECURITY = "安全 security"
    DIRECTORY = "通讯录 directory"
    REPORTS = "报表 reports"
    OPERATIONS = "运维 operations"


def default_args(**overrides: Any) -> dict[str, Any]:
    """Default task arguments: two retries with backoff, and a WeCom alert on failure.

    Retries are safe because every send goes through the outbox (see wecomply.delivery).
    """
    from wecomply.airflow_glue.notifications import admin_failure_alert

    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=20),
        "on_failure_callback": admin_failure_alert(),
    }
    args.update(overrides)
    return args


def assets():
    """The Assets through which WeComply DAGs talk to each other (records they publish).

    A function, not module constants, so DAG files build them at parse time without
    importing more of Airflow than they use. The `x-` scheme matters: for any other scheme
    Airflow looks up every provider's URI handlers at parse time, which costs ~100 ms per
    DAG file (bench: `python -m bench parse`).
    """
    from airflow.sdk import Asset

    return {
        "directory": Asset(name="wecomply_directory", uri="x-wecomply://records/directory"),
        "assessment_results": Asset(name="wecomply_assessment_results", uri="x-wecomply://records/assessments"),
    }
