"""`python -m wecomply` from the repo root, as operators run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wecomply(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wecomply", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_help_lists_every_command_group() -> None:
    result = wecomply("--help")
    assert result.returncode == 0, result.stderr
    for group in ("db", "roster", "evidence", "policy", "callback", "version"):
        assert group in result.stdout, f"`python -m wecomply --help` lacks {group}"


def test_bad_policy_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    text = (ROOT / "include" / "policy.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("auto_disable_leavers: false", "auto_disable_leavers: perhaps"), encoding="utf-8")
    result = wecomply("policy", "check", str(bad))
    assert result.returncode == 2
    assert "wecom_actions.auto_disable_leavers" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
