"""The environment `python -m demo_company run` needs in a project home of its own.

What `make demo`'s AIRFLOW_ENV sets, pointed at `home` instead of the checkout, without
any AIRFLOW_* or connection the caller's environment carries (the demo sets its own
connections): the scenario test and the chaos-month benchmark each run the month so.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def isolated_env(home: Path, *, log_level: str = "WARNING", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW__", "AIRFLOW_HOME"))}
    return env | {
        "AIRFLOW_HOME": str(home / ".airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / '.airflow' / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": log_level,
        "WECOMPLY_DATA_DIR": str(home / "data"),
        **extra,
    }
