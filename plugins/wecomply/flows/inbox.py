"""Drain the callback inbox: clicks become acknowledgements before anyone is reminded."""

from __future__ import annotations

from wecomply.flows.context import RunContext
from wecomply.records.inbox import process_events


def drain_inbox(ctx: RunContext) -> dict[str, int]:
    with ctx.sessions.begin() as session:
        report = process_events(session, ctx.clock())
    return {"processed": report.processed, **report.by_outcome}
