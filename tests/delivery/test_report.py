"""`DeliveryReport.summary()` counts in one pass what its per-kind lists hold."""

from __future__ import annotations

import itertools

from wecomply.delivery import DeliveryKey, DeliveryOutcome, DeliveryReport
from wecomply.records.models import DeliveryStatus


def test_summary_counts_agree_with_the_lists() -> None:
    report = DeliveryReport(batches_sent=3, resends=1)
    # Every combination of status, sent now and still pending, twice over.
    combos = itertools.product(DeliveryStatus, (True, False), (True, False), range(2))
    for n, (status, sent_now, pending, _) in enumerate(combos):
        key = DeliveryKey("training", f"u{n}", "2026-03", "remind1")
        report.outcomes[key] = DeliveryOutcome(key, status, None, (), sent_now, pending)

    summary = report.summary()

    assert summary == {
        "requests": len(report.outcomes),
        "sent": len(report.sent),
        "already_done": len(report.already_done),
        "pending": len(report.pending),
        "in_doubt": len(report.in_doubt),
        "failed": len(report.failed),
        "batches_sent": 3,
        "resends": 1,
    }
    assert summary["failed"] == 2 * 2 * 2 * 2  # FAILED and INVALID, each in 8 outcomes
