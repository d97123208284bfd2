"""Pure functions for WeCom callbacks: verify, decrypt and parse (no HTTP here).

The receiver (built on top of these) answers with `exc.http_status` for any
`CallbackRejected`, and records nothing in that case. XML is parsed with defusedxml with
DTDs, entities and external references forbidden, before and after decryption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from wecomply.wecom.crypto import WeComCrypto
from wecomply.wecom.errors import BodyTooLarge, ForbiddenXml, MalformedCallback, StaleTimestamp

DEFAULT_MAX_SKEW_S = 300
DEFAULT_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class CallbackEnvelope:
    """The outer POST body: `<xml><ToUserName/><AgentID/><Encrypt/></xml>`."""

    to_user: str
    agent_id: str
    encrypt: str


@dataclass(frozen=True)
class SelectedItem:
    question_key: str
    option_ids: tuple[str, ...]


@dataclass(frozen=True)
class CallbackEvent:
    """A decrypted callback message or event (a card click is `template_card_event`)."""

    to_user: str
    from_user: str
    create_time: int
    agent_id: int | None
    msg_type: str
    event: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    card_type: str | None = None
    response_code: str | None = None
    msg_id: str | None = None
    content: str | None = None
    selected_items: tuple[SelectedItem, ...] = ()

    @property
    def is_card_click(self) -> bool:
        return self.msg_type == "event" and self.event == "template_card_event"



def _parse_xml(text: str | bytes, what: str) -> Element:
    try:
        return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ForbiddenXml(f"{what} XML contains a DTD, entity or external reference") from exc
    except ParseError as exc:
        raise MalformedCallback(f"{what} is not well-formed XML") from exc


def _text(root: Element, tag: str) -> str | None:
    node = root.find(tag)
    if node is None or node.text is None:
        return None
    return node.text.strip()


def parse_envelope(body: str | bytes) -> CallbackEnvelope:
    root = _parse_xml(body, "callback body")
    encrypt = _text(root, "Encrypt")
    if not encrypt:
        raise MalformedCallback("callback body has no Encrypt element")
    return CallbackEnvelope(
        to_user=_text(root, "ToUserName") or "", agent_id=_text(root, "AgentID") or "", encrypt=encrypt
    )


def parse_event(xml_text: str) -> CallbackEvent:
    """Parse the decrypted message XML into a `CallbackEvent`."""
    root = _parse_xml(xml_text, "decrypted event")
    msg_type = _text(root, "MsgType")
    from_user = _text(root, "FromUserName")
    create_time = _text(root, "CreateTime")
    if not msg_type or not from_user or not create_time:
        raise MalformedCallback("event lacks MsgType, FromUserName or CreateTime")
    try:
        created = int(create_time)
        agent_text = _text(root, "AgentID")
        agent_id = int(agent_text) if agent_text else None
    except ValueError as exc:
        raise MalformedCallback("event CreateTime or AgentID is not a number") from exc
    items = []
    for item in root.findall("./SelectedItems/SelectedItem"):
        option_ids = tuple(
            (node.text or "").strip() for node in item.findall("./OptionIds/OptionId") if node.text
        )
        items.append(SelectedItem(question_key=_text(item, "QuestionKey") or "", option_ids=option_ids))
    return CallbackEvent(
        to_user=_text(root, "ToUserName") or "",
        from_user=from_user,
        create_time=created,
        agent_id=agent_id,
        msg_type=msg_type,
        event=_text(root, "Event"),
        event_key=_text(root, "EventKey"),
        task_id=_text(root, "TaskId"),
        card_type=_text(root, "CardType"),
        response_code=_text(root, "ResponseCode"),
        msg_id=_text(root, "MsgId"),
        content=_text(root, "Content"),
        selected_items=tuple(items),
    )


def _query_value(query: Mapping[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise MalformedCallback(f"callback query lacks {name}")
    return value


def _check_timestamp(timestamp: str, now: float, max_skew_s: float) -> None:
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise MalformedCallback("callback timestamp is not a number") from exc
    if abs(now - sent) > max_skew_s:
        raise StaleTimestamp(f"callback timestamp is {now - sent:.0f}s away from now (allowed {max_skew_s}s)")


def verify_url(
    query: Mapping[str, str],
    crypto: WeComCrypto,
    *,
    now: float,
    max_skew_s: float = DEFAULT_MAX_SKEW_S,
) -> str:
    """GET URL verification: returns the decrypted echostr to answer with (plaintext only)."""
    signature = _query_value(query, "msg_signature")
    timestamp = _query_value(query, "timestamp")
    nonce = _query_value(query, "nonce")
    echostr = _query_value(query, "echostr")
    crypto.verify_signature(signature, timestamp, nonce, echostr)
    _check_timestamp(timestamp, now, max_skew_s)
    return crypto.decrypt(echostr)


def verify_and_decrypt(
    query: Mapping[str, str],
    body: bytes,
    crypto: WeComCrypto,
    *,
    now: float,
    max_skew_s: float = DEFAULT_MAX_SKEW_S,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> CallbackEvent:
    """Check a POST callback completely and return its event.

    Raises (all `CallbackRejected`): `BodyTooLarge`, `ForbiddenXml`, `MalformedCallback`,
    `BadSignature`, `StaleTimestamp`, `WrongReceiveId`. The signature is checked before the
    timestamp so a forged request learns nothing about our clock window.
    """
    if len(body) > max_body_bytes:
        raise BodyTooLarge(f"callback body is {len(body)} bytes (limit {max_body_bytes})")
    signature = _query_value(query, "msg_signature")
    timestamp = _query_value(query, "timestamp")
    nonce = _query_value(query, "nonce")
    envelope = parse_envelope(body)
    crypto.verify_signature(signature, timestamp, nonce, envelope.encrypt)
    _check_timestamp(timestamp, now, max_skew_s)
    return parse_event(crypto.decrypt(envelope.encrypt))


def encrypt_event(
    crypto: WeComCrypto, event_xml: str, *, timestamp: str, nonce: str, agent_id: str = ""
) -> tuple[dict[str, str], bytes]:
    """Build the (query, body) WeCom would POST for `event_xml` (used by tests and the simulator)."""
    encrypted = crypto.encrypt(event_xml)
    query = {"msg_signature": crypto.signature(timestamp, nonce, encrypted), "timestamp": timestamp, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{crypto.receive_id}]]></ToUserName>"
        f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    ).encode("utf-8")
    return query, body
