"""The callback receiver wired to Airflow connections (`wecom_default`, `wecomply_db`)."""

from __future__ import annotations

from fastapi import FastAPI

from wecomply.receiver.app import Receiver, ReceiverSettings, create_app

CONFIRMED_LABEL = "已确认 ✓"


def resolve_receiver(wecom_conn_id: str = "wecom_default") -> Receiver:
    from wecomply.airflow_glue.hooks import WeComHook
    from wecomply.airflow_glue.records import records_engine
    from wecomply.records.db import session_factory

    hook = WeComHook(wecom_conn_id)
    settings = ReceiverSettings(**hook.callback_settings())

    def grey_out_card(event) -> None:
        # The click's ResponseCode is single-use and lives 24-72 h; greying the buttons
        # tells the employee the click counted.
        hook.client.update_template_card([event.from_user], event.response_code, replace_name=CONFIRMED_LABEL)

    return Receiver(settings=settings, sessions=session_factory(records_engine()), card_updater=grey_out_card)


def callback_app(wecom_conn_id: str = "wecom_default") -> FastAPI:
    """Build the app without I/O; connections are read on the first request."""
    return create_app(lambda: resolve_receiver(wecom_conn_id))
