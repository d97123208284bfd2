"""Fixtures for the duty tests: the shipped policy, its calendar and the small company."""

from __future__ import annotations

import pytest

from tests.duties.company import COMPANY
from wecomply.duties.model import Person
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import Policy, load_policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def calendar(policy) -> WorkCalendar:
    return WorkCalendar(policy)


@pytest.fixture
def company() -> list[Person]:
    return list(COMPANY)
