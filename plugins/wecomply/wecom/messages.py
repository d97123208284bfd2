"""Builders for `message/send` bodies, with WeCom's limits enforced here.

WeCom truncates over-long fields silently, so every builder checks byte lengths (UTF-8)
and either splits long text at line boundaries or raises `MessageTooLarge`.

A builder returns a *payload* (`msgtype` plus its content); `batch_bodies` turns a payload
and a recipient list into the final bodies, one per ≤ 1000 users, with WeCom's duplicate
check on. Recipients are sorted and the JSON encoding is canonical (`body_bytes`), so
rebuilding or re-loading a stored body sends exactly the same bytes, which is what the
duplicate check compares.

Caution: with the duplicate check on, WeCom also suppresses an *intentional* repeat of the
same content to the same person inside the interval; make repeated reminders differ
(e.g. their date or task_id).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wecomply.wecom.errors import InvalidMessage, MessageTooLarge

TEXT_CONTENT_MAX = 2048
MARKDOWN_CONTENT_MAX = 2048
TEXTCARD_TITLE_MAX = 128
TEXTCARD_DESCRIPTION_MAX = 512
URL_MAX = 2048
TEXTCARD_BTNTXT_MAX_CHARS = 4
TASK_ID_MAX = 128
BUTTON_KEY_MAX = 1024
BUTTONS_MAX = 6
HORIZONTAL_CONTENT_MAX = 6
MAX_USERS_PER_CALL = 1000
DUPLICATE_CHECK_INTERVAL_MAX = 14400

BATCH_SUFFIX = "@b"

_TASK_ID = re.compile(r"[A-Za-z0-9_@-]+")

Payload = dict[str, Any]


def byte_len(text: str) -> int:
    return len(text.encode("utf-8"))


def body_bytes(body: Mapping[str, Any]) -> bytes:
    """The canonical JSON encoding the client sends (sorted keys, UTF-8, no spaces).

    Sorting makes the bytes independent of how a stored body was round-tripped (e.g.
    PostgreSQL JSONB reorders keys), so a resend matches for WeCom's duplicate check.
    """
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def check_bytes(field: str, value: str, limit: int) -> str:
    size = byte_len(value)
    if size > limit:
        raise MessageTooLarge(field, size, limit)
    return value


def split_at_lines(content: str, limit: int, *, field: str = "content") -> list[str]:
    """Split `content` into chunks of at most `limit` UTF-8 bytes, breaking only at newlines.

    Raises `MessageTooLarge` when a single line is over the limit (splitting it would cut
    a sentence, or a markdown construct, in the middle). Blank-only chunks are dropped.
    """
    if byte_len(content) <= limit:
        return [content]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for number, line in enumerate(content.split("\n"), start=1):
        line_size = byte_len(line)
        if line_size > limit:
            raise MessageTooLarge(f"{field} (line {number})", line_size, limit)
        added = line_size + (1 if current else 0)
        if current and size + added > limit:
            chunks.append("\n".join(current))
            current, size = [line], line_size
        else:
            current.append(line)
            size += added
    if current:
        chunks.append("\n".join(current))
    return [chunk for chunk in chunks if chunk.strip()]


# --- payload builders ---------------------------------------------------------------


def text(content: str) -> Payload:
    """A text message; raises `MessageTooLarge` over 2048 bytes (see `texts` to split)."""
    return {"msgtype": "text", "text": {"content": check_bytes("text.content", content, TEXT_CONTENT_MAX)}}


def texts(content: str) -> list[Payload]:
    """One or more text messages, split at line boundaries to fit 2048 bytes each."""
    return [text(part) for part in split_at_lines(content, TEXT_CONTENT_MAX, field="text.content")]


def markdown(content: str) -> Payload:
    return {
        "msgtype": "markdown",
        "markdown": {"content": check_bytes("markdown.content", content, MARKDOWN_CONTENT_MAX)},
    }


def markdowns(content: str) -> list[Payload]:
    return [
        markdown(part)
        for part in split_at_lines(content, MARKDOWN_CONTENT_MAX, field="markdown.content")
    ]


def _check_url(field: str, url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise InvalidMessage(
            f"消息字段 {field} 必须是 http(s) 链接 / message field {field} must be an http(s) URL"
        )
    return check_bytes(field, url, URL_MAX)


def textcard(title: str, description: str, url: str, *, btntxt: str | None = None) -> Payload:
    if not description:
        raise InvalidMessage(
            "textcard.description 不能为空（企业微信 errcode 41033） / "
            "textcard.description is required (WeCom errcode 41033)"
        )
    card: dict[str, Any] = {
        "title": check_bytes("textcard.title", title, TEXTCARD_TITLE_MAX),
        "description": check_bytes("textcard.description", description, TEXTCARD_DESCRIPTION_MAX),
        "url": _check_url("textcard.url", url),
    }
    if btntxt is not None:
        if len(btntxt) > TEXTCARD_BTNTXT_MAX_CHARS:
            raise MessageTooLarge("textcard.btntxt", len(btntxt), TEXTCARD_BTNTXT_MAX_CHARS, unit="字")
        card["btntxt"] = btntxt
    return {"msgtype": "textcard", "textcard": card}


def file(media_id: str) -> Payload:
    """A file message; `media_id` comes from `WeComClient.upload_media` (valid 3 days)."""
    if not media_id:
        raise InvalidMessage("file.media_id 不能为空 / file.media_id is required")
    return {"msgtype": "file", "file": {"media_id": media_id}}


@dataclass(frozen=True)
class Button:
    """A callback button: clicking it sends `key` back as the callback's EventKey."""

    text: str
    key: str
    style: int = 1


