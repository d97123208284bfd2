"""`WeComOperator`: send one templated message to WeCom members, exactly once per run.

The send goes through the outbox, keyed on (dag, task, run), so a retry or a clear of
the task never messages anyone twice; identical content to many members is batched
(≤ 1000 per call).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

MESSAGE_TYPES = ("text", "markdown")


class WeComOperator(BaseOperator):
    template_fields: Sequence[str] = ("content", "users", "message_type")
    template_fields_renderers = {"content": "md"}

    def __init__(
        self,
        *,
        content: str,
        users: Sequence[str] | str,
        message_type: str = "text",
        wecom_conn_id: str = "wecom_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.content = content
        self.users = users
        self.message_type = message_type
        self.wecom_conn_id = wecom_conn_id

    def _recipients(self) -> list[str]:
        users = self.users.split("|") if isinstance(self.users, str) else list(self.users)
        return sorted({u.strip() for u in users if u and u.strip()})

    def execute(self, context: Any) -> dict[str, int]:
        from wecomply.airflow_glue.hooks import WeComHook
        from wecomply.airflow_glue.records import records_engine
        from wecomply.delivery import DeliveryRequest, deliver
        from wecomply.flows.context import wall_clock
        from wecomply.flows.send import DeliveriesStillOwed
        from wecomply.records.db import session_factory
        from wecomply.wecom import messages

        if self.message_type not in MESSAGE_TYPES:
            raise ValueError(f"{self.task_id}: message_type must be one of {MESSAGE_TYPES}, got {self.message_type!r}")
        recipients = self._recipients()
        if not recipients:
            raise ValueError(f"{self.task_id}: no recipients after templating; set users=")
        build = messages.markdowns if self.message_type == "markdown" else messages.texts
        payloads = build(self.content)
        ti = context["ti"]
        # The outbox key allows only [A-Za-z0-9_-]; a digest keeps it short and stable.
        run_key = hashlib.sha256(f"{ti.dag_id}|{ti.run_id}".encode()).hexdigest()[:16]
        requests = [
            DeliveryRequest(
                duty="operator", subject=self.task_id[:64], period=run_key, step=f"part{p}-chunk{c}",
                recipients=tuple(recipients[c * 1000 : (c + 1) * 1000]), payload=payload,
            )
            for p, payload in enumerate(payloads)
            for c in range((len(recipients) + 999) // 1000)
        ]
        hook = WeComHook(self.wecom_conn_id)
        report = deliver(
            session_factory(records_engine()), hook.client, requests,
            now=wall_clock,
            worker_id=f"{ti.dag_id}.{ti.task_id}.{ti.run_id}.{ti.try_number}",
        )
        if report.pending:
            raise DeliveriesStillOwed(f"{len(report.pending)} deliveries still owed; retrying sends only those")
        if report.failed:
            from airflow.sdk.exceptions import AirflowFailException

            # WeCom refused the message (e.g. 81013: no recipient is valid); retrying cannot help.
            raise AirflowFailException(
                f"{self.task_id}: WeCom refused {len(report.failed)} of {len(requests)} sends "
                f"({'; '.join(report.errors[:3]) or 'all recipients invalid or outside the app visibility'})"
            )
        invalid = sorted({u for o in report.outcomes.values() for u in o.invalid_users})
        if invalid:
            self.log.warning("WeCom rejected %d recipients (invaliduser): %s", len(invalid), ", ".join(invalid[:20]))
        return report.summary() | {"invalid_users": len(invalid)}
