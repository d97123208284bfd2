"""Fault injection: by rule (path, kind, times) or at random from a seed.

A rule fires on the next matching calls, in the order rules were added. The random mode
draws once per matching call from its own `random.Random(seed)`, so the same seed and the
same sequence of calls give the same faults. Rules take precedence over the random mode.
"""

from __future__ import annotations

import random as _random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

# errcode kinds answer HTTP 200 with that errcode, as WeCom does.
ERRCODE_KINDS = {
    "errcode-1": -1,
    "errcode6000": 6000,
    "errcode45009": 45009,
    "errcode45033": 45033,
}
FAULT_KINDS = ("http500", "http502", "http503", *ERRCODE_KINDS, "timeout", "reset", "revoke_token")
DEFAULT_RANDOM_KINDS = ("http500", "errcode-1", "errcode45009", "timeout", "reset")
ANY_PATH = "*"


@dataclass
class FaultRule:
    path: str
    kind: str
    times: int
    after_processing: bool = False
    hold: float | None = None


@dataclass(frozen=True)
class Fault:
    """One fault applied to one call."""

    kind: str
    path: str
    after_processing: bool
    hold: float

    @property
    def http_status(self) -> int | None:
        return int(self.kind[4:]) if self.kind.startswith("http") else None

    @property
    def errcode(self) -> int | None:
        return ERRCODE_KINDS.get(self.kind)


def _check_kind(kind: str) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")


class FaultPlan:
    def __init__(self, timeout_seconds: float = 2.0) -> None:
        # How long a "timeout" fault holds the response: set it above the client's timeout.
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._rng: _random.Random | None = None
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._paths: frozenset[str] | None = None
        self._random_after = False
        self.injected: list[tuple[str, str]] = []

    def add(
        self,
        path: str,
        kind: str,
        times: int = 1,
        *,
        after_processing: bool = False,
        hold: float | None = None,
    ) -> FaultRule:
        """Fault the next `times` calls to `path` ("*" for any API path)."""
        _check_kind(kind)
        if times < 1:
            raise ValueError("times must be >= 1")
        if after_processing and kind == "revoke_token":
            raise ValueError("revoke_token answers instead of processing; after_processing does not apply")
        rule = FaultRule(path=path, kind=kind, times=times, after_processing=after_processing, hold=hold)
        with self._lock:
            self._rules.append(rule)
        return rule

    def random(
        self,
        rate: float = 0.2,
        seed: int = 7,
        kinds: Iterable[str] | None = None,
        *,
        paths: Iterable[str] | None = None,
        after_processing: bool = False,
    ) -> None:
        """Fault each matching call with probability `rate`, kind drawn uniformly from `kinds`."""
        chosen = tuple(kinds) if kinds is not None else DEFAULT_RANDOM_KINDS
        for kind in chosen:
            _check_kind(kind)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        with self._lock:
            self._rng = _random.Random(seed)
            self._rate = rate
            self._kinds = chosen
            self._paths = None if paths is None else frozenset(paths)
            self._random_after = after_processing

    def discard(self, rule: FaultRule) -> None:
        """Drop one rule `add` returned, if calls have not used it up yet."""
        with self._lock:
            self._rules = [r for r in self._rules if r is not rule]  # equal rules may be queued twice

    def clear(self) -> None:
        """Drop every rule and stop the random mode (the injected history is kept)."""
        with self._lock:
            self._rules.clear()
            self._rng = None

    def reset(self) -> None:
        self.clear()
        with self._lock:
            self.injected.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(rule.times for rule in self._rules)

    def draw(self, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.path in (path, ANY_PATH):
                    rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
                    return self._make(rule.kind, path, rule.after_processing, rule.hold)
            rng = self._rng
            if rng is None or (self._paths is not None and path not in self._paths):
                return None
            if rng.random() >= self._rate:
                return None
            kind = rng.choice(self._kinds)
            after = self._random_after and kind != "revoke_token"
            return self._make(kind, path, after, None)

    def _make(self, kind: str, path: str, after: bool, hold: float | None) -> Fault:
        self.injected.append((path, kind))
        return Fault(kind=kind, path=path, after_processing=after,
                     hold=self.timeout_seconds if hold is None else hold)