def validate_task_id(task_id: str) -> str:
    if not _TASK_ID.fullmatch(task_id or ""):
        raise InvalidMessage(
            f"task_id {task_id!r} 只能包含字母、数字和 _-@ / task_id may only contain letters, "
            "digits and _-@"
        )
    return check_bytes("template_card.task_id", task_id, TASK_ID_MAX)


def button_card(
    *,
    task_id: str,
    title: str,
    buttons: Sequence[Button],
    desc: str | None = None,
    sub_title_text: str | None = None,
    horizontal_content: Sequence[tuple[str, str]] = (),
    source_desc: str | None = None,
) -> Payload:
    """A `template_card` of type `button_interaction` (the clickable reminder).

    `task_id` must be unique within the app; clicks come back with it as TaskId.
    """
    if not buttons:
        raise InvalidMessage("按钮卡片至少需要 1 个按钮 / a button card needs at least one button")
    if len(buttons) > BUTTONS_MAX:
        raise MessageTooLarge("template_card.button_list", len(buttons), BUTTONS_MAX, unit="项")
    if len(horizontal_content) > HORIZONTAL_CONTENT_MAX:
        raise MessageTooLarge(
            "template_card.horizontal_content_list", len(horizontal_content), HORIZONTAL_CONTENT_MAX, unit="项"
        )
    seen: set[str] = set()
    button_list = []
    for index, button in enumerate(buttons):
        if not button.key:
            raise InvalidMessage(
                f"button_list[{index}].key 不能为空 / button_list[{index}].key is required"
            )
        check_bytes(f"template_card.button_list[{index}].key", button.key, BUTTON_KEY_MAX)
        if button.key in seen:
            raise InvalidMessage(
                f"按钮 key {button.key!r} 重复 / button key {button.key!r} is used twice"
            )
        if button.style not in (1, 2, 3, 4):
            raise InvalidMessage(f"button_list[{index}].style must be 1-4")
        seen.add(button.key)
        button_list.append({"text": button.text, "style": button.style, "key": button.key})
    main_title: dict[str, str] = {"title": title}
    if desc:
        main_title["desc"] = desc
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": main_title,
        "task_id": validate_task_id(task_id),
        "button_list": button_list,
    }
    if source_desc:
        card["source"] = {"desc": source_desc}
    if sub_title_text:
        card["sub_title_text"] = sub_title_text
    if horizontal_content:
        card["horizontal_content_list"] = [
            {"keyname": name, "value": value} for name, value in horizontal_content
        ]
    return {"msgtype": "template_card", "template_card": card}


