"""Typed WeCom errors.

WeCom answers HTTP 200 with an `errcode` for most failures, so the client turns every
non-zero errcode (and every transport failure) into one of these kinds. The kind decides
what happens next: configuration errors fail at once with a fix, rate limits and transient
failures are retried with backoff, and a send whose outcome is unknown is never blindly
repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wecomply.errors import UserFacingError

# Token rejected: fetch a new one and retry the call once.
TOKEN_ERRCODES = frozenset({40014, 42001, 42007, 42009})
RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
TRANSIENT_ERRCODES = frozenset({-1, 6000})
ALL_RECIPIENTS_INVALID = 81013

# errcode -> (Chinese fix, English fix). Retrying these never helps: a person must act.
CONFIG_HINTS: dict[int, tuple[str, str]] = {
    40001: (
        "Secret 不正确、已被重置，或应用已停用。请在企业微信管理后台「应用管理 → 应用 → Secret」"
        "查看后更新连接的 password",
        "the secret is wrong or was reset, or the app is disabled; copy the app's Secret from "
        "the admin console (应用管理 → app → Secret) into the connection's password",
    ),
    40013: (
        "企业ID (corpid) 不正确。请在「我的企业 → 企业信息」复制企业ID，填入连接的 login",
        "the corp id is wrong; copy it from 我的企业 → 企业信息 into the connection's login",
    ),
    40056: (
        "AgentId 不正确。请在「应用管理 → 应用」查看 AgentId，填入连接 extra 的 agent_id",
        "the agent id is wrong; copy the app's AgentId into the connection extra `agent_id`",
    ),
    40091: (
        "Secret 无效。请确认使用的是本应用（或通讯录同步）的 Secret",
        "the secret is invalid; use the Secret of this app (or of 通讯录同步 for contacts)",
    ),
    48002: (
        "应用没有调用该接口的权限。请在管理后台为应用开通对应权限（例如把应用加入「可调用接口的应用」）",
        "the app may not call this API; grant the permission in the admin console (e.g. add "
        "the app to 可调用接口的应用 for meetings or check-in)",
    ),
    50001: (
        "回调/跳转域名不在应用的可信域名内。请在应用设置中配置可信域名",
        "the redirect domain is not one of the app's trusted domains; configure it in the app",
    ),
    50002: (
        "成员不在应用的权限范围内。请在应用的「可见范围」中加入相关成员或部门",
        "the member is outside the app's permission scope; add them to the app's 可见范围",
    ),
    50003: (
        "应用已停用。请在管理后台「应用管理」中启用该应用",
        "the app is disabled; enable it under 应用管理 in the admin console",
    ),
    60011: (
        "没有该成员/部门/标签的权限：通常是对象不在应用可见范围内，或本接口需要通讯录同步 Secret",
        "no privilege on that member/department/tag: usually it is outside the app's 可见范围, "
        "or this API needs the contacts-sync (通讯录同步) secret",
    ),
    93000: (
        "群机器人 Webhook key 无效或机器人已被移除。请在群聊「消息推送/群机器人」中复制 Webhook 地址里的 key，填入连接的 password",
        "the group robot's webhook key is invalid or the robot was removed; copy the key from "
        "the robot's webhook URL into the connection's password",
    ),
    60020: (
        "服务器 IP 不在企业可信IP 列表中。请在「应用管理 → 应用 → 企业可信IP」中加入本服务器的出口 IP",
        "this server's IP is not in 企业可信IP; add its egress IP under 应用管理 → app → "
        "企业可信IP",
    ),
}


class WeComError(Exception):
    """Anything that went wrong talking to WeCom or handling its data."""


class WeComConnectionInvalid(WeComError, UserFacingError):
    """A connection lacks a field the client needs (found before any request is made)."""

    def __init__(self, conn_id: str, field: str, zh: str, en: str) -> None:
        self.conn_id = conn_id
        self.field = field
        super().__init__(f"企业微信连接 {conn_id} 缺少 {field}：{zh} / WeCom connection {conn_id} lacks {field}: {en}")


class WeComApiError(WeComError):
    """WeCom answered with a non-zero errcode (or, for transport kinds, did not answer).

    `errcode` is None when no errcode exists (HTTP 5xx, connection failure, timeout).
    `endpoint` is the API path only (e.g. "message/send"); URLs are never kept here,
    because the query string holds the access token.
    """

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        endpoint: str,
        *,
        conn_id: str | None = None,
        http_status: int | None = None,
        message: str | None = None,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        self.conn_id = conn_id
        self.http_status = http_status
        # The rest of WeCom's answer (e.g. invaliduser on 81013); never holds credentials.
        self.response: dict[str, Any] = dict(response or {})
        where = f" (connection {conn_id})" if conn_id else ""
        if errcode is not None:
            code = f"errcode {errcode}"
        elif http_status is not None:
            code = f"HTTP {http_status}"
        else:
            code = "no response"
        super().__init__(message or f"WeCom {endpoint} failed{where}: {code}: {errmsg}")


class WeComConfigError(WeComApiError, UserFacingError):
    """The connection's settings or the app's permissions are wrong; retrying cannot help."""

    def __init__(
        self, errcode: int, errmsg: str, endpoint: str, *, conn_id: str | None = None
    ) -> None:
        zh, en = CONFIG_HINTS.get(
            errcode,
            ("请检查连接配置与应用权限", "check the connection settings and the app's permissions"),
        )
        conn = conn_id or "?"
        message = (
            f"企业微信连接 {conn} 配置有误（{endpoint} 返回 errcode {errcode}）：{zh}。"
            f" / WeCom connection {conn} is misconfigured ({endpoint} returned errcode "
            f"{errcode}: {errmsg}): {en}."
        )
        super().__init__(errcode, errmsg, endpoint, conn_id=conn_id, message=message)


class WeComTokenRejected(WeComApiError):
    """The access token was refused even after one refresh."""


class WeComRateLimited(WeComApiError):
    """45009 / 45033: too many calls; retried with a longer backoff."""


class WeComTransientError(WeComApiError):
    """-1, 6000, HTTP 5xx, connection failure or timeout: worth retrying.

    `may_have_left` is True when the request may have reached WeCom and been acted on
    (read timeout, connection reset, 5xx), which matters for sends.
    """

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        endpoint: str,
        *,
        conn_id: str | None = None,
        http_status: int | None = None,
        may_have_left: bool = False,
    ) -> None:
        self.may_have_left = may_have_left
        super().__init__(errcode, errmsg, endpoint, conn_id=conn_id, http_status=http_status)


class WeComAllRecipientsInvalid(WeComApiError):
    """81013: every userid, department and tag was invalid; nothing was sent. Not retried."""

    # Set by the client: the invalid userids, in the case they were sent.
    invalid_users: tuple[str, ...] = ()


class WeComSendInDoubt(WeComError):
    """A send may or may not have been delivered.

    Raised instead of repeating a request that may already have reached WeCom. If
    `duplicate_check` is True the body carried `enable_duplicate_check=1`, so resending the
    byte-identical body inside its interval is safe; otherwise it must be reported, not resent.
    """

    def __init__(self, endpoint: str, reason: str, *, duplicate_check: bool, conn_id: str | None) -> None:
        self.endpoint = endpoint
        self.reason = reason
        self.duplicate_check = duplicate_check
        self.conn_id = conn_id
        guard = "with duplicate check" if duplicate_check else "without duplicate check"
        super().__init__(
            f"WeCom {endpoint} outcome unknown (connection {conn_id}, {guard}): {reason}"
        )


class MessageTooLarge(WeComError, UserFacingError):
    """A message field is over WeCom's byte limit and cannot be split."""

    def __init__(self, field: str, size: int, limit: int, *, unit: str = "字节") -> None:
        self.field = field
        self.size = size
        self.limit = limit
        unit_en = "bytes" if unit == "字节" else "items" if unit == "项" else "characters"
        super().__init__(
            f"消息字段 {field} 为 {size} {unit}，超过企业微信上限 {limit} {unit}，请缩短内容。"
            f" / Message field {field} is {size} {unit_en}, over WeCom's limit of {limit}; "
            "shorten it (WeCom would silently truncate it)."
        )


