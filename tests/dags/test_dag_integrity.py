"""Every DAG file parses cleanly, does no I/O at import, and follows the house rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.dags import DAGS_FOLDER
from wecomply.airflow_glue.dag_kit import DagTag

GUARD = Path(__file__).with_name("parse_guard.py")
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse_with_guards(folder: Path) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, str(GUARD), str(folder)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dag_folder_has_dags(dagbag) -> None:
    assert dagbag.dags, f"no DAGs found in {DAGS_FOLDER}"


def test_no_import_errors(dagbag) -> None:
    assert not dagbag.import_errors, "DAG import errors:\n" + "\n".join(
        f"{file}: {err}" for file, err in dagbag.import_errors.items()
    )


def test_no_dag_file_does_io_at_import() -> None:
    problems = parse_with_guards(DAGS_FOLDER)
    assert not problems, "DAG files doing I/O or failing at import:\n" + "\n".join(
        f"{f}: {p}" for f, p in problems.items()
    )


def test_house_rules(dagbag) -> None:
    allowed = {t.value for t in DagTag}
    failures = []
    for dag_id, dag in sorted(dagbag.dags.items()):
        if dag.owner in ("", "airflow"):
            failures.append(f"{dag_id}: set owner via wecomply.airflow_glue.dag_kit.default_args()")
        for task in dag.tasks:
            if (task.retries or 0) < 2:
                failures.append(f"{dag_id}.{task.task_id}: retries={task.retries!r}; needs >= 2 (default_args())")
        if not dag.tags:
            failures.append(f"{dag_id}: no tags; use DagTag values")
        for tag in set(dag.tags) - allowed:
            failures.append(f"{dag_id}: tag {tag!r} is not in DagTag ({sorted(allowed)})")
        if not (dag.doc_md or "").strip():
            failures.append(f"{dag_id}: no doc_md; use the module docstring (doc_md=__doc__)")
        if not CJK.search(dag.dag_display_name or ""):
            failures.append(f"{dag_id}: dag_display_name {dag.dag_display_name!r} should be Chinese for HR")
        for task in dag.tasks:
            if not CJK.search(task.task_display_name or ""):
                failures.append(f"{dag_id}.{task.task_id}: set a Chinese task_display_name")
        # The trigger form is what HR reads: each field's label and help come in Chinese first.
        for key in dag.params:
            param = dag.params.get_param(key)
            for what, text in (("title", param.schema.get("title")), ("description", param.description)):
                if not CJK.search(text or ""):
                    failures.append(f"{dag_id}: form field {key!r} needs a Chinese {what}")
    assert not failures, "\n".join(failures)


BROKEN_DAGS = {
    "import_error.py": "from airflow.sdk import dag\nimport no_such_module_xyz\n",
    "network_at_import.py": (
        "import socket\nfrom airflow.sdk import dag\n"
        "socket.create_connection(('127.0.0.1', 9), timeout=0.1)\n"
    ),
    "db_at_import.py": "import sqlite3\nfrom airflow.sdk import dag\nsqlite3.connect(':memory:')\n",
    "file_at_import.py": "from airflow.sdk import dag\nPOLICY = open('/etc/hostname').read()\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN_DAGS))
def test_guard_catches_broken_dag_files(tmp_path: Path, name: str) -> None:
    """The checks above can fail: each kind of broken DAG file is reported."""
    (tmp_path / name).write_text(BROKEN_DAGS[name], encoding="utf-8")
    (tmp_path / "fine.py").write_text("from airflow.sdk import dag\n", encoding="utf-8")
    problems = parse_with_guards(tmp_path)
    assert set(problems) == {name}, problems


def test_dagbag_reports_import_error(tmp_path: Path, airflow_db) -> None:
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "broken.py").write_text(BROKEN_DAGS["import_error.py"], encoding="utf-8")
    bag = DagBag(dag_folder=str(tmp_path))
    assert any("no_such_module_xyz" in err for err in bag.import_errors.values())
