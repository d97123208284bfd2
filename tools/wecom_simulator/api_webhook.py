"""Group robots: `webhook/send` and `webhook/upload_media`; the key is the only credential.

Robots reject over-long content (40058) rather than truncating it, unlike app messages.
The errcode for more than 20 messages a minute is unconfirmed; the simulator answers 45009.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import TYPE_CHECKING, Any

from wecom_simulator.api_media import ROBOT_LIMITS, store_upload
from wecom_simulator.errcodes import (
    EMPTY_CONTENT,
    INVALID_MEDIA_ID,
    INVALID_MSGTYPE,
    INVALID_PARAMETER,
    INVALID_WEBHOOK_KEY,
    RATE_LIMITED,
    TOO_MANY_ARTICLES,
    ApiError,
)
from wecom_simulator.http_types import Request
from wecom_simulator.messages import nbytes
from wecom_simulator.state import IssuedToken, Robot

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

CONTENT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
ROBOT_MSGTYPES = frozenset({"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"})
ROBOT_CARD_TYPES = frozenset({"text_notice", "news_notice"})


def _robot(sim: WeComSimulator, req: Request) -> Robot:
    key = req.query.get("key", "")
    robot = sim.robots.get(key) if key else None
    if robot is None:
        raise ApiError(INVALID_WEBHOOK_KEY)
    return robot


def _validate(sim: WeComSimulator, robot: Robot, body: dict[str, Any], now: float) -> None:
    msgtype = body.get("msgtype")
    if msgtype not in ROBOT_MSGTYPES:
        raise ApiError(INVALID_MSGTYPE, f"msgtype {msgtype!r}")
    content = body.get(msgtype)
    if not isinstance(content, dict):
        raise ApiError(INVALID_PARAMETER, f"{msgtype} object missing")
    if msgtype in CONTENT_LIMITS:
        text = content.get("content")
        if not isinstance(text, str) or not text:
            raise ApiError(EMPTY_CONTENT, f"{msgtype}.content")
        if nbytes(text) > CONTENT_LIMITS[msgtype]:
            raise ApiError(INVALID_PARAMETER, f"{msgtype}.content exceed max length {CONTENT_LIMITS[msgtype]}")
    elif msgtype in ("file", "voice"):
        if not sim.media_usable(str(content.get("media_id", "")), owner=f"robot:{robot.key}", now=now):
            raise ApiError(INVALID_MEDIA_ID, "unknown, expired or another robot's media_id")
    elif msgtype == "image":
        try:
            raw = base64.b64decode(str(content.get("base64", "")), validate=True)
        except ValueError as exc:
            raise ApiError(INVALID_PARAMETER, "image.base64 is not base64") from exc
        if not raw or len(raw) > 2 * 1024 * 1024 or hashlib.md5(raw).hexdigest() != content.get("md5"):
            raise ApiError(INVALID_PARAMETER, "image must be <= 2 MB and match its md5")
    elif msgtype == "news":
        articles = content.get("articles")
        if not isinstance(articles, list) or not articles:
            raise ApiError(INVALID_PARAMETER, "news.articles missing")
        if len(articles) > 8:
            raise ApiError(TOO_MANY_ARTICLES)
    elif msgtype == "template_card" and content.get("card_type") not in ROBOT_CARD_TYPES:
        raise ApiError(INVALID_PARAMETER, "robots send text_notice or news_notice cards only")


def send(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    robot = _robot(sim, req)
    body = req.json()
    _validate(sim, robot, body, now)
    if not robot.window.allows(now):
        raise ApiError(RATE_LIMITED, "a robot sends at most 20 messages a minute")
    robot.window.add(now)
    msgtype = body["msgtype"]
    robot.messages.append({"time": now, "msgtype": msgtype, msgtype: copy.deepcopy(body[msgtype])})
    return {}


def upload_media(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    robot = _robot(sim, req)
    return store_upload(sim, req, now, ROBOT_LIMITS, f"robot:{robot.key}")
