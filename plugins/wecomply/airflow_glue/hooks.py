"""Airflow hooks over the pure WeCom clients.

Connection layout (also shown as labelled fields in the Airflow connection form):

| conn id                 | host          | login   | password              | extra                                  |
|-------------------------|---------------|---------|-----------------------|----------------------------------------|
| `wecom_default`         | API base URL  | corp id | app secret            | agent_id, token, encoding_aes_key      |
| `wecom_contacts`        | API base URL  | corp id | contacts-sync secret  |                                        |
| `wecom_webhook_default` | API base URL  |         | group-robot key       |                                        |

Every one may also carry `timeout_s` and `retry` in its extra (see `client_tuning`).
The host defaults to https://qyapi.weixin.qq.com; tests and the demo point it at the
simulator, which is the only difference between production and test. Like SlackHook,
these hooks accept no secret arguments: secrets come only from Connections, and each one
is registered with Airflow's secrets masker as soon as it is read (access tokens too,
since WeCom puts them in the URL).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow.sdk import BaseHook

from wecomply.airflow_glue.client_tuning import client_tuning
from wecomply.wecom.client import DEFAULT_BASE_URL, WeComClient
from wecomply.wecom.webhook import WeComWebhookClient


def _mask(value: str) -> None:
    from airflow.sdk.log import mask_secret

    mask_secret(value)


def _shared_stores(shared_state: bool) -> dict[str, Any]:
    """Token and pacing state shared by every worker through the records DB.

    A fleet of Celery workers must not stampede `gettoken` or exceed WeCom's per-member
    limits together, so production hooks keep this state in the records database.
    """
    if not shared_state:
        return {}
    from wecomply.airflow_glue.records import records_engine
    from wecomply.records.shared_stores import SqlPacingStore, SqlTokenStore

    engine = records_engine()
    return {"token_store": SqlTokenStore(engine), "pacing_store": SqlPacingStore(engine)}


class WeComHook(BaseHook):
    """The WeCom self-built app (自建应用): messages, cards, media, meetings, check-in."""

    conn_name_attr = "wecom_conn_id"
    default_conn_name = "wecom_default"
    conn_type = "wecom"
    hook_name = "WeCom app (企业微信自建应用)"
    needs_agent_id = True

    def __init__(self, wecom_conn_id: str | None = None, *, shared_state: bool = True, **client_kwargs: Any) -> None:
        super().__init__()
        self.wecom_conn_id = wecom_conn_id or self.default_conn_name
        self.shared_state = shared_state
        self._client_kwargs = client_kwargs

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["schema", "port"],
            "relabeling": {
                "host": "API base URL (接口地址)",
                "login": "CorpID (企业ID)",
                "password": "Secret (应用Secret)",
                "extra": "Extra: agent_id, token, encoding_aes_key",
            },
            "placeholders": {
                "host": DEFAULT_BASE_URL,
                "login": "ww0123456789abcdef",
                "extra": '{"agent_id": 1000002, "token": "回调Token", "encoding_aes_key": "43位EncodingAESKey"}',
            },
        }

    @cached_property
    def connection(self):
        conn = self.get_connection(self.wecom_conn_id)
        for secret in (conn.password, conn.extra_dejson.get("encoding_aes_key"), conn.extra_dejson.get("token")):
            if secret:
                _mask(secret)
        return conn

    def agent_id(self) -> int | None:
        raw = self.connection.extra_dejson.get("agent_id")
        if raw in (None, ""):
            if self.needs_agent_id:
                from wecomply.errors import UserFacingError

                raise UserFacingError(
                    f"connection {self.wecom_conn_id}: extra.agent_id is missing; "
                    "copy AgentId from 应用管理 → your app into the connection's extra"
                )
            return None
        return int(raw)

    @cached_property
    def client(self) -> WeComClient:
        conn = self.connection
        return WeComClient(
            conn.host or DEFAULT_BASE_URL,
            conn.login or "",
            conn.password or "",
            self.agent_id(),
            conn_id=self.wecom_conn_id,
            on_secret=_mask,
            **(
                _shared_stores(self.shared_state)
                | client_tuning(self.wecom_conn_id, conn.extra_dejson)
                | self._client_kwargs
            ),
        )

    def get_conn(self) -> WeComClient:
        return self.client

    def callback_settings(self) -> dict[str, str]:
        """Token, EncodingAESKey and corp id for the callback receiver."""
        extra = self.connection.extra_dejson
        missing = [k for k in ("token", "encoding_aes_key") if not extra.get(k)]
        if missing or not self.connection.login:
            from wecomply.errors import UserFacingError

            raise UserFacingError(
                f"connection {self.wecom_conn_id}: callback settings missing ({', '.join(missing) or 'login'}); "
                "copy Token and EncodingAESKey from 应用管理 → 接收消息 → 设置API接收 into extra"
            )
        return {"token": extra["token"], "encoding_aes_key": extra["encoding_aes_key"], "corp_id": self.connection.login}

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.client.access_token()
        except Exception as exc:  # noqa: BLE001 - the UI shows the message
            return False, str(exc)
        return True, "access_token obtained (已获取 access_token)"


class WeComContactsHook(WeComHook):
    """The contacts-sync secret (通讯录同步): `user/list_id`, and `user/update` where allowed."""

    default_conn_name = "wecom_contacts"
    conn_type = "wecom_contacts"
    hook_name = "WeCom contacts sync (企业微信通讯录同步)"
    needs_agent_id = False

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        behaviour = super().get_ui_field_behaviour()
        behaviour["relabeling"] = {**behaviour["relabeling"], "password": "Contacts-sync Secret (通讯录同步Secret)"}
        behaviour["hidden_fields"] = ["schema", "port", "extra"]
        return behaviour


class WeComWebhookHook(BaseHook):
    """A group robot (群机器人 / 消息推送): the key in the webhook URL is its only credential."""

    conn_name_attr = "wecom_webhook_conn_id"
    default_conn_name = "wecom_webhook_default"
    conn_type = "wecom_webhook"
    hook_name = "WeCom group robot (企业微信群机器人)"

    def __init__(self, wecom_webhook_conn_id: str | None = None, *, shared_state: bool = True, **client_kwargs: Any) -> None:
        super().__init__()
        self.wecom_webhook_conn_id = wecom_webhook_conn_id or self.default_conn_name
        self.shared_state = shared_state
        self._client_kwargs = client_kwargs

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["schema", "port", "login", "extra"],
            "relabeling": {"host": "API base URL (接口地址)", "password": "Robot key (机器人 key)"},
            "placeholders": {"host": DEFAULT_BASE_URL},
        }

    @cached_property
    def client(self) -> WeComWebhookClient:
        conn = self.get_connection(self.wecom_webhook_conn_id)
        if conn.password:
            _mask(conn.password)
        stores = _shared_stores(self.shared_state)
        stores.pop("token_store", None)
        return WeComWebhookClient(
            conn.host or DEFAULT_BASE_URL,
            conn.password or "",
            conn_id=self.wecom_webhook_conn_id,
            on_secret=_mask,
            **(stores | client_tuning(self.wecom_webhook_conn_id, conn.extra_dejson) | self._client_kwargs),
        )

    def get_conn(self) -> WeComWebhookClient:
        return self.client
