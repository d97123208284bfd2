"""Test session set-up.

Airflow reads its configuration when it is first imported, so the isolated AIRFLOW_HOME
and its SQLite metadata DB are put into the environment here, at conftest import, before
any test module can import airflow.
"""

from __future__ import annotations

import os
import pkgutil
import tempfile
from pathlib import Path

from demo_company.airflow_settings import project_airflow_env

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="wecomply-airflow-home-"))

os.environ.update(
    project_airflow_env(_AIRFLOW_HOME, _AIRFLOW_HOME / "data")
    | {
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # One JWT secret for every Airflow component a test starts (api-server, worker).
        "AIRFLOW__API_AUTH__JWT_SECRET": "wecomply-tests-jwt-secret-" + "x" * 48,
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }
)

pytest_plugins = [
    f"tests.fixtures.{m.name}"
    for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")])
]


def _longest_first(item) -> tuple[float, bool]:  # type: ignore[no-untyped-def]
    timeout = item.get_closest_marker("timeout")
    return -(timeout.args[0] if timeout and timeout.args else 0), item.get_closest_marker("slow") is None


def pytest_collection_modifyitems(config, items) -> None:  # type: ignore[no-untyped-def]
    """The longest modules first (a longer timeout of their own, then `slow`).

    `--dist=loadfile --no-loadscope-reorder` hands files to the workers in collection order
    (xdist's default reorder puts the files with the most tests first), so the ten-minute
    demo month (tests/scenario, 6 tests) starts at once on one worker while the other takes
    the rest, instead of starting last and being the whole suite's tail.
    """
    items.sort(key=_longest_first)
