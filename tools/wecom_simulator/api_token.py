"""`GET /cgi-bin/gettoken` and access_token checks."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from wecom_simulator.errcodes import (
    API_FORBIDDEN,
    APP_DISABLED,
    INVALID_CORPID,
    INVALID_SECRET,
    INVALID_TOKEN,
    MISSING_CORPID,
    MISSING_CORPSECRET,
    MISSING_TOKEN,
    TOKEN_EXPIRED,
    ApiError,
)
from wecom_simulator.http_types import Request
from wecom_simulator.state import IssuedToken

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

APP, CONTACTS = "app", "contacts"


def gettoken(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    corpid = req.query.get("corpid", "")
    secret = req.query.get("corpsecret", "")
    if not corpid:
        raise ApiError(MISSING_CORPID)
    if corpid != sim.corp_id:
        raise ApiError(INVALID_CORPID)
    if not secret:
        raise ApiError(MISSING_CORPSECRET)
    if secrets.compare_digest(secret, sim.secret) and sim.app_enabled:
        scope = APP
    elif sim.contacts_secret and secrets.compare_digest(secret, sim.contacts_secret):
        scope = CONTACTS
    else:
        raise ApiError(INVALID_SECRET)
    current = sim.current_tokens.get(scope)
    if (
        sim.config.refetch_returns_same_token
        and current is not None
        and current.revoked_errcode is None
        and now < current.expires_at
    ):
        return {"access_token": current.value, "expires_in": int(current.expires_at - now)}
    issued = IssuedToken(
        value=secrets.token_urlsafe(96),  # 128 characters; WeCom's are up to 512 bytes
        scope=scope,
        issued_at=now,
        expires_at=now + sim.config.token_ttl,
    )
    sim.tokens[issued.value] = issued
    sim.current_tokens[scope] = issued
    return {"access_token": issued.value, "expires_in": sim.config.token_ttl}


def authorize(sim: WeComSimulator, scope: str, query: dict[str, str], now: float) -> IssuedToken:
    """Check the access_token for a route whose scope is "app", "contacts" or "directory"."""
    value = query.get("access_token")
    if not value:
        raise ApiError(MISSING_TOKEN)
    token = sim.tokens.get(value)
    if token is None:
        raise ApiError(INVALID_TOKEN)
    if token.revoked_errcode is not None:
        raise ApiError(token.revoked_errcode)
    if now >= token.expires_at:
        raise ApiError(TOKEN_EXPIRED)
    if scope in (APP, CONTACTS) and token.scope != scope:
        raise ApiError(API_FORBIDDEN, f"this API needs the {scope} secret's token")
    if token.scope == APP and not sim.app_enabled:
        raise ApiError(APP_DISABLED)
    return token
