"""Who clicks which card, and when: a deterministic plan per (person, duty, period).

Each (userid, duty, period) gets a persona drawn from its own seeded generator, so the
plan does not depend on the order in which cards arrive or questions are asked:

- `prompt` (80 %): clicks the first card they get, within 2 working hours;
- `after_reminder` (15 %): ignores the first card and clicks the first reminder;
- `never` (5 %): never clicks.

Named scenario actors override the draw (see `Plan` and `Behaviour.overrides`). Delays are
working time (the clock stops outside working hours) except for urgent duties (security
incidents), where people answer at night too.

Steps follow the policy ladders: `assign` and `notify-*` are first cards, `remind-*` and
`escalate-*` come later. Escalations also reach leaders and HR, so a person clicks one
only when `include_escalations` is asked for (see `demo_company.clicking`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from demo_company.workdays import add_working_time

Persona = Literal["prompt", "after_reminder", "never"]
PERSONAS: tuple[Persona, ...] = ("prompt", "after_reminder", "never")
DEFAULT_MIX: tuple[float, float, float] = (0.80, 0.15, 0.05)
# Duties whose cards are answered around the clock; the rest wait for working hours.
URGENT_DUTIES = frozenset({"incident"})
# Duties only named actors answer (nobody else is meant to click an incident card).
ACTOR_ONLY_DUTIES = frozenset({"incident"})
ANY_DUTY = "*"

PROMPT_DELAY = (timedelta(minutes=3), timedelta(hours=2))
REMINDED_DELAY = (timedelta(minutes=10), timedelta(hours=4))


def step_is_first(step: str) -> bool:
    """`assign` and `notify-*` open a ladder; anything unknown is treated as a first card."""
    return not step_is_reminder(step)


def step_is_reminder(step: str) -> bool:
    return step.startswith(("remind-", "escalate-"))


def step_is_escalation(step: str) -> bool:
    return step.startswith("escalate-")


@dataclass(frozen=True, slots=True)
class Plan:
    """A fixed persona for a named actor; `delay` replaces the drawn one when given."""

    persona: Persona
    delay: timedelta | None = None


@dataclass(eq=False)
class Behaviour:
    seed: int
    mix: tuple[float, float, float] = DEFAULT_MIX
    # (userid, duty) → Plan; duty "*" covers every duty of that person.
    overrides: Mapping[tuple[str, str], Plan] = field(default_factory=dict)
    # People whose clicks stop after a date (the leaver): userid → last day they act.
    active_until: Mapping[str, datetime] = field(default_factory=dict)
    # Runtime memory of the simulated people: (userid, duty, period) → task_id clicked.
    clicked: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.mix) != 3 or abs(sum(self.mix) - 1.0) > 1e-9 or min(self.mix) < 0:
            raise ValueError(f"behaviour mix {self.mix}: three shares (prompt, after_reminder, never) adding to 1")

    def _draw(self, userid: str, duty: str, period: str) -> tuple[Persona, timedelta]:
        # A string seed is hashed with SHA-512 by `random`, so this is stable across runs
        # and interpreters (unlike hash()).
        rng = random.Random(f"{self.seed}|{userid.lower()}|{duty}|{period}")
        persona: Persona = rng.choices(PERSONAS, weights=self.mix)[0]
        low, high = PROMPT_DELAY if persona == "prompt" else REMINDED_DELAY
        seconds = rng.randint(int(low.total_seconds()), int(high.total_seconds()))
        return persona, timedelta(seconds=seconds)

    def plan(self, userid: str, duty: str, period: str) -> tuple[Persona, timedelta]:
        """The persona and delay for one duty instance."""
        override = self.overrides.get((userid, duty)) or self.overrides.get((userid, ANY_DUTY))
        persona, delay = self._draw(userid, duty, period)
        if override is not None:
            if override.persona != persona:
                low, high = PROMPT_DELAY if override.persona == "prompt" else REMINDED_DELAY
                delay = min(max(delay, low), high)
            return override.persona, override.delay if override.delay is not None else delay
        if duty in ACTOR_ONLY_DUTIES:
            return "never", delay
        return persona, delay

    def persona(self, userid: str, duty: str, period: str) -> Persona:
        return self.plan(userid, duty, period)[0]

    def click_delay(self, userid: str, duty: str, period: str, step: str) -> timedelta | None:
        """How long after receiving the card of `step` the person clicks it, or None.

        The delay is working time for ordinary duties and wall-clock time for urgent ones
        (`click_at` applies it). None: this person does not click this step's card.
        """
        persona, delay = self.plan(userid, duty, period)
        if persona == "never":
            return None
        if persona == "after_reminder" and not step_is_reminder(step):
            return None
        return delay

    def click_at(
        self, userid: str, duty: str, period: str, step: str, delivered_at: datetime
    ) -> datetime | None:
        """When the person clicks a card delivered at `delivered_at`, or None."""
        delay = self.click_delay(userid, duty, period, step)
        if delay is None:
            return None
        when = delivered_at + delay if duty in URGENT_DUTIES else add_working_time(delivered_at, delay)
        limit = self.active_until.get(userid)
        if limit is not None and when > limit:
            return None
        return when

    def share(self, userids: list[str], duty: str, period: str) -> dict[Persona, list[str]]:
        """Split `userids` by persona for one duty instance (handy for exact assertions)."""
        out: dict[Persona, list[str]] = {p: [] for p in PERSONAS}
        for userid in userids:
            out[self.persona(userid, duty, period)].append(userid)
        return out
