"""Where the client keeps state that must be shared across processes.

A fleet of Celery workers shares one access token per (corp, app) and one pacing ledger
per app, so both live behind these small protocols. The in-memory stores in
`wecomply.wecom.memory_stores` serve one process; `wecomply.records.shared_stores`
implements them on the records database for a fleet.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CachedToken:
    """An access token as the store keeps it.

    `sealed` is the token encrypted by the client with a key derived from the app secret,
    so a store (or a dump of its database) never holds a usable token.
    """

    sealed: str
    expires_at: float  # epoch seconds


class TokenStore(Protocol):
    def get(self, key: str) -> CachedToken | None: ...

    def put(self, key: str, token: CachedToken) -> None: ...

    def delete(self, key: str) -> None: ...

    def refresh_lock(self, key: str) -> AbstractContextManager[None]:
        """Held while one process fetches a new token, so the others wait and reuse it."""
        ...


class PacingStore(Protocol):
    def reserve(self, scope: str, userids: Sequence[str], now: float) -> float:
        """Reserve one message for every userid at `now`, all or nothing.

        Returns 0.0 when reserved, or the seconds to wait before the first moment at which
        every userid has room under the per-member limits (then nothing is reserved).
        `scope` names the app (corp id + agent id): limits are per app and member.

        Implementations apply `wecomply.wecom.pacing.windows_for_scope(scope)` with the
        sliding-log rule of `wecomply.wecom.pacing.wait_needed` (see that module for why),
        atomically across processes; a robot's scope ("robot:...") gets 20/min.
        """
        ...

    def count_day(self, scope: str, day: str, recipients: int) -> int:
        """Add `recipients` to the app's person-times for `day` (YYYY-MM-DD); return the new total.

        `recipients` may be negative: the client takes a charge back when the cap would be
        exceeded or WeCom definitely did not deliver.
        """
        ...
