"""verify_and_decrypt / verify_url: each rejection has its own type and HTTP status."""

from __future__ import annotations

import pytest

from tests.wecom.test_crypto import QDG, QDG_ECHO, QDG_POST
from wecomply.wecom.callback import (
    encrypt_event,
    parse_event,
    verify_and_decrypt,
    verify_url,
)
from wecomply.wecom.crypto import WeComCrypto
from wecomply.wecom.errors import (
    BadSignature,
    BodyTooLarge,
    CallbackRejected,
    ForbiddenXml,
    MalformedCallback,
    StaleTimestamp,
    WrongReceiveId,
)

CORP = "ww_test_corp"
CRYPTO = WeComCrypto("tok3n", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", CORP)
NOW = 1_700_000_000

CLICK = f"""<xml><ToUserName><![CDATA[{CORP}]]></ToUserName>
<FromUserName><![CDATA[ZhangSan]]></FromUserName><CreateTime>{NOW}</CreateTime>
<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>
<EventKey><![CDATA[ack]]></EventKey><TaskId><![CDATA[onboard-2024-06-zhangsan]]></TaskId>
<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc-123]]></ResponseCode>
<AgentID>1000002</AgentID>
<SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey>
<OptionIds><OptionId><![CDATA[a]]></OptionId><OptionId><![CDATA[b]]></OptionId></OptionIds>
</SelectedItem></SelectedItems></xml>"""


def _post(event_xml: str = CLICK, *, crypto: WeComCrypto = CRYPTO, timestamp: int = NOW):
    return encrypt_event(crypto, event_xml, timestamp=str(timestamp), nonce="n0nce", agent_id="1000002")


def test_genuine_click_is_decrypted_into_a_typed_event() -> None:
    query, body = _post()
    event = verify_and_decrypt(query, body, CRYPTO, now=NOW + 3)
    assert event.is_card_click
    assert (event.from_user, event.event_key, event.task_id) == ("ZhangSan", "ack", "onboard-2024-06-zhangsan")
    assert (event.card_type, event.response_code, event.agent_id) == ("button_interaction", "rc-123", 1000002)
    assert event.selected_items[0].question_key == "q1"
    assert event.selected_items[0].option_ids == ("a", "b")


def test_official_vector_through_verify_and_decrypt() -> None:
    crypto = WeComCrypto(*QDG)
    body = f"<xml><ToUserName><![CDATA[{QDG[2]}]]></ToUserName><Encrypt><![CDATA[{QDG_POST['encrypt']}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>".encode()
    query = {"msg_signature": QDG_POST["signature"], "timestamp": QDG_POST["timestamp"], "nonce": QDG_POST["nonce"]}
    event = verify_and_decrypt(query, body, crypto, now=int(QDG_POST["timestamp"]) + 1)
    assert (event.msg_type, event.content, event.msg_id) == ("text", "hello", "4561255354251345929")


def test_url_verification_returns_plain_echostr() -> None:
    crypto = WeComCrypto(*QDG)
    query = {"msg_signature": QDG_ECHO["signature"], "timestamp": QDG_ECHO["timestamp"], "nonce": QDG_ECHO["nonce"], "echostr": QDG_ECHO["echostr"]}
    assert verify_url(query, crypto, now=int(QDG_ECHO["timestamp"])) == "1616140317555161061"
    with pytest.raises(StaleTimestamp):
        verify_url(query, crypto, now=int(QDG_ECHO["timestamp"]) + 3600)


def test_forged_signature() -> None:
    query, body = _post()
    query["msg_signature"] = "f" * 40
    with pytest.raises(BadSignature) as info:
        verify_and_decrypt(query, body, CRYPTO, now=NOW)
    assert info.value.http_status == 403


def test_tampered_body_fails_signature() -> None:
    query, body = _post()
    tampered = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[A")
    with pytest.raises(BadSignature):
        verify_and_decrypt(query, tampered, CRYPTO, now=NOW)


def test_stale_timestamp() -> None:
    query, body = _post(timestamp=NOW - 301)
    with pytest.raises(StaleTimestamp):
        verify_and_decrypt(query, body, CRYPTO, now=NOW, max_skew_s=300)
    # Inside the window the same request passes.
    assert verify_and_decrypt(query, body, CRYPTO, now=NOW, max_skew_s=600).from_user == "ZhangSan"


def test_wrong_corp() -> None:
    other = WeComCrypto("tok3n", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "ww_other")
    query, body = _post(crypto=other)
    with pytest.raises(WrongReceiveId):
        verify_and_decrypt(query, body, CRYPTO, now=NOW)


def test_dtd_and_entities_are_refused_in_the_envelope() -> None:
    query, body = _post()
    evil = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + body
    with pytest.raises(ForbiddenXml) as info:
        verify_and_decrypt(query, evil, CRYPTO, now=NOW)
    assert info.value.http_status == 400


def test_entities_are_refused_inside_the_encrypted_event() -> None:
    inner = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + CLICK.replace("ZhangSan", "&e;")
    query, body = _post(inner)
    with pytest.raises(ForbiddenXml):
        verify_and_decrypt(query, body, CRYPTO, now=NOW)


def test_oversized_body() -> None:
    query, body = _post()
    with pytest.raises(BodyTooLarge) as info:
        verify_and_decrypt(query, body + b" " * 2048, CRYPTO, now=NOW, max_body_bytes=len(body) + 100)
    assert info.value.http_status == 413


@pytest.mark.parametrize(
    "query,body",
    [
        ({"timestamp": str(NOW), "nonce": "n"}, b"<xml><Encrypt>x</Encrypt></xml>"),
        ({"msg_signature": "x", "timestamp": str(NOW), "nonce": "n"}, b"<xml><Encrypt>"),
        ({"msg_signature": "x", "timestamp": str(NOW), "nonce": "n"}, b"<xml><ToUserName>c</ToUserName></xml>"),
    ],
)
def test_malformed_requests(query: dict[str, str], body: bytes) -> None:
    with pytest.raises(MalformedCallback):
        verify_and_decrypt(query, body, CRYPTO, now=NOW)


def test_every_rejection_is_a_callback_rejected() -> None:
    for kind in (BadSignature, BodyTooLarge, ForbiddenXml, MalformedCallback, StaleTimestamp, WrongReceiveId):
        assert issubclass(kind, CallbackRejected)


def test_parse_event_requires_core_fields() -> None:
    with pytest.raises(MalformedCallback):
        parse_event("<xml><MsgType>event</MsgType></xml>")
