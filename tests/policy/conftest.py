"""Fixtures for the policy tests: the shipped policy file, raw and loaded."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from wecomply.policy.config import DEFAULT_POLICY_PATH, Policy, load_policy

_RAW = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def raw_policy() -> dict:
    """A fresh, mutable copy of include/policy.yaml as plain data."""
    return copy.deepcopy(_RAW)


@pytest.fixture
def policy() -> Policy:
    return load_policy(DEFAULT_POLICY_PATH)


@pytest.fixture
def write_policy(tmp_path: Path):
    def write(data: dict | str, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
