"""Employees clicking: real encrypted callbacks, checked by a reference receiver written here
from the facts sheet §7 (independent of both `wecom_simulator.crypto` and `wecomply`)."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.simulator.helpers import button_card, post, send, token
from wecom_simulator import TAMPERS, CallbackCrypto, WeComSimulator

# The official sample vectors from sbzhu/weworkapi_python callback/Sample.py.
SAMPLE_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
SAMPLE_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
SAMPLE_CORP = "ww1436e0e65a779aee"
SAMPLE_VERIFY = ("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683",
                 "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==")
SAMPLE_MSG = (
    "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914",
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew"
    "+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24Yh"
    "mZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwo"
    "cugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+",
)


# -- reference implementation, straight from the sheet ------------------------------------
def ref_signature(token_: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token_, timestamp, nonce, encrypted])).encode()).hexdigest()


def ref_decrypt(encoding_aes_key: str, encrypted: str) -> tuple[bytes, bytes, str]:
    """Return (random prefix, message, receiveid)."""
    key = base64.b64decode(encoding_aes_key + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    pad = plain[-1]
    assert 1 <= pad <= 32 and len(plain) % 32 == 0  # PKCS#7 to 32-byte blocks
    plain = plain[:-pad]
    size = int.from_bytes(plain[16:20], "big")
    return plain[:16], plain[20 : 20 + size], plain[20 + size :].decode()


def test_sample_vectors_match_the_simulator_crypto() -> None:
    crypto = CallbackCrypto(SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_CORP)
    signature, timestamp, nonce, echostr = SAMPLE_VERIFY
    assert crypto.sign(timestamp, nonce, echostr) == signature == ref_signature(SAMPLE_TOKEN, timestamp, nonce,
                                                                                echostr)
    assert crypto.decrypt(echostr) == (b"1288432023552776189", SAMPLE_CORP)
    signature, timestamp, nonce, encrypted = SAMPLE_MSG
    assert crypto.sign(timestamp, nonce, encrypted) == signature
    prefix, message, receive_id = ref_decrypt(SAMPLE_KEY, encrypted)
    assert receive_id == SAMPLE_CORP and b"<FromUserName>ChenJiaShun</FromUserName>" in message
    # Encrypting with the same random prefix reproduces WeCom's ciphertext byte for byte.
    assert crypto.encrypt(message, prefix=prefix) == encrypted


# -- a reference receiver -------------------------------------------------------------------
@dataclass
class Receiver:
    token: str
    key: str
    corp_id: str
    fail_first: int = 0
    window: int = 300
    events: list[dict[str, str]] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    raw: list[tuple[str, bytes]] = field(default_factory=list)
    echoes: list[str] = field(default_factory=list)
    url: str = ""

    def verify(self, query: dict[str, str], encrypted: str) -> tuple[int, str, bytes]:
        if "msg_signature" not in query:
            return 400, "missing_signature", b""
        if ref_signature(self.token, query["timestamp"], query["nonce"], encrypted) != query["msg_signature"]:
            return 403, "bad_signature", b""
        skew = int(query["timestamp"]) - time.time()
        if skew < -self.window:
            return 403, "stale_timestamp", b""
        if skew > self.window:
            return 403, "future_timestamp", b""
        try:
            _, message, receive_id = ref_decrypt(self.key, encrypted)
        except (AssertionError, ValueError):
            return 400, "bad_encrypt", b""
        if receive_id != self.corp_id:
            return 403, "wrong_receiveid", b""
        return 200, "", message


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def _reply(self, status: int, body: bytes = b"", reason: str = "") -> None:
            if reason:
                receiver.rejections.append(reason)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            status, reason, message = receiver.verify(query, query.get("echostr", ""))
            if status != 200:
                return self._reply(status, reason=reason)
            receiver.echoes.append(message.decode())
            self._reply(200, message)

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.raw.append((self.path, body))
            if len(body) > 1024 * 1024:
                return self._reply(413, reason="oversized")
            if b"<!DOCTYPE" in body:
                return self._reply(400, reason="dtd")
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            envelope = ET.fromstring(body)
            assert envelope.findtext("ToUserName") == receiver.corp_id
            status, reason, message = receiver.verify(query, envelope.findtext("Encrypt") or "")
            if status != 200:
                return self._reply(status, reason=reason)
            if b"<!DOCTYPE" in message:
                return self._reply(400, reason="dtd_inner")
            event = {child.tag: child.text or "" for child in ET.fromstring(message)}
            receiver.events.append(event)
            if receiver.fail_first > 0:
                receiver.fail_first -= 1
                return self._reply(500)
            self._reply(200)

    return Handler


@pytest.fixture
def receiver(wecom_sim: WeComSimulator) -> Iterator[Receiver]:
    rec = Receiver(token=wecom_sim.token, key=wecom_sim.encoding_aes_key, corp_id=wecom_sim.corp_id)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/wecom/callback"
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def card_for_lisi(wecom_sim: WeComSimulator) -> str:
    reply = send(wecom_sim, token(wecom_sim), button_card("lisi|zhaoliu", "ack_march"))
    assert reply["errcode"] == 0
    return "ack_march"


# -- tests ------------------------------------------------------------------------------------
def test_click_sends_a_real_encrypted_template_card_event(wecom_sim: WeComSimulator, receiver: Receiver,
                                                          card_for_lisi: str) -> None:
    assert wecom_sim.click("lisi", card_for_lisi, "confirm", receiver.url) == 200
    [event] = receiver.events
    assert event["ToUserName"] == wecom_sim.corp_id
    assert event["FromUserName"] == "lisi"
    assert (event["MsgType"], event["Event"]) == ("event", "template_card_event")
    assert (event["EventKey"], event["TaskId"], event["CardType"]) == ("confirm", "ack_march", "button_interaction")
    assert event["AgentID"] == str(wecom_sim.agent_id)
    assert abs(int(event["CreateTime"]) - time.time()) < 60
    # The click's ResponseCode updates the clicker's card, once.
    update = {"userids": ["lisi"], "agentid": wecom_sim.agent_id, "response_code": event["ResponseCode"],
              "button": {"replace_name": "已确认"}}
    tok = token(wecom_sim)
    assert post(wecom_sim, "/cgi-bin/message/update_template_card", update, access_token=tok)["errcode"] == 0
    assert post(wecom_sim, "/cgi-bin/message/update_template_card", update, access_token=tok)["errcode"] == 40058
    assert wecom_sim.card_state(card_for_lisi, "lisi")["replace_name"] == "已确认"


def test_envelope_shape(wecom_sim: WeComSimulator, receiver: Receiver, card_for_lisi: str) -> None:
    wecom_sim.click("zhaoliu", card_for_lisi, "later", receiver.url)
    [(path, body)] = receiver.raw
    assert path.startswith("/wecom/callback?msg_signature=")
    envelope = ET.fromstring(body)
    assert [child.tag for child in envelope] == ["ToUserName", "AgentID", "Encrypt"]


@pytest.mark.parametrize("tamper", TAMPERS)
def test_tampered_callbacks_are_what_they_claim(wecom_sim: WeComSimulator, receiver: Receiver,
                                                card_for_lisi: str, tamper: str) -> None:
    status = wecom_sim.click("lisi", card_for_lisi, "confirm", receiver.url, tamper=tamper)
    assert receiver.rejections == [tamper]
    assert status in (400, 403, 413)
    assert receiver.events == []


def test_wecom_retries_a_failed_callback_with_the_same_event(wecom_sim: WeComSimulator, receiver: Receiver,
                                                            card_for_lisi: str) -> None:
    receiver.fail_first = 2
    assert wecom_sim.click("lisi", card_for_lisi, "confirm", receiver.url, retries=3) == 200
    assert len(receiver.events) == 3
    assert len({e["ResponseCode"] for e in receiver.events}) == 1
    assert len({e["CreateTime"] for e in receiver.events}) == 1
    assert len({path for path, _ in receiver.raw}) == 3  # freshly signed each time
    assert [a.status for a in wecom_sim.callbacks[-1].attempts] == [500, 500, 200]


def test_without_retries_the_failure_status_is_returned(wecom_sim: WeComSimulator, receiver: Receiver,
                                                        card_for_lisi: str) -> None:
    receiver.fail_first = 1
    assert wecom_sim.click("lisi", card_for_lisi, "confirm", receiver.url) == 500
    assert wecom_sim.resend() == 200  # a later WeCom retry
    assert receiver.events[0] == receiver.events[1]


def test_exact_replay_resends_identical_bytes(wecom_sim: WeComSimulator, receiver: Receiver,
                                              card_for_lisi: str) -> None:
    wecom_sim.click("lisi", card_for_lisi, "confirm", receiver.url)
    assert wecom_sim.resend(exact=True) == 200
    assert receiver.raw[0] == receiver.raw[1]


def test_verify_url_handshake(wecom_sim: WeComSimulator, receiver: Receiver) -> None:
    result = wecom_sim.verify_url(receiver.url)
    assert result.ok and result.status == 200
    assert receiver.echoes == [result.expected]
    bad = wecom_sim.verify_url(receiver.url, tamper="bad_signature")
    assert not bad and bad.status == 403
    assert not wecom_sim.verify_url(receiver.url, tamper="wrong_receiveid")


def test_click_refuses_cards_the_member_never_got(wecom_sim: WeComSimulator, receiver: Receiver,
                                                  card_for_lisi: str) -> None:
    with pytest.raises(ValueError, match="not sent to"):
        wecom_sim.click("wangwu", card_for_lisi, "confirm", receiver.url)
    with pytest.raises(ValueError, match="no button"):
        wecom_sim.click("lisi", card_for_lisi, "nope", receiver.url)
    with pytest.raises(ValueError, match="no card"):
        wecom_sim.click("lisi", "never_sent", "confirm", receiver.url)
    assert receiver.raw == []


def test_callbacks_go_only_to_loopback(wecom_sim: WeComSimulator, card_for_lisi: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        wecom_sim.click("lisi", card_for_lisi, "confirm", "http://192.0.2.1/callback")


def test_no_receiver_listening_gives_status_0(wecom_sim: WeComSimulator, card_for_lisi: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert wecom_sim.click("lisi", card_for_lisi, "confirm", f"http://127.0.0.1:{port}/cb", timeout=1) == 0
    assert wecom_sim.callbacks[-1].attempts[0].error
