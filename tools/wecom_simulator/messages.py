"""Validation and silent truncation of message bodies, with WeCom's byte limits.

WeCom truncates over-long text without saying so; the simulator does the same but records
which fields it cut (`truncated` in the delivered body) so tests can catch a client that
relied on the server.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from wecom_simulator.errcodes import (
    BAD_JSON,
    EMPTY_CONTENT,
    INVALID_MSGTYPE,
    INVALID_PARAMETER,
    MISSING_DESCRIPTION,
    TOO_MANY_ARTICLES,
    ApiError,
)

CARD_TYPES = frozenset(
    {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
)
# Cards that produce click callbacks, carry a response_code and accept button.replace_name.
INTERACTIVE_CARD_TYPES = frozenset({"button_interaction", "vote_interaction", "multiple_interaction"})
MEDIA_MSGTYPES = frozenset({"file", "image", "voice", "video"})
APP_MSGTYPES = frozenset(
    {"text", "markdown", "textcard", "news", "mpnews", "miniprogram_notice", "template_card", *MEDIA_MSGTYPES}
)
TASK_ID_RE = re.compile(r"^[0-9A-Za-z_\-@]+$")
MAX_TASK_ID_BYTES = 128
MAX_BUTTONS = 6
MAX_BUTTON_KEY_BYTES = 1024

# (field, byte limit) pairs that WeCom truncates silently, per msgtype.
TRUNCATED_FIELDS: dict[str, tuple[tuple[str, int], ...]] = {
    "text": (("content", 2048),),
    "markdown": (("content", 2048),),
    "textcard": (("title", 128), ("description", 512)),
    "video": (("title", 128), ("description", 512)),
}
ARTICLE_FIELDS = (("title", 128), ("description", 512))


def truncate_utf8(value: str, limit: int) -> tuple[str, bool]:
    raw = value.encode("utf-8")
    if len(raw) <= limit:
        return value, False
    # Cutting mid-character leaves a partial sequence; drop it as WeCom's clients would.
    return raw[:limit].decode("utf-8", errors="ignore"), True


def nbytes(value: object) -> int:
    return len(str(value).encode("utf-8"))


@dataclass
class PreparedMessage:
    msgtype: str
    content: dict[str, Any]
    truncated: list[str] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)
    card_type: str | None = None
    task_id: str | None = None


def _require_str(content: dict[str, Any], key: str, where: str, errcode: int = INVALID_PARAMETER) -> str:
    value = content.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError(errcode, f"{where}.{key} missing")
    return value


def prepare_app_message(body: dict[str, Any]) -> PreparedMessage:
    msgtype = body.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in APP_MSGTYPES:
        raise ApiError(INVALID_MSGTYPE, f"msgtype {msgtype!r}")
    raw = body.get(msgtype)
    if not isinstance(raw, dict):
        raise ApiError(BAD_JSON, f"{msgtype} object missing")
    content = copy.deepcopy(raw)
    prepared = PreparedMessage(msgtype=msgtype, content=content)

    if msgtype in ("text", "markdown"):
        if not isinstance(content.get("content"), str) or not content["content"]:
            raise ApiError(EMPTY_CONTENT, f"{msgtype}.content")
    elif msgtype == "textcard":
        _require_str(content, "title", "textcard")
        _require_str(content, "description", "textcard", MISSING_DESCRIPTION)
        url = _require_str(content, "url", "textcard")
        if not url.startswith(("http://", "https://")) or nbytes(url) > 2048:
            raise ApiError(INVALID_PARAMETER, "textcard.url must be http(s) and <= 2048 bytes")
    elif msgtype == "news":
        _truncate_articles(content, "news", prepared)
    elif msgtype == "mpnews":
        articles = content.get("articles")
        if not isinstance(articles, list) or not articles:
            raise ApiError(INVALID_PARAMETER, "mpnews.articles missing")
        if len(articles) > 8:
            raise ApiError(TOO_MANY_ARTICLES, f"mpnews.articles holds {len(articles)} > 8")
        prepared.media_ids.extend(str(a.get("thumb_media_id", "")) for a in articles if isinstance(a, dict))
    elif msgtype in MEDIA_MSGTYPES:
        prepared.media_ids.append(_require_str(content, "media_id", msgtype))
    elif msgtype == "template_card":
        prepared.card_type, prepared.task_id = validate_template_card(content)

    for key, limit in TRUNCATED_FIELDS.get(msgtype, ()):
        if isinstance(content.get(key), str):
            content[key], cut = truncate_utf8(content[key], limit)
            if cut:
                prepared.truncated.append(f"{msgtype}.{key}")
    return prepared


def _truncate_articles(content: dict[str, Any], where: str, prepared: PreparedMessage) -> None:
    articles = content.get("articles")
    if not isinstance(articles, list) or not articles:
        raise ApiError(INVALID_PARAMETER, f"{where}.articles missing")
    if len(articles) > 8:
        raise ApiError(TOO_MANY_ARTICLES, f"{where}.articles holds {len(articles)} > 8")
    for i, article in enumerate(articles):
        if not isinstance(article, dict):
            raise ApiError(INVALID_PARAMETER, f"{where}.articles[{i}]")
        for key, limit in ARTICLE_FIELDS:
            if isinstance(article.get(key), str):
                article[key], cut = truncate_utf8(article[key], limit)
                if cut:
                    prepared.truncated.append(f"{where}.articles[{i}].{key}")


def validate_template_card(card: dict[str, Any]) -> tuple[str, str | None]:
    """Check a template_card; return (card_type, task_id)."""
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise ApiError(INVALID_PARAMETER, f"template_card.card_type {card_type!r}")
    task_id = card.get("task_id")
    # WeCom documents task_id as required only with action_menu; the simulator requires it
    # on interactive cards, because without it no click can be matched to the card.
    if task_id is not None or card_type in INTERACTIVE_CARD_TYPES or "action_menu" in card:
        if not isinstance(task_id, str) or not task_id:
            raise ApiError(INVALID_PARAMETER, "template_card.task_id missing")
        if nbytes(task_id) > MAX_TASK_ID_BYTES or not TASK_ID_RE.match(task_id):
            raise ApiError(INVALID_PARAMETER, "template_card.task_id: digits, letters and _-@ only, <= 128 bytes")
    if card_type == "button_interaction":
        _validate_buttons(card.get("button_list"))
    return str(card_type), task_id


def _validate_buttons(buttons: object) -> None:
    if not isinstance(buttons, list) or not buttons:
        raise ApiError(INVALID_PARAMETER, "template_card.button_list missing")
    if len(buttons) > MAX_BUTTONS:
        raise ApiError(INVALID_PARAMETER, f"template_card.button_list holds {len(buttons)} > {MAX_BUTTONS}")
    seen: set[str] = set()
    for i, button in enumerate(buttons):
        where = f"template_card.button_list[{i}]"
        if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
            raise ApiError(INVALID_PARAMETER, f"{where}.text missing")
        kind = button.get("type", 0)
        if kind not in (0, 1):
            raise ApiError(INVALID_PARAMETER, f"{where}.type must be 0 or 1")
        style = button.get("style", 1)
        if style not in (1, 2, 3, 4):
            raise ApiError(INVALID_PARAMETER, f"{where}.style must be 1-4")
        if kind == 1:
            if not isinstance(button.get("url"), str) or not button["url"]:
                raise ApiError(INVALID_PARAMETER, f"{where}.url missing")
            continue
        key = button.get("key")
        if not isinstance(key, str) or not key:
            raise ApiError(INVALID_PARAMETER, f"{where}.key missing")
        if nbytes(key) > MAX_BUTTON_KEY_BYTES:
            raise ApiError(INVALID_PARAMETER, f"{where}.key > {MAX_BUTTON_KEY_BYTES} bytes")
        if key in seen:
            raise ApiError(INVALID_PARAMETER, f"{where}.key repeats")
        seen.add(key)


def button_keys(card: dict[str, Any]) -> set[str]:
    keys = {b.get("key") for b in card.get("button_list", []) if isinstance(b, dict)}
    keys |= {a.get("key") for a in card.get("action_menu", {}).get("action_list", []) if isinstance(a, dict)}
    return {k for k in keys if isinstance(k, str)}
