"""The group robot (群机器人 / 消息推送) webhook client.

The robot key is the only credential and travels in the query string, so it is scrubbed
from every log line and error. A robot takes at most 20 messages a minute; the limit is
shared through a PacingStore under the scope `robot:<key fingerprint>`. Robot sends have
no duplicate check, so a send that may have reached WeCom raises `WeComSendInDoubt`
instead of being repeated.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import requests

from wecomply.wecom.client import DEFAULT_BASE_URL, MEDIA_MIN_BYTES
from wecomply.wecom.errors import InvalidMessage, MessageTooLarge, WeComConnectionInvalid
from wecomply.wecom.memory_stores import MemoryPacingStore
from wecomply.wecom.messages import body_bytes, check_bytes, split_at_lines
from wecomply.wecom.pacing import Pacer, robot_scope
from wecomply.wecom.stores import PacingStore
from wecomply.wecom.transport import RetryPolicy, Transport

ROBOT_TEXT_MAX = 2048
ROBOT_MARKDOWN_MAX = 4096
ROBOT_FILE_MAX = 20 * 2**20
ROBOT_MEMBER = "robot"


def robot_text(
    content: str,
    *,
    mentioned_list: Sequence[str] = (),
    mentioned_mobile_list: Sequence[str] = (),
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": check_bytes("text.content", content, ROBOT_TEXT_MAX)}
    if mentioned_list:
        body["mentioned_list"] = list(mentioned_list)
    if mentioned_mobile_list:
        body["mentioned_mobile_list"] = list(mentioned_mobile_list)
    return {"msgtype": "text", "text": body}


def robot_markdown(content: str) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"content": check_bytes("markdown.content", content, ROBOT_MARKDOWN_MAX)},
    }


def robot_markdowns(content: str) -> list[dict[str, Any]]:
    """Long markdown split at line boundaries into ≤ 4096-byte robot messages."""
    return [
        robot_markdown(part)
        for part in split_at_lines(content, ROBOT_MARKDOWN_MAX, field="markdown.content")
    ]


def robot_file(media_id: str) -> dict[str, Any]:
    return {"msgtype": "file", "file": {"media_id": media_id}}


class WeComWebhookClient:
    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        conn_id: str = "wecom_webhook_default",
        pacing_store: PacingStore | None = None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),
        on_secret: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_pacing_wait_s: float = 120.0,
    ) -> None:
        if not key:
            raise WeComConnectionInvalid(
                conn_id, "password", "请填入群机器人 Webhook 的 key", "set password to the robot's webhook key"
            )
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.conn_id = conn_id
        self._key = key
        if on_secret is not None:
            on_secret(key)
        self.pacing_store: PacingStore = pacing_store if pacing_store is not None else MemoryPacingStore()
        fingerprint = hashlib.sha256(b"wecomply robot " + key.encode("utf-8")).hexdigest()[:12]
        self.scope = robot_scope(fingerprint)
        self._pacer = Pacer(self.pacing_store, self.scope, clock=clock, sleep=sleep, max_wait_s=max_pacing_wait_s)
        self._transport = Transport(
            self.base_url, conn_id=conn_id, session=session, timeout=timeout, retry=retry,
            sleep=sleep, secrets=lambda: (self._key,),
        )

    def __repr__(self) -> str:
        return f"WeComWebhookClient(base_url={self.base_url!r}, conn_id={self.conn_id!r})"

    def send(self, body: Mapping[str, Any]) -> None:
        """Send one prepared robot message body (paced at ≤ 20 per minute per robot)."""
        if "msgtype" not in body:
            raise InvalidMessage("robot message body has no msgtype")
        payload = body_bytes(body)

        def attempt() -> dict[str, Any]:
            self._pacer.acquire([ROBOT_MEMBER])
            return self._transport.exchange(
                "POST", "webhook/send", params={"key": self._key}, data=payload
            )

        self._transport.run(attempt, endpoint="webhook/send", send=True, duplicate_check=False)

    def send_text(
        self,
        content: str,
        *,
        mentioned_list: Sequence[str] = (),
        mentioned_mobile_list: Sequence[str] = (),
    ) -> None:
        self.send(robot_text(content, mentioned_list=mentioned_list, mentioned_mobile_list=mentioned_mobile_list))

    def send_markdown(self, content: str) -> None:
        """Send markdown; content over 4096 bytes is split at line boundaries."""
        for body in robot_markdowns(content):
            self.send(body)

    def upload_file(self, filename: str, data: bytes, *, type: str = "file") -> str:
        """Upload a file for this robot only (valid 3 days); returns its media_id."""
        if type not in ("file", "voice"):
            raise InvalidMessage("robot uploads are type file or voice")
        limit = ROBOT_FILE_MAX if type == "file" else 2 * 2**20
        if len(data) > limit:
            raise MessageTooLarge(f"media ({type}) {filename}", len(data), limit)
        if len(data) < MEDIA_MIN_BYTES:
            raise InvalidMessage(f"media {filename} is {len(data)} bytes; WeCom needs more than 5")
        result = self._transport.run(
            lambda: self._transport.exchange(
                "POST", "webhook/upload_media", params={"key": self._key, "type": type},
                files={"media": (filename, data, "application/octet-stream")},
            ),
            endpoint="webhook/upload_media",
        )
        return str(result["media_id"])

    def send_file(self, filename: str, data: bytes) -> str:
        """Upload `data` and post it to the group; returns the media_id."""
        media_id = self.upload_file(filename, data)
        self.send(robot_file(media_id))
        return media_id
