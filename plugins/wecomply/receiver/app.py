"""FastAPI app that receives WeCom callbacks (URL verification and card clicks).

WeCom waits 5 s for an answer and retries on anything but HTTP 200, so the receiver does
the minimum before answering: verify, decrypt, store the event in the records inbox, and
answer 200. Turning a click into an acknowledgement and greying out the card's buttons
happen after the response (and again, durably, in the next DAG run that drains the
inbox). If the store fails, the answer is 503 so that WeCom retries.

Served two ways: mounted in the Airflow api-server by `plugins/wecomply_plugin.py`, and
standalone through `python -m wecomply callback serve`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from fastapi import BackgroundTasks, FastAPI, Request, Response
from sqlalchemy.orm import Session, sessionmaker

from wecomply.wecom.callback import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_SKEW_S,
    CallbackEvent,
    verify_and_decrypt,
    verify_url,
)
from wecomply.wecom.crypto import WeComCrypto
# Each rejection carries the status to answer (403 forged, 400 malformed, 413 too large);
# WeCom itself never sends any of them, so none is retried by a genuine sender.
from wecomply.wecom.errors import CallbackRejected

log = logging.getLogger("wecomply.receiver")

CALLBACK_PATH = "/wecom/callback"

@dataclass(frozen=True)
class ReceiverSettings:
    token: str = dataclasses.field(repr=False)
    encoding_aes_key: str = dataclasses.field(repr=False)
    corp_id: str
    max_skew_s: float = DEFAULT_MAX_SKEW_S
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


@dataclass(frozen=True)
class Receiver:
    """What the app needs, resolved lazily so building the app does no I/O."""

    settings: ReceiverSettings
    sessions: sessionmaker[Session]
    # Greys out the clicked card's buttons (message/update_template_card); optional.
    card_updater: Callable[[CallbackEvent], None] | None = None


def event_fields(event: CallbackEvent) -> dict[str, object]:
    """The event in WeCom's own XML field names, as the inbox stores it."""
    fields: dict[str, object] = {
        "ToUserName": event.to_user,
        "FromUserName": event.from_user,
        "CreateTime": event.create_time,
        "MsgType": event.msg_type,
        "AgentID": event.agent_id,
        "Event": event.event,
        "EventKey": event.event_key,
        "TaskId": event.task_id,
        "CardType": event.card_type,
        "ResponseCode": event.response_code,
        "MsgId": event.msg_id,
    }
    if event.selected_items:
        fields["SelectedItems"] = [
            {"QuestionKey": i.question_key, "OptionIds": list(i.option_ids)} for i in event.selected_items
        ]
    return {k: v for k, v in fields.items() if v is not None}


def create_app(resolve: Callable[[], Receiver], *, clock: Callable[[], float] = time.time) -> FastAPI:
    app = FastAPI(title="WeComply WeCom callback receiver", docs_url=None, redoc_url=None, openapi_url=None)
    resolved: list[Receiver] = []

    def receiver() -> Receiver:
        if not resolved:
            resolved.append(resolve())
        return resolved[0]

    @app.get(CALLBACK_PATH)
    def verify(request: Request) -> Response:
        rx = receiver()
        crypto = WeComCrypto(rx.settings.token, rx.settings.encoding_aes_key, rx.settings.corp_id)
        try:
            plaintext = verify_url(dict(request.query_params), crypto, now=clock(), max_skew_s=rx.settings.max_skew_s)
        except CallbackRejected as exc:
            log.warning("callback URL verification rejected: %s", type(exc).__name__)
            return Response(status_code=exc.http_status)
        # WeCom wants the bare plaintext: no quotes, BOM or newline.
        return Response(content=plaintext.encode("utf-8"), media_type="text/plain")

    @app.post(CALLBACK_PATH)
    async def receive(request: Request, background: BackgroundTasks) -> Response:
        rx = receiver()
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > rx.settings.max_body_bytes:
            return Response(status_code=413)
        body = await request.body()
        crypto = WeComCrypto(rx.settings.token, rx.settings.encoding_aes_key, rx.settings.corp_id)
        try:
            event = verify_and_decrypt(
                dict(request.query_params), body, crypto, now=clock(),
                max_skew_s=rx.settings.max_skew_s, max_body_bytes=rx.settings.max_body_bytes,
            )
        except CallbackRejected as exc:
            log.warning("callback rejected: %s", type(exc).__name__)
            return Response(status_code=exc.http_status)
        try:
            stored = _store(rx, event)
        except Exception:  # noqa: BLE001 - any store failure must make WeCom retry
            log.exception("could not store a verified callback; answering 503 so WeCom retries")
            return Response(status_code=503)
        if stored:
            background.add_task(_process_after_ack, rx, event)
        return Response(status_code=200)

    return app


def _store(rx: Receiver, event: CallbackEvent) -> bool:
    from wecomply.records.inbox import store_event

    with rx.sessions.begin() as session:
        return store_event(session, event_fields(event), received_at=datetime.now(timezone.utc))


def _process_after_ack(rx: Receiver, event: CallbackEvent) -> None:
    """Best effort after the 200: the next DAG run drains anything left pending."""
    from wecomply.records.inbox import process_events

    try:
        with rx.sessions.begin() as session:
            process_events(session, datetime.now(timezone.utc))
        if rx.card_updater is not None and event.is_card_click and event.response_code:
            rx.card_updater(event)
    except Exception:  # noqa: BLE001 - the inbox keeps the event for the next run
        log.exception("processing a stored callback failed; it stays in the inbox for the next run")