class InvalidMessage(WeComError, UserFacingError):
    """A message body breaks a WeCom rule other than size (bad task_id, duplicate keys...)."""


class WeComPacingTimeout(WeComError):
    """A recipient's per-member quota would not free up within the allowed wait."""

    def __init__(self, scope: str, needed_s: float, max_wait_s: float) -> None:
        self.scope = scope
        self.needed_s = needed_s
        self.max_wait_s = max_wait_s
        super().__init__(
            f"企业微信限频：应用 {scope} 对某成员的发送配额需再等 {needed_s:.0f} 秒，超过允许等待的 "
            f"{max_wait_s:.0f} 秒，本次未发送，请稍后重试。 / WeCom pacing: a recipient of "
            f"{scope} has no quota for {needed_s:.0f}s (limit 30/min, 1000/h per member), more "
            f"than the allowed wait of {max_wait_s:.0f}s; nothing was sent, retry later."
        )


class WeComDailyCapExceeded(WeComError):
    """Sending would exceed the app's daily cap (account seats × 200 person-times)."""

    def __init__(self, scope: str, day: str, used: int, wanted: int, cap: int) -> None:
        self.scope = scope
        self.day = day
        self.used = used
        self.wanted = wanted
        self.cap = cap
        super().__init__(
            f"企业微信每日发送上限：应用 {scope} 在 {day} 已发送 {used} 人次，再发 {wanted} 人次将超过上限 "
            f"{cap}（席位数 × 200），本次未发送。 / WeCom daily cap: {scope} has sent {used} "
            f"person-times on {day}; {wanted} more would exceed the cap of {cap} "
            "(seats × 200). Nothing was sent."
        )


