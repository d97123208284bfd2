"""`make airflow`: airflow standalone on 127.0.0.1, with the demo's simulator behind it.

The simulator runs in this process (loopback) with the demo company, so runs triggered
from the UI reach a WeCom. Standalone is stopped with SIGINT to its process group: SIGTERM
would leave the scheduler and workers running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def run_standalone(*, port: int = 8080, seed: int = 7) -> int:
    # Started in the background, we inherit SIGINT ignored; Ctrl-C and SIGTERM must both
    # end in the orderly SIGINT to standalone's process group below.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    from demo_company.build import build_company
    from demo_company.month import connections
    from demo_company.simulator_setup import populate_simulator
    from wecom_simulator import WeComSimulator

    airflow_home = Path(os.environ["AIRFLOW_HOME"])
    data_dir = Path(os.environ.get("WECOMPLY_DATA_DIR", "data"))
    sim = WeComSimulator(seed=seed)
    robot_key = sim.add_robot()
    populate_simulator(build_company(seed=seed), sim)
    sim.start()
    env = os.environ | connections(sim, f"sqlite:///{(data_dir / 'wecomply.db').resolve()}", robot_key) | {
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        # standalone starts its components as `airflow ...` by name: the venv's bin first.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow", "standalone"], env=env, start_new_session=True,
        # Ctrl-C must reach standalone as SIGINT; a background job starts with it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None and not _healthy(f"{url}/api/v2/monitor/health"):
        time.sleep(1)
    print(f"\nAirflow UI: {url}", flush=True)
    print(f"用户 user: admin；密码 password: {airflow_home / 'simple_auth_manager_passwords.json.generated'}", flush=True)
    print(f"WeCom simulator: {sim.base_url}  (Ctrl-C 停止 / to stop)", flush=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return 130
    finally:
        sim.stop()
