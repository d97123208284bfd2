"""The project's own Airflow settings for a home of its own, in one place.

`make demo` and `make airflow` (through `python -m demo_company`), the test session
(`tests/conftest.py`) and the benchmarks' Airflow children all run Airflow from this
checkout; they differ only in where the home is and in a few settings of their own (log
level, test mode). Nothing here imports Airflow: it reads its configuration at its first
import, so these must be in the environment before that.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def project_airflow_env(airflow_home: Path, data_dir: Path, *, dags_folder: Path | None = None) -> dict[str, str]:
    """Airflow's settings for a run from this checkout: its SQLite metadata DB in
    `airflow_home`, our DAGs (or `dags_folder`) and plugins, Shanghai time, no examples."""
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder or REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        # Airflow's default of 32 pre-forks 32 workers on a 2-core machine.
        "AIRFLOW__CORE__PARALLELISM": "4",
        "WECOMPLY_DATA_DIR": str(data_dir),
    }