def api_error(
    errcode: int,
    errmsg: str,
    endpoint: str,
    *,
    conn_id: str | None = None,
    response: Mapping[str, Any] | None = None,
) -> WeComApiError:
    """The typed error for a non-zero errcode."""
    error: WeComApiError
    if errcode in CONFIG_HINTS:
        error = WeComConfigError(errcode, errmsg, endpoint, conn_id=conn_id)
    elif errcode in RATE_LIMIT_ERRCODES:
        error = WeComRateLimited(errcode, errmsg, endpoint, conn_id=conn_id)
    elif errcode in TRANSIENT_ERRCODES:
        error = WeComTransientError(errcode, errmsg, endpoint, conn_id=conn_id)
    elif errcode == ALL_RECIPIENTS_INVALID:
        error = WeComAllRecipientsInvalid(errcode, errmsg, endpoint, conn_id=conn_id)
    elif errcode in TOKEN_ERRCODES:
        error = WeComTokenRejected(errcode, errmsg, endpoint, conn_id=conn_id)
    else:
        error = WeComApiError(errcode, errmsg, endpoint, conn_id=conn_id)
    if response:
        error.response = {k: v for k, v in response.items() if k not in ("errcode", "errmsg")}
    return error


# --- callback rejections -------------------------------------------------------------


class CallbackRejected(WeComError):
    """A callback request that must not be recorded. `http_status` is what to answer."""

    http_status = 400


class BadSignature(CallbackRejected):
    http_status = 403


class WrongReceiveId(CallbackRejected):
    http_status = 403


class StaleTimestamp(CallbackRejected):
    http_status = 403


class ForbiddenXml(CallbackRejected):
    """The XML carried a DTD, an entity declaration or an external reference."""

    http_status = 400


class BodyTooLarge(CallbackRejected):
    http_status = 413


class MalformedCallback(CallbackRejected):
    """Missing parameters, unparsable XML, or ciphertext that does not decrypt cleanly."""

    http_status = 400
