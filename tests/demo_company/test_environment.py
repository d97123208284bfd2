"""The demo's own Airflow settings: its Fernet key, and an Airflow of its own."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from demo_company.airflow_settings import REPO
from demo_company.environment import demo_fernet_key
from wecomply.errors import UserFacingError


def test_the_key_is_made_once_private_and_usable(tmp_path: Path) -> None:
    home = tmp_path / ".airflow"  # not there yet: the demo's first run makes it
    key = demo_fernet_key(home)
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"
    assert stat.S_IMODE((home / "fernet.key").stat().st_mode) == 0o600
    assert demo_fernet_key(home) == key, "a later run (or make airflow) reads the same key"
    assert sorted(p.name for p in home.iterdir()) == ["fernet.key"], "no draft left behind"


def _key_in_child(home: str, start, keys) -> None:  # type: ignore[no-untyped-def]
    start.wait()
    keys.put(demo_fernet_key(Path(home)))


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, keys = ctx.Event(), ctx.Queue()
    children = [ctx.Process(target=_key_in_child, args=(str(tmp_path), start, keys)) for _ in range(4)]
    for child in children:
        child.start()
    start.set()
    found = {keys.get(timeout=60) for _ in children}
    for child in children:
        child.join(timeout=60)
    assert found == {(tmp_path / "fernet.key").read_text(encoding="ascii")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fernet.key"]


# A real key cut short (30 bytes instead of 32), as an interrupted copy would leave it.
SHORT_KEY = "c0nAjysQR48c3PSzhjeJi5ImCQhR8Vk3xs4oUXr-"


@pytest.mark.parametrize("content", ["", "not-a-key", SHORT_KEY], ids=["empty", "not-base64", "short"])
def test_a_damaged_key_file_names_itself_and_the_fix(tmp_path: Path, content: str) -> None:
    home = tmp_path / ".airflow"
    home.mkdir()
    (home / "fernet.key").write_text(content, encoding="ascii")
    with pytest.raises(UserFacingError, match=r"fernet\.key: 不是有效的 Fernet 密钥 .*delete it and run make demo again"):
        demo_fernet_key(home)
    assert (home / "fernet.key").read_text(encoding="ascii") == content, "the file is left for the operator"


def _demo_stops_on_its_damaged_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """Run the demo with a damaged .airflow/fernet.key: it exits 2 naming the file, and runs
    nothing. Returns the environment it left (a copy of this process's: what the demo
    sets must not reach the tests that run after it in this worker)."""
    from demo_company.__main__ import main

    home = tmp_path / ".airflow"
    home.mkdir()
    (home / "fernet.key").write_text("oops", encoding="ascii")
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    environ = os.environ.copy()
    monkeypatch.setattr(os, "environ", environ)
    assert main(["run", "--out", str(tmp_path / "out")]) == 2
    assert f"{home / 'fernet.key'}: 不是有效的 Fernet 密钥" in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing ran"
    return environ


def test_the_demo_stops_before_airflow_on_a_damaged_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AIRFLOW__CORE__FERNET_KEY", raising=False)
    environ = _demo_stops_on_its_damaged_key(tmp_path, monkeypatch, capsys)
    assert "AIRFLOW__CORE__FERNET_KEY" not in environ


def test_an_empty_key_in_the_environment_counts_as_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo reads its own key file (here damaged, so it stops) instead of running keyless.
    monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", "")
    _demo_stops_on_its_damaged_key(tmp_path, monkeypatch, capsys)


def test_the_demo_runs_an_airflow_of_its_own_whatever_the_shell_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `run` starts from an empty metadata DB: a shell pointing Airflow at a real deployment
    # (its database, its DAGs) must not reach the demo, with or without make.
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://airflow@prod.example/airflow")
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", "/srv/airflow/dags")
    environ = _demo_stops_on_its_damaged_key(tmp_path, monkeypatch, capsys)
    assert environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / '.airflow' / 'airflow.db'}"
    assert environ["AIRFLOW__CORE__DAGS_FOLDER"] == str(REPO / "dags")