# --- bodies -------------------------------------------------------------------------


def _check_userids(userids: Iterable[str]) -> list[str]:
    unique = sorted(set(userids))
    for userid in unique:
        if not userid or "|" in userid or userid.strip() != userid:
            raise InvalidMessage(f"无效的 userid {userid!r} / invalid userid {userid!r}")
        if userid.lower() == "@all":
            raise InvalidMessage(
                "不支持 @all：限频需要逐个成员计数 / @all is not supported: pacing needs explicit userids"
            )
    return unique


def batch_bodies(
    message_payload: Mapping[str, Any],
    userids: Iterable[str],
    *,
    agent_id: int | None = None,
    duplicate_check_interval: int = DUPLICATE_CHECK_INTERVAL_MAX,
) -> list[dict[str, Any]]:
    """One `message/send` body per ≤ 1000 users, sorted, with the duplicate check on.

    `agent_id` may be left out and is then filled in by the client (deterministically).
    A template card split over several bodies gets task_id "<task_id>@b<n>" per body
    (see `base_task_id`), because WeCom rejects a reused task_id.
    """
    if "msgtype" not in message_payload:
        raise InvalidMessage("message payload has no msgtype")
    if {"touser", "toparty", "totag"} & set(message_payload):
        raise InvalidMessage("message payload must not carry recipients; pass them as userids")
    if not 0 < duplicate_check_interval <= DUPLICATE_CHECK_INTERVAL_MAX:
        raise InvalidMessage(
            f"duplicate_check_interval must be 1-{DUPLICATE_CHECK_INTERVAL_MAX} seconds"
        )
    recipients = _check_userids(userids)
    chunks = [
        recipients[start : start + MAX_USERS_PER_CALL]
        for start in range(0, len(recipients), MAX_USERS_PER_CALL)
    ]
    bodies = []
    for number, chunk in enumerate(chunks, start=1):
        body: dict[str, Any] = {"touser": "|".join(chunk)}
        if agent_id is not None:
            body["agentid"] = agent_id
        body.update(message_payload)
        card = body.get("template_card")
        if len(chunks) > 1 and isinstance(card, Mapping) and card.get("task_id"):
            # WeCom refuses a task_id it has seen before in this app, so each batch of a
            # card gets its own: "<task_id>@b<n>" (strip the suffix when matching clicks).
            body["template_card"] = {**card, "task_id": validate_task_id(f"{card['task_id']}{BATCH_SUFFIX}{number}")}
        body["enable_duplicate_check"] = 1
        body["duplicate_check_interval"] = duplicate_check_interval
        bodies.append(body)
    return bodies


def update_card_body(
    userids: Iterable[str],
    response_code: str,
    *,
    agent_id: int,
    replace_name: str | None = None,
    template_card: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A `message/update_template_card` body: grey the buttons out, or replace the card."""
    if (replace_name is None) == (template_card is None):
        raise InvalidMessage("give exactly one of replace_name or template_card")
    users = _check_userids(userids)
    if len(users) > MAX_USERS_PER_CALL:
        raise MessageTooLarge("update_template_card.userids", len(users), MAX_USERS_PER_CALL, unit="项")
    if not response_code:
        raise InvalidMessage("response_code is required (it comes from the send or the click)")
    body: dict[str, Any] = {"userids": users, "agentid": agent_id, "response_code": response_code}
    if replace_name is not None:
        body["button"] = {"replace_name": replace_name}
    else:
        body["template_card"] = dict(template_card or {})
    return body


def base_task_id(task_id: str) -> str:
    """The task_id a card was built with, from the TaskId a click reports."""
    head, sep, tail = task_id.rpartition(BATCH_SUFFIX)
    return head if sep and tail.isdigit() else task_id


def recipients_of(body: Mapping[str, Any]) -> list[str]:
    """The userids a `message/send` body addresses."""
    touser = body.get("touser") or ""
    return [u for u in str(touser).split("|") if u]
