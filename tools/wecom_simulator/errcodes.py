"""WeCom error codes the simulator answers with, and the exception that carries one.

Codes come from the facts sheet (`wecom-api.md`); where the sheet names no code for a
situation, the choice is marked "chosen" and listed in the package README.
"""

from __future__ import annotations

OK = 0
SYSTEM_BUSY = -1
DATA_VERSION_CONFLICT = 6000
INVALID_SECRET = 40001
INVALID_MEDIA_TYPE = 40004
INVALID_FILE_SIZE = 40006
INVALID_MEDIA_ID = 40007
INVALID_MSGTYPE = 40008
INVALID_CORPID = 40013
INVALID_TOKEN = 40014
INVALID_AGENTID = 40056
INVALID_PARAMETER = 40058  # chosen for limit/format violations the sheet gives no code for
INVALID_MSGID = 40059
INVALID_URL = 40066
INVALID_TAGID = 40068
MISSING_TOKEN = 41001
MISSING_CORPID = 41002
MISSING_CORPSECRET = 41004
MISSING_AGENTID = 41011
MISSING_DESCRIPTION = 41033
TOKEN_EXPIRED = 42001
MEDIA_TOO_LARGE = 45001
TOO_MANY_ARTICLES = 45008
RATE_LIMITED = 45009
EMPTY_MEDIA = 44001
EMPTY_CONTENT = 44004
BAD_JSON = 47001
API_FORBIDDEN = 48002
APP_DISABLED = 50003
DEPARTMENT_NOT_FOUND = 60003
NO_PRIVILEGE = 60011
IP_NOT_ALLOWED = 60020
USER_NOT_FOUND = 60111
ALL_RECIPIENTS_INVALID = 81013
INVALID_WEBHOOK_KEY = 93000
CHECKIN_BAD_USERIDLIST = 301023
CHECKIN_SPAN_TOO_LONG = 301024

_MESSAGES = {
    SYSTEM_BUSY: "system busy",
    DATA_VERSION_CONFLICT: "data version conflict",
    INVALID_SECRET: "invalid credential, access_token is invalid or not latest",
    INVALID_MEDIA_TYPE: "invalid media type",
    INVALID_FILE_SIZE: "invalid file size",
    INVALID_MEDIA_ID: "invalid media_id",
    INVALID_MSGTYPE: "invalid message type",
    INVALID_CORPID: "invalid corpid",
    INVALID_TOKEN: "invalid access_token",
    INVALID_AGENTID: "invalid agentid",
    INVALID_PARAMETER: "invalid parameter",
    INVALID_MSGID: "invalid msgid",
    INVALID_URL: "invalid url",
    MISSING_TOKEN: "access_token missing",
    MISSING_CORPID: "corpid missing",
    MISSING_CORPSECRET: "corpsecret missing",
    MISSING_AGENTID: "agentid missing",
    MISSING_DESCRIPTION: "description missing",
    TOKEN_EXPIRED: "access_token expired",
    MEDIA_TOO_LARGE: "media size out of limit",
    TOO_MANY_ARTICLES: "too many articles",
    RATE_LIMITED: "api freq out of limit",
    EMPTY_MEDIA: "empty media data",
    EMPTY_CONTENT: "empty content",
    BAD_JSON: "data format error",
    API_FORBIDDEN: "api forbidden",
    APP_DISABLED: "app is disabled",
    DEPARTMENT_NOT_FOUND: "department not found",
    NO_PRIVILEGE: "no privilege to access/modify contact/party/agent",
    IP_NOT_ALLOWED: "not allow to access from your ip",
    USER_NOT_FOUND: "userid not found",
    ALL_RECIPIENTS_INVALID: "all touser, toparty and totag invalid",
    INVALID_WEBHOOK_KEY: "invalid webhook url",
    CHECKIN_BAD_USERIDLIST: "useridlist invalid or over limit",
    CHECKIN_SPAN_TOO_LONG: "checkin time span over limit",
}


def errmsg(errcode: int, detail: str = "", *, now: float = 0.0) -> str:
    """An errmsg shaped like WeCom's, so clients that parse errmsg break in tests."""
    if errcode == OK:
        return "ok"
    text = _MESSAGES.get(errcode, "error")
    if detail:
        text = f"{text}: {detail}"
    return (
        f"{text}, hint: [{int(now)}_sim], from ip: 127.0.0.1, "
        f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
    )


class ApiError(Exception):
    """Raised by an endpoint handler; the server turns it into `{errcode, errmsg}`."""

    def __init__(self, errcode: int, detail: str = "", *, extra: dict[str, object] | None = None) -> None:
        super().__init__(f"errcode {errcode}: {detail}")
        self.errcode = errcode
        self.detail = detail
        self.extra = extra or {}
