"""A connection's extra may set the WeCom clients' timeout and retry waits; bad values are
refused with the connection and key named, before any call is made."""

from __future__ import annotations

import json

import pytest

from wecomply.airflow_glue.client_tuning import client_tuning
from wecomply.errors import UserFacingError
from wecomply.wecom.transport import RetryPolicy


def test_no_tuning_keys_keep_the_client_defaults() -> None:
    assert client_tuning("wecom_default", {"agent_id": 1000002, "token": "t"}) == {}


def test_timeout_and_retry_become_client_arguments() -> None:
    kwargs = client_tuning("wecom_default", {"timeout_s": 2.5, "retry": {"max_attempts": 3, "initial_wait_s": 0.5}})
    assert kwargs == {
        "timeout": 2.5,
        "retry": RetryPolicy(max_attempts=3, initial_wait_s=0.5, rate_limited_initial_wait_s=5.0, max_wait_s=30.0, jitter_s=1.0),
    }


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"timeout_s": 0}, "extra.timeout_s"),
        ({"timeout_s": "soon"}, "extra.timeout_s"),
        ({"retry": {"max_attempts": 0}}, "extra.retry.max_attempts"),
        ({"retry": {"initial_wait": 1}}, "extra.retry.initial_wait"),  # a misspelt key is not ignored
        ({"retry": 3}, "extra.retry"),
    ],
)
def test_bad_tuning_names_the_connection_and_the_key(extra: dict, where: str) -> None:
    with pytest.raises(UserFacingError, match=rf"^connection wecom_contacts: {where}: .*; fix or remove it"):
        client_tuning("wecom_contacts", extra)


def test_the_hook_builds_its_client_with_the_connections_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    from wecomply.airflow_glue.hooks import WeComHook, WeComWebhookHook

    monkeypatch.setenv("AIRFLOW_CONN_WECOM_DEFAULT", json.dumps({
        "conn_type": "wecom", "host": "http://127.0.0.1:9", "login": "ww1", "password": "s3cret",
        "extra": {"agent_id": 1000002, "timeout_s": 0.5, "retry": {"max_attempts": 2, "jitter_s": 0}},
    }))
    monkeypatch.setenv("AIRFLOW_CONN_WECOM_WEBHOOK_DEFAULT", json.dumps({
        "conn_type": "wecom_webhook", "host": "http://127.0.0.1:9", "password": "robot-key", "extra": {"timeout_s": 3},
    }))
    transport = WeComHook(shared_state=False).client._transport
    assert (transport.timeout, transport.retry.max_attempts, transport.retry.jitter_s) == (0.5, 2, 0)
    webhook = WeComWebhookHook(shared_state=False).client._transport
    assert (webhook.timeout, webhook.retry) == (3, RetryPolicy())
