"""The demo's own Airflow settings: its Fernet key."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

from cryptography.fernet import Fernet

from demo_company.environment import demo_fernet_key


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
