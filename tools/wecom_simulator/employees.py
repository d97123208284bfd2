"""The simulator playing employees: encrypted callbacks to the app's receiver URL.

Everything here goes over real HTTP to a loopback URL, signed and encrypted exactly as
WeCom does (sheet §7), with optional tampering for the receiver's negative tests.
"""

from __future__ import annotations

import http.client
import ipaddress
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from wecom_simulator.crypto import CallbackCrypto

TAMPERS = (
    "bad_signature",  # msg_signature does not match
    "missing_signature",  # no msg_signature parameter at all
    "wrong_receiveid",  # encrypted for another corp id (signature valid)
    "stale_timestamp",  # timestamp a day in the past (signature valid)
    "future_timestamp",  # timestamp a day ahead (signature valid)
    "dtd",  # the outer XML envelope declares a DTD with an entity
    "dtd_inner",  # the decrypted event XML declares a DTD with an entity
    "oversized",  # a body larger than any sane receiver limit (2 MiB + 1)
    "bad_encrypt",  # Encrypt is not a decryptable ciphertext (signature valid)
)
STALE_SECONDS = 86_400
OVERSIZED_BYTES = 2 * 1024 * 1024 + 1


@dataclass
class CallbackAttempt:
    status: int  # 0: no HTTP response (timeout, reset, refused)
    elapsed: float
    body: bytes = b""
    error: str = ""


@dataclass
class CallbackDelivery:
    """One event (or URL check) as sent, with every attempt; `resend` replays it."""

    url: str
    kind: str  # "event" or "verify"
    plaintext: bytes
    event: dict[str, Any]
    tamper: str | None
    query: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    attempts: list[CallbackAttempt] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.attempts[-1].status if self.attempts else 0


@dataclass
class UrlVerification:
    status: int
    ok: bool
    expected: str
    body: bytes
    elapsed: float

    def __bool__(self) -> bool:
        return self.ok


def cdata(value: object) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def event_xml(fields: dict[str, Any], selected_items: dict[str, list[str]] | None = None) -> str:
    parts = ["<xml>"]
    for key, value in fields.items():
        if isinstance(value, int):
            parts.append(f"<{key}>{value}</{key}>")
        else:
            parts.append(f"<{key}>{cdata(value)}</{key}>")
    if selected_items:
        parts.append("<SelectedItems>")
        for question, options in selected_items.items():
            ids = "".join(f"<OptionId>{cdata(o)}</OptionId>" for o in options)
            parts.append(
                f"<SelectedItem><QuestionKey>{cdata(question)}</QuestionKey><OptionIds>{ids}</OptionIds></SelectedItem>"
            )
        parts.append("</SelectedItems>")
    parts.append("</xml>")
    return "".join(parts)


def require_loopback(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"callback URL must be http://<loopback>:<port>/...: {url!r}")
    host = parts.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(f"the simulator only calls loopback addresses, not {host!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return host, parts.port or 80, target


def http_call(
    method: str, url: str, query: dict[str, str], body: bytes, timeout: float
) -> CallbackAttempt:
    host, port, target = require_loopback(url)
    target += ("&" if "?" in target else "?") + urlencode(query)
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"User-Agent": "Mozilla/4.0 (WeCom simulator)", "Accept": "*/*"}
        if method == "POST":
            headers["Content-Type"] = "text/xml"
        try:
            conn.request(method, target, body=body if method == "POST" else None, headers=headers)
        except OSError as exc:
            if conn.sock is None:
                return CallbackAttempt(status=0, elapsed=time.monotonic() - started, error=type(exc).__name__)
            # A receiver may refuse an oversized body mid-upload and still have answered.
        try:
            response = conn.getresponse()
            data = response.read(65_536)
            return CallbackAttempt(status=response.status, elapsed=time.monotonic() - started, body=data)
        except (OSError, http.client.HTTPException) as exc:
            return CallbackAttempt(status=0, elapsed=time.monotonic() - started, error=type(exc).__name__)
    finally:
        conn.close()


def signed_request(
    crypto: CallbackCrypto,
    plaintext: bytes,
    *,
    corp_id: str,
    agent_id: int,
    now: float,
    tamper: str | None,
) -> tuple[dict[str, str], bytes]:
    """The query and XML body of one POST, tampered as asked."""
    if tamper is not None and tamper not in TAMPERS:
        raise ValueError(f"unknown tamper {tamper!r}; use one of {', '.join(TAMPERS)}")
    timestamp = int(now)
    if tamper == "stale_timestamp":
        timestamp -= STALE_SECONDS
    elif tamper == "future_timestamp":
        timestamp += STALE_SECONDS
    nonce = str(secrets.randbelow(10**10))
    if tamper == "dtd_inner":
        text = plaintext.decode("utf-8")
        plaintext = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY sim "injected">]>' + text.replace(
            "<FromUserName>", "<FromUserName>&sim;", 1)).encode("utf-8")
    if tamper == "bad_encrypt":
        encrypted = secrets.token_urlsafe(48).replace("-", "+").replace("_", "/")
    else:
        receive_id = "wwsimulatorwrongcorp" if tamper == "wrong_receiveid" else corp_id
        encrypted = crypto.encrypt(plaintext, receive_id=receive_id)
    signature = crypto.sign(str(timestamp), nonce, encrypted)
    if tamper == "bad_signature":
        signature = ("0" if signature[0] != "0" else "1") + signature[1:]
    query = {"msg_signature": signature, "timestamp": str(timestamp), "nonce": nonce}
    if tamper == "missing_signature":
        del query["msg_signature"]
    envelope = (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName>"
        f"<AgentID>{cdata(agent_id)}</AgentID>"
        f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    )
    if tamper == "dtd":
        envelope = (
            '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY sim "injected">]>'
            + envelope.replace("<AgentID>", "<AgentID>&sim;", 1)
        )
    body = envelope.encode("utf-8")
    if tamper == "oversized":
        padding = OVERSIZED_BYTES - len(body)
        body = body.replace(b"</xml>", b" " * max(padding, 0) + b"</xml>")
    return query, body
