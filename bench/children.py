"""Benchmark child processes: each measured run gets a process of its own, so its peak RSS
and CPU are its own. The spec travels on stdin (connection secrets never sit in argv) and
the child prints its figures as one JSON line."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from demo_company.airflow_settings import project_airflow_env

ROOT = Path(__file__).resolve().parent.parent


def child_env(airflow_home: Path | None = None, *, dags_folder: Path | None = None, **extra: str) -> dict[str, str]:
    """This environment with the repo importable. Without `airflow_home`, Airflow (imported
    by HttpHook) only must not write into a user's ~/airflow; with it, the child gets a
    whole Airflow home of its own (metadata DB, DAGs and our plugins), as `dag.test()`
    needs. Its DAGs are `dags_folder`, by default all of ours."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if airflow_home is None:
        env.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="wecomply-bench-airflow-"))
        env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    else:
        env.update(project_airflow_env(airflow_home, airflow_home / "data", dags_folder=dags_folder))
        env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def run_child(module: str, spec: dict[str, Any], *, env: dict[str, str], timeout_s: float, what: str) -> dict[str, Any]:
    """Run `python -m module` with `spec` on stdin; return its last JSON line."""
    proc = subprocess.run(
        [sys.executable, "-m", module], input=json.dumps(spec), capture_output=True, text=True,
        cwd=ROOT, env=env, timeout=timeout_s,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{what} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def peak_rss_bytes() -> int:
    """This process's own peak RSS. Not `ru_maxrss`: Linux carries the high-water mark of
    the memory a process had before `exec` into it, and `subprocess` starts children with
    vfork, so every child reported at least the parent's RSS (the simulator's N members):
    a child with a 14 MiB peak read 513 MiB under a 500 MiB parent. `VmHWM` belongs to the
    process's current address space only."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    # Without /proc (not Linux): ru_maxrss, in KiB on Linux but bytes on macOS.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
