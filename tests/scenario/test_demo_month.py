"""The demo company's month, end to end: `python -m demo_company run` in a subprocess.

One run (the same command `make demo` uses, in a temporary project home) feeds every test
here: the exact outcome of the scenario, read back from the records and the simulator's
view in the summary, and the secret scan over everything the run left behind.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from demo_company.environment import isolated_env

REPO = Path(__file__).resolve().parents[2]
# The month is ~240 dag.test() runs: 10 minutes alone on this 2-core machine in a slow hour,
# more while the other test worker runs. The subprocess gets this long, and pytest's own
# guard (600 s for every other test) sits just above it, so the subprocess's timeout fires first.
DEMO_TIMEOUT_S = 1800
pytestmark = [pytest.mark.slow, pytest.mark.timeout(DEMO_TIMEOUT_S + 60)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("demo-home")
    secrets_file = tmp_path_factory.mktemp("demo-secrets") / "secrets.json"
    env = isolated_env(home, log_level="INFO", WECOMPLY_DEMO_SECRETS_FILE=str(secrets_file))
    result = subprocess.run(
        [sys.executable, "-m", "demo_company", "run", "--out", str(home / "out")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=DEMO_TIMEOUT_S,
    )
    log = home / "demo.log"
    log.write_text(result.stdout + "\n" + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"demo failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return {
        "home": home,
        "log": log,
        "summary": json.loads((home / "out" / "summary.json").read_text(encoding="utf-8")),
        "secrets": json.loads(secrets_file.read_text(encoding="utf-8")),
        "records": home / "data" / "wecomply.db",
    }


def query(demo: dict, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(demo["records"]) as conn:
        return conn.execute(sql, args).fetchall()


def test_every_run_succeeded_and_nothing_was_dropped(demo) -> None:
    summary = demo["summary"]
    assert summary["failed_runs"] == []
    assert summary["wecom_drops"] == 0
    assert summary["clicks"] == summary["acknowledgements"], "every genuine click is recorded exactly once"


def test_onboarding_outcome(demo) -> None:
    escalated = {row[0] for row in query(demo, "SELECT DISTINCT subject FROM escalations WHERE duty='onboarding'")}
    assert escalated == {"jiangwenxin01"}, "only the joiner who never trains is escalated"
    completed = {row[0] for row in query(demo, "SELECT subject_userid FROM assignments WHERE kind='onboarding' AND status='completed'")}
    assert {"wanghan01", "yuhuijun01", "chenkai01", "zhangyu01", "zhuchunshi01"} <= completed
    reminded = {row[0] for row in query(demo, "SELECT DISTINCT subject FROM deliveries WHERE duty='onboarding' AND step LIKE 'remind-%'")}
    assert "chenkai01" in reminded and "wanghan01" not in reminded


def test_account_review_findings(demo) -> None:
    findings = {(k, s) for k, s in query(demo, "SELECT kind, subject FROM account_findings")}
    assert ("leaver_active", "luhao01") in findings
    assert ("wrong_department", "zhangpingguo01") in findings
    assert ("no_account", "wangboling01") in findings
    assert ("not_activated", "yuchenyi01") in findings
    no_owner = {s for k, s in findings if k == "department_account_no_owner"}
    assert len(no_owner) == 1 and "6" in next(iter(no_owner)), no_owner
    assert not {s for _, s in findings} & {"dunachen01", "zhangchen01"}, "former employees are not findings"


def test_assessment_two_consecutive_fails_get_remedial_training(demo) -> None:
    failed = set(demo["summary"]["assessment_failed"])
    assert {"liyong01", "zhangkaiting01"} <= failed
    assert not failed & {"sunhui01", "sunyi01"}, "last month's failers who behaved pass"
    remedial = {row[0] for row in query(demo, "SELECT subject_userid FROM assignments WHERE kind='remedial_training'")}
    assert {"liyong01", "zhangkaiting01"} <= remedial
    assert not remedial & {"sunhui01", "sunyi01"}


def test_reports_were_written(demo) -> None:
    reports = sorted((demo["home"] / "out").rglob("*.html"))
    assert reports, "make demo ends by writing the month's reports"
    assert any("报表 / report:" in line for line in demo["log"].read_text(encoding="utf-8").splitlines())


def test_airflow_runs_with_a_fernet_key(demo) -> None:
    # The demo's Airflow home has a Fernet key (`demo_company.environment.demo_fernet_key`).
    # Without one, Airflow logs a warning on every run; the trigger rows that would show
    # the encryption itself are deleted once their task resumes, so the log is the witness.
    log = demo["log"].read_text(encoding="utf-8")
    # The witness can see: Airflow's own INFO lines reach this log (the fixture runs the
    # demo at INFO, and the empty-key line is a WARNING), so the absence below is not vacuous.
    assert "[airflow.utils.db]" in log
    assert "empty cryptography key" not in log


def _everything_written(demo: dict) -> list[tuple[str, bytes]]:
    blobs: list[tuple[str, bytes]] = [("demo.log", demo["log"].read_bytes())]
    for path in demo["home"].rglob("*"):
        if path.is_file() and path.suffix not in (".db", ".db-wal", ".db-shm"):
            blobs.append((str(path), path.read_bytes()))
    for db in demo["home"].rglob("*.db"):
        # A full dump: every table, every row (XComs and rendered fields included for Airflow's DB).
        with sqlite3.connect(db) as conn:
            dump = "\n".join(conn.iterdump())
        blobs.append((f"{db} (dump)", dump.encode("utf-8")))
    return blobs


def test_no_secret_anywhere(demo) -> None:
    secrets = [s for s in demo["secrets"] if len(s) >= 8]
    assert len(secrets) >= 5, "the scan must know the app secret, contacts secret, robot key, AES key and tokens"
    # Airflow's own key too, which may be only in its file.
    key_file = demo["home"] / ".airflow" / "fernet.key"
    secrets.append(key_file.read_text(encoding="ascii").strip())
    leaks = [
        f"{where}: contains secret #{i}"
        for where, blob in _everything_written(demo)
        if where != str(key_file)
        for i, secret in enumerate(secrets)
        if secret.encode("utf-8") in blob
    ]
    assert not leaks, "\n".join(leaks[:20])
    xcom_rows = query_airflow(demo, "SELECT count(*) FROM xcom")
    assert xcom_rows[0][0] > 0, "the scan covered XComs"


def query_airflow(demo: dict, sql: str) -> list[tuple]:
    with sqlite3.connect(demo["home"] / ".airflow" / "airflow.db") as conn:
        return conn.execute(sql).fetchall()
